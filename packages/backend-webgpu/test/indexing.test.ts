// gather and the scatter family against the CPU kernels (the oracle): general dimension numbers
// (multi-entry index vectors, interleaved offset/window axes, operand/indices batching dims, empty
// index vectors), int32 and uint32 indices with out-of-bounds values, every mode, every dtype.
// Indices are drawn from a small range so scatter updates collide: the GPU must reproduce the
// CPU's update order (last write wins for scatter; float32 sums and products rounded in the same
// order). Data movement and these folds are exact, so results are compared with deepStrictEqual
// (NaN == NaN, -0 != 0). complex64 scatterMul is also compared exactly: the CPU evaluates
// a·c - b·d in float64 and rounds once; the GPU's Dot2 (exact product errors) reproduces it (it is
// not proven correctly rounded in every case, but agreed bit for bit on 40000 random products
// with heavy cancellation — where plain float32 a·c - b·d is off by up to thousands of ulp).
import { test } from "node:test";
import assert from "node:assert/strict";
import { ConcreteArray, lax, np, type Array, type DType } from "linax-ts";
import { mulberry32 } from "@linax-ts/testing";
import { setupWebGPU, readValues, toWebGPU } from "@linax-ts/testing/webgpu";
import { agree, size } from "./gpu-vs-cpu-checks.ts";
import { scatterTuning } from "../src/kernels/indexing-scatter.ts";

// At top level (see sort.test.ts): an after(shutdown) registered inside a before hook runs too early.
await setupWebGPU();

const DTYPES: DType[] = ["float32", "int32", "uint32", "bool", "complex64"];
const MODES = ["clip", "fill", "promise_in_bounds"] as const;
const SPECIAL = [NaN, -0, 0, Infinity, -Infinity, 1.5, -2];

/**
 * A seeded CPU array of any dtype. Floats: mostly normal values in ±100, some NaN/±0/±inf; with
 * `small`, integers in [-3, 3] instead (products and sums of those are exact, see scatterMul).
 */
function randArray(rand: () => number, dtype: DType, shape: readonly number[], small = false): Array {
  const n = size(shape);
  const sh = [...shape];
  const float = (): number =>
    small
      ? Math.floor(rand() * 7) - 3
      : rand() < 0.1
        ? SPECIAL[Math.floor(rand() * SPECIAL.length)]
        : (rand() - 0.5) * 200;
  switch (dtype) {
    case "float32":
      return np.reshape(np.array(Float32Array.from({ length: n }, float), { dtype }), sh);
    case "int32":
      return np.reshape(
        np.array(
          Int32Array.from({ length: n }, () => (small ? Math.floor(rand() * 7) - 3 : Math.floor(rand() * 2 ** 32) | 0)),
          { dtype },
        ),
        sh,
      );
    case "uint32":
      return np.reshape(
        np.array(
          Uint32Array.from({ length: n }, () => (small ? Math.floor(rand() * 7) : Math.floor(rand() * 2 ** 32))),
          { dtype },
        ),
        sh,
      );
    case "bool":
      return np.reshape(
        np.array(
          Uint8Array.from({ length: n }, () => (rand() < 0.5 ? 1 : 0)),
          { dtype },
        ),
        sh,
      );
    case "float16":
    case "bfloat16":
      return np.reshape(np.array(Float32Array.from({ length: n }, float), { dtype }), sh);
    case "complex64":
      return lax.complex(randArray(rand, "float32", shape, small), randArray(rand, "float32", shape, small));
  }
}

/** Indices in [lo, hi) (int32), or as uint32 where negative ones wrap to huge values. */
function randIndices(
  rand: () => number,
  shape: readonly number[],
  lo: number,
  hi: number,
  dtype: "int32" | "uint32" = "int32",
): Array {
  const v = Int32Array.from({ length: size(shape) }, () => lo + Math.floor(rand() * (hi - lo)));
  const data = dtype === "int32" ? v : new Uint32Array(v.buffer);
  return np.reshape(np.array(data, { dtype }), [...shape]);
}

