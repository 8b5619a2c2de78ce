/**
 * All primitive families. Importing this module defines every primitive and installs the
 * few hooks the transform machinery needs (zeros for symbolic-zero instantiation, cotangent add).
 */
import type { ShapedArray } from "../core/aval.ts";
import { installZeros } from "../transforms/zeros.ts";
import { installAddAny } from "../transforms/transpose.ts";
import { add, fullLike } from "./elementwise.ts";

export * from "./elementwise.ts";
export * from "./complex.ts";
export * from "./convert.ts";
export * from "./shape-ops.ts";
export * from "./reduce.ts";
export * from "./control/jit.ts";

installZeros((aval: ShapedArray) => fullLike(aval.strong(), 0));
installAddAny(add);
export * from "./elementwise-logic.ts";
export * from "./elementwise-math.ts";
import "./half-nextafter.ts";
export * from "./elementwise-special.ts";
export * from "./shape-slicing.ts";
export * from "./shape-dynamic.ts";
export * from "./indexing.ts";
export * from "./indexing-scatter.ts";
export * from "./reduce-extrema.ts";
export * from "./reduce-prod-logical.ts";
export * from "./cumulative.ts";
export * from "./dot.ts";
export * from "./conv.ts";
export type { PrecisionLike, PrecisionName } from "./precision.ts";
export * from "./sort.ts";
// Control flow, custom derivatives, remat and named-axis collectives (higher-order primitives).
export { scan, map, cond, switch, whileLoop, foriLoop, type ScanOptions } from "../lax/control-flow.ts";
export { scanP, type ScanParams } from "./control/scan.ts";
export { condP, type CondParams } from "./control/cond.ts";
export { whileP, type WhileParams } from "./control/while.ts";
export {
  stopGradient,
  stopGradientP,
  customJvpCallP,
  customVjpCallP,
  customLinP,
} from "./control/custom-derivatives.ts";
export * from "./linalg.ts";
export * from "./linalg-lu.ts";
export * from "./linalg-svd.ts";
export * from "./linalg-eig.ts";
export * from "./fft.ts";
export {
  associativeScan,
  associativeScanP,
  type AssociativeScanOptions,
  type AssociativeScanParams,
} from "./control/associative-scan.ts";
export { isLinearRecurrenceCombine } from "./control/associative-linear.ts";
export {
  checkpoint,
  remat,
  rematP,
  checkpointPolicies,
  type CheckpointPolicy,
  type CheckpointOptions,
  type RematParams,
} from "./control/checkpoint.ts";
export {
  psum,
  pmean,
  pmax,
  pmin,
  axisIndex,
  axisSize,
  psumP,
  pmaxP,
  pminP,
  axisIndexP,
  type AxisName,
  type AxisParams,
} from "./control/collectives.ts";
