/**
 * WGSL kernels of convertElementType (core's primitives/convert.ts) and of the complex-part
 * primitives real, imag, conj, complex (primitives/complex.ts), mimicking the CPU kernel's
 * `castValue` (packages/backend-cpu/src/kernels/elementwise.ts) for every dtype pair:
 *
 * - float→int32/uint32 truncates toward zero, saturates, NaN → 0 (XLA);
 * - int32/uint32/bool → int32/uint32 keeps the 32 bits (uint32 4294967295 ↔ int32 -1);
 * - → bool is x != 0 (float NaN → false; complex: re != 0 or im != 0, where a NaN part counts);
 * - int → float32 rounds to nearest-even like a Float32Array store;
 * - complex → real dtypes cast the real part; real → complex gives (x, 0);
 * - float16/bfloat16 (16-bit patterns in a u32, storage.ts) go through float32: decoding is exact,
 *   encoding rounds the float32 bits to nearest even with integer operations only — the same
 *   algorithm as core's half.ts, so both backends give the same bits whatever the adapter (no
 *   `shader-f16` needed, no dependence on the GPU's f16 subnormal or NaN handling).
 *
 * Every buffer is declared as raw words (u32, or vec2<u32> for complex64) and values moved
 * unchanged are copied as bits, so NaN payloads, -0 and subnormals survive exactly as on the CPU
 * (a GPU may flush subnormals or quiet NaNs when it handles them as floats).
 */
import { InternalError } from "@linax-ts/core";
import type { DType } from "@linax-ts/core";
import { registerKernel } from "../registry.ts";
import { simpleProgram, type BufferDecl } from "../program.ts";
import { WGSL_CONVERT, WGSL_FLOAT_BITS } from "./wgsl-logic.ts";

/** The raw word type a dtype's elements are handled as here. */
const word = (d: DType): string => (d === "complex64" ? "vec2<u32>" : "u32");

const isHalf = (d: DType): d is "float16" | "bfloat16" => d === "float16" || d === "bfloat16";

/** WGSL of core's half.ts conversions (see there for the derivations), on u32 bit patterns. */
export const WGSL_HALF = `
fn f32BitsToF16Bits(x: u32) -> u32 {
  let s = (x >> 16u) & 0x8000u;
  let a = x & 0x7fffffffu;
  if (a > 0x7f800000u) { return s | 0x7c00u | max((a & 0x7fffffu) >> 13u, 1u); }
  if (a >= 0x477ff000u) { return s | 0x7c00u; }
  if (a >= 0x38800000u) {
    let r = a - 0x38000000u;
    return s | ((r + 0xfffu + ((r >> 13u) & 1u)) >> 13u);
  }
  if (a <= 0x33000000u) { return s; }
  let shift = 126u - (a >> 23u);
  let mant = (a & 0x7fffffu) | 0x800000u;
  var q = mant >> shift;
  let rem = mant & ((1u << shift) - 1u);
  let half = 1u << (shift - 1u);
  if (rem > half || (rem == half && (q & 1u) == 1u)) { q = q + 1u; }
  return s | q;
}
fn f16BitsToF32Bits(h: u32) -> u32 {
  let s = (h & 0x8000u) << 16u;
  let e = (h >> 10u) & 0x1fu;
  let m = h & 0x3ffu;
  if (e == 31u) { return s | 0x7f800000u | (m << 13u); }
  if (e != 0u) { return s | ((e + 112u) << 23u) | (m << 13u); }
  if (m == 0u) { return s; }
  let p = firstLeadingBit(m);
  return s | ((p + 103u) << 23u) | ((m << (23u - p)) & 0x7fffffu);
}
fn f32BitsToBf16Bits(x: u32) -> u32 {
  if ((x & 0x7fffffffu) > 0x7f800000u) { return ((x >> 16u) & 0x8000u) | 0x7fc0u; }
  return (x + 0x7fffu + ((x >> 16u) & 1u)) >> 16u;
}
fn bf16BitsToF32Bits(h: u32) -> u32 { return h << 16u; }
`;

/** WGSL: float32 bits of the half word `v` (exact). */
const halfToF32Bits = (v: string, d: "float16" | "bfloat16"): string =>
  d === "float16" ? `f16BitsToF32Bits(${v})` : `bf16BitsToF32Bits(${v})`;
