/**
 * jit's caches: bounded, least-recently-used, clearable (JAX's `jax.clear_caches()`).
 *
 * Each jitted function keeps its traced jaxprs by input signature in a `JitCache` of at most
 * `config.jitCacheSize` entries (env `LINAX_JIT_CACHE_SIZE`); a call with a new shape past the
 * bound evicts the signature used longest ago. The compiled executables hang off the jaxprs
 * (a WeakMap in primitives/control/jit.ts), so evicting a trace lets the garbage collector take
 * its executable too — a function called with ever-changing shapes stays bounded.
 *
 * `clearCaches()` empties every jit cache, nn's `filterJit` caches (they are `JitCache`s too) and
 * every cache registered with `registerCacheClearer` (the compiled executables, the CPU backend's
 * eager programs and scan bodies).
 */
import { config, onConfigUpdate } from "../config.ts";

/** Every live JitCache, weakly: a jitted function that is collected takes its cache with it. */
const caches = new Set<WeakRef<JitCache<unknown>>>();
const clearers: (() => void)[] = [];
// Drop a collected cache's WeakRef, so making many short-lived jitted functions does not grow the set.
const collected = new FinalizationRegistry<WeakRef<JitCache<unknown>>>((ref) => caches.delete(ref));

/** A Map bounded by `config.jitCacheSize`, evicting the least recently used entry. */
export class JitCache<V> {
  // A Map iterates in insertion order: re-inserting on every hit keeps the oldest use first.
  readonly #entries = new Map<string, V>();
  readonly #ref: WeakRef<JitCache<unknown>>;
  /** Entries evicted over this cache's life (for tests and diagnostics). */
  evictions = 0;

  constructor() {
    this.#ref = new WeakRef(this as JitCache<unknown>);
    caches.add(this.#ref);
    collected.register(this, this.#ref);
  }

  /** The entry for `key`, marking it most recently used. */
  get(key: string): V | undefined {
    const v = this.#entries.get(key);
    if (v !== undefined) {
      this.#entries.delete(key);
      this.#entries.set(key, v);
    }
    return v;
  }

  /** Insert `key` as most recently used, evicting the least recently used past the bound. */
  set(key: string, value: V): void {
    this.#entries.delete(key);
    this.#entries.set(key, value);
    this.trim();
  }

  /** Evict down to the current bound (the bound is read each time: `config.update` applies at once). */
  trim(): void {
    const bound = config.read("jitCacheSize");
    while (this.#entries.size > bound) {
      this.#entries.delete(this.#entries.keys().next().value as string);
      this.evictions++;
    }
  }

  get size(): number {
    return this.#entries.size;
  }

  clear(): void {
    this.#entries.clear();
  }
}

/** Call `clear` from `clearCaches()` (a backend's compiled-program cache, say). */
export function registerCacheClearer(clear: () => void): void {
  clearers.push(clear);
}

/** Empty the trace caches of every jitted function (not the compiled executables or backend caches). */
export function clearJitCaches(): void {
  for (const ref of caches) {
    const c = ref.deref();
    if (c === undefined) caches.delete(ref);
    else c.clear();
  }
}

/** Apply a lowered `config.jitCacheSize` to every cache now rather than at its next insertion. */
export function trimJitCaches(): void {
  for (const ref of caches) {
    const c = ref.deref();
    if (c === undefined) caches.delete(ref);
    else c.trim();
  }
}

/**
 * Drop everything jit has cached, as JAX's `jax.clear_caches()`: traced jaxprs, compiled
 * executables, backends' compiled programs. Arrays are unaffected; the next call of each jitted
 * function traces and compiles again.
 */
export function clearCaches(): void {
  clearJitCaches();
  for (const c of clearers) c();
}

onConfigUpdate((name) => name === "jitCacheSize" && trimJitCaches());

/** How many JitCaches are alive (for leak tests: a collected jitted function drops out). */
export function liveJitCaches(): number {
  let n = 0;
  for (const ref of caches) {
    if (ref.deref() === undefined) caches.delete(ref);
    else n++;
  }
  return n;
}
