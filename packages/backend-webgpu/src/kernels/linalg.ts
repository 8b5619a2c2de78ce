/**
 * Dense linear-algebra kernels of the WebGPU backend, one file per primitive family (each
 * registers itself on import): triangularSolve and cholesky (linalg-solve.ts), lu
 * (linalg-lu.ts), qr (linalg-qr.ts), eigh (linalg-eigh.ts), svd (linalg-svd.ts), eig (linalg-eig.ts);
 * shared helpers in linalg-common.ts.
 */
import "./linalg-solve.ts";
import "./linalg-lu.ts";
import "./linalg-qr.ts";
import "./linalg-eigh.ts";
import "./linalg-svd.ts";
import "./linalg-eig.ts";
