/**
 * Second half of the `eigh` kernel (see ./eigh.ts): implicit-shift QL on the real symmetric
 * tridiagonal matrix, and the back-transformation of its eigenvectors by the Householder
 * reflectors of the reduction. Eigenvectors are stored as *rows* (contiguous) throughout.
 *
 * Both hot loops process two vectors per pass over memory (two rotations per sweep over three
 * rows; two eigenvectors per reflector): in JS, loads/stores rather than flops bound these
 * loops, and sharing them roughly halved each stage's time at n = 512 (measured, Node 20).
 */

/** Machine epsilon of float64: the QL deflation threshold, as in EISPACK/JAMA. */
const EPS64 = 2 ** -52;
/** LAPACK `dsteqr` gives up after 30·n QL sweeps in total; we do the same then report NaN. */
const MAX_QL_SWEEPS_PER_EIGENVALUE = 30;

/**
 * Symmetric tridiagonal QL with implicit shifts (EISPACK `tql2`, as in JAMA). On entry `d` is
 * the diagonal, `e[i]` = T[i+1, i] (`e[n-1] = 0`); `zt` holds the initial basis with vectors
 * as rows. On exit `d` holds the (unsorted) eigenvalues and row k of `zt` the eigenvector of
 * d[k]. `rotC`/`rotS` (length n) are scratch for one sweep's rotations. Returns false if it
 * failed to converge (never observed for finite input).
 *
 * Plain `Math.sqrt(p*p + q*q)` replaces `hypot`: entries come from float32 data, so their
 * squares cannot overflow or underflow float64.
 */
export function tql2(
  d: Float64Array,
  e: Float64Array,
  zt: Float64Array,
  n: number,
  rotC: Float64Array,
  rotS: Float64Array,
): boolean {
  let f = 0;
  let tst1 = 0;
  let sweeps = 0;
  const maxSweeps = MAX_QL_SWEEPS_PER_EIGENVALUE * Math.max(n, 1);
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]) + Math.abs(e[l]));
    let m = l;
    while (m < n - 1 && Math.abs(e[m]) > EPS64 * tst1) m++;
    if (m > l) {
      do {
        if (++sweeps > maxSweeps) return false;
        // Shift from the leading 2×2 block.
        let g = d[l];
        let p = (d[l + 1] - g) / (2 * e[l]);
        let r = Math.sqrt(p * p + 1);
        if (p < 0) r = -r;
        d[l] = e[l] / (p + r);
        d[l + 1] = e[l] * (p + r);
        const dl1 = d[l + 1];
        let h = g - d[l];
        for (let i = l + 2; i < n; i++) d[i] -= h;
        f += h;
        // Implicit QL transformation, chasing the bulge from m up to l.
        p = d[m];
        let c = 1;
        let c2 = 1;
        let c3 = 1;
        const el1 = e[l + 1];
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i];
          h = c * p;
          r = Math.sqrt(p * p + e[i] * e[i]);
          e[i + 1] = s * r;
          s = e[i] / r;
          c = p / r;
          p = c * d[i] - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]);
          rotC[i] = c;
          rotS[i] = s;
        }
        applyRotations(zt, n, l, m, rotC, rotS);
        p = (-s * s2 * c3 * el1 * e[l]) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l]) > EPS64 * tst1);
    }
    d[l] += f;
    e[l] = 0;
  }
  return true;
}

/**
 * V = Q·Z: apply H_{n-2}, …, H_0 (in that order; H_k = I − τ_k·v·vᴴ on indices k+1…n-1, v in
 * row k of (hr, hi)) to each eigenvector, stored as a row of (zr, zi). zi must be zeroed on
 * entry for complex data (Z from QL is real).
 */
export function backTransform(
  zr: Float64Array,
  zi: Float64Array | null,
  n: number,
  hr: Float64Array,
  hi: Float64Array | null,
  tauRe: Float64Array,
  tauIm: Float64Array,
): void {
  // Rows in pairs (r0, r1); an odd last row gets r1 = −1 and is processed alone.
  for (let r = 0; r < n; r += 2) {
    const r0 = r * n;
    const r1 = r + 1 < n ? r0 + n : -1;
    for (let k = n - 2; k >= 0; k--) {
      const tr = tauRe[k];
      const ti = tauIm[k];
      if (tr === 0 && ti === 0) continue;
      if (zi === null || hi === null) reflectReal(zr, r0, r1, hr, k * n, k + 1, n, tr);
      else reflectComplex(zr, zi, r0, r1, hr, hi, k * n, k + 1, n, tr, ti);
    }
  }
}

