/** `BatchNorm`, as `equinox.nn.BatchNorm` (stateful; statistics over a named vmap axis). */
import { type Array, ShapeError, ValueError, lax, np } from "@linax-ts/core";
import { StateIndex, type State } from "../state.ts";
import { CALL_OPTION_KEYS, callOptions, checkState } from "../call-options.ts";
import { StatefulLayer, type CallOptions, type FloatDType } from "./base.ts";
import { checkFloatDType, checkKeys, checkOptionalBoolean, checkOptionalNumber, checkSize } from "../validate.ts";

/** The options of `BatchNorm.call`: nn's `CallOptions` and a validity mask. */
export interface BatchNormCallOptions extends CallOptions {
  /**
   * Which positions of this example enter the batch statistics: a bool array broadcastable to
   * `x.shape.slice(1)` (e.g. `[L]` for `x: [C, L]`, false at padded time steps). The statistics
   * become `psum(Σ_valid x) / psum(#valid)` over the example and the batch axis; every position
   * is still normalised. Without it: the mean over the example, then over the batch (equinox).
   */
  mask?: Array;
}

export interface BatchNormOptions {
  /** The `axisName` of the vmap (or several) the batch statistics are taken over. Required. */
  axisName: string | readonly string[];
  /** Added to the variance for stability (default 1e-5). */
  eps?: number;
  /** Learnable per-channel weight and bias (default true). */
  channelwiseAffine?: boolean;
  /** Running-statistics decay (default 0.99). */
  momentum?: number;
  /** Start in inference mode (default false). */
  inference?: boolean;
  /**
   * "ema" (default; equinox's original behaviour, which linax uses): training normalizes with the
   * running statistics after blending in this batch (on the first call: this batch's). "batch":
   * training normalizes with this batch's statistics and keeps an exponential moving average of
   * them, bias-corrected like Adam's moments, for inference.
   */
  mode?: "ema" | "batch";
  dtype?: FloatDType;
}

/**
 * Normalizes each channel (axis 0 of `[channels, ...]`) with its mean and variance over the
 * other axes *and* the batch: call it inside `filterVmap(..., { axisName })`, with the `State`
 * unmapped (`inAxes: [0, null]`, `outAxes: [0, null]`). The statistics live in the `State` (make
 * the model with `makeWithState`). Fields follow equinox's `BatchNorm` (`emaFirstTimeIndex`,
 * `emaStateIndex` for mode "ema"; `batchCounter`, `batchStateIndex` for mode "batch"; the other
 * pair is null).
 *
 * Mode "ema": on the first training call the running statistics become the batch statistics;
 * afterwards `running = momentum · running + (1 - momentum) · batch`; the output is normalized
 * with the running statistics. Inference uses them as they are.
 *
 * Mode "batch": the output is normalized with the batch statistics; `hidden = momentum · hidden
 * + (1 - momentum) · batch` (starting from mean 0, variance 1, as equinox does) and the step
 * count are kept, and inference uses `hidden / (1 - momentum^count)` — equinox's "minimal"
 * zero-debiasing, which (like equinox) does not remove the initial variance of 1.
 */
export class BatchNorm extends StatefulLayer {
  readonly weight: Array | null;
  readonly bias: Array | null;
  readonly emaFirstTimeIndex: StateIndex<Array> | null;
  readonly emaStateIndex: StateIndex<[Array, Array]> | null;
  readonly batchCounter: StateIndex<Array> | null;
  readonly batchStateIndex: StateIndex<[Array, Array]> | null;
  readonly axisName: string | string[];
  readonly inference: boolean;
  readonly inputSize: number;
  readonly eps: number;
  readonly channelwiseAffine: boolean;
  readonly momentum: number;
  readonly mode: "ema" | "batch";

  constructor(inputSize: number, opts: BatchNormOptions) {
    super();
    checkSize("BatchNorm", "inputSize", inputSize);
    checkKeys("BatchNorm", opts, ["axisName", "eps", "channelwiseAffine", "momentum", "inference", "mode", "dtype"]);
    checkOptionalNumber("BatchNorm", "eps", opts.eps, { min: 0 });
    checkOptionalNumber("BatchNorm", "momentum", opts.momentum, { min: 0, max: 1 });
    checkOptionalBoolean("BatchNorm", "channelwiseAffine", opts.channelwiseAffine);
    checkOptionalBoolean("BatchNorm", "inference", opts.inference);
    checkFloatDType("BatchNorm", opts.dtype);
    const dt = opts.dtype ?? "float32";
    const affine = opts.channelwiseAffine ?? true;
    const mode = opts.mode ?? "ema";
    if (mode !== "ema" && mode !== "batch")
      throw new ValueError(`BatchNorm: mode must be "ema" or "batch"; got ${String(mode)}`);
    this.weight = affine ? np.ones([inputSize], { dtype: dt }) : null;
    this.bias = affine ? np.zeros([inputSize], { dtype: dt }) : null;
    const pair = (): [Array, Array] => [np.zeros([inputSize], { dtype: dt }), np.zeros([inputSize], { dtype: dt })];
    this.emaFirstTimeIndex = mode === "ema" ? new StateIndex(np.full([], true)) : null;
    this.emaStateIndex = mode === "ema" ? new StateIndex<[Array, Array]>(pair()) : null;
    this.batchCounter = mode === "batch" ? new StateIndex(np.zeros([], { dtype: "int32" })) : null;
    // Equinox starts the "batch"-mode hidden statistics at (zeros, ones).
    this.batchStateIndex =
      mode === "batch"
        ? new StateIndex<[Array, Array]>([np.zeros([inputSize], { dtype: dt }), np.ones([inputSize], { dtype: dt })])
        : null;
    this.axisName = typeof opts.axisName === "string" ? opts.axisName : [...opts.axisName];
    this.inference = opts.inference ?? false;
    this.inputSize = inputSize;
    this.eps = opts.eps ?? 1e-5;
    this.channelwiseAffine = affine;
    this.momentum = opts.momentum ?? 0.99;
    this.mode = mode;
  }

