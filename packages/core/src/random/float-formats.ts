/**
 * The float dtypes the samplers draw (float32, float16, bfloat16): their bit layouts, the constants
 * `jax/_src/random.py` builds with `np.array(c, dtype)`, the unit floats of `_uniform` built from
 * mantissa bits, and `nextafter` in the dtype.
 *
 * One code path for all three: `_uniform` draws `rng_bits` random bits (the dtype's width, but 8 for
 * bfloat16, whose 7 mantissa bits are fewer than 8), keeps the top `nmant` of them as the mantissa
 * under the exponent of 1.0, and subtracts 1. The arithmetic after that runs in the dtype; for the
 * half dtypes that means each op computes in float32 and rounds to the dtype (core/half-compute.ts),
 * which is how XLA:CPU evaluates f16/bf16 elementwise ops.
 */
import type { Array } from "../core/array.ts";
import { ShapedArray } from "../core/aval.ts";
import { DTypeError } from "../errors.ts";
import type { DType } from "../dtype.ts";
import { halfBitsFromNumber, halfToNumber } from "../half.ts";
import { convertElementType } from "../primitives/convert.ts";
import { abs, nextafter as nextafterF32 } from "../primitives/elementwise-math.ts";
import { add, fullLike, mul, sub } from "../primitives/elementwise.ts";
import { bitcastConvertType, bitwiseAnd, bitwiseOr, eq, lt, max, ne, select, shiftLeft, shiftRightLogical } from "../primitives/elementwise-logic.ts";
import { scalar } from "../primitives/helpers.ts";
import { randomBits, type BitWidth } from "./bits.ts";

/** The real float dtypes the samplers produce. */
export type SampleDType = "float32" | "float16" | "bfloat16";

/** `jnp.finfo(dtype)`'s fields that the samplers use, and `_uniform`'s `rng_bits`. */
export interface FloatFormat {
  /** Stored mantissa bits (`finfo.nmant`). */
  readonly nmant: number;
  /** Random bits drawn per value (`rng_bits`: the width, or 8 when `nmant < 8`). */
  readonly rngBits: BitWidth;
  /** Exponent of the smallest normal number (`finfo.minexp`). */
  readonly minExp: number;
  /** Largest finite value (`finfo.max`). */
  readonly max: number;
}

export const FLOAT_FORMATS: Readonly<Record<SampleDType, FloatFormat>> = {
  float32: { nmant: 23, rngBits: 32, minExp: -126, max: (2 - 2 ** -23) * 2 ** 127 },
  float16: { nmant: 10, rngBits: 16, minExp: -14, max: 65504 },
  bfloat16: { nmant: 7, rngBits: 8, minExp: -126, max: (2 - 2 ** -7) * 2 ** 127 },
};

/** Whether `d` is a dtype the real samplers produce. */
export const isSampleDType = (d: DType): d is SampleDType => d === "float32" || d === "float16" || d === "bfloat16";

/**
 * Validate a sampler's dtype option: a real float dtype (float32, float16, bfloat16), or also
 * complex64 where the sampler has a complex branch.
 */
export function sampleDType(fn: string, dtype: DType | undefined, allowComplex = false): SampleDType | "complex64" {
  const d = dtype ?? "float32";
  if (isSampleDType(d) || (allowComplex && d === "complex64")) return d;
  throw new DTypeError(`${fn}: dtype must be a float dtype (float32, float16, bfloat16${allowComplex ? " or complex64" : ""}); got ${d}`);
}

/** `np.array(v, dtype)` as a JS number: `v` rounded to the dtype (numpy's / ml_dtypes' rounding). */
export function roundTo(dtype: SampleDType, v: number): number {
  return dtype === "float32" ? Math.fround(v) : halfToNumber(dtype, halfBitsFromNumber(dtype, v));
}

/** A (strongly typed) scalar of `dtype` holding `v` rounded to it. */
export const constOf = (dtype: SampleDType, v: number): Array => scalar(v, dtype);

