/**
 * The WebGPU backend's own caches, bounded and clearable like jit's (core's jit-cache.ts).
 *
 * Pipelines are cached by WGSL source, and shapes are baked into the source (render-wgsl.ts,
 * program.ts): a program called with ever-changing shapes — or eager code over ever-changing
 * shapes — makes a new pipeline per shape. Unbounded, that cache grows for the life of the
 * process; so it is an LRU of at most `pipelineCacheSize` entries (env
 * `LINAX_WEBGPU_PIPELINE_CACHE_SIZE`, default 2048). Evicting a pipeline frees nothing a live
 * program needs: compiled executables hold their pipelines themselves, so an evicted one lives
 * exactly as long as the executables that use it (jit's trace cache bounds those).
 * `clearCaches()` (core) empties the pipeline and bind-group-layout caches of every live backend.
 */
import { ValueError, registerCacheClearer } from "@linax-ts/core";

/** Default bound of the pipeline cache (env `LINAX_WEBGPU_PIPELINE_CACHE_SIZE`). */
export const DEFAULT_PIPELINE_CACHE_SIZE = 2048;

/** The pipeline-cache bound from the environment, else the default. */
export function pipelineCacheSize(): number {
  const raw = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env
    ?.LINAX_WEBGPU_PIPELINE_CACHE_SIZE;
  if (raw === undefined || raw.trim() === "") return DEFAULT_PIPELINE_CACHE_SIZE;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1)
    throw new ValueError(`LINAX_WEBGPU_PIPELINE_CACHE_SIZE must be a positive integer; got ${JSON.stringify(raw)}`);
  return n;
}

/** A Map bounded by `limit` entries, evicting the least recently used (Map order = use order). */
export class LruCache<K, V> {
  readonly #entries = new Map<K, V>();
  #limit: number;
  /** Entries evicted over the cache's life (tests, diagnostics). */
  evictions = 0;

  constructor(limit: number) {
    this.#limit = LruCache.checkLimit(limit);
  }

  private static checkLimit(n: number): number {
    if (!Number.isInteger(n) || n < 1) throw new ValueError(`LruCache: the limit must be a positive integer; got ${n}`);
    return n;
  }

  /** The bound; lowering it evicts down to it at once. */
  get limit(): number {
    return this.#limit;
  }
  set limit(n: number) {
    this.#limit = LruCache.checkLimit(n);
    this.trim();
  }

  /** The entry for `key`, marking it most recently used. */
  get(key: K): V | undefined {
    const v = this.#entries.get(key);
    if (v !== undefined) {
      this.#entries.delete(key);
      this.#entries.set(key, v);
    }
    return v;
  }

  /** Insert `key` as most recently used, evicting the least recently used past the bound. */
  set(key: K, value: V): void {
    this.#entries.delete(key);
    this.#entries.set(key, value);
    this.trim();
  }

  private trim(): void {
    while (this.#entries.size > this.#limit) {
      this.#entries.delete(this.#entries.keys().next().value as K);
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

/**
 * Have core's `clearCaches()` call `target.clearCaches()` while `target` lives (weakly held: a
 * destroyed, unreferenced backend is not kept alive by the registration).
 */
export function clearWithClearCaches(target: { clearCaches(): void }): void {
  const ref = new WeakRef(target);
  registerCacheClearer(() => ref.deref()?.clearCaches());
}
