/**
 * Shared helpers of the ssm tests: float64 host complex arithmetic for the independent reference
 * loops, deterministic inputs, closeness checks, leaf listings, and the JAX known answers
 * (testdata/ssm, see its README).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { grad, jit, np, random, treeLeavesWithPath, vmap, type Array } from "linax-ts";
import type { MixerCache, SequenceMixer } from "@linax-ts/ssm";
import { mulberry32 } from "@linax-ts/testing";

const JsArray = globalThis.Array;

/** A float64 complex number `[re, im]`. */
export type Cx = readonly [number, number];
export const cx = (re: number, im = 0): Cx => [re, im];
export const cadd = (a: Cx, b: Cx): Cx => [a[0] + b[0], a[1] + b[1]];
export const csub = (a: Cx, b: Cx): Cx => [a[0] - b[0], a[1] - b[1]];
export const cmul = (a: Cx, b: Cx): Cx => [a[0] * b[0] - a[1] * b[1], a[0] * b[1] + a[1] * b[0]];
export const cscale = (a: Cx, s: number): Cx => [a[0] * s, a[1] * s];
export const cdiv = (a: Cx, b: Cx): Cx => {
  const d = b[0] * b[0] + b[1] * b[1];
  return [(a[0] * b[0] + a[1] * b[1]) / d, (a[1] * b[0] - a[0] * b[1]) / d];
};
export const cexp = (a: Cx): Cx => {
  const r = Math.exp(a[0]);
  return [r * Math.cos(a[1]), r * Math.sin(a[1])];
};
export const cabs = (a: Cx): number => Math.hypot(a[0], a[1]);

/** An array's values as float64 numbers (complex arrays: interleaved re, im). */
export function nums(x: Array): number[] {
  return JsArray.from(x.dataSync() as ArrayLike<number>, Number);
}

/** A real `[rows, cols]` array as nested float64 rows. */
export function rows(x: Array): number[][] {
  const d = nums(x);
  const [r, c] = x.shape;
  return JsArray.from({ length: r }, (_, i) => d.slice(i * c, (i + 1) * c));
}

/** A `[..., 2]` (re, im) parameter, or a complex64 array, as a flat list of complex numbers. */
export function complexList(x: Array): Cx[] {
  const d = nums(x);
  return JsArray.from({ length: d.length / 2 }, (_, i) => [d[2 * i], d[2 * i + 1]] as Cx);
}

/** Deterministic standard-normal-ish inputs (mulberry32 + Box–Muller) as nested rows and an Array. */
export function randomInput(L: number, H: number, seed: number): { host: number[][]; x: Array } {
  const u = mulberry32(seed);
  const flat = JsArray.from({ length: L * H }, () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u()));
  const x = np.array(new Float32Array(flat)).reshape([L, H]);
  // The host reference sees exactly the float32 inputs the mixer sees.
  return { host: rows(x), x };
}

/** Asserts `|actual - expected| ≤ atol + rtol·|expected|` elementwise, naming the worst entry. */
export function assertClose(actual: readonly number[], expected: readonly number[], opts: { atol?: number; rtol?: number; msg?: string } = {}): void {
  const atol = opts.atol ?? 1e-5;
  const rtol = opts.rtol ?? 1e-4;
  assert.equal(actual.length, expected.length, `${opts.msg ?? ""}: length ${actual.length} vs ${expected.length}`);
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < actual.length; i++) {
    const excess = Math.abs(actual[i] - expected[i]) - (atol + rtol * Math.abs(expected[i]));
    if (!(excess <= worstExcess)) {
      worst = i;
      worstExcess = Number.isNaN(excess) ? Infinity : excess;
    }
  }
  if (worst >= 0) assert.fail(`${opts.msg ?? "assertClose"}: entry ${worst}: got ${actual[worst]}, expected ${expected[worst]} (atol ${atol}, rtol ${rtol})`);
}

/** The largest |value| (for scale-aware tolerances). */
export const maxAbs = (xs: readonly number[]): number => xs.reduce((m, v) => Math.max(m, Math.abs(v)), 0);

/** `[path, shape, dtype]` of every array leaf, paths joined with "." (linax's `keystr` without the dot). */
export function leafTable(tree: unknown): [string, number[], string][] {
  return treeLeavesWithPath(tree).map(([path, leaf]) => {
    const a = leaf as Array;
    return [path.join("."), [...a.shape], a.dtype];
  });
}

/** Sequence lengths of the equivalence tests: 1, primes, powers of two, up to 2048. */
export const LENGTHS = [1, 2, 7, 31, 64, 2048] as const;

/** One case of testdata/ssm/known-answers.json. */
export interface KnownCase {
  mixer: string;
  config: Record<string, number | string | boolean>;
  params: Record<string, { shape: number[]; dtype: string; data: number[] }>;
  y: { shape: number[]; data: number[] };
}

/** testdata/ssm/known-answers.json (written by scripts/testdata/gen_ssm_mixers.py on JAX 0.11.2). */
export function knownAnswers(): { H: number; L: number; seed: number; x: { shape: number[]; data: number[] }; cases: Record<string, KnownCase> } {
  const path = fileURLToPath(new URL("../../../testdata/ssm/known-answers.json", import.meta.url));
  return JSON.parse(readFileSync(path, "utf8"));
}

/** The known answers' input as an Array `[L, H]`. */
export function knownInput(): Array {
  const ka = knownAnswers();
  return np.array(new Float32Array(ka.x.data)).reshape(ka.x.shape);
}

