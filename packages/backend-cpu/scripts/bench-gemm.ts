/**
 * Micro-benchmark of the WebAssembly f32 GEMM routine against @tensorflow/tfjs-backend-wasm,
 * interleaved in one process: n×n·n×n at 256³, 512³, 1024³; median of R timed runs after warm-up.
 *
 *   npx tsx packages/backend-cpu/scripts/bench-gemm.ts [--reps 7] [--sizes 256,512,1024]
 *       [--config mr,nr,kc,mc,nc,unroll] [--sweep [--cfgs "5,8,256,95,1024,1;…"]] [--no-tfjs] [--jaxjs] [--threads 2]
 *
 * `--sweep` times a few blockings of the single-thread kernel at 1024³ (for tuning). `--jaxjs` adds
 * @jax-js/jax on its wasm device. Ratios are ours over each peer, measured in the same rounds.
 */
import { gemmF32, defaultGemmConfig, gemmScratchBytes, type GemmConfig } from "../src/wasm/gemm-call.ts";
import { GemmPool } from "../src/wasm/threads/gemm-pool.ts";

const argv = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
const reps = Number(opt("reps") ?? 7);
const sizes = (opt("sizes") ?? "256,512,1024").split(",").map(Number);
const base = defaultGemmConfig();
const parseConfig = (s: string): GemmConfig => {
  const [mr, nr, kc, mc, nc, unroll] = s.split(",").map(Number);
  return { ...base, mr, nr, kc, mc, nc, unroll: unroll ?? base.unroll };
};
const config = opt("config") !== undefined ? parseConfig(opt("config")!) : base;

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const gflops = (n: number, ms: number): number => (2 * n ** 3) / ms / 1e6;

interface Impl {
  name: string;
  setup(n: number): Promise<() => void | Promise<void>> | (() => void | Promise<void>);
}

/** Our kernel on one heap-like memory: A, B, C and a scratch block at 64-byte aligned addresses. */
function ours(name: string, cfg: GemmConfig, threads = 1): Impl {
  return {
    name,
    setup(n) {
      const align = (x: number): number => Math.ceil(x / 64) * 64;
      const a = 64,
        b = align(a + 4 * n * n),
        c = align(b + 4 * n * n),
        scratch = align(c + 4 * n * n);
      const bytes = scratch + threads * gemmScratchBytes(cfg);
      const memory = new WebAssembly.Memory({ initial: Math.ceil(bytes / 65536), maximum: 65536, shared: true });
      const f = new Float32Array(memory.buffer);
      for (let i = 0; i < 2 * n * n; i++) f[a / 4 + i] = Math.sin(i * 0.37) * 2;
      const args = { a, b, c, m: n, n, k: n, scratch };
      if (threads > 1) {
        const pool = new GemmPool(memory, { threads, config: cfg });
        return () => pool.gemmF32(args);
      }
      return () => gemmF32(memory, args, { config: cfg });
    },
  };
}

async function tfjsWasm(): Promise<Impl> {
  const spec = (s: string): string => `@tensorflow/${s}`;
  const tf = (await import(spec("tfjs-core"))) as typeof import("@tensorflow/tfjs-core");
  await import(spec("tfjs-backend-wasm"));
  tf.enableProdMode();
  if (!(await tf.setBackend("wasm"))) throw new Error("tfjs wasm backend failed to initialise");
  const simd = await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT");
  const mt = await tf.env().getAsync("WASM_HAS_MULTITHREAD_SUPPORT");
  console.log(`tfjs ${tf.version_core}: wasm SIMD ${simd ? "on" : "off"}, threads ${mt ? "on" : "off"}`);
  return {
    name: "tfjs-wasm",
    setup(n) {
      const x = tf.randomNormal([n, n], 0, 1, "float32", 0);
      const y = tf.randomNormal([n, n], 0, 1, "float32", 1);
      return () => {
        const z = tf.matMul(x, y);
        z.dataSync();
        z.dispose();
      };
    },
  };
}

