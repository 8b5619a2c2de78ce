/**
 * CPU kernel of `eig` (general square matrices, float32 or complex64 in; complex64 out), in
 * float64 complex arithmetic:
 *   1. Hessenberg reduction by Givens rotations (A = Q·H·Qᴴ),
 *   2. the shifted QR algorithm on H — explicit single shifts (Wilkinson's, from the trailing
 *      2×2 block, with exceptional shifts every 10 iterations against cycling), deflating where
 *      a subdiagonal entry is negligible — to the complex Schur form T = Qᴴ·A·Q,
 *   3. eigenvectors of T by back substitution, x_k = 1 and (T_ii − λ_k)·x_i = −Σ_j T_ij·x_j,
 *      mapped back as v = Q·x,
 *   4. LAPACK's (numpy's) normalization: unit 2-norm, the largest component real and positive.
 * Real input is treated as complex (its conjugate pairs come out conjugate up to rounding).
 * A complex Schur form keeps the algorithm one simple loop, which suits a reference kernel.
 * Eigenvalues appear in the order of T's diagonal (LAPACK's order differs; numpy does not sort).
 * Non-finite input, or no convergence within 30·n iterations per eigenvalue, gives NaN.
 */
import type { lax } from "@linax-ts/core";
import { registerKernel } from "../registry.ts";
import { hasNonFinite } from "./matrix-batch.ts";

const EPS = 2.220446049250313e-16;

/** An n×n complex matrix, row-major, split into real and imaginary parts. */
interface CMat {
  n: number;
  re: Float64Array;
  im: Float64Array;
}

/** A Givens rotation G = [[c̄, s̄], [−s, c]] with G·[a; b] = [r; 0]. */
interface Rot {
  cr: number;
  ci: number;
  sr: number;
  si: number;
}

function makeRot(ar: number, ai: number, br: number, bi: number): Rot | null {
  const r = Math.hypot(ar, ai, br, bi);
  if (r === 0 || (br === 0 && bi === 0)) return null;
  return { cr: ar / r, ci: ai / r, sr: br / r, si: bi / r };
}

/** Rows p, p+1 ← G·rows, over columns [from, n). */
function rotLeft(h: CMat, p: number, g: Rot, from: number): void {
  const { n, re, im } = h;
  for (let j = from; j < n; j++) {
    const xr = re[p * n + j];
    const xi = im[p * n + j];
    const yr = re[(p + 1) * n + j];
    const yi = im[(p + 1) * n + j];
    // conj(c)·x + conj(s)·y
    re[p * n + j] = g.cr * xr + g.ci * xi + g.sr * yr + g.si * yi;
    im[p * n + j] = g.cr * xi - g.ci * xr + g.sr * yi - g.si * yr;
    // −s·x + c·y
    re[(p + 1) * n + j] = -(g.sr * xr - g.si * xi) + (g.cr * yr - g.ci * yi);
    im[(p + 1) * n + j] = -(g.sr * xi + g.si * xr) + (g.cr * yi + g.ci * yr);
  }
}

/** Columns p, p+1 ← columns·Gᴴ, over rows [0, to). */
function rotRight(h: CMat, p: number, g: Rot, to: number): void {
  const { n, re, im } = h;
  for (let i = 0; i < to; i++) {
    const xr = re[i * n + p];
    const xi = im[i * n + p];
    const yr = re[i * n + p + 1];
    const yi = im[i * n + p + 1];
    // x·c + y·s
    re[i * n + p] = xr * g.cr - xi * g.ci + (yr * g.sr - yi * g.si);
    im[i * n + p] = xr * g.ci + xi * g.cr + (yr * g.si + yi * g.sr);
    // −x·conj(s) + y·conj(c)
    re[i * n + p + 1] = -(xr * g.sr + xi * g.si) + (yr * g.cr + yi * g.ci);
    im[i * n + p + 1] = -(xi * g.sr - xr * g.si) + (yi * g.cr - yr * g.ci);
  }
}

/** Principal complex square root. */
function csqrt(re: number, im: number): [number, number] {
  const r = Math.hypot(re, im);
  if (r === 0) return [0, 0];
  const sr = Math.sqrt((r + Math.abs(re)) / 2);
  if (re >= 0) return [sr, im / (2 * sr)];
  return [Math.abs(im) / (2 * sr), im >= 0 ? sr : -sr];
}

