/**
 * numpy statistics: quantile / percentile / median (all of numpy's `method`s), average (weights,
 * `returned`), cov, corrcoef, ptp, histogram, bincount, countNonzero, digitize.
 *
 * Quantiles sort along the reduced axes and gather the order statistics, so they differentiate
 * (with respect to the data and to `q`), batch and jit like JAX's. Integer inputs compute in
 * float32 (JAX's default float).
 */
import type { Array, ArrayLike } from "../core/array.ts";
import { ShapedArray } from "../core/aval.ts";
import * as lax from "../primitives/index.ts";
import { isComplex, isInexact, isInteger, type DType } from "../dtype.ts";
import { ConcretizationError, DTypeError, ShapeError, ValueError } from "../errors.ts";
import { fmtShape, normAxes } from "../shape.ts";
import { asArray } from "./convert.ts";
import { broadcastTo, promoteArgs } from "./promote.ts";
import { keepDims, max, min, sum, type Axes } from "./reductions.ts";
import { axisOptions, checkOptions, checkValue, isOptionsObject, type OptionSpec } from "./args.ts";
import { countValues, searchsorted, takeFlat } from "./searching.ts";

const toFloat = (a: Array): Array => (isInexact(a.dtype) ? a : lax.convertElementType(a, "float32"));
const full = (shape: readonly number[], v: number, dtype: DType): Array =>
  lax.fullLike(new ShapedArray(shape, dtype), v);
const c = (like: Array, v: number): Array => lax.fullLike(like, v);

/** numpy's quantile methods (Hyndman & Fan 1996 types 1–9 and numpy's four discrete extras). */
export type QuantileMethod =
  | "linear"
  | "lower"
  | "higher"
  | "midpoint"
  | "nearest"
  | "inverted_cdf"
  | "averaged_inverted_cdf"
  | "closest_observation"
  | "interpolated_inverted_cdf"
  | "hazen"
  | "weibull"
  | "median_unbiased"
  | "normal_unbiased";

/** (alpha, beta) of the continuous methods: virtual index = n·q + alpha + q·(1 − alpha − beta) − 1. */
const CONTINUOUS: Partial<Record<QuantileMethod, [number, number]>> = {
  linear: [1, 1],
  interpolated_inverted_cdf: [0, 1],
  hazen: [0.5, 0.5],
  weibull: [0, 0],
  median_unbiased: [1 / 3, 1 / 3],
  normal_unbiased: [3 / 8, 3 / 8],
};
const METHODS: readonly QuantileMethod[] = [
  "linear",
  "lower",
  "higher",
  "midpoint",
  "nearest",
  "inverted_cdf",
  "averaged_inverted_cdf",
  "closest_observation",
  "interpolated_inverted_cdf",
  "hazen",
  "weibull",
  "median_unbiased",
  "normal_unbiased",
];

// numpy takes `axis` positionally right after the data (quantile(a, q, axis), median(a, axis),
// average(a, axis, weights, returned), ptp(a, axis), count_nonzero(a, axis)); these specs let
// every function accept that order or an options object, and reject unknown keys / wrong kinds.
// `method` is checked by quantileImpl, whose message names the unknown method.
const QUANTILE_SPEC: OptionSpec = { axis: "axes", method: "any", keepdims: "boolean" };
const MEDIAN_SPEC: OptionSpec = { axis: "axes", keepdims: "boolean" };
const AVERAGE_SPEC: OptionSpec = { axis: "axes", weights: "arraylike", returned: "boolean", keepdims: "boolean" };

export interface QuantileOptions {
  /** Axis or axes to reduce (default: all). */
  axis?: number | readonly number[] | null;
  /** Interpolation method (default "linear"), as numpy's `method`. */
  method?: QuantileMethod;
  keepdims?: boolean;
}

/**
 * The low/high order-statistic indices (float, then clamped) and the weight of the high one, for
 * quantiles `q` (float array) of `n` sorted values, following numpy's `_quantile` exactly.
 */
