/**
 * The S5 training-step leak curve on the WebGPU backend (node --expose-gc, as `npm test` runs):
 * the counterpart of the CPU curve in packages/backend-cpu/test/leak-curves.test.ts, with the
 * same tiny S5 classifier (linear encoder 3 → 8, one S5 block with stateDim 4, BatchNorm,
 * dropout 0.1, GLU, classification head 2), adam, and the dropout key split inside the step.
 * leak-curves.test.ts next to this file has the MLP training, changing-shape jit and Mamba
 * generation curves; this file holds only the S5 step, whose first call compiles the most
 * pipelines (SwiftShader: ~0.2 s each), so it stays out of that file's minute.
 *
 * Every `every` steps the garbage is collected and sampled: live WebGPU arrays, the pool's
 * buffers in use and free, the bytes its free lists hold, the buffers it ever created, the
 * pipeline cache, and the process RSS. After warm-up every GPU-side count — and the pool's bytes
 * — is exactly flat (a step allocates no GPU buffer: `created` flat), and RSS stays within slack.
 * After every post-warm-up step, before any collection, the live arrays and the pool's buffers in
 * use already equal the collected counts: intermediates are freed at their last use, not by GC.
 *
 * S5_LEAK_STEPS (default 200, ~40 s on the 2-core machine, most of it the first call's ~160
 * pipelines; else LEAK_STEPS, which `npm run test:leak` sets to 10,000) sets the length. Measured
 * at 10,000 steps (5 min 42 s): live arrays 212, pool 46 in use + 574 free (620 created, 36.3 KiB
 * free), 340 pipelines, all flat from step 1,000 on; RSS 354.6 MiB at step 1,000, 356.4 at 2,000,
 * 340.8 at 3,000, 342.3 at 10,000 (+1.8 MiB over warm-up); V8 heap +0.3 MiB.
 */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { ConcreteArray, random, setDefaultBackend, treeLeaves, type nn, type ssm } from "linax-ts";
import {
  assertFlat,
  canCollectGarbage,
  curveGrowth,
  formatCurve,
  memoryCurve,
  type MemorySample,
} from "@linax-ts/testing";
import { setupWebGPU, readValues } from "@linax-ts/testing/webgpu";
import { classifierTrainer, TINY_S5 } from "@linax-ts/testing/train-step";
import type { WebGPUBackend } from "@linax-ts/backend-webgpu";

const gcNote = canCollectGarbage() ? false : "run node with --expose-gc (RSS is only meaningful after a collection)";
const STEPS = Number(process.env.S5_LEAK_STEPS ?? process.env.LEAK_STEPS ?? 200);
/** Samples: about 10, every multiple of 10 steps. */
const EVERY = Math.max(10, Math.round(STEPS / 100) * 10);
/**
 * Warm-up: the first call compiles; BatchNorm's running statistics and adam's moments reach their
 * steady buffers within a few steps. At the CI length the curve is checked from step 50 (from a
 * tenth of the run, at least 100 steps, on the long runs).
 */
const WARMUP = STEPS >= 1000 ? Math.max(100, STEPS / 10) : Math.min(50, STEPS / 2);
/**
 * RSS slack (MiB): SwiftShader's RSS is noisy at tens of MiB over a few hundred steps (see
 * leak-curves.test.ts: +0.4 to +20.6 MiB measured on identical loops with every GPU-side count
 * flat), so the CI length only catches gross growth; the long run holds the CPU tests' 8 MiB.
 */
const RSS_SLACK = STEPS >= 5000 ? 8 : 48;

let be: WebGPUBackend;
before(async () => {
  be = await setupWebGPU();
  setDefaultBackend("webgpu");
});

/** Dispose every concrete array leaf of pytrees (the previous step's model, state, key). */
const disposeTrees = (...ts: unknown[]): void => {
  for (const t of ts) for (const a of treeLeaves(t)) if (a instanceof ConcreteArray) a.dispose();
};

/**
 * The tiny S5 classifier (shared set-up: @linax-ts/testing/train-step) and a fixed batch. The key
 * is split inside the step, so the loop makes no eager arrays of its own.
 */
