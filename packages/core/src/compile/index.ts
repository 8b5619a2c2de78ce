/**
 * The compile layer's public surface for backends: jaxpr → Program (fused kernels and routine
 * calls over numbered buffers) → buffer plan. Backends render the kernels and run the steps.
 */
export {
  buildProgram,
  printProgram,
  type Program,
  type Step,
  type KernelStep,
  type RoutineStep,
  type BufferInfo,
  type FuseOptions,
} from "./graph.ts";
export { epilogueRows, type RoutineEpilogue, type EpilogueCapability, type EpilogueRows } from "./routine-epilogue.ts";
export { planBuffers, donatedFrees, sizeClass, type BufferPlan } from "./schedule.ts";
export {
  printKernel,
  loadedBuffers,
  countOps,
  scalarTypeOf,
  type Kernel,
  type ElementwiseKernel,
  type ReduceKernel,
  type KernelOutput,
  type Expr,
  type OpExpr,
  type LoadExpr,
  type ConstExpr,
  type IndexValueExpr,
  type ScalarType,
  type ReduceOp,
} from "./ir.ts";
export { coefficientOf, mentions, range, print as printIndex, type Linear, type Atom } from "./index-expr.ts";
export { inlineCalls, INLINED } from "./inline.ts";
export { getLowering, loweredPrimitives } from "./lowering.ts";
export { rewriteComplexDots } from "./complex-dots.ts";
