/**
 * The bandwidth shapes of fused kernels (compile/render-wgsl.ts, kernels/reduce.ts): elementwise
 * kernels computing four elements per thread with vec4 reads of the inputs read at the output's own
 * index (scalar reads of broadcast/transposed ones, a ragged element count without vectors), and
 * reductions whose full chunks are read unrolled. Compiled == the jaxpr evaluated eagerly on
 * WebGPU bit for bit; ≈ the CPU (exact for max/argmax, within f32 rounding of tree sums for sums).
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

function floats(shape: number[], seed: number): Array {
  let s = seed >>> 0;
  const n = shape.reduce((a, b) => a * b, 1);
  const v = globalThis.Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return Math.fround((s / 2 ** 32) * 4 - 2);
  });
  return fromValues(v, shape, "float32");
}

/** Compiled vs eager WebGPU (bits) vs CPU (`tol`: relative, 0 = exact); returns the kernels' WGSL. */
async function compare(f: (...xs: Array[]) => Array | Array[], inputs: Array[], tol: number): Promise<string[]> {
  const cj = makeJaxpr(f)(...inputs);
  const program = buildProgram(cj.jaxpr);
  const text = printProgram(program, printKernel);
  const avalOf = (b: number) => program.buffers[b].aval;
  const wgsl = program.steps.flatMap((s) => {
    if (s.kind !== "kernel") return [];
    const p = renderKernel(s.kernel, avalOf, { maxStorageBuffers: 8 });
    assert.ok(typeof p !== "string", `not rendered: ${String(p)}\n${text}`);
    return p.passes.map((q) => q.code);
  });
  const exe = CompiledExecutable.build(be, program);
  assert.ok(exe instanceof CompiledExecutable, `not compiled\n${text}`);
  const gpuArgs = [...cj.consts, ...inputs].map((a) => devicePut(a, "webgpu"));
  const outs = exe.execute(gpuArgs.map((a) => (a as ConcreteArray).buffer));
  const compiled = await Promise.all(outs.map((b, k) => readValues(new ConcreteArray(b, cj.jaxpr.outAvals[k]))));
  const eager = await Promise.all(
    evalJaxpr(cj.jaxpr, gpuArgs.slice(0, cj.consts.length), gpuArgs.slice(cj.consts.length)).map(readValues),
  );
  const cpuOut = f(...inputs);
  const cpu = await Promise.all((globalThis.Array.isArray(cpuOut) ? cpuOut : [cpuOut]).map(readValues));
  compiled.forEach((c, k) => {
    assert.equal(c.length, eager[k].length);
    c.forEach((v, i) =>
      assert.ok(Object.is(v, eager[k][i]), `output ${k}[${i}]: compiled ${v}, eager WebGPU ${eager[k][i]}\n${text}`),
    );
    c.forEach((v, i) => {
      const w = cpu[k][i];
      assert.ok(
        Object.is(v, w) || (tol > 0 && Math.abs(v - w) <= tol * Math.max(1, Math.abs(w))),
        `output ${k}[${i}]: compiled ${v}, CPU ${w}\n${text}`,
      );
    });
  });
  return wgsl;
}

test("elementwise: vec4 reads of same-index inputs, scalar reads of broadcast and transposed ones; a ragged count", async () => {
  // [8, 12]: 96 elements (divisible by 4); x read at its own index, b broadcast, t transposed.
  const [code] = await compare(
    (x, b, t) =>
      np
        .tanh(x.mul(1.7).add(b))
        .mul(x)
        .sub(t.transpose([1, 0])),
    [floats([8, 12], 1), floats([12], 2), floats([12, 8], 3)],
    1e-5,
  );
  assert.match(code, /var<storage, read> in0: array<vec4<f32>>/, code);
  assert.match(code, /var<storage, read> in1: array<f32>/, code);
  assert.match(code, /var<storage, read_write> out0: array<vec4<f32>>/, code);
  // 35 elements: four per thread, bounds-checked, no vectors; int and bool outputs too.
  const [ragged] = await compare((x) => [x.mul(x).add(1), x.gt(0), x.astype("int32")], [floats([5, 7], 4)], 0);
  assert.doesNotMatch(ragged, /vec4/, ragged);
  // bool and int outputs as vectors.
  await compare((x) => [x.gt(0.5), x.mul(3).astype("int32")], [floats([16], 5)], 0);
});

test("reductions over full chunks (read unrolled) and a partial last chunk: sums, max with ties, argmax", async () => {
  // 4196 along the reduced axis: one full 4096-chunk per row and a partial one.
  await compare((x) => np.sum(x.mul(x), { axis: 1 }), [floats([3, 4196], 6)], 2e-5);
  // Outer axis (inner axis kept): chunks of 128 rows, 600 = 4 full + 1 partial.
  await compare((x) => np.sum(x, { axis: 0 }), [floats([600, 20], 7)], 2e-5);
  // Values on a coarse grid (many ties): the first index wins, as on the CPU.
  const grid = fromValues(
    globalThis.Array.from({ length: 2 * 4096 }, (_, i) => ((i * 7919) % 13) - 6),
    [2, 4096],
    "float32",
  );
  await compare((x) => [np.max(x.mul(0.5), { axis: 1 }), np.argmax(x.add(1), { axis: 1 })], [grid], 0);
});
