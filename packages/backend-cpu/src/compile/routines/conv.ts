/**
 * convGeneralDilated (float32) as WebAssembly routines:
 *
 * - **Depthwise conv1d** (featureGroupCount = in = out channels, one spatial dim, no lhs
 *   dilation) — Mamba's and nn.Conv(groups = channels)'s causal conv — on wasm/depthwise-conv.ts,
 *   channels-first ("NCH": SIMD across positions) or channels-last ("NHC": SIMD across channels),
 *   any stride, rhs dilation and padding. Summed in float64 in the reference's order: the
 *   reference's bits.
 * - **Any other conv** as im2col + the SIMD GEMM: per batch element and feature group the
 *   columns `[position][tap][channel]` (zeros where a tap lands on padding or a dilation hole —
 *   the reference's own tap table) times the packed weights `[out channel][tap][channel]`,
 *   written straight into the output when its spatial positions are evenly strided with either
 *   the channel or the position stride 1 (NCH…, NHC… and their transposes; every conv the
 *   transpose rules produce for these). The GEMM sums in float32, so it agrees with the float64
 *   reference within (K + 2)·2⁻²⁴·Σ|x||w|, K = taps × channels per group, as the matmul does
 *   (test/conv-routines.test.ts).
 *
 * - **A depthwise conv's weight gradient** (batchGroupCount = lhs batch = out features, which the
 *   transpose rule produces): wasm/depthwise-conv.ts's `dwGrad`, float64 in the reference's order:
 *   bit-exact.
 *
 * Other dtypes, batch groups and output layouts return undefined: the reference kernel runs.
 */
import { lax, type ShapedArray } from "@linax-ts/core";
import type { CpuBackend, CpuBuffer } from "../../backend.ts";
import { buildDepthwiseModule, type DepthwiseFn, type GroupCorrelationFn } from "../../wasm/depthwise-conv.ts";
import { runGemm } from "../dot-routine.ts";
import { prod, routineExports, withHeapAddresses } from "./wasm-cache.ts";

const stridesOf = (shape: readonly number[]): number[] => {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    s[d] = acc;
    acc *= shape[d];
  }
  return s;
};

