/**
 * The `random` namespace: JAX's explicit-key PRNG (threefry2x32), bit-exact with `jax.random`.
 *
 * Every function is a pure function of its key, built from primitives (`threefry2x32` and lax
 * ops), so it works under `jit`, `vmap` (over keys, too), `grad` and inside `lax.scan`, on every
 * backend. `config.threefryPartitionable` (default true, as in current JAX) or a per-call
 * `{ partitionable }` option selects the stream. See README.md in this folder.
 */
export {
  config,
  key,
  PRNGKey,
  keyData,
  wrapKeyData,
  split,
  foldIn,
  KeyArray,
  type KeyLike,
  type StreamOptions,
} from "./keys.ts";
export { bits, type BitsOptions, type BitWidth } from "./bits.ts";
export { threefry2x32 } from "./threefry.ts";
export {
  uniform,
  normal,
  truncatedNormal,
  bernoulli,
  randint,
  exponential,
  gumbel,
  type UniformOptions,
  type NormalOptions,
  type TruncatedNormalOptions,
  type RandintOptions,
} from "./samplers.ts";
export {
  categorical,
  permutation,
  choice,
  orthogonal,
  shuffleRounds,
  type CategoricalOptions,
  type PermutationOptions,
  type ChoiceOptions,
  type OrthogonalOptions,
} from "./discrete.ts";
export { threefry2x32P, threefry2x32Hash, fmaP, fma } from "../primitives/random-prims.ts";
