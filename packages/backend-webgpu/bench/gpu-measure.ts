/**
 * WebGPU figures for issue #11 on whatever adapter initWebGPU finds (the H100 on the GPU machine):
 * matmul TFLOP/s (the 128×128-tile kernel, eager and under jit), an elementwise chain and a
 * reduction in GB/s compiled (one fused kernel) vs interpreted (one kernel per primitive), and the
 * JS time and dispatches of one compiled call. Each figure: the median of 5 batches after a
 * warm-up, a batch being `reps` calls enqueued back to back and one wait for the GPU.
 *
 *   node --import tsx packages/backend-webgpu/bench/gpu-measure.ts [--sizes 1024,2048,4096]
 *   (GPU machine: bundle with esbuild, see the WebGPU README, and run the .mjs after the prelude)
 */
import { parseArgs } from "node:util";
import { np, jit, config, random, devicePut, type Array } from "linax-ts";
import { initWebGPU, shutdownWebGPU, type WebGPUBackend } from "@linax-ts/backend-webgpu";
import { CompiledExecutable, compileJaxpr } from "../src/compile/executor.ts";
import { makeJaxpr, ConcreteArray } from "linax-ts";

const { values } = parseArgs({ options: { sizes: { type: "string", default: "1024,2048,4096" }, elems: { type: "string", default: String(1 << 24) } } });
const sizes = values.sizes.split(",").map(Number);
const N = Number(values.elems);

const be: WebGPUBackend = await initWebGPU();
console.log(`adapter: ${be.adapterInfo} | fused fma: ${be.fusedFma}`);

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Median seconds per call of `f` (outputs disposed as they come, so the pool recycles them). */
async function timePerCall(f: () => Array | Array[], reps: number): Promise<number> {
  const run = async (): Promise<number> => {
    const t0 = performance.now();
    for (let r = 0; r < reps; r++) {
      const out = f();
      for (const o of globalThis.Array.isArray(out) ? out : [out]) o.dispose();
    }
    await be.sync();
    return (performance.now() - t0) / 1000 / reps;
  };
  await run();
  const ts: number[] = [];
  for (let k = 0; k < 5; k++) ts.push(await run());
  return median(ts);
}

const key = random.PRNGKey(0);
const gpuNormal = (shape: number[], k: number): Array => devicePut(random.normal(random.foldIn(key, k), shape), "webgpu");

console.log("\n## matmul f32 n×n×n (TFLOP/s = 2n³ / time)");
const jmm = jit((a: Array, b: Array) => np.matmul(a, b));
for (const n of sizes) {
  const a = gpuNormal([n, n], 1);
  const b = gpuNormal([n, n], 2);
  const reps = n <= 1024 ? 50 : n <= 2048 ? 20 : 5;
  const eager = await timePerCall(() => np.matmul(a, b), reps);
  const jitted = await timePerCall(() => jmm(a, b), reps);
  const tf = (t: number) => ((2 * n ** 3) / t / 1e12).toFixed(2);
  console.log(`n=${n}: eager ${tf(eager)} TFLOP/s (${(eager * 1e3).toFixed(3)} ms), jit ${tf(jitted)} TFLOP/s (${(jitted * 1e3).toFixed(3)} ms)`);
  a.dispose();
  b.dispose();
}

console.log(`\n## elementwise chain and reduction, ${N} float32 elements (GB/s = bytes read + written / time)`);
const chain = (x: Array, y: Array): Array => np.tanh(x.mul(1.7).add(y)).mul(x).sub(np.exp(y).mul(0.5));
const rows = 4096;
const red = (x: Array): Array => np.sum(x.mul(x), { axis: 1 });
const x = gpuNormal([N], 3);
const y = gpuNormal([N], 4);
const xr = gpuNormal([rows, N / rows], 5);
const gb = (bytes: number, t: number) => (bytes / t / 1e9).toFixed(0);
for (const compile of [true, false]) {
  config.update("jitCompile", compile);
  const jc = jit(chain);
  const jr = jit(red);
  const tc = await timePerCall(() => jc(x, y), 20);
  const tr = await timePerCall(() => jr(xr), 20);
  console.log(
    `jitCompile=${compile}: chain ${gb(3 * 4 * N, tc)} GB/s (${(tc * 1e3).toFixed(3)} ms) | sum(x², axis 1) of [${rows}, ${N / rows}] ${gb(4 * N + 4 * rows, tr)} GB/s (${(tr * 1e3).toFixed(3)} ms)`,
  );
}
config.update("jitCompile", true);
const te = await timePerCall(() => chain(x, y), 20);
console.log(`eager (no jit): chain ${gb(3 * 4 * N, te)} GB/s (${(te * 1e3).toFixed(3)} ms)`);

console.log("\n## one compiled call: JS time (no GPU wait) and dispatches");
const small = (a: Array, b: Array): Array[] => {
  const h = np.tanh(np.matmul(a, b).add(1));
  return [h, np.sum(h.mul(h), { axis: 0 })];
};
const sa = gpuNormal([128, 128], 6);
const sb = gpuNormal([128, 128], 7);
const cj = makeJaxpr(small)(sa, sb);
const exe = compileJaxpr(be, cj.jaxpr);
if (exe instanceof CompiledExecutable) {
  const bufs = [sa, sb].map((a) => (a as ConcreteArray).buffer);
  for (let k = 0; k < 3; k++) for (const o of exe.execute(bufs)) be.dispose(o);
  await be.sync();
  const t0 = performance.now();
  const R = 200;
  for (let k = 0; k < R; k++) for (const o of exe.execute(bufs)) be.dispose(o);
  const js = (performance.now() - t0) / R;
  await be.sync();
  const st = exe.stats();
  console.log(`tanh(a@b + 1), Σ h² (128²): ${st.kernels} fused kernels + ${st.routines} routine, ${st.dispatches} dispatches, ${st.bindGroupsCreated} new bind groups per repeated call, JS ${(js * 1e3).toFixed(3)} ms per call`);
} else console.log(`not compiled: ${exe.constructor.name}`);

shutdownWebGPU();
