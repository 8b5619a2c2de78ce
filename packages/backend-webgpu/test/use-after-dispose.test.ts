/** A WebGPU buffer used after the backend disposed it raises UseAfterDisposeError naming the op. */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { np, UseAfterDisposeError, ValueError, type ConcreteArray } from "linax-ts";
import { setupWebGPU, onBackend } from "@linax-ts/testing/webgpu";
import type { WebGPUBackend } from "@linax-ts/backend-webgpu";

before(async () => {
  await setupWebGPU();
});

test("reading a disposed WebGPU buffer is a UseAfterDisposeError (a ValueError, as before the class)", async () => {
  await onBackend("webgpu", async () => {
    const x = np.array([1, 2, 3]) as ConcreteArray;
    const be = x.backend as WebGPUBackend;
    const buf = x.buffer;
    be.dispose(buf);
    await assert.rejects(
      () => be.read(buf, x.aval),
      (e: Error) =>
        e instanceof UseAfterDisposeError &&
        e instanceof ValueError &&
        /webgpu read: buffer used after dispose/.test(e.message),
    );
  });
});
