/**
 * numpy comparisons, logical and bitwise ops, `where`, and the floating-point predicates
 * (isnan, isinf, isfinite, isclose, allclose). Comparisons give bool arrays.
 */
import type { Array, ArrayLike } from "../core/array.ts";
import * as lax from "../primitives/index.ts";
import { asArray } from "./convert.ts";
import { broadcastArgs, prepareBinary, promoteArgs } from "./promote.ts";
import { binary, k, requireDType } from "./ufunc-wrappers.ts";
import { isFloat, isInexact } from "../dtype.ts";
import { ValueError } from "../errors.ts";
import { checkOptions, isOptionsObject } from "./args.ts";
import { nonzero, type NonzeroOptions } from "./searching.ts";

// ------------------------------------------------------------------ comparisons

export const equal = binary("equal", lax.eq);
/** x != y, elementwise. */
export const notEqual = binary("notEqual", lax.ne);
/** x < y, elementwise. */
export const less = binary("less", lax.lt);
/** x <= y, elementwise. */
export const lessEqual = binary("lessEqual", lax.le);
/** x > y, elementwise. */
export const greater = binary("greater", lax.gt);
/** x >= y, elementwise. */
export const greaterEqual = binary("greaterEqual", lax.ge);

// ------------------------------------------------------------------ logical

/** numpy truthiness: bool as is, anything else `x != 0`. */
function truthy(a: Array): Array {
  return a.dtype === "bool" ? a : lax.ne(a, k(a, 0));
}
function logicalBinary(name: string, f: (x: Array, y: Array) => Array): (x: ArrayLike, y: ArrayLike) => Array {
  return (x: ArrayLike, y: ArrayLike): Array => {
    const [a, b] = broadcastArgs(name, [truthy(asArray(x)), truthy(asArray(y))]);
    return f(a, b);
  };
}
/** Truthiness of x and y. */
export const logicalAnd = logicalBinary("logicalAnd", lax.bitwiseAnd);
/** Truthiness of x or y. */
export const logicalOr = logicalBinary("logicalOr", lax.bitwiseOr);
/** Truthiness of x xor y. */
export const logicalXor = logicalBinary("logicalXor", lax.bitwiseXor);
/** Not the truthiness of x. */
export const logicalNot = (x: ArrayLike): Array => lax.bitwiseNot(truthy(asArray(x)));

// ------------------------------------------------------------------ bitwise (integers and bool)

const INTLIKE = ["int32", "uint32", "bool"] as const;
function bitwiseBinary(name: string, f: (x: Array, y: Array) => Array): (x: ArrayLike, y: ArrayLike) => Array {
  return (x: ArrayLike, y: ArrayLike): Array => {
    const [a, b] = prepareBinary(name, x, y);
    requireDType(name, a, INTLIKE);
    return f(a, b);
  };
}
/** Bitwise and (logical on bool). */
export const bitwiseAnd = bitwiseBinary("bitwiseAnd", lax.bitwiseAnd);
/** Bitwise or (logical on bool). */
export const bitwiseOr = bitwiseBinary("bitwiseOr", lax.bitwiseOr);
/** Bitwise xor (logical on bool). */
export const bitwiseXor = bitwiseBinary("bitwiseXor", lax.bitwiseXor);
/** Bitwise complement (logical not on bool). */
export function bitwiseNot(x: ArrayLike): Array {
  const a = asArray(x);
  requireDType("bitwiseNot", a, INTLIKE);
  return lax.bitwiseNot(a);
}
/** Alias of `bitwiseNot`. */
export const invert = bitwiseNot;
/** Alias of `bitwiseNot`. */
export const bitwiseInvert = bitwiseNot;

/** Shift operands: integers only (bool becomes int32, as numpy gives an integer type). */
function shiftArgs(name: string, x: ArrayLike, y: ArrayLike): Array[] {
  const [a, b] = prepareBinary(name, x, y).map((v) =>
    v.dtype === "bool" ? lax.convertElementType(v, "int32", v.aval.weakType) : v,
  );
  requireDType(name, a, ["int32", "uint32"]);
  return [a, b];
}
/** x << y; shifting by >= 32 (or a negative amount) gives 0 (XLA's definition). */
export function leftShift(x: ArrayLike, y: ArrayLike): Array {
  const [a, b] = shiftArgs("leftShift", x, y);
  return lax.shiftLeft(a, b);
}
/** x >> y: arithmetic for int32 (sign-filling), logical for uint32, like numpy. */
export function rightShift(x: ArrayLike, y: ArrayLike): Array {
  const [a, b] = shiftArgs("rightShift", x, y);
  return a.dtype === "int32" ? lax.shiftRightArithmetic(a, b) : lax.shiftRightLogical(a, b);
}
/** Alias of `leftShift`. */
export const bitwiseLeftShift = leftShift;
/** Alias of `rightShift`. */
export const bitwiseRightShift = rightShift;

// ------------------------------------------------------------------ where

/**
 * `where(cond, x, y)`: x where cond is true, else y, with cond/x/y broadcast together and x/y
 * promoted.
 *
 * `where(cond)` / `where(cond, { size, fillValue })` is numpy's (and JAX's) one-argument form,
 * `nonzero(cond)`: one int32 index array per axis. Its length depends on the data, so inside
 * `jit`/`vmap` pass `size` (the result is cut or padded to it, padded with `fillValue`, default 0).
 */
