/**
 * `lu`: LU decomposition with partial pivoting (JAX's `lu_p`), with its JVP (`_lu_jvp_rule`,
 * after De Hoog, Anderssen & Lukas) and batching rule, plus `luSolve` — the building block of
 * `np.linalg.solve`, `inv`, `det` and `slogdet`, as in jax.numpy.
 */
import type { Array } from "../core/array.ts";
import { ShapedArray } from "../core/aval.ts";
import { definePrimitive, type Primitive } from "../core/primitive.ts";
import { fromHost } from "../core/concrete.ts";
import { getBackend } from "../backend.ts";
import { allocTyped, type DType } from "../dtype.ts";
import { ShapeError } from "../errors.ts";
import { fmtShape } from "../shape.ts";
import { moveBdim } from "./batching.ts";
import { add, fullLike, zerosLike } from "./elementwise.ts";
import { eq, select } from "./elementwise-logic.ts";
import { broadcastInDim } from "./shape-ops.ts";
import { iota, pad, slice } from "./shape-slicing.ts";
import { scalar } from "./scalars-and-batch-dims.ts";
import { checkMatrix, eye, matmul, tril, triu } from "./batched-matrix.ts";
import { triangularSolve } from "./linalg.ts";

const range = (n: number, from = 0): number[] => globalThis.Array.from({ length: n }, (_, i) => from + i);

/**
 * `lu(a) → [lu, pivots, permutation]` for `a [..., m, n]`: `lu` packs the unit-lower L (below
 * the diagonal) and U; `pivots [..., min(m, n)]` are LAPACK's row swaps (0-based) and
 * `permutation [..., m]` the resulting row order, with `a[permutation] = L·U`.
 */
export const luP: Primitive<Record<string, never>> = definePrimitive<Record<string, never>>("lu", {
  abstractEval([a]) {
    checkMatrix("lu", "a", a, false);
    const [m, n] = a.shape.slice(-2);
    const lead = a.shape.slice(0, -2);
    return [
      new ShapedArray(a.shape, a.dtype),
      new ShapedArray([...lead, Math.min(m, n)], "int32"),
      new ShapedArray([...lead, m], "int32"),
    ];
  },
  // JAX's `_lu_jvp_rule`: with L̇ = L·tril(L⁻¹·Ȧ[perm]·U⁻¹, −1) and U̇ = triu(L⁻¹·Ȧ[perm]·U⁻¹)·U,
  // the packed tangent is L̇ + U̇ (the unit diagonal of L is constant).
  jvp([a], [da]) {
    const [lu, pivots, perm] = luP.bind([a], {});
    const nd = a.ndim;
    const [m, n] = a.shape.slice(-2);
    const k = Math.min(m, n);
    const lead = a.shape.slice(0, -2);
    const zero = scalar(0, a.dtype);
    const z = lead.map(() => 0);
    const noPad = lead.map(() => [0, 0, 0] as const);
    // L: m×m unit lower; U: n×n upper, completed with ones on the diagonal beyond k.
    const lk = slice(lu, [...z, 0, 0], [...lead, m, k]);
    const l = add(pad(tril(lk, -1), zero, [...noPad, [0, 0, 0], [0, m - k, 0]]), eye(m, m, a.dtype, lead));
    const uk = slice(lu, [...z, 0, 0], [...lead, k, n]);
    const uEye = hostDiagFrom(n, k, a.dtype, lead);
    const u = add(pad(triu(uk), zero, [...noPad, [0, n - k, 0], [0, 0, 0]]), uEye);
    const la = triangularSolve(l, matmul(permutationMatrix(perm, m, a.dtype, nd), da), {
      leftSide: true,
      lower: true,
      unitDiagonal: true,
    });
    const lau = triangularSolve(u, la, { leftSide: false, lower: false });
    const dlu = add(matmul(l, tril(lau, -1)), matmul(triu(lau), u));
    return [
      [lu, pivots, perm],
      [dlu, null, null],
    ];
  },
  batch([a], [d], p, axis) {
    const outs = luP.bind([moveBdim(a, d, 0, axis.size)], p);
    return [outs, [0, 0, 0]];
  },
});

/** An n×n matrix with ones on the diagonal at positions ≥ k (JAX's padded `u_eye`). */
function hostDiagFrom(n: number, k: number, dtype: DType, lead: readonly number[]): Array {
  const data = allocTyped(dtype, n * n);
  const w = dtype === "complex64" ? 2 : 1;
  for (let i = k; i < n; i++) data[w * (i * n + i)] = 1;
  const c = fromHost(getBackend(), data, new ShapedArray([n, n], dtype));
  return lead.length === 0 ? c : broadcastInDim(c, [...lead, n, n], [lead.length, lead.length + 1]);
}

/**
 * The permutation matrix P with `P[i, j] = (perm[i] == j)`, so that `P @ x == x[perm]` (row
 * gather as a matmul: linear, batched, and differentiable in x).
 */
export function permutationMatrix(perm: Array, m: number, dtype: DType, nd: number): Array {
  const shape = [...perm.shape, m];
  const rows = broadcastInDim(perm, shape, range(nd - 1));
  const cols = iota("int32", shape, nd - 1);
  const ones = fullLike(new ShapedArray(shape, dtype), 1);
  return select(eq(rows, cols), ones, zerosLike(ones));
}

/** lax.linalg.lu: `[lu, pivots, permutation]` (see {@link luP}). */
export function lu(a: Array): [Array, Array, Array] {
  const [x, p, q] = luP.bind([a], {});
  return [x, p, q];
}

/**
 * Solve `A·X = B` given `lu(A)` (JAX's `lu_solve` with trans=0): `x = U⁻¹·L⁻¹·B[perm]`.
 * `lu [..., n, n]`, `perm [..., n]`, `b [..., n, k]` with equal leading dims.
 */
export function luSolve(luMat: Array, perm: Array, b: Array): Array {
  const n = luMat.shape[luMat.ndim - 1];
  if (b.ndim !== luMat.ndim || b.shape[b.ndim - 2] !== n) {
    throw new ShapeError(
      `luSolve: b must be [..., ${n}, k] with the leading dims of lu ${fmtShape(luMat.shape)}; got ${fmtShape(b.shape)}`,
    );
  }
  const pb = matmul(permutationMatrix(perm, n, b.dtype, b.ndim), b);
  const y = triangularSolve(luMat, pb, { leftSide: true, lower: true, unitDiagonal: true });
  return triangularSolve(luMat, y, { leftSide: true, lower: false });
}