/** Row-major multi-indices of `shape` as a flat list (as the reference kernel's). */
function multiIndices(shape: readonly number[]): Int32Array {
  const nd = shape.length;
  const n = prod(shape);
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

/** convGeneralDilated on the Wasm routines, or undefined (see the module comment). */
export function convRoutine(
  be: CpuBackend,
  [x, w]: readonly CpuBuffer[],
  [xa, wa]: readonly ShapedArray[],
  [oa]: readonly ShapedArray[],
  params: Readonly<Record<string, unknown>>,
): CpuBuffer[] | undefined {
  const p = params as unknown as lax.ConvParams;
  if (xa.dtype !== "float32" || wa.dtype !== "float32" || oa.dtype !== "float32") return undefined;
  const { lhsSpec: ls, rhsSpec: rs } = p.dimensionNumbers;
  const ns = ls.length - 2;
  if (ns < 1) return undefined;
  const g = lax.convGroupSizes(xa.shape, wa.shape, p);
  if (oa.size === 0) return [be.allocHeap("float32", 0)];
  if (p.batchGroupCount !== 1) {
    // A depthwise conv's weight gradient: one lhs batch entry and one output feature per group.
    const perGroup = ns === 1 && g.G === 1 && g.N === g.BG && g.O === g.BG && p.lhsDilation[0] === 1;
    return perGroup ? groupCorrelation(be, x, w, xa, wa, oa, p) : undefined;
  }
  const depthwise = ns === 1 && g.G === g.C && g.O === g.C && p.lhsDilation[0] === 1 && wa.shape[rs[1]] === 1;
  return depthwise ? depthwiseConv(be, x, w, xa, wa, oa, p) : im2colConv(be, x, w, xa, wa, oa, p);
}

function depthwiseConv(
  be: CpuBackend,
  x: CpuBuffer,
  w: CpuBuffer,
  xa: ShapedArray,
  wa: ShapedArray,
  oa: ShapedArray,
  p: lax.ConvParams,
): CpuBuffer[] | undefined {
  const { lhsSpec: ls, rhsSpec: rs, outSpec: os } = p.dimensionNumbers;
  const xs = stridesOf(xa.shape);
  const ost = stridesOf(oa.shape);
  const ws = stridesOf(wa.shape);
  const [xN, xC, xS] = [xs[ls[0]], xs[ls[1]], xs[ls[2]]];
  const [oN, oC, oS] = [ost[os[0]], ost[os[1]], ost[os[2]]];
  const first = xS === 1 && oS === 1;
  if (!first && !(xC === 1 && oC === 1)) return undefined;
  const N = xa.shape[ls[0]];
  const C = xa.shape[ls[1]];
  const L = xa.shape[ls[2]];
  const Lo = oa.shape[os[2]];
  const k = wa.shape[rs[2]];
  // Weights as float64, [C][k] (channels-first kernel) or [k][C] (channels-last).
  const wp = be.heap.alloc(8 * Math.max(1, C * k));
  try {
    const wv = be.view(w) as Float32Array;
    const packed = new Float64Array(be.heap.memory.buffer, wp, C * k);
    for (let c = 0; c < C; c++)
      for (let t = 0; t < k; t++) packed[first ? c * k + t : t * C + c] = wv[c * ws[rs[0]] + t * ws[rs[2]]];
    const fn = routineExports(be.heap.memory, "depthwise-conv", buildDepthwiseModule)[
      first ? "dwFirst" : "dwLast"
    ] as DepthwiseFn;
    const out = be.allocHeap("float32", oa.size);
    withHeapAddresses(be, [x], ([xp]) =>
      fn(
        xp,
        wp,
        out.ptr,
        N,
        C,
        L,
        Lo,
        k,
        p.windowStrides[0],
        p.rhsDilation[0],
        p.padding[0][0],
        xN,
        first ? xC : xS,
        oN,
        first ? oC : oS,
      ),
    );
    return [out];
  } finally {
    be.heap.free(wp);
  }
}

/** batchGroupCount = lhs batch = out features, one spatial dim: wasm `dwGrad`, the reference's order in float64. */
function groupCorrelation(
  be: CpuBackend,
  x: CpuBuffer,
  w: CpuBuffer,
  xa: ShapedArray,
  wa: ShapedArray,
  oa: ShapedArray,
  p: lax.ConvParams,
): CpuBuffer[] {
  const { lhsSpec: ls, rhsSpec: rs, outSpec: os } = p.dimensionNumbers;
  const xs = stridesOf(xa.shape);
  const ws = stridesOf(wa.shape);
  const ost = stridesOf(oa.shape);
  const fn = routineExports(be.heap.memory, "depthwise-conv", buildDepthwiseModule).dwGrad as GroupCorrelationFn;
  const out = be.allocHeap("float32", oa.size);
  withHeapAddresses(be, [x, w], ([xp, wp]) =>
    fn(
      xp,
      wp,
      out.ptr,
      xa.shape[ls[0]],
      xa.shape[ls[1]],
      xa.shape[ls[2]],
      wa.shape[rs[2]],
      oa.shape[os[2]],
      p.windowStrides[0],
      p.rhsDilation[0],
      p.padding[0][0],
      xs[ls[0]],
      xs[ls[1]],
      xs[ls[2]],
      ws[rs[0]],
      ws[rs[1]],
      ws[rs[2]],
      ost[os[1]],
      ost[os[2]],
    ),
  );
  return [out];
}

/** Column blocks are built for this many floats at a time at most (a few batch elements). */
const COL_CHUNK = 1 << 22;

function im2colConv(
  be: CpuBackend,
  x: CpuBuffer,
  w: CpuBuffer,
  xa: ShapedArray,
  wa: ShapedArray,
  oa: ShapedArray,
  p: lax.ConvParams,
): CpuBuffer[] | undefined {
  const { lhsSpec: ls, rhsSpec: rs, outSpec: os } = p.dimensionNumbers;
  const ns = ls.length - 2;
  const xs = stridesOf(xa.shape);
  const wsr = stridesOf(wa.shape);
  const ost = stridesOf(oa.shape);
  const { G, Cg, Og } = lax.convGroupSizes(xa.shape, wa.shape, p);
  const N = oa.shape[os[0]];
  const inSp = ls.slice(2).map((d) => xa.shape[d]);
  const kSp = rs.slice(2).map((d) => wa.shape[d]);
  const outSp = os.slice(2).map((d) => oa.shape[d]);
  const nOut = prod(outSp);
  const nK = prod(kSp);
  const K = nK * Cg;
  // The output's positions must be evenly strided, with channel or position stride 1.
  const outIdx = multiIndices(outSp);
  const spOff = (s: number): number => {
    let off = 0;
    for (let d = 0; d < ns; d++) off += outIdx[s * ns + d] * ost[os[2 + d]];
    return off;
  };
  const oS = nOut > 1 ? spOff(1) : 0;
  for (let s = 0; s < nOut; s++) if (spOff(s) !== s * oS) return undefined;
  const [oN, oC] = [ost[os[0]], ost[os[1]]];
  const sRows = oC === 1 && (nOut === 1 || oS >= Og);
  const oRows = !sRows && (oS === 1 || nOut === 1) && (Og === 1 || oC >= nOut);
  if (!sRows && !oRows) return undefined;
  // The reference's tap table: lhs spatial offset of (position, tap), −1 on padding or a hole.
  const kIdx = multiIndices(kSp);
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
  for (let t = 0; t < nK; t++) for (let d = 0; d < ns; d++) kOff[t] += kIdx[t * ns + d] * wsr[rs[2 + d]];
  const heap = be.heap;
  const out = be.allocHeap("float32", oa.size);
  const perN = nOut * K;
  const chunk = Math.max(1, Math.min(N, Math.floor(COL_CHUNK / Math.max(1, perN))));
  const wpPtr = heap.alloc(4 * Math.max(1, G * Og * K));
  const colPtr = heap.alloc(4 * Math.max(1, chunk * perN));
  try {
    // Weights [g][j][tap][channel].
    const wv = be.view(w) as Float32Array;
    const wp = heap.view(wpPtr, "float32", G * Og * K) as Float32Array;
    const [wO, wI] = [wsr[rs[0]], wsr[rs[1]]];
    for (let o = 0; o < G * Og; o++)
      for (let t = 0; t < nK; t++) for (let c = 0; c < Cg; c++) wp[o * K + t * Cg + c] = wv[o * wO + kOff[t] + c * wI];
    const [xNs, xC] = [xs[ls[0]], xs[ls[1]]];
    withHeapAddresses(be, [x], ([xp]) => {
      for (let gi = 0; gi < G; gi++) {
        for (let n0 = 0; n0 < N; n0 += chunk) {
          const nb = Math.min(chunk, N - n0);
          const xv = new Float32Array(heap.memory.buffer, xp, xa.size);
          const col = heap.view(colPtr, "float32", nb * perN) as Float32Array;
          for (let nn = 0; nn < nb; nn++) {
            const xBase = (n0 + nn) * xNs + gi * Cg * xC;
            let d = nn * perN;
            for (let s = 0; s < nOut; s++) {
              for (let t = 0; t < nK; t++) {
                const off = tap[s * nK + t];
                if (off < 0) {
                  col.fill(0, d, d + Cg);
                  d += Cg;
                } else {
                  const b = xBase + off;
                  for (let c = 0; c < Cg; c++) col[d++] = xv[b + c * xC];
                }
              }
            }
          }
          const cPtr = out.ptr + 4 * (n0 * oN + gi * Og * oC);
          const wg = wpPtr + 4 * gi * Og * K;
          const shape = sRows
            ? { a: colPtr, b: wg, m: nOut, n: Og, ldc: nOut > 1 ? oS : Og, strideA: perN, strideB: 0 }
            : { a: wg, b: colPtr, m: Og, n: nOut, ldc: Og > 1 ? oC : nOut, strideA: 0, strideB: perN };
          // One batched call, unless batch elements interleave in the output (the GEMM wants
          // each product's block apart): then one call per batch element.
          const apart = oN >= (shape.m - 1) * shape.ldc + shape.n;
          for (let nn = 0; nn < nb; nn += apart ? nb : 1) {
            const a = shape.a + 4 * nn * shape.strideA;
            const b = shape.b + 4 * nn * shape.strideB;
            runGemm(be, {
              ...shape,
              a,
              b,
              c: cPtr + 4 * nn * oN,
              k: K,
              transB: true,
              batch: apart ? nb : 1,
              strideC: oN,
            });
          }
        }
      }
    });
  } catch (e) {
    be.dispose(out);
    throw e;
  } finally {
    heap.free(colPtr);
    heap.free(wpPtr);
  }
  return [out];
}
