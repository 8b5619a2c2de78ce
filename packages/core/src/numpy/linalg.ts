/**
 * `np.linalg` (plus `solveTriangular`, jax.scipy.linalg's `solve_triangular`) over the linalg
 * primitives. Semantics follow jax.numpy.linalg: leading axes are batch axes, integer/bool input
 * is promoted to float32, `eigh`/`cholesky` symmetrize their input by default, a singular matrix
 * gives Inf/NaN instead of raising. `solve`, `inv`, `det` and `slogdet` go through the pivoted
 * LU decomposition (lax.lu), as in JAX; `norm`'s spectral/nuclear orders use the singular values
 * of the SVD primitive. The SVD family (svd, svdvals, pinv, matrixRank, cond, lstsq) is in
 * linalg-svd.ts, eig/eigvals in linalg-eig.ts, multiDot/tensorsolve/trace in linalg-tensor.ts.
 */
import type { Array, ArrayLike } from "../core/array.ts";
import { ShapedArray } from "../core/aval.ts";
import * as lax from "../primitives/index.ts";
import { checkMatrix, diagonal, eye, matmul as mm, mH } from "../primitives/batched-matrix.ts";
import { luSolve } from "../primitives/linalg-lu.ts";
import type { DType } from "../dtype.ts";
import { ShapeError, ValueError } from "../errors.ts";
import { broadcastShapes, fmtShape, normAxes } from "../shape.ts";
import { asArray, asInexact } from "./convert.ts";
import { broadcastTo, resultDType } from "./promote.ts";
import { checkOptions, checkValue, type OptionSpec } from "./args.ts";

/** Promote two operands to their common inexact dtype. */
function inexactPair(x: ArrayLike, y: ArrayLike): [Array, Array] {
  const a = asArray(x);
  const b = asArray(y);
  const d = resultDType([a, b]);
  const dt: DType = d === "complex64" ? "complex64" : "float32";
  return [asInexact(a, dt), asInexact(b, dt)];
}

// ------------------------------------------------------------------ decompositions

export interface EighOptions {
  /** Which triangle to read when `symmetrizeInput` is false: "L" (default) or "U". */
  UPLO?: "L" | "U";
  /** Use (a + aᴴ)/2 (default true, as jax.numpy), so both triangles count. */
  symmetrizeInput?: boolean;
}

/** np.linalg.eigh: `[w, v]`, eigenvalues ascending and eigenvectors as columns (`a = v·diag(w)·vᴴ`). */
export function eigh(a: ArrayLike, uploOrOpts?: "L" | "U" | EighOptions, symmetrizeInput?: boolean): [Array, Array] {
  const opts: EighOptions =
    typeof uploOrOpts === "object" && uploOrOpts !== null ? uploOrOpts : { UPLO: uploOrOpts, symmetrizeInput };
  checkOptions("np.linalg.eigh", opts, { UPLO: ["L", "U"], symmetrizeInput: "boolean" });
  const x = asInexact(a);
  const [v, w] = lax.eigh(x, { lower: (opts.UPLO ?? "L") === "L", symmetrizeInput: opts.symmetrizeInput ?? true });
  return [w, v];
}

/** np.linalg.eigvalsh: the eigenvalues (ascending, float32) of Hermitian `a`. */
export function eigvalsh(a: ArrayLike, uploOrOpts?: "L" | "U" | EighOptions, symmetrizeInput?: boolean): Array {
  return eigh(a, uploOrOpts, symmetrizeInput)[0];
}

/** np.linalg.cholesky: lower L with a = L·Lᴴ (or upper Lᴴ with `upper`); NaN if not positive definite. */
export function cholesky(a: ArrayLike, opts: { upper?: boolean; symmetrizeInput?: boolean } = {}): Array {
  const l = lax.cholesky(asInexact(a), { symmetrizeInput: opts.symmetrizeInput ?? true });
  return opts.upper === true ? mH(l) : l;
}

export type QrMode = "reduced" | "complete" | "r";

