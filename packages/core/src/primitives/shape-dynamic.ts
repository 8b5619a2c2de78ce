/**
 * dynamicSlice and dynamicUpdateSlice: slices whose start indices are runtime int32/uint32 scalar
 * operands. As in XLA, each start index is clamped into [0, dim - sliceSize] so the slice (or
 * update) is always in bounds. Batching with batched start indices goes through gather / scatter.
 */
import type { Array } from "../core/array.ts";
import { ShapedArray } from "../core/aval.ts";
import { definePrimitive, isUndefined, type Primitive, type UndefinedPrimal } from "../core/primitive.ts";
import { DTypeError, IndexError, InternalError, ShapeError } from "../errors.ts";
import { fmtShape } from "../shape.ts";
import { bdimToFront } from "./batching.ts";
import { scalar } from "./scalars-and-batch-dims.ts";
import { zerosLike } from "./elementwise.ts";
import { convertElementType } from "./convert.ts";
import { reshape } from "./shape-ops.ts";
import { concatenate } from "./shape-slicing.ts";
import { gatherP } from "./indexing.ts";
import { J, range } from "./axis-lists.ts";
import { scatterP } from "./indexing-scatter.ts";

function checkStartIndices(op: string, x: ShapedArray, idx: readonly ShapedArray[]): void {
  if (idx.length !== x.ndim)
    throw new ShapeError(
      `${op}: needs one start index per axis of the operand of shape ${fmtShape(x.shape)}; got ${idx.length}`,
    );
  idx.forEach((a, i) => {
    if (a.ndim !== 0) throw new ShapeError(`${op}: start index ${i} must be a scalar; got shape ${fmtShape(a.shape)}`);
    if (a.dtype !== "int32" && a.dtype !== "uint32")
      throw new DTypeError(`${op}: start index ${i} must have dtype int32 or uint32; got ${a.dtype}`);
  });
}

/** Stack the (possibly batched) scalar start indices into a [B, n] int32 index array. */
function stackIndices(idx: readonly Array[], dims: readonly (number | null)[], size: number): Array {
  const cols = idx.map((a, i) => reshape(bdimToFront(convertElementType(a, "int32"), dims[i], size), [size, 1]));
  return concatenate(cols, 1);
}

/** Start-index operands from numbers or arrays. */
function asIndexOperands(startIndices: readonly (Array | number)[]): Array[] {
  return startIndices.map((s) => (typeof s === "number" ? scalar(s, "int32") : s));
}

// ------------------------------------------------------------------ dynamicSlice

export interface DynamicSliceParams {
  readonly sliceSizes: readonly number[];
}

export const dynamicSliceP: Primitive<DynamicSliceParams> = definePrimitive<DynamicSliceParams>("dynamicSlice", {
  abstractEval([x, ...idx], { sliceSizes }) {
    checkStartIndices("dynamicSlice", x, idx);
    if (!globalThis.Array.isArray(sliceSizes) || sliceSizes.length !== x.ndim)
      throw new ShapeError(
        `dynamicSlice: sliceSizes ${J(sliceSizes)} must have one entry per axis of the operand of shape ${fmtShape(x.shape)}`,
      );
    sliceSizes.forEach((s, i) => {
      if (!Number.isInteger(s) || s < 0 || s > x.shape[i])
        throw new IndexError(
          `dynamicSlice: sliceSizes ${J(sliceSizes)}: axis ${i} slice size ${s} must be in [0, ${x.shape[i]}] for the operand of shape ${fmtShape(x.shape)}`,
        );
    });
    return [new ShapedArray(sliceSizes, x.dtype, x.weakType)];
  },
  jvp([x, ...idx], [dx], p) {
    return [[dynamicSliceP.bind1([x, ...idx], p)], [dynamicSliceP.bind1([dx, ...idx], p)]];
  },
  transpose([ct], [x, ...idx]) {
    if (idx.some(isUndefined))
      throw new InternalError("dynamicSlice: transpose with respect to a start index (non-linear use of a tangent)");
    const aval = (x as UndefinedPrimal).aval;
    return [
      dynamicUpdateSliceP.bind1([zerosLike(aval.strong()), ct as Array, ...(idx as Array[])], {}),
      ...idx.map(() => null),
    ];
  },
  batch([x, ...idx], [dx, ...di], { sliceSizes }, axis) {
    if (di.every((d) => d === null)) {
      const b = dx as number;
      const sizes = [...sliceSizes.slice(0, b), x.shape[b], ...sliceSizes.slice(b)];
      const starts = [...idx.slice(0, b), scalar(0, "int32"), ...idx.slice(b)];
      return [
        [dynamicSliceP.bind1([x, ...starts.map((s) => convertElementType(s, "int32"))], { sliceSizes: sizes })],
        [b],
      ];
    }
    // Batched start indices: a gather whose index vectors are the stacked starts ("clip" mode
    // clamps exactly like dynamicSlice).
    const n = sliceSizes.length;
    const I = stackIndices(idx, di, axis.size);
    if (dx === null) {
      const dn = {
        offsetDims: range(n, 1),
        collapsedSliceDims: [],
        startIndexMap: range(n),
        operandBatchingDims: [],
        startIndicesBatchingDims: [],
      };
      return [
        [gatherP.bind1([x, I], { dimensionNumbers: dn, sliceSizes: [...sliceSizes], mode: "clip", fillValue: null })],
        [0],
      ];
    }
    const xf = bdimToFront(x, dx, axis.size);
    const dn = {
      offsetDims: range(n, 1),
      collapsedSliceDims: [],
      startIndexMap: range(n, 1),
      operandBatchingDims: [0],
      startIndicesBatchingDims: [0],
    };
    return [
      [gatherP.bind1([xf, I], { dimensionNumbers: dn, sliceSizes: [1, ...sliceSizes], mode: "clip", fillValue: null })],
      [0],
    ];
  },
});

