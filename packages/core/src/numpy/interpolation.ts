/** numpy's 1-d piecewise-linear interpolation `interp` (JAX's algorithm, jit/vmap/grad-friendly). */
import { Array as ArrayClass, type Array, type ArrayLike } from "../core/array.ts";
import { ShapedArray } from "../core/aval.ts";
import * as lax from "../primitives/index.ts";
import { isComplex, type DType } from "../dtype.ts";
import { DTypeError, ShapeError, ValueError } from "../errors.ts";
import { fmtShape } from "../shape.ts";
import { asArray } from "./convert.ts";
import { checkOptions } from "./args.ts";
import { toInexact } from "./ufunc-wrappers.ts";
import { promoteArgs } from "./promote.ts";
import { searchsorted, takeFlat } from "./searching.ts";

export interface InterpOptions {
  /**
   * Value for x < xp[0]: a number or a scalar array (which may be traced, and is differentiated),
   * default fp[0]; or "extrapolate" (JAX): continue the first segment's line.
   */
  left?: number | Array | "extrapolate";
  /** Value for x > xp[-1], as `left` (default fp[-1]; "extrapolate" continues the last segment). */
  right?: number | Array | "extrapolate";
  /**
   * Period of the x-coordinates (a number or a scalar array, which may be traced): x and xp are
   * taken modulo |period| and xp is sorted; left/right are then ignored.
   */
  period?: number | Array;
}

const strong = (a: Array): Array => (a.aval.weakType ? lax.convertElementType(a, a.dtype, false) : a);

/** `np.spacing(np.finfo(dtype).eps)`: JAX's threshold below which an interval counts as zero-width. */
const ZERO_WIDTH: Partial<Record<DType, number>> = { float32: 2 ** -46, float16: 2 ** -20, bfloat16: 2 ** -14 };

/** A left/right fill: "extrapolate", or a real/complex scalar (number or 0-d array). */
function edgeValue(side: "left" | "right", v: unknown): Array | "extrapolate" | undefined {
  if (v === undefined) return undefined;
  if (typeof v === "string") {
    if (v !== "extrapolate")
      throw new ValueError(`np.interp: the only valid string value of '${side}' is 'extrapolate'; got '${v}'`);
    return v;
  }
  if (typeof v === "number") return asArray(v);
  if (v instanceof ArrayClass) {
    if (v.ndim !== 0) throw new ShapeError(`np.interp: '${side}' must be a scalar; got shape ${fmtShape(v.shape)}`);
    return v;
  }
  throw new ValueError(`np.interp: '${side}' must be a number, a scalar array or 'extrapolate'; got ${typeof v}`);
}

/**
 * The piecewise-linear interpolant through (xp, fp) at `x` (numpy's `interp`, JAX's algorithm);
 * xp must be increasing (or is sorted when `period` is given). Differentiable in x, xp, fp and
 * array-valued left/right/period.
 */
