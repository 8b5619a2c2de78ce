/**
 * The vec4 register-blocked float32 kernel (dot-vec4.ts, every tile it offers) and the scalar
 * 128×128 kernel (dot-tiled.ts) on ragged edges in i, j and k, transposed
 * operands (read in place, staged along their contiguous axis) and batch axes: identical bits to
 * the 64×64 blocked kernel (both fma-accumulate each output in increasing k), and within the
 * accumulation bound (nk + 1)·u·Σ_k|a_k·b_k| of the CPU's float64-summed reference (dot.test.ts
 * derives it). Small shapes: SwiftShader runs 256-thread workgroups slowly.
 */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { lax, ShapedArray, ConcreteArray, type Array } from "linax-ts";
import { mulberry32 } from "@linax-ts/testing";
import { setupWebGPU, readValues, toWebGPU } from "@linax-ts/testing/webgpu";
import type { WebGPUBackend } from "@linax-ts/backend-webgpu";
import { dotGeneralProgram, type DotVariant } from "../src/kernels/dot.ts";
import type { Vec4Tuning } from "../src/kernels/dot-vec4.ts";
import { assertWithinScale, randomArray } from "./gpu-vs-cpu-checks.ts";

let be: WebGPUBackend;
before(async () => {
  be = await setupWebGPU();
});

type Dims = { contractingDims: [number[], number[]]; batchDims: [number[], number[]] };
const dims = (lc: number[], rc: number[], lb: number[] = [], rb: number[] = []): Dims => ({
  contractingDims: [lc, rc],
  batchDims: [lb, rb],
});

/** Run the dotGeneral program of `variant` directly on the backend. */
async function runVariant(
  x: Array,
  y: Array,
  d: Dims,
  out: ShapedArray,
  variant: DotVariant,
  tune?: Vec4Tuning,
): Promise<number[]> {
  const prog = dotGeneralProgram(x.aval, y.aval, out, { ...d, preferredElementType: null }, variant, tune);
  assert.ok(prog !== undefined);
  const [gx, gy] = [x, y].map((a) => toWebGPU(a) as ConcreteArray);
  const o = be.pool.acquire(out.size * 4);
  be.run(`dot ${variant}`, prog, [be.gpuBuffer(gx.buffer, "x"), be.gpuBuffer(gy.buffer, "y")], [o]);
  return readValues(new ConcreteArray(be.own(o, out.size * 4, true), out));
}

const CASES: [number[], number[], Dims, string][] = [
  [[130, 9], [9, 136], dims([1], [0]), "plain, ragged i/j/k"],
  [[9, 130], [9, 129], dims([0], [0]), "lhs transposed (k outer)"],
  [[129, 17], [131, 17], dims([1], [1]), "rhs transposed (k inner)"],
  [[2, 128, 5], [5, 2, 130], dims([2], [0], [0], [1]), "batched, batch axis of rhs in the middle"],
  [[128, 16], [16, 256], dims([1], [0]), "aligned: no bounds checks, unrolled k"],
  // Extents divisible by 4: the vec4 kernel reads both operands as vec4s.
  [[12, 132], [12, 136], dims([0], [0]), "lhs transposed, vec4 reads along i"],
  [[132, 20], [136, 20], dims([1], [1]), "rhs transposed, vec4 reads along k"],
  [[2, 64, 8], [8, 2, 68], dims([2], [0], [0], [1]), "batched, vec4 reads, batch axis of rhs in the middle"],
];

/**
 * The vec4 tiles each case runs (undefined: the shape's own choice, 64×64 at these sizes). Every
 * tile on a ragged and an aligned vec4 case; SwiftShader compiles each unrolled pipeline slowly.
 */
const TUNINGS: Record<string, (Vec4Tuning | undefined)[]> = {
  "plain, ragged i/j/k": [undefined, { bm: 128, bk: 8 }, { bm: 128, bk: 16 }],
  "rhs transposed, vec4 reads along k": [undefined, { bm: 128, bk: 8 }, { bm: 128, bk: 16 }],
};

test("vec4 and 128×128 tiles: same bits as the 64×64 kernel, within the bound of the CPU", async () => {
  const rand = mulberry32(71);
  for (const [xs, ys, d, what] of CASES) {
    const x = randomArray(xs, "float32", rand);
    const y = randomArray(ys, "float32", rand);
    const p = { ...d, preferredElementType: null };
    const wantArr = lax.dotGeneralP.bind1([x, y], p);
    const out = new ShapedArray(wantArr.shape, "float32");
    const tiled = await runVariant(x, y, d, out, "tiled");
    const blocked = await runVariant(x, y, d, out, "blocked");
    tiled.forEach((v, i) => assert.ok(Object.is(v, blocked[i]), `${what} [${i}]: tiled ${v}, blocked ${blocked[i]}`));
    for (const tune of TUNINGS[what] ?? [undefined]) {
      const v4 = await runVariant(x, y, d, out, "vec4", tune);
      const name = tune === undefined ? "default" : `${tune.bm}×${tune.bk}`;
      v4.forEach((v, i) =>
        assert.ok(Object.is(v, blocked[i]), `${what} [${i}], vec4 ${name}: ${v}, blocked ${blocked[i]}`),
      );
    }
    const nk = d.contractingDims[0].reduce((a, k) => a * xs[k], 1);
    const scale = await readValues(lax.dotGeneralP.bind1([lax.abs(x), lax.abs(y)], p));
    assertWithinScale(tiled, await readValues(wantArr), nk + 1, scale, what);
  }
  // And the shape rule picks the tiled kernel through the ordinary op.
  const x = randomArray([128, 8], "float32", rand);
  const y = randomArray([8, 128], "float32", rand);
  const viaOp = await readValues(lax.dotGeneral(toWebGPU(x), toWebGPU(y), { contractingDims: [[1], [0]] }));
  const direct = await runVariant(x, y, dims([1], [0]), new ShapedArray([128, 128], "float32"), "vec4");
  assert.deepEqual(viaOp, direct);
});
