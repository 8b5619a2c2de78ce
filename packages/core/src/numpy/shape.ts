/**
 * numpy shape manipulation: reshape, transpose, ravel, moveaxis, swapaxes, squeeze, expandDims,
 * broadcastArrays, concatenate, stack, hstack/vstack/dstack, split/arraySplit, atleast1d/2d/3d.
 * More is in tile-repeat.ts, flip-roll.ts, pad.ts, take.ts, diagonals.ts and meshgrid.ts.
 * Axis arguments accept negative values; `axis` may be given positionally or as `{ axis }`.
 */
import type { Array, ArrayLike } from "../core/array.ts";
import * as lax from "../primitives/index.ts";
import { ShapeError, ValueError } from "../errors.ts";
import { fmtShape, normAxes, normAxis, prod, shapeEq } from "../shape.ts";
import { asArray } from "./convert.ts";
import { broadcastArgs, promoteArgs } from "./promote.ts";
import { axisOptions, checkValue } from "./args.ts";

/** An axis given positionally or as numpy's keyword (`{ axis }`). */
export type AxisArg = number | null | { axis?: number | null } | undefined;
/**
 * Read an axis argument (`def` when absent; null means "flatten" where numpy allows it). Anything
 * but an integer, null or `{ axis }` is an error naming `op`.
 */
export function axisOf(a: AxisArg, def: number | null, op = "axis"): number | null {
  const o = axisOptions<{ axis?: number | null }>(op, a, undefined, { axis: "axis" });
  return o.axis === undefined ? def : o.axis;
}

/** Reshape with numpy's single `-1` inference. */
export function reshape(x: ArrayLike, shape: number | readonly number[]): Array {
  const a = asArray(x);
  const sh = typeof shape === "number" ? [shape] : shape;
  const neg = sh.filter((d) => d === -1).length;
  if (neg > 1) throw new ShapeError(`reshape: can only specify one unknown dimension (-1); got ${fmtShape(sh)}`);
  let s = [...sh];
  if (neg === 1) {
    const known = prod(sh.filter((d) => d !== -1));
    if (known === 0 || a.size % known !== 0)
      throw new ShapeError(
        `reshape: cannot reshape an array of shape ${fmtShape(a.shape)} (size ${a.size}) into shape ${fmtShape(sh)}`,
      );
    s = sh.map((d) => (d === -1 ? a.size / known : d));
  }
  return lax.reshape(a, s);
}

/** Permute axes (reverse them by default). */
export function transpose(x: ArrayLike, axes?: readonly number[]): Array {
  const a = asArray(x);
  if (axes !== undefined && axes.length !== a.ndim)
    throw new ShapeError(`transpose: axes ${JSON.stringify(axes)} do not match an array of shape ${fmtShape(a.shape)}`);
  const perm = axes ? normAxes("transpose", axes, a.ndim) : a.shape.map((_, i) => a.ndim - 1 - i);
  return lax.transpose(a, perm);
}

/** Flatten to 1-d (row-major). */
export function ravel(x: ArrayLike): Array {
  const a = asArray(x);
  return lax.reshape(a, [a.size]);
}

/** Move axes `source` to positions `destination` (others keep their order). */
export function moveaxis(
  x: ArrayLike,
  source: number | readonly number[],
  destination: number | readonly number[],
): Array {
  const a = asArray(x);
  const src = normAxes("moveaxis", source, a.ndim);
  const dst = normAxes("moveaxis", destination, a.ndim);
  if (src.length !== dst.length)
    throw new ValueError(
      `moveaxis: source ${JSON.stringify(source)} and destination ${JSON.stringify(destination)} must have the same number of elements`,
    );
  const order = a.shape.map((_, i) => i).filter((i) => !src.includes(i));
  const pairs = dst.map((d, i) => [d, src[i]] as const).sort((p, q) => p[0] - q[0]);
  for (const [d, s] of pairs) order.splice(d, 0, s);
  return lax.transpose(a, order);
}