/** np.linalg.qr: `[q, r]` ("reduced", default; "complete"), or r alone (mode "r"); LAPACK's signs. */
export function qr(a: ArrayLike, opts: { mode: "r" } | "r"): Array;
export function qr(a: ArrayLike, opts?: { mode?: "reduced" | "complete" } | "reduced" | "complete"): [Array, Array];
export function qr(a: ArrayLike, modeOrOpts: QrMode | { mode?: QrMode } = {}): [Array, Array] | Array {
  // The mode positionally, as numpy's (`qr(a, "complete")`), or as `{ mode }`.
  const opts = typeof modeOrOpts === "string" ? { mode: modeOrOpts } : modeOrOpts;
  checkOptions("np.linalg.qr", opts, { mode: "any" });
  const mode = opts.mode ?? "reduced";
  if (mode !== "reduced" && mode !== "complete" && mode !== "r")
    throw new ValueError(`np.linalg.qr: mode must be "reduced", "complete" or "r"; got ${String(mode)}`);
  const [q, r] = lax.qr(asInexact(a), { fullMatrices: mode === "complete" });
  return mode === "r" ? r : [q, r];
}

// ------------------------------------------------------------------ solves via LU

/** Broadcast the leading (batch) axes of `x` to `batch`, keeping its trailing `keep` axes. */
function toBatch(x: Array, batch: readonly number[], keep: number): Array {
  return broadcastTo(x, [...batch, ...x.shape.slice(x.ndim - keep)]);
}

/**
 * np.linalg.solve: x with a·x = b. `b` is a vector `[n]` (numpy ≥ 2: only when b.ndim == 1) or a
 * batch of matrices `[..., n, k]`; batch axes broadcast. Pivoted LU, as jax.numpy.
 */
export function solve(a: ArrayLike, b: ArrayLike): Array {
  const [x, y] = inexactPair(a, b);
  checkMatrix("np.linalg.solve", "a", x.aval, true);
  const n = x.shape[x.ndim - 1];
  const vec = y.ndim === 1;
  if (vec ? y.shape[0] !== n : y.ndim < 2 || y.shape[y.ndim - 2] !== n) {
    throw new ShapeError(
      `np.linalg.solve: b of shape ${fmtShape(y.shape)} does not fit a of shape ${fmtShape(x.shape)} (expected [${n}] or [..., ${n}, k])`,
    );
  }
  const ym = vec ? lax.reshape(y, [n, 1]) : y;
  const batch = broadcastShapes("np.linalg.solve", x.shape.slice(0, -2), ym.shape.slice(0, -2));
  const [lu, , perm] = lax.lu(x);
  const sol = luSolve(toBatch(lu, batch, 2), toBatch(perm, batch, 1), toBatch(ym, batch, 2));
  return vec ? lax.reshape(sol, [...batch, n]) : sol;
}

/** np.linalg.inv: the inverse of (a batch of) square matrices, by solving against the identity. */
export function inv(a: ArrayLike): Array {
  const x = asInexact(a);
  checkMatrix("np.linalg.inv", "a", x.aval, true);
  const n = x.shape[x.ndim - 1];
  const [lu, , perm] = lax.lu(x);
  return luSolve(lu, perm, eye(n, n, x.dtype, x.shape.slice(0, -2)));
}

/** Sign (±1) of the row permutation of an LU: −1 per actual row swap. */
function pivotSign(pivots: Array, dtype: DType): Array {
  const nd = pivots.ndim;
  const swapped = lax.ne(pivots, lax.iota("int32", pivots.shape, nd - 1));
  const ones = lax.fullLike(new ShapedArray(pivots.shape, dtype), 1);
  return lax.reduceProd(lax.select(swapped, lax.neg(ones), ones), [nd - 1]);
}

/** np.linalg.det: the determinant, as (−1)^swaps · Π diag(U) of the pivoted LU. */
export function det(a: ArrayLike): Array {
  const x = asInexact(a);
  checkMatrix("np.linalg.det", "a", x.aval, true);
  const [lu, pivots] = lax.lu(x);
  const d = diagonal(lu);
  return lax.mul(pivotSign(pivots, x.dtype), lax.reduceProd(d, [d.ndim - 1]));
}

