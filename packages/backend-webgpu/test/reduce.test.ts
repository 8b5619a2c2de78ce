// Reduction kernels (reduceSum/Max/Min/Prod/And/Or, argmax/argmin) against the CPU reference on
// seeded random inputs over shapes that exercise every code path of the WGSL plan: rank 0, empty
// outputs, empty reductions, merged axes, the "column" layout (innermost axis kept), and rows
// long enough to need a second pass of partial results.
//
// Exact equality everywhere except float/complex sum and prod: the CPU accumulates in float64
// and rounds once, the GPU rounds every f32 step along a tree whose depth per pass is at most
// 16 (serial per lane) + 8 (workgroup tree), with at most 3 passes here. First-order error of
// summation along a tree of depth d is ≤ d·u·Σ|x| (u = 2⁻²⁴), so 80·u·Σ|x| covers it; products
// have a relative error ≤ d·u per real factor (√5·u per complex one), hence 80·u·Π|x|.
import { test } from "node:test";
import assert from "node:assert/strict";
import { lax, type Array, type DType } from "linax-ts";
import { fromValues, mulberry32 } from "@linax-ts/testing";
import { setupWebGPU, readValues, toWebGPU } from "@linax-ts/testing/webgpu";

await setupWebGPU();

const U = 2 ** -24;
const size = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

/** Random values of `dtype` (complex interleaved): floats in [-2, 2), integers over the full range. */
function randomArray(
  shape: readonly number[],
  dtype: DType,
  rand: () => number,
  float = (r: number) => r * 4 - 2,
): Array {
  const n = size(shape) * (dtype === "complex64" ? 2 : 1);
  const v = globalThis.Array.from({ length: n }, () => {
    switch (dtype) {
      case "int32":
        return Math.floor(rand() * 4294967296) | 0;
      case "uint32":
        return Math.floor(rand() * 4294967296) >>> 0;
      case "bool":
        return rand() < 0.7 ? 1 : 0;
      default:
        return Math.fround(float(rand()));
    }
  });
  return fromValues(v, shape, dtype);
}

type Red = (x: Array) => Array;

/** WebGPU result of `f` equals the CPU one exactly (NaN matches NaN; +0 and -0 are distinguished). */
async function exact(f: Red, x: Array, what: string): Promise<void> {
  const want = await readValues(f(x));
  const got = await readValues(f(toWebGPU(x)));
  assert.equal(got.length, want.length, what);
  for (let i = 0; i < want.length; i++) {
    if (Number.isNaN(want[i])) assert.ok(Number.isNaN(got[i]), `${what} [${i}]: want NaN, got ${got[i]}`);
    else assert.ok(Object.is(got[i], want[i]), `${what} [${i}]: want ${want[i]}, got ${got[i]}`);
  }
}

/** WebGPU result of `f` within 80·u·scale[i] of the CPU one (scale per output element). */
async function close(f: Red, x: Array, scale: number[], what: string): Promise<void> {
  const want = await readValues(f(x));
  const got = await readValues(f(toWebGPU(x)));
  assert.equal(got.length, want.length, what);
  const w = want.length / scale.length;
  for (let i = 0; i < want.length; i++) {
    const tol = 80 * U * scale[Math.floor(i / w)];
    assert.ok(Math.abs(got[i] - want[i]) <= tol, `${what} [${i}]: want ${want[i]}, got ${got[i]} (tol ${tol})`);
  }
}

const CASES: [number[], number[]][] = [
  [[], []],
  [[5], [0]],
  [[0], [0]],
  [[3, 0], [1]],
  [[0, 4], [1]],
  [
    [3, 4],
    [0, 1],
  ],
  [[3, 4], []],
  [
    [2, 3, 5],
    [0, 2],
  ],
  [[2, 3, 5], [1]],
  [
    [4, 1, 6],
    [1, 2],
  ],
  [[7, 300], [1]],
  [[300, 20], [0]],
  [
    [2, 40, 33],
    [0, 1],
  ],
  [[4100], [0]],
  [[2, 2100], [1]],
  [[1100, 17], [0]],
];

