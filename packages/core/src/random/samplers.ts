/**
 * Continuous and integer samplers of `jax/_src/random.py`, op for op, so that on the CPU backend
 * they reproduce JAX's float32 samples bit for bit (see README.md for what that takes). The real
 * samplers also draw float16 and bfloat16 the way JAX does (float-formats.ts): their own bits and
 * mantissas, arithmetic in the dtype.
 */
import { Array } from "../core/array.ts";
import { ShapedArray } from "../core/aval.ts";
import { DTypeError, ShapeError, ValueError } from "../errors.ts";
import type { DType } from "../dtype.ts";
import { checkShape, fmtShape } from "../shape.ts";
import { complex } from "../primitives/complex.ts";
import { convertElementType } from "../primitives/convert.ts";
import { add, fullLike, log, mul, neg, sub } from "../primitives/elementwise.ts";
import { bitcastConvertType, bitwiseAnd, gt, le, lt, max, min, select } from "../primitives/elementwise-logic.ts";
import { log1p, rem } from "../primitives/elementwise-math.ts";
import { erf, erfInv } from "../primitives/elementwise-special.ts";
import { scalar } from "../primitives/scalars-and-batch-dims.ts";
import { fma } from "../primitives/random-prims.ts";
import { broadcastInDim, reshape } from "../primitives/shape-ops.ts";
import { slice } from "../primitives/shape-slicing.ts";
import { stopGradient } from "../primitives/control/custom-derivatives.ts";
import { randomBits } from "./bits.ts";
import { partitionableOf, singleKey, splitRaw, type KeyLike, type StreamOptions } from "./keys.ts";
import { checkOptions } from "../numpy/args.ts";
import {
  FLOAT_FORMATS,
  constOf,
  isSampleDType,
  nextafterOf,
  roundTo,
  sampleDType,
  unitFloatsOf,
  type SampleDType,
} from "./float-formats.ts";

/** `np.array(np.sqrt(2), dtype)`, the constant of `_normal_real` and `_truncated_normal`. */
const sqrt2Of = (d: SampleDType): number => roundTo(d, Math.SQRT2);
/** XLA rewrites `x / c` for a constant `c` as `x * (1 / c)`, the reciprocal rounded in the dtype. */
const invSqrt2Of = (d: SampleDType): number => roundTo(d, 1 / sqrt2Of(d));
/** `np.nextafter(dtype(-1), 0)`: normal's lower bound, so erf_inv never sees -1. */
const nextAfterMinusOneOf = (d: SampleDType): number => -(1 - 2 ** -(FLOAT_FORMATS[d].nmant + 1));
/** `np.finfo(dtype).tiny`, gumbel's lower bound. */
const tinyOf = (d: SampleDType): number => 2 ** FLOAT_FORMATS[d].minExp;

// ------------------------------------------------------------------ argument helpers

/**
 * A float parameter (`minval`, `p`, `lower`, …) as `lax.convert_element_type(v, dtype)`: a JS
 * number rounded to the dtype once (float32 by default), or an array converted to it.
 */
function floatParam(fn: string, name: string, v: unknown, dtype: SampleDType = "float32"): Array {
  if (typeof v === "number") return constOf(dtype, v);
  if (v instanceof Array) {
    if (v.dtype === "complex64") throw new DTypeError(`${fn}: ${name} must be real; got ${v.aval.toString()}`);
    return v.dtype === dtype ? v : convertElementType(v, dtype);
  }
  throw new ValueError(`${fn}: ${name} must be a number or an array; got ${typeof v}`);
}

/**
 * `x` broadcast to `shape` (numpy's right-aligned rule), after JAX's `_check_shape`: broadcasting
 * the parameter's shape with `shape` must give `shape` itself.
 */
export function bcastParam(fn: string, name: string, x: Array, shape: readonly number[]): Array {
  const off = shape.length - x.ndim;
  if (off < 0 || x.shape.some((d, i) => d !== 1 && d !== shape[off + i])) {
    throw new ShapeError(
      `${fn}: ${name} of shape ${fmtShape(x.shape)} is not broadcast-compatible with the shape argument ${fmtShape(shape)} (broadcasting them must give the shape argument)`,
    );
  }
  return broadcastInDim(
    x,
    shape,
    x.shape.map((_, i) => off + i),
  );
}

