/**
 * numpy searching: searchsorted (binary search, NaN-aware total order), nonzero, flatnonzero and
 * argwhere. The output size of nonzero/argwhere depends on the data, so inside jit/vmap/grad
 * they need JAX's static `size` (padded with `fillValue`); without it they raise the
 * concretization error JAX raises.
 */
import type { Array, ArrayLike } from "../core/array.ts";
import { ShapedArray } from "../core/aval.ts";
import * as lax from "../primitives/index.ts";
import { ConcretizationError, DTypeError, ShapeError, ValueError } from "../errors.ts";
import { fmtShape } from "../shape.ts";
import { isFloat } from "../dtype.ts";
import { asArray } from "./convert.ts";
import { promoteArgs } from "./promote.ts";
import { checkOptions, type OptionSpec } from "./args.ts";

/**
 * NaN-aware "x sorts before y" (numpy's sort order: NaN after everything). For non-floats it
 * is plain `<`.
 */
export function sortsBefore(x: Array, y: Array): Array {
  if (x.dtype === "complex64") {
    // numpy's (and JAX's) complex order: lexicographic in (real, imag), each part NaN-last and
    // NaN parts equal to each other — R+Rj < R+nanj < nan+Rj < nan+nanj.
    const [xr, yr] = [lax.real(x), lax.real(y)];
    const sameRe = lax.bitwiseOr(lax.eq(xr, yr), lax.bitwiseAnd(lax.ne(xr, xr), lax.ne(yr, yr)));
    return lax.bitwiseOr(sortsBefore(xr, yr), lax.bitwiseAnd(sameRe, sortsBefore(lax.imag(x), lax.imag(y))));
  }
  const lt = lax.lt(x, y);
  if (!isFloat(x.dtype)) return lt;
  // x < y, or y is NaN and x is not.
  return lax.bitwiseOr(lt, lax.bitwiseAnd(lax.ne(y, y), lax.eq(x, x)));
}

export interface SearchsortedOptions {
  /** "left" (default): the first suitable index; "right": the last. */
  side?: "left" | "right";
  /** Indices that sort `a` (numpy's `sorter`), when `a` itself is not sorted. */
  sorter?: ArrayLike;
  /**
   * JAX's choice of algorithm. Every method gives the same indices; this port always runs an
   * unrolled binary search, so the option is accepted (and checked) for JAX code and has no effect.
   */
  method?: "scan" | "scan_unrolled" | "sort" | "compare_all";
}

/** numpy's / JAX's keyword set of `searchsorted`, each with its kind. */
const SEARCHSORTED_OPTIONS: OptionSpec = {
  side: ["left", "right"],
  sorter: "arraylike",
  method: ["scan", "scan_unrolled", "sort", "compare_all"],
};

/**
 * Indices where the elements of `v` would be inserted into the sorted 1-d `a` to keep it sorted
 * (numpy's `searchsorted`): with `side: "left"` the first such index (a[i-1] < v <= a[i]), with
 * `side: "right"` the last (a[i-1] <= v < a[i]). NaNs sort last, as in numpy; complex values in
 * numpy's lexicographic (real, imag) order. The search is an
 * unrolled binary search (⌈log2(n+1)⌉ gather steps), so it works under jit and vmap. int32 result
 * of `v`'s shape.
 */
