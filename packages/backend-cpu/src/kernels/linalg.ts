/**
 * Dense linear-algebra kernels of the CPU backend: QR, Cholesky, triangular solve, and (from
 * ./eigh.ts) the Hermitian eigendecomposition. Pure host functions on float32 typed arrays that
 * compute in float64; storage conventions are in ./README.md (row-major, batch-first,
 * interleaved complex).
 */
import { checkLength, loadMatrix, storeMatrix } from "./matrix-batch.ts";
import { applyReflectorLeft, makeReflector } from "./householder.ts";

export { eighKernel } from "./eigh.ts";

/** Output shape selector of {@link qrKernel}, as in `jnp.linalg.qr`. */
export type QrMode = "reduced" | "complete" | "r";

/**
 * Householder QR of a batch of m×n matrices, like `jnp.linalg.qr` (LAPACK `geqrf` + `orgqr`).
 *
 * Sign convention: exactly LAPACK's, hence numpy's and JAX-on-CPU's. Column j's reflector maps
 * the column to β·e₁ with β = −sign(Re a_jj)·‖a_j‖ (computed on the partially reduced column),
 * so R's diagonal is real but may be negative; a column whose below-diagonal part is already
 * zero (and, when complex, whose diagonal entry is real) is left untouched, keeping its sign.
 *
 * With k = min(m, n):
 * - `"reduced"`: q is m×k, r is k×n;
 * - `"complete"`: q is m×m, r is m×n;
 * - `"r"`: q is `null`, r is k×n (numpy's `mode="r"`).
 *
 * @param a `batch` row-major m×n matrices; float32, interleaved (re, im) when `complex`.
 * @returns q and r, batch-first, row-major, interleaved when `complex`; r is exactly zero below
 *   its diagonal.
 */
export function qrKernel(
  a: Float32Array,
  batch: number,
  m: number,
  n: number,
  complex: boolean,
  mode: QrMode,
): { q: Float32Array | null; r: Float32Array } {
  checkLength("qrKernel", "a", a, batch, m, n, complex);
  const k = Math.min(m, n);
  const rRows = mode === "complete" ? m : k;
  const qCols = mode === "complete" ? m : k;
  const c = complex ? 2 : 1;
  const r = new Float32Array(batch * rRows * n * c);
  const q = mode === "r" ? null : new Float32Array(batch * m * qCols * c);

  const ar = new Float64Array(m * n);
  const ai = complex ? new Float64Array(m * n) : null;
  // Reflector j kept contiguously in row j (entries j … m-1, v_j = 1) for forming Q.
  const vr = new Float64Array(k * m);
  const vi = complex ? new Float64Array(k * m) : null;
  const tauRe = new Float64Array(k);
  const tauIm = new Float64Array(k);
  const wr = new Float64Array(Math.max(n, qCols));
  const wi = new Float64Array(Math.max(n, qCols));
  const rr = new Float64Array(rRows * n);
  const ri = complex ? new Float64Array(rRows * n) : null;
  const qr = new Float64Array(m * qCols);
  const qi = complex ? new Float64Array(m * qCols) : null;

  for (let b = 0; b < batch; b++) {
    loadMatrix(a, b, m, n, complex, ar, ai);
    for (let j = 0; j < k; j++) {
      const refl = makeReflector(ar, ai, j * n + j, n, m - j);
      tauRe[j] = refl.tauRe;
      tauIm[j] = refl.tauIm;
      vr[j * m + j] = 1;
      if (vi !== null) vi[j * m + j] = 0;
      for (let i = j + 1; i < m; i++) {
        vr[j * m + i] = ar[i * n + j];
        if (vi !== null && ai !== null) vi[j * m + i] = ai[i * n + j];
      }
      // Apply Hᴴ = I − conj(τ)·v·vᴴ to the remaining columns (LAPACK `geqr2`).
      applyReflectorLeft(ar, ai, n, j, m, j + 1, n, vr, vi, j * m, refl.tauRe, -refl.tauIm, wr, wi);
    }

    rr.fill(0);
    if (ri !== null) ri.fill(0);
    for (let i = 0; i < Math.min(rRows, m); i++) {
      for (let j = i; j < n; j++) {
        rr[i * n + j] = ar[i * n + j];
        if (ri !== null && ai !== null) ri[i * n + j] = ai[i * n + j];
      }
    }
    storeMatrix(r, b, rRows, n, complex, rr, ri);
    if (q === null) continue;

    // Q = H_0·H_1⋯H_{k-1}·I (LAPACK `org2r`): apply reflectors last-to-first; reflector j
    // only touches rows ≥ j, and columns < j of the identity are zero there, so skip them.
    qr.fill(0);
    if (qi !== null) qi.fill(0);
    for (let i = 0; i < qCols; i++) qr[i * qCols + i] = 1;
    for (let j = k - 1; j >= 0; j--) {
      applyReflectorLeft(qr, qi, qCols, j, m, j, qCols, vr, vi, j * m, tauRe[j], tauIm[j], wr, wi);
    }
    storeMatrix(q, b, m, qCols, complex, qr, qi);
  }
  return { q, r };
}

