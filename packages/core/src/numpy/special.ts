/**
 * `special`: scipy.special-style special functions (numpy itself has none), over the lax
 * primitives in primitives/elementwise-special.ts. Integer and bool inputs become float32.
 * Exposed as `np.special` (scipy's names, plus the lax camelCase names as aliases).
 */
import type { Array, ArrayLike } from "../core/array.ts";
import * as lax from "../primitives/index.ts";
import { asArray } from "./convert.ts";
import { floatUnary, toInexact } from "./ufunc-wrappers.ts";
import { ValueError } from "../errors.ts";

/** The error function (float32 kernel bit-exact with XLA's). */
export const erf = floatUnary(lax.erf);
/** 1 - erf(x), accurate in the tail. */
export const erfc = floatUnary(lax.erfc);
/** Inverse error function on (-1, 1) (float32 kernel bit-exact with XLA's ErfInv32). */
export const erfinv = floatUnary(lax.erfInv);
/** log|Γ(x)|. */
export const gammaln = floatUnary(lax.lgamma);
/** ψ(x) = d/dx log Γ(x). */
export const digamma = floatUnary(lax.digamma);
/** Alias of `digamma`. */
export const psi = digamma;
/** The logistic sigmoid 1/(1 + e^-x). */
export const expit = floatUnary(lax.logistic);
/** The inverse of expit: log(p / (1 - p)). */
export const logit = floatUnary((p) => lax.log(lax.div(p, lax.sub(lax.fullLike(p, 1), p))));
/** The standard normal CDF, ½·erfc(-x/√2). */
export const ndtr = floatUnary((x) =>
  lax.mul(lax.fullLike(x, 0.5), lax.erfc(lax.mul(x, lax.fullLike(x, -Math.SQRT1_2)))),
);
/** The inverse standard normal CDF, √2·erfinv(2p - 1). */
export const ndtri = floatUnary((p) =>
  lax.mul(lax.fullLike(p, Math.SQRT2), lax.erfInv(lax.sub(lax.mul(p, lax.fullLike(p, 2)), lax.fullLike(p, 1)))),
);

/** ψ^(n)(x), the n-th derivative of digamma; `n` is a non-negative JS integer (static). */
export function polygamma(n: number, x: ArrayLike): Array {
  if (!Number.isInteger(n) || n < 0)
    throw new ValueError(`special.polygamma: the order n must be a non-negative integer; got ${n}`);
  return lax.polygamma(n, toInexact(asArray(x)));
}

// The lax names, for users who think in lax terms.
export const erfInv = erfinv;
/** Alias of `gammaln`. */
export const lgamma = gammaln;
/** Alias of `expit`. */
export const logistic = expit;
