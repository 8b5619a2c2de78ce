/** numpy reductions with `axis` / `keepdims`. */
import type { Array, ArrayLike, ReduceOptions } from "../core/array.ts";
import * as lax from "../primitives/index.ts";
import { normAxes } from "../shape.ts";
import { asArray } from "./convert.ts";

/** Re-insert reduced axes as size 1 when `keepdims`. */
export function keepDims(y: Array, inShape: readonly number[], axes: readonly number[], keepdims: boolean | undefined): Array {
  if (!keepdims) return y;
  return lax.reshape(
    y,
    inShape.map((d, i) => (axes.includes(i) ? 1 : d)),
  );
}

/** Sum of elements over `axis` (all axes by default). bool sums as int32 like numpy. */
export function sum(x: ArrayLike, opts: ReduceOptions = {}): Array {
  let a = asArray(x);
  if (a.dtype === "bool") a = lax.convertElementType(a, "int32");
  const axes = normAxes("sum", opts.axis ?? undefined, a.ndim);
  return keepDims(lax.reduceSum(a, axes), a.shape, axes, opts.keepdims);
}
