/**
 * convertElementType to and from float16/bfloat16 on the CPU (storage: 16-bit patterns in a
 * Uint16Array). Every conversion goes through the exact float32 value: decoding a half is exact,
 * encoding rounds float32 bits to nearest even (core's half.ts, bit-exact with numpy's float16
 * and ml_dtypes' bfloat16). Integer and bool sources reach float32 first as a Float32Array store
 * rounds them (XLA converts s32 → f32 → bf16 the same way); complex sources give their real part
 * (→ bool: re != 0 or im != 0). Half → other dtypes cast the float32 value with `castValue`, so
 * float16 → int32 truncates and saturates exactly as float32 → int32 does.
 *
 * The other ops never see a half operand: core computes them in float32 (core/half-compute.ts).
 */
import {
  bfloat16BitsFromFloat32Bits,
  float16BitsFromFloat32Bits,
  float32BitsFromBfloat16Bits,
  float32BitsFromFloat16Bits,
  isHalf,
  type DType,
  type TypedArray,
} from "@linax-ts/core";

/** The float32 value of every element of `x` (dtype `from`; complex: the real part). */
function toFloat32(x: TypedArray, from: DType, n: number): Float32Array {
  const out = new Float32Array(n);
  if (from === "float16" || from === "bfloat16") {
    const bits = new Uint32Array(out.buffer);
    const dec = from === "float16" ? float32BitsFromFloat16Bits : float32BitsFromBfloat16Bits;
    for (let i = 0; i < n; i++) bits[i] = dec(x[i]);
  } else if (from === "float32")
    out.set(x as Float32Array); // a byte copy: NaN payloads kept
  else if (from === "complex64") {
    // Real parts as bits (a JS number would canonicalise a signalling NaN's payload).
    const src = new Uint32Array(x.buffer, x.byteOffset, 2 * n);
    const bits = new Uint32Array(out.buffer);
    for (let i = 0; i < n; i++) bits[i] = src[2 * i];
  } else for (let i = 0; i < n; i++) out[i] = x[i];
  return out;
}

/**
 * Convert `n` elements of `x` from `from` to `to`, one of them a half dtype. `cast` is the
 * backend's float32 → `to` cast for non-half targets (elementwise.ts `castValue`).
 */
export function convertHalf(
  x: TypedArray,
  from: DType,
  to: DType,
  n: number,
  cast: (v: number, to: DType, from: DType) => number,
): TypedArray {
  if (from === to) return x.slice();
  if (isHalf(to)) {
    const f = toFloat32(x, from, n);
    const bits = new Uint32Array(f.buffer);
    const out = new Uint16Array(n);
    const enc = to === "float16" ? float16BitsFromFloat32Bits : bfloat16BitsFromFloat32Bits;
    for (let i = 0; i < n; i++) out[i] = enc(bits[i]);
    return out;
  }
  const f = toFloat32(x, from, n);
  if (to === "float32") return f;
  if (to === "complex64") {
    const out = new Float32Array(2 * n);
    for (let i = 0; i < n; i++) out[2 * i] = f[i];
    return out;
  }
  const out = to === "bool" ? new Uint8Array(n) : to === "int32" ? new Int32Array(n) : new Uint32Array(n);
  for (let i = 0; i < n; i++) out[i] = cast(f[i], to, "float32");
  return out;
}
