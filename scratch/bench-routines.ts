/**
 * Reference kernel vs Wasm routine for the CPU routines of compile/routines/ (cumulative ops and
 * linearRecurrence, depthwise and general conv, gather/scatterAdd), on realistic sizes.
 * Each case: the reference kernel (kernels/*.ts, what `jitCompile: false` runs) and the routine
 * on the same inputs, interleaved, median of the runs after one warm-up of each; the routine's
 * inputs already in the heap (as inside a jitted program). Prints one Markdown table row per case.
 *
 *   node --import tsx scratch/bench-routines.ts [--quick]
 */
import { execSync } from "node:child_process";
import { lax, makeJaxpr, np, random, ShapedArray, type Array } from "linax-ts";
import { cpu, getKernel } from "@linax-ts/backend-cpu";
import type { CpuBuffer } from "../packages/backend-cpu/src/backend.ts";
import { fastRoutine } from "../packages/backend-cpu/src/compile/routine-table.ts";

const quick = process.argv.includes("--quick");
const load = (): string => execSync("cat /proc/loadavg").toString().split(" ").slice(0, 3).join(" ");

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

function bench(label: string, prim: string, arrays: Array[], params: Record<string, unknown>, outAvals: ShapedArray[], runs: number): void {
  const data = arrays.map((a) => a.dataSync());
  const avals = arrays.map((a) => a.aval);
  const bufs = data.map((d, i) => cpu.fromHost(d, avals[i]) as CpuBuffer);
  for (const b of bufs) cpu.heapAddress(b);
  const ref = getKernel(prim)!;
  const routine = fastRoutine(prim)!;
  const once = (f: () => void): number => {
    const t0 = performance.now();
    f();
    return performance.now() - t0;
  };
  const runRef = (): void => void ref(data, avals, outAvals, params);
  const runFast = (): void => {
    const out = routine(cpu, bufs, avals, outAvals, params);
    if (out === undefined) throw new Error(`${label}: the routine declined`);
    out.forEach((o) => cpu.dispose(o));
  };
  runRef();
  runFast();
  const tr: number[] = [];
  const tf: number[] = [];
  for (let i = 0; i < runs; i++) {
    tr.push(once(runRef));
    tf.push(once(runFast));
    tf.push(once(runFast));
  }
  const r = median(tr);
  const f = median(tf);
  console.log(`| ${label} | ${r.toFixed(1)} | ${f.toFixed(2)} | ${(r / f).toFixed(1)}× |`);
  bufs.forEach((b) => cpu.dispose(b));
}

/** The primitive's params and output avals for `f(...arrays)` (its jaxpr's single routine eqn). */
function eqnOf(f: (...a: Array[]) => Array, arrays: Array[], prim: string): { params: Record<string, unknown>; outAvals: ShapedArray[] } {
  const j = makeJaxpr(f)(...arrays);
  const e = j.jaxpr.eqns.find((q) => q.prim.name === prim)!;
  return { params: e.params as Record<string, unknown>, outAvals: e.outBinders.map((v) => v.aval) };
}

function run(label: string, prim: string, f: (...a: Array[]) => Array, arrays: Array[], runs = quick ? 3 : 7): void {
  const { params, outAvals } = eqnOf(f, arrays, prim);
  bench(label, prim, arrays, params, outAvals, runs);
}

const key = (i: number) => random.PRNGKey(i);
console.log(`load before: ${load()} (2 cores)`);
console.log("| case | reference ms | routine ms | ratio |\n| --- | ---: | ---: | ---: |");

