/**
 * The page of browser-threads.test.ts. It runs, on the page's main thread:
 * - a jitted float32 matmul [384, 256]·[256, 320] on the CPU backend (the GEMM routine; on its
 *   pool when the page is cross-origin isolated) and a large fused elementwise kernel (the kernel
 *   pool), and reports their results' bits;
 * - a GEMM pool of its own on the backend's heap next to the single-thread GEMM, bits compared here;
 * then publishes what it found on `window.result` (the test compares pages with and without isolation).
 */
import { jit, np, random, type Array } from "linax-ts";
import { cpu } from "@linax-ts/backend-cpu";
import { kernelPool } from "../../src/compile/kernel-threads.ts";
import { GemmPool } from "../../src/wasm/threads/gemm-pool.ts";
import { gemmF32 } from "../../src/wasm/gemm-call.ts";
import { gemmScratchBytes } from "../../src/wasm/gemm.ts";

interface Result {
  isolated: boolean;
  shared: boolean;
  kernelPool: boolean;
  kernelWorkerChunks: number;
  gemmPoolWorkerChunks: number;
  gemmPoolEqualsOneThread: boolean | null;
  matmulBits: number[];
  chainBits: number[];
  error?: string;
}

const tick = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const bits = (a: Array): number[] =>
  globalThis.Array.from(new Uint32Array((a.dataSync() as Float32Array).slice().buffer));

async function run(): Promise<Result> {
  const a = random.normal(random.PRNGKey(0), [384, 256]);
  const b = random.normal(random.PRNGKey(1), [256, 320]);
  const x = random.normal(random.PRNGKey(2), [301, 517]);
  const y = random.normal(random.PRNGKey(3), [517]);
  const matmul = jit((p: Array, q: Array) => np.matmul(p, q));
  const chain = jit((p: Array, q: Array) => np.maximum(p.mul(1.7).add(q), p.mul(p)).sub(0.25));
  const pool = kernelPool(cpu);
  // Workers start asynchronously: give them turns of the event loop until they take part.
  let matmulBits = bits(matmul(a, b));
  let chainBits = bits(chain(x, y));
  // (Up to 20 s: a loaded machine may be slow to start a worker.)
  const until = Date.now() + 20_000;
  for (let r = 0; Date.now() < until && pool !== null && pool.workerChunks === 0; r++) {
    await tick(10);
    matmulBits = bits(matmul(a, b));
    chainBits = bits(chain(x, y));
  }
  let gemmPoolWorkerChunks = 0;
  let gemmPoolEqualsOneThread: boolean | null = null;
  if (cpu.heap.shared) {
    const memory = cpu.heap.memory;
    const g = new GemmPool(memory, { threads: 2, minFlop: 0 });
    try {
      const [m, n, k] = [150, 131, 97];
      const base = cpu.heap.alloc(
        4 * (m * k + k * n + 2 * m * n) + g.scratchBytes() + gemmScratchBytes(g.config) + 128,
      );
      const pa = base;
      const pb = pa + 4 * m * k;
      const c1 = pb + 4 * k * n;
      const c2 = c1 + 4 * m * n;
      const scratch = (c2 + 4 * m * n + 63) & ~63;
      const f32 = new Float32Array(memory.buffer);
      for (let i = 0; i < m * k; i++) f32[pa / 4 + i] = Math.fround(Math.sin(i * 0.37) * 3);
      for (let i = 0; i < k * n; i++) f32[pb / 4 + i] = Math.fround(Math.cos(i * 0.11) - 0.25);
      gemmF32(memory, { a: pa, b: pb, c: c1, m, n, k, scratch }, { config: g.config });
      gemmPoolEqualsOneThread = true;
      const deadline = Date.now() + 20_000;
      for (let r = 0; r < 3 || (Date.now() < deadline && g.workerChunks === 0); r++) {
        f32.fill(NaN, c2 / 4, c2 / 4 + m * n);
        g.gemmF32({ a: pa, b: pb, c: c2, m, n, k, scratch });
        for (let i = 0; i < m * n; i++)
          if (!Object.is(f32[c2 / 4 + i], f32[c1 / 4 + i])) gemmPoolEqualsOneThread = false;
        await tick(10);
      }
      gemmPoolWorkerChunks = g.workerChunks;
      cpu.heap.free(base);
    } finally {
      g.close();
    }
  }
  return {
    isolated: globalThis.crossOriginIsolated === true,
    shared: cpu.heap.shared,
    kernelPool: pool !== null,
    kernelWorkerChunks: pool?.workerChunks ?? 0,
    gemmPoolWorkerChunks,
    gemmPoolEqualsOneThread,
    matmulBits,
    chainBits,
  };
}

run().then(
  (r) => ((window as unknown as { result: Result }).result = r),
  (e: unknown) =>
    ((window as unknown as { result: Partial<Result> }).result = { error: String((e as Error)?.stack ?? e) }),
);
