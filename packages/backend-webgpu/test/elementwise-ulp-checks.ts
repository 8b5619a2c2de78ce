/**
 * Shared helpers of the elementwise math/special kernel tests: build CPU arrays, run a function on
 * the CPU (the reference) and on WebGPU (same inputs moved over), and compare results exactly,
 * within n float32 ulps, or (complex) within a normwise relative bound.
 */
import assert from "node:assert/strict";
import { np, lax, type Array, type DType } from "linax-ts";
import { onBackend, readValues, toWebGPU } from "@linax-ts/testing/webgpu";

/** A CPU array of `dtype` with `shape` (the values are rounded/wrapped as the dtype stores them). */
export function arr(values: readonly number[], dtype: DType = "float32", shape?: readonly number[]): Array {
  const a = np.array([...values], { dtype });
  return shape === undefined ? a : np.reshape(a, [...shape]);
}

/** A CPU complex64 array from real and imaginary parts. */
export function carr(re: readonly number[], im: readonly number[], shape?: readonly number[]): Array {
  return lax.complex(arr(re, "float32", shape), arr(im, "float32", shape));
}

/** `n` values uniform in [lo, hi) from `rand`. */
export function uniform(rand: () => number, n: number, lo: number, hi: number): number[] {
  return globalThis.Array.from({ length: n }, () => lo + (hi - lo) * rand());
}

/** Results of `f` on the CPU inputs and on their WebGPU copies: [webgpu, cpu]. */
export async function both(f: (...a: Array[]) => Array, ins: readonly Array[]): Promise<[number[], number[]]> {
  const want = await readValues(f(...ins));
  const got = await onBackend("webgpu", () => readValues(f(...ins.map(toWebGPU))));
  return [got, want];
}

/** Distance in float32 ulps (0 for identical values, both NaN, or +0 vs -0). */
export function ulps(a: number, b: number): number {
  if (Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b))) return 0;
  if (Number.isNaN(a) || Number.isNaN(b)) return Infinity;
  const ia = new Int32Array(new Float32Array([a]).buffer)[0];
  const ib = new Int32Array(new Float32Array([b]).buffer)[0];
  const key = (i: number): number => (i < 0 ? -2147483648 - i : i);
  return Math.abs(key(ia) - key(ib));
}

/** Bitwise-identical results (NaN = NaN; -0 ≠ +0). */
export function assertExact(got: number[], want: number[], what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < got.length; i++) {
    if (!(Object.is(got[i], want[i]) || (Number.isNaN(got[i]) && Number.isNaN(want[i])))) {
      assert.fail(`${what}: element ${i} is ${got[i]}, expected ${want[i]}`);
    }
  }
}

/** Smallest normal float32. */
const F32_TINY = 1.1754943508222875e-38;

/**
 * Within `n` ulps, and where `atol` is given also accepted when |got - want| <= atol (for results
 * that cross zero, where a float32 algorithm's absolute error is what is bounded). Zeros must agree
 * in sign. A subnormal expected result may come back as a zero of the same sign or any subnormal:
 * WGSL lets GPUs flush subnormals (SwiftShader does), so below 2^-126 only the range is checked.
 */
export function assertUlps(got: number[], want: number[], n: number, what: string, inputs?: number[], atol = 0): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < got.length; i++) {
    // Non-finite results (inf is 1 "ulp" from the largest float) must match exactly.
    const d =
      Number.isFinite(got[i]) && Number.isFinite(want[i])
        ? ulps(got[i], want[i])
        : ulps(got[i], want[i]) === 0
          ? 0
          : Infinity;
    const signOk = !(got[i] === 0 && want[i] === 0) || Object.is(got[i], want[i]);
    if ((d <= n && signOk) || (atol > 0 && Math.abs(got[i] - want[i]) <= atol)) continue;
    if (
      Math.abs(want[i]) < F32_TINY &&
      Math.abs(got[i]) < F32_TINY &&
      (got[i] === 0 || Math.sign(got[i]) === Math.sign(want[i]))
    )
      continue;
    const at = inputs === undefined ? "" : ` (input ${inputs[i]})`;
    assert.fail(`${what}: element ${i}${at} is ${got[i]}, expected ${want[i]} (${d} ulp apart)`);
  }
}

/**
 * complex64 results (interleaved re, im): each element within `rtol·|want| + atol` in modulus of
 * the difference; non-finite parts must match exactly.
 */
export function assertComplex(got: number[], want: number[], rtol: number, atol: number, what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < got.length; i += 2) {
    const [gr, gi, wr, wi] = [got[i], got[i + 1], want[i], want[i + 1]];
    const finite = Number.isFinite(wr) && Number.isFinite(wi);
    const ok = finite
      ? Math.hypot(gr - wr, gi - wi) <= rtol * Math.hypot(wr, wi) + atol
      : ulps(gr, wr) === 0 && ulps(gi, wi) === 0;
    if (!ok)
      assert.fail(
        `${what}: element ${i / 2} is ${gr}${gi >= 0 ? "+" : ""}${gi}i, expected ${wr}${wi >= 0 ? "+" : ""}${wi}i`,
      );
  }
}