// ------------------------------------------------------------------ uniform

/**
 * `_uniform`'s floats in [0, 1) of `dtype` (default float32): the dtype's mantissa bits under
 * exponent 0, minus 1 (exact) — see `unitFloatsOf`.
 */
export function unitFloats(
  k: Array,
  shape: readonly number[],
  partitionable: boolean,
  dtype: SampleDType = "float32",
): Array {
  return unitFloatsOf(dtype, k, shape, partitionable);
}

/**
 * `_uniform` with bounds of the result dtype: `max(lo, f·(hi − lo) + lo)`. In float32 the
 * multiply-add is fused as XLA:CPU fuses it (`fma`, one rounding). In float16/bfloat16 it is not:
 * XLA:CPU rounds the product to the dtype before the add (LLVM does not contract half arithmetic
 * that it evaluates by promotion, and bf16 ops are normalized to float32 ops each followed by a
 * convert), which is what the half-compute path gives for `mul` then `add`.
 */
export function uniformRange(
  fn: string,
  k: Array,
  shape: readonly number[],
  lo: Array,
  hi: Array,
  partitionable: boolean,
): Array {
  const dtype = lo.dtype;
  if (!isSampleDType(dtype) || hi.dtype !== dtype)
    throw new DTypeError(`${fn}: bounds must share a float dtype; got ${lo.dtype} and ${hi.dtype}`);
  const f = unitFloats(k, shape, partitionable, dtype);
  const l = bcastParam(fn, "minval", lo, shape);
  const h = bcastParam(fn, "maxval", hi, shape);
  return max(l, dtype === "float32" ? fma(f, sub(h, l), l) : add(mul(f, sub(h, l)), l));
}

/** Options of `uniform`. */
export interface UniformOptions extends StreamOptions {
  /** float32 (default), float16 or bfloat16. */
  dtype?: DType;
  /** Inclusive lower bound (number or array broadcast-compatible with the shape); default 0. */
  minval?: number | Array;
  /** Exclusive upper bound; default 1. */
  maxval?: number | Array;
}

/** Uniform samples in `[minval, maxval)` (`jax.random.uniform`). */
export function uniform(key: KeyLike, shape: readonly number[] = [], opts: UniformOptions = {}): Array {
  checkOptions("uniform", opts, { dtype: "any", minval: "any", maxval: "any", partitionable: "any" });
  const k = singleKey("uniform", key).data;
  checkShape("uniform", shape);
  const dtype = sampleDType("uniform", opts.dtype) as SampleDType;
  const lo = opts.minval ?? 0;
  const hi = opts.maxval ?? 1;
  const p = partitionableOf(opts);
  // For [0, 1), f·1 + 0 and max(0, ·) return f exactly (in every dtype): skip the arithmetic.
  if (Object.is(lo, 0) && hi === 1) return unitFloats(k, shape, p, dtype);
  return uniformRange(
    "uniform",
    k,
    shape,
    floatParam("uniform", "minval", lo, dtype),
    floatParam("uniform", "maxval", hi, dtype),
    p,
  );
}

// ------------------------------------------------------------------ normal family

/**
 * `_normal_real`: `√2 · erf_inv(u)`, u uniform in (-1, 1), in `dtype`. For the half dtypes XLA
 * evaluates `erf_inv` in float32 (CHLO's lowering upcasts f16/bf16) and rounds to the dtype —
 * the half-compute path of the `erfInv` primitive.
 */
function normalReal(k: Array, shape: readonly number[], partitionable: boolean, dtype: SampleDType = "float32"): Array {
  const u = uniformRange(
    "normal",
    k,
    shape,
    constOf(dtype, nextAfterMinusOneOf(dtype)),
    constOf(dtype, 1),
    partitionable,
  );
  return mul(fullLike(u, sqrt2Of(dtype)), erfInv(u));
}

