/**
 * Padding masks (`lengths`) for the model system, as lrnnx's `forward(x, lengths)`.
 *
 * A padded batch `x: [B, L, F]` holds sequence b in rows `0 … lengths[b]-1`; the rest is padding.
 * Every component that looks across time takes `{ lengths }` (per sequence a number or an int
 * scalar array — under `vmap`/`callBatch` one entry of a `[B]` array):
 * - sequence mixers are causal, so their outputs at valid positions never see later (padded)
 *   steps; the padded input rows are zeroed before the mixer (so a returned state is the state
 *   after the last valid step) and the padded output rows are zero;
 * - BatchNorm's batch statistics are `Σ_valid x / #valid` over time and the batch axis (padded
 *   rows enter neither the sums nor the count);
 * - reducing heads average only the valid rows (`Σ_valid h / length`).
 *
 * Option objects are checked: an unknown option is a `ValueError`, never silently dropped.
 */
import { Array, DTypeError, ShapeError, ValueError, np } from "@linax-ts/core";
import { CALL_OPTION_KEYS, callOptions, isPRNGKey, type CallOptions } from "@linax-ts/nn";

/** Valid lengths of one sequence: a number, or an integer scalar array (traced under jit/vmap). */
export type Lengths = number | Array;

/** The options a sequence mixer's `call` accepts after `x` (nn's `CallOptions` plus `lengths`). */
export interface MixerCallOptions extends CallOptions {
  /** Number of valid (unpadded) time steps of this sequence. */
  lengths?: Lengths;
}

/** Throws a `ValueError` naming `where` if `opts` has a key outside `allowed`. */
export function checkOptionKeys(where: string, opts: object, allowed: readonly string[]): void {
  for (const k of Object.keys(opts)) {
    if (!allowed.includes(k))
      throw new ValueError(`${where}: unknown option ${JSON.stringify(k)} (accepted: ${allowed.join(", ")})`);
  }
}

/**
 * The options of a mixer call, `{ key?, inference?, lengths? }` (nn's calling convention: the key
 * is an option, as equinox's keyword `key`). A key passed positionally, as linax's
 * `mixer(x, key)`, is a ValueError saying to pass `{ key }`; unknown option names are too.
 */
export function mixerCallOptions(where: string, arg: MixerCallOptions | undefined): MixerCallOptions {
  return ssmCallOptions<MixerCallOptions>(where, arg, [...CALL_OPTION_KEYS, "lengths"]);
}

/**
 * The trailing options object of an ssm module's call, checked: `{}` for undefined; a PRNG key in
 * its place (the old positional `call(x, state, key)`) is nn's ValueError saying to pass `{ key }`;
 * a non-object or an option outside `allowed` is a ValueError naming `where`.
 */
export function ssmCallOptions<O extends object>(where: string, opts: O | undefined, allowed: readonly string[]): O {
  if (opts === undefined) return {} as O;
  if (isPRNGKey(opts) || opts instanceof Array) return callOptions<O>(where, opts, allowed); // throws, naming the convention
  if (typeof opts !== "object" || opts === null)
    throw new ValueError(`${where}: expected an options object { ${allowed.join(", ")} }; got ${String(opts)}`);
  checkOptionKeys(where, opts, allowed);
  return opts;
}

/**
 * The boolean validity mask `[L]` (`t < lengths`) of one sequence of `L` steps, or `null` when
 * `lengths` is undefined. A number must be an integer in `[0, L]`; an array must be an integer
 * scalar (it may be a tracer, so its value is not checked).
 */
