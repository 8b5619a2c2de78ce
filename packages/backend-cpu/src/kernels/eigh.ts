/**
 * Symmetric / Hermitian eigendecomposition kernel (`eigh`), computed in float64.
 *
 * Method: the EISPACK/LAPACK route rather than cyclic Jacobi, because Jacobi needs ~6–10 sweeps
 * of ~3n³ flops each where this needs ~(4/3 + 3 + 2)·n³ in total; at n = 512 that is the
 * difference between well under a second and several seconds in JS.
 *   1. Householder reduction A = Q·T·Qᴴ to a *real* symmetric tridiagonal T (LAPACK
 *      `zhetd2`-style reflectors whose β is real, so even complex input gives a real T).
 *   2. Implicit QL with Wilkinson-like shifts on T (`tql2` from EISPACK, via JAMA), accumulating
 *      the real rotations into Z: T = Z·Λ·Zᵀ.
 *   3. Back-transformation V = Q·Z by applying the stored reflectors.
 * Both stages are backward stable, so ‖A − VΛVᴴ‖ ≈ c·n·2⁻⁵³·‖A‖ in float64, far below the
 * float32 rounding of the outputs.
 *
 * Working layout: the reduction touches only the lower triangle; eigenvectors are kept as *rows*
 * of `zr/zi` ("Vᵀ") so that the QL rotations, the reflector application and the phase fixing
 * run over contiguous memory; the final store transposes into the column convention of
 * `jnp.linalg.eigh`. Stages 2–3 live in ./eigh-ql.ts.
 */
import { checkLength, hasNonFinite, loadMatrix } from "./matrix-batch.ts";
import { makeReflector } from "./householder.ts";
import { backTransform, tql2 } from "./eigh-ql.ts";

/**
 * Components whose squared magnitude is within this relative margin of the largest count as
 * ties for the phase convention, and the first of them is made real positive. Mathematically
 * equal magnitudes differ by ~1e-15 after float64 rounding, so without a margin the chosen
 * index would flip on noise. The margin is deliberately coarser than float32 resolution
 * (2⁻²⁴ ≈ 6e-8): components the float32 output cannot tell apart are treated as equal.
 */
const PHASE_TIE_MARGIN = 1e-6;

/**
 * Eigendecomposition of a batch of real symmetric or complex Hermitian matrices, like
 * `jnp.linalg.eigh` / `jax.lax.linalg.eigh`.
 *
 * Only one triangle is read, like LAPACK: the lower one (diagonal included) when `lower` is
 * true, else the upper one; the other triangle is implied by symmetry. Only the real part of
 * the diagonal is used (LAPACK `zheev` semantics), which is what makes `eigh(-1j * S)` for a
 * real matrix S with a nonzero diagonal behave as in numpy/JAX.
 *
 * Phase convention (JAX/LAPACK leave it unspecified): each eigenvector has unit 2-norm and its
 * largest-magnitude component is real and positive; among components whose squared magnitudes
 * are within a relative 1e-6 of the largest, the one with the smallest index is used. For real
 * input this means "largest |component| is positive". Eigenvectors of repeated eigenvalues are
 * an arbitrary orthonormal basis of the eigenspace.
 *
 * A matrix containing NaN or ±Inf produces all-NaN `w` and `v` for that batch element.
 *
 * @param a `batch` row-major n×n matrices; float32, interleaved (re, im) when `complex`.
 * @param batch number of matrices (leading batch dimensions flattened).
 * @param n matrix order.
 * @param complex whether `a` is complex (Hermitian) rather than real (symmetric).
 * @param lower read the lower triangle (true) or the upper triangle (false).
 * @returns `w`: `batch × n` real eigenvalues in ascending order; `v`: `batch × n × n`
 *   (interleaved complex when `complex`) with `v[b, i, k]` = component i of eigenvector k.
 */
