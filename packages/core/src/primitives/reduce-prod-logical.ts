/**
 * The product and logical reductions: reduceProd (JVP exact with zeros) and reduceAnd,
 * reduceOr over bool. Every primitive's rules sit next to it, as in `jax/_src/lax/lax.py`.
 */
import type { Array } from "../core/array.ts";
import type { Primitive } from "../core/primitive.ts";
import { isInexact, type DType } from "../dtype.ts";
import { prod } from "../shape.ts";
import { mul } from "./elementwise.ts";
import { reshape, transpose } from "./shape-ops.ts";
import { canonAxes, defineReduce, keptAxes, reduceSumP, type ReduceJvpRule, type ReduceParams } from "./reduce.ts";
import { cumprod } from "./cumulative.ts";
import { shiftAlong } from "./masks-and-shifts.ts";

// A local copy: this module must not read other modules' bindings at load time (import cycles).
const NUMERIC: readonly DType[] = ["float32", "complex64", "int32", "uint32", "float16", "bfloat16"];

// ------------------------------------------------------------------ reduceProd

/**
 * d Π x = Σ_j dx_j · Π_{k<j} x_k · Π_{k>j} x_k. JAX evaluates this as the JVP of a balanced tree
 * of multiplications; we use the same product-of-the-others form directly, with exclusive
 * prefix and suffix products (shifted cumprods). Unlike `y / x · dx` it is exact when some
 * inputs are zero, and it is differentiable again (cumprod has a JVP).
 */
const prodJvp: ReduceJvpRule = (prim, x, dx, p) => {
  const y = prim.bind1([x], p);
  if (!isInexact(x.dtype)) return [y, null];
  const rest = keptAxes(x.ndim, p.axes);
  const perm = [...p.axes, ...rest];
  const n = prod(p.axes.map((a) => x.shape[a]));
  const flatShape = [n, ...rest.map((a) => x.shape[a])];
  const xf = reshape(transpose(x, perm), flatShape);
  const dxf = reshape(transpose(dx, perm), flatShape);
  const before = shiftAlong(cumprod(xf, 0, false), 0, false, 1);
  const after = shiftAlong(cumprod(xf, 0, true), 0, true, 1);
  return [y, reduceSumP.bind1([mul(dxf, mul(before, after))], { axes: [0] })];
};

export const reduceProdP: Primitive<ReduceParams> = defineReduce("reduceProd", NUMERIC, prodJvp);

/** lax.reduceProd (empty → 1). */
export function reduceProd(x: Array, axes: readonly number[]): Array {
  if (axes.length === 0) return x;
  return reduceProdP.bind1([x], { axes: canonAxes(axes) });
}

// ------------------------------------------------------------------ reduceAnd / reduceOr

export const reduceAndP: Primitive<ReduceParams> = defineReduce("reduceAnd", ["bool"], null);
export const reduceOrP: Primitive<ReduceParams> = defineReduce("reduceOr", ["bool"], null);

/** lax.reduceAnd over bool `x` (empty → true). */
export function reduceAnd(x: Array, axes: readonly number[]): Array {
  if (axes.length === 0) return x;
  return reduceAndP.bind1([x], { axes: canonAxes(axes) });
}
/** lax.reduceOr over bool `x` (empty → false). */
export function reduceOr(x: Array, axes: readonly number[]): Array {
  if (axes.length === 0) return x;
  return reduceOrP.bind1([x], { axes: canonAxes(axes) });
}
