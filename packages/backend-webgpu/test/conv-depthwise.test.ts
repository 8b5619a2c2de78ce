// The depthwise 1-D convolution kernel (kernels/conv-depthwise.ts: featureGroupCount = channels,
// one spatial dim) against the CPU reference, at Mamba's layout (channels last, [batch, L, C],
// causal padding k − 1), NCH, a channel multiplier, strides, rhs dilation, negative padding,
// lengths not a multiple of the 4 outputs per thread, length 1; float32, complex64, int32, bool.
//
// Bound as conv.test.ts: the GPU fma-accumulates the K taps serially, the CPU sums in float64:
// |got − want| ≤ (K + 1)·u·Σ|x·w| (complex 3·(K + 1)·u·Σ|x||w|); integers and bool exactly.
import { test } from "node:test";
import assert from "node:assert/strict";
import { lax, type DType } from "linax-ts";
import { fromValues, mulberry32 } from "@linax-ts/testing";
import { setupWebGPU, readValues, toWebGPU } from "@linax-ts/testing/webgpu";
import { assertWithinScale, randomArray } from "./gpu-vs-cpu-checks.ts";
import { depthwiseConv1dProgram } from "../src/kernels/conv-depthwise.ts";
import { ShapedArray } from "@linax-ts/core";

await setupWebGPU();

type P = Omit<lax.ConvParams, "preferredElementType">;
interface Case {
  x: number[];
  w: number[];
  p: P;
}
const NWC = { lhsSpec: [0, 2, 1], rhsSpec: [0, 1, 2], outSpec: [0, 2, 1] };
const NCW = { lhsSpec: [0, 1, 2], rhsSpec: [0, 1, 2], outSpec: [0, 1, 2] };
function dw(x: number[], w: number[], channels: number, o: Partial<P> = {}): Case {
  return {
    x,
    w,
    p: {
      windowStrides: [1],
      padding: [[w[2] - 1, 0]],
      lhsDilation: [1],
      rhsDilation: [1],
      dimensionNumbers: NWC,
      featureGroupCount: channels,
      batchGroupCount: 1,
      ...o,
    },
  };
}
const CASES: Case[] = [
  dw([2, 13, 6], [6, 1, 4], 6), // Mamba: [batch, L, C], weight [C, 1, k], causal
  dw([1, 1, 5], [5, 1, 3], 5), // length 1
  dw([2, 3, 9], [6, 1, 3], 3, { dimensionNumbers: NCW, padding: [[1, 1]] }), // NCW, multiplier 2
  dw([1, 17, 4], [4, 1, 3], 4, { windowStrides: [2], rhsDilation: [2], padding: [[3, -1]] }),
  dw([3, 2, 7], [2, 1, 5], 2, { dimensionNumbers: NCW, padding: [[0, 0]] }), // valid: W = 3
];

async function check(c: Case, dt: DType, fac: number, rand: () => number): Promise<void> {
  const x = randomArray(c.x, dt, rand, 2 ** 8);
  const w = randomArray(c.w, dt, rand, 2 ** 8);
  const p = { ...c.p, preferredElementType: null };
  const what = `${dt} ${JSON.stringify(c)}`;
  const want = lax.convGeneralDilatedP.bind1([x, w], p);
  // The case must take the depthwise kernel.
  assert.ok(
    depthwiseConv1dProgram(new ShapedArray(c.x, dt), new ShapedArray(c.w, dt), want.aval, p) !== undefined,
    what,
  );
  const got = await readValues(lax.convGeneralDilatedP.bind1([toWebGPU(x), toWebGPU(w)], p));
  const wv = await readValues(want);
  let scale: number[] = [];
  if (fac > 0) scale = await readValues(lax.convGeneralDilatedP.bind1([lax.abs(x), lax.abs(w)], p));
  assertWithinScale(got, wv, fac, scale, what);
}

test("depthwise conv1d float32 / complex64 within the accumulation bound; int32 and bool exactly", async () => {
  const rand = mulberry32(77);
  for (const c of CASES) {
    const K = c.w[2];
    await check(c, "float32", K + 1, rand);
    await check(c, "complex64", 3 * (K + 1), rand);
    await check(c, "int32", 0, rand);
    await check(c, "bool", 0, rand);
  }
});

test("depthwise conv1d: padded taps are skipped (an infinite weight gives no NaN there), NaN propagates, like the CPU", async () => {
  const x = fromValues([1, NaN, 2, 0, 3, -1, 4, 5], [1, 8, 1], "float32");
  const w = fromValues([Infinity, 1, 2], [1, 1, 3], "float32");
  const p = { ...dw([1, 8, 1], [1, 1, 3], 1).p, preferredElementType: null };
  const want = await readValues(lax.convGeneralDilatedP.bind1([x, w], p));
  const got = await readValues(lax.convGeneralDilatedP.bind1([toWebGPU(x), toWebGPU(w)], p));
  const s = (v: number[]) => v.map((e) => (Number.isNaN(e) ? "NaN" : e));
  assert.deepEqual(s(got), s(want));
  // Hand-derived: y_t = ∞·x_{t-2} + x_{t-1} + 2·x_t; y_0 = 2, y_1 = 1 + 2·NaN = NaN.
  assert.equal(got[0], 2);
  assert.ok(Number.isNaN(got[1]));
  // Not depthwise (two input channels per group): the general kernel.
  assert.equal(
    depthwiseConv1dProgram(
      new ShapedArray([1, 8, 4], "float32"),
      new ShapedArray([2, 2, 3], "float32"),
      new ShapedArray([1, 8, 2], "float32"),
      {
        ...p,
        featureGroupCount: 2,
      },
    ),
    undefined,
  );
});
