/**
 * gather, scatter and scatterAdd as row copies / row additions (compile/routines/indexing.ts on
 * wasm/copy-rows.ts) == the reference kernels (kernels/indexing.ts) bit for bit: embedding rows,
 * take along every axis, takeAlongAxis (batching dims), two-entry index vectors with partial
 * windows, every mode ("clip", "fill", "promise_in_bounds") with out-of-bounds and negative
 * indices, duplicate indices (scatterAdd's sums, scatter's last write), sizes 0/1 and every dtype; then eager calls on
 * transposed operands, jitted programs and gradients (gather's transpose is scatterAdd) against
 * the same programs with `jitCompile` off.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { config, grad, jit, lax, np, random, ShapedArray, type Array, type DType, type TypedArray } from "linax-ts";
import { cpu, getKernel } from "@linax-ts/backend-cpu";
import type { CpuBuffer } from "../src/backend.ts";
import { gatherRoutine, scatterAddRoutine, scatterRoutine } from "../src/compile/routines/indexing.ts";
import { fastRoutine } from "../src/compile/routine-table.ts";

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sameBits = (a: number, b: number): boolean => Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));
function assertSame(got: ArrayLike<number>, want: ArrayLike<number>, what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++)
    if (!sameBits(got[i], want[i])) assert.fail(`${what}: element ${i}: routine ${got[i]}, reference ${want[i]}`);
}

function values(dtype: DType, shape: readonly number[], r: () => number): Array {
  const size = shape.reduce((a, b) => a * b, 1);
  const n = dtype === "complex64" ? 2 * size : size;
  const f = Float64Array.from({ length: n }, () =>
    dtype === "bool"
      ? r() < 0.5
        ? 1
        : 0
      : dtype === "uint32"
        ? Math.floor(r() * 2 ** 32)
        : dtype === "int32"
          ? Math.floor(r() * 2 ** 32) - 2 ** 31
          : 4 * r() - 2,
  );
  const typed =
    dtype === "int32"
      ? Int32Array.from(f)
      : dtype === "uint32"
        ? Uint32Array.from(f)
        : dtype === "bool"
          ? Uint8Array.from(f)
          : Float32Array.from(f);
  return np.array(typed, { dtype }).reshape(shape);
}

/** Indices in [−2, hi + 2]: some out of bounds on both sides, many repeated. */
function indices(shape: number[], hi: number, r: () => number, dtype: DType = "int32"): Array {
  const size = shape.reduce((a, b) => a * b, 1);
  const v = Float64Array.from({ length: size }, () => Math.floor(r() * (hi + 5)) - 2);
  return np
    .array(dtype === "uint32" ? Uint32Array.from(v, (x) => (x < 0 ? 2 ** 32 + x : x)) : Int32Array.from(v), { dtype })
    .reshape(shape);
}

interface Case {
  what: string;
  op: Array;
  idx: Array;
  dn: lax.GatherDimensionNumbers;
  sliceSizes: number[];
}

