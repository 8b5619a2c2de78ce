// WebGPU special-function kernels (logistic, erf, erfc, erfInv, lgamma, digamma, polygamma) and
// fma against the CPU reference backend. erf and erfInv port XLA's float32 algorithms on both
// backends, and fma is a correctly rounded fused multiply-add on both: those are exact. The others
// are float32 algorithms against the CPU's float64 ones (tolerances justified at each test).
import { test } from "node:test";
import { lax, random } from "linax-ts";
import { mulberry32 } from "@linax-ts/testing";
import { setupWebGPU } from "@linax-ts/testing/webgpu";
import { arr, assertComplex, assertExact, assertUlps, both, carr, uniform, ulps } from "./elementwise-ulp-checks.ts";

// At module level, not in a `before` hook (see elementwise-math.test.ts).
await setupWebGPU();

const MEASURE = process.env.LINAX_MEASURE === "1";
const SPECIAL = [
  NaN,
  Infinity,
  -Infinity,
  0,
  -0,
  1,
  -1,
  0.5,
  -0.5,
  2,
  -2,
  1e-30,
  -1e-30,
  1e-7,
  1e30,
  -1e30,
  3,
  -3,
  10,
  0.999999,
  -0.999999,
];
const maxUlps = (g: number[], w: number[]): number => g.reduce((m, x, i) => Math.max(m, ulps(x, w[i])), 0);

test("erf and erfInv: XLA's float32 algorithms, bit for bit", async () => {
  const rand = mulberry32(1);
  const xs = [...uniform(rand, 300, -5, 5), ...uniform(rand, 100, -0.01, 0.01), ...SPECIAL];
  let [g, w] = await both(lax.erf, [arr(xs)]);
  assertExact(g, w, "erf");
  const ps = [...uniform(rand, 300, -1, 1), ...uniform(rand, 50, 0.999, 1), ...SPECIAL];
  [g, w] = await both(lax.erfInv, [arr(ps)]);
  assertExact(g, w, "erfInv");
});

test("fma: one rounding, exact (cases where two roundings differ included)", async () => {
  const rand = mulberry32(2);
  const e = 2 ** -12;
  const x = [...uniform(rand, 300, -100, 100), 1 + e, 1 + e, 0.1, NaN, Infinity, 0, -0, 3e38, 1e-20];
  const y = [...uniform(rand, 300, -100, 100), 1 + e, 1 - e, 10, 1, 1, -1, 1, 2, 1e-20];
  const z = [...uniform(rand, 300, -1e4, 1e4), -(1 + 2 * e), -1, -1, 0, -Infinity, -0, -0, -3e38, 0];
  const [g, w] = await both(random.fma, [arr(x), arr(y), arr(z)]);
  // The last case's product (1e-40) is subnormal: GPUs may flush it.
  assertExact(g.slice(0, -1), w.slice(0, -1), "fma");
});

test("logistic float32 (2 ulp: one exp, one division) and complex64", async () => {
  const rand = mulberry32(3);
  const xs = [...uniform(rand, 300, -20, 20), ...uniform(rand, 50, -100, 100), ...SPECIAL];
  let [g, w] = await both(lax.logistic, [arr(xs)]);
  if (MEASURE) console.log("logistic", maxUlps(g, w));
  assertUlps(g, w, 2, "logistic", xs.map(Math.fround));
  const re = uniform(rand, 100, -3, 3);
  const im = uniform(rand, 100, -1, 1);
  [g, w] = await both(lax.logistic, [carr(re, im)]);
  // exp and a complex division in float32: a few ulp normwise (|im| < 1 keeps away from the poles).
  assertComplex(g, w, 1e-6, 0, "logistic complex64");
});

test("erfc: 4 ulp (Numerical Recipes' fit: 1.2e-7 relative, plus two exps) ", async () => {
  const rand = mulberry32(4);
  const xs = [...uniform(rand, 300, -3, 9), ...uniform(rand, 50, -0.5, 0.5), ...SPECIAL];
  const [g, w] = await both(lax.erfc, [arr(xs)]);
  if (MEASURE) console.log("erfc", maxUlps(g, w));
  assertUlps(g, w, 4, "erfc", xs.map(Math.fround));
});

test("lgamma: 3 ulp, or 2e-7 absolute near its zeros at 1 and 2 and for negative x", async () => {
  const rand = mulberry32(5);
  const xs = [
    ...uniform(rand, 300, 0, 20),
    ...uniform(rand, 50, 0.9, 2.1),
    ...uniform(rand, 100, -10, 0),
    ...uniform(rand, 30, 20, 1e6),
    ...SPECIAL,
    -4,
    -5.5,
  ];
  const [g, w] = await both(lax.lgamma, [arr(xs)]);
  if (MEASURE) console.log("lgamma", maxUlps(g, w));
  // Negative x: log(π/|x·sin πx|) - lgamma(-x) cancels where lgamma(x) is near 0; the float32
  // terms (each within an ulp of values up to ~10) leave an absolute error of ~1e-6 there.
  const neg = xs.map((v) => Math.fround(v) < 0);
  assertUlps(
    g.filter((_, i) => !neg[i]),
    w.filter((_, i) => !neg[i]),
    3,
    "lgamma x >= 0",
    xs.filter((_, i) => !neg[i]).map(Math.fround),
    2e-7,
  );
  assertUlps(
    g.filter((_, i) => neg[i]),
    w.filter((_, i) => neg[i]),
    4,
    "lgamma x < 0",
    xs.filter((_, i) => neg[i]).map(Math.fround),
    2e-6,
  );
});

test("digamma and polygamma: 4 ulp (2e-7 absolute near digamma's root)", async () => {
  const rand = mulberry32(6);
  const xs = [
    ...uniform(rand, 300, 0, 30),
    ...uniform(rand, 50, 1.3, 1.6),
    ...uniform(rand, 100, -5, 0),
    ...SPECIAL,
    -1,
    -2,
  ];
  let [g, w] = await both(lax.digamma, [arr(xs)]);
  if (MEASURE) console.log("digamma", maxUlps(g, w));
  // Negative x adds π·cot(πx), a float32 tan of a reduced argument: relative 1e-6 there.
  const neg = xs.map((v) => Math.fround(v) < 0);
  assertUlps(
    g.filter((_, i) => !neg[i]),
    w.filter((_, i) => !neg[i]),
    4,
    "digamma x >= 0",
    xs.filter((_, i) => !neg[i]).map(Math.fround),
    2e-7,
  );
  assertUlps(
    g.filter((_, i) => neg[i]),
    w.filter((_, i) => neg[i]),
    16,
    "digamma x < 0",
    xs.filter((_, i) => neg[i]).map(Math.fround),
    2e-6,
  );
  const ps = [...uniform(rand, 200, 0.05, 30), ...SPECIAL.filter((v) => !(v < 0)), -1, -2];
  for (const m of [0, 1, 2, 3]) {
    [g, w] = await both((a) => lax.polygamma(m, a), [arr(ps)]);
    if (MEASURE) console.log("polygamma", m, maxUlps(g, w));
    // Positive terms summed in float32 (~15 + m of them) plus the tail: a few ulp.
    assertUlps(g, w, 4, `polygamma m=${m}`, ps.map(Math.fround), 2e-7);
  }
});