function orderStatistics(method: QuantileMethod, q: Array, n: number): { lo: Array; hi: Array; w: Array } {
  const nm1 = c(q, n - 1);
  const clampIdx = (v: Array): Array => lax.min(lax.max(v, c(v, 0)), nm1);
  const zero = c(q, 0);
  const ab = CONTINUOUS[method];
  if (ab !== undefined || method === "averaged_inverted_cdf") {
    const [alpha, beta] = ab ?? [0, 1];
    const v = lax.add(lax.mul(q, c(q, n)), lax.sub(lax.add(c(q, alpha), lax.mul(q, c(q, 1 - alpha - beta))), c(q, 1)));
    const prev = lax.floor(v);
    let w = lax.sub(v, prev);
    // numpy: at or above n-1 both indices are the last, below 0 both the first.
    const above = lax.ge(v, nm1);
    const below = lax.lt(v, zero);
    let lo = lax.select(above, nm1, lax.select(below, zero, prev));
    let hi = lax.select(above, nm1, lax.select(below, zero, lax.add(prev, c(prev, 1))));
    if (method === "averaged_inverted_cdf") w = lax.select(lax.eq(w, zero), c(w, 0.5), c(w, 1));
    lo = clampIdx(lo);
    hi = clampIdx(hi);
    return { lo, hi, w };
  }
  const hq = lax.mul(q, nm1);
  const one = (i: Array): { lo: Array; hi: Array; w: Array } => ({ lo: clampIdx(i), hi: clampIdx(i), w: zero });
  switch (method) {
    case "lower":
      return one(lax.floor(hq));
    case "higher":
      return one(lax.ceil(hq));
    case "nearest":
      // numpy rounds half to even (np.around).
      return one(lax.round(hq, "toNearestEven"));
    case "midpoint":
      return { lo: clampIdx(lax.floor(hq)), hi: clampIdx(lax.ceil(hq)), w: c(q, 0.5) };
    case "inverted_cdf":
    case "closest_observation": {
      const v = lax.sub(lax.mul(q, c(q, n)), c(q, method === "inverted_cdf" ? 1 : 1.5));
      const prev = lax.floor(v);
      const g0 = lax.eq(lax.sub(v, prev), zero);
      let usePrev = g0;
      if (method === "closest_observation") {
        // "the nearest even order statistic" (1-based), i.e. an odd 0-based index.
        const odd = lax.eq(lax.sub(prev, lax.mul(c(prev, 2), lax.floor(lax.mul(prev, c(prev, 0.5))))), c(prev, 1));
        usePrev = lax.bitwiseAnd(g0, odd);
      }
      return one(lax.select(usePrev, prev, lax.add(prev, c(prev, 1))));
    }
    default:
      throw new ValueError(`np.quantile: unknown method '${String(method)}'; expected one of ${METHODS.join(", ")}`);
  }
}

/**
 * The `q`-th quantiles (q in [0, 1], a number or an array) of `a` over `axis` (numpy's
 * `quantile`). The result has `q`'s shape prepended to the reduced shape. A slice containing NaN
 * gives NaN. Differentiable in `a` and `q` (through the interpolation weights).
 */
export function quantile(
  a: ArrayLike,
  q: ArrayLike,
  axis?: Axes | QuantileOptions,
  options?: Omit<QuantileOptions, "axis">,
): Array {
  return quantileImpl("quantile", a, q, axisOptions<QuantileOptions>("quantile", axis, options, QUANTILE_SPEC), 1);
}

