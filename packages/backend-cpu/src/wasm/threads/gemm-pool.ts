/**
 * The WebAssembly GEMM routine on the worker pool (worker-pool.ts): its threads over the SAME
 * shared `WebAssembly.Memory`, each instantiating the same compiled module. A call is split with
 * `gemmPartition` into a few ranges per thread, which the calling thread and the workers claim one
 * at a time (pool-protocol.ts: tagged claims, so a late worker never runs a chunk of the wrong
 * call); the call returns when all are done, synchronous as the CPU backend's kernels are.
 *
 * Results are bit-identical to the single-thread `gemmF32` (each element of C is summed the same
 * way whichever range computes it).
 */
import { ValueError } from "@linax-ts/core";
import {
  defaultGemmConfig,
  fullRange,
  gemmKernel,
  gemmModule,
  gemmPartition,
  gemmRawArgs,
  type GemmF32Args,
  type GemmRange,
} from "../gemm-call.ts";
import { gemmScratchBytes, type GemmConfig } from "../gemm.ts";
import { defaultSpawner, type WorkerSpawner } from "./pool-workers.ts";
import { MAX_CHUNKS, WorkerPool, type PoolModuleSpec } from "./worker-pool.ts";

const MAX_THREADS = 64;
const MAX_EXTRA = 256;
/**
 * Up to this many chunks per thread, so that a thread slowed by other load on the machine hands
 * work to the others; but no chunk below CHUNK_MIN_FLOP, since each chunk packs its own copy of B.
 */
const CHUNKS_PER_THREAD = 4;
const CHUNK_MIN_FLOP = 2 ** 24;

/**
 * A GEMM module with an epilogue built in (compile/gemm-epilogue.ts): its `gemm` export takes the
 * plain one's arguments then `extra`. `fn` is this thread's instance; workers instantiate `module`
 * (its imports become stubs: only epilogues that call none are given to the pool).
 */
export interface GemmPoolEpilogue {
  readonly module: WebAssembly.Module;
  readonly importNames: readonly string[];
  readonly fn: (...args: number[]) => void;
  readonly extra: readonly number[];
}

/**
 * Calls below this many FLOP (2·m·n·k·batch; 2²¹ ≈ 2 MFLOP ≈ 50 µs on one thread) run on the
 * calling thread alone. Since the workers poll for the next call instead of parking after each
 * (pool-protocol.ts), a hand-off costs about 2 µs, not tens: measured in one process on linax's
 * S5 training step, splitting its 7 MFLOP products (896 × 128 × 32) too made the step ~10%
 * faster than the earlier bound of 2²³, and 2²⁰–2²² were alike.
 */
export const GEMM_POOL_MIN_FLOP = 2 ** 21;

/** The GEMM routine split over a {@link WorkerPool}'s threads. */
export class GemmPool {
  readonly memory: WebAssembly.Memory;
  readonly config: GemmConfig;
  /** Threads a call may use, the calling thread included. */
  readonly threads: number;
  /** Calls below this many FLOP run on the calling thread alone. */
  readonly minFlop: number;
  /** The threads (null with `threads: 1`). */
  readonly pool: WorkerPool | null;
  readonly #owned: boolean;
  readonly #plain: PoolModuleSpec;
  readonly #epilogues = new WeakMap<WebAssembly.Module, PoolModuleSpec>();
  #closed = false;

  /**
   * On `opts.pool` (shared with other users: compiled kernels), or on a pool of its own with
   * `threads` (default 2, the calling thread included; 1 runs on this thread) started with
   * `spawner`, which `close()` (or `using`) stops. The memory must be shared.
   */
  constructor(
    memory: WebAssembly.Memory,
    opts: {
      threads?: number;
      config?: GemmConfig;
      minFlop?: number;
      spawner?: WorkerSpawner | null;
      pool?: WorkerPool;
    } = {},
  ) {
    if (typeof SharedArrayBuffer === "undefined" || !(memory.buffer instanceof SharedArrayBuffer)) {
      throw new ValueError(
        "GemmPool: the memory must be a shared WebAssembly.Memory (use gemmF32 on one thread otherwise)",
      );
    }
    if (opts.pool !== undefined && opts.pool.memory !== memory)
      throw new ValueError("GemmPool: the worker pool runs on another memory");
    const threads = opts.pool?.threads ?? opts.threads ?? 2;
    if (!Number.isInteger(threads) || threads < 1 || threads > MAX_THREADS)
      throw new ValueError(`GemmPool: threads must be an integer in [1, ${MAX_THREADS}], got ${threads}`);
    this.memory = memory;
    this.config = opts.config ?? defaultGemmConfig();
    this.threads = threads;
    this.minFlop = opts.minFlop ?? GEMM_POOL_MIN_FLOP;
    this.#plain = { module: gemmModule(true, this.config), importNames: [], exports: ["gemm"] };
    const spawner = opts.spawner === undefined ? defaultSpawner() : opts.spawner;
    if (opts.pool !== undefined) {
      this.pool = opts.pool;
      this.#owned = false;
    } else if (threads > 1) {
      if (spawner === null)
        throw new ValueError("GemmPool: no worker threads on this platform (threads: 1 runs on this one)");
      this.pool = new WorkerPool(memory, threads, spawner);
      this.#owned = true;
    } else {
      this.pool = null;
      this.#owned = false;
    }
  }

