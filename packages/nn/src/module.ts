/**
 * `Module`: the base class of every layer and model, in the style of `equinox.Module`.
 *
 * A module instance is an immutable pytree. Its fields are its own enumerable properties, in the
 * order the class declares them. A field whose value is an `Array`, a module (or any registered
 * pytree node), `null`/`undefined`, or a list / plain object containing any of those is a
 * *child* of the node, so transforms see the arrays inside it. Every other value — numbers,
 * strings, booleans, functions, lists of numbers — is *static*: it is stored in the node's aux
 * data, compared by value (functions by identity), and becomes part of `jit`'s cache key. This is
 * equinox's `field(static=True)` decided from the value, so subclasses need no annotations:
 *
 * ```ts
 * class Affine extends Module {
 *   readonly weight: Array;   // child (a leaf)
 *   readonly scale: number;   // static
 *   constructor(weight: Array, scale: number) { super(); this.weight = weight; this.scale = scale; }
 *   call(x: Array): Array { return x.mul(this.weight).mul(this.scale); }
 * }
 * ```
 *
 * Why `null` counts as a child: `partition` replaces filtered-out arrays with `null`, and the
 * replaced tree must keep the structure of the original (otherwise `combine` could not merge the
 * halves back).
 *
 * Rules for subclasses: assign every field in the constructor (reconstruction from a pytree
 * bypasses the constructor, so derived state must live in fields or be recomputed in methods),
 * and do not use `#private` fields (they would be missing on reconstructed instances).
 * Reconstructed instances are frozen (the copies `produce` makes are not: see produce.ts).
 */
import { immerable } from "immer";
import { Array, ValueError, registerPytreeNode, treeFlatten } from "@linax-ts/core";
import { identityId, staticKey } from "./static-key.ts";
import { treePformat } from "./pretty.ts";
import { isPlainObject } from "./tree-nodes.ts";

/** Base class of every nn layer and model: an immutable pytree node. See the module TSDoc. */
export abstract class Module {
  /** A readable tree summary with shapes and parameter counts. */
  toString(): string {
    return treePformat(this);
  }
  /** Node's `console.log` / `util.inspect` hook (no `node:util` import needed). */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

/** Whether `x` is an instance of some registered pytree node class (a module, `State`, ...). */
export function isPytreeNode(x: unknown): boolean {
  if (typeof x !== "object" || x === null || x instanceof Array || globalThis.Array.isArray(x)) return false;
  if (x instanceof Module) return true;
  if (isPlainObject(x)) return false;
  return treeFlatten(x, (y) => y !== x)[1].kind === "custom";
}

/**
 * Whether a field value is static (aux data) rather than a child. Static: primitives, functions,
 * opaque objects, and lists / plain objects made only of static values.
 */
export function isStaticFieldValue(v: unknown): boolean {
  if (v === null || v === undefined) return false;
  if (typeof v !== "object") return true; // number, string, boolean, bigint, symbol, function
  if (v instanceof Array) return false;
  if (globalThis.Array.isArray(v)) return v.every(isStaticFieldValue);
  if (isPlainObject(v)) return Object.values(v).every(isStaticFieldValue);
  return !isPytreeNode(v);
}

/**
 * The aux data of a module node: its class, field order and static values. `toJSON` returns a
 * canonical key, because core compares aux data through `JSON.stringify`.
 */
export class ModuleAux {
  #key: string | undefined;
  constructor(
    readonly cls: abstract new (...args: never[]) => Module,
    readonly keys: readonly string[],
    readonly childKeys: readonly string[],
    readonly statics: ReadonlyMap<string, unknown>,
  ) {}
  get key(): string {
    if (this.#key === undefined) {
      const fields = this.keys.map((k) => (this.statics.has(k) ? `${k}=${staticKey(this.statics.get(k))}` : `${k}:*`));
      this.#key = `${this.cls.name}#${identityId(this.cls)}(${fields.join(",")})`;
    }
    return this.#key;
  }
  toJSON(): string {
    return this.key;
  }
  toString(): string {
    return this.key;
  }
}

/** Split a module into children (in field order) and aux data. */
export function flattenModule(m: Module): [unknown[], ModuleAux, string[]] {
  const keys = Object.keys(m);
  const childKeys: string[] = [];
  const children: unknown[] = [];
  const statics = new Map<string, unknown>();
  for (const k of keys) {
    const v = (m as unknown as Record<string, unknown>)[k];
    if (isStaticFieldValue(v)) statics.set(k, v);
    else {
      childKeys.push(k);
      children.push(v);
    }
  }
  const cls = (m as { constructor: abstract new (...args: never[]) => Module }).constructor;
  return [children, new ModuleAux(cls, keys, childKeys, statics), childKeys];
}

/** Rebuild a module from aux data and children, without running its constructor. */
export function unflattenModule(aux: ModuleAux, children: readonly unknown[]): Module {
  const obj = Object.create(aux.cls.prototype) as Record<string, unknown>;
  let ci = 0;
  for (const k of aux.keys) obj[k] = aux.statics.has(k) ? aux.statics.get(k) : children[ci++];
  return Object.freeze(obj) as unknown as Module;
}

/**
 * Build a module of `m`'s class with some fields replaced (statics included), without running the
 * constructor — like `dataclasses.replace`. Used by `treeAt` and `inference`.
 */
export function replaceFields<M extends Module>(m: M, fields: Readonly<Record<string, unknown>>): M {
  const obj = Object.create(Object.getPrototypeOf(m)) as Record<string, unknown>;
  for (const k of Object.keys(m)) obj[k] = k in fields ? fields[k] : (m as unknown as Record<string, unknown>)[k];
  for (const k of Object.keys(fields))
    if (!(k in obj))
      throw new ValueError(
        `replaceFields: ${m.constructor.name} has no field '${k}' (fields: ${Object.keys(m).join(", ")})`,
      );
  return Object.freeze(obj) as unknown as M;
}

// immer drafts modules: the mark on the prototype covers every subclass (non-enumerable, and not a
// static, so a subclass that marks itself with `static [immerable] = true` needs no `override`).
// immer copies a module as its prototype plus its own fields, as `replaceFields` does; `nn.produce`
// is built on it, and a user's own immer `produce` drafts modules too.
Object.defineProperty(Module.prototype, immerable, { value: true });

// One registration covers every subclass: core looks up handlers along the prototype chain, and
// the class itself travels in the aux data.
registerPytreeNode(Module, flattenModule, unflattenModule);