/** Wilkinson's shift: the eigenvalue of the trailing 2×2 block [[a, b], [c, d]] nearer to d. */
function wilkinson(h: CMat, k: number): [number, number] {
  const { n, re, im } = h;
  const [ar, ai, br, bi] = [re[k * n + k], im[k * n + k], re[k * n + k + 1], im[k * n + k + 1]];
  const [cr, ci, dr, di] = [re[(k + 1) * n + k], im[(k + 1) * n + k], re[(k + 1) * n + k + 1], im[(k + 1) * n + k + 1]];
  // (a − d)/2, and disc = √(((a − d)/2)² + b·c)
  const hr = (ar - dr) / 2;
  const hi = (ai - di) / 2;
  const [qr, qi] = csqrt(hr * hr - hi * hi + (br * cr - bi * ci), 2 * hr * hi + (br * ci + bi * cr));
  // λ = (a + d)/2 ± disc; (a + d)/2 = d + (a − d)/2
  const l1r = dr + hr + qr;
  const l1i = di + hi + qi;
  const l2r = dr + hr - qr;
  const l2i = di + hi - qi;
  return Math.hypot(l1r - dr, l1i - di) <= Math.hypot(l2r - dr, l2i - di) ? [l1r, l1i] : [l2r, l2i];
}

/** The complex Schur form of `h` (overwritten by T) and Q (A = Q·T·Qᴴ); false if QR did not converge. */
function schur(h: CMat, q: CMat): boolean {
  const { n, re, im } = h;
  for (let j = 0; j < n - 2; j++) {
    for (let i = n - 1; i >= j + 2; i--) {
      const g = makeRot(re[(i - 1) * n + j], im[(i - 1) * n + j], re[i * n + j], im[i * n + j]);
      if (g === null) continue;
      rotLeft(h, i - 1, g, j);
      re[i * n + j] = 0;
      im[i * n + j] = 0;
      rotRight(h, i - 1, g, n);
      rotRight(q, i - 1, g, n);
    }
  }
  let hiIdx = n - 1;
  let iter = 0;
  let total = 0;
  const abs = (i: number, j: number): number => Math.hypot(re[i * n + j], im[i * n + j]);
  let hNorm = 0;
  for (let i = 0; i < n * n; i++) hNorm = Math.max(hNorm, Math.hypot(re[i], im[i]));
  const rots: Rot[] = [];
  while (hiIdx > 0) {
    // The start l of the unreduced block ending at hiIdx.
    let l = hiIdx;
    while (l > 0) {
      let scale = abs(l, l) + abs(l - 1, l - 1);
      if (scale === 0) scale = hNorm;
      if (abs(l, l - 1) <= EPS * scale) {
        re[l * n + l - 1] = 0;
        im[l * n + l - 1] = 0;
        break;
      }
      l--;
    }
    if (l === hiIdx) {
      hiIdx--;
      iter = 0;
      continue;
    }
    if (++total > 30 * n) return false;
    iter++;
    let [mr, mi] = wilkinson(h, hiIdx - 1);
    if (iter % 10 === 0) {
      // Exceptional shift (as LAPACK's zlahqr): breaks the rare cycles of the Wilkinson shift.
      mr = re[hiIdx * n + hiIdx] + 0.75 * abs(hiIdx, hiIdx - 1);
      mi = im[hiIdx * n + hiIdx];
    }
    for (let i = l; i <= hiIdx; i++) {
      re[i * n + i] -= mr;
      im[i * n + i] -= mi;
    }
    rots.length = 0;
    for (let k = l; k < hiIdx; k++) {
      const g = makeRot(re[k * n + k], im[k * n + k], re[(k + 1) * n + k], im[(k + 1) * n + k]);
      const gg = g ?? { cr: 1, ci: 0, sr: 0, si: 0 };
      rots.push(gg);
      if (g !== null) {
        rotLeft(h, k, g, k);
        re[(k + 1) * n + k] = 0;
        im[(k + 1) * n + k] = 0;
      }
    }
    for (let k = l; k < hiIdx; k++) {
      const g = rots[k - l];
      rotRight(h, k, g, Math.min(k + 2, hiIdx) + 1);
      rotRight(q, k, g, n);
    }
    for (let i = l; i <= hiIdx; i++) {
      re[i * n + i] += mr;
      im[i * n + i] += mi;
    }
  }
  for (let i = 1; i < n; i++) {
    for (let j = 0; j < i; j++) {
      re[i * n + j] = 0;
      im[i * n + j] = 0;
    }
  }
  return true;
}

