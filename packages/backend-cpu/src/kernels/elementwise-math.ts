/**
 * Kernels of the transcendental elementwise ops, abs/sign, rounding, pow, rem, atan2, nextafter
 * (primitives in core's primitives/elementwise-math.ts). Real functions are JS's float64 Math
 * functions rounded once to float32 on store; complex ones are in elementwise-complex.ts.
 */
import { binaryKernel, unaryKernel } from "./elementwise.ts";
import {
  cabs,
  cacos,
  cacosh,
  casin,
  casinh,
  catan,
  catanh,
  ccosh,
  cexp2,
  cexpm1,
  clog1p,
  cpow,
  crsqrt,
  csign,
  csinh,
  csqrt,
  ctan,
} from "./elementwise-complex.ts";
import { log1pF32, nextAfterF32 } from "./special.ts";

unaryKernel("exp2", (x) => Math.pow(2, x), cexp2);
// float32 log1p is XLA:CPU's own approximation (special.ts `log1pF32`), so that
// random.exponential (and any log1p) matches JAX on CPU bit for bit.
unaryKernel("log1p", (x) => log1pF32(x), clog1p);
unaryKernel("expm1", Math.expm1, cexpm1);
unaryKernel("tan", Math.tan, ctan);
unaryKernel("asin", Math.asin, casin);
unaryKernel("acos", Math.acos, cacos);
unaryKernel("atan", Math.atan, catan);
unaryKernel("sinh", Math.sinh, csinh);
unaryKernel("cosh", Math.cosh, ccosh);
unaryKernel("asinh", Math.asinh, casinh);
unaryKernel("acosh", Math.acosh, cacosh);
unaryKernel("atanh", Math.atanh, catanh);
unaryKernel("sqrt", Math.sqrt, csqrt);
// 1/sqrt(x): rsqrt(+0) = +inf, rsqrt(-0) = -inf, like XLA.
unaryKernel("rsqrt", (x) => 1 / Math.sqrt(x), crsqrt);
unaryKernel("cbrt", Math.cbrt);

// abs of INT32_MIN is 2^31, which wraps back to INT32_MIN on store (two's complement, like XLA).
unaryKernel("abs", Math.abs, (re, im) => [cabs(re, im), 0]);
unaryKernel("sign", (x, dt) => (dt === "uint32" ? (x > 0 ? 1 : 0) : Math.sign(x)), csign);

unaryKernel("floor", Math.floor);
unaryKernel("ceil", Math.ceil);

/** Round half away from zero (lax.round's default); -0.3 → -0, ±inf/NaN unchanged. */
function roundAwayFromZero(x: number): number {
  // x ± 0.5 is exact in float64 for any float32 x, so truncation rounds exactly once.
  return Math.trunc(x + (x < 0 ? -0.5 : 0.5)) || (x < 0 || Object.is(x, -0) ? -0 : 0);
}
/** Round half to even (numpy's round); keeps the sign of zero. */
function roundHalfEven(x: number): number {
  if (!Number.isFinite(x)) return x;
  const f = Math.floor(x);
  const d = x - f;
  const r = d < 0.5 ? f : d > 0.5 ? f + 1 : f % 2 === 0 ? f : f + 1;
  return r === 0 && (x < 0 || Object.is(x, -0)) ? -0 : r;
}
unaryKernel("round", (x, _dt, p) =>
  p.roundingMethod === "toNearestEven" ? roundHalfEven(x) : Number.isFinite(x) ? roundAwayFromZero(x) : x,
);

/**
 * Real pow with C99's special cases where JS's Math.pow differs: pow(1, y) = 1 and
 * pow(-1, ±inf) = 1 (JS gives NaN for both).
 */
function powReal(x: number, y: number): number {
  if (x === 1) return 1;
  if (x === -1 && (y === Infinity || y === -Infinity)) return 1;
  return Math.pow(x, y);
}
binaryKernel("pow", powReal, cpow);

/**
 * rem: C fmod for floats (JS `%` is exactly fmod: sign of x, NaN for y = 0, x for y = ±inf);
 * truncated remainder for integers with XLA's x % 0 = x (INT32_MIN % -1 = 0 falls out).
 */
binaryKernel(
  "rem",
  (x, y) => x % y,
  undefined,
  (x, y) => (y === 0 ? x : x % y),
);

binaryKernel("atan2", Math.atan2);
binaryKernel("nextafter", nextAfterF32);
