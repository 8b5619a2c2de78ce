/**
 * One set of worker threads (Node `worker_threads`, or Web Workers in a cross-origin isolated page
 * — pool-workers.ts) over one shared `WebAssembly.Memory`, running chunked calls of functions that
 * WebAssembly modules export: the GEMM routine (gemm-pool.ts) and compiled kernels
 * (kernel-pool.ts) share it. One set, not one per use: the workers poll for the next call for a
 * while before they park (pool-protocol.ts), and two sets of polling workers on a two-core machine
 * would take turns on the core that the other set's call needs.
 *
 * A call is `fn(...head, ...row, ...tail)` once per chunk, each chunk with its own `row` (a range
 * of the work), on whichever thread claims it; `tail[perThread.slot]` gets `thread × stride` added
 * (per-thread scratch). Modules are posted once to each worker, the first time a call names them;
 * their imported functions become stubs that throw, so callers give the pool only functions that
 * call no import. Calls are synchronous: `run` returns when every chunk is done.
 */
import { InternalError, ValueError } from "@linax-ts/core";
import {
  CLAIMED,
  DEFAULT_SPIN_US,
  HEADER_SLOTS,
  SPIN_US,
  publish,
  quit,
  runClaimed,
  workerLoopSource,
} from "./pool-protocol.ts";
import {
  defaultSpawner,
  poolWorkerSource,
  type Platform,
  type PoolWorker,
  type WorkerSpawner,
} from "./pool-workers.ts";
import { envVar } from "../../env.ts";

// The call's slots, after the protocol's header.
const MODULE = HEADER_SLOTS;
const EXPORT = HEADER_SLOTS + 1;
const NHEAD = HEADER_SLOTS + 2;
const NROW = HEADER_SLOTS + 3;
const NTAIL = HEADER_SLOTS + 4;
const PT_SLOT = HEADER_SLOTS + 5; // -1: no per-thread argument
const PT_STRIDE = HEADER_SLOTS + 6;
const HEAD = 32;
const MAX_HEAD = 512;
const TAIL = HEAD + MAX_HEAD;
const MAX_TAIL = 256;
const ROWS = TAIL + MAX_TAIL;
/** Int32 slots of the chunk table (chunks × row width). */
const MAX_ROW_INTS = 2048;
const SLOTS = ROWS + MAX_ROW_INTS;
/** Chunks per call, at most. */
export const MAX_CHUNKS = 256;
const MAX_THREADS = 64;

/** A module as the pool's users hand it over: its functions are named by their index in `exports`. */
export interface PoolModuleSpec {
  readonly module: WebAssembly.Module;
  readonly importNames: readonly string[];
  readonly exports: readonly string[];
}

/** One call: `local` is this thread's instance of `spec.exports[exportIndex]`. */
export interface PoolCall {
  readonly spec: PoolModuleSpec;
  readonly exportIndex: number;
  readonly local: (...args: number[]) => void;
  readonly head: readonly number[];
  /** One row per chunk, all of one width. */
  readonly rows: readonly (readonly number[])[];
  readonly tail?: readonly number[];
  /** `tail[slot]` += thread index × stride on each thread (the caller is thread 0). */
  readonly perThread?: { readonly slot: number; readonly stride: number };
}

/** The worker's source for `platform`. */
export function workerPoolSource(platform: Platform): string {
  return poolWorkerSource(
    platform,
    {
      init: "id = init.id;",
      ready: `have(c[${MODULE}])`,
      chunk: `
  const fn = modules.get(c[${MODULE}])[c[${EXPORT}]];
  const nh = c[${NHEAD}], w = c[${NROW}], nt = c[${NTAIL}];
  const args = new Array(nh + w + nt);
  for (let i = 0; i < nh; i++) args[i] = c[${HEAD} + i];
  for (let i = 0; i < w; i++) args[nh + i] = c[${ROWS} + w * q + i];
  for (let i = 0; i < nt; i++) args[nh + w + i] = c[${TAIL} + i];
  const ps = c[${PT_SLOT}];
  if (ps >= 0) args[nh + w + ps] += id * c[${PT_STRIDE}];
  fn(...args);`,
    },
    `let id;\n${workerLoopSource()}`,
  );
}

const unclosed = new FinalizationRegistry<Int32Array>(quit);

/** Spin time of new pools: LINAX_POOL_SPIN_US in Node, else {@link DEFAULT_SPIN_US}. */
function defaultSpin(): number {
  const env = envVar("LINAX_POOL_SPIN_US");
  const n = env === undefined ? NaN : Number(env);
  return Number.isInteger(n) && n >= 0 ? n : DEFAULT_SPIN_US;
}