/** Unit eigenvectors (columns) of A = Q·T·Qᴴ from the Schur form, normalized as LAPACK's. */
function eigenvectors(t: CMat, q: CMat): CMat {
  const { n } = t;
  const v: CMat = { n, re: new Float64Array(n * n), im: new Float64Array(n * n) };
  let tNorm = 0;
  for (let i = 0; i < n * n; i++) tNorm = Math.max(tNorm, Math.hypot(t.re[i], t.im[i]));
  const small = Math.max(EPS * tNorm, Number.MIN_VALUE);
  const xr = new Float64Array(n);
  const xi = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    xr.fill(0);
    xi.fill(0);
    xr[k] = 1;
    const lr = t.re[k * n + k];
    const li = t.im[k * n + k];
    for (let i = k - 1; i >= 0; i--) {
      let sr = 0;
      let si = 0;
      for (let j = i + 1; j <= k; j++) {
        const ar = t.re[i * n + j];
        const ai = t.im[i * n + j];
        sr += ar * xr[j] - ai * xi[j];
        si += ar * xi[j] + ai * xr[j];
      }
      // x_i = −s / (T_ii − λ), with the denominator kept away from 0 (repeated eigenvalues).
      let dr = t.re[i * n + i] - lr;
      let di = t.im[i * n + i] - li;
      if (Math.hypot(dr, di) < small) {
        dr = small;
        di = 0;
      }
      const den = dr * dr + di * di;
      xr[i] = -(sr * dr + si * di) / den;
      xi[i] = -(si * dr - sr * di) / den;
    }
    // v_k = Q·x, then unit norm with the largest component real and positive.
    let nrm = 0;
    let big = -1;
    let bigAbs = -1;
    for (let i = 0; i < n; i++) {
      let sr = 0;
      let si = 0;
      for (let j = 0; j <= k; j++) {
        const ar = q.re[i * n + j];
        const ai = q.im[i * n + j];
        sr += ar * xr[j] - ai * xi[j];
        si += ar * xi[j] + ai * xr[j];
      }
      v.re[i * n + k] = sr;
      v.im[i * n + k] = si;
      const a2 = sr * sr + si * si;
      nrm += a2;
      // The first of the largest components (within rounding), as a deterministic choice.
      if (a2 > bigAbs * (1 + 1e-12)) {
        bigAbs = a2;
        big = i;
      }
    }
    nrm = Math.sqrt(nrm);
    const pr = v.re[big * n + k] / Math.sqrt(bigAbs);
    const pi = v.im[big * n + k] / Math.sqrt(bigAbs);
    for (let i = 0; i < n; i++) {
      // multiply by conj(phase) / ‖v‖
      const a = v.re[i * n + k];
      const b = v.im[i * n + k];
      v.re[i * n + k] = (a * pr + b * pi) / nrm;
      v.im[i * n + k] = (b * pr - a * pi) / nrm;
    }
    v.im[big * n + k] = 0;
  }
  return v;
}

/**
 * Batched eig of `a` (`batch` row-major n×n matrices; complex interleaved when `cplx`). Returns
 * w (batch × n, complex64 interleaved) and, with `vectors`, v (batch × n × n, complex64).
 */
export function eigKernel(a: Float32Array, batch: number, n: number, cplx: boolean, vectors: boolean): Float32Array[] {
  const c = cplx ? 2 : 1;
  const w = new Float32Array(batch * n * 2);
  const vOut = new Float32Array(vectors ? batch * n * n * 2 : 0);
  for (let b = 0; b < batch; b++) {
    const base = b * n * n * c;
    const h: CMat = { n, re: new Float64Array(n * n), im: new Float64Array(n * n) };
    for (let i = 0; i < n * n; i++) {
      h.re[i] = a[base + i * c];
      if (cplx) h.im[i] = a[base + i * c + 1];
    }
    const q: CMat = { n, re: new Float64Array(n * n), im: new Float64Array(n * n) };
    for (let i = 0; i < n; i++) q.re[i * n + i] = 1;
    if (hasNonFinite(a, base, base + n * n * c) || !schur(h, q)) {
      w.fill(NaN, b * n * 2, (b + 1) * n * 2);
      vOut.fill(NaN, b * n * n * 2, (b + 1) * n * n * 2);
      continue;
    }
    for (let i = 0; i < n; i++) {
      w[(b * n + i) * 2] = h.re[i * n + i];
      w[(b * n + i) * 2 + 1] = h.im[i * n + i];
    }
    if (!vectors) continue;
    const v = eigenvectors(h, q);
    for (let i = 0; i < n * n; i++) {
      vOut[(b * n * n + i) * 2] = v.re[i];
      vOut[(b * n * n + i) * 2 + 1] = v.im[i];
    }
  }
  return vectors ? [w, vOut] : [w];
}

registerKernel("eig", ([a], [aa], _out, params) => {
  const { computeRightEigenvectors } = params as unknown as lax.EigParams;
  const nd = aa.shape.length;
  const n = aa.shape[nd - 1];
  let batch = 1;
  for (let i = 0; i < nd - 2; i++) batch *= aa.shape[i];
  if (!(a instanceof Float32Array)) throw new TypeError("cpu eig kernel: expected a float32/complex64 buffer");
  return eigKernel(a, batch, n, aa.dtype === "complex64", computeRightEigenvectors);
});
