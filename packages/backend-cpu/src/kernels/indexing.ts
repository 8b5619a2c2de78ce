/**
 * gather and the scatter family with general XLA dimension numbers: one simple loop over output
 * (gather) or update (scatter) elements that computes the operand element each one touches.
 * Semantics are documented in core's primitives/indexing.ts and indexing-scatter.ts.
 */
import type { lax, ShapedArray, TypedArray } from "@linax-ts/core";
import { registerKernel } from "../registry.ts";
import { alloc, stridesOf } from "./strided-index.ts";
import { copyElem, slots } from "./shape-slicing.ts";

/** JAX's default fill values: NaN for inexact, the extreme integer, true for bool. */
function fillFor(a: ShapedArray, v: number | null): number {
  if (v !== null) return v;
  switch (a.dtype) {
    case "int32":
      return -2147483648;
    case "uint32":
      return 4294967295;
    case "bool":
      return 1;
    default:
      return NaN;
  }
}

interface Walk {
  /** Flat operand index of the element, or -1 when its window is out of bounds (fill / drop). */
  (coords: readonly number[]): number;
}

/**
 * Build the per-element operand address function shared by gather and scatter.
 * `batchPos`: the axes of the walked array (gather output / scatter updates) that select index
 * vectors; `windowPos[k]`: the walked axis that walks operand axis `windowDims[k]`.
 */
function makeWalk(
  opShape: readonly number[],
  ind: TypedArray,
  indShape: readonly number[],
  batchPos: readonly number[],
  windowPos: readonly number[],
  windowDims: readonly number[],
  indexMap: readonly number[],
  obd: readonly number[],
  ibd: readonly number[],
  windowSize: readonly number[],
  clip: boolean,
): Walk {
  const opStr = stridesOf(opShape);
  const k = indShape[indShape.length - 1];
  const idxStr = stridesOf(indShape.slice(0, -1));
  const start = new Array<number>(opShape.length).fill(0);
  return (c) => {
    let ib = 0;
    for (let j = 0; j < batchPos.length; j++) ib += c[batchPos[j]] * idxStr[j];
    start.fill(0);
    for (let j = 0; j < k; j++) start[indexMap[j]] = Number(ind[ib * k + j]);
    for (let b = 0; b < obd.length; b++) start[obd[b]] = c[batchPos[ibd[b]]];
    let src = 0;
    for (let j = 0; j < k; j++) {
      const d = indexMap[j];
      const hi = opShape[d] - windowSize[d];
      let s = start[d];
      if (clip) s = Math.min(Math.max(s, 0), hi);
      else if (s < 0 || s > hi) return -1;
      start[d] = s;
    }
    for (let d = 0; d < opShape.length; d++) src += start[d] * opStr[d];
    for (let w = 0; w < windowDims.length; w++) src += c[windowPos[w]] * opStr[windowDims[w]];
    return src;
  };
}

