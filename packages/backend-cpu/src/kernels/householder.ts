/**
 * Householder reflectors for the dense linear-algebra kernels (QR, eigh's tridiagonalisation):
 * generating one (LAPACK's `zlarfg`/`dlarfg`) and applying it from the left to a block of a
 * row-major matrix held as float64 planes. Internal to the kernels.
 */

/** The result of generating one elementary reflector, see {@link makeReflector}. */
export interface Reflector {
  /** Real part of τ (0 together with `tauIm` means H = I). */
  tauRe: number;
  /** Imaginary part of τ (always 0 for real data). */
  tauIm: number;
  /** The real value β that Hᴴ maps the input vector to (β·e₁). */
  beta: number;
}

/**
 * LAPACK `zlarfg`/`dlarfg` without the under/overflow rescaling: given x = (α, x₁…x_{m-1}) in
 * `(re, im)[off + k*stride]`, build H = I − τ·v·vᴴ with v₀ = 1 such that Hᴴ·x = (β, 0, …, 0)ᵀ
 * with β real. On return the tail x₁… is overwritten by v₁… (v₀ = 1 is implicit) and the head
 * by β. We follow LAPACK exactly (β = −sign(Re α)·‖x‖) because that choice fixes the signs of
 * R in QR and numpy/JAX users expect those signs.
 *
 * The rescaling LAPACK does for tiny/huge norms is unnecessary here: inputs come from float32
 * (|x| ≤ 3.4e38, smallest subnormal 1.4e-45), so squares and sums of squares stay well inside
 * the float64 range.
 *
 * `im` is null for real data.
 */
export function makeReflector(
  re: Float64Array,
  im: Float64Array | null,
  off: number,
  stride: number,
  m: number,
): Reflector {
  const alphaRe = re[off];
  const alphaIm = im === null ? 0 : im[off];
  let tailSq = 0;
  for (let k = 1; k < m; k++) {
    const p = off + k * stride;
    tailSq += re[p] * re[p];
    if (im !== null) tailSq += im[p] * im[p];
  }
  if (tailSq === 0 && alphaIm === 0) {
    // Already of the form β·e₁ with β real: H = I. LAPACK keeps α's sign here (no flip).
    return { tauRe: 0, tauIm: 0, beta: alphaRe };
  }
  const norm = Math.sqrt(alphaRe * alphaRe + alphaIm * alphaIm + tailSq);
  const beta = alphaRe >= 0 ? -norm : norm;
  const tauRe = (beta - alphaRe) / beta;
  const tauIm = -alphaIm / beta;
  // Scale the tail by 1/(α − β) so that v₀ = 1.
  const dRe = alphaRe - beta;
  const dIm = alphaIm;
  const den = dRe * dRe + dIm * dIm;
  const sRe = dRe / den;
  const sIm = -dIm / den;
  for (let k = 1; k < m; k++) {
    const p = off + k * stride;
    const xr = re[p];
    if (im === null) {
      re[p] = xr * sRe;
    } else {
      const xi = im[p];
      re[p] = xr * sRe - xi * sIm;
      im[p] = xr * sIm + xi * sRe;
    }
  }
  re[off] = beta;
  if (im !== null) im[off] = 0;
  return { tauRe, tauIm, beta };
}

/**
 * X[r0:r1, c0:c1] ← (I − τ·v·vᴴ)·X[r0:r1, c0:c1] for a row-major X with `cols` columns, v read
 * from `(vr, vi)[vOff + r0 …]` (the row-aligned reflector store). Row-major friendly: the
 * product vᴴX is accumulated row by row into (wr, wi).
 */
export function applyReflectorLeft(
  xr: Float64Array,
  xi: Float64Array | null,
  cols: number,
  r0: number,
  r1: number,
  c0: number,
  c1: number,
  vr: Float64Array,
  vi: Float64Array | null,
  vOff: number,
  tRe: number,
  tIm: number,
  wr: Float64Array,
  wi: Float64Array,
): void {
  if ((tRe === 0 && tIm === 0) || c0 >= c1) return;
  wr.fill(0, c0, c1);
  wi.fill(0, c0, c1);
  for (let i = r0; i < r1; i++) {
    const row = i * cols;
    const a = vr[vOff + i];
    if (xi === null || vi === null) {
      for (let c = c0; c < c1; c++) wr[c] += a * xr[row + c];
    } else {
      const bIm = vi[vOff + i];
      // conj(v_i)·x_ic
      for (let c = c0; c < c1; c++) {
        wr[c] += a * xr[row + c] + bIm * xi[row + c];
        wi[c] += a * xi[row + c] - bIm * xr[row + c];
      }
    }
  }
  for (let i = r0; i < r1; i++) {
    const row = i * cols;
    if (xi === null || vi === null) {
      const f = tRe * vr[vOff + i];
      for (let c = c0; c < c1; c++) xr[row + c] -= f * wr[c];
    } else {
      // f = τ·v_i, then x_ic −= f·w_c
      const fr = tRe * vr[vOff + i] - tIm * vi[vOff + i];
      const fi = tRe * vi[vOff + i] + tIm * vr[vOff + i];
      for (let c = c0; c < c1; c++) {
        xr[row + c] -= fr * wr[c] - fi * wi[c];
        xi[row + c] -= fr * wi[c] + fi * wr[c];
      }
    }
  }
}
