/**
 * numpy reductions with `axis` / `keepdims` (and numpy's `dtype`, `where`, `initial`, `ddof`
 * where they apply): sum, mean, var, std, max/amax, min/amin, prod, all, any, argmax, argmin.
 * Cumulative functions are in cumulative.ts, logsumexp in logsumexp.ts.
 */
import type { Array, ArrayLike, ReduceOptions } from "../core/array.ts";
import { ShapedArray } from "../core/aval.ts";
import * as lax from "../primitives/index.ts";
import { isComplex, isHalf, isInexact, type DType } from "../dtype.ts";
import { ShapeError, ValueError } from "../errors.ts";
import { fmtShape, normAxes, normAxis, prod as shapeProd } from "../shape.ts";
import { asArray } from "./convert.ts";
import { broadcastTo } from "./promote.ts";
import { axisOptions, type OptionSpec } from "./args.ts";

/** numpy's axis argument of a reduction: one axis, several, or null (all axes). */
export type Axes = number | readonly number[] | null;

const SUM_SPEC: OptionSpec = { axis: "axes", keepdims: "boolean", dtype: "dtype", where: "arraylike" };
const VAR_SPEC: OptionSpec = { ...SUM_SPEC, ddof: "number" };
/** sum / prod also take JAX's `initial` and `promote_integers` (mean and var do not). */
const SUM_INITIAL_SPEC: OptionSpec = { ...SUM_SPEC, initial: "number", promoteIntegers: "boolean" };
const MAX_SPEC: OptionSpec = { axis: "axes", keepdims: "boolean", initial: "number", where: "arraylike" };
const BOOL_SPEC: OptionSpec = { axis: "axes", keepdims: "boolean" };
const ARG_SPEC: OptionSpec = { axis: "axis", keepdims: "boolean" };

/** Options of `sum` / `prod` / `mean`: numpy's `dtype` (accumulation and result) and `where`. */
export interface SumOptions extends ReduceOptions {
  /** Convert the input to this dtype before reducing (numpy's accumulator dtype). */
  dtype?: DType;
  /** Only elements where this (broadcastable) mask is true take part. */
  where?: ArrayLike;
  /**
   * `sum` / `prod` only: a starting value combined with every result (`initial + Σ`, `initial · Π`,
   * in the accumulator dtype), as numpy's and JAX's `initial`.
   */
  initial?: number;
  /**
   * `sum` / `prod` only: JAX's `promote_integers` (default true). When no `dtype` is given,
   * integers narrower than the default integer accumulate in it: with x64 disabled (always here)
   * signed ones in int32, unsigned ones in uint32. linax has no integer narrower than 32 bits,
   * so int32 and uint32 keep their dtype either way, and bool sums/multiplies as int32 either
   * way (JAX turns bool into int32 before the promotion step, `_cast_to_numeric`).
   * Ignored when `dtype` is given, as in JAX.
   */
  promoteIntegers?: boolean;
}

/** Options of `max` / `min`: numpy's `initial` (also the result of an empty reduction) and `where`. */
export interface MaxOptions extends ReduceOptions {
  initial?: number;
  where?: ArrayLike;
}

/** Options of `var` / `std`. */
export interface VarOptions extends SumOptions {
  /** Delta degrees of freedom: the divisor is N − ddof. */
  ddof?: number;
}

/** Options of `argmax` / `argmin` (the axis is a single axis; none = over the flattened array). */
export interface ArgOptions {
  axis?: number | null;
  keepdims?: boolean;
}

/** Re-insert reduced axes as size 1 when `keepdims`. */
export function keepDims(
  y: Array,
  inShape: readonly number[],
  axes: readonly number[],
  keepdims: boolean | undefined,
): Array {
  if (!keepdims) return y;
  return lax.reshape(
    y,
    inShape.map((d, i) => (axes.includes(i) ? 1 : d)),
  );
}

/** A scalar of `dtype` broadcast to `shape` (a constant that stages as one broadcast). */
function full(shape: readonly number[], value: number, dtype: DType): Array {
  return lax.fullLike(new ShapedArray(shape, dtype), value);
}

