/**
 * FFT kernels of the CPU backend (`fft`, `ifft`, `rfft`, `irfft` along the last axis), as pure
 * host functions on float32 typed arrays that compute in float64. Complex data is interleaved
 * (re, im); see ./README.md.
 *
 * Any length is supported: powers of two use an iterative radix-2 transform, every other length
 * goes through Bluestein's chirp-z algorithm (a power-of-two circular convolution of length
 * ≥ 2n − 1), so the cost is O(n log n) for all n. Twiddles and chirps are evaluated directly in
 * float64 (never by recurrence), which keeps the float64 error at ~ε·log n, negligible against
 * the float32 rounding of the outputs.
 *
 * Plans (twiddle tables, Bluestein chirps and their transforms) are cached per length in a small
 * bounded cache; that is invisible to callers apart from speed.
 */

/** Precomputed data for one transform length. */
type Plan = Pow2Plan | BluesteinPlan;

interface Pow2Plan {
  readonly kind: "pow2";
  readonly n: number;
  /** cos(2πk/n), sin(2πk/n) for k < n/2. */
  readonly cos: Float64Array;
  readonly sin: Float64Array;
  /** Bit-reversal permutation. */
  readonly rev: Int32Array;
}

interface BluesteinPlan {
  readonly kind: "bluestein";
  readonly n: number;
  /** Chirp c_k = exp(−iπk²/n), k < n. */
  readonly chirpRe: Float64Array;
  readonly chirpIm: Float64Array;
  /** Power-of-two plan for the convolution length M ≥ 2n − 1. */
  readonly inner: Pow2Plan;
  /** FFT_M of the conjugate chirp b_k = conj(c_|k|) laid out circularly. */
  readonly bHatRe: Float64Array;
  readonly bHatIm: Float64Array;
  /** Convolution scratch of length M. */
  readonly workRe: Float64Array;
  readonly workIm: Float64Array;
}

/** Bound on cached plans (one per distinct length); oldest is evicted first. */
const PLAN_CACHE_LIMIT = 32;
const planCache = new Map<number, Plan>();
const rfftTwiddleCache = new Map<number, { cos: Float64Array; sin: Float64Array }>();

function cached<T>(cache: Map<number, T>, key: number, make: () => T): T {
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const value = make();
  if (cache.size >= PLAN_CACHE_LIMIT) {
    const oldest = cache.keys().next();
    if (!oldest.done) cache.delete(oldest.value);
  }
  cache.set(key, value);
  return value;
}

function isPowerOfTwo(n: number): boolean {
  return n > 0 && (n & (n - 1)) === 0;
}

function getPlan(n: number): Plan {
  return cached(planCache, n, () => (isPowerOfTwo(n) ? makePow2Plan(n) : makeBluesteinPlan(n)));
}

function makePow2Plan(n: number): Pow2Plan {
  const half = n >> 1;
  const cos = new Float64Array(half);
  const sin = new Float64Array(half);
  for (let k = 0; k < half; k++) {
    const t = (2 * Math.PI * k) / n;
    cos[k] = Math.cos(t);
    sin[k] = Math.sin(t);
  }
  const rev = new Int32Array(n);
  const bits = Math.round(Math.log2(n));
  for (let i = 0; i < n; i++) {
    let r = 0;
    for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
    rev[i] = r;
  }
  return { kind: "pow2", n, cos, sin, rev };
}

function makeBluesteinPlan(n: number): BluesteinPlan {
  let m = 1;
  while (m < 2 * n - 1) m *= 2;
  const inner = cached(planCache, m, () => makePow2Plan(m)) as Pow2Plan;
  const chirpRe = new Float64Array(n);
  const chirpIm = new Float64Array(n);
  // k² mod 2n keeps the angle π·k²/n in [0, 2π): for large k the raw argument would lose
  // absolute precision (k² ~ 1e12 has ulp ~1e-4). k² mod 2n is built incrementally with
  // integers, (k+1)² = k² + 2k + 1, so it is exact.
  let k2 = 0;
  for (let k = 0; k < n; k++) {
    const t = (Math.PI * k2) / n;
    chirpRe[k] = Math.cos(t);
    chirpIm[k] = -Math.sin(t);
    k2 = (k2 + 2 * k + 1) % (2 * n);
  }
  const bHatRe = new Float64Array(m);
  const bHatIm = new Float64Array(m);
  for (let k = 0; k < n; k++) {
    bHatRe[k] = chirpRe[k];
    bHatIm[k] = -chirpIm[k];
    if (k > 0) {
      bHatRe[m - k] = chirpRe[k];
      bHatIm[m - k] = -chirpIm[k];
    }
  }
  pow2Forward(inner, bHatRe, bHatIm);
  return {
    kind: "bluestein",
    n,
    chirpRe,
    chirpIm,
    inner,
    bHatRe,
    bHatIm,
    workRe: new Float64Array(m),
    workIm: new Float64Array(m),
  };
}

