/** Complete optimizers, composed exactly as optax's aliases (`optax/_src/alias.py`). */
import { chain, identity, scaleByLearningRate, type GradientTransformation, type ScalarOrSchedule } from "./base.ts";
import { addDecayedWeights, scaleByAdam, scaleByLion, trace, type AdamOptions } from "./transforms.ts";
import type { FilterSpec } from "../filters.ts";

/** Stochastic gradient descent, optionally with (Nesterov) momentum. */
export function sgd(learningRate: ScalarOrSchedule, opts: { momentum?: number; nesterov?: boolean } = {}): GradientTransformation<unknown[]> {
  const m = opts.momentum === undefined || opts.momentum === 0 ? identity() : trace({ decay: opts.momentum, nesterov: opts.nesterov });
  return chain(m, scaleByLearningRate(learningRate));
}

/** Adam (defaults b1 0.9, b2 0.999, eps 1e-8). */
export function adam(learningRate: ScalarOrSchedule, opts: AdamOptions = {}): GradientTransformation<unknown[]> {
  return chain(scaleByAdam(opts), scaleByLearningRate(learningRate));
}

/**
 * AdamW: Adam with decoupled weight decay (default 1e-4, optax's), applied to the leaves selected
 * by `mask` (default all).
 */
export function adamw(learningRate: ScalarOrSchedule, opts: AdamOptions & { weightDecay?: number; mask?: FilterSpec } = {}): GradientTransformation<unknown[]> {
  return chain(scaleByAdam(opts), addDecayedWeights(opts.weightDecay ?? 1e-4, opts.mask), scaleByLearningRate(learningRate));
}

/** Lion (defaults b1 0.9, b2 0.99, weight decay 1e-3, optax's). */
export function lion(learningRate: ScalarOrSchedule, opts: { b1?: number; b2?: number; weightDecay?: number; mask?: FilterSpec } = {}): GradientTransformation<unknown[]> {
  return chain(scaleByLion(opts), addDecayedWeights(opts.weightDecay ?? 1e-3, opts.mask), scaleByLearningRate(learningRate));
}
