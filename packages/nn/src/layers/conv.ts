/** `Conv`, `Conv1d`, `Conv2d`, as `equinox.nn.Conv` (plus "CAUSAL" padding and padding modes). */
import { type Array, ShapeError, ValueError, lax, np, promoteTypes, random } from "@linax-ts/core";
import { Module } from "../module.ts";
import { CALL_OPTION_KEYS, callOptions } from "../call-options.ts";
import { splitKey, type PRNGKey } from "../random.ts";
import type { CallOptions, FloatDType } from "./base.ts";
import { checkFloatDType, checkKeys, checkOptionalBoolean, checkSize, requireKey } from "../validate.ts";

/**
 * Padding: a number (both sides of every spatial axis), one number per axis, `[lo, hi]` per
 * axis, or "VALID" (none), "SAME" / "SAME_LOWER" (output size ceil(n / stride); the extra pad
 * goes after / before), "CAUSAL" (all `(k - 1) · dilation` before: output t sees inputs ≤ t).
 */
export type ConvPadding =
  number | readonly number[] | readonly (readonly [number, number])[] | "VALID" | "SAME" | "SAME_LOWER" | "CAUSAL";
/** How padded positions are filled: zeros, mirrored (without the edge), repeated edge, or wrapped around. */
export type PaddingMode = "ZEROS" | "REFLECT" | "REPLICATE" | "CIRCULAR";

export interface ConvOptions {
  stride?: number | readonly number[];
  padding?: ConvPadding;
  dilation?: number | readonly number[];
  /** Channel groups: `groups = inChannels = outChannels` is a depthwise convolution. */
  groups?: number;
  useBias?: boolean;
  paddingMode?: PaddingMode;
  dtype?: FloatDType;
  key: PRNGKey;
}

const tuple = (name: string, x: number | readonly number[], n: number): number[] => {
  if (typeof x === "number") {
    checkSize("Conv", name, x);
    return new globalThis.Array<number>(n).fill(x);
  }
  if (!globalThis.Array.isArray(x) || x.length !== n)
    throw new ValueError(
      `Conv: \`${name}\` must be a number or a list of ${n} numbers; got ${globalThis.Array.isArray(x) ? `[${x.join(", ")}]` : String(x)}`,
    );
  x.forEach((v, i) => checkSize("Conv", `${name}[${i}]`, v));
  return [...x];
};

/**
 * General N-dimensional convolution of an input `[inChannels, ...spatial]`. Weight
 * `[outChannels, inChannels / groups, ...kernelSize]` and bias `[outChannels, 1, ...]` are
 * initialized uniformly in ±1/√(inChannels / groups · prod(kernelSize)), as equinox.
 */
export class Conv extends Module {
  readonly numSpatialDims: number;
  readonly weight: Array;
  readonly bias: Array | null;
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: number[];
  readonly stride: number[];
  /** Explicit `[lo, hi]` per spatial axis, or a padding string resolved at call time. */
  readonly padding: [number, number][] | "SAME" | "SAME_LOWER";
  readonly dilation: number[];
  readonly groups: number;
  readonly useBias: boolean;
  readonly paddingMode: PaddingMode;

  constructor(
    numSpatialDims: number,
    inChannels: number,
    outChannels: number,
    kernelSize: number | readonly number[],
    opts: ConvOptions,
  ) {
    super();
    checkSize("Conv", "numSpatialDims", numSpatialDims);
    checkSize("Conv", "inChannels", inChannels);
    checkSize("Conv", "outChannels", outChannels);
    checkKeys("Conv", opts, ["stride", "padding", "dilation", "groups", "useBias", "paddingMode", "dtype", "key"]);
    requireKey("Conv", opts?.key);
    if (opts.groups !== undefined) checkSize("Conv", "groups", opts.groups);
    checkOptionalBoolean("Conv", "useBias", opts.useBias);
    checkFloatDType("Conv", opts.dtype);
    if (opts.paddingMode !== undefined && !["ZEROS", "REFLECT", "REPLICATE", "CIRCULAR"].includes(opts.paddingMode)) {
      throw new ValueError(
        `Conv: paddingMode must be one of ZEROS, REFLECT, REPLICATE, CIRCULAR; got ${JSON.stringify(opts.paddingMode)}`,
      );
    }
    const n = numSpatialDims;
    const groups = opts.groups ?? 1;
    if (inChannels % groups !== 0)
      throw new ValueError(`Conv: inChannels (${inChannels}) must be divisible by groups (${groups})`);
    if (outChannels % groups !== 0)
      throw new ValueError(`Conv: outChannels (${outChannels}) must be divisible by groups (${groups})`);
    const k = tuple("kernelSize", kernelSize, n);
    const [wkey, bkey] = splitKey(opts.key, 2);
    const lim = 1 / Math.sqrt((inChannels / groups) * k.reduce((a, b) => a * b, 1));
    const dtype = opts.dtype ?? "float32";
    this.numSpatialDims = n;
    this.weight = random.uniform(wkey, [outChannels, inChannels / groups, ...k], { minval: -lim, maxval: lim, dtype });
    this.useBias = opts.useBias ?? true;
    this.bias = this.useBias
      ? random.uniform(bkey, [outChannels, ...k.map(() => 1)], { minval: -lim, maxval: lim, dtype })
      : null;
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.kernelSize = k;
    this.stride = tuple("stride", opts.stride ?? 1, n);
    this.dilation = tuple("dilation", opts.dilation ?? 1, n);
    this.groups = groups;
    this.paddingMode = opts.paddingMode ?? "ZEROS";
    const p = opts.padding ?? 0;
    if (p === "VALID") this.padding = k.map(() => [0, 0]);
    else if (p === "CAUSAL") this.padding = k.map((ki, i) => [(ki - 1) * this.dilation[i], 0]);
    else if (p === "SAME" || p === "SAME_LOWER") this.padding = p;
    else if (typeof p === "number") this.padding = k.map(() => [p, p]);
    else if (p.length === n && p.every((q) => typeof q === "number"))
      this.padding = (p as readonly number[]).map((q) => [q, q]);
    else if (p.length === n && p.every((q) => globalThis.Array.isArray(q) && q.length === 2))
      this.padding = (p as readonly (readonly [number, number])[]).map(([a, b]) => [a, b]);
    else
      throw new ValueError(
        `Conv: \`padding\` must be a number, ${n} numbers, ${n} [lo, hi] pairs, or "VALID" / "SAME" / "SAME_LOWER" / "CAUSAL"`,
      );
  }