/** `q` is in units of `scale` (1 for quantiles, 100 for percentiles). */
function quantileImpl(op: string, a0: ArrayLike, q0: ArrayLike, opts: QuantileOptions, scale: number): Array {
  const method = opts.method ?? "linear";
  if (!METHODS.includes(method))
    throw new ValueError(`np.${op}: unknown method '${String(method)}'; expected one of ${METHODS.join(", ")}`);
  let a = asArray(a0);
  if (isComplex(a.dtype)) throw new DTypeError(`np.${op}: complex input is not supported (dtype ${a.dtype})`);
  a = toFloat(a);
  let q = asArray(q0);
  if (isComplex(q.dtype)) throw new DTypeError(`np.${op}: q must be real; got dtype ${q.dtype}`);
  q = lax.convertElementType(q, a.dtype);
  if (!q.isTracer) {
    const bad = globalThis.Array.from(q.dataSync() as Float32Array).find((v) => !(v >= 0 && v <= scale));
    if (bad !== undefined) throw new ValueError(`np.${op}: quantiles must be in the range [0, ${scale}]; got ${bad}`);
  }
  if (scale !== 1) q = lax.div(q, c(q, scale));
  const axes = normAxes(`np.${op}`, opts.axis ?? undefined, a.ndim);
  const kept = a.shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const n = axes.reduce((p, ax) => p * a.shape[ax], 1);
  if (n === 0)
    throw new ValueError(
      `np.${op}: cannot take a quantile of an empty reduction (shape ${fmtShape(a.shape)}, axis ${JSON.stringify(opts.axis ?? null)})`,
    );
  const keptShape = kept.map((i) => a.shape[i]);
  // [kept..., n], sorted along the last axis (NaN last).
  const x = lax.sort(lax.reshape(lax.transpose(a, [...kept, ...axes]), [...keptShape, n]), { dimension: -1 });
  const { lo, hi, w } = orderStatistics(method, q, n);
  const take = (idx: Array): Array => {
    const ii = lax.convertElementType(idx, "int32");
    // Gather along the last axis: result [kept..., ...q.shape].
    return lax.gather(
      x,
      lax.reshape(ii, [...ii.shape, 1]),
      {
        offsetDims: keptShape.map((_, i) => i),
        collapsedSliceDims: [keptShape.length],
        startIndexMap: [keptShape.length],
      },
      [...keptShape, 1],
      { mode: "promise_in_bounds" },
    );
  };
  const loV = take(lo);
  const hiV = take(hi);
  const outShape = loV.shape;
  const wb = lax.broadcastInDim(
    w,
    outShape,
    q.shape.map((_, i) => keptShape.length + i),
  );
  // JAX's form low·(1 − w) + high·w (numpy's lerp differs only in rounding).
  let r =
    method === "lower" ||
    method === "higher" ||
    method === "nearest" ||
    method === "inverted_cdf" ||
    method === "closest_observation"
      ? loV
      : lax.add(lax.mul(loV, lax.sub(c(wb, 1), wb)), lax.mul(hiV, wb));
  // A slice with a NaN (sorted last) gives NaN.
  const lastIdx = lax.sliceInDim(x, n - 1, n, 1, keptShape.length);
  const nanSlice = lax.broadcastInDim(
    lax.reshape(lax.ne(lastIdx, lastIdx), keptShape),
    outShape,
    keptShape.map((_, i) => i),
  );
  r = lax.select(nanSlice, c(r, NaN), r);
  // q's axes first, as numpy.
  r = lax.transpose(r, [...q.shape.map((_, i) => keptShape.length + i), ...keptShape.map((_, i) => i)]);
  if (opts.keepdims) r = lax.reshape(r, [...q.shape, ...a.shape.map((d, i) => (axes.includes(i) ? 1 : d))]);
  return r;
}

/** The `q`-th percentiles (q in [0, 100]) of `a` (numpy's `percentile`); see `quantile`. */
export function percentile(
  a: ArrayLike,
  q: ArrayLike,
  axis?: Axes | QuantileOptions,
  options?: Omit<QuantileOptions, "axis">,
): Array {
  return quantileImpl(
    "percentile",
    a,
    q,
    axisOptions<QuantileOptions>("percentile", axis, options, QUANTILE_SPEC),
    100,
  );
}

/** The median over `axis` (numpy's `median`; the mean of the two middle values for even counts). */
export function median(
  a: ArrayLike,
  axis?: Axes | Omit<QuantileOptions, "method">,
  options?: Omit<QuantileOptions, "method" | "axis">,
): Array {
  const opts = axisOptions<Omit<QuantileOptions, "method">>("median", axis, options, MEDIAN_SPEC);
  return quantileImpl("median", a, 0.5, { ...opts, method: "midpoint" }, 1);
}

export interface AverageOptions {
  axis?: number | readonly number[] | null;
  /** Weights: the shape of `a`, or 1-d along a single `axis`. */
  weights?: ArrayLike;
  /** Also return the sum of the weights (broadcast to the result's shape). */
  returned?: boolean;
  keepdims?: boolean;
}

/**
 * The (weighted) average over `axis` (numpy's `average`): Σ a·w / Σ w. With `returned`,
 * `[average, sum of weights]`.
 */