/** The `where` mask as a bool array of `shape`. */
function whereMask(op: string, where: ArrayLike, shape: readonly number[]): Array {
  let w = asArray(where);
  if (w.dtype !== "bool") throw new ValueError(`${op}: 'where' must be a bool array; got dtype ${w.dtype}`);
  try {
    w = broadcastTo(w, shape);
  } catch {
    throw new ShapeError(
      `${op}: 'where' of shape ${fmtShape(w.shape)} cannot be broadcast to the operand shape ${fmtShape(shape)}`,
    );
  }
  return w;
}

/** Replace elements outside `where` by `value` (the reduction's identity). */
function masked(op: string, a: Array, where: ArrayLike | undefined, value: number): Array {
  if (where === undefined) return a;
  return lax.select(whereMask(op, where, a.shape), a, full(a.shape, value, a.dtype));
}

/**
 * JAX's `_promote_integer_dtype` with x64 disabled: bool → int32; signed integers narrower than
 * int32 → int32, unsigned narrower than uint32 → uint32 (none exist in linax); others unchanged.
 */
export function promoteIntegerDType(d: DType): DType {
  return d === "bool" ? "int32" : d;
}

/**
 * The accumulator of sum / prod (JAX's `_reduction`): `dtype` when given; otherwise bool counts
 * in int32 (JAX's numeric pre-conversion, whatever `promoteIntegers` says), then
 * `promoteIntegers` widens narrow integers. Everything else keeps its dtype.
 */
function sumInput(a: Array, dtype: DType | undefined, promoteIntegers: boolean | undefined): Array {
  if (dtype !== undefined) return a.dtype === dtype ? a : lax.convertElementType(a, dtype);
  let d: DType = a.dtype === "bool" ? "int32" : a.dtype;
  if (promoteIntegers ?? true) d = promoteIntegerDType(d);
  return d === a.dtype ? a : lax.convertElementType(a, d);
}

/** JAX's `initial`: converted to the result's dtype and combined with it (`op(initial, result)`). */
function withInitial(r: Array, initial: number | undefined, op: (a: Array, b: Array) => Array): Array {
  return initial === undefined ? r : op(full(r.shape, initial, r.dtype), r);
}

/**
 * sum / prod. A bool accumulator (`dtype: "bool"`) reduces with logical or / and, as JAX's
 * `bool_op` (numpy's bool add and multiply are the same operations).
 */
function sumProd(op: "sum" | "prod", x: ArrayLike, opts: SumOptions): Array {
  const isSum = op === "sum";
  const a = masked(op, sumInput(asArray(x), opts.dtype, opts.promoteIntegers), opts.where, isSum ? 0 : 1);
  const axes = normAxes(op, opts.axis ?? undefined, a.ndim);
  const bool = a.dtype === "bool";
  const reduce = bool ? (isSum ? lax.reduceOr : lax.reduceAnd) : isSum ? lax.reduceSum : lax.reduceProd;
  const combine = bool ? (isSum ? lax.bitwiseOr : lax.bitwiseAnd) : isSum ? lax.add : lax.mul;
  return keepDims(withInitial(reduce(a, axes), opts.initial, combine), a.shape, axes, opts.keepdims);
}

/** Sum of elements over `axis` (all axes by default). bool sums as int32 like numpy and JAX. */
export function sum(x: ArrayLike, axis?: Axes | SumOptions, options?: Omit<SumOptions, "axis">): Array {
  return sumProd("sum", x, axisOptions<SumOptions>("sum", axis, options, SUM_INITIAL_SPEC));
}

/** Product of elements over `axis`. bool multiplies as int32. */
export function prod(x: ArrayLike, axis?: Axes | SumOptions, options?: Omit<SumOptions, "axis">): Array {
  return sumProd("prod", x, axisOptions<SumOptions>("prod", axis, options, SUM_INITIAL_SPEC));
}

/** Integers and bools average in float32 (JAX's default float); complex stays complex. */
function inexactInput(a: Array, dtype: DType | undefined): Array {
  if (dtype !== undefined) return lax.convertElementType(a, dtype);
  return isInexact(a.dtype) ? a : lax.convertElementType(a, "float32");
}

