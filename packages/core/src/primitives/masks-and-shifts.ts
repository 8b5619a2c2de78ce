/**
 * Small private helpers the reduction / cumulative / sort / conv rules share: comparisons, a
 * shift along one axis, and index constants (iotas). Kept in one place so the rule files read
 * as math, and so a change of the underlying ops touches one file.
 */
import type { Array } from "../core/array.ts";
import type { DType } from "../dtype.ts";
import { eq, lt, ne } from "./elementwise-logic.ts";
import { iota, pad, rev } from "./shape-slicing.ts";
import { convertElementType } from "./convert.ts";
import { broadcastInDim } from "./shape-ops.ts";
import { scalar } from "./scalars-and-batch-dims.ts";

/** Elementwise `x == y` (bool). */
export function eqMask(x: Array, y: Array): Array {
  return eq(x, y);
}
/** Elementwise `x < y` (bool). */
export function ltMask(x: Array, y: Array): Array {
  return lt(x, y);
}

/**
 * Shift `x` by one position along `axis` in the scan direction: out_i = x_{i-1} (or x_{i+1} when
 * `reverse`), with `fill` entering at the start. A pad with a negative high (low) edge.
 */
export function shiftAlong(x: Array, axis: number, reverse: boolean, fill: number): Array {
  const cfg = x.shape.map((): [number, number, number] => [0, 0, 0]);
  cfg[axis] = reverse ? [-1, 1, 0] : [1, -1, 0];
  return pad(x, scalar(fill, x.dtype), cfg);
}

/** 1 everywhere except 0 at the first position of the scan along `axis`. */
export function boundaryMask(shape: readonly number[], axis: number, reverse: boolean, dtype: DType): Array {
  const first = reverse ? shape[axis] - 1 : 0;
  const idx = iotaAlong(shape, axis);
  return convertElementType(ne(idx, broadcastInDim(scalar(first, "int32"), shape, [])), dtype);
}

/** int32 indices 0..n-1 along `axis` of `shape` (a broadcasted iota). */
export function iotaAlong(shape: readonly number[], axis: number): Array {
  return iota("int32", shape, axis);
}

/** Reverse `x` along `axes`. */
export function revAxes(x: Array, axes: readonly number[]): Array {
  return rev(x, axes);
}
