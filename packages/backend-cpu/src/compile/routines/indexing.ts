/**
 * gather, scatter and scatterAdd as block copies (wasm/copy-rows.ts). The dense side (the gather's output,
 * the scatter's updates) is split into rows: its trailing axes that walk a trailing run of operand
 * axes in order, with whole windows (the first axis of the run may be partial), form one
 * contiguous block on both sides — an embedding row `table[i, :]`, `take(x, i, axis)`'s
 * trailing slab, or one element when nothing is contiguous (`takeAlongAxis` along the last axis).
 * Per row the operand offset is computed here exactly as the reference kernel's walk does
 * (kernels/indexing.ts: index vectors, batching dims, "clip"/"fill"/"promise_in_bounds"), once per
 * row instead of once per element; the Wasm module then moves or adds whole rows.
 *
 * gather and scatter (set): any dtype ("fill" rows get the reference's fill values; a later
 * scatter row wins). scatterAdd: float32, complex64, int32, uint32. Rows are applied in the
 * reference's order (row-major over the updates), so float sums are the reference's bit for bit. Everything else returns undefined (the reference kernel runs).
 */
import type { lax, ShapedArray, TypedArray } from "@linax-ts/core";
import type { CpuBackend, CpuBuffer } from "../../backend.ts";
import { buildCopyRowsModule, type AddRowsFn, type GatherRowsFn } from "../../wasm/copy-rows.ts";
import { prod, routineExports, withHeapAddresses } from "./wasm-cache.ts";

const bytesPer = (dtype: string): number => (dtype === "complex64" ? 8 : dtype === "bool" ? 1 : 4);
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
const stridesOf = (shape: readonly number[]): number[] => {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    s[d] = acc;
    acc *= shape[d];
  }
  return s;
};

/** The walk of kernels/indexing.ts (`makeWalk`), described for the dense side's axes. */
interface WalkSpec {
  readonly opShape: readonly number[];
  readonly idxShape: readonly number[];
  /** Shape of the dense side (gather output / scatter updates). */
  readonly dense: readonly number[];
  /** Dense axes that select index vectors, in index batch order. */
  readonly batchPos: readonly number[];
  /** windowPos[w]: the dense axis walking operand axis windowDims[w]. */
  readonly windowPos: readonly number[];
  readonly windowDims: readonly number[];
  readonly indexMap: readonly number[];
  readonly obd: readonly number[];
  readonly ibd: readonly number[];
  readonly windowSize: readonly number[];
  readonly clip: boolean;
}

/** Rows of the dense side: row r's operand element offset, or −1 (out of bounds, not clipped). */
interface RowTable {
  readonly rows: number;
  /** Elements per row. */
  readonly block: number;
  readonly offsets: Int32Array;
  readonly anyOut: boolean;
}

/** Dense axes [t, end) form a row when they walk operand axes [d, end) in order, whole windows after the first. */
function rowAxes(s: WalkSpec): number {
  let t = s.dense.length;
  let d = s.opShape.length;
  while (t > 0 && d > 0) {
    const w = s.windowPos.indexOf(t - 1);
    if (w < 0 || s.windowDims[w] !== d - 1 || s.indexMap.includes(d - 1)) break;
    t--;
    d--;
    if (s.windowSize[d] !== s.opShape[d]) break;
  }
  return t;
}

