/**
 * numpy's finite differences and integrals: diff (n-th differences with prepend/append),
 * gradient (second-order central differences, first- or second-order edges, uniform spacing or
 * coordinates) and trapezoid. All are slices and arithmetic, so they differentiate, batch and jit.
 */
import { Array, type ArrayLike } from "../core/array.ts";
import { ShapedArray } from "../core/aval.ts";
import * as lax from "../primitives/index.ts";
import { isInexact } from "../dtype.ts";
import { ShapeError, ValueError } from "../errors.ts";
import { fmtShape, normAxes, normAxis } from "../shape.ts";
import { asArray } from "./convert.ts";
import { broadcastTo, prepareBinary, promoteArgs } from "./promote.ts";
import { add, multiply } from "./math.ts";
import { sum } from "./reductions.ts";
import { axisOptions, checkOptions, checkValue, isOptionsObject, type OptionSpec } from "./args.ts";

// numpy: diff(a, n=1, axis=-1, prepend, append) and trapezoid(y, x=None, dx=1.0, axis=-1) take
// all their arguments positionally; an options object may stand in for the first one not given.
const DIFF_SPEC: OptionSpec = { axis: "axis", prepend: "arraylike", append: "arraylike" };
const TRAPEZOID_SPEC: OptionSpec = { x: "arraylike", dx: "number", axis: "axis" };

const sl = (a: Array, start: number, stop: number, axis: number): Array => lax.sliceInDim(a, start, stop, 1, axis);

export interface DiffOptions {
  /** Axis along which to difference (default -1). */
  axis?: number;
  /** Values to put before `a` along the axis (a scalar broadcasts to one slice). */
  prepend?: ArrayLike;
  /** Values to put after `a` along the axis. */
  append?: ArrayLike;
}

/** `v` as a block to concatenate to `a` along `axis` (scalars become one slice, numpy's rule). */
function edgeBlock(op: string, a: Array, v: ArrayLike, axis: number, arg: string): Array {
  let b = asArray(v);
  if (b.ndim === 0)
    b = broadcastTo(
      b,
      a.shape.map((d, i) => (i === axis ? 1 : d)),
    );
  if (b.ndim !== a.ndim || b.shape.some((d, i) => i !== axis && d !== a.shape[i]))
    throw new ShapeError(
      `np.${op}: ${arg} of shape ${fmtShape(b.shape)} does not match a of shape ${fmtShape(a.shape)} except along axis ${axis}`,
    );
  return b;
}

/**
 * The n-th discrete difference along `axis` (numpy's `diff`): out[i] = a[i+1] − a[i], applied n
 * times (bool arrays use not-equal). `prepend`/`append` extend `a` first. numpy's order
 * `diff(a, n, axis, { prepend, append })`; an options object may replace `n` or `axis`.
 */
export function diff(
  a: ArrayLike,
  order?: number | (DiffOptions & { n?: number }),
  axisArg?: number | DiffOptions,
  options?: Omit<DiffOptions, "axis">,
): Array {
  let opts: DiffOptions;
  let nArg: unknown = order;
  if (isOptionsObject(order)) {
    if (axisArg !== undefined || options !== undefined)
      throw new ValueError("np.diff: no arguments may follow the options object");
    checkOptions("np.diff", order, { ...DIFF_SPEC, n: "integer" });
    const { n: n1, ...rest } = order;
    nArg = n1;
    opts = rest;
  } else {
    opts = axisOptions<DiffOptions>("np.diff", axisArg, options, DIFF_SPEC);
  }
  nArg ??= 1;
  checkValue("np.diff", "n", nArg, "integer");
  const n = nArg as number;
  let x = asArray(a);
  if (!Number.isInteger(n) || n < 0) throw new ValueError(`np.diff: order must be non-negative but got ${n}`);
  if (n === 0) return x;
  if (x.ndim === 0) throw new ShapeError("np.diff: diff requires input that is at least one dimensional");
  const axis = normAxis("np.diff", opts.axis ?? -1, x.ndim);
  const parts: Array[] = [];
  if (opts.prepend !== undefined) parts.push(edgeBlock("diff", x, opts.prepend, axis, "prepend"));
  parts.push(x);
  if (opts.append !== undefined) parts.push(edgeBlock("diff", x, opts.append, axis, "append"));
  if (parts.length > 1)
    x = lax.concatenate(
      promoteArgs(...parts).map((p) => (p.aval.weakType ? lax.convertElementType(p, p.dtype, false) : p)),
      axis,
    );
  for (let i = 0; i < n; i++) {
    const len = x.shape[axis];
    if (len === 0) break;
    const hi = sl(x, 1, len, axis);
    const lo = sl(x, 0, len - 1, axis);
    x = x.dtype === "bool" ? lax.ne(hi, lo) : lax.sub(hi, lo);
  }
  return x;
}

