/** numpy's 1-d piecewise-linear interpolation `interp` (JAX's algorithm, jit/vmap/grad-friendly). */
import type { Array, ArrayLike } from "../core/array.ts";
import { ShapedArray } from "../core/aval.ts";
import * as lax from "../primitives/index.ts";
import { isComplex } from "../dtype.ts";
import { DTypeError, ShapeError, ValueError } from "../errors.ts";
import { fmtShape } from "../shape.ts";
import { asArray } from "./convert.ts";
import { checkOptions } from "./args.ts";
import { toInexact } from "./ufunc-wrappers.ts";
import { searchsorted, takeFlat } from "./searching.ts";

export interface InterpOptions {
  /** Value for x < xp[0] (default fp[0]). */
  left?: number;
  /** Value for x > xp[-1] (default fp[-1]). */
  right?: number;
  /** Period of the x-coordinates: x and xp are taken modulo it (left/right are then ignored). */
  period?: number;
}

const strong = (a: Array): Array => (a.aval.weakType ? lax.convertElementType(a, a.dtype, false) : a);

/**
 * The piecewise-linear interpolant through (xp, fp) at `x` (numpy's `interp`); xp must be
 * increasing (or is sorted when `period` is given). Differentiable in x, xp and fp.
 */
export function interp(x: ArrayLike, xp: ArrayLike, fp: ArrayLike, opts: InterpOptions = {}): Array {
  // numpy's keywords; JAX's left/right = "extrapolate" is not supported (rejected by the kind check).
  checkOptions("np.interp", opts, { left: "number", right: "number", period: "number" });
  let xa = strong(toInexact(asArray(x)));
  let xpa = strong(toInexact(asArray(xp)));
  let fpa = strong(toInexact(asArray(fp)));
  if (isComplex(xa.dtype) || isComplex(xpa.dtype)) throw new DTypeError("np.interp: x and xp must be real");
  if (xpa.ndim !== 1 || fpa.ndim !== 1 || xpa.shape[0] !== fpa.shape[0])
    throw new ShapeError(`np.interp: xp and fp must be 1-d of the same length; got shapes ${fmtShape(xpa.shape)} and ${fmtShape(fpa.shape)}`);
  if (xpa.shape[0] === 0) throw new ValueError("np.interp: xp and fp must not be empty");
  xpa = lax.convertElementType(xpa, xa.dtype);
  if (opts.period !== undefined) {
    const p = Math.abs(opts.period);
    if (p === 0) throw new ValueError("np.interp: period must be a non-zero value");
    const mod = (v: Array): Array => {
      const r = lax.rem(v, lax.fullLike(v, p));
      return lax.select(lax.lt(r, lax.fullLike(r, 0)), lax.add(r, lax.fullLike(r, p)), r);
    };
    xa = mod(xa);
    [xpa, fpa] = lax.sort([mod(xpa), fpa], { dimension: 0, numKeys: 1 });
    const n0 = xpa.shape[0];
    xpa = lax.concatenate(
      [
        lax.sub(lax.sliceInDim(xpa, n0 - 1, n0, 1, 0), lax.fullLike(new ShapedArray([1], xpa.dtype), p)),
        xpa,
        lax.add(lax.sliceInDim(xpa, 0, 1, 1, 0), lax.fullLike(new ShapedArray([1], xpa.dtype), p)),
      ],
      0,
    );
    fpa = lax.concatenate([lax.sliceInDim(fpa, n0 - 1, n0, 1, 0), fpa, lax.sliceInDim(fpa, 0, 1, 1, 0)], 0);
  }
  const n = xpa.shape[0];
  const one = lax.fullLike(new ShapedArray(xa.shape, "int32"), 1);
  const i = lax.clamp(one, searchsorted(xpa, xa, { side: "right" }), lax.fullLike(one, Math.max(1, n - 1)));
  const zero = lax.sub(one, one);
  // One sample point: every x maps to fp[0] (numpy).
  if (n === 1) return takeFlat(fpa, zero);
  const im1 = lax.sub(i, one);
  const fLo = takeFlat(fpa, im1);
  const df = lax.sub(takeFlat(fpa, i), fLo);
  const xLo = takeFlat(xpa, im1);
  const dx = lax.sub(takeFlat(xpa, i), xLo);
  const delta = lax.sub(xa, xLo);
  // A zero-width interval (repeated xp) gives fp[i-1] and no NaN gradient (JAX).
  const dx0 = lax.le(lax.abs(dx), lax.fullLike(dx, 1.401298464324817e-45));
  let t = lax.div(delta, lax.select(dx0, lax.fullLike(dx, 1), dx));
  if (isComplex(df.dtype)) t = lax.complex(t, lax.zerosLike(t));
  let f = lax.select(dx0, fLo, lax.add(fLo, lax.mul(t, df)));
  if (opts.period === undefined) {
    const first = takeFlat(fpa, zero);
    const last = takeFlat(fpa, lax.fullLike(one, n - 1));
    const lv = opts.left === undefined ? first : lax.fullLike(first, opts.left);
    const rv = opts.right === undefined ? last : lax.fullLike(last, opts.right);
    f = lax.select(lax.lt(xa, takeFlat(xpa, zero)), lv, f);
    f = lax.select(lax.gt(xa, takeFlat(xpa, lax.fullLike(one, n - 1))), rv, f);
  }
  return f;
}
