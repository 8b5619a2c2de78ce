/**
 * Bit-exact host reference of JAX's default PRNG (threefry2x32) and its float32 samplers.
 *
 * Pure functions on typed arrays, with no dependency on the array library: this is the oracle
 * that the traced `random` implementation is tested against, and the place where the details of
 * JAX's algorithms are pinned down before they are ported. Every function names the JAX (or XLA)
 * source function it follows. Semantics are those of JAX with `jax_enable_x64=False` (float32 /
 * int32 / uint32 results), and both settings of `jax_threefry_partitionable` (`true` is JAX's
 * default since 0.5.0; `false` is the legacy stream that older published values belong to).
 *
 * Float32 arithmetic is emulated with `Math.fround` after every operation, and transcendental
 * functions are XLA:CPU's own approximations (`xla-f32-math.ts`), multiply-adds fused the way
 * XLA:CPU fuses them. Bits, keys and integer/boolean samplers are backend-independent; float
 * samplers reproduce JAX on CPU (GPU uses other erf/erf_inv/log code and differs by a few ulps).
 */

import { ValueError } from "../errors.ts";
import {
  F32_TINY,
  bitsToF32,
  erfAccurateF32,
  erfF32,
  erfInvF32,
  fmaF32,
  log1pF32,
  logF32,
  nextAfterF32,
} from "./xla-f32-math.ts";

export * from "./xla-f32-math.ts";

/** A threefry key: two uint32 words. */
export type Key = Uint32Array;

/** Options shared by every stream-dependent function. */
export interface StreamOptions {
  /** `jax_threefry_partitionable`; defaults to `true`, JAX's default since 0.5.0. */
  partitionable?: boolean;
}

const partitionableOf = (o: StreamOptions | undefined): boolean => o?.partitionable ?? true;
const f32 = Math.fround;
const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

// ---------------------------------------------------------------------------------------------
// threefry2x32 — jax/_src/prng.py `_threefry2x32_lowering` (Random123's Threefry-2x32, 20 rounds)
// ---------------------------------------------------------------------------------------------

const ROTATIONS: readonly (readonly number[])[] = [
  [13, 15, 26, 6],
  [17, 29, 16, 24],
];

const rotl = (v: number, d: number): number => ((v << d) | (v >>> (32 - d))) >>> 0;

/**
 * Threefry-2x32 hash of the counter pairs `(x0[i], x1[i])` under `key`, exactly as JAX's
 * `threefry2x32_p`: 20 rounds, key injection every 4 rounds with the injection counter added to
 * the second word. `key` may be a 2-element Uint32Array or a pair of numbers (taken mod 2^32).
 */
export function threefry2x32(
  key: readonly [number, number] | Uint32Array,
  x0: Uint32Array,
  x1: Uint32Array,
): [Uint32Array, Uint32Array] {
  if (x0.length !== x1.length) throw new ValueError("threefry2x32: x0 and x1 must have equal length");
  const k0 = key[0] >>> 0;
  const k1 = key[1] >>> 0;
  const ks = [k0, k1, (k0 ^ k1 ^ 0x1bd11bda) >>> 0];
  const y0 = new Uint32Array(x0.length);
  const y1 = new Uint32Array(x0.length);
  for (let i = 0; i < x0.length; i++) {
    let a = (x0[i] + ks[0]) >>> 0;
    let b = (x1[i] + ks[1]) >>> 0;
    for (let inj = 1; inj <= 5; inj++) {
      // Rounds alternate between the two rotation sets, 4 rounds per key injection.
      for (const r of ROTATIONS[(inj - 1) % 2]) {
        a = (a + b) >>> 0;
        b = (rotl(b, r) ^ a) >>> 0;
      }
      a = (a + ks[inj % 3]) >>> 0;
      b = (b + ks[(inj + 1) % 3] + inj) >>> 0;
    }
    y0[i] = a;
    y1[i] = b;
  }
  return [y0, y1];
}

/**
 * JAX's `threefry_2x32(keypair, count)` (jax/_src/prng.py): hashes a flat count array by
 * splitting it into halves — with a 0 appended when its length is odd — hashing the halves as
 * the two words, concatenating the two outputs, and dropping the padding element.
 */
export function threefry2x32Flat(key: Key, count: Uint32Array): Uint32Array {
  const odd = count.length % 2;
  const padded = new Uint32Array(count.length + odd);
  padded.set(count);
  const half = padded.length / 2;
  const [y0, y1] = threefry2x32(key, padded.subarray(0, half), padded.subarray(half));
  const out = new Uint32Array(padded.length);
  out.set(y0);
  out.set(y1, half);
  return odd ? out.slice(0, count.length) : out;
}

