/**
 * Loss functions in the style of optax (`softmax_cross_entropy`, `..._with_integer_labels`,
 * `sigmoid_binary_cross_entropy`, `squared_error`), with a reduction and an optional mask:
 *
 * - `reduction: "mean"` (default) averages the per-example losses — over the unmasked ones when
 *   `where` is given; `"sum"` adds them; `"none"` returns them (masked ones set to 0).
 * - `where`: a boolean mask broadcastable to the per-example loss shape (e.g. padding positions
 *   of a sequence batch).
 */
import { ValueError, np, type Array, type ArrayLike } from "@linax-ts/core";
import { asInexact, logSigmoid, logSoftmax, oneHot } from "./activations.ts";

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
    const m = np.broadcastTo(np.asArray(opts.where, "bool"), losses.shape);
    l = np.where(m, losses, np.zerosLike(losses));
    count = np.sum(m, { dtype: "float32" });
  }
  switch (reduction) {
    case "none":
      return l;
    case "sum":
      return np.sum(l);
    case "mean":
      return np.divide(np.sum(l), count);
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
  if (labels.dtype === "int32" || labels.dtype === "uint32")
    return softmaxCrossEntropyWithIntegerLabels(logits, labels, opts);
  if (labels.ndim !== logits.ndim)
    throw new ValueError(
      `softmaxCrossEntropy: float labels must have the logits' shape [${logits.shape.join(", ")}]; got [${labels.shape.join(", ")}] (pass int32 labels for class indices)`,
    );
  const per = np.negative(np.sum(np.multiply(labels, logSoftmax(logits)), { axis: -1 }));
  return reduceLoss(per, opts);
}

/** Cross-entropy with integer class labels: `logsumexp(logits) - logits[label]`. */
export function softmaxCrossEntropyWithIntegerLabels(logits: Array, labels: Array, opts: LossOptions = {}): Array {
  const classes = logits.shape[logits.ndim - 1];
  if (labels.ndim !== logits.ndim - 1 || labels.shape.some((d, i) => d !== logits.shape[i])) {
    throw new ValueError(
      `softmaxCrossEntropyWithIntegerLabels: labels of shape [${labels.shape.join(", ")}] do not match logits of shape [${logits.shape.join(", ")}] (expected the logits' shape without the class axis)`,
    );
  }
  const picked = np.sum(np.multiply(logits, oneHot(labels, classes, { dtype: logits.dtype })), { axis: -1 });
  const per = np.subtract(np.logsumexp(logits, { axis: -1 }), picked);
  return reduceLoss(per, opts);
}

/** Binary cross-entropy of `sigmoid(logits)` against `labels` in [0, 1], elementwise, computed stably. */
export function sigmoidBinaryCrossEntropy(logits: Array, labels: ArrayLike, opts: LossOptions = {}): Array {
  const y = asInexact(labels);
  const per = np.negative(
    np.add(np.multiply(y, logSigmoid(logits)), np.multiply(np.subtract(1, y), logSigmoid(np.negative(logits)))),
  );
  return reduceLoss(per, opts);
}

/** Elementwise `(predictions - targets)²`. */
export function squaredError(predictions: Array, targets: ArrayLike): Array {
  return np.square(np.subtract(predictions, targets));
}

/** Mean (or sum) squared error over all elements. */
export function meanSquaredError(predictions: Array, targets: ArrayLike, opts: LossOptions = {}): Array {
  return reduceLoss(squaredError(predictions, targets), opts);
}
/** Alias of `meanSquaredError`. */
export const mse = meanSquaredError;

/** optax's `l2_loss`: `0.5 · (predictions - targets)²`, reduced. */
export function l2Loss(predictions: Array, targets: ArrayLike, opts: LossOptions = {}): Array {
  return reduceLoss(np.multiply(0.5, squaredError(predictions, targets)), opts);
}