/**
 * Cholesky factor L (lower triangular, A = L·Lᴴ) of a batch of symmetric / Hermitian positive
 * definite matrices, like `jax.lax.linalg.cholesky` without input symmetrization: only the
 * lower triangle of A (and the real part of its diagonal) is read. L is exactly zero above the
 * diagonal and has a real positive diagonal.
 *
 * If a matrix is not (numerically) positive definite, or holds NaN, its whole output is NaN,
 * as JAX does when LAPACK `potrf` reports failure.
 *
 * @param a `batch` row-major n×n matrices; float32, interleaved (re, im) when `complex`.
 */
export function choleskyKernel(a: Float32Array, batch: number, n: number, complex: boolean): Float32Array {
  checkLength("choleskyKernel", "a", a, batch, n, n, complex);
  const out = new Float32Array(a.length);
  const lr = new Float64Array(n * n);
  const li = complex ? new Float64Array(n * n) : null;
  const span = n * n * (complex ? 2 : 1);
  for (let b = 0; b < batch; b++) {
    loadMatrix(a, b, n, n, complex, lr, li);
    if (!choleskyInPlace(lr, li, n)) {
      out.fill(NaN, b * span, (b + 1) * span);
      continue;
    }
    storeMatrix(out, b, n, n, complex, lr, li);
  }
  return out;
}

/**
 * Row-oriented (Cholesky–Banachiewicz) factorization so that both operands of every inner
 * product are rows, i.e. contiguous. Returns false when a pivot is not > 0 (also catches NaN).
 */
function choleskyInPlace(lr: Float64Array, li: Float64Array | null, n: number): boolean {
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let j = 0; j <= i; j++) {
      const rj = j * n;
      // s = A_ij − Σ_{k<j} L_ik·conj(L_jk)
      let sr = lr[ri + j];
      let si = li === null ? 0 : li[ri + j];
      if (li === null) {
        for (let k = 0; k < j; k++) sr -= lr[ri + k] * lr[rj + k];
      } else {
        for (let k = 0; k < j; k++) {
          sr -= lr[ri + k] * lr[rj + k] + li[ri + k] * li[rj + k];
          si -= li[ri + k] * lr[rj + k] - lr[ri + k] * li[rj + k];
        }
      }
      if (j === i) {
        if (!(sr > 0)) return false;
        lr[ri + i] = Math.sqrt(sr);
        if (li !== null) li[ri + i] = 0; // imaginary part of the diagonal is ignored
      } else {
        const djj = lr[rj + j];
        lr[ri + j] = sr / djj;
        if (li !== null) li[ri + j] = si / djj;
      }
    }
    for (let j = i + 1; j < n; j++) {
      lr[ri + j] = 0;
      if (li !== null) li[ri + j] = 0;
    }
  }
  return true;
}

/** Flags of {@link triangularSolveKernel}, named after `jax.lax.linalg.triangular_solve`. */
export interface TriangularSolveOptions {
  /** Solve op(A)·X = B (true) or X·op(A) = B (false). */
  leftSide: boolean;
  /** A is lower (true) or upper (false) triangular; only that triangle is read. */
  lower: boolean;
  /** op transposes A. */
  transposeA: boolean;
  /** op conjugates A (independently of `transposeA`; both together give Aᴴ). */
  conjugateA: boolean;
  /** Treat A's diagonal as ones without reading it. */
  unitDiagonal: boolean;
  /** Whether `a` and `b` are complex (interleaved). */
  complex: boolean;
}

/**
 * Triangular solve with `jax.lax.linalg.triangular_solve` semantics: returns X with
 * op(A)·X = B when `leftSide`, else X·op(A) = B, where op(A) is A, Aᵀ, conj(A) or Aᴴ.
 * A zero diagonal entry yields ±Inf/NaN, as LAPACK `trsm` does (no check).
 *
 * @param a `batch` row-major s×s triangular matrices, s = m if `leftSide` else n.
 * @param b `batch` row-major m×n right-hand sides (the caller broadcasts batch dimensions).
 * @returns X, `batch × m × n`, row-major, interleaved when complex.
 */
