/**
 * The SVD-based part of `np.linalg`, after jax.numpy.linalg: `svd`, `svdvals`, `pinv` (with
 * JAX's custom JVP), `matrixRank`, `cond`, `lstsq`. Leading axes are batch axes; integer and
 * bool input is promoted to float32; singular values are float32, descending.
 */
import type { Array, ArrayLike } from "../core/array.ts";
import * as lax from "../primitives/index.ts";
import { checkMatrix, eye, matmul as mm, mH, mT } from "../primitives/batched-matrix.ts";
import { customJvp } from "../primitives/control/custom-derivatives.ts";
import type { DType } from "../dtype.ts";
import { ShapeError, ValueError } from "../errors.ts";
import { fmtShape } from "../shape.ts";
import { asArray, asInexact } from "./convert.ts";
import { resultDType } from "./promote.ts";
import { checkOptions } from "./args.ts";
import { takeAlongAxis } from "./take.ts";
// ./linalg.ts re-exports this module; its functions are only called at run time, so the cycle is harmless.
import { inv as linalgInv, norm as linalgNorm } from "./linalg.ts";

/** float32's machine epsilon (jnp.finfo(float32).eps = 2⁻²³). */
const EPS32 = 2 ** -23;

/** A real array in `dtype` (complex64 gets a zero imaginary part). */
function toDtype(x: Array, dtype: DType): Array {
  return dtype === "complex64" && x.dtype !== "complex64" ? lax.complex(x, lax.fullLike(x, 0)) : x;
}

/** `x[..., i:i+1]` along the last axis. */
function lastSlice(x: Array, i: number): Array {
  return lax.sliceInDim(x, i, i + 1, 1, x.ndim - 1);
}

// ------------------------------------------------------------------ svd / svdvals

export interface SvdOptions {
  /** Complete factors (default true): u m×m, vh n×n; otherwise u m×k, vh k×n (k = min(m, n)). */
  fullMatrices?: boolean;
  /** Return `[u, s, vh]` (default true) or s alone. */
  computeUv?: boolean;
  /** The input is Hermitian: use `eigh` (s = |eigenvalues|), as jax.numpy. */
  hermitian?: boolean;
}

/** The SVD of a Hermitian matrix through eigh: s = |w| descending, u = v, vh = (sign(w)·v)ᴴ. */
function hermitianSvd(a: Array): [Array, Array, Array] {
  const [v, w] = lax.eigh(a);
  const nd = a.ndim;
  const lead = w.shape.slice(0, -1).map((_, i) => i);
  const s = lax.abs(w);
  // Order by |w| descending (a stable sort on −|w|), applied to s, sign(w) and the columns of v.
  const iota = lax.iota("int32", s.shape, nd - 2);
  const order = lax.sort([lax.neg(s), iota], { dimension: nd - 2, numKeys: 1 })[1];
  const sSorted = takeAlongAxis(s, order, -1);
  const sign = takeAlongAxis(lax.sign(w), order, -1);
  const u = takeAlongAxis(v, lax.broadcastInDim(order, v.shape, [...lead, nd - 1]), -1);
  const signed = lax.mul(u, toDtype(lax.broadcastInDim(sign, u.shape, [...lead, nd - 1]), a.dtype));
  return [u, sSorted, mH(signed)];
}

/**
 * np.linalg.svd: `[u, s, vh]` with a = u·diag(s)·vh, s descending (float32); with
 * `computeUv: false`, s alone. Differentiable (JAX's JVP; not for full matrices of a non-square
 * input, as in JAX).
 */
