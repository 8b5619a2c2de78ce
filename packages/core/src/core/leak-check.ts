/**
 * config.checkTracerLeaks (JAX's `jax_check_tracer_leaks`): is a finished transform's main trace
 * still referenced? See `withMainTrace` in trace.ts for the method. JS has no reference counts
 * and a WeakRef made now would keep its target alive until the end of the current job, so the
 * check asks V8 directly: `v8.queryObjects(ctor, { format: "count" })` counts, after a full
 * collection, the live objects whose prototype chain holds `ctor.prototype` (Node ≥ 20.13).
 */
import { TracerLeakError, ValueError } from "../errors.ts";

interface V8Heap {
  queryObjects(ctor: abstract new (...args: never[]) => unknown, options: { format: "count" }): number;
}

let v8: V8Heap | null | undefined;

function heap(): V8Heap | null {
  if (v8 === undefined) {
    const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
    const mod = proc?.getBuiltinModule?.("v8") as Partial<V8Heap> | undefined;
    v8 = mod !== undefined && typeof mod.queryObjects === "function" ? (mod as V8Heap) : null;
  }
  return v8;
}

/** Raise TracerLeakError if an instance of `probe` (held only by the finished main trace) is still alive. */
export function checkNoLeak(probe: new () => object, transformName: string): void {
  const h = heap();
  if (h === null) {
    throw new ValueError(
      "config.checkTracerLeaks: this runtime cannot inspect its heap (it needs Node ≥ 20.16 with v8.queryObjects); turn the flag off here",
    );
  }
  if (h.queryObjects(probe, { format: "count" }) > 0) {
    throw new TracerLeakError(
      `checkTracerLeaks: a tracer of the '${transformName}' transform leaked: after the transform returned, something still references it ` +
        "(a tracer stored in an outer variable, an object or a closure while tracing). Return values from the transformed function instead.",
    );
  }
}
