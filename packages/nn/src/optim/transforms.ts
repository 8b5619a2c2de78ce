/**
 * The building blocks of optimizers, following optax's definitions (`trace`, `scale_by_adam`,
 * `scale_by_lion`, `add_decayed_weights`, `clip_by_global_norm`, `masked`).
 */
import { Array, ValueError, np, treeFlatten, treeUnflatten } from "@linax-ts/core";
import { filterMask, type FilterSpec } from "../filters.ts";
import { safeIncrement, zeroCount, type EmptyState, type GradientTransformation } from "./base.ts";
import { globalNorm, mapUpdates, nullLeaf, zerosLikeTree } from "./tree.ts";
import {
  checkKeys,
  checkNumber,
  checkOptionalBoolean,
  checkOptionalNumber,
  checkSameTree,
  describe,
} from "../validate.ts";

/**
 * The state handed to `update` must be the one `init` made for a tree of the updates' structure:
 * an object with `fields`, and each moment tree (`trees`) shaped like the updates. A state from
 * another optimizer or model otherwise fails deep inside an op, or silently pairs wrong leaves.
 */
function checkState(
  op: string,
  state: unknown,
  fields: readonly string[],
  trees: readonly string[],
  updates: unknown,
): void {
  if (typeof state !== "object" || state === null || fields.some((f) => !(f in state))) {
    throw new ValueError(
      `${op}.update: the state must be the object {${fields.join(", ")}} that ${op}'s init returned; got ${describe(state)}${typeof state === "object" && state !== null ? ` with keys {${Object.keys(state).join(", ")}}` : ""}`,
    );
  }
  for (const t of trees)
    checkSameTree(
      `${op}.update`,
      `state.${t}`,
      (state as Record<string, unknown>)[t],
      "the updates",
      updates,
      nullLeaf,
    );
}

/** Momentum: `t ← g + decay·t`; updates are `t` (or `g + decay·t` with Nesterov). */
export function trace(opts: { decay: number; nesterov?: boolean }): GradientTransformation<{ trace: unknown }> {
  checkKeys("trace", opts, ["decay", "nesterov"]);
  checkNumber("trace", "decay", opts.decay, { min: 0 });
  checkOptionalBoolean("trace", "nesterov", opts.nesterov);
  const { decay, nesterov = false } = opts;
  return {
    init: (params) => ({ trace: zerosLikeTree(params) }),
    update: (updates, state) => {
      checkState("trace", state, ["trace"], ["trace"], updates);
      const f = (g: Array, t: unknown) => np.add(g, np.multiply(decay, t as Array));
      const newTrace = mapUpdates(f, updates, state.trace);
      const out = nesterov ? mapUpdates(f, updates, newTrace) : newTrace;
      return [out, { trace: newTrace }];
    },
  };
}

export interface AdamOptions {
  b1?: number;
  b2?: number;
  eps?: number;
  epsRoot?: number;
  /** Nesterov momentum (NAdam). */
  nesterov?: boolean;
}

/** Adam's rescaling: bias-corrected first moment / (sqrt(bias-corrected second moment + epsRoot) + eps). */
export function scaleByAdam(
  opts: AdamOptions = {},
): GradientTransformation<{ count: Array; mu: unknown; nu: unknown }> {
  checkKeys("scaleByAdam", opts, ["b1", "b2", "eps", "epsRoot", "nesterov"]);
  checkOptionalNumber("scaleByAdam", "b1", opts.b1, { min: 0, max: 1, openMax: true });
  checkOptionalNumber("scaleByAdam", "b2", opts.b2, { min: 0, max: 1, openMax: true });
  checkOptionalNumber("scaleByAdam", "eps", opts.eps, { min: 0 });
  checkOptionalNumber("scaleByAdam", "epsRoot", opts.epsRoot, { min: 0 });
  checkOptionalBoolean("scaleByAdam", "nesterov", opts.nesterov);
  const { b1 = 0.9, b2 = 0.999, eps = 1e-8, epsRoot = 0, nesterov = false } = opts;
  // eps = epsRoot = 0 divides 0 by 0 for a zero gradient (NaN updates); optax allows it, we do not.
  if (eps === 0 && epsRoot === 0)
    throw new ValueError(
      "scaleByAdam: eps and epsRoot are both 0, so a zero gradient gives 0/0 = NaN updates; make one of them positive",
    );
  return {
    init: (params) => ({ count: zeroCount(), mu: zerosLikeTree(params), nu: zerosLikeTree(params) }),
    update: (updates, state) => {
      checkState("scaleByAdam", state, ["count", "mu", "nu"], ["mu", "nu"], updates);
      const mu = mapUpdates((g, m) => np.add(np.multiply(1 - b1, g), np.multiply(b1, m as Array)), updates, state.mu);
      const nu = mapUpdates(
        (g, v) => np.add(np.multiply(1 - b2, np.square(g)), np.multiply(b2, v as Array)),
        updates,
        state.nu,
      );
      const count = safeIncrement(state.count);
      const corr = (decay: number, c: Array) => np.subtract(1, np.power(decay, c.astype("float32")));
      const c1 = corr(b1, count);
      const c2 = corr(b2, count);
      const muHat = nesterov
        ? mapUpdates(
            (m, g) =>
              np.add(
                np.divide(np.multiply(b1, m), corr(b1, safeIncrement(count))),
                np.divide(np.multiply(1 - b1, g as Array), c1),
              ),
            mu,
            updates,
          )
        : mapUpdates((m) => np.divide(m, c1), mu);
      const out = mapUpdates(
        (m, v) => np.divide(m, np.add(np.sqrt(np.add(np.divide(v as Array, c2), epsRoot)), eps)),
        muHat,
        nu,
      );
      return [out, { count, mu, nu }];
    },
  };
}

