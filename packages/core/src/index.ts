/**
 * @linax-ts/core — arrays, primitives, transforms. Backends register themselves; import
 * `linax-ts` for the batteries-included entry point.
 */
import "./core/eval.ts";
import "./primitives/index.ts";
import "./numpy/methods.ts";

/** `JaxArray` is `Array` under a name that does not shadow the global `Array` in user code. */
export {
  Array,
  Array as JaxArray,
  type ArrayLike,
  type NestedList,
  type IndexItem,
  type ReduceOptions,
} from "./core/array.ts";
export { ShapedArray } from "./core/aval.ts";
export { ConcreteArray } from "./core/concrete.ts";
export { Tracer } from "./core/trace.ts";
export {
  Primitive,
  definePrimitive,
  listPrimitives,
  UndefinedPrimal,
  type BatchDim,
  type AxisInfo,
  type Params,
} from "./core/primitive.ts";
export { Jaxpr, ClosedJaxpr, JaxprEqn, Var, Literal, evalJaxpr } from "./core/jaxpr.ts";
export * from "./dtype.ts";
export * from "./half.ts";
export * from "./errors.ts";
export { config, disableJit, type ConfigFlags } from "./config.ts";
export { prod, stridesOf, broadcastShapes, normAxis, normAxes, shapeEq } from "./shape.ts";
export { axisOptions, checkOptions, checkValue, type OptionKind, type OptionSpec } from "./numpy/args.ts";
export {
  registerBackend,
  setDefaultBackend,
  getBackend,
  listBackends,
  type Backend,
  type DeviceBuffer,
  type Executable,
} from "./backend.ts";
export {
  treeFlatten,
  treeUnflatten,
  treeMap,
  treeLeaves,
  treeStructure,
  treeLeavesWithPath,
  registerPytreeNode,
  TreeDef,
  type PyTree,
} from "./tree/pytree.ts";
export {
  jvp,
  vjp,
  linearize,
  grad,
  valueAndGrad,
  vmap,
  jit,
  makeJaxpr,
  type GradOptions,
  type VmapOptions,
  type JitOptions,
  type ResidualFunction,
} from "./transforms/api.ts";
export type {
  AnyFunction,
  ArrayFunction,
  Promoted,
  ArgsLike,
  ArgAt,
  Argnums,
  ArgnumsOf,
  HasAuxOf,
  AuxOf,
  GradsOf,
  ScalarOutput,
  GradFunction,
  ValueAndGradFunction,
  Jitted,
  Vmapped,
} from "./transforms/types.ts";
export type { BroadcastInDimParams, TransposeParams, ReshapeParams } from "./primitives/shape-ops.ts";
export type { ReduceParams } from "./primitives/reduce.ts";
export type { ConvertParams } from "./primitives/convert.ts";
export * as lax from "./primitives/index.ts";
export { np } from "./numpy/public-namespace.ts";
export { devicePut, devicePutAsync } from "./core/device.ts";
export {
  customJvp,
  customVjp,
  stopGradient,
  type CustomJvpFunction,
  type CustomVjpFunction,
} from "./primitives/control/custom-derivatives.ts";
export {
  checkpoint,
  remat,
  checkpointPolicies,
  type CheckpointPolicy,
  type CheckpointOptions,
} from "./primitives/control/checkpoint.ts";
export { jacfwd, jacrev, hessian, type JacobianOptions } from "./transforms/jacobians.ts";
export type {
  JacobianOf,
  JacobianOutput,
  JacobianFunction,
  HessianFunction,
  PytreeOutput,
} from "./transforms/jacobian-types.ts";
export { withTransformContext, currentTransformContext } from "./transforms/trace-context.ts";
export { clearCaches, registerCacheClearer, JitCache, liveJitCaches } from "./transforms/jit-cache.ts";
export { random } from "./random/public-namespace.ts";
export * as xlaF32 from "./random/xla-f32-math.ts";
// Last: the lowering rules look primitives up by name, so every primitive family must be loaded first.
export * as compile from "./compile/index.ts";
