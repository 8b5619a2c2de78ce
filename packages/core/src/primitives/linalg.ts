/**
 * Dense linear-algebra primitives and all of their rules, after JAX's `jax/_src/lax/linalg.py`:
 *   eigh             Hermitian eigendecomposition → (v, w)       JVP: `_eigh_jvp_rule`
 *   cholesky         lower Cholesky factor                       JVP: `_cholesky_jvp_rule`
 *   triangularSolve  op(A)·X = B or X·op(A) = B                  JVP in A and B, transpose in B
 *   qr               Householder QR → (q, r)                     JVP: `qr_jvp_rule`
 * (`lu` is in linalg-lu.ts). Every primitive takes leading batch dimensions (the CPU kernels
 * flatten them), so the batching rules move the vmapped axis to the front and bind again, like
 * JAX's `expand_dims_batcher`. The JVPs of the decompositions are expressed through other
 * primitives (matmul, triangularSolve, select, …), so reverse mode needs no transpose rules of
 * their own; triangularSolve is linear in B and has JAX's transpose rule for it.
 */
import type { Array } from "../core/array.ts";
import { ShapedArray } from "../core/aval.ts";
import { definePrimitive, isUndefined, type BatchDim, type Primitive } from "../core/primitive.ts";
import { DTypeError, InternalError, NotImplementedError, ShapeError } from "../errors.ts";
import { fmtShape, shapeEq } from "../shape.ts";
import { moveBdim } from "./batching.ts";
import { complex, conj, imag, real } from "./complex.ts";
import { convertElementType } from "./convert.ts";
import { add, fullLike, integerPow, mul, neg, sub, zerosLike } from "./elementwise.ts";
import { broadcastInDim, reshape } from "./shape-ops.ts";
import { checkMatrix, diagonal, eye, matmul, mH, mT, symmetrize, tril, triu } from "./batched-matrix.ts";

const range = (n: number, from = 0): number[] => globalThis.Array.from({ length: n }, (_, i) => from + i);
/** Batch rule of single-operand linalg primitives: the vmapped axis becomes a leading batch dim. */
function frontBatch<P extends object>(prim: () => Primitive<P>) {
  return (
    args: readonly Array[],
    dims: readonly BatchDim[],
    params: P,
    axis: { size: number },
  ): [Array[], BatchDim[]] => {
    const outs = prim().bind([moveBdim(args[0], dims[0], 0, axis.size)], params);
    return [outs, outs.map(() => 0)];
  };
}

// ------------------------------------------------------------------ eigh

export interface EighParams {
  /** Read the lower (true) or upper (false) triangle; the other one is ignored. */
  readonly lower: boolean;
  /** Eigenvalues ascending (the CPU kernel always sorts; false allows any order). */
  readonly sortEigenvalues: boolean;
}

/**
 * `eigh(a) → [v, w]`: `a[..., n, n]` Hermitian, `v` its eigenvectors (columns, dtype of a), `w`
 * the real eigenvalues `[..., n]` ascending.
 */
export const eighP: Primitive<EighParams> = definePrimitive<EighParams>("eigh", {
  abstractEval([a]) {
    checkMatrix("eigh", "a", a, true);
    return [new ShapedArray(a.shape, a.dtype), new ShapedArray(a.shape.slice(0, -1), "float32")];
  },
  // JAX's `_eigh_jvp_rule` (non-degenerate perturbation theory; repeated eigenvalues give Inf/NaN).
  jvp([a], [da], params) {
    const [v, w] = eighP.bind([symmetrize(a)], params);
    const nd = a.ndim;
    const n = a.shape[nd - 1];
    const batch = a.shape.slice(0, nd - 2);
    const wc = a.dtype === "complex64" ? convertElementType(w, "complex64") : w;
    const e = eye(n, n, a.dtype, batch);
    const b = range(nd - 2);
    // F[i, j] = 1 / (w_j − w_i) off the diagonal, 0 on it (the identity keeps 1/0 out).
    const wRow = broadcastInDim(wc, a.shape, [...b, nd - 1]);
    const wCol = broadcastInDim(wc, a.shape, [...b, nd - 2]);
    const fmat = sub(integerPow(add(e, sub(wRow, wCol)), -1), e);
    const vdav = matmul(matmul(mH(v), da), v);
    const dv = matmul(v, mul(fmat, vdav));
    const dw = diagonal(a.dtype === "complex64" ? real(vdav) : vdav);
    return [
      [v, w],
      [dv, dw],
    ];
  },
  batch: frontBatch(() => eighP),
});

