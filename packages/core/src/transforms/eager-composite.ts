/**
 * Eager composites free their temporaries at once. A numpy function such as `mean` binds several
 * primitives (a sum, a count, a division); in eager mode each makes a concrete array, and only the
 * last is returned. JAX frees the others through Python's reference counts; in JS they would wait
 * for the garbage collector — and registering each with the FinalizationRegistry, then collecting
 * it, cost more than the ops themselves on small arrays (a third of an eager `np.mean` of 8 floats
 * went to the collector).
 *
 * `scopedNamespace(ns)` wraps every function of a public namespace (`np`, `np.linalg`, `random` …)
 * so that a call made from user code, eagerly, runs in an `eagerScope` (transforms/owned.ts): the
 * arrays made during the call that are not reachable from its result are disposed when it
 * returns. Inside a transform's scope the call's temporaries join that scope (freed when the
 * transform finishes); under `jit` tracing nothing is concrete and the wrapper only forwards.
 *
 * What is never disposed:
 * - The arguments, and anything made before the call (never recorded).
 * - Everything reachable from the result: an Array, or arrays inside JS arrays, Maps and the
 *   enumerable fields of objects (`unique`'s record, `linalg.svd`'s tuple, `meshgrid`'s list, a
 *   `KeyArray`'s data). A result class must keep its arrays in enumerable fields.
 * - Whatever a call that receives a user function makes (`vectorize(f)`, `piecewise`'s function
 *   list, `lax.scan`'s body): such calls are forwarded unscoped, because the user's function may keep
 *   arrays it makes.
 * - Constants captured by a staged jaxpr (owned.ts's `whileStaging`/`captured` apply here too).
 * No namespace function returns a function or a promise holding arrays it made without taking a
 * function itself (`vectorize` is the one that returns a function); a new one must not be wrapped.
 */
import { Array } from "../core/array.ts";
import { Tracer, isEagerContext } from "../core/trace.ts";
import { isPlainObject } from "../tree/pytree.ts";
import { eagerScope } from "./owned.ts";

/** Whether `args` hold a function: directly, or one level down in a JS array or plain object. */
function hasFunctionArgument(args: readonly unknown[]): boolean {
  for (const a of args) {
    if (typeof a === "function") return true;
    if (a === null || typeof a !== "object" || a instanceof Array) continue;
    const values = globalThis.Array.isArray(a) ? a : isPlainObject(a) ? Object.values(a) : null;
    if (values !== null) for (const v of values) if (typeof v === "function") return true;
  }
  return false;
}

/** The arrays reachable from a result (tracers also as their lowered value, as owned.ts's `asRule`). */
function* reachableArrays(x: unknown, depth = 0): Generator<unknown> {
  if (x instanceof Array) {
    yield x;
    if (x instanceof Tracer) yield x.fullLower();
    return;
  }
  if (x === null || typeof x !== "object" || depth > 8) return;
  if (globalThis.Array.isArray(x)) for (const v of x) yield* reachableArrays(v, depth + 1);
  else if (x instanceof Map) for (const v of x.values()) yield* reachableArrays(v, depth + 1);
  // Records and class instances alike (a KeyArray holds its data in a field).
  else for (const v of Object.values(x)) yield* reachableArrays(v, depth + 1);
}

/** The result's arrays: the common single-Array result without a generator. */
function keepOf(result: unknown): Iterable<unknown> {
  if (result instanceof Array && !(result instanceof Tracer)) return [result];
  return reachableArrays(result);
}

/** One wrapper per function, so that aliases stay identical (`np.asin === np.arcsin`, `special.psi === special.digamma`). */
const wrappers = new WeakMap<object, unknown>();

/** `fn`, running each eager call from user code in a scope that disposes its temporaries. */
export function scopedFunction<F extends (...args: never[]) => unknown>(fn: F): F {
  const known = wrappers.get(fn);
  if (known !== undefined) return known as F;
  const wrapped = function (this: unknown, ...args: never[]): unknown {
    if (!isEagerContext() || hasFunctionArgument(args)) return fn.apply(this, args);
    return eagerScope(() => fn.apply(this, args), keepOf).result;
  };
  Object.defineProperty(wrapped, "name", { value: fn.name });
  Object.defineProperty(wrapped, "length", { value: fn.length });
  wrappers.set(fn, wrapped);
  return wrapped as unknown as F;
}

const isNamespace = (v: unknown): v is object =>
  v !== null && typeof v === "object" && Object.prototype.toString.call(v) === "[object Module]";

const isClass = (f: (...args: never[]) => unknown): boolean => /^class\b/.test(Function.prototype.toString.call(f));

/**
 * A copy of module namespace `ns` whose functions are {@link scopedFunction}s; nested namespaces
 * (`np.linalg`) are wrapped too, classes and values are copied as they are.
 */
export function scopedNamespace<T extends object>(ns: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(ns)) {
    if (typeof v === "function" && !isClass(v as (...args: never[]) => unknown))
      out[k] = scopedFunction(v as (...args: never[]) => unknown);
    else if (isNamespace(v)) out[k] = scopedNamespace(v);
    else out[k] = v;
  }
  return Object.freeze(out) as T;
}
