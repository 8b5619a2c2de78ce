/**
 * What nn adds to core's `random` (threefry2x32, bit-exact with `jax.random`, traceable under
 * jit/vmap/grad): the `PRNGKey` type nn's APIs take, `prngKey(seed)`, and `splitKey`, a
 * `jax.random.split` returning a list for both key kinds. Keys are JAX keys: typed
 * (`random.key(seed)`, a `KeyArray`) or raw (`random.PRNGKey(seed)`, uint32 of shape [2]); nn
 * accepts both and returns keys of the kind it was given. For sampling, nn calls core's
 * `random.uniform` / `normal` / `truncatedNormal` / `bernoulli` directly (they accept both kinds).
 */
import { np, random } from "@linax-ts/core";

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
  return globalThis.Array.from({ length: num }, (_, i) => np.index(ks, i));
}
