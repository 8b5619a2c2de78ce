/**
 * Host implementations of special functions for the CPU kernels: pure functions of JS numbers,
 * no backend state.
 *
 * Two kinds live here:
 * - float32 functions that reproduce XLA's CPU algorithms bit for bit (`erfInvF32`, `erfF32`,
 *   and the `logF32`/`log1pF32` that erf_inv is built on), because JAX's samplers use them
 *   (`random.normal` = √2·erf_inv(u), `random.truncatedNormal` uses erf) and our PRNG must match
 *   JAX's output exactly. They emulate float32 with
 *   `Math.fround` after every operation, and evaluate each polynomial step `p·w + c` as one
 *   exactly rounded fused multiply-add, as XLA's CPU backend does (it emits the `llvm.fma`
 *   intrinsic for erf, and LLVM contracts the multiply-adds of ErfInv32 to FMA on CPU).
 * - float64 functions (`erfc64`, `lgamma64`, `digamma64`, `polygamma64`) accurate to ~1e-14
 *   relative, which the kernels round once to float32.
 */

const f32 = Math.fround;

const scratch = new DataView(new ArrayBuffer(4));
/** The float32 with the given bit pattern. */
export function bitsToF32(u: number): number {
  scratch.setUint32(0, u >>> 0);
  return scratch.getFloat32(0);
}
/** The bit pattern (uint32) of float32 `x`. */
export function f32ToBits(x: number): number {
  scratch.setFloat32(0, x);
  return scratch.getUint32(0);
}

/** `nextafter` in float32: the next float32 after `x` toward `toward` (subnormals included). */
export function nextAfterF32(x: number, toward: number): number {
  x = f32(x);
  toward = f32(toward);
  if (Number.isNaN(x) || Number.isNaN(toward)) return NaN;
  if (x === toward) return toward;
  if (x === 0) return toward > 0 ? bitsToF32(1) : -bitsToF32(1);
  const u = f32ToBits(x);
  // Moving away from zero increments the magnitude bits, toward zero decrements them.
  return bitsToF32(toward > x === x > 0 ? u + 1 : u - 1);
}

/**
 * Exactly rounded float32 fused multiply-add `a·b + c` of float32 inputs. `a·b` is exact in
 * float64 (24+24 bits); `s = a·b + c` rounds once more, and TwoSum gives the exact error. The
 * float32 rounding of `s` can only differ from that of the exact sum when `s` is exactly a
 * float32 midpoint (a tie), which the sign of the error resolves.
 */
export function fmaF32(a: number, b: number, c: number): number {
  const p = a * b;
  const s = p + c;
  const bb = s - p;
  const err = p - (s - bb) + (c - bb);
  const r = f32(s);
  if (err === 0 || r === s || !Number.isFinite(s)) return r;
  const other = nextAfterF32(r, s > r ? Infinity : -Infinity);
  if (s - r !== other - s) return r;
  return err > 0 === other > r ? other : r;
}

/** Smallest normal float32. */
const F32_TINY = bitsToF32(0x00800000);

const LOG_P = [7.0376836292e-2, -1.151461031e-1, 1.167699874e-1, -1.2420140846e-1, 1.4249322787e-1, -1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1].map(f32);
const LOG_C1 = f32(-2.1219444e-4); // ln 2 = LOG_C2 + LOG_C1, split so e·LOG_C2 is exact
const LOG_C2 = f32(0.693359375);
const SQRT_HALF = f32(Math.SQRT1_2);

/**
 * float32 natural log as XLA's CPU backend computes it (the Cephes/Eigen vectorized logf that
 * xla/service/cpu/llvm_ir_runtime.cc emits): split x = m·2^e with m in [√½, √2), evaluate the
 * Cephes degree-8 polynomial of t = m - 1 (three interleaved Horner chains combined with t³), and
 * add e·ln2 in two parts; multiply-adds are fused. Denormal inputs are treated as the smallest
 * normal. Within an ulp of the correctly rounded log.
 */
