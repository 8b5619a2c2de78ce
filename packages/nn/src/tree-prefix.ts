/**
 * Broadcasting a pytree *prefix* (a spec such as `[0, null]` or `{ encoder: 0 }`) to one entry
 * per leaf, as `vmap`'s `in_axes` and equinox's filter specs do.
 */
import { Array, ValueError, treeLeaves } from "@linax-ts/core";
import { nodeChildren, type IsLeaf } from "./tree-nodes.ts";

/**
 * Broadcast a prefix spec to the leaves of `tree`: every spec leaf (as decided by `isSpecLeaf`)
 * applies to all leaves of the matching subtree; `resolve(specLeaf, treeLeaf)` gives the entry.
 * Returns one entry per leaf of `treeFlatten(tree, isLeaf)`, in the same order.
 */
export function broadcastPrefix<S, R>(
  spec: unknown,
  tree: unknown,
  isSpecLeaf: (s: unknown) => s is S,
  resolve: (s: S, leaf: unknown) => R,
  what: string,
  isLeaf?: IsLeaf,
): R[] {
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
      throw new ValueError(
        `${what}: the specification has more structure than the tree at '${path || "<root>"}' (tree value: ${describe(t)})`,
      );
    }
    // Match children by key (a plain-object spec may list a module's fields in any order).
    const specByKey = new Map(sc.keys.map((k, i) => [k, sc.values[i]]));
    if (sc.keys.length !== tc.keys.length || !tc.keys.every((k) => specByKey.has(k))) {
      throw new ValueError(
        `${what}: the specification's keys [${sc.keys.join(", ")}] do not match the tree's [${tc.keys.join(", ")}] at '${path || "<root>"}'`,
      );
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
