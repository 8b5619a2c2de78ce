/**
 * More numpy array manipulation: tile, repeat, flip, roll, pad (constant/edge/reflect/symmetric/
 * wrap), take, takeAlongAxis, diagonal, diag, trace, meshgrid. Index-based functions lower to
 * gather (so they differentiate and batch through gather's rules); static index maps are built
 * on the host.
 */
import { Array, type ArrayLike } from "../core/array.ts";
import { ShapedArray } from "../core/aval.ts";
import * as lax from "../primitives/index.ts";
import { DTypeError, IndexError, ShapeError, ValueError } from "../errors.ts";
import { broadcastShapes, fmtShape, normAxes, normAxis } from "../shape.ts";
import { array, asArray, scalarArray } from "./convert.ts";
import { broadcastTo } from "./promote.ts";
import { axisOf, ravel, type AxisArg } from "./shape.ts";
import { normalizeIndexArray } from "./indexing.ts";
import { axisOptions, checkOptions, checkValue, isOptionsObject, type OptionSpec } from "./args.ts";

type AxesArg = number | readonly number[] | null | { axis?: number | readonly number[] | null };
const TAKE_SPEC: OptionSpec = { axis: "axis", mode: ["fill", "clip", "wrap", "promise_in_bounds", "drop"], fillValue: "number" };

const range = (n: number): number[] => globalThis.Array.from({ length: n }, (_, i) => i);

/** Integer index arrays from Arrays or JS lists (int32; floats and bools are rejected). */
function toIndexArray(op: string, indices: ArrayLike): Array {
  if (indices instanceof Array) {
    if (indices.dtype !== "int32" && indices.dtype !== "uint32") throw new DTypeError(`${op}: indices must have an integer dtype; got ${indices.dtype}`);
    return lax.convertElementType(indices, "int32");
  }
  if (typeof indices === "number") {
    if (!Number.isInteger(indices)) throw new DTypeError(`${op}: indices must be integers; got ${indices}`);
    return scalarArray(indices, "int32", false);
  }
  if (globalThis.Array.isArray(indices) && (indices as unknown[]).flat(Infinity as 1).some((v) => typeof v !== "number" || !Number.isInteger(v))) {
    throw new DTypeError(`${op}: indices must be integers; got ${JSON.stringify(indices)}`);
  }
  return array(indices, { dtype: "int32" });
}

/** Repeat the whole array `reps` times per axis. */
export function tile(x: ArrayLike, reps: number | readonly number[]): Array {
  const a = asArray(x);
  const r = typeof reps === "number" ? [reps] : [...reps];
  if (r.some((v) => !Number.isInteger(v) || v < 0)) throw new ValueError(`tile: reps must be non-negative integers; got ${JSON.stringify(reps)}`);
  const nd = Math.max(a.ndim, r.length);
  const shape = [...globalThis.Array(nd - a.ndim).fill(1), ...a.shape];
  const rr = [...globalThis.Array(nd - r.length).fill(1), ...r];
  // [r0, s0, r1, s1, …] by broadcasting, then merge each (r, s) pair.
  const big = shape.flatMap((s, i) => [rr[i], s]);
  const b = lax.broadcastInDim(lax.reshape(a, shape), big, range(nd).map((i) => 2 * i + 1));
  return lax.reshape(b, shape.map((s, i) => s * rr[i]));
}

export interface RepeatOptions {
  /** Axis to repeat along (default: the flattened array). */
  axis?: number | null;
}

/** Repeat each element `repeats` times (a number, or one count per element along the axis). */
export function repeat(x: ArrayLike, repeats: number | readonly number[] | Array, axis?: number | null | RepeatOptions): Array {
  const opts = axisOptions<RepeatOptions>("repeat", axis, undefined, { axis: "axis" });
  let a = asArray(x);
  let ax: number;
  if (opts.axis === undefined || opts.axis === null) {
    a = ravel(a);
    ax = 0;
  } else ax = normAxis("repeat", opts.axis, a.ndim);
  const n = a.shape[ax];
  // Per-element counts must be known to size the result (a traced array raises ConcretizationError).
  const counts: number[] = typeof repeats === "number" ? [repeats] : repeats instanceof Array ? globalThis.Array.from(repeats.dataSync(), Number) : [...repeats];
  if (counts.some((c) => !Number.isInteger(c) || c < 0)) throw new ValueError(`repeat: repeats must be non-negative integers; got ${JSON.stringify(counts)}`);
  if (counts.length === 1) {
    const r = counts[0];
    const big = [...a.shape.slice(0, ax + 1), r, ...a.shape.slice(ax + 1)];
    const dims = range(a.ndim).map((i) => (i <= ax ? i : i + 1));
    const out = [...a.shape];
    out[ax] = n * r;
    return lax.reshape(lax.broadcastInDim(a, big, dims), out);
  }
  if (counts.length !== n) throw new ValueError(`repeat: got ${counts.length} repeat counts for an axis of size ${n}`);
  const ids = counts.flatMap((c, i) => globalThis.Array(c).fill(i) as number[]);
  return take(a, ids, { axis: ax, mode: "promise_in_bounds" });
}