/**
 * np.linalg.slogdet: `[sign, logabsdet]` with det = sign·exp(logabsdet); sign is ±1 (real) or a
 * unit complex number, and 0 with logabsdet −Inf for a singular matrix.
 */
export function slogdet(a: ArrayLike): [Array, Array] {
  const x = asInexact(a);
  checkMatrix("np.linalg.slogdet", "a", x.aval, true);
  const [lu, pivots] = lax.lu(x);
  const d = diagonal(lu);
  const ax = [d.ndim - 1];
  const absd = lax.abs(d);
  const logabs = lax.reduceSum(lax.log(absd), ax);
  let unit: Array;
  if (x.dtype === "complex64") {
    const zero = lax.eq(absd, lax.fullLike(absd, 0));
    const safe = lax.select(zero, lax.fullLike(absd, 1), absd);
    unit = lax.select(zero, lax.fullLike(d, 0), lax.div(d, lax.complex(safe, lax.fullLike(safe, 0))));
  } else unit = lax.sign(d);
  return [lax.mul(pivotSign(pivots, x.dtype), lax.reduceProd(unit, ax)), logabs];
}

export interface SolveTriangularOptions {
  /** a is lower (true) or upper (false, default) triangular; only that triangle is read. */
  lower?: boolean;
  /** Solve a·x = b (0 / "N", default), aᵀ·x = b (1 / "T") or aᴴ·x = b (2 / "C"). */
  trans?: 0 | 1 | 2 | "N" | "T" | "C";
  /** Take a's diagonal as ones. */
  unitDiagonal?: boolean;
}

/**
 * solveTriangular (jax.scipy.linalg.solve_triangular): x with op(a)·x = b for triangular `a
 * [..., n, n]` and `b [..., n]` or `[..., n, k]` (batch axes broadcast).
 */
export function solveTriangular(a: ArrayLike, b: ArrayLike, opts: SolveTriangularOptions = {}): Array {
  const [x, y] = inexactPair(a, b);
  checkMatrix("solveTriangular", "a", x.aval, true);
  const t = opts.trans ?? 0;
  const transMode = t === "N" ? 0 : t === "T" ? 1 : t === "C" ? 2 : t;
  if (transMode !== 0 && transMode !== 1 && transMode !== 2)
    throw new ValueError(`solveTriangular: trans must be 0, 1, 2, "N", "T" or "C"; got ${String(t)}`);
  const vec = y.ndim === x.ndim - 1;
  const ym = vec ? lax.reshape(y, [...y.shape, 1]) : y;
  const batch = broadcastShapes("solveTriangular", x.shape.slice(0, -2), ym.shape.slice(0, -2));
  const out = lax.triangularSolve(toBatch(x, batch, 2), toBatch(ym, batch, 2), {
    leftSide: true,
    lower: opts.lower ?? false,
    transposeA: transMode !== 0,
    conjugateA: transMode === 2,
    unitDiagonal: opts.unitDiagonal ?? false,
  });
  return vec ? lax.reshape(out, out.shape.slice(0, -1)) : out;
}

// ------------------------------------------------------------------ norm

export type NormOrd = number | "fro" | "nuc";
export interface NormOptions {
  /** numpy's `ord` (vector: any p, ±Infinity, 0; matrix: "fro", "nuc", ±1, ±2, ±Infinity). */
  ord?: NormOrd;
  /** One axis (vector norm), two axes (matrix norm), or none (all of a 1-D or 2-D array). */
  axis?: number | readonly number[];
  keepdims?: boolean;
}

/** |x|² as a real array. */
function abs2(x: Array): Array {
  return x.dtype === "complex64" ? lax.real(lax.mul(x, lax.conj(x))) : lax.mul(x, x);
}
const k = (like: Array, v: number): Array => lax.fullLike(like, v);

