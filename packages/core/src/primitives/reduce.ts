/** Reductions over axes: reduceSum (here), reduceMax/Min/Prod, argmax/argmin (reduce-more.ts). */
import type { Array } from "../core/array.ts";
import { ShapedArray } from "../core/aval.ts";
import { definePrimitive, type Primitive, type BatchDim } from "../core/primitive.ts";
import { ShapeError } from "../errors.ts";
import { fmtShape } from "../shape.ts";
import { checkIn, NUMERIC } from "./elementwise.ts";
import { broadcastInDim } from "./shape-ops.ts";

export interface ReduceParams {
  /** Sorted, distinct axes to reduce. */
  readonly axes: readonly number[];
}

/** Shared abstract eval of axis reductions: validates axes, drops them from the shape. */
export function reduceAval(op: string, x: ShapedArray, axes: readonly number[], dtype = x.dtype): ShapedArray {
  for (let i = 0; i < axes.length; i++) {
    const a = axes[i];
    if (!Number.isInteger(a) || a < 0 || a >= x.ndim || (i > 0 && a <= axes[i - 1])) {
      throw new ShapeError(`${op}: axes ${JSON.stringify(axes)} must be sorted distinct axes of an array of shape ${fmtShape(x.shape)}`);
    }
  }
  return new ShapedArray(
    x.shape.filter((_, i) => !axes.includes(i)),
    dtype,
    x.weakType,
  );
}

/** Batch rule shared by axis reductions: shift reduced axes around the batch dim. */
export function reduceBatchAxes(axes: readonly number[], bdim: number): { axes: number[]; outBdim: number } {
  const shifted = axes.map((a) => (a >= bdim ? a + 1 : a));
  const outBdim = bdim - shifted.filter((a) => a < bdim).length;
  return { axes: shifted, outBdim };
}

/** The output shape position of input axis `bdim` after removing `axes`. */
export const reduceSumP: Primitive<ReduceParams> = definePrimitive<ReduceParams>("reduceSum", {
  abstractEval([x], { axes }) {
    checkIn("reduceSum", NUMERIC, x, "x");
    return [reduceAval("reduceSum", x, axes)];
  },
  jvp([x], [dx], p) {
    return [[reduceSumP.bind1([x], p)], [reduceSumP.bind1([dx], p)]];
  },
  transpose([ct], [x], { axes }) {
    const inShape = (x as { aval: ShapedArray }).aval.shape;
    const kept = inShape.map((_, i) => i).filter((i) => !axes.includes(i));
    return [broadcastInDim(ct as Array, inShape, kept)];
  },
  batch([x], [d], { axes }) {
    const { axes: a, outBdim } = reduceBatchAxes(axes, d as number);
    return [[reduceSumP.bind1([x], { axes: a })], [outBdim as BatchDim]];
  },
});

/** lax.reduceSum over `axes`. */
export function reduceSum(x: Array, axes: readonly number[]): Array {
  if (axes.length === 0) return x;
  return reduceSumP.bind1([x], { axes: [...axes].sort((a, b) => a - b) });
}
