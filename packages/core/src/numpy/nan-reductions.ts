/**
 * numpy's NaN-ignoring reductions (nansum, nanprod, nanmean, nanvar, nanstd, nanmax, nanmin,
 * nanargmax, nanargmin, nancumsum, nancumprod) and `nanToNum`. Each replaces NaNs by the
 * reduction's identity with a select (JAX's implementation), so gradients flow to the non-NaN
 * elements only. Integer and bool inputs have no NaNs and reduce as the plain functions do.
 */
import type { Array, ArrayLike } from "../core/array.ts";
import * as lax from "../primitives/index.ts";
import { isComplex, isInexact } from "../dtype.ts";
import { normAxes } from "../shape.ts";
import { asArray } from "./convert.ts";
import {
  argmax,
  argmin,
  keepDims,
  max,
  mean,
  min,
  prod,
  sum,
  type ArgOptions,
  type Axes,
  type MaxOptions,
  type SumOptions,
  type VarOptions,
} from "./reductions.ts";
import { axisOptions, checkOptions, type OptionSpec } from "./args.ts";

// numpy's signatures: nansum(a, axis, dtype, out, keepdims, ...) etc. `axis` is taken
// positionally (as numpy's first parameter after `a`); every call accepts either
// `(a, axis, opts)` or `(a, opts)` and rejects unknown keys, as the plain reductions do.
const SUM_SPEC: OptionSpec = { axis: "axes", keepdims: "boolean", dtype: "dtype", where: "arraylike" };
const VAR_SPEC: OptionSpec = { ...SUM_SPEC, ddof: "number" };
const MAX_SPEC: OptionSpec = { axis: "axes", keepdims: "boolean", initial: "number", where: "arraylike" };
const ARG_SPEC: OptionSpec = { axis: "axis", keepdims: "boolean" };
const CUM_SPEC: OptionSpec = { axis: "axis", dtype: "dtype" };
const NAN_TO_NUM_SPEC: OptionSpec = { nan: "number", posinf: "number", neginf: "number", copy: "boolean" };
import { cumprod, cumsum, type CumulativeOptions } from "./cumulative.ts";

/** NaN mask (complex: either part); all false for integer and bool arrays. */
function nanMask(a: Array): Array {
  if (isComplex(a.dtype)) return lax.bitwiseOr(lax.ne(lax.real(a), lax.real(a)), lax.ne(lax.imag(a), lax.imag(a)));
  return lax.ne(a, a);
}
/** `a` with NaNs replaced by `v`. */
function replaceNan(a: Array, v: number): Array {
  if (!isInexact(a.dtype)) return a;
  return lax.select(nanMask(a), lax.fullLike(a, v), a);
}

/** Sum over `axis` treating NaNs as zero. */
export function nansum(x: ArrayLike, axis?: Axes | SumOptions, options?: Omit<SumOptions, "axis">): Array {
  const opts = axisOptions<SumOptions>("nansum", axis, options, SUM_SPEC);
  return sum(replaceNan(asArray(x), 0), opts);
}
/** Product over `axis` treating NaNs as one. */
export function nanprod(x: ArrayLike, axis?: Axes | SumOptions, options?: Omit<SumOptions, "axis">): Array {
  const opts = axisOptions<SumOptions>("nanprod", axis, options, SUM_SPEC);
  return prod(replaceNan(asArray(x), 1), opts);
}
/** Cumulative sum treating NaNs as zero. */
export function nancumsum(
  x: ArrayLike,
  axis?: number | null | CumulativeOptions,
  options?: Omit<CumulativeOptions, "axis">,
): Array {
  const opts = axisOptions<CumulativeOptions>("nancumsum", axis, options, CUM_SPEC);
  return cumsum(replaceNan(asArray(x), 0), opts);
}
/** Cumulative product treating NaNs as one. */
export function nancumprod(
  x: ArrayLike,
  axis?: number | null | CumulativeOptions,
  options?: Omit<CumulativeOptions, "axis">,
): Array {
  const opts = axisOptions<CumulativeOptions>("nancumprod", axis, options, CUM_SPEC);
  return cumprod(replaceNan(asArray(x), 1), opts);
}

