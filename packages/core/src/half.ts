/**
 * Bit-exact conversions between float32 / JS numbers and the half-precision storage dtypes:
 * IEEE 754 binary16 (`float16`: 1 sign, 5 exponent, 10 mantissa bits) and bfloat16 (1, 8, 7: the
 * top half of a float32). Every rounding is to nearest, ties to even.
 *
 * The reference numbers are numpy's for float16 (`np.float32(x).astype(np.float16)`,
 * `np.float64(x).astype(np.float16)`, NaN payloads included — testdata/half/) and ml_dtypes' for
 * bfloat16 (the classic `(bits + 0x7fff + lsb) >> 16`, NaN → quiet NaN 0x7fc0 keeping the sign).
 *
 * Creation from JS numbers follows the same libraries: a float64 becomes float16 with a single
 * rounding (numpy's `npy_double_to_half`), but bfloat16 through float32 (ml_dtypes' and Eigen's
 * `bfloat16(double)` cast to float first), so `np.array(xs, { dtype })` gives what
 * `jnp.array(xs, dtype)` gives. Integer sources go through float32 for both (XLA converts s32 to
 * f32 first; for float16 the two roads never differ, as every integer where f32 rounds is ≥ 2²⁴,
 * far past float16's largest finite value).
 */
import type { DType, HalfDType, TypedArray } from "./dtype.ts";

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The IEEE bits of `Math.fround(v)`. */
export function float32Bits(v: number): number {
  f32[0] = v;
  return u32[0];
}
/** The float32 value of the bit pattern `bits`. */
export function float32FromBits(bits: number): number {
  u32[0] = bits >>> 0;
  return f32[0];
}

/**
 * float32 bits → float16 bits, rounding to nearest even. Integer operations only (the WGSL
 * convert kernel is the same algorithm). NaN keeps its sign and the top 10 payload bits (a
 * payload that would vanish becomes 1, so NaN stays NaN), as numpy's `npy_floatbits_to_halfbits`.
 */
export function float16BitsFromFloat32Bits(x: number): number {
  const s = (x >>> 16) & 0x8000;
  const a = x & 0x7fffffff;
  if (a > 0x7f800000) return s | 0x7c00 | Math.max((a & 0x7fffff) >>> 13, 1);
  if (a >= 0x477ff000) return s | 0x7c00; // ≥ 65520 (65504 + half an ulp, a tie to the odd side) → inf
  if (a >= 0x38800000) {
    // Normal: rebias the exponent (127 → 15) and round off 13 mantissa bits; a carry moves into
    // the exponent, which is the correctly rounded result.
    const r = a - 0x38000000;
    return s | ((r + 0xfff + ((r >>> 13) & 1)) >>> 13);
  }
  if (a <= 0x33000000) return s; // ≤ 2⁻²⁵ (half the smallest subnormal; the tie goes to even 0)
  // Subnormal: the value in units of 2⁻²⁴ is mant · 2^(e − 126).
  const e = a >>> 23;
  const mant = (a & 0x7fffff) | 0x800000;
  const shift = 126 - e; // 14 … 24
  let q = mant >>> shift;
  const rem = mant & ((1 << shift) - 1);
  const half = 1 << (shift - 1);
  if (rem > half || (rem === half && (q & 1) === 1)) q++;
  return s | q;
}

/** float16 bits → float32 bits (exact; NaN payloads kept). */
export function float32BitsFromFloat16Bits(h: number): number {
  const s = (h & 0x8000) << 16;
  const e = (h >>> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 31) return (s | 0x7f800000 | (m << 13)) >>> 0;
  if (e !== 0) return (s | ((e + 112) << 23) | (m << 13)) >>> 0;
  if (m === 0) return s >>> 0;
  // Subnormal m · 2⁻²⁴ with its top bit at p: exponent p − 24, mantissa the bits below p.
  const p = 31 - Math.clz32(m);
  return (s | ((p + 103) << 23) | ((m << (23 - p)) & 0x7fffff)) >>> 0;
}

/** float32 bits → bfloat16 bits, rounding to nearest even; NaN → the quiet NaN 0x7fc0 with its sign. */
export function bfloat16BitsFromFloat32Bits(x: number): number {
  if ((x & 0x7fffffff) > 0x7f800000) return ((x >>> 16) & 0x8000) | 0x7fc0;
  return ((x >>> 0) + 0x7fff + ((x >>> 16) & 1)) >>> 16;
}

