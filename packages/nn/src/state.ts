/**
 * Stateful layers, exactly as `equinox.nn.State`: a layer holds a `StateIndex` (a key plus the
 * initial value); the values live in a separate `State` pytree that is threaded through calls:
 *
 * ```ts
 * const [model, state0] = makeWithState(BatchNorm)(3, { axisName: "batch" });
 * const [y, state1] = model.call(x, state0);   // state1 = state0 with new running statistics
 * ```
 *
 * `state.set(index, value)` returns a new `State`; the old one becomes invalid, which catches the
 * classic bug of threading a stale state twice (use `cloneState` to keep an old one on purpose).
 */
import {
  Array,
  ValueError,
  np,
  treeFlatten,
  treeLeaves,
  treeLeavesWithPath,
  treeMap,
  treeUnflatten,
  registerPytreeNode,
  type ArrayLike,
} from "@linax-ts/core";
import { Module } from "./module.ts";
import { treePformat } from "./pretty.ts";

/** Marks the initial value removed from a `StateIndex` by `makeWithState` (a module with no leaves). */
class DeletedInit extends Module {}
const DELETED = new DeletedInit();

let nextMarker = 0;

/** Convert every leaf of a pytree to an array (numbers become weakly typed scalars). */
function toArrays<T>(value: T): T {
  return treeMap((x: unknown) => (x instanceof Array ? x : np.asArray(x as ArrayLike)), value) as T;
}

/**
 * A key into a `State` plus the initial value of that state (any pytree of arrays; numbers are
 * converted to arrays). Put it in a field of a stateful layer.
 */
export class StateIndex<V = unknown> extends Module {
  /** The key in the `State`: a unique id at construction, a field path after `makeWithState`. */
  readonly marker: string;
  /** The initial value (removed by `makeWithState` to save memory). */
  readonly init: V;
  constructor(init: V) {
    super();
    if (typeof init === "function")
      throw new ValueError("StateIndex takes the initial value itself, not a function creating it");
    this.marker = `anonymous-state-${nextMarker++}`;
    this.init = toArrays(init);
  }
}

const isIndex = (x: unknown): x is StateIndex => x instanceof StateIndex;

const STALE =
  "Attempted to use an old State. Probably you wrote `[x, s2] = layer.call(x, s1, ...)` and then used `s1` again instead of `s2`. To keep an old state on purpose, copy it first with `cloneState(state)`.";

/** Internal constructor argument: prebuilt entries (private fields need a real constructor call). */
class Entries {
  constructor(readonly map: Map<string, unknown>) {}
}

/** The current values of every `StateIndex` in a model: a pytree keyed by index marker. */
export class State {
  #values: Map<string, unknown> | null;

  /** Collect the initial values of every `StateIndex` in `model`. Prefer `makeWithState`. */
  constructor(model: unknown) {
    if (model instanceof Entries) {
      this.#values = model.map;
      return;
    }
    const values = new Map<string, unknown>();
    for (const leaf of treeLeaves(model, isIndex)) {
      if (!isIndex(leaf)) continue;
      if (leaf.init === DELETED) {
        throw new ValueError(
          "State(model): this model's initial states were already removed by makeWithState; call makeWithState(Model)(...args) to get a model and its State together",
        );
      }
      values.set(leaf.marker, leaf.init);
    }
    this.#values = values;
  }

  /** Build from marker keys and values (used by unflattening). */
  static fromEntries(keys: readonly string[], values: readonly unknown[]): State {
    return new State(new Entries(new Map(keys.map((k, i) => [k, values[i]]))));
  }

  #live(): Map<string, unknown> {
    if (this.#values === null) throw new ValueError(STALE);
    return this.#values;
  }

