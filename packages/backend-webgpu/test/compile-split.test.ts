/**
 * Fused kernels that read more buffers than the device binds in one shader stage (SwiftShader:
 * 12) are split (compile/split-bindings.ts): subexpressions go to scratch buffers in passes of
 * their own, so the program compiles instead of being interpreted, every pass binds at most the
 * limit, and the results equal — bit for bit — the jaxpr evaluated eagerly on WebGPU, and the CPU
 * within float32 rounding (exactly for the elementwise chain, whose every op is rounded alike).
 */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { np, makeJaxpr, devicePut, evalJaxpr, ConcreteArray, type Array } from "linax-ts";
import { setupWebGPU, readValues } from "@linax-ts/testing/webgpu";
import type { WebGPUBackend } from "@linax-ts/backend-webgpu";
import { fromValues } from "@linax-ts/testing";
import { CompiledExecutable } from "../src/compile/executor.ts";
import { buildProgram, printProgram, printKernel } from "../src/compile/core-compile.ts";
import { renderKernel } from "../src/compile/render-wgsl.ts";

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

/** acc = x0; acc = acc·0.75 + x_i for the rest: one fused kernel reading every input. */
const chain = (...xs: Array[]): Array => xs.slice(1).reduce((acc, x) => acc.mul(0.75).add(x), xs[0]);

async function check(f: (...xs: Array[]) => Array, inputs: Array[], cpuTol: number): Promise<void> {
  const cj = makeJaxpr(f)(...inputs);
  const program = buildProgram(cj.jaxpr);
  const text = printProgram(program, printKernel);
  const limit = be.device.limits.maxStorageBuffersPerShaderStage;
  const kernels = program.steps.filter((s) => s.kind === "kernel");
  assert.ok(
    kernels.some((s) => s.kind === "kernel" && s.kernel.inputs.length + 1 > limit),
    `the test needs a kernel over more than ${limit} buffers\n${text}`,
  );
  for (const s of kernels) {
    if (s.kind !== "kernel") continue;
    const r = renderKernel(s.kernel, (b) => program.buffers[b].aval, { maxStorageBuffers: limit });
    assert.ok(typeof r !== "string", String(r));
    for (const p of r.passes) assert.ok(p.bindings.length <= limit, `a pass binds ${p.bindings.length} > ${limit}`);
  }
  const exe = CompiledExecutable.build(be, program);
  assert.ok(exe instanceof CompiledExecutable, `not compiled: ${String(exe)}`);
  const gpu = inputs.map((a) => devicePut(a, "webgpu"));
  const out = new ConcreteArray(exe.execute(gpu.map((a) => (a as ConcreteArray).buffer))[0], cj.jaxpr.outAvals[0]);
  const got = await readValues(out);
  const eager = await readValues(evalJaxpr(cj.jaxpr, [], gpu)[0]);
  const cpu = await readValues(f(...inputs));
  got.forEach((v, i) => assert.ok(Object.is(v, eager[i]), `[${i}]: compiled ${v}, eager WebGPU ${eager[i]}`));
  got.forEach((v, i) =>
    assert.ok(Math.abs(v - cpu[i]) <= cpuTol * Math.max(1, Math.abs(cpu[i])), `[${i}]: compiled ${v}, CPU ${cpu[i]}`),
  );
}

test("an elementwise chain over 30 buffers: split into scratch passes, == eager WebGPU bit for bit, == CPU", async () => {
  await check(
    chain,
    globalThis.Array.from({ length: 30 }, (_, k) => seeded([4, 4], k + 1)),
    0,
  );
});

test("a reduction whose fused body reads 14 buffers: split, == eager WebGPU bit for bit", async () => {
  const f = (...xs: Array[]): Array => np.sum(chain(...xs), { axis: 1 });
  await check(
    f,
    globalThis.Array.from({ length: 14 }, (_, k) => seeded([3, 40], k + 1)),
    1e-5,
  );
});
