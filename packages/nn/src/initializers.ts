/**
 * Parameter initializers with `jax.nn.initializers`' definitions: an initializer is
 * `(key, shape, dtype) => Array`. Layers default to equinox's own schemes (e.g. `Linear`'s
 * uniform(±1/√fan_in)); these are for overriding them or for custom modules.
 *
 * Fan computation follows `variance_scaling`: `fan_in = shape[inAxis] · receptive field`,
 * `fan_out = shape[outAxis] · receptive field`. JAX's defaults (`inAxis -2`, `outAxis -1`) fit
 * Flax's `[in, out]` kernels; equinox/linax-ts weights are `[out, in]`, so pass
 * `{ inAxis: -1, outAxis: -2 }` for a `Linear` weight (the layers do this when given an initializer).
 */
import { ValueError, np, random, type Array, type DType } from "@linax-ts/core";
import type { PRNGKey } from "./random.ts";

/** `(key, shape, dtype) => Array`. */
export type Initializer = (key: PRNGKey, shape: readonly number[], dtype?: DType) => Array;

/** Always zeros. */
export const zeros: Initializer = (_key, shape, dtype = "float32") => np.zeros(shape, { dtype });
/** Always ones. */
export const ones: Initializer = (_key, shape, dtype = "float32") => np.ones(shape, { dtype });

/** A constant. */
export function constant(value: number): Initializer {
  return (_key, shape, dtype = "float32") => np.full(shape, value, { dtype });
}

/** Uniform on [0, scale) (`jax.nn.initializers.uniform`, default scale 0.01). */
export function uniform(scale = 1e-2): Initializer {
  return (key, shape, dtype = "float32") => random.uniform(key, shape, { minval: 0, maxval: scale, dtype });
}

/** Uniform on [minval, maxval) (equinox's layer default uses ±1/√fan_in). */
export function uniformRange(minval: number, maxval: number): Initializer {
  return (key, shape, dtype = "float32") => random.uniform(key, shape, { minval, maxval, dtype });
}

/** Normal with standard deviation `stddev` (default 0.01). */
export function normal(stddev = 1e-2): Initializer {
  return (key, shape, dtype = "float32") => np.multiply(random.normal(key, shape, { dtype }), stddev);
}

/** Normal truncated at ±2 standard deviations, scaled by `stddev` (default 0.01). */
export function truncatedNormal(stddev = 1e-2, opts: { lower?: number; upper?: number } = {}): Initializer {
  return (key, shape, dtype = "float32") =>
    np.multiply(random.truncatedNormal(key, opts.lower ?? -2, opts.upper ?? 2, shape, { dtype }), stddev);
}

export type FanMode = "fan_in" | "fan_out" | "fan_avg";
export type Distribution = "truncated_normal" | "normal" | "uniform";

export interface FanOptions {
  /** Axis of the input dimension (default -2, JAX's; use -1 for `[out, in]` weights). */
  inAxis?: number;
  /** Axis of the output dimension (default -1, JAX's; use -2 for `[out, in]` weights). */
  outAxis?: number;
}

/** `[fanIn, fanOut]` of a weight shape, as JAX's `_compute_fans`. */
export function computeFans(shape: readonly number[], opts: FanOptions = {}): [number, number] {
  if (shape.length === 0) return [1, 1];
  if (shape.length === 1) return [shape[0], shape[0]];
  const norm = (a: number) => (a < 0 ? a + shape.length : a);
  const ia = norm(opts.inAxis ?? -2);
  const oa = norm(opts.outAxis ?? -1);
  if (ia === oa || ia < 0 || oa < 0 || ia >= shape.length || oa >= shape.length)
    throw new ValueError(`computeFans: invalid inAxis/outAxis for shape [${shape.join(", ")}]`);
  const size = shape.reduce((a, b) => a * b, 1);
  const receptive = size / shape[ia] / shape[oa];
  return [shape[ia] * receptive, shape[oa] * receptive];
}

/**
 * `variance_scaling(scale, mode, distribution)`: samples with variance `scale / fan`, where fan is
 * fan_in, fan_out or their average. Truncated normals are rescaled by 1/0.8796… so that the
 * truncated distribution has the requested variance, as JAX does.
 */
export function varianceScaling(
  scale: number,
  mode: FanMode,
  distribution: Distribution,
  opts: FanOptions = {},
): Initializer {
  return (key, shape, dtype = "float32") => {
    const [fanIn, fanOut] = computeFans(shape, opts);
    const denom = mode === "fan_in" ? fanIn : mode === "fan_out" ? fanOut : (fanIn + fanOut) / 2;
    const variance = scale / Math.max(1, denom);
    switch (distribution) {
      case "truncated_normal": {
        const stddev = Math.sqrt(variance) / 0.8796256610342398;
        return np.multiply(random.truncatedNormal(key, -2, 2, shape, { dtype }), stddev);
      }
      case "normal":
        return np.multiply(random.normal(key, shape, { dtype }), Math.sqrt(variance));
      case "uniform":
        return random.uniform(key, shape, { minval: -Math.sqrt(3 * variance), maxval: Math.sqrt(3 * variance), dtype });
    }
  };
}

/** LeCun normal: truncated normal with variance 1/fan_in. */
export const lecunNormal = (opts: FanOptions = {}): Initializer =>
  varianceScaling(1, "fan_in", "truncated_normal", opts);
/** LeCun uniform: variance 1/fan_in. */
export const lecunUniform = (opts: FanOptions = {}): Initializer => varianceScaling(1, "fan_in", "uniform", opts);
/** Glorot (Xavier) uniform: variance 2/(fan_in + fan_out). */
export const glorotUniform = (opts: FanOptions = {}): Initializer => varianceScaling(1, "fan_avg", "uniform", opts);
/** Glorot (Xavier) normal: truncated normal with variance 2/(fan_in + fan_out). */
export const glorotNormal = (opts: FanOptions = {}): Initializer =>
  varianceScaling(1, "fan_avg", "truncated_normal", opts);
/** He (Kaiming) normal: truncated normal with variance 2/fan_in. */
export const heNormal = (opts: FanOptions = {}): Initializer => varianceScaling(2, "fan_in", "truncated_normal", opts);
/** He (Kaiming) uniform: variance 2/fan_in. */
export const heUniform = (opts: FanOptions = {}): Initializer => varianceScaling(2, "fan_in", "uniform", opts);
