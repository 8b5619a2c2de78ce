/**
 * numpy's rot90, select (the n-way `where`) and a functional fillDiagonal (a new array, since
 * arrays are immutable — JAX's `inplace=False`).
 */
import type { Array, ArrayLike } from "../core/array.ts";
import * as lax from "../primitives/index.ts";
import { ShapeError, ValueError } from "../errors.ts";
import { fmtShape, normAxis } from "../shape.ts";
import { asArray } from "./convert.ts";
import { broadcastArgs, promoteArgs } from "./promote.ts";
import { checkOptions, checkValue, isOptionsObject } from "./args.ts";

/**
 * Rotate by 90° `k` times in the plane of `axes` (default [0, 1]), from the first axis toward
 * the second. numpy's order `rot90(m, k, axes)`; `{ k, axes }` or `{ axes }` may replace
 * the first positional argument not given.
 */
export function rot90(
  m: ArrayLike,
  kArg?: number | { k?: number; axes?: readonly [number, number] },
  axesArg?: readonly [number, number] | { axes?: readonly [number, number] },
): Array {
  let k: unknown = kArg;
  let axesV: unknown = axesArg;
  if (isOptionsObject(kArg)) {
    if (axesArg !== undefined) throw new ValueError("np.rot90: no arguments may follow the options object");
    checkOptions("np.rot90", kArg, { k: "integer", axes: "axes" });
    ({ k, axes: axesV } = kArg);
  } else if (isOptionsObject(axesArg)) {
    checkOptions("np.rot90", axesArg, { axes: "axes" });
    axesV = axesArg.axes;
  }
  k ??= 1;
  checkValue("np.rot90", "k", k, "integer");
  if (axesV !== undefined) checkValue("np.rot90", "axes", axesV, "axes");
  const a = asArray(m);
  const axes = (axesV ?? [0, 1]) as readonly number[];
  if (axes.length !== 2) throw new ValueError(`np.rot90: len(axes) must be 2; got ${JSON.stringify(axes)}`);
  if (a.ndim < 2) throw new ShapeError(`np.rot90: the array must be at least 2-d; got shape ${fmtShape(a.shape)}`);
  const a0 = normAxis("np.rot90", axes[0], a.ndim, "axes[0]");
  const a1 = normAxis("np.rot90", axes[1], a.ndim, "axes[1]");
  if (a0 === a1) throw new ValueError(`np.rot90: axes must be different; got ${JSON.stringify(axes)}`);
  const kk = (((k as number) % 4) + 4) % 4;
  if (kk === 0) return a;
  if (kk === 2) return lax.rev(a, [a0, a1]);
  const perm = a.shape.map((_, i) => (i === a0 ? a1 : i === a1 ? a0 : i));
  // k = 1: flip the second axis, then swap; k = 3: swap, then flip the second axis.
  return kk === 1 ? lax.transpose(lax.rev(a, [a1]), perm) : lax.rev(lax.transpose(a, perm), [a1]);
}

/**
 * Elements from `choicelist[i]` where `condlist[i]` is the first true condition, `default`
 * elsewhere (numpy's `select`); conditions must be bool and everything broadcasts together.
 */
export function select(
  condlist: readonly ArrayLike[],
  choicelist: readonly ArrayLike[],
  defaultValue: ArrayLike = 0,
): Array {
  if (condlist.length !== choicelist.length)
    throw new ValueError(
      `np.select: list of cases must be same length as list of conditions (${condlist.length} conditions, ${choicelist.length} choices)`,
    );
  if (condlist.length === 0) throw new ValueError("np.select: condlist must be non-empty");
  const conds = condlist.map((c, i) => {
    const a = asArray(c);
    if (a.dtype !== "bool")
      throw new ValueError(`np.select: condlist entry ${i} must be a bool array; got dtype ${a.dtype}`);
    return a;
  });
  const choices = promoteArgs(defaultValue, ...choicelist);
  const all = broadcastArgs("select", [...conds, ...choices]);
  const cs = all.slice(0, conds.length);
  const vs = all.slice(conds.length);
  // The first true condition wins: apply from the last to the first.
  let out = vs[0];
  for (let i = cs.length - 1; i >= 0; i--) out = lax.select(cs[i], vs[i + 1], out);
  return out;
}

/**
 * A copy of `a` with its main diagonal set to `val` (numpy's `fill_diagonal`, functional): `val`
 * is a scalar or values repeated along the diagonal; all axes must be equal for ndim > 2; `wrap`
 * continues the diagonal below tall matrices every n + 1 rows, as numpy.
 */
export function fillDiagonal(a: ArrayLike, val: ArrayLike, opts: { wrap?: boolean; inplace?: false } = {}): Array {
  checkOptions("np.fillDiagonal", opts, { wrap: "boolean", inplace: "boolean" });
  // JAX's fill_diagonal needs inplace=False (arrays are immutable); true cannot be honoured.
  // (Typed `false`; an untyped caller may still pass true, hence the runtime check.)
  if (Object.is(opts.inplace, true))
    throw new ValueError(
      "np.fillDiagonal: inplace: true is impossible — arrays are immutable; the filled array is returned (inplace: false, as JAX requires)",
    );
  const x = asArray(a);
  if (x.ndim < 2) throw new ShapeError(`np.fillDiagonal: array must be at least 2-d; got shape ${fmtShape(x.shape)}`);
  if (x.ndim > 2 && x.shape.some((d) => d !== x.shape[0]))
    throw new ShapeError(
      `np.fillDiagonal: all dimensions of input must be of equal length; got shape ${fmtShape(x.shape)}`,
    );
  // numpy walks the flat array with step 1 + Σ cumprod(shape[:-1]).
  const strides = x.shape.map((_, i) => x.shape.slice(i + 1).reduce((p, d) => p * d, 1));
  const step = strides.reduce((p, s) => p + s, 0);
  let end = x.size;
  if (x.ndim === 2 && !opts.wrap) end = Math.min(x.size, x.shape[1] * x.shape[1]);
  const pos: number[] = [];
  for (let p = 0; p < end; p += step) pos.push(p);
  const n = pos.length;
  if (n === 0) return x;
  let v = asArray(val);
  v = lax.convertElementType(v, x.dtype, false);
  const flatV = lax.reshape(v, [v.size]);
  if (v.size === 0) return x;
  // Values repeat (numpy's flat assignment cycles through val).
  const vi = globalThis.Array.from({ length: n }, (_, i) => i % v.size);
  const vals =
    v.size === 1
      ? lax.broadcastInDim(lax.reshape(v, []), [n], [])
      : lax.gather(
          flatV,
          lax.reshape(lax.convertElementType(asArray(vi, "int32"), "int32"), [n, 1]),
          { offsetDims: [], collapsedSliceDims: [0], startIndexMap: [0] },
          [1],
          { mode: "promise_in_bounds" },
        );
  const flat = lax.reshape(x, [x.size]);
  const dn = { updateWindowDims: [], insertedWindowDims: [0], scatterDimsToOperandDims: [0] };
  const out = lax.scatter(flat, lax.reshape(asArray(pos, "int32"), [n, 1]), vals, dn, {
    mode: "promise_in_bounds",
    uniqueIndices: true,
  });
  return lax.reshape(out, x.shape);
}
