/**
 * Matrix building blocks shared by the linear-algebra rules (linalg.ts, linalg-lu.ts) and the
 * `np.linalg` layer: batched matmul, (conjugate) transposes of the trailing two axes,
 * triangular masks, identity matrices, diagonals. Everything acts on the trailing two axes and
 * treats leading axes as batch dims. Masks and identities are host constants (their values
 * depend on shapes only), so they cost nothing at trace time and stage as jaxpr constants.
 */
import type { Array } from "../core/array.ts";
import { ShapedArray } from "../core/aval.ts";
import { fromHost } from "../core/concrete.ts";
import { getBackend } from "../backend.ts";
import { allocTyped, type DType } from "../dtype.ts";
import { DTypeError, ShapeError } from "../errors.ts";
import { fmtShape } from "../shape.ts";
import { conj } from "./complex.ts";
import { dotGeneral } from "./dot.ts";
import { add, fullLike, mul, zerosLike } from "./elementwise.ts";
import { select } from "./elementwise-logic.ts";
import { broadcastInDim, reshape, transpose } from "./shape-ops.ts";
import { slice } from "./shape-slicing.ts";

const range = (n: number, from = 0): number[] => globalThis.Array.from({ length: n }, (_, i) => from + i);

/** The dtypes linear-algebra primitives accept (JAX's `_float | _complex`). */
export const LINALG_DTYPES: readonly DType[] = ["float32", "complex64"];

/** Validate a (batch of) matrix operand: rank ≥ 2, float32/complex64, optionally square. */
export function checkMatrix(op: string, arg: string, a: ShapedArray, square: boolean): void {
  if (!LINALG_DTYPES.includes(a.dtype)) {
    throw new DTypeError(
      `${op}: argument '${arg}' has dtype ${a.dtype}; expected float32 or complex64 (convert integer input with astype("float32"))`,
    );
  }
  if (a.ndim < 2)
    throw new ShapeError(
      `${op}: argument '${arg}' must have rank ≥ 2 (a batch of matrices [..., m, n]); got shape ${fmtShape(a.shape)}`,
    );
  if (square && a.shape[a.ndim - 1] !== a.shape[a.ndim - 2]) {
    throw new ShapeError(
      `${op}: argument '${arg}' must be a batch of square matrices [..., n, n]; got shape ${fmtShape(a.shape)}`,
    );
  }
}

/** A host constant of the given shape/dtype filled by `f(flatIndex)` (real part only). */
function hostConst(shape: readonly number[], dtype: DType, f: (i: number) => number): Array {
  const size = shape.reduce((p, d) => p * d, 1);
  const data = allocTyped(dtype, size);
  const w = dtype === "complex64" ? 2 : 1;
  for (let i = 0; i < size; i++) data[w * i] = f(i);
  return fromHost(getBackend(), data, new ShapedArray(shape, dtype));
}

/** Broadcast a trailing-two-axes constant over the leading (batch) axes of `shape`. */
function overBatch(c: Array, shape: readonly number[]): Array {
  const nd = shape.length;
  return broadcastInDim(c, shape, [nd - 2, nd - 1]);
}

/** The m×n identity (ones on the main diagonal) of `dtype`, broadcast to `batch` leading dims. */
export function eye(m: number, n: number, dtype: DType, batch: readonly number[] = []): Array {
  const e = hostConst([m, n], dtype, (i) => (Math.floor(i / n) === i % n ? 1 : 0));
  return batch.length === 0 ? e : overBatch(e, [...batch, m, n]);
}

/** Boolean mask of the entries with `j - i <= k` (tril) or `j - i >= k` (triu) of an m×n matrix. */
function triMask(m: number, n: number, k: number, lower: boolean): Array {
  return hostConst([m, n], "bool", (idx) => {
    const d = (idx % n) - Math.floor(idx / n);
    return (lower ? d <= k : d >= k) ? 1 : 0;
  });
}

/** numpy's `tril(x, k)` on the trailing two axes (select, so Inf/NaN outside are dropped exactly). */
export function tril(x: Array, k = 0): Array {
  const [m, n] = x.shape.slice(-2);
  return select(overBatch(triMask(m, n, k, true), x.shape), x, zerosLike(x));
}

/** numpy's `triu(x, k)` on the trailing two axes. */
export function triu(x: Array, k = 0): Array {
  const [m, n] = x.shape.slice(-2);
  return select(overBatch(triMask(m, n, k, false), x.shape), x, zerosLike(x));
}

/** Swap the trailing two axes (JAX's `_T`). */
export function mT(x: Array): Array {
  const nd = x.ndim;
  return transpose(x, [...range(nd - 2), nd - 1, nd - 2]);
}

/** Conjugate transpose of the trailing two axes (JAX's `_H`); a plain transpose for real dtypes. */
export function mH(x: Array): Array {
  const t = mT(x);
  return x.dtype === "complex64" ? conj(t) : t;
}

/** Batched matrix product `[..., m, k] @ [..., k, n]` (equal leading batch dims). */
export function matmul(a: Array, b: Array): Array {
  const nd = a.ndim;
  if (b.ndim !== nd)
    throw new ShapeError(
      `linalg matmul: operands must have equal rank; got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`,
    );
  const batch = range(nd - 2);
  return dotGeneral(a, b, { contractingDims: [[nd - 1], [nd - 2]], batchDims: [batch, batch] });
}

/** `(x + xᴴ) / 2` (JAX's `symmetrize`). */
export function symmetrize(x: Array): Array {
  return mul(add(x, mH(x)), fullLike(x, 0.5));
}

/**
 * The main diagonal `[..., min(m, n)]` of `[..., m, n]`: a strided slice of the flattened
 * trailing axes (exact and linear, unlike multiplying by the identity, which turns an Inf off
 * the diagonal into NaN).
 */
export function diagonal(x: Array): Array {
  const nd = x.ndim;
  const [m, n] = x.shape.slice(-2);
  const k = Math.min(m, n);
  const lead = x.shape.slice(0, nd - 2);
  const flat = reshape(x, [...lead, m * n]);
  if (k === 0) return reshape(slice(flat, [...lead.map(() => 0), 0], [...lead, 0]), [...lead, 0]);
  return slice(flat, [...lead.map(() => 0), 0], [...lead, (k - 1) * (n + 1) + 1], [...lead.map(() => 1), n + 1]);
}

/**
 * A batch of diagonal matrices `[..., n, n]` with `d [..., n]` on the diagonal: `d` broadcast
 * along the column axis times the identity (linear in `d`).
 */
export function diagEmbed(d: Array): Array {
  const nd = d.ndim;
  const n = d.shape[nd - 1];
  const shape = [...d.shape, n];
  const rows = broadcastInDim(d, shape, [...range(nd - 1), nd - 1]);
  return mul(rows, eye(n, n, d.dtype, d.shape.slice(0, nd - 1)));
}
