/**
 * dotGeneral kernel: out[b, i, j] = Σ_k lhs[b, i, k] · rhs[b, k, j] over arbitrary dimension
 * numbers, reached through precomputed offset tables. Float operands are packed once into
 * contiguous float64 rows; complex accumulates in float64; int32/uint32 wrap modulo 2^32 like
 * XLA; bool is OR of ANDs.
 */
import type { lax, TypedArray } from "@linax-ts/core";
import { registerKernel } from "../registry.ts";
import { alloc, gatherIndex, stridesOf } from "./strided-index.ts";

/** Flat offsets of every multi-index over `dims` of an array with `strides` (row-major order). */
function offsets(shape: readonly number[], strides: readonly number[], dims: readonly number[]): Int32Array {
  return gatherIndex(
    dims.map((d) => shape[d]),
    dims.map((d) => strides[d]),
  );
}

function free(ndim: number, a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < ndim; i++) if (!a.includes(i) && !b.includes(i)) out.push(i);
  return out;
}

registerKernel("dotGeneral", ([x, y], [xa, ya], [oa], params) => {
  const p = params as unknown as lax.DotGeneralParams;
  const [[lc, rc], [lb, rb]] = [p.contractingDims, p.batchDims];
  const ls = stridesOf(xa.shape);
  const rs = stridesOf(ya.shape);
  const lBatch = offsets(xa.shape, ls, lb);
  const rBatch = offsets(ya.shape, rs, rb);
  const lFree = offsets(xa.shape, ls, free(xa.ndim, lc, lb));
  const rFree = offsets(ya.shape, rs, free(ya.ndim, rc, rb));
  const lCon = offsets(xa.shape, ls, lc);
  const rCon = offsets(ya.shape, rs, rc);
  const nb = lBatch.length;
  const ni = lFree.length;
  const nj = rFree.length;
  const nk = lCon.length;
  const out = alloc(oa);
  const dt = xa.dtype;
  if (dt === "complex64") {
    for (let b = 0; b < nb; b++) {
      for (let i = 0; i < ni; i++) {
        const lo = lBatch[b] + lFree[i];
        for (let j = 0; j < nj; j++) {
          const ro = rBatch[b] + rFree[j];
          let re = 0;
          let im = 0;
          for (let k = 0; k < nk; k++) {
            const u = 2 * (lo + lCon[k]);
            const v = 2 * (ro + rCon[k]);
            re += x[u] * y[v] - x[u + 1] * y[v + 1];
            im += x[u] * y[v + 1] + x[u + 1] * y[v];
          }
          const o = 2 * ((b * ni + i) * nj + j);
          out[o] = re;
          out[o + 1] = im;
        }
      }
    }
    return [out];
  }
  const intWrap = (dt === "int32" || dt === "uint32") && oa.dtype !== "float32";
  const isBool = dt === "bool" && oa.dtype === "bool";
  if (intWrap || isBool) {
    for (let b = 0; b < nb; b++) {
      for (let i = 0; i < ni; i++) {
        const lo = lBatch[b] + lFree[i];
        for (let j = 0; j < nj; j++) {
          const ro = rBatch[b] + rFree[j];
          let acc = 0;
          if (intWrap) for (let k = 0; k < nk; k++) acc = (acc + Math.imul(x[lo + lCon[k]], y[ro + rCon[k]])) | 0;
          else for (let k = 0; k < nk && acc === 0; k++) acc = x[lo + lCon[k]] && y[ro + rCon[k]] ? 1 : 0;
          (out as TypedArray)[(b * ni + i) * nj + j] = acc;
        }
      }
    }
    return [out];
  }
  // Pack both operands as [batch, free, contract] float64 rows so the inner product runs over
  // contiguous memory (the packing is O(size); the product is O(batch·free·free·contract)).
  const L = new Float64Array(nb * ni * nk);
  const R = new Float64Array(nb * nj * nk);
  for (let b = 0; b < nb; b++) {
    for (let i = 0; i < ni; i++) {
      const lo = lBatch[b] + lFree[i];
      const base = (b * ni + i) * nk;
      for (let k = 0; k < nk; k++) L[base + k] = x[lo + lCon[k]];
    }
    for (let j = 0; j < nj; j++) {
      const ro = rBatch[b] + rFree[j];
      const base = (b * nj + j) * nk;
      for (let k = 0; k < nk; k++) R[base + k] = y[ro + rCon[k]];
    }
  }
  for (let b = 0; b < nb; b++) {
    for (let i = 0; i < ni; i++) {
      const lb = (b * ni + i) * nk;
      for (let j = 0; j < nj; j++) {
        const rb = (b * nj + j) * nk;
        let acc = 0;
        for (let k = 0; k < nk; k++) acc += L[lb + k] * R[rb + k];
        (out as TypedArray)[(b * ni + i) * nj + j] = acc;
      }
    }
  }
  return [out];
});
