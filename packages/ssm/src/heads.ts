/**
 * Heads (linax `src/linax/heads/`, SPEC §5): the last layer, from the hidden sequence `[L, H]` to
 * the output. With `reduce` (default) the sequence is averaged over time first (one output per
 * sequence); without it the head is applied at every time step (`[L, out]`; linax applies its
 * `Linear` to the whole matrix there, a shape error — SPEC §14.3 — so the port does what was meant).
 *
 * Recurrent form: a per-time-step head needs no memory; a reducing head keeps the running mean
 * of the hidden states seen so far in its cache, so `step` returns at time t the head applied to
 * `mean(h_0..h_t)` — the prediction for the prefix, and after the last token exactly the
 * parallel forward's output (up to float rounding).
 */
import { type Array, ShapeError, np } from "@linax-ts/core";
import {
  CALL_OPTION_KEYS,
  Linear,
  Module,
  checkState,
  isPRNGKey,
  logSoftmax,
  type CallOptions,
  type PRNGKey,
  type State,
} from "@linax-ts/nn";
import { bool, positiveInt } from "./validate.ts";
import { ssmCallOptions, validMask, type Lengths } from "./lengths.ts";

/** Options of `Head.call`: nn's `{ key, inference }` (accepted, unused: heads are deterministic) plus `lengths`. */
export interface HeadCallOptions extends CallOptions {
  /** Valid time steps of this (padded) sequence: a reducing head averages only those. */
  lengths?: Lengths;
}

/**
 * A head's recurrent cache: `{}` for a per-step head; `{ mean: [...batch, H], count: [...batch] }`
 * (the running mean of the hidden states and how many were averaged) for a reducing head.
 */
export type HeadCache = { readonly [name: string]: Array };

/** Base class of heads. */
export abstract class Head extends Module {
  /** One hidden sequence `[L, H]` → the output (`[out]` reduced, `[L, out]` per step). */
  abstract call(x: Array, state: State, opts?: HeadCallOptions): [Array, State];
  /** The empty cache for a batch of shape `batchShape`. */
  abstract initCache(batchShape?: readonly number[]): HeadCache;
  /** One time step: hidden `ht: [...batch, H]` → `[yt: [...batch, out], cache]`. */
  abstract step(ht: Array, cache: HeadCache): [Array, HeadCache];
}

/** Base class of head configs: `build(inFeatures, key)`; `inFeatures` comes from the encoder. */
export abstract class HeadConfig<H extends Head = Head> {
  /** Output width (classes, regression targets). */
  abstract readonly outFeatures: number;
  /** Average over time before the linear map (default true). */
  abstract readonly reduce: boolean;
  /** Builds the head for `inFeatures` hidden channels. */
  abstract build(inFeatures: number, key: PRNGKey): H;
}

/** Options of the classification and regression head configs. */
export interface HeadOptions {
  /** Output width. */
  outFeatures: number;
  /** Mean over time first (default true); false gives one output per time step. */
  reduce?: boolean;
}

/** A `Linear(H → out)` head with optional mean over time and a final activation (subclasses). */
abstract class LinearHead extends Head {
  readonly linear: Linear;
  readonly reduce: boolean;

  constructor(inFeatures: number, outFeatures: number, reduce: boolean, key: PRNGKey) {
    super();
    this.linear = new Linear(inFeatures, outFeatures, { key });
    this.reduce = reduce;
  }

  /** The final activation, over the last axis. */
  protected abstract activate(y: Array): Array;

  private get H(): number {
    return this.linear.inFeatures as number;
  }

