/**
 * The browser path of the worker pools (wasm/threads/pool-workers.ts), tested in Node: the Web
 * Worker source of both pools runs in a shim — a `worker_threads` worker given only what a
 * dedicated Web Worker has (`onmessage`, `postMessage`, `close`; no `require`, no synchronous
 * message reads), started from the Blob URL the web spawner makes. So the init-by-first-message
 * path, modules arriving between waits (a call whose module has not arrived is left to the
 * caller), and QUIT are exercised as in a browser. Results must equal one thread bit for bit, and
 * the shim workers must really run chunks. The browser itself is tested in apps/web/test (a
 * cross-origin isolated page).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { resolveObjectURL } from "node:buffer";
import { Worker as NodeWorker } from "node:worker_threads";
import { config, jit, np, random, ValueError, type Array } from "linax-ts";
import { cpu, type CpuBackend } from "@linax-ts/backend-cpu";
import { GemmPool } from "../src/wasm/threads/gemm-pool.ts";
import { KernelPool } from "../src/wasm/threads/kernel-pool.ts";
import { defaultSpawner, webSpawner } from "../src/wasm/threads/pool-workers.ts";
import { gemmF32 } from "../src/wasm/gemm-call.ts";
import { gemmScratchBytes } from "../src/wasm/gemm.ts";
import { kernelPool, setKernelPool } from "../src/compile/kernel-threads.ts";
import { WasmHeap } from "../src/wasm/heap.ts";

/** What a dedicated worker's global scope offers, on a worker_threads worker. */
const SHIM_PRELUDE = `
const { parentPort } = require("node:worker_threads");
globalThis.onmessage = null;
globalThis.postMessage = (m) => parentPort.postMessage(m);
globalThis.close = () => parentPort.close();
parentPort.on("message", (data) => globalThis.onmessage?.({ data }));
`;

let shimWorkers = 0;

