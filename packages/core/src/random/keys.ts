/**
 * PRNG keys: the two key representations, the stream switch, seeding, `split`, `foldIn`.
 *
 * - Raw keys, `PRNGKey(seed)`: uint32 arrays whose last axis has size 2 — JAX's default
 *   (`jax.random.PRNGKey`) and what most code passes around.
 * - Typed keys, `key(seed)`: a `KeyArray`, like JAX's new-style `jax.random.key` key arrays: the
 *   same uint32 data (`keyData(k)`), but its shape is the shape of the key array (`[]` for one
 *   key, `[3]` after `split(k, 3)`), and it is not an array of numbers. It is a pytree node, so it
 *   passes through `jit`, `vmap`, `scan` and `grad` like an array.
 *
 * Every function accepts either kind and returns the kind it was given.
 */
import { Array, type IndexItem } from "../core/array.ts";
import { DTypeError, ShapeError, ValueError } from "../errors.ts";
import { fmtShape, prod } from "../shape.ts";
import { registerPytreeNode } from "../tree/pytree.ts";
import { bitcastConvertType } from "../primitives/elementwise-logic.ts";
import { concatenate, iota } from "../primitives/shape-slicing.ts";
import { reshape } from "../primitives/shape-ops.ts";
import { threefry2x32Hash } from "../primitives/random-prims.ts";
import { constU32, flatHash, hashCounters, keyWords } from "./threefry.ts";
import { checkOptions } from "../numpy/args.ts";

// ------------------------------------------------------------------ stream configuration

/**
 * Global PRNG settings. `threefryPartitionable` is JAX's `jax_threefry_partitionable` (default
 * `true`, as in JAX ≥ 0.5.0): it selects how `split` and the random bits are derived from a key
 * (see README.md). It is read when a function runs — for a `jit`-compiled function, when it is
 * traced — so change it before tracing (or pass `partitionable` per call).
 */
export const config: { threefryPartitionable: boolean } = { threefryPartitionable: true };

/** Per-call choice of stream, overriding `config.threefryPartitionable`. */
export interface StreamOptions {
  /** Use the partitionable stream (`true`) or the legacy one (`false`). */
  partitionable?: boolean;
}

/** The stream a call uses. */
export const partitionableOf = (o: StreamOptions | undefined): boolean =>
  o?.partitionable ?? config.threefryPartitionable;

// ------------------------------------------------------------------ typed keys

/**
 * An array of threefry2x32 PRNG keys (JAX's `key<fry>` arrays). `shape` is the shape of the key
 * array; `data` holds the raw uint32 words, of shape `[...shape, 2]`.
 */
export class KeyArray {
  constructor(
    /** The raw key data: uint32 of shape `[...shape, 2]`. */
    readonly data: Array,
  ) {}
  /** The shape of the key array (the data's shape without its trailing 2). */
  get shape(): readonly number[] {
    return this.data.shape.slice(0, -1);
  }
  get ndim(): number {
    return this.data.ndim - 1;
  }
  get size(): number {
    return prod(this.shape);
  }
  /** JAX's name of the key dtype. */
  get dtype(): string {
    return "key<fry>";
  }
  /** Index the key array like an array (`keys.get(0)`, `keys.get("1:")`). */
  get(...idx: IndexItem[]): KeyArray {
    const d = this.data.get(...idx, { start: null, stop: null });
    if (d.ndim < 1 || d.shape[d.ndim - 1] !== 2)
      throw new ValueError(
        `KeyArray.get: the index must select keys, not words of a key (key array shape ${fmtShape(this.shape)})`,
      );
    return new KeyArray(d);
  }
  /** Iterate over the leading axis: `const [k1, k2] = random.split(random.key(0))`. */
  *[Symbol.iterator](): Iterator<KeyArray> {
    if (this.ndim === 0) throw new ValueError("KeyArray: cannot iterate over a single key (shape [])");
    for (let i = 0; i < this.shape[0]; i++) yield this.get(i);
  }
  /** Release the device buffer of the data. */
  dispose(): void {
    this.data.dispose();
  }
  [Symbol.dispose](): void {
    this.dispose();
  }
  toString(): string {
    return `KeyArray(shape=${fmtShape(this.shape)}, impl=threefry2x32)`;
  }
}
registerPytreeNode(
  KeyArray,
  (k: KeyArray) => [[k.data], null],
  (_aux: null, [d]: unknown[]) => new KeyArray(d as Array),
);

