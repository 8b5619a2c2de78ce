/**
 * `treeAt(where, tree, replace)`: a functional update of an immutable pytree, as equinox's
 * `tree_at`. `where` receives a stand-in of the tree and returns the node(s) to replace — any
 * subtree, leaf, or a module's static field — e.g. `treeAt((m) => m.layers[1].bias, model, b)`.
 *
 * How nodes are located: `where` is run on a copy of the tree in which every leaf is a unique
 * marker object and every container is a fresh object, so the returned objects identify their
 * positions even when the same array appears twice. Static fields and `null` values cannot be told
 * apart by identity (`5 === 5`), so if the first run returns any of them, `where` is run again on a
 * copy where those are markers too. Unchanged subtrees are shared with the input.
 */
import { ValueError } from "@linax-ts/core";
import { Module, isStaticFieldValue, replaceFields } from "./module.ts";
import { isLeafValue, nodeChildren, type IsLeaf } from "./tree-nodes.ts";

class Marker {
  constructor(readonly path: readonly string[]) {}
  toString(): string {
    return `<treeAt marker ${this.path.join(".")}>`;
  }
}

const pathKey = (p: readonly string[]): string => JSON.stringify(p);

export interface TreeAtOptions<T = unknown> {
  /** Compute each replacement from the node it replaces (then pass `undefined` as `replace`). */
  replaceFn?: (old: T) => unknown;
  /** Treat these subtrees as leaves (so `where` may select them without descending). */
  isLeaf?: IsLeaf;
}

function buildStandIn(
  tree: unknown,
  markAll: boolean,
  isLeaf: IsLeaf | undefined,
  nodePaths: Map<object, readonly string[]>,
): unknown {
  const rec = (x: unknown, path: readonly string[]): unknown => {
    if (isLeaf?.(x)) return new Marker(path);
    if (x === null || x === undefined) return markAll ? new Marker(path) : x;
    if (isLeafValue(x)) return new Marker(path);
    let out: unknown;
    if (x instanceof Module) {
      const obj = Object.create(Object.getPrototypeOf(x)) as Record<string, unknown>;
      for (const [k, v] of Object.entries(x)) {
        obj[k] = isStaticFieldValue(v) ? (markAll ? new Marker([...path, k]) : v) : rec(v, [...path, k]);
      }
      out = obj;
    } else {
      const ch = nodeChildren(x, isLeaf);
      if (ch === undefined) return new Marker(path);
      out = ch.rebuild(ch.values.map((v, i) => rec(v, [...path, ch.keys[i]])));
    }
    if (typeof out === "object" && out !== null) nodePaths.set(out, path);
    return out;
  };
  return rec(tree, []);
}

/** Paths selected by `where`, or undefined if some returned value is not identifiable. */
function locate(
  selected: unknown,
  nodePaths: Map<object, readonly string[]>,
): { paths: (readonly string[])[]; single: boolean } | undefined {
  const one = (o: unknown): readonly string[] | undefined => {
    if (o instanceof Marker) return o.path;
    if (typeof o === "object" && o !== null) return nodePaths.get(o);
    return undefined;
  };
  const p = one(selected);
  if (p !== undefined) return { paths: [p], single: true };
  if (globalThis.Array.isArray(selected)) {
    const ps = selected.map(one);
    if (ps.every((q) => q !== undefined)) return { paths: ps as (readonly string[])[], single: false };
  }
  return undefined;
}

/**
 * Return a copy of `tree` with the node(s) selected by `where` replaced by `replace` (one value,
 * or a list with one value per node when `where` returns a list of nodes), or by
 * `opts.replaceFn(old)`.
 */
export function treeAt<T>(where: (tree: T) => unknown, tree: T, replace: unknown, opts: TreeAtOptions = {}): T {
  const { replaceFn, isLeaf } = opts;
  if (replaceFn !== undefined && replace !== undefined)
    throw new ValueError("treeAt: pass either `replace` or `replaceFn`, not both");
  let nodePaths = new Map<object, readonly string[]>();
  let found = locate(where(buildStandIn(tree, false, isLeaf, nodePaths) as T), nodePaths);
  if (found === undefined) {
    nodePaths = new Map();
    let sel: unknown;
    try {
      sel = where(buildStandIn(tree, true, isLeaf, nodePaths) as T);
    } catch {
      sel = undefined;
    }
    found = locate(sel, nodePaths);
  }
  if (found === undefined) {
    throw new ValueError(
      "treeAt: `where` must return a node of the tree (a subtree, a leaf, a static field or a null field), or a list of such nodes, and must not depend on leaf values",
    );
  }
  const { paths, single } = found;
  const keys = paths.map(pathKey);
  if (new Set(keys).size !== keys.length) throw new ValueError("treeAt: `where` selected the same node more than once");
  for (const a of paths) {
    for (const b of paths) {
      if (a !== b && a.length < b.length && a.every((k, i) => b[i] === k)) {
        throw new ValueError(
          `treeAt: \`where\` selected both '${a.join(".") || "<root>"}' and a node inside it ('${b.join(".")}')`,
        );
      }
    }
  }
  let replacements: unknown[] = [];
  if (replaceFn === undefined) {
    if (single) replacements = [replace];
    else {
      if (!globalThis.Array.isArray(replace) || replace.length !== paths.length) {
        throw new ValueError(
          `treeAt: \`where\` selected ${paths.length} nodes, so \`replace\` must be a list of ${paths.length} values`,
        );
      }
      replacements = replace;
    }
  }
  const index = new Map(keys.map((k, i) => [k, i]));
  const prefixes = new Set<string>();
  for (const p of paths) for (let n = 0; n <= p.length; n++) prefixes.add(pathKey(p.slice(0, n)));

  const rebuild = (x: unknown, path: readonly string[]): unknown => {
    const k = pathKey(path);
    const i = index.get(k);
    if (i !== undefined) return replaceFn !== undefined ? replaceFn(x) : replacements[i];
    if (!prefixes.has(k)) return x; // nothing selected below: share the subtree
    if (x instanceof Module) {
      const fields: Record<string, unknown> = {};
      for (const [f, v] of Object.entries(x)) fields[f] = rebuild(v, [...path, f]);
      return replaceFields(x, fields);
    }
    const ch = nodeChildren(x, isLeaf);
    if (ch === undefined) throw new ValueError(`treeAt: internal error: no node at '${path.join(".")}'`);
    return ch.rebuild(ch.values.map((v, j) => rebuild(v, [...path, ch.keys[j]])));
  };
  return rebuild(tree, []) as T;
}