/** Lion's update direction `sign((1-b1) g + b1 m)`, with momentum `m ← (1-b2) g + b2 m`. */
export function scaleByLion(
  opts: { b1?: number; b2?: number } = {},
): GradientTransformation<{ count: Array; mu: unknown }> {
  checkKeys("scaleByLion", opts, ["b1", "b2"]);
  checkOptionalNumber("scaleByLion", "b1", opts.b1, { min: 0, max: 1 });
  checkOptionalNumber("scaleByLion", "b2", opts.b2, { min: 0, max: 1 });
  const { b1 = 0.9, b2 = 0.99 } = opts;
  return {
    init: (params) => ({ count: zeroCount(), mu: zerosLikeTree(params) }),
    update: (updates, state) => {
      checkState("scaleByLion", state, ["count", "mu"], ["mu"], updates);
      const out = mapUpdates(
        (g, m) => np.sign(np.add(np.multiply(1 - b1, g), np.multiply(b1, m as Array))),
        updates,
        state.mu,
      );
      const mu = mapUpdates((g, m) => np.add(np.multiply(1 - b2, g), np.multiply(b2, m as Array)), updates, state.mu);
      return [out, { count: safeIncrement(state.count), mu }];
    },
  };
}

/**
 * Apply `inner` only to the leaves selected by `mask`, a filter spec: a pytree prefix of booleans
 * or a per-leaf predicate such as `(p) => p.ndim > 1` (optax's
 * `mask=lambda params: tree_map(pred, params)` in one function). Other updates pass through.
 */
export function masked<S>(inner: GradientTransformation<S>, mask: FilterSpec): GradientTransformation<{ inner: S }> {
  // Null positions (untrained leaves) are never selected; a predicate only sees arrays.
  const spec: FilterSpec =
    typeof mask === "function"
      ? (l: unknown) => l !== null && l !== undefined && Boolean((mask as (x: unknown) => boolean)(l))
      : mask;
  return maskedBy(inner, (tree) => filterMask(tree, spec, nullLeaf));
}

/**
 * `masked` with the mask computed by `maskOf(tree, params)`: one boolean per leaf of `tree`
 * flattened with null as a leaf (`tree` is the params at init, the updates at update).
 */
export function maskedBy<S>(
  inner: GradientTransformation<S>,
  maskOf: (tree: unknown, params: unknown) => boolean[],
): GradientTransformation<{ inner: S }> {
  const select = (tree: unknown, m: boolean[]) => {
    const [leaves, def] = treeFlatten(tree, nullLeaf);
    return treeUnflatten(
      def,
      leaves.map((l, i) => (m[i] ? l : null)),
    );
  };
  return {
    init: (params) => ({ inner: inner.init(select(params, maskOf(params, params))) }),
    update: (updates, state, params) => {
      const m = maskOf(updates, params);
      const [innerUpdates, s] = inner.update(
        select(updates, m),
        state.inner,
        params === undefined || params === null ? undefined : select(params, m),
      );
      const [uLeaves, def] = treeFlatten(updates, nullLeaf);
      const [iLeaves] = treeFlatten(innerUpdates, nullLeaf);
      return [
        treeUnflatten(
          def,
          uLeaves.map((u, i) => (m[i] ? iLeaves[i] : u)),
        ),
        { inner: s },
      ];
    },
  };
}

/** `updates + weightDecay · params` (decoupled weight decay), optionally on a subset (`mask`). */
export function addDecayedWeights(
  weightDecay = 0,
  mask?: FilterSpec,
): GradientTransformation<EmptyState | { inner: EmptyState }> {
  checkNumber("addDecayedWeights", "weightDecay", weightDecay);
  const base: GradientTransformation<EmptyState> = {
    init: () => ({}) as EmptyState,
    update: (updates, state, params) => {
      if (params === undefined || params === null)
        throw new ValueError("addDecayedWeights: update needs the params (pass them as the third argument)");
      return [
        mapUpdates((g, p) => (p instanceof Array ? np.add(g, np.multiply(weightDecay, p)) : g), updates, params),
        state,
      ];
    },
  };
  return mask === undefined ? base : (masked(base, mask) as GradientTransformation<EmptyState | { inner: EmptyState }>);
}

/** Rescale all updates together so that their global norm is at most `maxNorm`. */
export function clipByGlobalNorm(maxNorm: number): GradientTransformation<EmptyState> {
  checkNumber("clipByGlobalNorm", "maxNorm", maxNorm, { min: 0, openMin: true });
  return {
    init: () => ({}) as EmptyState,
    update: (updates, state) => {
      const norm = globalNorm(updates);
      const small = np.less(norm, maxNorm);
      return [mapUpdates((t) => np.where(small, t, np.multiply(np.divide(t, norm), maxNorm)), updates), state];
    },
  };
}

/** Clip every update elementwise to [-maxDelta, maxDelta]. */
export function clip(maxDelta: number): GradientTransformation<EmptyState> {
  checkNumber("clip", "maxDelta", maxDelta, { min: 0 });
  return {
    init: () => ({}) as EmptyState,
    update: (updates, state) => [mapUpdates((t) => np.clip(t, -maxDelta, maxDelta), updates), state],
  };
}