/** A key as the random functions accept it: a typed `KeyArray` or a raw uint32 `[..., 2]` array. */
export type KeyLike = KeyArray | Array;

const describe = (x: unknown): string =>
  x instanceof Array
    ? `an array ${x.aval.toString()}`
    : x === null
      ? "null"
      : typeof x === "object"
        ? `an object (${x.constructor?.name ?? "Object"})`
        : `${typeof x} ${String(x)}`;

/**
 * The raw data (`[...shape, 2]` uint32) of a key argument, validated, and whether it came as a
 * typed key. Errors name the function and what was received.
 */
export function unwrapKey(fn: string, key: unknown): { data: Array; typed: boolean } {
  if (key instanceof KeyArray) return { data: key.data, typed: true };
  if (key instanceof Array) {
    if (key.dtype !== "uint32")
      throw new DTypeError(
        `${fn}: a raw PRNG key must be a uint32 array of shape [2] (or [..., 2] for an array of keys); got dtype ${key.dtype} (shape ${fmtShape(key.shape)})`,
      );
    if (key.ndim < 1 || key.shape[key.ndim - 1] !== 2)
      throw new ShapeError(
        `${fn}: a raw PRNG key must be a uint32 array of shape [2] (or [..., 2] for an array of keys); got shape ${fmtShape(key.shape)}`,
      );
    return { data: key, typed: false };
  }
  throw new ValueError(`${fn}: expected a PRNG key (random.key(seed) or random.PRNGKey(seed)); got ${describe(key)}`);
}

/** The raw `[2]` data of a single key; an array of keys is an error (JAX says: use vmap). */
export function singleKey(fn: string, key: unknown): { data: Array; typed: boolean } {
  const k = unwrapKey(fn, key);
  if (k.data.ndim !== 1) {
    throw new ShapeError(
      `${fn}: expects a single PRNG key, but was given an array of keys of shape ${fmtShape(k.data.shape.slice(0, -1))} (key data shape ${fmtShape(k.data.shape)}); use vmap to apply it to each key`,
    );
  }
  return k;
}

const rewrap = (typed: boolean, data: Array): KeyLike => (typed ? new KeyArray(data) : data);

// ------------------------------------------------------------------ seeding

/**
 * JAX's `threefry_seed` without x64: `[0, seed mod 2^32]`. A JS number or bigint seed must be an
 * integer (negative seeds wrap: -1 → [0, 4294967295]); an int32/uint32 scalar array seed may be
 * traced (e.g. `vmap(random.key)(seeds)`).
 */
function seedData(fn: string, seed: unknown): Array {
  if (typeof seed === "number" || typeof seed === "bigint") {
    if (typeof seed === "number" && !Number.isInteger(seed))
      throw new ValueError(`${fn}: the seed must be an integer; got ${seed}`);
    return constU32([0, Number(BigInt.asUintN(32, BigInt(seed)))], [2]);
  }
  if (seed instanceof Array) {
    if (seed.ndim !== 0)
      throw new ShapeError(
        `${fn}: accepts a scalar seed, but was given an array of shape ${fmtShape(seed.shape)}; use vmap for batching`,
      );
    if (seed.dtype !== "int32" && seed.dtype !== "uint32")
      throw new DTypeError(`${fn}: the seed must have an integer dtype (int32 or uint32); got ${seed.dtype}`);
    // int32 → uint32 keeps the bits (seed mod 2^32), like JAX's `seed & 0xFFFFFFFF`.
    const lo = seed.dtype === "uint32" ? seed : bitcastConvertType(seed, "uint32");
    return concatenate([constU32([0], [1]), reshape(lo, [1])], 0);
  }
  throw new ValueError(
    `${fn}: the seed must be an integer (number, bigint or integer scalar array); got ${describe(seed)}`,
  );
}

/**
 * A typed PRNG key from an integer seed, like `jax.random.key(seed)`: a `KeyArray` of shape [].
 * Its data (`keyData`) equals `PRNGKey(seed)`.
 */
export function key(seed: number | bigint | Array): KeyArray {
  return new KeyArray(seedData("key", seed));
}