/** Interchange two axes. */
export function swapaxes(x: ArrayLike, axis1: number, axis2: number): Array {
  const a = asArray(x);
  const [i, j] = [normAxis("swapaxes", axis1, a.ndim, "axis1"), normAxis("swapaxes", axis2, a.ndim, "axis2")];
  const perm = a.shape.map((_, k) => (k === i ? j : k === j ? i : k));
  return lax.transpose(a, perm);
}

/** Remove size-1 axes (all of them, or those in `axis`, which must have size 1). */
export function squeeze(
  x: ArrayLike,
  axis?: number | readonly number[] | { axis?: number | readonly number[] | null } | null,
): Array {
  const a = asArray(x);
  const ax = axisOptions<{ axis?: number | readonly number[] | null }>("squeeze", axis, undefined, {
    axis: "axes",
  }).axis;
  if (ax === undefined || ax === null)
    return lax.reshape(
      a,
      a.shape.filter((d) => d !== 1),
    );
  return lax.squeeze(a, normAxes("squeeze", ax, a.ndim));
}

/** Insert size-1 axes at positions `axis` of the result. */
export function expandDims(x: ArrayLike, axis: number | readonly number[]): Array {
  const a = asArray(x);
  checkValue("expandDims", "axis", axis, "axes");
  if (axis === null) throw new ValueError("expandDims: axis is required (an integer or a list of integers); got null");
  return lax.expandDims(a, typeof axis === "number" ? [axis] : axis);
}

/** Broadcast arrays against each other (numpy's rules). */
export function broadcastArrays(...xs: ArrayLike[]): Array[] {
  return broadcastArgs(
    "broadcastArrays",
    xs.map((x) => asArray(x)),
  );
}

/** Promote a list of arrays to their common dtype. */
function promoted(op: string, xs: readonly ArrayLike[]): Array[] {
  if (xs.length === 0) throw new ValueError(`${op}: need at least one array`);
  return promoteArgs(...xs);
}

/** Join arrays along an existing axis (`axis: null` flattens them first). Dtypes promote. */
export function concatenate(xs: readonly ArrayLike[], axis: AxisArg = 0): Array {
  const arrs = promoted("concatenate", xs);
  const ax0 = axisOf(axis, 0, "concatenate");
  if (ax0 === null)
    return lax.concatenate(
      arrs.map((a) => lax.reshape(a, [a.size])),
      0,
    );
  if (arrs.some((a) => a.ndim === 0))
    throw new ValueError("concatenate: zero-dimensional arrays cannot be concatenated");
  const nd = arrs[0].ndim;
  const ax = normAxis("concatenate", ax0, nd);
  arrs.forEach((a, k) => {
    if (a.ndim !== nd || a.shape.some((d, i) => i !== ax && d !== arrs[0].shape[i])) {
      throw new ShapeError(
        `concatenate: all input array dimensions except for the concatenation axis ${ax0} must match; array 0 has shape ${fmtShape(arrs[0].shape)}, array ${k} has shape ${fmtShape(a.shape)}`,
      );
    }
  });
  return lax.concatenate(arrs, ax);
}

/** Join arrays of equal shape along a new axis. */
export function stack(xs: readonly ArrayLike[], axis: AxisArg = 0): Array {
  const arrs = promoted("stack", xs);
  const s0 = arrs[0].shape;
  arrs.forEach((a, k) => {
    if (!shapeEq(a.shape, s0))
      throw new ShapeError(
        `stack: all input arrays must have the same shape; array 0 has shape ${fmtShape(s0)}, array ${k} has shape ${fmtShape(a.shape)}`,
      );
  });
  const ax = normAxis("stack", axisOf(axis, 0, "stack") ?? 0, s0.length + 1);
  return lax.concatenate(
    arrs.map((a) => lax.expandDims(a, [ax])),
    ax,
  );
}

