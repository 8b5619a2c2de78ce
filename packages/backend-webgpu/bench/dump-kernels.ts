/**
 * Writes the WGSL programs of issue #11's memory-bound cases (one fused kernel each, as jit
 * renders them) to a JSON file, for `kernel-timestamps.mjs` to time alone on the GPU with
 * timestamp queries (a plain WebGPU script, no linax). Runs on any adapter (the WGSL is
 * adapter-independent apart from the FMA constant, which the probe sets):
 *   node --import tsx packages/backend-webgpu/bench/dump-kernels.ts OUT.json [elems...]
 */
import { writeFileSync } from "node:fs";
import { openJaxpr } from "../../core/src/primitives/control/jit.ts";
import { np, makeJaxpr, setDefaultBackend, type Array } from "linax-ts";
import { initWebGPU } from "@linax-ts/backend-webgpu";
import { CompiledExecutable, compileJaxpr } from "../src/compile/executor.ts";
import { renderKernel } from "../src/compile/render-wgsl.ts";

const [out, ...sizes] = process.argv.slice(2);
const be = await initWebGPU();
setDefaultBackend("webgpu");
const cases: {
  name: string;
  shapes: (n: number) => number[][];
  f: (...x: Array[]) => Array;
  bytes: (n: number) => number;
}[] = [
  { name: "x + y", shapes: (n) => [[n], [n]], f: (x, y) => x.add(y), bytes: (n) => 12 * n },
  {
    name: "tanh(x·1.7+y)·x − exp(y)·0.5",
    shapes: (n) => [[n], [n]],
    f: (x, y) => np.tanh(x.mul(1.7).add(y)).mul(x).sub(np.exp(y).mul(0.5)),
    bytes: (n) => 12 * n,
  },
  {
    name: "sum(x², axis 1) of [4096, n/4096]",
    shapes: (n) => [[4096, n / 4096]],
    f: (x) => np.sum(x.mul(x), { axis: 1 }),
    bytes: (n) => 4 * n + 4 * 4096,
  },
  {
    name: "sum(x, axis 0) of [4096, n/4096]",
    shapes: (n) => [[4096, n / 4096]],
    f: (x) => np.sum(x, { axis: 0 }),
    bytes: (n) => 4 * n + n / 1024,
  },
  { name: "sum(x)", shapes: (n) => [[n]], f: (x) => np.sum(x), bytes: (n) => 4 * n + 4 },
];
const dumped: unknown[] = [];
for (const n of (sizes.length > 0 ? sizes : [`${1 << 24}`, `${1 << 26}`]).map(Number)) {
  for (const c of cases) {
    // Trace at the real shapes (abstract: makeJaxpr needs only avals), render each kernel step.
    const shaped = c.shapes(n).map((s) => np.zeros(s));
    const cj = makeJaxpr(c.f)(...shaped);
    const exe = compileJaxpr(be, openJaxpr(cj).jaxpr.jaxpr);
    if (!(exe instanceof CompiledExecutable))
      throw new Error(`${c.name}: not compiled: ${(exe as unknown as { reason: string }).reason}`);
    const p = exe.program;
    const steps = p.steps.map((s) => {
      if (s.kind !== "kernel") throw new Error(`${c.name}: a routine step`);
      const r = renderKernel(s.kernel, (b) => p.buffers[b].aval, { maxStorageBuffers: 16 });
      if (typeof r === "string") throw new Error(r);
      const k = s.kernel;
      const ins = k.inputs.map((b) => p.buffers[b].aval.size * 4);
      const outs = (k.kind === "elementwise" ? k.outputs.map((o) => o.buffer) : [k.output.buffer]).map(
        (b) => p.buffers[b].aval.size * 4,
      );
      return {
        ins,
        outs,
        temps: r.temps ?? [],
        passes: r.passes.map((q) => ({
          code: q.code,
          bindings: q.bindings,
          workgroups: q.workgroups,
          uniforms: q.uniforms === undefined ? null : [...q.uniforms],
        })),
      };
    });
    dumped.push({ name: c.name.replace("n/4096", String(n / 4096)), elems: n, bytes: c.bytes(n), steps });
    shaped.forEach((x) => x.dispose());
  }
}
writeFileSync(out, JSON.stringify(dumped));
console.log(`${dumped.length} programs → ${out}`);
process.exit(0);
