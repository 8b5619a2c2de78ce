/**
 * `produce(tree, recipe)`: immer's draft-and-commit update, over pytrees of modules.
 *
 * Built on immer (`Module` is marked `immerable` in module.ts, so immer drafts a module like a
 * plain object and copies it as `Object.create(prototype)` plus its own fields — what
 * `replaceFields` does — so a produced module is an instance of its class with working methods,
 * and its field order, hence its pytree structure and `jit` cache key, is the input's). Our
 * `Array` is a class instance without the `immerable` mark, so immer never drafts, copies or
 * walks it: arrays are leaves, as are `State` objects, functions and other class instances
 * (assigned as a whole). Lists, plain objects and modules are drafted.
 *
 * What immer does not enforce and a pytree needs is checked after the recipe ran, from immer's
 * patches (so only what was edited is looked at): a module's fields and a list's length are fixed
 * (a module cannot gain or lose a field, a list cannot grow or shrink), and no key of a plain
 * object is deleted. Replacing a whole node (`d.layers = d.layers.slice(0, 2)`) is allowed.
 */
import { Immer, enablePatches, type Patch } from "immer";
import { type Array, LinaxError, ValueError } from "@linax-ts/core";
import { Module } from "./module.ts";
import { isPlainObject } from "./tree-nodes.ts";

/**
 * nn's own immer instance (the global one, and the settings of a user's immer, stay untouched),
 * with auto-freeze off. Auto-freeze would deep-freeze not only the copies but also every
 * untouched, not yet frozen part of the caller's input (all of it for a no-op recipe), walking
 * the whole tree on the first call — a side effect on objects `produce` promises to leave alone,
 * including the user's own lists and objects. Modules are immutable by convention (`readonly`
 * fields, and nothing in nn mutates one), so freezing buys no safety the types do not give.
 * Consequence: the modules, lists and objects `produce` copies are not frozen.
 */
const engine = new Immer({ autoFreeze: false });
// The structure check reads immer's patches. The plugin registry is immer's, shared by every
// instance: loading it only makes patches available, it changes no produce that asks for none.
enablePatches();

/** A writable view of a pytree type (`readonly` removed at every level except arrays and functions). */
export type Draft<T> = T extends Array
  ? T
  : T extends (...args: never[]) => unknown
    ? T
    : T extends object
      ? { -readonly [K in keyof T]: Draft<T[K]> }
      : T;

/** Whether `x` is a container immer drafts here: a module, a list or a plain object. */
const isContainer = (x: unknown): x is object => x instanceof Module || globalThis.Array.isArray(x) || isPlainObject(x);

/** The node at `path` (keys / indices) in `tree`. */
function nodeAt(tree: unknown, path: readonly (string | number)[]): unknown {
  let x = tree;
  for (const k of path) x = x === null || x === undefined ? undefined : (x as Record<string | number, unknown>)[k];
  return x;
}

/**
 * Throw when a patch changed the structure of a node immer copied. immer reports an edit of a
 * draft as `add` / `remove` patches exactly when the copy gained / lost a key of its own base (a
 * wholesale replacement is one `replace`), at the copy's place in the result: a module's
 * fields and a list's length are fixed, and no key of a plain object may be deleted.
 */
function checkPatches(result: unknown, patches: readonly Patch[]): void {
  for (const p of patches) {
    if (p.op === "replace" || p.path.length === 0) continue;
    const where = p.path.slice(0, -1);
    const key = p.path[p.path.length - 1];
    const node = nodeAt(result, where);
    const at = where.length === 0 ? "" : ` at '${where.join(".")}'`;
    if (node instanceof Module) {
      const name = node.constructor.name;
      if (p.op === "add")
        throw new ValueError(`produce: ${name}${at} has no field '${key}' (modules cannot gain fields)`);
      throw new ValueError(`produce: cannot delete field '${key}' of ${name}${at} (pytree structure is fixed)`);
    }
    if (globalThis.Array.isArray(node)) {
      if (p.op === "add")
        throw new ValueError(
          `produce: index ${node.length - 1} is out of range for a list of length ${key}${at} (lists cannot grow)`,
        );
      throw new ValueError(`produce: the list${at} cannot shrink to length ${node.length} (pytree structure is fixed)`);
    }
    if (isPlainObject(node) && p.op === "remove")
      throw new ValueError(`produce: cannot delete '${key}'${at} (pytree structure is fixed)`);
  }
}

/**
 * An immer `produce` over a pytree: `recipe` assigns to a draft of `tree`
 * (`draft.layers[0].bias = b`, `draft.eps = 1e-6`, `draft.layers[1] = newLayer`) and `produce`
 * returns the updated copy, sharing every untouched subtree with `tree`, which is not modified.
 * Reads of the draft see earlier assignments, and a draft's methods work (`draft.layers[0].call(x)`).
 * Modules, lists and plain objects are drafted; arrays, `State`s and other class instances are
 * leaves, assigned as a whole. As in immer, the recipe may instead return a new tree (without
 * modifying the draft), and `produce` nests (`d.block = produce(d.block, (b) => { ... })`).
 * Drafts are revoked when `produce` returns: keeping one and using it later throws a `TypeError`.
 *
 * @throws ValueError when an assignment would change the tree's structure (a module field that
 *   does not exist, a deleted field or key, a list index out of range or a list length change),
 *   when the tree is not a module, list or plain object, and for immer's own usage errors (a recipe
 *   that modifies its draft and also returns a value — write `(d) => { d.x = 1; }`, not
 *   `(d) => (d.x = 1)`) or a recipe returning a Promise (drafts are synchronous).
 */
export function produce<T>(tree: T, recipe: (draft: Draft<T>) => T | Draft<T> | void): T {
  if (!isContainer(tree)) throw new ValueError("produce: the tree must be a module, a list or a plain object");
  type Run = (base: unknown, recipe: (draft: unknown) => unknown, listener: (patches: Patch[]) => void) => unknown;
  let patches: Patch[] = [];
  let result: unknown;
  try {
    result = (engine.produce as unknown as Run)(
      tree,
      (draft) => {
        const returned = recipe(draft as Draft<T>);
        if (returned instanceof Promise)
          throw new ValueError("produce: the recipe returned a Promise; drafts can only be edited synchronously");
        return returned;
      },
      (p) => (patches = p),
    );
  } catch (e) {
    // immer's usage errors ("[Immer] An immer producer returned a new value *and* modified its draft…").
    if (e instanceof Error && !(e instanceof LinaxError) && e.message.startsWith("[Immer] "))
      throw new ValueError(`produce: ${e.message.slice("[Immer] ".length)}`, { cause: e });
    throw e;
  }
  checkPatches(result, patches);
  return result as T;
}
