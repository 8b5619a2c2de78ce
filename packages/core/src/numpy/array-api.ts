/**
 * numpy 2 / array-API names: broadcastShapes, permuteDims, copy, asarray (numpy's spelling of
 * `asArray`).
 */
import type { Array, ArrayLike } from "../core/array.ts";
import * as lax from "../primitives/index.ts";
import { ValueError } from "../errors.ts";
import { broadcastShapes as broadcastShapesOf } from "../shape.ts";
import { asArray } from "./convert.ts";
import type { DTypeOptions } from "./creation.ts";
import { transpose } from "./shape.ts";

/** The shape numpy broadcasting gives for `shapes` (numpy's `broadcast_shapes`); a number is a 1-d shape. */
export function broadcastShapes(...shapes: (number | readonly number[])[]): number[] {
  const list = shapes.map((s) => (typeof s === "number" ? [s] : [...s]));
  for (const s of list)
    if (s.some((d) => !Number.isInteger(d) || d < 0))
      throw new ValueError(`np.broadcastShapes: invalid shape [${s.join(", ")}]`);
  return broadcastShapesOf("np.broadcastShapes", ...list);
}

/** Permute the axes (the array API's `permute_dims`; `axes` is required). */
export function permuteDims(x: ArrayLike, axes: readonly number[]): Array {
  return transpose(x, axes);
}

/**
 * A copy of `a` (numpy's `copy`). Arrays are immutable, so the "copy" is an identity op that
 * still stages as a value of its own under jit (and a no-op eagerly).
 */
export function copy(a: ArrayLike, opts: DTypeOptions = {}): Array {
  const x = asArray(a, opts.dtype);
  return lax.convertElementType(x, x.dtype, x.aval.weakType);
}

/** numpy's `asarray`: an Array from an array, JS number, nested list or typed array (optionally converted). */
export function asarray(a: ArrayLike, opts: DTypeOptions = {}): Array {
  return asArray(a, opts.dtype);
}