export function average(a: ArrayLike, opts: AverageOptions & { returned: true }): [Array, Array];
export function average(
  a: ArrayLike,
  axis: Axes | undefined,
  opts: Omit<AverageOptions, "axis"> & { returned: true },
): [Array, Array];
export function average(
  a: ArrayLike,
  axis: Axes | undefined,
  weights: ArrayLike | null | undefined,
  returned: true,
  options?: Pick<AverageOptions, "keepdims">,
): [Array, Array];
export function average(
  a: ArrayLike,
  axis?: Axes | AverageOptions,
  weights?: ArrayLike | null | Omit<AverageOptions, "axis">,
  returned?: boolean,
  options?: Pick<AverageOptions, "keepdims">,
): Array;
export function average(
  a0: ArrayLike,
  axis?: Axes | AverageOptions,
  weights?: ArrayLike | null | Omit<AverageOptions, "axis">,
  returned?: boolean,
  options?: Pick<AverageOptions, "keepdims">,
): Array | [Array, Array] {
  const opts = averageArgs(axis, weights, returned, options);
  let a = toFloat(asArray(a0));
  const axes = normAxes("np.average", opts.axis ?? undefined, a.ndim);
  let avg: Array;
  let wsum: Array;
  if (opts.weights === undefined) {
    avg = sum(a, { axis: axes, keepdims: opts.keepdims });
    const n = axes.reduce((p, ax) => p * a.shape[ax], 1);
    const cnt = full(avg.shape, n, isComplex(a.dtype) ? "float32" : a.dtype);
    avg = lax.div(avg, isComplex(avg.dtype) ? lax.complex(cnt, lax.zerosLike(cnt)) : cnt);
    wsum = cnt;
  } else {
    let w: Array;
    [a, w] = promoteArgs(a, opts.weights);
    a = toFloat(a);
    w = lax.convertElementType(w, a.dtype);
    if (w.ndim !== a.ndim || w.shape.some((d, i) => d !== a.shape[i])) {
      if (opts.axis === undefined || opts.axis === null)
        throw new ShapeError(
          `np.average: axis must be given when the shapes of a ${fmtShape(a.shape)} and weights ${fmtShape(w.shape)} differ`,
        );
      if (w.ndim !== 1 || axes.length !== 1)
        throw new ShapeError(
          `np.average: weights of shape ${fmtShape(w.shape)} must be 1-d along a single axis when they differ from a's shape ${fmtShape(a.shape)}`,
        );
      if (w.shape[0] !== a.shape[axes[0]])
        throw new ShapeError(
          `np.average: the length of weights (${w.shape[0]}) differs from a's axis ${axes[0]} (${a.shape[axes[0]]})`,
        );
      w = lax.broadcastInDim(w, a.shape, [axes[0]]);
    }
    wsum = sum(w, { axis: axes, keepdims: opts.keepdims });
    avg = lax.div(sum(lax.mul(a, w), { axis: axes, keepdims: opts.keepdims }), wsum);
  }
  if (!opts.returned) return avg;
  return [avg, wsum.shape.length === avg.shape.length ? wsum : broadcastTo(wsum, avg.shape)];
}

/**
 * Read numpy's `average(a, axis=None, weights=None, returned=False, *, keepdims)`: positionally
 * `(axis, weights, returned, { keepdims })`, or an options object in place of the first
 * positional argument not given. Each value is given at most once.
 */
function averageArgs(axis: unknown, weights: unknown, returned: unknown, options: unknown): AverageOptions {
  const op = "average";
  // An options object ends the positional arguments: nothing may follow it.
  const pos = [axis, weights, returned];
  const objAt = pos.findIndex(isOptionsObject);
  if (objAt >= 0) {
    if (pos.slice(objAt + 1).some((v) => v !== undefined) || options !== undefined)
      throw new ValueError(`np.${op}: no arguments may follow the options object`);
    const names = ["axis", "weights", "returned"].slice(0, objAt);
    const spec = Object.fromEntries(Object.entries(AVERAGE_SPEC).filter(([k]) => !names.includes(k)));
    const opts = axisOptions<AverageOptions>(op, undefined, pos[objAt], spec);
    if (objAt >= 1 && axis !== undefined) checkValue(op, "axis", axis, "axes");
    if (objAt >= 2 && weights !== undefined && weights !== null) checkValue(op, "weights", weights, "arraylike");
    return {
      ...opts,
      ...(objAt >= 1 && axis !== undefined ? { axis: axis as Axes } : {}),
      ...(objAt >= 2 && weights !== undefined && weights !== null ? { weights: weights as ArrayLike } : {}),
    };
  }
  const opts = axisOptions<AverageOptions>(op, axis, options, { keepdims: "boolean", axis: "axes" });
  if (weights !== undefined && weights !== null) {
    checkValue(op, "weights", weights, "arraylike");
    opts.weights = weights as ArrayLike;
  }
  if (returned !== undefined) {
    checkValue(op, "returned", returned, "boolean");
    opts.returned = returned as boolean;
  }
  return opts;
}

