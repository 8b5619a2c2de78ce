/**
 * Shared helpers of the WebGPU kernel tests: seeded CPU inputs, and comparisons of a function's
 * results on WebGPU (inputs moved over) with the CPU reference — exact, or within an accumulation
 * bound. (Elementwise math tests have their own in elementwise-ulp-checks.ts.)
 */
import assert from "node:assert/strict";
import { np, type Array, type DType } from "linax-ts";
import { fromValues } from "@linax-ts/testing";
import { readValues, toWebGPU } from "@linax-ts/testing/webgpu";

/** Unit roundoff of float32 (2⁻²⁴). */
export const U = 2 ** -24;

/** Number of elements of `shape`. */
export const size = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

/** A CPU array of `dtype` and `shape` from JS numbers, stored through the dtype's typed array. */
export function typedArr(values: readonly number[], dtype: DType, shape: readonly number[] = [values.length]): Array {
  // float16/bfloat16: the JS numbers, which np.array rounds to the half dtype.
  if (dtype === "float16" || dtype === "bfloat16") return np.reshape(np.array([...values], { dtype }), [...shape]);
  const typed =
    dtype === "float32" ? Float32Array : dtype === "int32" ? Int32Array : dtype === "uint32" ? Uint32Array : Uint8Array;
  return np.reshape(np.array(typed.from(values), { dtype }), [...shape]);
}

/**
 * A seeded CPU array: full-range (or, with `intRange`, |v| < intRange/2 resp. < intRange) integers,
 * fair bools, float32 values (and complex parts) in [-2, 2).
 */
export function randomArray(shape: readonly number[], dtype: DType, rand: () => number, intRange = 2 ** 32): Array {
  const n = size(shape) * (dtype === "complex64" ? 2 : 1);
  const v = globalThis.Array.from({ length: n }, () => {
    if (dtype === "int32") return Math.floor((rand() - 0.5) * intRange) | 0;
    if (dtype === "uint32") return Math.floor(rand() * intRange) >>> 0;
    if (dtype === "bool") return rand() < 0.5 ? 1 : 0;
    return Math.fround(rand() * 4 - 2);
  });
  return fromValues(v, shape, dtype);
}

/** Run `f` on the CPU inputs and on their WebGPU copies: shape, dtype and every value must match. */
export async function agree(f: (...xs: Array[]) => Array, ins: readonly Array[], what: string): Promise<void> {
  const want = f(...ins);
  const got = f(...ins.map(toWebGPU));
  assert.deepEqual(got.shape, want.shape, what);
  assert.equal(got.dtype, want.dtype, what);
  assert.deepEqual(await readValues(got), await readValues(want), what);
}

/** WebGPU values of `f` applied to WebGPU copies of `ins`. */
export async function onGpu(f: (...xs: Array[]) => Array, ...ins: Array[]): Promise<number[]> {
  return readValues(f(...ins.map(toWebGPU)));
}

/**
 * WebGPU values `got` against CPU values `want` of a contraction: identical (Object.is) when `fac`
 * is 0, else each within fac·U·scale of its output's bound `scale` (one per output element; a
 * complex output's two parts share one).
 */
export function assertWithinScale(got: number[], want: number[], fac: number, scale: number[], what: string): void {
  const per = fac > 0 ? want.length / Math.max(1, scale.length) : 1;
  for (let i = 0; i < want.length; i++) {
    if (fac === 0) assert.ok(Object.is(got[i], want[i]), `${what} [${i}]: want ${want[i]}, got ${got[i]}`);
    else {
      const tol = fac * U * scale[Math.floor(i / per)];
      assert.ok(Math.abs(got[i] - want[i]) <= tol, `${what} [${i}]: want ${want[i]}, got ${got[i]} (tol ${tol})`);
    }
  }
}