/** Options of `normal`. */
export interface NormalOptions extends StreamOptions {
  /** float32 (default), float16, bfloat16 or complex64. */
  dtype?: DType;
}

/**
 * Standard normal samples (`jax.random.normal`). complex64 (`_normal`'s complex branch): real and
 * imaginary parts are normals from the two halves of `split(key)`, each scaled by 1/√2 (so
 * E|z|² = 1) — XLA turns `/ √2` into `· float32(1/√2)`, which is what we compute.
 */
export function normal(key: KeyLike, shape: readonly number[] = [], opts: NormalOptions = {}): Array {
  checkOptions("normal", opts, { dtype: "any", partitionable: "any" });
  const k = singleKey("normal", key).data;
  checkShape("normal", shape);
  const dtype = sampleDType("normal", opts.dtype, true);
  const p = partitionableOf(opts);
  if (dtype !== "complex64") return normalReal(k, shape, p, dtype);
  const ks = splitRaw(k, [2], p);
  const re = normalReal(reshape(slice(ks, [0, 0], [1, 2]), [2]), shape, p);
  const im = normalReal(reshape(slice(ks, [1, 0], [2, 2]), [2]), shape, p);
  const inv = invSqrt2Of("float32");
  return complex(mul(re, fullLike(re, inv)), mul(im, fullLike(im, inv)));
}

/** Options of `truncatedNormal`. */
export interface TruncatedNormalOptions extends StreamOptions {
  /** float32 (default), float16 or bfloat16. */
  dtype?: DType;
}

/**
 * Standard normal samples truncated to `(lower, upper)` (`jax.random.truncated_normal`): uniform
 * between `erf(lower/√2)` and `erf(upper/√2)`, mapped back by `√2·erf_inv`, and clipped to the
 * open interval. `shape` defaults to the broadcast of the bounds' shapes.
 *
 * JAX's value depends on whether the bounds are runtime values (an eager call, traced jit
 * arguments: XLA computes `erf(x · float32(1/√2))` with its own erf) or compile-time constants
 * under `jit` (XLA folds `erf(x / √2)` accurately). We always compute the former — also under our
 * `jit` — so results match JAX's eager `truncated_normal` bit for bit on CPU.
 */
export function truncatedNormal(
  key: KeyLike,
  lower: number | Array,
  upper: number | Array,
  shape?: readonly number[],
  opts: TruncatedNormalOptions = {},
): Array {
  checkOptions("truncatedNormal", opts, { dtype: "any", partitionable: "any" });
  const fn = "truncatedNormal";
  const k = singleKey(fn, key).data;
  const dtype = sampleDType(fn, opts.dtype) as SampleDType;
  const l = floatParam(fn, "lower", lower, dtype);
  const h = floatParam(fn, "upper", upper, dtype);
  let s: readonly number[];
  if (shape === undefined) {
    const nd = Math.max(l.ndim, h.ndim);
    s = [...new globalThis.Array<number>(nd)].map((_, i) => {
      const dl = l.shape[i - nd + l.ndim] ?? 1;
      const dh = h.shape[i - nd + h.ndim] ?? 1;
      if (dl !== dh && dl !== 1 && dh !== 1)
        throw new ShapeError(
          `${fn}: lower of shape ${fmtShape(l.shape)} and upper of shape ${fmtShape(h.shape)} cannot be broadcast together`,
        );
      return dl === 1 ? dh : dl;
    });
  } else {
    checkShape(fn, shape);
    s = shape;
  }
  const inv = invSqrt2Of(dtype);
  const a = erf(mul(l, fullLike(l, inv)));
  const b = erf(mul(h, fullLike(h, inv)));
  const u = uniformRange(fn, k, s, a, b, partitionableOf(opts));
  const out = mul(fullLike(u, sqrt2Of(dtype)), erfInv(u));
  // Bounds carry no gradient through the clip (nextafter has none), as in JAX.
  const lo = stopGradient(l);
  const hi = stopGradient(h);
  const clipLo = bcastParam(fn, "lower", nextafterOf(lo, fullLike(lo, Infinity)), s);
  const clipHi = bcastParam(fn, "upper", nextafterOf(hi, fullLike(hi, -Infinity)), s);
  return min(clipHi, max(clipLo, out));
}

