import { test } from "node:test";
import assert from "node:assert/strict";
import { np, getBackend, ValueError, type ConcreteArray } from "linax-ts";

test("dispose releases the buffer once; using the array afterwards is a clear error", () => {
  const b = getBackend();
  const before = b.liveBuffers();
  const x = np.array([1, 2, 3]);
  assert.equal(b.liveBuffers(), before + 1);
  x.dispose();
  x.dispose();
  assert.equal(b.liveBuffers(), before);
  assert.throws(
    () => x.dataSync(),
    (e: Error) => e instanceof ValueError && /after dispose/.test(e.message),
  );
  assert.equal(String(x), "Array(<disposed>, f32[3])");
});

test("`using` disposes at the end of the block", () => {
  const b = getBackend();
  const before = b.liveBuffers();
  {
    using y = np.array([1, 2]) as ConcreteArray;
    assert.equal(b.liveBuffers(), before + 1);
    assert.deepEqual(y.tolist(), [1, 2]);
  }
  assert.equal(b.liveBuffers(), before);
});

test("operations never consume their inputs", () => {
  const x = np.array([1, 2]);
  const y = x.add(x);
  assert.deepEqual(x.tolist(), [1, 2]);
  assert.deepEqual(y.tolist(), [2, 4]);
});

test("data() is async and returns a copy", async () => {
  const x = np.array([1, 2]);
  const d = await x.data();
  d[0] = 100;
  assert.deepEqual(x.tolist(), [1, 2]);
});

test(
  "forgotten arrays are released by the FinalizationRegistry",
  { skip: typeof globalThis.gc !== "function" ? "run node with --expose-gc" : false },
  async () => {
    const b = getBackend();
    const settle = async () => {
      for (let i = 0; i < 5; i++) {
        globalThis.gc!();
        await new Promise((r) => setTimeout(r, 10));
      }
    };
    await settle(); // arrays dropped by earlier tests go first
    const before = b.liveBuffers();
    (() => {
      for (let i = 0; i < 100; i++) np.array([i]);
    })();
    assert.ok(b.liveBuffers() >= before + 100);
    await settle();
    assert.equal(b.liveBuffers(), before);
  },
);