export function searchsorted(a: ArrayLike, v: ArrayLike, opts: SearchsortedOptions = {}): Array {
  checkOptions("np.searchsorted", opts, SEARCHSORTED_OPTIONS);
  const side = opts.side ?? "left";
  if (side !== "left" && side !== "right")
    throw new ValueError(`np.searchsorted: side must be 'left' or 'right'; got '${String(side)}'`);
  let [arr, vals] = promoteArgs(a, v);
  if (arr.ndim !== 1) throw new ShapeError(`np.searchsorted: a must be 1-d; got shape ${fmtShape(arr.shape)}`);
  if (opts.sorter !== undefined) {
    const s = asArray(opts.sorter);
    if (s.dtype !== "int32" && s.dtype !== "uint32")
      throw new DTypeError(`np.searchsorted: sorter must be an integer array; got dtype ${s.dtype}`);
    if (s.ndim !== 1 || s.shape[0] !== arr.shape[0])
      throw new ShapeError(
        `np.searchsorted: sorter must be 1-d of the same length as a (${arr.shape[0]}); got shape ${fmtShape(s.shape)}`,
      );
    arr = takeFlat(arr, lax.convertElementType(s, "int32"));
  }
  const n = arr.shape[0];
  const shape = vals.shape;
  let lo = lax.fullLike(new ShapedArray(shape, "int32"), 0);
  let hi = lax.fullLike(new ShapedArray(shape, "int32"), n);
  if (n === 0) return lo;
  const steps = Math.ceil(Math.log2(n + 1));
  const one = lax.fullLike(lo, 1);
  for (let i = 0; i < steps; i++) {
    const mid = lax.shiftRightLogical(lax.add(lo, hi), one);
    const val = takeFlat(arr, lax.min(mid, lax.fullLike(mid, n - 1)));
    // Move right past a[mid] when it sorts before v (left), or v does not sort before it (right).
    let right = side === "left" ? sortsBefore(val, vals) : lax.bitwiseNot(sortsBefore(vals, val));
    right = lax.bitwiseAnd(right, lax.lt(mid, hi));
    lo = lax.select(right, lax.add(mid, one), lo);
    hi = lax.select(right, hi, mid);
  }
  return lo;
}

/** `a[idx]` for a 1-d `a` and in-bounds int32 indices of any shape (a gather). */
export function takeFlat(a: Array, idx: Array): Array {
  return lax.gather(
    a,
    lax.reshape(idx, [...idx.shape, 1]),
    { offsetDims: [], collapsedSliceDims: [0], startIndexMap: [0] },
    [1],
    {
      mode: "promise_in_bounds",
    },
  );
}

/**
 * Count of each value 0..length-1 in int32 `values` (any shape), optionally weighted; values
 * outside [0, length) are dropped. One scatter-add (so it works under jit with a static length).
 */
export function countValues(values: Array, length: number, weights?: Array): Array {
  const w = weights ?? lax.fullLike(new ShapedArray(values.shape, "int32"), 1);
  const zeros = lax.fullLike(new ShapedArray([length], w.dtype), 0);
  if (values.size === 0 || length === 0) return zeros;
  const flat = lax.reshape(values, [values.size, 1]);
  const dn = { updateWindowDims: [], insertedWindowDims: [0], scatterDimsToOperandDims: [0] };
  return lax.scatterAdd(zeros, flat, lax.reshape(w, [values.size]), dn, { mode: "fill" });
}

export interface NonzeroOptions {
  /**
   * Static number of results (JAX's `size`): needed inside jit/vmap/grad. Extra results are
   * dropped; missing ones are padded with `fillValue`.
   */
  size?: number;
  /** Padding index when fewer than `size` elements are non-zero (default 0); one per axis or a scalar. */
  fillValue?: number | readonly number[];
}

/** numpy truthiness as a bool mask. */
function truthMask(a: Array): Array {
  if (a.dtype === "bool") return a;
  return lax.ne(a, lax.fullLike(a, 0));
}

/** The static result size: `size`, or the concrete number of true elements of `mask`. */
export function resultSize(op: string, mask: Array, size: number | undefined): number {
  if (size !== undefined) {
    if (!Number.isInteger(size) || size < 0)
      throw new ValueError(`np.${op}: size must be a non-negative integer; got ${size}`);
    return size;
  }
  if (mask.isTracer) {
    throw new ConcretizationError(
      `np.${op}: the size of the result depends on the values of a traced array ${mask.aval.toString()}, so it cannot be computed inside jit/vmap/grad. ` +
        `Pass a static size (np.${op}(x, { size, fillValue })), as JAX's size argument, to use np.${op} within transformations.`,
    );
  }
  let n = 0;
  for (const b of mask.dataSync() as Uint8Array) n += b;
  return n;
}

