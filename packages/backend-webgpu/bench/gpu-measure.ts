/**
 * WebGPU figures for issue #11 on whatever adapter initWebGPU finds (the H100 on the GPU machine),
 * with @jax-js/jax on its `webgpu` device in the same process (same GPU, same Dawn instance):
 * - matmul f32 n×n×n in TFLOP/s: linax eager and jit, jax-js jit;
 * - memory-bound kernels in GB/s (bytes that must cross memory: inputs read + output written)
 *   against the card's HBM bandwidth and a plain vec4 copy kernel: an elementwise chain, x + y,
 *   sum(x², axis 1), sum(x, axis 0), a full sum — linax jit (one fused kernel each) and jax-js jit;
 * - with --variants, every dotGeneral kernel and tile alone (GPU time of back-to-back dispatches,
 *   results checked bit for bit against the 64×64 kernel);
 * - the JS time and dispatches of one compiled call.
 * Each figure: the median of 5 batches after a warm-up, a batch being `reps` calls enqueued back to
 * back and one wait for the GPU.
 *
 *   node --import tsx packages/backend-webgpu/bench/gpu-measure.ts [--sizes 1024,2048,4096,8192]
 *     [--variants] [--no-jaxjs] [--json PATH]
 *   (GPU machine: scripts/gpu-bundle.sh bundles it into .gpu11/app/x/measure.mjs, jax-js included)
 */
import { parseArgs } from "node:util";
import { writeFileSync } from "node:fs";
import { create, globals } from "webgpu";
import * as jaxjs from "@jax-js/jax";
import { np, jit, random, devicePut, type lax, ShapedArray, type Array } from "linax-ts";
import { initWebGPU, shutdownWebGPU, type WebGPUBackend } from "@linax-ts/backend-webgpu";
import { CompiledExecutable, compileJaxpr } from "../src/compile/executor.ts";
import { dotGeneralProgram, type DotVariant } from "../src/kernels/dot.ts";
import type { Vec4Tuning } from "../src/kernels/dot-vec4.ts";
import type { Program } from "../src/program.ts";
import { makeJaxpr, ConcreteArray } from "linax-ts";

const { values } = parseArgs({
  options: {
    sizes: { type: "string", default: "1024,2048,4096,8192" },
    elems: { type: "string", default: `${1 << 24},${1 << 26}` },
    variants: { type: "boolean", default: false },
    "no-jaxjs": { type: "boolean", default: false },
    json: { type: "string" },
  },
});
const sizes = values.sizes.split(",").map(Number);
const ELEMS = values.elems.split(",").map(Number);
const HBM_GBS = 3350; // H100 SXM5 80GB HBM3: 3.35 TB/s (NVIDIA's datasheet)
const record: Record<string, unknown> = {
  date: new Date().toISOString(),
  command: `node measure.mjs ${process.argv.slice(2).join(" ")}`,
  hbmGBs: HBM_GBS,
};

const be: WebGPUBackend = await initWebGPU();
console.log(`adapter: ${be.adapterInfo} | fused fma: ${be.fusedFma}`);
record.adapter = be.adapterInfo;

