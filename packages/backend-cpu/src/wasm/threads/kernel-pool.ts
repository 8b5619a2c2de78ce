/**
 * A worker pool for compiled kernels: workers (Node `worker_threads`, or Web Workers in a
 * cross-origin isolated page — pool-workers.ts) over the SAME shared `WebAssembly.Memory`. A
 * kernel takes a range [lo, hi) of its outermost loop (see compile/render-kernel.ts), so a call is
 * cut into ranges that write disjoint parts of the output; the calling thread and the workers
 * claim ranges until none is left, and the call returns when all are done — synchronous, as every
 * CPU kernel is. Each element is computed by the same code whichever thread runs it, so results
 * are bit-identical to one thread.
 *
 * Programs are separate WebAssembly modules: a module is posted once to each worker; a worker
 * that meets a module id it has not instantiated takes it from its messages (pool-workers.ts: in
 * Node synchronously, in a browser between waits — until then it leaves that module's calls to the
 * other threads). Imported functions (the reference's scalar functions) cannot cross threads:
 * workers bind stubs that throw, and only kernels that call no import are given to the pool.
 *
 * Hand-off and claiming follow pool-protocol.ts (tagged claims: a late worker never runs a range
 * of the wrong call).
 */
import { InternalError, ValueError } from "@linax-ts/core";
import { CLAIMED, HEADER_SLOTS, publish, quit, runClaimed, workerLoopSource } from "./pool-protocol.ts";
import { defaultSpawner, poolWorkerSource, type Platform, type PoolWorker, type WorkerSpawner } from "./pool-workers.ts";

// The pool's own slots, after the protocol's header.
const MODULE = HEADER_SLOTS;
const KERNEL = HEADER_SLOTS + 1;
const NPTRS = HEADER_SLOTS + 2;
const PTRS = 16;
const MAX_PTRS = 512;
const CHUNKS = PTRS + MAX_PTRS; // 2 Int32 per range: lo, hi
const MAX_CHUNKS = 64;
const SLOTS = CHUNKS + 2 * MAX_CHUNKS;
const MAX_THREADS = 64;

/** The kernel pool's worker source for `platform`. */
export function kernelWorkerSource(platform: Platform): string {
  return poolWorkerSource(
    platform,
    {
      init: "",
      ready: `have(c[${MODULE}])`,
      chunk: `
  const fn = modules.get(c[${MODULE}])["k" + c[${KERNEL}]];
  const np = c[${NPTRS}];
  const args = new Array(np + 2);
  for (let i = 0; i < np; i++) args[i] = c[${PTRS} + i];
  args[np] = c[${CHUNKS} + 2 * q];
  args[np + 1] = c[${CHUNKS} + 2 * q + 1];
  fn(...args);`,
    },
    workerLoopSource(),
  );
}

const unclosed = new FinalizationRegistry<Int32Array>(quit);

/** A module as the pool knows it: one id per compiled program module. */
export interface PoolModule {
  readonly id: number;
  readonly module: WebAssembly.Module;
  readonly importNames: readonly string[];
}

/** Threads over one shared memory running compiled kernels by ranges of their outermost loop. */
export class KernelPool {
  /** Threads a call uses, the calling thread included. */
  readonly threads: number;
  readonly #workers: PoolWorker[] = [];
  readonly #posted = new Set<number>();
  readonly #control = new Int32Array(new SharedArrayBuffer(4 * SLOTS));
  #seq = 0;
  #closed = false;

  /**
   * `threads` (≥ 2) counts the calling thread. Node's workers are unref'd; `close()` stops them.
   * `spawner` starts the workers (default: Node's worker_threads or the browser's Web Workers).
   */
  constructor(memory: WebAssembly.Memory, threads: number, spawner: WorkerSpawner | null = defaultSpawner()) {
    if (typeof SharedArrayBuffer === "undefined" || !(memory.buffer instanceof SharedArrayBuffer))
      throw new ValueError("KernelPool: the memory must be a shared WebAssembly.Memory");
    if (!Number.isInteger(threads) || threads < 2 || threads > MAX_THREADS)
      throw new ValueError(`KernelPool: threads must be an integer in [2, ${MAX_THREADS}], got ${threads}`);
    if (spawner === null) throw new ValueError("KernelPool: no worker threads on this platform");
    this.threads = threads;
    const source = kernelWorkerSource(spawner.platform);
    for (let q = 1; q < threads; q++) this.#workers.push(spawner.spawn(source, { memory, control: this.#control.buffer as SharedArrayBuffer }));
    unclosed.register(this, this.#control, this);
  }

  /**
   * Run kernel `index` of `mod` (`fn` is this thread's instance of it) on `ptrs` over [0, outer),
   * cut into at most `chunks` ranges.
   */
  run(mod: PoolModule, index: number, fn: (...a: number[]) => void, ptrs: readonly number[], outer: number, chunks: number): void {
    if (this.#closed) throw new ValueError("KernelPool.run: the pool is closed");
    if (ptrs.length > MAX_PTRS) throw new InternalError(`KernelPool.run: ${ptrs.length} buffers, at most ${MAX_PTRS}`);
    if (!this.#posted.has(mod.id)) {
      for (const w of this.#workers) w.post({ id: mod.id, module: mod.module, importNames: mod.importNames });
      this.#posted.add(mod.id);
    }
    const n = Math.max(1, Math.min(chunks, outer, MAX_CHUNKS));
    const c = this.#control;
    c[MODULE] = mod.id;
    c[KERNEL] = index;
    c[NPTRS] = ptrs.length;
    for (let i = 0; i < ptrs.length; i++) c[PTRS + i] = ptrs[i];
    for (let q = 0; q < n; q++) {
      c[CHUNKS + 2 * q] = Math.floor((q * outer) / n);
      c[CHUNKS + 2 * q + 1] = Math.floor(((q + 1) * outer) / n);
    }
    this.#seq = (this.#seq + 1) | 0;
    const tag = publish(c, this.#seq, n);
    const args = [...ptrs, 0, 0];
    const failed = runClaimed(c, tag, n, (q) => {
      args[ptrs.length] = c[CHUNKS + 2 * q];
      args[ptrs.length + 1] = c[CHUNKS + 2 * q + 1];
      fn(...args);
    });
    if (failed) throw new InternalError("KernelPool.run: a worker's kernel trapped");
  }

  /** Ranges the workers (not the calling thread) have run since the pool started. */
  get workerChunks(): number {
    return Atomics.load(this.#control, CLAIMED);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    unclosed.unregister(this);
    quit(this.#control);
    for (const w of this.#workers) w.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