  call(x: Array, state: State, callOpts?: HeadCallOptions): [Array, State] {
    if (x.ndim !== 2 || x.shape[1] !== this.H)
      throw new ShapeError(
        `${this.constructor.name}.call: expected one hidden sequence of shape [L, ${this.H}]; got [${x.shape.join(", ")}]`,
      );
    // The state only passes through (heads are stateless), so only a key in its place is rejected.
    if (isPRNGKey(state)) checkState(`${this.constructor.name}.call`, state);
    const opts = ssmCallOptions<HeadCallOptions>(`${this.constructor.name}.call`, callOpts, [
      ...CALL_OPTION_KEYS,
      "lengths",
    ]);
    const mask = validMask(`${this.constructor.name}.call`, x.shape[0], opts.lengths);
    let h: Array;
    if (!this.reduce)
      h = x; // per step: padded rows give outputs nobody should read
    else if (mask === null) h = np.mean(x, { axis: 0 });
    else {
      // Σ_valid h_t / length (a zero-length sequence gives 0/0 = NaN, as a mean of nothing).
      const m = mask.reshape([x.shape[0], 1]);
      h = np.divide(np.sum(np.where(m, x, np.zerosLike(x)), { axis: 0 }), np.sum(mask.astype(x.dtype)));
    }
    return [this.activate(this.linear.call(h)), state];
  }

  initCache(batchShape: readonly number[] = []): HeadCache {
    if (!this.reduce) return {};
    return { mean: np.zeros([...batchShape, this.H]), count: np.zeros([...batchShape]) };
  }

  step(ht: Array, cache: HeadCache): [Array, HeadCache] {
    if (!this.reduce) return [this.activate(this.linear.call(ht)), cache];
    const { mean, count } = cache;
    if (mean === undefined || count === undefined)
      throw new ShapeError(`${this.constructor.name}.step: the cache has no running mean; make it with initCache`);
    // Welford-style update m_t = m_{t-1} + (h_t - m_{t-1}) / t: no growing sum, so long streams
    // keep full float32 precision.
    const n = count.add(1);
    const m = mean.add(ht.sub(mean).div(np.expandDims(n, -1)));
    return [this.activate(this.linear.call(m)), { mean: m, count: n }];
  }
}

/** The fields and checks shared by the configs of the `LinearHead`s (validated, then frozen). */
abstract class LinearHeadConfig<H extends LinearHead> extends HeadConfig<H> {
  readonly outFeatures: number;
  readonly reduce: boolean;

  constructor(where: string, opts: HeadOptions) {
    super();
    this.outFeatures = positiveInt(where, "outFeatures", opts.outFeatures);
    this.reduce = bool(where, "reduce", opts.reduce ?? true);
    Object.freeze(this);
  }
}

/** linax's `ClassificationHeadConfig`: `logSoftmax(linear(mean_t x))`. */
export class ClassificationHeadConfig extends LinearHeadConfig<ClassificationHead> {
  constructor(opts: HeadOptions) {
    super("ClassificationHeadConfig", opts);
  }

  build(inFeatures: number, key: PRNGKey): ClassificationHead {
    return new ClassificationHead(
      positiveInt("ClassificationHeadConfig.build", "inFeatures", inFeatures),
      this.outFeatures,
      this.reduce,
      key,
    );
  }
}

/** Log-probabilities over `outFeatures` classes. Leaves: `linear.weight [out, H]`, `linear.bias [out]`. */
export class ClassificationHead extends LinearHead {
  protected activate(y: Array): Array {
    return logSoftmax(y, { axis: -1 });
  }
}

/** linax's `RegressionHeadConfig`: `linear(mean_t x)`, no activation. */
export class RegressionHeadConfig extends LinearHeadConfig<RegressionHead> {
  constructor(opts: HeadOptions) {
    super("RegressionHeadConfig", opts);
  }

  build(inFeatures: number, key: PRNGKey): RegressionHead {
    return new RegressionHead(
      positiveInt("RegressionHeadConfig.build", "inFeatures", inFeatures),
      this.outFeatures,
      this.reduce,
      key,
    );
  }
}

/** Real-valued outputs. Leaves: `linear.weight [out, H]`, `linear.bias [out]`. */
export class RegressionHead extends LinearHead {
  protected activate(y: Array): Array {
    return y;
  }
}
