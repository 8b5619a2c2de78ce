/**
 * The numeric helpers nn is written against: numpy-style (broadcasting, JAX dtype promotion with
 * weak JS scalars) wrappers over core's `lax` primitives. Core's `np` namespace is being filled in
 * concurrently; keeping nn's needs in this one file means switching to `np.*` later touches only
 * this file. Everything here is traceable (works under jit/grad/vmap).
 */
import { Array, ShapedArray, broadcastShapes, lax, np, promoteTypes, promoteWeak, shapeEq, type ArrayLike, type DType } from "@linax-ts/core";

type WeakKind = "bool" | "int" | "float" | "complex";
const weakKind = (d: DType): WeakKind => (d === "bool" ? "bool" : d === "complex64" ? "complex" : d === "float32" ? "float" : "int");

/** JAX's result dtype: strong operands promote; weak (JS number) operands adopt it. */
export function resultDType(xs: readonly Array[]): DType {
  let d: DType | undefined;
  for (const x of xs) if (!x.aval.weakType) d = d === undefined ? x.dtype : promoteTypes(d, x.dtype);
  if (d === undefined) {
    for (const x of xs) d = d === undefined ? x.dtype : promoteTypes(d, x.dtype);
    return d as DType;
  }
  for (const x of xs) if (x.aval.weakType) d = promoteWeak(d, weakKind(x.dtype));
  return d;
}

/**
 * A JS value as an array. Integral numbers outside the int32 range become float32: core turns
 * every integral JS number into a weak int32, which would silently wrap (-3.4e38 → 0).
 */
export function asArray(x: ArrayLike, dtype?: DType): Array {
  return np.asArray(lit(x), dtype);
}
/** `x`, with out-of-int32-range integral numbers made float32 arrays (see `asArray`). */
function lit(x: ArrayLike): ArrayLike {
  return typeof x === "number" && Number.isInteger(x) && (x > 2147483647 || x < -2147483648) ? np.asArray(x, "float32") : x;
}

/** Promote to a common dtype and broadcast to a common shape (what every numpy binary op does). */
export function prepare(op: string, ...xs: ArrayLike[]): Array[] {
  const arrs = xs.map((x) => asArray(x));
  const dt = resultDType(arrs);
  const allWeak = arrs.every((a) => a.aval.weakType);
  const conv = arrs.map((a) => (a.dtype === dt && a.aval.weakType === allWeak ? a : lax.convertElementType(a, dt, allWeak)));
  const shape = broadcastShapes(op, ...conv.map((a) => a.shape));
  return conv.map((a) => broadcastTo(a, shape));
}

/** numpy `broadcast_to`. */
export function broadcastTo(x: Array, shape: readonly number[]): Array {
  if (shapeEq(x.shape, shape)) return x;
  return np.broadcastTo(x, shape);
}

/** Float version of `x` (ints/bools to float32), as numpy's float ufuncs do. */
export function toFloat(x: ArrayLike): Array {
  const a = asArray(x);
  return a.dtype === "float32" || a.dtype === "complex64" ? a : lax.convertElementType(a, "float32", a.aval.weakType);
}

export const add = (x: ArrayLike, y: ArrayLike): Array => np.add(lit(x), lit(y));
export const sub = (x: ArrayLike, y: ArrayLike): Array => np.subtract(lit(x), lit(y));
export const mul = (x: ArrayLike, y: ArrayLike): Array => np.multiply(lit(x), lit(y));
export const div = (x: ArrayLike, y: ArrayLike): Array => np.divide(lit(x), lit(y));
export const neg = (x: ArrayLike): Array => np.negative(x);

export function maximum(x: ArrayLike, y: ArrayLike): Array {
  const [a, b] = prepare("maximum", x, y);
  return lax.max(a, b);
}
export function minimum(x: ArrayLike, y: ArrayLike): Array {
  const [a, b] = prepare("minimum", x, y);
  return lax.min(a, b);
}
/** `x ** y` (float). */
export function power(x: ArrayLike, y: ArrayLike): Array {
  const [a, b] = prepare("power", toFloat(x), toFloat(y));
  return lax.pow(a, b);
}

