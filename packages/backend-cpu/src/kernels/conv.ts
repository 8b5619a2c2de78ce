/**
 * convGeneralDilated kernel: a direct convolution over arbitrary layouts. For each output
 * position and kernel tap, the input coordinate in the dilated, padded input is
 * `out·stride + tap·rhsDilation − padLo`; it hits a real input element when it is a multiple of
 * `lhsDilation` and in range. Feature groups pair output feature block g with input feature
 * block g; batch groups pair output feature block g with input batch block g (XLA semantics).
 */
import { lax, type TypedArray } from "@linax-ts/core";
import { registerKernel } from "../registry.ts";
import { alloc, stridesOf } from "./strided-index.ts";

/** Row-major multi-indices of `shape`, as a flat list of length size·ndim. */
function multiIndices(shape: readonly number[]): Int32Array {
  const nd = shape.length;
  const n = shape.reduce((a, b) => a * b, 1);
  const out = new Int32Array(n * nd);
  const cur = new Array<number>(nd).fill(0);
  for (let i = 0; i < n; i++) {
    for (let d = 0; d < nd; d++) out[i * nd + d] = cur[d];
    for (let d = nd - 1; d >= 0; d--) {
      if (++cur[d] < shape[d]) break;
      cur[d] = 0;
    }
  }
  return out;
}

registerKernel("convGeneralDilated", ([x, w], [xa, wa], [oa], params) => {
  const p = params as unknown as lax.ConvParams;
  const { lhsSpec: ls, rhsSpec: rs, outSpec: os } = p.dimensionNumbers;
  const ns = ls.length - 2;
  const xs = stridesOf(xa.shape);
  const wsr = stridesOf(wa.shape);
  const ost = stridesOf(oa.shape);
  const { N, O, BG, Cg, Og, Ob } = lax.convGroupSizes(xa.shape, wa.shape, p);
  const outN = oa.shape[os[0]];
  const inSp = ls.slice(2).map((d) => xa.shape[d]);
  const kSp = rs.slice(2).map((d) => wa.shape[d]);
  const outSp = os.slice(2).map((d) => oa.shape[d]);
  const outIdx = multiIndices(outSp);
  const kIdx = multiIndices(kSp);
  const nOut = outSp.reduce((a, b) => a * b, 1);
  const nK = kSp.reduce((a, b) => a * b, 1);
  // Precompute, per (output position, tap), the lhs spatial offset (or -1 when it lands on
  // padding or a dilation hole), and per tap the rhs spatial offset.
  const tap = new Int32Array(nOut * nK);
  for (let s = 0; s < nOut; s++) {
    for (let t = 0; t < nK; t++) {
      let off = 0;
      for (let d = 0; d < ns; d++) {
        const pos = outIdx[s * ns + d] * p.windowStrides[d] + kIdx[t * ns + d] * p.rhsDilation[d] - p.padding[d][0];
        const dil = p.lhsDilation[d];
        if (pos < 0 || pos % dil !== 0 || pos / dil >= inSp[d]) {
          off = -1;
          break;
        }
        off += (pos / dil) * xs[ls[2 + d]];
      }
      tap[s * nK + t] = off;
    }
  }
  const kOff = new Int32Array(nK);
  for (let t = 0; t < nK; t++) {
    let off = 0;
    for (let d = 0; d < ns; d++) off += kIdx[t * ns + d] * wsr[rs[2 + d]];
    kOff[t] = off;
  }
  const outSpOff = new Int32Array(nOut);
  for (let s = 0; s < nOut; s++) {
    let off = 0;
    for (let d = 0; d < ns; d++) off += outIdx[s * ns + d] * ost[os[2 + d]];
    outSpOff[s] = off;
  }
  const out = alloc(oa);
  const cplx = xa.dtype === "complex64";
  const intWrap = (xa.dtype === "int32" || xa.dtype === "uint32") && oa.dtype !== "float32";
  const isBool = xa.dtype === "bool" && oa.dtype === "bool";
  const xC = xs[ls[1]];
  const wI = wsr[rs[1]];
  const xBaseOf = (n: number, o: number) =>
    (Math.floor(o / Ob) * (N / BG) + n) * xs[ls[0]] + Math.floor(o / Og) * Cg * xC;
  if (!cplx && !intWrap && !isBool) {
    // Real fast path: accumulate a whole output plane per (n, o), tap by tap and channel by
    // channel, so the innermost loop is a gather-multiply-add over output positions.
    const tapT = new Int32Array(nK * nOut);
    for (let s = 0; s < nOut; s++) for (let t = 0; t < nK; t++) tapT[t * nOut + s] = tap[s * nK + t];
    const acc = new Float64Array(nOut);
    for (let n = 0; n < outN; n++) {
      for (let o = 0; o < O; o++) {
        acc.fill(0);
        const xBase = xBaseOf(n, o);
        const wBase = o * wsr[rs[0]];
        for (let t = 0; t < nK; t++) {
          const tb = t * nOut;
          for (let c = 0; c < Cg; c++) {
            const wv = w[wBase + kOff[t] + c * wI];
            const xb = xBase + c * xC;
            for (let s = 0; s < nOut; s++) {
              const xo = tapT[tb + s];
              if (xo >= 0) acc[s] += x[xb + xo] * wv;
            }
          }
        }
        const oBase = n * ost[os[0]] + o * ost[os[1]];
        for (let s = 0; s < nOut; s++) out[oBase + outSpOff[s]] = acc[s];
      }
    }
    return [out];
  }
  for (let n = 0; n < outN; n++) {
    for (let o = 0; o < O; o++) {
      const xBase = xBaseOf(n, o);
      const wBase = o * wsr[rs[0]];
      const oBase = n * ost[os[0]] + o * ost[os[1]];
      for (let s = 0; s < nOut; s++) {
        let re = 0;
        let im = 0;
        for (let t = 0; t < nK; t++) {
          const xo = tap[s * nK + t];
          if (xo < 0) continue;
          const xb = xBase + xo;
          const wb = wBase + kOff[t];
          if (cplx) {
            for (let c = 0; c < Cg; c++) {
              const u = 2 * (xb + c * xC);
              const v = 2 * (wb + c * wI);
              re += x[u] * w[v] - x[u + 1] * w[v + 1];
              im += x[u] * w[v + 1] + x[u + 1] * w[v];
            }
          } else if (intWrap) {
            for (let c = 0; c < Cg; c++) re = (re + Math.imul(x[xb + c * xC], w[wb + c * wI])) | 0;
          } else {
            for (let c = 0; c < Cg && re === 0; c++) re = x[xb + c * xC] && w[wb + c * wI] ? 1 : 0;
          }
        }
        const oi = oBase + outSpOff[s];
        if (cplx) {
          out[2 * oi] = re;
          out[2 * oi + 1] = im;
        } else (out as TypedArray)[oi] = re;
      }
    }
  }
  return [out];
});
