// dotGeneral against the CPU reference: matrix products with ragged tile edges, batch and
// contracting dims in arbitrary order and positions, several free dims, rank-0 outputs, outer
// products, empty contractions (zeros) and empty outputs; every dtype and preferredElementType.
//
// Exact equality for integer wraparound, bool (OR of ANDs; counts), uint32 ↔ int32 outputs.
// float32: the GPU accumulates with fma in k order (one rounding per step); the CPU sums float64
// products and rounds once, so |got − want| ≤ (nk + 1)·u·Σ_k|a_k·b_k| (u = 2⁻²⁴) to first order.
// complex64: each step adds a complex product rounded in its parts (≤ 2u each) and the sum, so
// 3·(nk + 1)·u·Σ|a_k|·|b_k|. Integer → float32: the converted operands and products round too
// (≤ 3u more per term), so (nk + 4)·u·Σ|a_k·b_k|.
import { test } from "node:test";
import assert from "node:assert/strict";
import { lax, type Array, type DType } from "linax-ts";
import { fromValues, mulberry32 } from "@linax-ts/testing";
import { setupWebGPU, readValues, toWebGPU } from "@linax-ts/testing/webgpu";
import { assertWithinScale, randomArray } from "./gpu-vs-cpu-checks.ts";

await setupWebGPU();

type Dims = { contractingDims: [number[], number[]]; batchDims: [number[], number[]] };
type Case = [number[], number[], Dims];
const dims = (lc: number[], rc: number[], lb: number[] = [], rb: number[] = []): Dims => ({
  contractingDims: [lc, rc],
  batchDims: [lb, rb],
});

/** Shape cases; each dtype runs a rotating subset (one pipeline per case; compiles dominate). */
const CASES: Case[] = [
  [[33, 70], [70, 20], dims([1], [0])],
  [[2, 6, 3, 4], [3, 2, 4, 5], dims([3, 0], [2, 1], [2], [0])],
  [[4, 3, 5], [2, 3, 6], dims([1], [1])],
  [[50], [50], dims([0], [0])],
  [[3], [4], dims([], [])],
  [[2, 40, 37], [17, 2, 37], dims([2], [2], [0], [1])],
  [[5, 7], [3, 7], dims([1], [1])],
  [[7, 5], [7, 3], dims([0], [0])],
  // Free extents ≥ 32: the register-blocked kernel (64×64 tiles, ragged edges, batch).
  [[70, 40], [90, 40], dims([1], [1])],
  [[2, 33, 21], [21, 2, 65], dims([2], [0], [0], [1])],
];
const EMPTY: Case[] = [
  [[3, 0], [0, 4], dims([1], [0])],
  [[0, 5], [5, 3], dims([1], [0])],
];
let rotation = 0;
function pick(k: number): Case[] {
  const out = globalThis.Array.from({ length: k }, (_, i) => CASES[(rotation + i) % CASES.length]);
  rotation += k;
  return [...out, ...EMPTY];
}

/** Compare GPU and CPU dotGeneral; tolerance factor `f` times Σ|a||b| per output (exact when 0). */
async function check(
  x: Array,
  y: Array,
  d: Dims,
  pref: DType | null,
  f: (nk: number) => number,
  what: string,
): Promise<void> {
  const p = { ...d, preferredElementType: pref };
  const want = await readValues(lax.dotGeneralP.bind1([x, y], p));
  const got = await readValues(lax.dotGeneralP.bind1([toWebGPU(x), toWebGPU(y)], p));
  assert.equal(got.length, want.length, what);
  const nk = d.contractingDims[0].reduce((a, k) => a * x.shape[k], 1);
  const fac = f(nk);
  let scale: number[] = [];
  if (fac > 0) {
    const abs = (a: Array) => (a.dtype === "bool" || a.dtype === "uint32" ? a : lax.abs(a));
    const ax = abs(x);
    const ay = abs(y);
    const toF = (a: Array) => lax.convertElementType(a, "float32");
    scale = await readValues(lax.dotGeneralP.bind1([toF(ax), toF(ay)], { ...d, preferredElementType: null }));
  }
  assertWithinScale(got, want, fac, scale, what);
}

const tag = (c: Case, dt: string) => `${dt} ${JSON.stringify(c[0])}·${JSON.stringify(c[1])} ${JSON.stringify(c[2])}`;

