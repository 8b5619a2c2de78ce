/**
 * WGSL kernels of convertElementType (core's primitives/convert.ts) and of the complex-part
 * primitives real, imag, conj, complex (primitives/complex.ts), mimicking the CPU kernel's
 * `castValue` (packages/backend-cpu/src/kernels/elementwise.ts) for every dtype pair:
 *
 * - float→int32/uint32 truncates toward zero, saturates, NaN → 0 (XLA);
 * - int32/uint32/bool → int32/uint32 keeps the 32 bits (uint32 4294967295 ↔ int32 -1);
 * - → bool is x != 0 (float NaN → false; complex: re != 0 or im != 0, where a NaN part counts);
 * - int → float32 rounds to nearest-even like a Float32Array store;
 * - complex → real dtypes cast the real part; real → complex gives (x, 0).
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
      throw new InternalError("unreachable: complex handled by the caller");
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
      throw new InternalError("unreachable: complex handled by the caller");
  }
}

/** WGSL: the output word of `to` for the input word `v` (of the storage word type of `from`). */
export function castExpr(v: string, from: DType, to: DType): string {
  if (from === to) return v;
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
  return simpleProgram(decls, oa.size, `  dst[i] = ${castExpr("src[i]", xa.dtype, oa.dtype)};`, WGSL_FLOAT_BITS + WGSL_CONVERT);
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