  /** `x`: shape `[inputSize, ...]` (one example; the batch is the vmapped axis). */
  call(x: Array, state: State, callOpts?: BatchNormCallOptions): [Array, State] {
    checkState("BatchNorm.call", state);
    const opts = callOptions<BatchNormCallOptions>("BatchNorm.call", callOpts, [...CALL_OPTION_KEYS, "mask"]);
    if (x.ndim === 0 || x.shape[0] !== this.inputSize)
      throw new ShapeError(
        `BatchNorm: expected an input of shape [${this.inputSize}, ...]; got [${x.shape.join(", ")}]`,
      );
    const inf = opts.inference ?? this.inference;
    const m = this.momentum;
    let s = state;
    let mean: Array;
    let variance: Array;
    if (this.mode === "ema") {
      const idx = this.emaStateIndex as StateIndex<[Array, Array]>;
      if (inf) [mean, variance] = s.get(idx);
      else {
        const [bMean, bVar] = this.batchStats(x, opts.mask);
        const first = s.get(this.emaFirstTimeIndex as StateIndex<Array>);
        s = s.set(this.emaFirstTimeIndex as StateIndex<Array>, np.full([], false));
        const [rMean, rVar] = s.get(idx);
        mean = np.where(first, bMean, np.add(np.multiply(1 - m, bMean), np.multiply(m, rMean)));
        variance = np.where(first, bVar, np.add(np.multiply(1 - m, bVar), np.multiply(m, rVar)));
        s = s.set(idx, [mean, variance]);
      }
    } else {
      const idx = this.batchStateIndex as StateIndex<[Array, Array]>;
      const cIdx = this.batchCounter as StateIndex<Array>;
      const count = s.get(cIdx);
      const [hMean, hVar] = s.get(idx);
      if (inf) {
        // Bias correction; before any training step there is nothing to correct (and 0/0).
        const corr = np.where(np.greater(count, 0), np.subtract(1, np.power(m, count.astype("float32"))), 1);
        mean = np.divide(hMean, corr);
        variance = np.divide(hVar, corr);
      } else {
        [mean, variance] = this.batchStats(x, opts.mask);
        s = s.set(idx, [
          np.add(np.multiply(m, hMean), np.multiply(1 - m, mean)),
          np.add(np.multiply(m, hVar), np.multiply(1 - m, variance)),
        ]);
        s = s.set(cIdx, np.add(count, 1));
      }
    }
    const bshape = [this.inputSize, ...x.shape.slice(1).map(() => 1)];
    let out = np.multiply(
      np.subtract(x, lax.reshape(mean, bshape)),
      lax.reshape(lax.rsqrt(np.add(variance, this.eps)), bshape),
    );
    if (this.weight !== null && this.bias !== null)
      out = np.add(np.multiply(out, lax.reshape(this.weight, bshape)), lax.reshape(this.bias, bshape));
    return [out, s];
  }

  /** Per-channel mean and (biased) variance over this example's other axes, then over the batch. */
  private batchStats(x: Array, mask?: Array): [Array, Array] {
    const axes = x.shape.map((_, i) => i).slice(1);
    if (mask !== undefined) return this.maskedBatchStats(x, mask, axes);
    const mean = lax.pmean(np.mean(x, { axis: axes }), this.axisName);
    const centred = np.subtract(x, lax.reshape(mean, [this.inputSize, ...axes.map(() => 1)]));
    // (y - m)·conj(y - m), as equinox (the variance of complex inputs is real).
    const sq = np.real(np.multiply(centred, np.conj(centred)));
    const variance = np.maximum(lax.pmean(np.mean(sq, { axis: axes }), this.axisName), 0);
    return [mean, variance];
  }

  /** `batchStats` over the positions where `mask` is true only (sums and counts, then psum). */
  private maskedBatchStats(x: Array, mask: Array, axes: number[]): [Array, Array] {
    if (mask.dtype !== "bool") throw new ValueError(`BatchNorm: mask must be a bool array; got ${mask.dtype}`);
    const inner = x.shape.slice(1);
    if (mask.ndim > inner.length || mask.shape.some((d, j) => d !== 1 && d !== inner[inner.length - mask.ndim + j])) {
      throw new ShapeError(
        `BatchNorm: mask of shape [${mask.shape.join(", ")}] does not broadcast to the example's non-channel shape [${inner.join(", ")}]`,
      );
    }
    const m = np.broadcastTo(mask, inner).reshape([1, ...inner]);
    const count = lax.psum(np.sum(m.astype("float32")), this.axisName);
    const mean = np.divide(lax.psum(np.sum(np.where(m, x, np.zerosLike(x)), { axis: axes }), this.axisName), count);
    const centred = np.subtract(x, lax.reshape(mean, [this.inputSize, ...axes.map(() => 1)]));
    // (y - m)·conj(y - m), as batchStats.
    const sq = np.real(np.multiply(centred, np.conj(centred)));
    const variance = np.maximum(
      np.divide(lax.psum(np.sum(np.where(m, sq, np.zerosLike(sq)), { axis: axes }), this.axisName), count),
      0,
    );
    return [mean, variance];
  }
}