export function svd(a: ArrayLike, opts: SvdOptions & { computeUv: false }): Array;
export function svd(a: ArrayLike, fullMatrices: boolean, computeUv: false, hermitian?: boolean): Array;
export function svd(a: ArrayLike, opts?: SvdOptions & { computeUv?: true }): [Array, Array, Array];
export function svd(a: ArrayLike, fullMatrices?: boolean, computeUv?: true, hermitian?: boolean): [Array, Array, Array];
export function svd(
  a: ArrayLike,
  fullOrOpts?: boolean | SvdOptions,
  computeUv?: boolean,
  hermitian?: boolean,
): [Array, Array, Array] | Array {
  const spec = { fullMatrices: "boolean", computeUv: "boolean", hermitian: "boolean" } as const;
  let opts: SvdOptions;
  if (fullOrOpts !== null && typeof fullOrOpts === "object") {
    if (computeUv !== undefined || hermitian !== undefined)
      throw new ValueError(
        "np.linalg.svd: pass fullMatrices/computeUv/hermitian either positionally or as one options object, not both",
      );
    checkOptions("np.linalg.svd", fullOrOpts, spec);
    opts = fullOrOpts;
  } else {
    // numpy's positional order: svd(a, full_matrices, compute_uv, hermitian).
    opts = { fullMatrices: fullOrOpts, computeUv, hermitian };
    checkOptions("np.linalg.svd", opts, spec);
  }
  const x = asInexact(a);
  checkMatrix("np.linalg.svd", "a", x.aval, opts.hermitian === true);
  if (opts.hermitian === true) {
    const r = hermitianSvd(x);
    return opts.computeUv === false ? r[1] : r;
  }
  if (opts.computeUv === false) return lax.svdvals(x);
  return lax.svd(x, { fullMatrices: opts.fullMatrices ?? true });
}

/** np.linalg.svdvals: the singular values `[..., min(m, n)]`, descending (float32). */
export function svdvals(a: ArrayLike): Array {
  const x = asInexact(a);
  checkMatrix("np.linalg.svdvals", "x", x.aval, false);
  return lax.svdvals(x);
}

// ------------------------------------------------------------------ pinv

export interface PinvOptions {
  /** Relative cutoff: singular values ≤ rtol·s_max count as zero (default 10·max(m, n)·eps). */
  rtol?: number;
  /** The input is Hermitian (use eigh). */
  hermitian?: boolean;
}

function pinvCore(a: Array, rtol: number, hermitian: boolean): Array {
  const [u, s, vh] = hermitian ? hermitianSvd(a) : lax.svd(a, { fullMatrices: false });
  const k = s.shape[s.ndim - 1];
  if (k === 0) return lax.fullLike(mT(a), 0);
  const smax = lastSlice(s, 0);
  const cutoff = lax.mul(smax, lax.fullLike(smax, rtol));
  const kept = lax.gt(
    s,
    lax.broadcastInDim(
      cutoff,
      s.shape,
      s.shape.map((_, i) => i),
    ),
  );
  const sInv = lax.select(kept, lax.div(lax.fullLike(s, 1), s), lax.fullLike(s, 0));
  // V·diag(1/s)·Uᴴ
  const nd = a.ndim;
  const uH = mH(u); // [..., k, m]
  const scaled = lax.mul(
    uH,
    toDtype(lax.broadcastInDim(sInv, uH.shape, [...s.shape.slice(0, -1).map((_, i) => i), nd - 2]), a.dtype),
  );
  return mm(mH(vh), scaled);
}

/**
 * np.linalg.pinv: the Moore–Penrose pseudo-inverse `[..., n, m]` through the SVD. Its JVP is
 * JAX's custom rule (the derivative of the pseudo-inverse, exact where the rank is constant).
 */
export function pinv(a: ArrayLike, rtolOrOpts?: number | PinvOptions, hermitianArg?: boolean): Array {
  const opts: PinvOptions =
    typeof rtolOrOpts === "object" && rtolOrOpts !== null ? rtolOrOpts : { rtol: rtolOrOpts, hermitian: hermitianArg };
  if (typeof rtolOrOpts === "object" && rtolOrOpts !== null && hermitianArg !== undefined)
    throw new ValueError("np.linalg.pinv: pass rtol/hermitian either positionally or as one options object, not both");
  checkOptions("np.linalg.pinv", opts, { rtol: "number", hermitian: "boolean" });
  const x = asInexact(a);
  checkMatrix("np.linalg.pinv", "a", x.aval, opts.hermitian === true);
  const [m, n] = x.shape.slice(-2);
  const rtol = opts.rtol ?? 10 * Math.max(m, n) * EPS32;
  const hermitian = opts.hermitian === true;
  const f = customJvp((y: Array) => pinvCore(y, rtol, hermitian));
  f.defjvp(([y], [dy]) => {
    const p = pinvCore(y, rtol, hermitian);
    const batch = y.shape.slice(0, -2);
    const dyH = mH(dy);
    let dp = lax.neg(mm(mm(p, dy), p));
    dp = lax.add(dp, mm(mm(mm(p, mH(p)), dyH), lax.sub(eye(m, m, y.dtype, batch), mm(y, p))));
    dp = lax.add(dp, mm(mm(mm(lax.sub(eye(n, n, y.dtype, batch), mm(p, y)), dyH), mH(p)), p));
    return [p, dp];
  });
  return f(x);
}

