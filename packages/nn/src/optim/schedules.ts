/**
 * Learning-rate schedules with optax's definitions. A schedule maps the step count (an int32
 * array inside an optimizer, or a JS number) to a value, and is traceable under `jit`.
 */
import { ValueError, np } from "@linax-ts/core";
import { checkKeys, checkNumber, checkOptionalNumber, describe } from "../validate.ts";
import { asInexact } from "../activations.ts";
import type { Schedule } from "./base.ts";

/** Always `value`. */
export function constantSchedule(value: number): Schedule {
  checkNumber("constantSchedule", "value", value);
  return () => value;
}

/**
 * `(init - end) · (1 - t/T)^power + end` with `t = clip(count - transitionBegin, 0, T)`
 * (optax's `polynomial_schedule`); constant `init` when `transitionSteps <= 0`.
 */
export function polynomialSchedule(opts: {
  initValue: number;
  endValue: number;
  power: number;
  transitionSteps: number;
  transitionBegin?: number;
}): Schedule {
  const op = "polynomialSchedule";
  checkKeys(op, opts, ["initValue", "endValue", "power", "transitionSteps", "transitionBegin"]);
  checkNumber(op, "initValue", opts.initValue);
  checkNumber(op, "endValue", opts.endValue);
  checkNumber(op, "power", opts.power);
  checkNumber(op, "transitionSteps", opts.transitionSteps, { integer: true });
  checkOptionalNumber(op, "transitionBegin", opts.transitionBegin, { integer: true, min: 0 });
  const { initValue, endValue, power, transitionSteps, transitionBegin = 0 } = opts;
  if (transitionSteps <= 0) return () => initValue;
  return (count) => {
    const t = np.clip(np.subtract(asInexact(count), transitionBegin), 0, transitionSteps);
    const frac = np.subtract(1, np.divide(t, transitionSteps));
    return np.add(np.multiply(initValue - endValue, np.power(frac, power)), endValue);
  };
}

/** Linear interpolation from `initValue` to `endValue` over `transitionSteps` (optax's `linear_schedule`). */
export function linearSchedule(opts: {
  initValue: number;
  endValue: number;
  transitionSteps: number;
  transitionBegin?: number;
}): Schedule {
  checkKeys("linearSchedule", opts, ["initValue", "endValue", "transitionSteps", "transitionBegin"]);
  return polynomialSchedule({ ...opts, power: 1 });
}

/**
 * Cosine decay from `initValue` to `alpha · initValue` over `decaySteps`, then constant
 * (optax's `cosine_decay_schedule`): `init · ((1 - α) · (½(1 + cos(π t/T)))^exponent + α)`.
 */
export function cosineDecaySchedule(opts: {
  initValue: number;
  decaySteps: number;
  alpha?: number;
  exponent?: number;
}): Schedule {
  const op = "cosineDecaySchedule";
  checkKeys(op, opts, ["initValue", "decaySteps", "alpha", "exponent"]);
  checkNumber(op, "initValue", opts.initValue);
  checkNumber(op, "decaySteps", opts.decaySteps, { integer: true, min: 1 });
  checkOptionalNumber(op, "alpha", opts.alpha);
  checkOptionalNumber(op, "exponent", opts.exponent);
  const { initValue, decaySteps, alpha = 0, exponent = 1 } = opts;
  return (count) => {
    const t = np.minimum(asInexact(count), decaySteps);
    const cosine = np.multiply(0.5, np.add(1, np.cos(np.multiply(Math.PI / decaySteps, t))));
    const decayed = np.add(np.multiply(1 - alpha, exponent === 1 ? cosine : np.power(cosine, exponent)), alpha);
    return np.multiply(initValue, decayed);
  };
}

/**
 * Piecewise schedule: `schedules[0]` before `boundaries[0]`, then `schedules[i]` evaluated at
 * `count - boundaries[i-1]` (optax's `join_schedules`).
 */
export function joinSchedules(schedules: readonly Schedule[], boundaries: readonly number[]): Schedule {
  if (
    !globalThis.Array.isArray(schedules) ||
    !globalThis.Array.isArray(boundaries) ||
    schedules.length !== boundaries.length + 1
  ) {
    throw new ValueError(
      `joinSchedules: needs one more schedule than boundaries; got ${globalThis.Array.isArray(schedules) ? schedules.length : describe(schedules)} schedules and ${globalThis.Array.isArray(boundaries) ? boundaries.length : describe(boundaries)} boundaries`,
    );
  }
  schedules.forEach((f, i) => {
    if (typeof f !== "function")
      throw new ValueError(`joinSchedules: schedules[${i}] must be a function of the step count; got ${describe(f)}`);
  });
  boundaries.forEach((b, i) => {
    checkNumber("joinSchedules", `boundaries[${i}]`, b, { integer: true, min: i > 0 ? boundaries[i - 1] : 0 });
  });
  return (count) => {
    const c = np.asArray(count);
    let out = np.asArray(schedules[0](c));
    boundaries.forEach((b, i) => {
      out = np.where(np.less(c, b), out, schedules[i + 1](np.subtract(c, b)));
    });
    return out;
  };
}

/**
 * Linear warmup from `initValue` to `peakValue` over `warmupSteps`, then cosine decay to
 * `endValue` at `decaySteps` (total, including warmup) — optax's `warmup_cosine_decay_schedule`.
 */
export function warmupCosineDecaySchedule(opts: {
  initValue: number;
  peakValue: number;
  warmupSteps: number;
  decaySteps: number;
  endValue?: number;
  exponent?: number;
}): Schedule {
  const op = "warmupCosineDecaySchedule";
  checkKeys(op, opts, ["initValue", "peakValue", "warmupSteps", "decaySteps", "endValue", "exponent"]);
  checkNumber(op, "initValue", opts.initValue);
  checkNumber(op, "peakValue", opts.peakValue);
  checkNumber(op, "warmupSteps", opts.warmupSteps, { integer: true, min: 0 });
  checkNumber(op, "decaySteps", opts.decaySteps, { integer: true, min: opts.warmupSteps + 1 });
  const { initValue, peakValue, warmupSteps, decaySteps, endValue = 0, exponent = 1 } = opts;
  const alpha = peakValue === 0 ? 0 : endValue / peakValue;
  return joinSchedules(
    [
      linearSchedule({ initValue, endValue: peakValue, transitionSteps: warmupSteps }),
      cosineDecaySchedule({ initValue: peakValue, decaySteps: decaySteps - warmupSteps, alpha, exponent }),
    ],
    [warmupSteps],
  );
}

/** Short names as in the issue: `constant`, `linear`, `cosineDecay`, `warmupCosineDecay`. */
export const constant = constantSchedule;
export const linear = linearSchedule;
export const cosineDecay = cosineDecaySchedule;
export const warmupCosineDecay = warmupCosineDecaySchedule;
