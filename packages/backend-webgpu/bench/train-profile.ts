/**
 * What one jitted train step (train-model.ts) is made of on WebGPU, for finding where dispatches
 * and bindings go: per compiled program (the step and its scan bodies / nested calls) its steps by
 * kind, dispatches, storage bindings, inputs bound (scalars among them), elementwise kernels by
 * shape, and, for a program that is interpreted instead, why.
 *
 *   node --import tsx packages/backend-webgpu/bench/train-profile.ts [--mixer s5|linoss] [--L 8] [--B 2] [--H 16] [--kernels]
 */
import { parseArgs } from "node:util";
import { setDefaultBackend } from "linax-ts";
import { initWebGPU } from "@linax-ts/backend-webgpu";
import { CompiledExecutable, InterpretedExecutable } from "../src/compile/executor.ts";
import { printProgram, printKernel } from "../src/compile/core-compile.ts";
import { trainStep, type Mixer } from "../../../bench/train-model.ts";

const { values } = parseArgs({
  options: {
    mixer: { type: "string", default: "s5" },
    L: { type: "string", default: "8" },
    F: { type: "string", default: "28" },
    B: { type: "string", default: "2" },
    H: { type: "string", default: "16" },
    blocks: { type: "string", default: "4" },
    kernels: { type: "boolean", default: false },
  },
});
const be = await initWebGPU();
setDefaultBackend("webgpu");
console.log(
  `adapter: ${be.adapterInfo}; maxStorageBuffersPerShaderStage ${be.device.limits.maxStorageBuffersPerShaderStage}`,
);

const built: CompiledExecutable[] = [];
const build = CompiledExecutable.build.bind(CompiledExecutable);
CompiledExecutable.build = (b, p) => {
  const r = build(b, p);
  if (typeof r !== "string") built.push(r);
  else console.log(`not compiled: ${r}`);
  return r;
};
const compile = be.compile.bind(be);
be.compile = (j) => {
  const exe = compile(j);
  if (exe instanceof InterpretedExecutable) console.log(`interpreted (${j.eqns.length} eqns): ${exe.reason}`);
  return exe;
};

const step = trainStep(
  values.mixer as Mixer,
  Number(values.L),
  Number(values.F),
  Number(values.B),
  Number(values.H),
  Number(values.blocks),
);
for (let k = 0; k < 3; k++) await step().data();
const c0 = be.counters();
const l = step();
const c1 = be.counters();
await l.data();
console.log(
  `per step: ${c1.dispatches - c0.dispatches} dispatches, ${c1.bindings - c0.bindings} storage bindings, ${c1.bindGroups - c0.bindGroups} new bind groups, ${c1.submits - c0.submits} submits`,
);
for (const exe of built) {
  const p = exe.program;
  const st = exe.stats();
  const routines = new Map<string, number>();
  const shapes = new Map<string, number>();
  let scalarBinds = 0;
  let binds = 0;
  for (const s of p.steps) {
    if (s.kind === "routine") routines.set(s.eqn.prim.name, (routines.get(s.eqn.prim.name) ?? 0) + 1);
    else {
      const k = s.kernel;
      const key = `${k.kind} [${k.kind === "elementwise" ? k.shape.join(",") : `${k.outShape.join(",")}|${k.reduceShape.join(",")}`}]${k.kind === "elementwise" && k.outputs.length > 1 ? ` ×${k.outputs.length} outs` : ""}`;
      shapes.set(key, (shapes.get(key) ?? 0) + 1);
      binds += k.inputs.length + (k.kind === "elementwise" ? k.outputs.length : 1);
      scalarBinds += k.inputs.filter((b) => p.buffers[b].aval.size <= 1).length;
    }
  }
  const scalarIns = p.inputs.filter((b) => p.buffers[b].aval.size <= 1).length;
  console.log(
    `\nprogram: ${p.inputs.length} inputs (${scalarIns} scalars), ${p.outputs.length} outputs, ${st.kernels} kernels, ${st.routines} routines (${st.eagerRoutines} eager, ${st.compiledCalls} compiled calls); ${st.literalInputs} inputs read as literals; last call ${st.dispatches} dispatches; kernel bindings ${binds} (${scalarBinds} of scalar buffers)`,
  );
  console.log(`  routines: ${[...routines].map(([n, c]) => `${n}×${c}`).join(" ")}`);
  console.log(
    `  kernels: ${[...shapes]
      .sort((a, b) => b[1] - a[1])
      .map(([n, c]) => `${n}: ${c}`)
      .join("; ")}`,
  );
  if (values.kernels) console.log(printProgram(p, printKernel));
}
process.exit(0);
