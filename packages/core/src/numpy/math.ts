/** numpy-style elementwise math: broadcasting + promotion, then the lax primitive. */
import type { Array, ArrayLike } from "../core/array.ts";
import * as lax from "../primitives/index.ts";
import { asArray } from "./convert.ts";
import { prepareBinary, promoteArgs } from "./promote.ts";
import { isInexact } from "../dtype.ts";

/** Unary float function: integer inputs are promoted to float32 like numpy's ufuncs. */
function floatUnary(f: (x: Array) => Array) {
  return (x: ArrayLike): Array => {
    const a = asArray(x);
    return f(isInexact(a.dtype) ? a : lax.convertElementType(a, "float32", a.aval.weakType));
  };
}
/** Binary ufunc: promote + broadcast. */
function binary(name: string, f: (x: Array, y: Array) => Array) {
  return (x: ArrayLike, y: ArrayLike): Array => {
    const [a, b] = prepareBinary(name, x, y);
    return f(a, b);
  };
}

export const add = binary("add", lax.add);
export const subtract = binary("subtract", lax.sub);
export const multiply = binary("multiply", lax.mul);
/** True division: integer operands give float32 (numpy's `/`). */
export const divide = (x: ArrayLike, y: ArrayLike): Array => {
  const [a, b] = promoteArgs(x, y);
  const fa = isInexact(a.dtype) ? a : lax.convertElementType(a, "float32", a.aval.weakType);
  const fb = isInexact(b.dtype) ? b : lax.convertElementType(b, "float32", b.aval.weakType);
  const [c, d] = prepareBinary("divide", fa, fb);
  return lax.div(c, d);
};
export const negative = (x: ArrayLike): Array => lax.neg(asArray(x));
export const exp = floatUnary(lax.exp);
export const log = floatUnary(lax.log);
export const sin = floatUnary(lax.sin);
export const cos = floatUnary(lax.cos);
export const tanh = floatUnary(lax.tanh);
export const real = (x: ArrayLike): Array => {
  const a = asArray(x);
  return a.dtype === "complex64" ? lax.real(a) : a;
};
export const imag = (x: ArrayLike): Array => {
  const a = asArray(x);
  return a.dtype === "complex64" ? lax.imag(a) : lax.fullLike(a, 0);
};
export const conj = (x: ArrayLike): Array => {
  const a = asArray(x);
  return a.dtype === "complex64" ? lax.conj(a) : a;
};