export function interp(x: ArrayLike, xp: ArrayLike, fp: ArrayLike, opts: InterpOptions = {}): Array {
  checkOptions("np.interp", opts, { left: "any", right: "any", period: "any" });
  const left = edgeValue("left", opts.left);
  const right = edgeValue("right", opts.right);
  // x and xp are promoted together to an inexact dtype, fp on its own (JAX).
  let [xa, xpa] = promoteArgs(x, xp).map((a) => strong(toInexact(a)));
  let fpa = strong(toInexact(asArray(fp)));
  if (isComplex(xa.dtype)) throw new DTypeError("np.interp: x and xp must be real");
  if (xpa.ndim !== 1 || fpa.ndim !== 1 || xpa.shape[0] !== fpa.shape[0])
    throw new ShapeError(
      `np.interp: xp and fp must be 1-d of the same length; got shapes ${fmtShape(xpa.shape)} and ${fmtShape(fpa.shape)}`,
    );
  if (xpa.shape[0] === 0) throw new ValueError("np.interp: xp and fp must not be empty");
  if (opts.period !== undefined) {
    const pv = opts.period;
    if (typeof pv === "number" && pv === 0) throw new ValueError("np.interp: period must be a non-zero value");
    if (typeof pv !== "number" && !(pv instanceof ArrayClass))
      throw new ValueError(`np.interp: period must be a number or a scalar array; got ${typeof pv}`);
    if (pv instanceof ArrayClass && pv.ndim !== 0)
      throw new ValueError(`np.interp: period must be a scalar; got shape ${fmtShape(pv.shape)}`);
    if (pv instanceof ArrayClass && isComplex(pv.dtype)) throw new DTypeError("np.interp: period must be real");
    const p = lax.abs(lax.convertElementType(asArray(pv), xa.dtype));
    const mod = (v: Array): Array => {
      const pb = lax.broadcastInDim(p, v.shape, []);
      const r = lax.rem(v, pb);
      return lax.select(lax.lt(r, lax.zerosLike(r)), lax.add(r, pb), r);
    };
    xa = mod(xa);
    [xpa, fpa] = lax.sort([mod(xpa), fpa], { dimension: 0, numKeys: 1 });
    const n0 = xpa.shape[0];
    const p1 = lax.broadcastInDim(p, [1], []);
    xpa = lax.concatenate(
      [lax.sub(lax.sliceInDim(xpa, n0 - 1, n0, 1, 0), p1), xpa, lax.add(lax.sliceInDim(xpa, 0, 1, 1, 0), p1)],
      0,
    );
    fpa = lax.concatenate([lax.sliceInDim(fpa, n0 - 1, n0, 1, 0), fpa, lax.sliceInDim(fpa, 0, 1, 1, 0)], 0);
  }
  const n = xpa.shape[0];
  const one = lax.fullLike(new ShapedArray(xa.shape, "int32"), 1);
  const zero = lax.sub(one, one);
  let f: Array;
  if (n === 1) {
    // One sample point: every x maps to fp[0] (JAX's clip gives i = 0 and a zero-width interval).
    f = takeFlat(fpa, zero);
  } else {
    const i = lax.clamp(one, searchsorted(xpa, xa, { side: "right" }), lax.fullLike(one, n - 1));
    const im1 = lax.sub(i, one);
    const fLo = takeFlat(fpa, im1);
    const df = lax.sub(takeFlat(fpa, i), fLo);
    const xLo = takeFlat(xpa, im1);
    const dx = lax.sub(takeFlat(xpa, i), xLo);
    const delta = lax.sub(xa, xLo);
    // A (near-)zero-width interval (repeated xp) gives fp[i-1] and no NaN gradient (JAX).
    const dx0 = lax.le(lax.abs(dx), lax.fullLike(dx, ZERO_WIDTH[dx.dtype] ?? 2 ** -46));
    let t = lax.div(delta, lax.select(dx0, lax.fullLike(dx, 1), dx));
    if (isComplex(df.dtype)) t = lax.complex(t, lax.zerosLike(t));
    f = lax.select(dx0, fLo, lax.add(fLo, lax.mul(t, df)));
  }
  if (opts.period === undefined) {
    // Outside [xp[0], xp[-1]]: the fill (fp's end value by default), promoted with f as jnp.where does.
    const fill = (v: Array | "extrapolate" | undefined, end: number, outside: Array): void => {
      if (v === "extrapolate") return;
      const [fv, ff] = promoteArgs(v ?? takeFlat(fpa, lax.fullLike(one, end)), f);
      f = lax.select(outside, lax.broadcastInDim(fv, ff.shape, fv.ndim === 0 ? [] : ff.shape.map((_, d) => d)), ff);
    };
    fill(left, 0, lax.lt(xa, takeFlat(xpa, zero)));
    fill(right, n - 1, lax.gt(xa, takeFlat(xpa, lax.fullLike(one, n - 1))));
  }
  return f;
}
