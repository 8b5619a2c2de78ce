/**
 * Strided indexing shared by CPU kernels: the flat input index of every output position reached
 * through per-axis strides, the gather of those elements, and allocation of the output buffer.
 */
import { allocTyped, stridesOf, type ShapedArray, type TypedArray } from "@linax-ts/core";

export const alloc = (aval: ShapedArray): TypedArray => allocTyped(aval.dtype, aval.size);

/**
 * For an output of shape `outShape`, the flat input index for each output index when the input
 * is reached through `inStrides` (per output axis; 0 for broadcast axes).
 */
export function gatherIndex(outShape: readonly number[], inStridesPerOutAxis: readonly number[]): Int32Array {
  const n = outShape.reduce((a, b) => a * b, 1);
  const idx = new Int32Array(n);
  const nd = outShape.length;
  const counter = new Array<number>(nd).fill(0);
  let off = 0;
  for (let i = 0; i < n; i++) {
    idx[i] = off;
    for (let ax = nd - 1; ax >= 0; ax--) {
      counter[ax]++;
      off += inStridesPerOutAxis[ax];
      if (counter[ax] < outShape[ax]) break;
      off -= inStridesPerOutAxis[ax] * outShape[ax];
      counter[ax] = 0;
    }
  }
  return idx;
}

/** Copy `src` elements at `idx` into a new array (complex-aware). */
export function takeFlat(src: TypedArray, idx: Int32Array, outAval: ShapedArray): TypedArray {
  const out = alloc(outAval);
  if (outAval.dtype === "complex64") {
    for (let i = 0; i < idx.length; i++) {
      out[2 * i] = src[2 * idx[i]];
      out[2 * i + 1] = src[2 * idx[i] + 1];
    }
  } else for (let i = 0; i < idx.length; i++) out[i] = src[idx[i]];
  return out;
}

export { stridesOf };
