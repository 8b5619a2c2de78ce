/**
 * @linax-ts/testing — test utilities for users and for our own suite: array assertions,
 * fast-check arbitraries for arrays/shapes/pytrees/keys, host-side array plumbing, and JAX-style
 * checkers (`checkGrads`, `checkVmap`, `checkJit`, `checkScanEquivalence`, `checkLinear`).
 */
export * from "./assert.ts";
export * from "./arbitraries.ts";
export {
  hostValues,
  fromValues,
  takeAlong,
  stackAlong,
  randomLike,
  realInner,
  hostConj,
  mulberry32,
  widthOf,
} from "./host.ts";
export {
  memoryCurve,
  assertFlat,
  curveGrowth,
  formatCurve,
  settleGarbage,
  canCollectGarbage,
  type MemorySample,
  type MemoryCurveOptions,
  type FlatOptions,
} from "./memory-curve.ts";
export {
  checkGrads,
  checkVmap,
  checkJit,
  checkScanEquivalence,
  checkLinear,
  sliceRow,
  type CheckGradsOptions,
  type CheckVmapOptions,
  type CheckLinearOptions,
  type HostReference,
  type Tolerance,
} from "./checkers.ts";
