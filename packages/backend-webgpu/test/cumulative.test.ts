// Cumulative kernels (cumsum, cumprod, cummax, cummin, cumlogsumexp) and linearRecurrence against
// the CPU reference on seeded random inputs: both scan directions, every axis of rank-1..3
// shapes, lines shorter and longer than one workgroup block (carry between blocks), interleaved
// lines (inner ≥ 16, the "column" layout), and empty arrays.
//
// Integers (wrapping + and *) and max/min are exact in any association: compared bit for bit.
// Floats: the CPU keeps a float64 running value; the GPU rounds each f32 step along a scan tree
// whose depth is ≤ 4 (serial per lane) + 8 (workgroup tree) + (carries: ≤ 4 blocks per line in
// one pass, else a scan of the block totals) + 1; we use 13 + ⌈n/32⌉, an upper bound. The
// first-order error of a sum along depth d is ≤ d·u·Σ|x_i| (u = 2⁻²⁴); of a product ≤ d·u per
// real factor (√5·u complex) times Π|x_i|; of the affine compositions of linearRecurrence ≤ 2d·u
// (real) or 2√5·d·u (complex) times H_k = |a_k|·H_{k-1} + |b_k|; logaddexp is 1-Lipschitz and
// each step adds ≤ u·|result| + 3u (log1p series), so ≤ d·(u·(max|x|+log n) + 3u).
import { test } from "node:test";
import assert from "node:assert/strict";
import { lax, type Array, type DType } from "linax-ts";
import { fromValues, mulberry32 } from "@linax-ts/testing";
import { setupWebGPU, readValues, toWebGPU } from "@linax-ts/testing/webgpu";

await setupWebGPU();

const U = 2 ** -24;
const size = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

/** Flat element indices of every line along `axis`, in scan order. */
function lines(shape: readonly number[], axis: number, reverse: boolean): number[][] {
  const n = shape[axis];
  const inner = size(shape.slice(axis + 1));
  const outer = size(shape.slice(0, axis));
  const out: number[][] = [];
  for (let o = 0; o < outer; o++)
    for (let j = 0; j < inner; j++)
      out.push(globalThis.Array.from({ length: n }, (_, k) => (o * n + (reverse ? n - 1 - k : k)) * inner + j));
  return out;
}

/** Scan depth bound of the WGSL plan for a line of length n (see the header). */
const depth = (n: number): number => 4 + 8 + Math.ceil(n / 32) + 1;

function randomValues(count: number, dtype: DType, rand: () => number, float: (r: number) => number): number[] {
  return globalThis.Array.from({ length: count * (dtype === "complex64" ? 2 : 1) }, () => {
    if (dtype === "int32") return Math.floor(rand() * 4294967296) | 0;
    if (dtype === "uint32") return Math.floor(rand() * 4294967296) >>> 0;
    return Math.fround(float(rand()));
  });
}

/** Compare element by element: exact (bits, NaN = NaN) when tol is undefined. */
async function compare(got: Array, want: Array, tol: number[] | undefined, what: string): Promise<void> {
  const g = await readValues(got);
  const w = await readValues(want);
  assert.equal(g.length, w.length, what);
  const per = tol === undefined ? 1 : w.length / Math.max(1, tol.length);
  for (let i = 0; i < w.length; i++) {
    if (Number.isNaN(w[i])) assert.ok(Number.isNaN(g[i]), `${what} [${i}]: want NaN, got ${g[i]}`);
    else if (tol === undefined || g[i] === w[i])
      assert.ok(Object.is(g[i], w[i]), `${what} [${i}]: want ${w[i]}, got ${g[i]}`);
    else {
      const t = tol[Math.floor(i / per)];
      assert.ok(Math.abs(g[i] - w[i]) <= t, `${what} [${i}]: want ${w[i]}, got ${g[i]} (tol ${t})`);
    }
  }
}

type Config = [number[], number, boolean];
/**
 * (shape, axis, reverse) cases. Every new shape compiles a new pipeline, and SwiftShader takes
 * ~0.3 s per scan pipeline, so each op/dtype runs a rotating subset (\`pick\`) of these plus the
 * empty ones (no pass at all). Together they cover: several blocks along one line (1500 > 1024),
 * interleaved lines with several blocks (inner ≥ 16, blocks of 32), many short lines per
 * workgroup, reverse, length-1 lines.
 */
