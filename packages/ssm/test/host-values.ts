/**
 * Host-side values of the ssm tests: float64 complex arithmetic for the independent reference
 * loops, deterministic inputs, array-to-number conversions, closeness checks, leaf listings, and
 * the host loss / central difference of the gradient checks.
 */
import assert from "node:assert/strict";
import { np, treeLeavesWithPath, type Array } from "linax-ts";
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
export function assertClose(
  actual: readonly number[],
  expected: readonly number[],
  opts: { atol?: number; rtol?: number; msg?: string } = {},
): void {
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
  if (worst >= 0)
    assert.fail(
      `${opts.msg ?? "assertClose"}: entry ${worst}: got ${actual[worst]}, expected ${expected[worst]} (atol ${atol}, rtol ${rtol})`,
    );
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

/** `Σ_t Σ_h y[t][h]·w[t][h]` in float64 (the host loss of the gradient checks). */
export const weightedSum = (y: number[][], w: number[][]): number =>
  y.reduce((acc, r, t) => acc + r.reduce((s, v, h) => s + v * w[t][h], 0), 0);

/** The central difference `(f(1e-6) − f(−1e-6)) / 2e-6`. */
export const centralDiff = (f: (e: number) => number): number => (f(1e-6) - f(-1e-6)) / 2e-6;