const iota = (n: number): Uint32Array => Uint32Array.from({ length: n }, (_, i) => i);

/**
 * JAX's `iota_2x32_shape(shape)`: the row-major flat index of every element as a uint64, split
 * into `[hi, lo]` uint32 words. A scalar shape gives one zero counter.
 */
export function iota2x32Shape(shape: readonly number[]): [Uint32Array, Uint32Array] {
  const n = size(shape);
  const hi = new Uint32Array(n);
  const lo = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    hi[i] = Math.floor(i / 2 ** 32);
    lo[i] = i >>> 0;
  }
  return [hi, lo];
}

// ---------------------------------------------------------------------------------------------
// Keys — jax/_src/prng.py `threefry_seed`, `threefry_split`, `threefry_fold_in`
// ---------------------------------------------------------------------------------------------

/**
 * `jax.random.PRNGKey(seed)` / `key_data(jax.random.key(seed))`, `threefry_seed`: `[seed >> 32,
 * seed & 0xFFFFFFFF]`. Without x64 the seed is a 32-bit integer, so the high word is 0 and a
 * negative seed wraps (-1 → [0, 4294967295]); with `x64` the high word is the int64's upper half
 * (-1 → [4294967295, 4294967295]), as in JAX's `test_prng_seeds_and_keys`.
 */
export function prngKey(seed: number | bigint, opts?: { x64?: boolean }): Key {
  const s = BigInt.asIntN(64, BigInt(seed));
  const hi = opts?.x64 ? Number(BigInt.asUintN(32, s >> 32n)) : 0;
  return Uint32Array.of(hi, Number(BigInt.asUintN(32, s)));
}

/**
 * `jax.random.split(key, num)` as a list of `num` keys. Partitionable (`_threefry_split_foldlike`):
 * key i is both hash words of counter `(0, i)` — identical to `foldIn(key, i)`. Legacy
 * (`_threefry_split_original`): hash `iota(2*num)` flat and read the result as a `(num, 2)` array,
 * so key i mixes words from two different counter pairs.
 */
export function split(key: Key, num = 2, opts?: StreamOptions): Key[] {
  let flat: Uint32Array;
  if (partitionableOf(opts)) {
    const [hi, lo] = iota2x32Shape([num]);
    const [b1, b2] = threefry2x32(key, hi, lo);
    flat = new Uint32Array(2 * num);
    for (let i = 0; i < num; i++) {
      flat[2 * i] = b1[i];
      flat[2 * i + 1] = b2[i];
    }
  } else {
    flat = threefry2x32Flat(key, iota(2 * num));
  }
  return Array.from({ length: num }, (_, i) => flat.slice(2 * i, 2 * i + 2));
}

/**
 * `jax.random.fold_in(key, data)`, `threefry_fold_in`: `threefry_2x32(key, threefry_seed(uint32
 * data))`, i.e. both hash words of counter `(0, data mod 2^32)`. The same in both modes.
 */
export function foldIn(key: Key, data: number): Key {
  const [y0, y1] = threefry2x32(key, Uint32Array.of(0), Uint32Array.of(data >>> 0));
  return Uint32Array.of(y0[0], y1[0]);
}

// ---------------------------------------------------------------------------------------------
// Bits — jax/_src/prng.py `threefry_random_bits`
// ---------------------------------------------------------------------------------------------

/**
 * `jax._src.random._random_bits(key, bitWidth, shape)` (what `jax.random.bits` returns),
 * flattened row-major. Widths 8/16/32 give a Uint32Array of values below 2^bitWidth; 64 gives a
 * BigUint64Array (JAX with x64).
 *
 * Partitionable (`_threefry_random_bits_partitionable`): element i hashes counter
 * `iota_2x32_shape` = `(hi(i), lo(i))`; 32 bits = `y0 ^ y1`, 8/16 bits = that XOR truncated,
 * 64 bits = `y0 << 32 | y1`. Legacy (`_threefry_random_bits_original`): hash `iota(ceil(w*n/32))`
 * flat; 8/16-bit values are the words' little-endian pieces, 64-bit values pair word i (high)
 * with word n+i (low).
 */