export interface GradientOptions {
  /** Axis or axes to differentiate along (default all). */
  axis?: number | readonly number[] | null;
  /** Accuracy of the one-sided differences at the boundaries: 1 (default) or 2. */
  edgeOrder?: 1 | 2;
}

function isGradientOptions(v: unknown): v is GradientOptions {
  return (
    typeof v === "object" &&
    v !== null &&
    !(v instanceof Array) &&
    !globalThis.Array.isArray(v) &&
    !ArrayBuffer.isView(v)
  );
}

/** Broadcast a per-position 1-d array along `axis` of an array of rank nd. */
const along = (v: Array, shape: readonly number[], axis: number): Array => lax.broadcastInDim(v, shape, [axis]);

/** numpy's gradient along one axis, with spacing `h` (a number) or coordinates `x` (1-d). */
function gradientAlong(f: Array, axis: number, spacing: number | Array, edgeOrder: 1 | 2): Array {
  const n = f.shape[axis];
  if (n < edgeOrder + 1)
    throw new ValueError(
      `np.gradient: shape of array too small to calculate a numerical gradient, at least (edgeOrder + 1) = ${edgeOrder + 1} elements are required along axis ${axis} (shape ${fmtShape(f.shape)})`,
    );
  const at = (i: number, j = i + 1): Array => sl(f, i < 0 ? n + i : i, j <= 0 ? n + j : j, axis);
  let interior: Array;
  let first: Array;
  let last: Array;
  if (typeof spacing === "number") {
    const h = spacing;
    const mid = f.shape.map((d, i) => (i === axis ? n - 2 : d));
    interior =
      n > 2
        ? lax.div(lax.sub(sl(f, 2, n, axis), sl(f, 0, n - 2, axis)), lax.fullLike(new ShapedArray(mid, f.dtype), 2 * h))
        : sl(f, 0, 0, axis);
    const c = (v: number, like: Array): Array => lax.fullLike(like, v);
    if (edgeOrder === 1) {
      first = lax.div(lax.sub(at(1), at(0)), c(h, at(0)));
      last = lax.div(lax.sub(at(-1, 0), at(-2, -1)), c(h, at(0)));
    } else {
      first = lax.div(
        lax.add(lax.add(lax.mul(c(-1.5, at(0)), at(0)), lax.mul(c(2, at(0)), at(1))), lax.mul(c(-0.5, at(0)), at(2))),
        c(h, at(0)),
      );
      last = lax.div(
        lax.add(
          lax.add(lax.mul(c(0.5, at(0)), at(-3, -2)), lax.mul(c(-2, at(0)), at(-2, -1))),
          lax.mul(c(1.5, at(0)), at(-1, 0)),
        ),
        c(h, at(0)),
      );
    }
  } else {
    const dx = lax.sub(lax.sliceInDim(spacing, 1, n, 1, 0), lax.sliceInDim(spacing, 0, n - 1, 1, 0));
    const d = (i: number): Array => lax.sliceInDim(dx, i < 0 ? n - 1 + i : i, i < 0 ? n + i : i + 1, 1, 0);
    const bshape = (len: number): number[] => f.shape.map((e, i) => (i === axis ? len : e));
    if (n > 2) {
      const dx1 = along(lax.sliceInDim(dx, 0, n - 2, 1, 0), bshape(n - 2), axis);
      const dx2 = along(lax.sliceInDim(dx, 1, n - 1, 1, 0), bshape(n - 2), axis);
      const sumd = lax.add(dx1, dx2);
      const A = lax.neg(lax.div(dx2, lax.mul(dx1, sumd)));
      const B = lax.div(lax.sub(dx2, dx1), lax.mul(dx1, dx2));
      const C = lax.div(dx1, lax.mul(dx2, sumd));
      interior = lax.add(
        lax.add(lax.mul(A, sl(f, 0, n - 2, axis)), lax.mul(B, sl(f, 1, n - 1, axis))),
        lax.mul(C, sl(f, 2, n, axis)),
      );
    } else interior = sl(f, 0, 0, axis);
    const e = (v: Array): Array => along(v, bshape(1), axis);
    if (edgeOrder === 1) {
      first = lax.div(lax.sub(at(1), at(0)), e(d(0)));
      last = lax.div(lax.sub(at(-1, 0), at(-2, -1)), e(d(-1)));
    } else {
      let [dx1, dx2] = [e(d(0)), e(d(1))];
      let sumd = lax.add(dx1, dx2);
      let A = lax.neg(lax.div(lax.add(lax.add(dx1, dx1), dx2), lax.mul(dx1, sumd)));
      let B = lax.div(sumd, lax.mul(dx1, dx2));
      let C = lax.neg(lax.div(dx1, lax.mul(dx2, sumd)));
      first = lax.add(lax.add(lax.mul(A, at(0)), lax.mul(B, at(1))), lax.mul(C, at(2)));
      [dx1, dx2] = [e(d(-2)), e(d(-1))];
      sumd = lax.add(dx1, dx2);
      A = lax.div(dx2, lax.mul(dx1, sumd));
      B = lax.neg(lax.div(sumd, lax.mul(dx1, dx2)));
      C = lax.div(lax.add(lax.add(dx2, dx2), dx1), lax.mul(dx2, sumd));
      last = lax.add(lax.add(lax.mul(A, at(-3, -2)), lax.mul(B, at(-2, -1))), lax.mul(C, at(-1, 0)));
    }
  }
  return lax.concatenate([first, interior, last], axis);
}