/** In-place forward DFT (exponent sign −1), unscaled, of a power-of-two length. */
function pow2Forward(plan: Pow2Plan, re: Float64Array, im: Float64Array): void {
  const { n, cos, sin, rev } = plan;
  for (let i = 0; i < n; i++) {
    const j = rev[i];
    if (i < j) {
      const tr = re[i];
      re[i] = re[j];
      re[j] = tr;
      const ti = im[i];
      im[i] = im[j];
      im[j] = ti;
    }
  }
  for (let size = 2; size <= n; size *= 2) {
    const half = size >> 1;
    const step = n / size;
    for (let start = 0; start < n; start += size) {
      for (let j = 0; j < half; j++) {
        const wr = cos[j * step];
        const wi = -sin[j * step];
        const p = start + j;
        const q = p + half;
        const xr = re[q] * wr - im[q] * wi;
        const xi = re[q] * wi + im[q] * wr;
        re[q] = re[p] - xr;
        im[q] = im[p] - xi;
        re[p] += xr;
        im[p] += xi;
      }
    }
  }
}

/** In-place forward DFT of any length n ≥ 1, unscaled: X_k = Σ_j x_j·exp(−2πi·jk/n). */
function forward(plan: Plan, re: Float64Array, im: Float64Array): void {
  if (plan.kind === "pow2") {
    pow2Forward(plan, re, im);
    return;
  }
  // Bluestein: jk = (j² + k² − (k−j)²)/2, so X_k = c_k · Σ_j (x_j c_j)·conj(c_{k−j}).
  const { n, chirpRe, chirpIm, inner, bHatRe, bHatIm, workRe, workIm } = plan;
  const m = inner.n;
  for (let k = 0; k < n; k++) {
    workRe[k] = re[k] * chirpRe[k] - im[k] * chirpIm[k];
    workIm[k] = re[k] * chirpIm[k] + im[k] * chirpRe[k];
  }
  workRe.fill(0, n);
  workIm.fill(0, n);
  pow2Forward(inner, workRe, workIm);
  // Pointwise product, conjugated so that a second *forward* FFT computes the inverse:
  // IFFT(Y) = conj(FFT(conj(Y)))/M.
  for (let k = 0; k < m; k++) {
    const pr = workRe[k] * bHatRe[k] - workIm[k] * bHatIm[k];
    const pi = workRe[k] * bHatIm[k] + workIm[k] * bHatRe[k];
    workRe[k] = pr;
    workIm[k] = -pi;
  }
  pow2Forward(inner, workRe, workIm);
  const scale = 1 / m;
  for (let k = 0; k < n; k++) {
    const cr = workRe[k] * scale;
    const ci = -workIm[k] * scale;
    re[k] = cr * chirpRe[k] - ci * chirpIm[k];
    im[k] = cr * chirpIm[k] + ci * chirpRe[k];
  }
}

/** In-place inverse DFT including the 1/n factor, via conj(FFT(conj(x)))/n. */
function inverseInPlace(plan: Plan, re: Float64Array, im: Float64Array): void {
  const n = plan.n;
  for (let k = 0; k < n; k++) im[k] = -im[k];
  forward(plan, re, im);
  const scale = 1 / n;
  for (let k = 0; k < n; k++) {
    re[k] *= scale;
    im[k] = -im[k] * scale;
  }
}

function checkCount(name: string, label: string, v: number, min: number): void {
  if (!Number.isInteger(v) || v < min) throw new RangeError(`${name}: ${label} must be an integer ≥ ${min}, got ${v}`);
}

