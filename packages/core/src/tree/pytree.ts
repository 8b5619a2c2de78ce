/**
 * Pytrees: nested containers of leaves. Like JAX: arrays and numbers are leaves; plain objects,
 * JS arrays and registered classes are nodes; `null`/`undefined` are empty nodes (JAX's `None`).
 * Classes join with `registerPytreeNode(Class, flatten, unflatten)`; nn.Module registers every
 * subclass automatically.
 */
import { ValueError } from "../errors.ts";

export type Leaf = unknown;
/** A pytree of `T` leaves (loosely typed: any nesting of arrays/objects). */
export type PyTree<T = unknown> = T | readonly PyTree<T>[] | { readonly [k: string]: PyTree<T> } | null | undefined;

export interface NodeHandler<T = unknown, Aux = unknown> {
  flatten(x: T): [children: unknown[], aux: Aux, keys?: string[]];
  unflatten(aux: Aux, children: unknown[]): T;
}

type Ctor = abstract new (...args: never[]) => unknown;
const registry = new Map<Ctor, NodeHandler>();
const handlerIds = new Map<NodeHandler, number>();

/** Register a class as a pytree node type (its subclasses too, unless they register themselves). */
export function registerPytreeNode<T, Aux>(
  cls: abstract new (...args: never[]) => T,
  flatten: NodeHandler<T, Aux>["flatten"],
  unflatten: NodeHandler<T, Aux>["unflatten"],
): void {
  const h = { flatten, unflatten } as NodeHandler;
  registry.set(cls as unknown as Ctor, h);
  handlerIds.set(h, handlerIds.size);
}

function handlerFor(x: object): NodeHandler | undefined {
  let proto: object | null = Object.getPrototypeOf(x);
  while (proto !== null && proto !== Object.prototype) {
    const h = registry.get((proto as { constructor: Ctor }).constructor);
    if (h !== undefined) return h;
    proto = Object.getPrototypeOf(proto);
  }
  return undefined;
}

/** The structure of a pytree with its leaves removed. */
export class TreeDef {
  constructor(
    readonly kind: "leaf" | "none" | "undefined" | "array" | "object" | "custom",
    readonly children: readonly TreeDef[],
    readonly aux: unknown,
    readonly keys: readonly string[] | undefined,
    readonly handler: NodeHandler | undefined,
  ) {}
  get numLeaves(): number {
    return this.kind === "leaf" ? 1 : this.children.reduce((a, c) => a + c.numLeaves, 0);
  }
  equals(o: TreeDef): boolean {
    if (this.kind !== o.kind || this.children.length !== o.children.length || this.handler !== o.handler) return false;
    if (this.kind === "object" && JSON.stringify(this.aux) !== JSON.stringify(o.aux)) return false;
    if (this.kind === "custom" && !auxEquals(this.aux, o.aux)) return false;
    return this.children.every((c, i) => c.equals(o.children[i]));
  }
  toString(): string {
    switch (this.kind) {
      case "leaf":
        return "*";
      case "none":
        return "null";
      case "undefined":
        return "undefined";
      case "array":
        return `[${this.children.map(String).join(", ")}]`;
      case "object":
        return `{${(this.aux as string[]).map((k, i) => `${k}: ${this.children[i]}`).join(", ")}}`;
      case "custom":
        // The handler and aux data are part of the structure (jit's cache key is built from this
        // string): two modules differing only in a static field must not share a trace.
        return `Custom#${handlerIds.get(this.handler as NodeHandler) ?? "?"}<${auxString(this.aux)}>(${this.children.map(String).join(", ")})`;
    }
  }
}

function auxString(a: unknown): string {
  if (a === undefined || a === null) return "";
  try {
    return JSON.stringify(a) ?? String(a);
  } catch {
    return String(a);
  }
}

function auxEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  try {
    return JSON.stringify(a) === JSON.stringify(b);
  } catch {
    return false;
  }
}

/** Whether `x` is a leaf by default (not a container): arrays of the library, numbers, booleans, strings, functions... */
export type IsLeaf = (x: unknown) => boolean;

/** Whether `x` is a record (`{...}` or `Object.create(null)`), not a class instance. */
export function isPlainObject(x: object): boolean {
  const p = Object.getPrototypeOf(x);
  return p === Object.prototype || p === null;
}