function rowTable(s: WalkSpec, ind: TypedArray): RowTable | null {
  // An axis both indexed and batching: the reference's override order; leave it to the reference.
  if (s.indexMap.some((d) => s.obd.includes(d))) return null;
  const t = rowAxes(s);
  const block = prod(s.dense, t);
  const prefix = s.dense.slice(0, t);
  const rows = prod(prefix);
  const opStr = stridesOf(s.opShape);
  const k = s.idxShape[s.idxShape.length - 1];
  const idxStr = stridesOf(s.idxShape.slice(0, -1));
  // Per prefix axis: its operand stride and its index-batch stride.
  const opStep = prefix.map((_, p) => {
    const w = s.windowPos.indexOf(p);
    if (w >= 0) return opStr[s.windowDims[w]];
    const q = s.ibd.indexOf(s.batchPos.indexOf(p));
    return q >= 0 ? opStr[s.obd[q]] : 0;
  });
  const idxStep = prefix.map((_, p) => {
    const b = s.batchPos.indexOf(p);
    return b >= 0 ? idxStr[b] : 0;
  });
  const hi = s.indexMap.map((d) => s.opShape[d] - s.windowSize[d]);
  const mapStr = s.indexMap.map((d) => opStr[d]);
  const offsets = new Int32Array(rows);
  const c = new Array<number>(t).fill(0);
  let anyOut = false;
  for (let r = 0; r < rows; r++) {
    let ib = 0;
    let src = 0;
    for (let p = 0; p < t; p++) {
      ib += c[p] * idxStep[p];
      src += c[p] * opStep[p];
    }
    for (let j = 0; j < k; j++) {
      let v = Number(ind[ib * k + j]);
      if (s.clip) v = Math.min(Math.max(v, 0), hi[j]);
      else if (v < 0 || v > hi[j]) {
        src = -1;
        break;
      }
      src += v * mapStr[j];
    }
    if (src < 0) anyOut = true;
    offsets[r] = src;
    for (let p = t - 1; p >= 0; p--) {
      if (++c[p] < prefix[p]) break;
      c[p] = 0;
    }
  }
  return { rows, block, offsets, anyOut };
}

/** The table in the heap as byte offsets (× `es`), or null if an offset does not fit an int32. */
function tableBlock(be: CpuBackend, t: RowTable, es: number): number | null {
  const ptr = be.heap.alloc(4 * Math.max(1, t.rows));
  const v = be.heap.view(ptr, "int32", t.rows) as Int32Array;
  for (let r = 0; r < t.rows; r++) {
    const o = t.offsets[r];
    const b = o < 0 ? -1 : o * es;
    if (b > 0x7fffffff) {
      be.heap.free(ptr);
      return null;
    }
    v[r] = b;
  }
  return ptr;
}

const exportsOf = (be: CpuBackend): WebAssembly.Exports =>
  routineExports(be.heap.memory, "copy-rows", buildCopyRowsModule);

/** JAX's default fill values, as the reference kernel's `fillFor`. */
function fillFor(dtype: string, v: number | null): number {
  if (v !== null) return v;
  return dtype === "int32" ? -2147483648 : dtype === "uint32" ? 4294967295 : dtype === "bool" ? 1 : NaN;
}

/** gather as row copies (see the module comment), or undefined for what it does not cover. */
export function gatherRoutine(
  be: CpuBackend,
  [op, ind]: readonly CpuBuffer[],
  [oa, ia]: readonly ShapedArray[],
  [outA]: readonly ShapedArray[],
  params: Readonly<Record<string, unknown>>,
): CpuBuffer[] | undefined {
  const { dimensionNumbers: dn, sliceSizes, mode, fillValue } = params as unknown as lax.GatherParams;
  if (ia.dtype !== "int32" && ia.dtype !== "uint32") return undefined;
  const windowDims = range(oa.ndim).filter(
    (d) => !dn.collapsedSliceDims.includes(d) && !dn.operandBatchingDims.includes(d),
  );
  const spec: WalkSpec = {
    opShape: oa.shape,
    idxShape: ia.shape,
    dense: outA.shape,
    batchPos: range(outA.ndim).filter((d) => !dn.offsetDims.includes(d)),
    windowPos: dn.offsetDims,
    windowDims,
    indexMap: dn.startIndexMap,
    obd: dn.operandBatchingDims,
    ibd: dn.startIndicesBatchingDims,
    windowSize: sliceSizes,
    clip: mode !== "fill",
  };
  const table = rowTable(spec, be.view(ind));
  if (table === null) return undefined;
  const es = bytesPer(outA.dtype);
  const out = be.allocHeap(outA.dtype, outA.size);
  if (outA.size === 0) return [out];
  const tptr = tableBlock(be, table, es);
  if (tptr === null) {
    be.dispose(out);
    return undefined;
  }
  try {
    withHeapAddresses(be, [op], ([src]) =>
      (exportsOf(be).gather as GatherRowsFn)(src, out.ptr, tptr, table.rows, table.block * es),
    );
  } finally {
    be.heap.free(tptr);
  }
  if (table.anyOut) {
    // Out-of-bounds rows of "fill" mode: the fill value (complex: fill + 0i), as the reference.
    const v = be.view(out);
    const w = outA.dtype === "complex64" ? 2 : 1;
    const fill = fillFor(outA.dtype, fillValue);
    for (let r = 0; r < table.rows; r++) {
      if (table.offsets[r] >= 0) continue;
      for (let e = r * table.block; e < (r + 1) * table.block; e++) {
        v[w * e] = fill;
        if (w === 2) v[2 * e + 1] = 0;
      }
    }
  }
  return [out];
}