const S = [32, 1024, 128];
const x = random.normal(key(0), S);
const a = random.uniform(key(1), S, { minval: 0.5, maxval: 1 });
run("linearRecurrence f32 [32,1024,128] axis 1", "linearRecurrence", (p, q) => lax.linearRecurrence(p, q, 1), [a, x]);
run("linearRecurrence f32, transposed (its backward pass)", "linearRecurrence", (p, q) => lax.linearRecurrence(p, q, 1, true), [a, x]);
const ac = lax.complex(a, np.multiply(x, 0.1));
const bc = lax.complex(x, a);
run("linearRecurrence c64 [32,1024,128] axis 1", "linearRecurrence", (p, q) => lax.linearRecurrence(p, q, 1), [ac, bc]);
const sel = [16, 128, 64, 16];
run("linearRecurrence f32 selective-scan chunk [16,128,64,16] axis 2", "linearRecurrence", (p, q) => lax.linearRecurrence(p, q, 2), [random.uniform(key(2), sel, { minval: 0.5, maxval: 1 }), random.normal(key(3), sel)]);
run("linearRecurrence f32 [4096,1024] along the last axis", "linearRecurrence", (p, q) => lax.linearRecurrence(p, q, 1), [a.reshape([4096, 1024]), x.reshape([4096, 1024])]);
run("cumsum f32 [32,1024,128] axis 1", "cumsum", (p) => lax.cumsum(p, 1), [x]);
run("cumsum i32 [32,1024,128] axis 1", "cumsum", (p) => lax.cumsum(p, 1), [lax.convertElementType(np.multiply(x, 100), "int32")]);
run("cumprod f32 [32,1024,128] axis 1", "cumprod", (p) => lax.cumprod(p, 1), [a]);
run("cummax f32 [32,1024,128] axis 1", "cummax", (p) => lax.cummax(p, 1), [x]);
run("cumlogsumexp f32 [32,1024,128] axis 1", "cumlogsumexp", (p) => lax.cumlogsumexp(p, 1), [x]);

const xc = random.normal(key(4), [16, 256, 1024]);
const wd = random.normal(key(5), [256, 1, 4]);
run("depthwise causal conv1d NCH B16 C256 L1024 k4", "convGeneralDilated", (u, v) => lax.convGeneralDilated(u, v, { padding: [[3, 0]], featureGroupCount: 256 }), [xc, wd]);
run(
  "depthwise causal conv1d NHC B16 L1024 C256 k4",
  "convGeneralDilated",
  (u, v) => lax.convGeneralDilated(u, v, { padding: [[3, 0]], featureGroupCount: 256, dimensionNumbers: ["NHC", "HIO", "NHC"] }),
  [np.transpose(xc, [0, 2, 1]), np.transpose(wd, [2, 1, 0])],
);
const xg = random.normal(key(6), [4, 128, 1024]);
run("conv1d NCH B4 C128→128 L1024 k4 (im2col + GEMM)", "convGeneralDilated", (u, v) => lax.convGeneralDilated(u, v, { padding: [[3, 0]] }), [xg, random.normal(key(7), [128, 128, 4])], quick ? 1 : 3);
run("conv2d NHWC B8 32×32 C32→64 3×3 SAME (im2col + GEMM)", "convGeneralDilated", (u, v) => lax.convGeneralDilated(u, v, { padding: "SAME", dimensionNumbers: ["NHWC", "HWIO", "NHWC"] }), [random.normal(key(8), [8, 32, 32, 32]), random.normal(key(9), [3, 3, 32, 64])], quick ? 1 : 3);

const table = random.normal(key(10), [32000, 512]);
const ids = random.randint(key(11), [32, 128], 0, 32000);
const rowsDn = { offsetDims: [2], collapsedSliceDims: [0], startIndexMap: [0] };
run("gather: embedding rows [32000,512] by [32,128] ids", "gather", (t, i) => lax.gather(t, i, rowsDn, [1, 512], { mode: "fill" }), [table, np.expandDims(ids, 2)]);
const ct = random.normal(key(12), [32, 128, 512]);
run("scatterAdd: its gradient (rows into [32000,512])", "scatterAdd", (t, i, c) => lax.scatterAdd(t, np.expandDims(i, 2), c, { updateWindowDims: [2], insertedWindowDims: [0], scatterDimsToOperandDims: [0] }), [np.zeros([32000, 512]), ids, ct]);
const sq = random.normal(key(13), [1024, 1024]);
const alongDn = { offsetDims: [], collapsedSliceDims: [1], startIndexMap: [1], operandBatchingDims: [0], startIndicesBatchingDims: [0] };
run("gather: takeAlongAxis [1024,1024] axis 1 (single elements)", "gather", (t, i) => lax.gather(t, i, alongDn, [1, 1], { mode: "fill" }), [sq, np.expandDims(random.randint(key(14), [1024, 1024], 0, 1024), 2)]);
console.log(`load after: ${load()}`);
