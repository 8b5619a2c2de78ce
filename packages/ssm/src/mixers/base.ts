/**
 * What every sequence mixer has in common (linax's `SequenceMixer` / `SequenceMixerConfig`), plus
 * the recurrent-inference contract the port adds.
 *
 * A mixer maps one sequence `x: [L, H]` to `[L, H]` (`call`, the parallel form: an associative
 * scan or an FFT convolution). Batching is external (`vmap`), exactly like linax's
 * `mixer(x, key)`. For token-by-token inference every mixer also exposes the same layer as a
 * recurrence: `initCache(batchShape)` gives the zero state and `step(xt, cache)` consumes one
 * time step `xt: [...batchShape, H]` and returns `[yt, newCache]`. Caches are plain objects of
 * arrays (pytrees), never mutated, so `step` works under `jit`, `vmap`, `grad` and inside
 * `lax.scan` (see `callRecurrent`).
 */
import { type Array, ShapeError, lax, np } from "@linax-ts/core";
import { Module, type PRNGKey } from "@linax-ts/nn";
import { withLengths, type MixerCallOptions } from "../lengths.ts";

/** The recurrent state of a mixer: a plain object of arrays (a pytree). */
export type MixerCache = { readonly [name: string]: Array };

/**
 * A recurrent step function, `(xt, cache) → [yt, cache]`. Declared through a method signature so
 * that it is bivariant in the cache type: a `SequenceMixer<S5Cache>` is then usable wherever a
 * `SequenceMixer` (of any cache) is expected.
 */
export type MixerStepFn<C extends MixerCache> = { bivarianceHack(xt: Array, cache: C): [Array, C] }["bivarianceHack"];

/**
 * Base class of the sequence mixers. Subclasses declare their parameter arrays as fields (in
 * linax's order: these become the pytree leaves) and their hyper-parameters as number / string /
 * boolean fields (static aux data, part of `jit`'s cache key).
 */
export abstract class SequenceMixer<C extends MixerCache = MixerCache> extends Module {
  /** `H`, the number of channels of `x`. */
  abstract readonly inFeatures: number;

  /**
   * The parallel forward pass on one sequence: `x: [L, H] → [L, H]`. Options `{ key, inference,
   * lengths }` (nn's convention; linax's `mixer(x, key)` is `mixer.call(x, { key })`): the key
   * is accepted and ignored (no mixer is stochastic); a positional key is a ValueError.
   */
  abstract call(x: Array, opts?: MixerCallOptions): Array;

  /** The zero recurrent state for a batch of shape `batchShape` (`[]` for one sequence). */
  abstract initCache(batchShape?: readonly number[]): C;

  /**
   * The recurrent step as a function, with the parameter-only work (discretisation, complex
   * assembly) done once, outside the returned closure — so loops over time (`callRecurrent`, a
   * generation loop) do not repeat it. The function has `step`'s contract.
   */
  abstract recurrence(): MixerStepFn<C>;

  /**
   * One recurrent step: `xt: [...batchShape, H]` (the batch shape given to `initCache`) →
   * `[yt: [...batchShape, H], cache]`. Pure: the input cache is not modified.
   */
  step(xt: Array, cache: C): [Array, C] {
    return this.recurrence()(xt, cache);
  }

  /**
   * The recurrent form over a whole sequence, `lax.scan` of `step`: `x: [L, ...batchShape, H]`
   * → `[y: [L, ...batchShape, H], finalCache]`. Equal (up to float rounding) to `call` when
   * started from `initCache()`; starting from a carried cache continues a sequence, e.g. a
   * prompt processed here, then generation with `step`.
   */
  callRecurrent(x: Array, cache?: C): [Array, C] {
    if (x.ndim < 2 || x.shape[x.ndim - 1] !== this.inFeatures) {
      throw new ShapeError(
        `${this.constructor.name}.callRecurrent: expected x of shape [L, ..., ${this.inFeatures}]; got [${x.shape.join(", ")}]`,
      );
    }
    const c0 = cache ?? this.initCache(x.shape.slice(1, -1));
    const stepFn = this.recurrence();
    const [cN, ys] = lax.scan(
      (c: C, xt: Array): [C, Array] => {
        const [yt, c2] = stepFn(xt, c);
        return [c2, yt];
      },
      c0,
      x,
    );
    return [ys, cN];
  }

