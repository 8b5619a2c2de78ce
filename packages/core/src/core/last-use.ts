/**
 * Freeing an interpreted jaxpr's intermediates at their last use (`evalJaxpr`), as the compiled
 * path's schedule does (compile/schedule.ts): without it, interpreting a 1000-equation jaxpr holds
 * 1000 buffers until the garbage collector runs — which JS heap pressure (tiny wrappers) seldom
 * triggers while device memory fills up.
 *
 * Which arrays an interpretation may free — it *owns* them: an equation's result that
 * - is a new array (made during that equation's bind: `ConcreteArray.serial`). A primitive may hand
 *   back an array it was given (`stopGradient`'s impl returns its operand) or one it holds (a nested
 *   jaxpr's constant or literal, returned by `cond`, `customJvp`, an interpreted `jit`): those belong
 *   to someone else;
 * - was computed by the eval trace itself, with no tracer among the operands: a transform that
 *   processed an equation may keep what it made (partial evaluation stages a known value as a
 *   residual of the linear jaxpr while also returning it);
 * - was read only by such equations: an equation with a tracer operand is processed by a transform,
 *   which may keep the concrete operand (a residual, a batch tracer's value, a JVP primal) — such an
 *   array *escapes* and is left to its new holder and the garbage collector.
 * Arrays are counted by object, not by variable, since an equation may return one of its operands:
 * an owned array dies when every variable bound to it has been read for the last time. Inputs,
 * constants, literals and outputs of the jaxpr are never freed.
 */
import type { Array } from "./array.ts";
import { ConcreteArray } from "./concrete.ts";
import type { Atom, Jaxpr, JaxprEqn } from "./jaxpr.ts";

/** The jaxpr's outputs are read after the interpretation: never counted down to zero. */
const FOREVER = Number.POSITIVE_INFINITY;

const readsCache = new WeakMap<Jaxpr, ReadonlyMap<Atom, number>>();

/**
 * How often each variable of `jaxpr` is read: once per equation operand it appears as; the jaxpr's
 * outputs forever. (Literals are counted too, harmlessly: their values are never owned.)
 */
export function readCounts(jaxpr: Jaxpr): ReadonlyMap<Atom, number> {
  let reads = readsCache.get(jaxpr);
  if (reads === undefined) {
    const m = new Map<Atom, number>();
    for (const e of jaxpr.eqns) for (const a of e.inputs) m.set(a, (m.get(a) ?? 0) + 1);
    for (const a of jaxpr.outvars) m.set(a, FOREVER);
    readsCache.set(jaxpr, m);
    reads = m;
  }
  return reads;
}

/** The arrays one interpretation of a jaxpr owns, each with the reads left of it. */
export class Intermediates {
  readonly #reads: ReadonlyMap<Atom, number>;
  readonly #left = new Map<ConcreteArray, number>();

  constructor(jaxpr: Jaxpr) {
    this.#reads = readCounts(jaxpr);
  }

  /**
   * Account for one interpreted equation: `ins` are its operand values, `outs` its results, `mark`
   * the `nextArraySerial()` taken just before its bind. Frees the owned arrays that are now dead:
   * operands read for the last time, results nobody reads.
   */
  afterEqn(eqn: JaxprEqn, ins: readonly Array[], outs: readonly Array[], mark: number): void {
    let evalLevel = true;
    for (let k = 0; k < ins.length && evalLevel; k++) evalLevel = !ins[k].isTracer;
    for (let k = 0; k < outs.length && evalLevel; k++) evalLevel = !outs[k].isTracer;
    const left = this.#left;
    // Results first: one that is an operand (or an owned array) adds its variable's reads.
    for (let k = 0; k < outs.length; k++) {
      const x = outs[k];
      if (!(x instanceof ConcreteArray)) continue;
      const n = this.#reads.get(eqn.outBinders[k]) ?? 0;
      const had = left.get(x);
      if (had !== undefined) left.set(x, had + n);
      else if (evalLevel && x.serial >= mark) left.set(x, n);
    }
    for (let k = 0; k < ins.length; k++) {
      const x = ins[k];
      if (!(x instanceof ConcreteArray)) continue;
      const had = left.get(x);
      if (had === undefined) continue;
      // Read by a transform: it may keep the array (see the file comment); no longer ours to free.
      if (!evalLevel) left.delete(x);
      else left.set(x, had - 1);
    }
    this.#freeDead(ins);
    this.#freeDead(outs);
  }

  #freeDead(xs: readonly Array[]): void {
    const left = this.#left;
    for (let k = 0; k < xs.length; k++) {
      const x = xs[k];
      if (x instanceof ConcreteArray && left.get(x) === 0) {
        left.delete(x);
        x.dispose();
      }
    }
  }

  /** The interpretation failed: nothing can reach its owned arrays any more (outputs included). */
  disposeAll(): void {
    for (const x of this.#left.keys()) x.dispose();
    this.#left.clear();
  }
}