export interface EighOptions {
  /** Which triangle to read when `symmetrizeInput` is false (default true: the lower one). */
  lower?: boolean;
  /** Replace a by (a + aᴴ)/2 first (default true, as JAX), so that both triangles count. */
  symmetrizeInput?: boolean;
  sortEigenvalues?: boolean;
}

/** lax.linalg.eigh: `[v, w]` with `a ≈ v·diag(w)·vᴴ`, w ascending (JAX's order of outputs). */
export function eigh(a: Array, opts: EighOptions = {}): [Array, Array] {
  const { lower = true, symmetrizeInput = true, sortEigenvalues = true } = opts;
  checkMatrix("eigh", "a", a.aval, true);
  const x = symmetrizeInput ? symmetrize(a) : a;
  const [v, w] = eighP.bind([x], { lower, sortEigenvalues });
  return [v, w];
}

// ------------------------------------------------------------------ cholesky

/** `cholesky(a)`: lower factor L with a = L·Lᴴ from the lower triangle of a; all-NaN if not PD. */
export const choleskyP: Primitive<Record<string, never>> = definePrimitive<Record<string, never>>("cholesky", {
  abstractEval([a]) {
    checkMatrix("cholesky", "a", a, true);
    return [new ShapedArray(a.shape, a.dtype)];
  },
  // JAX's `_cholesky_jvp_rule` (https://arxiv.org/pdf/1602.07527.pdf):
  // L̇ = L·Φ(L⁻¹·Σ̇·L⁻ᴴ), Φ = lower triangle with the diagonal halved.
  jvp([a], [da]) {
    const l = tril(choleskyP.bind1([a], {}));
    const n = a.shape[a.ndim - 1];
    const tmp = triangularSolve(l, da, { leftSide: false, transposeA: true, conjugateA: true, lower: true });
    const inner = triangularSolve(l, tmp, { leftSide: true, transposeA: false, lower: true });
    const halfDiag = sub(fullLike(inner, 1), mul(eye(n, n, a.dtype, a.shape.slice(0, -2)), fullLike(inner, 0.5)));
    const phi = mul(tril(inner), halfDiag);
    return [[l], [matmul(l, phi)]];
  },
  batch: frontBatch(() => choleskyP),
});

/**
 * lax.linalg.cholesky: the lower Cholesky factor of Hermitian positive definite `x [..., n, n]`.
 * With `symmetrizeInput` (default, as JAX) x is replaced by (x + xᴴ)/2 first; otherwise only
 * its lower triangle is read. A matrix that is not positive definite gives an all-NaN factor.
 */
export function cholesky(x: Array, opts: { symmetrizeInput?: boolean } = {}): Array {
  checkMatrix("cholesky", "x", x.aval, true);
  const a = (opts.symmetrizeInput ?? true) ? symmetrize(x) : x;
  return tril(choleskyP.bind1([a], {}));
}

// ------------------------------------------------------------------ triangularSolve

export interface TriangularSolveParams {
  /** Solve op(A)·X = B (true) or X·op(A) = B (false). */
  readonly leftSide: boolean;
  /** A is lower (true) or upper (false) triangular; only that triangle is read. */
  readonly lower: boolean;
  readonly transposeA: boolean;
  /** Conjugate A (complex only; with transposeA this is Aᴴ). */
  readonly conjugateA: boolean;
  /** Take A's diagonal as ones without reading it. */
  readonly unitDiagonal: boolean;
}

