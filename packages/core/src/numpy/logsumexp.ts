/**
 * `logsumexp` (JAX's `jax.nn.logsumexp` / `jax.scipy.special.logsumexp`): log Σ b·exp(a),
 * stable by shifting with the maximum, with an optional sign output.
 */
import type { Array, ArrayLike } from "../core/array.ts";
import { ShapedArray } from "../core/aval.ts";
import * as lax from "../primitives/index.ts";
import { isComplex, isInexact } from "../dtype.ts";
import { normAxes } from "../shape.ts";
import { asArray } from "./convert.ts";
import { prepareBinary } from "./promote.ts";
import { keepDims, type Axes } from "./reductions.ts";
import { axisOptions, type OptionSpec } from "./args.ts";

const LSE_SPEC: OptionSpec = { axis: "axes", keepdims: "boolean", b: "arraylike", returnSign: "boolean" };

export interface LogSumExpOptions {
  axis?: number | readonly number[] | null;
  keepdims?: boolean;
  /** Scale factors: log Σ b·exp(a) (broadcast against `a`). */
  b?: ArrayLike;
  /** Also return the sign of Σ b·exp(a); the value is then log |Σ b·exp(a)|. */
  returnSign?: boolean;
}

/**
 * log Σ exp(a) over `axis`, computed stably by shifting with the maximum (JAX's algorithm):
 * rows that are all -inf give -inf, +inf gives +inf. With `b`, computes log Σ b·exp(a); a
 * negative sum gives NaN unless `returnSign` is set, in which case `[log |s|, sign(s)]` is
 * returned.
 */
export function logsumexp(a: ArrayLike, opts: LogSumExpOptions & { returnSign: true }): [Array, Array];
export function logsumexp(
  a: ArrayLike,
  axis: Axes,
  opts: Omit<LogSumExpOptions, "axis"> & { returnSign: true },
): [Array, Array];
export function logsumexp(a: ArrayLike, axis?: Axes | LogSumExpOptions, opts?: Omit<LogSumExpOptions, "axis">): Array;
export function logsumexp(
  a: ArrayLike,
  axis?: Axes | LogSumExpOptions,
  options?: Omit<LogSumExpOptions, "axis">,
): Array | [Array, Array] {
  const opts = axisOptions<LogSumExpOptions>("logsumexp", axis, options, LSE_SPEC);
  let x = asArray(a);
  let bArr: Array | undefined;
  if (opts.b !== undefined) {
    [x, bArr] = prepareBinary("logsumexp", x, opts.b);
    if (!isInexact(x.dtype)) {
      x = lax.convertElementType(x, "float32");
      bArr = lax.convertElementType(bArr, "float32");
    }
    // Terms with b == 0 must not contribute, even where a is +inf or NaN.
    const negInf = lax.fullLike(new ShapedArray(x.shape, x.dtype), -Infinity);
    x = lax.select(lax.ne(bArr, lax.zerosLike(bArr)), x, negInf);
  } else if (!isInexact(x.dtype)) x = lax.convertElementType(x, "float32");
  const axes = normAxes("logsumexp", opts.axis ?? undefined, x.ndim);
  const xr = isComplex(x.dtype) ? lax.real(x) : x;
  // The shift: the maximum, replaced by 0 where it is not finite (all -inf rows, +inf, NaN).
  let amax = axes.length === 0 ? xr : lax.reduceMax(xr, axes);
  amax = lax.select(lax.isFinite(amax), amax, lax.zerosLike(amax));
  // As JAX: no gradient through the shift (its contribution is exactly zero in exact arithmetic,
  // d/dm [m + log Σ exp(a − m)] = 0, so this only saves work and rounding).
  amax = lax.stopGradient(amax);
  const kept = x.shape.map((_, i) => i).filter((i) => !axes.includes(i));
  let shift = lax.broadcastInDim(amax, x.shape, kept);
  if (isComplex(x.dtype)) shift = lax.complex(shift, lax.zerosLike(shift));
  let e = lax.exp(lax.sub(x, shift));
  if (bArr !== undefined) e = lax.mul(e, bArr);
  let s = lax.reduceSum(e, axes);
  const sign = lax.sign(s);
  if (opts.returnSign || !isComplex(s.dtype)) s = lax.abs(s);
  const amaxOut = isComplex(s.dtype) ? lax.complex(amax, lax.zerosLike(amax)) : amax;
  let out = lax.add(lax.log(s), amaxOut);
  out = keepDims(out, x.shape, axes, opts.keepdims);
  const signOut = keepDims(sign, x.shape, axes, opts.keepdims);
  if (opts.returnSign) return [out, signOut];
  if (bArr !== undefined && !isComplex(out.dtype)) {
    out = lax.select(lax.lt(signOut, lax.zerosLike(signOut)), lax.fullLike(out, NaN), out);
  }
  return out;
}