/** jax-js on its wasm device (single-threaded in Node: its pool needs the Web Worker global). */
async function jaxjsWasm(): Promise<Impl> {
  const g = globalThis as { navigator?: unknown };
  g.navigator ??= { userAgent: "node", hardwareConcurrency: 2 };
  const jax = (await import(["@jax-js", "jax"].join("/"))) as typeof import("@jax-js/jax");
  const devices = await jax.init("wasm");
  if (!devices.includes("wasm")) throw new Error("jax-js: no wasm device");
  jax.defaultDevice("wasm");
  return {
    name: "jaxjs-wasm",
    setup(n) {
      const a = jax.random.normal(jax.random.key(0), [n, n]);
      const b = jax.random.normal(jax.random.key(1), [n, n]);
      return async () => {
        const y = jax.numpy.matmul(a.ref, b.ref);
        (await y.blockUntilReady()).dispose();
      };
    },
  };
}

async function main(): Promise<void> {
  console.log(
    `node ${process.version}; config ${JSON.stringify(config)}; median of ${reps} runs after warm-up, interleaved`,
  );
  if (argv.includes("--sweep")) {
    const n = Number(opt("n") ?? 1024);
    const cfgs = (
      opt("cfgs") ??
      "6,8,256,96,1024,4;6,8,256,96,1024,1;4,8,256,96,1024,1;4,8,256,96,1024,2;5,8,256,95,1024,1;3,16,256,96,1024,1;4,12,256,96,1020,1;2,16,256,96,1024,1"
    )
      .split(";")
      .map(parseConfig);
    const runs = await Promise.all(
      cfgs.map((c: GemmConfig) => ours(`${c.mr}x${c.nr} kc${c.kc} mc${c.mc} nc${c.nc} u${c.unroll}`, c).setup(n)),
    );
    runs.forEach((r) => r());
    const times = cfgs.map(() => [] as number[]);
    for (let r = 0; r < reps; r++) {
      runs.forEach((run, i) => {
        const t = performance.now();
        run();
        times[i].push(performance.now() - t);
      });
    }
    cfgs.forEach((c, i) =>
      console.log(
        `${n}³ ${c.mr}x${c.nr} kc=${c.kc} mc=${c.mc} nc=${c.nc} u=${c.unroll}: ${gflops(n, median(times[i])).toFixed(1)} GFLOP/s (median ${median(times[i]).toFixed(1)} ms)`,
      ),
    );
    return;
  }
  const threads = Number(opt("threads") ?? 2);
  const impls: Impl[] = [ours("linax-wasm-1t", config)];
  if (threads > 1) impls.push(ours(`linax-wasm-${threads}t`, config, threads));
  if (!argv.includes("--no-tfjs")) impls.push(await tfjsWasm());
  if (argv.includes("--jaxjs")) impls.push(await jaxjsWasm());
  for (const n of sizes) {
    const runs = await Promise.all(impls.map((im) => im.setup(n)));
    for (let w = 0; w < 2; w++) for (const r of runs) await r();
    const times = impls.map(() => [] as number[]);
    const rn = n <= 256 ? reps * 4 : reps;
    for (let r = 0; r < rn; r++) {
      for (let i = 0; i < runs.length; i++) {
        const t = performance.now();
        await runs[i]();
        times[i].push(performance.now() - t);
      }
    }
    const g = times.map((t) => gflops(n, median(t)));
    const peers = impls.map((im, i) => [im.name, i] as const).filter(([name]) => !name.startsWith("linax"));
    const cells = impls.map((im, i) => {
      const ratios = im.name.startsWith("linax")
        ? peers.map(([name, j]) => ` ${(g[i] / g[j]).toFixed(2)}× ${name}`).join(",")
        : "";
      return `${im.name} ${g[i].toFixed(1)} GFLOP/s (${median(times[i]).toFixed(2)} ms)${ratios}`;
    });
    console.log(`${n}³: ${cells.join(" | ")}`);
  }
}

await main();
