/**
 * numpy floating-point ufuncs: logaddexp, logaddexp2, fmax, fmin, floatPower, ldexp, frexp and the
 * complex-part predicates iscomplex / isreal (iscomplexobj / isrealobj on the dtype). Integer
 * inputs become float32 like numpy's ufuncs (JAX's x32 mode).
 */
import type { Array, ArrayLike } from "../core/array.ts";
import { ShapedArray } from "../core/aval.ts";
import * as lax from "../primitives/index.ts";
import { isComplex, isFloat, isInteger } from "../dtype.ts";
import { DTypeError } from "../errors.ts";
import { asArray } from "./convert.ts";
import { broadcastArgs, promoteArgs } from "./promote.ts";
import { floatBinary, k, requireDType, toInexact } from "./ufunc-wrappers.ts";

/**
 * max(a, b), a − b and −|a − b|, all choosing the same branch (a where a >= b): the derivative of
 * max + f(−|a − b|) is then exact at ties (½ each) whatever convention max and abs use there.
 */
function maxAndGap(a: Array, b: Array): [Array, Array, Array] {
  const delta = lax.sub(a, b);
  const aWins = lax.ge(a, b);
  return [lax.select(aWins, a, b), delta, lax.select(aWins, lax.neg(delta), delta)];
}

/**
 * log(exp(x1) + exp(x2)) without overflow (JAX's formula: max + log1p(exp(−|x1 − x2|)); equal
 * infinities and NaNs go through x1 + x2).
 */
export const logaddexp = floatBinary("logaddexp", (a, b) => {
  requireDType("logaddexp", a, ["float32", "float16", "bfloat16"]);
  const [amax, delta, negAbs] = maxAndGap(a, b);
  const r = lax.add(amax, lax.log1p(lax.exp(negAbs)));
  return lax.select(lax.ne(delta, delta), lax.add(a, b), r);
});

/** log2(2^x1 + 2^x2) without overflow: max + log1p(2^−|x1 − x2|)/ln 2. */
export const logaddexp2 = floatBinary("logaddexp2", (a, b) => {
  requireDType("logaddexp2", a, ["float32", "float16", "bfloat16"]);
  const [amax, delta, negAbs] = maxAndGap(a, b);
  const r = lax.add(amax, lax.div(lax.log1p(lax.exp2(negAbs)), k(a, Math.LN2)));
  return lax.select(lax.ne(delta, delta), lax.add(a, b), r);
});

function nanIgnoring(name: string, greater: boolean): (x1: ArrayLike, x2: ArrayLike) => Array {
  return (x1: ArrayLike, x2: ArrayLike): Array => {
    const [a, b] = broadcastArgs(name, promoteArgs(x1, x2));
    if (isComplex(a.dtype)) throw new DTypeError(`np.${name}: complex64 is not supported`);
    const pick = greater ? lax.gt(a, b) : lax.lt(a, b);
    // x1 wins where it is strictly better or x2 is NaN (JAX's rule; ties go to x2).
    const useA = isFloat(a.dtype) ? lax.bitwiseOr(pick, lax.ne(b, b)) : pick;
    return lax.select(useA, a, b);
  };
}
/** Elementwise maximum ignoring NaNs (NaN only where both are NaN). */
export const fmax = nanIgnoring("fmax", true);
/** Elementwise minimum ignoring NaNs (NaN only where both are NaN). */
export const fmin = nanIgnoring("fmin", false);

/** x1 ** x2 computed in floating point (integers become float32; numpy's `float_power`). */
export const floatPower = floatBinary("floatPower", lax.pow);

/**
 * x1 · 2^x2 for integer x2 (numpy's `ldexp`). The power is applied in two halves so that results
 * near the ends of float32's range (subnormal x1 with a large exponent, and the reverse) are exact.
 */
export function ldexp(x1: ArrayLike, x2: ArrayLike): Array {
  const e0 = asArray(x2);
  if (!isInteger(e0.dtype))
    throw new DTypeError(`np.ldexp: the exponent x2 must have an integer dtype; got ${e0.dtype}`);
  let [m, e] = broadcastArgs("ldexp", [toInexact(asArray(x1)), lax.convertElementType(e0, "int32")]);
  if (m.dtype !== "float32") throw new DTypeError(`np.ldexp: x1 must be real; got dtype ${m.dtype}`);
  if (m.aval.weakType) m = lax.convertElementType(m, "float32", false);
  // Clamp: 2^±300 already saturates every float32.
  e = lax.clamp(lax.fullLike(e, -300), e, lax.fullLike(e, 300));
  const half = lax.shiftRightArithmetic(e, lax.fullLike(e, 1));
  const p = (v: Array): Array => lax.exp2(lax.convertElementType(v, "float32"));
  return lax.mul(lax.mul(m, p(half)), p(lax.sub(e, half)));
}

/**
 * Mantissa and exponent: x = m · 2^e with 0.5 <= |m| < 1 (numpy's `frexp`); m = x and e = 0 for
 * 0, ±inf and NaN. Read from the float32 bit pattern (subnormals are normalized first), as JAX.
 */
export function frexp(x: ArrayLike): [Array, Array] {
  const a0 = toInexact(asArray(x));
  if (a0.dtype !== "float32") throw new DTypeError(`np.frexp: x must be real; got dtype ${a0.dtype}`);
  const a = a0.aval.weakType ? lax.convertElementType(a0, "float32", false) : a0;
  const sub = lax.bitwiseAnd(lax.lt(lax.abs(a), k(a, 2 ** -126)), lax.ne(a, k(a, 0)));
  const xs = lax.select(sub, lax.mul(a, k(a, 2 ** 23)), a);
  const bits = lax.bitcastConvertType(xs, "uint32");
  const u = (v: number): Array => lax.fullLike(bits, v);
  const biased = lax.convertElementType(lax.bitwiseAnd(lax.shiftRightLogical(bits, u(23)), u(0xff)), "int32");
  const e0 = lax.select(sub, lax.fullLike(biased, -23), lax.fullLike(biased, 0));
  const e = lax.add(e0, lax.sub(biased, lax.fullLike(biased, 126)));
  const mbits = lax.bitwiseOr(lax.bitwiseAnd(bits, u(0x807fffff)), u(126 << 23));
  const m = lax.bitcastConvertType(mbits, "float32");
  const special = lax.bitwiseOr(lax.eq(a, k(a, 0)), lax.bitwiseNot(lax.isFinite(a)));
  return [lax.select(special, a, m), lax.select(special, lax.fullLike(e, 0), e)];
}

/** True where the imaginary part is non-zero (all false for real dtypes). */
export function iscomplex(x: ArrayLike): Array {
  const a = asArray(x);
  if (isComplex(a.dtype)) return lax.ne(lax.imag(a), k(lax.imag(a), 0));
  return lax.fullLike(new ShapedArray(a.shape, "bool"), 0);
}
/** True where the imaginary part is zero (all true for real dtypes). */
export function isreal(x: ArrayLike): Array {
  return lax.bitwiseNot(iscomplex(x));
}
/** Whether the dtype is complex (numpy's `iscomplexobj`). */
export function iscomplexobj(x: ArrayLike): boolean {
  return isComplex(asArray(x).dtype);
}
/** Whether the dtype is not complex (numpy's `isrealobj`). */
export function isrealobj(x: ArrayLike): boolean {
  return !iscomplexobj(x);
}
