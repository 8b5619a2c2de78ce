/**
 * The PRNG operations nn uses, on top of core's `random` (threefry2x32, bit-exact with
 * `jax.random`, traceable under jit/vmap/grad). Keys are JAX keys: typed (`random.key(seed)`,
 * a `KeyArray`) or raw (`random.PRNGKey(seed)`, uint32 of shape [2]); nn accepts both and
 * returns keys of the kind it was given.
 */
import { Array, lax, random, type DType } from "@linax-ts/core";

/** A PRNG key: `random.key(seed)` (typed) or `random.PRNGKey(seed)` (raw uint32 [2]). */
export type PRNGKey = random.KeyLike;

/** A raw key from an integer seed (`jax.random.PRNGKey(seed)`). */
export function prngKey(seed: number): PRNGKey {
  return random.PRNGKey(seed);
}

/** `num` new keys derived from `key` — `jax.random.split(key, num)` as a list. */
export function splitKey(key: PRNGKey, num = 2): PRNGKey[] {
  const ks = random.split(key, num);
  if (ks instanceof random.KeyArray) return [...ks];
  return globalThis.Array.from({ length: num }, (_, i) => lax.reshape(lax.sliceInDim(ks, i, i + 1, 1, 0), [2]));
}

/** Uniform samples in [minval, maxval). */
export function uniform(key: PRNGKey, shape: readonly number[], opts: { minval?: number; maxval?: number; dtype?: DType } = {}): Array {
  return random.uniform(key, shape, opts);
}

/** Standard normal samples. */
export function normal(key: PRNGKey, shape: readonly number[], opts: { dtype?: DType } = {}): Array {
  return random.normal(key, shape, opts);
}

/** Normal samples truncated to [lower, upper] (in standard deviations). */
export function truncatedNormal(key: PRNGKey, lower: number, upper: number, shape: readonly number[], opts: { dtype?: DType } = {}): Array {
  return random.truncatedNormal(key, lower, upper, shape, opts);
}

/** Bernoulli(p) booleans. */
export function bernoulli(key: PRNGKey, p: number, shape: readonly number[]): Array {
  return random.bernoulli(key, p, shape);
}
