/**
 * The benchmark runner: every implementation of a case is warmed up, then timed round-robin —
 * one run of each implementation per repetition, the starting implementation rotating — so that
 * the machine's drifting load (the CPU is shared) hits all of them alike. The figure kept is the
 * median of the timed runs.
 *
 * Slow implementations are bounded two ways, because one synchronous run cannot be interrupted:
 * - `budgetS`: once an implementation has spent this long on a case (warm-up included), it takes
 *   no further repetitions (it keeps at least one timed run);
 * - `timeoutS`: if the warm-up alone took longer, it gets no timed run at all and the warm-up time
 *   is reported, flagged `coldOnly` (an upper bound: it includes tracing and compilation);
 * - `predictFrom`: an implementation whose time on a smaller case, scaled by the case's factor,
 *   predicts a warm-up beyond the timeout is skipped (e.g. matmul 2048³ from 1024³, ×8).
 */

/** One prepared implementation of a case: `run` does the work once, to completion. */
export interface Runner {
  /** Called before every run, outside the timed region (e.g. switching tfjs's global backend). */
  before?(): Promise<void> | void;
  /** The work, timed; resolves when the result is complete (read or waited for). */
  run(): Promise<void> | void;
  /** Releases the case's inputs once the case is done. */
  dispose?(): void;
}

/** An implementation of a case, prepared lazily so that a skipped case allocates nothing. */
export interface Variant {
  /** Implementation id, one of `IMPLS` (report columns are keyed by it). */
  impl: ImplId;
  setup(): Promise<Runner> | Runner;
}

/** What a case computes per run, for a throughput figure. */
export interface Work {
  /** Amount per run, in `unit`. */
  amount: number;
  /** e.g. "FLOP", "B" (bytes moved), "token", "op". */
  unit: string;
}

/** A benchmark case: several implementations of one computation. */
export interface Case {
  /** Unique name; `--filter` matches substrings of it. */
  name: string;
  /** Report section (e.g. "matmul", "elementwise", "overhead", "s5"). */
  group: string;
  work?: Work;
  /** How a time is shown: per run (default) or per op (`opsPerRun` ops make up one run). */
  opsPerRun?: number;
  /** Caps the repetitions of this case (big cases). */
  maxRepeats?: number;
  /**
   * At least this many untimed runs (default: the run's --warmup): a training step reaches its
   * steady state after several steps (V8 tiers the compiled WebAssembly up in the background,
   * buffers settle into their size classes), so one warm-up times start-up, not training.
   */
  minWarmup?: number;
  /**
   * Overrides the run's timeout (seconds) for this case: where the first call is dominated by
   * tracing and compilation (a jitted training step), a cold figure says little, so allow more.
   */
  timeoutS?: number;
  /** Skip an implementation whose time on case `case`, times `factor`, exceeds the timeout. */
  predictFrom?: { case: string; factor: number };
  variants: Variant[];
  /** Fixed reference figures from elsewhere (ms per run), shown as extra columns. */
  reference?: Partial<Record<RefId, number>>;
  /** A note for the report (e.g. what the time includes). */
  note?: string;
  /** The backends the case runs on (default: all). */
  backends?: readonly ("cpu" | "webgpu")[];
}

/** The implementations, in report order. */
export const IMPLS = [
  "linax-eager",
  "linax-jit",
  "linax-jit-fast",
  "tfjs-wasm",
  "tfjs-cpu",
  "jaxjs-wasm",
  "jaxjs-webgpu",
  "js-loop",
] as const;
export type ImplId = (typeof IMPLS)[number];
/** Human names of the implementations. */
export const IMPL_LABEL: Record<ImplId, string> = {
  "linax-eager": "linax-ts eager",
  "linax-jit": "linax-ts jit",
  "linax-jit-fast": "linax-ts jit, fastMath",
  "tfjs-wasm": "tfjs-wasm",
  "tfjs-cpu": "tfjs-cpu",
  "jaxjs-wasm": "jax-js wasm",
  "jaxjs-webgpu": "jax-js webgpu",
  "js-loop": "plain JS loop",
};
/** linax-ts's own implementations; the others are peers it is compared with. */
export const LINAX_IMPLS: readonly ImplId[] = ["linax-eager", "linax-jit", "linax-jit-fast"];

/** Reference figures measured elsewhere (not run here). */
export const REFS = ["jax-linax", "jax-h100"] as const;
export type RefId = (typeof REFS)[number];
export const REF_LABEL: Record<RefId, string> = {
  "jax-linax": "JAX+linax (2 Xeon cores, ref.)",
  "jax-h100": "JAX+linax CUDA (H100, ref.)",
};
/** The reference figures each backend's report shows (GPU figures only beside the WebGPU backend). */
export const REFS_OF_BACKEND: Record<"cpu" | "webgpu", readonly RefId[]> = { cpu: ["jax-linax"], webgpu: ["jax-h100"] };

