/**
 * The hashing layer of the PRNG, on raw uint32 key data (`[2]`): key words, the counter layouts of
 * the two streams, and JAX's public `threefry_2x32(keypair, count)`. Everything here binds the
 * `threefry2x32` primitive, so it traces under `jit`/`vmap`/`scan` like any lax op.
 */
import type { Array } from "../core/array.ts";
import { ShapedArray } from "../core/aval.ts";
import { fromHost } from "../core/concrete.ts";
import { getBackend } from "../backend.ts";
import { ShapeError } from "../errors.ts";
import { fmtShape, prod } from "../shape.ts";
import { threefry2x32Hash } from "../primitives/random-prims.ts";
import { concatenate, iota, slice } from "../primitives/shape-slicing.ts";
import { reshape } from "../primitives/shape-ops.ts";

/** A concrete uint32 array from host words (taken mod 2^32). */
export function constU32(words: readonly number[], shape: readonly number[]): Array {
  return fromHost(
    getBackend(),
    Uint32Array.from(words, (w) => w >>> 0),
    new ShapedArray(shape, "uint32"),
  );
}

/** The two words of a raw `[2]` key, as uint32 scalars. */
export function keyWords(k: Array): [Array, Array] {
  return [reshape(slice(k, [0], [1]), []), reshape(slice(k, [1], [2]), [])];
}

/** Flat element counts at or beyond 2^32 would need the high counter word; no JS array gets there. */
function checkCount(fn: string, n: number): void {
  if (n >= 2 ** 32) throw new ShapeError(`${fn}: cannot draw ${n} values (2^32 or more) from one key`);
}

/**
 * Partitionable counters (`iota_2x32_shape`): element i of `shape` (row-major) hashes the
 * counter pair `(hi(i), lo(i))` of its flat index — `(0, i)` below 2^32. Returns `[y0, y1]` of
 * shape `shape`.
 */
export function hashCounters(k: Array, shape: readonly number[]): [Array, Array] {
  const n = prod(shape);
  checkCount("random", n);
  const [k0, k1] = keyWords(k);
  const lo = reshape(iota("uint32", [n]), shape);
  return threefry2x32Hash(k0, k1, constU32([0], []), lo);
}

/**
 * JAX's `threefry_2x32(keypair, count)` on a flat count: split it into halves (padding an odd
 * length with one 0), hash the halves as the two counter words, and concatenate the two output
 * words — so element i is paired with element i + n/2. Returns the flat result (length n).
 */
export function flatHash(k: Array, count: Array): Array {
  const n = count.size;
  checkCount("threefry2x32", n);
  let flat = reshape(count, [n]);
  if (n === 0) return flat;
  const odd = n % 2;
  if (odd) flat = concatenate([flat, constU32([0], [1])], 0);
  const half = (n + odd) / 2;
  const [k0, k1] = keyWords(k);
  const [y0, y1] = threefry2x32Hash(k0, k1, slice(flat, [0], [half]), slice(flat, [half], [2 * half]));
  const out = concatenate([y0, y1], 0);
  return odd ? slice(out, [0], [n]) : out;
}

/**
 * `jax.random.threefry_2x32(keypair, count)`: the Threefry-2x32 hash of a uint32 array `count`
 * (any shape) under the raw key `keypair` (uint32 `[2]`), with JAX's flat half-split layout.
 * Returns a uint32 array of `count`'s shape.
 */
export function threefry2x32(keypair: Array, count: Array): Array {
  if (keypair.dtype !== "uint32" || keypair.ndim !== 1 || keypair.shape[0] !== 2) {
    throw new ShapeError(`threefry2x32: keypair must be a uint32 array of shape [2]; got ${keypair.aval.toString()}`);
  }
  if (count.dtype !== "uint32")
    throw new ShapeError(
      `threefry2x32: count must be uint32; got ${count.aval.toString()} (shape ${fmtShape(count.shape)})`,
    );
  return reshape(flatHash(keypair, count), count.shape);
}