interface GatherCase {
  name: string;
  op: number[];
  ind: number[];
  range: [number, number];
  dn: lax.GatherDimensionNumbers;
  sliceSizes: number[];
}
const none = { operandBatchingDims: [], startIndicesBatchingDims: [] };
const GATHERS: GatherCase[] = [
  {
    name: "take rows",
    op: [5, 3],
    ind: [4, 1],
    range: [-2, 7],
    dn: { offsetDims: [1], collapsedSliceDims: [0], startIndexMap: [0], ...none },
    sliceSizes: [1, 3],
  },
  {
    name: "2-entry index vectors, windows",
    op: [4, 5, 3],
    ind: [2, 3, 2],
    range: [-1, 5],
    dn: { offsetDims: [2, 3], collapsedSliceDims: [0], startIndexMap: [2, 0], ...none },
    sliceSizes: [1, 2, 2],
  },
  {
    name: "interleaved offset axes",
    op: [4, 6],
    ind: [3, 1],
    range: [-1, 6],
    dn: { offsetDims: [0, 2], collapsedSliceDims: [], startIndexMap: [1], ...none },
    sliceSizes: [3, 2],
  },
  {
    name: "batching dims",
    op: [3, 4, 2],
    ind: [2, 3, 1],
    range: [-1, 5],
    dn: {
      offsetDims: [2],
      collapsedSliceDims: [1],
      startIndexMap: [1],
      operandBatchingDims: [0],
      startIndicesBatchingDims: [1],
    },
    sliceSizes: [1, 1, 2],
  },
  {
    name: "empty index vectors",
    op: [4, 3],
    ind: [3, 0],
    range: [0, 1],
    dn: { offsetDims: [1, 2], collapsedSliceDims: [], startIndexMap: [], ...none },
    sliceSizes: [2, 2],
  },
  {
    name: "one index vector (no batch axes)",
    op: [6],
    ind: [1],
    range: [-3, 9],
    dn: { offsetDims: [0], collapsedSliceDims: [], startIndexMap: [0], ...none },
    sliceSizes: [3],
  },
  {
    name: "scalar gathers of a rank-0 window",
    op: [5],
    ind: [4, 1],
    range: [-1, 6],
    dn: { offsetDims: [], collapsedSliceDims: [0], startIndexMap: [0], ...none },
    sliceSizes: [1],
  },
  {
    name: "no index vectors",
    op: [5, 2],
    ind: [0, 1],
    range: [0, 5],
    dn: { offsetDims: [1], collapsedSliceDims: [0], startIndexMap: [0], ...none },
    sliceSizes: [1, 2],
  },
];

test("gather: dimension numbers x modes x dtypes, int32 and uint32 indices", async () => {
  const rand = mulberry32(11);
  const pending: Promise<void>[] = [];
  // Every pipeline is a SwiftShader compile (the cost of this file), so the sweep rotates index
  // dtypes and modes over cases and dtypes (float32 gets every mode) instead of a full product.
  for (const [ci, c] of GATHERS.entries()) {
    for (const [di, dt] of DTYPES.entries()) {
      const op = randArray(rand, dt, c.op);
      {
        const idt = (ci + di) % 2 === 0 ? "int32" : "uint32";
        const ind = randIndices(rand, c.ind, c.range[0], c.range[1], idt);
        for (const mode of dt === "float32" ? MODES : [MODES[(ci + di) % 3]]) {
          // A non-default fill (bool: false, since a bool holds only 0/1 on the GPU; see the report).
          for (const fillValue of mode === "fill" ? [null, dt === "bool" ? 0 : 7] : [null]) {
            const p: lax.GatherParams = { dimensionNumbers: c.dn, sliceSizes: c.sliceSizes, mode, fillValue };
            pending.push(
              agree(
                (a, i) => lax.gatherP.bind1([a, i], p),
                [op, ind],
                `gather ${c.name} ${dt} ${idt} ${mode} fill=${fillValue}`,
              ),
            );
          }
        }
      }
    }
  }
  await Promise.all(pending);
});

