/**
 * Float64 host implementations of the special functions that `Math` lacks, for the float64
 * finite-difference references (accurate to ~1e-13 on the domains the specs draw from, far below
 * what a 1e-6 central difference can resolve).
 */

/** erf by its Maclaurin series (|x| ≤ 3: the largest term is ~170, so ~1e-14 absolute accuracy). */
export function erf(x: number): number {
  let term = x;
  let sum = x;
  for (let n = 1; n < 200; n++) {
    term *= (-x * x) / n;
    const add = term / (2 * n + 1);
    sum += add;
    if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}

/** erf⁻¹ on (-1, 1) by Newton's method on `erf` (quadratic convergence from y = x for |x| ≤ 0.95). */
export function erfInv(x: number): number {
  let y = x;
  for (let i = 0; i < 60; i++) {
    const step = (erf(y) - x) / ((2 / Math.sqrt(Math.PI)) * Math.exp(-y * y));
    y -= step;
    if (Math.abs(step) < 1e-16) break;
  }
  return y;
}

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** log Γ(x) for x > 0 (Lanczos, g = 7: ~1e-15 relative). */
export function lgamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lgamma(1 - x);
  const z = x - 1;
  let a = LANCZOS[0];
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i] / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** ψ(x) for x > 0: recurrence up to x ≥ 10, then the asymptotic series. */
export function digamma(x: number): number {
  let acc = 0;
  while (x < 10) {
    acc -= 1 / x;
    x += 1;
  }
  const r = 1 / (x * x);
  return acc + Math.log(x) - 0.5 / x - r * (1 / 12 - r * (1 / 120 - r * (1 / 252 - r * (1 / 240 - r / 132))));
}

/** lax.round's default: halves away from zero. */
export const roundAway = (x: number): number => Math.sign(x) * Math.floor(Math.abs(x) + 0.5);