/** z ← z − τ·(vᵀz)·v on entries [i0, i1) of row r0 and, if r1 ≥ 0, of row r1 (real data). */
function reflectReal(
  zr: Float64Array,
  r0: number,
  r1: number,
  hr: Float64Array,
  h: number,
  i0: number,
  i1: number,
  tau: number,
): void {
  if (r1 < 0) {
    let s = 0;
    for (let i = i0; i < i1; i++) s += hr[h + i] * zr[r0 + i];
    s *= tau;
    for (let i = i0; i < i1; i++) zr[r0 + i] -= s * hr[h + i];
    return;
  }
  let s0 = 0;
  let s1 = 0;
  for (let i = i0; i < i1; i++) {
    const v = hr[h + i];
    s0 += v * zr[r0 + i];
    s1 += v * zr[r1 + i];
  }
  s0 *= tau;
  s1 *= tau;
  for (let i = i0; i < i1; i++) {
    const v = hr[h + i];
    zr[r0 + i] -= s0 * v;
    zr[r1 + i] -= s1 * v;
  }
}

/** Complex counterpart of {@link reflectReal}: z ← z − (τ·vᴴz)·v. */
function reflectComplex(
  zr: Float64Array,
  zi: Float64Array,
  r0: number,
  r1: number,
  hr: Float64Array,
  hi: Float64Array,
  h: number,
  i0: number,
  i1: number,
  tr: number,
  ti: number,
): void {
  const two = r1 >= 0;
  const q1 = two ? r1 : r0; // harmless alias for the single-row case; its results are unused
  let ar = 0;
  let ai = 0;
  let br = 0;
  let bi = 0;
  for (let i = i0; i < i1; i++) {
    const vr = hr[h + i];
    const vi = hi[h + i];
    const xr = zr[r0 + i];
    const xi = zi[r0 + i];
    ar += vr * xr + vi * xi;
    ai += vr * xi - vi * xr;
    const yr = zr[q1 + i];
    const yi = zi[q1 + i];
    br += vr * yr + vi * yi;
    bi += vr * yi - vi * yr;
  }
  // (c, d) = τ·s for each row.
  const cr = tr * ar - ti * ai;
  const ci = tr * ai + ti * ar;
  const dr = tr * br - ti * bi;
  const di = tr * bi + ti * br;
  if (!two) {
    for (let i = i0; i < i1; i++) {
      const vr = hr[h + i];
      const vi = hi[h + i];
      zr[r0 + i] -= cr * vr - ci * vi;
      zi[r0 + i] -= cr * vi + ci * vr;
    }
    return;
  }
  for (let i = i0; i < i1; i++) {
    const vr = hr[h + i];
    const vi = hi[h + i];
    zr[r0 + i] -= cr * vr - ci * vi;
    zi[r0 + i] -= cr * vi + ci * vr;
    zr[r1 + i] -= dr * vr - di * vi;
    zi[r1 + i] -= dr * vi + di * vr;
  }
}

/**
 * Apply one QL sweep's rotations to the basis rows of `zt`, in the sweep's order
 * i = m−1, …, l, rotation i mixing rows i and i+1:
 *   row_{i+1} ← s·row_i + c·row_{i+1},  row_i ← c·row_i − s·row_{i+1}.
 * Consecutive rotations share a row, so two are fused per pass over three rows.
 */
function applyRotations(
  zt: Float64Array,
  n: number,
  l: number,
  m: number,
  rotC: Float64Array,
  rotS: Float64Array,
): void {
  let i = m - 1;
  for (; i - 1 >= l; i -= 2) {
    const c1 = rotC[i];
    const s1 = rotS[i];
    const c2 = rotC[i - 1];
    const s2 = rotS[i - 1];
    const ra = (i + 1) * n;
    const rb = i * n;
    const rc = (i - 1) * n;
    for (let k = 0; k < n; k++) {
      const a = zt[ra + k];
      const b = zt[rb + k];
      const x = zt[rc + k];
      zt[ra + k] = s1 * b + c1 * a;
      const b1 = c1 * b - s1 * a;
      zt[rb + k] = s2 * x + c2 * b1;
      zt[rc + k] = c2 * x - s2 * b1;
    }
  }
  if (i === l) {
    const c = rotC[i];
    const s = rotS[i];
    const ra = (i + 1) * n;
    const rb = i * n;
    for (let k = 0; k < n; k++) {
      const a = zt[ra + k];
      const b = zt[rb + k];
      zt[ra + k] = s * b + c * a;
      zt[rb + k] = c * b - s * a;
    }
  }
}
