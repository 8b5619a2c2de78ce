/**
 * numpy set routines: unique (returnIndex / returnInverse / returnCounts, along an axis),
 * isin, intersect1d, union1d, setdiff1d. All of them sort (stably) and mark first occurrences;
 * the number of results depends on the data, so inside jit/vmap/grad they need JAX's static
 * `size` (results padded with `fillValue`, by default the smallest result as in JAX).
 */
import type { Array, ArrayLike } from "../core/array.ts";
import { ShapedArray } from "../core/aval.ts";
import * as lax from "../primitives/index.ts";
import { normAxis } from "../shape.ts";
import { isFloat } from "../dtype.ts";
import { asArray } from "./convert.ts";
import { promoteArgs } from "./promote.ts";
import { flatTrueIndices, resultSize, searchsorted, takeFlat } from "./searching.ts";

export interface SizeOptions {
  /** Static number of results (JAX's `size`), needed inside transformations; pads or truncates. */
  size?: number;
  /** Value of padding results (default: the smallest result, as JAX). */
  fillValue?: number;
}

export interface UniqueOptions extends SizeOptions {
  /** Also return the index of the first occurrence of each unique value. */
  returnIndex?: boolean;
  /** Also return, for each input element, the index of its unique value. */
  returnInverse?: boolean;
  /** Also return how many times each unique value occurs. */
  returnCounts?: boolean;
  /** Unique slices along this axis (default: the flattened array). */
  axis?: number | null;
  /** Whether all NaNs collapse into one unique value (default true, numpy ≥ 1.24). */
  equalNan?: boolean;
}

const ravel1 = (a: Array): Array => lax.reshape(a, [a.size]);
const isNan = (a: Array): Array =>
  isFloat(a.dtype) ? lax.ne(a, a) : lax.fullLike(new ShapedArray(a.shape, "bool"), 0);

/** Elementwise equality with NaN == NaN when `equalNan` (complex: both parts). */
function same(x: Array, y: Array, equalNan: boolean): Array {
  const eq = lax.eq(x, y);
  if (!equalNan) return eq;
  if (x.dtype === "complex64") {
    const n = (v: Array): Array => lax.bitwiseOr(isNan(lax.real(v)), isNan(lax.imag(v)));
    return lax.bitwiseOr(eq, lax.bitwiseAnd(n(x), n(y)));
  }
  return lax.bitwiseOr(eq, lax.bitwiseAnd(isNan(x), isNan(y)));
}

interface SortedRows {
  /** Sorted rows, each column a 1-d array of length n. */
  cols: Array[];
  /** perm[i]: original position of sorted row i. */
  perm: Array;
  /** True at the first row of each run of equal rows. */
  first: Array;
  n: number;
}

/** Stable lexicographic sort of rows given as columns, and the first-occurrence mask. */
function sortRows(columns: readonly Array[], n: number, equalNan: boolean): SortedRows {
  const iota = lax.iota("int32", [n]);
  const sorted =
    columns.length === 0
      ? [iota]
      : lax.sort([...columns, iota], { dimension: 0, isStable: true, numKeys: columns.length });
  const cols = sorted.slice(0, -1);
  const perm = sorted[sorted.length - 1];
  let first: Array;
  if (n === 0) first = lax.fullLike(new ShapedArray([0], "bool"), 0);
  else {
    let differs = lax.fullLike(new ShapedArray([n - 1], "bool"), 0);
    for (const c of cols)
      differs = lax.bitwiseOr(
        differs,
        lax.bitwiseNot(same(lax.sliceInDim(c, 1, n, 1, 0), lax.sliceInDim(c, 0, n - 1, 1, 0), equalNan)),
      );
    first = lax.concatenate([lax.fullLike(new ShapedArray([1], "bool"), 1), differs], 0);
  }
  return { cols, perm, first, n };
}

/** Whether position i of `size` results is padding (i >= number of true elements of `mask`). */
function padMask(mask: Array, size: number): Array {
  const total = lax.reduceSum(lax.convertElementType(mask, "int32"), [0]);
  return lax.ge(lax.iota("int32", [size]), lax.broadcastInDim(total, [size], []));
}

/** `vals` with padding entries replaced by `fill` (default: the first entry, the smallest). */
function padWith(vals: Array, pad: Array, fill: number | undefined): Array {
  const p = vals.ndim === 1 ? pad : lax.broadcastInDim(pad, vals.shape, [0]);
  let f: Array;
  if (fill !== undefined) f = lax.fullLike(vals, fill);
  else if (vals.shape[0] === 0) return vals;
  else
    f = lax.broadcastInDim(
      lax.sliceInDim(vals, 0, 1, 1, 0),
      vals.shape,
      vals.shape.map((_, i) => i),
    );
  return lax.select(p, f, vals);
}

type Flags = { returnIndex: true } | { returnInverse: true } | { returnCounts: true };

