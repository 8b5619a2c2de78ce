/**
 * numpy's cumulative reductions cumsum and cumprod: over the flattened array by default, like
 * numpy; bool accumulates as int32. (The nan-aware variants are in nan-reductions.ts.)
 */
import type { Array, ArrayLike } from "../core/array.ts";
import * as lax from "../primitives/index.ts";
import type { DType } from "../dtype.ts";
import { normAxis } from "../shape.ts";
import { asArray } from "./convert.ts";
import { axisOptions, type OptionSpec } from "./args.ts";

const CUM_SPEC: OptionSpec = { axis: "axis", dtype: "dtype" };

export interface CumulativeOptions {
  /** The axis to accumulate along; none (default) = over the flattened array. */
  axis?: number | null;
  /** Convert the input to this dtype first (bool accumulates as int32 by default). */
  dtype?: DType;
}

function cumulative(op: string, f: (x: Array, axis: number) => Array, x: ArrayLike, opts: CumulativeOptions): Array {
  let a = asArray(x);
  if (opts.dtype !== undefined) a = lax.convertElementType(a, opts.dtype);
  else if (a.dtype === "bool") a = lax.convertElementType(a, "int32");
  if (opts.axis === undefined || opts.axis === null) return f(lax.reshape(a, [a.size]), 0);
  return f(a, normAxis(op, opts.axis, a.ndim));
}

/** Cumulative sum along `axis` (of the flattened array when no axis is given). */
export function cumsum(x: ArrayLike, axis?: number | null | CumulativeOptions, options?: Omit<CumulativeOptions, "axis">): Array {
  return cumulative("cumsum", (a, ax) => lax.cumsum(a, ax), x, axisOptions<CumulativeOptions>("cumsum", axis, options, CUM_SPEC));
}
/** Cumulative product along `axis` (of the flattened array when no axis is given). */
export function cumprod(x: ArrayLike, axis?: number | null | CumulativeOptions, options?: Omit<CumulativeOptions, "axis">): Array {
  return cumulative("cumprod", (a, ax) => lax.cumprod(a, ax), x, axisOptions<CumulativeOptions>("cumprod", axis, options, CUM_SPEC));
}
