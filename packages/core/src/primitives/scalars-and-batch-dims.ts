/**
 * Small building blocks the rule files share: scalar constants, dtype-preserving literals, and
 * batch-dimension movement. Kept free of primitive definitions so every family file can import it.
 */
import type { Array } from "../core/array.ts";
import { ShapedArray } from "../core/aval.ts";
import { fromHost } from "../core/concrete.ts";
import { getBackend } from "../backend.ts";
import { allocTyped, isHalf, type DType } from "../dtype.ts";
import { halfBitsFromNumber } from "../half.ts";
import type { BatchDim } from "../core/primitive.ts";

/** A concrete scalar of the given dtype (weakly typed when `weak`). */
export function scalar(value: number | [number, number], dtype: DType, weak = false): Array {
  const data = allocTyped(dtype, 1);
  if (dtype === "complex64") {
    const [re, im] = typeof value === "number" ? [value, 0] : value;
    data[0] = re;
    data[1] = im;
  } else if (isHalf(dtype)) data[0] = halfBitsFromNumber(dtype, typeof value === "number" ? value : value[0]);
  else data[0] = typeof value === "number" ? value : value[0];
  return fromHost(getBackend(), data, new ShapedArray([], dtype, weak));
}

/** Axis permutation that moves `from` to `to`. */
export function moveAxisPerm(ndim: number, from: number, to: number): number[] {
  const perm = [...Array_keys(ndim)].filter((i) => i !== from);
  perm.splice(to, 0, from);
  return perm;
}
function Array_keys(n: number): number[] {
  return globalThis.Array.from({ length: n }, (_, i) => i);
}

/** Insert an axis of size `n` at `pos` into a shape. */
export function insertAxis(shape: readonly number[], pos: number, n: number): number[] {
  const s = [...shape];
  s.splice(pos, 0, n);
  return s;
}
/** Remove axis `pos` from a shape. */
export function removeAxis(shape: readonly number[], pos: number): number[] {
  const s = [...shape];
  s.splice(pos, 1);
  return s;
}

/** Position of batch dim after removing it: shifts axes at or after `bdim`. */
export function unbatchedAval(a: ShapedArray, bdim: BatchDim): ShapedArray {
  return bdim === null ? a : a.withShape(removeAxis(a.shape, bdim));
}
