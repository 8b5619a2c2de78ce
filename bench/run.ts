/**
 * Benchmarks (`npm run bench [-- --backend webgpu] [--filter name] [--repeats n]`): wall time of
 * representative operations on one backend, median of `repeats` after a warm-up run. Speed targets
 * live here, never in unit tests. Every case ends with an awaited read, so asynchronous backends
 * (WebGPU) are timed to completion, not just to enqueue.
 *
 * On the GPU machine: bundle with esbuild (see ../shared/device/README.md) and run with
 * `LINAX_WEBGPU_ADAPTER=system` semantics (the real Vulkan driver).
 */
import { parseArgs } from "node:util";
import { np, random, jit, setDefaultBackend, initWebGPU, shutdownWebGPU, type Array } from "linax-ts";

interface Case {
  name: string;
  /** Work per run, for a throughput figure (e.g. FLOPs or samples), with its unit. */
  work?: [number, string];
  setup(): () => Array;
}

const CASES: Case[] = [
  {
    name: "matmul 256x256",
    work: [2 * 256 ** 3, "FLOP"],
    setup() {
      const a = random.normal(random.PRNGKey(0), [256, 256]);
      const b = random.normal(random.PRNGKey(1), [256, 256]);
      return () => np.matmul(a, b);
    },
  },
  {
    name: "matmul 1024x1024",
    work: [2 * 1024 ** 3, "FLOP"],
    setup() {
      const a = random.normal(random.PRNGKey(0), [1024, 1024]);
      const b = random.normal(random.PRNGKey(1), [1024, 1024]);
      return () => np.matmul(a, b);
    },
  },
  {
    name: "elementwise tanh(x*y+1) 1M",
    work: [1 << 20, "elem"],
    setup() {
      const x = random.uniform(random.PRNGKey(0), [1 << 20]);
      const y = random.uniform(random.PRNGKey(1), [1 << 20]);
      const f = jit((a: Array, b: Array) => np.tanh(a.mul(b).add(1)));
      return () => f(x, y);
    },
  },
  {
    name: "random.normal 1M",
    work: [1 << 20, "sample"],
    setup() {
      const k = random.PRNGKey(0);
      const f = jit((key: Array) => random.normal(key, [1 << 20]));
      return () => f(k);
    },
  },
  {
    name: "sum 4M",
    work: [1 << 22, "elem"],
    setup() {
      const x = random.uniform(random.PRNGKey(0), [1 << 22]);
      return () => np.sum(x);
    },
  },
];

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { backend: { type: "string", default: "cpu" }, filter: { type: "string" }, repeats: { type: "string", default: "5" } },
  });
  const backend = values.backend ?? "cpu";
  if (backend === "webgpu") {
    const be = await initWebGPU();
    console.log(`webgpu adapter: ${be.adapterInfo}`);
  }
  setDefaultBackend(backend);
  const repeats = Number(values.repeats);
  for (const c of CASES) {
    if (values.filter !== undefined && !c.name.includes(values.filter)) continue;
    const run = c.setup();
    await run().data(); // warm-up: pipelines compiled, caches filled
    const times: number[] = [];
    for (let r = 0; r < repeats; r++) {
      const t0 = performance.now();
      const y = run();
      await y.data();
      times.push(performance.now() - t0);
      y.dispose();
    }
    times.sort((a, b) => a - b);
    const med = times[Math.floor(times.length / 2)];
    const rate = c.work === undefined ? "" : `  ${((c.work[0] / (med / 1000)) / 1e9).toFixed(3)} G${c.work[1]}/s`;
    console.log(`${backend.padEnd(6)} ${c.name.padEnd(32)} ${med.toFixed(2).padStart(10)} ms${rate}`);
  }
  if (backend === "webgpu") shutdownWebGPU();
}

await main();
