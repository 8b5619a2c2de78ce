/** The `np` namespace: numpy-compatible functions over linax arrays. */
export { array, asArray } from "./convert.ts";
export * from "./math.ts";
export * from "./math-ufuncs.ts";
export * from "./logic.ts";
export * as special from "./special.ts";
export * from "./reductions.ts";
export { broadcastTo } from "./promote.ts";
export {
  reshape,
  transpose,
  ravel,
  moveaxis,
  swapaxes,
  squeeze,
  expandDims,
  broadcastArrays,
  concatenate,
  stack,
  hstack,
  vstack,
  dstack,
  split,
  arraySplit,
  atleast1d,
  atleast2d,
  atleast3d,
  type AxisArg,
} from "./shape.ts";
export { toNdarray } from "./interop.ts";
export * from "./cumulative.ts";
export * from "./logsumexp.ts";
export * from "./linalg-products.ts";
export * from "./einsum.ts";
export * from "./sorting.ts";
export * from "./tile-repeat.ts";
export * from "./flip-roll.ts";
export * from "./pad.ts";
export * from "./take.ts";
export * from "./diagonals.ts";
export * from "./meshgrid.ts";
export * from "./creation.ts";
export {
  index,
  at,
  slice,
  s_,
  newaxis,
  canonicalSlice,
  type SliceSpec,
  type IndexOptions,
  type UpdateOptions,
} from "./indexing.ts";
export * as linalg from "./linalg.ts";
export * as fft from "./fft.ts";
export { resultType, promoteTypes, astype } from "./dtypes.ts";
export * from "./statistics.ts";
export * from "./nan-reductions.ts";
export {
  searchsorted,
  nonzero,
  flatnonzero,
  argwhere,
  type SearchsortedOptions,
  type NonzeroOptions,
} from "./searching.ts";
export * from "./sets.ts";
export * from "./index-generation.ts";
export * from "./float-ufuncs.ts";
export * from "./integer-math.ts";
export * from "./calculus.ts";
export * from "./convolution.ts";
export * from "./polynomials.ts";
export * from "./tensor-products.ts";
export * from "./interpolation.ts";
export * from "./geometric-ranges.ts";
export * from "./joining-splitting.ts";
export * from "./rotation-selection.ts";
export * from "./array-api.ts";
export * from "./vectorize.ts";
export * from "./dtype-info.ts";
