/**
 * The WebGPU backend's caches are bounded (LRU) and clearable, like the CPU backend's: jit's trace
 * cache (core, config.jitCacheSize) holds at most its bound on WebGPU too, the pipeline cache
 * (caches.ts) at most its limit however many shapes run, and `clearCaches()` empties both —
 * results stay right after evictions and clears (programs are rebuilt).
 */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { clearCaches, config, jit, np, type Array } from "linax-ts";
import { setupWebGPU, onBackend, readValues } from "@linax-ts/testing/webgpu";
import type { WebGPUBackend } from "@linax-ts/backend-webgpu";
import { LruCache } from "../src/caches.ts";

let be: WebGPUBackend;
before(async () => {
  be = await setupWebGPU();
});

test("LruCache: evicts the least recently used past its limit; a hit refreshes; lowering the limit trims at once", () => {
  const c = new LruCache<string, number>(3);
  for (const k of ["a", "b", "c"]) c.set(k, k.charCodeAt(0));
  assert.equal(c.get("a"), 97); // a is now the most recent: b is the oldest
  c.set("d", 100);
  assert.deepEqual(
    ["a", "b", "c", "d"].map((k) => c.get(k) !== undefined),
    [true, false, true, true],
  );
  assert.equal(c.evictions, 1);
  c.limit = 1; // keeps the most recent (d, after the gets above)
  assert.equal(c.size, 1);
  assert.equal(c.get("d"), 100);
  assert.equal(c.evictions, 3);
  c.clear();
  assert.equal(c.size, 0);
  assert.throws(() => new LruCache(0), /positive integer/);
});

test("jit with changing shapes on WebGPU: the trace cache stays within config.jitCacheSize, the pipeline cache within its limit; values right", async () => {
  const oldJit = config.read("jitCacheSize");
  const oldLimit = be.pipelineCache.limit;
  config.update("jitCacheSize", 4);
  be.pipelineCache.limit = 8;
  try {
    await onBackend("webgpu", async () => {
      const f = jit((x: Array) => np.sum(np.tanh(x.mul(2)).add(np.cos(x))));
      const ev0 = be.pipelineCache.evictions;
      let maxTrace = 0;
      let maxPipelines = 0;
      for (let n = 1; n <= 24; n++) {
        const x = np.ones([n]);
        const y = f(x);
        // Each new shape is a new WGSL source: a new pipeline, past the limit an eviction.
        const v = (await readValues(y))[0];
        assert.ok(Math.abs(v - n * (Math.tanh(2) + Math.cos(1))) <= 1e-5 * n, `shape [${n}]: ${v}`);
        maxTrace = Math.max(maxTrace, jit.cacheSize(f));
        maxPipelines = Math.max(maxPipelines, be.pipelineCache.size);
        x.dispose();
        y.dispose();
      }
      assert.equal(maxTrace, 4, "the trace cache filled to its bound and never past it");
      assert.ok(maxPipelines <= 8 && maxPipelines === 8, `pipelines ≤ the limit: ${maxPipelines}`);
      assert.ok(be.pipelineCache.evictions - ev0 >= 24 - 8, `evictions ${be.pipelineCache.evictions - ev0}`);
      // An evicted shape again: retraced, recompiled, still right.
      const y1 = f(np.ones([1]));
      assert.ok(Math.abs((await readValues(y1))[0] - (Math.tanh(2) + Math.cos(1))) <= 1e-5);
      // clearCaches(): the trace caches and the backend's pipelines and layouts are dropped.
      clearCaches();
      assert.equal(jit.cacheSize(f), 0);
      assert.equal(be.pipelineCache.size, 0);
      const y2 = f(np.ones([3]));
      assert.ok(Math.abs((await readValues(y2))[0] - 3 * (Math.tanh(2) + Math.cos(1))) <= 3e-5);
      assert.ok(be.pipelineCache.size >= 1, "rebuilt after the clear");
    });
  } finally {
    config.update("jitCacheSize", oldJit);
    be.pipelineCache.limit = oldLimit;
  }
});

test("eager ops over many shapes: the pipeline cache stays within its limit", async () => {
  const oldLimit = be.pipelineCache.limit;
  be.pipelineCache.limit = 5;
  try {
    await onBackend("webgpu", async () => {
      for (let n = 1; n <= 16; n++) {
        const x = np.arange(n);
        const y = np.exp(x).mul(2);
        const got = await readValues(y);
        got.forEach((v, i) => assert.ok(Math.abs(v - 2 * Math.exp(i)) <= 1e-6 * 2 * Math.exp(i), `n=${n} [${i}]`));
        assert.ok(be.pipelineCache.size <= 5, `size ${be.pipelineCache.size}`);
        x.dispose();
        y.dispose();
      }
    });
  } finally {
    be.pipelineCache.limit = oldLimit;
  }
});