/** WGSL: the half word of the float32 bits `v` (rounded to nearest even). */
const f32BitsToHalf = (v: string, d: "float16" | "bfloat16"): string =>
  d === "float16" ? `f32BitsToF16Bits(${v})` : `f32BitsToBf16Bits(${v})`;

/** WGSL: the f32 value of the word `v` of a non-complex dtype, rounded as a Float32Array store rounds. */
function toF32(v: string, from: DType): string {
  switch (from) {
    case "float32":
      return `bitcast<f32>(${v})`;
    case "int32":
      return `i32ToF32(bitcast<i32>(${v}))`;
    case "uint32":
      return `u32ToF32(${v})`;
    case "bool":
      return `f32(${v})`;
    case "complex64":
    case "float16":
    case "bfloat16":
      throw new InternalError("unreachable: complex and half handled by the caller");
  }
}

/** WGSL: the output word (u32 bits) of `to` for the input word `v` of the real dtype `from`. */
function castReal(v: string, from: DType, to: DType): string {
  const intLike = from !== "float32";
  switch (to) {
    case "int32":
    case "uint32":
      // Integer and bool sources keep their bits; float sources convert with saturation.
      if (intLike) return v;
      return to === "int32" ? `bitcast<u32>(f32ToI32(bitcast<f32>(${v})))` : `f32ToU32(bitcast<f32>(${v}))`;
    case "bool":
      return intLike ? `select(0u, 1u, ${v} != 0u)` : `f32BitsToBool(${v})`;
    case "float32":
      return from === "float32" ? v : `bitcast<u32>(${toF32(v, from)})`;
    case "complex64":
    case "float16":
    case "bfloat16":
      throw new InternalError("unreachable: complex and half handled by the caller");
  }
}

/** WGSL: the output word of `to` for the input word `v` (of the storage word type of `from`). */
export function castExpr(v: string, from: DType, to: DType): string {
  if (from === to) return v;
  // Halves: through the exact float32 value (integers, bool and complex reach float32 first, as
  // on the CPU, where int → bfloat16 also rounds to float32 first, like XLA).
  if (isHalf(from)) return castExpr(halfToF32Bits(v, from), "float32", to);
  if (isHalf(to)) return f32BitsToHalf(castExpr(v, from, "float32"), to);
  if (from === "complex64") {
    // re != 0 || im != 0 as in JS, where a NaN part is != 0: only the ±0 bits compare equal.
    if (to === "bool") return `select(0u, 1u, ((${v}.x | ${v}.y) & 0x7fffffffu) != 0u)`;
    return castReal(`${v}.x`, "float32", to);
  }
  if (to === "complex64") return `vec2<u32>(${castReal(v, from, "float32")}, 0u)`;
  return castReal(v, from, to);
}

registerKernel("convertElementType", ([xa], [oa]) => {
  const decls: BufferDecl[] = [
    { name: "src", slot: { in: 0 }, type: word(xa.dtype) },
    { name: "dst", slot: { out: 0 }, type: word(oa.dtype), write: true },
  ];
  return simpleProgram(
    decls,
    oa.size,
    `  dst[i] = ${castExpr("src[i]", xa.dtype, oa.dtype)};`,
    WGSL_FLOAT_BITS + WGSL_CONVERT + WGSL_HALF,
  );
});

/** A one-input, one-output bit-moving kernel over raw words. */
function moveKernel(name: string, inWord: string, outWord: string, expr: string): void {
  registerKernel(name, (_in, [oa]) => {
    const decls: BufferDecl[] = [
      { name: "src", slot: { in: 0 }, type: inWord },
      { name: "dst", slot: { out: 0 }, type: outWord, write: true },
    ];
    return simpleProgram(decls, oa.size, `  dst[i] = ${expr};`);
  });
}

moveKernel("real", "vec2<u32>", "u32", "src[i].x");
moveKernel("imag", "vec2<u32>", "u32", "src[i].y");
// Negation flips the sign bit only (as JS's unary minus does, on NaN too).
moveKernel("conj", "vec2<u32>", "vec2<u32>", "vec2<u32>(src[i].x, src[i].y ^ 0x80000000u)");

registerKernel("complex", (_in, [oa]) => {
  const decls: BufferDecl[] = [
    { name: "re", slot: { in: 0 }, type: "u32" },
    { name: "im", slot: { in: 1 }, type: "u32" },
    { name: "dst", slot: { out: 0 }, type: "vec2<u32>", write: true },
  ];
  return simpleProgram(decls, oa.size, "  dst[i] = vec2<u32>(re[i], im[i]);");
});
