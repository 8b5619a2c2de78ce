/**
 * The extrema reductions and their locations: reduceMax, reduceMin (JAX's location-based JVP)
 * and the index reductions argmax/argmin over one axis. Every primitive's rules sit next to it,
 * the way `jax/_src/lax/lax.py` keeps them.
 */
import type { Array } from "../core/array.ts";
import { definePrimitive, type Primitive } from "../core/primitive.ts";
import { DTypeError, ShapeError } from "../errors.ts";
import { isInexact, type DType } from "../dtype.ts";
import { fmtShape } from "../shape.ts";
import { checkIn, div, mul } from "./elementwise.ts";
import { broadcastInDim } from "./shape-ops.ts";
import { convertElementType } from "./convert.ts";
import {
  canonAxes,
  defineReduce,
  keptAxes,
  reduceAval,
  reduceBatchAxes,
  reduceSumP,
  type ReduceJvpRule,
  type ReduceParams,
} from "./reduce.ts";
import { eqMask } from "./masks-and-shifts.ts";

// A local copy: this module must not read other modules' bindings at load time (import cycles).
const ALL: readonly DType[] = ["float32", "complex64", "int32", "uint32", "bool", "float16", "bfloat16"];

// ------------------------------------------------------------------ reduceMax / reduceMin

/**
 * JAX's `_reduce_chooser_jvp_rule`: the tangent is the mean of the input tangents at the
 * locations that attain the extremum, so ties split the tangent equally (and the rule stays
 * correct under `grad`, where it transposes into a scatter to those locations).
 */
const chooserJvp: ReduceJvpRule = (prim, x, dx, p) => {
  const y = prim.bind1([x], p);
  if (!isInexact(x.dtype)) return [y, null];
  const yb = broadcastInDim(y, x.shape, keptAxes(x.ndim, p.axes));
  const loc = convertElementType(eqMask(x, yb), x.dtype);
  const counts = reduceSumP.bind1([loc], p);
  return [y, div(reduceSumP.bind1([mul(dx, loc)], p), counts)];
};

export const reduceMaxP: Primitive<ReduceParams> = defineReduce("reduceMax", ALL, chooserJvp);
export const reduceMinP: Primitive<ReduceParams> = defineReduce("reduceMin", ALL, chooserJvp);

/** lax.reduceMax: NaN propagates; complex compares lexicographically; empty → identity (-inf). */
export function reduceMax(x: Array, axes: readonly number[]): Array {
  if (axes.length === 0) return x;
  return reduceMaxP.bind1([x], { axes: canonAxes(axes) });
}
/** lax.reduceMin: NaN propagates; complex compares lexicographically; empty → identity (+inf). */
export function reduceMin(x: Array, axes: readonly number[]): Array {
  if (axes.length === 0) return x;
  return reduceMinP.bind1([x], { axes: canonAxes(axes) });
}

// ------------------------------------------------------------------ argmax / argmin

export interface ArgReduceParams {
  /** The (non-negative) axis to reduce. */
  readonly axis: number;
  /** The integer dtype of the result. */
  readonly indexDtype: DType;
}

function defineArgReduce(name: string): Primitive<ArgReduceParams> {
  const prim: Primitive<ArgReduceParams> = definePrimitive<ArgReduceParams>(name, {
    abstractEval([x], { axis, indexDtype }) {
      checkIn(name, ALL, x, "x");
      if (indexDtype !== "int32" && indexDtype !== "uint32") {
        throw new DTypeError(`${name}: indexDtype must be int32 or uint32; got ${String(indexDtype)}`);
      }
      if (!Number.isInteger(axis) || axis < 0 || axis >= x.ndim) {
        throw new ShapeError(`${name}: axis ${axis} is out of range for an array of shape ${fmtShape(x.shape)}`);
      }
      if (x.shape[axis] === 0) {
        throw new ShapeError(`${name}: cannot reduce over axis ${axis} of size 0 (operand shape ${fmtShape(x.shape)})`);
      }
      return [reduceAval(name, x, [axis], indexDtype).strong()];
    },
    // Integer output: the tangent is zero.
    jvp([x], _t, p) {
      return [[prim.bind1([x], p)], [null]];
    },
    batch([x], [d], { axis, indexDtype }) {
      const { axes, outBdim } = reduceBatchAxes([axis], d as number);
      return [[prim.bind1([x], { axis: axes[0], indexDtype })], [outBdim]];
    },
  });
  return prim;
}

export const argmaxP: Primitive<ArgReduceParams> = defineArgReduce("argmax");
export const argminP: Primitive<ArgReduceParams> = defineArgReduce("argmin");

/** lax.argmax along `axis`: first index of the maximum; a NaN counts as the maximum (first NaN wins). */
export function argmax(x: Array, axis: number, indexDtype: DType = "int32"): Array {
  return argmaxP.bind1([x], { axis, indexDtype });
}
/** lax.argmin along `axis`: first index of the minimum; a NaN counts as the minimum (first NaN wins). */
export function argmin(x: Array, axis: number, indexDtype: DType = "int32"): Array {
  return argminP.bind1([x], { axis, indexDtype });
}
