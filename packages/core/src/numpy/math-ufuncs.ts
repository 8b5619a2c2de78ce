/**
 * numpy's transcendental ufuncs and rounding. Integer and bool inputs become float32 (numpy's
 * ufunc type resolution, in JAX's x32 mode); complex64 works wherever numpy supports it.
 */
import type { Array, ArrayLike } from "../core/array.ts";
import * as lax from "../primitives/index.ts";
import { asArray } from "./convert.ts";
import { floatBinary, floatUnary, k, requireDType } from "./ufunc-wrappers.ts";
import { isHalf, isInteger } from "../dtype.ts";

// ------------------------------------------------------------------ exponentials and logarithms

export const exp = floatUnary(lax.exp);
/** 2^x. */
export const exp2 = floatUnary(lax.exp2);
/** exp(x) - 1, accurate near 0. */
export const expm1 = floatUnary(lax.expm1);
/** Natural logarithm (NaN below 0, -inf at 0). */
export const log = floatUnary(lax.log);
/** log(1 + x), accurate near 0. */
export const log1p = floatUnary(lax.log1p);
/** log base 2 (as log(x)/log(2), like JAX). */
export const log2 = floatUnary((a) => lax.div(lax.log(a), lax.log(k(a, 2))));
/** log base 10. */
export const log10 = floatUnary((a) => lax.div(lax.log(a), lax.log(k(a, 10))));
/** Square root (principal branch for complex). */
export const sqrt = floatUnary(lax.sqrt);
/** Real cube root. */
export const cbrt = floatUnary(lax.cbrt);

// ------------------------------------------------------------------ trigonometric and hyperbolic

export const sin = floatUnary(lax.sin);
/** Cosine. */
export const cos = floatUnary(lax.cos);
/** Tangent. */
export const tan = floatUnary(lax.tan);
/** Inverse sine. */
export const arcsin = floatUnary(lax.asin);
/** Inverse cosine. */
export const arccos = floatUnary(lax.acos);
/** Inverse tangent. */
export const arctan = floatUnary(lax.atan);
/** Hyperbolic sine. */
export const sinh = floatUnary(lax.sinh);
/** Hyperbolic cosine. */
export const cosh = floatUnary(lax.cosh);
/** Hyperbolic tangent. */
export const tanh = floatUnary(lax.tanh);
/** Inverse hyperbolic sine. */
export const arcsinh = floatUnary(lax.asinh);
/** Inverse hyperbolic cosine. */
export const arccosh = floatUnary(lax.acosh);
/** Inverse hyperbolic tangent. */
export const arctanh = floatUnary(lax.atanh);
/** arctan2(y, x): the angle of the point (x, y), in (-π, π]. */
export const arctan2 = floatBinary("arctan2", lax.atan2);
// numpy 2's array-API names.
export const asin = arcsin;
/** Alias of `arccos`. */
export const acos = arccos;
/** Alias of `arctan`. */
export const atan = arctan;
/** Alias of `arcsinh`. */
export const asinh = arcsinh;
/** Alias of `arccosh`. */
export const acosh = arccosh;
/** Alias of `arctanh`. */
export const atanh = arctanh;
/** Alias of `arctan2`. */
export const atan2 = arctan2;

/** Degrees to radians. */
export const deg2rad = floatUnary((a) => lax.mul(a, k(a, Math.PI / 180)));
/** Radians to degrees. */
export const rad2deg = floatUnary((a) => lax.mul(a, k(a, 180 / Math.PI)));
/** Alias of `deg2rad`. */
export const radians = deg2rad;
/** Alias of `rad2deg`. */
export const degrees = rad2deg;

/** sin(πx)/(πx), 1 at 0 (its first derivative there is 0, as it should be). */
export const sinc = floatUnary((a) => {
  const isZero = lax.eq(a, k(a, 0));
  const pix = lax.mul(lax.select(isZero, k(a, 1), a), k(a, Math.PI));
  return lax.select(isZero, k(a, 1), lax.div(lax.sin(pix), pix));
});

// ------------------------------------------------------------------ rounding

/** Integers and bool are returned unchanged (JAX); floats go through `f`. */
function roundingUnary(name: string, f: (x: Array) => Array): (x: ArrayLike) => Array {
  return (x: ArrayLike): Array => {
    const a = asArray(x);
    if (isInteger(a.dtype) || a.dtype === "bool") return a;
    requireDType(name, a, ["float32", "float16", "bfloat16"]);
    return f(a);
  };
}
/** Round toward -inf (integers unchanged). */
export const floor = roundingUnary("floor", lax.floor);
/** Round toward +inf (integers unchanged). */
export const ceil = roundingUnary("ceil", lax.ceil);
/** Round toward zero. */
export const trunc = roundingUnary("trunc", (a) => lax.select(lax.lt(a, k(a, 0)), lax.ceil(a), lax.floor(a)));
/** Alias of `trunc`. */
export const fix = trunc;
/** Round to the nearest integer, halves to even. */
export const rint = roundingUnary("rint", (a) => lax.round(a, "toNearestEven"));

/**
 * numpy's round: halves to even, to `decimals` places (negative decimals round to tens,
 * hundreds, …) by scaling, like JAX; complex rounds both parts; integers are unchanged.
 */
export function round(x: ArrayLike, decimals = 0): Array {
  const a = asArray(x);
  if (isInteger(a.dtype) || a.dtype === "bool") return a;
  const roundFloat = (v: Array): Array => {
    if (decimals === 0) return lax.round(v, "toNearestEven");
    const f = k(v, 10 ** decimals);
    return lax.div(lax.round(lax.mul(v, f), "toNearestEven"), f);
  };
  if (a.dtype === "complex64") return lax.complex(roundFloat(lax.real(a)), roundFloat(lax.imag(a)));
  return roundFloat(a);
}
/** Alias of `round`. */
export const around = round;

// ------------------------------------------------------------------ sign bits, nextafter, heaviside

/** Whether the sign bit is set (true for -0.0 and negative NaNs). */
export function signbit(x: ArrayLike): Array {
  const a = asArray(x);
  requireDType("signbit", a, ["float32", "float16", "bfloat16", "int32", "uint32", "bool"]);
  if (a.dtype === "int32") return lax.lt(a, k(a, 0));
  // A half's sign bit is its float32 value's (the conversion is exact, -0 and NaN signs included).
  if (isHalf(a.dtype)) return signbit(lax.convertElementType(a, "float32"));
  // Unsigned and bool values have no sign bit: all false (x != x is false for them).
  if (a.dtype !== "float32") return lax.ne(a, a);
  const bits = lax.bitcastConvertType(a, "uint32");
  return lax.ne(lax.shiftRightLogical(bits, k(bits, 31)), k(bits, 0));
}

/** |x| with the sign of y (sign bits included, so copysign(1, -0) = -1). */
export const copysign = floatBinary("copysign", (a, b) => {
  requireDType("copysign", a, ["float32", "float16", "bfloat16"]);
  const m = lax.abs(a);
  return lax.select(signbit(b), lax.neg(m), m);
});

/** The next float32 after x toward y. */
export const nextafter = floatBinary("nextafter", lax.nextafter);

/** Heaviside step: 0 for x < 0, 1 for x > 0, `h0` at 0. */
export const heaviside = floatBinary("heaviside", (a, h0) => {
  const zero = k(a, 0);
  return lax.select(lax.lt(a, zero), zero, lax.select(lax.gt(a, zero), k(a, 1), h0));
});