/** Exponential(1) samples (`jax.random.exponential`): `-log1p(-u)`. */
export function exponential(key: KeyLike, shape: readonly number[] = [], opts: NormalOptions = {}): Array {
  checkOptions("exponential", opts, { dtype: "any", partitionable: "any" });
  const k = singleKey("exponential", key).data;
  checkShape("exponential", shape);
  const dtype = sampleDType("exponential", opts.dtype) as SampleDType;
  return neg(log1p(neg(unitFloats(k, shape, partitionableOf(opts), dtype))));
}

/** Standard Gumbel samples (`jax.random.gumbel`, mode "low"): `-log(-log(u))`, u in [tiny, 1). */
export function gumbel(key: KeyLike, shape: readonly number[] = [], opts: NormalOptions = {}): Array {
  checkOptions("gumbel", opts, { dtype: "any", partitionable: "any" });
  const k = singleKey("gumbel", key).data;
  checkShape("gumbel", shape);
  const dtype = sampleDType("gumbel", opts.dtype) as SampleDType;
  return gumbelRaw(k, shape, partitionableOf(opts), dtype);
}

/** `_gumbel` on a raw key. */
export function gumbelRaw(
  k: Array,
  shape: readonly number[],
  partitionable: boolean,
  dtype: SampleDType = "float32",
): Array {
  const u = uniformRange("gumbel", k, shape, constOf(dtype, tinyOf(dtype)), constOf(dtype, 1), partitionable);
  return neg(log(neg(log(u))));
}

// ------------------------------------------------------------------ bernoulli

/**
 * Bernoulli(p) booleans (`jax.random.bernoulli`): `uniform(key, shape, p.dtype) < p`. `p` is a
 * float (float32) or a float32/float16/bfloat16 array — whose dtype the uniforms are drawn in, as
 * in JAX; `shape` defaults to `p`'s shape and must be broadcast-compatible with it.
 */
export function bernoulli(
  key: KeyLike,
  p: number | Array = 0.5,
  shape?: readonly number[],
  opts: StreamOptions = {},
): Array {
  checkOptions("bernoulli", opts, { partitionable: "any" });
  const k = singleKey("bernoulli", key).data;
  let pa: Array;
  if (typeof p === "number") {
    // A JS number is checked here (an array p may be traced): NaN or p ∉ [0, 1] would silently give all-false/all-true draws.
    if (!(p >= 0 && p <= 1)) throw new ValueError(`bernoulli: p must be a probability in [0, 1]; got ${p}`);
    pa = constOf("float32", p);
  } else if (p instanceof Array) {
    if (!isSampleDType(p.dtype))
      throw new DTypeError(
        `bernoulli: probability p must have a floating dtype, got ${p.dtype} (float32, float16 or bfloat16)`,
      );
    pa = p;
  } else throw new ValueError(`bernoulli: p must be a number or a float32 array; got ${typeof p}`);
  const s = shape ?? pa.shape;
  checkShape("bernoulli", s);
  const pb = bcastParam("bernoulli", "p", pa, s);
  return lt(unitFloats(k, s, partitionableOf(opts), pa.dtype as SampleDType), pb);
}

// ------------------------------------------------------------------ randint

const INT_RANGE: Record<"int32" | "uint32", [number, number]> = {
  int32: [-(2 ** 31), 2 ** 31 - 1],
  uint32: [0, 2 ** 32 - 1],
};

/**
 * JAX's `_convert_and_clip_integer` of a bound to `dtype`, and whether the bound exceeds the
 * dtype's maximum (`maxval_out_of_range`).
 */
