/** The `np` namespace: numpy-compatible functions over linax arrays. */
export { array, asArray } from "./convert.ts";
export * from "./math.ts";
export * from "./math-ufuncs.ts";
export * from "./logic.ts";
export * as special from "./special.ts";
export * from "./reductions.ts";
export { broadcastTo } from "./promote.ts";
export { reshape, transpose, ravel, moveaxis, swapaxes, squeeze, expandDims, broadcastArrays, concatenate, stack, hstack, vstack, dstack, split, arraySplit, atleast1d, atleast2d, atleast3d, type AxisArg } from "./shape.ts";
export { toNdarray } from "./interop.ts";
export * from "./reductions-more.ts";
export * from "./linalg-products.ts";
export * from "./einsum.ts";
export * from "./sorting.ts";
export * from "./shape-more.ts";
export * from "./creation.ts";
export { index, at, slice, s_, newaxis, canonicalSlice, type SliceSpec, type IndexOptions, type UpdateOptions } from "./indexing.ts";
export * as linalg from "./linalg.ts";
export * as fft from "./fft.ts";
