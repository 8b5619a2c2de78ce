/**
 * The renderer's complex parts (scalar-ops.ts `complexPart`): IR ops `<prim>.re` / `<prim>.im`
 * over the operands' (re, im) parts render as the eager complex64 kernel's expression, so a fused
 * complex exp, expm1, div or log is the eager kernel's result bit for bit. Core's lowering emits
 * no such ops yet, so the kernels are built by hand with the IR builder here.
 */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { np, lax, devicePut, ConcreteArray, ShapedArray, type Array } from "linax-ts";
import { setupWebGPU, readValues } from "@linax-ts/testing/webgpu";
import type { WebGPUBackend } from "@linax-ts/backend-webgpu";
import { fromValues } from "@linax-ts/testing";
import { ExprBuilder, loopVar, combine, type ElementwiseKernel } from "../src/compile/core-compile.ts";
import { renderKernel } from "../src/compile/render-wgsl.ts";

let be: WebGPUBackend;
before(async () => {
  be = await setupWebGPU();
});

const N = 16;
const complexOf = (seed: number): Array =>
  lax.complex(
    fromValues(
      globalThis.Array.from({ length: N }, (_, i) => Math.fround(Math.sin(seed + i * 0.71) * 3)),
      [N],
      "float32",
    ),
    fromValues(
      globalThis.Array.from({ length: N }, (_, i) => Math.fround(Math.cos(seed * 2 + i * 0.43) * 2)),
      [N],
      "float32",
    ),
  );

/** The kernel `out[i] = prim(ins[0][i], …)` over complex64 buffers 0..n-1 (output buffer n), run on the GPU. */
async function fused(prim: string, ins: Array[]): Promise<number[]> {
  const b = new ExprBuilder();
  const re = combine([[loopVar(0), 2]]);
  const im = combine([[loopVar(0), 2]], 1);
  const args = ins.flatMap((_, k) => [b.load(k, re, "f32"), b.load(k, im, "f32")]);
  const out = ins.length;
  const k: ElementwiseKernel = {
    kind: "elementwise",
    shape: [N],
    inputs: ins.map((_, j) => j),
    outputs: [
      {
        buffer: out,
        dtype: "complex64",
        values: [b.op(`${prim}.re`, "f32", args, "complex64"), b.op(`${prim}.im`, "f32", args, "complex64")],
      },
    ],
  };
  const aval = new ShapedArray([N], "complex64");
  const r = renderKernel(k, () => aval, { maxStorageBuffers: 8 });
  assert.ok(typeof r !== "string", String(r));
  const gpuIns = ins.map((a) => be.gpuBuffer((devicePut(a, "webgpu") as ConcreteArray).buffer, "test"));
  const o = be.pool.acquire(N * 8);
  be.run(`fused ${prim}`, r, gpuIns, [o]);
  return readValues(new ConcreteArray(be.own(o, N * 8, true), aval));
}

const cases: [string, (...x: Array[]) => Array, number][] = [
  ["exp", (x) => np.exp(x), 1],
  ["expm1", (x) => np.expm1(x), 1],
  ["log", (x) => np.log(x), 1],
  ["div", (x, y) => x.div(y), 2],
];
for (const [prim, f, arity] of cases) {
  test(`complex64 ${prim} as fused parts == the eager WebGPU kernel, bit for bit`, async () => {
    const ins = [complexOf(1), complexOf(2)].slice(0, arity);
    const got = await fused(prim, ins);
    const eager = await readValues(f(...ins.map((a) => devicePut(a, "webgpu"))));
    assert.equal(got.length, 2 * N);
    got.forEach((v, i) => assert.ok(Object.is(v, eager[i]), `[${i}]: fused ${v}, eager ${eager[i]}`));
  });
}
