/**
 * @linax-ts/nn — Equinox-style neural networks: immutable `Module` pytrees, filtered transforms,
 * explicit `State`, layers, activations, initializers, losses, optax-style optimizers and
 * safetensors serialization. Exposed from the umbrella package as `nn`.
 */
export { Module, ModuleAux, isStaticFieldValue, isPytreeNode, replaceFields } from "./module.ts";
export { treePformat, countParams, type PformatOptions } from "./pretty.ts";
export { treeAt, type TreeAtOptions } from "./tree-at.ts";
export { produce, type Draft } from "./produce.ts";
export {
  isArray,
  isInexactArray,
  isArrayLike,
  filter,
  partition,
  combine,
  combineOptions,
  filterMask,
  type FilterSpec,
  type FilterOptions,
  type CombineOptions,
} from "./filters.ts";
export {
  filterJit,
  type FilterJitOptions,
  filterGrad,
  filterValueAndGrad,
  filterVmap,
  ifArray,
  structureKey,
  type AxisSpec,
  type FilterGradOptions,
  type FilterVmapOptions,
  type FilterScalarOutput,
  type FilterGradFunction,
  type FilterValueAndGradFunction,
} from "./transforms.ts";
export { State, StateIndex, makeWithState, deleteInitState, cloneState } from "./state.ts";
export { inference } from "./inference.ts";
export { staticKey } from "./static-key.ts";
export {
  relu,
  gelu,
  geluExact,
  sigmoid,
  silu,
  swish,
  softplus,
  logSigmoid,
  tanh,
  elu,
  leakyRelu,
  softmax,
  logSoftmax,
  identity,
  oneHot,
} from "./activations.ts";
export * as init from "./initializers.ts";
export type { Initializer } from "./initializers.ts";
export * as losses from "./losses.ts";
export {
  softmaxCrossEntropy,
  softmaxCrossEntropyWithIntegerLabels,
  sigmoidBinaryCrossEntropy,
  meanSquaredError,
  mse,
  squaredError,
  l2Loss,
  reduceLoss,
  type LossOptions,
  type Reduction,
} from "./losses.ts";
export * as optim from "./optim/index.ts";
export { prngKey, splitKey, type PRNGKey } from "./random.ts";
export * from "./layers/index.ts";
export { callOptions, checkState, isPRNGKey, CALL_OPTION_KEYS } from "./call-options.ts";
export {
  saveSafetensors,
  loadSafetensors,
  toSafetensorsBytes,
  toSafetensorsBytesSync,
  fromSafetensorsBytes,
  readSafetensorsBytes,
  SafetensorsError,
  type SaveOptions,
  type LoadOptions,
} from "./serialization/safetensors.ts";
