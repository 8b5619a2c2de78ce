/**
 * @linax-ts/ssm — linax's linear time-invariant sequence mixers (S5, LinOSS, LRU, S4D) with a
 * parallel forward pass (associative scan / FFT) and a recurrent `initCache`/`step` form.
 */
export {
  SequenceMixer,
  SequenceMixerConfig,
  diagonalLinearScan,
  applyRows,
  pairToComplex,
  complexToPair,
  type MixerCache,
  type MixerStepFn,
} from "./mixers/base.ts";
export { makeHippo, makeNplrHippo, makeDplrHippo, type DplrHippo } from "./hippo.ts";
export {
  S5SequenceMixer,
  S5SequenceMixerConfig,
  type S5SequenceMixerOptions,
  type S5Discretization,
  type S5Cache,
  type S5Discrete,
} from "./mixers/s5.ts";
export { initS5Params, s5StateSizes, type S5CInit, type S5InitOptions, type S5Params } from "./mixers/s5-init.ts";
export { LRUSequenceMixer, LRUSequenceMixerConfig, type LRUSequenceMixerOptions, type LRUCache } from "./mixers/lru.ts";
export {
  LinOSSSequenceMixer,
  LinOSSSequenceMixerConfig,
  mapThetaToA,
  type LinOSSSequenceMixerOptions,
  type LinOSSDiscretization,
  type LinOSSCache,
  type LinOSSTransition,
} from "./mixers/linoss.ts";
export {
  S4DSequenceMixer,
  S4DSequenceMixerConfig,
  S4DKernel,
  type S4DSequenceMixerOptions,
  type S4DInit,
  type S4DCache,
} from "./mixers/s4d.ts";
// The model system: configs → modules for encoders, blocks, channel mixers, heads, the SSM model.
export {
  Encoder,
  EncoderConfig,
  LinearEncoder,
  LinearEncoderConfig,
  EmbeddingEncoder,
  EmbeddingEncoderConfig,
  type LinearEncoderOptions,
  type EmbeddingEncoderOptions,
} from "./encoders.ts";
export {
  ChannelMixerConfig,
  GLUConfig,
  MLPConfig,
  MLPChannelMixer,
  MLPChannelMixerConfig,
  MLP_ACTIVATIONS,
  SwiGLUConfig,
  SwiGLU,
  IdentityConfig,
  IdentityChannelMixer,
  IdentityChannelMixerConfig,
  type ChannelMixer,
  type MLPActivationName,
  type MLPConfigOptions,
  type SwiGLUConfigOptions,
} from "./channel-mixers.ts";
export {
  Head,
  HeadConfig,
  ClassificationHead,
  ClassificationHeadConfig,
  RegressionHead,
  RegressionHeadConfig,
  type HeadCache,
  type HeadOptions,
  type HeadCallOptions,
} from "./heads.ts";
export {
  Block,
  BlockConfig,
  StandardBlock,
  StandardBlockConfig,
  type BlockCache,
  type BlockStepFn,
  type StandardBlockOptions,
  type BlockCallOptions,
} from "./blocks.ts";
export { SSMConfig, type SSMConfigOptions } from "./config.ts";
export { SSM, type SSMCache, type SSMStepFn, type CallBatchOptions, type SSMCallOptions } from "./model.ts";
export {
  validMask,
  maskRows,
  withLengths,
  mixerCallOptions,
  checkOptionKeys,
  batchLengths,
  batchMask,
  maskBatchRows,
  type BatchLengths,
  type Lengths,
  type MixerCallOptions,
} from "./lengths.ts";
export {
  S5Config,
  LinOSSConfig,
  LRUConfig,
  S4DConfig,
  DeltaNetConfig,
  MambaSSMConfig,
  Mamba2SSMConfig,
  type HighLevelConfigOptions,
} from "./high-level.ts";
export { linaxPath, fromKeystr, parameterTable, saveSSM, loadSSM, type ParameterEntry } from "./serialization.ts";
export * as ops from "./ops/index.ts";
export {
  Mamba,
  MambaConfig,
  DepthwiseConv1d,
  type MambaOptions,
  type MambaCache,
  type MambaCallOptions,
} from "./mixers/mamba.ts";
export {
  DeltaNetSequenceMixer,
  DeltaNetSequenceMixerConfig,
  type DeltaNetSequenceMixerOptions,
  type DeltaNetCache,
} from "./mixers/deltanet.ts";
export { IdentitySequenceMixer, IdentitySequenceMixerConfig, type IdentityCache } from "./mixers/identity.ts";
export { Mamba2, Mamba2Config, GatedRMSNorm, type Mamba2Options, type Mamba2Cache } from "./mixers/mamba2.ts";
export { S4D, type S4DOptions, type S4DForwardOptions, type S4DBlockCache, type S4DFinalAct } from "./s4d-block.ts";
export {
  SSTransformer,
  SSTransformerConfig,
  SSTBlock,
  type SSTransformerOptions,
  type SSTransformerCallOptions,
  type SSTransformerCache,
  type SSTBlockCache,
} from "./sstransformer.ts";