interface ScatterCase {
  name: string;
  op: number[];
  ind: number[];
  upd: number[];
  range: [number, number];
  dn: lax.ScatterDimensionNumbers;
}
const sNone = { operandBatchingDims: [], scatterIndicesBatchingDims: [] };
const SCATTERS: ScatterCase[] = [
  {
    name: "rows, colliding",
    op: [4, 3],
    ind: [7, 1],
    upd: [7, 3],
    range: [-1, 5],
    dn: { updateWindowDims: [1], insertedWindowDims: [0], scatterDimsToOperandDims: [0], ...sNone },
  },
  // The window axis precedes the scatter axis: flat update order is not index-vector order.
  {
    name: "window axis first",
    op: [4, 3],
    ind: [6, 1],
    upd: [3, 6],
    range: [-1, 5],
    dn: { updateWindowDims: [0], insertedWindowDims: [0], scatterDimsToOperandDims: [0], ...sNone },
  },
  {
    name: "2-d windows, 2-entry index vectors",
    op: [4, 5],
    ind: [5, 2],
    upd: [5, 2, 3],
    range: [-1, 4],
    dn: { updateWindowDims: [1, 2], insertedWindowDims: [], scatterDimsToOperandDims: [1, 0], ...sNone },
  },
  {
    name: "batching dims",
    op: [3, 4],
    ind: [3, 5, 1],
    upd: [3, 5],
    range: [-1, 5],
    dn: {
      updateWindowDims: [],
      insertedWindowDims: [1],
      scatterDimsToOperandDims: [1],
      operandBatchingDims: [0],
      scatterIndicesBatchingDims: [0],
    },
  },
  {
    name: "into a scalar (every update collides)",
    op: [],
    ind: [9, 0],
    upd: [9],
    range: [0, 1],
    dn: { updateWindowDims: [], insertedWindowDims: [], scatterDimsToOperandDims: [], ...sNone },
  },
  {
    name: "no updates",
    op: [3, 2],
    ind: [0, 1],
    upd: [0, 2],
    range: [0, 3],
    dn: { updateWindowDims: [1], insertedWindowDims: [0], scatterDimsToOperandDims: [0], ...sNone },
  },
];
const SCATTER_PRIMS = [
  ["scatter", lax.scatterP],
  ["scatterAdd", lax.scatterAddP],
  ["scatterMul", lax.scatterMulP],
  ["scatterMin", lax.scatterMinP],
  ["scatterMax", lax.scatterMaxP],
] as const;

async function scatterSweep(
  prims: readonly (readonly [string, typeof lax.scatterP])[],
  dtypes: readonly DType[],
  small: boolean,
  seed: number,
): Promise<void> {
  const rand = mulberry32(seed);
  // Checks run concurrently: each enqueues its GPU work at once and awaits its reads later.
  const pending: Promise<void>[] = [];
  for (const [ci, c] of SCATTERS.entries()) {
    for (const [di, dt] of dtypes.entries()) {
      const op = randArray(rand, dt, c.op, small);
      const upd = randArray(rand, dt, c.upd, small);
      // Modes and index dtypes rotate over cases and dtypes (each combination is a pipeline
      // compile, the cost of this file); every (primitive, dtype) still meets every mode.
      for (const mode of [MODES[(ci + di + seed) % 3]]) {
        const idt = (ci + di) % 2 === 0 ? "int32" : "uint32";
        const ind = randIndices(rand, c.ind, c.range[0], c.range[1], idt);
        {
          for (const [name, prim] of prims) {
            const p: lax.ScatterParams = { dimensionNumbers: c.dn, mode, uniqueIndices: false };
            pending.push(
              agree((a, i, u) => prim.bind1([a, i, u], p), [op, ind, upd], `${name} ${c.name} ${dt} ${idt} ${mode}`),
            );
          }
        }
      }
    }
  }
  await Promise.all(pending);
}

