/**
 * gather, with XLA/JAX GatherDimensionNumbers (including operand/start-indices batching dims).
 * The scatter family and the dimension-number conversions live in indexing-scatter.ts.
 *
 * Semantics (XLA's): the index vector is the last axis of `startIndices`. For each output index,
 * the non-offset output axes select an index vector (`startIndices[batch..., :]`), whose entries
 * give the slice start on the operand axes named by `startIndexMap`; operand batching dims take
 * their start from the matching start-indices batch coordinate; the offset output axes walk the
 * slice over the operand axes that are neither collapsed nor batching.
 * Out-of-bounds starts: "clip" / "promise_in_bounds" clamp the start so the whole slice is in
 * bounds; "fill" returns `fillValue` for every element of such a slice (JAX's FILL_OR_DROP).
 */
import type { Array } from "../core/array.ts";
import { ShapedArray } from "../core/aval.ts";
import { definePrimitive, isUndefined, type Primitive, type UndefinedPrimal } from "../core/primitive.ts";
import { IndexError, InternalError, ShapeError } from "../errors.ts";
import { fmtShape } from "../shape.ts";
import { bdimToFront } from "./batching.ts";
import { zerosLike } from "./elementwise.ts";
import { scatterAdd, scatterDnumsOfGather } from "./indexing-scatter.ts";
import { J, checkAxes, inc, range } from "./axis-lists.ts";
import { checkBatchingAndMap, checkIndices, checkMode } from "./gather-scatter-checks.ts";

/** Out-of-bounds handling of gather/scatter (JAX's GatherScatterMode). */
export type GatherScatterMode = "clip" | "fill" | "promise_in_bounds";
export const GATHER_SCATTER_MODES: readonly GatherScatterMode[] = ["clip", "fill", "promise_in_bounds"];

export interface GatherDimensionNumbers {
  /** Output axes that walk the slice (sorted). */
  readonly offsetDims: readonly number[];
  /** Operand axes of slice size 1 that do not appear in the output (sorted). */
  readonly collapsedSliceDims: readonly number[];
  /** For each entry of the index vector, the operand axis it starts. */
  readonly startIndexMap: readonly number[];
  /** Operand axes matched one-to-one with `startIndicesBatchingDims` (sorted). */
  readonly operandBatchingDims: readonly number[];
  /** Axes of `startIndices` (not the index-vector axis) matched with `operandBatchingDims`. */
  readonly startIndicesBatchingDims: readonly number[];
}

export interface GatherParams {
  readonly dimensionNumbers: GatherDimensionNumbers;
  readonly sliceSizes: readonly number[];
  readonly mode: GatherScatterMode;
  /** "fill" value; null: NaN for float/complex, int32 min, uint32 max, true for bool (JAX's defaults). */
  readonly fillValue: number | null;
}

/** Output aval of a gather (validates everything, XLA's rules). */
function gatherAval(
  x: ShapedArray,
  idx: ShapedArray,
  { dimensionNumbers: dn, sliceSizes, mode }: GatherParams,
): ShapedArray {
  checkMode("gather", mode);
  checkIndices("gather", idx);
  const {
    offsetDims,
    collapsedSliceDims: collapsed,
    startIndexMap,
    operandBatchingDims: obd,
    startIndicesBatchingDims: ibd,
  } = dn;
  if (!globalThis.Array.isArray(sliceSizes) || sliceSizes.length !== x.ndim)
    throw new ShapeError(
      `gather: sliceSizes ${J(sliceSizes)} must have one entry per axis of the operand of shape ${fmtShape(x.shape)}`,
    );
  sliceSizes.forEach((s, i) => {
    if (!Number.isInteger(s) || s < 0 || s > x.shape[i])
      throw new IndexError(
        `gather: sliceSizes ${J(sliceSizes)}: axis ${i} slice size ${s} must be in [0, ${x.shape[i]}] for the operand of shape ${fmtShape(x.shape)}`,
      );
  });
  checkBatchingAndMap(
    "gather",
    x,
    idx,
    obd,
    ibd,
    "startIndicesBatchingDims",
    startIndexMap,
    "startIndexMap",
    collapsed,
    "collapsedSliceDims",
  );
  for (const d of [...collapsed, ...obd]) {
    if (sliceSizes[d] > 1)
      throw new ShapeError(
        `gather: collapsed/batching operand axis ${d} must have slice size <= 1; got sliceSizes ${J(sliceSizes)}`,
      );
  }
  const windowDims = range(x.ndim).filter((d) => !collapsed.includes(d) && !obd.includes(d));
  const batchShape = idx.shape.slice(0, -1);
  const outRank = batchShape.length + offsetDims.length;
  checkAxes("gather", "offsetDims", offsetDims, outRank, true, `an output of rank ${outRank}`);
  if (offsetDims.length !== windowDims.length) {
    throw new ShapeError(
      `gather: offsetDims ${J(offsetDims)} must have one entry per operand axis that is neither collapsed nor batching (${J(windowDims)})`,
    );
  }
  const out: number[] = [];
  let b = 0;
  for (let i = 0; i < outRank; i++) {
    const k = offsetDims.indexOf(i);
    out.push(k >= 0 ? sliceSizes[windowDims[k]] : batchShape[b++]);
  }
  return new ShapedArray(out, x.dtype, x.weakType);
}

