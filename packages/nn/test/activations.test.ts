import { test } from "node:test";
import assert from "node:assert/strict";
import { np, grad, vmap, jit, type Array } from "linax-ts";
import { assertClose } from "@linax-ts/testing";
import * as nn from "@linax-ts/nn";
import { finiteDiffGrad } from "./finite-differences.ts";

const xs = [-3, -1.5, -0.25, 0.25, 1, 2.5];
const erf = (x: number): number => {
  // Abramowitz–Stegun 7.1.26 is too coarse for 1e-6; use a series / continued fraction in float64.
  const t = Math.abs(x);
  let sum = t;
  let term = t;
  for (let n = 1; n < 60; n++) {
    term *= (-t * t) / n;
    sum += term / (2 * n + 1);
  }
  return Math.sign(x) * ((2 / Math.sqrt(Math.PI)) * sum);
};
const sig = (x: number) => 1 / (1 + Math.exp(-x));

// Each activation against an independent float64 host formula.
const cases: [string, (x: Array) => Array, (x: number) => number][] = [
  ["relu", nn.relu, (x) => Math.max(x, 0)],
  [
    "gelu (tanh)",
    (x) => nn.gelu(x),
    (x) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3))),
  ],
  ["gelu (exact)", nn.geluExact, (x) => 0.5 * x * (1 + erf(x / Math.SQRT2))],
  ["sigmoid", nn.sigmoid, sig],
  ["silu", nn.silu, (x) => x * sig(x)],
  ["swish", nn.swish, (x) => x * sig(x)],
  ["softplus", nn.softplus, (x) => Math.log(1 + Math.exp(x))],
  ["logSigmoid", nn.logSigmoid, (x) => Math.log(sig(x))],
  ["tanh", nn.tanh, Math.tanh],
  ["elu", (x) => nn.elu(x), (x) => (x > 0 ? x : Math.expm1(x))],
  ["elu alpha 2", (x) => nn.elu(x, { alpha: 2 }), (x) => (x > 0 ? x : 2 * Math.expm1(x))],
  ["leakyRelu", (x) => nn.leakyRelu(x), (x) => (x >= 0 ? x : 0.01 * x)],
  ["leakyRelu 0.2", (x) => nn.leakyRelu(x, { negativeSlope: 0.2 }), (x) => (x >= 0 ? x : 0.2 * x)],
];

for (const [name, f, ref] of cases) {
  test(`${name}: values, gradient (finite differences), vmap and jit`, () => {
    const x = np.array(xs);
    assertClose(f(x), xs.map(ref), { rtol: 2e-6, atol: 2e-6 });
    const loss = (v: Array) => np.sum(f(v));
    const g = grad(loss)(x) as Array;
    assertClose(g, finiteDiffGrad(loss, x), { rtol: 2e-2, atol: 2e-3 });
    assertClose(
      vmap(f)(x.reshape([6, 1])),
      xs.map((v) => [ref(v)]),
      { rtol: 2e-6, atol: 2e-6 },
    );
    assertClose(jit(f)(x), f(x), { rtol: 1e-6, atol: 1e-7 });
  });
}

test("relu's derivative at 0 is 0 (jax.nn.relu)", () => {
  assertClose(grad((v: Array) => np.sum(nn.relu(v)))(np.array([0, 1, -1])) as Array, [0, 1, 0]);
});

test("softplus is stable for large |x|", () => {
  assertClose(nn.softplus(np.array([-100, 100])), [Math.exp(-100), 100], { rtol: 1e-6, atol: 1e-30 });
});

test("softmax and logSoftmax along an axis match host formulas and are stable", () => {
  const rows = [
    [1, 2, 3],
    [1000, 1001, 999],
  ];
  const ref = rows.map((r) => {
    const m = Math.max(...r);
    const e = r.map((v) => Math.exp(v - m));
    const s = e.reduce((a, b) => a + b, 0);
    return e.map((v) => v / s);
  });
  const x = np.array(rows);
  assertClose(nn.softmax(x), ref, { rtol: 1e-6 });
  assertClose(
    nn.logSoftmax(x),
    ref.map((r) => r.map(Math.log)),
    { rtol: 1e-5, atol: 1e-5 },
  );
  // Along axis 0.
  const colRef = [0, 1, 2].map((j) => {
    const c = rows.map((r) => r[j]);
    const m = Math.max(...c);
    const s = c.reduce((a, v) => a + Math.exp(v - m), 0);
    return c.map((v) => Math.exp(v - m) / s);
  });
  assertClose(
    nn.softmax(x, { axis: 0 }),
    [0, 1].map((i) => colRef.map((c) => c[i])),
    { rtol: 1e-6 },
  );
  // d/dx_j sum_i w_i softmax_i = s_j (w_j - Σ w s)
  const w = [0.3, -1, 2];
  const f = (v: Array) => np.sum(nn.softmax(v).mul(np.array(w)));
  const x0 = np.array([0.1, 0.5, -0.2]);
  assertClose(grad(f)(x0) as Array, finiteDiffGrad(f, x0), { rtol: 1e-2, atol: 1e-3 });
  assert.equal((nn.softmax(np.array([-Infinity, 0])).tolist() as number[])[1], 1);
});
