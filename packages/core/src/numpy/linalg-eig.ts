/**
 * `np.linalg.eig` / `eigvals` for general square matrices (jax.numpy.linalg's): complex64
 * eigenvalues and right eigenvectors (columns of unit 2-norm, largest component real, as numpy).
 * Integer and bool input is promoted to float32. `eigvals` is differentiable (dw = diag(V⁻¹·dA·V));
 * as in JAX, eigenvectors are not. The order of the eigenvalues is the algorithm's (as numpy's,
 * unspecified) and can change under a small perturbation of the input: sort them (np.sort, or by
 * real part) before differentiating or comparing them element by element.
 */
import type { Array, ArrayLike } from "../core/array.ts";
import * as lax from "../primitives/index.ts";
import { checkMatrix } from "../primitives/batched-matrix.ts";
import { asInexact } from "./convert.ts";

/** np.linalg.eig: `[w, v]` with a·v[:, k] = w[k]·v[:, k]; both complex64. */
export function eig(a: ArrayLike): [Array, Array] {
  const x = asInexact(a);
  checkMatrix("np.linalg.eig", "a", x.aval, true);
  const [w, v] = lax.eig(x, { computeRightEigenvectors: true });
  return [w, v];
}

/** np.linalg.eigvals: the eigenvalues (complex64) of general square matrices; differentiable. */
export function eigvals(a: ArrayLike): Array {
  const x = asInexact(a);
  checkMatrix("np.linalg.eigvals", "a", x.aval, true);
  return lax.eig(x, { computeRightEigenvectors: false })[0];
}
