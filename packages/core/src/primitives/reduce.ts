/**
 * Reductions over axes: reduceSum and the helpers every reduction shares (here, including
 * `defineReduce`); reduceMax/Min and argmax/argmin in reduce-extrema.ts, reduceProd/And/Or in
 * reduce-prod-logical.ts.
 *
 * Import discipline: shape-ops.ts imports this file (broadcastInDim's transpose needs reduceSum),
 * so it is evaluated in the middle of the elementwise ↔ shape-ops import cycle. It must not
 * import modules that do work at load time with bindings from that cycle; the other reductions
 * live in their own files for that reason.
 */
import type { Array } from "../core/array.ts";
import { ShapedArray } from "../core/aval.ts";
import { definePrimitive, type BatchDim, type Primitive } from "../core/primitive.ts";
import { ShapeError } from "../errors.ts";
import type { DType } from "../dtype.ts";
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
      throw new ShapeError(
        `${op}: axes ${JSON.stringify(axes)} must be sorted distinct axes of an array of shape ${fmtShape(x.shape)}`,
      );
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

/** The axes of `shape` that survive a reduction over `axes` (for broadcasting results back). */
export function keptAxes(ndim: number, axes: readonly number[]): number[] {
  const kept: number[] = [];
  for (let i = 0; i < ndim; i++) if (!axes.includes(i)) kept.push(i);
  return kept;
}

/** Sort and validate user axes for a lax reduction (negative axes are not accepted at lax level). */
export function canonAxes(axes: readonly number[]): number[] {
  return [...axes].sort((a, b) => a - b);
}

/** A reduction's JVP: the primal output and its tangent (null for a zero tangent). */
export type ReduceJvpRule = (
  prim: Primitive<ReduceParams>,
  x: Array,
  dx: Array,
  p: ReduceParams,
) => [Array, Array | null];

/** Define an axis reduction: abstract eval (dtype check + axes), batch rule, and the given JVP. */
export function defineReduce(
  name: string,
  dtypes: readonly DType[],
  jvp: ReduceJvpRule | null,
): Primitive<ReduceParams> {
  const prim: Primitive<ReduceParams> = definePrimitive<ReduceParams>(name, {
    abstractEval([x], { axes }) {
      checkIn(name, dtypes, x, "x");
      return [reduceAval(name, x, axes)];
    },
    jvp([x], [dx], p) {
      if (jvp === null) return [[prim.bind1([x], p)], [null]];
      const [y, dy] = jvp(prim, x, dx, p);
      return [[y], [dy]];
    },
    batch([x], [d], { axes }) {
      const { axes: a, outBdim } = reduceBatchAxes(axes, d as number);
      return [[prim.bind1([x], { axes: a })], [outBdim as BatchDim]];
    },
  });
  return prim;
}

// ------------------------------------------------------------------ reduceSum

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
    return [broadcastInDim(ct as Array, inShape, keptAxes(inShape.length, axes))];
  },
  batch([x], [d], { axes }) {
    const { axes: a, outBdim } = reduceBatchAxes(axes, d as number);
    return [[reduceSumP.bind1([x], { axes: a })], [outBdim as BatchDim]];
  },
});

/** lax.reduceSum over `axes` (non-negative axes of `x`). */
export function reduceSum(x: Array, axes: readonly number[]): Array {
  if (axes.length === 0) return x;
  return reduceSumP.bind1([x], { axes: canonAxes(axes) });
}