export const triangularSolveP: Primitive<TriangularSolveParams> = definePrimitive<TriangularSolveParams>(
  "triangularSolve",
  {
    abstractEval([a, b], { leftSide }) {
      checkMatrix("triangularSolve", "a", a, true);
      checkMatrix("triangularSolve", "b", b, false);
      if (a.dtype !== b.dtype)
        throw new DTypeError(`triangularSolve: a and b must have the same dtype; got ${a.dtype} and ${b.dtype}`);
      if (a.ndim !== b.ndim || !shapeEq(a.shape.slice(0, -2), b.shape.slice(0, -2))) {
        throw new ShapeError(
          `triangularSolve: a and b must have the same leading batch dimensions; got a ${fmtShape(a.shape)} and b ${fmtShape(b.shape)}`,
        );
      }
      const s = a.shape[a.ndim - 1];
      const common = b.shape[b.ndim - (leftSide ? 2 : 1)];
      if (s !== common) {
        throw new ShapeError(
          `triangularSolve: a ${fmtShape(a.shape)} does not fit b ${fmtShape(b.shape)} (leftSide=${leftSide} needs b's ${leftSide ? "second-to-last" : "last"} axis to be ${s})`,
        );
      }
      return [new ShapedArray(b.shape, b.dtype)];
    },
    // JAX: `defjvp2(_triangular_solve_jvp_rule_a, λ g_b: triangular_solve(a, g_b))`. The zero
    // tangents stay symbolic so that a solve with a constant matrix stays linear and cheap.
    jvpWithZeros([a, b], [da, db], p) {
      const x = triangularSolveP.bind1([a, b], p);
      let t: Array | null = db === null ? null : triangularSolveP.bind1([a, db], p);
      if (da !== null) {
        const ta = triangularSolveJvpA(da, x, a, b, p);
        t = t === null ? ta : add(t, ta);
      }
      return [[x], [t]];
    },
    // Linear in b (like `div` with its arguments swapped): JAX's `_triangular_solve_transpose_rule`.
    transpose([ct], [a, b], p) {
      if (isUndefined(a))
        throw new InternalError("triangularSolve: transpose with respect to a (non-linear use of a tangent)");
      if (!isUndefined(b)) return [null, null];
      if (ct === null) return [null, null];
      return [null, triangularSolveP.bind1([a, ct], { ...p, transposeA: !p.transposeA })];
    },
    // JAX's `_triangular_solve_batching_rule`: with an unbatched a, the vmapped axis of b joins
    // b's free axis (one solve with more right-hand sides); otherwise both move to the front.
    batch([a, b], [da, db], p, axis) {
      if (da === null) {
        const N = b.ndim; // includes the vmapped axis
        const B = axis.size;
        if (p.leftSide) {
          const y = moveBdim(b, db, N - 1, B); // [..., m, n, B]
          const flat = reshape(y, [...y.shape.slice(0, N - 2), y.shape[N - 2] * B]);
          return [[reshape(triangularSolveP.bind1([a, flat], p), y.shape)], [N - 1]];
        }
        const y = moveBdim(b, db, N - 2, B); // [..., m, B, n]
        const flat = reshape(y, [...y.shape.slice(0, N - 3), y.shape[N - 3] * B, y.shape[N - 1]]);
        return [[reshape(triangularSolveP.bind1([a, flat], p), y.shape)], [N - 2]];
      }
      const af = moveBdim(a, da, 0, axis.size);
      const bf = moveBdim(b, db, 0, axis.size);
      return [[triangularSolveP.bind1([af, bf], p)], [0]];
    },
  },
);

/** JAX's `_triangular_solve_jvp_rule_a`: −op(A)⁻¹·op(Ȧ)·X (left) or −X·op(Ȧ)·op(A)⁻¹ (right). */
function triangularSolveJvpA(ga: Array, ans: Array, a: Array, b: Array, p: TriangularSolveParams): Array {
  const [m, n] = b.shape.slice(-2);
  const k = p.unitDiagonal ? 1 : 0;
  let g = p.lower ? tril(ga, -k) : triu(ga, k);
  g = neg(g);
  if (p.transposeA) g = mT(g);
  if (p.conjugateA && g.dtype === "complex64") g = conj(g);
  const inv = (rhs: Array): Array => triangularSolveP.bind1([a, rhs], p);
  // A solve costs about as much as a matmul: order the two products the cheaper way, as JAX.
  if (p.leftSide) return m > n ? inv(matmul(g, ans)) : matmul(inv(g), ans);
  return m < n ? inv(matmul(ans, g)) : matmul(ans, inv(g));
}