export function randomBits(
  key: Key,
  bitWidth: 8 | 16 | 32,
  shape: readonly number[],
  opts?: StreamOptions,
): Uint32Array;
export function randomBits(key: Key, bitWidth: 64, shape: readonly number[], opts?: StreamOptions): BigUint64Array;
export function randomBits(
  key: Key,
  bitWidth: 8 | 16 | 32 | 64,
  shape: readonly number[],
  opts?: StreamOptions,
): Uint32Array | BigUint64Array {
  const n = size(shape);
  if (partitionableOf(opts)) {
    const [hi, lo] = iota2x32Shape(shape);
    const [y0, y1] = threefry2x32(key, hi, lo);
    if (bitWidth === 64) {
      return BigUint64Array.from(y0, (h, i) => (BigInt(h) << 32n) | BigInt(y1[i]));
    }
    const mask = bitWidth === 32 ? 0xffffffff : 2 ** bitWidth - 1;
    return y0.map((v, i) => ((v ^ y1[i]) & mask) >>> 0);
  }
  const maxCount = Math.ceil((bitWidth * n) / 32);
  // JAX switches to split keys once the count reaches 2^32 - 1 words; no host array gets there.
  if (maxCount >= 0xffffffff) throw new ValueError("randomBits: legacy stream beyond 2^32-1 words");
  const words = threefry2x32Flat(key, iota(maxCount));
  if (bitWidth === 32) return words;
  if (bitWidth === 64) {
    return BigUint64Array.from({ length: n }, (_, i) => (BigInt(words[i]) << 32n) | BigInt(words[n + i]));
  }
  const per = 32 / bitWidth;
  const mask = 2 ** bitWidth - 1;
  return Uint32Array.from({ length: n }, (_, i) => (words[Math.floor(i / per)] >>> (bitWidth * (i % per))) & mask);
}

// ---------------------------------------------------------------------------------------------
// Samplers — jax/_src/random.py
// ---------------------------------------------------------------------------------------------

/** Options of `uniform`. */
export interface UniformOptions extends StreamOptions {
  minval?: number;
  maxval?: number;
}

/**
 * `jax.random.uniform`, `_uniform` (float32): 32 random bits, `bits >> 9 | 0x3F800000` bitcast to
 * a float in [1, 2), minus 1 (exact), then `max(minval, f * (maxval - minval) + minval)` in float32
 * — the multiply-add fused, as XLA:CPU does (XLA:GPU rounds the product first; the two agree for
 * the default [0, 1) and for normal's range, where the product is exact).
 */
export function uniform(key: Key, shape: readonly number[], opts?: UniformOptions): Float32Array {
  const lo = f32(opts?.minval ?? 0);
  const hi = f32(opts?.maxval ?? 1);
  const span = f32(hi - lo);
  const bits = randomBits(key, 32, shape, opts);
  return Float32Array.from(bits, (b) => Math.max(lo, fmaF32(f32(bitsToF32((b >>> 9) | 0x3f800000) - 1), span, lo)));
}

/**
 * `jax.random.normal`, `_normal_real`: `u = uniform(minval=nextafter(-1, 0), maxval=1)` (so
 * `erf_inv` never sees -1), then `float32(sqrt(2)) * erf_inv(u)`.
 */
export function normal(key: Key, shape: readonly number[], opts?: StreamOptions): Float32Array {
  const u = uniform(key, shape, { ...opts, minval: nextAfterF32(-1, 0), maxval: 1 });
  const sqrt2 = f32(Math.SQRT2);
  return u.map((v) => f32(sqrt2 * erfInvF32(v)));
}

/** Options of `truncatedNormal`. */
export interface TruncatedNormalOptions extends StreamOptions {
  /**
   * `false` (default): the bounds reach XLA as runtime values — an eager call, or traced jit
   * arguments — and XLA computes `erf(x * float32(1/sqrt2))` (its simplifier rewrites division by a
   * constant) with its own approximation `erfF32`. `true`: the bounds are compile-time constants
   * under jit, which XLA folds as `erf(x / sqrt2)` with an accurate erf (`erfAccurateF32`; XLA's
   * folder is itself only within 1 ulp of that).
   */
  constantBounds?: boolean;
}

/**
 * `jax.random.truncated_normal`, `_truncated_normal` (float32): `a = erf(lower/sqrt2)`,
 * `b = erf(upper/sqrt2)`, `u = uniform(minval=a, maxval=b)`, `out = sqrt2 * erf_inv(u)`, clipped
 * to `[nextafter(lower, +inf), nextafter(upper, -inf)]`.
 */
