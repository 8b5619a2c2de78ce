/**
 * numpy's tiling: `tile` (the whole array repeated per axis, by broadcasting) and `repeat` (each
 * element repeated; per-element counts gather through `take`).
 */
import { Array, type ArrayLike } from "../core/array.ts";
import * as lax from "../primitives/index.ts";
import { ValueError } from "../errors.ts";
import { normAxis } from "../shape.ts";
import { asArray } from "./convert.ts";
import { ravel } from "./shape.ts";
import { axisOptions } from "./args.ts";
import { take } from "./take.ts";

const range = (n: number): number[] => globalThis.Array.from({ length: n }, (_, i) => i);

/** Repeat the whole array `reps` times per axis. */
export function tile(x: ArrayLike, reps: number | readonly number[]): Array {
  const a = asArray(x);
  const r = typeof reps === "number" ? [reps] : [...reps];
  if (r.some((v) => !Number.isInteger(v) || v < 0))
    throw new ValueError(`tile: reps must be non-negative integers; got ${JSON.stringify(reps)}`);
  const nd = Math.max(a.ndim, r.length);
  const shape = [...globalThis.Array(nd - a.ndim).fill(1), ...a.shape];
  const rr = [...globalThis.Array(nd - r.length).fill(1), ...r];
  // [r0, s0, r1, s1, …] by broadcasting, then merge each (r, s) pair.
  const big = shape.flatMap((s, i) => [rr[i], s]);
  const b = lax.broadcastInDim(
    lax.reshape(a, shape),
    big,
    range(nd).map((i) => 2 * i + 1),
  );
  return lax.reshape(
    b,
    shape.map((s, i) => s * rr[i]),
  );
}

export interface RepeatOptions {
  /** Axis to repeat along (default: the flattened array). */
  axis?: number | null;
}

/** Repeat each element `repeats` times (a number, or one count per element along the axis). */
export function repeat(
  x: ArrayLike,
  repeats: number | readonly number[] | Array,
  axis?: number | null | RepeatOptions,
): Array {
  const opts = axisOptions<RepeatOptions>("repeat", axis, undefined, { axis: "axis" });
  let a = asArray(x);
  let ax: number;
  if (opts.axis === undefined || opts.axis === null) {
    a = ravel(a);
    ax = 0;
  } else ax = normAxis("repeat", opts.axis, a.ndim);
  const n = a.shape[ax];
  // Per-element counts must be known to size the result (a traced array raises ConcretizationError).
  const counts: number[] =
    typeof repeats === "number"
      ? [repeats]
      : repeats instanceof Array
        ? globalThis.Array.from(repeats.dataSync(), Number)
        : [...repeats];
  if (counts.some((c) => !Number.isInteger(c) || c < 0))
    throw new ValueError(`repeat: repeats must be non-negative integers; got ${JSON.stringify(counts)}`);
  if (counts.length === 1) {
    const r = counts[0];
    const big = [...a.shape.slice(0, ax + 1), r, ...a.shape.slice(ax + 1)];
    const dims = range(a.ndim).map((i) => (i <= ax ? i : i + 1));
    const out = [...a.shape];
    out[ax] = n * r;
    return lax.reshape(lax.broadcastInDim(a, big, dims), out);
  }
  if (counts.length !== n) throw new ValueError(`repeat: got ${counts.length} repeat counts for an axis of size ${n}`);
  const ids = counts.flatMap((c, i) => globalThis.Array(c).fill(i) as number[]);
  return take(a, ids, { axis: ax, mode: "promise_in_bounds" });
}