/** Reverse the order of elements along `axis` (all axes by default). */
export function flip(x: ArrayLike, axis?: AxesArg): Array {
  const a = asArray(x);
  const ax = axisOptions<{ axis?: number | readonly number[] | null }>("flip", axis, undefined, { axis: "axes" }).axis;
  return lax.rev(a, normAxes("flip", ax ?? undefined, a.ndim));
}
/** Reverse columns (axis 1). */
export function fliplr(x: ArrayLike): Array {
  const a = asArray(x);
  if (a.ndim < 2) throw new ShapeError(`fliplr: input must be at least 2-d; got shape ${fmtShape(a.shape)}`);
  return lax.rev(a, [1]);
}
/** Reverse rows (axis 0). */
export function flipud(x: ArrayLike): Array {
  const a = asArray(x);
  if (a.ndim < 1) throw new ShapeError("flipud: input must be at least 1-d; got a scalar");
  return lax.rev(a, [0]);
}

/** Roll elements along `axis` (the flattened array by default); shifts/axes may be lists. */
export function roll(x: ArrayLike, shift: number | readonly number[] | Array, axis?: AxesArg): Array {
  const a = asArray(x);
  const ax = axisOptions<{ axis?: number | readonly number[] | null }>("roll", axis, undefined, { axis: "axes" }).axis;
  if (ax === undefined || ax === null) return lax.reshape(roll(ravel(a), shift, 0), a.shape);
  const axes = normAxes("roll", typeof ax === "number" ? [ax] : ax, a.ndim);
  if (shift instanceof Array) {
    // A runtime shift: slice the doubled array at (n - shift) mod n.
    if (axes.length !== 1 || shift.ndim !== 0) throw new ValueError("roll: an array shift must be a scalar with a single axis");
    const d = axes[0];
    const n = a.shape[d];
    if (n === 0) return a;
    const s = lax.convertElementType(shift, "int32");
    const nn = lax.fullLike(s, n);
    const start = lax.rem(lax.sub(nn, lax.rem(lax.add(lax.rem(s, nn), nn), nn)), nn);
    const starts: (Array | number)[] = a.shape.map(() => 0);
    starts[d] = start;
    return lax.dynamicSlice(lax.concatenate([a, a], d), starts, a.shape);
  }
  const shifts = typeof shift === "number" ? [shift] : [...shift];
  if (shifts.length !== axes.length && shifts.length !== 1 && axes.length !== 1) throw new ValueError(`roll: shift ${JSON.stringify(shift)} and axis ${JSON.stringify(ax)} must have the same length`);
  const k = Math.max(shifts.length, axes.length);
  const total = a.shape.map(() => 0);
  for (let i = 0; i < k; i++) total[axes[axes.length === 1 ? 0 : i]] += shifts[shifts.length === 1 ? 0 : i];
  let y = a;
  total.forEach((t, d) => {
    const n = a.shape[d];
    if (n === 0) return;
    const s = ((t % n) + n) % n;
    if (s !== 0) y = lax.concatenate([lax.sliceInDim(y, n - s, n, 1, d), lax.sliceInDim(y, 0, n - s, 1, d)], d);
  });
  return y;
}

export type PadWidth = number | readonly number[] | readonly (readonly number[])[];
export type PadMode = "constant" | "edge" | "reflect" | "symmetric" | "wrap";
export interface PadOptions {
  mode?: PadMode;
  /** Fill of "constant" mode: a scalar, `[before, after]`, or one pair per axis. */
  constantValues?: number | readonly number[] | readonly (readonly number[])[];
}

