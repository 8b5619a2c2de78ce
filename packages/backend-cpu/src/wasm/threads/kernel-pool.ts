/**
 * A worker pool for compiled kernels: Node `worker_threads` over the SAME shared
 * `WebAssembly.Memory`. A kernel takes a range [lo, hi) of its outermost loop (see
 * compile/render-kernel.ts), so a call is cut into ranges that write disjoint parts of the output;
 * the calling thread and the workers claim ranges until none is left, and the call returns when
 * all are done — synchronous, as every CPU kernel is. Each element is computed by the same code
 * whichever thread runs it, so results are bit-identical to one thread.
 *
 * Programs are separate WebAssembly modules: a module is posted once to each worker over its own
 * MessagePort; a worker that meets a module id it has not instantiated pulls the pending messages
 * with `receiveMessageOnPort` (synchronously — it is parked in `Atomics.wait`, not in an event
 * loop) and instantiates the module on the shared memory. Imported functions (the reference's
 * scalar functions) cannot cross threads: workers bind stubs that throw, and only kernels that
 * call no import are given to the pool.
 *
 * Hand-off: the caller writes the call into a small shared control block, then publishes it by
 * storing the claim word NEXT = (call tag << 16) | 0, bumps the sequence number and notifies.
 * Everyone claims a range by compare-and-swap on NEXT, and only while NEXT carries the tag of the
 * call it woke for — so a worker that wakes late (its call already over, the caller writing the
 * next one) claims nothing: it can neither run a range with half-written arguments nor count a
 * range twice (a plain `Atomics.add` claim allowed both, and the caller could then return before
 * a range was written). The caller returns when the finished count is the range count.
 */
import { MessageChannel, type MessagePort, Worker } from "node:worker_threads";
import { InternalError, ValueError } from "@linax-ts/core";

const SEQ = 0;
const QUIT = 1;
const NEXT = 2;
const NCHUNKS = 3;
const FINISHED = 4;
const FAILED = 5;
const MODULE = 6;
const KERNEL = 7;
const NPTRS = 8;
const CLAIMED = 9;
const PTRS = 16;
const MAX_PTRS = 512;
const CHUNKS = PTRS + MAX_PTRS; // 2 Int32 per range: lo, hi
const MAX_CHUNKS = 64;
const SLOTS = CHUNKS + 2 * MAX_CHUNKS;
const MAX_THREADS = 64;
/** The call tag in NEXT's upper 15 bits (the sequence number modulo 2¹⁵). */
const tagOf = (seq: number): number => (seq & 0x7fff) << 16;

/**
 * Claim the next range of the call tagged `tag`: its index, or -1 when none is left or NEXT
 * belongs to another call. (The worker source repeats this function.)
 */
function claim(c: Int32Array, tag: number): number {
  for (;;) {
    const v = Atomics.load(c, NEXT);
    if ((v & 0x7fff0000) !== tag) return -1;
    const q = v & 0xffff;
    if (q >= Atomics.load(c, NCHUNKS)) return -1;
    if (Atomics.compareExchange(c, NEXT, v, v + 1) === v) return q;
  }
}

const WORKER_SOURCE = `
const { workerData, receiveMessageOnPort } = require("node:worker_threads");
const { memory, control, port } = workerData;
const c = new Int32Array(control);
const instances = new Map();
const stub = () => { throw new Error("kernel pool: a worker called an imported function"); };
function kernel(mid, kid) {
  for (;;) {
    const exports = instances.get(mid);
    if (exports !== undefined) return exports["k" + kid];
    const msg = receiveMessageOnPort(port);
    if (msg === undefined) { Atomics.wait(c, ${QUIT}, 0, 1); continue; }
    const env = { memory };
    for (const n of msg.message.importNames) env[n] = stub;
    instances.set(msg.message.id, new WebAssembly.Instance(msg.message.module, { env }).exports);
  }
}
function claim(tag) {
  for (;;) {
    const v = Atomics.load(c, ${NEXT});
    if ((v & 0x7fff0000) !== tag) return -1;
    const q = v & 0xffff;
    if (q >= Atomics.load(c, ${NCHUNKS})) return -1;
    if (Atomics.compareExchange(c, ${NEXT}, v, v + 1) === v) return q;
  }
}
let seen = 0;
const args = [];
for (;;) {
  Atomics.wait(c, ${SEQ}, seen);
  seen = Atomics.load(c, ${SEQ});
  if (Atomics.load(c, ${QUIT}) === 1) break;
  const tag = (seen & 0x7fff) << 16;
  for (;;) {
    const q = claim(tag);
    if (q < 0) break;
    const n = Atomics.load(c, ${NCHUNKS});
    Atomics.add(c, ${CLAIMED}, 1);
    try {
      const fn = kernel(c[${MODULE}], c[${KERNEL}]);
      const np = c[${NPTRS}];
      args.length = np + 2;
      for (let i = 0; i < np; i++) args[i] = c[${PTRS} + i];
      args[np] = c[${CHUNKS} + 2 * q];
      args[np + 1] = c[${CHUNKS} + 2 * q + 1];
      fn(...args);
    } catch (e) {
      Atomics.store(c, ${FAILED}, 1);
    }
    if (Atomics.add(c, ${FINISHED}, 1) + 1 === n) Atomics.notify(c, ${FINISHED});
  }
}
`;