function cmp(name: string, f: (a: Array, b: Array) => Array) {
  return (x: ArrayLike, y: ArrayLike): Array => {
    const [a, b] = prepare(name, x, y);
    return f(a, b);
  };
}
export const less = cmp("less", lax.lt);
export const lessEqual = cmp("lessEqual", lax.le);
export const greater = cmp("greater", lax.gt);
export const greaterEqual = cmp("greaterEqual", lax.ge);
export const equal = cmp("equal", lax.eq);
export const notEqual = cmp("notEqual", lax.ne);
export function logicalAnd(x: Array, y: Array): Array {
  const [a, b] = prepare("logicalAnd", x, y);
  return lax.bitwiseAnd(a, b);
}
export function logicalNot(x: Array): Array {
  return lax.bitwiseNot(x);
}

/** `where(cond, x, y)`: elementwise choice with broadcasting. */
export function where(cond: ArrayLike, x: ArrayLike, y: ArrayLike): Array {
  let c = asArray(cond);
  if (c.dtype !== "bool") c = lax.ne(c, lax.fullLike(c, 0));
  const [a, b] = prepare("where", x, y);
  const shape = broadcastShapes("where", c.shape, a.shape);
  return lax.select(broadcastTo(c, shape), broadcastTo(a, shape), broadcastTo(b, shape));
}

const floatUnary = (f: (x: Array) => Array) => (x: ArrayLike): Array => f(toFloat(x));
export const exp = floatUnary(lax.exp);
export const log = floatUnary(lax.log);
export const tanh = floatUnary(lax.tanh);
export const cos = floatUnary(lax.cos);
export const sqrt = floatUnary(lax.sqrt);
export const rsqrt = floatUnary(lax.rsqrt);
export const log1p = floatUnary(lax.log1p);
export const expm1 = floatUnary(lax.expm1);
export const erf = floatUnary(lax.erf);
export const sigmoid = floatUnary(lax.logistic);
export const abs = (x: ArrayLike): Array => lax.abs(asArray(x));
export const sign = (x: ArrayLike): Array => lax.sign(asArray(x));
export const square = (x: ArrayLike): Array => lax.integerPow(asArray(x), 2);
export const isFinite = (x: Array): Array => lax.isFinite(x);

/** A constant array. */
export function full(shape: readonly number[], value: number, dtype: DType = "float32"): Array {
  return lax.fullLike(new ShapedArray(shape, dtype), value);
}
export const zeros = (shape: readonly number[], dtype: DType = "float32"): Array => full(shape, 0, dtype);
export const ones = (shape: readonly number[], dtype: DType = "float32"): Array => full(shape, 1, dtype);

/** Normalize `axis` (number, list, or undefined = all) to sorted non-negative axes. */
export function axesOf(x: Array, axis: number | readonly number[] | undefined | null): number[] {
  if (axis === undefined || axis === null) return x.shape.map((_, i) => i);
  const list = typeof axis === "number" ? [axis] : [...axis];
  return list.map((a) => (a < 0 ? a + x.ndim : a)).sort((a, b) => a - b);
}

function keep(y: Array, x: Array, axes: readonly number[], keepdims: boolean): Array {
  return keepdims ? lax.reshape(y, x.shape.map((d, i) => (axes.includes(i) ? 1 : d))) : y;
}

export interface AxisOptions {
  axis?: number | readonly number[] | null;
  keepdims?: boolean;
}

export function sum(x: ArrayLike, opts: AxisOptions = {}): Array {
  return np.sum(x, { axis: opts.axis ?? null, keepdims: opts.keepdims });
}
export function mean(x: ArrayLike, opts: AxisOptions = {}): Array {
  const a = toFloat(x);
  const axes = axesOf(a, opts.axis);
  const n = axes.reduce((p, i) => p * a.shape[i], 1);
  return div(sum(a, { axis: axes, keepdims: opts.keepdims }), n);
}
/** Population variance (ddof 0), as `jnp.var`. */
export function variance(x: ArrayLike, opts: AxisOptions = {}): Array {
  const a = toFloat(x);
  const m = mean(a, { axis: opts.axis, keepdims: true });
  const d = sub(a, m);
  return mean(a.dtype === "complex64" ? lax.real(mul(d, lax.conj(d))) : mul(d, d), opts);
}
export function max(x: ArrayLike, opts: AxisOptions = {}): Array {
  const a = asArray(x);
  const axes = axesOf(a, opts.axis);
  return keep(lax.reduceMax(a, axes), a, axes, opts.keepdims ?? false);
}
export function min(x: ArrayLike, opts: AxisOptions = {}): Array {
  const a = asArray(x);
  const axes = axesOf(a, opts.axis);
  return keep(lax.reduceMin(a, axes), a, axes, opts.keepdims ?? false);
}