/**
 * Complex DFT along the last axis of a batch, like `jnp.fft.fft` / `jnp.fft.ifft`:
 * forward X_k = Σ_j x_j·exp(−2πi·jk/n); inverse x_j = (1/n)·Σ_k X_k·exp(+2πi·jk/n).
 *
 * @param x `batch × n` complex values, interleaved (re, im) — length 2·batch·n.
 * @param batch number of independent transforms (leading dimensions flattened).
 * @param n transform length, any integer ≥ 0 (0 gives an empty result).
 * @param inverse compute the inverse transform (scaled by 1/n) instead of the forward one.
 * @returns a new interleaved array of the same length.
 */
export function fftKernel(x: Float32Array, batch: number, n: number, inverse: boolean): Float32Array {
  checkCount("fftKernel", "batch", batch, 0);
  checkCount("fftKernel", "n", n, 0);
  if (x.length !== 2 * batch * n)
    throw new RangeError(`fftKernel: x has ${x.length} elements, expected 2·${batch}·${n}`);
  const out = new Float32Array(x.length);
  if (n === 0 || batch === 0) return out;
  const plan = getPlan(n);
  const re = new Float64Array(n);
  const im = new Float64Array(n);
  for (let b = 0; b < batch; b++) {
    const base = 2 * b * n;
    for (let k = 0; k < n; k++) {
      re[k] = x[base + 2 * k];
      im[k] = x[base + 2 * k + 1];
    }
    if (inverse) inverseInPlace(plan, re, im);
    else forward(plan, re, im);
    for (let k = 0; k < n; k++) {
      out[base + 2 * k] = re[k];
      out[base + 2 * k + 1] = im[k];
    }
  }
  return out;
}

/** exp(−2πik/n) for k ≤ n/2, used to split/merge the half-length transform of real data. */
function rfftTwiddles(n: number): { cos: Float64Array; sin: Float64Array } {
  return cached(rfftTwiddleCache, n, () => {
    const h = n >> 1;
    const cos = new Float64Array(h + 1);
    const sin = new Float64Array(h + 1);
    for (let k = 0; k <= h; k++) {
      const t = (2 * Math.PI * k) / n;
      cos[k] = Math.cos(t);
      sin[k] = Math.sin(t);
    }
    return { cos, sin };
  });
}

/**
 * Real-input DFT along the last axis, like `jnp.fft.rfft`: the n//2 + 1 non-negative-frequency
 * bins of the forward transform of real data.
 *
 * Even n packs the signal into a complex signal of length n/2 (z_j = x_{2j} + i·x_{2j+1}),
 * transforms that, and separates the even/odd spectra — half the work of a complex FFT. Odd n
 * runs a full complex transform.
 *
 * @param x `batch × n` real values.
 * @param n signal length, ≥ 1.
 * @returns `batch × (n//2 + 1)` complex bins, interleaved.
 */
export function rfftKernel(x: Float32Array, batch: number, n: number): Float32Array {
  checkCount("rfftKernel", "batch", batch, 0);
  checkCount("rfftKernel", "n", n, 1);
  if (x.length !== batch * n) throw new RangeError(`rfftKernel: x has ${x.length} elements, expected ${batch}·${n}`);
  const bins = (n >> 1) + 1;
  const out = new Float32Array(2 * batch * bins);
  if (batch === 0) return out;
  if (n % 2 === 1) {
    const plan = getPlan(n);
    const re = new Float64Array(n);
    const im = new Float64Array(n);
    for (let b = 0; b < batch; b++) {
      for (let j = 0; j < n; j++) re[j] = x[b * n + j];
      im.fill(0);
      forward(plan, re, im);
      for (let k = 0; k < bins; k++) {
        out[2 * (b * bins + k)] = re[k];
        out[2 * (b * bins + k) + 1] = im[k];
      }
    }
    return out;
  }
  const h = n >> 1;
  const plan = getPlan(h);
  const tw = rfftTwiddles(n);
  const zr = new Float64Array(h);
  const zi = new Float64Array(h);
  for (let b = 0; b < batch; b++) {
    for (let j = 0; j < h; j++) {
      zr[j] = x[b * n + 2 * j];
      zi[j] = x[b * n + 2 * j + 1];
    }
    forward(plan, zr, zi);
    for (let k = 0; k <= h; k++) {
      // E_k = (Z_k + conj Z_{h−k})/2 is the DFT of the evens, O_k = (Z_k − conj Z_{h−k})/(2i)
      // that of the odds (indices mod h); X_k = E_k + exp(−2πik/n)·O_k.
      const a = k % h;
      const c = (h - k) % h;
      const er = 0.5 * (zr[a] + zr[c]);
      const ei = 0.5 * (zi[a] - zi[c]);
      const or = 0.5 * (zi[a] + zi[c]);
      const oi = -0.5 * (zr[a] - zr[c]);
      const wr = tw.cos[k];
      const wi = -tw.sin[k];
      out[2 * (b * bins + k)] = er + (or * wr - oi * wi);
      out[2 * (b * bins + k) + 1] = ei + (or * wi + oi * wr);
    }
  }
  return out;
}