function quit(control: Int32Array): void {
  Atomics.store(control, QUIT, 1);
  Atomics.add(control, SEQ, 1);
  Atomics.notify(control, SEQ);
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
  readonly #memory: WebAssembly.Memory;
  readonly #workers: Worker[] = [];
  readonly #ports: MessagePort[] = [];
  readonly #posted = new Set<number>();
  readonly #control = new Int32Array(new SharedArrayBuffer(4 * SLOTS));
  #seq = 0;
  #closed = false;

  /** `threads` (≥ 2) counts the calling thread. Workers are unref'd; `close()` stops them. */
  constructor(memory: WebAssembly.Memory, threads: number) {
    if (typeof SharedArrayBuffer === "undefined" || !(memory.buffer instanceof SharedArrayBuffer))
      throw new ValueError("KernelPool: the memory must be a shared WebAssembly.Memory");
    if (!Number.isInteger(threads) || threads < 2 || threads > MAX_THREADS)
      throw new ValueError(`KernelPool: threads must be an integer in [2, ${MAX_THREADS}], got ${threads}`);
    this.threads = threads;
    this.#memory = memory;
    for (let q = 1; q < threads; q++) {
      const { port1, port2 } = new MessageChannel();
      const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { memory, control: this.#control.buffer, port: port2 }, transferList: [port2] });
      worker.unref();
      port1.unref();
      this.#workers.push(worker);
      this.#ports.push(port1);
    }
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
      for (const p of this.#ports) p.postMessage({ id: mod.id, module: mod.module, importNames: mod.importNames });
      this.#posted.add(mod.id);
    }
    const n = Math.max(1, Math.min(chunks, outer, MAX_CHUNKS));
    const c = this.#control;
    const seq = (this.#seq + 1) | 0;
    const tag = tagOf(seq);
    c[MODULE] = mod.id;
    c[KERNEL] = index;
    c[NPTRS] = ptrs.length;
    for (let i = 0; i < ptrs.length; i++) c[PTRS + i] = ptrs[i];
    for (let q = 0; q < n; q++) {
      c[CHUNKS + 2 * q] = Math.floor((q * outer) / n);
      c[CHUNKS + 2 * q + 1] = Math.floor(((q + 1) * outer) / n);
    }
    Atomics.store(c, NCHUNKS, n);
    Atomics.store(c, FINISHED, 0);
    Atomics.store(c, FAILED, 0);
    // Publishing the tagged claim word makes the call claimable (everything above is written).
    Atomics.store(c, NEXT, tag);
    this.#seq = seq;
    Atomics.store(c, SEQ, seq);
    Atomics.notify(c, SEQ);
    let error: unknown;
    const args = [...ptrs, 0, 0];
    for (;;) {
      const q = claim(c, tag);
      if (q < 0) break;
      args[ptrs.length] = c[CHUNKS + 2 * q];
      args[ptrs.length + 1] = c[CHUNKS + 2 * q + 1];
      try {
        fn(...args);
      } catch (e) {
        error ??= e;
      }
      Atomics.add(c, FINISHED, 1);
    }
    for (;;) {
      const done = Atomics.load(c, FINISHED);
      if (done === n) break;
      Atomics.wait(c, FINISHED, done);
    }
    if (error !== undefined) throw error;
    if (Atomics.load(c, FAILED) === 1) throw new InternalError("KernelPool.run: a worker's kernel trapped");
  }

  /** Ranges the workers (not the calling thread) have run since the pool started. */
  get workerChunks(): number {
    return Atomics.load(this.#control, CLAIMED);
  }

  /** The memory the pool's workers run on. */
  get memory(): WebAssembly.Memory {
    return this.#memory;
  }

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