test("reduceSum: integers wrap exactly; float32/complex64 within the tree-summation bound", async () => {
  const rand = mulberry32(11);
  for (const [c, [shape, axes]] of CASES.entries()) {
    // Integers (exact in any order) on every other case: pipelines compile slowly in software.
    for (const dt of (c % 2 === 0
      ? ["int32", "float32", "complex64"]
      : ["uint32", "float32", "complex64"]) as DType[]) {
      const x = randomArray(shape, dt, rand);
      const f = (a: Array) => lax.reduceSum(a, axes);
      const what = `reduceSum ${dt} ${JSON.stringify(shape)} axes ${JSON.stringify(axes)}`;
      if (dt === "int32" || dt === "uint32") await exact(f, x, what);
      else await close(f, x, await readValues(lax.reduceSum(lax.abs(x), axes)), what);
    }
  }
});

test("reduceProd: integers wrap exactly; float32/complex64 within a relative bound", async () => {
  const rand = mulberry32(12);
  for (const [shape, axes] of CASES) {
    if (size(shape) > 3000) continue;
    for (const dt of ["int32", "uint32", "float32", "complex64"] as DType[]) {
      // Factors near 1 in magnitude keep long products finite and well scaled.
      // (complex parts of magnitude 0.6..0.75: moduli 0.85..1.06).
      const x = randomArray(
        shape,
        dt,
        rand,
        (r) => (rand() < 0.5 ? -1 : 1) * (dt === "complex64" ? 0.6 + 0.15 * r : 0.9 + 0.2 * r),
      );
      const f = (a: Array) => lax.reduceProd(a, axes);
      const what = `reduceProd ${dt} ${JSON.stringify(shape)} axes ${JSON.stringify(axes)}`;
      if (dt === "int32" || dt === "uint32") await exact(f, x, what);
      else await close(f, x, await readValues(lax.reduceProd(lax.abs(x), axes)), what);
    }
  }
});

test("reduceMax/Min, argmax/argmin: exact for every dtype, random data with ties", async () => {
  const rand = mulberry32(13);
  // Software-rendered shader compiles dominate the run time (one pipeline per shape, dtype and
  // op), so each dtype runs a rotating subset of the cases (all of them across dtypes).
  const nonEmpty = CASES.filter(([s]) => size(s) > 0);
  let rot = 0;
  for (const dt of ["float32", "complex64", "int32", "uint32", "bool"] as DType[]) {
    const k = dt === "float32" || dt === "complex64" ? 4 : 3;
    const cases = globalThis.Array.from({ length: k }, (_, i) => nonEmpty[(rot + i) % nonEmpty.length]);
    rot += k;
    for (const [shape, axes] of [...cases, ...CASES.filter(([s]) => size(s) === 0)]) {
      // Floats on a coarse grid (with -0) so that ties are common (first-index tie-breaking).
      const x = randomArray(shape, dt, rand, (r) => Math.round(r * 8 - 4) / 2 || (rand() < 0.5 ? -0 : 0));
      const tag = `${dt} ${JSON.stringify(shape)} axes ${JSON.stringify(axes)}`;
      await exact((a) => lax.reduceMax(a, axes), x, `reduceMax ${tag}`);
      await exact((a) => lax.reduceMin(a, axes), x, `reduceMin ${tag}`);
      if (axes.length === 1 && shape[axes[0]] > 0) {
        await exact((a) => lax.argmax(a, axes[0], "int32"), x, `argmax ${tag}`);
        await exact((a) => lax.argmin(a, axes[0], "uint32"), x, `argmin ${tag}`);
      }
    }
  }
});

test("reduceAnd/reduceOr: exact", async () => {
  const rand = mulberry32(14);
  for (const [shape, axes] of CASES.filter((_, c) => c % 2 === 1)) {
    const x = randomArray(shape, "bool", rand);
    const tag = `${JSON.stringify(shape)} axes ${JSON.stringify(axes)}`;
    await exact((a) => lax.reduceAnd(a, axes), x, `reduceAnd ${tag}`);
    await exact((a) => lax.reduceOr(a, axes), x, `reduceOr ${tag}`);
  }
  // All-true and all-false rows over a long axis (the multi-pass path).
  for (const v of [0, 1]) {
    const x = fromValues(new globalThis.Array(5000).fill(v), [5000], "bool");
    await exact((a) => lax.reduceAnd(a, [0]), x, `reduceAnd const ${v}`);
    await exact((a) => lax.reduceOr(a, [0]), x, `reduceOr const ${v}`);
  }
});

