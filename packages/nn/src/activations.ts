/**
 * Activation functions with `jax.nn`'s definitions (formulas and defaults), traceable under every
 * transform. Each is a named, module-level function, so a layer storing one as a static field
 * compares equal across instances (the function's identity is part of `jit`'s cache key).
 */
import type { Array, ArrayLike } from "@linax-ts/core";
import * as o from "./ops.ts";

/** max(x, 0). The derivative at 0 is 0, as `jax.nn.relu`. */
export function relu(x: ArrayLike): Array {
  const a = o.asArray(x);
  return o.where(o.greater(a, 0), a, o.zeros(a.shape, a.dtype));
}

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/** GELU: exact `x Φ(x)` with `approximate: false`, else the tanh approximation (`jax.nn.gelu`'s default). */
export function gelu(x: ArrayLike, opts: { approximate?: boolean } = {}): Array {
  const a = o.toFloat(x);
  if (opts.approximate ?? true) {
    const inner = o.mul(SQRT_2_OVER_PI, o.add(a, o.mul(0.044715, o.mul(a, o.mul(a, a)))));
    return o.mul(a, o.mul(0.5, o.add(1, o.tanh(inner))));
  }
  return o.div(o.mul(a, o.add(o.erf(o.div(a, Math.SQRT2)), 1)), 2);
}

/** Exact GELU, `x Φ(x)` (`jax.nn.gelu(x, approximate=False)`). */
export function geluExact(x: ArrayLike): Array {
  return gelu(x, { approximate: false });
}

/** The logistic sigmoid 1 / (1 + e^{-x}). */
export function sigmoid(x: ArrayLike): Array {
  return o.sigmoid(x);
}

/** SiLU / swish: x · sigmoid(x). */
export function silu(x: ArrayLike): Array {
  const a = o.toFloat(x);
  return o.mul(a, o.sigmoid(a));
}
/** Alias of `silu`. */
export const swish = silu;

/** log(1 + e^x), computed stably as max(x, 0) + log1p(e^{-|x|}) (`jnp.logaddexp(x, 0)`). */
export function softplus(x: ArrayLike): Array {
  const a = o.toFloat(x);
  return o.add(o.maximum(a, 0), o.log1p(o.exp(o.neg(o.abs(a)))));
}

/** log(sigmoid(x)) = -softplus(-x). */
export function logSigmoid(x: ArrayLike): Array {
  return o.neg(softplus(o.neg(o.toFloat(x))));
}

/** Hyperbolic tangent. */
export function tanh(x: ArrayLike): Array {
  return o.tanh(x);
}

/** ELU: x for x > 0, alpha (e^x - 1) otherwise (default alpha 1). */
export function elu(x: ArrayLike, opts: { alpha?: number } = {}): Array {
  const a = o.toFloat(x);
  const pos = o.greater(a, 0);
  // expm1 of the clipped input, so the unused branch cannot overflow to inf (and NaN gradients).
  const safe = o.where(pos, o.zeros(a.shape, a.dtype), a);
  return o.where(pos, a, o.mul(opts.alpha ?? 1, o.expm1(safe)));
}

/** Leaky ReLU: x for x >= 0, negativeSlope · x otherwise (default slope 0.01). */
export function leakyRelu(x: ArrayLike, opts: { negativeSlope?: number } = {}): Array {
  const a = o.toFloat(x);
  return o.where(o.greaterEqual(a, 0), a, o.mul(opts.negativeSlope ?? 0.01, a));
}

/** Softmax along `axis` (default -1), shifted by the max for stability. */
export function softmax(x: ArrayLike, opts: { axis?: number | readonly number[] } = {}): Array {
  const a = o.toFloat(x);
  const axis = opts.axis ?? -1;
  const m = o.max(a, { axis, keepdims: true });
  const e = o.exp(o.sub(a, o.where(o.isFinite(m), m, 0)));
  return o.div(e, o.sum(e, { axis, keepdims: true }));
}

/** log(softmax(x)) along `axis` (default -1), computed as x - logsumexp(x). */
export function logSoftmax(x: ArrayLike, opts: { axis?: number | readonly number[] } = {}): Array {
  const a = o.toFloat(x);
  const axis = opts.axis ?? -1;
  return o.sub(a, o.logsumexp(a, { axis, keepdims: true }));
}

/** The identity, as a named function (for layers' `finalActivation` default). */
export function identity(x: Array): Array {
  return x;
}
