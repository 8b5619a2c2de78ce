// Array.blockUntilReady (JAX's block_until_ready): resolves to the array itself once computed, reads
// nothing back on the CPU, and refuses a disposed array.
import { test } from "node:test";
import assert from "node:assert/strict";
import { getBackend, jit, np, UseAfterDisposeError } from "linax-ts";

test("blockUntilReady resolves to the same array without a read-back on the CPU", async () => {
  const be = getBackend("cpu");
  const x = jit((a: ReturnType<typeof np.ones>) => np.add(a, 1))(np.ones([1000]));
  const read = be.read.bind(be);
  let reads = 0;
  be.read = (...a: Parameters<typeof be.read>) => (reads++, read(...a));
  try {
    assert.equal(await x.blockUntilReady(), x);
  } finally {
    be.read = read;
  }
  assert.equal(reads, 0);
  assert.equal(x.dataSync()[999], 2);
  x.dispose();
  await assert.rejects(x.blockUntilReady(), UseAfterDisposeError);
});