/** The number of non-NaN elements over `axes` (float32, kept dims as asked). */
function countNonNan(a: Array, axes: number[], keepdims: boolean | undefined, where: ArrayLike | undefined): Array {
  const ok = lax.bitwiseNot(nanMask(a));
  return sum(lax.convertElementType(ok, "float32"), { axis: axes, keepdims, where });
}

/** Mean over `axis` of the non-NaN elements (NaN where a slice is all NaN). */
export function nanmean(x: ArrayLike, axis?: Axes | SumOptions, options?: Omit<SumOptions, "axis">): Array {
  const opts = axisOptions<SumOptions>("nanmean", axis, options, SUM_SPEC);
  const a0 = asArray(x);
  if (!isInexact(a0.dtype)) return mean(a0, opts);
  const a = opts.dtype !== undefined ? lax.convertElementType(a0, opts.dtype) : a0;
  const axes = normAxes("np.nanmean", opts.axis ?? undefined, a.ndim);
  const s = sum(replaceNan(a, 0), { axis: axes, keepdims: opts.keepdims, where: opts.where });
  let n = countNonNan(a, axes, opts.keepdims, opts.where);
  if (isComplex(s.dtype)) n = lax.complex(n, lax.zerosLike(n));
  return lax.div(s, n);
}

/**
 * Variance over `axis` of the non-NaN elements, divisor (count − ddof); NaN where that divisor is
 * not positive (JAX's rule).
 */
export function nanvar(x: ArrayLike, axis?: Axes | VarOptions, options?: Omit<VarOptions, "axis">): Array {
  const opts = axisOptions<VarOptions>("nanvar", axis, options, VAR_SPEC);
  const a0 = asArray(x);
  const a =
    opts.dtype !== undefined
      ? lax.convertElementType(a0, opts.dtype)
      : isInexact(a0.dtype)
        ? a0
        : lax.convertElementType(a0, "float32");
  const axes = normAxes("np.nanvar", opts.axis ?? undefined, a.ndim);
  const m = nanmean(a, { axis: axes, keepdims: true, where: opts.where });
  const centered = lax.sub(
    a,
    lax.broadcastInDim(
      m,
      a.shape,
      a.shape.map((_, i) => i),
    ),
  );
  const sq0 = isComplex(centered.dtype) ? lax.real(lax.mul(centered, lax.conj(centered))) : lax.mul(centered, centered);
  const sq = lax.select(nanMask(a), lax.fullLike(sq0, 0), sq0);
  const s = sum(sq, { axis: axes, keepdims: opts.keepdims, where: opts.where });
  const n = lax.sub(countNonNan(a, axes, opts.keepdims, opts.where), lax.fullLike(s, opts.ddof ?? 0));
  const bad = lax.le(n, lax.fullLike(n, 0));
  return lax.select(bad, lax.fullLike(s, NaN), lax.div(s, lax.select(bad, lax.fullLike(n, 1), n)));
}

/** sqrt(nanvar(x, opts)). */
export function nanstd(x: ArrayLike, axis?: Axes | VarOptions, options?: Omit<VarOptions, "axis">): Array {
  return lax.sqrt(nanvar(x, axisOptions<VarOptions>("nanstd", axis, options, VAR_SPEC)));
}

