/**
 * Filtering, as in equinox: split a pytree into the leaves a filter selects and the rest
 * (`partition`), and merge the halves back (`combine`). The unselected positions hold `null`
 * (JAX's `None`), so each half keeps the container structure and static fields of the original.
 */
import { Array, ValueError, isInexact, treeFlatten, treeUnflatten } from "@linax-ts/core";
import type { IsLeaf } from "./tree-nodes.ts";
import { broadcastPrefix } from "./tree-prefix.ts";

/** Whether `x` is an array of the library (any dtype). */
export function isArray(x: unknown): x is Array {
  return x instanceof Array;
}

/** Whether `x` is a float or complex array: the leaves gradients are taken with respect to. */
export function isInexactArray(x: unknown): x is Array {
  return x instanceof Array && isInexact(x.dtype);
}

/** An array or a JS number/boolean (which transforms turn into arrays). */
export function isArrayLike(x: unknown): x is Array | number | boolean {
  return x instanceof Array || typeof x === "number" || typeof x === "boolean";
}

/** A filter: a boolean, a predicate on leaves, or a pytree prefix of those. */
export type FilterSpec =
  boolean | ((leaf: unknown) => boolean) | readonly FilterSpec[] | { readonly [k: string]: FilterSpec } | object;

const isSpecLeaf = (s: unknown): s is boolean | ((leaf: unknown) => boolean) =>
  typeof s === "boolean" || typeof s === "function";

/** One boolean per leaf of `treeFlatten(tree, isLeaf)`: whether the filter selects it. */
export function filterMask(tree: unknown, spec: FilterSpec, isLeaf?: IsLeaf): boolean[] {
  return broadcastPrefix(
    spec,
    tree,
    isSpecLeaf,
    (s, leaf) => (typeof s === "boolean" ? s : Boolean(s(leaf))),
    "filter",
    isLeaf,
  );
}

export interface FilterOptions {
  /** Keep the leaves the filter rejects instead. */
  inverse?: boolean;
  /** The value put in place of removed leaves (default `null`). */
  replace?: unknown;
  /** Treat these subtrees as leaves. */
  isLeaf?: IsLeaf;
}

/** Keep the leaves selected by `spec`; replace the others with `replace` (default `null`). */
export function filter<T>(tree: T, spec: FilterSpec, opts: FilterOptions = {}): T {
  const [leaves, def] = treeFlatten(tree, opts.isLeaf);
  const mask = filterMask(tree, spec, opts.isLeaf);
  const replace = opts.replace === undefined ? null : opts.replace;
  return treeUnflatten<T>(
    def,
    leaves.map((l, i) => (mask[i] !== Boolean(opts.inverse) ? l : replace)),
  );
}

/**
 * Split `tree` into `[selected, rest]`: two trees of the same structure where each leaf is in
 * exactly one of them and `null` (or `replace`) in the other. `combine(selected, rest)` undoes it.
 */
export function partition<T>(tree: T, spec: FilterSpec, opts: Omit<FilterOptions, "inverse"> = {}): [T, T] {
  const [leaves, def] = treeFlatten(tree, opts.isLeaf);
  const mask = filterMask(tree, spec, opts.isLeaf);
  const replace = opts.replace === undefined ? null : opts.replace;
  return [
    treeUnflatten<T>(
      def,
      leaves.map((l, i) => (mask[i] ? l : replace)),
    ),
    treeUnflatten<T>(
      def,
      leaves.map((l, i) => (mask[i] ? replace : l)),
    ),
  ];
}

export interface CombineOptions {
  isLeaf?: IsLeaf;
}

/**
 * Merge trees of the same structure, taking at each position the first value that is not
 * `null`/`undefined` (the inverse of `partition`).
 */
export function combine<T>(...trees: T[]): T;
export function combine<T>(...args: unknown[]): T {
  let trees = args;
  let isLeaf: IsLeaf | undefined;
  const last = args[args.length - 1];
  if (args.length > 1 && last instanceof CombineOpts) {
    trees = args.slice(0, -1);
    isLeaf = last.isLeaf;
  }
  if (trees.length === 0) throw new ValueError("combine: needs at least one tree");
  const nullLeaf = (x: unknown) => x === null || x === undefined || (isLeaf?.(x) ?? false);
  const flat = trees.map((t) => treeFlatten(t, nullLeaf));
  const [first, def] = flat[0];
  flat.forEach(([, d], i) => {
    if (!d.equals(def)) throw new ValueError(`combine: tree ${i} has structure ${d}, but tree 0 has ${def}`);
  });
  const merged = first.map((l, i) => {
    for (const [leaves] of flat) if (leaves[i] !== null && leaves[i] !== undefined) return leaves[i];
    return l;
  });
  return treeUnflatten<T>(def, merged);
}

/** Options for `combine` passed as the last argument: `combine(a, b, combineOptions({ isLeaf }))`. */
export class CombineOpts {
  constructor(readonly isLeaf?: IsLeaf) {}
}
/** Wrap options for `combine` (its trees are variadic, so options are tagged). */
export function combineOptions(opts: CombineOptions): CombineOpts {
  return new CombineOpts(opts.isLeaf);
}