/** Flatten a pytree into its leaves and structure. `isLeaf` can stop the recursion early. */
export function treeFlatten(tree: unknown, isLeaf?: IsLeaf): [unknown[], TreeDef] {
  const leaves: unknown[] = [];
  const rec = (x: unknown): TreeDef => {
    if (isLeaf?.(x)) {
      leaves.push(x);
      return LEAF;
    }
    if (x === null) return NONE;
    if (x === undefined) return UNDEF;
    if (globalThis.Array.isArray(x)) return new TreeDef("array", x.map(rec), undefined, undefined, undefined);
    if (typeof x === "object") {
      const h = handlerFor(x);
      if (h !== undefined) {
        const [children, aux, keys] = h.flatten(x);
        return new TreeDef("custom", children.map(rec), aux, keys, h);
      }
      if (isPlainObject(x)) {
        const keys = Object.keys(x).sort();
        return new TreeDef(
          "object",
          keys.map((k) => rec((x as Record<string, unknown>)[k])),
          keys,
          keys,
          undefined,
        );
      }
    }
    leaves.push(x);
    return LEAF;
  };
  const def = rec(tree);
  return [leaves, def];
}
const LEAF = new TreeDef("leaf", [], undefined, undefined, undefined);
const NONE = new TreeDef("none", [], undefined, undefined, undefined);
const UNDEF = new TreeDef("undefined", [], undefined, undefined, undefined);

/** Rebuild a pytree from its structure and leaves. */
export function treeUnflatten<T = unknown>(def: TreeDef, leaves: readonly unknown[]): T {
  if (leaves.length !== def.numLeaves)
    throw new ValueError(`treeUnflatten: structure ${def} has ${def.numLeaves} leaves but ${leaves.length} were given`);
  let pos = 0;
  const rec = (d: TreeDef): unknown => {
    switch (d.kind) {
      case "leaf":
        return leaves[pos++];
      case "none":
        return null;
      case "undefined":
        return undefined;
      case "array":
        return d.children.map(rec);
      case "object": {
        const o: Record<string, unknown> = {};
        (d.aux as string[]).forEach((k, i) => (o[k] = rec(d.children[i])));
        return o;
      }
      case "custom":
        return (d.handler as NodeHandler).unflatten(d.aux, d.children.map(rec));
    }
  };
  return rec(def) as T;
}

export function treeLeaves(tree: unknown, isLeaf?: IsLeaf): unknown[] {
  return treeFlatten(tree, isLeaf)[0];
}
export function treeStructure(tree: unknown, isLeaf?: IsLeaf): TreeDef {
  return treeFlatten(tree, isLeaf)[1];
}

/** Map `f` over the leaves of `tree` (and the matching leaves of `rest`, which must share its structure). */
export function treeMap(f: (...leaves: never[]) => unknown, tree: unknown, ...rest: unknown[]): unknown;
export function treeMap(f: (...leaves: never[]) => unknown, tree: unknown, ...rest: unknown[]): unknown {
  const [leaves, def] = treeFlatten(tree);
  const others = rest.map((r) => {
    const [l, d] = treeFlatten(r);
    if (!d.equals(def)) throw new ValueError(`treeMap: trees have different structures: ${def} vs ${d}`);
    return l;
  });
  const fn = f as (...xs: unknown[]) => unknown;
  return treeUnflatten(
    def,
    leaves.map((l, i) => fn(l, ...others.map((o) => o[i]))),
  );
}

/** Leaves paired with their key paths (`encoder.linear.weight`, `blocks.0.B`), as safetensors names them. */
export function treeLeavesWithPath(tree: unknown, isLeaf?: IsLeaf): [string[], unknown][] {
  const out: [string[], unknown][] = [];
  const rec = (x: unknown, path: string[]) => {
    if (isLeaf?.(x)) return void out.push([path, x]);
    if (x === null || x === undefined) return;
    if (globalThis.Array.isArray(x)) return x.forEach((c, i) => rec(c, [...path, String(i)]));
    if (typeof x === "object") {
      const h = handlerFor(x);
      if (h !== undefined) {
        const [children, , keys] = h.flatten(x);
        return children.forEach((c, i) => rec(c, [...path, keys?.[i] ?? String(i)]));
      }
      if (isPlainObject(x))
        return Object.keys(x)
          .sort()
          .forEach((k) => rec((x as Record<string, unknown>)[k], [...path, k]));
    }
    out.push([path, x]);
  };
  rec(tree, []);
  return out;
}
