/**
 * numpy array creation: zeros/ones/full/empty (+ `*Like`), arange, linspace, eye, identity, tri,
 * tril, triu. Ranges are computed on the host in float64 (numpy's arithmetic) and stored once in
 * the target dtype; constant fills are a broadcast scalar, so they stage cheaply under `jit`.
 */
import { Array, type ArrayLike } from "../core/array.ts";
import { ShapedArray } from "../core/aval.ts";
import { fromHost } from "../core/concrete.ts";
import { getBackend } from "../backend.ts";
import { allocTyped, isDType, isHalf, isInteger, type DType } from "../dtype.ts";
import { halfBitsFromNumber } from "../half.ts";
import { DTypeError, ShapeError, ValueError } from "../errors.ts";
import { fmtShape } from "../shape.ts";
import * as lax from "../primitives/index.ts";
import { checkOptions, checkValue } from "./args.ts";
import { asArray } from "./convert.ts";
import { broadcastTo } from "./promote.ts";

export interface DTypeOptions {
  dtype?: DType;
}
export interface LikeOptions extends DTypeOptions {
  /** Override the shape of the result (numpy's `shape=`). */
  shape?: number | readonly number[];
}

/** Normalize and validate a shape argument (a number is a 1-d shape). */
export function toShape(op: string, shape: number | readonly number[]): number[] {
  const s = typeof shape === "number" ? [shape] : [...shape];
  if (s.some((d) => !Number.isInteger(d) || d < 0))
    throw new ShapeError(`${op}: invalid shape ${fmtShape(s)}; dimensions must be non-negative integers`);
  return s;
}

function checkDType(op: string, dtype: DType | undefined): void {
  if (dtype !== undefined && !isDType(dtype)) throw new DTypeError(`${op}: unknown dtype '${String(dtype)}'`);
}

/** Host data as a concrete array on the default backend. */
function hostArray(data: { readonly [i: number]: number }, shape: readonly number[], dtype: DType): Array {
  const n = shape.reduce((a, b) => a * b, 1);
  const buf = allocTyped(dtype, n);
  if (isHalf(dtype)) for (let i = 0; i < n; i++) buf[i] = halfBitsFromNumber(dtype, data[i]);
  else if (dtype === "complex64") for (let i = 0; i < n; i++) buf[2 * i] = data[i];
  else if (dtype === "bool") for (let i = 0; i < n; i++) buf[i] = data[i] ? 1 : 0;
  else if (isInteger(dtype)) for (let i = 0; i < n; i++) buf[i] = Math.trunc(data[i]);
  else for (let i = 0; i < n; i++) buf[i] = data[i];
  return fromHost(getBackend(), buf, new ShapedArray(shape, dtype));
}

/**
 * An array of `shape` filled with `fillValue` (an array broadcasts, numpy-style). JS numbers give
 * float32 (as `np.array` does; pass `{ dtype }` for others), booleans bool, arrays keep their dtype.
 */
export function full(shape: number | readonly number[], fillValue: ArrayLike, opts: DTypeOptions = {}): Array {
  checkDType("full", opts.dtype);
  const s = toShape("full", shape);
  const dtype =
    opts.dtype ?? (fillValue instanceof Array ? undefined : typeof fillValue === "boolean" ? "bool" : "float32");
  const v = asArray(fillValue, dtype);
  // A strong result: a weakly typed JS scalar fill must not make the whole array weak.
  const strong = v.aval.weakType ? lax.convertElementType(v, v.dtype, false) : v;
  return broadcastTo(strong, s);
}

/** Zeros of `shape` (float32 unless `dtype`). */
export const zeros = (shape: number | readonly number[], opts: DTypeOptions = {}): Array =>
  full(shape, 0, { dtype: opts.dtype ?? "float32" });
/** Ones of `shape` (float32 unless `dtype`). */
export const ones = (shape: number | readonly number[], opts: DTypeOptions = {}): Array =>
  full(shape, 1, { dtype: opts.dtype ?? "float32" });
/** numpy's `empty`: arrays are immutable here, so this is `zeros`. */
export const empty = zeros;

/** `full` with the shape and dtype of `x` (overridable). */
export function fullLike(x: ArrayLike, fillValue: ArrayLike, opts: LikeOptions = {}): Array {
  const a = asArray(x);
  return full(opts.shape ?? a.shape, fillValue, { dtype: opts.dtype ?? a.dtype });
}
export const zerosLike = (x: ArrayLike, opts: LikeOptions = {}): Array => fullLike(x, 0, opts);
export const onesLike = (x: ArrayLike, opts: LikeOptions = {}): Array => fullLike(x, 1, opts);
export const emptyLike = zerosLike;

/**
 * Evenly spaced values in [start, stop): `arange(stop)`, `arange(start, stop, step?)`. All-integer
 * arguments give int32 (like `jnp.arange`), otherwise float32. Values are `start + i·step`.
 */
