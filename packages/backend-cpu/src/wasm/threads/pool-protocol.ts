/**
 * The hand-off protocol of the worker pool (worker-pool.ts) over a shared Int32 control block, so
 * that a call is synchronous and every chunk of it runs exactly once.
 *
 * The caller writes the call's arguments and chunk table (slots after the header), then
 * `publish`es it: NCHUNKS, FINISHED = FAILED = 0, the claim word NEXT = (call tag << 16) | 0,
 * SEQ bumped. Every thread — the caller in `runClaimed`, each worker in the loop of
 * `workerLoopSource` — claims a chunk by compare-and-swap on NEXT, and only while NEXT carries the
 * tag of the call it woke for; it reads the arguments after the claim, runs the chunk, and adds 1
 * to FINISHED. The caller returns once FINISHED = NCHUNKS. A worker that wakes late (its call over,
 * the caller already writing the next) finds another tag and claims nothing — with a plain
 * `Atomics.add` claim it could run a chunk of the next call on half-written arguments and count it
 * twice, letting the caller return before every chunk was written.
 *
 * Spin, then park. Waking a thread parked in `Atomics.wait` is a futex wake: measured on the
 * 2-vCPU VM of the benchmarks, `Atomics.notify` on the caller's side and the wake-up latency on
 * the worker's cost tens of microseconds per call — a quarter of an S5 training step (hundreds of
 * pool calls, each 20–500 µs) went to `publish` and to waiting in `runClaimed`. So a worker polls
 * SEQ for SPIN_US microseconds after each call before it parks, and the caller polls FINISHED for
 * a while before it parks; a notify is made only when the other side has said it is parked
 * (PARKED, CALLER_PARKED). Both sides store their own word before they read the other's, and
 * `Atomics.wait` re-checks its word, so no wake-up is lost (sequentially consistent atomics: at
 * least one side sees the other's store). Calls of a training step come every few tens of
 * microseconds, so in a step the workers never park; an idle pool parks within SPIN_US.
 */

// Header slots (Int32 indices); the pool's call slots start at HEADER_SLOTS.
export const SEQ = 0;
export const QUIT = 1;
export const NEXT = 2;
export const NCHUNKS = 3;
export const FINISHED = 4;
export const FAILED = 5;
/** Chunks run by workers, in all (a statistic). */
export const CLAIMED = 6;
/** Microseconds a worker polls SEQ after a call before it parks (0: park at once). */
export const SPIN_US = 7;
/** Workers parked (or about to park) in Atomics.wait on SEQ. */
export const PARKED = 8;
/** 1 while the caller is parked (or about to park) in Atomics.wait on FINISHED. */
export const CALLER_PARKED = 9;
/** Header size; chunk indices take NEXT's low 16 bits, so a call has fewer than 2¹⁶ chunks. */
export const HEADER_SLOTS = 12;

/** Default worker spin: a little longer than the gap between two kernels of a training step. */
export const DEFAULT_SPIN_US = 2000;
/** How long the caller polls FINISHED before it parks (the workers' chunks are already running). */
const CALLER_SPIN_MS = 0.2;

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
  // Spinning workers see SEQ change by themselves; only parked ones need the (costly) wake.
  if (Atomics.load(c, PARKED) > 0) Atomics.notify(c, SEQ);
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
  if (Atomics.load(c, FINISHED) !== n) waitFinished(c, n);
  if (error !== undefined) throw error;
  return Atomics.load(c, FAILED) === 1;
}

/** Wait until FINISHED = n: poll for CALLER_SPIN_MS, then park (where this thread may block). */
function waitFinished(c: Int32Array, n: number): void {
  const until = performance.now() + CALLER_SPIN_MS;
  for (let i = 1; Atomics.load(c, FINISHED) !== n; i++) {
    if ((i & 255) !== 0 || !callerCanBlock || performance.now() < until) continue;
    for (;;) {
      Atomics.store(c, CALLER_PARKED, 1);
      const done = Atomics.load(c, FINISHED);
      if (done === n) break;
      Atomics.wait(c, FINISHED, done);
    }
    Atomics.store(c, CALLER_PARKED, 0);
    return;
  }
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
 * `loop()` polls SEQ for SPIN_US microseconds, then parks on it; it claims chunks of the call
 * woken for and runs `runChunk(q)` for each (an exception marks the call FAILED). A call the worker
 * is not `ready()` for (a browser worker that has not received the call's module) is left to the
 * other threads: the worker returns to its event loop, where the module's message is delivered,
 * and re-enters the loop after it.
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
function awaitCall() {
  const spin = Atomics.load(c, ${SPIN_US});
  if (spin > 0) {
    const until = performance.now() + spin / 1000;
    for (let i = 1; Atomics.load(c, ${SEQ}) === seen; i++) if ((i & 255) === 0 && performance.now() > until) break;
  }
  if (Atomics.load(c, ${SEQ}) === seen) {
    Atomics.add(c, ${PARKED}, 1);
    Atomics.wait(c, ${SEQ}, seen);
    Atomics.sub(c, ${PARKED}, 1);
  }
}
function loop() {
  for (;;) {
    awaitCall();
    const now = Atomics.load(c, ${SEQ});
    if (now === seen) continue;
    seen = now;
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
      if (Atomics.add(c, ${FINISHED}, 1) + 1 === Atomics.load(c, ${NCHUNKS}) && Atomics.load(c, ${CALLER_PARKED}) === 1) Atomics.notify(c, ${FINISHED});
    }
  }
}
`;
}