export interface TriangularSolveOptions {
  leftSide?: boolean;
  lower?: boolean;
  transposeA?: boolean;
  conjugateA?: boolean;
  unitDiagonal?: boolean;
}

/**
 * lax.linalg.triangularSolve (JAX's defaults: right side, upper): X with op(A)·X = B when
 * `leftSide`, else X·op(A) = B. `b` may have one axis less than `a` (a batch of vectors).
 */
export function triangularSolve(a: Array, b: Array, opts: TriangularSolveOptions = {}): Array {
  const { leftSide = false, lower = false, transposeA = false, unitDiagonal = false } = opts;
  // As JAX: conjugation is meaningless (and dropped) for real matrices.
  const conjugateA = (opts.conjugateA ?? false) && a.dtype === "complex64";
  const singleton = b.ndim === a.ndim - 1;
  const bm = singleton ? reshape(b, leftSide ? [...b.shape, 1] : [...b.shape.slice(0, -1), 1, b.shape[b.ndim - 1]]) : b;
  const x = triangularSolveP.bind1([a, bm], { leftSide, lower, transposeA, conjugateA, unitDiagonal });
  return singleton ? reshape(x, b.shape) : x;
}

// ------------------------------------------------------------------ qr

export interface QrParams {
  /** Complete (q m×m, r m×n) or reduced (q m×k, r k×n, k = min(m, n)) factors. */
  readonly fullMatrices: boolean;
}

export const qrP: Primitive<QrParams> = definePrimitive<QrParams>("qr", {
  abstractEval([a], { fullMatrices }) {
    checkMatrix("qr", "a", a, false);
    const [m, n] = a.shape.slice(-2);
    const k = fullMatrices ? m : Math.min(m, n);
    const lead = a.shape.slice(0, -2);
    return [new ShapedArray([...lead, m, k], a.dtype), new ShapedArray([...lead, k, n], a.dtype)];
  },
  // JAX's `qr_jvp_rule` (j-towns.github.io/papers/qr-derivative.pdf).
  jvp([a], [da], { fullMatrices }) {
    const [m, n] = a.shape.slice(-2);
    if (m < n || (fullMatrices && m !== n)) {
      throw new NotImplementedError(
        `jvp of qr: only m ≥ n with reduced factors (or square input) is differentiable, as in JAX; got shape ${fmtShape(a.shape)}, fullMatrices=${fullMatrices}`,
      );
    }
    const [q, r] = qrP.bind([a], { fullMatrices: false });
    const dxRinv = triangularSolve(r, da); // dA·R⁻¹ (right side, upper)
    const qtDxRinv = matmul(mH(q), dxRinv);
    const lowerPart = tril(qtDxRinv, -1);
    let dO = sub(lowerPart, mH(lowerPart)); // skew-Hermitian
    if (a.dtype === "complex64") {
      // The correction JAX adds for complex input: i·Im of the diagonal of Qᴴ·dA·R⁻¹.
      const iIm = complex(zerosLike(real(qtDxRinv)), imag(qtDxRinv));
      dO = add(dO, mul(eye(n, n, a.dtype, a.shape.slice(0, -2)), iIm));
    }
    const dq = add(matmul(q, sub(dO, qtDxRinv)), dxRinv);
    const dr = matmul(sub(qtDxRinv, dO), r);
    return [
      [q, r],
      [dq, dr],
    ];
  },
  batch: frontBatch(() => qrP),
});

/**
 * lax.linalg.qr: `[q, r]` with a = q·r, q unitary columns, r upper triangular (LAPACK's signs,
 * hence numpy's). `fullMatrices` (default true, as JAX) gives q m×m and r m×n.
 */
export function qr(a: Array, opts: { fullMatrices?: boolean } = {}): [Array, Array] {
  const [q, r] = qrP.bind([a], { fullMatrices: opts.fullMatrices ?? true });
  return [q, r];
}