export function where(cond: ArrayLike, opts?: NonzeroOptions): Array[];
export function where(cond: ArrayLike, x: ArrayLike, y: ArrayLike): Array;
export function where(cond: ArrayLike, x?: ArrayLike | NonzeroOptions, y?: ArrayLike): Array | Array[] {
  if (y === undefined && (x === undefined || isOptionsObject(x))) {
    checkOptions("np.where", x, { size: "integer", fillValue: "any" });
    return nonzero(cond, (x as NonzeroOptions | undefined) ?? {});
  }
  if (isOptionsObject(x))
    throw new ValueError(
      "np.where: the options { size, fillValue } belong to the one-argument form where(cond, { size, fillValue })",
    );
  if (x === undefined || y === undefined)
    throw new ValueError("np.where: either both or neither of x and y must be given");
  const [a, b] = promoteArgs(x as ArrayLike, y);
  const [c, xa, ya] = broadcastArgs("where", [truthy(asArray(cond)), a, b]);
  return lax.select(c, xa, ya);
}

// ------------------------------------------------------------------ floating-point predicates

/** NaN test (false for integers). */
export function isnan(x: ArrayLike): Array {
  const a = asArray(x);
  if (a.dtype === "complex64") return lax.bitwiseOr(isnan(lax.real(a)), isnan(lax.imag(a)));
  return lax.ne(a, a);
}
/** ±inf test (false for integers). */
export function isinf(x: ArrayLike): Array {
  const a = asArray(x);
  if (a.dtype === "complex64") return lax.bitwiseOr(isinf(lax.real(a)), isinf(lax.imag(a)));
  if (!isFloat(a.dtype)) return lax.ne(a, a);
  return lax.eq(lax.abs(a), k(a, Infinity));
}
/** Neither NaN nor ±inf (true for integers). */
export function isfinite(x: ArrayLike): Array {
  const a = asArray(x);
  if (a.dtype === "complex64") return lax.bitwiseAnd(lax.isFinite(lax.real(a)), lax.isFinite(lax.imag(a)));
  if (!isFloat(a.dtype)) return lax.eq(a, a);
  return lax.isFinite(a);
}
/** x == +inf. */
export const isposinf = (x: ArrayLike): Array => {
  const a = asArray(x);
  requireDType("isposinf", a, ["float32", "float16", "bfloat16", "int32", "uint32", "bool"]);
  return isFloat(a.dtype) ? lax.eq(a, k(a, Infinity)) : lax.ne(a, a);
};
/** x == -inf. */
export const isneginf = (x: ArrayLike): Array => {
  const a = asArray(x);
  requireDType("isneginf", a, ["float32", "float16", "bfloat16", "int32", "uint32", "bool"]);
  return isFloat(a.dtype) ? lax.eq(a, k(a, -Infinity)) : lax.ne(a, a);
};

export interface IsCloseOptions {
  /** Relative tolerance (default 1e-5). */
  rtol?: number;
  /** Absolute tolerance (default 1e-8). */
  atol?: number;
  /** Whether NaN equals NaN (default false). */
  equalNan?: boolean;
}

/**
 * `|a - b| <= atol + rtol·|b|` elementwise (asymmetric in b, like numpy), with infinities equal
 * only to themselves and NaN unequal to everything unless `equalNan`. Integer inputs compare
 * exactly (JAX).
 */
export function isclose(a: ArrayLike, b: ArrayLike, opts: IsCloseOptions = {}): Array {
  const { rtol = 1e-5, atol = 1e-8, equalNan = false } = opts;
  const [x, y] = prepareBinary("isclose", a, b);
  if (!isInexact(x.dtype)) return lax.eq(x, y);
  const diff = lax.abs(lax.sub(x, y));
  const absY = lax.abs(y);
  let out = lax.le(diff, lax.add(k(absY, atol), lax.mul(k(absY, rtol), absY)));
  const xInf = isinf(x);
  const yInf = isinf(y);
  out = lax.bitwiseAnd(out, lax.bitwiseNot(lax.bitwiseOr(xInf, yInf)));
  out = lax.bitwiseOr(out, lax.bitwiseAnd(lax.bitwiseAnd(xInf, yInf), lax.eq(x, y)));
  const xNan = isnan(x);
  const yNan = isnan(y);
  out = lax.bitwiseAnd(out, lax.bitwiseNot(lax.bitwiseOr(xNan, yNan)));
  if (equalNan) out = lax.bitwiseOr(out, lax.bitwiseAnd(xNan, yNan));
  return out;
}

/**
 * Whether every element is close (see `isclose`). For concrete inputs this is a JS boolean; under
 * a transform it is a traced bool scalar.
 */
export function allclose(a: ArrayLike, b: ArrayLike, opts: IsCloseOptions = {}): boolean | Array {
  const close = isclose(a, b, opts);
  return allTrue(close);
}

/** Exact equality of shapes and values (numpy's array_equal); a JS boolean for concrete inputs. */
export function arrayEqual(a: ArrayLike, b: ArrayLike): boolean | Array {
  const x = asArray(a);
  const y = asArray(b);
  if (x.shape.length !== y.shape.length || x.shape.some((d, i) => d !== y.shape[i])) return false;
  return allTrue(equal(x, y));
}

/** Whether a bool array is all true: a JS boolean when concrete, a traced bool scalar otherwise. */
function allTrue(b: Array): boolean | Array {
  if (!b.isTracer) return (b.dataSync() as Uint8Array).every((v) => v === 1);
  return lax.reduceAnd(
    b,
    b.shape.map((_, i) => i),
  );
}
