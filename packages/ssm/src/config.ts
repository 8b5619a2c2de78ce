/**
 * `SSMConfig` (linax `src/linax/models/ssm.py`, SPEC §3): the low-level, fully modular model
 * configuration — one encoder, per block a sequence mixer, a block and a channel mixer, one head.
 * Every block is built for the encoder's `outFeatures`, and so is the head.
 */
import { ValueError, random } from "@linax-ts/core";
import type { PRNGKey } from "@linax-ts/nn";
import { SequenceMixerConfig } from "./mixers/base.ts";
import { BlockConfig } from "./blocks.ts";
import { ChannelMixerConfig } from "./channel-mixers.ts";
import { EncoderConfig } from "./encoders.ts";
import { HeadConfig } from "./heads.ts";
import { instanceOf } from "./validate.ts";
import { SSM } from "./model.ts";

/** The fields of `SSMConfig` (linax's, camelCase). */
export interface SSMConfigOptions {
  /** Input → hidden width `H = encoderConfig.outFeatures`. */
  encoderConfig: EncoderConfig;
  /** One sequence mixer per block. */
  sequenceMixerConfigs: readonly SequenceMixerConfig[];
  /** One block per sequence mixer. */
  blockConfigs: readonly BlockConfig[];
  /** One channel mixer per block. */
  channelMixerConfigs: readonly ChannelMixerConfig[];
  /** The output head; its input width is set to `H`. */
  headConfig: HeadConfig;
}

let warnedNoKey = false;

/**
 * linax's `SSMConfig`: immutable; `build(key)` makes an `SSM` (or use
 * `makeWithState(SSM)(config, key)` to get the model and its `State` together).
 *
 * ```ts
 * const config = new SSMConfig({
 *   encoderConfig: new LinearEncoderConfig({ inFeatures: 784, outFeatures: 128 }),
 *   sequenceMixerConfigs: Array(4).fill(new LinOSSSequenceMixerConfig({ stateDim: 128 })),
 *   blockConfigs: Array(4).fill(new StandardBlockConfig({ dropRate: 0.1 })),
 *   channelMixerConfigs: Array(4).fill(new GLUConfig()),
 *   headConfig: new ClassificationHeadConfig({ outFeatures: 10 }),
 * });
 * ```
 * Throws a `ValueError` when the three per-block lists differ in length (linax's messages) or a
 * component is not a config of the expected kind.
 */
export class SSMConfig {
  readonly encoderConfig: EncoderConfig;
  readonly sequenceMixerConfigs: readonly SequenceMixerConfig[];
  readonly blockConfigs: readonly BlockConfig[];
  readonly channelMixerConfigs: readonly ChannelMixerConfig[];
  readonly headConfig: HeadConfig;

  constructor(opts: SSMConfigOptions) {
    const where = this.constructor.name;
    this.encoderConfig = instanceOf(where, "encoderConfig", opts.encoderConfig, EncoderConfig);
    this.headConfig = instanceOf(where, "headConfig", opts.headConfig, HeadConfig);
    const list = <T>(
      field: string,
      v: readonly T[] | undefined,
      cls: abstract new (...a: never[]) => T,
    ): readonly T[] => {
      if (!globalThis.Array.isArray(v))
        throw new ValueError(
          `${where}: ${field} must be a list (one entry per block); got ${v === undefined ? "undefined" : typeof v}`,
        );
      return Object.freeze(v.map((c, i) => instanceOf(where, `${field}[${i}]`, c, cls)));
    };
    this.sequenceMixerConfigs = list("sequenceMixerConfigs", opts.sequenceMixerConfigs, SequenceMixerConfig);
    this.blockConfigs = list("blockConfigs", opts.blockConfigs, BlockConfig);
    this.channelMixerConfigs = list("channelMixerConfigs", opts.channelMixerConfigs, ChannelMixerConfig);
    if (this.sequenceMixerConfigs.length !== this.blockConfigs.length) {
      throw new ValueError(
        `sequenceMixerConfigs and blockConfigs must have same length (got ${this.sequenceMixerConfigs.length} and ${this.blockConfigs.length})`,
      );
    }
    if (this.channelMixerConfigs.length !== this.blockConfigs.length) {
      throw new ValueError(
        `channelMixerConfigs and blockConfigs must have same length (got ${this.channelMixerConfigs.length} and ${this.blockConfigs.length})`,
      );
    }
    // Subclasses (S5Config, ...) freeze after setting their own fields.
    if (new.target === SSMConfig) Object.freeze(this);
  }

  /** The number of blocks. */
  get numBlocks(): number {
    return this.blockConfigs.length;
  }

  /** `H`: the width of every block and of the head's input. */
  get hiddenDim(): number {
    return this.encoderConfig.outFeatures;
  }

  /**
   * Builds the model. Without a key, warns once and uses `PRNGKey(0)` (as linax:
   * "No key provided. Set automatically."). The returned model keeps its BatchNorm initial
   * states (get them with `new nn.State(model)`); `makeWithState(SSM)(config, key)` instead
   * returns `[model, state]` with state keys named by field path.
   */
  build(key?: PRNGKey): SSM {
    if (key === undefined) {
      if (!warnedNoKey) console.warn("SSMConfig.build: No key provided. Set automatically (PRNGKey(0)).");
      warnedNoKey = true;
      return new SSM(this, random.PRNGKey(0));
    }
    return new SSM(this, key);
  }
}
