/**
 * @linax-ts/testing — test utilities for users and for our own suite: array assertions,
 * fast-check arbitraries for arrays/shapes/pytrees/keys, and JAX-style checkers
 * (`checkGrads`, `checkVmap`, `checkJit`, `checkScanEquivalence`).
 */
export * from "./assert.ts";
export * from "./arbitraries.ts";
export { checkGrads, checkVmap, checkJit, checkScanEquivalence, sliceRow, type CheckGradsOptions } from "./checkers.ts";
