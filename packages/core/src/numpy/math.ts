/**
 * numpy-style elementwise arithmetic: broadcasting + promotion (JS numbers are weakly typed, like
 * Python scalars in JAX), then the lax primitive. Transcendental functions and rounding are in
 * math-ufuncs.ts, comparisons/logical/bitwise ops and `where` in logic.ts.
 *
 * Integer division by zero: `floorDivide(x, 0)`, `remainder(x, 0)` and `fmod(x, 0)` give 0, as
 * numpy does (lax.div/lax.rem keep XLA's -1 and x).
 */
import type { Array, ArrayLike } from "../core/array.ts";
import * as lax from "../primitives/index.ts";
import { asArray } from "./convert.ts";
import { broadcastArgs, prepareBinary, promoteArgs } from "./promote.ts";
import { isFloat, isInteger } from "../dtype.ts";
import { ValueError } from "../errors.ts";
import { binary, boolToInt, floatBinary, floatUnary, k, requireDType, toInexact } from "./ufunc-wrappers.ts";

// ------------------------------------------------------------------ + - * /

/** x + y; on bool it is logical or (like numpy/JAX). */
export const add = binary("add", (a, b) => (a.dtype === "bool" ? lax.bitwiseOr(a, b) : lax.add(a, b)));
/** x - y (not defined for bool, like numpy). */
export const subtract = binary("subtract", lax.sub);
/** x * y; on bool it is logical and. */
export const multiply = binary("multiply", (a, b) => (a.dtype === "bool" ? lax.bitwiseAnd(a, b) : lax.mul(a, b)));
/** True division: integer operands give float32 (numpy's `/`). */
export const divide = floatBinary("divide", lax.div);
/** Alias of `divide`. */
export const trueDivide = divide;
/** -x. */
export const negative = (x: ArrayLike): Array => lax.neg(asArray(x));
/** +x (the input, as an array). */
export const positive = (x: ArrayLike): Array => asArray(x);

/**
 * Floor division (numpy's `//`): floor(x / y) for floats (CPython's float_divmod, like JAX);
 * for integers the quotient rounded toward -inf; integer division by zero gives 0 like numpy.
 */
export function floorDivide(x: ArrayLike, y: ArrayLike): Array {
  const [a, b] = prepareBinary("floorDivide", x, y).map(boolToInt);
  requireDType("floorDivide", a, ["float32", "float16", "bfloat16", "int32", "uint32"]);
  if (isFloat(a.dtype)) return floatDivmod(a, b)[0];
  const zero = k(b, 0);
  const isZero = lax.eq(b, zero);
  const safe = lax.select(isZero, k(b, 1), b);
  let q = lax.div(a, safe);
  if (a.dtype === "int32") {
    // Truncation rounds toward 0; step down when the signs differ and the division is inexact.
    const adjust = lax.bitwiseAnd(lax.ne(lax.sign(a), lax.sign(safe)), lax.ne(lax.rem(a, safe), k(a, 0)));
    q = lax.select(adjust, lax.sub(q, k(q, 1)), q);
  }
  return lax.select(isZero, zero, q);
}

/** CPython's float_divmod, as JAX's `_float_divmod`: floor quotient and a remainder with y's sign. */
function floatDivmod(x: Array, y: Array): [Array, Array] {
  let mod = lax.rem(x, y);
  let div = lax.div(lax.sub(x, mod), y);
  const ind = lax.bitwiseAnd(lax.ne(mod, k(mod, 0)), lax.ne(lax.sign(y), lax.sign(mod)));
  mod = lax.select(ind, lax.add(mod, y), mod);
  div = lax.select(ind, lax.sub(div, k(div, 1)), div);
  return [lax.round(div, "toNearestEven"), mod];
}

/**
 * numpy's remainder (`%`, `mod`): the result has the sign of the divisor (y), and
 * x = floorDivide(x, y)·y + remainder(x, y). Integer remainder by zero gives 0 (numpy).
 */
export function remainder(x: ArrayLike, y: ArrayLike): Array {
  let [a, b] = prepareBinary("remainder", x, y).map(boolToInt);
  requireDType("remainder", a, ["float32", "float16", "bfloat16", "int32", "uint32"]);
  const zero = k(a, 0);
  if (isInteger(b.dtype)) b = lax.select(lax.eq(b, k(b, 0)), k(b, 1), b);
  const truncMod = lax.rem(a, b);
  const doPlus = lax.bitwiseAnd(lax.ne(lax.lt(truncMod, zero), lax.lt(b, k(b, 0))), lax.ne(truncMod, zero));
  return lax.select(doPlus, lax.add(truncMod, b), truncMod);
}
/** Alias of `remainder`. */
export const mod = remainder;

/** C fmod (the result has the sign of x); integer fmod by zero gives 0 (numpy). */
export function fmod(x: ArrayLike, y: ArrayLike): Array {
  let [a, b] = prepareBinary("fmod", x, y).map(boolToInt);
  requireDType("fmod", a, ["float32", "float16", "bfloat16", "int32", "uint32"]);
  if (isInteger(b.dtype)) b = lax.select(lax.eq(b, k(b, 0)), k(b, 1), b);
  // rem(x, 1) = 0 where the divisor was zero.
  return lax.rem(a, b);
}

/** [floorDivide(x, y), remainder(x, y)]. */
export function divmod(x: ArrayLike, y: ArrayLike): [Array, Array] {
  return [floorDivide(x, y), remainder(x, y)];
}

// ------------------------------------------------------------------ powers

