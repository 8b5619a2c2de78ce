/**
 * Shape primitives: broadcastInDim, reshape, transpose (and, in later family files, slice, pad,
 * concatenate, rev, …). All are linear, so each has a transpose rule.
 */
import type { Array } from "../core/array.ts";
import { ShapedArray } from "../core/aval.ts";
import { definePrimitive, type Primitive } from "../core/primitive.ts";
import { ShapeError } from "../errors.ts";
import { fmtShape, prod, shapeEq } from "../shape.ts";
import { reduceSum } from "./reduce.ts";

// ------------------------------------------------------------------ broadcastInDim

export interface BroadcastInDimParams {
  readonly shape: readonly number[];
  /** For each operand axis, the output axis it maps to (strictly increasing). */
  readonly broadcastDimensions: readonly number[];
}

export const broadcastInDimP: Primitive<BroadcastInDimParams> = definePrimitive<BroadcastInDimParams>(
  "broadcastInDim",
  {
    abstractEval([x], { shape, broadcastDimensions: bd }) {
      if (bd.length !== x.ndim) {
        throw new ShapeError(
          `broadcastInDim: operand of shape ${fmtShape(x.shape)} needs ${x.ndim} broadcastDimensions, got ${JSON.stringify(bd)}`,
        );
      }
      for (let i = 0; i < bd.length; i++) {
        const d = bd[i];
        if (d < 0 || d >= shape.length || (i > 0 && d <= bd[i - 1])) {
          throw new ShapeError(
            `broadcastInDim: broadcastDimensions ${JSON.stringify(bd)} must be strictly increasing axes of the output shape ${fmtShape(shape)}`,
          );
        }
        if (x.shape[i] !== 1 && x.shape[i] !== shape[d]) {
          throw new ShapeError(
            `broadcastInDim: operand shape ${fmtShape(x.shape)} cannot be broadcast to ${fmtShape(shape)} (operand axis ${i} has size ${x.shape[i]}, output axis ${d} has size ${shape[d]})`,
          );
        }
      }
      return [new ShapedArray(shape, x.dtype, x.weakType)];
    },
    jvp([x], [dx], params) {
      return [[broadcastInDimP.bind1([x], params)], [broadcastInDimP.bind1([dx], params)]];
    },
    transpose([ct], [x], { broadcastDimensions: bd }) {
      const inShape = (x as { aval: ShapedArray }).aval.shape;
      const c = ct as Array;
      // Sum over the new axes and over the operand's size-1 axes that were expanded.
      const sumAxes = c.shape
        .map((_, i) => i)
        .filter((i) => !bd.includes(i) || (inShape[bd.indexOf(i)] === 1 && c.shape[i] !== 1));
      const summed = sumAxes.length > 0 ? reduceSum(c, sumAxes) : c;
      return [reshape(summed, inShape)];
    },
    batch([x], [d], { shape, broadcastDimensions: bd }, axis) {
      const b = d as number;
      // The operand keeps its batch axis at `b`; the output puts it at front.
      const outShape = [axis.size, ...shape];
      // broadcastDimensions must be increasing: move the batch axis of x to the front first.
      const xt = b === 0 ? x : transpose(x, [b, ...x.shape.map((_, i) => i).filter((i) => i !== b)]);
      const bdSorted = [0, ...bd.map((v) => v + 1)];
      return [[broadcastInDimP.bind1([xt], { shape: outShape, broadcastDimensions: bdSorted })], [0]];
    },
  },
);

/** lax.broadcastInDim: place operand axes at `broadcastDimensions` of `shape`. */
export function broadcastInDim(x: Array, shape: readonly number[], broadcastDimensions: readonly number[]): Array {
  if (shapeEq(x.shape, shape) && broadcastDimensions.every((d, i) => d === i)) return x;
  return broadcastInDimP.bind1([x], { shape: [...shape], broadcastDimensions: [...broadcastDimensions] });
}

// ------------------------------------------------------------------ reshape

export interface ReshapeParams {
  readonly newSizes: readonly number[];
}

export const reshapeP: Primitive<ReshapeParams> = definePrimitive<ReshapeParams>("reshape", {
  abstractEval([x], { newSizes }) {
    if (prod(newSizes) !== x.size || newSizes.some((d) => !Number.isInteger(d) || d < 0)) {
      throw new ShapeError(
        `reshape: cannot reshape an array of shape ${fmtShape(x.shape)} (size ${x.size}) into shape ${fmtShape(newSizes)}`,
      );
    }
    return [new ShapedArray(newSizes, x.dtype, x.weakType)];
  },
  jvp([x], [dx], p) {
    return [[reshapeP.bind1([x], p)], [reshapeP.bind1([dx], p)]];
  },
  transpose([ct], [x]) {
    return [reshape(ct as Array, (x as { aval: ShapedArray }).aval.shape)];
  },
  batch([x], [d], { newSizes }) {
    const xf = d === 0 ? x : transpose(x, [d as number, ...x.shape.map((_, i) => i).filter((i) => i !== d)]);
    return [[reshapeP.bind1([xf], { newSizes: [xf.shape[0], ...newSizes] })], [0]];
  },
});

/** lax.reshape (row-major). */
export function reshape(x: Array, shape: readonly number[]): Array {
  if (shapeEq(x.shape, shape)) return x;
  return reshapeP.bind1([x], { newSizes: [...shape] });
}

// ------------------------------------------------------------------ transpose

export interface TransposeParams {
  readonly permutation: readonly number[];
}

export const transposeP: Primitive<TransposeParams> = definePrimitive<TransposeParams>("transpose", {
  abstractEval([x], { permutation: perm }) {
    const sorted = [...perm].sort((a, b) => a - b);
    if (perm.length !== x.ndim || sorted.some((v, i) => v !== i)) {
      throw new ShapeError(
        `transpose: permutation ${JSON.stringify(perm)} is not a permutation of the axes of an array of shape ${fmtShape(x.shape)}`,
      );
    }
    return [
      new ShapedArray(
        perm.map((p) => x.shape[p]),
        x.dtype,
        x.weakType,
      ),
    ];
  },
  jvp([x], [dx], p) {
    return [[transposeP.bind1([x], p)], [transposeP.bind1([dx], p)]];
  },
  transpose([ct], _x, { permutation: perm }) {
    const inv: number[] = [];
    perm.forEach((p, i) => (inv[p] = i));
    return [transpose(ct as Array, inv)];
  },
  batch([x], [d], { permutation: perm }) {
    const b = d as number;
    // Output axis 0 = batch; then the permuted unbatched axes mapped to x's axes.
    const unb = x.shape.map((_, i) => i).filter((i) => i !== b);
    return [[transposeP.bind1([x], { permutation: [b, ...perm.map((p) => unb[p])] })], [0]];
  },
});

/** lax.transpose. */
export function transpose(x: Array, permutation: readonly number[]): Array {
  if (permutation.every((p, i) => p === i)) return x;
  return transposeP.bind1([x], { permutation: [...permutation] });
}