/**
 * scatter (`add` false: rows copied, a later one wins) or scatterAdd (rows added) in the
 * reference's order, or undefined for what it does not cover.
 */
function scatterRows(add: boolean) {
  return (
    be: CpuBackend,
    [op, ind, upd]: readonly CpuBuffer[],
    [oa, ia, ua]: readonly ShapedArray[],
    [outA]: readonly ShapedArray[],
    params: Readonly<Record<string, unknown>>,
  ): CpuBuffer[] | undefined => {
    const { dimensionNumbers: dn, mode } = params as unknown as lax.ScatterParams;
    const dt = oa.dtype;
    if (add && dt !== "float32" && dt !== "complex64" && dt !== "int32" && dt !== "uint32") return undefined;
    if (ua.dtype !== dt || outA.dtype !== dt || (ia.dtype !== "int32" && ia.dtype !== "uint32")) return undefined;
    const windowDims = range(oa.ndim).filter(
      (d) => !dn.insertedWindowDims.includes(d) && !dn.operandBatchingDims.includes(d),
    );
    const windowSize = oa.shape.map(() => 1);
    windowDims.forEach((d, k) => (windowSize[d] = ua.shape[dn.updateWindowDims[k]]));
    const spec: WalkSpec = {
      opShape: oa.shape,
      idxShape: ia.shape,
      dense: ua.shape,
      batchPos: range(ua.ndim).filter((d) => !dn.updateWindowDims.includes(d)),
      windowPos: dn.updateWindowDims,
      windowDims,
      indexMap: dn.scatterDimsToOperandDims,
      obd: dn.operandBatchingDims,
      ibd: dn.scatterIndicesBatchingDims,
      windowSize,
      clip: mode === "clip",
    };
    const table = ua.size === 0 ? null : rowTable(spec, be.view(ind));
    if (table === null && ua.size !== 0) return undefined;
    const es = bytesPer(dt);
    const out = be.allocHeap(dt, outA.size);
    if (outA.size === 0) return [out];
    be.heap.view(out.ptr, dt, outA.size).set(be.view(op) as never);
    if (table === null || table.rows === 0 || table.block === 0) return [out];
    const tptr = tableBlock(be, table, es);
    if (tptr === null) {
      be.dispose(out);
      return undefined;
    }
    try {
      const ex = exportsOf(be);
      if (!add)
        withHeapAddresses(be, [upd], ([u]) =>
          (ex.scatter as GatherRowsFn)(out.ptr, u, tptr, table.rows, table.block * es),
        );
      else {
        const fn = (dt === "float32" || dt === "complex64" ? ex.addF32 : ex.addI32) as AddRowsFn;
        withHeapAddresses(be, [upd], ([u]) =>
          fn(out.ptr, u, tptr, table.rows, table.block * (dt === "complex64" ? 2 : 1)),
        );
      }
    } finally {
      be.heap.free(tptr);
    }
    return [out];
  };
}

/** scatterAdd as row additions in the reference's order (float32, complex64, int32, uint32). */
export const scatterAddRoutine = scatterRows(true);
/** scatter (set) as row copies in the reference's order (every dtype). */
export const scatterRoutine = scatterRows(false);