/** Singular values of matrices in the trailing two axes (the SVD primitive, descending). */
function singularValues(x: Array): Array {
  return lax.svdvals(x);
}

const NORM_SPEC: OptionSpec = { ord: "any", axis: "axes", keepdims: "boolean" };

/**
 * np.linalg.norm: vector and matrix norms (float32 result). `ord` and `axis` go positionally, as
 * numpy's (`norm(x, 2, -1)`), or in an options object (`norm(x, { ord: 2, axis: -1 })`).
 */
export function norm(
  x: ArrayLike,
  ordOrOpts?: NormOrd | null | NormOptions,
  axis?: number | readonly number[] | null,
  options?: { keepdims?: boolean },
): Array {
  let opts: NormOptions;
  if (ordOrOpts !== null && typeof ordOrOpts === "object") {
    if (axis !== undefined || options !== undefined)
      throw new ValueError("np.linalg.norm: pass ord/axis either positionally or as one options object, not both");
    checkOptions("np.linalg.norm", ordOrOpts, NORM_SPEC);
    opts = ordOrOpts;
  } else {
    if (axis !== undefined && axis !== null) checkValue("np.linalg.norm", "axis", axis, "axes");
    checkOptions("np.linalg.norm", options, { keepdims: "boolean" });
    opts = { ord: ordOrOpts ?? undefined, axis: axis ?? undefined, keepdims: options?.keepdims };
  }
  if (opts.ord !== undefined && typeof opts.ord !== "number" && opts.ord !== "fro" && opts.ord !== "nuc") {
    throw new ValueError(`np.linalg.norm: 'ord' must be a number, "fro" or "nuc"; got ${JSON.stringify(opts.ord)}`);
  }
  const a = asInexact(x);
  const { ord } = opts;
  let axes: number[];
  if (opts.axis === undefined) {
    if (ord === undefined) {
      const r = lax.sqrt(
        lax.reduceSum(
          abs2(a),
          a.shape.map((_, i) => i),
        ),
      );
      return opts.keepdims === true
        ? lax.reshape(
            r,
            a.shape.map(() => 1),
          )
        : r;
    }
    if (a.ndim !== 1 && a.ndim !== 2)
      throw new ValueError(
        `np.linalg.norm: an 'ord' without 'axis' needs a 1-D or 2-D array; got shape ${fmtShape(a.shape)}`,
      );
    axes = a.ndim === 1 ? [0] : [0, 1];
  } else axes = normAxes("np.linalg.norm", typeof opts.axis === "number" ? [opts.axis] : opts.axis, a.ndim);
  let r: Array;
  if (axes.length === 1) r = vectorNorm(a, axes[0], ord);
  else if (axes.length === 2) r = matrixNorm(a, axes[0], axes[1], ord);
  else throw new ValueError(`np.linalg.norm: axis must name one or two axes; got ${JSON.stringify(opts.axis)}`);
  if (opts.keepdims !== true) return r;
  return lax.reshape(
    r,
    a.shape.map((s, i) => (axes.includes(i) ? 1 : s)),
  );
}

function vectorNorm(a: Array, ax: number, ord: NormOrd | undefined): Array {
  if (ord === "fro" || ord === "nuc")
    throw new ValueError(`np.linalg.norm: ord '${ord}' is a matrix norm; the vector norm got one axis`);
  const p = ord ?? 2;
  const m = lax.abs(a);
  if (p === Infinity) return lax.reduceMax(m, [ax]);
  if (p === -Infinity) return lax.reduceMin(m, [ax]);
  if (p === 0) return lax.reduceSum(lax.convertElementType(lax.ne(m, k(m, 0)), "float32"), [ax]);
  if (p === 1) return lax.reduceSum(m, [ax]);
  if (p === 2) return lax.sqrt(lax.reduceSum(abs2(a), [ax]));
  return lax.pow(lax.reduceSum(lax.pow(m, k(m, p)), [ax]), k(lax.reduceSum(m, [ax]), 1 / p));
}