/** numpy's pad-width broadcasting to one [before, after] pair per axis. */
function pairsPerAxis(op: string, w: number | readonly number[] | readonly (readonly number[])[], nd: number, what: string): [number, number][] {
  const bad = (): never => {
    throw new ValueError(`${op}: cannot broadcast ${what} ${JSON.stringify(w)} to ${nd} axes (use a number, [before, after], or one pair per axis)`);
  };
  if (typeof w === "number") return range(nd).map(() => [w, w]);
  if (w.length === 0) bad();
  if (typeof w[0] === "number") {
    const f = w as readonly number[];
    if (f.length === 1) return range(nd).map(() => [f[0], f[0]]);
    if (f.length === 2) return range(nd).map(() => [f[0], f[1]]);
    return bad();
  }
  const p = w as readonly (readonly number[])[];
  const norm = (q: readonly number[]): [number, number] => (q.length === 1 ? [q[0], q[0]] : q.length === 2 ? [q[0], q[1]] : bad());
  if (p.length === 1) return range(nd).map(() => norm(p[0]));
  if (p.length !== nd) bad();
  return p.map(norm);
}

/** The source index of padded position j (-before ≤ j < n + after) for the index-map modes. */
function padSource(mode: Exclude<PadMode, "constant">, j: number, n: number): number {
  const mod = (v: number, m: number): number => ((v % m) + m) % m;
  switch (mode) {
    case "edge":
      return Math.min(Math.max(j, 0), n - 1);
    case "wrap":
      return mod(j, n);
    case "reflect": {
      if (n === 1) return 0;
      const p = mod(j, 2 * (n - 1));
      return p < n ? p : 2 * (n - 1) - p;
    }
    case "symmetric": {
      const p = mod(j, 2 * n);
      return p < n ? p : 2 * n - 1 - p;
    }
  }
}

/**
 * Pad an array (numpy's `np.pad`); modes constant (default), edge, reflect, symmetric, wrap.
 * The mode goes positionally, as numpy's (`pad(x, 1, "edge")`), or in the options.
 */
