/**
 * Long generation loops hold flat memory on the CPU (run with node --expose-gc, as `npm test`
 * does): `jit(step)` of a whole SSM (encoder, two S5 blocks with BatchNorm, GLU, head) and of a
 * Mamba mixer, LEAK_STEPS steps each (default 1,000; the README gives a 2,000-step run), the previous cache disposed each step; and
 * the eager step (no jit: its intermediates are freed by the finalizers) for 300 steps. Every 100
 * steps the garbage is collected and the process RSS and live CPU buffers sampled; after warm-up
 * live buffers are exactly flat and RSS within the stated slack.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { jit, random, treeLeaves, type Array } from "linax-ts";
import * as nn from "@linax-ts/nn";
import * as ssm from "@linax-ts/ssm";
import { cpu } from "@linax-ts/backend-cpu";
import { assertFlat, canCollectGarbage, curveGrowth, formatCurve, memoryCurve } from "@linax-ts/testing";
import { smallConfig } from "./model-known-answers.ts";

const gcNote = canCollectGarbage() ? false : "run node with --expose-gc (RSS is only meaningful after a collection)";
const STEPS = Number(process.env.LEAK_STEPS ?? 1000);

/** Dispose every array leaf of a cache (a pytree). */
const disposeTree = (t: unknown): void => {
  for (const a of treeLeaves(t) as Array[]) if (typeof a?.dispose === "function") a.dispose();
};

/** Run `steps` generation steps of `step` from `cache0`, sampling memory; returns the curve and the last output. */
async function generate<C>(step: (xt: Array, c: C) => [Array, C], cache0: C, xt: Array, steps: number, own: boolean) {
  let cache = cache0;
  let last: number[] = [];
  const run = (from: number, to: number): void => {
    for (let i = from; i < to; i++) {
      const [yt, c] = step(xt, cache);
      // The jitted step's outputs are fresh buffers: the old cache is dead (the initial one is the caller's).
      if (own && i > 0) disposeTree(cache);
      cache = c;
      if (i === steps - 1) last = [...(yt.dataSync() as Float32Array)];
      if (own) yt.dispose();
    }
  };
  const samples = await memoryCurve({ steps, every: 100, run, live: () => cpu.liveBuffers() });
  return { samples, last };
}

test(
  `jit(model.step) of an S5 SSM, ${STEPS} generation steps: live buffers and RSS flat`,
  { skip: gcNote },
  async (t) => {
    const [model, state] = nn.makeWithState(ssm.SSM)(
      smallConfig(new ssm.S5SequenceMixerConfig({ stateDim: 4 })),
      random.PRNGKey(3),
    );
    const m = nn.inference(model);
    const step = jit((mm: ssm.SSM, xt: Array, c: ssm.SSMCache) => mm.step(xt, c));
    const xt = random.normal(random.PRNGKey(5), [2, 3]);
    const { samples, last } = await generate(
      (x, c: ssm.SSMCache) => step(m, x, c),
      m.initCache([2], state),
      xt,
      STEPS,
      true,
    );
    t.diagnostic(`S5 SSM jit(step) curve (step:RSS/live buffers): ${formatCurve(samples)}`);
    const g = curveGrowth(samples, 200);
    t.diagnostic(
      `after warm-up: RSS +${g.rssMiB.toFixed(1)} MiB, live buffers +${g.live}, V8 heap +${g.heapUsedMiB.toFixed(1)} MiB`,
    );
    assert.ok(last.length === 4 && last.every(Number.isFinite), `last output ${last}`);
    assertFlat(samples, { warmup: 200, rssSlackMiB: 8, heapSlackMiB: 2 });
  },
);

test(
  `jit(step) of a Mamba mixer, ${STEPS} generation steps: live buffers and RSS flat`,
  { skip: gcNote },
  async (t) => {
    const mix = new ssm.MambaConfig({ dState: 4, convKer: 3, chunkSize: 4 }).build(5, random.PRNGKey(1));
    const step = jit((mm: ssm.Mamba, xt: Array, c: ssm.MambaCache) => mm.step(xt, c));
    const xt = random.normal(random.PRNGKey(6), [2, 5]);
    const { samples, last } = await generate(
      (x, c: ssm.MambaCache) => step(mix, x, c),
      mix.initCache([2]),
      xt,
      STEPS,
      true,
    );
    t.diagnostic(`Mamba jit(step) curve (step:RSS/live buffers): ${formatCurve(samples)}`);
    const g = curveGrowth(samples, 200);
    t.diagnostic(
      `after warm-up: RSS +${g.rssMiB.toFixed(1)} MiB, live buffers +${g.live}, V8 heap +${g.heapUsedMiB.toFixed(1)} MiB`,
    );
    assert.ok(last.length === 10 && last.every(Number.isFinite), `last output ${last}`);
    assertFlat(samples, { warmup: 200, rssSlackMiB: 8, heapSlackMiB: 2 });
  },
);

test(
  "the eager Mamba step, 300 steps (intermediates freed by the finalizers): live buffers and RSS flat",
  { skip: gcNote },
  async (t) => {
    const mix = new ssm.MambaConfig({ dState: 4, convKer: 3, chunkSize: 4 }).build(5, random.PRNGKey(1));
    const xt = random.normal(random.PRNGKey(6), [2, 5]);
    // Nothing is disposed by hand: every array of the loop is garbage after its step.
    const { samples, last } = await generate(
      (x, c: ssm.MambaCache) => mix.step(x, c),
      mix.initCache([2]),
      xt,
      300,
      false,
    );
    t.diagnostic(`Mamba eager step curve (step:RSS/live buffers): ${formatCurve(samples)}`);
    assert.ok(last.every(Number.isFinite));
    assertFlat(samples, { warmup: 100, rssSlackMiB: 8, heapSlackMiB: 2 });
  },
);
