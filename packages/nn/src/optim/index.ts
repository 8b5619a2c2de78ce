/** `optim`: optax-style gradient transformations, optimizers and schedules. */
export {
  chain,
  identity,
  scale,
  scaleBySchedule,
  scaleByLearningRate,
  applyUpdates,
  safeIncrement,
  type GradientTransformation,
  type OptState,
  type Schedule,
  type ScalarOrSchedule,
  type EmptyState,
} from "./base.ts";
export {
  trace,
  scaleByAdam,
  scaleByLion,
  masked,
  maskedBy,
  addDecayedWeights,
  clipByGlobalNorm,
  clip,
  type AdamOptions,
} from "./transforms.ts";
export { sgd, adam, adamw, lion } from "./alias.ts";
export { multiTransform, leafLabels, type ParamLabels } from "./combine.ts";
export {
  constant,
  linear,
  cosineDecay,
  warmupCosineDecay,
  constantSchedule,
  linearSchedule,
  polynomialSchedule,
  cosineDecaySchedule,
  warmupCosineDecaySchedule,
  joinSchedules,
} from "./schedules.ts";
export { globalNorm, mapUpdates, zerosLikeTree } from "./tree.ts";
