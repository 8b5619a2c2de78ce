/**
 * A worker pool for the WebAssembly GEMM routine: workers (Node `worker_threads`, or Web Workers in
 * a cross-origin isolated page — pool-workers.ts) over the SAME shared `WebAssembly.Memory`, each
 * worker instantiating the same compiled module. A call is split with
 * `gemmPartition` into one range per thread; the calling thread runs the first range itself and
 * blocks in `Atomics.wait` until the workers have done theirs, so the call is synchronous, as the
 * CPU backend's kernels are.
 *
 * Hand-off is through one small SharedArrayBuffer (no postMessage per call): the caller writes the
 * module's raw arguments and a table of chunks (ranges) and publishes the call; the workers, parked
 * in `Atomics.wait`, and the caller claim chunks until none is left (pool-protocol.ts: tagged
 * claims, so a late worker never runs a chunk of the wrong call). The worker's code is a plain
 * JavaScript string (an `eval` or Blob worker), so no TypeScript loader is needed in the worker.
 *
 * Results are bit-identical to the single-thread `gemmF32` (each element of C is summed the same
 * way whichever range computes it). The caller waits for the workers' last chunks in
 * `Atomics.wait` where it may block (Node, a worker) and spins on a browser page's main thread.
 */
import { ValueError } from "@linax-ts/core";
import { defaultGemmConfig, fullRange, gemmKernel, gemmModule, gemmPartition, gemmRawArgs, type GemmF32Args, type GemmRange } from "../gemm-call.ts";
import { gemmScratchBytes, type GemmConfig } from "../gemm.ts";
import { CLAIMED, HEADER_SLOTS, publish, quit, runClaimed, workerLoopSource } from "./pool-protocol.ts";
import { defaultSpawner, poolWorkerSource, type Platform, type PoolWorker, type WorkerSpawner } from "./pool-workers.ts";

// The pool's own slots of the control block, after the protocol's header.
const RAW = HEADER_SLOTS; // the 12 raw arguments of the gemm export before the range
const SCRATCH = HEADER_SLOTS + 12; // scratch of thread 0; thread w uses SCRATCH + w·PER
const PER = HEADER_SLOTS + 13;
const MODULE = HEADER_SLOTS + 14; // 0: the plain GEMM; else the id of a GEMM with an epilogue
const NEXTRA = HEADER_SLOTS + 15; // how many epilogue parameters follow scratch
const CHUNKS = 24; // 6 Int32 per chunk: b0, b1, i0, i1, j0, j1
const MAX_THREADS = 64;
const MAX_CHUNKS = 256;
const EXTRA = CHUNKS + 6 * MAX_CHUNKS;
const MAX_EXTRA = 256;
const SLOTS = EXTRA + MAX_EXTRA;
/**
 * Up to this many chunks per thread, so that a thread slowed by other load on the machine hands
 * work to the others; but no chunk below CHUNK_MIN_FLOP, since each chunk packs its own copy of B
 * and a worker takes some microseconds to wake.
 */
const CHUNKS_PER_THREAD = 4;
const CHUNK_MIN_FLOP = 2 ** 24;

// GEMMs with an epilogue (compile/gemm-epilogue.ts) are other modules, posted once to each worker
// and taken from its messages when a call names one it has not instantiated (as the kernel pool
// does); their imported functions are stubs: only epilogues that call none are given to the pool.
/** The GEMM pool's worker source for `platform`. */
export function gemmWorkerSource(platform: Platform): string {
  return poolWorkerSource(
    platform,
    {
      init: `
  plain = new WebAssembly.Instance(init.module, { env: { memory } }).exports.gemm;
  id = init.id;`,
      ready: `c[${MODULE}] === 0 || have(c[${MODULE}])`,
      chunk: `
  const mid = c[${MODULE}];
  const gemm = mid === 0 ? plain : modules.get(mid).gemm;
  const o = ${CHUNKS} + 6 * q;
  const ne = c[${NEXTRA}];
  const args = new Array(19 + ne);
  for (let i = 0; i < 12; i++) args[i] = c[${RAW} + i];
  for (let i = 0; i < 6; i++) args[12 + i] = c[o + i];
  args[18] = c[${SCRATCH}] + id * c[${PER}];
  for (let i = 0; i < ne; i++) args[19 + i] = c[${EXTRA} + i];
  gemm(...args);`,
    },
    `let plain, id;\n${workerLoopSource()}`,
  );
}

/**
 * A GEMM module with an epilogue built in (compile/gemm-epilogue.ts): its `gemm` export takes the
 * plain one's arguments then `extra`. `fn` is this thread's instance; workers instantiate `module`.
 */
export interface GemmPoolEpilogue {
  /** Unique per module (workers key their instances by it); not 0. */
  readonly id: number;
  readonly module: WebAssembly.Module;
  readonly importNames: readonly string[];
  readonly fn: (...args: number[]) => void;
  readonly extra: readonly number[];
}

/**
 * Calls below this many FLOP (2·m·n·k·batch; 2²³ ≈ 8 MFLOP ≈ 0.2 ms on one thread) run on the
 * calling thread alone: waking a worker costs some microseconds. The bound was 2²⁶ while the
 * training steps of linax's S5 recipe (products of 896 × 128 × 128 ≈ 29 MFLOP) were measured on a
 * machine busy with other processes, where the caller may wait for a worker the OS has not
 * scheduled, so they ran on one core; two threads are worth it for them on an idle machine, and
 * the chunk-claiming protocol lets the caller do a late worker's share itself.
 */