const CONFIGS: Config[] = [
  [[1500], 0, true],
  [[40, 20], 0, false],
  [[3, 37, 18], 1, true],
  [[5, 300], 1, false],
  [[2, 5, 3], 2, true],
  [[7], 0, false],
  [[3, 37, 18], 0, false],
  [[4, 1], 1, false],
];
const EMPTY: Config[] = [
  [[0], 0, false],
  [[3, 0], 0, true],
];
let rotation = 0;
/** `k` configs, rotating through CONFIGS across calls, plus the empty ones. */
function pick(k: number): Config[] {
  const out = globalThis.Array.from({ length: k }, (_, i) => CONFIGS[(rotation + i) % CONFIGS.length]);
  rotation += k;
  return [...out, ...EMPTY];
}

/** Per-element error bound from a running bound `step(prev, k)` over each line (magnitudes `mag`). */
function bounds(
  shape: readonly number[],
  axis: number,
  reverse: boolean,
  init: number,
  step: (prev: number, i: number) => number,
  scale: (b: number) => number,
): number[] {
  const out = new globalThis.Array<number>(size(shape)).fill(0);
  for (const line of lines(shape, axis, reverse)) {
    let b = init;
    for (const i of line) {
      b = step(b, i);
      out[i] = scale(b) * depth(line.length);
    }
  }
  return out;
}

test("cumsum/cumprod: integers exact (wraparound); float32/complex64 within the scan-depth bound", async () => {
  const rand = mulberry32(21);
  for (const dt of ["int32", "uint32", "float32", "complex64"] as DType[]) {
    for (const [shape, axis, reverse] of pick(dt === "uint32" ? 1 : 2)) {
      const tag = `${dt} ${JSON.stringify(shape)} axis ${axis} reverse ${reverse}`;
      const p = { axis, reverse };
      const c = dt === "complex64" ? 2 : 1;
      const mag = (v: number[], i: number) => (c === 2 ? Math.hypot(v[2 * i], v[2 * i + 1]) : Math.abs(v[i]));
      const vs = randomValues(size(shape), dt, rand, (r) => r * 4 - 2);
      const x = fromValues(vs, shape, dt);
      const exact = dt === "int32" || dt === "uint32";
      const sumTol = exact
        ? undefined
        : bounds(
            shape,
            axis,
            reverse,
            0,
            (b, i) => b + mag(vs, i) * c,
            (b) => U * b,
          );
      await compare(lax.cumsumP.bind1([toWebGPU(x)], p), lax.cumsumP.bind1([x], p), sumTol, `cumsum ${tag}`);
      // Factors of modulus near 1 keep long products in range.
      const ps = exact
        ? vs
        : randomValues(
            size(shape),
            dt,
            rand,
            (r) => (rand() < 0.5 ? -1 : 1) * (c === 2 ? 0.6 + 0.15 * r : 0.9 + 0.2 * r),
          );
      const y = fromValues(ps, shape, dt);
      const prodTol = exact
        ? undefined
        : bounds(
            shape,
            axis,
            reverse,
            1,
            (b, i) => b * mag(ps, i),
            (b) => 3 * U * b,
          );
      await compare(lax.cumprodP.bind1([toWebGPU(y)], p), lax.cumprodP.bind1([y], p), prodTol, `cumprod ${tag}`);
    }
  }
});

test("cummax/cummin: exact for float32/int32/uint32 (ties, ±0, NaN, ±inf)", async () => {
  const rand = mulberry32(22);
  for (const dt of ["float32", "int32", "uint32"] as DType[]) {
    for (const [shape, axis, reverse] of pick(dt === "float32" ? 2 : 1)) {
      // A coarse grid with signed zeros and a few NaN/±inf.
      const special = [NaN, Infinity, -Infinity, -0, 0];
      const vs = randomValues(size(shape), dt, rand, (r) =>
        r < 0.03 ? special[Math.floor(r * 166)] : Math.round(r * 8 - 4) / 2 || -0,
      );
      const x = fromValues(vs, shape, dt);
      const p = { axis, reverse };
      const tag = `${dt} ${JSON.stringify(shape)} axis ${axis} reverse ${reverse}`;
      await compare(lax.cummaxP.bind1([toWebGPU(x)], p), lax.cummaxP.bind1([x], p), undefined, `cummax ${tag}`);
      await compare(lax.cumminP.bind1([toWebGPU(x)], p), lax.cumminP.bind1([x], p), undefined, `cummin ${tag}`);
    }
  }
});

