/**
 * Host implementations of special functions for the CPU kernels: pure functions of JS numbers,
 * no backend state.
 *
 * Two kinds live here:
 * - float32 functions that reproduce XLA's CPU algorithms bit for bit (`erfInvF32`, `erfF32`,
 *   `logF32`, `log1pF32`, `fmaF32`), because JAX's samplers use them and our PRNG must match
 *   JAX's output exactly. They have one home, core's `random/xla-f32-math.ts` (the PRNG host
 *   reference uses them too); this module re-exports them for the kernels.
 * - float64 functions (`erfc64`, `lgamma64`, `digamma64`, `polygamma64`) accurate to ~1e-14
 *   relative, which the kernels round once to float32.
 */

import { xlaF32 } from "@linax-ts/core";

export const { bitsToF32, f32ToBits, nextAfterF32, fmaF32, logF32, log1pF32, erfInvF32, erfF32 } = xlaF32;

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
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
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
    series += (BERNOULLI[k] / (2 * (k + 1))) * pow;
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