/** lax.dynamicSlice: `x[s0:s0+size0, ...]` with runtime starts, clamped into range. */
export function dynamicSlice(
  x: Array,
  startIndices: readonly (Array | number)[],
  sliceSizes: readonly number[],
): Array {
  return dynamicSliceP.bind1([x, ...asIndexOperands(startIndices)], { sliceSizes: [...sliceSizes] });
}

/** lax.dynamicIndexInDim: `x[..., i, ...]` along `axis` with a runtime index (keepdims optional). */
export function dynamicIndexInDim(x: Array, index: Array | number, axis = 0, keepdims = true): Array {
  const starts: (Array | number)[] = x.shape.map(() => 0);
  starts[axis] = index;
  const sizes = [...x.shape];
  sizes[axis] = 1;
  const y = dynamicSlice(x, starts, sizes);
  return keepdims
    ? y
    : reshape(
        y,
        x.shape.filter((_, i) => i !== axis),
      );
}

// ------------------------------------------------------------------ dynamicUpdateSlice

export const dynamicUpdateSliceP: Primitive<Record<string, never>> = definePrimitive<Record<string, never>>(
  "dynamicUpdateSlice",
  {
    abstractEval([x, upd, ...idx]) {
      if (upd === undefined) throw new ShapeError("dynamicUpdateSlice: missing the update operand");
      if (upd.dtype !== x.dtype)
        throw new DTypeError(
          `dynamicUpdateSlice: update has dtype ${upd.dtype} but the operand has dtype ${x.dtype}; they must match`,
        );
      if (upd.ndim !== x.ndim || upd.shape.some((d, i) => d > x.shape[i])) {
        throw new ShapeError(
          `dynamicUpdateSlice: update of shape ${fmtShape(upd.shape)} must have the operand's rank and fit inside the operand of shape ${fmtShape(x.shape)}`,
        );
      }
      checkStartIndices("dynamicUpdateSlice", x, idx);
      return [x];
    },
    jvp([x, upd, ...idx], [dx, du]) {
      return [[dynamicUpdateSliceP.bind1([x, upd, ...idx], {})], [dynamicUpdateSliceP.bind1([dx, du, ...idx], {})]];
    },
    transpose([ct], [x, upd, ...idx]) {
      if (idx.some(isUndefined))
        throw new InternalError(
          "dynamicUpdateSlice: transpose with respect to a start index (non-linear use of a tangent)",
        );
      const c = ct as Array;
      const uAval = (upd as { aval: ShapedArray }).aval;
      const starts = idx as Array[];
      const ctX = isUndefined(x) ? dynamicUpdateSliceP.bind1([c, zerosLike(uAval.strong()), ...starts], {}) : null;
      const ctU = isUndefined(upd) ? dynamicSliceP.bind1([c, ...starts], { sliceSizes: [...uAval.shape] }) : null;
      return [ctX, ctU, ...idx.map(() => null)];
    },
    batch([x, upd, ...idx], [dx, du, ...di], _p, axis) {
      const xf = bdimToFront(x, dx, axis.size);
      const uf = bdimToFront(upd, du, axis.size);
      if (di.every((d) => d === null)) {
        const starts = [scalar(0, "int32"), ...idx.map((s) => convertElementType(s, "int32"))];
        return [[dynamicUpdateSliceP.bind1([xf, uf, ...starts], {})], [0]];
      }
      // Batched start indices: a scatter (set) of each example's update window, "clip" mode clamps
      // like dynamicUpdateSlice; windows of different examples never collide.
      const n = idx.length;
      const I = stackIndices(idx, di, axis.size);
      const dn = {
        updateWindowDims: range(n, 1),
        insertedWindowDims: [],
        scatterDimsToOperandDims: range(n, 1),
        operandBatchingDims: [0],
        scatterIndicesBatchingDims: [0],
      };
      return [[scatterP.bind1([xf, I, uf], { dimensionNumbers: dn, mode: "clip", uniqueIndices: true })], [0]];
    },
  },
);

/** lax.dynamicUpdateSlice: `x` with `update` written at runtime starts (clamped into range). */
export function dynamicUpdateSlice(x: Array, update: Array, startIndices: readonly (Array | number)[]): Array {
  return dynamicUpdateSliceP.bind1([x, update, ...asIndexOperands(startIndices)], {});
}
