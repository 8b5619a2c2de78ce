/**
 * The scatter family's combiners over raw words (shape.ts): WGSL for "running value `a` combined
 * with update `b`" per primitive and dtype, with the CPU kernel's exact semantics. Float
 * comparisons work on the bits (NaN checks and a total-order key), so NaN and ±0 behave as the
 * CPU's Math.min/max and JS comparisons whatever the device assumes about non-finite floats.
 */
import type { DType } from "@linax-ts/core";
import { halfUnreachable } from "../storage.ts";
import { WGSL_EXACT } from "./wgsl-lib.ts";

export type Combine = "set" | "add" | "mul" | "min" | "max";

/** WGSL helpers over raw float words (each used only through the combiners below). */
export const WGSL_WORD_FLOAT =
  WGSL_EXACT +
  /* wgsl */ `
fn fnan(x: u32) -> bool { return (x & 0x7fffffffu) > 0x7f800000u; }
// Monotone key: u32 order of keys is float order, with -0 < +0 (as Math.min/max order them).
fn fkey(x: u32) -> u32 { return select(x | 0x80000000u, ~x, (x & 0x80000000u) != 0u); }
// Math.min/Math.max on float32 words: NaN if either is NaN (stored as the canonical quiet NaN).
fn fminw(a: u32, b: u32) -> u32 { if (fnan(a) || fnan(b)) { return 0x7fc00000u; } return select(a, b, fkey(b) < fkey(a)); }
fn fmaxw(a: u32, b: u32) -> u32 { if (fnan(a) || fnan(b)) { return 0x7fc00000u; } return select(a, b, fkey(b) > fkey(a)); }
// IEEE x > y and x == y (false with NaN; -0 == +0).
fn bothZero(x: u32, y: u32) -> bool { return ((x | y) & 0x7fffffffu) == 0u; }
fn fgtw(x: u32, y: u32) -> bool { return !fnan(x) && !fnan(y) && !bothZero(x, y) && fkey(x) > fkey(y); }
fn feqw(x: u32, y: u32) -> bool { return !fnan(x) && !fnan(y) && (x == y || bothZero(x, y)); }
fn cmulw(o: vec2<u32>, u: vec2<u32>) -> vec2<u32> {
  let x = bitcast<vec2<f32>>(o);
  let y = bitcast<vec2<f32>>(u);
  return bitcast<vec2<u32>>(vec2<f32>(dot2(x.x, y.x, -x.y, y.y), dot2(x.x, y.y, x.y, y.x)));
}
// Lexicographic (real, then imaginary) as JAX orders complex numbers; ties keep the operand.
fn cmaxw(o: vec2<u32>, u: vec2<u32>) -> vec2<u32> { return select(o, u, fgtw(u.x, o.x) || (feqw(u.x, o.x) && fgtw(u.y, o.y))); }
fn cminw(o: vec2<u32>, u: vec2<u32>) -> vec2<u32> { return select(o, u, fgtw(o.x, u.x) || (feqw(u.x, o.x) && fgtw(o.y, u.y))); }
`;

/** WGSL expression combining the running value `a` with update `b` (raw words), per dtype. */
export function combineExpr(kind: Exclude<Combine, "set">, dtype: DType): string {
  const f = (op: string): string => `bitcast<u32>(bitcast<f32>(a) ${op} bitcast<f32>(b))`;
  switch (dtype) {
    case "int32":
    case "uint32": {
      // Wrap-around + and × have the same low 32 bits for both signednesses.
      if (kind === "add") return "a + b";
      if (kind === "mul") return "a * b";
      return dtype === "uint32" ? `${kind}(a, b)` : `bitcast<u32>(${kind}(bitcast<i32>(a), bitcast<i32>(b)))`;
    }
    case "float16":
    case "bfloat16":
      return halfUnreachable("scatter combine", dtype);
    case "bool":
      // numpy's bool arithmetic, as the CPU kernel: + and max are or, × and min are and.
      return kind === "add" || kind === "max" ? "a | b" : "a & b";
    case "float32":
      return kind === "add" ? f("+") : kind === "mul" ? f("*") : `f${kind}w(a, b)`;
    case "complex64":
      return kind === "add"
        ? "bitcast<vec2<u32>>(bitcast<vec2<f32>>(a) + bitcast<vec2<f32>>(b))"
        : kind === "mul"
          ? "cmulw(a, b)"
          : `c${kind}w(a, b)`;
  }
}

/** Whether folding updates in a different order can change the result (float rounding, NaN ties). */
export const orderSensitive = (kind: Combine, dtype: DType): boolean =>
  dtype === "complex64" || (dtype === "float32" && (kind === "add" || kind === "mul"));
