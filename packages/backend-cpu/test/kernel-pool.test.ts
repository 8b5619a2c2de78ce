/**
 * Compiled kernels on both cores (wasm/threads/kernel-pool.ts, compile/kernel-threads.ts): kernels
 * large enough are cut into ranges of their outermost loop and run by the calling thread and the
 * workers. Results must equal the reference interpreter bit for bit (each element is computed by
 * the same code whichever thread runs it), and the workers must really have run ranges (so the
 * test fails if the pool stops being used). Shapes make ranges uneven and not multiples of the
 * SIMD width; reductions are split over their outputs.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { config, jit, lax, np, random, type Array } from "linax-ts";
import { cpu } from "@linax-ts/backend-cpu";
import { kernelPool } from "../src/compile/kernel-threads.ts";

function sameBits(got: Array, want: Array, what: string): void {
  const g = got.dataSync();
  const w = want.dataSync();
  assert.equal(g.length, w.length, `${what}: length`);
  for (let i = 0; i < w.length; i++)
    if (!Object.is(g[i], w[i]) && !(Number.isNaN(g[i]) && Number.isNaN(w[i])))
      assert.fail(`${what}: element ${i}: threads ${g[i]}, reference ${w[i]}`);
}

function check(what: string, f: (...xs: Array[]) => Array, ...args: Array[]): void {
  const got = jit(f)(...args);
  config.update("jitCompile", false);
  try {
    sameBits(got, jit(f)(...args), what);
  } finally {
    config.update("jitCompile", true);
  }
}

test("large fused kernels and reductions on the pool == reference, and the workers ran ranges", (t) => {
  const pool = kernelPool(cpu);
  if (pool === null) {
    t.skip("no shared memory / worker threads here");
    return;
  }
  const before = pool.workerChunks;
  const k = random.PRNGKey(3);
  const x = random.normal(k, [301, 517]); // 155,617 elements: above the default threshold
  const y = random.normal(random.PRNGKey(4), [517]);
  check("chain", (a, b) => np.maximum(a.mul(1.7).add(b), a.mul(a)).sub(0.25), x, y);
  check("transposed read (scalar path)", (a) => a.T.mul(2).add(1), x);
  check(
    "one merged loop (range splits the SIMD loop)",
    (a) =>
      a
        .reshape([-1])
        .mul(3)
        .add(a.reshape([-1])),
    x,
  );
  check("sum over the last axis (split over rows)", (a) => np.sum(a.mul(a), 1), x);
  check("sum over the first axis (split over columns)", (a) => np.sum(a.add(1), 0), x);
  check("max over both axes (one output: not split)", (a) => np.max(a, [0, 1]), x);
  check(
    "threefry bits (integer kernel)",
    (a) => lax.convertElementType(random.bits(random.PRNGKey(9), [301, 517]), "float32").add(a),
    x,
  );
  // tanh calls the reference's JS function (without fastMath): the pool must not take it.
  check("a kernel with an imported function stays on this thread", (a) => np.tanh(a).mul(2), x);
  assert.ok(pool.workerChunks > before, `workers ran ${pool.workerChunks - before} ranges`);
});

test("back-to-back pool calls of different kernels and sizes never return early or mix arguments", (t) => {
  const pool = kernelPool(cpu);
  if (pool === null) {
    t.skip("no shared memory / worker threads here");
    return;
  }
  // Calls follow each other with no pause, so a worker often wakes while the next call is being
  // written: every result is compared with its reference, computed once beforehand.
  const xs = [70001, 131072, 99999].map((n, i) => random.normal(random.PRNGKey(20 + i), [n]));
  const fs = [jit((a: Array) => a.mul(3).add(1)), jit((a: Array) => np.maximum(a, a.mul(a)).sub(2))];
  const want = xs.map((x) =>
    fs.map((f) => {
      config.update("jitCompile", false);
      try {
        return f(x).dataSync().slice();
      } finally {
        config.update("jitCompile", true);
      }
    }),
  );
  for (let r = 0; r < 150; r++) {
    const i = r % xs.length;
    const j = (r >> 1) % fs.length;
    const got = fs[j](xs[i]);
    const g = got.dataSync();
    const w = want[i][j];
    for (let e = 0; e < w.length; e++)
      if (!Object.is(g[e], w[e])) assert.fail(`round ${r}, input ${i}, kernel ${j}: element ${e}: ${g[e]} vs ${w[e]}`);
    got.dispose();
  }
});
