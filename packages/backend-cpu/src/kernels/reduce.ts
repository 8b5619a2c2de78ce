/**
 * Reduction kernels: reduceSum, reduceMax, reduceMin, reduceProd, reduceAnd, reduceOr (over a set
 * of axes) and argmax/argmin (over one axis). Float sums and products accumulate in float64 and
 * round once; integer arithmetic wraps like XLA's.
 */
import type { lax, DType, ShapedArray, TypedArray } from "@linax-ts/core";
import { registerKernel } from "../registry.ts";
import { alloc, gatherIndex, stridesOf } from "./strided-index.ts";

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
  const { axes } = params as unknown as lax.ReduceParams;
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

/** The largest/smallest value of a real dtype: the identity of min/max. */
function extreme(dtype: DType, largest: boolean): number {
  switch (dtype) {
    case "int32":
      return largest ? 2147483647 : -2147483648;
    case "uint32":
      return largest ? 4294967295 : 0;
    case "bool":
      return largest ? 1 : 0;
    default:
      return largest ? Infinity : -Infinity;
  }
}

/**
 * reduceMax / reduceMin. NaN propagates (XLA semantics: once a NaN is met it is the answer).
 * Complex compares lexicographically (real part, then imaginary part), as JAX does.
 */
function minMaxKernel(isMax: boolean) {
  return (
    inputs: readonly TypedArray[],
    [xa]: readonly ShapedArray[],
    [oa]: readonly ShapedArray[],
    params: Readonly<Record<string, unknown>>,
  ): TypedArray[] => {
    const [x] = inputs;
    const { axes } = params as unknown as lax.ReduceParams;
    const tgt = reductionTargets(xa.shape, axes);
    const out = alloc(oa);
    const sgn = isMax ? 1 : -1;
    if (xa.dtype === "complex64") {
      const re = new Float64Array(oa.size).fill(-sgn * Infinity);
      const im = new Float64Array(oa.size);
      const nan = new Uint8Array(oa.size);
      for (let i = 0; i < tgt.length; i++) {
        const t = tgt[i];
        if (nan[t]) continue;
        const a = x[2 * i];
        const b = x[2 * i + 1];
        if (Number.isNaN(a) || Number.isNaN(b)) {
          nan[t] = 1;
          re[t] = a;
          im[t] = b;
        } else if (sgn * (a - re[t]) > 0 || (a === re[t] && sgn * (b - im[t]) > 0)) {
          re[t] = a;
          im[t] = b;
        }
      }
      for (let t = 0; t < oa.size; t++) {
        out[2 * t] = re[t];
        out[2 * t + 1] = im[t];
      }
      return [out];
    }
    out.fill(extreme(xa.dtype, !isMax));
    if (xa.dtype === "float32") {
      for (let i = 0; i < tgt.length; i++) {
        const t = tgt[i];
        const v = x[i];
        if (Number.isNaN(out[t])) continue;
        if (Number.isNaN(v) || sgn * (v - out[t]) > 0) out[t] = v;
      }
    } else {
      for (let i = 0; i < tgt.length; i++) {
        const t = tgt[i];
        if (sgn * (x[i] - out[t]) > 0) out[t] = x[i];
      }
    }
    return [out];
  };
}
registerKernel("reduceMax", minMaxKernel(true));
registerKernel("reduceMin", minMaxKernel(false));

registerKernel("reduceProd", ([x], [xa], [oa], params) => {
  const { axes } = params as unknown as lax.ReduceParams;
  const tgt = reductionTargets(xa.shape, axes);
  const out = alloc(oa);
  if (xa.dtype === "complex64") {
    const re = new Float64Array(oa.size).fill(1);
    const im = new Float64Array(oa.size);
    for (let i = 0; i < tgt.length; i++) {
      const t = tgt[i];
      const a = x[2 * i];
      const b = x[2 * i + 1];
      const r = re[t] * a - im[t] * b;
      im[t] = re[t] * b + im[t] * a;
      re[t] = r;
    }
    for (let t = 0; t < oa.size; t++) {
      out[2 * t] = re[t];
      out[2 * t + 1] = im[t];
    }
  } else if (xa.dtype === "float32") {
    const acc = new Float64Array(oa.size).fill(1);
    for (let i = 0; i < tgt.length; i++) acc[tgt[i]] *= x[i];
    out.set(acc as never);
  } else {
    // Integer products wrap modulo 2^32 (Math.imul), as XLA's do.
    out.fill(1);
    for (let i = 0; i < tgt.length; i++) out[tgt[i]] = Math.imul(out[tgt[i]], x[i]);
  }
  return [out];
});

function logicalKernel(isAnd: boolean) {
  return (
    inputs: readonly TypedArray[],
    [xa]: readonly ShapedArray[],
    [oa]: readonly ShapedArray[],
    params: Readonly<Record<string, unknown>>,
  ): TypedArray[] => {
    const { axes } = params as unknown as lax.ReduceParams;
    const tgt = reductionTargets(xa.shape, axes);
    const out = alloc(oa).fill(isAnd ? 1 : 0);
    const x = inputs[0];
    if (isAnd) for (let i = 0; i < tgt.length; i++) out[tgt[i]] &= x[i] ? 1 : 0;
    else for (let i = 0; i < tgt.length; i++) out[tgt[i]] |= x[i] ? 1 : 0;
    return [out];
  };
}
registerKernel("reduceAnd", logicalKernel(true));
registerKernel("reduceOr", logicalKernel(false));

/**
 * argmax / argmin over one axis, numpy semantics: the first NaN wins; among equal values the
 * first index wins. Complex compares lexicographically (a NaN in either part counts as NaN).
 */
function argKernel(isMax: boolean) {
  return (
    inputs: readonly TypedArray[],
    [xa]: readonly ShapedArray[],
    [oa]: readonly ShapedArray[],
    params: Readonly<Record<string, unknown>>,
  ): TypedArray[] => {
    const x = inputs[0];
    const { axis } = params as unknown as lax.ArgReduceParams;
    const n = xa.shape[axis];
    const inner = xa.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
    const outer = xa.shape.slice(0, axis).reduce((a, b) => a * b, 1);
    const out = alloc(oa);
    const sgn = isMax ? 1 : -1;
    const cplx = xa.dtype === "complex64";
    for (let o = 0; o < outer; o++) {
      for (let j = 0; j < inner; j++) {
        let best = 0;
        let bre = NaN;
        let bim = 0;
        for (let k = 0; k < n; k++) {
          const idx = (o * n + k) * inner + j;
          const re = cplx ? x[2 * idx] : x[idx];
          const im = cplx ? x[2 * idx + 1] : 0;
          if (Number.isNaN(re) || Number.isNaN(im)) {
            best = k;
            break;
          }
          if (k === 0 || sgn * (re - bre) > 0 || (re === bre && sgn * (im - bim) > 0)) {
            best = k;
            bre = re;
            bim = im;
          }
        }
        out[o * inner + j] = best;
      }
    }
    return [out];
  };
}
registerKernel("argmax", argKernel(true));
registerKernel("argmin", argKernel(false));