const PTP_SPEC: OptionSpec = { axis: "axes", keepdims: "boolean" };

/** Peak to peak: max − min over `axis` (numpy's `ptp(a, axis, out, keepdims)`). */
export function ptp(
  a: ArrayLike,
  axis?: Axes | { axis?: Axes; keepdims?: boolean },
  options?: { keepdims?: boolean },
): Array {
  const opts = axisOptions<{ axis?: Axes; keepdims?: boolean }>("ptp", axis, options, PTP_SPEC);
  const x = asArray(a);
  return lax.sub(max(x, opts), min(x, opts));
}

/** The number of non-zero elements over `axis` (int32; numpy's `count_nonzero`). */
export function countNonzero(
  a: ArrayLike,
  axis?: Axes | { axis?: Axes; keepdims?: boolean },
  options?: { keepdims?: boolean },
): Array {
  const opts = axisOptions<{ axis?: Axes; keepdims?: boolean }>("countNonzero", axis, options, PTP_SPEC);
  const x = asArray(a);
  const nz = x.dtype === "bool" ? x : lax.ne(x, lax.fullLike(x, 0));
  const axes = normAxes("np.countNonzero", opts.axis ?? undefined, x.ndim);
  return keepDims(lax.reduceSum(lax.convertElementType(nz, "int32"), axes), x.shape, axes, opts.keepdims);
}

/** numpy's / JAX's keyword set of `cov`, each with its kind. */
const COV_OPTIONS = {
  y: "arraylike",
  rowvar: "boolean",
  bias: "boolean",
  ddof: "integer",
  fweights: "arraylike",
  aweights: "arraylike",
} as const satisfies OptionSpec;

export interface CovOptions {
  /** Additional variables (observations like `m`). */
  y?: ArrayLike;
  /** Rows are variables (default true); false: columns are. */
  rowvar?: boolean;
  /** Normalize by N (true) instead of N − 1. */
  bias?: boolean;
  /** Delta degrees of freedom (overrides `bias`). */
  ddof?: number;
  /** Integer frequency weights per observation. */
  fweights?: ArrayLike;
  /** Observation (reliability) weights. */
  aweights?: ArrayLike;
}

