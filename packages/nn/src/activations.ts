/**
 * Activation functions (and `oneHot`) with `jax.nn`'s definitions (formulas and defaults),
 * traceable under every transform. Each is a named, module-level function, so a layer storing one
 * as a static field compares equal across instances (the function's identity is part of `jit`'s
 * cache key).
 */
import { axisOptions, isInexact, lax, normAxis, np, type Array, type ArrayLike, type DType } from "@linax-ts/core";

/**
 * `x` as an array of an inexact dtype: integer and bool inputs become float32 (a weakly typed JS
 * number stays weak), as numpy's float ufuncs convert their inputs. Core's np applies this inside
 * every float ufunc but does not export it; nn needs it where a formula mixes float and
 * dtype-preserving ops (e.g. `x³` in gelu must not be computed in int32).
 */
export function asInexact(x: ArrayLike): Array {
  const a = np.asArray(x);
  return isInexact(a.dtype) ? a : lax.convertElementType(a, "float32", a.aval.weakType);
}

/** max(x, 0). The derivative at 0 is 0, as `jax.nn.relu`. */
export function relu(x: ArrayLike): Array {
  const a = np.asArray(x);
  return np.where(np.greater(a, 0), a, np.zerosLike(a));
}

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/** GELU: exact `x Φ(x)` with `approximate: false`, else the tanh approximation (`jax.nn.gelu`'s default). */
export function gelu(x: ArrayLike, opts: { approximate?: boolean } = {}): Array {
  const a = asInexact(x);
  if (opts.approximate ?? true) {
    const inner = np.multiply(SQRT_2_OVER_PI, np.add(a, np.multiply(0.044715, np.multiply(a, np.multiply(a, a)))));
    return np.multiply(a, np.multiply(0.5, np.add(1, np.tanh(inner))));
  }
  return np.divide(np.multiply(a, np.add(np.special.erf(np.divide(a, Math.SQRT2)), 1)), 2);
}

/** Exact GELU, `x Φ(x)` (`jax.nn.gelu(x, approximate=False)`). */
export function geluExact(x: ArrayLike): Array {
  return gelu(x, { approximate: false });
}

/** The logistic sigmoid 1 / (1 + e^{-x}). */
export function sigmoid(x: ArrayLike): Array {
  return np.special.expit(x);
}

/** SiLU / swish: x · sigmoid(x). */
export function silu(x: ArrayLike): Array {
  const a = asInexact(x);
  return np.multiply(a, np.special.expit(a));
}
/** Alias of `silu`. */
export const swish = silu;

/**
 * log(1 + e^x) as JAX defines it, `logaddexp(x, 0)`: stable for any x, and its gradient is
 * sigmoid(x) everywhere. (The equivalent max(x, 0) + log1p(e^{-|x|}) has gradient 0 at x = 0
 * instead of 1/2: the tie gradient of max and the subgradient of |x| there do not cancel.)
 */
export function softplus(x: ArrayLike): Array {
  return np.logaddexp(asInexact(x), 0);
}

/** log(sigmoid(x)) = -softplus(-x). */
export function logSigmoid(x: ArrayLike): Array {
  return np.negative(softplus(np.negative(asInexact(x))));
}

/** Hyperbolic tangent. */
export function tanh(x: ArrayLike): Array {
  return np.tanh(x);
}

/** ELU: x for x > 0, alpha (e^x - 1) otherwise (default alpha 1). */
export function elu(x: ArrayLike, opts: { alpha?: number } = {}): Array {
  const a = asInexact(x);
  const pos = np.greater(a, 0);
  // expm1 of the clipped input, so the unused branch cannot overflow to inf (and NaN gradients).
  const safe = np.where(pos, np.zerosLike(a), a);
  return np.where(pos, a, np.multiply(opts.alpha ?? 1, np.expm1(safe)));
}

/** Leaky ReLU: x for x >= 0, negativeSlope · x otherwise (default slope 0.01). */
export function leakyRelu(x: ArrayLike, opts: { negativeSlope?: number } = {}): Array {
  const a = asInexact(x);
  return np.where(np.greaterEqual(a, 0), a, np.multiply(opts.negativeSlope ?? 0.01, a));
}

/** `jax.nn.softmax`'s axis: positional (`softmax(x, 0)`) or `{ axis }`; default -1. */
type SoftmaxAxis = number | readonly number[] | { axis?: number | readonly number[] };

/** Softmax along `axis` (default -1; positional as in JAX, or `{ axis }`), shifted by the max for stability. */
export function softmax(x: ArrayLike, axisOrOpts?: SoftmaxAxis): Array {
  const a = asInexact(x);
  const axis =
    axisOptions<{ axis?: number | readonly number[] }>("softmax", axisOrOpts, undefined, { axis: "axes" }).axis ?? -1;
  const m = np.max(a, { axis, keepdims: true });
  const e = np.exp(np.subtract(a, np.where(np.isfinite(m), m, 0)));
  return np.divide(e, np.sum(e, { axis, keepdims: true }));
}

/** log(softmax(x)) along `axis` (default -1; positional or `{ axis }`), computed as x - logsumexp(x). */
export function logSoftmax(x: ArrayLike, axisOrOpts?: SoftmaxAxis): Array {
  const a = asInexact(x);
  const axis =
    axisOptions<{ axis?: number | readonly number[] }>("logSoftmax", axisOrOpts, undefined, { axis: "axes" }).axis ??
    -1;
  return np.subtract(a, np.logsumexp(a, { axis, keepdims: true }));
}

/** The identity, as a named function (for layers' `finalActivation` default). */
export function identity(x: Array): Array {
  return x;
}

/**
 * One-hot encoding, as `jax.nn.one_hot(x, num_classes, dtype=..., axis=...)`: a new axis of size
 * `numClasses` (at `axis`, default last) that is 1 at each element's class and 0 elsewhere;
 * labels outside `[0, numClasses)` give all zeros. `dtype` defaults to float32.
 */
export function oneHot(x: ArrayLike, numClasses: number, opts: { dtype?: DType; axis?: number } = {}): Array {
  const a = np.asArray(x);
  const axis = normAxis("oneHot", opts.axis ?? -1, a.ndim + 1);
  const classShape = [...a.shape.map(() => 1), 1];
  classShape[axis] = numClasses;
  // As JAX: the classes are an iota of the labels' dtype along the new axis (int32 for bool labels).
  const classes = lax.iota(a.dtype === "bool" ? "int32" : a.dtype, classShape, axis);
  return np.equal(np.expandDims(a, axis), classes).astype(opts.dtype ?? "float32");
}