function nanExtremum(op: "nanmax" | "nanmin", x: ArrayLike, opts: MaxOptions): Array {
  const a = asArray(x);
  const isMax = op === "nanmax";
  if (!isInexact(a.dtype)) return isMax ? max(a, opts) : min(a, opts);
  const y = (isMax ? max : min)(replaceNan(a, isMax ? -Infinity : Infinity), opts);
  // All-NaN slices give NaN (numpy warns; JAX returns NaN).
  const axes = normAxes(`np.${op}`, opts.axis ?? undefined, a.ndim);
  const allNan = keepDims(lax.reduceAnd(nanMask(a), axes), a.shape, axes, opts.keepdims);
  if (opts.initial !== undefined) return y;
  return lax.select(allNan, lax.fullLike(y, NaN), y);
}
/** Maximum over `axis` ignoring NaNs (NaN for an all-NaN slice). */
export function nanmax(x: ArrayLike, axis?: Axes | MaxOptions, options?: Omit<MaxOptions, "axis">): Array {
  return nanExtremum("nanmax", x, axisOptions<MaxOptions>("nanmax", axis, options, MAX_SPEC));
}
/** Minimum over `axis` ignoring NaNs (NaN for an all-NaN slice). */
export function nanmin(x: ArrayLike, axis?: Axes | MaxOptions, options?: Omit<MaxOptions, "axis">): Array {
  return nanExtremum("nanmin", x, axisOptions<MaxOptions>("nanmin", axis, options, MAX_SPEC));
}

function nanArg(op: "nanargmax" | "nanargmin", x: ArrayLike, opts: ArgOptions): Array {
  const a = asArray(x);
  const isMax = op === "nanargmax";
  if (!isInexact(a.dtype)) return isMax ? argmax(a, opts) : argmin(a, opts);
  const nan = nanMask(a);
  const r = (isMax ? argmax : argmin)(replaceNan(a, isMax ? -Infinity : Infinity), opts);
  const axes =
    opts.axis === undefined || opts.axis === null ? a.shape.map((_, i) => i) : normAxes(`np.${op}`, opts.axis, a.ndim);
  let allNan = lax.reduceAnd(nan, axes);
  if (opts.keepdims) allNan = lax.reshape(allNan, r.shape);
  // JAX's answer for an all-NaN slice (numpy raises, which a traced computation cannot).
  return lax.select(allNan, lax.fullLike(r, -1), r);
}
/** Index of the maximum ignoring NaNs; -1 for an all-NaN slice (JAX's convention). */
export function nanargmax(x: ArrayLike, axis?: number | null | ArgOptions, options?: Omit<ArgOptions, "axis">): Array {
  return nanArg("nanargmax", x, axisOptions<ArgOptions>("nanargmax", axis, options, ARG_SPEC));
}
/** Index of the minimum ignoring NaNs; -1 for an all-NaN slice (JAX's convention). */
export function nanargmin(x: ArrayLike, axis?: number | null | ArgOptions, options?: Omit<ArgOptions, "axis">): Array {
  return nanArg("nanargmin", x, axisOptions<ArgOptions>("nanargmin", axis, options, ARG_SPEC));
}

export interface NanToNumOptions {
  /** Replacement for NaN (default 0). */
  nan?: number;
  /** Replacement for +inf (default the largest finite float32). */
  posinf?: number;
  /** Replacement for -inf (default the most negative finite float32). */
  neginf?: number;
  /** Accepted for numpy compatibility (arrays are immutable, the result is always new). */
  copy?: boolean;
}

const F32_MAX = 3.4028234663852886e38;

/** NaN → `nan`, ±inf → `posinf`/`neginf` (numpy's `nan_to_num`; complex: both parts). Integers are unchanged. */
export function nanToNum(x: ArrayLike, opts: NanToNumOptions = {}): Array {
  checkOptions("nanToNum", opts, NAN_TO_NUM_SPEC);
  const a = asArray(x);
  if (!isInexact(a.dtype)) return a;
  if (isComplex(a.dtype)) return lax.complex(nanToNum(lax.real(a), opts), nanToNum(lax.imag(a), opts));
  const { nan = 0, posinf = F32_MAX, neginf = -F32_MAX } = opts;
  let y = lax.select(lax.ne(a, a), lax.fullLike(a, nan), a);
  y = lax.select(lax.eq(y, lax.fullLike(y, Infinity)), lax.fullLike(y, posinf), y);
  return lax.select(lax.eq(y, lax.fullLike(y, -Infinity)), lax.fullLike(y, neginf), y);
}
