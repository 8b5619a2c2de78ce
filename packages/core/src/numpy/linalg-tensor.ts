/**
 * `np.linalg` functions over several arrays or axes: `multiDot` (a matrix chain in the cheapest
 * order), `tensorsolve` (a linear solve over groups of axes) and the array-API `trace` (of the
 * trailing two axes). All are compositions of other operations, so they differentiate, batch
 * and jit through them.
 */
import type { Array, ArrayLike } from "../core/array.ts";
import * as lax from "../primitives/index.ts";
import { ShapeError, ValueError } from "../errors.ts";
import { fmtShape, normAxes, prod } from "../shape.ts";
import { asArray } from "./convert.ts";
import { checkOptions } from "./args.ts";
import { matmul } from "./linalg-products.ts";
import { trace as npTrace } from "./diagonals.ts";
// ./linalg.ts re-exports this module; solve is only called at run time.
import { solve } from "./linalg.ts";

/**
 * np.linalg.multiDot: the product of a chain of matrices, multiplied in the order of fewest
 * scalar multiplications (the classic O(k³) dynamic programme over the chain, as numpy). The
 * first array may be 1-d (a row vector) and the last 1-d (a column vector); the others are 2-d.
 */
export function multiDot(arrays: readonly ArrayLike[]): Array {
  if (arrays.length < 2) throw new ValueError(`np.linalg.multiDot: expected at least two arrays; got ${arrays.length}`);
  const xs = arrays.map((a) => asArray(a));
  const k = xs.length;
  const firstVec = xs[0].ndim === 1;
  const lastVec = xs[k - 1].ndim === 1;
  if (firstVec) xs[0] = lax.reshape(xs[0], [1, xs[0].shape[0]]);
  if (lastVec) xs[k - 1] = lax.reshape(xs[k - 1], [xs[k - 1].shape[0], 1]);
  xs.forEach((x, i) => {
    if (x.ndim !== 2)
      throw new ShapeError(
        `np.linalg.multiDot: array ${i} must be 2-d${i === 0 || i === k - 1 ? " (or 1-d)" : ""}; got shape ${fmtShape(x.shape)}`,
      );
    if (i > 0 && xs[i - 1].shape[1] !== x.shape[0]) {
      throw new ShapeError(
        `np.linalg.multiDot: shapes of arrays ${i - 1} ${fmtShape(xs[i - 1].shape)} and ${i} ${fmtShape(x.shape)} are not aligned`,
      );
    }
  });
  // dims[i] × dims[i+1] is the shape of matrix i.
  const dims = [...xs.map((x) => x.shape[0]), xs[k - 1].shape[1]];
  const cost: number[][] = xs.map(() => xs.map(() => 0));
  const split: number[][] = xs.map(() => xs.map(() => 0));
  for (let len = 1; len < k; len++) {
    for (let i = 0; i + len < k; i++) {
      const j = i + len;
      cost[i][j] = Infinity;
      for (let s = i; s < j; s++) {
        const c = cost[i][s] + cost[s + 1][j] + dims[i] * dims[s + 1] * dims[j + 1];
        if (c < cost[i][j]) {
          cost[i][j] = c;
          split[i][j] = s;
        }
      }
    }
  }
  const chain = (i: number, j: number): Array =>
    i === j ? xs[i] : matmul(chain(i, split[i][j]), chain(split[i][j] + 1, j));
  let out = chain(0, k - 1);
  if (firstVec && lastVec) return lax.reshape(out, []);
  if (firstVec) out = lax.reshape(out, [out.shape[1]]);
  else if (lastVec) out = lax.reshape(out, [out.shape[0]]);
  return out;
}

/**
 * np.linalg.tensorsolve: x with `tensordot(a, x, x.ndim) == b`. The trailing axes of `a` (after
 * moving `axes` to the end) form x's shape; their product must equal b's size.
 */
export function tensorsolve(a: ArrayLike, b: ArrayLike, opts: { axes?: readonly number[] | null } = {}): Array {
  checkOptions("np.linalg.tensorsolve", opts, { axes: "axes" });
  let x = asArray(a);
  const y = asArray(b);
  if (opts.axes !== undefined && opts.axes !== null) {
    const moved = normAxes("np.linalg.tensorsolve", opts.axes, x.ndim);
    const rest = x.shape.map((_, i) => i).filter((i) => !moved.includes(i));
    x = lax.transpose(x, [...rest, ...moved]);
  }
  const outShape = x.shape.slice(y.ndim);
  const n = prod(outShape);
  if (
    prod(x.shape.slice(0, y.ndim)) !== n ||
    x.ndim < y.ndim ||
    !x.shape.slice(0, y.ndim).every((d, i) => d === y.shape[i])
  ) {
    throw new ShapeError(
      `np.linalg.tensorsolve: a of shape ${fmtShape(x.shape)} (after moving axes) must be b's shape ${fmtShape(y.shape)} followed by axes of the same total size`,
    );
  }
  const sol = solve(lax.reshape(x, [n, n]), lax.reshape(y, [n]));
  return lax.reshape(sol, outShape);
}

/** np.linalg.trace (array API): the sum along a diagonal of the trailing two axes. */
export function trace(x: ArrayLike, offset?: number | { offset?: number }): Array {
  const opts = typeof offset === "object" && offset !== null ? offset : { offset };
  checkOptions("np.linalg.trace", opts, { offset: "integer" });
  const a = asArray(x);
  if (a.ndim < 2) throw new ShapeError(`np.linalg.trace: needs rank ≥ 2; got shape ${fmtShape(a.shape)}`);
  return npTrace(a, { offset: opts.offset ?? 0, axis1: -2, axis2: -1 });
}
