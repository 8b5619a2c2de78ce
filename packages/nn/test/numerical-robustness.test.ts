/**
 * Numerical robustness of the log-domain functions at inputs of ±1e4, where the naive formulas
 * overflow (e^1e4 = Inf) or cancel: logsumexp, softmax, logSoftmax, logSigmoid, softplus, sigmoid,
 * logaddexp and the cross-entropies — values and gradients finite and equal to float64 references
 * computed here independently (the textbook stable formulas in JS doubles; gradients from their
 * closed forms: ∂lse = softmax, ∂softplus = sigmoid, ∂CE = softmax − y, ∂BCE = sigmoid − y).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { np, grad, type Array } from "linax-ts";
import * as nn from "@linax-ts/nn";

const EPS32 = 2 ** -23;
/**
 * float32 agreement: inputs of magnitude M are themselves only known to ±M·eps32, and differences
 * of such numbers (x − lse) inherit that absolute error, so the bound scales with M, not the result.
 */
function close(got: readonly number[], want: readonly number[], scale: number, what: string): void {
  assert.equal(got.length, want.length, what);
  got.forEach((g, i) => {
    assert.ok(Number.isFinite(g), `${what}[${i}] = ${g} is not finite`);
    const tol = 4 * EPS32 * (scale + Math.abs(want[i])) + 1e-7;
    assert.ok(Math.abs(g - want[i]) <= tol, `${what}[${i}]: ${g} vs ${want[i]} (tol ${tol})`);
  });
}

// References in float64.
const lse64 = (x: readonly number[]): number => {
  const m = Math.max(...x);
  return m + Math.log(x.reduce((s, v) => s + Math.exp(v - m), 0));
};
const softmax64 = (x: readonly number[]): number[] => x.map((v) => Math.exp(v - lse64(x)));
const softplus64 = (v: number): number => Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v)));
const sigmoid64 = (v: number): number => (v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v)));

const rows: number[][] = [
  [1e4, -1e4, 0, 1e4 - 1, -1e4 + 3, 5],
  [1e4, 1e4, 1e4],
  [-1e4, -1e4, -1e4 + 1],
  [-1e4, 1e4],
];
const data = (a: Array): number[] => [...a.dataSync()];
const f32 = (x: readonly number[]): number[] => [...new Float32Array(x)];

test("logsumexp and logaddexp at ±1e4: values and gradients", () => {
  for (const r of rows) {
    const x = np.array(r);
    const rr = f32(r);
    close([np.logsumexp(x).item()], [lse64(rr)], 1e4, `logsumexp(${r})`);
    close(data(grad((a: Array) => np.logsumexp(a))(x)), softmax64(rr), 1, `∂logsumexp(${r})`);
  }
  const a = [1e4, -1e4, 0, 1e4, -20];
  const b = [1e4, 1e4, -1e4, -1e4, 0];
  const la = np.logaddexp(np.array(a), np.array(b));
  close(
    data(la),
    a.map((v, i) => lse64([v, b[i]])),
    1e4,
    "logaddexp",
  );
  close(
    data(grad((x: Array) => np.sum(np.logaddexp(x, np.array(b))))(np.array(a))),
    a.map((v, i) => sigmoid64(v - b[i])),
    1,
    "∂logaddexp",
  );
  // ±Inf: logsumexp([-Inf, -Inf]) = -Inf (not NaN) and logsumexp([Inf, 1]) = Inf.
  assert.equal(np.logsumexp(np.array([-Infinity, -Infinity])).item(), -Infinity);
  assert.equal(np.logsumexp(np.array([Infinity, 1])).item(), Infinity);
});

test("softmax and logSoftmax at ±1e4: values and gradients", () => {
  for (const r of rows) {
    const x = np.array(r);
    const rr = f32(r);
    const sm = softmax64(rr);
    close(data(nn.softmax(x)), sm, 1, `softmax(${r})`);
    close(
      data(nn.logSoftmax(x)),
      rr.map((v) => v - lse64(rr)),
      1e4,
      `logSoftmax(${r})`,
    );
    // ∂/∂x Σ w·softmax(x) = s ⊙ (w − s·w); ∂/∂x Σ w·logSoftmax(x) = w − s·Σw.
    const w = r.map((_, i) => i + 1);
    const sw = sm.reduce((s, v, i) => s + v * w[i], 0);
    close(
      data(grad((a: Array) => np.sum(np.multiply(nn.softmax(a), np.array(w))))(x)),
      sm.map((s, i) => s * (w[i] - sw)),
      1,
      `∂softmax(${r})`,
    );
    const wsum = w.reduce((s, v) => s + v, 0);
    close(
      data(grad((a: Array) => np.sum(np.multiply(nn.logSoftmax(a), np.array(w))))(x)),
      w.map((wi, i) => wi - sm[i] * wsum),
      1,
      `∂logSoftmax(${r})`,
    );
  }
  // A fully masked row (all -Inf) is NaN in JAX too; one finite entry takes all the mass.
  close(data(nn.softmax(np.array([-Infinity, 0, -Infinity]))), [0, 1, 0], 1, "softmax with -Inf");
});

