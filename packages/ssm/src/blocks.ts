/**
 * Blocks (linax `src/linax/blocks/standard.py` at cab7b064, SPEC §6): one layer of the model, a
 * sequence mixer and a channel mixer with normalisation, dropout and a residual connection.
 *
 * `StandardBlock.call(x: [L, H], state, { key })` (linax's `block(x, state, key)`), linax's order:
 * ```
 * skip = x
 * prenorm:  x = BatchNorm(xᵀ)ᵀ          statistics per channel over time and the "batch" vmap axis
 * x = sequenceMixer(x)
 * x = dropout(gelu_tanh(x), k1)
 * x = channelMixer(x)                   per time step
 * x = dropout(x, k2)
 * x = skip + x
 * postnorm: x = BatchNorm(xᵀ)ᵀ          (outside the residual)
 * ```
 * with `[_, k1, k2] = split(key, 3)`, so with the same key and parameters a training forward
 * draws the same dropout masks as linax.
 *
 * Recurrent form: in a step every part is per token except the sequence mixer, whose recurrence
 * carries the state; the norm uses its running statistics (inference semantics — batch
 * statistics over a whole sequence do not exist token by token) and dropout is off. Those
 * statistics are copied from the `State` into the block's cache by `initCache`.
 */
import { type Array, ShapeError, ValueError, lax } from "@linax-ts/core";
import {
  BatchNorm,
  CALL_OPTION_KEYS,
  Dropout,
  Module,
  checkState,
  gelu,
  splitKey,
  type CallOptions,
  type PRNGKey,
  type State,
  type StateIndex,
} from "@linax-ts/nn";
import type { MixerCache, MixerStepFn, SequenceMixer } from "./mixers/base.ts";
import type { ChannelMixer } from "./channel-mixers.ts";
import { bool, inHalfOpen, positiveInt } from "./validate.ts";
import { ssmCallOptions, validMask, type Lengths } from "./lengths.ts";

/** Options of `Block.call` (nn's `{ key, inference }` plus `lengths`). */
export interface BlockCallOptions extends CallOptions {
  /** Valid time steps of this (padded) sequence: padding enters neither the mixer's valid outputs nor BatchNorm's statistics. */
  lengths?: Lengths;
}

/** A block's recurrent cache: the mixer's recurrent state and the norm's running `[mean, var]`. */
export interface BlockCache {
  readonly mixer: MixerCache;
  readonly norm: readonly [Array, Array];
}

/** A recurrent block step, `(xt, cache) → [yt, cache]` (see `MixerStepFn` for why a method type). */
export type BlockStepFn = { bivarianceHack(xt: Array, cache: BlockCache): [Array, BlockCache] }["bivarianceHack"];

/** Base class of blocks: `[L, H] → [L, H]`, threading the `State`, plus the recurrent form. */
export abstract class Block extends Module {
  /**
   * One sequence `[L, H]` → `[L, H]`; `{ key }` drives dropout (needed in training with
   * dropRate > 0), `{ inference }` overrides the norm's and dropout's mode for this call,
   * `{ lengths }` marks the valid steps of a padded sequence.
   */
  abstract call(x: Array, state: State, opts?: BlockCallOptions): [Array, State];
  /** The zero recurrent cache for a batch of shape `batchShape`, with statistics read from `state`. */
  abstract initCache(batchShape: readonly number[], state: State | undefined): BlockCache;
  /** `step` as a function with the per-sequence work (mixer discretisation) done once. */
  abstract recurrence(): BlockStepFn;
  /** One time step `xt: [...batch, H]` → `[yt, cache]` (inference semantics). Pure. */
  step(xt: Array, cache: BlockCache): [Array, BlockCache] {
    return this.recurrence()(xt, cache);
  }
}

/** Base class of block configs: `build(inFeatures, sequenceMixer, channelMixer, key)`. */
export abstract class BlockConfig<B extends Block = Block> {
  /** Wraps already built mixers into a block (`key` is passed as linax does; StandardBlock ignores it). */
  abstract build(inFeatures: number, sequenceMixer: SequenceMixer, channelMixer: ChannelMixer, key: PRNGKey): B;
}

/** Options of `StandardBlockConfig`. */
export interface StandardBlockOptions {
  /** Dropout probability after the mixer's GELU and after the channel mixer (default 0.1). */
  dropRate?: number;
  /** Normalise before the mixer (default) or after the residual. */
  prenorm?: boolean;
  /** The vmap axis name BatchNorm averages over (default "batch", as linax). */
  axisName?: string;
}

/** linax's `StandardBlockConfig`. */
export class StandardBlockConfig extends BlockConfig<StandardBlock> {
  readonly dropRate: number;
  readonly prenorm: boolean;
  readonly axisName: string;

  constructor(opts: StandardBlockOptions = {}) {
    super();
    this.dropRate = inHalfOpen("StandardBlockConfig", "dropRate", opts.dropRate ?? 0.1, 0, 1);
    this.prenorm = bool("StandardBlockConfig", "prenorm", opts.prenorm ?? true);
    const axisName = opts.axisName ?? "batch";
    if (typeof axisName !== "string" || axisName === "")
      throw new ValueError(`StandardBlockConfig: axisName must be a non-empty string; got ${JSON.stringify(axisName)}`);
    this.axisName = axisName;
    Object.freeze(this);
  }