export function eighKernel(
  a: Float32Array,
  batch: number,
  n: number,
  complex: boolean,
  lower: boolean,
): { w: Float32Array; v: Float32Array } {
  checkLength("eighKernel", "a", a, batch, n, n, complex);
  const nn = n * n;
  const w = new Float32Array(batch * n);
  const v = new Float32Array(batch * nn * (complex ? 2 : 1));
  // Workspace reused across the batch.
  const ar = new Float64Array(nn);
  const ai = complex ? new Float64Array(nn) : null;
  const hr = new Float64Array(nn); // reflector k stored in row k, entries k+1 … n-1
  const hi = complex ? new Float64Array(nn) : null;
  const tauRe = new Float64Array(n);
  const tauIm = new Float64Array(n);
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  const zr = new Float64Array(nn); // eigenvectors as rows
  const zi = complex ? new Float64Array(nn) : null;
  const work = new Float64Array(4 * n);
  const rotC = new Float64Array(n); // one QL sweep's rotations
  const rotS = new Float64Array(n);

  for (let b = 0; b < batch; b++) {
    const span = nn * (complex ? 2 : 1);
    if (hasNonFinite(a, b * span, (b + 1) * span)) {
      w.fill(NaN, b * n, (b + 1) * n);
      v.fill(NaN, b * span, (b + 1) * span);
      continue;
    }
    loadMatrix(a, b, n, n, complex, ar, ai);
    lowerFromTriangle(ar, ai, n, lower);
    tridiagonalize(ar, ai, n, hr, hi, tauRe, tauIm, d, e, work);
    zr.fill(0);
    for (let i = 0; i < n; i++) zr[i * n + i] = 1;
    if (!tql2(d, e, zr, n, rotC, rotS)) {
      w.fill(NaN, b * n, (b + 1) * n);
      v.fill(NaN, b * span, (b + 1) * span);
      continue;
    }
    if (zi !== null) zi.fill(0);
    backTransform(zr, zi, n, hr, hi, tauRe, tauIm);
    fixPhases(zr, zi, n);

    // Ascending eigenvalues; a stable sort keeps QL's order for exact ties (deterministic).
    const sorted = Array.from({ length: n }, (_, k) => k).sort((p, q) => d[p] - d[q]);
    for (let k = 0; k < n; k++) {
      const src = sorted[k];
      w[b * n + k] = d[src];
      const row = src * n;
      if (zi === null) {
        const base = b * nn;
        for (let i = 0; i < n; i++) v[base + i * n + k] = zr[row + i];
      } else {
        const base = 2 * b * nn;
        for (let i = 0; i < n; i++) {
          v[base + 2 * (i * n + k)] = zr[row + i];
          v[base + 2 * (i * n + k) + 1] = zi[row + i];
        }
      }
    }
  }
  return { w, v };
}

/**
 * Bring the read triangle into the lower one (conjugating it when it was the upper one) and drop
 * the imaginary part of the diagonal: the reduction below works on the lower triangle only.
 */
function lowerFromTriangle(ar: Float64Array, ai: Float64Array | null, n: number, lower: boolean): void {
  for (let i = 0; i < n; i++) {
    if (!lower) {
      for (let j = 0; j < i; j++) {
        ar[i * n + j] = ar[j * n + i];
        if (ai !== null) ai[i * n + j] = -ai[j * n + i];
      }
    }
    if (ai !== null) ai[i * n + i] = 0;
  }
}

/**
 * Householder reduction of the Hermitian matrix held in the lower triangle of (ar, ai) to real
 * tridiagonal form: diagonal `d`, sub-diagonal `e[0…n-2]` (`e[n-1] = 0`). Reflector k (H_k = I − τ_k·v·vᴴ acting
 * on indices k+1…n-1, v_{k+1} = 1) goes to row k of (hr, hi) and τ_k to (tauRe, tauIm), so that
 * Q = H_0·H_1⋯H_{n-2} and Qᴴ·A·Q = T. Destroys (ar, ai).
 *
 * For complex data the loop also runs for k = n-2, where the "vector" is one entry: that
 * reflector only rotates its phase to make the last sub-diagonal real (as `zhetd2` does).
 */