  /** Explicit pads for an input of spatial shape `spatial`. */
  pads(spatial: readonly number[]): [number, number][] {
    if (this.padding !== "SAME" && this.padding !== "SAME_LOWER") return this.padding;
    const lower = this.padding === "SAME_LOWER";
    return spatial.map((len, i) => {
      const eff = (this.kernelSize[i] - 1) * this.dilation[i] + 1;
      const out = Math.ceil(len / this.stride[i]);
      const total = Math.max(0, (out - 1) * this.stride[i] + eff - len);
      const small = Math.floor(total / 2);
      return lower ? [total - small, small] : [small, total - small];
    });
  }

  /** `x`: shape `[inChannels, ...spatial]` → `[outChannels, ...outSpatial]`. */
  call(x: Array, opts?: CallOptions): Array {
    callOptions(`${this.constructor.name}.call`, opts, CALL_OPTION_KEYS);
    const n = this.numSpatialDims;
    if (x.ndim !== n + 1 || x.shape[0] !== this.inChannels) {
      throw new ShapeError(
        `Conv: expected an input of shape [${this.inChannels}, ${new globalThis.Array(n).fill("…").join(", ")}] (rank ${n + 1}); got [${x.shape.join(", ")}]`,
      );
    }
    const pads = this.pads(x.shape.slice(1));
    let v = x;
    let convPads = pads;
    if (this.paddingMode !== "ZEROS") {
      pads.forEach(([lo, hi], i) => (v = padAxis(v, i + 1, lo, hi, this.paddingMode)));
      convPads = pads.map(() => [0, 0]);
    }
    // convGeneralDilated needs equal dtypes. promoteTypes ignores weak typing (np has no
    // `resultType`), which gives JAX's result here: the weight is float32/complex64 (FloatDType),
    // and a float32 or complex64 strong operand absorbs any weak or strong real operand alike.
    const dt = promoteTypes(v.dtype, this.weight.dtype);
    const w = this.weight.astype(dt);
    const lhs = lax.reshape(v.astype(dt), [1, ...v.shape]);
    let y = lax.convGeneralDilated(lhs, w, {
      windowStrides: this.stride,
      padding: convPads,
      rhsDilation: this.dilation,
      featureGroupCount: this.groups,
    });
    y = lax.reshape(y, y.shape.slice(1));
    if (this.bias !== null) y = np.add(y, this.bias);
    return y;
  }
}

/** Pad one axis by `lo`/`hi` elements filled according to `mode` (non-zero modes). */
function padAxis(x: Array, axis: number, lo: number, hi: number, mode: PaddingMode): Array {
  if (lo === 0 && hi === 0) return x;
  const len = x.shape[axis];
  const sl = (a: number, b: number) => lax.sliceInDim(x, a, b, 1, axis);
  const parts: Array[] = [];
  const repeat = (piece: Array, times: number) => {
    for (let i = 0; i < times; i++) parts.push(piece);
  };
  if (mode === "REFLECT" && (lo >= len || hi >= len))
    throw new ValueError(
      `Conv: REFLECT padding of ${Math.max(lo, hi)} needs an input longer than that along each axis; got ${len}`,
    );
  if (mode === "CIRCULAR" && (lo > len || hi > len))
    throw new ValueError(
      `Conv: CIRCULAR padding of ${Math.max(lo, hi)} needs an input at least that long along each axis; got ${len}`,
    );
  if (lo > 0) {
    if (mode === "REFLECT") parts.push(lax.rev(sl(1, lo + 1), [axis]));
    else if (mode === "REPLICATE") repeat(sl(0, 1), lo);
    else parts.push(sl(len - lo, len));
  }
  parts.push(x);
  if (hi > 0) {
    if (mode === "REFLECT") parts.push(lax.rev(sl(len - 1 - hi, len - 1), [axis]));
    else if (mode === "REPLICATE") repeat(sl(len - 1, len), hi);
    else parts.push(sl(0, hi));
  }
  return lax.concatenate(parts, axis);
}

/** `Conv` with one spatial axis: input `[inChannels, length]`. */
export class Conv1d extends Conv {
  constructor(inChannels: number, outChannels: number, kernelSize: number | readonly number[], opts: ConvOptions) {
    super(1, inChannels, outChannels, kernelSize, opts);
  }
}

/** `Conv` with two spatial axes: input `[inChannels, height, width]`. */
export class Conv2d extends Conv {
  constructor(inChannels: number, outChannels: number, kernelSize: number | readonly number[], opts: ConvOptions) {
    super(2, inChannels, outChannels, kernelSize, opts);
  }
}