function integerBound(name: string, v: unknown, dtype: "int32" | "uint32"): { val: Array; over: Array } {
  const [lo, hi] = INT_RANGE[dtype];
  if (typeof v === "number") {
    if (Number.isNaN(v)) throw new ValueError(`randint: ${name} must be an integer; got NaN`);
    const t = Math.trunc(v);
    return { val: scalar(Math.min(hi, Math.max(lo, t)), dtype), over: scalar(t > hi ? 1 : 0, "bool") };
  }
  if (!(v instanceof Array))
    throw new ValueError(`randint: ${name} must be a number or an integer array; got ${typeof v}`);
  if (v.dtype === "complex64") throw new DTypeError(`randint: ${name} must be real; got ${v.aval.toString()}`);
  // Floats are truncated to int32 first (JAX's `minval.astype(int)`).
  const x = v.dtype === "float32" || v.dtype === "bool" ? convertElementType(v, "int32") : v;
  if (x.dtype === dtype) return { val: x, over: fullLike(new ShapedArray(x.shape, "bool"), 0) };
  if (dtype === "uint32") {
    // int32 → uint32: negatives clip to 0; nothing exceeds the uint32 maximum.
    return {
      val: bitcastConvertType(max(x, fullLike(x, 0)), "uint32"),
      over: fullLike(new ShapedArray(x.shape, "bool"), 0),
    };
  }
  // uint32 → int32: values above INT32_MAX clip to it.
  const cap = fullLike(x, hi);
  return { val: bitcastConvertType(min(x, cap), "int32"), over: gt(x, cap) };
}

/** Options of `randint`. */
export interface RandintOptions extends StreamOptions {
  /** int32 (default) or uint32. */
  dtype?: DType;
}

/**
 * Uniform integers in `[minval, maxval)` (`jax.random.randint`). Bounds are numbers or integer
 * arrays broadcast-compatible with `shape`, clipped to the dtype's range; `maxval <= minval`
 * gives `minval`. JAX's algorithm, in wrapping uint32 arithmetic: two draws from `split(key)`
 * combined as `(hi % span)·(2^32 % span) + lo % span` modulo `span`, where `2^32 % span` is
 * computed as `((2^16 % span)^2) % span` — which wraps to 0 for span > 2^16, as in JAX.
 */
export function randint(
  key: KeyLike,
  shape: readonly number[],
  minval: number | Array,
  maxval: number | Array,
  opts: RandintOptions = {},
): Array {
  checkOptions("randint", opts, { dtype: "any", partitionable: "any" });
  const k = singleKey("randint", key).data;
  checkShape("randint", shape);
  const dtype = opts.dtype ?? "int32";
  if (dtype !== "int32" && dtype !== "uint32")
    throw new DTypeError(`randint: only accepts integer dtypes (int32, uint32), got ${dtype}`);
  const p = partitionableOf(opts);
  const lo = integerBound("minval", minval, dtype);
  const hi = integerBound("maxval", maxval, dtype);
  const minB = bcastParam("randint", "minval", lo.val, shape);
  const maxB = bcastParam("randint", "maxval", hi.val, shape);
  const over = bcastParam("randint", "maxval", hi.over, shape);
  const ks = splitRaw(k, [2], p);
  const higher = randomBits(reshape(slice(ks, [0, 0], [1, 2]), [2]), 32, shape, p);
  const lower = randomBits(reshape(slice(ks, [1, 0], [2, 2]), [2]), 32, shape, p);
  const u32 = (x: Array): Array => (x.dtype === "uint32" ? x : bitcastConvertType(x, "uint32"));
  let span = u32(sub(maxB, minB)); // wraps like XLA's integer subtract
  const one = fullLike(span, 1);
  span = select(le(maxB, minB), one, span);
  span = select(bitwiseAnd(over, gt(maxB, minB)), add(span, one), span);
  let mult = rem(fullLike(span, 2 ** 16), span);
  mult = rem(mul(mult, mult), span);
  const offset = rem(add(mul(rem(higher, span), mult), rem(lower, span)), span);
  return add(minB, dtype === "int32" ? bitcastConvertType(offset, "int32") : offset);
}
