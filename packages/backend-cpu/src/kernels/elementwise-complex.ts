/**
 * Complex elementary functions in float64 for the complex64 kernels: pure functions of (re, im)
 * pairs. Branch cuts and signed zeros follow C99 Annex G / numpy; the inverse trigonometric and
 * hyperbolic functions use W. Kahan's formulas ("Branch Cuts for Complex Elementary Functions",
 * 1987), which stay accurate near the branch points where the textbook log/sqrt forms cancel.
 */
import type { C } from "./complex-pair.ts";

/** Whether x is negative, counting -0 (the sign bit). */
const signBit = (x: number): boolean => x < 0 || Object.is(x, -0);
const copySign = (mag: number, sgn: number): number => (signBit(sgn) ? -Math.abs(mag) : Math.abs(mag));

export const cmul = (a: number, b: number, c: number, d: number): C => [a * c - b * d, a * d + b * c];

/** Division by Smith's algorithm (no overflow for large |c|, |d|). */
export const cdiv = (a: number, b: number, c: number, d: number): C => {
  if (Math.abs(c) >= Math.abs(d)) {
    if (c === 0 && d === 0) return [a / 0, b / 0];
    const r = d / c;
    const den = c + d * r;
    return [(a + b * r) / den, (b - a * r) / den];
  }
  const r = c / d;
  const den = c * r + d;
  return [(a * r + b) / den, (b * r - a) / den];
};

export const cabs = (re: number, im: number): number => Math.hypot(re, im);

export const cexp = (re: number, im: number): C => {
  const e = Math.exp(re);
  // Keep exp(x + 0i) real (cos(0)·inf would be fine, sin(0)·inf is NaN).
  return im === 0 ? [e, im] : [e * Math.cos(im), e * Math.sin(im)];
};

export const clog = (re: number, im: number): C => [Math.log(Math.hypot(re, im)), Math.atan2(im, re)];

/** Principal square root; the sign of a zero imaginary part picks the side of the cut. */
export function csqrt(x: number, y: number): C {
  if (x === 0 && y === 0) return [0, y];
  if (Math.abs(y) === Infinity) return [Infinity, y];
  if (Number.isNaN(x) || Number.isNaN(y)) return [NaN, NaN];
  if (x === Infinity) return [Infinity, copySign(0, y)];
  if (x === -Infinity) return [0, copySign(Infinity, y)];
  const t = Math.sqrt((Math.abs(x) + Math.hypot(x, y)) / 2);
  if (x >= 0) return [t, y / (2 * t)];
  return [Math.abs(y) / (2 * t), copySign(t, y)];
}

export const crsqrt = (x: number, y: number): C => {
  const [a, b] = csqrt(x, y);
  return cdiv(1, 0, a, b);
};

export const csin = (x: number, y: number): C => [Math.sin(x) * Math.cosh(y), Math.cos(x) * Math.sinh(y)];
export const ccos = (x: number, y: number): C => [Math.cos(x) * Math.cosh(y), -Math.sin(x) * Math.sinh(y)];
export const csinh = (x: number, y: number): C =>
  y === 0 ? [Math.sinh(x), y] : [Math.sinh(x) * Math.cos(y), Math.cosh(x) * Math.sin(y)];
export const ccosh = (x: number, y: number): C =>
  y === 0 ? [Math.cosh(x), x === 0 ? y : Math.sinh(x) * y] : [Math.cosh(x) * Math.cos(y), Math.sinh(x) * Math.sin(y)];

/** tanh(x+iy) = (sinh 2x + i sin 2y) / (cosh 2x + cos 2y), saturating to ±1 for large |x|. */
export function ctanh(x: number, y: number): C {
  if (Math.abs(x) > 20) return [Math.sign(x), copySign(0, Math.sin(2 * y))];
  const den = Math.cosh(2 * x) + Math.cos(2 * y);
  return [Math.sinh(2 * x) / den, Math.sin(2 * y) / den];
}
/** tan(z) = -i·tanh(iz). */
export function ctan(x: number, y: number): C {
  const [a, b] = ctanh(-y, x);
  return [b, -a];
}

