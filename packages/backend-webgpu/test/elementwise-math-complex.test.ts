// WebGPU complex64 math kernels against the CPU reference backend (kept apart from
// elementwise-math.test.ts because their WGSL modules are large and slow to compile on SwiftShader).
import { test } from "node:test";
import { lax, type Array } from "linax-ts";
import { mulberry32 } from "@linax-ts/testing";
import { setupWebGPU } from "@linax-ts/testing/webgpu";
import { assertComplex, assertExact, both, carr, uniform } from "./elementwise-ulp-checks.ts";

// At module level, not in a `before` hook (see elementwise-math.test.ts).
await setupWebGPU();

const MEASURE = process.env.LINAX_MEASURE === "1";
const L = lax as unknown as Record<string, (...a: Array[]) => Array>;

/**
 * complex64 functions: a float32 evaluation of a multi-step formula against the CPU's float64 one.
 * Each step (exp, sin, hypot, …) is within a few ulp, and they combine without cancellation away
 * from branch points and zeros, so a normwise relative error of 2e-6 (~16 float32 ulps) bounds the
 * difference on these inputs (|re|, |im| < 3, away from the branch points ±1, ±i).
 */
const COMPLEX_RTOL = 2e-6;
const COMPLEX = [
  "exp",
  "log",
  "sin",
  "cos",
  "tanh",
  "exp2",
  "log1p",
  "expm1",
  "tan",
  "asin",
  "acos",
  "atan",
  "sinh",
  "cosh",
  "asinh",
  "acosh",
  "atanh",
  "sqrt",
  "rsqrt",
];
test("complex64 transcendental functions on random inputs and axes", async () => {
  const rand = mulberry32(4242);
  const n = 300;
  const re = [...uniform(rand, n, -3, 3), 0, 0, 2, -2, 0.5, 0, 0];
  const im = [...uniform(rand, n, -3, 3), 2, -2, 0, 0, 0, 0.5, -0.5];
  for (const name of COMPLEX) {
    // tanh/tan have poles where cosh 2x + cos 2y = 0; near them the float32 denominator cancels
    // (an error of the problem's conditioning, not the kernel's): keep inputs away from them.
    const keep = re.map((x, i) => {
      const [u, v] = name === "tan" ? [-im[i], x] : [x, im[i]];
      return (name !== "tanh" && name !== "tan") || Math.cosh(2 * u) + Math.cos(2 * v) > 0.5;
    });
    const r = re.filter((_, i) => keep[i]);
    const m = im.filter((_, i) => keep[i]);
    const [got, want] = await both((a) => L[name](a), [carr(r, m)]);
    if (MEASURE) {
      let m = 0;
      for (let i = 0; i < got.length; i += 2)
        m = Math.max(m, Math.hypot(got[i] - want[i], got[i + 1] - want[i + 1]) / Math.hypot(want[i], want[i + 1]));
      console.log("complex", name, "max rel", m);
    }
    assertComplex(got, want, COMPLEX_RTOL, 0, `${name} complex64`);
  }
});

test("complex64 integerPow, pow, abs, sign", async () => {
  const rand = mulberry32(77);
  const re = [...uniform(rand, 100, -2, 2), 0, 1, 0];
  const im = [...uniform(rand, 100, -2, 2), 0, 0, 1];
  const z = carr(re, im);
  for (const y of [0, 2, 3, 7, -1, -3]) {
    const [g, w] = await both((a) => lax.integerPow(a, y), [z]);
    // Repeated squaring rounds once per complex product (≤ 2·log2|y| products): within 1e-6 normwise.
    assertComplex(g, w, 1e-6 * (1 + Math.abs(y)), 0, `integerPow complex64 y=${y}`);
  }
  const wre = uniform(rand, re.length, -2, 2);
  const wim = uniform(rand, re.length, -2, 2);
  let [g, w] = await both(lax.pow, [z, carr(wre, wim)]);
  // exp(w·log z): |w·log z| up to ~8 amplifies log's error, as for real pow.
  assertComplex(g, w, 1e-5, 0, "pow complex64");
  [g, w] = await both(lax.pow, [carr([0, 0, 0, 2], [0, 0, 0, 0]), carr([0, 2, -1, 0.5], [0, 0, 0, 0])]);
  assertComplex(g, w, 1e-6, 0, "pow complex64 zero bases");
  [g, w] = await both(lax.abs, [z]);
  // hypot: 2 roundings, < 2 ulp relative.
  for (let i = 0; i < g.length; i++)
    if (Math.abs(g[i] - w[i]) > 2.4e-7 * w[i]) assertExact([g[i]], [w[i]], `abs complex64 ${i}`);
  [g, w] = await both(lax.sign, [z]);
  assertComplex(g, w, 3e-7, 0, "sign complex64");
});