function tridiagonalize(
  ar: Float64Array,
  ai: Float64Array | null,
  n: number,
  hr: Float64Array,
  hi: Float64Array | null,
  tauRe: Float64Array,
  tauIm: Float64Array,
  d: Float64Array,
  e: Float64Array,
  work: Float64Array,
): void {
  // work[0…n) = v re, work[n…2n) = v im, work[2n…3n) = w re, work[3n…4n) = w im,
  // indexed relative to the trailing block (entry t ↔ global index k+1+t).
  for (let k = 0; k + 1 < n; k++) {
    d[k] = ar[k * n + k];
    const m = n - k - 1;
    const off = (k + 1) * n + k; // A[k+1, k]: start of the column below the diagonal
    const refl = makeReflector(ar, ai, off, n, m);
    e[k] = refl.beta;
    tauRe[k] = refl.tauRe;
    tauIm[k] = refl.tauIm;
    // Keep v (v_0 = 1) contiguously: in hr/hi for the back-transform and in work for the update.
    hr[k * n + k + 1] = 1;
    work[0] = 1;
    work[n] = 0;
    if (hi !== null) hi[k * n + k + 1] = 0;
    for (let t = 1; t < m; t++) {
      const p = off + t * n;
      hr[k * n + k + 1 + t] = work[t] = ar[p];
      const im = ai === null ? 0 : ai[p];
      work[n + t] = im;
      if (hi !== null) hi[k * n + k + 1 + t] = im;
    }
    if (refl.tauRe === 0 && refl.tauIm === 0) continue;
    if (ai === null) updateTrailingReal(ar, n, k + 1, refl.tauRe, work);
    else updateTrailingComplex(ar, ai, n, k + 1, refl.tauRe, refl.tauIm, work);
  }
  if (n > 0) {
    d[n - 1] = ar[(n - 1) * n + (n - 1)];
    e[n - 1] = 0;
  }
}

/**
 * B ← H·B·H for the trailing block B = A[s:, s:] (real case, H = I − τ·v·vᵀ), via the symmetric
 * rank-2 update of `dsytd2`: x = τ·B·v, w = x − ½·τ·(xᵀv)·v, B ← B − v·wᵀ − w·vᵀ.
 * Only the lower triangle of B is read and written (as `dsymv`/`dsyr2` do): each stored entry
 * serves both B_ij and B_ji in the product, which halves the memory traffic of this stage.
 */
function updateTrailingReal(ar: Float64Array, n: number, s: number, tau: number, work: Float64Array): void {
  const m = n - s;
  const wOff = 2 * n;
  work.fill(0, wOff, wOff + m);
  for (let i = 0; i < m; i++) {
    const row = (s + i) * n + s;
    const vi = work[i];
    let acc = 0;
    for (let j = 0; j < i; j++) {
      const b = ar[row + j];
      acc += b * work[j];
      work[wOff + j] += b * vi;
    }
    work[wOff + i] += acc + ar[row + i] * vi;
  }
  let xv = 0;
  for (let i = 0; i < m; i++) {
    work[wOff + i] *= tau;
    xv += work[wOff + i] * work[i];
  }
  const alpha = -0.5 * tau * xv;
  for (let i = 0; i < m; i++) work[wOff + i] += alpha * work[i];
  for (let i = 0; i < m; i++) {
    const row = (s + i) * n + s;
    const vi = work[i];
    const wi = work[wOff + i];
    for (let j = 0; j <= i; j++) ar[row + j] -= vi * work[wOff + j] + wi * work[j];
  }
}

/**
 * Complex counterpart of {@link updateTrailingReal} (`zhetd2`): B ← Hᴴ·B·H with
 * x = τ·B·v, w = x − ½·τ·(xᴴv)·v, B ← B − v·wᴴ − w·vᴴ, on the lower triangle only
 * (B_ji = conj(B_ij)).
 */