export function logF32(x: number): number {
  x = f32(x);
  if (Number.isNaN(x) || x < 0) return NaN;
  if (x === 0) return -Infinity;
  if (x === Infinity) return Infinity;
  const bits = f32ToBits(Math.max(F32_TINY, x));
  let e = f32((bits >>> 23) - 0x7f + 1);
  let m = bitsToF32((bits & 0x807fffff) | 0x3f000000); // mantissa in [0.5, 1)
  // Fold [0.5, √½) up to [1, √2): t = 2m - 1 there (as m - 1 + m), else t = m - 1 with m in [√½, 1).
  const low = m < SQRT_HALF;
  let t = f32(m - 1);
  if (low) {
    e = f32(e - 1);
    t = f32(t + m);
  }
  m = t;
  const t2 = f32(m * m);
  const t3 = f32(t2 * m);
  let y0 = fmaF32(m, LOG_P[0], LOG_P[1]);
  let y1 = fmaF32(m, LOG_P[3], LOG_P[4]);
  let y2 = fmaF32(m, LOG_P[6], LOG_P[7]);
  y0 = fmaF32(y0, m, LOG_P[2]);
  y1 = fmaF32(y1, m, LOG_P[5]);
  y2 = fmaF32(y2, m, LOG_P[8]);
  y0 = fmaF32(y0, t3, y1);
  y0 = fmaF32(y0, t3, y2);
  y0 = fmaF32(y0, t3, f32(LOG_C1 * e));
  const u = fmaF32(f32(-0.5), t2, m);
  return fmaF32(LOG_C2, e, f32(u + y0));
}

const LOG1P_P = [4.5270000862445199635215e-5, 4.9854102823193375972212e-1, 6.5787325942061044846969, 2.9911919328553073277375e1, 6.0949667980987787057556e1, 5.7112963590585538103336e1, 2.0039553499201281259648e1].map(f32);
const LOG1P_Q = [1, 1.5062909083469192043167e1, 8.3047565967967209469434e1, 2.2176239823732856465394e2, 3.0909872225312059774938e2, 2.1642788614495947685003e2, 6.0118660497603843919306e1].map(f32);

/**
 * float32 log1p as XLA's CPU backend computes it (xla/codegen/intrinsic/log1p.cc): for
 * |x| < √2 − 1 the Cephes rational form x − x²/2 + x³·P(x)/Q(x) (Horner, fused), otherwise
 * `logF32(1 + x)`.
 */
export function log1pF32(x: number): number {
  x = f32(x);
  if (!(Math.abs(x) < Math.SQRT2 - 1)) return logF32(f32(x + 1));
  const x2 = f32(x * x);
  let q = LOG1P_Q[0];
  for (let i = 1; i < LOG1P_Q.length; i++) q = fmaF32(q, x, LOG1P_Q[i]);
  let p = LOG1P_P[0];
  for (let i = 1; i < LOG1P_P.length; i++) p = fmaF32(p, x, LOG1P_P[i]);
  const r = f32(f32(x * x2) * f32(p / q));
  return f32(x + fmaF32(f32(-0.5), x2, r));
}

const ERFINV_W_LT_5 = [2.81022636e-8, 3.43273939e-7, -3.5233877e-6, -4.39150654e-6, 0.00021858087, -0.00125372503, -0.00417768164, 0.246640727, 1.50140941].map(f32);
const ERFINV_W_GE_5 = [-0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613, 0.00943887047, 1.00167406, 2.83297682].map(f32);

