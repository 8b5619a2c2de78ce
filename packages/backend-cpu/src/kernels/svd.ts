/**
 * CPU kernel of `svd` (float32, complex64), in float64: one-sided Jacobi (Hestenes). The columns
 * of W = A (tall case, m ≥ n; a wide A is done as Aᴴ) are rotated pairwise until every pair is
 * orthogonal to a relative 1e-15, accumulating the rotations in V, so that A·V = W throughout.
 * Then s_j = ‖w_j‖ (sorted descending), u_j = w_j / s_j; columns of U for zero singular values
 * (and the extra m − n columns of a complete U) are completed by Gram–Schmidt on unit vectors.
 * One-sided Jacobi is chosen because it is simple and accurate (small singular values to high
 * relative accuracy), which suits a reference kernel; it is also the WebGPU kernel's algorithm.
 *
 * Complex columns: with γ = w_pᴴ·w_q and phase g = γ/|γ|, column q is first multiplied by
 * conj(g), making the pair's inner product the real |γ|, and then a real rotation zeroes it.
 * Non-finite input gives all-NaN outputs (as the eigh kernel does).
 */
import type { lax } from "@linax-ts/core";
import { registerKernel } from "../registry.ts";
import { hasNonFinite } from "./matrix-batch.ts";

const MAX_SWEEPS = 80;
const TOL = 1e-15;

/** Column-major complex matrix as separate real/imaginary parts. */
interface Cols {
  re: Float64Array;
  im: Float64Array;
}

/**
 * One-sided Jacobi on a tall `rows × cols` matrix given column-major in `w` (overwritten by
 * W = A·V). Returns V (cols × cols, column-major).
 */
function jacobi(w: Cols, rows: number, cols: number): Cols {
  const v: Cols = { re: new Float64Array(cols * cols), im: new Float64Array(cols * cols) };
  for (let j = 0; j < cols; j++) v.re[j * cols + j] = 1;
  const rotate = (x: Cols, len: number, p: number, q: number, c: number, s: number, gr: number, gi: number): void => {
    const op = p * len;
    const oq = q * len;
    for (let i = 0; i < len; i++) {
      const xr = x.re[op + i];
      const xi = x.im[op + i];
      // y = x_q · conj(g)
      const qr = x.re[oq + i];
      const qi = x.im[oq + i];
      const yr = qr * gr + qi * gi;
      const yi = qi * gr - qr * gi;
      x.re[op + i] = c * xr - s * yr;
      x.im[op + i] = c * xi - s * yi;
      x.re[oq + i] = s * xr + c * yr;
      x.im[oq + i] = s * xi + c * yi;
    }
  };
  for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
    let rotated = false;
    for (let p = 0; p < cols - 1; p++) {
      for (let q = p + 1; q < cols; q++) {
        let alpha = 0;
        let beta = 0;
        let gRe = 0;
        let gIm = 0;
        const op = p * rows;
        const oq = q * rows;
        for (let i = 0; i < rows; i++) {
          const pr = w.re[op + i];
          const pi = w.im[op + i];
          const qr = w.re[oq + i];
          const qi = w.im[oq + i];
          alpha += pr * pr + pi * pi;
          beta += qr * qr + qi * qi;
          // conj(w_p)·w_q
          gRe += pr * qr + pi * qi;
          gIm += pr * qi - pi * qr;
        }
        const gAbs = Math.hypot(gRe, gIm);
        if (gAbs === 0 || gAbs <= TOL * Math.sqrt(alpha * beta)) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gAbs);
        const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = c * t;
        const gr = gRe / gAbs;
        const gi = gIm / gAbs;
        rotate(w, rows, p, q, c, s, gr, gi);
        rotate(v, cols, p, q, c, s, gr, gi);
      }
    }
    if (!rotated) break;
  }
  return v;
}

/**
 * Orthonormal columns `u[:, from..to)` (column-major, `rows` long) completing the columns
 * `u[:, 0..from)` that are marked `ok`, by Gram–Schmidt (twice, for stability) on unit vectors.
 */
function complete(u: Cols, rows: number, ok: boolean[], total: number): void {
  let unit = 0;
  for (let j = 0; j < total; j++) {
    if (ok[j]) continue;
    while (unit < rows) {
      const xr = new Float64Array(rows);
      const xi = new Float64Array(rows);
      xr[unit++] = 1;
      for (let pass = 0; pass < 2; pass++) {
        for (let k = 0; k < total; k++) {
          if (!ok[k]) continue;
          let dr = 0;
          let di = 0;
          for (let i = 0; i < rows; i++) {
            // u_kᴴ·x
            const ur = u.re[k * rows + i];
            const ui = u.im[k * rows + i];
            dr += ur * xr[i] + ui * xi[i];
            di += ur * xi[i] - ui * xr[i];
          }
          for (let i = 0; i < rows; i++) {
            const ur = u.re[k * rows + i];
            const ui = u.im[k * rows + i];
            xr[i] -= dr * ur - di * ui;
            xi[i] -= dr * ui + di * ur;
          }
        }
      }
      let nrm = 0;
      for (let i = 0; i < rows; i++) nrm += xr[i] * xr[i] + xi[i] * xi[i];
      nrm = Math.sqrt(nrm);
      // A unit vector nearly inside the span so far is skipped (its residual is all rounding).
      if (nrm < 0.5) continue;
      for (let i = 0; i < rows; i++) {
        u.re[j * rows + i] = xr[i] / nrm;
        u.im[j * rows + i] = xi[i] / nrm;
      }
      ok[j] = true;
      break;
    }
  }
}