// ------------------------------------------------------------------ matrixRank / cond

export interface MatrixRankOptions {
  /** Relative tolerance: singular values > rtol·s_max count (default max(m, n)·eps). */
  rtol?: number;
  /** Absolute tolerance (overrides rtol). */
  tol?: number;
}

/** np.linalg.matrixRank: the number of singular values above the tolerance (int32). 1-d input: any nonzero. */
export function matrixRank(a: ArrayLike, rtolOrOpts?: number | MatrixRankOptions): Array {
  const opts: MatrixRankOptions =
    typeof rtolOrOpts === "object" && rtolOrOpts !== null ? rtolOrOpts : { rtol: rtolOrOpts };
  checkOptions("np.linalg.matrixRank", opts, { rtol: "number", tol: "number" });
  const x = asInexact(a);
  if (x.ndim < 2) {
    const nz = x.ndim === 0 ? lax.ne(x, lax.fullLike(x, 0)) : lax.reduceOr(lax.ne(x, lax.fullLike(x, 0)), [0]);
    return lax.convertElementType(nz, "int32");
  }
  const s = lax.svdvals(x);
  const [m, n] = x.shape.slice(-2);
  const k = s.shape[s.ndim - 1];
  if (k === 0) return lax.fullLike(lax.reduceSum(s, [s.ndim - 1]), 0).astype("int32");
  let tol: Array;
  if (opts.tol !== undefined) tol = lax.fullLike(s, opts.tol);
  else {
    const smax = lax.broadcastInDim(
      lax.reshape(lastSlice(s, 0), s.shape.slice(0, -1)),
      s.shape,
      s.shape.slice(0, -1).map((_, i) => i),
    );
    tol = lax.mul(smax, lax.fullLike(s, opts.rtol ?? Math.max(m, n) * EPS32));
  }
  return lax.reduceSum(lax.convertElementType(lax.gt(s, tol), "int32"), [s.ndim - 1]);
}

/**
 * np.linalg.cond: the condition number in norm `p` (default 2: s_max / s_min; −2: s_min /
 * s_max; others "fro", "nuc", ±1, ±Infinity as ‖x‖·‖x⁻¹‖, square input only). A singular
 * matrix gives Inf (NaN only where x holds NaN), as jax.numpy.
 */
export function cond(x: ArrayLike, p?: number | "fro" | "nuc" | null): Array {
  const a = asInexact(x);
  checkMatrix("np.linalg.cond", "x", a.aval, false);
  let r: Array;
  if (p === undefined || p === null || p === 2 || p === -2) {
    const s = lax.svdvals(a);
    const k = s.shape[s.ndim - 1];
    const first = lax.reshape(lastSlice(s, 0), s.shape.slice(0, -1));
    const last = lax.reshape(lastSlice(s, k - 1), s.shape.slice(0, -1));
    r = p === -2 ? lax.div(last, first) : lax.div(first, last);
  } else {
    if (a.shape[a.ndim - 1] !== a.shape[a.ndim - 2])
      throw new ShapeError(`np.linalg.cond: p=${String(p)} needs square matrices; got shape ${fmtShape(a.shape)}`);
    if (!(p === "fro" || p === "nuc" || p === 1 || p === -1 || p === Infinity || p === -Infinity)) {
      throw new ValueError(
        `np.linalg.cond: invalid norm order ${String(p)} (expected null, 2, -2, "fro", "nuc", ±1 or ±Infinity)`,
      );
    }
    const nd = a.ndim;
    const nrm = (y: Array): Array => linalgNorm(y, { ord: p, axis: [nd - 2, nd - 1] });
    r = lax.mul(nrm(a), nrm(linalgInv(a)));
  }
  const nd = a.ndim;
  const anyNan = lax.reduceOr(lax.ne(a, a), [nd - 2, nd - 1]);
  return lax.select(lax.bitwiseAnd(lax.ne(r, r), lax.bitwiseNot(anyNan)), lax.fullLike(r, Infinity), r);
}

