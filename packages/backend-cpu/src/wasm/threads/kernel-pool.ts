/**
 * Compiled kernels on the worker pool (worker-pool.ts): the pool's threads over the SAME shared
 * `WebAssembly.Memory`. A kernel takes a range [lo, hi) of its outermost loop (see
 * compile/render-kernel.ts), so a call is cut into ranges that write disjoint parts of the output;
 * the calling thread and the workers claim ranges until none is left, and the call returns when
 * all are done — synchronous, as every CPU kernel is. Each element is computed by the same code
 * whichever thread runs it, so results are bit-identical to one thread.
 *
 * Programs are separate WebAssembly modules, posted once to each worker (exports `k0`, `k1`, …).
 * Imported functions (the reference's scalar functions) cannot cross threads: workers bind stubs
 * that throw, and only kernels that call no import are given to the pool.
 */
import { InternalError, ValueError } from "@linax-ts/core";
import { defaultSpawner, type WorkerSpawner } from "./pool-workers.ts";
import { WorkerPool, type PoolModuleSpec } from "./worker-pool.ts";

const MAX_PTRS = 512;
const MAX_CHUNKS = 64;

/** A program module as the pool knows it: kernel `i` is its export `k<i>`. */
export interface PoolModule {
  readonly module: WebAssembly.Module;
  readonly importNames: readonly string[];
  /** Its kernels (only their count matters here). */
  readonly kernels: readonly unknown[];
}

/** Compiled kernels run by ranges of their outermost loop on a {@link WorkerPool}'s threads. */
export class KernelPool {
  readonly pool: WorkerPool;
  readonly #owned: boolean;
  readonly #specs = new WeakMap<WebAssembly.Module, PoolModuleSpec>();

  /**
   * On `pool` (shared with other users: the GEMM), or, given a thread count (≥ 2, the calling
   * thread included), on a pool of its own started with `spawner`, which `close()` stops.
   */
  constructor(
    memory: WebAssembly.Memory,
    threads: number | WorkerPool,
    spawner: WorkerSpawner | null = defaultSpawner(),
  ) {
    if (threads instanceof WorkerPool) {
      if (threads.memory !== memory) throw new ValueError("KernelPool: the worker pool runs on another memory");
      this.pool = threads;
      this.#owned = false;
    } else {
      this.pool = new WorkerPool(memory, threads, spawner);
      this.#owned = true;
    }
  }

  /** Threads a call uses, the calling thread included. */
  get threads(): number {
    return this.pool.threads;
  }

  #spec(mod: PoolModule): PoolModuleSpec {
    let s = this.#specs.get(mod.module);
    if (s === undefined)
      this.#specs.set(
        mod.module,
        (s = { module: mod.module, importNames: mod.importNames, exports: mod.kernels.map((_, i) => `k${i}`) }),
      );
    return s;
  }

  /**
   * Run kernel `index` of `mod` (`fn` is this thread's instance of it) on `ptrs` over [0, outer),
   * cut into at most `chunks` ranges.
   */
  run(
    mod: PoolModule,
    index: number,
    fn: (...a: number[]) => void,
    ptrs: readonly number[],
    outer: number,
    chunks: number,
  ): void {
    if (ptrs.length > MAX_PTRS) throw new InternalError(`KernelPool.run: ${ptrs.length} buffers, at most ${MAX_PTRS}`);
    const n = Math.max(1, Math.min(chunks, outer, MAX_CHUNKS));
    const rows: number[][] = [];
    for (let q = 0; q < n; q++) rows.push([Math.floor((q * outer) / n), Math.floor(((q + 1) * outer) / n)]);
    this.pool.run({ spec: this.#spec(mod), exportIndex: index, local: fn, head: ptrs, rows });
  }

  /** Chunks the workers (not the calling thread) have run since the pool started. */
  get workerChunks(): number {
    return this.pool.workerChunks;
  }

  /** Stops the workers of a pool of its own (a shared pool stays open). */
  close(): void {
    if (this.#owned) this.pool.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
