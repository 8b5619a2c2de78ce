/**
 * Arrays that an eager transform makes for itself, released when it finishes instead of by the
 * garbage collector.
 *
 * An eager `grad(f)(x)` computes concrete values under its tracers: primal intermediates of `f`,
 * the JVP rules' temporaries, instantiated zero tangents, residuals, the backward pass's
 * cotangents. JAX frees them through Python's reference counts; JS has none, so without help every
 * one waits for a full collection (18 buffers per call of a 3-op `grad`). Here the outermost eager
 * transform call opens a *scope* that records every concrete array created while transform
 * machinery — not user code — is running; when the call returns, the recorded arrays that it does
 * not hand back are disposed.
 *
 * Why that is safe — what is never recorded, or is dropped from the scope before the end:
 * - User code (the transformed function, run through `asUser`) records nothing: an array the user
 *   makes inside `f` (a closed-over constant, `np.ones`) is the user's, whatever they do with it.
 * - Arrays created before the scope (the arguments, parameters) are never in it.
 * - A concrete result handed to user code (a primitive whose output does not depend on the traced
 *   values lowers to a concrete array, which `f` may store) leaves the scope: see `asRule`.
 * - Nothing is recorded while staging a jaxpr, and a recorded array that staging captures as a
 *   constant or literal leaves the scope (`captured`): a jaxpr may outlive the call (jit caches).
 * - What the call returns — outputs, and the residuals a returned closure (vjp's pullback,
 *   linearize's linear function) holds — is kept; `retained` lists those of them that the scope
 *   made, so that `grad`, which calls its pullback once, can release its residuals after it.
 * Everything else recorded can only be reached through the transform's tracers, which are dead
 * once it returns (using one raises TracerLeakError), so disposing it cannot be observed.
 *
 * Nested transforms (a `grad` inside `vmap`, a transform inside `jit` tracing) open no scope of
 * their own: the outermost eager one owns all their arrays. A nested transform called from user
 * code gives up the arrays it returns (the user may keep those).
 *
 * When, not only whether: `grad` runs its forward pass and its backward pass as two scopes, so the
 * forward intermediates that are not residuals are freed before the backward pass starts, and the
 * residuals right after it. Finer — each value at its exact last use — is not sound while user code
 * runs: the transformed function holds tracers in its own variables and may read any of them later
 * (`y = sin(x); …; return y * z`), and JS gives no reference count to tell. Where the whole program
 * is a jaxpr (the interpreter, core/last-use.ts; a control-flow impl's per-step values), last uses
 * are known and values are freed at them. The backward pass (`backwardPass`) walks a jaxpr too;
 * freeing its cotangents at their last use would be sound but is not done yet.
 */
import type { Array } from "../core/array.ts";
import { ConcreteArray, setArrayCreationHook } from "../core/concrete.ts";
import { ClosedJaxpr, Jaxpr, Literal } from "../core/jaxpr.ts";
import { Tracer, isEagerContext } from "../core/trace.ts";

/** The arrays the current outermost eager transform has made; null outside any. */
let scope: Set<ConcreteArray> | null = null;
/** Transform machinery is running (not user code); only then are new arrays recorded. */
let inRule = false;
/** > 0 while a jaxpr is being staged: its constants may outlive the scope. */
let staging = 0;

function record(a: ConcreteArray): void {
  if (inRule && staging === 0) scope!.add(a);
}

/** What an eager scope returns: `f`'s result and the arrays it kept that the scope made. */
export interface Scoped<T> {
  readonly result: T;
  /** Kept arrays made by the scope (not the caller's): the caller may dispose them once dead. */
  readonly retained: readonly ConcreteArray[];
}

/**
 * Run a transform's eager work `body`. Outermost and eager: record the arrays transform machinery
 * makes, and when `body` returns dispose those not in `keep(result)` (on a throw, all of them).
 * Nested (another scope is open, or a jaxpr is being staged): run `body`; if the caller is user
 * code, what `escapes(result)` lists (default: `keep(result)`) leaves the enclosing scope — the
 * user may hold on to it; what is kept only for the transform's own later use (grad's residuals)
 * stays there.
 */
export function eagerScope<T>(
  body: () => T,
  keep: (result: T) => Iterable<unknown>,
  escapes: (result: T) => Iterable<unknown> = keep,
): Scoped<T> {
  if (scope !== null || !isEagerContext()) {
    if (scope === null) return { result: body(), retained: [] };
    const prev = inRule;
    inRule = true;
    let result: T;
    try {
      result = body();
    } finally {
      inRule = prev;
    }
    if (!prev) for (const k of escapes(result)) if (k instanceof ConcreteArray) scope.delete(k);
    return { result, retained: [] };
  }
  const mine = new Set<ConcreteArray>();
  scope = mine;
  inRule = true;
  setArrayCreationHook(record);
  let result: T;
  try {
    result = body();
  } catch (e) {
    close();
    for (const a of mine) a.dispose();
    throw e;
  }
  close();
  const kept = new Set<unknown>(keep(result));
  const retained: ConcreteArray[] = [];
  for (const a of mine) {
    if (kept.has(a)) retained.push(a);
    else a.dispose();
  }
  return { result, retained };
}

