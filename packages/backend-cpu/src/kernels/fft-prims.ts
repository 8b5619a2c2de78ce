/**
 * Kernel-table entry of the `fft` primitive: the host kernels of ./fft.ts transform the last
 * (contiguous) axis, so a transform over several trailing axes runs one axis at a time, moving
 * each axis last on the host and back. Multi-axis real transforms follow numpy's `rfftn` /
 * `irfftn`: RFFT = rfft on the last axis, then FFT on the others; IRFFT = IFFT on the other
 * axes, then irfft on the last.
 */
import { InternalError } from "@linax-ts/core";
import type { lax } from "@linax-ts/core";
import { registerKernel } from "../registry.ts";
import { fftKernel, irfftKernel, rfftKernel } from "./fft.ts";

/**
 * Apply a last-axis transform `f(data, batch, n)` along `axis` of a row-major array of `shape`
 * with `w` floats per element (2: complex interleaved). `f` maps each length-n line of input to a
 * line of `nOut` elements of `wOut` floats; returns the result and its shape.
 */
function alongAxis(
  data: Float32Array,
  shape: readonly number[],
  axis: number,
  w: number,
  wOut: number,
  nOut: number,
  f: (lines: Float32Array, batch: number, n: number) => Float32Array,
): { data: Float32Array; shape: number[] } {
  const n = shape[axis];
  const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const outShape = [...shape];
  outShape[axis] = nOut;
  if (inner === 1) return { data: f(data, outer, n), shape: outShape };
  // Gather the lines (outer, inner) with the axis contiguous, transform, scatter back.
  const batch = outer * inner;
  const lines = new Float32Array(batch * n * w);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const line = (o * inner + i) * n * w;
      for (let k = 0; k < n; k++) {
        const src = ((o * n + k) * inner + i) * w;
        for (let c = 0; c < w; c++) lines[line + k * w + c] = data[src + c];
      }
    }
  }
  const res = f(lines, batch, n);
  const out = new Float32Array(outer * nOut * inner * wOut);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const line = (o * inner + i) * nOut * wOut;
      for (let k = 0; k < nOut; k++) {
        const dst = ((o * nOut + k) * inner + i) * wOut;
        for (let c = 0; c < wOut; c++) out[dst + c] = res[line + k * wOut + c];
      }
    }
  }
  return { data: out, shape: outShape };
}

registerKernel("fft", ([x], [xa], [oa], params) => {
  const { fftType, fftLengths } = params as unknown as lax.FftParams;
  if (!(x instanceof Float32Array)) throw new TypeError("cpu fft kernel: expected a float32/complex64 buffer");
  const nd = xa.shape.length;
  const L = fftLengths.length;
  const first = nd - L;
  let cur = { data: x, shape: [...xa.shape] };
  const complexPass = (inverse: boolean, axis: number): void => {
    cur = alongAxis(cur.data, cur.shape, axis, 2, 2, cur.shape[axis], (d, b, n) => fftKernel(d, b, n, inverse));
  };
  switch (fftType) {
    case "FFT":
    case "IFFT":
      for (let ax = nd - 1; ax >= first; ax--) complexPass(fftType === "IFFT", ax);
      break;
    case "RFFT": {
      const n = fftLengths[L - 1];
      cur = alongAxis(cur.data, cur.shape, nd - 1, 1, 2, (n >> 1) + 1, (d, b) => rfftKernel(d, b, n));
      for (let ax = nd - 2; ax >= first; ax--) complexPass(false, ax);
      break;
    }
    case "IRFFT": {
      for (let ax = nd - 2; ax >= first; ax--) complexPass(true, ax);
      const n = fftLengths[L - 1];
      cur = alongAxis(cur.data, cur.shape, nd - 1, 2, 1, n, (d, b) => irfftKernel(d, b, n));
      break;
    }
  }
  // A no-op pass still must not hand out the input buffer (kernels return fresh arrays).
  const expected = oa.dtype === "complex64" ? 2 * oa.size : oa.size;
  if (cur.data.length !== expected)
    throw new InternalError(`cpu fft kernel: produced ${cur.data.length} floats, expected ${expected}`);
  return [cur.data === x ? x.slice() : cur.data];
});
