/**
 * Kernel-table entries of the dense linear-algebra primitives (`eigh`, `cholesky`, `qr`,
 * `triangularSolve`, `lu`): thin wrappers that read the shapes from the avals, flatten the
 * leading batch dimensions and call the host kernels of ./linalg.ts (documented in ./README.md),
 * plus the LU factorization, which lives here because only the `lu` primitive uses it.
 */
import { InternalError } from "@linax-ts/core";
import type { lax, ShapedArray } from "@linax-ts/core";
import { registerKernel } from "../registry.ts";
import { choleskyKernel, eighKernel, qrKernel, triangularSolveKernel } from "./linalg.ts";

/** Leading batch count and the trailing matrix dims of an aval. */
function matDims(a: ShapedArray): { batch: number; m: number; n: number } {
  const nd = a.shape.length;
  const m = a.shape[nd - 2];
  const n = a.shape[nd - 1];
  let batch = 1;
  for (let i = 0; i < nd - 2; i++) batch *= a.shape[i];
  return { batch, m, n };
}

const f32 = (x: unknown): Float32Array => {
  if (!(x instanceof Float32Array)) throw new TypeError("cpu linalg kernels: expected a float32/complex64 buffer");
  return x;
};

registerKernel("eigh", ([a], [aa], _out, params) => {
  const { lower } = params as unknown as lax.EighParams;
  const { batch, n } = matDims(aa);
  const { v, w } = eighKernel(f32(a), batch, n, aa.dtype === "complex64", lower);
  return [v, w];
});

registerKernel("cholesky", ([a], [aa]) => {
  const { batch, n } = matDims(aa);
  return [choleskyKernel(f32(a), batch, n, aa.dtype === "complex64")];
});

registerKernel("qr", ([a], [aa], _out, params) => {
  const { fullMatrices } = params as unknown as lax.QrParams;
  const { batch, m, n } = matDims(aa);
  const { q, r } = qrKernel(f32(a), batch, m, n, aa.dtype === "complex64", fullMatrices ? "complete" : "reduced");
  if (q === null) throw new InternalError("cpu qr kernel: the host kernel returned no Q");
  return [q, r];
});

registerKernel("triangularSolve", ([a, b], [, ba], _out, params) => {
  const p = params as unknown as lax.TriangularSolveParams;
  const { batch, m, n } = matDims(ba);
  return [
    triangularSolveKernel(f32(a), f32(b), batch, m, n, {
      leftSide: p.leftSide,
      lower: p.lower,
      transposeA: p.transposeA,
      conjugateA: p.conjugateA,
      unitDiagonal: p.unitDiagonal,
      complex: ba.dtype === "complex64",
    }),
  ];
});

/**
 * LU with partial pivoting (LAPACK `getrf` semantics: the pivot is the first entry of largest
 * |re| + |im| in the column, as JAX's reference implementation chooses it), in float64.
 * Returns the packed LU (unit-lower L below the diagonal, U on and above), the row swaps
 * (`pivots[k]`: row swapped with row k at step k) and the resulting row permutation, so that
 * `a[perm] = L·U`. A zero pivot leaves the column unscaled (U singular), as LAPACK does.
 */
registerKernel("lu", ([a], [aa]) => {
  const { batch, m, n } = matDims(aa);
  const cplx = aa.dtype === "complex64";
  const c = cplx ? 2 : 1;
  const k = Math.min(m, n);
  const src = f32(a);
  const lu = new Float32Array(src.length);
  const pivots = new Int32Array(batch * k);
  const perm = new Int32Array(batch * m);
  const re = new Float64Array(m * n);
  const im = new Float64Array(m * n);
  for (let b = 0; b < batch; b++) {
    const base = b * m * n * c;
    for (let i = 0; i < m * n; i++) {
      re[i] = src[base + c * i];
      im[i] = cplx ? src[base + c * i + 1] : 0;
    }
    const p = globalThis.Array.from({ length: m }, (_, i) => i);
    for (let j = 0; j < k; j++) {
      let piv = j;
      let best = -1;
      for (let i = j; i < m; i++) {
        const mag = Math.abs(re[i * n + j]) + Math.abs(im[i * n + j]);
        if (mag > best) {
          best = mag;
          piv = i;
        }
      }
      pivots[b * k + j] = piv;
      if (piv !== j) {
        for (let col = 0; col < n; col++) {
          const t = re[j * n + col];
          re[j * n + col] = re[piv * n + col];
          re[piv * n + col] = t;
          const u = im[j * n + col];
          im[j * n + col] = im[piv * n + col];
          im[piv * n + col] = u;
        }
        const t = p[j];
        p[j] = p[piv];
        p[piv] = t;
      }
      const dr = re[j * n + j];
      const di = im[j * n + j];
      const d2 = dr * dr + di * di;
      if (d2 === 0) continue;
      for (let i = j + 1; i < m; i++) {
        // l = a_ij / a_jj
        const ar = re[i * n + j];
        const ai = im[i * n + j];
        const lr = (ar * dr + ai * di) / d2;
        const li = (ai * dr - ar * di) / d2;
        re[i * n + j] = lr;
        im[i * n + j] = li;
        for (let col = j + 1; col < n; col++) {
          const ur = re[j * n + col];
          const ui = im[j * n + col];
          re[i * n + col] -= lr * ur - li * ui;
          im[i * n + col] -= lr * ui + li * ur;
        }
      }
    }
    for (let i = 0; i < m * n; i++) {
      lu[base + c * i] = re[i];
      if (cplx) lu[base + c * i + 1] = im[i];
    }
    for (let i = 0; i < m; i++) perm[b * m + i] = p[i];
  }
  return [lu, pivots, perm];
});
