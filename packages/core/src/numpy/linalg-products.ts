/**
 * numpy products built on `lax.dotGeneral`: matmul (numpy batch broadcasting and 1-D promotion,
 * without materializing broadcasts — JAX's algorithm), dot, vdot, inner, outer, tensordot.
 */
import type { Array, ArrayLike } from "../core/array.ts";
import * as lax from "../primitives/index.ts";
import { isComplex, type DType } from "../dtype.ts";
import { ShapeError, ValueError } from "../errors.ts";
import { fmtShape } from "../shape.ts";
import { prepareBinary, promoteArgs } from "./promote.ts";
import { checkPrecision, type PrecisionLike } from "../primitives/precision.ts";

export interface ProductOptions {
  /** Output dtype for integer/bool operands (see lax.dotGeneral). */
  preferredElementType?: DType | null;
  /** JAX's `precision` (validated; every setting computes in float32, as XLA:CPU does — see primitives/precision.ts). */
  precision?: PrecisionLike;
}

const range = (n: number, from = 0): number[] => globalThis.Array.from({ length: n }, (_, i) => from + i);
function argsort(xs: readonly number[]): number[] {
  return xs.map((_, i) => i).sort((a, b) => xs[a] - xs[b]);
}

/**
 * Matrix product with numpy's rules: 1-D operands are promoted to matrices (and the added axis
 * removed), leading batch dims broadcast. Size-1 or missing batch dims become free dims of the
 * contraction instead of being broadcast, so nothing is materialized.
 */
export function matmul(x: ArrayLike, y: ArrayLike, opts: ProductOptions = {}): Array {
  checkPrecision("matmul", opts.precision);
  const [a0, b0] = promoteArgs(x, y);
  if (a0.ndim === 0 || b0.ndim === 0) {
    throw new ValueError(
      `matmul: operands must have at least one dimension; got shapes ${fmtShape(a0.shape)} and ${fmtShape(b0.shape)} (use multiply for scalars)`,
    );
  }
  const aIsMat = a0.ndim > 1;
  const bIsMat = b0.ndim > 1;
  const aK = a0.shape[a0.ndim - 1];
  const bK = b0.shape[bIsMat ? b0.ndim - 2 : 0];
  if (aK !== bK) {
    throw new ShapeError(
      `matmul: contraction dimension mismatch: shapes ${fmtShape(a0.shape)} and ${fmtShape(b0.shape)} (a's last axis has size ${aK}, b's ${bIsMat ? "second-to-last" : "only"} axis has size ${bK})`,
    );
  }
  const aBatch = aIsMat ? a0.shape.slice(0, -2) : [];
  const bBatch = bIsMat ? b0.shape.slice(0, -2) : [];
  const nb = Math.max(aBatch.length, bBatch.length);
  const pa: (number | null)[] = [...new globalThis.Array<null>(nb - aBatch.length).fill(null), ...aBatch];
  const pb: (number | null)[] = [...new globalThis.Array<null>(nb - bBatch.length).fill(null), ...bBatch];
  const aSqueeze: number[] = [];
  const bSqueeze: number[] = [];
  const aBatchPos: number[] = [];
  const bBatchPos: number[] = [];
  const idxBatch: number[] = [];
  const idxAOther: number[] = [];
  const idxBOther: number[] = [];
  for (let i = 0; i < nb; i++) {
    const ba = pa[i];
    const bb = pb[i];
    if (ba === null) idxBOther.push(i);
    else if (bb === null) idxAOther.push(i);
    else if (ba === 1) {
      idxBOther.push(i);
      aSqueeze.push(idxBatch.length + idxAOther.length + aSqueeze.length);
    } else if (bb === 1) {
      idxAOther.push(i);
      bSqueeze.push(idxBatch.length + idxBOther.length + bSqueeze.length);
    } else if (ba === bb) {
      aBatchPos.push(idxBatch.length + idxAOther.length);
      bBatchPos.push(idxBatch.length + idxBOther.length);
      idxBatch.push(i);
    } else {
      throw new ShapeError(
        `matmul: batch dimensions of shapes ${fmtShape(a0.shape)} and ${fmtShape(b0.shape)} cannot be broadcast together (batch axis ${i - nb - 2}: ${ba} vs ${bb})`,
      );
    }
  }
  if (aIsMat) idxAOther.push(nb);
  if (bIsMat) idxBOther.push(nb + (aIsMat ? 1 : 0));
  const perm = argsort([...idxBatch, ...idxAOther, ...idxBOther]);
  const a = aSqueeze.length > 0 ? lax.squeeze(a0, aSqueeze) : a0;
  const b = bSqueeze.length > 0 ? lax.squeeze(b0, bSqueeze) : b0;
  const out = lax.dotGeneral(a, b, {
    contractingDims: [[a.ndim - 1], [b.ndim - 1 - (bIsMat ? 1 : 0)]],
    batchDims: [aBatchPos, bBatchPos],
    preferredElementType: opts.preferredElementType ?? null,
  });
  return lax.transpose(out, perm);
}