export function truncatedNormal(
  key: Key,
  lower: number,
  upper: number,
  shape: readonly number[],
  opts?: TruncatedNormalOptions,
): Float32Array {
  const sqrt2 = f32(Math.SQRT2);
  const l = f32(lower);
  const h = f32(upper);
  const [a, b] = opts?.constantBounds
    ? [erfAccurateF32(f32(l / sqrt2)), erfAccurateF32(f32(h / sqrt2))]
    : [erfF32(f32(l * f32(1 / sqrt2))), erfF32(f32(h * f32(1 / sqrt2)))];
  const u = uniform(key, shape, { ...opts, minval: a, maxval: b });
  const lo = nextAfterF32(l, Infinity);
  const up = nextAfterF32(h, -Infinity);
  return u.map((v) => Math.min(Math.max(f32(sqrt2 * erfInvF32(v)), lo), up));
}

/** `jax.random.bernoulli`, `_bernoulli`: `uniform(key, shape) < float32(p)`, as 0/1 bytes. */
export function bernoulli(key: Key, p: number, shape: readonly number[], opts?: StreamOptions): Uint8Array {
  const pf = f32(p);
  return Uint8Array.from(uniform(key, shape, opts), (u) => (u < pf ? 1 : 0));
}

const INT32_MAX = 2 ** 31 - 1;
const INT32_MIN = -(2 ** 31);
const clampI32 = (v: number): number => Math.min(INT32_MAX, Math.max(INT32_MIN, Math.trunc(v)));
// XLA's unsigned remainder by zero returns the dividend.
const remU32 = (a: number, b: number): number => (b === 0 ? a : a % b);

/**
 * `jax.random.randint` for int32, `_randint`: split the key, draw 32 "higher" and 32 "lower" bits
 * per element, and combine `(hi % span) * (2^32 % span) + lo % span` modulo span — all in uint32
 * arithmetic that wraps, exactly as JAX (`2^32 % span` is computed as `((2^16 % span)^2) % span`,
 * which itself wraps to 0 when span > 2^16). Bounds are clipped to int32; `maxval <= minval`
 * gives `minval`; `maxval > INT32_MAX` widens the span by one.
 */
export function randint(
  key: Key,
  shape: readonly number[],
  minval: number,
  maxval: number,
  opts?: StreamOptions,
): Int32Array {
  const outOfRange = maxval > INT32_MAX;
  const lo = clampI32(minval);
  const hi = clampI32(maxval);
  const [k1, k2] = split(key, 2, opts);
  const higher = randomBits(k1, 32, shape, opts);
  const lower = randomBits(k2, 32, shape, opts);
  let span = (hi - lo) >>> 0;
  if (hi <= lo) span = 1;
  if (outOfRange && hi > lo) span = (span + 1) >>> 0;
  let mult = remU32(2 ** 16, span);
  mult = remU32(Math.imul(mult, mult) >>> 0, span);
  return Int32Array.from(higher, (h, i) => {
    const off = (Math.imul(remU32(h, span), mult) + remU32(lower[i], span)) >>> 0;
    return (lo + remU32(off, span)) | 0;
  });
}

/** `jax.random.exponential`, `_exponential`: `-log1p(-uniform(key, shape))` in float32. */
export function exponential(key: Key, shape: readonly number[], opts?: StreamOptions): Float32Array {
  return uniform(key, shape, opts).map((u) => -log1pF32(-u));
}

/** `jax.random.gumbel` (mode "low"), `_gumbel`: `-log(-log(uniform(minval=tiny, maxval=1)))`. */
export function gumbel(key: Key, shape: readonly number[], opts?: StreamOptions): Float32Array {
  return uniform(key, shape, { ...opts, minval: F32_TINY, maxval: 1 }).map((u) => -logF32(-logF32(u)));
}

/**
 * `jax.random.categorical` (axis=-1, replace=True): `argmax(gumbel(key, noiseShape) + logits)`
 * over the last axis. `logits` is row-major with shape `[...batch, n]`; `sampleShape` (JAX's
 * `shape`) must end with `batch` — its extra leading dims draw independent samples. Ties and NaN
 * follow `jnp.argmax` (first maximum; NaN counts as the maximum).
 */
