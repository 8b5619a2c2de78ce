/**
 * numpy's cumulative reductions cumsum and cumprod (over the flattened array by default, like
 * numpy), and the array-API / numpy 2 `cumulativeSum` / `cumulativeProd` (an explicit axis, and
 * `includeInitial`). bool accumulates as int32. (The nan-aware variants are in nan-reductions.ts.)
 */
import type { Array, ArrayLike } from "../core/array.ts";
import { ShapedArray } from "../core/aval.ts";
import * as lax from "../primitives/index.ts";
import type { DType } from "../dtype.ts";
import { ValueError } from "../errors.ts";
import { normAxis } from "../shape.ts";
import { asArray } from "./convert.ts";
import { axisOptions, checkOptions, type OptionSpec } from "./args.ts";
import { promoteIntegerDType } from "./reductions.ts";

const CUM_SPEC: OptionSpec = { axis: "axis", dtype: "dtype" };
const CUMULATIVE_SPEC: OptionSpec = { axis: "axis", dtype: "dtype", includeInitial: "boolean" };

export interface CumulativeOptions {
  /** The axis to accumulate along; none (default) = over the flattened array. */
  axis?: number | null;
  /**
   * The result dtype, and the accumulator's (bool input accumulates as int32 by default).
   * `"bool"` accumulates the truth values in int32 and converts back, as JAX: a running
   * logical or (cumsum) / and (cumprod).
   */
  dtype?: DType;
}

/** Options of `cumulativeSum` / `cumulativeProd` (the array API's `cumulative_sum` / `cumulative_prod`). */
export interface CumulativeSumOptions extends CumulativeOptions {
  /** Prepend the identity (0 for a sum, 1 for a product) along `axis`: the result is one longer. */
  includeInitial?: boolean;
}

type Scan = (x: Array, axis: number) => Array;

/** JAX's `_cumulative_reduction` (x32): the accumulator dtype, a bool result via int32. */
function accumulate(op: string, f: Scan, a: Array, axis: number, dtype: DType | undefined, promote: boolean): Array {
  let acc: DType = dtype ?? a.dtype;
  if ((dtype === undefined && promote) || acc === "bool") acc = promoteIntegerDType(acc);
  let x = a;
  // A numeric input asked for a bool result is first read as truth values (x != 0).
  if (dtype === "bool" && a.dtype !== "bool") x = lax.ne(x, lax.zerosLike(x));
  if (x.dtype !== acc) x = lax.convertElementType(x, acc);
  const r = f(x, normAxis(op, axis, x.ndim));
  return dtype === "bool" ? lax.convertElementType(r, "bool") : r;
}

function cumulative(op: string, f: Scan, x: ArrayLike, opts: CumulativeOptions): Array {
  const a = asArray(x);
  if (opts.axis === undefined || opts.axis === null)
    return accumulate(op, f, lax.reshape(a, [a.size]), 0, opts.dtype, false);
  return accumulate(op, f, a, opts.axis, opts.dtype, false);
}

/** Cumulative sum along `axis` (of the flattened array when no axis is given). */
export function cumsum(
  x: ArrayLike,
  axis?: number | null | CumulativeOptions,
  options?: Omit<CumulativeOptions, "axis">,
): Array {
  return cumulative(
    "cumsum",
    (a, ax) => lax.cumsum(a, ax),
    x,
    axisOptions<CumulativeOptions>("cumsum", axis, options, CUM_SPEC),
  );
}
/** Cumulative product along `axis` (of the flattened array when no axis is given). */
export function cumprod(
  x: ArrayLike,
  axis?: number | null | CumulativeOptions,
  options?: Omit<CumulativeOptions, "axis">,
): Array {
  return cumulative(
    "cumprod",
    (a, ax) => lax.cumprod(a, ax),
    x,
    axisOptions<CumulativeOptions>("cumprod", axis, options, CUM_SPEC),
  );
}

function arrayApiCumulative(
  op: string,
  f: Scan,
  identity: number,
  promote: boolean,
  x: ArrayLike,
  opts: CumulativeSumOptions = {},
): Array {
  checkOptions(op, opts, CUMULATIVE_SPEC);
  const a = asArray(x);
  if (a.ndim === 0)
    throw new ValueError(
      `np.${op}: the input must not be a scalar (got a 0-d ${a.dtype} array); a cumulative reduction needs an axis`,
    );
  if ((opts.axis === undefined || opts.axis === null) && a.ndim > 1) {
    throw new ValueError(
      `np.${op}: the input has ${a.ndim} dimensions (shape [${a.shape.join(", ")}]); 'axis' may be left out only for a 1-d input`,
    );
  }
  const axis = normAxis(`np.${op}`, opts.axis ?? 0, a.ndim);
  const r = accumulate(`np.${op}`, f, a, axis, opts.dtype, promote);
  if (!opts.includeInitial) return r;
  const shape = r.shape.map((d, i) => (i === axis ? 1 : d));
  const init = lax.fullLike(new ShapedArray(shape, r.dtype), identity);
  return lax.concatenate([init, r], axis);
}

/**
 * Cumulative sum along `axis` (numpy 2's / the array API's `cumulative_sum`): `axis` is required
 * for inputs of more than one dimension; `includeInitial` prepends the 0. Integers accumulate with
 * JAX's integer promotion (bool → int32).
 */
export function cumulativeSum(x: ArrayLike, opts: CumulativeSumOptions = {}): Array {
  return arrayApiCumulative("cumulativeSum", (a, ax) => lax.cumsum(a, ax), 0, true, x, opts);
}

/** Cumulative product along `axis` (the array API's `cumulative_prod`); `includeInitial` prepends the 1. */
export function cumulativeProd(x: ArrayLike, opts: CumulativeSumOptions = {}): Array {
  return arrayApiCumulative("cumulativeProd", (a, ax) => lax.cumprod(a, ax), 1, false, x, opts);
}