/** The covariance matrix of the variables in `m` (numpy's `cov`, JAX's algorithm). */
export function cov(m: ArrayLike, opts: CovOptions = {}): Array {
  checkOptions("np.cov", opts, COV_OPTIONS);
  const rowvar = opts.rowvar ?? true;
  const as2d = (v: ArrayLike, arg: string): Array => {
    let x = toFloat(asArray(v));
    if (x.ndim > 2) throw new ShapeError(`np.cov: ${arg} has more than 2 dimensions (shape ${fmtShape(x.shape)})`);
    if (x.ndim < 2) x = lax.reshape(x, [1, x.size]);
    if (!rowvar && x.shape[0] !== 1) x = lax.transpose(x, [1, 0]);
    return x;
  };
  let X = as2d(m, "m");
  if (opts.y !== undefined) {
    const y = as2d(opts.y, "y");
    [X] = promoteArgs(X, y);
    X = lax.concatenate([X, lax.convertElementType(y, X.dtype)], 0);
  }
  if (X.shape[0] === 0) return full([0, 0], 0, X.dtype);
  const ddof = opts.ddof ?? (opts.bias ? 0 : 1);
  const nobs = X.shape[1];
  let w: Array | undefined;
  const weightsOf = (v: ArrayLike, arg: string, integer: boolean): Array => {
    const x = asArray(v);
    if (x.ndim !== 1 || x.shape[0] !== nobs)
      throw new ShapeError(
        `np.cov: ${arg} must be 1-d with one weight per observation (${nobs}); got shape ${fmtShape(x.shape)}`,
      );
    if (
      integer &&
      !isInteger(x.dtype) &&
      !x.isTracer &&
      globalThis.Array.from(x.dataSync() as Float32Array).some((v2) => !Number.isInteger(v2))
    )
      throw new DTypeError("np.cov: fweights must be integers");
    return lax.convertElementType(x, X.dtype);
  };
  const fw = opts.fweights !== undefined ? weightsOf(opts.fweights, "fweights", true) : undefined;
  const aw = opts.aweights !== undefined ? weightsOf(opts.aweights, "aweights", false) : undefined;
  if (fw !== undefined) w = fw;
  if (aw !== undefined) w = w === undefined ? aw : lax.mul(w, aw);
  const [avg, wsum0] = average(X, {
    axis: 1,
    weights: w === undefined ? undefined : lax.broadcastInDim(w, X.shape, [1]),
    returned: true,
  });
  const wsum = lax.reshape(lax.sliceInDim(wsum0, 0, 1, 1, 0), []);
  let f: Array;
  if (w === undefined) f = full([], nobs - ddof, X.dtype);
  else if (ddof === 0) f = wsum;
  else if (aw === undefined) f = lax.sub(wsum, c(wsum, ddof));
  else f = lax.sub(wsum, lax.div(lax.mul(c(wsum, ddof), lax.reduceSum(lax.mul(w, aw), [0])), wsum));
  const Xc = lax.sub(X, lax.broadcastInDim(avg, X.shape, [0]));
  const Xw = w === undefined ? Xc : lax.mul(Xc, lax.broadcastInDim(w, X.shape, [1]));
  const XT = isComplex(Xw.dtype) ? lax.conj(Xw) : Xw;
  let out = lax.dotGeneral(Xc, XT, { contractingDims: [[1], [1]] });
  const fb = lax.broadcastInDim(isComplex(out.dtype) ? lax.complex(f, lax.zerosLike(f)) : f, out.shape, []);
  out = lax.div(out, fb);
  // numpy squeezes: one variable gives a scalar.
  return out.shape[0] === 1 ? lax.reshape(out, []) : out;
}

/** Pearson correlation coefficients (numpy's `corrcoef`), clipped to [-1, 1]. */
export function corrcoef(x: ArrayLike, opts: Pick<CovOptions, "y" | "rowvar"> = {}): Array {
  // Checked here so a typo names corrcoef, not the cov it calls.
  checkOptions("np.corrcoef", opts, { y: COV_OPTIONS.y, rowvar: COV_OPTIONS.rowvar });
  const cv = cov(x, opts);
  if (cv.ndim === 0) return lax.div(cv, cv);
  const n = cv.shape[0];
  const d = lax.reshape(
    lax.gather(
      cv,
      lax.reshape(
        lax.concatenate([lax.reshape(lax.iota("int32", [n]), [n, 1]), lax.reshape(lax.iota("int32", [n]), [n, 1])], 1),
        [n, 2],
      ),
      { offsetDims: [], collapsedSliceDims: [0, 1], startIndexMap: [0, 1] },
      [1, 1],
      { mode: "promise_in_bounds" },
    ),
    [n],
  );
  let sd = lax.sqrt(isComplex(d.dtype) ? lax.real(d) : d);
  if (isComplex(cv.dtype)) sd = lax.complex(sd, lax.zerosLike(sd));
  let r = lax.div(lax.div(cv, lax.broadcastInDim(sd, cv.shape, [0])), lax.broadcastInDim(sd, cv.shape, [1]));
  if (isComplex(r.dtype)) {
    const clip = (v: Array): Array => lax.min(lax.max(v, c(v, -1)), c(v, 1));
    r = lax.complex(clip(lax.real(r)), clip(lax.imag(r)));
  } else r = lax.min(lax.max(r, c(r, -1)), c(r, 1));
  return r;
}

export interface HistogramOptions {
  /** The number of equal-width bins (default 10) or the bin edges (monotonically increasing). */
  bins?: number | ArrayLike;
  /** The lower and upper range of the bins (default: the data's min and max). */
  range?: readonly [number, number];
  /** A weight per element of `a`. */
  weights?: ArrayLike;
  /** Return the probability density (integrates to 1) instead of counts. */
  density?: boolean;
}