/** The SVD of one tall matrix (rows ≥ cols, column-major `w`): s descending, U (rows × uCols), V (cols × cols). */
function tallSvd(w: Cols, rows: number, cols: number, uCols: number): { s: Float64Array; u: Cols; v: Cols } {
  const vj = jacobi(w, rows, cols);
  const norms = new Float64Array(cols);
  for (let j = 0; j < cols; j++) {
    let acc = 0;
    for (let i = 0; i < rows; i++) acc += w.re[j * rows + i] ** 2 + w.im[j * rows + i] ** 2;
    norms[j] = Math.sqrt(acc);
  }
  const order = Array.from({ length: cols }, (_, j) => j).sort((a, b) => norms[b] - norms[a] || a - b);
  const s = new Float64Array(cols);
  const u: Cols = { re: new Float64Array(rows * uCols), im: new Float64Array(rows * uCols) };
  const v: Cols = { re: new Float64Array(cols * cols), im: new Float64Array(cols * cols) };
  const ok = new Array<boolean>(uCols).fill(false);
  order.forEach((src, j) => {
    s[j] = norms[src];
    for (let i = 0; i < cols; i++) {
      v.re[j * cols + i] = vj.re[src * cols + i];
      v.im[j * cols + i] = vj.im[src * cols + i];
    }
    if (norms[src] > 0) {
      for (let i = 0; i < rows; i++) {
        u.re[j * rows + i] = w.re[src * rows + i] / norms[src];
        u.im[j * rows + i] = w.im[src * rows + i] / norms[src];
      }
      ok[j] = true;
    }
  });
  complete(u, rows, ok, uCols);
  return { s, u, v };
}

/**
 * Batched SVD of `a` (`batch` row-major m×n matrices; complex interleaved). Returns s
 * (batch × k) and, with `computeUv`, u (batch × m × uCols) and vh (batch × vRows × n), row-major.
 */
export function svdKernel(
  a: Float32Array,
  batch: number,
  m: number,
  n: number,
  cplx: boolean,
  fullMatrices: boolean,
  computeUv: boolean,
): Float32Array[] {
  const k = Math.min(m, n);
  const uc = fullMatrices ? m : k;
  const vr = fullMatrices ? n : k;
  const c = cplx ? 2 : 1;
  const sOut = new Float32Array(batch * k);
  const uOut = new Float32Array(computeUv ? batch * m * uc * c : 0);
  const vOut = new Float32Array(computeUv ? batch * vr * n * c : 0);
  const tall = m >= n;
  // The tall problem: W = A (m × n) or Aᴴ (n × m), column-major.
  const rows = tall ? m : n;
  const cols = tall ? n : m;
  for (let b = 0; b < batch; b++) {
    const base = b * m * n * c;
    if (hasNonFinite(a, base, base + m * n * c)) {
      sOut.fill(NaN, b * k, (b + 1) * k);
      uOut.fill(NaN, b * m * uc * c, (b + 1) * m * uc * c);
      vOut.fill(NaN, b * vr * n * c, (b + 1) * vr * n * c);
      continue;
    }
    const w: Cols = { re: new Float64Array(rows * cols), im: new Float64Array(rows * cols) };
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        const re = a[base + (i * n + j) * c];
        const im = cplx ? a[base + (i * n + j) * c + 1] : 0;
        if (tall) {
          w.re[j * rows + i] = re;
          w.im[j * rows + i] = im;
        } else {
          w.re[i * rows + j] = re; // Aᴴ[j, i] = conj(A[i, j]), column i of Aᴴ
          w.im[i * rows + j] = -im;
        }
      }
    }
    // Tall: A = U S Vᴴ. Wide: Aᴴ = U' S V'ᴴ, so A = V' S U'ᴴ (U = V', Vᴴ = U'ᴴ).
    const { s, u, v } = tallSvd(w, rows, cols, tall ? uc : vr);
    for (let j = 0; j < k; j++) sOut[b * k + j] = s[j];
    if (!computeUv) continue;
    const ub = b * m * uc * c;
    const vb = b * vr * n * c;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < uc; j++) {
        // U[i, j]: tall → u column j row i; wide → V' column j row i (V' is m × m, uc = m).
        const src = tall ? u : v;
        const len = tall ? rows : cols;
        uOut[ub + (i * uc + j) * c] = src.re[j * len + i];
        if (cplx) uOut[ub + (i * uc + j) * c + 1] = src.im[j * len + i];
      }
    }
    for (let i = 0; i < vr; i++) {
      for (let j = 0; j < n; j++) {
        // Vᴴ[i, j] = conj(V[j, i]): tall → V column i row j; wide → U' column i row j.
        const src = tall ? v : u;
        const len = tall ? cols : rows;
        vOut[vb + (i * n + j) * c] = src.re[i * len + j];
        if (cplx) vOut[vb + (i * n + j) * c + 1] = -src.im[i * len + j];
      }
    }
  }
  return computeUv ? [sOut, uOut, vOut] : [sOut];
}

registerKernel("svd", ([a], [aa], _out, params) => {
  const { fullMatrices, computeUv } = params as unknown as lax.SvdParams;
  const nd = aa.shape.length;
  const m = aa.shape[nd - 2];
  const n = aa.shape[nd - 1];
  let batch = 1;
  for (let i = 0; i < nd - 2; i++) batch *= aa.shape[i];
  if (!(a instanceof Float32Array)) throw new TypeError("cpu svd kernel: expected a float32/complex64 buffer");
  return svdKernel(a, batch, m, n, aa.dtype === "complex64", fullMatrices, computeUv);
});
