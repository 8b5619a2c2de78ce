/** Helpers batching rules share: moving and materializing batch dimensions. */
import type { Array } from "../core/array.ts";
import type { BatchDim } from "../core/primitive.ts";
import { broadcastInDim, transpose } from "./shape-ops.ts";
import { moveAxisPerm } from "./scalars-and-batch-dims.ts";
import { InternalError } from "../errors.ts";

/** Move batch dim `from` to position `to` (materializing a broadcast if the value is unbatched). */
export function moveBdim(x: Array, from: BatchDim, to: number, size: number): Array {
  if (from === null) {
    const shape = [...x.shape];
    shape.splice(to, 0, size);
    const dims = x.shape.map((_, i) => (i < to ? i : i + 1));
    return broadcastInDim(x, shape, dims);
  }
  if (from === to) return x;
  return transpose(x, moveAxisPerm(x.ndim, from, to));
}

/** Move the batch dim to the front (axis 0). */
export function bdimToFront(x: Array, bdim: BatchDim, size: number): Array {
  return moveBdim(x, bdim, 0, size);
}

/** Size of the batch axis among the args (all batched args agree). */
export function batchSizeOf(args: readonly Array[], dims: readonly BatchDim[]): number {
  for (let i = 0; i < args.length; i++) {
    const d = dims[i];
    if (d !== null) return args[i].shape[d];
  }
  throw new InternalError("batchSizeOf: no batched argument");
}