/** bfloat16 bits → float32 bits (exact: the top half of a float32). */
export function float32BitsFromBfloat16Bits(h: number): number {
  return (h << 16) >>> 0;
}

/** A JS number (float64) → float16 bits with one rounding, as numpy's `npy_double_to_half`. */
export function float16BitsFromNumber(v: number): number {
  if (Number.isNaN(v)) return 0x7e00; // JS's one NaN (0x7ff8…): numpy gives 0x7e00 for it
  const s = v < 0 || Object.is(v, -0) ? 0x8000 : 0;
  const a = Math.abs(v);
  if (a >= 65520) return s | 0x7c00; // inf, or rounds past 65504
  // The value in units of the float16 ulp at its binade (2⁻²⁴ for subnormals), rounded to an
  // integer: scaling by a power of two is exact in float64, so is the fractional part.
  const e = a < 2 ** -14 ? -14 : Math.floor(Math.log2(a));
  // log2 may be off by one next to a power of two; correct it so that 2^e ≤ a < 2^(e+1).
  const exp = e === -14 ? -14 : a < 2 ** e ? e - 1 : a >= 2 ** (e + 1) ? e + 1 : e;
  const scaled = a * 2 ** (10 - Math.max(exp, -14));
  let q = Math.floor(scaled);
  const frac = scaled - q;
  if (frac > 0.5 || (frac === 0.5 && q % 2 === 1)) q++;
  // q < 2048 is m·2^… with the implicit bit: bits = (exp + 15 − 1)·1024 + q for normals, where a
  // rounding carry to 2048 lands on the next binade's first value by the same sum.
  if (a < 2 ** -14) return s | q; // subnormal (q = 1024 is the smallest normal, also right)
  return s | (((exp + 14) << 10) + q);
}

/** A JS number → bfloat16 bits: through float32, as ml_dtypes' `bfloat16(double)` does. */
export function bfloat16BitsFromNumber(v: number): number {
  return bfloat16BitsFromFloat32Bits(float32Bits(v));
}

/** float16 bits → its value as a JS number (exact). */
export function float16ToNumber(h: number): number {
  return float32FromBits(float32BitsFromFloat16Bits(h));
}
/** bfloat16 bits → its value as a JS number (exact). */
export function bfloat16ToNumber(h: number): number {
  return float32FromBits(float32BitsFromBfloat16Bits(h));
}

/** Bits of `d` for the JS number `v` (the rounding numpy / ml_dtypes apply to a Python float). */
export function halfBitsFromNumber(d: HalfDType, v: number): number {
  return d === "float16" ? float16BitsFromNumber(v) : bfloat16BitsFromNumber(v);
}
/** The JS number that the bits `h` of `d` stand for. */
export function halfToNumber(d: HalfDType, h: number): number {
  return d === "float16" ? float16ToNumber(h) : bfloat16ToNumber(h);
}

/** float32 values → half bits, each rounded to nearest even (bit-exact, NaN as documented above). */
export function halfFromFloat32Array(d: HalfDType, x: Float32Array): Uint16Array {
  const bits = new Uint32Array(x.buffer, x.byteOffset, x.length);
  const out = new Uint16Array(x.length);
  const enc = d === "float16" ? float16BitsFromFloat32Bits : bfloat16BitsFromFloat32Bits;
  for (let i = 0; i < x.length; i++) out[i] = enc(bits[i]);
  return out;
}
/** Half bits → float32 values (exact). */
export function float32FromHalfArray(d: HalfDType, h: Uint16Array): Float32Array {
  const out = new Float32Array(h.length);
  const bits = new Uint32Array(out.buffer);
  const dec = d === "float16" ? float32BitsFromFloat16Bits : float32BitsFromBfloat16Bits;
  for (let i = 0; i < h.length; i++) bits[i] = dec(h[i]);
  return out;
}

/**
 * Host data as numbers: half dtypes' bit patterns decoded to their float32 values (exact), other
 * dtypes unchanged. For printing and `tolist()`/`item()`, which read element values.
 */
export function decodeHostValues(data: TypedArray, dtype: DType): TypedArray {
  if (dtype !== "float16" && dtype !== "bfloat16") return data;
  return float32FromHalfArray(dtype, data as Uint16Array);
}