/** Gather cases over an operand of `shape` (each axis taken, batched, 2-entry vectors). */
function cases(shape: number[], dtype: DType, r: () => number): Case[] {
  const op = values(dtype, shape, r);
  const nd = shape.length;
  const out: Case[] = [];
  const B = [1 + Math.floor(r() * 3), Math.floor(r() * 4)];
  for (let axis = 0; axis < nd; axis++) {
    if (shape[axis] === 0) continue; // a collapsed axis needs slice size 1
    // take(op, idx, axis): out = [pre, idx batch..., post].
    const offsetDims = [
      ...globalThis.Array.from({ length: axis }, (_, i) => i),
      ...globalThis.Array.from({ length: nd - axis - 1 }, (_, i) => axis + B.length + i),
    ];
    const dn = {
      offsetDims,
      collapsedSliceDims: [axis],
      startIndexMap: [axis],
      operandBatchingDims: [],
      startIndicesBatchingDims: [],
    };
    out.push({
      what: `take axis ${axis}`,
      op,
      idx: indices([...B, 1], shape[axis] - 1, r, r() < 0.3 ? "uint32" : "int32"),
      dn,
      sliceSizes: shape.map((s, i) => (i === axis ? 1 : s)),
    });
    // takeAlongAxis: every other axis a batching dim; out has the operand's rank.
    const others = globalThis.Array.from({ length: nd }, (_, i) => i).filter((i) => i !== axis);
    const ishape = shape.map((s, i) => (i === axis ? 1 + Math.floor(r() * 3) : s));
    out.push({
      what: `takeAlongAxis axis ${axis}`,
      op,
      idx: indices([...ishape, 1], shape[axis] - 1, r),
      dn: {
        offsetDims: [],
        collapsedSliceDims: [axis],
        startIndexMap: [axis],
        operandBatchingDims: others,
        startIndicesBatchingDims: others,
      },
      sliceSizes: shape.map((s) => Math.min(s, 1)),
    });
  }
  if (nd >= 2 && shape[0] > 0 && shape[1] > 0) {
    // Rows picked by a 2-entry index (axes 0 and 1 collapsed), and partial windows on [last, 0].
    out.push({
      what: "2-entry index, rows",
      op,
      idx: indices([B[0], 2], Math.min(shape[0], shape[1]) - 1, r),
      dn: {
        offsetDims: globalThis.Array.from({ length: nd - 2 }, (_, i) => 1 + i),
        collapsedSliceDims: [0, 1],
        startIndexMap: [0, 1],
        operandBatchingDims: [],
        startIndicesBatchingDims: [],
      },
      sliceSizes: shape.map((s, i) => (i < 2 ? 1 : s)),
    });
    const ss = shape.map((s) => Math.min(s, 1 + Math.floor(r() * 2)));
    out.push({
      what: "2-entry index, partial windows",
      op,
      idx: indices([B[0], B[1], 2], Math.min(...shape), r),
      dn: {
        offsetDims: globalThis.Array.from({ length: nd }, (_, i) => 2 + i),
        collapsedSliceDims: [],
        startIndexMap: [nd - 1, 0],
        operandBatchingDims: [],
        startIndicesBatchingDims: [],
      },
      sliceSizes: ss,
    });
  }
  return out;
}

const MODES: lax.GatherScatterMode[] = ["clip", "fill", "promise_in_bounds"];
const SHAPES = [[7, 5], [1, 1], [5, 0], [3, 4, 17], [6], [2, 3, 2, 9], [11, 32]];

test("gather, scatter and scatterAdd routines are registered", () => {
  for (const p of ["gather", "scatter", "scatterAdd"]) assert.notEqual(fastRoutine(p), undefined, p);
});

for (const dtype of ["float32", "complex64", "int32", "uint32", "bool"] as DType[]) {
  test(`gather routine == reference kernel, bit for bit: ${dtype}`, () => {
    const r = rng(7 + dtype.length);
    let n = 0;
    for (const shape of SHAPES) {
      for (const c of cases(shape, dtype, r)) {
        for (const mode of MODES) {
          const params = {
            dimensionNumbers: c.dn,
            sliceSizes: c.sliceSizes,
            mode,
            fillValue: mode === "fill" && r() < 0.3 ? 3 : null,
          };
          const outShape = lax.gather(c.op, c.idx, c.dn, c.sliceSizes, { mode }).shape;
          const outAval = new ShapedArray(outShape, dtype);
          const ins = [c.op.dataSync(), c.idx.dataSync()];
          const avals = [c.op.aval, c.idx.aval];
          const bufs = ins.map((d, i) => cpu.fromHost(d, avals[i]) as CpuBuffer);
          const what = `${dtype} [${shape}] ${c.what} idx [${c.idx.shape}] ${mode}`;
          const got = gatherRoutine(cpu, bufs, avals, [outAval], params as unknown as Record<string, unknown>);
          assert.notEqual(got, undefined, `${what}: the routine took it`);
          const want = getKernel("gather")!(ins, avals, [outAval], params as unknown as Record<string, unknown>)[0];
          assertSame(cpu.readSync(got![0]), want, what);
          for (const b of [...bufs, ...got!]) cpu.dispose(b);
          n++;
        }
      }
    }
    assert.ok(n > 100, `${n} cases`);
  });
}