/**
 * For each length of `LENGTHS`: `call` and `callRecurrent` equal the float64 host reference `host`
 * (input seed `seedBase + L`, tolerance `atol·(1 + max|want|)`, `rtol`), and so does a loop of
 * `step` from `initCache()` for lengths up to `stepMaxL`.
 */
export function checkParallelHostRecurrent<C extends MixerCache>(
  m: SequenceMixer<C>,
  host: (u: number[][]) => number[][],
  opts: { H: number; seedBase: number; atol: number; rtol: number; stepMaxL: number },
): void {
  for (const L of LENGTHS) {
    const { host: u, x } = randomInput(L, opts.H, opts.seedBase + L);
    const want = host(u).flat();
    const tol = { atol: opts.atol * (1 + maxAbs(want)), rtol: opts.rtol };
    assertClose(nums(m.call(x)), want, { ...tol, msg: `call, L=${L}` });
    assertClose(nums(m.callRecurrent(x)[0]), want, { ...tol, msg: `callRecurrent, L=${L}` });
    if (L <= opts.stepMaxL) {
      let cache = m.initCache();
      const ys: number[] = [];
      for (let t = 0; t < L; t++) {
        const [yt, c] = m.step(x.get(t), cache);
        cache = c;
        ys.push(...nums(yt));
      }
      assertClose(ys, want, { ...tol, msg: `step loop, L=${L}` });
    }
  }
}

/**
 * Gradients of `Σ y·w` through the parallel forward (`call`) and the lax.scan forward
 * (`callRecurrent`) agree on every leaf `leaves` names (a leaf without a gradient must be absent
 * from the mixer) and on the input. Returns the parallel gradient, the host input and the weights
 * for the caller's finite-difference checks.
 */
export function checkGradParallelVsRecurrent<M extends SequenceMixer<MixerCache>>(
  m: M,
  name: string,
  opts: { L: number; H: number; seeds: readonly [number, number]; leaves: (t: M) => [string, Array | null][] },
): { gp: M; host: number[][]; w: { host: number[][]; x: Array } } {
  const { host, x } = randomInput(opts.L, opts.H, opts.seeds[0]);
  const w = randomInput(opts.L, opts.H, opts.seeds[1]);
  const lossPar = (mm: M, xx: Array) => np.sum(np.multiply(mm.call(xx), w.x));
  const lossRec = (mm: M, xx: Array) => np.sum(np.multiply(mm.callRecurrent(xx)[0], w.x));
  const [gp, gxp] = grad(lossPar, { argnums: [0, 1] })(m, x) as [M, Array];
  const [gr, gxr] = grad(lossRec, { argnums: [0, 1] })(m, x) as [M, Array];
  const mLeaves = opts.leaves(m);
  const rLeaves = opts.leaves(gr);
  opts.leaves(gp).forEach(([k, a], i) => {
    const b = rLeaves[i][1];
    if (a === null || b === null) {
      assert.equal(mLeaves[i][1], null, `${name}: only absent leaves have no gradient`);
      return;
    }
    const want = nums(b);
    assertClose(nums(a), want, { atol: 1e-4 * (1 + maxAbs(want)), rtol: 1e-3, msg: `${name}: d/d${k}` });
  });
  assertClose(nums(gxp), nums(gxr), { atol: 1e-4, rtol: 1e-3, msg: `${name}: d/dx` });
  return { gp, host, w };
}

/** `Σ_t Σ_h y[t][h]·w[t][h]` in float64 (the host loss of the gradient checks). */
export const weightedSum = (y: number[][], w: number[][]): number => y.reduce((acc, r, t) => acc + r.reduce((s, v, h) => s + v * w[t][h], 0), 0);

/** The central difference `(f(1e-6) − f(−1e-6)) / 2e-6`. */
export const centralDiff = (f: (e: number) => number): number => (f(1e-6) - f(-1e-6)) / 2e-6;

/**
 * jit(call) on batch row `jitRow` and vmap(call) over a `[B, L, H]` batch of `random.normal`
 * inputs (key `inputKey`) equal eager calls; `callRecurrent` over the time-major batch from
 * `initCache([B])` gives a cache that passes `checkCache` and outputs equal to them (tolerance
 * `batchedAtol`, else assertClose's default). Returns the batch for the caller's own checks.
 */
export function checkJitVmapBatched<M extends SequenceMixer<MixerCache>>(
  m: M,
  opts: { B: number; L: number; H: number; inputKey: number; jitRow: number; batchedAtol?: number; checkCache: (cache: ReturnType<M["initCache"]>) => void },
): Array {
  const xb = random.normal(random.PRNGKey(opts.inputKey), [opts.B, opts.L, opts.H]);
  const eager = JsArray.from({ length: opts.B }, (_, b) => nums(m.call(xb.get(b))));
  const jitted = jit((mm: M, x: Array) => mm.call(x));
  assertClose(nums(jitted(m, xb.get(opts.jitRow))), eager[opts.jitRow], { msg: "jit" });
  assertClose(nums(vmap((x: Array) => m.call(x))(xb)), eager.flat(), { msg: "vmap" });
  // A batch of caches: step on [B, H] inputs, scanning the time-major sequence.
  const [yRec, cache] = m.callRecurrent(np.transpose(xb, [1, 0, 2]), m.initCache([opts.B]));
  opts.checkCache(cache as ReturnType<M["initCache"]>);
  const batchedTol = opts.batchedAtol === undefined ? {} : { atol: opts.batchedAtol };
  assertClose(nums(np.transpose(yRec, [1, 0, 2])), eager.flat(), { ...batchedTol, msg: "batched recurrent" });
  return xb;
}