export function arange(stop: number, opts?: DTypeOptions): Array;
export function arange(start: number, stop: number, opts?: DTypeOptions): Array;
export function arange(start: number, stop?: number, step?: number, opts?: DTypeOptions): Array;
export function arange(start: number, ...rest: (number | DTypeOptions | undefined)[]): Array {
  // The options object is the trailing argument wherever it stands (DESIGN.md's convention).
  const nums = rest.filter((r): r is number => typeof r === "number");
  const opts = (rest.find((r) => typeof r === "object" && r !== null) as DTypeOptions | undefined) ?? {};
  const [stop, step] = [nums[0], nums[1]];
  checkDType("arange", opts.dtype);
  const [a, b, st] = stop === undefined ? [0, start, step ?? 1] : [start, stop, step ?? 1];
  if (![a, b, st].every(Number.isFinite))
    throw new ValueError(`arange: start, stop and step must be finite numbers; got ${a}, ${b}, ${st}`);
  if (st === 0) throw new ValueError("arange: step must not be zero");
  const dtype = opts.dtype ?? ([a, b, st].every(Number.isInteger) ? "int32" : "float32");
  const n = Math.max(0, Math.ceil((b - a) / st));
  if (a === 0 && st === 1 && dtype !== "bool") return lax.iota(dtype, [n]);
  const data = new Float64Array(n);
  for (let i = 0; i < n; i++) data[i] = a + i * st;
  return hostArray(data, [n], dtype);
}

export interface LinspaceOptions extends DTypeOptions {
  /** Include `stop` as the last sample (default true). */
  endpoint?: boolean;
}

/** `num` evenly spaced samples from start to stop (numpy's arithmetic; integer dtypes floor). */
export function linspace(start: number, stop: number, num = 50, opts: LinspaceOptions = {}): Array {
  checkDType("linspace", opts.dtype);
  if (!Number.isInteger(num) || num < 0)
    throw new ValueError(`linspace: num must be a non-negative integer; got ${num}`);
  const endpoint = opts.endpoint ?? true;
  const dtype = opts.dtype ?? "float32";
  const div = endpoint ? num - 1 : num;
  const step = div > 0 ? (stop - start) / div : 0;
  const data = new Float64Array(num);
  for (let i = 0; i < num; i++) data[i] = start + i * step;
  if (endpoint && num > 1) data[num - 1] = stop;
  if (isInteger(dtype)) for (let i = 0; i < num; i++) data[i] = Math.floor(data[i]);
  return hostArray(data, [num], dtype);
}

export interface EyeOptions extends DTypeOptions {
  /** Diagonal offset: 0 main, > 0 above, < 0 below. */
  k?: number;
}

function checkN(op: string, n: number, arg: string): void {
  if (!Number.isInteger(n) || n < 0) throw new ValueError(`${op}: ${arg} must be a non-negative integer; got ${n}`);
}

/** An N×M matrix with ones on the k-th diagonal. */
export function eye(n: number, m?: number, opts: EyeOptions = {}): Array {
  checkDType("eye", opts.dtype);
  const cols = m ?? n;
  checkN("eye", n, "N");
  checkN("eye", cols, "M");
  const k = opts.k ?? 0;
  const data = new Float64Array(n * cols);
  for (let i = 0; i < n; i++) if (i + k >= 0 && i + k < cols) data[i * cols + i + k] = 1;
  return hostArray(data, [n, cols], opts.dtype ?? "float32");
}

/** The n×n identity matrix. */
export const identity = (n: number, opts: DTypeOptions = {}): Array => eye(n, n, opts);

/** An N×M matrix with ones at and below the k-th diagonal (`j <= i + k`). */
export function tri(n: number, m?: number, opts: EyeOptions = {}): Array {
  checkDType("tri", opts.dtype);
  const cols = m ?? n;
  checkN("tri", n, "N");
  checkN("tri", cols, "M");
  const k = opts.k ?? 0;
  const data = new Float64Array(n * cols);
  for (let i = 0; i < n; i++) for (let j = 0; j < cols; j++) data[i * cols + j] = j <= i + k ? 1 : 0;
  return hostArray(data, [n, cols], opts.dtype ?? "float32");
}

function triMask(op: string, x: Array, k: number, lower: boolean): Array {
  if (x.ndim < 2) throw new ShapeError(`${op}: input must have at least 2 dimensions; got shape ${fmtShape(x.shape)}`);
  const [n, m] = x.shape.slice(-2);
  const mask = tri(n, m, { k: lower ? k : k - 1, dtype: "bool" });
  const keep = lower ? mask : lax.bitwiseNot(mask);
  return broadcastTo(keep, x.shape);
}

/** numpy's diagonal offset `k`, positional (`tril(x, -1)`) or as `{ k }`. */
function diagK(op: string, k: number | { k?: number } | undefined): number {
  if (k !== null && typeof k === "object") {
    checkOptions(op, k, { k: "integer" });
    return k.k ?? 0;
  }
  if (k !== undefined) checkValue(op, "k", k, "integer");
  return k ?? 0;
}

/** Lower triangle of the last two axes (elements above the k-th diagonal zeroed; `k` positional or `{ k }`). */
export function tril(x: ArrayLike, k?: number | { k?: number }): Array {
  const a = asArray(x);
  return lax.select(triMask("tril", a, diagK("tril", k), true), a, lax.zerosLike(a));
}

/** Upper triangle of the last two axes (elements below the k-th diagonal zeroed; `k` positional or `{ k }`). */
export function triu(x: ArrayLike, k?: number | { k?: number }): Array {
  const a = asArray(x);
  return lax.select(triMask("triu", a, diagK("triu", k), false), a, lax.zerosLike(a));
}