function close(): void {
  setArrayCreationHook(null);
  scope = null;
  inRule = false;
}

/**
 * Run user code (the transformed function) inside a scope: it records nothing. Arguments it is
 * given are tracers or the caller's own arrays.
 */
export function asUser<T>(fn: () => T): T {
  if (scope === null || !inRule) return fn();
  inRule = false;
  try {
    return fn();
  } finally {
    inRule = true;
  }
}

/**
 * Run a trace's `processPrimitive` (rules are transform machinery). Outputs that lower to
 * concrete arrays and go back to user code leave the scope: `f` may keep them.
 */
export function asRule(fn: () => Array[]): Array[] {
  if (scope === null) return fn();
  const prev = inRule;
  inRule = true;
  let outs: Array[];
  try {
    outs = fn();
  } finally {
    inRule = prev;
  }
  if (!prev) {
    for (const o of outs) {
      const low = o instanceof Tracer ? o.fullLower() : o;
      if (low instanceof ConcreteArray) scope.delete(low);
    }
  }
  return outs;
}

/** Stage a jaxpr: nothing made meanwhile is recorded (it may become a constant of the jaxpr). */
export function whileStaging<T>(fn: () => T): T {
  staging++;
  try {
    return fn();
  } finally {
    staging--;
  }
}

/**
 * Stage a jaxpr that dies with the current eager scope: a control-flow rule's transformed body
 * (jvpJaxpr, vmapJaxpr, transposeJaxpr, jvpJaxprZeros), bound at once and cached nowhere. Inside an
 * eager scope and outside any other staging, what it makes (instantiated zero tangents, the values
 * of its literals) stays recorded and what it captures stays in the scope: the scope frees them
 * at its end unless the result keeps them (a pullback's residual jaxpr: `jaxprArrays` sees nested
 * consts and literals). Anywhere else — notably under jit tracing, whose jaxpr a cache keeps — it
 * is an ordinary staging.
 */
export function whileStagingTransient<T>(fn: () => T): T {
  if (scope === null || staging > 0) return whileStaging(fn);
  return fn();
}

/**
 * `x` became a constant or literal of a jaxpr, which may outlive the scope: never dispose it —
 * unless only transient stagings are open (`whileStagingTransient`): that jaxpr dies with the scope.
 */
export function captured(x: Array): void {
  if (scope !== null && staging > 0 && x instanceof ConcreteArray) scope.delete(x);
}

/**
 * A temporary the numpy layer made inside a scope (a JS scalar's array, a cast or broadcast
 * operand) and no longer needs: the scope disposes it at its end. Outside a scope, or while
 * staging (it may be a jaxpr constant), nothing happens: the collector frees it.
 */
export function adoptTemporary(x: Array): void {
  if (scope !== null && staging === 0 && x instanceof ConcreteArray) scope.add(x);
}

/** The arrays a closed jaxpr holds: its consts and the values of its literals, nested jaxprs included. */
export function jaxprArrays(cj: ClosedJaxpr): Array[] {
  const out: Array[] = [...cj.consts];
  const seen = new Set<Jaxpr>();
  const visit = (j: Jaxpr): void => {
    if (seen.has(j)) return;
    seen.add(j);
    for (const e of j.eqns) {
      for (const a of e.inputs) if (a instanceof Literal) out.push(a.val);
      for (const p of Object.values(e.params)) visitParam(p);
    }
    for (const a of j.outvars) if (a instanceof Literal) out.push(a.val);
  };
  const visitParam = (p: unknown): void => {
    if (p instanceof ClosedJaxpr) {
      out.push(...p.consts);
      visit(p.jaxpr);
    } else if (p instanceof Jaxpr) visit(p);
    else if (globalThis.Array.isArray(p)) for (const q of p) visitParam(q);
  };
  visit(cj.jaxpr);
  return out;
}

/** Dispose `arrays` (a scope's `retained`) except those in `live`. */
export function release(arrays: readonly ConcreteArray[], live: Iterable<unknown>): void {
  if (arrays.length === 0) return;
  const keep = new Set<unknown>(live);
  for (const a of arrays) if (!keep.has(a)) a.dispose();
}