/**
 * The sorted unique elements of `ar` (numpy's `unique`), or unique slices along `axis`. With any
 * of `returnIndex`, `returnInverse`, `returnCounts` the result is `[values, index?, inverse?,
 * counts?]` in that order. Inside jit/vmap/grad pass a static `size`: extra uniques are dropped,
 * missing ones padded with `fillValue` (values), index 0 (index) and count 0 (counts).
 */
export function unique(ar: ArrayLike, opts: UniqueOptions & Flags): Array[];
export function unique(ar: ArrayLike, opts?: UniqueOptions): Array;
export function unique(ar: ArrayLike, opts: UniqueOptions = {}): Array | Array[] {
  const a = asArray(ar);
  const equalNan = opts.equalNan ?? true;
  const axis = opts.axis === undefined || opts.axis === null ? null : normAxis("np.unique", opts.axis, a.ndim);
  let rows: Array;
  if (axis === null) rows = lax.reshape(a, [a.size, 1]);
  else {
    const perm = [axis, ...a.shape.map((_, i) => i).filter((i) => i !== axis)];
    const t = lax.transpose(a, perm);
    rows = lax.reshape(t, [a.shape[axis], a.shape[axis] === 0 ? 0 : a.size / a.shape[axis]]);
  }
  const [n, m] = rows.shape;
  const columns = Array_from(m, (j) => lax.reshape(lax.sliceInDim(rows, j, j + 1, 1, 1), [n]));
  const s = sortRows(columns, n, equalNan);
  const size = resultSize("unique", s.first, opts.size);
  const ind = flatTrueIndices(s.first, size, 0);
  const pad = padMask(s.first, size);
  const sortedRows =
    m === 0
      ? lax.fullLike(new ShapedArray([n, 0], a.dtype), 0)
      : lax.concatenate(
          s.cols.map((c) => lax.reshape(c, [n, 1])),
          1,
        );
  let vals: Array;
  if (n === 0) vals = lax.fullLike(new ShapedArray([size, m], a.dtype), opts.fillValue ?? 0);
  else {
    const g = lax.gather(
      sortedRows,
      lax.reshape(ind, [size, 1]),
      { offsetDims: [1], collapsedSliceDims: [0], startIndexMap: [0] },
      [1, m],
      {
        mode: "promise_in_bounds",
      },
    );
    vals = padWith(g, pad, opts.fillValue);
  }
  let values: Array;
  if (axis === null) values = lax.reshape(vals, [size]);
  else {
    const rest = a.shape.filter((_, i) => i !== axis);
    const v = lax.reshape(vals, [size, ...rest]);
    const back = a.shape.map((_, i) => (i < axis ? i + 1 : i === axis ? 0 : i));
    values = lax.transpose(v, back);
  }
  if (!opts.returnIndex && !opts.returnInverse && !opts.returnCounts) return values;
  const out = [values];
  if (opts.returnIndex) out.push(n === 0 ? lax.fullLike(new ShapedArray([size], "int32"), 0) : takeFlat(s.perm, ind));
  if (opts.returnInverse) {
    let inv = lax.fullLike(new ShapedArray([n], "int32"), 0);
    if (n > 0) {
      const imask = lax.sub(
        lax.cumsum(lax.convertElementType(s.first, "int32"), 0),
        lax.fullLike(new ShapedArray([n], "int32"), 1),
      );
      const dn = { updateWindowDims: [], insertedWindowDims: [0], scatterDimsToOperandDims: [0] };
      inv = lax.scatter(inv, lax.reshape(s.perm, [n, 1]), imask, dn, {
        mode: "promise_in_bounds",
        uniqueIndices: true,
      });
    }
    // numpy 2: the inverse of a flattened unique has the input's shape.
    out.push(axis === null ? lax.reshape(inv, a.shape) : inv);
  }
  if (opts.returnCounts) {
    if (n === 0) out.push(lax.fullLike(new ShapedArray([size], "int32"), 0));
    else {
      const starts = flatTrueIndices(s.first, size + 1);
      // Run starts, padded with n: the count is the distance to the next start.
      out.push(lax.sub(lax.sliceInDim(starts, 1, size + 1, 1, 0), lax.sliceInDim(starts, 0, size, 1, 0)));
    }
  }
  return out;
}

const Array_from = <T>(n: number, f: (i: number) => T): T[] => globalThis.Array.from({ length: n }, (_, i) => f(i));

export interface IsinOptions {
  /** Return the negation (elements not in `testElements`). */
  invert?: boolean;
  /** Accepted for numpy compatibility; the result does not depend on it. */
  assumeUnique?: boolean;
}

/**
 * Whether each element of `element` is in `testElements` (numpy's `isin`): bool of
 * `element`'s shape. Compares every pair (JAX's "compare_all" method), so it batches and
 * stages under jit with a static shape; NaN is in nothing.
 */
