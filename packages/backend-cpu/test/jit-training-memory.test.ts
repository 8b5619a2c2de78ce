/**
 * A jitted training loop holds flat memory: after warm-up, live CPU buffers and WebAssembly heap
 * blocks do not grow with the number of steps — with the previous step's arrays disposed
 * explicitly, and with them merely forgotten (released by the finalizers after a collection).
 * The model is a small linax S5 classifier with adam, i.e. the demo's training step in miniature.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { np, random, treeLeaves, type Array, type nn, type ssm } from "linax-ts";
import { cpu } from "@linax-ts/backend-cpu";
import { classifierTrainer, TINY_S5 } from "@linax-ts/testing/train-step";

/** The tiny S5 classifier (shared set-up: @linax-ts/testing/train-step) and a fixed batch. */
function trainer(jitOptions: nn.FilterJitOptions = {}) {
  const [mk, dk] = random.split(random.key(0));
  const t = classifierTrainer({ ...TINY_S5, modelKey: mk, jitOptions });
  const x = random.normal(dk, [4, 5, 3]);
  const y = random.randint(dk, [4], 0, 2);
  return { ...t, x, y, dk };
}

const settle = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) {
    globalThis.gc!();
    await new Promise((r) => setTimeout(r, 10));
  }
};

test("jitted training steps with the old state disposed: live buffers and heap blocks stay flat", async () => {
  const t = trainer();
  let { model, state, os } = t;
  // Keys are made up front: eager code's intermediates (foldIn's) are the garbage collector's to free.
  const keys = globalThis.globalThis.Array.from({ length: 63 }, (_, i) => random.foldIn(t.dk, i));
  const run = (n: number, from: number): void => {
    for (let i = from; i < from + n; i++) {
      const key = keys[i];
      const r = t.step(model, os, t.x, t.y, state, key);
      for (const a of [...treeLeaves(model), ...treeLeaves(os), ...treeLeaves(state), key] as Array[])
        if (i > 0 && typeof a?.dispose === "function") a.dispose();
      r[2].dispose();
      [model, os, state] = [r[0] as ssm.SSM, r[1] as unknown[], r[3] as nn.State];
    }
  };
  run(3, 0); // warm-up: trace, compile, first allocations
  if (typeof globalThis.gc === "function") await settle();
  const live = cpu.liveBuffers();
  const blocks = cpu.heap.liveBlocks;
  const capacity = cpu.heap.capacity;
  run(60, 3);
  assert.equal(cpu.liveBuffers(), live - 60, "live buffers after 60 more steps (less the 60 keys used and disposed)");
  assert.equal(cpu.heap.liveBlocks, blocks, "heap blocks after 60 more steps");
  assert.equal(cpu.heap.capacity, capacity, "the heap did not grow");
});

test(
  "jitted training steps with the old state forgotten: finalizers bring memory back to the baseline",
  { skip: typeof globalThis.gc !== "function" ? "run node with --expose-gc" : false },
  async () => {
    const t = trainer();
    let { model, state, os } = t;
    const run = (n: number, from: number): void => {
      for (let i = from; i < from + n; i++) {
        const r = t.step(model, os, t.x, t.y, state, random.foldIn(t.dk, i));
        [model, os, state] = [r[0] as ssm.SSM, r[1] as unknown[], r[3] as nn.State];
      }
    };
    run(3, 0);
    await settle();
    const live = cpu.liveBuffers();
    const blocks = cpu.heap.liveBlocks;
    run(60, 3);
    await settle();
    assert.ok(cpu.liveBuffers() <= live, `live buffers ${cpu.liveBuffers()} vs ${live} after warm-up`);
    assert.ok(cpu.heap.liveBlocks <= blocks, `heap blocks ${cpu.heap.liveBlocks} vs ${blocks} after warm-up`);
  },
);

test("jitted training steps that donate the model, optimiser and state: flat memory without dispose or GC, donated arrays deleted", () => {
  const t = trainer({ donateArgnums: [0, 1, 4] });
  let { model, state, os } = t;
  const keys = globalThis.globalThis.Array.from({ length: 63 }, (_, i) => random.foldIn(t.dk, i));
  const run = (n: number, from: number): void => {
    for (let i = from; i < from + n; i++) {
      const before = [...treeLeaves(model), ...treeLeaves(os)] as Array[];
      const r = t.step(model, os, t.x, t.y, state, keys[i]);
      // The donated leaves are gone; the batch is not.
      assert.ok(
        before.every((a) => a.isDeleted()),
        "every donated array is deleted",
      );
      assert.ok(!t.x.isDeleted() && !t.y.isDeleted());
      r[2].dispose();
      keys[i].dispose();
      [model, os, state] = [r[0] as ssm.SSM, r[1] as unknown[], r[3] as nn.State];
    }
  };
  run(3, 0);
  const blocks = cpu.heap.liveBlocks;
  const capacity = cpu.heap.capacity;
  run(60, 3);
  // (Keys made on the host enter the heap when a step first reads them, and leave with their dispose.)
  assert.equal(cpu.heap.liveBlocks, blocks, "heap blocks after 60 more steps");
  assert.equal(cpu.heap.capacity, capacity, "the heap did not grow");
  assert.throws(() => (treeLeaves(t.model)[0] as Array).dataSync(), /after dispose/);
});

test("forgotten eager results cannot fill the heap: past its eager limit they go to GC-visible arrays", () => {
  const x = np.ones([4 * 1024 * 1024]); // 16 MiB per result
  for (let i = 0; i < 120; i++) x.add(i); // ~1.9 GiB of results, none disposed
  assert.ok(cpu.heap.capacity <= 512 * 2 ** 20, `heap grew to ${(cpu.heap.capacity / 2 ** 20).toFixed(0)} MiB`);
  x.dispose();
});
