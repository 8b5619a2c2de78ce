/**
 * `multiTransform`: different optimizers for different parameters (optax's `multi_transform`).
 * Each parameter leaf gets a string label; each label's transformation sees only its leaves.
 */
import { Array, ValueError, treeFlatten } from "@linax-ts/core";
import { Module, flattenModule } from "../module.ts";
import { nodeChildren } from "../tree-nodes.ts";
import type { GradientTransformation } from "./base.ts";
import { maskedBy } from "./transforms.ts";
import { nullLeaf } from "./tree.ts";

/** Labels: a pytree matching the params with a string at each array leaf, or a function of the params returning one. */
export type ParamLabels = unknown | ((params: unknown) => unknown);

/**
 * One label per leaf of `params` (flattened with null as a leaf), read from `labels` by walking
 * both trees by key. Walking by key (not by flattening `labels`) matters for modules: a string in
 * a module field would otherwise count as a static field, not a leaf.
 */
export function leafLabels(params: unknown, labels: unknown): (string | null)[] {
  const out: (string | null)[] = [];
  const rec = (p: unknown, l: unknown, path: string) => {
    if (nullLeaf(p)) {
      out.push(null);
      return;
    }
    if (typeof l === "string") {
      // A label given for a whole subtree applies to all its leaves.
      for (let i = 0; i < treeFlatten(p, nullLeaf)[0].length; i++) out.push(l);
      return;
    }
    if (p instanceof Array || nodeChildren(p) === undefined) {
      if (nullLeaf(l)) {
        out.push(null);
        return;
      }
      throw new ValueError(`multiTransform: the label at '${path || "<root>"}' must be a string; got ${String(l)}`);
    }
    const keys = p instanceof Module ? flattenModule(p)[2] : (nodeChildren(p)?.keys ?? []);
    const values = p instanceof Module ? flattenModule(p)[0] : (nodeChildren(p)?.values ?? []);
    if (l === null || l === undefined || typeof l !== "object")
      throw new ValueError(`multiTransform: no labels for the subtree at '${path || "<root>"}'`);
    keys.forEach((k, i) => rec(values[i], (l as Record<string, unknown>)[k], path ? `${path}.${k}` : k));
  };
  rec(params, labels, "");
  return out;
}

/** optax's `multi_transform`: `transforms[label]` updates the leaves labelled `label`. */
export function multiTransform(
  transforms: Readonly<Record<string, GradientTransformation<unknown>>>,
  paramLabels: ParamLabels,
): GradientTransformation<{ innerStates: Record<string, unknown> }> {
  const labelsOf = (params: unknown): (string | null)[] => {
    const lab = typeof paramLabels === "function" ? (paramLabels as (p: unknown) => unknown)(params) : paramLabels;
    const ls = leafLabels(params, lab);
    for (const l of ls)
      if (l !== null && !(l in transforms))
        throw new ValueError(
          `multiTransform: label '${l}' has no transformation (known: ${Object.keys(transforms).join(", ")})`,
        );
    return ls;
  };
  // Each label's transformation is masked to the leaves carrying that label.
  const inner = (label: string) =>
    maskedBy(transforms[label], (tree, params) => labelsOf(params ?? tree).map((l) => l === label));
  return {
    init: (params) => {
      const states: Record<string, unknown> = {};
      for (const label of Object.keys(transforms)) states[label] = inner(label).init(params);
      return { innerStates: states };
    },
    update: (updates, state, params) => {
      if (params === undefined && typeof paramLabels === "function")
        throw new ValueError("multiTransform: update needs the params when the labels are a function of them");
      let u = updates;
      const states: Record<string, unknown> = {};
      for (const label of Object.keys(transforms)) {
        const [nu, ns] = inner(label).update(u, state.innerStates[label] as { inner: unknown }, params);
        u = nu;
        states[label] = ns;
      }
      return [u, { innerStates: states }];
    },
  };
}