  /** The markers (field paths) of the indices this state holds, in order. */
  keys(): string[] {
    return [...this.#live().keys()];
  }

  /** The state values, in the order of `keys()`. */
  values(): unknown[] {
    return [...this.#live().values()];
  }

  /** The current value of `index`'s state. */
  get<V>(index: StateIndex<V>): V {
    const m = this.#live();
    if (!isIndex(index)) throw new ValueError("State.get: the key must be a StateIndex");
    if (!m.has(index.marker))
      throw new ValueError(
        `State.get: no state for index '${index.marker}' (was the State made from this model by makeWithState?)`,
      );
    return m.get(index.marker) as V;
  }

  /**
   * A new `State` with `index` set to `value` (same structure, shapes and dtypes as before).
   * This state becomes invalid.
   */
  set<V>(index: StateIndex<V>, value: V): State {
    const m = this.#live();
    if (!isIndex(index)) throw new ValueError("State.set: the key must be a StateIndex");
    if (!m.has(index.marker)) throw new ValueError(`State.set: no state for index '${index.marker}'`);
    const v = toArrays(value);
    checkSameType(m.get(index.marker), v, index.marker);
    const next = new Map(m);
    next.set(index.marker, v);
    this.#values = null;
    return State.fromEntries([...next.keys()], [...next.values()]);
  }

  /** A smaller `State` with only the indices found in `tree` (e.g. one sub-model). */
  substate(tree: unknown): State {
    const m = this.#live();
    const keys = treeLeaves(tree, isIndex)
      .filter(isIndex)
      .map((i) => i.marker);
    for (const k of keys) if (!m.has(k)) throw new ValueError(`State.substate: no state for index '${k}'`);
    return State.fromEntries(
      keys,
      keys.map((k) => m.get(k)),
    );
  }

  /** A new `State` with the values of `sub` (a substate of this one) written in. This one becomes invalid. */
  update(sub: State): State {
    const m = this.#live();
    const next = new Map(m);
    for (const k of sub.keys()) {
      if (!m.has(k))
        throw new ValueError(`State.update: '${k}' is not part of this state; update takes a substate of it`);
      next.set(k, sub.#live().get(k));
    }
    this.#values = null;
    return State.fromEntries([...next.keys()], [...next.values()]);
  }

  toString(): string {
    if (this.#values === null) return "State(~old~)";
    return `State(${treePformat(Object.fromEntries(this.#values))})`;
  }
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

function checkSameType(oldV: unknown, newV: unknown, marker: string): void {
  const [ol, od] = treeFlatten(oldV);
  const [nl, nd] = treeFlatten(newV);
  const desc = (ls: unknown[]) =>
    ls.map((l) => (l instanceof Array ? l.aval.strong().toString() : typeof l)).join(", ");
  const same =
    od.equals(nd) &&
    ol.every((l, i) => l instanceof Array && nl[i] instanceof Array && (nl[i] as Array).aval.equals(l.aval));
  if (!same) {
    throw new ValueError(
      `State.set('${marker}'): old and new values have different structures, shapes or dtypes: old ${od} [${desc(ol)}], new ${nd} [${desc(nl)}]`,
    );
  }
}

registerPytreeNode(
  State,
  (s: State) => {
    const keys = s.keys();
    return [s.values(), keys, keys];
  },
  (keys: string[], values: unknown[]) => State.fromEntries(keys, values),
);

/** A copy of `state` that stays valid when the original is updated. */
export function cloneState(state: State): State {
  const [leaves, def] = treeFlatten(state);
  return treeUnflatten<State>(def, leaves);
}

/** Remove the initial values stored in every `StateIndex` of `model` (they live in the `State`). */
export function deleteInitState<T>(model: T): T {
  const [leaves, def] = treeFlatten(model, isIndex);
  return treeUnflatten<T>(
    def,
    leaves.map((l) => (isIndex(l) ? withFields(l, { marker: l.marker, init: DELETED }) : l)),
  );
}

function withFields(_i: StateIndex, f: { marker: string; init: unknown }): StateIndex {
  const obj = Object.create(StateIndex.prototype) as Record<string, unknown>;
  obj.marker = f.marker;
  obj.init = f.init;
  return Object.freeze(obj) as unknown as StateIndex;
}

type Maker<A extends unknown[], M> = ((...args: A) => M) | (new (...args: A) => M);

/**
 * `makeWithState(Model)(...args)` builds the model and returns `[model, state]`: the model with
 * its initial states removed, and a `State` holding them. Each `StateIndex` is keyed by its field
 * path (`BatchNorm.stateIndex`), so two calls produce interchangeable models and states.
 * `Model` may be a class (called with `new`) or a factory function.
 */
export function makeWithState<A extends unknown[], M>(make: Maker<A, M>): (...args: A) => [M, State] {
  return (...args: A) => {
    const isClass =
      typeof make === "function" &&
      make.prototype !== undefined &&
      /^class[\s{]/.test(Function.prototype.toString.call(make));
    let model = isClass ? new (make as new (...a: A) => M)(...args) : (make as (...a: A) => M)(...args);
    const paths = treeLeavesWithPath(model, isIndex);
    const root = model instanceof Module ? model.constructor.name : "";
    const [leaves, def] = treeFlatten(model, isIndex);
    // treeLeavesWithPath and treeFlatten visit the same leaves in the same order.
    const renamed = leaves.map((l, i) =>
      isIndex(l)
        ? withFields(l, { marker: [root, ...paths[i][0]].filter((p) => p !== "").join("."), init: l.init })
        : l,
    );
    model = treeUnflatten<M>(def, renamed);
    const state = new State(model);
    return [deleteInitState(model), state];
  };
}