// ------------------------------------------------------------------ lstsq

export interface LstsqOptions {
  /** Cutoff for small singular values relative to the largest (default eps·max(m, n)). */
  rcond?: number;
  /** Residuals as numpy: empty unless a has full column rank and m > n (needs concrete values). */
  numpyResid?: boolean;
}

/**
 * np.linalg.lstsq: `[x, resid, rank, s]` minimizing ‖b − a·x‖₂ through the SVD (the minimum-norm
 * solution when a is rank-deficient). `a` is m×n; `b` is `[m]` or `[m, k]`. `resid` is the
 * squared residual norm per column (JAX's default, shape `[k]`, `[1]` for vector b).
 */
export function lstsq(
  a: ArrayLike,
  b: ArrayLike,
  rcondOrOpts?: number | null | LstsqOptions,
): [Array, Array, Array, Array] {
  const opts: LstsqOptions =
    typeof rcondOrOpts === "object" && rcondOrOpts !== null ? rcondOrOpts : { rcond: rcondOrOpts ?? undefined };
  checkOptions("np.linalg.lstsq", opts, { rcond: "number", numpyResid: "boolean" });
  const a0 = asArray(a);
  const b0 = asArray(b);
  const dt: DType = resultDType([a0, b0]) === "complex64" ? "complex64" : "float32";
  const x = asInexact(a0, dt);
  let y = asInexact(b0, dt);
  if (x.ndim !== 2) throw new ShapeError(`np.linalg.lstsq: a must be 2-d (m×n); got shape ${fmtShape(x.shape)}`);
  const [m, n] = x.shape;
  const vec = y.ndim === 1;
  if (vec) y = lax.reshape(y, [y.shape[0], 1]);
  if (y.ndim !== 2 || y.shape[0] !== m)
    throw new ShapeError(
      `np.linalg.lstsq: b of shape ${fmtShape(b0.shape)} does not fit a of shape ${fmtShape(x.shape)} (expected [${m}] or [${m}, k])`,
    );
  const rcond = opts.rcond ?? EPS32 * Math.max(m, n);
  const [u, s, vh] = lax.svd(x, { fullMatrices: false });
  const k = s.shape[0];
  let mask: Array;
  let rank: Array;
  let sol: Array;
  if (k === 0) {
    rank = lax.fullLike(lax.reduceSum(s, [0]), 0).astype("int32");
    sol = lax.fullLike(lax.dotGeneral(mT(x), y, { contractingDims: [[1], [0]], batchDims: [[], []] }), 0);
  } else {
    const smax = lax.broadcastInDim(lax.reshape(lastSlice(s, 0), []), [k], []);
    mask = lax.ge(s, lax.mul(smax, lax.fullLike(s, rcond)));
    rank = lax.reduceSum(lax.convertElementType(mask, "int32"), [0]);
    const safe = lax.select(mask, s, lax.fullLike(s, 1));
    const sInv = lax.select(mask, lax.div(lax.fullLike(s, 1), safe), lax.fullLike(s, 0));
    const uTb = mm(mH(u), y); // [k, kb]
    const scaled = lax.mul(uTb, toDtype(lax.broadcastInDim(sInv, uTb.shape, [0]), dt));
    sol = mm(mH(vh), scaled);
  }
  const r = lax.sub(y, mm(x, sol));
  const abs2 = dt === "complex64" ? lax.real(lax.mul(r, lax.conj(r))) : lax.mul(r, r);
  let resid = lax.reduceSum(abs2, [0]);
  if (opts.numpyResid === true) {
    // numpy: residuals only for full column rank with m > n (reads the rank: not for tracers).
    if (!(m > n && Number(rank) === n)) resid = lax.fullLike(lax.reshape(lax.sliceInDim(resid, 0, 0, 1, 0), [0]), 0);
  }
  return [vec ? lax.reshape(sol, [n]) : sol, resid, rank, s];
}