const SCATTERS = [
  ["scatterAdd", scatterAddRoutine, ["float32", "complex64", "int32", "uint32"]],
  ["scatter", scatterRoutine, ["float32", "complex64", "int32", "uint32", "bool"]],
] as const;
for (const [prim, routine, dtypes] of SCATTERS)
  for (const dtype of dtypes as readonly DType[]) {
    test(`${prim} routine == reference kernel, bit for bit (duplicates in order): ${dtype}`, () => {
      const r = rng(99 + dtype.length);
      let n = 0;
      for (const shape of SHAPES) {
        for (const c of cases(shape, dtype, r)) {
          for (const mode of MODES) {
            const updShape = lax.gather(c.op, c.idx, c.dn, c.sliceSizes, { mode }).shape;
            const upd = values(dtype, updShape, r);
            const sdn = {
              updateWindowDims: c.dn.offsetDims,
              insertedWindowDims: c.dn.collapsedSliceDims,
              scatterDimsToOperandDims: c.dn.startIndexMap,
              operandBatchingDims: c.dn.operandBatchingDims,
              scatterIndicesBatchingDims: c.dn.startIndicesBatchingDims,
            };
            const params = { dimensionNumbers: sdn, mode, uniqueIndices: false };
            const ins = [c.op.dataSync(), c.idx.dataSync(), upd.dataSync()];
            const avals = [c.op.aval, c.idx.aval, upd.aval];
            const bufs = ins.map((d, i) => cpu.fromHost(d, avals[i]) as CpuBuffer);
            const what = `${dtype} [${shape}] ${c.what} updates [${updShape}] ${mode}`;
            const got = routine(cpu, bufs, avals, [c.op.aval], params as unknown as Record<string, unknown>);
            assert.notEqual(got, undefined, `${what}: the routine took it`);
            const want = getKernel(prim)!(ins, avals, [c.op.aval], params as unknown as Record<string, unknown>)[0];
            assertSame(cpu.readSync(got![0]), want, what);
            for (const b of [...bufs, ...got!]) cpu.dispose(b);
            n++;
          }
        }
      }
      assert.ok(n > 100, `${n} cases`);
    });
  }

test("scatterAdd of float32 rows hitting one row many times sums in the reference's order", () => {
  // Values whose float32 sums depend on the order: 1, 2^-24 repeated, then −1.
  const op = np.zeros([2, 5]);
  const idx = np
    .array(
      Int32Array.from({ length: 40 }, () => 1),
      { dtype: "int32" },
    )
    .reshape([40, 1]);
  const upd = np
    .array(
      Float32Array.from({ length: 200 }, (_, i) => (i < 5 ? 1 : i >= 195 ? -1 : 2 ** -24)),
      { dtype: "float32" },
    )
    .reshape([40, 5]);
  const dn = { updateWindowDims: [1], insertedWindowDims: [0], scatterDimsToOperandDims: [0] };
  const f = (): TypedArray => lax.scatterAdd(op, idx, upd, dn).dataSync();
  config.update("jitCompile", false);
  const want = f();
  config.update("jitCompile", true);
  const got = f();
  assertSame(got, want, "ordered sums");
  assert.equal(want[5], 0, "1 + 2^-24 rounds back to 1 each time, then − 1");
});

