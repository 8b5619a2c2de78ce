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
import { nextafter as nextafterF32 } from "../primitives/elementwise-math.ts";
import { fullLike, sub } from "../primitives/elementwise.ts";
import { bitcastConvertType, bitwiseOr, shiftLeft, shiftRightLogical } from "../primitives/elementwise-logic.ts";
import { scalar } from "../primitives/scalars-and-batch-dims.ts";
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
  throw new DTypeError(
    `${fn}: dtype must be a float dtype (float32, float16, bfloat16${allowComplex ? " or complex64" : ""}); got ${d}`,
  );
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
 * `lax.nextafter(x, toward)` in `x`'s dtype (x and toward of the same dtype and shape). For the
 * half dtypes the primitive steps by the dtype's own ulp (primitives/half-nextafter.ts).
 */
export function nextafterOf(x: Array, toward: Array): Array {
  if (!isSampleDType(x.dtype))
    throw new DTypeError(`nextafter: x must be a real float array; got ${x.aval.toString()}`);
  return nextafterF32(x, toward);
}