/** Integer power by binary exponentiation over all 32 bits of y (negative exponents give 0, as in JAX). */
function intPow(x: Array, y: Array): Array {
  const one = k(y, 1);
  let acc = lax.select(lax.lt(y, k(y, 0)), k(x, 0), k(x, 1));
  let base = x;
  let e = y;
  for (let bit = 0; bit < 32; bit++) {
    acc = lax.select(lax.ne(lax.bitwiseAnd(e, one), k(e, 0)), lax.mul(acc, base), acc);
    base = lax.mul(base, base);
    e = lax.shiftRightLogical(e, one);
  }
  return acc;
}

/**
 * x ** y. A JS integer exponent uses lax.integerPow (exact for integers; its derivative is exact
 * at x = 0), like JAX for Python ints; integer arrays use binary exponentiation; otherwise lax.pow.
 */
export function power(x: ArrayLike, y: ArrayLike): Array {
  if (typeof y === "number" && Number.isInteger(y)) {
    const a = boolToInt(asArray(x));
    if (y < 0 && isInteger(a.dtype))
      throw new ValueError(
        `np.power: integers to negative integer powers are not allowed (x has dtype ${a.dtype}, y = ${y})`,
      );
    return lax.integerPow(a, y);
  }
  const [a, b] = prepareBinary("power", x, y).map(boolToInt);
  if (isInteger(a.dtype)) return intPow(a, b);
  return lax.pow(a, b);
}
/** Alias of `power`. */
export const pow = power;

/** x·x (bool becomes int32). */
export const square = (x: ArrayLike): Array => lax.square(boolToInt(asArray(x)));
/** 1/x (integer inputs become float32, like JAX). */
export const reciprocal = floatUnary(lax.reciprocal);

// ------------------------------------------------------------------ abs, sign, max/min, clip

/** |x|: complex gives float32; bool and unsigned inputs are returned unchanged. */
export function abs(x: ArrayLike): Array {
  const a = asArray(x);
  if (a.dtype === "bool" || a.dtype === "uint32") return a;
  return lax.abs(a);
}
/** Alias of `abs`. */
export const absolute = abs;
/** |x| for real inputs (numpy's fabs): integers become float32. */
export const fabs = (x: ArrayLike): Array => {
  const a = asArray(x);
  requireDType("fabs", a, ["float32", "float16", "bfloat16", "int32", "uint32", "bool"]);
  return lax.abs(toInexact(a));
};
/** sign: -1, 0, 1 (NaN for NaN); x/|x| for complex. */
export const sign = (x: ArrayLike): Array => lax.sign(asArray(x));

/** Elementwise maximum, NaN-propagating; ties split the gradient half-half (JAX). */
export const maximum = binary("maximum", lax.max);
/** Elementwise minimum, NaN-propagating. */
export const minimum = binary("minimum", lax.min);

/**
 * Clip to [min, max] (either bound may be omitted/null), as JAX's `clip`:
 * `minimum(maximum(x, min), max)`, so a value equal to a bound splits its gradient half-half.
 */
export function clip(x: ArrayLike, min?: ArrayLike | null, max?: ArrayLike | null): Array {
  let a = asArray(x);
  if (min !== undefined && min !== null) a = maximum(min, a);
  if (max !== undefined && max !== null) a = minimum(max, a);
  return a;
}

// ------------------------------------------------------------------ complex parts

export const real = (x: ArrayLike): Array => {
  const a = asArray(x);
  return a.dtype === "complex64" ? lax.real(a) : a;
};
/** Imaginary part (zeros for real input). */
export const imag = (x: ArrayLike): Array => {
  const a = asArray(x);
  return a.dtype === "complex64" ? lax.imag(a) : lax.fullLike(a, 0);
};
/** Complex conjugate (real input is returned unchanged). */
export const conj = (x: ArrayLike): Array => {
  const a = asArray(x);
  return a.dtype === "complex64" ? lax.conj(a) : a;
};
/** Alias of `conj`. */
export const conjugate = conj;

/** The argument of a complex number (atan2(imag, real)); in degrees with `deg: true`. */
export function angle(z: ArrayLike, opts: { deg?: boolean } = {}): Array {
  const a = asArray(z);
  const re = toInexact(real(a));
  const im = a.dtype === "complex64" ? lax.imag(a) : lax.fullLike(re, 0);
  const r = lax.atan2(im, re);
  return opts.deg ? lax.mul(r, k(r, 180 / Math.PI)) : r;
}

/** sqrt(x² + y²) without overflow, as JAX: the larger magnitude times sqrt(1 + ratio²); inf wins over NaN. */
export function hypot(x: ArrayLike, y: ArrayLike): Array {
  let [a, b] = broadcastArgs("hypot", promoteArgs(x, y).map(toInexact));
  requireDType("hypot", a, ["float32", "float16", "bfloat16"]);
  a = lax.abs(a);
  b = lax.abs(b);
  const inf = k(a, Infinity);
  const anyInf = lax.bitwiseOr(lax.eq(a, inf), lax.eq(b, inf));
  const hi = lax.max(a, b);
  const lo = lax.min(a, b);
  const hiIsZero = lax.eq(hi, k(hi, 0));
  const ratio = lax.div(lo, lax.select(hiIsZero, k(hi, 1), hi));
  const r = lax.select(hiIsZero, hi, lax.mul(hi, lax.sqrt(lax.add(k(ratio, 1), lax.square(ratio)))));
  return lax.select(anyInf, inf, r);
}