/** Worker threads over one shared memory, running chunked calls. */
export class WorkerPool {
  readonly memory: WebAssembly.Memory;
  /** Threads a call uses, the calling thread included. */
  readonly threads: number;
  readonly #workers: PoolWorker[] = [];
  readonly #ids = new WeakMap<WebAssembly.Module, number>();
  readonly #control = new Int32Array(new SharedArrayBuffer(4 * SLOTS));
  #nextId = 1;
  #seq = 0;
  #closed = false;

  /**
   * `threads` (≥ 2) counts the calling thread: `threads − 1` workers are started with `spawner`
   * (default: Node's worker_threads or the browser's Web Workers). Node's workers are unref'd, so
   * an idle pool does not keep the process alive; `close()` (or `using`) stops them, and so does
   * collecting a pool that was never closed.
   */
  constructor(memory: WebAssembly.Memory, threads: number, spawner: WorkerSpawner | null = defaultSpawner()) {
    if (typeof SharedArrayBuffer === "undefined" || !(memory.buffer instanceof SharedArrayBuffer))
      throw new ValueError("WorkerPool: the memory must be a shared WebAssembly.Memory");
    if (!Number.isInteger(threads) || threads < 2 || threads > MAX_THREADS)
      throw new ValueError(`WorkerPool: threads must be an integer in [2, ${MAX_THREADS}], got ${threads}`);
    if (spawner === null) throw new ValueError("WorkerPool: no worker threads on this platform");
    this.memory = memory;
    this.threads = threads;
    this.#control[SPIN_US] = defaultSpin();
    const source = workerPoolSource(spawner.platform);
    for (let q = 1; q < threads; q++)
      this.#workers.push(spawner.spawn(source, { memory, control: this.#control.buffer as SharedArrayBuffer, id: q }));
    unclosed.register(this, this.#control, this);
  }

  /** Microseconds the workers poll for the next call before they park (0: park at once). */
  get spinMicroseconds(): number {
    return this.#control[SPIN_US];
  }
  set spinMicroseconds(us: number) {
    if (!Number.isInteger(us) || us < 0)
      throw new ValueError(`WorkerPool.spinMicroseconds: a non-negative integer, got ${us}`);
    Atomics.store(this.#control, SPIN_US, us);
  }

  /** The module's id in this pool; posted to every worker the first time. */
  #idOf(spec: PoolModuleSpec): number {
    let id = this.#ids.get(spec.module);
    if (id === undefined) {
      this.#ids.set(spec.module, (id = this.#nextId++));
      for (const w of this.#workers)
        w.post({ id, module: spec.module, importNames: spec.importNames, exports: spec.exports });
    }
    return id;
  }

  /** Run every chunk of `call` on the pool's threads; returns when all are done. */
  run(call: PoolCall): void {
    if (this.#closed) throw new ValueError("WorkerPool.run: the pool is closed");
    const { head, rows } = call;
    const tail = call.tail ?? [];
    const n = rows.length;
    const width = n === 0 ? 0 : rows[0].length;
    if (head.length > MAX_HEAD || tail.length > MAX_TAIL || n > MAX_CHUNKS || n * width > MAX_ROW_INTS)
      throw new InternalError(
        `WorkerPool.run: ${head.length} head, ${tail.length} tail arguments, ${n} chunks of ${width}: beyond the control block`,
      );
    if (n === 0) return;
    const c = this.#control;
    c[MODULE] = this.#idOf(call.spec);
    c[EXPORT] = call.exportIndex;
    c[NHEAD] = head.length;
    c[NROW] = width;
    c[NTAIL] = tail.length;
    c[PT_SLOT] = call.perThread?.slot ?? -1;
    c[PT_STRIDE] = call.perThread?.stride ?? 0;
    for (let i = 0; i < head.length; i++) c[HEAD + i] = head[i];
    for (let i = 0; i < tail.length; i++) c[TAIL + i] = tail[i];
    for (let q = 0; q < n; q++) {
      const r = rows[q];
      if (r.length !== width) throw new InternalError("WorkerPool.run: chunk rows of different widths");
      for (let i = 0; i < width; i++) c[ROWS + width * q + i] = r[i];
    }
    this.#seq = (this.#seq + 1) | 0;
    const tag = publish(c, this.#seq, n);
    const args = [...head, ...rows[0], ...tail];
    const failed = runClaimed(c, tag, n, (q) => {
      const r = rows[q];
      for (let i = 0; i < width; i++) args[head.length + i] = r[i];
      call.local(...args);
    });
    if (failed) throw new RangeError("WorkerPool.run: a worker's call trapped (out-of-bounds access)");
  }

  /** Chunks the workers (not the calling thread) have run since the pool started. */
  get workerChunks(): number {
    return Atomics.load(this.#control, CLAIMED);
  }

  /** Stops the workers. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    unclosed.unregister(this);
    quit(this.#control);
    for (const w of this.#workers) w.close();
  }

  get closed(): boolean {
    return this.#closed;
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