function onVsOff(what: string, f: () => Array[]): void {
  config.update("jitCompile", true);
  const got = f().map((a) => a.dataSync());
  config.update("jitCompile", false);
  let want: TypedArray[];
  try {
    want = f().map((a) => a.dataSync());
  } finally {
    config.update("jitCompile", true);
  }
  got.forEach((g, i) => assertSame(g, want[i], `${what}: output ${i}`));
}

const table = random.normal(random.PRNGKey(0), [50, 24]);
const ids = np
  .array(
    Int32Array.from({ length: 36 }, (_, i) => ((i * 7) % 53) - 1),
    { dtype: "int32" },
  )
  .reshape([6, 6]);

test("eager gathers (embedding, take, takeAlongAxis) on transposed operands == reference", () => {
  const tt = np.transpose(table);
  onVsOff("eager", () => [
    np.take(table, ids, { axis: 0 }),
    np.take(tt, ids, { axis: 1 }),
    np.take(tt, np.clip(ids, 0, 23), { axis: 0 }),
    table.get(np.clip(ids, 0, 49)),
    np.takeAlongAxis(tt, np.clip(np.tile(ids, [4, 9]), 0, 49), 1),
    lax.scatter(tt, np.expandDims(np.clip(ids.reshape([36]), 0, 49), 1), random.normal(random.PRNGKey(5), [24, 36]), {
      updateWindowDims: [0],
      insertedWindowDims: [1],
      scatterDimsToOperandDims: [1],
    }),
  ]);
});

test("jitted embedding lookups and their gradients == reference", () => {
  const f = jit((t: Array, i: Array): Array[] => [np.tanh(np.take(t, i, { axis: 0 })), np.take(t, i, { axis: 1 })]);
  onVsOff("jit", () => f(table, np.clip(ids, 0, 23)));
  const loss = (t: Array): Array => {
    const e = np.take(t, ids, { axis: 0 });
    return np.add(np.sum(np.multiply(e, e)), np.sum(np.sin(np.take(t, np.clip(ids, 0, 23), { axis: 1 }))));
  };
  onVsOff("jit(grad)", () => [jit(grad(loss))(table)]);
});

test("gather/scatter routines free their temporaries (heap blocks and live buffers balance)", () => {
  const t = random.normal(random.PRNGKey(1), [40, 16]);
  const i = np
    .array(
      Int32Array.from({ length: 30 }, (_, k) => ((k * 13) % 45) - 2),
      { dtype: "int32" },
    )
    .reshape([30, 1]);
  const u = random.normal(random.PRNGKey(2), [30, 16]);
  const dn = {
    offsetDims: [1],
    collapsedSliceDims: [0],
    startIndexMap: [0],
    operandBatchingDims: [],
    startIndicesBatchingDims: [],
  };
  const sdn = {
    updateWindowDims: [1],
    insertedWindowDims: [0],
    scatterDimsToOperandDims: [0],
    operandBatchingDims: [],
    scatterIndicesBatchingDims: [],
  };
  const round = (): void => {
    const bufs = [t, i, u].map((a) => cpu.fromHost(a.dataSync(), a.aval) as CpuBuffer);
    const g = gatherRoutine(cpu, bufs.slice(0, 2), [t.aval, i.aval], [u.aval], {
      dimensionNumbers: dn,
      sliceSizes: [1, 16],
      mode: "fill",
      fillValue: null,
    })!;
    const s = scatterAddRoutine(cpu, bufs, [t.aval, i.aval, u.aval], [t.aval], {
      dimensionNumbers: sdn,
      mode: "clip",
      uniqueIndices: false,
    })!;
    for (const b of [...bufs, ...g, ...s]) cpu.dispose(b);
  };
  round();
  const [blocks, live] = [cpu.heap.liveBlocks, cpu.liveBuffers()];
  for (let k = 0; k < 5; k++) round();
  assert.equal(cpu.heap.liveBlocks, blocks, "heap blocks");
  assert.equal(cpu.liveBuffers(), live, "live buffers");
});
