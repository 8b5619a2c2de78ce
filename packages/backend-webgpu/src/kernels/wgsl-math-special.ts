/**
 * float32 special functions in WGSL: erfc, lgamma, digamma, polygamma, logistic. The CPU backend
 * evaluates these in float64 and rounds once; here each is a float32 algorithm chosen to avoid the
 * cancellations of the CPU's float64 formulas (which float32 cannot afford):
 * - lgamma: a power series of lgamma(2 + ε) on [0.5, 2.5) (accurate at the zeros x = 1, 2),
 *   downward recurrence on [2.5, 8), Stirling beyond, reflection below 0.
 * - digamma: a Taylor series around its positive root x0 = 1.4616… on [1, 2], recurrences to
 *   there, the asymptotic series from 10, reflection below 0.
 * - polygamma (m >= 1): the CPU's own algorithm (direct sum, then Euler–Maclaurin), all positive
 *   terms for x > 0.
 * - erfc: 1 - erf near 0, else the Chebyshev fit of Numerical Recipes (fractional error < 1.2e-7)
 *   with exp(-x²) taken in two parts (x² = hi + lo exactly).
 * The series coefficients are computed here in float64 at load time and baked in as float32.
 *
 * Needs WGSL_F32_BITS, WGSL_XLA_MATH and WGSL_MATH_REAL before it.
 */
import { f32 } from "../program.ts";

const F = (v: number): string => f32(Math.fround(v));
const EULER_GAMMA = 0.5772156649015329;

/** Hurwitz zeta ζ(s, a) = Σ_{n>=0} (a+n)^-s in float64 (direct sum, then Euler–Maclaurin). */
function hurwitz(s: number, a: number): number {
  const N = 40;
  let sum = 0;
  for (let n = 0; n < N; n++) sum += Math.pow(a + n, -s);
  const x = a + N;
  // Tail from x: x^(1-s)/(s-1) + x^-s/2 + s·x^(-s-1)/12 - s(s+1)(s+2)·x^(-s-3)/720.
  return (
    sum +
    Math.pow(x, 1 - s) / (s - 1) +
    Math.pow(x, -s) / 2 +
    (s * Math.pow(x, -s - 1)) / 12 -
    (s * (s + 1) * (s + 2) * Math.pow(x, -s - 3)) / 720
  );
}

/** lgamma(2 + ε) = (1-γ)ε + Σ_{k>=2} (-1)^k (ζ(k)-1) ε^k / k: coefficients of ε^1..ε^K. */
const LGAMMA2 = [
  1 - EULER_GAMMA,
  ...Array.from({ length: 27 }, (_, j) => ((j % 2 === 0 ? 1 : -1) * hurwitz(j + 2, 2)) / (j + 2)),
].map(F);

/** digamma's positive root, in two float32 parts. */
const X0 = 1.4616321449683623;
const X0_HI = Math.fround(X0);
const X0_LO = X0 - X0_HI;
/** ψ(x0 + d) = Σ_{k>=1} (-1)^(k+1) ζ(k+1, x0) d^k (ψ(x0) = 0). */
const DIGAMMA_X0 = Array.from({ length: 24 }, (_, j) => ((j % 2 === 0 ? 1 : -1) * hurwitz(j + 2, X0)) as number).map(F);

/** B_2k / (2k) for the digamma asymptotic series (k = 1..7). */
const BERNOULLI = [1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6];
const DIGAMMA_ASYM = BERNOULLI.map((b, k) => F(b / (2 * (k + 1))));

const hornerDesc = (acc: string, v: string, c: readonly string[]): string =>
  [
    `  var ${acc} = ${c[c.length - 1]};`,
    ...c
      .slice(0, -1)
      .reverse()
      .map((ci) => `  ${acc} = fma(${acc}, ${v}, ${ci});`),
  ].join("\n");

const NR_ERFC = [
  -1.26551223, 1.00002368, 0.37409196, 0.09678418, -0.18628806, 0.27886807, -1.13520398, 1.48851587, -0.82215223,
  0.17087277,
].map(F);

