/**
 * High-level configs (linax `src/linax/models/{s5,linoss,lru}.py`, SPEC §3): one sequence-mixer
 * config, one block config and one channel-mixer config repeated `numBlocks` times. The same
 * config object is repeated (as linax); the blocks still get different weights because each is
 * built from its own PRNG row. `S4DConfig` has no linax counterpart in layout C; it is the same
 * pattern for the S4D mixer.
 */
import type { SequenceMixerConfig } from "./mixers/base.ts";
import { S5SequenceMixerConfig } from "./mixers/s5.ts";
import { LinOSSSequenceMixerConfig } from "./mixers/linoss.ts";
import { LRUSequenceMixerConfig } from "./mixers/lru.ts";
import { S4DSequenceMixerConfig } from "./mixers/s4d.ts";
import { DeltaNetSequenceMixerConfig } from "./mixers/deltanet.ts";
import { MambaConfig } from "./mixers/mamba.ts";
import { Mamba2Config } from "./mixers/mamba2.ts";
import { BlockConfig, StandardBlockConfig } from "./blocks.ts";
import { ChannelMixerConfig, GLUConfig } from "./channel-mixers.ts";
import type { EncoderConfig } from "./encoders.ts";
import type { HeadConfig } from "./heads.ts";
import { SSMConfig } from "./config.ts";
import { instanceOf, positiveInt } from "./validate.ts";

/** Options of the high-level configs (linax's fields, camelCase). */
export interface HighLevelConfigOptions<C extends SequenceMixerConfig> {
  /** How many blocks (≥ 1). */
  numBlocks: number;
  encoderConfig: EncoderConfig;
  headConfig: HeadConfig;
  /** The mixer of every block (default: the mixer config's defaults). */
  sequenceMixerConfig?: C;
  /** Default `new StandardBlockConfig()` (dropRate 0.1, prenorm). */
  blockConfig?: BlockConfig;
  /** Default `new GLUConfig()`. */
  channelMixerConfig?: ChannelMixerConfig;
}

/** The shared implementation: validate, repeat, then `SSMConfig`'s checks. */
abstract class RepeatedBlocksConfig<C extends SequenceMixerConfig> extends SSMConfig {
  readonly sequenceMixerConfig: C;
  readonly blockConfig: BlockConfig;
  readonly channelMixerConfig: ChannelMixerConfig;

  protected constructor(
    opts: HighLevelConfigOptions<C>,
    mixerClass: abstract new (...a: never[]) => C,
    defaultMixer: () => C,
  ) {
    const where = new.target.name;
    const n = positiveInt(where, "numBlocks", opts.numBlocks);
    const mixer = instanceOf(where, "sequenceMixerConfig", opts.sequenceMixerConfig ?? defaultMixer(), mixerClass);
    const block = instanceOf(where, "blockConfig", opts.blockConfig ?? new StandardBlockConfig(), BlockConfig);
    const channel = instanceOf(
      where,
      "channelMixerConfig",
      opts.channelMixerConfig ?? new GLUConfig(),
      ChannelMixerConfig,
    );
    const repeat = <T>(v: T): T[] => globalThis.Array.from({ length: n }, () => v);
    super({
      encoderConfig: opts.encoderConfig,
      headConfig: opts.headConfig,
      sequenceMixerConfigs: repeat(mixer),
      blockConfigs: repeat(block),
      channelMixerConfigs: repeat(channel),
    });
    this.sequenceMixerConfig = mixer;
    this.blockConfig = block;
    this.channelMixerConfig = channel;
    Object.freeze(this);
  }
}

/** linax's `S5Config`: `numBlocks` S5 blocks. */
export class S5Config extends RepeatedBlocksConfig<S5SequenceMixerConfig> {
  constructor(opts: HighLevelConfigOptions<S5SequenceMixerConfig>) {
    super(opts, S5SequenceMixerConfig, () => new S5SequenceMixerConfig());
  }
}

/** linax's `LinOSSConfig`: `numBlocks` LinOSS blocks. */
export class LinOSSConfig extends RepeatedBlocksConfig<LinOSSSequenceMixerConfig> {
  constructor(opts: HighLevelConfigOptions<LinOSSSequenceMixerConfig>) {
    super(opts, LinOSSSequenceMixerConfig, () => new LinOSSSequenceMixerConfig());
  }
}

/** linax's `LRUConfig`: `numBlocks` LRU blocks. */
export class LRUConfig extends RepeatedBlocksConfig<LRUSequenceMixerConfig> {
  constructor(opts: HighLevelConfigOptions<LRUSequenceMixerConfig>) {
    super(opts, LRUSequenceMixerConfig, () => new LRUSequenceMixerConfig());
  }
}

/** `numBlocks` S4D blocks (the same pattern; linax layout C has no S4D model config). */
export class S4DConfig extends RepeatedBlocksConfig<S4DSequenceMixerConfig> {
  constructor(opts: HighLevelConfigOptions<S4DSequenceMixerConfig>) {
    super(opts, S4DSequenceMixerConfig, () => new S4DSequenceMixerConfig());
  }
}

/** discretax's DeltaNet model: `numBlocks` DeltaNet blocks (default mixer `DeltaNetSequenceMixerConfig()`). */
export class DeltaNetConfig extends RepeatedBlocksConfig<DeltaNetSequenceMixerConfig> {
  constructor(opts: HighLevelConfigOptions<DeltaNetSequenceMixerConfig>) {
    super(opts, DeltaNetSequenceMixerConfig, () => new DeltaNetSequenceMixerConfig());
  }
}

/** A model of `numBlocks` Mamba blocks as sequence mixers (default mixer `MambaConfig()`). */
export class MambaSSMConfig extends RepeatedBlocksConfig<MambaConfig> {
  constructor(opts: HighLevelConfigOptions<MambaConfig>) {
    super(opts, MambaConfig, () => new MambaConfig());
  }
}

/** A model of `numBlocks` Mamba-2 blocks as sequence mixers (default mixer `Mamba2Config()`). */
export class Mamba2SSMConfig extends RepeatedBlocksConfig<Mamba2Config> {
  constructor(opts: HighLevelConfigOptions<Mamba2Config>) {
    super(opts, Mamba2Config, () => new Mamba2Config());
  }
}