/**
 * float32 inverse error function, bit-exact with JAX's `lax.erf_inv` on CPU: XLA's `ErfInv32`
 * (xla/hlo/builder/lib/math.cc), which is M. Giles, "Approximating the erfinv function", GPU
 * Computing Gems Jade Edition (2011), single-precision branch:
 * `w = -log1p(-x·x)`; if `w < 5`, evaluate the first degree-8 polynomial at `w − 2.5`, else the
 * second at `sqrt(w) − 3` (each Horner step `c + p·w` fused, as LLVM contracts it on CPU); return
 * `p·x`. At x = ±1 the result is ±inf (XLA's `x * MaxValue(F32)`; MaxValue is +inf for floats, and
 * XLA's own ErfInvEdgeCases test expects ±inf); |x| > 1 and NaN give NaN. Every operation is
 * rounded to float32 (`Math.fround`), and `log1p` is XLA's float32 log1p (`log1pF32`).
 */
export function erfInvF32(x: number): number {
  x = f32(x);
  if (Math.abs(x) === 1) return x * Infinity;
  let w = -log1pF32(-f32(x * x));
  const lt = w < 5;
  const c = lt ? ERFINV_W_LT_5 : ERFINV_W_GE_5;
  w = lt ? f32(w - 2.5) : f32(f32(Math.sqrt(w)) - 3);
  let p = c[0];
  for (let i = 1; i < c.length; i++) p = fmaF32(p, w, c[i]);
  return f32(p * x);
}

const ERF_ALPHA = [0.00022905065861350646, 0.0034082910107109506, 0.050955695062380861, 0.18520832239976145, 1.128379143519084].map(f32);
const ERF_BETA = [-1.1791602954361697e-7, 0.000023547966471313185, 0.0010179625278914885, 0.014070470171167667, 0.11098505178285362, 0.49746925110067538, 1].map(f32);
const ERF_CLAMP = f32(3.832506856900711);

/**
 * float32 error function, bit-exact with XLA's CPU `EmitErfF32` (xla/codegen/intrinsic/erf.cc,
 * Eigen's `generic_fast_erf_float` rational interpolant, accurate to a few ulp): odd numerator
 * and even denominator polynomials in `x²` evaluated with FMA, `p/q`, and `copysign(1, x)` once
 * `|x| >= 3.832506856900711` (where erf rounds to ±1 in float32).
 */
export function erfF32(x: number): number {
  x = f32(x);
  if (Math.abs(x) >= ERF_CLAMP) return x > 0 ? 1 : -1;
  const x2 = f32(x * x);
  let p = fmaF32(x2, ERF_ALPHA[0], ERF_ALPHA[1]);
  for (let i = 2; i < ERF_ALPHA.length; i++) p = fmaF32(x2, p, ERF_ALPHA[i]);
  p = f32(x * p);
  let q = fmaF32(x2, ERF_BETA[0], ERF_BETA[1]);
  for (let i = 2; i < ERF_BETA.length; i++) q = fmaF32(x2, q, ERF_BETA[i]);
  return f32(p / q);
}

// ------------------------------------------------------------------ float64 functions

const SQRT_PI = Math.sqrt(Math.PI);

/** erf by its Maclaurin series (used for |x| < 2, where the alternating terms stay below ~60). */
function erfSeries(x: number): number {
  const x2 = x * x;
  let term = x;
  let sum = x;
  for (let n = 1; n < 200; n++) {
    term *= -x2 / n;
    const t = term / (2 * n + 1);
    sum += t;
    if (Math.abs(t) < 1e-17 * Math.abs(sum)) break;
  }
  return (2 / SQRT_PI) * sum;
}

/** erfc(x) for x >= 2 by its continued fraction (modified Lentz): accurate in relative terms in the tail. */
function erfcContinuedFraction(x: number): number {
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let n = 1; n < 1000; n++) {
    const a = n / 2;
    d = x + a * d;
    c = x + a / c;
    if (Math.abs(d) < tiny) d = tiny;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / (SQRT_PI * f);
}

/** Complementary error function in float64. */
export function erfc64(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 0) return 2 - erfc64(-x);
  if (x < 2) return 1 - erfSeries(x);
  if (x > 27.5) return 0;
  return erfcContinuedFraction(x);
}