/**
 * `_uniform`'s floats in [0, 1) of `dtype`: `rng_bits` random bits, the top `nmant` of them as
 * the mantissa of a number in [1, 2), minus 1 (exact).
 *
 * JAX ORs the mantissa into the bits of `1.0` in the dtype's own layout and bitcasts. We have no
 * 16-bit integer dtype to bitcast from, so for the half dtypes the same mantissa is placed at the
 * top of a float32's mantissa instead: `0x3F800000 | m << (23 − nmant)` is the float32 with the
 * value `1 + m·2^−nmant` — the very number JAX's half bit pattern stands for, and exactly
 * representable in the half dtype, so converting it there is exact. float32 is the same formula
 * with a shift of 0.
 */
export function unitFloatsOf(dtype: SampleDType, k: Array, shape: readonly number[], partitionable: boolean): Array {
  const { nmant, rngBits } = FLOAT_FORMATS[dtype];
  const bits = randomBits(k, rngBits, shape, partitionable);
  let mant = shiftRightLogical(bits, fullLike(bits, rngBits - nmant));
  if (nmant !== 23) mant = shiftLeft(mant, fullLike(mant, 23 - nmant));
  const inOneTwo = bitcastConvertType(bitwiseOr(mant, fullLike(mant, 0x3f800000)), "float32");
  const v = dtype === "float32" ? inOneTwo : convertElementType(inOneTwo, dtype);
  return sub(v, fullLike(new ShapedArray(shape, dtype), 1));
}

/**
 * `lax.nextafter(x, toward)` in `x`'s dtype (x and toward of the same dtype and shape).
 *
 * float32 is the primitive. The half dtypes compute in float32 (core/half-compute.ts), where the
 * primitive would step by a float32 ulp and round straight back to `x`; so the step is computed
 * here as the half dtype's own ulp: `2^(max(e, minExp) − nmant)` for `2^e ≤ |x| < 2^(e+1)`, halved
 * when stepping toward zero from a power of two above the smallest normal. The sum `x ± ulp` is
 * exact in float32 and representable in the dtype (or overflows to ±inf there, as it should).
 * Infinities step to ±max, `x == toward` gives `toward`, NaN stays NaN, and a step to zero keeps
 * `x`'s sign (`nextafter(-tiny, 0) = -0`), all as XLA's integer implementation gives.
 */
export function nextafterOf(x: Array, toward: Array): Array {
  const dtype = x.dtype;
  if (dtype === "float32") return nextafterF32(x, toward);
  if (dtype !== "float16" && dtype !== "bfloat16") throw new DTypeError(`nextafter: x must be a real float array; got ${x.aval.toString()}`);
  const { nmant, minExp, max: fmax } = FLOAT_FORMATS[dtype];
  const x32 = convertElementType(x, "float32");
  const t32 = convertElementType(toward, "float32");
  const like = (v: number, a: Array): Array => fullLike(a, v);
  const bits = bitcastConvertType(abs(x32), "uint32");
  const biased = bitcastConvertType(shiftRightLogical(bits, like(23, bits)), "int32");
  const expo = max(sub(biased, like(127, biased)), like(minExp, biased));
  // 2^expo is a normal float32 (minExp ≤ expo ≤ 127 for finite x); scaling it by 2^−nmant is exact
  // even where the ulp (down to 2^−133, bfloat16's smallest subnormal) is a float32 subnormal.
  const pow2Expo = bitcastConvertType(shiftLeft(bitcastConvertType(add(expo, like(127, expo)), "uint32"), like(23, bits)), "float32");
  const ulp = mul(pow2Expo, like(2 ** -nmant, x32));
  const up = lt(x32, t32);
  const pow2 = eq(bitwiseAnd(bits, like(0x7fffff, bits)), like(0, bits));
  const aboveMinNormal = ne(expo, like(minExp, expo));
  const towardZero = select(up, lt(x32, like(0, x32)), lt(like(0, x32), x32));
  const half = bitwiseAnd(bitwiseAnd(towardZero, pow2), aboveMinNormal);
  const step = select(half, mul(ulp, like(0.5, ulp)), ulp);
  let r = select(up, add(x32, step), sub(x32, step));
  r = select(eq(r, like(0, r)), mul(x32, like(0, x32)), r);
  const inf = eq(abs(x32), like(Infinity, x32));
  r = select(inf, select(lt(x32, like(0, x32)), like(-fmax, x32), like(fmax, x32)), r);
  r = select(eq(x32, t32), t32, r);
  r = select(bitwiseOr(ne(x32, x32), ne(t32, t32)), add(x32, t32), r);
  return convertElementType(r, dtype);
}