/**
 * Flat (row-major) positions of the true elements of a bool `mask`, in order, as int32 of
 * length `size` (JAX's trick: cumsum(bincount(cumsum(mask)))). Padding positions equal
 * `mask.size` unless `fill` is given.
 */
export function flatTrueIndices(mask: Array, size: number, fill?: number): Array {
  const flat = lax.reshape(mask, [mask.size]);
  if (size === 0) return lax.fullLike(new ShapedArray([0], "int32"), 0);
  if (mask.size === 0) return lax.fullLike(new ShapedArray([size], "int32"), fill ?? 0);
  const c = lax.cumsum(lax.convertElementType(flat, "int32"), 0);
  let idx = lax.cumsum(countValues(c, size), 0);
  if (fill !== undefined) {
    const total = lax.reduceSum(lax.convertElementType(flat, "int32"), [0]);
    const pad = lax.ge(lax.iota("int32", [size]), lax.broadcastInDim(total, [size], []));
    idx = lax.select(pad, lax.fullLike(idx, fill), idx);
  }
  return idx;
}

/**
 * The indices of the non-zero elements, one int32 array per axis (numpy's `nonzero`, in
 * row-major order). Inside transformations pass `size` (and optionally `fillValue`).
 */
export function nonzero(x: ArrayLike, opts: NonzeroOptions = {}): Array[] {
  const a = asArray(x);
  if (a.ndim === 0)
    throw new ValueError("np.nonzero: calling nonzero on 0-d arrays is not allowed; use np.nonzero(np.atleast1d(x))");
  const mask = truthMask(a);
  const size = resultSize("nonzero", mask, opts.size);
  const fills = fillsPerAxis("nonzero", opts.fillValue, a.ndim);
  const flat = flatTrueIndices(mask, size);
  let stride = a.size;
  const out = a.shape.map((d) => {
    stride = d === 0 ? 0 : stride / d;
    if (d === 0 || size === 0) return lax.fullLike(new ShapedArray([size], "int32"), 0);
    return lax.rem(lax.div(flat, lax.fullLike(flat, stride)), lax.fullLike(flat, d));
  });
  if (opts.fillValue === undefined || size === 0) return out;
  const total = lax.reduceSum(lax.convertElementType(lax.reshape(mask, [mask.size]), "int32"), [0]);
  const pad = lax.ge(lax.iota("int32", [size]), lax.broadcastInDim(total, [size], []));
  return out.map((o, i) => lax.select(pad, lax.fullLike(o, fills[i]), o));
}

function fillsPerAxis(op: string, fill: number | readonly number[] | undefined, nd: number): number[] {
  if (fill === undefined) return globalThis.Array(nd).fill(0);
  const f = typeof fill === "number" ? globalThis.Array(nd).fill(fill) : [...fill];
  if (f.length !== nd || f.some((v) => !Number.isInteger(v)))
    throw new ValueError(
      `np.${op}: fillValue must be an integer or one integer per axis (${nd}); got ${JSON.stringify(fill)}`,
    );
  return f;
}

/** Indices of the non-zero elements of the flattened array (numpy's `flatnonzero`). */
export function flatnonzero(x: ArrayLike, opts: NonzeroOptions = {}): Array {
  const a = asArray(x);
  return nonzero(lax.reshape(a, [a.size]), opts)[0];
}

/**
 * The indices of the non-zero elements grouped by element: int32 of shape [count, ndim]
 * (numpy's `argwhere`). Inside transformations pass `size` (and optionally `fillValue`).
 */
export function argwhere(x: ArrayLike, opts: NonzeroOptions = {}): Array {
  const a = asArray(x);
  if (a.ndim === 0) {
    // numpy: shape [1, 0] for a true scalar, [0, 0] otherwise.
    const size = resultSize("argwhere", truthMask(a), opts.size);
    return lax.fullLike(new ShapedArray([size, 0], "int32"), 0);
  }
  const cols = nonzero(a, opts);
  return lax.concatenate(
    cols.map((c) => lax.reshape(c, [c.shape[0], 1])),
    1,
  );
}
