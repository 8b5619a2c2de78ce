/**
 * The eigendecomposition of general (non-Hermitian) square matrices and its rules, after JAX's
 * `eig_p` in `jax/_src/lax/linalg.py`:
 *   eig   a[..., n, n] (float32 or complex64) → w[..., n] complex64 eigenvalues, and with
 *         `computeRightEigenvectors` v[..., n, n] complex64 (columns, unit 2-norm, largest
 *         component real: LAPACK's and numpy's normalization)
 * JVP: eigenvalues only, dw = diag(V⁻¹·dA·V) (JAX's `eig_jvp_rule`). As in JAX, the derivative of
 * the eigenvectors is not implemented (use eigh for Hermitian matrices).
 */
import type { Array } from "../core/array.ts";
import { ShapedArray } from "../core/aval.ts";
import { definePrimitive, type BatchDim, type Primitive } from "../core/primitive.ts";
import { NotImplementedError } from "../errors.ts";
import { moveBdim } from "./batching.ts";
import { complex } from "./complex.ts";
import { fullLike } from "./elementwise.ts";
import { checkMatrix, diagonal, matmul } from "./batched-matrix.ts";
import { lu, luSolve } from "./linalg-lu.ts";

export interface EigParams {
  /** Also return the right eigenvectors v (A·v_k = w_k·v_k). */
  readonly computeRightEigenvectors: boolean;
}

/** A real tangent as complex64 (zero imaginary part). */
const toComplex = (x: Array): Array => (x.dtype === "complex64" ? x : complex(x, fullLike(x, 0)));

export const eigP: Primitive<EigParams> = definePrimitive<EigParams>("eig", {
  abstractEval([a], { computeRightEigenvectors }) {
    checkMatrix("eig", "a", a, true);
    const w = new ShapedArray(a.shape.slice(0, -1), "complex64");
    return computeRightEigenvectors ? [w, new ShapedArray(a.shape, "complex64")] : [w];
  },
  jvp([a], [da], { computeRightEigenvectors }) {
    if (computeRightEigenvectors) {
      throw new NotImplementedError(
        "jvp of eig: the derivatives of eigenvectors are not implemented, only of eigenvalues (as in JAX): use np.linalg.eigvals, or np.linalg.eigh for Hermitian matrices",
      );
    }
    const [w, v] = eigP.bind([a], { computeRightEigenvectors: true });
    // dw_k = (V⁻¹·dA·V)_kk — first-order perturbation of a simple eigenvalue.
    const [luMat, , perm] = lu(v);
    const vinvDa = luSolve(luMat, perm, toComplex(da));
    return [[w], [diagonal(matmul(vinvDa, v))]];
  },
  batch(
    args: readonly Array[],
    dims: readonly BatchDim[],
    params: EigParams,
    axis: { size: number },
  ): [Array[], BatchDim[]] {
    const outs = eigP.bind([moveBdim(args[0], dims[0], 0, axis.size)], params);
    return [outs, outs.map(() => 0)];
  },
});

export interface EigOptions {
  /** Return the right eigenvectors too (default true). */
  computeRightEigenvectors?: boolean;
  /** Left eigenvectors are not computed (JAX's default for jnp.linalg.eig); true raises. */
  computeLeftEigenvectors?: boolean;
}

/**
 * lax.linalg.eig: `[w, v]` (or `[w]` without right eigenvectors) of a general square matrix;
 * complex64 results, eigenvalues in the order of the Schur form's diagonal.
 */
export function eig(a: Array, opts: EigOptions = {}): Array[] {
  if (opts.computeLeftEigenvectors === true) {
    throw new NotImplementedError(
      "lax.eig: left eigenvectors are not computed (they are the conjugated right eigenvectors of aᴴ: use eig(conj(aᵀ)))",
    );
  }
  return eigP.bind([a], { computeRightEigenvectors: opts.computeRightEigenvectors ?? true });
}
