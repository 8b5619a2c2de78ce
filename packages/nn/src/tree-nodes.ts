/**
 * Looking at one pytree node on top of core's registry: its immediate children (for every node
 * type core knows), the plain-object test core's flattening uses, and the leaf test.
 * Broadcasting a prefix spec over a tree is in tree-prefix.ts.
 */
import { Array, treeFlatten, treeUnflatten } from "@linax-ts/core";

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
