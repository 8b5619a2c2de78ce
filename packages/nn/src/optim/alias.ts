/** Complete optimizers, composed exactly as optax's aliases (`optax/_src/alias.py`). */
import { chain, identity, scaleByLearningRate, type GradientTransformation, type ScalarOrSchedule } from "./base.ts";
import { addDecayedWeights, scaleByAdam, scaleByLion, trace, type AdamOptions } from "./transforms.ts";
import type { FilterSpec } from "../filters.ts";
import { checkKeys, checkLearningRate, checkOptionalBoolean, checkOptionalNumber } from "../validate.ts";

const ADAM_KEYS = ["b1", "b2", "eps", "epsRoot", "nesterov"] as const;

/** Stochastic gradient descent, optionally with (Nesterov) momentum. */
export function sgd(
  learningRate: ScalarOrSchedule,
  opts: { momentum?: number; nesterov?: boolean } = {},
): GradientTransformation<unknown[]> {
  checkLearningRate("sgd", learningRate);
  checkKeys("sgd", opts, ["momentum", "nesterov"]);
  checkOptionalNumber("sgd", "momentum", opts.momentum, { min: 0 });
  checkOptionalBoolean("sgd", "nesterov", opts.nesterov);
  const m =
    opts.momentum === undefined || opts.momentum === 0
      ? identity()
      : trace({ decay: opts.momentum, nesterov: opts.nesterov });
  return chain(m, scaleByLearningRate(learningRate));
}

/** Adam (defaults b1 0.9, b2 0.999, eps 1e-8). */
export function adam(learningRate: ScalarOrSchedule, opts: AdamOptions = {}): GradientTransformation<unknown[]> {
  checkLearningRate("adam", learningRate);
  checkKeys("adam", opts, ADAM_KEYS);
  return chain(scaleByAdam(opts), scaleByLearningRate(learningRate));
}

/**
 * AdamW: Adam with decoupled weight decay (default 1e-4, optax's), applied to the leaves selected
 * by `mask` (default all).
 */
export function adamw(
  learningRate: ScalarOrSchedule,
  opts: AdamOptions & { weightDecay?: number; mask?: FilterSpec } = {},
): GradientTransformation<unknown[]> {
  checkLearningRate("adamw", learningRate);
  checkKeys("adamw", opts, [...ADAM_KEYS, "weightDecay", "mask"]);
  checkOptionalNumber("adamw", "weightDecay", opts.weightDecay, { min: 0 });
  const { weightDecay: _w, mask: _m, ...adamOpts } = opts;
  return chain(
    scaleByAdam(adamOpts),
    addDecayedWeights(opts.weightDecay ?? 1e-4, opts.mask),
    scaleByLearningRate(learningRate),
  );
}

/** Lion (defaults b1 0.9, b2 0.99, weight decay 1e-3, optax's). */
export function lion(
  learningRate: ScalarOrSchedule,
  opts: { b1?: number; b2?: number; weightDecay?: number; mask?: FilterSpec } = {},
): GradientTransformation<unknown[]> {
  checkLearningRate("lion", learningRate);
  checkKeys("lion", opts, ["b1", "b2", "weightDecay", "mask"]);
  checkOptionalNumber("lion", "weightDecay", opts.weightDecay, { min: 0 });
  return chain(
    scaleByLion({ b1: opts.b1, b2: opts.b2 }),
    addDecayedWeights(opts.weightDecay ?? 1e-3, opts.mask),
    scaleByLearningRate(learningRate),
  );
}
