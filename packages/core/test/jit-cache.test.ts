/**
 * jit's trace caches are bounded by config.jitCacheSize, evict the least recently used signature,
 * and are clearable: `jit.clearCache(f)`, `jit.clearCache()`, `clearCaches()` (JAX's
 * `f.clear_cache()` / `jax.clear_caches()`). The leak test with 1,000 changing shapes and its RSS
 * curve is packages/backend-cpu/test/leak-curves.test.ts.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { config, clearCaches, jit, np, ValueError, type Array } from "linax-ts";
import * as nn from "@linax-ts/nn";

/** A jitted function that counts its traces. */
function counted(): { f: (x: Array) => Array; traces: () => number } {
  let n = 0;
  const f = jit((x: Array) => {
    n++;
    return np.sum(np.sin(x));
  });
  return { f, traces: () => n };
}

function withBound<T>(bound: number, body: () => T): T {
  const old = config.read("jitCacheSize");
  config.update("jitCacheSize", bound);
  try {
    return body();
  } finally {
    config.update("jitCacheSize", old);
  }
}

const ones = (n: number): Array => np.ones([n]);

test("the default bound is 256 signatures per jitted function", () => {
  assert.equal(config.read("jitCacheSize"), 256);
});

test("LRU: past the bound the signature used longest ago is evicted (a hit refreshes it)", () => {
  withBound(3, () => {
    const { f, traces } = counted();
    for (const n of [1, 2, 3]) f(ones(n));
    assert.equal(traces(), 3);
    assert.equal(jit.cacheSize(f), 3);
    f(ones(1)); // hit: [1] is now the most recent, [2] the oldest
    assert.equal(traces(), 3);
    f(ones(4)); // evicts [2]
    assert.equal(jit.cacheSize(f), 3);
    assert.equal(traces(), 4);
    f(ones(1));
    f(ones(3));
    f(ones(4));
    assert.equal(traces(), 4, "[1], [3], [4] are still cached");
    f(ones(2));
    assert.equal(traces(), 5, "[2] was evicted and is traced again");
  });
});

test("lowering the bound shrinks every cache at once", () => {
  const { f } = counted();
  for (let n = 1; n <= 10; n++) f(ones(n));
  assert.equal(jit.cacheSize(f), 10);
  withBound(4, () => assert.equal(jit.cacheSize(f), 4));
});

test("jit.clearCache(f) clears one function; jit.clearCache() and clearCaches() clear all", () => {
  const a = counted();
  const b = counted();
  a.f(ones(2));
  b.f(ones(2));
  jit.clearCache(a.f);
  assert.equal(jit.cacheSize(a.f), 0);
  assert.equal(jit.cacheSize(b.f), 1);
  a.f(ones(2));
  b.f(ones(2));
  assert.deepEqual([a.traces(), b.traces()], [2, 1]);
  jit.clearCache();
  assert.deepEqual([jit.cacheSize(a.f), jit.cacheSize(b.f)], [0, 0]);
  a.f(ones(2));
  assert.equal(a.traces(), 3);
  clearCaches();
  assert.equal(jit.cacheSize(a.f), 0);
  // After clearCaches the function still computes the right value (traced and compiled afresh).
  assert.ok(Math.abs(a.f(np.array([1, 2])).item() - (Math.sin(1) + Math.sin(2))) < 1e-6);
  assert.equal(a.traces(), 4);
});

test("jit.cacheSize of a function that jit did not return is a clear error", () => {
  function plain(x: Array): Array {
    return x;
  }
  assert.throws(
    () => jit.cacheSize(plain),
    (e: Error) => e instanceof ValueError && /'plain' is not a function returned by jit/.test(e.message),
  );
});

test("nn.filterJit's cache is bounded and cleared the same way", () => {
  withBound(2, () => {
    let traces = 0;
    const g = nn.filterJit((p: { w: Array }) => {
      traces++;
      return np.sum(p.w);
    });
    for (const n of [1, 2, 3, 1]) g({ w: ones(n) });
    assert.equal(traces, 4, "[1] was evicted by [3] with a bound of 2");
    g({ w: ones(1) });
    assert.equal(traces, 4);
    clearCaches();
    g({ w: ones(1) });
    assert.equal(traces, 5);
  });
});

test("config.jitCacheSize takes positive integers only, also from LINAX_JIT_CACHE_SIZE", () => {
  for (const bad of [0, -1, 2.5, Number.NaN]) {
    assert.throws(
      () => config.update("jitCacheSize", bad),
      (e: Error) => e instanceof ValueError && /positive integer/.test(e.message),
      String(bad),
    );
  }
  assert.equal(config.read("jitCacheSize"), 256);
  assert.equal(config.envName("jitCacheSize"), "LINAX_JIT_CACHE_SIZE");
  const script = 'import { config } from "linax-ts"; console.log(config.read("jitCacheSize"));';
  const read = (v: string): string =>
    execFileSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      env: { ...process.env, LINAX_JIT_CACHE_SIZE: v },
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    }).trim();
  assert.equal(read("7"), "7");
  assert.throws(() => read("seven"), /LINAX_JIT_CACHE_SIZE="seven" is not a positive integer/);
});