function updateTrailingComplex(
  ar: Float64Array,
  ai: Float64Array,
  n: number,
  s: number,
  tRe: number,
  tIm: number,
  work: Float64Array,
): void {
  const m = n - s;
  const vIm = n;
  const wRe = 2 * n;
  const wIm = 3 * n;
  work.fill(0, wRe, wRe + m);
  work.fill(0, wIm, wIm + m);
  // p = B·v, accumulated in (wRe, wIm).
  for (let i = 0; i < m; i++) {
    const row = (s + i) * n + s;
    const vr = work[i];
    const vi = work[vIm + i];
    let accRe = 0;
    let accIm = 0;
    for (let j = 0; j < i; j++) {
      const br = ar[row + j];
      const bi = ai[row + j];
      const ur = work[j];
      const ui = work[vIm + j];
      accRe += br * ur - bi * ui; // B_ij·v_j
      accIm += br * ui + bi * ur;
      work[wRe + j] += br * vr + bi * vi; // conj(B_ij)·v_i
      work[wIm + j] += br * vi - bi * vr;
    }
    const d = ar[row + i]; // real diagonal
    work[wRe + i] += accRe + d * vr;
    work[wIm + i] += accIm + d * vi;
  }
  // x = τ·p, and xᴴv.
  let dotRe = 0;
  let dotIm = 0;
  for (let i = 0; i < m; i++) {
    const pr = work[wRe + i];
    const pi = work[wIm + i];
    const xr = tRe * pr - tIm * pi;
    const xi = tRe * pi + tIm * pr;
    work[wRe + i] = xr;
    work[wIm + i] = xi;
    const vr = work[i];
    const vi = work[vIm + i];
    dotRe += xr * vr + xi * vi;
    dotIm += xr * vi - xi * vr;
  }
  // alpha = −½·τ·(xᴴv); w = x + alpha·v.
  const alRe = -0.5 * (tRe * dotRe - tIm * dotIm);
  const alIm = -0.5 * (tRe * dotIm + tIm * dotRe);
  for (let i = 0; i < m; i++) {
    const vr = work[i];
    const vi = work[vIm + i];
    work[wRe + i] += alRe * vr - alIm * vi;
    work[wIm + i] += alRe * vi + alIm * vr;
  }
  for (let i = 0; i < m; i++) {
    const row = (s + i) * n + s;
    const vir = work[i];
    const vii = work[vIm + i];
    const wir = work[wRe + i];
    const wii = work[wIm + i];
    for (let j = 0; j <= i; j++) {
      const vjr = work[j];
      const vji = work[vIm + j];
      const wjr = work[wRe + j];
      const wji = work[wIm + j];
      // v_i·conj(w_j) + w_i·conj(v_j)
      ar[row + j] -= vir * wjr + vii * wji + (wir * vjr + wii * vji);
      ai[row + j] -= vii * wjr - vir * wji + (wii * vjr - wir * vji);
    }
  }
}

/** Apply the documented phase convention to every eigenvector (row) of (zr, zi). */
function fixPhases(zr: Float64Array, zi: Float64Array | null, n: number): void {
  for (let r = 0; r < n; r++) {
    const row = r * n;
    let maxSq = 0;
    for (let i = 0; i < n; i++) {
      const m2 = zr[row + i] * zr[row + i] + (zi === null ? 0 : zi[row + i] * zi[row + i]);
      if (m2 > maxSq) maxSq = m2;
    }
    if (maxSq === 0) continue;
    const threshold = maxSq * (1 - PHASE_TIE_MARGIN);
    let pick = 0;
    for (let i = 0; i < n; i++) {
      const m2 = zr[row + i] * zr[row + i] + (zi === null ? 0 : zi[row + i] * zi[row + i]);
      if (m2 >= threshold) {
        pick = i;
        break;
      }
    }
    if (zi === null) {
      if (zr[row + pick] < 0) for (let i = 0; i < n; i++) zr[row + i] = -zr[row + i];
      continue;
    }
    // Multiply by conj(z_pick)/|z_pick| so that z_pick becomes |z_pick| (real, positive).
    const mag = Math.sqrt(zr[row + pick] * zr[row + pick] + zi[row + pick] * zi[row + pick]);
    const cr = zr[row + pick] / mag;
    const ci = -zi[row + pick] / mag;
    for (let i = 0; i < n; i++) {
      const xr = zr[row + i];
      const xi = zi[row + i];
      zr[row + i] = xr * cr - xi * ci;
      zi[row + i] = xr * ci + xi * cr;
    }
    zi[row + pick] = 0; // exact, rather than a rounding residue
  }
}
