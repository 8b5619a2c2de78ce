/**
 * Leak tests with memory curves on the CPU backend (run with node --expose-gc, as `npm test`
 * does): every 100 iterations the garbage is collected and the process RSS, the live CPU buffers
 * and the WebAssembly heap's blocks are sampled; after warm-up live buffers and heap blocks are
 * exactly flat and RSS stays within a stated slack (a per-iteration leak climbs steadily past it).
 *
 * - 1,000 calls of one jitted function with a new input shape each time: its trace cache stays
 *   within config.jitCacheSize (evicted traces take their compiled WebAssembly with them).
 * - jitted training steps of a small S5 classifier with adam (LEAK_STEPS, default 1,000; the
 *   README's figure is 10,000).
 * The SSM generation loop is packages/ssm/test/step-memory.test.ts.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { config, jit, np, random, treeLeaves, type Array, type nn, type ssm } from "linax-ts";
import { cpu } from "@linax-ts/backend-cpu";
import { assertFlat, canCollectGarbage, curveGrowth, formatCurve, memoryCurve } from "@linax-ts/testing";
import { classifierTrainer, TINY_S5 } from "@linax-ts/testing/train-step";

const gcNote = canCollectGarbage() ? false : "run node with --expose-gc (RSS is only meaningful after a collection)";

test(
  "1,000 jit calls with changing shapes: the cache stays within its bound; live buffers, heap blocks and RSS flat",
  { skip: gcNote },
  async (t) => {
    const bound = 64;
    const old = config.read("jitCacheSize");
    config.update("jitCacheSize", bound);
    try {
      const f = jit((x: Array) => np.sum(np.tanh(x.mul(2)).add(np.cos(x))));
      let maxCache = 0;
      // Shapes [1], [2], …, [1000]: every call traces and compiles a new signature.
      const run = (from: number, to: number): void => {
        for (let i = from; i < to; i++) {
          const x = np.ones([i + 1]);
          const y = f(x);
          // Check the value now and then: an evicted-and-retraced program must still be right.
          if (i % 97 === 0)
            assert.ok(
              Math.abs(y.item() - (i + 1) * (Math.tanh(2) + Math.cos(1))) < 1e-4 * (i + 1),
              `value at shape [${i + 1}]`,
            );
          x.dispose();
          y.dispose();
          maxCache = Math.max(maxCache, jit.cacheSize(f));
        }
      };
      const samples = await memoryCurve({
        steps: 1000,
        every: 100,
        run,
        live: () => cpu.liveBuffers(),
        extra: () => ({ blocks: cpu.heap.liveBlocks, cache: jit.cacheSize(f) }),
      });
      t.diagnostic(`jit shapes curve (step:RSS/live buffers): ${formatCurve(samples)}`);
      assert.equal(maxCache, bound, "the cache filled to its bound and never past it");
      assert.ok(samples.every((s) => s.extra.cache <= bound));
      // Warm-up: the first 200 calls fill the cache (64) and the allocator's arenas.
      const g = curveGrowth(samples, 200);
      t.diagnostic(
        `after warm-up: RSS +${g.rssMiB.toFixed(1)} MiB, live buffers +${g.live}, V8 heap +${g.heapUsedMiB.toFixed(1)} MiB`,
      );
      // Slack: measured +5 MiB RSS and +0.2 MiB V8 heap over calls 200–1000 with the bound; without
      // it (every trace kept) the same loop grew +21 MiB RSS and +6.8 MiB V8 heap over calls 250–1000.
      assertFlat(samples, { warmup: 200, rssSlackMiB: 12, heapSlackMiB: 2 });
      const blocks = samples.filter((s) => s.step >= 200).map((s) => s.extra.blocks);
      assert.ok(
        blocks.every((b) => b === blocks[0]),
        `heap blocks ${blocks.join(", ")}`,
      );
    } finally {
      config.update("jitCacheSize", old);
    }
  },
);

/**
 * The tiny S5 classifier (shared set-up: @linax-ts/testing/train-step) and a fixed batch. The key
 * is split inside the step, so the loop makes no eager arrays of its own.
 */
function trainer() {
  const [mk, dk] = random.split(random.key(0));
  const t = classifierTrainer({ ...TINY_S5, modelKey: mk, splitKey: true });
  const x = random.normal(dk, [4, 5, 3]);
  const y = random.randint(dk, [4], 0, 2);
  return { ...t, x, y, key: dk as nn.PRNGKey };
}

const STEPS = Number(process.env.LEAK_STEPS ?? 1000);

test(
  `${STEPS} jitted training steps (S5 + adam): live buffers, heap blocks and RSS flat`,
  { skip: gcNote },
  async (t) => {
    const tr = trainer();
    let { model, state, os, key } = tr;
    let first = Number.NaN;
    let last = Number.NaN;
    const run = (from: number, to: number): void => {
      for (let i = from; i < to; i++) {
        const r = tr.step(model, os, tr.x, tr.y, state, key);
        // The previous step's model, optimiser state, BatchNorm state and key are dead now.
        if (i > 0)
          for (const a of [...treeLeaves(model), ...treeLeaves(os), ...treeLeaves(state), key] as {
            dispose?: () => void;
          }[])
            if (typeof a?.dispose === "function") a.dispose();
        const l = r[2].item();
        if (i === 0) first = l;
        last = l;
        r[2].dispose();
        [model, os, state, key] = [r[0] as ssm.SSM, r[1] as unknown[], r[3] as nn.State, r[4] as nn.PRNGKey];
      }
    };
    const samples = await memoryCurve({
      steps: STEPS,
      every: 100,
      run,
      live: () => cpu.liveBuffers(),
      extra: () => ({ blocks: cpu.heap.liveBlocks }),
    });
    t.diagnostic(`training curve (step:RSS/live buffers): ${formatCurve(samples)}`);
    const g = curveGrowth(samples, 100);
    t.diagnostic(
      `after warm-up: RSS +${g.rssMiB.toFixed(1)} MiB, live buffers +${g.live}, V8 heap +${g.heapUsedMiB.toFixed(1)} MiB; loss ${first.toFixed(4)} → ${last.toFixed(4)}`,
    );
    assert.ok(last < first, `the model trains: loss ${first} → ${last}`);
    assertFlat(samples, { warmup: 100, rssSlackMiB: 8, heapSlackMiB: 2 });
    const blocks = samples.filter((s) => s.step >= 100).map((s) => s.extra.blocks);
    assert.ok(
      blocks.every((b) => b === blocks[0]),
      `heap blocks ${blocks.join(", ")}`,
    );
  },
);
