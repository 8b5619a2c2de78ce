/** Reduction kernels. */
import type { ReduceParams } from "@linax-ts/core";
import { registerKernel } from "../registry.ts";
import { alloc, gatherIndex, stridesOf } from "./util.ts";

/**
 * Map each input element to its output slot: output index of input index i when `axes` are
 * removed. Returned as a flat Int32Array over the input.
 */
export function reductionTargets(inShape: readonly number[], axes: readonly number[]): Int32Array {
  const outShape = inShape.filter((_, i) => !axes.includes(i));
  const outStrides = stridesOf(outShape);
  const per: number[] = [];
  let k = 0;
  for (let i = 0; i < inShape.length; i++) per.push(axes.includes(i) ? 0 : outStrides[k++]);
  return gatherIndex(inShape, per);
}

registerKernel("reduceSum", ([x], [xa], [oa], params) => {
  const { axes } = params as unknown as ReduceParams;
  const tgt = reductionTargets(xa.shape, axes);
  const out = alloc(oa);
  if (xa.dtype === "complex64") {
    // Accumulate in float64 then round once.
    const acc = new Float64Array(2 * oa.size);
    for (let i = 0; i < tgt.length; i++) {
      acc[2 * tgt[i]] += x[2 * i];
      acc[2 * tgt[i] + 1] += x[2 * i + 1];
    }
    out.set(acc as never);
  } else if (xa.dtype === "float32") {
    const acc = new Float64Array(oa.size);
    for (let i = 0; i < tgt.length; i++) acc[tgt[i]] += x[i];
    out.set(acc as never);
  } else {
    for (let i = 0; i < tgt.length; i++) out[tgt[i]] += x[i];
    if (xa.dtype === "int32") for (let i = 0; i < out.length; i++) out[i] |= 0;
  }
  return [out];
});