/** Row-major odometer step (wraps to zeros after the last index). */
function step(c: number[], shape: readonly number[]): void {
  for (let d = shape.length - 1; d >= 0; d--) {
    if (++c[d] < shape[d]) return;
    c[d] = 0;
  }
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

registerKernel("gather", ([op, ind], [oa, ia], [outA], params) => {
  const { dimensionNumbers: dn, sliceSizes, mode, fillValue } = params as unknown as lax.GatherParams;
  const windowDims = range(oa.ndim).filter(
    (d) => !dn.collapsedSliceDims.includes(d) && !dn.operandBatchingDims.includes(d),
  );
  const batchPos = range(outA.ndim).filter((d) => !dn.offsetDims.includes(d));
  const walk = makeWalk(
    oa.shape,
    ind,
    ia.shape,
    batchPos,
    dn.offsetDims,
    windowDims,
    dn.startIndexMap,
    dn.operandBatchingDims,
    dn.startIndicesBatchingDims,
    sliceSizes,
    mode !== "fill",
  );
  const out = alloc(outA);
  const w = slots(outA);
  const fill = fillFor(outA, fillValue);
  const c = new Array<number>(outA.ndim).fill(0);
  for (let i = 0; i < outA.size; i++) {
    const src = walk(c);
    if (src >= 0) copyElem(out, i, op, src, w);
    else {
      out[w * i] = fill;
      if (w === 2) out[2 * i + 1] = 0;
    }
    step(c, outA.shape);
  }
  return [out];
});

type Combine = "set" | "add" | "mul" | "min" | "max";

/** Apply one update `u[ui]` to `out[oi]` with the combiner, per dtype. */
function combiner(kind: Combine, dtype: string): (out: TypedArray, oi: number, u: TypedArray, ui: number) => void {
  if (dtype === "complex64") {
    switch (kind) {
      case "set":
        return (o, i, u, j) => copyElem(o, i, u, j, 2);
      case "add":
        return (o, i, u, j) => {
          o[2 * i] += u[2 * j];
          o[2 * i + 1] += u[2 * j + 1];
        };
      case "mul":
        return (o, i, u, j) => {
          const [a, b, c, d] = [o[2 * i], o[2 * i + 1], u[2 * j], u[2 * j + 1]];
          o[2 * i] = a * c - b * d;
          o[2 * i + 1] = a * d + b * c;
        };
      default: {
        // Lexicographic order (real part, then imaginary), as JAX orders complex numbers.
        const takeU =
          kind === "max"
            ? (a: number, b: number, c: number, d: number) => c > a || (c === a && d > b)
            : (a: number, b: number, c: number, d: number) => c < a || (c === a && d < b);
        return (o, i, u, j) => {
          if (takeU(o[2 * i], o[2 * i + 1], u[2 * j], u[2 * j + 1])) copyElem(o, i, u, j, 2);
        };
      }
    }
  }
  if (dtype === "bool") {
    if (kind === "set") return (o, i, u, j) => (o[i] = u[j]);
    // numpy's bool arithmetic: + is or, * is and; min is and, max is or.
    const isOr = kind === "add" || kind === "max";
    return (o, i, u, j) => (o[i] = isOr ? o[i] | u[j] : o[i] & u[j]);
  }
  const isInt = dtype === "int32" || dtype === "uint32";
  switch (kind) {
    case "set":
      return (o, i, u, j) => (o[i] = u[j]);
    case "add":
      return (o, i, u, j) => (o[i] += u[j]);
    case "mul":
      // Math.imul keeps integer products exact modulo 2^32 (a float64 product would round).
      return isInt ? (o, i, u, j) => (o[i] = Math.imul(o[i], u[j])) : (o, i, u, j) => (o[i] *= u[j]);
    case "min":
      return (o, i, u, j) => (o[i] = Math.min(o[i], u[j]));
    case "max":
      return (o, i, u, j) => (o[i] = Math.max(o[i], u[j]));
  }
}

function scatterKernel(kind: Combine) {
  return (
    [op, ind, upd]: readonly TypedArray[],
    [oa, ia, ua]: readonly ShapedArray[],
    _outs: readonly ShapedArray[],
    params: Readonly<Record<string, unknown>>,
  ): TypedArray[] => {
    const { dimensionNumbers: dn, mode } = params as unknown as lax.ScatterParams;
    const windowDims = range(oa.ndim).filter(
      (d) => !dn.insertedWindowDims.includes(d) && !dn.operandBatchingDims.includes(d),
    );
    const scatterPos = range(ua.ndim).filter((d) => !dn.updateWindowDims.includes(d));
    const windowSize = oa.shape.map(() => 1);
    windowDims.forEach((d, k) => (windowSize[d] = ua.shape[dn.updateWindowDims[k]]));
    const walk = makeWalk(
      oa.shape,
      ind,
      ia.shape,
      scatterPos,
      dn.updateWindowDims,
      windowDims,
      dn.scatterDimsToOperandDims,
      dn.operandBatchingDims,
      dn.scatterIndicesBatchingDims,
      windowSize,
      mode === "clip",
    );
    const out = op.slice() as TypedArray;
    const apply = combiner(kind, oa.dtype);
    const c = new Array<number>(ua.ndim).fill(0);
    for (let i = 0; i < ua.size; i++) {
      const dst = walk(c);
      if (dst >= 0) apply(out, dst, upd, i);
      step(c, ua.shape);
    }
    return [out];
  };
}

registerKernel("scatter", scatterKernel("set"));
registerKernel("scatterAdd", scatterKernel("add"));
registerKernel("scatterMul", scatterKernel("mul"));
registerKernel("scatterMin", scatterKernel("min"));
registerKernel("scatterMax", scatterKernel("max"));
