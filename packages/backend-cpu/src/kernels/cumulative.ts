/**
 * Cumulative kernels (cumsum, cumprod, cummax, cummin, cumlogsumexp) and the linear recurrence
 * h_i = a_i·h_prev + b_i. Each walks every 1-D line along `axis` in scan order; float work is
 * done in float64 and rounded once per element.
 */
import type { lax, ShapedArray, TypedArray } from "@linax-ts/core";
import { registerKernel } from "../registry.ts";
import { alloc } from "./strided-index.ts";

/**
 * Call `line(idx)` for every line along `axis`: `idx[k]` is the flat element index of the k-th
 * element of the line in scan order (reversed when `reverse`).
 */
function forEachLine(shape: readonly number[], axis: number, reverse: boolean, line: (idx: Int32Array) => void): void {
  const n = shape[axis];
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const idx = new Int32Array(n);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      for (let k = 0; k < n; k++) idx[k] = (o * n + (reverse ? n - 1 - k : k)) * inner + j;
      line(idx);
    }
  }
}

type Step = (acc: number, v: number) => number;

/** A real-valued scan with an explicit first element and a combine step. */
function realScan(x: TypedArray, out: TypedArray, xa: ShapedArray, p: lax.CumulativeParams, step: Step): void {
  forEachLine(xa.shape, p.axis, p.reverse, (idx) => {
    if (idx.length === 0) return;
    let acc = x[idx[0]];
    out[idx[0]] = acc;
    for (let k = 1; k < idx.length; k++) {
      acc = step(acc, x[idx[k]]);
      // Integer results wrap like XLA's: the typed array store does the modular reduction, and
      // reading it back keeps the running value in range.
      out[idx[k]] = acc;
      if (xa.dtype !== "float32") acc = out[idx[k]];
    }
  });
}

/** A complex scan over interleaved storage with a (re, im) combine step. */
function complexScan(
  x: TypedArray,
  out: TypedArray,
  xa: ShapedArray,
  p: lax.CumulativeParams,
  step: (ar: number, ai: number, br: number, bi: number) => [number, number],
): void {
  forEachLine(xa.shape, p.axis, p.reverse, (idx) => {
    if (idx.length === 0) return;
    let re = x[2 * idx[0]];
    let im = x[2 * idx[0] + 1];
    out[2 * idx[0]] = re;
    out[2 * idx[0] + 1] = im;
    for (let k = 1; k < idx.length; k++) {
      [re, im] = step(re, im, x[2 * idx[k]], x[2 * idx[k] + 1]);
      out[2 * idx[k]] = re;
      out[2 * idx[k] + 1] = im;
    }
  });
}

registerKernel("cumsum", ([x], [xa], [oa], params) => {
  const p = params as unknown as lax.CumulativeParams;
  const out = alloc(oa);
  if (xa.dtype === "complex64") complexScan(x, out, xa, p, (a, b, c, d) => [a + c, b + d]);
  else realScan(x, out, xa, p, (a, v) => a + v);
  return [out];
});

registerKernel("cumprod", ([x], [xa], [oa], params) => {
  const p = params as unknown as lax.CumulativeParams;
  const out = alloc(oa);
  if (xa.dtype === "complex64") complexScan(x, out, xa, p, (a, b, c, d) => [a * c - b * d, a * d + b * c]);
  else if (xa.dtype === "float32") realScan(x, out, xa, p, (a, v) => a * v);
  else realScan(x, out, xa, p, (a, v) => Math.imul(a, v));
  return [out];
});

// NaN propagates: once the running value is NaN it stays NaN (XLA's max/min semantics).
registerKernel("cummax", ([x], [xa], [oa], params) => {
  const out = alloc(oa);
  realScan(x, out, xa, params as unknown as lax.CumulativeParams, (a, v) =>
    Number.isNaN(a) || Number.isNaN(v) ? NaN : v > a ? v : a,
  );
  return [out];
});
registerKernel("cummin", ([x], [xa], [oa], params) => {
  const out = alloc(oa);
  realScan(x, out, xa, params as unknown as lax.CumulativeParams, (a, v) =>
    Number.isNaN(a) || Number.isNaN(v) ? NaN : v < a ? v : a,
  );
  return [out];
});

/** log(exp(a) + exp(b)) without overflow; -inf is the identity. */
function logAddExp(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  const m = Math.max(a, b);
  if (m === Infinity) return Infinity;
  return m + Math.log1p(Math.exp(-Math.abs(a - b)));
}
registerKernel("cumlogsumexp", ([x], [xa], [oa], params) => {
  const p = params as unknown as lax.CumulativeParams;
  const out = alloc(oa);
  // Keep the running value in float64 so rounding does not accumulate along the axis.
  forEachLine(xa.shape, p.axis, p.reverse, (idx) => {
    let acc = -Infinity;
    for (let k = 0; k < idx.length; k++) {
      acc = logAddExp(acc, x[idx[k]]);
      out[idx[k]] = acc;
    }
  });
  return [out];
});

registerKernel("linearRecurrence", ([a, b], [aa], [oa], params) => {
  const p = params as unknown as lax.LinearRecurrenceParams;
  const out = alloc(oa);
  const cplx = aa.dtype === "complex64";
  forEachLine(aa.shape, p.axis, p.reverse, (idx) => {
    let hr = 0;
    let hi = 0;
    for (let k = 0; k < idx.length; k++) {
      const i = idx[k];
      // untransposed: h_i = a_i·h_prev + b_i; transposed: h_i = a_prev·h_prev + b_i.
      const ai = p.transposed ? (k > 0 ? idx[k - 1] : -1) : i;
      if (cplx) {
        const ar = ai < 0 ? 0 : a[2 * ai];
        const aim = ai < 0 ? 0 : a[2 * ai + 1];
        const nr = ar * hr - aim * hi + b[2 * i];
        hi = ar * hi + aim * hr + b[2 * i + 1];
        hr = nr;
        out[2 * i] = hr;
        out[2 * i + 1] = hi;
      } else {
        // At the first step h_prev = 0; skip the product so an infinite coefficient gives no NaN.
        hr = (k === 0 ? 0 : (ai < 0 ? 0 : a[ai]) * hr) + b[i];
        out[i] = hr;
      }
    }
  });
  return [out];
});