  /** Bytes of scratch a call needs: one block of `gemmScratchBytes(config)` per thread. */
  scratchBytes(): number {
    return this.threads * gemmScratchBytes(this.config);
  }

  #epilogueSpec(e: GemmPoolEpilogue): PoolModuleSpec {
    let s = this.#epilogues.get(e.module);
    if (s === undefined)
      this.#epilogues.set(e.module, (s = { module: e.module, importNames: e.importNames, exports: ["gemm"] }));
    return s;
  }

  /**
   * C[t] = op(A[t])·op(B[t]) as {@link gemmF32}, split over the pool's threads; `args.scratch`
   * must hold `scratchBytes()` bytes (thread w uses the w-th block of `gemmScratchBytes(config)`).
   * The call is cut into a few chunks per thread (gemmPartition) that the threads claim one at a
   * time, so a thread slowed by other work on the machine leaves its share to the others. Small
   * calls (below `minFlop`, default {@link GEMM_POOL_MIN_FLOP}) run on the calling thread alone.
   * With `epilogue`, its module's `gemm` runs instead (same ranges, its `extra` arguments appended).
   */
  gemmF32(args: GemmF32Args, epilogue?: GemmPoolEpilogue): void {
    if (this.#closed || this.pool?.closed === true) throw new ValueError("GemmPool.gemmF32: the pool is closed");
    const per = gemmScratchBytes(this.config);
    const raw = gemmRawArgs(this.memory, args, this.config);
    const bytes = this.memory.buffer.byteLength;
    if (args.scratch + this.threads * per > bytes)
      throw new ValueError(
        `GemmPool.gemmF32: scratch (${this.threads}×${per} bytes at ${args.scratch}) runs past the end of the memory (${bytes} bytes)`,
      );
    if (epilogue !== undefined && epilogue.extra.length > MAX_EXTRA)
      throw new ValueError(`GemmPool.gemmF32: ${epilogue.extra.length} epilogue arguments, at most ${MAX_EXTRA}`);
    const extra = epilogue?.extra ?? [];
    const local = epilogue === undefined ? gemmKernel(this.memory, this.config) : epilogue.fn;
    const flop = 2 * args.m * args.n * args.k * (args.batch ?? 1);
    const ranges: GemmRange[] =
      this.pool === null || flop < this.minFlop
        ? [fullRange(args)]
        : gemmPartition(
            args,
            Math.max(
              this.threads,
              Math.min(MAX_CHUNKS, CHUNKS_PER_THREAD * this.threads, Math.floor(flop / CHUNK_MIN_FLOP)),
            ),
            this.config,
          );
    if (ranges.length === 1 || this.pool === null) {
      const g = ranges[0];
      local(...raw, g.b0, g.b1, g.i0, g.i1, g.j0, g.j1, args.scratch, ...extra);
      return;
    }
    this.pool.run({
      spec: epilogue === undefined ? this.#plain : this.#epilogueSpec(epilogue),
      exportIndex: 0,
      local,
      head: raw,
      rows: ranges.map((g) => [g.b0, g.b1, g.i0, g.i1, g.j0, g.j1]),
      tail: [args.scratch, ...extra],
      perThread: { slot: 0, stride: per },
    });
  }

  /** Chunks the workers (not the calling thread) have run since the pool started. */
  get workerChunks(): number {
    return this.pool?.workerChunks ?? 0;
  }

  /** Stops the workers of a pool of its own (a shared pool stays open). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#owned) this.pool?.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