export function triangularSolveKernel(
  a: Float32Array,
  b: Float32Array,
  batch: number,
  m: number,
  n: number,
  options: TriangularSolveOptions,
): Float32Array {
  const { leftSide, lower, transposeA, conjugateA, unitDiagonal, complex } = options;
  const s = leftSide ? m : n;
  checkLength("triangularSolveKernel", "a", a, batch, s, s, complex);
  checkLength("triangularSolveKernel", "b", b, batch, m, n, complex);
  // Reduce every case to M·Y = C with M = s×s triangular and C = s×cols:
  //   left:  M = op(A),    C = B,  X = Y;
  //   right: M = op(A)ᵀ,   C = Bᵀ, X = Yᵀ   (from X·op(A) = B ⇔ op(A)ᵀ·Xᵀ = Bᵀ).
  // The net transpose flips which triangle M occupies.
  const flip = transposeA !== !leftSide;
  const mLower = lower !== flip;
  const cols = leftSide ? n : m;
  const mr = new Float64Array(s * s);
  const mi = complex ? new Float64Array(s * s) : null;
  const yr = new Float64Array(s * cols);
  const yi = complex ? new Float64Array(s * cols) : null;
  const out = new Float32Array(b.length);
  const aSpan = s * s * (complex ? 2 : 1);
  const bSpan = m * n * (complex ? 2 : 1);
  const conjSign = conjugateA ? -1 : 1;

  for (let bt = 0; bt < batch; bt++) {
    // Build M from the stored triangle of A only.
    mr.fill(0);
    if (mi !== null) mi.fill(0);
    for (let i = 0; i < s; i++) {
      const j0 = mLower ? 0 : i;
      const j1 = mLower ? i : s - 1;
      for (let j = j0; j <= j1; j++) {
        const src = flip ? j * s + i : i * s + j;
        if (complex && mi !== null) {
          mr[i * s + j] = a[bt * aSpan + 2 * src];
          mi[i * s + j] = conjSign * a[bt * aSpan + 2 * src + 1];
        } else {
          mr[i * s + j] = a[bt * aSpan + src];
        }
      }
      if (unitDiagonal) {
        mr[i * s + i] = 1;
        if (mi !== null) mi[i * s + i] = 0;
      }
    }
    // C = B or Bᵀ.
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        const dst = leftSide ? i * n + j : j * m + i;
        if (complex && yi !== null) {
          yr[dst] = b[bt * bSpan + 2 * (i * n + j)];
          yi[dst] = b[bt * bSpan + 2 * (i * n + j) + 1];
        } else {
          yr[dst] = b[bt * bSpan + i * n + j];
        }
      }
    }
    substitute(mr, mi, yr, yi, s, cols, mLower);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        const src = leftSide ? i * n + j : j * m + i;
        if (complex && yi !== null) {
          out[bt * bSpan + 2 * (i * n + j)] = yr[src];
          out[bt * bSpan + 2 * (i * n + j) + 1] = yi[src];
        } else {
          out[bt * bSpan + i * n + j] = yr[src];
        }
      }
    }
  }
  return out;
}

/**
 * Solve M·Y = C in place (C → Y) by forward (lower) or back (upper) substitution, row by row so
 * the inner loops run along contiguous rows of Y.
 */
function substitute(
  mr: Float64Array,
  mi: Float64Array | null,
  yr: Float64Array,
  yi: Float64Array | null,
  s: number,
  cols: number,
  mLower: boolean,
): void {
  for (let step = 0; step < s; step++) {
    const i = mLower ? step : s - 1 - step;
    const yRow = i * cols;
    const k0 = mLower ? 0 : i + 1;
    const k1 = mLower ? i : s;
    for (let k = k0; k < k1; k++) {
      const cr = mr[i * s + k];
      const ci = mi === null ? 0 : mi[i * s + k];
      const kRow = k * cols;
      if (yi === null) {
        for (let j = 0; j < cols; j++) yr[yRow + j] -= cr * yr[kRow + j];
      } else {
        for (let j = 0; j < cols; j++) {
          const pr = yr[kRow + j];
          const pi = yi[kRow + j];
          yr[yRow + j] -= cr * pr - ci * pi;
          yi[yRow + j] -= cr * pi + ci * pr;
        }
      }
    }
    const dr = mr[i * s + i];
    const di = mi === null ? 0 : mi[i * s + i];
    if (yi === null) {
      for (let j = 0; j < cols; j++) yr[yRow + j] /= dr;
    } else {
      // Divide by d = dr + i·di via multiplication by conj(d)/|d|².
      const den = dr * dr + di * di;
      const ir = dr / den;
      const ii = -di / den;
      for (let j = 0; j < cols; j++) {
        const pr = yr[yRow + j];
        const pi = yi[yRow + j];
        yr[yRow + j] = pr * ir - pi * ii;
        yi[yRow + j] = pr * ii + pi * ir;
      }
    }
  }
}
