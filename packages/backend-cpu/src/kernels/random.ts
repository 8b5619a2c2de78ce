/**
 * Kernels of the PRNG primitives (core's primitives/random-prims.ts): `threefry2x32` and `fma`.
 *
 * `threefry2x32` is the same loop as core's bit-exact host reference
 * (`random/host-reference.ts` `threefry2x32`), generalised to a key per element — keys are
 * per-element once `vmap` batches them — with scalar operands broadcast.
 */
import type { ShapedArray, TypedArray } from "@linax-ts/core";
import { registerKernel } from "../registry.ts";
import { fmaF32 } from "./special.ts";
import { gatherIndex } from "./strided-index.ts";

/** Operand `x` (of shape `a.shape`) read at every element of `shape` (broadcast along size-1 axes). */
function expand(x: Uint32Array, a: ShapedArray, shape: readonly number[], n: number): Uint32Array {
  if (a.size === n) return x;
  if (a.size === 1) return new Uint32Array(n).fill(x[0]);
  // Same rank, size-1 axes broadcast: stride 0 along them.
  const strides: number[] = [];
  let s = 1;
  for (let i = a.ndim - 1; i >= 0; i--) {
    strides[i] = a.shape[i] === 1 ? 0 : s;
    s *= a.shape[i];
  }
  const idx = gatherIndex(shape, strides);
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) out[i] = x[idx[i]];
  return out;
}

/**
 * One Threefry-2x32 block, the 20 rounds unrolled (rotations 13 15 26 6 / 17 29 16 24, a key
 * injection after every 4 rounds: the next two key-schedule words, plus the injection count on the
 * second word). Writes the two output words to `out[0]`, `out[1]`.
 */
function block(k0: number, k1: number, x0: number, x1: number, out: Uint32Array): void {
  const k2 = (k0 ^ k1 ^ 0x1bd11bda) >>> 0;
  let a = (x0 + k0) >>> 0;
  let b = (x1 + k1) >>> 0;
  // Rounds 1-4, injection 1 (k1, k2 + 1).
  a = (a + b) >>> 0;
  b = ((b << 13) | (b >>> 19)) ^ a;
  a = (a + b) >>> 0;
  b = ((b << 15) | (b >>> 17)) ^ a;
  a = (a + b) >>> 0;
  b = ((b << 26) | (b >>> 6)) ^ a;
  a = (a + b) >>> 0;
  b = ((b << 6) | (b >>> 26)) ^ a;
  a = (a + k1) >>> 0;
  b = (b + k2 + 1) >>> 0;
  // Rounds 5-8, injection 2 (k2, k0 + 2).
  a = (a + b) >>> 0;
  b = ((b << 17) | (b >>> 15)) ^ a;
  a = (a + b) >>> 0;
  b = ((b << 29) | (b >>> 3)) ^ a;
  a = (a + b) >>> 0;
  b = ((b << 16) | (b >>> 16)) ^ a;
  a = (a + b) >>> 0;
  b = ((b << 24) | (b >>> 8)) ^ a;
  a = (a + k2) >>> 0;
  b = (b + k0 + 2) >>> 0;
  // Rounds 9-12, injection 3 (k0, k1 + 3).
  a = (a + b) >>> 0;
  b = ((b << 13) | (b >>> 19)) ^ a;
  a = (a + b) >>> 0;
  b = ((b << 15) | (b >>> 17)) ^ a;
  a = (a + b) >>> 0;
  b = ((b << 26) | (b >>> 6)) ^ a;
  a = (a + b) >>> 0;
  b = ((b << 6) | (b >>> 26)) ^ a;
  a = (a + k0) >>> 0;
  b = (b + k1 + 3) >>> 0;
  // Rounds 13-16, injection 4 (k1, k2 + 4).
  a = (a + b) >>> 0;
  b = ((b << 17) | (b >>> 15)) ^ a;
  a = (a + b) >>> 0;
  b = ((b << 29) | (b >>> 3)) ^ a;
  a = (a + b) >>> 0;
  b = ((b << 16) | (b >>> 16)) ^ a;
  a = (a + b) >>> 0;
  b = ((b << 24) | (b >>> 8)) ^ a;
  a = (a + k1) >>> 0;
  b = (b + k2 + 4) >>> 0;
  // Rounds 17-20, injection 5 (k2, k0 + 5).
  a = (a + b) >>> 0;
  b = ((b << 13) | (b >>> 19)) ^ a;
  a = (a + b) >>> 0;
  b = ((b << 15) | (b >>> 17)) ^ a;
  a = (a + b) >>> 0;
  b = ((b << 26) | (b >>> 6)) ^ a;
  a = (a + b) >>> 0;
  b = ((b << 6) | (b >>> 26)) ^ a;
  out[0] = a + k2;
  out[1] = b + k0 + 5;
}

registerKernel("threefry2x32", (inputs, inAvals, [oa]) => {
  const n = oa.size;
  const [k0, k1, x0, x1] = inputs.map((x, i) => expand(x as Uint32Array, inAvals[i], oa.shape, n));
  const y0 = new Uint32Array(n);
  const y1 = new Uint32Array(n);
  const w = new Uint32Array(2);
  for (let i = 0; i < n; i++) {
    block(k0[i], k1[i], x0[i], x1[i], w);
    y0[i] = w[0];
    y1[i] = w[1];
  }
  return [y0, y1];
});

/**
 * `x·y + z` rounded once to float32. Why `fmaF32` is exact: for float32 inputs the float64
 * product `x·y` is exact (24 + 24 significant bits ≤ 53). The float64 sum `p + z` rounds once
 * more, and rounding that to float32 equals rounding the exact `x·y + z` except when the float64
 * sum lands exactly on a float32 midpoint (a tie) while the exact sum does not; `fmaF32` gets the
 * exact rounding error of the float64 sum from TwoSum and breaks such ties toward it. (For JAX's
 * uniform — `f·span + min`, `f` a multiple of 2^-23 below 1 — the product has at most 47
 * significant bits, and the float64 sum is itself exact, so `Math.fround` of it is the FMA,
 * unless the ulps of `min` and `span` are more than 2^5 apart upward or 2^28 downward; only then
 * can the correction matter.)
 */
registerKernel("fma", ([x, y, z], [xa]) => {
  const n = xa.size;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = fmaF32(x[i], y[i], z[i]);
  return [out] as TypedArray[];
});