export function pad(x: ArrayLike, padWidth: PadWidth, modeOrOpts?: PadMode | PadOptions, options?: Omit<PadOptions, "mode">): Array {
  let opts: PadOptions;
  // The mode's value is checked below, with the list of supported modes.
  if (typeof modeOrOpts === "string" || modeOrOpts === undefined) {
    checkOptions("pad", options, { constantValues: "any" });
    opts = { ...options, mode: modeOrOpts };
  } else {
    if (options !== undefined) throw new ValueError("pad: options were given twice (an options object in place of the mode, and another after it)");
    checkOptions("pad", modeOrOpts, { mode: "any", constantValues: "any" });
    opts = modeOrOpts;
  }
  const a = asArray(x);
  const widths = pairsPerAxis("pad", padWidth, a.ndim, "pad_width");
  if (widths.some(([b, f]) => !Number.isInteger(b) || !Number.isInteger(f) || b < 0 || f < 0)) throw new ValueError(`pad: pad widths must be non-negative integers; got ${JSON.stringify(padWidth)}`);
  const mode = opts.mode ?? "constant";
  if (mode === "constant") {
    const cv = opts.constantValues ?? 0;
    if (typeof cv === "number") return lax.pad(a, scalarArray(cv, a.dtype, false), widths.map(([b, f]) => [b, f, 0]));
    // Per-axis fills: pad one axis at a time; later axes cover the corners, as numpy does.
    const vals = pairsPerAxis("pad", cv, a.ndim, "constant_values");
    let y = a;
    widths.forEach(([b, f], d) => {
      const block = (k: number, v: number): Array => {
        const s = [...y.shape];
        s[d] = k;
        return lax.fullLike(new ShapedArray(s, a.dtype), v);
      };
      y = lax.concatenate([block(b, vals[d][0]), y, block(f, vals[d][1])], d);
    });
    return y;
  }
  if (!["edge", "reflect", "symmetric", "wrap"].includes(mode)) throw new ValueError(`pad: unsupported mode '${String(mode)}'; expected constant, edge, reflect, symmetric or wrap`);
  let y = a;
  widths.forEach(([b, f], d) => {
    if (b === 0 && f === 0) return;
    const n = a.shape[d];
    if (n === 0) throw new ValueError(`pad: can't extend empty axis ${d} using mode '${mode}'`);
    const ids = range(n + b + f).map((j) => padSource(mode, j - b, n));
    y = take(y, ids, { axis: d, mode: "promise_in_bounds" });
  });
  return y;
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
export function take(x: ArrayLike, indices: ArrayLike, axis?: number | null | TakeOptions, options?: Omit<TakeOptions, "axis">): Array {
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
  if (n === 0 && idx.size > 0) throw new IndexError(`take: cannot take a non-empty selection from axis ${ax} of size 0`);
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
  return lax.gather(a, lax.reshape(idx, [...idx.shape, 1]), { offsetDims, collapsedSliceDims: [ax], startIndexMap: [ax] }, sliceSizes, { mode, fillValue: opts.fillValue ?? null });
}

/** Take values at `indices` along `axis`, matching the other axes (numpy's take_along_axis). */
export function takeAlongAxis(x: ArrayLike, indices: ArrayLike, axis: AxisArg = -1, opts: Omit<TakeOptions, "axis" | "mode"> & { mode?: lax.GatherScatterMode } = {}): Array {
  let a = asArray(x);
  let idx = toIndexArray("takeAlongAxis", indices);
  let ax0 = axisOf(axis, -1, "takeAlongAxis");
  if (ax0 === null) {
    if (idx.ndim !== 1) throw new ValueError(`takeAlongAxis: indices must be 1-d when axis is null; got shape ${fmtShape(idx.shape)}`);
    a = ravel(a);
    ax0 = 0;
  }
  if (a.ndim !== idx.ndim) throw new ValueError(`takeAlongAxis: indices and array must have the same number of dimensions; got ${idx.ndim} vs ${a.ndim}`);
  const ax = normAxis("takeAlongAxis", ax0, a.ndim);
  const n = a.shape[ax];
  const outShape = broadcastShapes("takeAlongAxis", idx.shape, a.shape.map((d, i) => (i === ax ? 1 : d)));
  if (n === 0) return lax.fullLike(new ShapedArray(outShape, a.dtype), 0);
  const mode = opts.mode ?? "fill";
  if (mode !== "promise_in_bounds") idx = normalizeIndexArray(idx, n);
  const ib = broadcastTo(idx, outShape);
  const ab = broadcastTo(a, outShape.map((d, i) => (i === ax ? n : d)));
  // Every other axis is a batching axis shared by the operand and the indices.
  const bd = range(a.ndim).filter((i) => i !== ax);
  return lax.gather(ab, lax.reshape(ib, [...outShape, 1]), { offsetDims: [], collapsedSliceDims: [ax], startIndexMap: [ax], operandBatchingDims: bd, startIndicesBatchingDims: bd }, outShape.map(() => 1), { mode, fillValue: opts.fillValue ?? null });
}

export interface DiagonalOptions {
  offset?: number;
  axis1?: number;
  axis2?: number;
}

const DIAG_SPEC: OptionSpec = { offset: "integer", axis1: "integer", axis2: "integer" };

/** numpy's `(offset, axis1, axis2)` given positionally or as one options object. */
function diagonalArgs(op: string, offset: number | DiagonalOptions | undefined, axis1: number | undefined, axis2: number | undefined): DiagonalOptions {
  if (offset !== null && typeof offset === "object") {
    if (axis1 !== undefined || axis2 !== undefined) throw new ValueError(`${op}: pass offset/axis1/axis2 either positionally or as one options object, not both`);
    checkOptions(op, offset, DIAG_SPEC);
    return offset;
  }
  const out: DiagonalOptions = { offset, axis1, axis2 };
  for (const [k, v] of Object.entries(out)) if (v !== undefined) checkValue(op, k, v, "integer");
  return out;
}

/**
 * The diagonal(s) over `axis1`, `axis2` (numpy: the other axes first, the diagonal last).
 * `offset`, `axis1`, `axis2` go positionally, as numpy's, or in an options object.
 */
export function diagonal(x: ArrayLike, offset?: number | DiagonalOptions, axis1?: number, axis2?: number): Array {
  const opts = diagonalArgs("diagonal", offset, axis1, axis2);
  const a = asArray(x);
  if (a.ndim < 2) throw new ShapeError(`diagonal: input must be at least 2-d; got shape ${fmtShape(a.shape)}`);
  const [i1, i2] = [normAxis("diagonal", opts.axis1 ?? 0, a.ndim, "axis1"), normAxis("diagonal", opts.axis2 ?? 1, a.ndim, "axis2")];
  if (i1 === i2) throw new ValueError(`diagonal: axis1 and axis2 cannot be the same (both ${i1})`);
  const k = opts.offset ?? 0;
  const rest = range(a.ndim).filter((i) => i !== i1 && i !== i2);
  const t = lax.transpose(a, [...rest, i1, i2]);
  const [n1, n2] = [a.shape[i1], a.shape[i2]];
  const len = Math.max(0, Math.min(n1 - Math.max(0, -k), n2 - Math.max(0, k)));
  const lead = rest.map((i) => a.shape[i]);
  if (len === 0) return lax.fullLike(new ShapedArray([...lead, 0], a.dtype), 0);
  const ids = range(len).flatMap((i) => [i + Math.max(0, -k), i + Math.max(0, k)]);
  const nd = t.ndim;
  return lax.gather(t, array(ids, { dtype: "int32" }).reshape([len, 2]), { offsetDims: range(nd - 2), collapsedSliceDims: [nd - 2, nd - 1], startIndexMap: [nd - 2, nd - 1] }, [...lead, 1, 1], { mode: "promise_in_bounds" });
}

/** numpy's `diag`: a 1-d input gives a matrix with it on the k-th diagonal; 2-d gives that diagonal. */
export function diag(v: ArrayLike, k0?: number | { k?: number }): Array {
  const opts = isOptionsObject(k0) ? k0 : { k: k0 };
  if (isOptionsObject(k0)) checkOptions("diag", k0, { k: "integer" });
  else if (k0 !== undefined) checkValue("diag", "k", k0, "integer");
  const a = asArray(v);
  const k = opts.k ?? 0;
  if (a.ndim === 2) return diagonal(a, { offset: k });
  if (a.ndim !== 1) throw new ShapeError(`diag: input must be 1-d or 2-d; got shape ${fmtShape(a.shape)}`);
  const n = a.shape[0] + Math.abs(k);
  const ids = range(a.shape[0]).flatMap((i) => [i + Math.max(0, -k), i + Math.max(0, k)]);
  const zeros = lax.fullLike(new ShapedArray([n, n], a.dtype), 0);
  if (a.shape[0] === 0) return zeros;
  const dn = { updateWindowDims: [], insertedWindowDims: [0, 1], scatterDimsToOperandDims: [0, 1] };
  return lax.scatterAdd(zeros, array(ids, { dtype: "int32" }).reshape([a.shape[0], 2]), a, dn, { mode: "promise_in_bounds", uniqueIndices: true });
}

/** Sum along a diagonal (numpy's `trace`; `offset`, `axis1`, `axis2` as in `diagonal`). */
export function trace(x: ArrayLike, offset?: number | DiagonalOptions, axis1?: number, axis2?: number): Array {
  const d = diagonal(x, diagonalArgs("trace", offset, axis1, axis2));
  const s = d.dtype === "bool" ? lax.convertElementType(d, "int32") : d;
  return lax.reduceSum(s, [s.ndim - 1]);
}

export interface MeshgridOptions {
  /** "xy" (Cartesian, default: first two output axes swapped) or "ij" (matrix). */
  indexing?: "xy" | "ij";
}

/** Coordinate matrices from coordinate vectors: `meshgrid(x, y, { indexing })`. */
export function meshgrid(...args: (ArrayLike | MeshgridOptions)[]): Array[] {
  const last = args[args.length - 1];
  const isOpts = typeof last === "object" && last !== null && !(last instanceof Array) && !globalThis.Array.isArray(last) && !ArrayBuffer.isView(last);
  const opts = (isOpts ? last : {}) as MeshgridOptions;
  const xs = (isOpts ? args.slice(0, -1) : args).map((v) => ravel(asArray(v as ArrayLike)));
  const indexing = opts.indexing ?? "xy";
  if (indexing !== "xy" && indexing !== "ij") throw new ValueError(`meshgrid: indexing must be 'xy' or 'ij'; got '${String(indexing)}'`);
  const pos = xs.map((_, i) => (indexing === "xy" && xs.length >= 2 && i < 2 ? 1 - i : i));
  const shape: number[] = [];
  xs.forEach((x, i) => (shape[pos[i]] = x.shape[0]));
  return xs.map((x, i) => lax.broadcastInDim(x, shape, [pos[i]]));
}
