/**
 * numpy's `take` (JAX's out-of-bounds modes, negative indices wrapping once) and
 * `takeAlongAxis`. Both lower to gather, so they differentiate and batch through gather's rules.
 */
import { Array, type ArrayLike } from "../core/array.ts";
import { ShapedArray } from "../core/aval.ts";
import * as lax from "../primitives/index.ts";
import { DTypeError, IndexError, ValueError } from "../errors.ts";
import { broadcastShapes, fmtShape, normAxis } from "../shape.ts";
import { array, asArray, scalarArray } from "./convert.ts";
import { broadcastTo } from "./promote.ts";
import { axisOf, ravel, type AxisArg } from "./shape.ts";
import { normalizeIndexArray } from "./indexing.ts";
import { axisOptions, type OptionSpec } from "./args.ts";

const TAKE_SPEC: OptionSpec = {
  axis: "axis",
  mode: ["fill", "clip", "wrap", "promise_in_bounds", "drop"],
  fillValue: "number",
};

const range = (n: number): number[] => globalThis.Array.from({ length: n }, (_, i) => i);

/** Integer index arrays from Arrays or JS lists (int32; floats and bools are rejected). */
function toIndexArray(op: string, indices: ArrayLike): Array {
  if (indices instanceof Array) {
    if (indices.dtype !== "int32" && indices.dtype !== "uint32")
      throw new DTypeError(`${op}: indices must have an integer dtype; got ${indices.dtype}`);
    return lax.convertElementType(indices, "int32");
  }
  if (typeof indices === "number") {
    if (!Number.isInteger(indices)) throw new DTypeError(`${op}: indices must be integers; got ${indices}`);
    return scalarArray(indices, "int32", false);
  }
  if (
    globalThis.Array.isArray(indices) &&
    (indices as unknown[]).flat(Infinity as 1).some((v) => typeof v !== "number" || !Number.isInteger(v))
  ) {
    throw new DTypeError(`${op}: indices must be integers; got ${JSON.stringify(indices)}`);
  }
  return array(indices, { dtype: "int32" });
}

export interface TakeOptions {
  /** Axis to take along (default: the flattened array). */
  axis?: number | null;
  /** Out-of-bounds handling: "fill" (default, like JAX), "clip", "wrap", "promise_in_bounds". */
  mode?: lax.GatherScatterMode | "wrap";
  /** Value for out-of-bounds indices in "fill" mode (default NaN / int min / uint max / true). */
  fillValue?: number;
}

/** Take elements along an axis (numpy's `take`, JAX's out-of-bounds modes; negative indices wrap once). */
export function take(
  x: ArrayLike,
  indices: ArrayLike,
  axis?: number | null | TakeOptions,
  options?: Omit<TakeOptions, "axis">,
): Array {
  const opts = axisOptions<TakeOptions>("take", axis, options, TAKE_SPEC);
  let a = asArray(x);
  let idx = toIndexArray("take", indices);
  let ax: number;
  if (opts.axis === undefined || opts.axis === null) {
    a = ravel(a);
    ax = 0;
  } else ax = normAxis("take", opts.axis, a.ndim);
  const n = a.shape[ax];
  const outShape = [...a.shape.slice(0, ax), ...idx.shape, ...a.shape.slice(ax + 1)];
  if (n === 0 && idx.size > 0)
    throw new IndexError(`take: cannot take a non-empty selection from axis ${ax} of size 0`);
  if (idx.size === 0) return lax.fullLike(new ShapedArray(outShape, a.dtype), 0);
  let mode: lax.GatherScatterMode;
  if (opts.mode === "wrap") {
    const nn = lax.fullLike(idx, n);
    idx = lax.rem(lax.add(lax.rem(idx, nn), nn), nn);
    mode = "promise_in_bounds";
  } else {
    mode = opts.mode ?? "fill";
    if (mode === "fill") idx = normalizeIndexArray(idx, n);
  }
  const sliceSizes = [...a.shape];
  sliceSizes[ax] = 1;
  const offsetDims = [...range(ax), ...range(a.ndim - ax - 1).map((i) => ax + idx.ndim + i)];
  return lax.gather(
    a,
    lax.reshape(idx, [...idx.shape, 1]),
    { offsetDims, collapsedSliceDims: [ax], startIndexMap: [ax] },
    sliceSizes,
    {
      mode,
      fillValue: opts.fillValue ?? null,
    },
  );
}

/** Take values at `indices` along `axis`, matching the other axes (numpy's take_along_axis). */
export function takeAlongAxis(
  x: ArrayLike,
  indices: ArrayLike,
  axis: AxisArg = -1,
  opts: Omit<TakeOptions, "axis" | "mode"> & { mode?: lax.GatherScatterMode } = {},
): Array {
  let a = asArray(x);
  let idx = toIndexArray("takeAlongAxis", indices);
  let ax0 = axisOf(axis, -1, "takeAlongAxis");
  if (ax0 === null) {
    if (idx.ndim !== 1)
      throw new ValueError(`takeAlongAxis: indices must be 1-d when axis is null; got shape ${fmtShape(idx.shape)}`);
    a = ravel(a);
    ax0 = 0;
  }
  if (a.ndim !== idx.ndim)
    throw new ValueError(
      `takeAlongAxis: indices and array must have the same number of dimensions; got ${idx.ndim} vs ${a.ndim}`,
    );
  const ax = normAxis("takeAlongAxis", ax0, a.ndim);
  const n = a.shape[ax];
  const outShape = broadcastShapes(
    "takeAlongAxis",
    idx.shape,
    a.shape.map((d, i) => (i === ax ? 1 : d)),
  );
  if (n === 0) return lax.fullLike(new ShapedArray(outShape, a.dtype), 0);
  const mode = opts.mode ?? "fill";
  if (mode !== "promise_in_bounds") idx = normalizeIndexArray(idx, n);
  const ib = broadcastTo(idx, outShape);
  const ab = broadcastTo(
    a,
    outShape.map((d, i) => (i === ax ? n : d)),
  );
  // Every other axis is a batching axis shared by the operand and the indices.
  const bd = range(a.ndim).filter((i) => i !== ax);
  return lax.gather(
    ab,
    lax.reshape(ib, [...outShape, 1]),
    {
      offsetDims: [],
      collapsedSliceDims: [ax],
      startIndexMap: [ax],
      operandBatchingDims: bd,
      startIndicesBatchingDims: bd,
    },
    outShape.map(() => 1),
    { mode, fillValue: opts.fillValue ?? null },
  );
}
