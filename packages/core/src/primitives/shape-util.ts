/**
 * Validation and small list helpers shared by the shape, dynamic-slice and indexing primitive
 * files (not re-exported from the lax namespace).
 */
import type { ShapedArray } from "../core/aval.ts";
import { DTypeError, ShapeError, ValueError } from "../errors.ts";
import { fmtShape } from "../shape.ts";

export const J = (v: unknown): string => JSON.stringify(v);
export const range = (n: number, from = 0): number[] => globalThis.Array.from({ length: n }, (_, i) => from + i);
export const inc = (v: readonly number[], by = 1): number[] => v.map((d) => d + by);

/** Check `v` is a list of distinct integers in [0, bound) (sorted when `sorted`). */
export function checkAxes(op: string, arg: string, v: readonly number[], bound: number, sorted: boolean, what: string): void {
  const ok = globalThis.Array.isArray(v) && v.every((d, i) => Number.isInteger(d) && d >= 0 && d < bound && (sorted ? i === 0 || d > v[i - 1] : v.indexOf(d) === i));
  if (!ok) throw new ShapeError(`${op}: ${arg} ${J(v)} must be ${sorted ? "sorted, " : ""}distinct axes in [0, ${bound}) of ${what}`);
}

/** Check that the index array is integer-typed with an index-vector axis. */
export function checkIndices(op: string, idx: ShapedArray): void {
  if (idx.dtype !== "int32" && idx.dtype !== "uint32") throw new DTypeError(`${op}: indices must have dtype int32 or uint32; got ${idx.dtype}`);
  if (idx.ndim < 1) throw new ShapeError(`${op}: indices must have at least one axis (the last axis is the index vector); got a scalar`);
}

/** Check a gather/scatter mode name (ValueError naming the op otherwise). */
export function checkMode(op: string, mode: string): void {
  const modes = ["clip", "fill", "promise_in_bounds"];
  if (!modes.includes(mode)) throw new ValueError(`${op}: unknown mode '${mode}'; expected one of ${modes.join(", ")}`);
}

/** Shared checks of (operand, index) batching dims and the index map. */
export function checkBatchingAndMap(
  op: string,
  x: ShapedArray,
  idx: ShapedArray,
  obd: readonly number[],
  ibd: readonly number[],
  ibdName: string,
  indexMap: readonly number[],
  indexMapName: string,
  inserted: readonly number[],
  insertedName: string,
): void {
  const opDesc = `the operand of shape ${fmtShape(x.shape)}`;
  checkAxes(op, insertedName, inserted, x.ndim, true, opDesc);
  checkAxes(op, "operandBatchingDims", obd, x.ndim, true, opDesc);
  const both = obd.find((d) => inserted.includes(d));
  if (both !== undefined) throw new ShapeError(`${op}: operand axis ${both} is in both ${insertedName} and operandBatchingDims`);
  checkAxes(op, ibdName, ibd, idx.ndim - 1, false, `the indices of shape ${fmtShape(idx.shape)} (excluding the index-vector axis)`);
  if (ibd.length !== obd.length) throw new ShapeError(`${op}: operandBatchingDims ${J(obd)} and ${ibdName} ${J(ibd)} must have equal lengths`);
  obd.forEach((d, i) => {
    if (x.shape[d] !== idx.shape[ibd[i]]) {
      throw new ShapeError(`${op}: operand batching axis ${d} (size ${x.shape[d]}) and indices batching axis ${ibd[i]} (size ${idx.shape[ibd[i]]}) must have equal sizes`);
    }
  });
  checkAxes(op, indexMapName, indexMap, x.ndim, false, opDesc);
  const nVec = idx.shape[idx.ndim - 1];
  if (indexMap.length !== nVec) throw new ShapeError(`${op}: ${indexMapName} ${J(indexMap)} has ${indexMap.length} entries but the index vectors (last axis of indices of shape ${fmtShape(idx.shape)}) have ${nVec}`);
  const bad = indexMap.find((d) => obd.includes(d));
  if (bad !== undefined) throw new ShapeError(`${op}: ${indexMapName} must not contain operand batching axis ${bad}`);
}


/** Validate that `v` is a list of `n` integers (error names op, argument and operand shape). */
export function checkIntList(op: string, arg: string, v: readonly number[], n: number, shape: readonly number[]): void {
  if (!globalThis.Array.isArray(v) || v.length !== n || v.some((d) => !Number.isInteger(d))) {
    throw new ShapeError(`${op}: ${arg} must be a list of ${n} integers (one per axis of the operand of shape ${fmtShape(shape)}); got ${J(v)}`);
  }
}
