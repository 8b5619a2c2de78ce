/** numpy's rearranging of elements: `flip`, `fliplr`, `flipud` (lax.rev) and `roll`. */
import { Array, type ArrayLike } from "../core/array.ts";
import * as lax from "../primitives/index.ts";
import { ShapeError, ValueError } from "../errors.ts";
import { fmtShape, normAxes } from "../shape.ts";
import { asArray } from "./convert.ts";
import { ravel } from "./shape.ts";
import { axisOptions } from "./args.ts";

type AxesArg = number | readonly number[] | null | { axis?: number | readonly number[] | null };

/** Reverse the order of elements along `axis` (all axes by default). */
export function flip(x: ArrayLike, axis?: AxesArg): Array {
  const a = asArray(x);
  const ax = axisOptions<{ axis?: number | readonly number[] | null }>("flip", axis, undefined, { axis: "axes" }).axis;
  return lax.rev(a, normAxes("flip", ax ?? undefined, a.ndim));
}
/** Reverse columns (axis 1). */
export function fliplr(x: ArrayLike): Array {
  const a = asArray(x);
  if (a.ndim < 2) throw new ShapeError(`fliplr: input must be at least 2-d; got shape ${fmtShape(a.shape)}`);
  return lax.rev(a, [1]);
}
/** Reverse rows (axis 0). */
export function flipud(x: ArrayLike): Array {
  const a = asArray(x);
  if (a.ndim < 1) throw new ShapeError("flipud: input must be at least 1-d; got a scalar");
  return lax.rev(a, [0]);
}

/** Roll elements along `axis` (the flattened array by default); shifts/axes may be lists. */
export function roll(x: ArrayLike, shift: number | readonly number[] | Array, axis?: AxesArg): Array {
  const a = asArray(x);
  const ax = axisOptions<{ axis?: number | readonly number[] | null }>("roll", axis, undefined, { axis: "axes" }).axis;
  if (ax === undefined || ax === null) return lax.reshape(roll(ravel(a), shift, 0), a.shape);
  const axes = normAxes("roll", typeof ax === "number" ? [ax] : ax, a.ndim);
  if (shift instanceof Array) {
    // A runtime shift: slice the doubled array at (n - shift) mod n.
    if (axes.length !== 1 || shift.ndim !== 0)
      throw new ValueError("roll: an array shift must be a scalar with a single axis");
    const d = axes[0];
    const n = a.shape[d];
    if (n === 0) return a;
    const s = lax.convertElementType(shift, "int32");
    const nn = lax.fullLike(s, n);
    const start = lax.rem(lax.sub(nn, lax.rem(lax.add(lax.rem(s, nn), nn), nn)), nn);
    const starts: (Array | number)[] = a.shape.map(() => 0);
    starts[d] = start;
    return lax.dynamicSlice(lax.concatenate([a, a], d), starts, a.shape);
  }
  const shifts = typeof shift === "number" ? [shift] : [...shift];
  if (shifts.length !== axes.length && shifts.length !== 1 && axes.length !== 1)
    throw new ValueError(
      `roll: shift ${JSON.stringify(shift)} and axis ${JSON.stringify(ax)} must have the same length`,
    );
  const k = Math.max(shifts.length, axes.length);
  const total = a.shape.map(() => 0);
  for (let i = 0; i < k; i++) total[axes[axes.length === 1 ? 0 : i]] += shifts[shifts.length === 1 ? 0 : i];
  let y = a;
  total.forEach((t, d) => {
    const n = a.shape[d];
    if (n === 0) return;
    const s = ((t % n) + n) % n;
    if (s !== 0) y = lax.concatenate([lax.sliceInDim(y, n - s, n, 1, d), lax.sliceInDim(y, 0, n - s, 1, d)], d);
  });
  return y;
}
