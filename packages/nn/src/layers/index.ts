/** Layers. */
export { StatefulLayer, isStatefulLayer, type CallOptions, type Layer, type FloatDType } from "./base.ts";
export { Linear, Identity, type LinearOptions } from "./linear.ts";
export { Embedding, type EmbeddingOptions } from "./embedding.ts";
export { LayerNorm, RMSNorm, GroupNorm, type NormOptions } from "./normalisation.ts";
export { BatchNorm, type BatchNormOptions, type BatchNormCallOptions } from "./batch-norm.ts";
export { Dropout } from "./dropout.ts";
export { MLP, GLU, type MLPOptions } from "./mlp.ts";
export { Conv, Conv1d, Conv2d, type ConvOptions, type ConvPadding, type PaddingMode } from "./conv.ts";
export {
  MultiheadAttention,
  dotProductAttention,
  dotProductAttentionWeights,
  attentionMask,
  type MultiheadAttentionOptions,
  type MultiheadAttentionCallOptions,
  type AttentionMaskOptions,
} from "./attention.ts";
export { Sequential, Lambda } from "./sequential.ts";
