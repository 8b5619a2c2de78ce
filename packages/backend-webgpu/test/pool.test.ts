/**
 * The buffer pool: disposed kernel outputs and scratch are reused by size class, reuse never leaks
 * stale data (a kernel's output is fully written however dirty its pooled buffer was), and the
 * live-buffer counter follows arrays, not GPU allocations.
 */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { np, lax, getBackend } from "linax-ts";
import { setupWebGPU, onBackend, readValues } from "@linax-ts/testing/webgpu";
import type { WebGPUBackend } from "@linax-ts/backend-webgpu";
import { BufferPool, poolSizeClass } from "../src/pool.ts";

let be: WebGPUBackend;
before(async () => {
  be = await setupWebGPU();
});

test("size classes: powers of two from 16 bytes", () => {
  assert.deepEqual([0, 1, 16, 17, 100, 1024, 1025].map(poolSizeClass), [16, 16, 16, 32, 128, 1024, 2048]);
});

test("fill, free, reuse: a reused buffer holds only the new kernel's results", async () => {
  await onBackend("webgpu", async () => {
    const live0 = getBackend("webgpu").liveBuffers();
    // Fill pooled buffers with a recognisable pattern (-7 everywhere), then free them.
    // Uploads (not pooled) of full shape, so that each op below is one kernel with one output.
    const base = np.array(new Array(300).fill(-7), { dtype: "int32" });
    const zero = np.array(new Array(300).fill(0), { dtype: "int32" });
    const three = np.array(new Array(260).fill(3), { dtype: "int32" });
    const dirty = [0, 1, 2].map(() => base.add(zero));
    for (const d of dirty) assert.deepEqual(new Set(await readValues(d)), new Set([-7]));
    const created = be.poolStats().created;
    for (const d of dirty) d.dispose();
    const reused0 = be.poolStats().reused;
    // Same size class (300 and 260 int32 → 2048 bytes): served from the free list, no new GPU buffer.
    const iota = lax.iota("int32", 260);
    const shifted = iota.mul(three);
    const zeros = iota.sub(iota);
    assert.equal(be.poolStats().created, created, "no new GPU buffer for outputs of a freed size class");
    assert.ok(be.poolStats().reused >= reused0 + 3, JSON.stringify(be.poolStats()));
    assert.deepEqual(
      await readValues(iota),
      Array.from({ length: 260 }, (_, k) => k),
    );
    assert.deepEqual(
      await readValues(shifted),
      Array.from({ length: 260 }, (_, k) => 3 * k),
    );
    assert.deepEqual(await readValues(zeros), new Array(260).fill(0));
    for (const a of [iota, shifted, zeros]) a.dispose();
    assert.equal(getBackend("webgpu").liveBuffers(), live0 + 3, "live buffers count arrays, pooled or not");
    // Scatter-add onto a reused buffer: its scratch and output start from the operand, not the pool.
    const again = [0, 1].map(() => base.add(zero));
    again.forEach((d) => d.dispose());
    const op = np.zeros([300], { dtype: "int32" });
    const idx = np.array([[5], [5], [299]], { dtype: "int32" });
    const upd = np.array([1, 2, 4], { dtype: "int32" });
    const dn = { updateWindowDims: [], insertedWindowDims: [0], scatterDimsToOperandDims: [0] };
    const s = lax.scatterAdd(op, idx, upd, dn);
    const want = new Array(300).fill(0);
    want[5] = 3;
    want[299] = 4;
    assert.deepEqual(await readValues(s), want);
    for (const a of [base, zero, three, op, idx, upd, s]) a.dispose();
  });
});

test("a buffer the pool does not keep is destroyed after submit, not while the open encoder may use it", () => {
  const later: GPUBuffer[] = [];
  const pool = new BufferPool(be.device, 32, null, (b) => later.push(b));
  const a = pool.acquire(20); // class 32: kept
  const b = pool.acquire(20); // over the 32-byte cap once a is free: handed to destroyLater
  pool.release(a);
  pool.release(b);
  assert.deepEqual(later, [b]);
  assert.equal(pool.stats().freeBytes, 32);
  assert.equal(pool.acquire(17), a, "the kept one is reused");
  later.forEach((x) => x.destroy());
  a.destroy();
});
