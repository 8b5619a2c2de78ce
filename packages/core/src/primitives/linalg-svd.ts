/**
 * The singular value decomposition primitive and its rules, after JAX's `svd_p` in
 * `jax/_src/lax/linalg.py`:
 *   svd   a[..., m, n] → (s, u, vh) with a = u·diag(s)·vh, s descending, real (float32)
 *         (only s when computeUv is false)                      JVP: `_svd_jvp_rule`
 * Leading axes are batch axes (the batching rule moves the vmapped axis to the front).
 */
import type { Array } from "../core/array.ts";
import { ShapedArray } from "../core/aval.ts";
import { definePrimitive, type BatchDim, type Primitive } from "../core/primitive.ts";
import { NotImplementedError } from "../errors.ts";
import { fmtShape } from "../shape.ts";
import { moveBdim } from "./batching.ts";
import { complex, real } from "./complex.ts";
import { convertElementType } from "./convert.ts";
import { add, div, fullLike, integerPow, mul, sub } from "./elementwise.ts";
import { eq } from "./elementwise-logic.ts";
import { broadcastInDim } from "./shape-ops.ts";
import { checkMatrix, diagEmbed, diagonal, eye, matmul, mH } from "./batched-matrix.ts";

const range = (n: number): number[] => globalThis.Array.from({ length: n }, (_, i) => i);

export interface SvdParams {
  /** Complete (u m×m, vh n×n) or reduced (u m×k, vh k×n, k = min(m, n)) factors. */
  readonly fullMatrices: boolean;
  /** Also return u and vh (otherwise the primitive has the single output s). */
  readonly computeUv: boolean;
}

/** A real array as `like`'s dtype (complex64 gets a zero imaginary part). */
function asDtypeOf(x: Array, like: Array): Array {
  if (like.dtype !== "complex64" || x.dtype === "complex64") return x;
  return complex(x, fullLike(x, 0));
}

export const svdP: Primitive<SvdParams> = definePrimitive<SvdParams>("svd", {
  abstractEval([a], { fullMatrices, computeUv }) {
    checkMatrix("svd", "a", a, false);
    const [m, n] = a.shape.slice(-2);
    const k = Math.min(m, n);
    const lead = a.shape.slice(0, -2);
    const s = new ShapedArray([...lead, k], "float32");
    if (!computeUv) return [s];
    return [
      s,
      new ShapedArray([...lead, m, fullMatrices ? m : k], a.dtype),
      new ShapedArray([...lead, fullMatrices ? n : k, n], a.dtype),
    ];
  },
  // JAX's `_svd_jvp_rule`: with S = Uᴴ·dA·V, ds = Re diag(S); dU and dV from the antisymmetric
  // parts scaled by F[i, j] = 1 / (s_j² − s_i²), plus the components outside the range of U
  // (m > n) or V (n > m). Degenerate singular values give Inf/NaN, as in JAX.
  jvp([a], [da], { fullMatrices, computeUv }) {
    if (computeUv && fullMatrices && a.shape[a.ndim - 1] !== a.shape[a.ndim - 2]) {
      throw new NotImplementedError(
        `jvp of svd: not implemented for full matrices of a non-square input (as in JAX); got shape ${fmtShape(a.shape)}; use fullMatrices: false`,
      );
    }
    const [s, u, vh] = svdP.bind([a], { fullMatrices: false, computeUv: true });
    const nd = a.ndim;
    const [m, n] = a.shape.slice(-2);
    const k = Math.min(m, n);
    const batch = a.shape.slice(0, nd - 2);
    const b = range(nd - 2);
    const ut = mH(u);
    const v = mH(vh);
    const dS = matmul(matmul(ut, da), v);
    const dd = diagonal(dS);
    const ds = a.dtype === "complex64" ? real(dd) : dd;
    if (!computeUv) return [[s], [ds]];
    const sq = [...batch, k, k];
    const sRow = broadcastInDim(s, sq, [...b, nd - 1]); // s_j at [i, j]
    const sCol = broadcastInDim(s, sq, [...b, nd - 2]); // s_i at [i, j]
    const e = eye(k, k, "float32", batch);
    const sDiffs = mul(add(sRow, sCol), sub(sRow, sCol));
    const fmat = sub(integerPow(add(sDiffs, e), -1), e);
    const sRowC = asDtypeOf(sRow, a);
    const dSS = mul(sRowC, dS); // dS·diag(s)
    const SdS = mul(asDtypeOf(sCol, a), dS); // diag(s)·dS
    const sZeros = convertElementType(eq(s, fullLike(s, 0)), "float32");
    const sInv = sub(integerPow(add(s, sZeros), -1), sZeros);
    const half = fullLike(dS, 0.5);
    const dUdVdiag = mul(mul(half, sub(dS, mH(dS))), asDtypeOf(diagEmbed(sInv), a));
    const fc = asDtypeOf(fmat, a);
    let dU = matmul(u, add(mul(fc, add(dSS, mH(dSS))), dUdVdiag));
    let dV = matmul(v, mul(fc, add(SdS, mH(SdS))));
    if (m > n) {
      const dAV = matmul(da, v);
      dU = add(
        dU,
        div(sub(dAV, matmul(u, matmul(ut, dAV))), broadcastInDim(asDtypeOf(s, a), [...batch, m, k], [...b, nd - 1])),
      );
    }
    if (n > m) {
      const dAHU = matmul(mH(da), u);
      dV = add(
        dV,
        div(sub(dAHU, matmul(v, matmul(vh, dAHU))), broadcastInDim(asDtypeOf(s, a), [...batch, n, k], [...b, nd - 1])),
      );
    }
    return [
      [s, u, vh],
      [ds, dU, mH(dV)],
    ];
  },
  batch(
    args: readonly Array[],
    dims: readonly BatchDim[],
    params: SvdParams,
    axis: { size: number },
  ): [Array[], BatchDim[]] {
    const outs = svdP.bind([moveBdim(args[0], dims[0], 0, axis.size)], params);
    return [outs, outs.map(() => 0)];
  },
});

export interface SvdOptions {
  /** Complete factors (default true, as JAX): u m×m, vh n×n. */
  fullMatrices?: boolean;
}

/**
 * lax.linalg.svd: `[u, s, vh]` with a = u·diag(s)·vh (s descending, float32) — JAX's order of
 * outputs. `svdvals` gives s alone.
 */
export function svd(a: Array, opts: SvdOptions = {}): [Array, Array, Array] {
  const [s, u, vh] = svdP.bind([a], { fullMatrices: opts.fullMatrices ?? true, computeUv: true });
  return [u, s, vh];
}

/** The singular values `[..., min(m, n)]` of `a`, descending (float32). */
export function svdvals(a: Array): Array {
  return svdP.bind1([a], { fullMatrices: false, computeUv: false });
}
