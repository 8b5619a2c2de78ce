/**
 * Memory curves for leak tests: run a loop, and every `every` iterations collect garbage (when
 * node runs with --expose-gc) and sample the process RSS, V8's used heap, and the caller's live
 * buffer count. `assertFlat` then checks the curve after warm-up: live buffers exactly flat, RSS
 * within a stated slack of its value at the end of warm-up — a leak of even a few hundred bytes
 * per iteration shows as a steady climb over thousands of iterations, which the slack does not
 * absorb, while allocator noise (a few MiB of arena and code-space churn) does not fail it.
 */
import assert from "node:assert/strict";

export interface MemorySample {
  /** Iterations done when the sample was taken. */
  readonly step: number;
  readonly rssMiB: number;
  readonly heapUsedMiB: number;
  /** The caller's live count (live device buffers, say). */
  readonly live: number;
  /** Anything else the caller samples (heap blocks, cache sizes). */
  readonly extra: Readonly<Record<string, number>>;
}

export interface MemoryCurveOptions {
  /** Total iterations. */
  readonly steps: number;
  /** Sample every this many iterations (and once before the first). */
  readonly every: number;
  /** Run iterations `from` … `to - 1` (async for backends whose reads are: WebGPU). */
  readonly run: (from: number, to: number) => void | Promise<void>;
  /** The live count to sample (e.g. `() => cpu.liveBuffers()`). */
  readonly live: () => number;
  /** Extra numbers to sample. */
  readonly extra?: () => Record<string, number>;
}

const MiB = 2 ** 20;

/** Collect garbage and let finalizers run (a no-op without --expose-gc). */
export async function settleGarbage(rounds = 4): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let i = 0; i < rounds; i++) {
    gc?.();
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Whether this process can collect garbage on demand (node --expose-gc). */
export const canCollectGarbage = (): boolean => typeof (globalThis as { gc?: unknown }).gc === "function";

/** Run the loop, sampling memory every `every` iterations. */
export async function memoryCurve(opts: MemoryCurveOptions): Promise<MemorySample[]> {
  const samples: MemorySample[] = [];
  const sample = async (step: number): Promise<void> => {
    await settleGarbage();
    const m = process.memoryUsage();
    samples.push({
      step,
      rssMiB: m.rss / MiB,
      heapUsedMiB: m.heapUsed / MiB,
      live: opts.live(),
      extra: opts.extra?.() ?? {},
    });
  };
  await sample(0);
  for (let from = 0; from < opts.steps; from += opts.every) {
    const to = Math.min(opts.steps, from + opts.every);
    await opts.run(from, to);
    await sample(to);
  }
  return samples;
}

/** The curve as one line: `step:rss MiB/live` per sample. */
export function formatCurve(samples: readonly MemorySample[]): string {
  return samples.map((s) => `${s.step}:${s.rssMiB.toFixed(1)}MiB/${s.live}`).join(" ");
}

export interface FlatOptions {
  /** Samples at or after this iteration are checked against the sample at it. */
  readonly warmup: number;
  /** Allowed RSS growth over the warm-up sample, in MiB. */
  readonly rssSlackMiB: number;
  /** Allowed growth of the live count over the warm-up sample (default 0: exactly flat). */
  readonly liveSlack?: number;
  /** Allowed growth of V8's used heap, in MiB (default: not checked). */
  readonly heapSlackMiB?: number;
}

/** The growth of the curve after warm-up: RSS (max over the base), live count, used heap. */
export function curveGrowth(
  samples: readonly MemorySample[],
  warmup: number,
): { base: MemorySample; rssMiB: number; live: number; heapUsedMiB: number } {
  const after = samples.filter((s) => s.step >= warmup);
  assert.ok(after.length >= 2, `the curve needs samples after the warm-up (${warmup})`);
  const base = after[0];
  return {
    base,
    rssMiB: Math.max(...after.map((s) => s.rssMiB)) - base.rssMiB,
    live: Math.max(...after.map((s) => s.live)) - base.live,
    heapUsedMiB: Math.max(...after.map((s) => s.heapUsedMiB)) - base.heapUsedMiB,
  };
}

/** Assert the curve flat after warm-up (see the module comment); the message carries the curve. */
export function assertFlat(samples: readonly MemorySample[], opts: FlatOptions): void {
  const g = curveGrowth(samples, opts.warmup);
  const curve = formatCurve(samples);
  assert.ok(
    g.live <= (opts.liveSlack ?? 0),
    `live count grew by ${g.live} after warm-up (from ${g.base.live}): ${curve}`,
  );
  if (canCollectGarbage()) {
    // Without on-demand collection RSS measures the collector's schedule, not a leak.
    assert.ok(
      g.rssMiB <= opts.rssSlackMiB,
      `RSS grew by ${g.rssMiB.toFixed(1)} MiB after warm-up (slack ${opts.rssSlackMiB} MiB): ${curve}`,
    );
    if (opts.heapSlackMiB !== undefined)
      assert.ok(
        g.heapUsedMiB <= opts.heapSlackMiB,
        `V8 heap grew by ${g.heapUsedMiB.toFixed(1)} MiB after warm-up (slack ${opts.heapSlackMiB} MiB): ${curve}`,
      );
  }
}