test("scatter family: float32, int32, uint32, bool, with collisions and every mode", async () => {
  await scatterSweep(SCATTER_PRIMS, ["float32", "int32", "uint32", "bool"], false, 12);
});

test("scatter family: complex64, random values and exact small integers (±0 signs)", async () => {
  await scatterSweep(SCATTER_PRIMS, ["complex64"], false, 13);
  // Small integers: many exact zeros, so the signs of zero products are checked too.
  await scatterSweep(
    SCATTER_PRIMS.filter(([n]) => n === "scatterMul"),
    ["complex64"],
    true,
    14,
  );
});

test("hand-derived: last write wins, float32 sums in update order, min/max of NaN and ±0", async () => {
  const dn1 = lax.scatterDnums({ updateWindowDims: [], insertedWindowDims: [0], scatterDimsToOperandDims: [0] });
  const run = async (
    prim: typeof lax.scatterP,
    op: number[],
    ind: number[],
    upd: number[],
    mode: lax.GatherScatterMode = "fill",
  ): Promise<number[]> => {
    const args = [np.array(op), np.reshape(np.array(ind, { dtype: "int32" }), [ind.length, 1]), np.array(upd)].map(
      toWebGPU,
    );
    const out = prim.bind1(args, { dimensionNumbers: dn1, mode, uniqueIndices: false });
    assert.ok(out instanceof ConcreteArray && out.backend.name === "webgpu");
    return readValues(out);
  };
  assert.deepEqual(await run(lax.scatterP, [0, 0, 0], [1, 1, 2, 1, 5], [10, 20, 30, 40, 50]), [0, 40, 30]);
  // clip moves the out-of-bounds 5 onto index 2 (last), fill/promise_in_bounds drop it.
  assert.deepEqual(await run(lax.scatterP, [0, 0, 0], [1, 5, 2, -4], [10, 50, 30, 60], "clip"), [60, 10, 30]);
  assert.deepEqual(
    await run(lax.scatterP, [0, 0, 0], [1, 5, 2, -4], [10, 50, 30, 60], "promise_in_bounds"),
    [0, 10, 30],
  );
  // ((0 + 1e8) + 1) - 1e8 + 1 = 1 in float32 update order (other orders give 0 or 2).
  assert.deepEqual(await run(lax.scatterAddP, [0, 5], [0, 0, 0, 0], [1e8, 1, -1e8, 1]), [1, 5]);
  assert.deepEqual(await run(lax.scatterMinP, [0, -0, 1, 2], [0, 1, 2, 3], [-0, 0, NaN, 3]), [-0, -0, NaN, 2]);
  assert.deepEqual(await run(lax.scatterMaxP, [-0, 0, NaN, 2], [0, 1, 2, 3], [0, -0, 1, -Infinity]), [0, 0, NaN, 2]);
  assert.deepEqual(await run(lax.scatterMulP, [3, -0], [0, 0, 1], [Infinity, 0, 5]), [NaN, -0]);
  // The window axis (size 2) comes first in the updates: flat update order is (w, b). Element 1
  // gets (w=0, b=1) = 1 before (w=1, b=0) = -1e8: (1e8 + 1) - 1e8 = 0, where index-vector order
  // would give (1e8 - 1e8) + 1 = 1.
  const dnW = lax.scatterDnums({ updateWindowDims: [0], insertedWindowDims: [], scatterDimsToOperandDims: [0] });
  const upd = np.array([
    [5, 1],
    [-1e8, 7],
  ]);
  const op = np.array([0, 1e8, 0]);
  const ind = np.array([[0], [1]], { dtype: "int32" });
  const p: lax.ScatterParams = { dimensionNumbers: dnW, mode: "fill", uniqueIndices: false };
  const want = lax.scatterAddP.bind1([op, ind, upd], p);
  const got = lax.scatterAddP.bind1([op, ind, upd].map(toWebGPU), p);
  assert.deepEqual(await readValues(want), [5, 0, 7]);
  assert.deepEqual(await readValues(got), [5, 0, 7]);
});

