/** `LayerNorm`, `RMSNorm`, `GroupNorm`, as in `equinox/nn/_normalisation.py`. */
import { type Array, ShapeError, ValueError, lax, np } from "@linax-ts/core";
import { Module } from "../module.ts";
import { CALL_OPTION_KEYS, callOptions } from "../call-options.ts";
import type { CallOptions, FloatDType } from "./base.ts";
import { checkFloatDType, checkKeys, checkOptionalBoolean, checkOptionalNumber, checkSize } from "../validate.ts";

const asShape = (s: number | readonly number[] | null): number[] | null =>
  s === null ? null : typeof s === "number" ? [s] : [...s];

/** The trailing axes of `x` that `shape` covers (all of x when shape is null). */
function normAxes(op: string, x: Array, shape: readonly number[] | null): number[] {
  if (shape === null) return x.shape.map((_, i) => i);
  const k = shape.length;
  if (x.ndim < k || shape.some((d, i) => x.shape[x.ndim - k + i] !== d)) {
    throw new ShapeError(
      `${op}: expected an input of shape [${shape.join(", ")}] (or [..., ${shape.join(", ")}]); got [${x.shape.join(", ")}]`,
    );
  }
  return shape.map((_, i) => x.ndim - k + i);
}

export interface NormOptions {
  /** Added to the variance for stability (default 1e-5). */
  eps?: number;
  /** Learnable elementwise scale (default true). */
  useWeight?: boolean;
  /** Learnable elementwise offset (default true). */
  useBias?: boolean;
  dtype?: FloatDType;
}

/**
 * The shared fields of `LayerNorm` and `RMSNorm`: the normalized `shape` and an optional
 * elementwise weight and bias of that shape.
 */
abstract class ShapedNorm extends Module {
  readonly shape: number[] | null;
  readonly eps: number;
  readonly useWeight: boolean;
  readonly useBias: boolean;
  readonly weight: Array | null;
  readonly bias: Array | null;

  constructor(op: string, shape: number | readonly number[] | null, opts: NormOptions) {
    super();
    checkKeys(op, opts, ["eps", "useWeight", "useBias", "dtype"]);
    checkOptionalNumber(op, "eps", opts.eps, { min: 0 });
    checkOptionalBoolean(op, "useWeight", opts.useWeight);
    checkOptionalBoolean(op, "useBias", opts.useBias);
    checkFloatDType(op, opts.dtype);
    if (shape !== null)
      (typeof shape === "number" ? [shape] : [...shape]).forEach((d, i) => checkSize(op, `shape[${i}]`, d));
    this.shape = asShape(shape);
    this.eps = opts.eps ?? 1e-5;
    this.useWeight = opts.useWeight ?? true;
    this.useBias = opts.useBias ?? true;
    if ((this.useWeight || this.useBias) && this.shape === null)
      throw new ValueError(`${op}: \`shape\` is required with a learnable weight or bias`);
    const dt = opts.dtype ?? "float32";
    this.weight = this.useWeight ? np.ones(this.shape as number[], { dtype: dt }) : null;
    this.bias = this.useBias ? np.zeros(this.shape as number[], { dtype: dt }) : null;
  }

  /** `out · weight + bias`, each where present. */
  protected affine(out: Array): Array {
    if (this.weight !== null) out = np.multiply(this.weight, out);
    if (this.bias !== null) out = np.add(out, this.bias);
    return out;
  }
}

/**
 * `(x - mean) / sqrt(var + eps) · weight + bias` with statistics over the whole input of shape
 * `shape` (or over its trailing `shape` axes when there are leading ones).
 */
export class LayerNorm extends ShapedNorm {
  constructor(shape: number | readonly number[] | null, opts: NormOptions = {}) {
    super("LayerNorm", shape, opts);
  }

  call(x: Array, opts?: CallOptions): Array {
    callOptions(`${this.constructor.name}.call`, opts, CALL_OPTION_KEYS);
    const axes = normAxes("LayerNorm", x, this.shape);
    const mean = np.mean(x, { axis: axes, keepdims: true });
    const variance = np.maximum(np.var(x, { axis: axes, keepdims: true }), 0);
    return this.affine(np.multiply(np.subtract(x, mean), lax.rsqrt(np.add(variance, this.eps))));
  }
}

