/**
 * WGSL building blocks of the FFT kernel (fft.ts): accurate twiddle factors and the radix-2
 * Stockham stage.
 *
 * Twiddles: WGSL's `sin`/`cos` only promise an absolute error of 2^-11 on [-π, π], far too coarse
 * for a float32 FFT. `turn(m, N, cq)` evaluates (cos θ, sin θ) for θ = 2π·m/N instead by exact
 * integer reduction to an octant (8m = q·N + r, m < N < 2^29) and short polynomials on [0, π/4]:
 * φ = r·cq with cq = float32(π/(4N)) from the host, so φ is within ~1.5 ulp of π/4·r/N, and the
 * truncated Taylor series of sin (through x^9) and cos (through x^10) err by < 2e-9 there. Each
 * twiddle is therefore within ~2 ulp of the exact value, and the octant symmetries are exact
 * (e.g. m = N/4 gives exactly (0, 1)), as in a float64 table rounded to float32.
 */

/** WGSL `turn(m, N, cq) -> vec2<f32>` = (cos 2πm/N, sin 2πm/N), m < N; cq = f32(π/(4N)). */
export const WGSL_TURN = /* wgsl */ `
fn sinQ(x: f32) -> f32 {
  let x2 = x * x;
  var p = fma(x2, 2.7557319e-6f, -1.9841270e-4f);
  p = fma(x2, p, 8.3333333e-3f);
  p = fma(x2, p, -1.6666667e-1f);
  return fma(x * x2, p, x);
}
fn cosQ(x: f32) -> f32 {
  let x2 = x * x;
  var p = fma(x2, -2.7557319e-7f, 2.4801587e-5f);
  p = fma(x2, p, -1.3888889e-3f);
  p = fma(x2, p, 4.1666667e-2f);
  p = fma(x2, p, -0.5f);
  return fma(x2, p, 1.0f);
}
fn turn(m: u32, n: u32, cq: f32) -> vec2<f32> {
  let e = m * 8u;
  let q = e / n;
  let r = e % n;
  // Odd octants measure the angle back from the next multiple of π/4 (so φ stays in [0, π/4]).
  let odd = (q & 1u) == 1u;
  let phi = f32(select(r, n - r, odd)) * cq;
  let s = sinQ(phi);
  let c = cosQ(phi);
  // (cos ψ, sin ψ) of the angle ψ ∈ [0, π/2] past the quadrant start.
  let cp = select(c, s, odd);
  let sp = select(s, c, odd);
  switch (q >> 1u) {
    case 0u: { return vec2<f32>(cp, sp); }
    case 1u: { return vec2<f32>(-sp, cp); }
    case 2u: { return vec2<f32>(-cp, -sp); }
    default: { return vec2<f32>(sp, -cp); }
  }
}
fn cmul(a: vec2<f32>, b: vec2<f32>) -> vec2<f32> {
  return vec2<f32>(a.x * b.x - a.y * b.y, a.x * b.y + a.y * b.x);
}
fn conj(a: vec2<f32>) -> vec2<f32> {
  return vec2<f32>(a.x, -a.y);
}
`;

/** float32(π/(4N)) as the `cq` argument of `turn`, computed in float64 on the host. */
export function turnConst(n: number): string {
  const v = Math.fround(Math.PI / (4 * n));
  return `${v.toPrecision(9)}f`;
}

/**
 * WGSL body of one radix-2 Stockham (decimation in frequency, self-sorting) stage over `lines`
 * contiguous lines of length `len` (a power of two), reading `src` and writing `dst`, one thread
 * per butterfly; `U.x` = m = 2^stage. With l = len/(2m), butterfly (j, k), j < l, k < m:
 *   dst[k + 2jm]     = src[k + jm] + src[k + jm + lm]
 *   dst[k + 2jm + m] = w^(jm) · (src[k + jm] − src[k + jm + lm]),  w = exp(−2πi/len)
 * After log2(len) stages the forward DFT is in natural order. Twiddles exp(−2πi·jm/len) all share
 * the denominator len, so one `turn` constant serves every stage.
 */
export function stageBody(len: number): string {
  const half = len / 2;
  return `  let line = i / ${half}u;
  let t = i % ${half}u;
  let m = U.x;
  let j = t / m;
  let k = t % m;
  let base = line * ${len}u;
  let a = src[base + k + j * m];
  let b = src[base + k + j * m + ${half}u];
  let w = turn(j * m, ${len}u, ${turnConst(len)});
  dst[base + k + 2u * j * m] = a + b;
  dst[base + k + 2u * j * m + m] = cmul(vec2<f32>(w.x, -w.y), a - b);`;
}
