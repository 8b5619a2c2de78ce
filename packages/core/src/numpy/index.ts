/** The `np` namespace: numpy-compatible functions over linax arrays. */
export { array, asArray } from "./convert.ts";
export * from "./math.ts";
export * from "./reductions.ts";
export { broadcastTo } from "./promote.ts";
export { reshape, transpose } from "./shape.ts";
export { toNdarray } from "./interop.ts";