/** How many elements each output of a reduction over `axes` sees (an array when `where` is given). */
function countOf(
  op: string,
  a: Array,
  axes: readonly number[],
  where: ArrayLike | undefined,
  keepdims: boolean | undefined,
): Array {
  const dt = isComplex(a.dtype) ? "float32" : a.dtype;
  if (where === undefined) {
    const n = shapeProd(axes.map((ax) => a.shape[ax]));
    return full([], n, dt);
  }
  const w = lax.convertElementType(whereMask(op, where, a.shape), dt);
  return keepDims(lax.reduceSum(w, axes), a.shape, axes, keepdims);
}

/** Divide `s` (possibly complex) by a real count. */
function divCount(s: Array, count: Array): Array {
  let c = count.shape.length === 0 ? lax.broadcastInDim(count, s.shape, []) : count;
  if (isComplex(s.dtype)) c = lax.complex(c, lax.zerosLike(c));
  return lax.div(s, c);
}

/**
 * JAX's `_upcast_f16`: a float16/bfloat16 mean or variance is computed in float32 end to end and
 * rounded once (not the sum rounded, then the quotient rounded again).
 */
function upcastHalf(a: Array, dtype: DType | undefined, f: (a32: Array) => Array): Array | undefined {
  if (!isHalf(a.dtype) || (dtype !== undefined && dtype !== a.dtype)) return undefined;
  return lax.convertElementType(f(lax.convertElementType(a, "float32")), a.dtype);
}

/** Arithmetic mean over `axis`; integers average in float32, float16/bfloat16 in float32 rounded once. */
export function mean(x: ArrayLike, axis?: Axes | SumOptions, options?: Omit<SumOptions, "axis">): Array {
  const opts = axisOptions<SumOptions>("mean", axis, options, SUM_SPEC);
  const half = upcastHalf(asArray(x), opts.dtype, (a32) => mean(a32, { ...opts, dtype: undefined }));
  if (half !== undefined) return half;
  const a = inexactInput(asArray(x), opts.dtype);
  const axes = normAxes("mean", opts.axis ?? undefined, a.ndim);
  const s = keepDims(lax.reduceSum(masked("mean", a, opts.where, 0), axes), a.shape, axes, opts.keepdims);
  return divCount(s, countOf("mean", a, axes, opts.where, opts.keepdims));
}

/** Variance over `axis` with divisor N − ddof; complex input gives the (real) mean of |x − mean|². */
export function variance(x: ArrayLike, axis?: Axes | VarOptions, options?: Omit<VarOptions, "axis">): Array {
  const opts = axisOptions<VarOptions>("var", axis, options, VAR_SPEC);
  const half = upcastHalf(asArray(x), opts.dtype, (a32) => variance(a32, { ...opts, dtype: undefined }));
  if (half !== undefined) return half;
  const a = inexactInput(asArray(x), opts.dtype);
  const axes = normAxes("var", opts.axis ?? undefined, a.ndim);
  const m = mean(a, { axis: axes, keepdims: true, where: opts.where });
  const c = lax.sub(
    a,
    lax.broadcastInDim(
      m,
      a.shape,
      a.shape.map((_, i) => i),
    ),
  );
  const sq = isComplex(c.dtype) ? lax.real(lax.mul(c, lax.conj(c))) : lax.mul(c, c);
  const s = keepDims(lax.reduceSum(masked("var", sq, opts.where, 0), axes), a.shape, axes, opts.keepdims);
  const n = countOf("var", sq, axes, opts.where, opts.keepdims);
  const ddof = opts.ddof ?? 0;
  return divCount(s, lax.sub(n, full(n.shape, ddof, n.dtype)));
}
export { variance as var };

/** Standard deviation: sqrt(var(x, opts)). */
export function std(x: ArrayLike, axis?: Axes | VarOptions, options?: Omit<VarOptions, "axis">): Array {
  return lax.sqrt(variance(x, axisOptions<VarOptions>("std", axis, options, VAR_SPEC)));
}