/** Stack horizontally (along axis 1; axis 0 for 1-d inputs). */
export function hstack(xs: readonly ArrayLike[]): Array {
  const arrs = promoted("hstack", xs).map(atleast1d);
  return concatenate(arrs, arrs[0].ndim === 1 ? 0 : 1);
}
/** Stack vertically (rows): inputs become at least 2-d, joined along axis 0. */
export function vstack(xs: readonly ArrayLike[]): Array {
  return concatenate(promoted("vstack", xs).map(atleast2d), 0);
}
/** Stack along the third axis: inputs become at least 3-d, joined along axis 2. */
export function dstack(xs: readonly ArrayLike[]): Array {
  return concatenate(promoted("dstack", xs).map(atleast3d), 2);
}

/** View as at least 1-d (scalars become shape [1]). */
export function atleast1d(x: ArrayLike): Array {
  const a = asArray(x);
  return a.ndim >= 1 ? a : lax.reshape(a, [1]);
}
/** View as at least 2-d: scalars [1, 1], 1-d [1, n]. */
export function atleast2d(x: ArrayLike): Array {
  const a = asArray(x);
  return a.ndim >= 2 ? a : lax.reshape(a, a.ndim === 0 ? [1, 1] : [1, a.shape[0]]);
}
/** View as at least 3-d: scalars [1, 1, 1], 1-d [1, n, 1], 2-d [m, n, 1]. */
export function atleast3d(x: ArrayLike): Array {
  const a = asArray(x);
  if (a.ndim >= 3) return a;
  return lax.reshape(a, a.ndim === 0 ? [1, 1, 1] : a.ndim === 1 ? [1, a.shape[0], 1] : [...a.shape, 1]);
}

/** Python slice bounds `[start:stop]` normalized into [0, n] (step 1). */
function clampBound(i: number, n: number): number {
  return i < 0 ? Math.max(0, i + n) : Math.min(i, n);
}

function splitImpl(
  op: string,
  x: ArrayLike,
  indicesOrSections: number | readonly number[],
  axis: AxisArg,
  equal: boolean,
): Array[] {
  const a = asArray(x);
  const ax = normAxis(op, axisOf(axis, 0, op) ?? 0, a.ndim);
  const n = a.shape[ax];
  let bounds: number[];
  if (typeof indicesOrSections === "number") {
    const k = indicesOrSections;
    if (!Number.isInteger(k) || k <= 0)
      throw new ValueError(`${op}: number of sections must be a positive integer; got ${k}`);
    if (equal && n % k !== 0)
      throw new ValueError(
        `${op}: array split does not result in an equal division (axis ${ax} of size ${n} into ${k} sections); use arraySplit`,
      );
    // numpy's array_split: the first n % k sections get one extra element.
    const each = Math.floor(n / k);
    const extra = n % k;
    bounds = [0];
    for (let i = 0; i < k; i++) bounds.push(bounds[i] + each + (i < extra ? 1 : 0));
  } else {
    if (indicesOrSections.some((i) => !Number.isInteger(i)))
      throw new ValueError(`${op}: split indices must be integers; got ${JSON.stringify(indicesOrSections)}`);
    bounds = [0, ...indicesOrSections, n];
  }
  const out: Array[] = [];
  for (let i = 0; i + 1 < bounds.length; i++) {
    const st = clampBound(bounds[i], n);
    const en = Math.max(st, clampBound(bounds[i + 1], n));
    out.push(lax.sliceInDim(a, st, en, 1, ax));
  }
  return out;
}

/** Split into equal sections (a number, which must divide the axis) or at the given indices. */
export function split(x: ArrayLike, indicesOrSections: number | readonly number[], axis: AxisArg = 0): Array[] {
  return splitImpl("split", x, indicesOrSections, axis, true);
}
/** Like `split`, but a section count need not divide the axis (earlier sections get one more). */
export function arraySplit(x: ArrayLike, indicesOrSections: number | readonly number[], axis: AxisArg = 0): Array[] {
  return splitImpl("arraySplit", x, indicesOrSections, axis, false);
}
