/** numpy sorting: sort and argsort (numpy's order: NaNs last; complex by real, then imaginary part). */
import type { Array, ArrayLike } from "../core/array.ts";
import * as lax from "../primitives/index.ts";
import { normAxis } from "../shape.ts";
import { asArray } from "./convert.ts";
import { axisOptions, type OptionSpec } from "./args.ts";

const SORT_SPEC: OptionSpec = { axis: "axis", descending: "boolean", stable: "boolean" };

export interface SortOptions {
  /** Axis to sort along (default -1); `null` sorts the flattened array. */
  axis?: number | null;
  /** Sort from largest to smallest. */
  descending?: boolean;
  /** Keep equal elements in their original order (our sort is always stable). */
  stable?: boolean;
}

/** Resolve numpy's axis convention: null flattens, default is the last axis. */
function prepare(op: string, x: ArrayLike, axis: number | null | undefined): [Array, number] {
  const a = asArray(x);
  if (axis === null) return [lax.reshape(a, [a.size]), 0];
  if (a.ndim === 0) return [lax.reshape(a, [1]), 0];
  return [a, normAxis(op, axis ?? -1, a.ndim)];
}

/** A sorted copy of `x` along `axis`. `descending` reverses the order (NaNs then come first). */
export function sort(
  x: ArrayLike,
  axisOrOpts?: number | null | SortOptions,
  options?: Omit<SortOptions, "axis">,
): Array {
  const opts = axisOptions<SortOptions>("sort", axisOrOpts, options, SORT_SPEC);
  const a0 = asArray(x);
  const [a, axis] = prepare("sort", a0, opts.axis);
  let out = lax.sort(a, { dimension: axis, isStable: opts.stable ?? true });
  if (opts.descending) out = lax.rev(out, [axis]);
  return a0.ndim === 0 && opts.axis !== null ? lax.reshape(out, []) : out;
}

/**
 * Indices that sort `x` along `axis` (int32). Ties keep their original order; with
 * `descending` and `stable`, equal elements still appear in their original order (JAX's rule:
 * reverse, sort stably, reverse the indices back).
 */
export function argsort(
  x: ArrayLike,
  axisOrOpts?: number | null | SortOptions,
  options?: Omit<SortOptions, "axis">,
): Array {
  const opts = axisOptions<SortOptions>("argsort", axisOrOpts, options, SORT_SPEC);
  const a0 = asArray(x);
  const [a, axis] = prepare("argsort", a0, opts.axis);
  let keys = a;
  let iota = lax.iota("int32", a.shape, axis);
  const stable = opts.stable ?? true;
  if (opts.descending && stable) {
    keys = lax.rev(keys, [axis]);
    iota = lax.rev(iota, [axis]);
  }
  let idx = lax.sort([keys, iota], { dimension: axis, isStable: stable, numKeys: 1 })[1];
  if (opts.descending) idx = lax.rev(idx, [axis]);
  return a0.ndim === 0 && opts.axis !== null ? lax.reshape(idx, []) : idx;
}