test("hand-derived gather: fill defaults per dtype, clip at both ends", async () => {
  const dn = lax.gatherDnums({ offsetDims: [], collapsedSliceDims: [0], startIndexMap: [0] });
  const ind = toWebGPU(np.array([[-1], [0], [3], [2]], { dtype: "int32" }));
  const g = async (x: Array, mode: lax.GatherScatterMode): Promise<number[]> =>
    readValues(lax.gatherP.bind1([toWebGPU(x), ind], { dimensionNumbers: dn, sliceSizes: [1], mode, fillValue: null }));
  assert.deepEqual(await g(np.array([1, 2, 3]), "fill"), [NaN, 1, NaN, 3]);
  assert.deepEqual(await g(np.array([1, 2, 3], { dtype: "int32" }), "fill"), [-2147483648, 1, -2147483648, 3]);
  assert.deepEqual(await g(np.array([1, 2, 3], { dtype: "uint32" }), "fill"), [4294967295, 1, 4294967295, 3]);
  assert.deepEqual(await g(np.array([0, 0, 0], { dtype: "bool" }), "fill"), [1, 0, 1, 0]);
  assert.deepEqual(await g(lax.complex(np.array([1, 2, 3]), np.array([4, 5, 6])), "fill"), [
    NaN,
    0,
    1,
    4,
    NaN,
    0,
    3,
    6,
  ]);
  assert.deepEqual(await g(np.array([1, 2, 3]), "clip"), [1, 1, 3, 3]);
});

test("heavy collisions: 600 updates into 3 elements (atomic and compare-exchange paths, scan order)", async () => {
  const rand = mulberry32(15);
  const dn = lax.scatterDnums({ updateWindowDims: [], insertedWindowDims: [0], scatterDimsToOperandDims: [0] });
  const ind = randIndices(rand, [600, 1], -1, 4);
  const pending: Promise<void>[] = [];
  for (const dt of ["float32", "int32", "uint32", "bool"] as DType[]) {
    // Small values keep the float32 sum and product finite and sensitive to the order.
    const op = randArray(rand, dt, [3], dt === "float32");
    const upd = randArray(rand, dt, [600], dt === "float32");
    for (const [name, prim] of SCATTER_PRIMS) {
      const p: lax.ScatterParams = { dimensionNumbers: dn, mode: "clip", uniqueIndices: false };
      pending.push(agree((a, i, u) => prim.bind1([a, i, u], p), [op, ind, upd], `${name} ${dt} heavy collisions`));
    }
  }
  await Promise.all(pending);
});

test("order-sensitive scatters through per-element update lists (the large-scatter path, forced)", async () => {
  const saved = scatterTuning.scanLimit;
  scatterTuning.scanLimit = 0;
  try {
    const prims = SCATTER_PRIMS.filter(([n]) => n === "scatterAdd" || n === "scatterMul");
    await scatterSweep(prims, ["float32"], false, 16);
    await scatterSweep(SCATTER_PRIMS, ["complex64"], false, 17);
    await scatterSweep(prims, ["float32"], true, 18);
  } finally {
    scatterTuning.scanLimit = saved;
  }
});

test("an embedding-gradient-shaped float32 scatterAdd (N·B above the scan limit) matches", async () => {
  const rand = mulberry32(19);
  const dn = lax.scatterDnums({ updateWindowDims: [1], insertedWindowDims: [0], scatterDimsToOperandDims: [0] });
  const op = randArray(rand, "float32", [2048, 4]);
  const ind = randIndices(rand, [700, 1], 0, 300); // ~2.3 updates per hit row: collisions
  const upd = randArray(rand, "float32", [700, 4]);
  assert.ok(op.size * 700 > scatterTuning.scanLimit);
  const p: lax.ScatterParams = { dimensionNumbers: dn, mode: "fill", uniqueIndices: false };
  await agree((a, i, u) => lax.scatterAddP.bind1([a, i, u], p), [op, ind, upd], "large scatterAdd");
});
