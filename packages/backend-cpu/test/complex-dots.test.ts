/**
 * The compile layer's complex-dot rewrite (core compile/complex-dots.ts): complex64 products with
 * a promoted real operand, or whose only use is `real(·)`, become float32 products. Checked two
 * ways: the rewritten jaxpr has the expected real dots and no complex one (so the test fails if the
 * pass stops matching), and the compiled results equal the reference interpreter's complex
 * products within the f32 accumulation bound γ·Σ|a||b| (γ = (2k + 2)·2⁻²⁴, complex parts bounded by
 * |re| + |im|) — for plain, transposed and batched dimension numbers, and under grad.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { compile, config, grad, jit, lax, makeJaxpr, np, random, type Array } from "linax-ts";

const normal = (seed: number, shape: number[]): Array => random.normal(random.PRNGKey(seed), shape);
const cplx = (seed: number, shape: number[]): Array => lax.complex(normal(seed, shape), normal(seed + 50, shape));

/** The dotGeneral eqns of f's rewritten jaxpr, as their output dtypes. */
function dotsAfterRewrite(f: (...xs: Array[]) => Array, ...args: Array[]): string[] {
  const j = compile.rewriteComplexDots(makeJaxpr(f)(...args).jaxpr);
  return j.eqns.filter((e) => e.prim.name === "dotGeneral").map((e) => e.outBinders[0].aval.dtype);
}

/** Compiled (with the rewrite) vs the reference interpreter, elementwise within `bound`·γ. */
function checkValues(
  what: string,
  f: (...xs: Array[]) => Array,
  absF: (...xs: Array[]) => Array,
  k: number,
  ...args: Array[]
): void {
  const got = jit(f)(...args).dataSync();
  config.update("jitCompile", false);
  let want: ArrayLike<number>;
  try {
    want = jit(f)(...args).dataSync();
  } finally {
    config.update("jitCompile", true);
  }
  // The bound: the same products over |re| + |im| of each operand, in float32 (small k: no overflow).
  const bound = absF(
    ...args.map((a) => (a.dtype === "complex64" ? np.abs(np.real(a)).add(np.abs(np.imag(a))) : np.abs(a))),
  ).dataSync();
  const gamma = (2 * k + 2) * 2 ** -24;
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < got.length; i++) {
    const tol = 2 * gamma * bound[bound.length === got.length ? i : i >> 1] + 1e-30;
    if (!(Math.abs(got[i] - want[i]) <= tol))
      assert.fail(`${what}: element ${i}: compiled ${got[i]}, reference ${want[i]}, bound ${tol}`);
  }
}

const c64 = (x: Array): Array => x.astype("complex64");

test("a promoted real operand: two real products (one when both are real), no complex product", () => {
  const x = normal(1, [6, 5]);
  const y = cplx(2, [5, 7]);
  const f = (a: Array, b: Array): Array => np.matmul(c64(a), b);
  assert.deepEqual(dotsAfterRewrite(f, x, y), ["float32", "float32"]);
  checkValues("real @ complex", f, (a, b) => np.matmul(a, b), 5, x, y);
  const g = (a: Array, b: Array): Array => np.matmul(a, c64(b));
  const yT = cplx(3, [7, 6]);
  assert.deepEqual(dotsAfterRewrite(g, yT, x), ["float32", "float32"]);
  checkValues("complex @ real", g, (a, b) => np.matmul(a, b), 6, yT, x);
  const both = (a: Array, b: Array): Array => np.matmul(c64(a), c64(b));
  assert.deepEqual(dotsAfterRewrite(both, x, normal(4, [5, 3])), ["float32"]);
  checkValues("real @ real promoted", both, (a, b) => np.matmul(a, b), 5, x, normal(4, [5, 3]));
});

test("complex(x, 0) is a promoted operand; parts of complex(re, im) are read directly", () => {
  const x = normal(11, [4, 5]);
  const y = cplx(12, [5, 3]);
  const f = (a: Array, b: Array): Array => np.matmul(lax.complex(a, np.zerosLike(a)), b);
  assert.deepEqual(dotsAfterRewrite(f, x, y), ["float32", "float32"]);
  checkValues("complex(x, 0) @ y", f, (a, b) => np.matmul(a, b), 5, x, y);
  const g = (a: Array, b: Array): Array => np.real(lax.complex(a, b)).mul(np.imag(lax.complex(a, b)));
  const j = compile.rewriteComplexDots(makeJaxpr(g)(x, x).jaxpr);
  assert.deepEqual(
    j.eqns.map((e) => e.prim.name),
    ["mul"],
  );
});

