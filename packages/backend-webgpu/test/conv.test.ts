// convGeneralDilated against the CPU reference: 1-d/2-d/rank-2 (no spatial dims) convolutions,
// NCH and NHWC/HWIO layouts, strides, low/high and negative (cropping) padding, lhs and rhs
// dilation, feature groups (incl. depthwise), batch groups, empty contractions (zeros), empty
// outputs; float32, complex64, int32/uint32 wraparound, bool and preferredElementType.
//
// Exact equality for integers (u32 wraparound) and bool. float32: the GPU fma-accumulates the
// nT = taps·channels terms serially (one rounding each), the CPU sums in float64 and rounds once:
// |got − want| ≤ (nT + 1)·u·Σ|x·w| (u = 2⁻²⁴). complex64: 3·(nT + 1)·u·Σ|x|·|w| (each complex
// product rounds its parts). int32 → float32: 4 more u per term (conversions and product).
import { test } from "node:test";
import assert from "node:assert/strict";
import { lax, type Array, type DType } from "linax-ts";
import { fromValues, mulberry32 } from "@linax-ts/testing";
import { setupWebGPU, readValues, toWebGPU } from "@linax-ts/testing/webgpu";
import { assertWithinScale, randomArray, size } from "./gpu-vs-cpu-checks.ts";

await setupWebGPU();

type P = Omit<lax.ConvParams, "preferredElementType">;
type Case = { x: number[]; w: number[]; p: P };
const iota = (n: number) => globalThis.Array.from({ length: n }, (_, i) => i);
function conv(x: number[], w: number[], o: Partial<P> = {}): Case {
  const ns = x.length - 2;
  const one = new globalThis.Array<number>(ns).fill(1);
  const p: P = {
    windowStrides: one,
    padding: one.map(() => [0, 0] as [number, number]),
    lhsDilation: one,
    rhsDilation: one,
    dimensionNumbers: { lhsSpec: iota(x.length), rhsSpec: iota(x.length), outSpec: iota(x.length) },
    featureGroupCount: 1,
    batchGroupCount: 1,
    ...o,
  };
  return { x, w, p };
}

/** Cases (every dtype runs all of them: these shaders compile fast, having no barriers). */
const CASES: Case[] = [
  conv([2, 3, 10], [4, 3, 3], { windowStrides: [2], padding: [[1, 2]], rhsDilation: [2] }),
  // NHWC / HWIO / NHWC, negative padding, both dilations.
  conv([2, 7, 6, 4], [3, 2, 4, 5], {
    windowStrides: [1, 2],
    padding: [
      [1, 1],
      [0, -1],
    ],
    lhsDilation: [2, 1],
    rhsDilation: [1, 2],
    dimensionNumbers: { lhsSpec: [0, 3, 1, 2], rhsSpec: [3, 2, 0, 1], outSpec: [0, 3, 1, 2] },
  }),
  conv([1, 6, 8], [9, 2, 3], { featureGroupCount: 3, padding: [[2, 0]] }),
  conv([4, 2, 7], [6, 2, 3], { batchGroupCount: 2, windowStrides: [2] }),
  conv([3, 5], [4, 5]),
  // Depthwise, transposed-style (lhs dilation) with padding; out layout differs from lhs.
  conv([1, 3, 5, 5], [3, 1, 2, 2], {
    featureGroupCount: 3,
    lhsDilation: [2, 2],
    padding: [
      [1, 1],
      [1, 0],
    ],
    dimensionNumbers: { lhsSpec: [0, 1, 2, 3], rhsSpec: [0, 1, 2, 3], outSpec: [3, 2, 0, 1] },
  }),
];
const EMPTY: Case[] = [
  conv([2, 0, 5], [3, 0, 2]),
  conv([0, 2, 5], [3, 2, 2]),
  conv([2, 2, 3], [3, 2, 5]),
  conv([2, 2, 0], [3, 2, 1], { padding: [[1, 1]] }),
];
const ALL = [...CASES, ...EMPTY];

/** GPU vs CPU; tolerance factor `f(nT)` times Σ|x||w| per output (exact when 0). */
async function check(
  c: Case,
  dt: DType,
  pref: DType | null,
  f: (nT: number) => number,
  rand: () => number,
  intRange?: number,
): Promise<void> {
  const x = randomArray(c.x, dt, rand, intRange);
  const w = randomArray(c.w, dt, rand, intRange);
  const p = { ...c.p, preferredElementType: pref };
  const what = `${dt}→${pref} ${JSON.stringify(c)}`;
  const want = await readValues(lax.convGeneralDilatedP.bind1([x, w], p));
  const got = await readValues(lax.convGeneralDilatedP.bind1([toWebGPU(x), toWebGPU(w)], p));
  assert.equal(got.length, want.length, what);
  const nT = size(c.w) / c.w[c.p.dimensionNumbers.rhsSpec[0]];
  const fac = f(nT);
  let scale: number[] = [];
  if (fac > 0) {
    const abs = (a: Array) => lax.convertElementType(a.dtype === "uint32" ? a : lax.abs(a), "float32");
    scale = await readValues(lax.convGeneralDilatedP.bind1([abs(x), abs(w)], { ...c.p, preferredElementType: null }));
  }
  assertWithinScale(got, want, fac, scale, what);
}

test("convGeneralDilated float32 / complex64 within the accumulation bound", async () => {
  const rand = mulberry32(41);
  for (const c of ALL) await check(c, "float32", null, (nT) => nT + 1, rand);
  for (const c of ALL) await check(c, "complex64", null, (nT) => 3 * (nT + 1), rand);
});

test("convGeneralDilated integers wrap exactly; bool and preferredElementType", async () => {
  const rand = mulberry32(42);
  for (const c of ALL) await check(c, "int32", null, () => 0, rand);
  for (const c of ALL) await check(c, "uint32", null, () => 0, rand);
  for (const c of ALL) await check(c, "int32", "uint32", () => 0, rand);
  for (const c of ALL) await check(c, "bool", null, () => 0, rand);
  for (const c of ALL) await check(c, "bool", "int32", () => 0, rand);
  for (const c of ALL) await check(c, "bool", "float32", () => 0, rand);
  for (const c of ALL) await check(c, "uint32", "int32", () => 0, rand);
  // Moderate integers: the CPU's float64 products and sums are exact.
  for (const c of ALL) await check(c, "int32", "float32", (nT) => nT + 5, rand, 2 ** 20);
});

test("convGeneralDilated NaN/inf propagate like the CPU", async () => {
  const x = fromValues([1, Infinity, NaN, 2, 0, 3], [1, 1, 6], "float32");
  const w = fromValues([0, 1], [1, 1, 2], "float32");
  const c = conv([1, 1, 6], [1, 1, 2], { padding: [[1, 1]] });
  const p = { ...c.p, preferredElementType: null };
  const want = await readValues(lax.convGeneralDilatedP.bind1([x, w], p));
  const got = await readValues(lax.convGeneralDilatedP.bind1([toWebGPU(x), toWebGPU(w)], p));
  const s = (v: number[]) => v.map((e) => (Number.isNaN(e) ? "NaN" : e));
  assert.deepEqual(s(got), s(want));
});