/** A `Worker` constructor for Blob URLs whose script runs with only the shim's globals. */
class ShimWorker {
  readonly #queue: unknown[] = [];
  #worker: NodeWorker | undefined;
  #terminated = false;
  constructor(url: string | URL) {
    const blob = resolveObjectURL(String(url));
    if (blob === undefined) throw new Error(`ShimWorker: ${String(url)} is not a Blob URL`);
    shimWorkers++;
    // A browser fetches the script asynchronously too: messages posted meanwhile wait.
    void blob.text().then((source) => {
      if (this.#terminated) return;
      // The web source runs inside a function: no `require`, `module` or `exports` in scope.
      const w = new NodeWorker(
        `${SHIM_PRELUDE}\n(new Function("require", "module", "exports", ${JSON.stringify(source)}))();`,
        { eval: true },
      );
      w.unref();
      for (const m of this.#queue) w.postMessage(m);
      this.#queue.length = 0;
      this.#worker = w;
    });
  }
  postMessage(m: unknown): void {
    if (this.#worker === undefined) this.#queue.push(m);
    else this.#worker.postMessage(m);
  }
  terminate(): void {
    this.#terminated = true;
    void this.#worker?.terminate();
  }
}
const shim = webSpawner(ShimWorker as unknown as typeof Worker);
const tick = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function sameBits(got: ArrayLike<number>, want: ArrayLike<number>, what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++)
    if (!Object.is(got[i], want[i]) && !(Number.isNaN(got[i]) && Number.isNaN(want[i])))
      assert.fail(`${what}: element ${i}: pool ${got[i]}, one thread ${want[i]}`);
}

test("GEMM pool on (shimmed) Web Workers == one thread, and the workers claim chunks", async () => {
  const memory = new WebAssembly.Memory({ initial: 256, maximum: 65536, shared: true });
  const pool = new GemmPool(memory, { threads: 3, minFlop: 0, spawner: shim });
  try {
    const [m, n, k] = [150, 131, 97];
    const f32 = new Float32Array(memory.buffer);
    const a = 1024;
    const b = a + 4 * m * k;
    const c1 = b + 4 * k * n;
    const c2 = c1 + 4 * m * n;
    const scratch = (c2 + 4 * m * n + 63) & ~63;
    assert.ok(scratch + pool.scratchBytes() + gemmScratchBytes(pool.config) < memory.buffer.byteLength);
    for (let i = 0; i < m * k; i++) f32[a / 4 + i] = Math.fround(Math.sin(i * 0.37) * 3);
    for (let i = 0; i < k * n; i++) f32[b / 4 + i] = Math.fround(Math.cos(i * 0.11) - 0.25);
    gemmF32(memory, { a, b, c: c1, m, n, k, scratch }, { config: pool.config });
    const one = f32.slice(c1 / 4, c1 / 4 + m * n);
    // Workers start asynchronously (script load, then the init message): until then the caller
    // runs every chunk; give them some turns of the event loop.
    // (Up to 20 s: a loaded machine may be slow to schedule a new thread.)
    const until = Date.now() + 20_000;
    for (let r = 0; Date.now() < until && pool.workerChunks === 0; r++) {
      f32.fill(NaN, c2 / 4, c2 / 4 + m * n);
      pool.gemmF32({ a, b, c: c2, m, n, k, scratch });
      sameBits(f32.subarray(c2 / 4, c2 / 4 + m * n), one, `pool call ${r}`);
      await tick(5);
    }
    assert.ok(pool.workerChunks > 0, "the Web Workers ran chunks");
    for (let r = 0; r < 5; r++) {
      f32.fill(NaN, c2 / 4, c2 / 4 + m * n);
      pool.gemmF32({ a, b, c: c2, m, n, k, scratch, transA: false });
      sameBits(f32.subarray(c2 / 4, c2 / 4 + m * n), one, `warm pool call ${r}`);
    }
  } finally {
    pool.close();
  }
});

test("kernel pool on (shimmed) Web Workers: modules arrive between waits; jitted kernels == reference", async () => {
  const before = shimWorkers;
  const pool = new KernelPool(cpu.heap.memory, 2, shim);
  assert.equal(shimWorkers, before + 1, "one worker besides the caller");
  const previous = setKernelPool(cpu, pool);
  try {
    const x = random.normal(random.PRNGKey(1), [301, 517]);
    const y = random.normal(random.PRNGKey(2), [517]);
    // A new program (module) per round: each is posted to the worker, which has it only after
    // its next return to the event loop — so the first call of each runs on the caller alone.
    const fs = [0.5, 1.5, 2.5, 3.5, 4.5, 5.5].map((s) =>
      jit((a: Array, b: Array) => np.maximum(a.mul(s).add(b), a.mul(a)).sub(0.25)),
    );
    const sumRows = jit((a: Array) => np.sum(a.mul(a), 1));
    const until = Date.now() + 20_000;
    for (let r = 0; Date.now() < until && pool.workerChunks === 0; r++) {
      for (const f of fs) f(x, y).dispose();
      await tick(5);
    }
    assert.ok(pool.workerChunks > 0, "the Web Worker ran ranges");
    const got = fs.map((f) => f(x, y).dataSync());
    const rows = sumRows(x).dataSync();
    await tick(5);
    const rows2 = sumRows(x).dataSync();
    config.update("jitCompile", false);
    try {
      fs.forEach((f, i) => sameBits(got[i], f(x, y).dataSync(), `chain ${i}`));
      const want = sumRows(x).dataSync();
      sameBits(rows, want, "sum over rows (first call of its module)");
      sameBits(rows2, want, "sum over rows");
    } finally {
      config.update("jitCompile", true);
    }
  } finally {
    setKernelPool(cpu, previous);
    pool.close();
  }
});

test("one thread where there are no workers: no spawner, or a heap that is not shared", () => {
  assert.throws(
    () => new KernelPool(cpu.heap.memory, 2, null),
    (e: unknown) => e instanceof ValueError && /no worker threads/.test(e.message),
  );
  assert.throws(
    () => new GemmPool(cpu.heap.memory, { threads: 2, spawner: null }),
    (e: unknown) => e instanceof ValueError && /no worker threads/.test(e.message),
  );
  const one = new GemmPool(cpu.heap.memory, { threads: 1, spawner: null });
  one.close();
  // A page without cross-origin isolation has no shared memory: the backend gets no pool.
  const unshared = { heap: new WasmHeap({ shared: false, initialPages: 1 }) } as unknown as CpuBackend;
  assert.equal(kernelPool(unshared), null);
  assert.equal(defaultSpawner()?.platform, "node");
});
