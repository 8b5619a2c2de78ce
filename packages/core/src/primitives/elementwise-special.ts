/**
 * Special functions: logistic, erf, erfc, erfInv, lgamma, digamma, polygamma — with JAX's JVPs
 * (see elementwise.ts for the family layout). numpy has none of these; the np layer exposes them
 * as `special.*` (scipy.special's names), and they are lax functions here.
 */
import type { Array } from "../core/array.ts";
import type { Primitive } from "../core/primitive.ts";
import { ValueError } from "../errors.ts";
import { FLOAT, REAL_FLOAT, defineUnary, exp, fullLike, mul, neg, square, sub } from "./elementwise.ts";

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

/** The logistic sigmoid 1 / (1 + exp(-x)). */
export const { prim: logisticP, fn: logistic } = defineUnary("logistic", {
  dtypes: FLOAT,
  jvp: (_x, dx, y) => mul(dx, mul(y, sub(fullLike(y, 1), y))),
});

/** The error function. Its float32 kernel follows XLA's (so `random.truncatedNormal` can match JAX bit for bit). */
export const { prim: erfP, fn: erf } = defineUnary("erf", {
  dtypes: REAL_FLOAT,
  jvp: (x, dx) => mul(dx, mul(fullLike(x, TWO_OVER_SQRT_PI), exp(neg(square(x))))),
});

/** 1 - erf(x), accurate for large x. */
export const { prim: erfcP, fn: erfc } = defineUnary("erfc", {
  dtypes: REAL_FLOAT,
  jvp: (x, dx) => mul(dx, mul(fullLike(x, -TWO_OVER_SQRT_PI), exp(neg(square(x))))),
});

/**
 * The inverse error function on (-1, 1) (±inf at ±1, NaN outside). Its float32 kernel is XLA's
 * `ErfInv32` (Giles' polynomial), bit-exact with JAX, because `random.normal` depends on it.
 */
export const { prim: erfInvP, fn: erfInv } = defineUnary("erfInv", {
  dtypes: REAL_FLOAT,
  jvp: (_x, dx, y) => mul(dx, mul(fullLike(y, Math.sqrt(Math.PI) / 2), exp(square(y)))),
});

/** log|Γ(x)| (+inf at the poles 0, -1, -2, …). */
export const { prim: lgammaP, fn: lgamma } = defineUnary("lgamma", {
  dtypes: REAL_FLOAT,
  jvp: (x, dx) => mul(dx, digamma(x)),
});

/** ψ(x) = Γ'(x)/Γ(x) (NaN at the poles 0, -1, -2, …, as XLA gives). */
export const { prim: digammaP, fn: digamma } = defineUnary("digamma", {
  dtypes: REAL_FLOAT,
  jvp: (x, dx) => mul(dx, polygamma(1, x)),
});

export interface PolygammaParams {
  /** The derivative order (a non-negative integer). */
  readonly m: number;
}

/**
 * ψ^(m)(x), the m-th derivative of digamma. Unlike JAX's `polygamma(m, x)`, the order `m` is a
 * static integer param (not an array operand), so the derivative with respect to m — which JAX
 * does not support either — can never be silently dropped.
 */
export const polygammaP: Primitive<PolygammaParams> = defineUnary<PolygammaParams>("polygamma", {
  dtypes: REAL_FLOAT,
  check(_x, { m }) {
    if (!Number.isInteger(m) || m < 0)
      throw new ValueError(`polygamma: the order m must be a non-negative integer; got ${m}`);
  },
  jvp: (x, dx, _y, { m }) => mul(dx, polygamma(m + 1, x)),
}).prim;

/** lax.polygamma(m, x) with a static integer order m ≥ 0 (m = 0 is digamma). */
export function polygamma(m: number, x: Array): Array {
  return polygammaP.bind1([x], { m });
}