/**
 * The gradient of sampled values `f` (numpy's `gradient`): second-order central differences
 * inside, first- (or with `edgeOrder: 2` second-) order one-sided differences at the ends.
 * Spacings follow `f`: none (unit spacing), one number for every axis, or one per axis — a
 * number or a 1-d array of coordinates. One array per axis (a single array when one axis is
 * differentiated). Trailing options: `{ axis, edgeOrder }`.
 */
export function gradient(f: ArrayLike, ...args: (ArrayLike | GradientOptions)[]): Array | Array[] {
  const last = args[args.length - 1];
  const opts: GradientOptions = args.length > 0 && isGradientOptions(last) ? last : {};
  // numpy's keywords (axis, edge_order); the spacings are the positional varargs.
  checkOptions("np.gradient", opts, { axis: "axes", edgeOrder: "integer" });
  const spacings = (args.length > 0 && isGradientOptions(last) ? args.slice(0, -1) : args) as ArrayLike[];
  let a = asArray(f);
  if (!isInexact(a.dtype)) a = lax.convertElementType(a, "float32");
  const axes = normAxes("np.gradient", opts.axis ?? undefined, a.ndim);
  const edgeOrder = opts.edgeOrder ?? 1;
  if (edgeOrder !== 1 && edgeOrder !== 2)
    throw new ValueError(`np.gradient: edgeOrder must be 1 or 2; got ${String(edgeOrder)}`);
  let per: (number | Array)[];
  if (spacings.length === 0) per = axes.map(() => 1);
  else if (spacings.length === 1 && (typeof spacings[0] === "number" || asArray(spacings[0]).ndim === 0)) {
    const s0 = spacings[0];
    per = axes.map(() => (typeof s0 === "number" ? s0 : lax.convertElementType(asArray(s0), a.dtype)));
  } else if (spacings.length === axes.length)
    per = spacings.map((s) => (typeof s === "number" ? s : lax.convertElementType(asArray(s), a.dtype)));
  else
    throw new ValueError(
      `np.gradient: invalid number of spacing arguments (${spacings.length}) for ${axes.length} axes`,
    );
  const outs = axes.map((ax, i) => {
    const sp = per[i];
    if (sp instanceof Array) {
      if (sp.ndim === 0) {
        // A traced scalar spacing: uniform differences divided by it.
        const g = gradientAlong(a, ax, 1, edgeOrder);
        return lax.div(g, lax.broadcastInDim(sp, g.shape, []));
      }
      if (sp.ndim !== 1 || sp.shape[0] !== a.shape[ax])
        throw new ShapeError(
          `np.gradient: coordinates for axis ${ax} must be 1-d of length ${a.shape[ax]}; got shape ${fmtShape(sp.shape)}`,
        );
    }
    return gradientAlong(a, ax, sp, edgeOrder);
  });
  return outs.length === 1 ? outs[0] : outs;
}

