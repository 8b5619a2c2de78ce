/**
 * HiPPO-LegS and its normal part (HiPPO-N), the initialisation of S5's state matrix and of
 * S4D-LegS — linax's `_make_hippo`, `_make_nplr_hippo`, `_make_dplr_hippo` (from the annotated S4).
 *
 * Everything is computed in float32 with the same operations as linax, so the eigenvalues match
 * JAX's to float32 rounding: the real part is `mean(diag S)` (≈ -0.4999998 in float32, not exactly
 * -½) and the imaginary parts come from the Hermitian eigensolver.
 */
import { type Array, ValueError, lax, np } from "@linax-ts/core";

/** `-HiPPO-LegS` of size `n`: `A[i,k] = -(√(2i+1)·√(2k+1) if i>k; i+1 if i=k; 0 if i<k)`. */
export function makeHippo(n: number): Array {
  checkSize("makeHippo", n);
  const p = np.sqrt(np.add(np.multiply(np.arange(n), 2), 1));
  const outer = np.multiply(p.reshape([n, 1]), p.reshape([1, n]));
  const a = np.subtract(np.tril(outer), np.diag(np.arange(n, { dtype: "float32" })));
  return np.negative(a);
}

/** `[A, P, B]`: `-HiPPO-LegS`, the rank-1 term `P[i] = √(i+½)` that makes `A + PPᵀ` normal, and `B[i] = √(2i+1)`. */
export function makeNplrHippo(n: number): [Array, Array, Array] {
  const a = makeHippo(n);
  const p = np.sqrt(np.add(np.arange(n, { dtype: "float32" }), 0.5));
  const b = np.sqrt(np.add(np.multiply(np.arange(n, { dtype: "float32" }), 2), 1));
  return [a, p, b];
}

/** The diagonalised normal part of HiPPO-LegS (`_make_dplr_hippo`). */
export interface DplrHippo {
  /** Eigenvalues `Λ = mean(diag S) + i·λ_im`, complex64 `[n]`, `λ_im` ascending (± pairs). */
  readonly Lambda: Array;
  /** The low-rank factor in the eigenbasis, `Vᴴ P`, complex64 `[n]`. */
  readonly P: Array;
  /** The input vector in the eigenbasis, `Vᴴ B`, complex64 `[n]`. */
  readonly B: Array;
  /** Unitary eigenvectors (columns), complex64 `[n, n]`; `S = V diag(Λ) Vᴴ` up to rounding. */
  readonly V: Array;
  /** The original `B[i] = √(2i+1)`, float32 `[n]`. */
  readonly BOrig: Array;
  /** `S = A + PPᵀ = -½I + K` (K skew-symmetric), float32 `[n, n]`. */
  readonly S: Array;
}

/**
 * HiPPO-N: `S = A + PPᵀ` is `-½I` plus a skew-symmetric `K`, hence normal. Its eigenvalues are
 * `-½ + iλ` with `λ` the eigenvalues of the Hermitian `-iK`. Like linax, the real part is taken as
 * `mean(diag S)` and `eigh(-iS)` is solved with the default input symmetrisation, which discards
 * the `-½` on the diagonal (`(-iS + (-iS)ᴴ)/2 = -iK`).
 */
export function makeDplrHippo(n: number): DplrHippo {
  const [a, p, b] = makeNplrHippo(n);
  const s = np.add(a, np.multiply(p.reshape([n, 1]), p.reshape([1, n])));
  const lambdaRe = np.multiply(np.mean(np.diagonal(s)), np.ones([n]));
  // S·(-1j) = 0 + i·(-S): the real part is exactly zero, as in JAX's complex multiply.
  const minusIS = lax.complex(np.zeros([n, n]), np.negative(s));
  const [lambdaIm, v] = np.linalg.eigh(minusIS);
  const vh = np.conj(np.transpose(v));
  const cplx = (x: Array) => lax.complex(x, np.zerosLike(x));
  return {
    Lambda: lax.complex(lambdaRe, lambdaIm),
    P: np.matmul(vh, cplx(p)),
    B: np.matmul(vh, cplx(b)),
    V: v,
    BOrig: b,
    S: s,
  };
}

function checkSize(op: string, n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new ValueError(`${op}: the size must be a positive integer; got ${n}`);
}
