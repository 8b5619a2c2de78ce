/**
 * Same-shape elementwise kernels merged into multi-output kernels (compile/merge-kernels.ts):
 * an adam-style update over several parameters becomes fewer kernels (the parameter's update reads
 * both new moments from registers); a kernel that reads a group's output at another element, or
 * an input written after the group's place, is not merged into it. Either way the merged program's
 * results equal — bit for bit — the unmerged program's and the jaxpr evaluated eagerly on WebGPU.
 */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { np, makeJaxpr, devicePut, evalJaxpr, ConcreteArray, type Array } from "linax-ts";
import { setupWebGPU, readValues } from "@linax-ts/testing/webgpu";
import type { WebGPUBackend } from "@linax-ts/backend-webgpu";
import { fromValues } from "@linax-ts/testing";
import { CompiledExecutable } from "../src/compile/executor.ts";
import { buildProgram, printProgram, printKernel, type Program } from "../src/compile/core-compile.ts";
import { mergeKernels } from "../src/compile/merge-kernels.ts";

let be: WebGPUBackend;
before(async () => {
  be = await setupWebGPU();
});

const seeded = (shape: number[], seed: number): Array => {
  const n = shape.reduce((a, b) => a * b, 1);
  return fromValues(
    globalThis.Array.from({ length: n }, (_, i) => Math.fround(Math.sin(seed * 7.1 + i * 0.37))),
    shape,
    "float32",
  );
};

const kernelsOf = (p: Program): number => p.steps.filter((s) => s.kind === "kernel").length;

/** Runs `program` compiled on `inputs`; the outputs' values. */
async function run(program: Program, inputs: Array[]): Promise<number[][]> {
  const exe = CompiledExecutable.build(be, program);
  assert.ok(exe instanceof CompiledExecutable, String(exe));
  const outs = exe.execute(inputs.map((a) => (a as ConcreteArray).buffer));
  return Promise.all(outs.map((b, k) => readValues(new ConcreteArray(b, program.buffers[program.outputs[k]].aval))));
}

/** Merged vs unmerged vs eager WebGPU, bit for bit; returns (kernels unmerged, merged). */
async function check(f: (...xs: Array[]) => Array[], inputs: Array[]): Promise<[number, number, string, Program]> {
  const cj = makeJaxpr(f)(...inputs);
  const plain = buildProgram(cj.jaxpr);
  const merged = mergeKernels(plain, be.device.limits.maxStorageBuffersPerShaderStage);
  const text = printProgram(merged, printKernel);
  const gpu = inputs.map((a) => devicePut(a, "webgpu"));
  const a = await run(plain, gpu);
  const b = await run(merged, gpu);
  const eager = await Promise.all(evalJaxpr(cj.jaxpr, [], gpu).map(readValues));
  b.forEach((o, k) =>
    o.forEach((v, i) => {
      assert.ok(Object.is(v, a[k][i]), `output ${k}[${i}]: merged ${v}, unmerged ${a[k][i]}\n${text}`);
      assert.ok(Object.is(v, eager[k][i]), `output ${k}[${i}]: merged ${v}, eager ${eager[k][i]}\n${text}`);
    }),
  );
  return [kernelsOf(plain), kernelsOf(merged), text, merged];
}

/** adam's update of one parameter: new moments and the new parameter (which reads both). */
const adam = (p: Array, g: Array, m: Array, v: Array): Array[] => {
  const m2 = m.mul(0.9).add(g.mul(0.1));
  const v2 = v.mul(0.999).add(g.mul(g).mul(0.001));
  const p2 = p.sub(m2.div(np.sqrt(v2).add(1e-8)).mul(1e-3));
  return [p2, m2, v2];
};

test("adam over three same-shape parameters: one kernel per parameter at most, values unchanged", async () => {
  const f = (...xs: Array[]): Array[] =>
    [0, 1, 2].flatMap((j) => adam(xs[4 * j], xs[4 * j + 1], xs[4 * j + 2], xs[4 * j + 3]));
  const inputs = globalThis.Array.from({ length: 12 }, (_, k) =>
    k % 4 === 3 ? np.abs(seeded([4, 8], k + 1)) : seeded([4, 8], k + 1),
  );
  const [before, after, text] = await check(f, inputs);
  assert.equal(before, 9, text);
  // 12 storage bindings on SwiftShader: a parameter's merged kernel binds 4 inputs + 3 outputs.
  assert.ok(after <= 3, `${after} kernels\n${text}`);
});

test("not merged: a kernel reading a group's output at another element, or an input written after the group", async () => {
  const f = (x: Array, y: Array): Array[] => {
    const a = x.mul(2).add(y); // kernel 1
    const r = np.flip(a, 0).add(1); // reads a at another element: its own kernel
    const s = np.sum(x, { axis: 0, keepdims: true }); // a reduction after kernel 1
    const t = y.sub(s); // reads the reduction, written after kernel 1's place
    return [a, r, t];
  };
  const [, , text, merged] = await check(f, [seeded([4, 4], 1), seeded([4, 4], 2)]);
  // a's kernel stays alone (r reads it flipped, t reads the sum written after it); r and t, both after the sum, may merge.
  const first = merged.steps.find(
    (s) =>
      s.kind === "kernel" &&
      s.kernel.kind === "elementwise" &&
      s.kernel.outputs.some((o) => o.buffer === merged.outputs[0]),
  );
  assert.ok(first !== undefined && first.kind === "kernel" && first.kernel.kind === "elementwise");
  assert.equal(first.kernel.outputs.length, 1, text);
  const iFirst = merged.steps.indexOf(first);
  const iSum = merged.steps.findIndex((s) => s.kind === "kernel" && s.kernel.kind === "reduce");
  assert.ok(iFirst < iSum, text);
});