/** `x / sqrt(mean(x²) + eps) · weight + bias` (equinox's `RMSNorm`). */
export class RMSNorm extends ShapedNorm {
  constructor(shape: number | readonly number[] | null, opts: NormOptions = {}) {
    super("RMSNorm", shape, opts);
  }

  call(x: Array, opts?: CallOptions): Array {
    callOptions(`${this.constructor.name}.call`, opts, CALL_OPTION_KEYS);
    const axes = normAxes("RMSNorm", x, this.shape);
    const ms = np.mean(np.square(x), { axis: axes, keepdims: true });
    return this.affine(np.multiply(lax.rsqrt(np.add(ms, this.eps)), x));
  }
}

/**
 * Splits the channel axis (axis 0 of `[channels, ...]`) into `groups` groups and normalizes each
 * over its channels and all other axes; then a per-channel affine map.
 */
export class GroupNorm extends Module {
  readonly groups: number;
  readonly channels: number | null;
  readonly eps: number;
  readonly channelwiseAffine: boolean;
  readonly weight: Array | null;
  readonly bias: Array | null;

  constructor(
    groups: number,
    channels: number | null = null,
    opts: { eps?: number; channelwiseAffine?: boolean; dtype?: FloatDType } = {},
  ) {
    super();
    checkSize("GroupNorm", "groups", groups);
    if (channels !== null) checkSize("GroupNorm", "channels", channels);
    checkKeys("GroupNorm", opts, ["eps", "channelwiseAffine", "dtype"]);
    checkOptionalNumber("GroupNorm", "eps", opts.eps, { min: 0 });
    checkOptionalBoolean("GroupNorm", "channelwiseAffine", opts.channelwiseAffine);
    checkFloatDType("GroupNorm", opts.dtype);
    const affine = opts.channelwiseAffine ?? true;
    if (channels !== null && channels % groups !== 0)
      throw new ValueError(
        `GroupNorm: the number of groups (${groups}) must divide the number of channels (${channels})`,
      );
    if (channels === null && affine)
      throw new ValueError("GroupNorm: `channels` is required when channelwiseAffine is true");
    this.groups = groups;
    this.channels = channels;
    this.eps = opts.eps ?? 1e-5;
    this.channelwiseAffine = affine;
    const dt = opts.dtype ?? "float32";
    this.weight = affine ? np.ones([channels as number], { dtype: dt }) : null;
    this.bias = affine ? np.zeros([channels as number], { dtype: dt }) : null;
  }

  /** `x`: shape `[channels, ...]`. */
  call(x: Array, opts?: CallOptions): Array {
    callOptions(`${this.constructor.name}.call`, opts, CALL_OPTION_KEYS);
    const c = x.shape[0];
    if (x.ndim === 0 || c % this.groups !== 0 || (this.channels !== null && c !== this.channels)) {
      throw new ShapeError(
        `GroupNorm: expected an input of shape [${this.channels ?? "channels"}, ...] with channels divisible by ${this.groups}; got [${x.shape.join(", ")}]`,
      );
    }
    const y = lax.reshape(x, [this.groups, c / this.groups, ...x.shape.slice(1)]);
    const axes = y.shape.map((_, i) => i).slice(1);
    const mean = np.mean(y, { axis: axes, keepdims: true });
    const variance = np.maximum(np.var(y, { axis: axes, keepdims: true }), 0);
    let out = lax.reshape(np.multiply(np.subtract(y, mean), lax.rsqrt(np.add(variance, this.eps))), x.shape);
    if (this.weight !== null && this.bias !== null) {
      // equinox's left_broadcast_to: the [C] parameters align with the leading (channel) axis.
      const bshape = [c, ...x.shape.slice(1).map(() => 1)];
      out = np.add(np.multiply(lax.reshape(this.weight, bshape), out), lax.reshape(this.bias, bshape));
    }
    return out;
  }
}