  /**
   * `call`'s common part for a mixer whose parallel form is `forward`: checks `x` and the
   * options, and with `{ lengths }` zeroes the padded input and output rows (the valid rows equal
   * the unpadded run's, as every mixer is causal). Mixers implement `call` as
   * `return this.callMasked(x, opts, (u) => this.forward(u))`.
   */
  protected callMasked(x: Array, opts: MixerCallOptions | undefined, forward: (x: Array) => Array): Array {
    this.checkSequence(x);
    return withLengths(`${this.constructor.name}.call`, x, opts, forward);
  }

  /** Throws a ShapeError unless `x` is one sequence `[L, H]` with `H = inFeatures`. */
  protected checkSequence(x: Array): void {
    if (x.ndim !== 2 || x.shape[1] !== this.inFeatures) {
      throw new ShapeError(
        `${this.constructor.name}.call: expected one sequence of shape [L, ${this.inFeatures}] (batch with vmap); got [${x.shape.join(", ")}]`,
      );
    }
  }

  /** Throws a ShapeError unless `xt` is `[...batch, H]` and matches the cache's batch shape. */
  protected checkStep(xt: Array, state: Array, stateRank: number): void {
    const batch = state.shape.slice(0, state.ndim - stateRank);
    const ok =
      xt.ndim === batch.length + 1 &&
      xt.shape[xt.ndim - 1] === this.inFeatures &&
      batch.every((d, i) => d === xt.shape[i]);
    if (!ok) {
      throw new ShapeError(
        `${this.constructor.name}.step: expected xt of shape [${[...batch, this.inFeatures].join(", ")}] (the cache's batch shape, then H); got [${xt.shape.join(", ")}]`,
      );
    }
  }
}

/**
 * Base class of the mixer configurations (linax's frozen `SequenceMixerConfig` dataclasses):
 * plain hyper-parameters and a `build(inFeatures, key)` that makes the mixer.
 */
export abstract class SequenceMixerConfig<M extends SequenceMixer = SequenceMixer> {
  /** The state size `N` (linax's `state_dim`). */
  abstract readonly stateDim: number;
  /** Builds the mixer for `inFeatures` channels, its parameters drawn from `key`. */
  abstract build(inFeatures: number, key: PRNGKey): M;
}

/** `x[..., 0] + i·x[..., 1]`: linax's storage of a complex parameter as a trailing real axis of size 2. */
export function pairToComplex(x: Array): Array {
  return lax.complex(x.get("...", 0), x.get("...", 1));
}

/** The inverse of `pairToComplex`: `stack([Re z, Im z], -1)`. */
export function complexToPair(z: Array): Array {
  return np.stack([np.real(z), np.imag(z)], { axis: -1 });
}

/**
 * All states of the diagonal linear recurrence `s_k = a_k ⊙ s_{k-1} + b_k`, `s_{-1} = 0`, by
 * `lax.associativeScan` over axis 0 with linax's operator
 * `(a_i, b_i) ∘ (a_j, b_j) = (a_j a_i, a_j b_i + b_j)` (element j after element i).
 * `a` broadcasts against `b` (`[P]` or `[L, P]` against `[L, P]`).
 */
export function diagonalLinearScan(a: Array, b: Array): Array {
  const aEl = a.ndim === b.ndim ? a : np.broadcastTo(a, b.shape);
  const [, xs] = lax.associativeScan(
    (ei: readonly [Array, Array], ej: readonly [Array, Array]): [Array, Array] => [
      np.multiply(ej[0], ei[0]),
      np.add(np.multiply(ej[0], ei[1]), ej[1]),
    ],
    [aEl, b] as [Array, Array],
  );
  return xs;
}

/** `x @ Mᵀ` over the last axis: `x: [..., n]`, `M: [m, n]` → `[..., m]` (linax's `vmap(lambda u: M @ u)`). */
export function applyRows(M: Array, x: Array): Array {
  return np.matmul(x, np.transpose(M));
}