test("cumlogsumexp: float32 within the logaddexp bound; -inf, +inf, NaN", async () => {
  const rand = mulberry32(23);
  for (const [shape, axis, reverse] of pick(4)) {
    const vs = randomValues(size(shape), "float32", rand, (r) => r * 20 - 10);
    const x = fromValues(vs, shape, "float32");
    const n = shape[axis];
    const tol = bounds(
      shape,
      axis,
      reverse,
      0,
      (b, i) => Math.max(b, Math.abs(vs[i])),
      (b) => U * (b + Math.log(n + 1)) + 3 * U,
    );
    const p = { axis, reverse };
    await compare(
      lax.cumlogsumexpP.bind1([toWebGPU(x)], p),
      lax.cumlogsumexpP.bind1([x], p),
      tol,
      `cumlogsumexp ${JSON.stringify(shape)} axis ${axis} reverse ${reverse}`,
    );
  }
  const I = Infinity;
  const e = fromValues([-I, -I, 0, -I, 1, I, 2, NaN, 3, -I, -I, -I], [3, 4], "float32");
  await compare(
    lax.cumlogsumexpP.bind1([toWebGPU(e)], { axis: 1, reverse: false }),
    lax.cumlogsumexpP.bind1([e], { axis: 1, reverse: false }),
    new globalThis.Array(12).fill(4 * U),
    "cumlogsumexp edges",
  );
});

test("linearRecurrence: float32/complex64, both directions, transposed or not", async () => {
  const rand = mulberry32(24);
  for (const transposed of [false, true]) {
    for (const dt of ["float32", "complex64"] as DType[]) {
      for (const [shape, axis, reverse] of pick(dt === "float32" ? 2 : 1)) {
        const c = dt === "complex64" ? 2 : 1;
        const as = randomValues(size(shape), dt, rand, (r) => (r * 2.2 - 1.1) / c);
        const bs = randomValues(size(shape), dt, rand, (r) => r * 4 - 2);
        const mag = (v: number[], i: number) => (c === 2 ? Math.hypot(v[2 * i], v[2 * i + 1]) : Math.abs(v[i]));
        const p = { axis, reverse, transposed };
        const tol = new globalThis.Array<number>(size(shape)).fill(0);
        for (const line of lines(shape, axis, reverse)) {
          let h = 0;
          line.forEach((i, k) => {
            const ai = transposed ? (k > 0 ? mag(as, line[k - 1]) : 0) : mag(as, i);
            h = ai * h + mag(bs, i);
            tol[i] = (c === 2 ? 5 : 2) * depth(line.length) * U * h;
          });
        }
        const a = fromValues(as, shape, dt);
        const b = fromValues(bs, shape, dt);
        const what = `linearRecurrence ${dt} ${JSON.stringify(shape)} axis ${axis} reverse ${reverse} transposed ${transposed}`;
        await compare(
          lax.linearRecurrenceP.bind1([toWebGPU(a), toWebGPU(b)], p),
          lax.linearRecurrenceP.bind1([a, b], p),
          tol,
          what,
        );
      }
    }
  }
  // Real: an infinite a_0 is never multiplied by h_{-1} = 0, and h_0 = 0 + b_0 (+0 for -0).
  // Complex: the CPU does compute a_0·(0, 0) + b_0 (NaN for an infinite a_0; signs of zeros).
  const p = { axis: 1, reverse: false, transposed: false };
  const a = fromValues([Infinity, 2, 0.5, -1, 2, 0.5], [2, 3], "float32");
  const b = fromValues([-0, 1, 1, -0, -0, 1], [2, 3], "float32");
  await compare(
    lax.linearRecurrenceP.bind1([toWebGPU(a), toWebGPU(b)], p),
    lax.linearRecurrenceP.bind1([a, b], p),
    undefined,
    "linearRecurrence real first step",
  );
  const ca = fromValues([Infinity, 0, 1, 1, -1, 0, 2, 0, 0, -1, 1, 1], [3, 2], "complex64");
  const cb = fromValues([1, 2, 3, 4, -0, -0, 1, 1, -0, -0, 1, 0], [3, 2], "complex64");
  await compare(
    lax.linearRecurrenceP.bind1([toWebGPU(ca), toWebGPU(cb)], p),
    lax.linearRecurrenceP.bind1([ca, cb], p),
    undefined,
    "linearRecurrence complex first step",
  );
});

