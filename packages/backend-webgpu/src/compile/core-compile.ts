/**
 * The one place this package reaches into core's compile layer (core/src/compile/), which core's
 * public entry point does not export yet. Everything in src/compile/ imports it from here, so
 * switching to a public `@linax-ts/core` export is a one-file change. (Node and tsx resolve the
 * workspace link to the same files, so these are the same module instances core uses.)
 */
export {
  buildProgram,
  printProgram,
  type Program,
  type Step,
  type BufferInfo,
  type RoutineStep,
  type KernelStep,
} from "../../../core/src/compile/graph.ts";
export { planBuffers, type BufferPlan } from "../../../core/src/compile/schedule.ts";
export {
  printKernel,
  loadedBuffers,
  countOps,
  ExprBuilder,
  type Kernel,
  type ElementwiseKernel,
  type ReduceKernel,
  type Expr,
  type ScalarType,
  type KernelOutput,
} from "../../../core/src/compile/ir.ts";
export {
  range,
  combine,
  loopVar,
  print as printLinear,
  type Linear,
  type Atom,
} from "../../../core/src/compile/index-expr.ts";