/** The bin edges numpy's `histogram` uses (numpy's `histogram_bin_edges`). */
export function histogramBinEdges(a: ArrayLike, opts: Pick<HistogramOptions, "bins" | "range"> = {}): Array {
  const x = toFloat(asArray(a));
  if (isComplex(x.dtype)) throw new DTypeError("np.histogram: complex input is not supported");
  const bins = opts.bins ?? 10;
  if (typeof bins !== "number") {
    const e = lax.convertElementType(asArray(bins), x.dtype);
    if (e.ndim !== 1)
      throw new ShapeError(
        `np.histogram: bins must be a number or a 1-d array of edges; got shape ${fmtShape(e.shape)}`,
      );
    if (!e.isTracer) {
      const v = e.dataSync() as Float32Array;
      for (let i = 1; i < v.length; i++)
        if (!(v[i] >= v[i - 1])) throw new ValueError("np.histogram: bins must increase monotonically, when an array");
    }
    return e;
  }
  if (!Number.isInteger(bins) || bins < 1)
    throw new ValueError(`np.histogram: bins must be a positive integer; got ${bins}`);
  let lo: Array;
  let hi: Array;
  if (opts.range !== undefined) {
    const [r0, r1] = opts.range;
    if (!(r0 <= r1) || !Number.isFinite(r0) || !Number.isFinite(r1))
      throw new ValueError(`np.histogram: max must be larger than min in range parameter; got [${r0}, ${r1}]`);
    lo = full([], r0, x.dtype);
    hi = full([], r1, x.dtype);
  } else if (x.size === 0) {
    lo = full([], 0, x.dtype);
    hi = full([], 1, x.dtype);
  } else {
    lo = lax.reduceMin(
      x,
      x.shape.map((_, i) => i),
    );
    hi = lax.reduceMax(
      x,
      x.shape.map((_, i) => i),
    );
  }
  // numpy widens an empty range by ±0.5.
  const eq = lax.eq(lo, hi);
  lo = lax.select(eq, lax.sub(lo, c(lo, 0.5)), lo);
  hi = lax.select(eq, lax.add(hi, c(hi, 0.5)), hi);
  const step = lax.div(lax.sub(hi, lo), c(hi, bins));
  const inner = lax.add(
    lax.broadcastInDim(lo, [bins], []),
    lax.mul(lax.convertElementType(lax.iota("int32", [bins]), x.dtype), lax.broadcastInDim(step, [bins], [])),
  );
  return lax.concatenate([inner, lax.reshape(hi, [1])], 0);
}

/**
 * The histogram of `a` (numpy's `histogram`): `[counts, binEdges]`. Every bin but the last is
 * half-open [e_i, e_{i+1}); the last includes its right edge; values outside the range (and
 * NaNs) are ignored. Works under jit (the range then comes from the traced data or `range`).
 */
export function histogram(a: ArrayLike, opts: HistogramOptions = {}): [Array, Array] {
  const x = toFloat(asArray(a));
  const edges = histogramBinEdges(x, opts);
  const ne = edges.shape[0];
  const flat = lax.reshape(x, [x.size]);
  let idx = searchsorted(edges, flat, { side: "right" });
  const last = takeFlat(edges, lax.fullLike(new ShapedArray([], "int32"), ne - 1));
  idx = lax.select(lax.eq(flat, lax.broadcastInDim(last, flat.shape, [])), lax.fullLike(idx, ne - 1), idx);
  let w: Array;
  // numpy counts in integers when there are no weights (JAX returns floats).
  if (opts.weights === undefined) w = full(flat.shape, 1, opts.density ? x.dtype : "int32");
  else {
    const wa = asArray(opts.weights);
    if (wa.ndim !== x.ndim || wa.shape.some((d, i) => d !== x.shape[i]))
      throw new ShapeError(
        `np.histogram: weights of shape ${fmtShape(wa.shape)} must have the shape of a ${fmtShape(x.shape)}`,
      );
    w = lax.reshape(toFloat(wa), [x.size]);
  }
  let counts = lax.sliceInDim(countValues(idx, ne, w), 1, ne, 1, 0);
  if (opts.density) {
    const widths = lax.sub(lax.sliceInDim(edges, 1, ne, 1, 0), lax.sliceInDim(edges, 0, ne - 1, 1, 0));
    const total = lax.broadcastInDim(lax.reduceSum(counts, [0]), counts.shape, []);
    counts = lax.div(lax.div(counts, widths), total);
  }
  return [counts, edges];
}