/** The outcome of one implementation on one case. */
export interface Result {
  case: string;
  group: string;
  impl: ImplId;
  /** Timed runs in ms (or the single cold run when `coldOnly`). */
  samplesMs: number[];
  /** Median of `samplesMs`, divided by `opsPerRun` where the case has it (then µs is the natural unit). */
  medianMs: number;
  /** Warm-up time (first call: tracing, compilation, caches), ms. */
  warmupMs: number;
  /** True when the warm-up exceeded the timeout and no timed run was made. */
  coldOnly: boolean;
  /** Throughput `work.amount / median`, per second, when the case has work. */
  ratePerS?: number;
  unit?: string;
  /** Set when the implementation failed (the message); no timings then. */
  error?: string;
  /** Set when the implementation was not run (why); no timings then. */
  skipped?: string;
}

export interface RunOptions {
  repeats: number;
  warmup: number;
  budgetS: number;
  timeoutS: number;
  /** Progress lines go here (stderr in the CLI). */
  log(line: string): void;
}

interface Slot {
  variant: Variant;
  runner?: Runner;
  samples: number[];
  warmupMs: number;
  spentMs: number;
  coldOnly: boolean;
  done: boolean;
  error?: string;
}

async function timeOnce(r: Runner): Promise<number> {
  await r.before?.();
  const t0 = performance.now();
  await r.run();
  return performance.now() - t0;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const message = (e: unknown): string =>
  (e instanceof Error ? `${e.name}: ${e.message}` : String(e)).split("\n")[0].slice(0, 200);

/**
 * Runs one case: all its variants interleaved. A variant that throws is reported with its error.
 * `previous` holds the results so far (for `predictFrom`).
 */
export async function runCase(
  c: Case,
  variants: Variant[],
  opts: RunOptions,
  previous: readonly Result[] = [],
): Promise<Result[]> {
  const repeats = Math.max(1, Math.min(opts.repeats, c.maxRepeats ?? Infinity));
  const timeoutS = c.timeoutS ?? opts.timeoutS;
  const skipped: Result[] = [];
  const predicted = (v: Variant): number | undefined => {
    if (c.predictFrom === undefined) return undefined;
    const from = c.predictFrom;
    const r = previous.find(
      (p) => p.case === from.case && p.impl === v.impl && p.error === undefined && p.skipped === undefined,
    );
    return r === undefined ? undefined : r.medianMs * from.factor;
  };
  const runnable = variants.filter((v) => {
    const ms = predicted(v);
    if (ms === undefined || ms <= timeoutS * 1000) return true;
    const why = `predicted ${(ms / 1000).toFixed(0)} s per run (${c.predictFrom?.factor}× its ${c.predictFrom?.case} time) > timeout ${timeoutS} s`;
    opts.log(`  ${c.name} / ${v.impl}: skipped: ${why}`);
    skipped.push({
      case: c.name,
      group: c.group,
      impl: v.impl,
      samplesMs: [],
      medianMs: NaN,
      warmupMs: 0,
      coldOnly: false,
      skipped: why,
    });
    return false;
  });
  const slots: Slot[] = runnable.map((variant) => ({
    variant,
    samples: [],
    warmupMs: 0,
    spentMs: 0,
    coldOnly: false,
    done: false,
  }));
  const fail = (s: Slot, e: unknown): void => {
    s.error = message(e);
    s.done = true;
    opts.log(`  ${c.name} / ${s.variant.impl}: failed: ${s.error}`);
  };
  // Set-up and warm-up, one implementation after another (set-up is not timed).
  for (const s of slots) {
    try {
      s.runner = await s.variant.setup();
      const warmups = Math.max(1, opts.warmup, c.minWarmup ?? 0);
      for (let w = 0; w < warmups; w++) {
        const t = await timeOnce(s.runner);
        s.warmupMs += t;
        s.spentMs += t;
      }
      if (s.warmupMs > timeoutS * 1000) {
        s.coldOnly = true;
        s.done = true;
        s.samples.push(s.warmupMs / warmups);
      }
    } catch (e) {
      fail(s, e);
    }
  }
  // Timed repetitions, round-robin with a rotating start.
  for (let rep = 0; rep < repeats && slots.some((s) => !s.done); rep++) {
    for (let k = 0; k < slots.length; k++) {
      const s = slots[(rep + k) % slots.length];
      if (s.done || s.runner === undefined) continue;
      try {
        const t = await timeOnce(s.runner);
        s.samples.push(t);
        s.spentMs += t;
        if (s.samples.length >= repeats || s.spentMs > opts.budgetS * 1000) s.done = true;
      } catch (e) {
        fail(s, e);
      }
    }
  }
  const results: Result[] = [];
  for (const v of variants) {
    const sk = skipped.find((r) => r.impl === v.impl);
    if (sk !== undefined) results.push(sk);
  }
  for (const s of slots) {
    try {
      s.runner?.dispose?.();
    } catch {
      // Disposal failures do not change the timings.
    }
    const base = { case: c.name, group: c.group, impl: s.variant.impl, warmupMs: s.warmupMs, coldOnly: s.coldOnly };
    if (s.error !== undefined || s.samples.length === 0) {
      results.push({ ...base, samplesMs: [], medianMs: NaN, error: s.error ?? "no timed run" });
      continue;
    }
    const med = median(s.samples) / (c.opsPerRun ?? 1);
    const r: Result = { ...base, samplesMs: s.samples, medianMs: med };
    if (c.work !== undefined) {
      r.ratePerS = c.work.amount / (median(s.samples) / 1000);
      r.unit = c.work.unit;
    }
    results.push(r);
  }
  return results;
}
