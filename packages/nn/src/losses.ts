/**
 * Loss functions in the style of optax (`softmax_cross_entropy`, `..._with_integer_labels`,
 * `sigmoid_binary_cross_entropy`, `squared_error`), with a reduction and an optional mask:
 *
 * - `reduction: "mean"` (default) averages the per-example losses — over the unmasked ones when
 *   `where` is given; `"sum"` adds them; `"none"` returns them (masked ones set to 0).
 * - `where`: a boolean mask broadcastable to the per-example loss shape (e.g. padding positions
 *   of a sequence batch).
 */
import type { Array, ArrayLike } from "@linax-ts/core";
import { ValueError } from "@linax-ts/core";
import * as o from "./ops.ts";
import { logSigmoid, logSoftmax } from "./activations.ts";

export type Reduction = "mean" | "sum" | "none";

export interface LossOptions {
  /** How to combine per-example losses (default "mean"). */
  reduction?: Reduction;
  /** Which per-example losses count (boolean, broadcastable to their shape). */
  where?: ArrayLike;
}

/** Apply a reduction and a mask to per-example losses. */
export function reduceLoss(losses: Array, opts: LossOptions = {}): Array {
  const reduction = opts.reduction ?? "mean";
  let l = losses;
  let count: Array | number = losses.size;
  if (opts.where !== undefined) {
    const m = o.broadcastTo(o.astype(o.asArray(opts.where), "bool"), losses.shape);
    l = o.where(m, losses, o.zeros(losses.shape, losses.dtype));
    count = o.sum(o.astype(m, "float32"));
  }
  switch (reduction) {
    case "none":
      return l;
    case "sum":
      return o.sum(l);
    case "mean":
      return o.div(o.sum(l), count);
    default:
      throw new ValueError(`loss reduction must be "mean", "sum" or "none"; got ${String(reduction)}`);
  }
}

/**
 * Cross-entropy between `softmax(logits)` and `labels` along the last axis. Integer labels
 * (int32/uint32, shape = logits' shape without the class axis) pick a class; float labels
 * (same shape as logits) are one-hot vectors or probabilities.
 */
export function softmaxCrossEntropy(logits: Array, labels: Array, opts: LossOptions = {}): Array {
  if (labels.dtype === "int32" || labels.dtype === "uint32") return softmaxCrossEntropyWithIntegerLabels(logits, labels, opts);
  if (labels.ndim !== logits.ndim) throw new ValueError(`softmaxCrossEntropy: float labels must have the logits' shape [${logits.shape.join(", ")}]; got [${labels.shape.join(", ")}] (pass int32 labels for class indices)`);
  const per = o.neg(o.sum(o.mul(labels, logSoftmax(logits)), { axis: -1 }));
  return reduceLoss(per, opts);
}

/** Cross-entropy with integer class labels: `logsumexp(logits) - logits[label]`. */
export function softmaxCrossEntropyWithIntegerLabels(logits: Array, labels: Array, opts: LossOptions = {}): Array {
  const classes = logits.shape[logits.ndim - 1];
  if (labels.ndim !== logits.ndim - 1 || labels.shape.some((d, i) => d !== logits.shape[i])) {
    throw new ValueError(`softmaxCrossEntropyWithIntegerLabels: labels of shape [${labels.shape.join(", ")}] do not match logits of shape [${logits.shape.join(", ")}] (expected the logits' shape without the class axis)`);
  }
  const picked = o.sum(o.mul(logits, o.oneHot(labels, classes, logits.dtype)), { axis: -1 });
  const per = o.sub(o.logsumexp(logits, { axis: -1 }), picked);
  return reduceLoss(per, opts);
}

/** Binary cross-entropy of `sigmoid(logits)` against `labels` in [0, 1], elementwise, computed stably. */
export function sigmoidBinaryCrossEntropy(logits: Array, labels: ArrayLike, opts: LossOptions = {}): Array {
  const y = o.toFloat(labels);
  const per = o.neg(o.add(o.mul(y, logSigmoid(logits)), o.mul(o.sub(1, y), logSigmoid(o.neg(logits)))));
  return reduceLoss(per, opts);
}

/** Elementwise `(predictions - targets)²`. */
export function squaredError(predictions: Array, targets: ArrayLike): Array {
  return o.square(o.sub(predictions, targets));
}

/** Mean (or sum) squared error over all elements. */
export function meanSquaredError(predictions: Array, targets: ArrayLike, opts: LossOptions = {}): Array {
  return reduceLoss(squaredError(predictions, targets), opts);
}
/** Alias of `meanSquaredError`. */
export const mse = meanSquaredError;

/** optax's `l2_loss`: `0.5 · (predictions - targets)²`, reduced. */
export function l2Loss(predictions: Array, targets: ArrayLike, opts: LossOptions = {}): Array {
  return reduceLoss(o.mul(0.5, squaredError(predictions, targets)), opts);
}