/**
 * A raw PRNG key from an integer seed, like `jax.random.PRNGKey(seed)`: a uint32 array of shape
 * [2], `[0, seed mod 2^32]` (JAX without x64).
 */
export function PRNGKey(seed: number | bigint | Array): Array {
  return seedData("PRNGKey", seed);
}

/** The raw uint32 data of keys (`[...shape, 2]`), like `jax.random.key_data`. */
export function keyData(keys: KeyLike): Array {
  return unwrapKey("keyData", keys).data;
}

/** Wrap raw key data (`[..., 2]` uint32) as a typed `KeyArray`, like `jax.random.wrap_key_data`. */
export function wrapKeyData(data: Array): KeyArray {
  return new KeyArray(unwrapKey("wrapKeyData", data).data);
}

// ------------------------------------------------------------------ split / foldIn

/**
 * Raw split of a raw `[2]` key into keys of shape `[...shape, 2]`. Partitionable
 * (`_threefry_split_foldlike`): key i is both hash words of counter `(0, i)`, i.e. `foldIn(key, i)`.
 * Legacy (`_threefry_split_original`): the flat hash of `iota(2n)` read as `(n, 2)`.
 */
export function splitRaw(k: Array, shape: readonly number[], partitionable: boolean): Array {
  const n = prod(shape);
  if (partitionable) {
    const [y0, y1] = hashCounters(k, [n]);
    return reshape(concatenate([reshape(y0, [n, 1]), reshape(y1, [n, 1])], 1), [...shape, 2]);
  }
  return reshape(flatHash(k, iota("uint32", [2 * n])), [...shape, 2]);
}

/**
 * Split a key into `num` new keys (`jax.random.split`): a new leading axis of size `num`, or the
 * shape `num` when it is a list. Returns the kind of key it was given (raw: uint32 `[num, 2]`).
 */
export function split(key: KeyArray, num?: number | readonly number[], opts?: StreamOptions): KeyArray;
export function split(key: Array, num?: number | readonly number[], opts?: StreamOptions): Array;
export function split(key: KeyLike, num?: number | readonly number[], opts?: StreamOptions): KeyLike;
export function split(key: KeyLike, num: number | readonly number[] = 2, opts?: StreamOptions): KeyLike {
  checkOptions("split", opts, { partitionable: "boolean" });
  const { data, typed } = singleKey("split", key);
  const shape = typeof num === "number" ? [num] : [...num];
  if (shape.some((d) => !Number.isInteger(d) || d < 0))
    throw new ValueError(`split: num must be a non-negative integer or a shape; got ${JSON.stringify(num)}`);
  return rewrap(typed, splitRaw(data, shape, partitionableOf(opts)));
}

/**
 * Fold `data` (an integer, taken mod 2^32, or an int32/uint32 scalar array) into a key
 * (`jax.random.fold_in`): both hash words of counter `(0, data)`. The same in both streams.
 */
export function foldIn(key: KeyArray, data: number | Array): KeyArray;
export function foldIn(key: Array, data: number | Array): Array;
export function foldIn(key: KeyLike, data: number | Array): KeyLike;
export function foldIn(key: KeyLike, data: number | Array): KeyLike {
  const k = singleKey("foldIn", key);
  let d: Array;
  if (typeof data === "number") {
    if (!Number.isInteger(data)) throw new ValueError(`foldIn: data must be an integer; got ${data}`);
    d = constU32([Number(BigInt.asUintN(32, BigInt(data)))], []);
  } else if (data instanceof Array) {
    if (data.ndim !== 0)
      throw new ShapeError(
        `foldIn: accepts a scalar, but was given an array of shape ${fmtShape(data.shape)}; use vmap for batching`,
      );
    if (data.dtype !== "int32" && data.dtype !== "uint32")
      throw new DTypeError(`foldIn: data must have an integer dtype (int32 or uint32); got ${data.dtype}`);
    d = data.dtype === "uint32" ? data : bitcastConvertType(data, "uint32");
  } else throw new ValueError(`foldIn: data must be an integer or an integer scalar array; got ${describe(data)}`);
  const [k0, k1] = keyWords(k.data);
  const [y0, y1] = threefry2x32Hash(k0, k1, constU32([0], []), d);
  return rewrap(k.typed, concatenate([reshape(y0, [1]), reshape(y1, [1])], 0));
}
