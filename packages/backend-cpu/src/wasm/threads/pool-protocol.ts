/**
 * The hand-off protocol both worker pools (gemm-pool.ts, kernel-pool.ts) use over a shared Int32
 * control block, so that a call is synchronous and every chunk of it runs exactly once.
 *
 * The caller writes the call's arguments and chunk table (pool-specific slots after the header),
 * then `publish`es it: NCHUNKS, FINISHED = FAILED = 0, the claim word NEXT = (call tag << 16) | 0,
 * SEQ bumped and notified. Every thread — the caller in `runClaimed`, each worker in the loop of
 * `workerLoopSource` — claims a chunk by compare-and-swap on NEXT, and only while NEXT carries the
 * tag of the call it woke for; it reads the arguments after the claim, runs the chunk, and adds 1
 * to FINISHED (a worker notifies when it reaches NCHUNKS). The caller returns once FINISHED =
 * NCHUNKS. A worker that wakes late (its call over, the caller already writing the next) finds
 * another tag and claims nothing — with a plain `Atomics.add` claim it could run a chunk of the next
 * call on half-written arguments and count it twice, letting the caller return before every chunk
 * was written.
 */

// Header slots (Int32 indices); a pool's own slots start at HEADER_SLOTS.
export const SEQ = 0;
export const QUIT = 1;
export const NEXT = 2;
export const NCHUNKS = 3;
export const FINISHED = 4;
export const FAILED = 5;
/** Chunks run by workers, in all (a statistic). */
export const CLAIMED = 6;
/** Header size; chunk indices take NEXT's low 16 bits, so a call has fewer than 2¹⁶ chunks. */
export const HEADER_SLOTS = 8;

/** The call tag in NEXT's upper 15 bits (the sequence number modulo 2¹⁵). */
const tagOf = (seq: number): number => (seq & 0x7fff) << 16;

/** Claim the next chunk of the call tagged `tag`: its index, or -1 (none left, or another call's). */
function claim(c: Int32Array, tag: number): number {
  for (;;) {
    const v = Atomics.load(c, NEXT);
    if ((v & 0x7fff0000) !== tag) return -1;
    const q = v & 0xffff;
    if (q >= Atomics.load(c, NCHUNKS)) return -1;
    if (Atomics.compareExchange(c, NEXT, v, v + 1) === v) return q;
  }
}

/** Make call `seq` with `n` chunks claimable (its arguments are written); returns its tag. */
export function publish(c: Int32Array, seq: number, n: number): number {
  const tag = tagOf(seq);
  Atomics.store(c, NCHUNKS, n);
  Atomics.store(c, FINISHED, 0);
  Atomics.store(c, FAILED, 0);
  Atomics.store(c, NEXT, tag);
  Atomics.store(c, SEQ, seq);
  Atomics.notify(c, SEQ);
  return tag;
}

/**
 * Whether this thread may block in `Atomics.wait`: Node's main thread and workers may, a browser
 * page's main thread may not (it throws) — there the caller spins on FINISHED instead, which lasts
 * at most the time a worker takes to finish a chunk it has already claimed.
 */
export const callerCanBlock: boolean = (() => {
  if (typeof SharedArrayBuffer === "undefined") return false;
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
})();

/**
 * The caller's part of call `tag`: claim and run chunks until none is left, then wait for the
 * workers' chunks. Throws the first error of the caller's chunks; returns whether a worker's failed.
 */
export function runClaimed(c: Int32Array, tag: number, n: number, run: (q: number) => void): boolean {
  let error: unknown;
  for (;;) {
    const q = claim(c, tag);
    if (q < 0) break;
    try {
      run(q);
    } catch (e) {
      error ??= e;
    }
    Atomics.add(c, FINISHED, 1);
  }
  for (;;) {
    const done = Atomics.load(c, FINISHED);
    if (done === n) break;
    if (callerCanBlock) Atomics.wait(c, FINISHED, done);
  }
  if (error !== undefined) throw error;
  return Atomics.load(c, FAILED) === 1;
}

/** Tell the workers of a control block to exit. */
export function quit(c: Int32Array): void {
  Atomics.store(c, QUIT, 1);
  Atomics.add(c, SEQ, 1);
  Atomics.notify(c, SEQ);
}

/**
 * The worker's side as JavaScript source (workers are `eval` / Blob workers: no TypeScript
 * loader), for a control block `c` in scope and the functions of pool-workers.ts's source:
 * `loop()` parks on SEQ, then claims chunks of the call woken for and runs `runChunk(q)` for each
 * (an exception marks the call FAILED). A call the worker is not `ready()` for (a browser worker
 * that has not received the call's module) is left to the other threads: the worker returns to its
 * event loop, where the module's message is delivered, and re-enters the loop after it.
 */
export function workerLoopSource(): string {
  return `
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
function loop() {
  for (;;) {
    Atomics.wait(c, ${SEQ}, seen);
    seen = Atomics.load(c, ${SEQ});
    if (Atomics.load(c, ${QUIT}) === 1) return exit();
    if (!ready()) return void setTimeout(loop, 0);
    const tag = (seen & 0x7fff) << 16;
    for (;;) {
      const q = claim(tag);
      if (q < 0) break;
      Atomics.add(c, ${CLAIMED}, 1);
      try {
        runChunk(q);
      } catch (e) {
        Atomics.store(c, ${FAILED}, 1);
      }
      if (Atomics.add(c, ${FINISHED}, 1) + 1 === Atomics.load(c, ${NCHUNKS})) Atomics.notify(c, ${FINISHED});
    }
  }
}
`;
}