export const WGSL_MATH_SPECIAL = /* wgsl */ `
/** lgamma(2 + e) for |e| <= 1 (series; the exact zero at e = 0 is kept). */
fn lgamma2(e: f32) -> f32 {
${hornerDesc("p", "e", LGAMMA2)}
  return p * e;
}
/** log(π·a) split so that a ∈ [0, 1/2] yields sin(π·a) to about an ulp. */
fn sinPiHalf(a: f32) -> f32 {
  let hi = a * ${F(Math.PI)};
  let lo = twoProd(a, ${F(Math.PI)}).y + a * ${F(Math.PI - Math.fround(Math.PI))};
  return fma(lo, cosF32(hi), sinF32(hi));
}
/** lgamma for x > 0. */
fn lgammaPos(x: f32) -> f32 {
  if (x < 1.5f) { return lgamma2(x - 1.0f) - fastLog(x); }
  if (x < 2.5f) { return lgamma2(x - 2.0f); }
  if (x < 8.0f) {
    var z = x;
    var p = 1.0f;
    loop {
      if (z < 2.5f) { break; }
      z = z - 1.0f;
      p = p * z;
    }
    return lgamma2(z - 2.0f) + fastLog(p);
  }
  let r = divE(1.0f, x);
  let r2 = r * r;
  let series = r * fma(r2, fma(r2, ${F(1 / 1260)}, ${F(-1 / 360)}), ${F(1 / 12)});
  return fma(x - 0.5f, fastLog(x) - 1.0f, ${F(0.5 * Math.log(2 * Math.PI) - 0.5)}) + series;
}
/** log|Γ(x)|: +inf at 0, -1, -2, … and at ±inf. */
fn lgammaF32(x: f32) -> f32 {
  if (isNanF(x)) { return x; }
  if (isInfF(x)) { return infF(); }
  if (x > 0.0f) { return lgammaPos(x); }
  let r = x - trunc(x);
  if (isZeroF(r)) { return infF(); }
  // Γ(x)Γ(1-x) = π/sin(πx) and Γ(1-x) = -x·Γ(-x): lgamma(x) = log(π / |x·sin(πx)|) - lgamma(-x).
  let a = abs(r);
  let s = sinPiHalf(min(a, 1.0f - a));
  // Two logs, not log(|x|·s): the product underflows for tiny |x|.
  return ${F(Math.log(Math.PI))} - (fastLog(abs(x)) + fastLog(s)) - lgammaPos(-x);
}

/** ψ on [1, 2]: Taylor series around the root x0 (d = x - x0 in two parts). */
fn digammaRoot(x: f32) -> f32 {
  let d = (x - ${F(X0_HI)}) - ${F(X0_LO)};
${hornerDesc("p", "d", DIGAMMA_X0)}
  return p * d;
}
fn digammaPos(x0: f32) -> f32 {
  var x = x0;
  var acc = 0.0f;
  if (x < 1.0f) {
    acc = -divE(1.0f, x);
    x = x + 1.0f;
  }
  if (x <= 2.0f) { return acc + digammaRoot(x); }
  if (x < 10.0f) {
    loop {
      if (x <= 2.0f) { break; }
      x = x - 1.0f;
      acc = acc + divE(1.0f, x);
    }
    return digammaRoot(x) + acc;
  }
  let z = divE(1.0f, x * x);
${hornerDesc("s", "z", DIGAMMA_ASYM)}
  return fastLog(x) - divE(0.5f, x) - s * z;
}
/** ψ(x) (NaN at the poles 0, -1, … and at -inf, as XLA). */
fn digammaF32(x: f32) -> f32 {
  if (isNanF(x)) { return x; }
  if (isInfF(x)) { return select(nanF(), x, x > 0.0f); }
  if (x > 0.0f) { return digammaPos(x); }
  var r = x - trunc(x);
  if (isZeroF(r)) { return nanF(); }
  // ψ(x) = ψ(-x) - 1/x - π·cot(πx); cot has period 1, so r = x mod 1 moved into [-1/2, 1/2].
  if (r < -0.5f) { r = r + 1.0f; }
  let hi = r * ${F(Math.PI)};
  let lo = twoProd(r, ${F(Math.PI)}).y + r * ${F(Math.PI - Math.fround(Math.PI))};
  var t = tanF32(hi);
  t = fma(lo, fma(t, t, 1.0f), t);
  return digammaPos(-x) - divE(1.0f, x) - divE(${F(Math.PI)}, t);
}

/** erfc: 1 - erf(x) for |x| < 1/2, else Numerical Recipes' erfcc with exp(-x²) in two parts. */
fn erfcF32(x: f32) -> f32 {
  if (isNanF(x)) { return x; }
  if (abs(x) < 0.5f) { return 1.0f - xlaErf(x); }
  let z = abs(x);
  var r: f32;
  if (z > 10.1f) {
    r = 0.0f;
  } else {
    let t = divE(1.0f, fma(0.5f, z, 1.0f));
${hornerDesc("p", "t", NR_ERFC)}
    let hi = z * z;
    let lo = twoProd(z, z).y;
    r = t * (expF32(-hi) * expF32(p - lo));
  }
  return select(r, 2.0f - r, x < 0.0f);
}

/** 1/(1 + e^-x), in the form that cannot overflow for either sign of x. */
fn logisticF32(x: f32) -> f32 {
  if (x >= 0.0f) { return divE(1.0f, 1.0f + expF32(-x)); }
  let e = expF32(x);
  return divE(e, 1.0f + e);
}
`;

/**
 * ψ^(m)(x) for a static order m >= 1, as the CPU computes it: (-1)^(m+1)·m!·Σ_k (x+k)^-(m+1),
 * terms summed directly until x + k >= 15 + m, the tail by Euler–Maclaurin. A WGSL function
 * `polygammaF32(x)` specialised to `m` (so its constants are exact).
 */
export function wgslPolygamma(m: number): string {
  const s = m + 1;
  let fact = 1;
  for (let i = 2; i <= m; i++) fact *= i;
  const sign = m % 2 === 1 ? 1 : -1;
  // Tail terms: B_2j/(2j)! · s(s+1)…(s+2j-2), multiplying x^-(s+2j-1).
  const tail: string[] = [];
  let rising = s;
  let f2 = 2;
  for (let j = 1; j <= BERNOULLI.length; j++) {
    tail.push(`  t = t + ${F((BERNOULLI[j - 1] / f2) * rising)} * ipowF32(x, ${-(s + 2 * j - 1)}i);`);
    rising *= (s + 2 * j - 1) * (s + 2 * j);
    f2 *= (2 * j + 1) * (2 * j + 2);
  }
  return /* wgsl */ `
fn polygammaF32(x0: f32) -> f32 {
  if (isNanF(x0)) { return x0; }
  if (x0 <= 0.0f && trunc(x0) == x0) { return ${m % 2 === 1 ? "infF()" : "nanF()"}; }
  if (isInfF(x0)) { return 0.0f; }
  var x = x0;
  var sum = 0.0f;
  loop {
    if (x >= ${F(15 + m)}) { break; }
    sum = sum + ipowF32(x, ${-s}i);
    x = x + 1.0f;
  }
  var t = divE(ipowF32(x, ${-m}i), ${F(m)}) + 0.5f * ipowF32(x, ${-s}i);
${tail.join("\n")}
  return ${F(sign * fact)} * (sum + t);
}
`;
}