test("long lines (reduce-then-scan: block totals, their scan, rescan): every op", async () => {
  const rand = mulberry32(25);
  // [5000]: 5 blocks of 1024 along one line; [300, 20] axis 0: interleaved lines, 10 blocks of 32.
  const configs: Config[] = [
    [[5000], 0, true],
    [[300, 20], 0, false],
  ];
  for (const [shape, axis, reverse] of configs) {
    const p = { axis, reverse };
    const tag = `${JSON.stringify(shape)} axis ${axis} reverse ${reverse}`;
    const vs = randomValues(size(shape), "float32", rand, (r) => r * 4 - 2);
    const x = fromValues(vs, shape, "float32");
    await compare(
      lax.cumsumP.bind1([toWebGPU(x)], p),
      lax.cumsumP.bind1([x], p),
      bounds(
        shape,
        axis,
        reverse,
        0,
        (b, i) => b + Math.abs(vs[i]),
        (b) => U * b,
      ),
      `cumsum ${tag}`,
    );
    const xi = fromValues(
      randomValues(size(shape), "int32", rand, (r) => r),
      shape,
      "int32",
    );
    await compare(lax.cumsumP.bind1([toWebGPU(xi)], p), lax.cumsumP.bind1([xi], p), undefined, `cumsum int32 ${tag}`);
    const mx = fromValues(
      vs.map((v) => Math.round(v) || -0),
      shape,
      "float32",
    );
    await compare(lax.cummaxP.bind1([toWebGPU(mx)], p), lax.cummaxP.bind1([mx], p), undefined, `cummax ${tag}`);
    const ls = randomValues(size(shape), "float32", rand, (r) => r * 20 - 10);
    const lx = fromValues(ls, shape, "float32");
    const ltol = bounds(
      shape,
      axis,
      reverse,
      0,
      (b, i) => Math.max(b, Math.abs(ls[i])),
      (b) => U * (b + Math.log(shape[axis] + 1)) + 3 * U,
    );
    await compare(
      lax.cumlogsumexpP.bind1([toWebGPU(lx)], p),
      lax.cumlogsumexpP.bind1([lx], p),
      ltol,
      `cumlogsumexp ${tag}`,
    );
    for (const dt of ["float32", "complex64"] as DType[]) {
      const c = dt === "complex64" ? 2 : 1;
      const as = randomValues(size(shape), dt, rand, (r) => (r * 2.2 - 1.1) / c);
      const bs = randomValues(size(shape), dt, rand, (r) => r * 4 - 2);
      const mag = (v: number[], i: number) => (c === 2 ? Math.hypot(v[2 * i], v[2 * i + 1]) : Math.abs(v[i]));
      const lp = { ...p, transposed: dt === "complex64" };
      const tol = new globalThis.Array<number>(size(shape)).fill(0);
      for (const line of lines(shape, axis, reverse)) {
        let h = 0;
        line.forEach((i, k) => {
          const ai = lp.transposed ? (k > 0 ? mag(as, line[k - 1]) : 0) : mag(as, i);
          h = ai * h + mag(bs, i);
          tol[i] = (c === 2 ? 5 : 2) * depth(line.length) * U * h;
        });
      }
      const a = fromValues(as, shape, dt);
      const b = fromValues(bs, shape, dt);
      await compare(
        lax.linearRecurrenceP.bind1([toWebGPU(a), toWebGPU(b)], lp),
        lax.linearRecurrenceP.bind1([a, b], lp),
        tol,
        `linearRecurrence ${dt} ${tag}`,
      );
    }
  }
});
