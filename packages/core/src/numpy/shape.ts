/** numpy shape functions. */
import type { Array, ArrayLike } from "../core/array.ts";
import * as lax from "../primitives/index.ts";
import { ShapeError } from "../errors.ts";
import { fmtShape, prod } from "../shape.ts";
import { asArray } from "./convert.ts";

/** Reshape with numpy's single `-1` inference. */
export function reshape(x: ArrayLike, shape: readonly number[]): Array {
  const a = asArray(x);
  const neg = shape.filter((d) => d === -1).length;
  if (neg > 1) throw new ShapeError(`reshape: can only specify one unknown dimension (-1); got ${fmtShape(shape)}`);
  let s = [...shape];
  if (neg === 1) {
    const known = prod(shape.filter((d) => d !== -1));
    if (known === 0 || a.size % known !== 0) throw new ShapeError(`reshape: cannot reshape an array of shape ${fmtShape(a.shape)} (size ${a.size}) into shape ${fmtShape(shape)}`);
    s = shape.map((d) => (d === -1 ? a.size / known : d));
  }
  return lax.reshape(a, s);
}

/** Permute axes (reverse them by default). */
export function transpose(x: ArrayLike, axes?: readonly number[]): Array {
  const a = asArray(x);
  const perm = axes ? axes.map((ax) => (ax < 0 ? ax + a.ndim : ax)) : a.shape.map((_, i) => a.ndim - 1 - i);
  return lax.transpose(a, perm);
}