export function isin(element: ArrayLike, testElements: ArrayLike, opts: IsinOptions = {}): Array {
  const [e, t0] = promoteArgs(element, testElements);
  const t = ravel1(t0);
  let r: Array;
  if (t.size === 0) r = lax.fullLike(new ShapedArray(e.shape, "bool"), 0);
  else {
    const shape = [...e.shape, t.size];
    const eq = lax.eq(
      lax.broadcastInDim(
        e,
        shape,
        e.shape.map((_, i) => i),
      ),
      lax.broadcastInDim(t, shape, [e.ndim]),
    );
    r = lax.reduceOr(eq, [e.ndim]);
  }
  return opts.invert ? lax.bitwiseNot(r) : r;
}

export interface Intersect1dOptions extends SizeOptions {
  /** Accepted for numpy compatibility (inputs are de-duplicated either way). */
  assumeUnique?: boolean;
  /** Also return the indices of the first occurrences of each common value in ar1 and ar2. */
  returnIndices?: boolean;
}

/** Sorted unique ar1 values and whether each is in ar2 (by binary search in sorted ar2). */
function membership(
  op: string,
  ar1: ArrayLike,
  ar2: ArrayLike,
): { a: SortedRows; inB: Array; posB: Array; b: SortedRows } {
  const [x, y] = promoteArgs(ar1, ar2).map(ravel1);
  const a = sortRows([x], x.size, true);
  const b = sortRows([y], y.size, true);
  const nb = y.size;
  if (nb === 0 || x.size === 0) {
    const z = lax.fullLike(new ShapedArray([x.size], "bool"), 0);
    return { a, inB: z, posB: lax.fullLike(new ShapedArray([x.size], "int32"), 0), b };
  }
  const pos = lax.min(searchsorted(b.cols[0], a.cols[0]), lax.fullLike(new ShapedArray([x.size], "int32"), nb - 1));
  const inB = lax.eq(takeFlat(b.cols[0], pos), a.cols[0]);
  return { a, inB, posB: pos, b };
}

/** The selected entries of sorted ar1 (a compress with a static size). */
function compressSorted(
  op: string,
  s: SortedRows,
  mask: Array,
  opts: SizeOptions,
): { vals: Array; ind: Array; size: number } {
  const size = resultSize(op, mask, opts.size);
  const ind = flatTrueIndices(mask, size, 0);
  if (s.n === 0)
    return { vals: lax.fullLike(new ShapedArray([size], s.cols[0].dtype), opts.fillValue ?? 0), ind, size };
  const vals = padWith(takeFlat(s.cols[0], ind), padMask(mask, size), opts.fillValue);
  return { vals, ind, size };
}

/**
 * The sorted unique values common to both (flattened) inputs (numpy's `intersect1d`). With
 * `returnIndices`, `[values, index in ar1, index in ar2]` (first occurrences). Pass `size`
 * inside transformations.
 */
export function intersect1d(
  ar1: ArrayLike,
  ar2: ArrayLike,
  opts: Intersect1dOptions & { returnIndices: true },
): [Array, Array, Array];
export function intersect1d(ar1: ArrayLike, ar2: ArrayLike, opts?: Intersect1dOptions): Array;
export function intersect1d(
  ar1: ArrayLike,
  ar2: ArrayLike,
  opts: Intersect1dOptions = {},
): Array | [Array, Array, Array] {
  const { a, inB, posB, b } = membership("intersect1d", ar1, ar2);
  const mask = lax.bitwiseAnd(a.first, inB);
  const { vals, ind, size } = compressSorted("intersect1d", a, mask, opts);
  if (!opts.returnIndices) return vals;
  if (a.n === 0 || b.n === 0) {
    const z = lax.fullLike(new ShapedArray([size], "int32"), 0);
    return [vals, z, z];
  }
  return [vals, takeFlat(a.perm, ind), takeFlat(b.perm, takeFlat(posB, ind))];
}

/** The sorted unique values of ar1 that are not in ar2 (numpy's `setdiff1d`). Pass `size` inside transformations. */
export function setdiff1d(ar1: ArrayLike, ar2: ArrayLike, opts: SizeOptions & { assumeUnique?: boolean } = {}): Array {
  const { a, inB } = membership("setdiff1d", ar1, ar2);
  return compressSorted("setdiff1d", a, lax.bitwiseAnd(a.first, lax.bitwiseNot(inB)), opts).vals;
}

/** The sorted unique values in either (flattened) input (numpy's `union1d`). Pass `size` inside transformations. */
export function union1d(ar1: ArrayLike, ar2: ArrayLike, opts: SizeOptions = {}): Array {
  const [x, y] = promoteArgs(ar1, ar2).map(ravel1);
  return unique(lax.concatenate([x, y], 0), { size: opts.size, fillValue: opts.fillValue });
}