// jax-js reads navigator.gpu; give it our Dawn instance (kept reachable: the device README's rule).
type Jax = typeof jaxjs;
type JaxArray = InstanceType<Jax["Array"]>;
let jax: Jax | null = null;
if (!values["no-jaxjs"]) {
  try {
    Object.assign(globalThis, globals);
    const inst = (globalThis as unknown as Record<string, unknown>).__linaxWebGPUInstance ?? create([]);
    Object.defineProperty(globalThis, "navigator", {
      value: { userAgent: "node", hardwareConcurrency: 2, gpu: inst },
      configurable: true,
      writable: true,
    });
    const devices = await jaxjs.init("webgpu");
    if (!devices.includes("webgpu")) throw new Error(`jax-js init("webgpu") gave [${devices.join(", ")}]`);
    jaxjs.defaultDevice("webgpu");
    jax = jaxjs;
    console.log("jax-js: webgpu device initialised (same process, same Dawn instance)");
    record.jaxjs = "webgpu";
  } catch (e) {
    console.log(`jax-js: webgpu unavailable: ${String(e)}`);
    record.jaxjs = `unavailable: ${String(e)}`;
  }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Median seconds per call: `enqueue` runs once per call, `wait` ends a batch. */
async function timeBatches(enqueue: () => void, wait: () => Promise<void>, reps: number): Promise<number> {
  const run = async (): Promise<number> => {
    const t0 = performance.now();
    for (let r = 0; r < reps; r++) enqueue();
    await wait();
    return (performance.now() - t0) / 1000 / reps;
  };
  await run();
  const ts: number[] = [];
  for (let k = 0; k < 5; k++) ts.push(await run());
  return median(ts);
}

/** linax: outputs disposed as they come, so the pool recycles them. */
const timeLinax = (f: () => Array | Array[], reps: number): Promise<number> =>
  timeBatches(
    () => {
      const out = f();
      for (const o of globalThis.Array.isArray(out) ? out : [out]) o.dispose();
    },
    () => be.sync(),
    reps,
  );

/** jax-js: results kept until the batch's end, then awaited and disposed (its ops are lazy). */
async function timeJax(f: () => JaxArray, reps: number): Promise<number> {
  let pending: JaxArray[] = [];
  return timeBatches(
    () => void pending.push(f()),
    async () => {
      for (const y of pending) (await y.blockUntilReady()).dispose();
      pending = [];
    },
    reps,
  );
}

const key = random.PRNGKey(0);
const gpuNormal = (shape: number[], k: number): Array =>
  devicePut(random.normal(random.foldIn(key, k), shape), "webgpu");
const jaxNormal = (shape: number[], k: number): JaxArray =>
  (jax as Jax).random.normal((jax as Jax).random.key(k), shape);

const mm: Record<string, unknown>[] = [];
console.log("\n## matmul f32 n×n×n (TFLOP/s = 2n³ / time; the H100's fp32 peak without tensor cores ≈ 67)");
const jmm = jit((a: Array, b: Array) => np.matmul(a, b));
for (const n of sizes) {
  const a = gpuNormal([n, n], 1);
  const b = gpuNormal([n, n], 2);
  const reps = n <= 1024 ? 50 : n <= 2048 ? 20 : n <= 4096 ? 8 : 3;
  const eager = await timeLinax(() => np.matmul(a, b), reps);
  const jitted = await timeLinax(() => jmm(a, b), reps);
  const tf = (t: number) => (2 * n ** 3) / t / 1e12;
  let line = `n=${n}: linax eager ${tf(eager).toFixed(2)} TFLOP/s (${(eager * 1e3).toFixed(3)} ms), jit ${tf(jitted).toFixed(2)} TFLOP/s (${(jitted * 1e3).toFixed(3)} ms)`;
  const row: Record<string, unknown> = {
    n,
    linaxEagerTflops: tf(eager),
    linaxJitTflops: tf(jitted),
    linaxJitMs: jitted * 1e3,
  };
  if (jax !== null) {
    const J = jax;
    const ja = jaxNormal([n, n], 1);
    const jb = jaxNormal([n, n], 2);
    const jf = J.jit((x: JaxArray, y: JaxArray) => J.numpy.matmul(x, y));
    const tj = await timeJax(() => jf(ja.ref, jb.ref), reps);
    line += ` | jax-js jit ${tf(tj).toFixed(2)} TFLOP/s (${(tj * 1e3).toFixed(3)} ms) → linax/jax-js ${(tj / jitted).toFixed(2)}×`;
    row.jaxjsJitTflops = tf(tj);
    ja.dispose();
    jb.dispose();
  }
  console.log(line);
  mm.push(row);
  a.dispose();
  b.dispose();
}
record.matmul = mm;
if (values.json !== undefined) writeFileSync(values.json, JSON.stringify(record, null, 1));

if (values.variants) {
  console.log("\n## dotGeneral kernels alone (GPU time per dispatch, back to back), bits vs the 64×64 kernel");
  const kinds: [string, DotVariant, Vec4Tuning | undefined][] = [
    ["tiled 128 (scalar)", "tiled", undefined],
    ["vec4 128×128 k8", "vec4", { bm: 128, bk: 8 }],
    ["vec4 128×128 k16", "vec4", { bm: 128, bk: 16 }],
    ["vec4 64×64 k16", "vec4", { bm: 64, bk: 16 }],
  ];
  const layouts: [string, number[], number[], lax.DotGeneralParams][] = [
    ["A·B", [0, 0], [0, 0], { contractingDims: [[1], [0]], batchDims: [[], []], preferredElementType: null }],
    ["Aᵀ·B", [1, 0], [0, 0], { contractingDims: [[0], [0]], batchDims: [[], []], preferredElementType: null }],
    ["A·Bᵀ", [0, 0], [1, 0], { contractingDims: [[1], [1]], batchDims: [[], []], preferredElementType: null }],
  ];
  const runProg = (p: Program, x: Array, y: Array, o: GPUBuffer): void =>
    be.run(
      "dot",
      p,
      [be.gpuBuffer((x as ConcreteArray).buffer, "x"), be.gpuBuffer((y as ConcreteArray).buffer, "y")],
      [o],
    );
  const read = async (o: GPUBuffer, n: number): Promise<Float32Array> => {
    const h = be.own(o, n * 4, false);
    const v = (await new ConcreteArray(h, new ShapedArray([n], "float32")).data()) as Float32Array;
    return v;
  };
  const out: Record<string, unknown>[] = [];
  for (const n of sizes) {
    const x = gpuNormal([n, n], 11);
    const y = gpuNormal([n, n], 12);
    const oa = new ShapedArray([n, n], "float32");
    for (const [lname, , , params] of layouts) {
      if (lname !== "A·B" && n !== 4096) continue;
      const ref = n <= 2048 ? dotGeneralProgram(x.aval, y.aval, oa, params, "blocked") : undefined;
      let want: Float32Array | undefined;
      if (ref !== undefined) {
        const o = be.device.createBuffer({ size: n * n * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
        runProg(ref, x, y, o);
        want = await read(o, n * n);
      }
      for (const [name, v, tune] of kinds) {
        const p = dotGeneralProgram(x.aval, y.aval, oa, params, v, tune);
        const o = be.device.createBuffer({ size: n * n * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
        const reps = n <= 1024 ? 50 : n <= 2048 ? 20 : n <= 4096 ? 8 : 3;
        const t = await timeBatches(
          () => runProg(p, x, y, o),
          () => be.sync(),
          reps,
        );
        let same = "";
        if (want !== undefined) {
          const got = await read(o, n * n);
          let bad = 0;
          for (let i = 0; i < got.length; i++) if (!Object.is(got[i], want[i])) bad++;
          same = bad === 0 ? " bits == 64×64" : ` ${bad} ELEMENTS DIFFER from 64×64`;
        } else o.destroy();
        const tf = (2 * n ** 3) / t / 1e12;
        console.log(`n=${n} ${lname} ${name.padEnd(20)} ${tf.toFixed(2)} TFLOP/s (${(t * 1e3).toFixed(3)} ms)${same}`);
        out.push({ n, layout: lname, kernel: name, tflops: tf, same });
      }
    }
    x.dispose();
    y.dispose();
  }
  record.dotVariants = out;
}

const memOut: Record<string, unknown>[] = [];
const copyOut: Record<string, number> = {};
for (const N of ELEMS) {
  console.log(`\n## memory-bound, ${N} float32 elements (GB/s = bytes read + written / time; HBM ≈ ${HBM_GBS} GB/s)`);
  {
    // The achievable figure: a plain vec4 copy, one dispatch.
    const src = gpuNormal([N], 20);
    const dst = be.device.createBuffer({ size: N * 4, usage: GPUBufferUsage.STORAGE });
    const copy: Program = {
      passes: [
        {
          code: `@group(0) @binding(0) var<storage, read> a: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read_write> b: array<vec4<f32>>;
@compute @workgroup_size(256) fn main(@builtin(global_invocation_id) g: vec3<u32>) {
  let i = g.x + g.y * ${Math.min(65535, N / 4 / 256) * 256}u;
  if (i < ${N / 4}u) { b[i] = a[i]; }
}`,
          bindings: [
            { slot: { in: 0 }, write: false },
            { slot: { out: 0 }, write: true },
          ],
          workgroups: [Math.min(65535, N / 4 / 256), Math.ceil(N / 4 / 256 / 65535), 1],
        },
      ],
    };
    const tc = await timeBatches(
      () => be.run("copy", copy, [be.gpuBuffer((src as ConcreteArray).buffer, "src")], [dst]),
      () => be.sync(),
      20,
    );
    console.log(`vec4 copy (reference kernel): ${((8 * N) / tc / 1e9).toFixed(0)} GB/s (${(tc * 1e3).toFixed(3)} ms)`);
    copyOut[N] = (8 * N) / tc / 1e9;
    dst.destroy();
    src.dispose();
  }
  const rows = 4096;
  type Mem = {
    name: string;
    shape: number[][];
    bytes: number;
    linax: (...x: Array[]) => Array;
    jax: (J: Jax, ...x: JaxArray[]) => JaxArray;
  };
  const mems: Mem[] = [
    {
      name: "tanh(x·1.7+y)·x − exp(y)·0.5",
      shape: [[N], [N]],
      bytes: 12 * N,
      linax: (x, y) => np.tanh(x.mul(1.7).add(y)).mul(x).sub(np.exp(y).mul(0.5)),
      jax: (J, x, y) => J.numpy.tanh(x.ref.mul(1.7).add(y.ref)).mul(x).sub(J.numpy.exp(y).mul(0.5)),
    },
    { name: "x + y", shape: [[N], [N]], bytes: 12 * N, linax: (x, y) => x.add(y), jax: (J, x, y) => x.add(y) },
    {
      name: `sum(x², axis 1) of [${rows}, ${N / rows}]`,
      shape: [[rows, N / rows]],
      bytes: 4 * N + 4 * rows,
      linax: (x) => np.sum(x.mul(x), { axis: 1 }),
      jax: (J, x) => J.numpy.sum(x.ref.mul(x), 1),
    },
    {
      name: `sum(x, axis 0) of [${rows}, ${N / rows}]`,
      shape: [[rows, N / rows]],
      bytes: 4 * N + (4 * N) / rows,
      linax: (x) => np.sum(x, { axis: 0 }),
      jax: (J, x) => J.numpy.sum(x, 0),
    },
    { name: "sum(x) (all)", shape: [[N]], bytes: 4 * N + 4, linax: (x) => np.sum(x), jax: (J, x) => J.numpy.sum(x) },
  ];
  for (const m of mems) {
    const xs = m.shape.map((s, k) => gpuNormal(s, 30 + k));
    const jf = jit(m.linax);
    const t = await timeLinax(() => jf(...xs), 20);
    const gbs = m.bytes / t / 1e9;
    let line = `${m.name}: linax jit ${gbs.toFixed(0)} GB/s (${((100 * gbs) / HBM_GBS).toFixed(0)} % of HBM, ${(t * 1e3).toFixed(3)} ms)`;
    const row: Record<string, unknown> = { elems: N, name: m.name, linaxJitGBs: gbs, linaxJitMs: t * 1e3 };
    if (jax !== null && N === ELEMS[0]) {
      const J = jax;
      try {
        const js = m.shape.map((s, k) => jaxNormal(s, 30 + k));
        const jj = J.jit((...a: JaxArray[]) => m.jax(J, ...a));
        // A hung jax-js call (seen for its axis reductions) must not take the run with it.
        const tj = await Promise.race([
          timeJax(() => jj(...js.map((a) => a.ref)), 20),
          new Promise<number>((_, no) => setTimeout(() => no(new Error("no result in 15 s")), 15000)),
        ]);
        line += ` | jax-js jit ${(m.bytes / tj / 1e9).toFixed(0)} GB/s (${(tj * 1e3).toFixed(3)} ms)`;
        row.jaxjsJitGBs = m.bytes / tj / 1e9;
        js.forEach((a) => a.dispose());
      } catch (e) {
        line += ` | jax-js failed: ${String(e).slice(0, 120)}`;
      }
    }
    console.log(line);
    memOut.push(row);
    xs.forEach((a) => a.dispose());
  }
  if (values.json !== undefined)
    writeFileSync(values.json, JSON.stringify({ ...record, copyGBs: copyOut, memoryBound: memOut }, null, 1));
}
record.copyGBs = copyOut;
record.memoryBound = memOut;

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
  console.log(
    `tanh(a@b + 1), Σ h² (128²): ${st.kernels} fused kernels + ${st.routines} routine, ${st.dispatches} dispatches, ${st.bindGroupsCreated} new bind groups per repeated call, JS ${(js * 1e3).toFixed(3)} ms per call`,
  );
} else console.log(`not compiled: ${exe.constructor.name}`);

if (values.json !== undefined) writeFileSync(values.json, JSON.stringify(record, null, 1));
shutdownWebGPU();
process.exit(0);
