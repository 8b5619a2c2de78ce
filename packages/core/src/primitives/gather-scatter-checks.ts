/**
 * Validation of gather/scatter operands (not re-exported from the lax namespace): index dtype and
 * rank, the out-of-bounds mode, and the batching dims and index map of the dimension numbers,
 * with errors naming the op, the argument and the shapes.
 */
import type { ShapedArray } from "../core/aval.ts";
import { DTypeError, ShapeError, ValueError } from "../errors.ts";
import { fmtShape } from "../shape.ts";
import { J, checkAxes } from "./axis-lists.ts";

/** Check that the index array is integer-typed with an index-vector axis. */
export function checkIndices(op: string, idx: ShapedArray): void {
  if (idx.dtype !== "int32" && idx.dtype !== "uint32")
    throw new DTypeError(`${op}: indices must have dtype int32 or uint32; got ${idx.dtype}`);
  if (idx.ndim < 1)
    throw new ShapeError(
      `${op}: indices must have at least one axis (the last axis is the index vector); got a scalar`,
    );
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
  if (both !== undefined)
    throw new ShapeError(`${op}: operand axis ${both} is in both ${insertedName} and operandBatchingDims`);
  checkAxes(
    op,
    ibdName,
    ibd,
    idx.ndim - 1,
    false,
    `the indices of shape ${fmtShape(idx.shape)} (excluding the index-vector axis)`,
  );
  if (ibd.length !== obd.length)
    throw new ShapeError(`${op}: operandBatchingDims ${J(obd)} and ${ibdName} ${J(ibd)} must have equal lengths`);
  obd.forEach((d, i) => {
    if (x.shape[d] !== idx.shape[ibd[i]]) {
      throw new ShapeError(
        `${op}: operand batching axis ${d} (size ${x.shape[d]}) and indices batching axis ${ibd[i]} (size ${idx.shape[ibd[i]]}) must have equal sizes`,
      );
    }
  });
  checkAxes(op, indexMapName, indexMap, x.ndim, false, opDesc);
  const nVec = idx.shape[idx.ndim - 1];
  if (indexMap.length !== nVec)
    throw new ShapeError(
      `${op}: ${indexMapName} ${J(indexMap)} has ${indexMap.length} entries but the index vectors (last axis of indices of shape ${fmtShape(idx.shape)}) have ${nVec}`,
    );
  const bad = indexMap.find((d) => obd.includes(d));
  if (bad !== undefined) throw new ShapeError(`${op}: ${indexMapName} must not contain operand batching axis ${bad}`);
}
