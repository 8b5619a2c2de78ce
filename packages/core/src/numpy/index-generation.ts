/**
 * numpy's index generators ("index tricks"): unravelIndex, indices, diagIndices(From),
 * trilIndices(From), triuIndices(From). Index sets that depend only on shapes are computed on the
 * host and stored once (int32); unravelIndex works on traced indices.
 */
import type { Array, ArrayLike } from "../core/array.ts";
import { fromHost } from "../core/concrete.ts";
import { ShapedArray } from "../core/aval.ts";
import { getBackend } from "../backend.ts";
import * as lax from "../primitives/index.ts";
import { isInteger, type DType } from "../dtype.ts";
import { DTypeError, ShapeError, ValueError } from "../errors.ts";
import { fmtShape } from "../shape.ts";
import { asArray } from "./convert.ts";
import { floorDivide, remainder } from "./math.ts";

/** int32 host data as a 1-d array. */
function int32s(v: readonly number[]): Array {
  return fromHost(getBackend(), Int32Array.from(v), new ShapedArray([v.length], "int32"));
}
function checkCount(op: string, n: number, arg: string): void {
  if (!Number.isInteger(n) || n < 0) throw new ValueError(`np.${op}: ${arg} must be a non-negative integer; got ${n}`);
}

/**
 * The multi-index of flat (row-major) `indices` into an array of `shape` (numpy's
 * `unravel_index`): one int32 array per axis. As in JAX, negative indices count from the end and
 * out-of-bounds indices are clipped (numpy raises instead).
 */
export function unravelIndex(indices: ArrayLike, shape: number | readonly number[]): Array[] {
  const idx = asArray(indices);
  if (!isInteger(idx.dtype))
    throw new DTypeError(`np.unravelIndex: indices must have an integer dtype; got ${idx.dtype}`);
  const sh = typeof shape === "number" ? [shape] : [...shape];
  if (sh.some((d) => !Number.isInteger(d) || d < 0))
    throw new ValueError(`np.unravelIndex: invalid shape ${fmtShape(sh)}`);
  let rest = lax.convertElementType(idx, "int32");
  const out: Array[] = new globalThis.Array(sh.length);
  for (let i = sh.length - 1; i >= 0; i--) {
    out[i] = remainder(rest, sh[i]);
    rest = floorDivide(rest, sh[i]);
  }
  // After peeling every axis, rest is 0 in bounds, -1 for a negative in-bounds index.
  const above = lax.gt(rest, lax.fullLike(rest, 0));
  const below = lax.lt(rest, lax.fullLike(rest, -1));
  return out.map((o, i) => lax.select(above, lax.fullLike(o, sh[i] - 1), lax.select(below, lax.fullLike(o, 0), o)));
}

export interface IndicesOptions {
  /** dtype of the result (default int32). */
  dtype?: DType;
  /** Return one broadcastable array per axis instead of one stacked grid. */
  sparse?: boolean;
}

/**
 * A grid of indices (numpy's `indices`): shape [len(dimensions), ...dimensions], entry [i, ...]
 * the index along axis i; with `sparse`, one array per axis with singleton other axes.
 */
export function indices(dimensions: readonly number[], opts: IndicesOptions & { sparse: true }): Array[];
export function indices(dimensions: readonly number[], opts?: IndicesOptions): Array;
export function indices(dimensions: readonly number[], opts: IndicesOptions = {}): Array | Array[] {
  const dims = [...dimensions];
  dims.forEach((d) => checkCount("indices", d, "every dimension"));
  const dtype = opts.dtype ?? "int32";
  const per = dims.map((d, i) =>
    lax.convertElementType(
      lax.reshape(
        lax.iota("int32", [d]),
        dims.map((e, j) => (j === i ? e : 1)),
      ),
      dtype,
    ),
  );
  if (opts.sparse) return per;
  if (dims.length === 0) return lax.fullLike(new ShapedArray([0], dtype), 0);
  return lax.concatenate(
    per.map((p) =>
      lax.reshape(
        lax.broadcastInDim(
          p,
          dims,
          dims.map((_, j) => j),
        ),
        [1, ...dims],
      ),
    ),
    0,
  );
}

/** Indices of the main diagonal of an n×…×n array of rank `ndim` (numpy's `diag_indices`). */
export function diagIndices(n: number, ndim = 2): Array[] {
  checkCount("diagIndices", n, "n");
  checkCount("diagIndices", ndim, "ndim");
  const r = lax.iota("int32", [n]);
  return globalThis.Array.from({ length: ndim }, () => r);
}

/** Indices of the main diagonal of `arr` (all its axes must have the same length). */
export function diagIndicesFrom(arr: ArrayLike): Array[] {
  const a = asArray(arr);
  if (a.ndim < 2)
    throw new ShapeError(`np.diagIndicesFrom: input array must be at least 2-d; got shape ${fmtShape(a.shape)}`);
  if (a.shape.some((d) => d !== a.shape[0]))
    throw new ShapeError(
      `np.diagIndicesFrom: all dimensions of input must be of equal length; got shape ${fmtShape(a.shape)}`,
    );
  return diagIndices(a.shape[0], a.ndim);
}

function triangle(op: string, n: number, k: number, m: number | undefined, lower: boolean): [Array, Array] {
  const cols = m ?? n;
  checkCount(op, n, "n");
  checkCount(op, cols, "m");
  if (!Number.isInteger(k)) throw new ValueError(`np.${op}: k must be an integer; got ${k}`);
  const rows: number[] = [];
  const cs: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < cols; j++) {
      if (lower ? j <= i + k : j >= i + k) {
        rows.push(i);
        cs.push(j);
      }
    }
  }
  return [int32s(rows), int32s(cs)];
}

/** Row and column indices of the lower triangle (j <= i + k) of an n×m matrix (numpy's `tril_indices`). */
export function trilIndices(n: number, k = 0, m?: number): [Array, Array] {
  return triangle("trilIndices", n, k, m, true);
}
/** Row and column indices of the upper triangle (j >= i + k) of an n×m matrix (numpy's `triu_indices`). */
export function triuIndices(n: number, k = 0, m?: number): [Array, Array] {
  return triangle("triuIndices", n, k, m, false);
}
function fromMatrix(op: string, arr: ArrayLike): [number, number] {
  const a = asArray(arr);
  if (a.ndim !== 2) throw new ShapeError(`np.${op}: input array must be 2-d; got shape ${fmtShape(a.shape)}`);
  return [a.shape[0], a.shape[1]];
}
/** trilIndices for the shape of the 2-d `arr`. */
export function trilIndicesFrom(arr: ArrayLike, k = 0): [Array, Array] {
  const [n, m] = fromMatrix("trilIndicesFrom", arr);
  return trilIndices(n, k, m);
}
/** triuIndices for the shape of the 2-d `arr`. */
export function triuIndicesFrom(arr: ArrayLike, k = 0): [Array, Array] {
  const [n, m] = fromMatrix("triuIndicesFrom", arr);
  return triuIndices(n, k, m);
}
