/**
 * Small pytree helpers on top of core's registry: one-level children of any node, the
 * plain-object test core's flattening uses, and broadcasting a pytree *prefix* (a spec such as
 * `[0, null]` or `{ encoder: 0 }`) to one entry per leaf, as `vmap`'s `in_axes` and equinox's
 * filter specs do.
 */
import { Array, ValueError, treeFlatten, treeLeaves, treeUnflatten } from "@linax-ts/core";

export type IsLeaf = (x: unknown) => boolean;

/** Whether `x` is a plain object (`{...}` or `Object.create(null)`): a pytree node for core, keyed by property. */
export function isPlainObject(x: unknown): x is Record<string, unknown> {
  if (typeof x !== "object" || x === null) return false;
  const p = Object.getPrototypeOf(x);
  return p === Object.prototype || p === null;
}

/** A node's immediate children with their keys, and a function rebuilding it from new children. */
export interface NodeChildren {
  keys: string[];
  values: unknown[];
  rebuild(values: readonly unknown[]): unknown;
}

/**
 * The immediate children of `x`, or `undefined` when `x` is a leaf (or null/undefined). Works for
 * every node type core knows (lists, plain objects, registered classes), because flattening with
 * an `isLeaf` that stops below the root yields exactly the children.
 */
export function nodeChildren(x: unknown, isLeaf?: IsLeaf): NodeChildren | undefined {
  if (x === null || x === undefined || x instanceof Array) return undefined;
  if (isLeaf?.(x)) return undefined;
  const [values, def] = treeFlatten(x, (y) => y !== x);
  if (def.kind === "leaf") return undefined;
  const keys = def.keys !== undefined ? [...def.keys] : values.map((_, i) => String(i));
  return { keys, values, rebuild: (vs) => treeUnflatten(def, vs) };
}

/** Whether `x` is a leaf under `isLeaf` (arrays, numbers, functions, ...). null/undefined are not. */
export function isLeafValue(x: unknown, isLeaf?: IsLeaf): boolean {
  if (x === null || x === undefined) return false;
  if (isLeaf?.(x)) return true;
  return nodeChildren(x) === undefined;
}

/**
 * Broadcast a prefix spec to the leaves of `tree`: every spec leaf (as decided by `isSpecLeaf`)
 * applies to all leaves of the matching subtree; `resolve(specLeaf, treeLeaf)` gives the entry.
 * Returns one entry per leaf of `treeFlatten(tree, isLeaf)`, in the same order.
 */
export function broadcastPrefix<S, R>(spec: unknown, tree: unknown, isSpecLeaf: (s: unknown) => s is S, resolve: (s: S, leaf: unknown) => R, what: string, isLeaf?: IsLeaf): R[] {
  const out: R[] = [];
  const rec = (s: unknown, t: unknown, path: string) => {
    if (isSpecLeaf(s)) {
      for (const l of treeLeaves(t, isLeaf)) out.push(resolve(s, l));
      return;
    }
    const sc = nodeChildren(s);
    const tc = nodeChildren(t, isLeaf);
    if (sc === undefined) throw new ValueError(`${what}: invalid specification ${String(s)} at '${path || "<root>"}'`);
    if (tc === undefined) {
      throw new ValueError(`${what}: the specification has more structure than the tree at '${path || "<root>"}' (tree value: ${describe(t)})`);
    }
    // Match children by key (a plain-object spec may list a module's fields in any order).
    const specByKey = new Map(sc.keys.map((k, i) => [k, sc.values[i]]));
    if (sc.keys.length !== tc.keys.length || !tc.keys.every((k) => specByKey.has(k))) {
      throw new ValueError(`${what}: the specification's keys [${sc.keys.join(", ")}] do not match the tree's [${tc.keys.join(", ")}] at '${path || "<root>"}'`);
    }
    tc.values.forEach((v, i) => rec(specByKey.get(tc.keys[i]), v, path ? `${path}.${tc.keys[i]}` : tc.keys[i]));
  };
  rec(spec, tree, "");
  return out;
}

function describe(x: unknown): string {
  if (x instanceof Array) return x.aval.toString();
  if (x === null || x === undefined) return String(x);
  if (typeof x === "object") return `an object of type ${x.constructor?.name ?? "Object"}`;
  return `${typeof x} ${String(x)}`;
}