export interface TrapezoidOptions {
  /** Sample points (1-d along `axis`, or the shape of `y`); default spacing `dx`. */
  x?: ArrayLike;
  /** Uniform spacing when `x` is not given (default 1). */
  dx?: number;
  /** Axis to integrate along (default -1). */
  axis?: number;
}

/**
 * The integral of `y` along `axis` by the trapezoidal rule (numpy's `trapezoid(y, x, dx, axis)`;
 * null skips a positional argument, and an options object may replace the first one not given).
 */
export function trapezoid(
  y: ArrayLike,
  xArg?: ArrayLike | null | TrapezoidOptions,
  dxArg?: number | null | Omit<TrapezoidOptions, "x">,
  axisArg?: number | Omit<TrapezoidOptions, "x" | "dx">,
): Array {
  const opts = trapezoidArgs(xArg, dxArg, axisArg);
  let a = asArray(y);
  if (!isInexact(a.dtype)) a = lax.convertElementType(a, "float32");
  if (a.ndim === 0) throw new ShapeError("np.trapezoid: y must be at least 1-d");
  const axis = normAxis("np.trapezoid", opts.axis ?? -1, a.ndim);
  const n = a.shape[axis];
  const mid = multiply(add(sl(a, 1, n, axis), sl(a, 0, Math.max(0, n - 1), axis)), 0.5);
  if (opts.x === undefined) return multiply(sum(mid, { axis }), opts.dx ?? 1);
  const x = asArray(opts.x);
  let d: Array;
  if (x.ndim === 1) {
    if (x.shape[0] !== n)
      throw new ShapeError(`np.trapezoid: x of length ${x.shape[0]} does not match y's axis ${axis} of length ${n}`);
    d = along(diff(x), mid.shape, axis);
  } else d = diff(x, 1, { axis });
  const [p, q] = prepareBinary("trapezoid", d, mid);
  return sum(lax.mul(p, q), { axis });
}

/** Read trapezoid's `(x, dx, axis)` positionally, an options object ending the positional ones. */
function trapezoidArgs(x: unknown, dx: unknown, axis: unknown): TrapezoidOptions {
  const op = "np.trapezoid";
  const names = ["x", "dx", "axis"] as const;
  const pos = [x, dx, axis];
  const objAt = pos.findIndex(isOptionsObject);
  const opts: Record<string, unknown> = {};
  const end = objAt >= 0 ? objAt : pos.length;
  for (let i = 0; i < end; i++) {
    const v = pos[i];
    // numpy's defaults are None / 1.0 / -1; null (None) means "not given" here.
    if (v === undefined || v === null) continue;
    checkValue(op, names[i], v, TRAPEZOID_SPEC[names[i]]);
    opts[names[i]] = v;
  }
  if (objAt >= 0) {
    if (pos.slice(objAt + 1).some((v) => v !== undefined))
      throw new ValueError(`${op}: no arguments may follow the options object`);
    const spec = Object.fromEntries(
      Object.entries(TRAPEZOID_SPEC).filter(([k]) => !names.slice(0, objAt).includes(k as (typeof names)[number])),
    );
    checkOptions(op, pos[objAt], spec);
    for (const [k, v] of Object.entries(pos[objAt] as Record<string, unknown>)) if (v !== undefined) opts[k] = v;
  }
  return opts as TrapezoidOptions;
}