  build(inFeatures: number, sequenceMixer: SequenceMixer, channelMixer: ChannelMixer, _key: PRNGKey): StandardBlock {
    return new StandardBlock(
      positiveInt("StandardBlockConfig.build", "inFeatures", inFeatures),
      sequenceMixer,
      channelMixer,
      this,
    );
  }
}

/**
 * linax's `StandardBlock`. Fields in linax's order: `norm` (BatchNorm, no affine, mode "ema",
 * momentum 0.99, eps 1e-5, no array leaves), `sequence_mixer`, `channel_mixer`, `drop`
 * (Dropout), `prenorm` (static).
 */
export class StandardBlock extends Block {
  readonly norm: BatchNorm;
  readonly sequence_mixer: SequenceMixer;
  readonly channel_mixer: ChannelMixer;
  readonly drop: Dropout;
  readonly prenorm: boolean;

  constructor(inFeatures: number, sequenceMixer: SequenceMixer, channelMixer: ChannelMixer, cfg: StandardBlockConfig) {
    super();
    if (sequenceMixer.inFeatures !== inFeatures) {
      throw new ValueError(
        `StandardBlock: the sequence mixer was built for ${sequenceMixer.inFeatures} features but the block has ${inFeatures}`,
      );
    }
    this.norm = new BatchNorm(inFeatures, {
      axisName: cfg.axisName,
      channelwiseAffine: false,
      mode: "ema",
      momentum: 0.99,
      eps: 1e-5,
    });
    this.sequence_mixer = sequenceMixer;
    this.channel_mixer = channelMixer;
    this.drop = new Dropout(cfg.dropRate);
    this.prenorm = cfg.prenorm;
  }

  /** `H`, the block's width. */
  get inFeatures(): number {
    return this.norm.inputSize;
  }

  private normSeq(x: Array, state: State, mask: Array | null, inference: boolean | undefined): [Array, State] {
    const [y, s] = this.norm.call(x.transpose(), state, mask === null ? { inference } : { mask, inference });
    return [y.transpose(), s];
  }

  call(x: Array, state: State, opts?: BlockCallOptions): [Array, State] {
    if (x.ndim !== 2 || x.shape[1] !== this.inFeatures)
      throw new ShapeError(
        `StandardBlock.call: expected one sequence of shape [L, ${this.inFeatures}]; got [${x.shape.join(", ")}]`,
      );
    checkState("StandardBlock.call", state);
    const { key, inference, lengths } = ssmCallOptions<BlockCallOptions>("StandardBlock.call", opts, [
      ...CALL_OPTION_KEYS,
      "lengths",
    ]);
    // Padded rows still flow through the per-token parts (their values are never read at valid
    // positions: the mixer is causal); the mask keeps them out of BatchNorm's statistics.
    const mask = validMask("StandardBlock.call", x.shape[0], lengths);
    // Row 0 is discarded, as linax's `key, k1, k2 = jr.split(key, 3)`.
    const [, k1, k2] = key === undefined ? [undefined, undefined, undefined] : splitKey(key, 3);
    let s = state;
    let h = x;
    if (this.prenorm) [h, s] = this.normSeq(h, s, mask, inference);
    h = this.sequence_mixer.call(h, lengths === undefined ? undefined : { lengths });
    h = this.drop.call(gelu(h), { key: k1, inference });
    h = this.channel_mixer.call(h);
    h = this.drop.call(h, { key: k2, inference });
    h = x.add(h);
    if (!this.prenorm) [h, s] = this.normSeq(h, s, mask, inference);
    return [h, s];
  }

  initCache(batchShape: readonly number[], state: State | undefined): BlockCache {
    if (state === undefined) {
      throw new ValueError(
        "StandardBlock.initCache: pass the model's State — recurrent steps normalise with BatchNorm's running statistics, which live there",
      );
    }
    const stats = state.get(this.norm.emaStateIndex as StateIndex<[Array, Array]>);
    return { mixer: this.sequence_mixer.initCache(batchShape), norm: [stats[0], stats[1]] };
  }

  /** BatchNorm in inference mode on one token `[..., H]` (the same arithmetic as `BatchNorm.call`). */
  private normToken(x: Array, [mean, variance]: readonly [Array, Array]): Array {
    let out = x.sub(mean).mul(lax.rsqrt(variance.add(this.norm.eps)));
    if (this.norm.weight !== null && this.norm.bias !== null) out = out.mul(this.norm.weight).add(this.norm.bias);
    return out;
  }

  recurrence(): BlockStepFn {
    const mixerStep: MixerStepFn<MixerCache> = this.sequence_mixer.recurrence();
    return (xt: Array, cache: BlockCache): [Array, BlockCache] => {
      let h = this.prenorm ? this.normToken(xt, cache.norm) : xt;
      const [m, mixerCache] = mixerStep(h, cache.mixer);
      h = xt.add(this.channel_mixer.call(gelu(m)));
      if (!this.prenorm) h = this.normToken(h, cache.norm);
      return [h, { mixer: mixerCache, norm: cache.norm }];
    };
  }
}
