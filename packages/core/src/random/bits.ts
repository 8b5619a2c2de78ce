/**
 * Random bits (`jax._src.prng.threefry_random_bits`) in both streams, and the public `bits`.
 */
import type { Array } from "../core/array.ts";
import { DTypeError, ValueError } from "../errors.ts";
import type { DType } from "../dtype.ts";
import { checkShape, prod } from "../shape.ts";
import { fullLike, mul } from "../primitives/elementwise.ts";
import { bitwiseAnd, bitwiseXor, shiftRightLogical } from "../primitives/elementwise-logic.ts";
import { broadcastInDim, reshape } from "../primitives/shape-ops.ts";
import { iota, slice } from "../primitives/shape-slicing.ts";
import { partitionableOf, singleKey, type KeyLike, type StreamOptions } from "./keys.ts";
import { constU32, flatHash, hashCounters } from "./threefry.ts";
import { checkOptions } from "../numpy/args.ts";

/** Bit widths the samplers draw (uint32 storage; 8/16 give values below 2^8 / 2^16). */
export type BitWidth = 8 | 16 | 32;

/**
 * `bitWidth`-bit random values of shape `shape` from the raw `[2]` key `k`, as uint32.
 *
 * Partitionable (`_threefry_random_bits_partitionable`): element i hashes the counter of its flat
 * index, and its bits are `y0 ^ y1` (8/16 bits: truncated). Legacy
 * (`_threefry_random_bits_original`): hash `iota(ceil(w·n/32))` with the flat half-split layout;
 * 8/16-bit values are the little-endian pieces of those words.
 */
export function randomBits(k: Array, bitWidth: BitWidth, shape: readonly number[], partitionable: boolean): Array {
  const n = prod(shape);
  if (n === 0) return broadcastInDim(constU32([0], []), shape, []);
  if (partitionable) {
    const [y0, y1] = hashCounters(k, shape);
    const bits = bitwiseXor(y0, y1);
    return bitWidth === 32 ? bits : bitwiseAnd(bits, fullLike(bits, 2 ** bitWidth - 1));
  }
  const maxCount = Math.ceil((bitWidth * n) / 32);
  const words = flatHash(k, iota("uint32", [maxCount]));
  if (bitWidth === 32) return reshape(words, shape);
  // Word j holds pieces j·per … j·per + per − 1, lowest bits first (a little-endian view).
  const per = 32 / bitWidth;
  const grid = broadcastInDim(words, [maxCount, per], [0]);
  const shifts = mul(iota("uint32", [maxCount, per], 1), fullLike(grid, bitWidth));
  const pieces = bitwiseAnd(shiftRightLogical(grid, shifts), fullLike(grid, 2 ** bitWidth - 1));
  return reshape(slice(reshape(pieces, [maxCount * per]), [0], [n]), shape);
}

/** Options of `bits`. */
export interface BitsOptions extends StreamOptions {
  /** The result dtype; only `uint32` exists here (JAX's uint8/16/64 have no dtype of ours). */
  dtype?: DType;
  /**
   * Draw JAX's 8- or 16-bit values (`bits(key, shape, uint8/uint16)`), stored as uint32 values
   * below 2^8 / 2^16. Default 32.
   */
  bitWidth?: BitWidth;
}

/**
 * Uniform random bits (`jax.random.bits`): a uint32 array of shape `shape`.
 */
export function bits(key: KeyLike, shape: readonly number[] = [], opts: BitsOptions = {}): Array {
  checkOptions("bits", opts, { dtype: "any", bitWidth: "any", partitionable: "any" });
  const k = singleKey("bits", key).data;
  checkShape("bits", shape);
  const dtype = opts.dtype ?? "uint32";
  if (dtype !== "uint32")
    throw new DTypeError(
      `bits: dtype must be an unsigned integer dtype (uint32; use bitWidth 8 or 16 for JAX's uint8/uint16 values); got ${dtype}`,
    );
  const w = opts.bitWidth ?? 32;
  if (w !== 8 && w !== 16 && w !== 32) throw new ValueError(`bits: bitWidth must be 8, 16 or 32; got ${String(w)}`);
  return randomBits(k, w, shape, partitionableOf(opts));
}