export interface BincountOptions {
  /** A weight per element of `x` (the result then has the weights' dtype). */
  weights?: ArrayLike;
  /** A minimum number of bins. */
  minlength?: number;
  /** The static number of bins (JAX's `length`, needed inside jit/vmap); larger values are dropped. */
  length?: number;
}

/**
 * Occurrences of each value 0..max(x) of the non-negative integer 1-d `x` (numpy's `bincount`),
 * optionally weighted. Inside transformations pass `length`; values ≥ length are dropped and
 * negative values, which numpy rejects, are clipped to 0 under a trace (JAX's behaviour).
 */
export function bincount(x: ArrayLike, opts: BincountOptions = {}): Array {
  const a = asArray(x);
  if (!isInteger(a.dtype) && a.dtype !== "bool")
    throw new DTypeError(`np.bincount: x must have an integer dtype; got ${a.dtype}`);
  if (a.ndim !== 1) throw new ShapeError(`np.bincount: x must be 1-d; got shape ${fmtShape(a.shape)}`);
  const minlength = opts.minlength ?? 0;
  if (!Number.isInteger(minlength) || minlength < 0)
    throw new ValueError(`np.bincount: minlength must be a non-negative integer; got ${minlength}`);
  const v = lax.convertElementType(a, "int32");
  let length = opts.length;
  if (length === undefined) {
    if (v.isTracer)
      throw new ConcretizationError(
        `np.bincount: the number of bins depends on max(x) of a traced array ${v.aval.toString()}; pass a static length (np.bincount(x, { length })) to use it inside jit/vmap/grad`,
      );
    const data = v.dataSync() as Int32Array;
    if (data.some((d) => d < 0)) throw new ValueError("np.bincount: x must not contain negative values");
    length = Math.max(minlength, data.length === 0 ? 0 : Math.max(...data) + 1);
  } else if (!Number.isInteger(length) || length < 0)
    throw new ValueError(`np.bincount: length must be a non-negative integer; got ${length}`);
  let w: Array | undefined;
  if (opts.weights !== undefined) {
    w = asArray(opts.weights);
    if (w.ndim !== 1 || w.shape[0] !== a.shape[0])
      throw new ShapeError(
        `np.bincount: weights of shape ${fmtShape(w.shape)} must match x of shape ${fmtShape(a.shape)}`,
      );
    if (w.dtype === "bool") w = lax.convertElementType(w, "int32");
  }
  return countValues(lax.max(v, lax.fullLike(v, 0)), length, w);
}

/**
 * The index of the bin each value of `x` falls in (numpy's `digitize`): for increasing `bins`,
 * i with bins[i-1] <= x < bins[i] (`right: true`: bins[i-1] < x <= bins[i]); decreasing bins are
 * handled as numpy does. int32 of `x`'s shape.
 */
export function digitize(x: ArrayLike, bins: ArrayLike, opts: { right?: boolean } = {}): Array {
  const b = asArray(bins);
  if (b.ndim !== 1) throw new ShapeError(`np.digitize: bins must be 1-d; got shape ${fmtShape(b.shape)}`);
  const side = opts.right ? "left" : "right";
  const n = b.shape[0];
  if (n === 0) return lax.fullLike(new ShapedArray(asArray(x).shape, "int32"), 0);
  if (!b.isTracer) {
    const v = b.dataSync() as Float32Array;
    let inc = true;
    let dec = true;
    for (let i = 1; i < v.length; i++) {
      if (!(v[i] >= v[i - 1])) inc = false;
      if (!(v[i] <= v[i - 1])) dec = false;
    }
    if (!inc && !dec) throw new ValueError("np.digitize: bins must be monotonically increasing or decreasing");
  }
  const up = searchsorted(b, x, { side });
  const down = lax.sub(lax.fullLike(up, n), searchsorted(lax.rev(b, [0]), x, { side }));
  const first = takeFlat(b, lax.fullLike(new ShapedArray([], "int32"), 0));
  const lastV = takeFlat(b, lax.fullLike(new ShapedArray([], "int32"), n - 1));
  const increasing = lax.broadcastInDim(lax.ge(lastV, first), up.shape, []);
  return lax.select(increasing, up, down);
}
