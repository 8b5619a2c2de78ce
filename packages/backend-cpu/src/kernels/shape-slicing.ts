/**
 * Slicing-family kernels: slice, pad, concatenate, rev, iota, dynamicSlice, dynamicUpdateSlice.
 * All dtypes: they only move elements (complex64 moves both interleaved halves).
 */
import type { lax, ShapedArray, TypedArray } from "@linax-ts/core";
import { registerKernel } from "../registry.ts";
import { alloc, gatherIndex, stridesOf, takeFlat } from "./strided-index.ts";

/** Copy element `si` of `src` to element `di` of `dst` (complex-aware: `w` is 1 or 2 slots). */
export function copyElem(dst: TypedArray, di: number, src: TypedArray, si: number, w: number): void {
  if (w === 2) {
    dst[2 * di] = src[2 * si];
    dst[2 * di + 1] = src[2 * si + 1];
  } else dst[di] = src[si];
}
export const slots = (a: ShapedArray): number => (a.dtype === "complex64" ? 2 : 1);

/** Flat indices of a strided view of an array with strides `inStrides`: base + Σ c_i·step_i·stride_i. */
function viewIndex(
  outShape: readonly number[],
  inStrides: readonly number[],
  starts: readonly number[],
  steps: readonly number[],
): Int32Array {
  const idx = gatherIndex(
    outShape,
    inStrides.map((s, i) => s * steps[i]),
  );
  const base = starts.reduce((acc, s, i) => acc + s * inStrides[i], 0);
  if (base !== 0) for (let i = 0; i < idx.length; i++) idx[i] += base;
  return idx;
}

/** Read the clamped start indices of a dynamic slice from scalar operands (XLA clamps into range). */
function clampedStarts(idx: readonly TypedArray[], shape: readonly number[], sizes: readonly number[]): number[] {
  return sizes.map((s, i) => Math.min(Math.max(Number(idx[i][0]), 0), shape[i] - s));
}

registerKernel("slice", ([x], [xa], [oa], params) => {
  const { startIndices, strides } = params as unknown as lax.SliceParams;
  const steps = strides ?? xa.shape.map(() => 1);
  return [takeFlat(x, viewIndex(oa.shape, stridesOf(xa.shape), startIndices, steps), oa)];
});

registerKernel("pad", ([x, pv], [xa], [oa], params) => {
  const { paddingConfig: cfg } = params as unknown as lax.PadParams;
  const w = slots(oa);
  const out = alloc(oa);
  for (let i = 0; i < oa.size; i++) copyElem(out, i, pv, 0, w);
  // Walk the operand; element c lands at lo + c·(interior+1) when that is inside the output
  // (negative lo/hi crop).
  const nd = xa.ndim;
  const outStrides = stridesOf(oa.shape);
  const c = new Array<number>(nd).fill(0);
  for (let i = 0; i < xa.size; i++) {
    let dst = 0;
    let inside = true;
    for (let d = 0; d < nd; d++) {
      const p = cfg[d][0] + c[d] * (cfg[d][2] + 1);
      if (p < 0 || p >= oa.shape[d]) {
        inside = false;
        break;
      }
      dst += p * outStrides[d];
    }
    if (inside) copyElem(out, dst, x, i, w);
    for (let d = nd - 1; d >= 0; d--) {
      if (++c[d] < xa.shape[d]) break;
      c[d] = 0;
    }
  }
  return [out];
});

registerKernel("concatenate", (xs, avals, [oa], params) => {
  const { dimension: dim } = params as unknown as lax.ConcatenateParams;
  const w = slots(oa);
  const out = alloc(oa);
  const outer = oa.shape.slice(0, dim).reduce((a, b) => a * b, 1);
  const inner = oa.shape.slice(dim + 1).reduce((a, b) => a * b, 1) * w;
  const rowOut = oa.shape[dim] * inner;
  let off = 0;
  xs.forEach((x, k) => {
    const chunk = avals[k].shape[dim] * inner;
    for (let o = 0; o < outer; o++) out.set(x.subarray(o * chunk, (o + 1) * chunk) as never, o * rowOut + off);
    off += chunk;
  });
  return [out];
});

registerKernel("rev", ([x], [xa], [oa], params) => {
  const { dimensions } = params as unknown as lax.RevParams;
  const starts = xa.shape.map((n, i) => (dimensions.includes(i) ? Math.max(n - 1, 0) : 0));
  const steps = xa.shape.map((_, i) => (dimensions.includes(i) ? -1 : 1));
  return [takeFlat(x, viewIndex(oa.shape, stridesOf(xa.shape), starts, steps), oa)];
});

registerKernel("iota", (_xs, _avals, [oa], params) => {
  const { dimension } = params as unknown as lax.IotaParams;
  const out = alloc(oa);
  const st = stridesOf(oa.shape);
  const w = slots(oa);
  const n = oa.shape[dimension];
  for (let i = 0; i < oa.size; i++) out[w * i] = Math.floor(i / st[dimension]) % n;
  return [out];
});

registerKernel("dynamicSlice", ([x, ...idx], [xa], [oa], params) => {
  const { sliceSizes } = params as unknown as lax.DynamicSliceParams;
  const starts = clampedStarts(idx, xa.shape, sliceSizes);
  return [
    takeFlat(
      x,
      viewIndex(
        oa.shape,
        stridesOf(xa.shape),
        starts,
        sliceSizes.map(() => 1),
      ),
      oa,
    ),
  ];
});

registerKernel("dynamicUpdateSlice", ([x, upd, ...idx], [xa, ua]) => {
  const starts = clampedStarts(idx, xa.shape, ua.shape);
  const out = x.slice() as TypedArray;
  const w = slots(xa);
  const dst = viewIndex(
    ua.shape,
    stridesOf(xa.shape),
    starts,
    ua.shape.map(() => 1),
  );
  for (let i = 0; i < dst.length; i++) copyElem(out, dst[i], upd, i, w);
  return [out];
});
