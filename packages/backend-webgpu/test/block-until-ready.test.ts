/**
 * `Array.blockUntilReady()` on WebGPU goes through `WebGPUBackend.ready`: it submits the open
 * encoder and waits for the queue (`onSubmittedWorkDone`) instead of reading the array back, and
 * the values are readable afterwards. The queue's promise is intercepted so that the test sees
 * the order of things: the work is submitted before the wait starts, and blockUntilReady does
 * not resolve before the queue says the work is done.
 */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { np, jit, UseAfterDisposeError, type Array } from "linax-ts";
import { setupWebGPU, onBackend, readValues } from "@linax-ts/testing/webgpu";
import type { WebGPUBackend } from "@linax-ts/backend-webgpu";

let be: WebGPUBackend;
before(async () => {
  be = await setupWebGPU();
});

/** Runs `fn` with the queue's onSubmittedWorkDone replaced by `wrap(original)`. */
async function withQueueDone<T>(
  wrap: (orig: () => Promise<undefined>) => () => Promise<undefined>,
  fn: () => Promise<T>,
): Promise<T> {
  const q = be.device.queue;
  const orig = q.onSubmittedWorkDone.bind(q);
  q.onSubmittedWorkDone = wrap(orig);
  try {
    return await fn();
  } finally {
    q.onSubmittedWorkDone = orig;
  }
}

test("blockUntilReady submits the work, waits for the queue (not a read), then values are readable", async () => {
  await onBackend("webgpu", async () => {
    const f = jit((a: Array) => np.sum(np.tanh(a.mul(0.5)).add(1), { axis: 1 }));
    const x = np.ones([64, 256]);
    // A jitted call submits at its end; the eager op after it stays in the open encoder.
    const y = f(x).mul(2);
    const submitsAtWait: number[] = [];
    let release: () => void = () => {};
    let reads = 0;
    const read = be.read.bind(be);
    be.read = (...a: Parameters<typeof be.read>) => (reads++, read(...a));
    try {
      let resolved = false;
      const done = withQueueDone(
        (orig) => () => {
          submitsAtWait.push(be.counters().submits);
          // The queue's real promise, released only when the test says so.
          return orig().then(() => new Promise<undefined>((r) => (release = () => r(undefined))));
        },
        async () => {
          const before = be.counters().submits;
          const p = y.blockUntilReady().then((r) => ((resolved = true), r));
          // Let the real queue finish and several macrotasks pass: still waiting on the (held) queue promise.
          for (let k = 0; k < 5; k++) await new Promise((r) => setTimeout(r, 20));
          assert.equal(resolved, false, "blockUntilReady resolved before the queue reported the work done");
          assert.equal(submitsAtWait.length, 1, "one wait on the queue");
          assert.ok(submitsAtWait[0] > before, "the open encoder was submitted before waiting");
          release();
          return p;
        },
      );
      assert.equal(await done, y);
      assert.equal(resolved, true);
      assert.equal(reads, 0, "no read-back");
    } finally {
      be.read = read;
    }
    // 2 · (sum over 256 of tanh(0.5) + 1), rounded along the reduction tree: every row the same value.
    const want = 2 * 256 * (Math.fround(Math.tanh(0.5)) + 1);
    const got = await readValues(y);
    assert.equal(got.length, 64);
    for (const v of got) assert.ok(Math.abs(v - want) <= 1e-4 * want, `${v} vs ${want}`);
  });
});

test("blockUntilReady on an eager result and on a disposed array", async () => {
  await onBackend("webgpu", async () => {
    const a = np.arange(8).astype("float32").mul(2);
    assert.equal(await a.blockUntilReady(), a);
    assert.deepEqual(await readValues(a), [0, 2, 4, 6, 8, 10, 12, 14]);
    a.dispose();
    await assert.rejects(a.blockUntilReady(), UseAfterDisposeError);
  });
});

test("a GPU error in the work makes blockUntilReady reject (as a read does)", async () => {
  // Last in this file: a GPU error marks the backend failed for good.
  const out = be.device.createBuffer({ size: 16, usage: 0x80 | 0x4 | 0x8 });
  be.run(
    "broken kernel",
    { passes: [{ code: "this is not WGSL", bindings: [{ slot: { out: 0 }, write: true }], workgroups: [1, 1, 1] }] },
    [],
    [out],
  );
  const a = onBackend("webgpu", () => np.ones([4]));
  await assert.rejects(a.blockUntilReady(), /GPU error in broken kernel/);
  out.destroy();
});