export function validMask(where: string, L: number, lengths: Lengths | undefined): Array | null {
  if (lengths === undefined) return null;
  if (typeof lengths === "number") {
    if (!Number.isInteger(lengths) || lengths < 0 || lengths > L)
      throw new ValueError(
        `${where}: lengths must be an integer in [0, ${L}] (the sequence has ${L} steps); got ${lengths}`,
      );
    return np.less(np.arange(L, { dtype: "int32" }), lengths);
  }
  if (!(lengths instanceof Array))
    throw new ValueError(`${where}: lengths must be a number or an integer array; got ${typeof lengths}`);
  if (lengths.ndim !== 0) {
    throw new ShapeError(
      `${where}: lengths of one sequence must be a scalar (batch with vmap / callBatch, which map a [B] lengths array); got shape [${lengths.shape.join(", ")}]`,
    );
  }
  if (lengths.dtype !== "int32" && lengths.dtype !== "uint32")
    throw new DTypeError(`${where}: lengths must be int32 or uint32; got ${lengths.dtype}`);
  return np.less(np.arange(L, { dtype: "int32" }), lengths.astype("int32"));
}

/** `x: [L, ...]` with the rows where `mask: [L]` is false set to zero (`x` itself without a mask). */
export function maskRows(x: Array, mask: Array | null): Array {
  if (mask === null) return x;
  const m = mask.reshape([mask.shape[0], ...x.shape.slice(1).map(() => 1)]);
  return np.where(m, x, np.zerosLike(x));
}

/**
 * A sequence mixer's forward with padding: zero the padded input rows, run `fn`, zero the padded
 * output rows. Causality makes the valid rows equal the unpadded run's.
 */
export function withLengths(
  where: string,
  x: Array,
  arg: MixerCallOptions | undefined,
  fn: (x: Array) => Array,
): Array {
  const { lengths } = mixerCallOptions(where, arg);
  const mask = validMask(where, x.shape[0], lengths);
  if (mask === null) return fn(x);
  return maskRows(fn(maskRows(x, mask)), mask);
}

/**
 * Per-sequence lengths for a batch: a `[B]` int32 array from a number (every sequence), a list or
 * an array; checks the batch size.
 */
export function batchLengths(where: string, B: number, L: number, lengths: number | readonly number[] | Array): Array {
  if (typeof lengths === "number") {
    validMask(where, L, lengths);
    return np.full([B], lengths, { dtype: "int32" });
  }
  if (!(lengths instanceof Array)) {
    if (lengths.length !== B)
      throw new ShapeError(`${where}: lengths has ${lengths.length} entries for a batch of ${B}`);
    for (const n of lengths) validMask(where, L, n);
    return np.array(new Int32Array(lengths));
  }
  if (lengths.ndim !== 1 || lengths.shape[0] !== B)
    throw new ShapeError(
      `${where}: lengths must have shape [${B}] (one per sequence); got [${lengths.shape.join(", ")}]`,
    );
  if (lengths.dtype !== "int32" && lengths.dtype !== "uint32")
    throw new DTypeError(`${where}: lengths must be int32 or uint32; got ${lengths.dtype}`);
  return lengths.astype("int32");
}

/** Batched lengths as a standalone block's `callBatch` takes them: a number, one per sequence, or a `[B]` int array. */
export type BatchLengths = number | readonly number[] | Array;

/**
 * The validity mask `[B, L]` (`t < lengths[b]`) of a padded batch `x: [B, L, ...]`, or `null`
 * without `lengths`. Traced `[B]` arrays are fine (under jit the values are not checked).
 */
export function batchMask(where: string, x: Array, lengths: BatchLengths | undefined): Array | null {
  if (lengths === undefined) return null;
  if (x.ndim < 2)
    throw new ShapeError(`${where}: lengths needs a batch of sequences [B, L, ...]; got [${x.shape.join(", ")}]`);
  const [B, L] = x.shape;
  const lens = batchLengths(where, B, L, lengths);
  return np.less(np.arange(L, { dtype: "int32" }).reshape([1, L]), lens.reshape([B, 1]));
}

/** `x: [B, L, ...]` with the steps where `mask: [B, L]` is false set to zero (`x` itself without a mask). */
export function maskBatchRows(x: Array, mask: Array | null): Array {
  if (mask === null) return x;
  const m = mask.reshape([...mask.shape, ...x.shape.slice(2).map(() => 1)]);
  return np.where(m, x, np.zerosLike(x));
}