/** sin(πx), with the argument reduced exactly first (so integers give exactly 0). */
function sinPi(x: number): number {
  const r = x % 2; // exact
  if (r === 0 || Math.abs(r) === 1) return 0;
  return Math.sin(Math.PI * r);
}

const LANCZOS_G = 7;
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012,
  9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** log|Γ(x)| in float64 (Lanczos g=7, n=9; reflection below 1/2). +inf at 0, -1, -2, …. */
export function lgamma64(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (!Number.isFinite(x)) return Infinity;
  if (x <= 0 && Math.floor(x) === x) return Infinity;
  if (x < 0.5) return Math.log(Math.PI / Math.abs(sinPi(x))) - lgamma64(1 - x);
  const z = x - 1;
  let a = LANCZOS[0];
  for (let i = 1; i < LANCZOS.length; i++) a += LANCZOS[i] / (z + i);
  const t = z + LANCZOS_G + 0.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Bernoulli numbers B2, B4, …, B14. */
const BERNOULLI = [1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6];

/** ψ(x) = Γ'(x)/Γ(x) in float64: recurrence up to x >= 10, then the asymptotic series; reflection for x < 0. NaN at the poles (XLA's convention). */
export function digamma64(x: number): number {
  if (Number.isNaN(x) || x === -Infinity) return NaN;
  if (x === Infinity) return Infinity;
  if (x <= 0 && Math.floor(x) === x) return NaN;
  if (x < 0) {
    // ψ(1 - x) - ψ(x) = π·cot(πx)
    const r = x % 1; // exact; cot(πx) has period 1
    return digamma64(1 - x) - Math.PI / Math.tan(Math.PI * r);
  }
  let acc = 0;
  while (x < 10) {
    acc -= 1 / x;
    x += 1;
  }
  const inv2 = 1 / (x * x);
  let series = 0;
  let pow = inv2;
  for (let k = 0; k < BERNOULLI.length; k++) {
    series += BERNOULLI[k] / (2 * (k + 1)) * pow;
    pow *= inv2;
  }
  return acc + Math.log(x) - 0.5 / x - series;
}

/**
 * ψ^(m)(x), the m-th derivative of digamma, in float64: (-1)^(m+1)·m!·Σ_k 1/(x+k)^(m+1), the
 * first terms summed directly until x + k >= 15 + m and the tail by Euler–Maclaurin. At the poles
 * (x = 0, -1, …) odd orders give +inf (an even-order pole) and even orders NaN.
 */
export function polygamma64(m: number, x: number): number {
  if (m === 0) return digamma64(x);
  if (Number.isNaN(x)) return NaN;
  if (x <= 0 && Math.floor(x) === x) return m % 2 === 1 ? Infinity : NaN;
  if (x === Infinity) return 0;
  const s = m + 1;
  let sum = 0;
  while (x < 15 + m) {
    sum += Math.pow(x, -s);
    x += 1;
  }
  // Tail Σ_{k≥0} x_k^{-s} ≈ x^{-m}/m + x^{-s}/2 + Σ_j B_2j/(2j)! · s(s+1)…(s+2j-2) · x^{-(s+2j-1)}
  let tail = Math.pow(x, -m) / m + Math.pow(x, -s) / 2;
  let rising = s; // s(s+1)…(s+2j-2)
  let fact = 2; // (2j)!
  for (let j = 1; j <= BERNOULLI.length; j++) {
    tail += (BERNOULLI[j - 1] / fact) * rising * Math.pow(x, -(s + 2 * j - 1));
    rising *= (s + 2 * j - 1) * (s + 2 * j);
    fact *= (2 * j + 1) * (2 * j + 2);
  }
  let mFact = 1;
  for (let i = 2; i <= m; i++) mFact *= i;
  return (m % 2 === 1 ? 1 : -1) * mFact * (sum + tail);
}