/**
 * log(sum(exp(x))) over `axis`, stable: the max is subtracted first (and replaced by 0 where it
 * is not finite, so all -inf rows give -inf rather than NaN), as `jax.nn.logsumexp`.
 */
export function logsumexp(x: ArrayLike, opts: AxisOptions = {}): Array {
  const a = toFloat(x);
  const axes = axesOf(a, opts.axis);
  const mRaw = max(a, { axis: axes, keepdims: true });
  const m = where(isFinite(mRaw), mRaw, 0);
  const s = sum(exp(sub(a, m)), { axis: axes, keepdims: true });
  const out = add(log(s), m);
  return opts.keepdims ? out : lax.reshape(out, a.shape.filter((_, i) => !axes.includes(i)));
}

/** Matrix product with numpy semantics for 1-D and 2-D operands (and batched leading dims on the left). */
export function matmul(x: Array, y: Array): Array {
  const [a, b] = x.dtype === y.dtype ? [x, y] : prepareDTypes(x, y);
  if (b.ndim === 1) return lax.dotGeneral(a, b, { contractingDims: [[a.ndim - 1], [0]] });
  if (b.ndim === 2) return lax.dotGeneral(a, b, { contractingDims: [[a.ndim - 1], [0]] });
  if (a.ndim === b.ndim) {
    const batch = a.shape.slice(0, -2).map((_, i) => i);
    return lax.dotGeneral(a, b, { contractingDims: [[a.ndim - 1], [b.ndim - 2]], batchDims: [batch, batch] });
  }
  throw new Error(`matmul: unsupported operand shapes [${a.shape}] and [${b.shape}]`);
}
function prepareDTypes(x: Array, y: Array): [Array, Array] {
  const dt = resultDType([x, y]);
  return [x.dtype === dt ? x : lax.convertElementType(x, dt), y.dtype === dt ? y : lax.convertElementType(y, dt)];
}

export const reshape = (x: Array, shape: readonly number[]): Array => np.reshape(x, shape);
export const transpose = (x: Array, axes?: readonly number[]): Array => np.transpose(x, axes);
export const astype = (x: Array, dtype: DType): Array => (x.dtype === dtype ? x : lax.convertElementType(x, dtype));

/** Rows of `table` ([N, ...]) at integer `indices` (any shape; negative indices count from the end, out-of-range ones clamp). */
export function takeRows(table: Array, indices: Array): Array {
  let idx = indices.dtype === "int32" ? indices : lax.convertElementType(indices, "int32");
  const n = table.shape[0];
  idx = where(less(idx, 0), add(idx, n), idx);
  const rest = table.shape.slice(1);
  const ix = lax.reshape(idx, [...idx.shape, 1]);
  return lax.gather(
    table,
    ix,
    { offsetDims: rest.map((_, i) => idx.ndim + i), collapsedSliceDims: [0], startIndexMap: [0] },
    [1, ...rest],
    { mode: "clip" },
  );
}

/** `one_hot(labels, n)`: float32 [..., n] with 1 at each label. */
export function oneHot(labels: Array, n: number, dtype: DType = "float32"): Array {
  const lab = lax.reshape(labels, [...labels.shape, 1]);
  const classes = lax.iota(labels.dtype === "uint32" ? "uint32" : "int32", n);
  const [a, b] = prepare("oneHot", lab, classes);
  return astype(lax.eq(a, b), dtype);
}

/** `0, 1, ..., n-1` (int32). */
export const arange = (n: number): Array => lax.iota("int32", n);

/** Concatenate along `axis`. */
export const concatenate = (xs: readonly Array[], axis: number): Array => lax.concatenate(xs, axis < 0 ? axis + xs[0].ndim : axis);