/**
 * Inverse of {@link rfftKernel} with numpy's `irfft` semantics (`jnp.fft.irfft(x, n=nOut)`):
 * the input bins are taken as the non-negative half of a Hermitian spectrum of length `nOut`,
 * cropped or zero-padded to nOut//2 + 1 bins; the imaginary parts of the DC bin and (for even
 * nOut) of the Nyquist bin are ignored, as pocketfft does; the result is real and scaled by
 * 1/nOut.
 *
 * @param x `batch × bins` complex values, interleaved; `bins` is inferred as
 *   x.length / (2·batch) and may differ from nOut//2 + 1.
 * @param nOut output length, ≥ 1.
 * @returns `batch × nOut` real values.
 */
export function irfftKernel(x: Float32Array, batch: number, nOut: number): Float32Array {
  checkCount("irfftKernel", "batch", batch, 0);
  checkCount("irfftKernel", "nOut", nOut, 1);
  const out = new Float32Array(batch * nOut);
  if (batch === 0) return out;
  if (x.length % (2 * batch) !== 0) {
    throw new RangeError(`irfftKernel: x has ${x.length} elements, not 2·${batch}·bins for an integer bins`);
  }
  const binsIn = x.length / (2 * batch);
  const half = nOut >> 1;
  // Bin k of batch b, zero beyond the input (numpy's zero-padding).
  const binRe = (b: number, k: number): number => (k < binsIn ? x[2 * (b * binsIn + k)] : 0);
  const binIm = (b: number, k: number): number => (k < binsIn ? x[2 * (b * binsIn + k) + 1] : 0);

  if (nOut % 2 === 1) {
    const plan = getPlan(nOut);
    const re = new Float64Array(nOut);
    const im = new Float64Array(nOut);
    for (let b = 0; b < batch; b++) {
      re[0] = binRe(b, 0);
      im[0] = 0;
      for (let k = 1; k <= half; k++) {
        re[k] = re[nOut - k] = binRe(b, k);
        im[k] = binIm(b, k);
        im[nOut - k] = -im[k];
      }
      inverseInPlace(plan, re, im);
      for (let j = 0; j < nOut; j++) out[b * nOut + j] = re[j];
    }
    return out;
  }

  const plan = getPlan(half);
  const tw = rfftTwiddles(nOut);
  const zr = new Float64Array(half);
  const zi = new Float64Array(half);
  for (let b = 0; b < batch; b++) {
    for (let k = 0; k < half; k++) {
      // X_k and conj(X_{h−k}); the DC (k = 0) and Nyquist (h − k = h) imaginary parts are dropped.
      const xr = binRe(b, k);
      const xi = k === 0 ? 0 : binIm(b, k);
      const yr = binRe(b, half - k);
      const yi = k === 0 ? 0 : -binIm(b, half - k);
      // E_k = (X_k + conj X_{h−k})/2, O_k = (X_k − conj X_{h−k})·exp(+2πik/n)/2, Z_k = E_k + i·O_k.
      const er = 0.5 * (xr + yr);
      const ei = 0.5 * (xi + yi);
      const dr = 0.5 * (xr - yr);
      const di = 0.5 * (xi - yi);
      const wr = tw.cos[k];
      const wi = tw.sin[k];
      const or = dr * wr - di * wi;
      const oi = dr * wi + di * wr;
      zr[k] = er - oi;
      zi[k] = ei + or;
    }
    inverseInPlace(plan, zr, zi);
    for (let j = 0; j < half; j++) {
      out[b * nOut + 2 * j] = zr[j];
      out[b * nOut + 2 * j + 1] = zi[j];
    }
  }
  return out;
}