test("edge cases: NaN propagation, first NaN/first tie wins, ±0 order, ±inf, complex extremes", async () => {
  const N = NaN;
  const I = Infinity;
  const rows: number[][] = [
    [1, N, 3, N],
    [-0, 0, -0, 0],
    [0, -0, 0, -0],
    [-I, -I, -I, -I],
    [I, I, 2, -I],
    [2, 5, 5, 1],
    [N, N, N, N],
  ];
  const x = fromValues(rows.flat(), [rows.length, 4], "float32");
  for (const f of [lax.reduceMax, lax.reduceMin]) await exact((a) => f(a, [1]), x, `${f.name} float edges`);
  for (const f of [lax.argmax, lax.argmin]) await exact((a) => f(a, 1, "int32"), x, `${f.name} float edges`);
  // A sum of -0s is +0 (the CPU starts from +0); large finite terms that do not overflow in f32.
  await exact(
    (a) => lax.reduceSum(a, [1]),
    fromValues([-0, -0, -0, 1e38, 1e38, -1e38], [2, 3], "float32"),
    "reduceSum -0, large terms",
  );
  // Complex: lexicographic; (-inf, -5) does not replace the CPU's start value (-inf, 0).
  const c = fromValues([-I, -5, -I, -7, 1, 2, 1, 3, 1, N, 0, 0, -0, 1, 0, 1], [2, 4], "complex64");
  for (const f of [lax.reduceMax, lax.reduceMin]) await exact((a) => f(a, [1]), c, `${f.name} complex edges`);
  for (const f of [lax.argmax, lax.argmin]) await exact((a) => f(a, 1, "int32"), c, `${f.name} complex edges`);
  await exact((a) => lax.reduceMax(a, [0]), fromValues([], [0, 2], "complex64"), "reduceMax empty complex");
  const big = fromValues([2147483647, 1, -2147483648, -1], [4], "int32");
  await exact((a) => lax.reduceSum(a, [0]), big, "int32 sum wraps");
  await exact((a) => lax.reduceProd(a, [0]), fromValues([65536, 65536, 3], [3], "int32"), "int32 prod wraps");
  await exact(
    (a) => lax.reduceProd(a, [0]),
    fromValues([4294967295, 4294967295, 7], [3], "uint32"),
    "uint32 prod wraps",
  );
});

test("min/max/argmax across passes: ties of ±0 and NaNs resolve to the first in order", async () => {
  // [4100] reduces in two passes (rows of 4096 per chunk); [1100, 17] over axis 0 is the column
  // layout with 9 partials per output. Zeros of both signs everywhere, NaNs late in some rows.
  const n = 4100;
  const v = globalThis.Array.from({ length: n }, (_, i) => (i % 3 === 0 ? -0 : 0));
  v[4097] = NaN;
  v[4099] = NaN;
  const x = fromValues(v, [n], "float32");
  const y = fromValues(v.slice(0, 4096).concat([0, 0, 0, 0]), [n], "float32");
  for (const a of [x, y]) {
    await exact((t) => lax.reduceMax(t, [0]), a, "reduceMax long");
    await exact((t) => lax.reduceMin(t, [0]), a, "reduceMin long");
    await exact((t) => lax.argmax(t, 0, "int32"), a, "argmax long");
    await exact((t) => lax.argmin(t, 0, "int32"), a, "argmin long");
  }
  const cv: number[] = [];
  for (let i = 0; i < 1100 * 17; i++) cv.push(i % 17 === 3 && i > 17 * 900 ? NaN : 1, i % 2 === 0 ? -0 : 0);
  const c = fromValues(cv, [1100, 17], "complex64");
  await exact((t) => lax.reduceMax(t, [0]), c, "reduceMax complex column");
  await exact((t) => lax.argmin(t, 0, "int32"), c, "argmin complex column");
});