test("only the real part used: Re a·Re b − Im a·Im b, and one product with a real operand", () => {
  const a = cplx(5, [4, 9]);
  const b = cplx(6, [9, 3]);
  const f = (p: Array, q: Array): Array => np.real(np.matmul(p, q)).mul(2);
  assert.deepEqual(dotsAfterRewrite(f, a, b), ["float32", "float32"]);
  checkValues("real(complex @ complex)", f, (p, q) => np.matmul(p, q).mul(2), 9, a, b);
  const g = (p: Array, q: Array): Array => np.real(np.matmul(c64(p), q));
  assert.deepEqual(dotsAfterRewrite(g, normal(7, [4, 9]), b), ["float32"]);
  checkValues("real(real @ complex)", g, (p, q) => np.matmul(p, q), 9, normal(7, [4, 9]), b);
  // The imaginary part is used too: the complex product stays.
  const h = (p: Array, q: Array): Array => {
    const z = np.matmul(p, q);
    return np.real(z).add(np.imag(z));
  };
  assert.deepEqual(dotsAfterRewrite(h, a, b), ["complex64"]);
  // The product is an output of the program: it stays complex.
  const j = compile.rewriteComplexDots(
    makeJaxpr((p: Array, q: Array) => [np.matmul(p, q), np.real(np.matmul(p, q))])(a, b).jaxpr,
  );
  assert.ok(j.eqns.some((e) => e.prim.name === "dotGeneral" && e.outBinders[0].aval.dtype === "complex64"));
});

test("batched and transposed dimension numbers, S5-like forward and its gradient", () => {
  // B̃ @ u over a batch of sequences, then real(C̃ @ x): S5's two products.
  const u = normal(8, [3, 4, 6]);
  const B = cplx(9, [5, 6]);
  const C = cplx(10, [6, 5]);
  const fwd = (uu: Array, bb: Array, cc: Array): Array => {
    const x = lax.dotGeneral(c64(uu), bb, { contractingDims: [[2], [1]] }); // [3,4,5]
    return np.real(lax.dotGeneral(x, cc, { contractingDims: [[2], [1]] })); // [3,4,6]
  };
  assert.deepEqual(dotsAfterRewrite(fwd, u, B, C), ["float32", "float32", "float32", "float32"]);
  const loss = (uu: Array, bb: Array, cc: Array): Array => np.sum(np.tanh(fwd(uu, bb, cc)));
  const dLoss = grad(loss, { argnums: [0, 1, 2] });
  const jg = makeJaxpr((uu: Array, bb: Array, cc: Array) => dLoss(uu, bb, cc))(u, B, C).jaxpr;
  const before = jg.eqns.filter(
    (e) => e.prim.name === "dotGeneral" && e.outBinders[0].aval.dtype === "complex64",
  ).length;
  const after = compile
    .rewriteComplexDots(compile.inlineCalls(jg).jaxpr)
    .eqns.filter((e) => e.prim.name === "dotGeneral" && e.outBinders[0].aval.dtype === "complex64").length;
  // The backward pass promotes real cotangents with complex(ct, 0) and reads parts of complex(re, im):
  // every product becomes real.
  assert.ok(before >= 4 && after === 0, `complex products in the gradient: ${before} before, ${after} after`);
  const got = jit((uu: Array, bb: Array, cc: Array) => dLoss(uu, bb, cc))(u, B, C);
  config.update("jitCompile", false);
  let want: Array[];
  try {
    want = jit((uu: Array, bb: Array, cc: Array) => dLoss(uu, bb, cc))(u, B, C);
  } finally {
    config.update("jitCompile", true);
  }
  // Gradient entries are O(1) sums of ≤ 30 products of O(1) terms: 1e-5 absolute is ~100 f32 ulps of 1.
  got.forEach((g, i) => {
    const a = g.dataSync();
    const b = want[i].dataSync();
    for (let e = 0; e < a.length; e++)
      if (!(Math.abs(a[e] - b[e]) <= 1e-5 * (1 + Math.abs(b[e]))))
        assert.fail(`grad ${i} element ${e}: compiled ${a[e]}, reference ${b[e]}`);
  });
});
