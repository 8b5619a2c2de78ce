/** numpy joining and splitting helpers: append, columnStack, hsplit, vsplit, dsplit. */
import type { Array, ArrayLike } from "../core/array.ts";
import * as lax from "../primitives/index.ts";
import { ShapeError, ValueError } from "../errors.ts";
import { fmtShape } from "../shape.ts";
import { asArray } from "./convert.ts";
import { concatenate, split } from "./shape.ts";
import { axisOptions } from "./args.ts";

/**
 * `arr` with `values` appended along `axis` (numpy's `append(arr, values, axis)`, the axis
 * positional or `{ axis }`; without an axis both are flattened).
 */
export function append(arr: ArrayLike, values: ArrayLike, axis?: number | null | { axis?: number | null }): Array {
  const opts = axisOptions<{ axis?: number | null }>("np.append", axis, undefined, { axis: "axis" });
  if (opts.axis === undefined || opts.axis === null) return concatenate([arr, values], null);
  const a = asArray(arr);
  const v = asArray(values);
  if (v.ndim !== a.ndim)
    throw new ShapeError(
      `np.append: values of shape ${fmtShape(v.shape)} must have the same number of dimensions as arr ${fmtShape(a.shape)} when axis is given`,
    );
  return concatenate([a, v], opts.axis);
}

/** Stack 1-d arrays as columns of a 2-d array (2-d inputs are joined as they are; numpy's `column_stack`). */
export function columnStack(tup: readonly ArrayLike[]): Array {
  if (tup.length === 0) throw new ValueError("np.columnStack: need at least one array");
  const cols = tup.map((t) => {
    const a = asArray(t);
    if (a.ndim < 2) return lax.reshape(a, [a.size, 1]);
    return a;
  });
  return concatenate(cols, 1);
}

function directional(
  op: string,
  x: ArrayLike,
  sections: number | readonly number[],
  axis: number,
  minNd: number,
): Array[] {
  const a = asArray(x);
  if (a.ndim < minNd)
    throw new ShapeError(
      `np.${op}: only works on arrays of ${minNd} or more dimensions; got shape ${fmtShape(a.shape)}`,
    );
  return split(a, sections, axis);
}
/** Split along axis 1 (axis 0 for 1-d arrays) into equal sections or at indices (numpy's `hsplit`). */
export function hsplit(x: ArrayLike, sections: number | readonly number[]): Array[] {
  const a = asArray(x);
  return directional("hsplit", a, sections, a.ndim === 1 ? 0 : 1, 1);
}
/** Split along axis 0 (numpy's `vsplit`; at least 2-d). */
export function vsplit(x: ArrayLike, sections: number | readonly number[]): Array[] {
  return directional("vsplit", x, sections, 0, 2);
}
/** Split along axis 2 (numpy's `dsplit`; at least 3-d). */
export function dsplit(x: ArrayLike, sections: number | readonly number[]): Array[] {
  return directional("dsplit", x, sections, 2, 3);
}