/** exp(z) - 1 with the real part as expm1(x)·cos(y) - 2·sin²(y/2), accurate near 0. */
export function cexpm1(x: number, y: number): C {
  if (y === 0) return [Math.expm1(x), y];
  const s = Math.sin(y / 2);
  return [Math.expm1(x) * Math.cos(y) - 2 * s * s, Math.exp(x) * Math.sin(y)];
}
/** log(1 + z) with log|1+z| = ½·log1p(2x + x² + y²), accurate near 0. */
export function clog1p(x: number, y: number): C {
  const re =
    Math.abs(x) < 0.5 && Math.abs(y) < 0.5 ? 0.5 * Math.log1p(x * (2 + x) + y * y) : Math.log(Math.hypot(1 + x, y));
  return [re, Math.atan2(y, 1 + x)];
}
export const cexp2 = (x: number, y: number): C => cexp(x * Math.LN2, y * Math.LN2);

/** Kahan: asin z = atan2(x, Re(√(1−z)·√(1+z))) + i·asinh(Im(conj(√(1−z))·√(1+z))). */
export function casin(x: number, y: number): C {
  const [ar, ai] = csqrt(1 - x, -y);
  const [br, bi] = csqrt(1 + x, y);
  return [Math.atan2(x, ar * br - ai * bi), Math.asinh(ar * bi - ai * br)];
}
/** Kahan: acos z = 2·atan2(Re √(1−z), Re √(1+z)) + i·asinh(Im(conj(√(1+z))·√(1−z))). */
export function cacos(x: number, y: number): C {
  const [ar, ai] = csqrt(1 - x, -y);
  const [br, bi] = csqrt(1 + x, y);
  return [2 * Math.atan2(ar, br), Math.asinh(br * ai - bi * ar)];
}
/** asinh z = -i·asin(iz). */
export function casinh(x: number, y: number): C {
  const [a, b] = casin(-y, x);
  return [b, -a];
}
/** Kahan: acosh z = asinh(Re(conj(√(z−1))·√(z+1))) + 2i·atan2(Im √(z−1), Re √(z+1)). */
export function cacosh(x: number, y: number): C {
  const [ar, ai] = csqrt(x - 1, y);
  const [br, bi] = csqrt(x + 1, y);
  return [Math.asinh(ar * br + ai * bi), 2 * Math.atan2(ai, br)];
}
/** atanh z = ½·(log1p(z) − log1p(−z)). */
export function catanh(x: number, y: number): C {
  const [a, b] = clog1p(x, y);
  const [c, d] = clog1p(-x, -y);
  return [(a - c) / 2, (b - d) / 2];
}
/** atan z = -i·atanh(iz). */
export function catan(x: number, y: number): C {
  const [a, b] = catanh(-y, x);
  return [b, -a];
}

export function clogistic(x: number, y: number): C {
  const [a, b] = cexp(-x, -y);
  return cdiv(1, 0, 1 + a, b);
}
/** z/|z|, and 0 at 0. */
export function csign(x: number, y: number): C {
  if (x === 0 && y === 0) return [0, 0];
  const h = Math.hypot(x, y);
  return [x / h, y / h];
}

/** z^w = exp(w·log z); 0^w is 1 for w = 0, 0 for real w > 0, NaN otherwise. Positive real bases stay real. */
export function cpow(a: number, b: number, c: number, d: number): C {
  if (c === 0 && d === 0) return [1, 0];
  if (a === 0 && b === 0) return d === 0 && c > 0 ? [0, 0] : [NaN, NaN];
  if (b === 0 && d === 0 && a > 0) return [Math.pow(a, c), 0];
  const [lr, li] = clog(a, b);
  const [mr, mi] = cmul(lr, li, c, d);
  return cexp(mr, mi);
}