export const gatherP: Primitive<GatherParams> = definePrimitive<GatherParams>("gather", {
  abstractEval([x, idx], p) {
    return [gatherAval(x, idx, p)];
  },
  jvp([x, idx], [dx], p) {
    // Tangents of filled (out-of-bounds) slices are zero, as in JAX.
    return [[gatherP.bind1([x, idx], p)], [gatherP.bind1([dx, idx], { ...p, fillValue: 0 })]];
  },
  transpose([ct], [x, idx], { dimensionNumbers: dn, mode }) {
    if (isUndefined(idx))
      throw new InternalError("gather: transpose with respect to the indices (non-linear use of a tangent)");
    const aval = (x as UndefinedPrimal).aval;
    const c = ct as Array;
    return [scatterAdd(zerosLike(aval.strong()), idx as Array, c, scatterDnumsOfGather(dn), { mode }), null];
  },
  batch([x, idx], [dx, di], p, axis) {
    const dn = p.dimensionNumbers;
    if (di === null) {
      // Batched operand only: the batch axis becomes a leading full-size window axis.
      const xf = bdimToFront(x, dx, axis.size);
      const ndn: GatherDimensionNumbers = {
        offsetDims: [0, ...inc(dn.offsetDims)],
        collapsedSliceDims: inc(dn.collapsedSliceDims),
        startIndexMap: inc(dn.startIndexMap),
        operandBatchingDims: inc(dn.operandBatchingDims),
        startIndicesBatchingDims: dn.startIndicesBatchingDims,
      };
      return [
        [gatherP.bind1([xf, idx], { ...p, dimensionNumbers: ndn, sliceSizes: [axis.size, ...p.sliceSizes] })],
        [0],
      ];
    }
    const ifr = bdimToFront(idx, di, axis.size);
    if (dx === null) {
      // Batched indices only: a new leading batch axis of the indices (and of the output).
      const ndn: GatherDimensionNumbers = {
        ...dn,
        offsetDims: inc(dn.offsetDims),
        startIndicesBatchingDims: inc(dn.startIndicesBatchingDims),
      };
      return [[gatherP.bind1([x, ifr], { ...p, dimensionNumbers: ndn })], [0]];
    }
    // Both batched: pair the two batch axes as operand/indices batching dims.
    const xf = bdimToFront(x, dx, axis.size);
    const ndn: GatherDimensionNumbers = {
      offsetDims: inc(dn.offsetDims),
      collapsedSliceDims: inc(dn.collapsedSliceDims),
      startIndexMap: inc(dn.startIndexMap),
      operandBatchingDims: [0, ...inc(dn.operandBatchingDims)],
      startIndicesBatchingDims: [0, ...inc(dn.startIndicesBatchingDims)],
    };
    return [[gatherP.bind1([xf, ifr], { ...p, dimensionNumbers: ndn, sliceSizes: [1, ...p.sliceSizes] })], [0]];
  },
});

export interface GatherOptions {
  /** Out-of-bounds mode (default "promise_in_bounds", as JAX's lax.gather: clamps in practice). */
  mode?: GatherScatterMode;
  /** Value of out-of-bounds slices in "fill" mode (default: see GatherParams.fillValue). */
  fillValue?: number | null;
}

/** Complete partial dimension numbers (batching dims default to none). */
export function gatherDnums(
  dn: Partial<GatherDimensionNumbers> &
    Pick<GatherDimensionNumbers, "offsetDims" | "collapsedSliceDims" | "startIndexMap">,
): GatherDimensionNumbers {
  return {
    offsetDims: [...dn.offsetDims],
    collapsedSliceDims: [...dn.collapsedSliceDims],
    startIndexMap: [...dn.startIndexMap],
    operandBatchingDims: [...(dn.operandBatchingDims ?? [])],
    startIndicesBatchingDims: [...(dn.startIndicesBatchingDims ?? [])],
  };
}

/** lax.gather (XLA semantics; the index vector is the last axis of `startIndices`). */
export function gather(
  operand: Array,
  startIndices: Array,
  dimensionNumbers: Partial<GatherDimensionNumbers> &
    Pick<GatherDimensionNumbers, "offsetDims" | "collapsedSliceDims" | "startIndexMap">,
  sliceSizes: readonly number[],
  opts: GatherOptions = {},
): Array {
  return gatherP.bind1([operand, startIndices], {
    dimensionNumbers: gatherDnums(dimensionNumbers),
    sliceSizes: [...sliceSizes],
    mode: opts.mode ?? "promise_in_bounds",
    fillValue: opts.fillValue ?? null,
  });
}