/**
 * numpy.dot: scalars multiply; otherwise contracts the last axis of `a` with the last axis of a
 * 1-D `b` or the second-to-last axis of an N-D `b` (result: a's other axes, then b's).
 */
export function dot(x: ArrayLike, y: ArrayLike, opts: ProductOptions = {}): Array {
  checkPrecision("dot", opts.precision);
  const [a, b] = promoteArgs(x, y);
  if (a.ndim === 0 || b.ndim === 0) {
    const [c, d] = prepareBinary("dot", a, b);
    return lax.mul(c, d);
  }
  const bAxis = b.ndim === 1 ? 0 : b.ndim - 2;
  if (a.shape[a.ndim - 1] !== b.shape[bAxis]) {
    throw new ShapeError(
      `dot: shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)} not aligned: a's last axis (size ${a.shape[a.ndim - 1]}) != b's axis ${bAxis} (size ${b.shape[bAxis]})`,
    );
  }
  return lax.dotGeneral(a, b, {
    contractingDims: [[a.ndim - 1], [bAxis]],
    preferredElementType: opts.preferredElementType ?? null,
  });
}

/** numpy.vdot: flattens both operands and conjugates the first (complex). */
export function vdot(x: ArrayLike, y: ArrayLike, opts: ProductOptions = {}): Array {
  checkPrecision("vdot", opts.precision);
  const [a0, b0] = promoteArgs(x, y);
  if (a0.size !== b0.size)
    throw new ShapeError(
      `vdot: operands must have the same number of elements; got shapes ${fmtShape(a0.shape)} and ${fmtShape(b0.shape)}`,
    );
  const a = lax.reshape(isComplex(a0.dtype) ? lax.conj(a0) : a0, [a0.size]);
  const b = lax.reshape(b0, [b0.size]);
  return lax.dotGeneral(a, b, { contractingDims: [[0], [0]], preferredElementType: opts.preferredElementType ?? null });
}

/** numpy.inner: contracts the last axes of both operands (scalars multiply). */
export function inner(x: ArrayLike, y: ArrayLike, opts: ProductOptions = {}): Array {
  checkPrecision("inner", opts.precision);
  const [a, b] = promoteArgs(x, y);
  if (a.ndim === 0 || b.ndim === 0) {
    const [c, d] = prepareBinary("inner", a, b);
    return lax.mul(c, d);
  }
  if (a.shape[a.ndim - 1] !== b.shape[b.ndim - 1]) {
    throw new ShapeError(
      `inner: last dimensions of shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)} differ (${a.shape[a.ndim - 1]} vs ${b.shape[b.ndim - 1]})`,
    );
  }
  return lax.dotGeneral(a, b, {
    contractingDims: [[a.ndim - 1], [b.ndim - 1]],
    preferredElementType: opts.preferredElementType ?? null,
  });
}

/** numpy.outer: the flattened operands' outer product, shape [a.size, b.size]. */
export function outer(x: ArrayLike, y: ArrayLike): Array {
  const [a0, b0] = promoteArgs(x, y);
  const a = lax.reshape(a0, [a0.size]);
  const b = lax.reshape(b0, [b0.size]);
  // A dotGeneral with nothing to contract is exactly the outer product.
  return lax.dotGeneral(a, b, { contractingDims: [[], []] });
}

/**
 * numpy.tensordot: `axes` = N contracts the last N axes of `a` with the first N of `b`;
 * `[axesA, axesB]` contracts the listed axes pairwise. Result: a's free axes, then b's.
 */
export function tensordot(
  x: ArrayLike,
  y: ArrayLike,
  axes: number | readonly [number | readonly number[], number | readonly number[]] = 2,
  opts: ProductOptions = {},
): Array {
  checkPrecision("tensordot", opts.precision);
  const [a, b] = promoteArgs(x, y);
  let ca: number[];
  let cb: number[];
  if (typeof axes === "number") {
    if (!Number.isInteger(axes) || axes < 0 || axes > a.ndim || axes > b.ndim) {
      throw new ShapeError(
        `tensordot: axes=${axes} must be between 0 and min(a.ndim, b.ndim) for shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`,
      );
    }
    ca = range(axes, a.ndim - axes);
    cb = range(axes);
  } else {
    const [xa, xb] = axes;
    const la = typeof xa === "number" ? [xa] : [...xa];
    const lb = typeof xb === "number" ? [xb] : [...xb];
    if (la.length !== lb.length)
      throw new ShapeError(
        `tensordot: axes lists must have equal lengths; got ${JSON.stringify(la)} and ${JSON.stringify(lb)}`,
      );
    const norm = (v: number, nd: number, which: string) => {
      if (!Number.isInteger(v) || v < -nd || v >= nd)
        throw new ShapeError(
          `tensordot: axis ${v} is out of range for ${which} of shape ${which === "a" ? fmtShape(a.shape) : fmtShape(b.shape)}`,
        );
      return v < 0 ? v + nd : v;
    };
    ca = la.map((v) => norm(v, a.ndim, "a"));
    cb = lb.map((v) => norm(v, b.ndim, "b"));
  }
  return lax.dotGeneral(a, b, { contractingDims: [ca, cb], preferredElementType: opts.preferredElementType ?? null });
}