function matrixNorm(a: Array, r0: number, c0: number, ord: NormOrd | undefined): Array {
  if (r0 === c0) throw new ValueError("np.linalg.norm: the two matrix axes must differ");
  const o = ord ?? "fro";
  if (o === "fro")
    return lax.sqrt(
      lax.reduceSum(
        abs2(a),
        [r0, c0].sort((p, q) => p - q),
      ),
    );
  const m = lax.abs(a);
  // Reducing one axis shifts the index of a later one.
  const after = (reduced: number, other: number): number => (other > reduced ? other - 1 : other);
  if (o === 1 || o === -1) {
    const colSums = lax.reduceSum(m, [r0]);
    return o === 1 ? lax.reduceMax(colSums, [after(r0, c0)]) : lax.reduceMin(colSums, [after(r0, c0)]);
  }
  if (o === Infinity || o === -Infinity) {
    const rowSums = lax.reduceSum(m, [c0]);
    return o === Infinity ? lax.reduceMax(rowSums, [after(c0, r0)]) : lax.reduceMin(rowSums, [after(c0, r0)]);
  }
  if (o === 2 || o === -2 || o === "nuc") {
    const rest = a.shape.map((_, i) => i).filter((i) => i !== r0 && i !== c0);
    const s = singularValues(lax.transpose(a, [...rest, r0, c0]));
    const last = [s.ndim - 1];
    return o === "nuc" ? lax.reduceSum(s, last) : o === 2 ? lax.reduceMax(s, last) : lax.reduceMin(s, last);
  }
  throw new ValueError(
    `np.linalg.norm: invalid matrix norm order ${String(ord)} (expected "fro", "nuc", ±1, ±2 or ±Infinity)`,
  );
}

// ------------------------------------------------------------------ matrix power and array-API aliases

/**
 * np.linalg.matrixPower: `a` raised to the integer power `n` by repeated squaring (n = 0: the
 * identity; n < 0: powers of inv(a)).
 */
export function matrixPower(a: ArrayLike, n: number): Array {
  if (!Number.isInteger(n)) throw new ValueError(`np.linalg.matrixPower: exponent must be an integer; got ${n}`);
  const x0 = asArray(a);
  if (x0.ndim < 2 || x0.shape[x0.ndim - 1] !== x0.shape[x0.ndim - 2]) {
    throw new ShapeError(
      `np.linalg.matrixPower: needs a batch of square matrices [..., n, n]; got shape ${fmtShape(x0.shape)}`,
    );
  }
  const m = x0.shape[x0.ndim - 1];
  if (n === 0) return eye(m, m, x0.dtype === "bool" ? "int32" : x0.dtype, x0.shape.slice(0, -2));
  let base = n < 0 ? inv(x0) : x0;
  let result: Array | null = null;
  for (let e = Math.abs(n); e > 0; e >>= 1) {
    if (e & 1) result = result === null ? base : mm(result, base);
    if (e > 1) base = mm(base, base);
  }
  return result as Array;
}

/** np.linalg.matrixTranspose: swap the last two axes. */
export function matrixTranspose(x: ArrayLike): Array {
  const a = asArray(x);
  if (a.ndim < 2) throw new ShapeError(`np.linalg.matrixTranspose: needs rank ≥ 2; got shape ${fmtShape(a.shape)}`);
  const nd = a.ndim;
  return lax.transpose(a, [...a.shape.map((_, i) => i).slice(0, nd - 2), nd - 1, nd - 2]);
}

export { matmul, outer, tensordot } from "./linalg-products.ts";
export {
  svd,
  svdvals,
  pinv,
  matrixRank,
  cond,
  lstsq,
  type SvdOptions,
  type PinvOptions,
  type MatrixRankOptions,
  type LstsqOptions,
} from "./linalg-svd.ts";
export { multiDot, tensorsolve, trace } from "./linalg-tensor.ts";
export { eig, eigvals } from "./linalg-eig.ts";