function extremum(op: "max" | "min", x: ArrayLike, opts: MaxOptions): Array {
  const a = asArray(x);
  const axes = normAxes(op, opts.axis ?? undefined, a.ndim);
  const isMax = op === "max";
  if (opts.where !== undefined && opts.initial === undefined) {
    throw new ValueError(`${op}: reduction with 'where' needs an 'initial' value (numpy's rule)`);
  }
  if (opts.initial === undefined && axes.some((ax) => a.shape[ax] === 0)) {
    throw new ValueError(
      `${op}: zero-size array to reduction operation ${op} which has no identity (operand shape ${fmtShape(a.shape)}, axis ${JSON.stringify(opts.axis ?? null)}); pass 'initial'`,
    );
  }
  const fill = opts.initial ?? 0;
  const src = masked(op, a, opts.where, fill);
  let y = isMax ? lax.reduceMax(src, axes) : lax.reduceMin(src, axes);
  if (opts.initial !== undefined) {
    const init = full(y.shape, opts.initial, y.dtype);
    y = isMax ? lax.max(y, init) : lax.min(y, init);
  }
  return keepDims(y, a.shape, axes, opts.keepdims);
}

/** Maximum over `axis` (NaN propagates). Errors on an empty reduction unless `initial` is given. */
export function max(x: ArrayLike, axis?: Axes | MaxOptions, options?: Omit<MaxOptions, "axis">): Array {
  return extremum("max", x, axisOptions<MaxOptions>("max", axis, options, MAX_SPEC));
}
/** Minimum over `axis` (NaN propagates). Errors on an empty reduction unless `initial` is given. */
export function min(x: ArrayLike, axis?: Axes | MaxOptions, options?: Omit<MaxOptions, "axis">): Array {
  return extremum("min", x, axisOptions<MaxOptions>("min", axis, options, MAX_SPEC));
}
export { max as amax, min as amin };

/** Non-bool input tested against zero, as numpy's truth value. */
function truth(a: Array): Array {
  return a.dtype === "bool" ? a : lax.ne(a, full(a.shape, 0, a.dtype));
}

/** True where all elements over `axis` are non-zero. */
export function all(x: ArrayLike, axis?: Axes | ReduceOptions, options?: Omit<ReduceOptions, "axis">): Array {
  const opts = axisOptions<ReduceOptions>("all", axis, options, BOOL_SPEC);
  const a = truth(asArray(x));
  const axes = normAxes("all", opts.axis ?? undefined, a.ndim);
  return keepDims(lax.reduceAnd(a, axes), a.shape, axes, opts.keepdims);
}
/** True where any element over `axis` is non-zero. */
export function any(x: ArrayLike, axis?: Axes | ReduceOptions, options?: Omit<ReduceOptions, "axis">): Array {
  const opts = axisOptions<ReduceOptions>("any", axis, options, BOOL_SPEC);
  const a = truth(asArray(x));
  const axes = normAxes("any", opts.axis ?? undefined, a.ndim);
  return keepDims(lax.reduceOr(a, axes), a.shape, axes, opts.keepdims);
}

function argReduce(op: "argmax" | "argmin", x: ArrayLike, opts: ArgOptions): Array {
  const a = asArray(x);
  if (opts.axis === undefined || opts.axis === null) {
    if (a.size === 0)
      throw new ValueError(`${op}: attempt to get ${op} of an empty sequence (operand shape ${fmtShape(a.shape)})`);
    const flat = lax.reshape(a, [a.size]);
    const r = op === "argmax" ? lax.argmax(flat, 0) : lax.argmin(flat, 0);
    return opts.keepdims
      ? lax.reshape(
          r,
          a.shape.map(() => 1),
        )
      : r;
  }
  const ax = normAxis(op, opts.axis, a.ndim);
  if (a.shape[ax] === 0)
    throw new ValueError(
      `${op}: attempt to get ${op} of an empty sequence (axis ${opts.axis} of shape ${fmtShape(a.shape)})`,
    );
  const r = op === "argmax" ? lax.argmax(a, ax) : lax.argmin(a, ax);
  return keepDims(r, a.shape, [ax], opts.keepdims);
}

/** Index of the maximum along `axis` (flattened when none); ties → first index; NaN wins. */
export function argmax(x: ArrayLike, axis?: number | null | ArgOptions, options?: Omit<ArgOptions, "axis">): Array {
  return argReduce("argmax", x, axisOptions<ArgOptions>("argmax", axis, options, ARG_SPEC));
}
/** Index of the minimum along `axis` (flattened when none); ties → first index; NaN wins. */
export function argmin(x: ArrayLike, axis?: number | null | ArgOptions, options?: Omit<ArgOptions, "axis">): Array {
  return argReduce("argmin", x, axisOptions<ArgOptions>("argmin", axis, options, ARG_SPEC));
}