test("softplus, logSigmoid and sigmoid at ±1e4 and around 0: values and gradients", () => {
  const xs = [1e4, -1e4, 0, 9999, -9999, 20, -20, 1e-3, -1e-3, 88, -88, 90, -104];
  const x = np.array(xs);
  const xx = f32(xs);
  close(data(nn.softplus(x)), xx.map(softplus64), 1e4, "softplus");
  close(
    data(nn.logSigmoid(x)),
    xx.map((v) => -softplus64(-v)),
    1e4,
    "logSigmoid",
  );
  close(data(nn.sigmoid(x)), xx.map(sigmoid64), 1, "sigmoid");
  close(data(grad((a: Array) => np.sum(nn.softplus(a)))(x)), xx.map(sigmoid64), 1, "∂softplus");
  close(
    data(grad((a: Array) => np.sum(nn.logSigmoid(a)))(x)),
    xx.map((v) => sigmoid64(-v)),
    1,
    "∂logSigmoid",
  );
  close(
    data(grad((a: Array) => np.sum(nn.sigmoid(a)))(x)),
    xx.map((v) => sigmoid64(v) * sigmoid64(-v)),
    1,
    "∂sigmoid",
  );
  // Small values keep their relative accuracy: softplus(-20) = 2.06e-9, not 0 or a rounding of 1 + tiny.
  const sp = nn.softplus(np.array([-20, -50])).dataSync();
  assert.ok(
    Math.abs(sp[0] / softplus64(-20) - 1) < 1e-6 && Math.abs(sp[1] / softplus64(-50) - 1) < 1e-6,
    `softplus(-20), softplus(-50) = ${sp[0]}, ${sp[1]}`,
  );
});

test("cross-entropies at logits of ±1e4: values and gradients", () => {
  const logits = [
    [1e4, -1e4, 0],
    [-1e4, -1e4, 1e4],
    [1e4, 1e4, -1e4],
  ];
  const labels = [1, 2, 0];
  const onehot = labels.map((l) => [0, 1, 2].map((j) => (j === l ? 1 : 0)));
  const L = np.array(logits);
  const ce64 = logits.map((r, i) => lse64(f32(r)) - f32(r)[labels[i]]);
  close(
    data(nn.softmaxCrossEntropyWithIntegerLabels(L, np.array(labels), { reduction: "none" })),
    ce64,
    1e4,
    "CE with integer labels",
  );
  close(data(nn.softmaxCrossEntropy(L, np.array(onehot), { reduction: "none" })), ce64, 1e4, "CE with one-hot labels");
  const gWant = logits.flatMap((r, i) => softmax64(f32(r)).map((s, j) => s - onehot[i][j]));
  close(
    data(
      grad((a: Array) => np.sum(nn.softmaxCrossEntropyWithIntegerLabels(a, np.array(labels), { reduction: "none" })))(
        L,
      ),
    ),
    gWant,
    1,
    "∂CE integer labels",
  );
  close(
    data(grad((a: Array) => np.sum(nn.softmaxCrossEntropy(a, np.array(onehot), { reduction: "none" })))(L)),
    gWant,
    1,
    "∂CE one-hot",
  );

  const z = [1e4, -1e4, 0, 1e4, -1e4, 3];
  const y = [0, 1, 1, 1, 0, 0.25];
  const zz = f32(z);
  // BCE(z, y) = softplus(z) − y·z, with gradient sigmoid(z) − y.
  const bce64 = zz.map((v, i) => softplus64(v) - y[i] * v);
  close(data(nn.sigmoidBinaryCrossEntropy(np.array(z), np.array(y), { reduction: "none" })), bce64, 1e4, "sigmoid BCE");
  close(
    data(grad((a: Array) => np.sum(nn.sigmoidBinaryCrossEntropy(a, np.array(y), { reduction: "none" })))(np.array(z))),
    zz.map((v, i) => sigmoid64(v) - y[i]),
    1,
    "∂sigmoid BCE",
  );
});
