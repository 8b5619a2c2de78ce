/**
 * Optimizers in the style of optax: a `GradientTransformation` is a pair of pure functions,
 * `init(params) → state` and `update(updates, state, params?) → [updates, state]`. States are
 * pytrees (plain objects and lists of arrays), so they go through `jit`, `vmap` and safetensors.
 *
 * ```ts
 * const opt = optim.adam(1e-3);
 * let optState = opt.init(filter(model, isArray));
 * const grads = filterGrad(loss)(model, x, y);
 * const [updates, s] = opt.update(grads, optState, filter(model, isArray));
 * model = optim.applyUpdates(model, updates);
 * ```
 */
import { Array, ValueError, np, treeFlatten, treeUnflatten } from "@linax-ts/core";
import { mapUpdates, nullLeaf } from "./tree.ts";
import { checkLearningRate, checkNumber, describe, firstTreeDifference } from "../validate.ts";

/** A pytree optimizer state. */
export type OptState = unknown;

/** optax's `GradientTransformation`. */
export interface GradientTransformation<S = OptState> {
  /** The initial state for `params`. */
  init(params: unknown): S;
  /** Transform `updates` (gradients, or the output of a previous transformation). */
  update(updates: unknown, state: S, params?: unknown): [unknown, S];
}

/** A learning-rate schedule: step count (int32 array or number) → value. */
export type Schedule = (count: Array | number) => Array | number;
/** A fixed value or a schedule. */
export type ScalarOrSchedule = number | Schedule;

/** The empty state of stateless transformations. */
export type EmptyState = Record<string, never>;
const EMPTY: EmptyState = Object.freeze({}) as EmptyState;

/** Leaves updates unchanged. */
export function identity(): GradientTransformation<EmptyState> {
  return { init: () => EMPTY, update: (u, s) => [u, s] };
}

/** Apply transformations in sequence; the state is the list of their states. */
export function chain(...txs: GradientTransformation<unknown>[]): GradientTransformation<unknown[]> {
  const ts = txs;
  ts.forEach((t, i) => {
    if (typeof t !== "object" || t === null || typeof t.init !== "function" || typeof t.update !== "function") {
      throw new ValueError(
        `chain: argument ${i} must be a GradientTransformation ({ init, update }); got ${describe(t)}`,
      );
    }
  });
  return {
    init: (params) => ts.map((t) => t.init(params)),
    update: (updates, state, params) => {
      if (!globalThis.Array.isArray(state) || state.length !== ts.length)
        throw new ValueError(
          `chain.update: expected the state list of length ${ts.length} that init returned; got ${globalThis.Array.isArray(state) ? `a list of length ${state.length}` : describe(state)}`,
        );
      let u = updates;
      const next = ts.map((t, i) => {
        const [nu, ns] = t.update(u, state[i], params);
        u = nu;
        return ns;
      });
      return [u, next];
    },
  };
}

/** Multiply updates by a constant. */
export function scale(stepSize: number): GradientTransformation<EmptyState> {
  checkNumber("scale", "stepSize", stepSize);
  return { init: () => EMPTY, update: (u, s) => [mapUpdates((g) => np.multiply(g, stepSize), u), s] };
}

/** Adds 1 to an int32 counter, saturating at the largest int32 (optax's `safe_increment`). */
export function safeIncrement(count: Array): Array {
  const max = 2147483647;
  return np.where(np.less(count, max), np.add(count, 1), np.asArray(max, count.dtype));
}

/** A step counter starting at 0 (int32 scalar). */
export const zeroCount = (): Array => np.zeros([], { dtype: "int32" });

/** Multiply updates by `schedule(count)`; the state counts steps. */
export function scaleBySchedule(schedule: Schedule): GradientTransformation<{ count: Array }> {
  if (typeof schedule !== "function")
    throw new ValueError(`scaleBySchedule: schedule must be a function of the step count; got ${describe(schedule)}`);
  return {
    init: () => ({ count: zeroCount() }),
    update: (u, state) => {
      const step = schedule(state.count);
      return [mapUpdates((g) => np.multiply(g, step).astype(g.dtype), u), { count: safeIncrement(state.count) }];
    },
  };
}

/** Scale by -learningRate (descent), constant or scheduled. */
export function scaleByLearningRate(learningRate: ScalarOrSchedule, flipSign = true): GradientTransformation<unknown> {
  checkLearningRate("scaleByLearningRate", learningRate);
  const m = flipSign ? -1 : 1;
  if (typeof learningRate === "function") return scaleBySchedule((c) => np.multiply(m, learningRate(c)));
  return scale(m * learningRate);
}

/**
 * `params + updates`, leaf by leaf, keeping each parameter's dtype. Leaves whose update is `null`
 * (not trained: int arrays, static values) are kept, so `params` may be the whole model.
 */
export function applyUpdates<T>(params: T, updates: unknown): T {
  const [pLeaves, def] = treeFlatten(params, nullLeaf);
  const [uLeaves, udef] = treeFlatten(updates, nullLeaf);
  if (!udef.equals(def))
    throw new ValueError(
      `applyUpdates: the updates do not have the structure of the params; first difference at ${firstTreeDifference(updates, params, nullLeaf)}`,
    );
  return treeUnflatten<T>(
    def,
    pLeaves.map((p, i) => {
      const u = uLeaves[i];
      if (!(u instanceof Array)) return p;
      if (!(p instanceof Array))
        throw new ValueError(`applyUpdates: leaf ${i} has an update but the parameter is ${String(p)}`);
      return np.add(p, u).astype(p.dtype);
    }),
  );
}
