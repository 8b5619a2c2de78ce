/**
 * WGSL building blocks of the sort kernel (sort.ts): order-preserving u32 encodings of sort keys,
 * the comparator over encoded keys, and the bitonic network's passes.
 *
 * Keys are encoded once into u32 words whose unsigned order is the CPU kernel's order (numpy's:
 * NaN last and all NaNs equal, -0 == 0, complex by real then imaginary part), so the network only
 * compares words, for any number and dtype of keys, with two storage bindings per pass. Ties break
 * by the original index: the order is total, so the (unstable) bitonic network yields exactly the
 * stable sort, bit-identical to the CPU kernel.
 */
import type { DType } from "@linax-ts/core";
import { halfUnreachable } from "../storage.ts";

/** How many u32 words one element of a key of `dtype` encodes to. */
export const keyWords = (dtype: DType): number => (dtype === "complex64" ? 2 : 1);

/**
 * WGSL `fkey(bits) -> u32`: float32 bits to a word whose unsigned order is numpy's float order.
 * Works on the bits (not on f32 values) so no compiler's NaN or signed-zero assumptions apply:
 * every NaN → 0xffffffff (after +inf, all NaNs equal); ±0 → 0x80000000 (equal); positive x →
 * bits with the sign bit set; negative x → all bits flipped (larger magnitude → smaller word).
 */
export const WGSL_FKEY = /* wgsl */ `
fn fkey(b: u32) -> u32 {
  let m = b & 0x7fffffffu;
  if (m > 0x7f800000u) { return 0xffffffffu; }
  if (m == 0u) { return 0x80000000u; }
  return select(b | 0x80000000u, ~b, (b & 0x80000000u) != 0u);
}
`;

/** WGSL expressions of the encoded words of a key element loaded as `v` (u32, or vec2<u32> for complex). */
export function encodeWords(dtype: DType, v: string): string[] {
  switch (dtype) {
    case "float32":
      return [`fkey(${v})`];
    case "complex64":
      return [`fkey(${v}.x)`, `fkey(${v}.y)`];
    case "int32":
      // Flipping the sign bit maps two's complement order onto unsigned order.
      return [`(${v} ^ 0x80000000u)`];
    case "uint32":
    case "bool":
      return [v];
    case "float16":
    case "bfloat16":
      return halfUnreachable("sort", dtype);
  }
}

/** The raw WGSL storage type that moves one element of `dtype` bit for bit. */
export const rawType = (dtype: DType): string => (dtype === "complex64" ? "vec2<u32>" : "u32");

/**
 * WGSL `before(line, a, b) -> bool`: whether original position `a` sorts strictly before `b` in
 * line `line`. Positions ≥ n are the padding up to the network's power-of-two size and sort after
 * every real element (and by position among themselves). Reads `keys`: the encoded words,
 * laid out [line][position][word] with `w` words per element.
 */
export function wgslBefore(n: number, w: number): string {
  const cmp: string[] = [];
  for (let c = 0; c < w; c++) {
    cmp.push(
      `  let a${c} = keys[ka + ${c}u];`,
      `  let b${c} = keys[kb + ${c}u];`,
      `  if (a${c} != b${c}) { return a${c} < b${c}; }`,
    );
  }
  return /* wgsl */ `
fn before(line: u32, a: u32, b: u32) -> bool {
  // Padding sorts after real positions, which are all smaller: position order does both.
  if (a >= ${n}u || b >= ${n}u) { return a < b; }
  let ka = (line * ${n}u + a) * ${w}u;
  let kb = (line * ${n}u + b) * ${w}u;
${cmp.join("\n")}
  return a < b;
}
`;
}

/**
 * One compare-exchange of the bitonic network on `perm` (positions of a line's elements): the
 * pair (lo, lo + j) ends ascending when bit k of the global position `g` of lo is clear.
 */
export const exchange = (arr: string, lo: string, hi: string, g: string, k: string, line: string): string => `
    let x = ${arr}[${lo}];
    let y = ${arr}[${hi}];
    let asc = ((${g}) & (${k})) == 0u;
    if (select(before(${line}, x, y), before(${line}, y, x), asc)) {
      ${arr}[${lo}] = y;
      ${arr}[${hi}] = x;
    }`;