export function categorical(
  key: Key,
  logits: Float32Array,
  logitsShape: readonly number[],
  sampleShape?: readonly number[],
  opts?: StreamOptions,
): Int32Array {
  const n = logitsShape[logitsShape.length - 1];
  const batch = logitsShape.slice(0, -1);
  const outShape = sampleShape ?? batch;
  if (outShape.slice(outShape.length - batch.length).join() !== batch.join()) {
    throw new ValueError("categorical: shape must end with the logits' batch shape");
  }
  const g = gumbel(key, [...outShape, n], opts);
  const rows = size(outShape);
  const logitRows = size(batch);
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = -Infinity;
    let arg = 0;
    for (let j = 0; j < n; j++) {
      const v = f32(g[r * n + j] + logits[(r % logitRows) * n + j]);
      if (v > best || (Number.isNaN(v) && !Number.isNaN(best))) {
        best = v;
        arg = j;
      }
    }
    out[r] = arg;
  }
  return out;
}

/**
 * Number of sort rounds of JAX's `_shuffle`: `ceil(3 * ln(max(1, n)) / ln(2^32 - 1))` — 0 for
 * n <= 1, 1 up to n = 1625, 2 from 1626 (each round's 32-bit keys make collisions unlikely).
 */
export function shuffleRounds(n: number): number {
  return Math.ceil((3 * Math.log(Math.max(1, n))) / Math.log(0xffffffff));
}

/**
 * `jax.random.permutation` of a 1-D array, `_shuffle`: each round does `key, subkey = split(key)`
 * and a *stable* sort of `x` by `random_bits(subkey, 32, x.shape)` (`lax.sort_key_val`).
 */
export function shuffle<T extends Int32Array | Float32Array>(key: Key, x: T, opts?: StreamOptions): T {
  let cur = x.slice() as T;
  let k = key;
  for (let r = 0; r < shuffleRounds(x.length); r++) {
    const [next, sub] = split(k, 2, opts);
    k = next;
    const sortKeys = randomBits(sub, 32, [x.length], opts);
    const order = Array.from(sortKeys.keys()).sort((i, j) => sortKeys[i] - sortKeys[j] || i - j);
    const src = cur;
    cur = src.map((_, i) => src[order[i]]) as T;
  }
  return cur;
}

/** `jax.random.permutation(key, n)`: a shuffled `arange(n)` (int32). */
export function permutation(key: Key, n: number, opts?: StreamOptions): Int32Array {
  return shuffle(
    key,
    Int32Array.from({ length: n }, (_, i) => i),
    opts,
  );
}

/** Options of `choice`. */
export interface ChoiceOptions extends StreamOptions {
  /** Sample with replacement (default `true`). */
  replace?: boolean;
  /** Probabilities of each of the `n` entries (float32 values). */
  p?: Float32Array;
}

/**
 * `jax.random.choice(key, n, shape, replace, p)` as indices into `arange(n)`, `choice`:
 * - no `p`, replace: `randint(key, shape, 0, n)`;
 * - no `p`, no replace: the first `prod(shape)` entries of `permutation(key, n)`;
 * - `p`, replace: `searchsorted(cumsum(p), cumsum(p)[-1] * (1 - uniform(key, shape)))` (left);
 * - `p`, no replace (Gumbel top-k): the first draws of a stable argsort of
 *   `-gumbel(key, (n,)) - log(p)`.
 */
export function choice(key: Key, n: number, shape: readonly number[], opts?: ChoiceOptions): Int32Array {
  const draws = size(shape);
  const replace = opts?.replace ?? true;
  if (!replace && draws > n)
    throw new ValueError("choice: cannot take a larger sample than population when replace=false");
  const p = opts?.p;
  if (!p) return replace ? randint(key, shape, 0, n, opts) : permutation(key, n, opts).slice(0, draws);
  if (p.length !== n) throw new ValueError("choice: p must have length n");
  if (replace) {
    // jnp.cumsum in float32, summed left to right (XLA's reduce-window cumsum).
    const cum = new Float32Array(n);
    let acc = 0;
    for (let i = 0; i < n; i++) cum[i] = acc = f32(acc + p[i]);
    const total = cum[n - 1];
    return Int32Array.from(uniform(key, shape, opts), (u) => {
      const r = f32(total * f32(1 - u));
      let i = 0;
      while (i < n && cum[i] < r) i++;
      return i;
    });
  }
  const g = gumbel(key, [n], opts).map((v, i) => f32(-v - logF32(p[i])));
  const order = Array.from(g.keys()).sort((i, j) => g[i] - g[j] || i - j);
  return Int32Array.from(order.slice(0, draws));
}
