/**
 * A worker pool for the WebAssembly GEMM routine: Node `worker_threads` over the SAME shared
 * `WebAssembly.Memory`, each worker instantiating the same compiled module. A call is split with
 * `gemmPartition` into one range per thread; the calling thread runs the first range itself and
 * blocks in `Atomics.wait` until the workers have done theirs, so the call is synchronous, as the
 * CPU backend's kernels are.
 *
 * Hand-off is through one small SharedArrayBuffer (no postMessage per call): the caller writes the
 * module's raw arguments and a table of chunks (ranges) and publishes the call; the workers, parked
 * in `Atomics.wait`, and the caller claim chunks until none is left (pool-protocol.ts: tagged
 * claims, so a late worker never runs a chunk of the wrong call). The worker's code is a plain
 * JavaScript string (an `eval` worker), so no TypeScript loader is needed in the worker.
 *
 * Results are bit-identical to the single-thread `gemmF32` (each element of C is summed the same
 * way whichever range computes it). Blocking the calling thread needs `Atomics.wait`, which Node
 * allows on its main thread; a browser page's main thread does not (use the pool from a worker).
 */
import { MessageChannel, type MessagePort, Worker } from "node:worker_threads";
import { ValueError } from "@linax-ts/core";
import { defaultGemmConfig, fullRange, gemmKernel, gemmModule, gemmPartition, gemmRawArgs, type GemmF32Args, type GemmRange } from "../gemm-call.ts";
import { gemmScratchBytes, type GemmConfig } from "../gemm.ts";
import { CLAIMED, HEADER_SLOTS, publish, QUIT, quit, runClaimed, workerLoopSource } from "./pool-protocol.ts";

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

// GEMMs with an epilogue (compile/gemm-epilogue.ts) are other modules, posted once over the
// worker's port and pulled synchronously when a call names one the worker has not instantiated
// (as the kernel pool does); their imported functions are stubs: only epilogues that call none
// are given to the pool.
const WORKER_SOURCE = `
const { workerData, receiveMessageOnPort } = require("node:worker_threads");
const { module, memory, control, id, port } = workerData;
const plain = new WebAssembly.Instance(module, { env: { memory } }).exports.gemm;
const c = new Int32Array(control);
const withEpilogue = new Map();
const stub = () => { throw new Error("gemm pool: a worker called an imported function"); };
function gemmOf(mid) {
  if (mid === 0) return plain;
  for (;;) {
    const g = withEpilogue.get(mid);
    if (g !== undefined) return g;
    const msg = receiveMessageOnPort(port);
    if (msg === undefined) { Atomics.wait(c, ${QUIT}, 0, 1); continue; }
    const env = { memory };
    for (const n of msg.message.importNames) env[n] = stub;
    withEpilogue.set(msg.message.id, new WebAssembly.Instance(msg.message.module, { env }).exports.gemm);
  }
}
const args = [];
${workerLoopSource(`
      const o = ${CHUNKS} + 6 * q;
      const ne = c[${NEXTRA}];
      args.length = 19 + ne;
      for (let i = 0; i < 12; i++) args[i] = c[${RAW} + i];
      for (let i = 0; i < 6; i++) args[12 + i] = c[o + i];
      args[18] = c[${SCRATCH}] + id * c[${PER}];
      for (let i = 0; i < ne; i++) args[19 + i] = c[${EXTRA} + i];
      gemmOf(c[${MODULE}])(...args);`)}
`;

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
  readonly #ports: MessagePort[] = [];
  readonly #posted = new Set<number>();
  #seq = 0;
  #closed = false;

  /**
   * `threads` (default 2) counts the calling thread: `threads − 1` workers are started. The memory
   * must be shared. Workers are unref'd, so an idle pool does not keep the process alive; `close()`
   * (or `using`) stops them, and so does collecting a pool that was never closed.
   */
  constructor(memory: WebAssembly.Memory, opts: { threads?: number; config?: GemmConfig; minFlop?: number } = {}) {
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
    // The workers live until quit (they hold no reference back; unref'd, they don't keep the process alive).
    Array.from({ length: threads - 1 }, (_, q) => {
      const { port1, port2 } = new MessageChannel();
      const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { module, memory, control: this.#control.buffer, id: q + 1, port: port2 }, transferList: [port2] });
      worker.unref();
      port1.unref();
      this.#ports.push(port1);
      return worker;
    });
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
    if (epilogue !== undefined && epilogue.extra.length > MAX_EXTRA) throw new ValueError(`GemmPool.gemmF32: ${epilogue.extra.length} epilogue arguments, at most ${MAX_EXTRA}`);
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
      for (const p of this.#ports) p.postMessage({ id: epilogue.id, module: epilogue.module, importNames: epilogue.importNames });
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
    for (const p of this.#ports) p.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