export const GEMM_POOL_MIN_FLOP = 2 ** 23;

const unclosed = new FinalizationRegistry<Int32Array>(quit);

/** Threads over one shared memory running the GEMM routine. */
export class GemmPool {
  readonly memory: WebAssembly.Memory;
  readonly config: GemmConfig;
  /** Threads a call may use, the calling thread included. */
  readonly threads: number;
  /** Calls below this many FLOP run on the calling thread alone. */
  readonly minFlop: number;
  readonly #control = new Int32Array(new SharedArrayBuffer(4 * SLOTS));
  readonly #workers: PoolWorker[] = [];
  readonly #posted = new Set<number>();
  #seq = 0;
  #closed = false;

  /**
   * `threads` (default 2) counts the calling thread: `threads − 1` workers are started. The memory
   * must be shared. Workers are unref'd, so an idle pool does not keep the process alive; `close()`
   * (or `using`) stops them, and so does collecting a pool that was never closed.
   */
  constructor(memory: WebAssembly.Memory, opts: { threads?: number; config?: GemmConfig; minFlop?: number; spawner?: WorkerSpawner | null } = {}) {
    if (typeof SharedArrayBuffer === "undefined" || !(memory.buffer instanceof SharedArrayBuffer)) {
      throw new ValueError("GemmPool: the memory must be a shared WebAssembly.Memory (use gemmF32 on one thread otherwise)");
    }
    const threads = opts.threads ?? 2;
    if (!Number.isInteger(threads) || threads < 1 || threads > MAX_THREADS)
      throw new ValueError(`GemmPool: threads must be an integer in [1, ${MAX_THREADS}], got ${threads}`);
    this.memory = memory;
    this.config = opts.config ?? defaultGemmConfig();
    this.threads = threads;
    this.minFlop = opts.minFlop ?? GEMM_POOL_MIN_FLOP;
    const module = gemmModule(true, this.config);
    const spawner = opts.spawner === undefined ? defaultSpawner() : opts.spawner;
    if (threads > 1 && spawner === null) throw new ValueError("GemmPool: no worker threads on this platform (threads: 1 runs on this one)");
    // The workers live until quit (they hold no reference back; Node's are unref'd, so they don't keep the process alive).
    if (spawner !== null) {
      const source = gemmWorkerSource(spawner.platform);
      for (let q = 1; q < threads; q++)
        this.#workers.push(spawner.spawn(source, { module, memory, control: this.#control.buffer as SharedArrayBuffer, id: q }));
    }
    unclosed.register(this, this.#control, this);
  }

  /** Bytes of scratch a call needs: one block of `gemmScratchBytes(config)` per thread. */
  scratchBytes(): number {
    return this.threads * gemmScratchBytes(this.config);
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
    if (this.#closed) throw new ValueError("GemmPool.gemmF32: the pool is closed");
    const per = gemmScratchBytes(this.config);
    const raw = gemmRawArgs(this.memory, args, this.config);
    const bytes = this.memory.buffer.byteLength;
    if (args.scratch + this.threads * per > bytes)
      throw new ValueError(`GemmPool.gemmF32: scratch (${this.threads}×${per} bytes at ${args.scratch}) runs past the end of the memory (${bytes} bytes)`);
    if (epilogue !== undefined && epilogue.extra.length > MAX_EXTRA)
      throw new ValueError(`GemmPool.gemmF32: ${epilogue.extra.length} epilogue arguments, at most ${MAX_EXTRA}`);
    const extra = epilogue?.extra ?? [];
    const plain = gemmKernel(this.memory, this.config);
    const kernel = epilogue === undefined ? plain : (...a: number[]): void => epilogue.fn(...a, ...extra);
    const flop = 2 * args.m * args.n * args.k * (args.batch ?? 1);
    const ranges: GemmRange[] =
      this.threads === 1 || flop < this.minFlop
        ? [fullRange(args)]
        : gemmPartition(args, Math.max(this.threads, Math.min(MAX_CHUNKS, CHUNKS_PER_THREAD * this.threads, Math.floor(flop / CHUNK_MIN_FLOP))), this.config);
    if (ranges.length === 1) {
      const g = ranges[0];
      kernel(...raw, g.b0, g.b1, g.i0, g.i1, g.j0, g.j1, args.scratch);
      return;
    }
    const c = this.#control;
    const n = ranges.length;
    if (epilogue !== undefined && !this.#posted.has(epilogue.id)) {
      for (const w of this.#workers) w.post({ id: epilogue.id, module: epilogue.module, importNames: epilogue.importNames });
      this.#posted.add(epilogue.id);
    }
    raw.forEach((v, i) => (c[RAW + i] = v));
    c[MODULE] = epilogue?.id ?? 0;
    c[NEXTRA] = extra.length;
    extra.forEach((v, i) => (c[EXTRA + i] = v));
    c[SCRATCH] = args.scratch;
    c[PER] = per;
    ranges.forEach((g, q) => c.set([g.b0, g.b1, g.i0, g.i1, g.j0, g.j1], CHUNKS + 6 * q));
    this.#seq = (this.#seq + 1) | 0;
    const tag = publish(c, this.#seq, n);
    const failed = runClaimed(c, tag, n, (q) => {
      const g = ranges[q];
      kernel(...raw, g.b0, g.b1, g.i0, g.i1, g.j0, g.j1, args.scratch);
    });
    if (failed) throw new RangeError("GemmPool.gemmF32: a worker's gemm trapped (out-of-bounds access)");
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

  [Symbol.dispose](): void {
    this.close();
  }
}