function trainer() {
  const [mk, dk] = random.split(random.key(0));
  const t = classifierTrainer({ ...TINY_S5, modelKey: mk, splitKey: true });
  const x = random.normal(dk, [4, 5, 3]);
  const y = random.randint(random.foldIn(dk, 1), [4], 0, 2);
  return { ...t, x, y, key: dk as nn.PRNGKey };
}

/** `extra[name]` exactly flat from the warm-up sample on. */
function assertExtraFlat(samples: readonly MemorySample[], warmup: number, name: string): void {
  const after = samples.filter((s) => s.step >= warmup).map((s) => s.extra[name]);
  assert.ok(
    after.every((v) => v === after[0]),
    `${name} after warm-up: ${after.join(", ")}`,
  );
}

test(
  `${STEPS} jitted S5 training steps on WebGPU (S5 + BatchNorm + dropout + adam): live arrays, pool buffers and bytes (no new GPU buffer), RSS flat; the model trains`,
  { skip: gcNote },
  async (t) => {
    const tr = trainer();
    let { model, state, os, key } = tr;
    let first = Number.NaN;
    let last = Number.NaN;
    const run = async (from: number, to: number): Promise<void> => {
      for (let i = from; i < to; i++) {
        const r = tr.step(model, os, tr.x, tr.y, state, key);
        // The previous step's model, optimiser state, BatchNorm state and key are dead now (the
        // initial ones too: they were made on this backend for this loop).
        disposeTrees(model, os, state, key);
        const l = (await readValues(r[2]))[0];
        if (i === 0) first = l;
        last = l;
        r[2].dispose();
        [model, os, state, key] = [r[0] as ssm.SSM, r[1] as unknown[], r[3] as nn.State, r[4] as nn.PRNGKey];
        // Between collections: the step's intermediates are freed at their last use, not left to
        // the garbage collector, so the counts right after a step already equal the collected ones.
        if (i >= WARMUP) uncollected.push(`${be.liveBuffers()}/${be.poolStats().inUse}`);
      }
    };
    const uncollected: string[] = [];
    const samples = await memoryCurve({
      steps: STEPS,
      every: EVERY,
      run,
      live: () => be.liveBuffers(),
      extra: () => {
        const p = be.poolStats();
        return {
          inUse: p.inUse,
          free: p.free,
          freeKiB: p.freeBytes / 1024,
          created: p.created,
          pipelines: be.pipelineCache.size,
        };
      },
    });
    t.diagnostic(`S5 training curve (step:RSS/live arrays): ${formatCurve(samples)}`);
    t.diagnostic(
      `pool (step:inUse+free/created, free KiB, pipelines): ${samples.map((s) => `${s.step}:${s.extra.inUse}+${s.extra.free}/${s.extra.created},${s.extra.freeKiB}K,${s.extra.pipelines}p`).join(" ")}`,
    );
    const warmup = samples.find((s) => s.step >= WARMUP)!.step;
    const g = curveGrowth(samples, warmup);
    t.diagnostic(
      `after warm-up (step ${warmup}): RSS +${g.rssMiB.toFixed(1)} MiB, live arrays +${g.live}, V8 heap +${g.heapUsedMiB.toFixed(1)} MiB; loss ${first.toFixed(4)} → ${last.toFixed(4)}`,
    );
    assert.ok(Number.isFinite(last) && last < first, `the model trains: loss ${first} → ${last}`);
    // Live arrays: the latest step's outputs (model, optimiser state, BatchNorm state, key), the
    // data and the jit cache's constants — the same count at every sample after warm-up.
    assertFlat(samples, { warmup, rssSlackMiB: RSS_SLACK, heapSlackMiB: 2 });
    for (const k of ["inUse", "free", "freeKiB", "created", "pipelines"]) assertExtraFlat(samples, warmup, k);
    const collected = `${samples.at(-1)!.live}/${samples.at(-1)!.extra.inUse}`;
    const off = uncollected.filter((v) => v !== collected);
    assert.equal(
      off.length,
      0,
      `live arrays / pool in use after a step without GC ${[...new Set(off)].join(", ")} vs ${collected} collected`,
    );
    disposeTrees(model, os, state, key, tr.x, tr.y);
  },
);
