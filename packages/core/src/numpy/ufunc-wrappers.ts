/**
 * Helpers the np elementwise files share (not part of the np namespace): float promotion of
 * ufunc inputs, binary promote+broadcast wrappers, dtype checks naming the np function.
 */
import type { Array, ArrayLike } from "../core/array.ts";
import * as lax from "../primitives/index.ts";
import { asArray } from "./convert.ts";
import { broadcastArgs, prepareBinary, promoteArgs, releaseTemporaries } from "./promote.ts";
import { isInexact, type DType } from "../dtype.ts";
import { DTypeError } from "../errors.ts";

/** `x` as float32 when it is not already float/complex (numpy's ufuncs on integer input); keeps weak types. */
export function toInexact(a: Array): Array {
  return isInexact(a.dtype) ? a : lax.convertElementType(a, "float32", a.aval.weakType);
}
/** Unary float function: integer and bool inputs are promoted to float32 like numpy's ufuncs. */
export function floatUnary(f: (x: Array) => Array): (x: ArrayLike) => Array {
  return (x: ArrayLike): Array => {
    const a = toInexact(asArray(x));
    const out = f(a);
    if (a !== x) releaseTemporaries([a], [x], [out]);
    return out;
  };
}
/** Binary ufunc: promote + broadcast, then `f`. */
export function binary(name: string, f: (x: Array, y: Array) => Array): (x: ArrayLike, y: ArrayLike) => Array {
  return (x: ArrayLike, y: ArrayLike): Array => {
    const ab = prepareBinary(name, x, y);
    const out = f(ab[0], ab[1]);
    if (ab[0] !== x || ab[1] !== y) releaseTemporaries(ab, [x, y], [out]);
    return out;
  };
}
/** Binary float ufunc: promote, then to float32 if not inexact, then broadcast. */
export function floatBinary(name: string, f: (x: Array, y: Array) => Array): (x: ArrayLike, y: ArrayLike) => Array {
  return (x: ArrayLike, y: ArrayLike): Array => {
    const promoted = promoteArgs(x, y);
    const inexact = promoted.map(toInexact);
    const ab = broadcastArgs(name, inexact);
    releaseTemporaries(promoted, [x, y], ab);
    releaseTemporaries(inexact, [x, y], ab);
    const out = f(ab[0], ab[1]);
    releaseTemporaries(ab, [x, y], [out]);
    return out;
  };
}
/** Throw a DTypeError naming the np function unless `a` has one of `dtypes`. */
export function requireDType(op: string, a: Array, dtypes: readonly DType[], arg = "x"): void {
  if (!dtypes.includes(a.dtype))
    throw new DTypeError(`np.${op}: argument '${arg}' has dtype ${a.dtype}; expected one of ${dtypes.join(", ")}`);
}
/** bool operands of arithmetic become int32 (numpy gives a small int type; JAX int32 in x32 mode). */
export const boolToInt = (a: Array): Array =>
  a.dtype === "bool" ? lax.convertElementType(a, "int32", a.aval.weakType) : a;
/** The constant `v` with `like`'s shape and dtype. */
export const k = (like: Array, v: number): Array => lax.fullLike(like, v);
