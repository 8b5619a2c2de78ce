/**
 * Opcodes and small loop helpers for the hand-written routine generators (scan-lines.ts,
 * copy-rows.ts, depthwise-conv.ts). Numbers follow the WebAssembly core specification; SIMD
 * sub-opcodes go after the 0xFD prefix (`Code.simd`), memory ops carry a memarg (`Code.mem`).
 */
import type { Code } from "./emitter.ts";

/** Core instructions (one byte, no prefix). */
export const OP = {
  select: 0x1b,
  i32Load: 0x28,
  f32Load: 0x2a,
  f64Load: 0x2b,
  i32Store: 0x36,
  f32Store: 0x38,
  i32Eqz: 0x45,
  i32Eq: 0x46,
  i32Ne: 0x47,
  i32LtS: 0x48,
  i32LtU: 0x49,
  i32GtS: 0x4a,
  i32GeS: 0x4e,
  i32GeU: 0x4f,
  f64Eq: 0x61,
  f64Ne: 0x62,
  i32Add: 0x6a,
  i32Sub: 0x6b,
  i32Mul: 0x6c,
  i32And: 0x71,
  i32Or: 0x72,
  i32Shl: 0x74,
  f64Abs: 0x99,
  f64Neg: 0x9a,
  f64Add: 0xa0,
  f64Sub: 0xa1,
  f64Mul: 0xa2,
  f64Max: 0xa5,
  f64PromoteF32: 0xbb,
  f32DemoteF64: 0xb6,
  return: 0x0f,
} as const;

/** SIMD128 sub-opcodes. */
export const SIMD = {
  load: 0x00,
  load32Splat: 0x09,
  store: 0x0b,
  const: 0x0c,
  shuffle: 0x0d,
  i32x4Splat: 0x11,
  f32x4Splat: 0x13,
  f64x2Splat: 0x14,
  f64x2ExtractLane: 0x21,
  f64x2ReplaceLane: 0x22,
  f32x4Eq: 0x41,
  f32x4Ne: 0x42,
  f32x4Lt: 0x43,
  f32x4Gt: 0x44,
  v128Not: 0x4d,
  v128And: 0x4e,
  v128Or: 0x50,
  v128Xor: 0x51,
  v128Bitselect: 0x52,
  load32Lane: 0x56,
  load64Lane: 0x57,
  store32Lane: 0x5a,
  store64Lane: 0x5b,
  load32Zero: 0x5c,
  load64Zero: 0x5d,
  f32x4DemoteF64x2Zero: 0x5e,
  f64x2PromoteLowF32x4: 0x5f,
  i32x4Add: 0xae,
  i32x4Mul: 0xb5,
  i32x4MinS: 0xb6,
  i32x4MinU: 0xb7,
  i32x4MaxS: 0xb8,
  i32x4MaxU: 0xb9,
  f32x4Add: 0xe4,
  f32x4Mul: 0xe6,
  f32x4Pmin: 0xea,
  f32x4Pmax: 0xeb,
  f64x2Add: 0xf0,
  f64x2Sub: 0xf1,
  f64x2Mul: 0xf2,
} as const;

/** `v128.const` of sixteen bytes. */
export function v128Const(c: Code, bytes: readonly number[]): void {
  c.simd(SIMD.const, ...bytes);
}

/** `v128.const` of two f64 lanes. */
export function f64x2Const(c: Code, lo: number, hi: number): void {
  v128Const(c, [...new Uint8Array(new Float64Array([lo, hi]).buffer)]);
}

/** `v128.const` of four 32-bit lanes given as uint32 bit patterns. */
export function i32x4Const(c: Code, lanes: readonly [number, number, number, number]): void {
  v128Const(c, [...new Uint8Array(new Uint32Array(lanes).buffer)]);
}

/** `i8x16.shuffle` taking f64 lanes (lo from `a` or `b`: lanes 0–1 of a, 2–3 of b). */
export function f64x2Shuffle(c: Code, lo: number, hi: number): void {
  const lane = (l: number): number[] => Array.from({ length: 8 }, (_, i) => 8 * l + i);
  c.simd(SIMD.shuffle, ...lane(lo), ...lane(hi));
}

/** `while (<cond>) body()`; `cond` pushes an i32. */
export function whileLoop(c: Code, cond: () => void, body: () => void): void {
  c.block().loop();
  cond();
  c.op(OP.i32Eqz).brIf(1);
  body();
  c.br(0).end().end();
}