test("dotGeneral float32 and complex64 within the accumulation bound", async () => {
  const rand = mulberry32(31);
  for (const c of pick(2))
    await check(
      randomArray(c[0], "float32", rand),
      randomArray(c[1], "float32", rand),
      c[2],
      null,
      (nk) => nk + 1,
      tag(c, "float32"),
    );
  for (const c of pick(1))
    await check(
      randomArray(c[0], "complex64", rand),
      randomArray(c[1], "complex64", rand),
      c[2],
      null,
      (nk) => 3 * (nk + 1),
      tag(c, "complex64"),
    );
  // The register-blocked kernel (the last two cases) for both.
  for (const c of CASES.slice(-2)) {
    await check(
      randomArray(c[0], "float32", rand),
      randomArray(c[1], "float32", rand),
      c[2],
      null,
      (nk) => nk + 1,
      tag(c, "float32"),
    );
    await check(
      randomArray(c[0], "complex64", rand),
      randomArray(c[1], "complex64", rand),
      c[2],
      null,
      (nk) => 3 * (nk + 1),
      tag(c, "complex64"),
    );
  }
  await check(
    randomArray([40, 50], "bool", rand),
    randomArray([50, 64], "bool", rand),
    dims([1], [0]),
    null,
    () => 0,
    "bool blocked",
  );
});

test("dotGeneral integers wrap exactly; preferredElementType int32 ↔ uint32", async () => {
  const rand = mulberry32(32);
  for (const c of pick(3))
    await check(
      randomArray(c[0], "int32", rand),
      randomArray(c[1], "int32", rand),
      c[2],
      null,
      () => 0,
      tag(c, "int32"),
    );
  for (const c of pick(2))
    await check(
      randomArray(c[0], "uint32", rand),
      randomArray(c[1], "uint32", rand),
      c[2],
      null,
      () => 0,
      tag(c, "uint32"),
    );
  for (const c of pick(1))
    await check(
      randomArray(c[0], "int32", rand),
      randomArray(c[1], "int32", rand),
      c[2],
      "uint32",
      () => 0,
      tag(c, "int32→uint32"),
    );
  for (const c of pick(1))
    await check(
      randomArray(c[0], "uint32", rand),
      randomArray(c[1], "uint32", rand),
      c[2],
      "int32",
      () => 0,
      tag(c, "uint32→int32"),
    );
});

test("dotGeneral bool (→ bool, int32, uint32, float32) exact; int32 → float32 within bound", async () => {
  const rand = mulberry32(33);
  for (const pref of [null, "int32", "uint32", "float32"] as (DType | null)[]) {
    for (const c of pick(1))
      await check(
        randomArray(c[0], "bool", rand),
        randomArray(c[1], "bool", rand),
        c[2],
        pref,
        () => 0,
        tag(c, `bool→${pref}`),
      );
  }
  // Moderate integers: products stay below 2^53, so the CPU's float64 sums are exact.
  for (const c of pick(2))
    await check(
      randomArray(c[0], "int32", rand, 2 ** 20),
      randomArray(c[1], "int32", rand, 2 ** 20),
      c[2],
      "float32",
      (nk) => nk + 4,
      tag(c, "int32→float32"),
    );
  for (const c of pick(1))
    await check(
      randomArray(c[0], "uint32", rand, 2 ** 20),
      randomArray(c[1], "uint32", rand, 2 ** 20),
      c[2],
      "float32",
      (nk) => nk + 4,
      tag(c, "uint32→float32"),
    );
});

test("dotGeneral edge values: int32 overflow wraps, inf·0 = NaN, NaN propagates", async () => {
  const x = fromValues([2147483647, 2, -2147483648, 3], [2, 2], "int32");
  const y = fromValues([2, 1, 1, 2147483647], [2, 2], "int32");
  await check(x, y, dims([1], [0]), null, () => 0, "int32 overflow");
  const f = fromValues([Infinity, 0, 1, NaN], [2, 2], "float32");
  const g = fromValues([0, 1, 2, 3], [2, 2], "float32");
  const want = await readValues(lax.dotGeneral(f, g, { contractingDims: [[1], [0]] }));
  const got = await readValues(lax.dotGeneral(toWebGPU(f), toWebGPU(g), { contractingDims: [[1], [0]] }));
  assert.deepEqual(
    got.map((v) => (Number.isNaN(v) ? "NaN" : v)),
    want.map((v) => (Number.isNaN(v) ? "NaN" : v)),
  );
});
