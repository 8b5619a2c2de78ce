/**
 * Public control flow over pytrees, JAX's `lax.scan` / `lax.map` / `lax.cond` / `lax.switch` /
 * `lax.whileLoop` / `lax.foriLoop`. Each traces the user's functions into jaxprs (closed-over
 * values become operands), checks the structures and types, and binds the higher-order primitive
 * — so the loops compose with jit, vmap, grad and each other.
 */
import { Array } from "../core/array.ts";
import type { ShapedArray } from "../core/aval.ts";
import { isInteger } from "../dtype.ts";
import { DTypeError, ShapeError, ValueError } from "../errors.ts";
import { fmtShape } from "../shape.ts";
import { type TreeDef, treeUnflatten } from "../tree/pytree.ts";
import { convertElementType } from "../primitives/convert.ts";
import { add } from "../primitives/elementwise.ts";
import { clamp, lt, ne } from "../primitives/elementwise-logic.ts";
import { scalar } from "../primitives/scalars-and-batch-dims.ts";
import { scanP } from "../primitives/control/scan.ts";
import { bindCond } from "../primitives/control/cond.ts";
import { whileP } from "../primitives/control/while.ts";
import { flattenToArrays, leafNames, readableOnHost, traceFn } from "../primitives/control/common.ts";

export interface ScanOptions {
  /** Number of iterations; required when `xs` has no leaves, else must match their leading axis. */
  length?: number;
  /** Iterate from the end of `xs` to the start (ys are still stored at their index). */
  reverse?: boolean;
  /** Unroll hint for compiling backends (the reference implementation ignores it). */
  unroll?: number | boolean;
}

/** Check that a loop body returns a carry with the structure and types of the init carry. */
function checkCarry(
  op: string,
  init: unknown,
  initTree: TreeDef,
  initAvals: readonly ShapedArray[],
  outTree: TreeDef,
  outAvals: readonly ShapedArray[],
): void {
  if (!outTree.equals(initTree)) {
    throw new ValueError(
      `${op}: the body function must return a carry with the same structure as the init carry; init has structure ${initTree} but the body returns ${outTree}`,
    );
  }
  const names = leafNames(init, "carry");
  initAvals.forEach((a, i) => {
    const o = outAvals[i];
    if (a.dtype !== o.dtype || a.shape.length !== o.shape.length || a.shape.some((d, k) => d !== o.shape[k])) {
      const what =
        a.dtype !== o.dtype ? `dtype ${a.dtype} → ${o.dtype}` : `shape ${fmtShape(a.shape)} → ${fmtShape(o.shape)}`;
      throw new ShapeError(
        `${op}: the body function changes the carry leaf '${names[i] ?? `carry leaf ${i}`}': the init carry has type ${a} but the body returns ${o} (${what}). ` +
          "The carry must keep its shape and dtype across iterations (broadcast or cast the init value to match).",
      );
    }
  });
}

/**
 * `lax.scan(f, init, xs, { length, reverse, unroll })`: loop `f(carry, x) → [carry, y]` over the
 * leading axis of `xs` (a pytree), returning `[finalCarry, stackedYs]`. Like JAX, `f` is traced
 * once; reverse-mode differentiation runs a forward scan then a reverse scan.
 *
 * Types: `[carry, ys]` has the body's carry type `C` and output type `Y`. Numbers in `init` are
 * arrays inside the loop, so give `init` as arrays (`np.array(0)`) to keep the types exact.
 */
export function scan<C, X, Y>(f: (carry: C, x: X) => [C, Y], init: C, xs?: X | null, opts: ScanOptions = {}): [C, Y] {
  const [initLeaves, initTree] = flattenToArrays(init, "scan init");
  const [xsLeaves, xsTree] = flattenToArrays(xs ?? null, "scan xs");
  const xNames = leafNames(xs ?? null, "xs");
  let length = opts.length;
  if (length !== undefined && (!Number.isInteger(length) || length < 0))
    throw new ValueError(`scan: length must be a non-negative integer; got ${length}`);
  xsLeaves.forEach((x, i) => {
    if (x.ndim === 0)
      throw new ShapeError(
        `scan: xs leaf '${xNames[i]}' is a scalar (shape []); every xs leaf needs a leading axis to scan over`,
      );
    if (length === undefined) length = x.shape[0];
    else if (x.shape[0] !== length) {
      throw new ShapeError(
        `scan: xs leaf '${xNames[i]}' has leading axis ${x.shape[0]} (shape ${fmtShape(x.shape)}) but ${opts.length !== undefined ? "the length option is" : "other xs leaves have"} ${length}; all xs must share the scanned length`,
      );
    }
  });
  if (length === undefined)
    throw new ValueError("scan: got no xs leaves and no length option; pass { length } to scan without xs");
  const nK = initLeaves.length;
  const xAvals = xsLeaves.map((x) => x.aval.withShape(x.shape.slice(1)));
  const traced = traceFn(
    (...v: Array[]) => {
      const out = f(treeUnflatten<C>(initTree, v.slice(0, nK)), treeUnflatten<X>(xsTree, v.slice(nK)));
      if (!globalThis.Array.isArray(out) || out.length !== 2)
        throw new ValueError("scan: the body function must return a pair [carry, y]");
      return out;
    },
    [...initLeaves.map((a) => a.aval), ...xAvals],
    "scan",
  );
  const [carryTree, yTree] = traced.outTree.children;
  if (traced.outTree.kind !== "array" || carryTree === undefined || yTree === undefined)
    throw new ValueError("scan: the body function must return a pair [carry, y]");
  const outAvals = traced.jaxpr.outAvals;
  checkCarry(
    "scan",
    init,
    initTree,
    initLeaves.map((a) => a.aval),
    carryTree,
    outAvals.slice(0, carryTree.numLeaves),
  );
  const unroll = opts.unroll === true ? length : opts.unroll === false || opts.unroll === undefined ? 1 : opts.unroll;
  const operands = [...traced.consts, ...initLeaves, ...xsLeaves];
  const outs = scanP.bind(operands, {
    jaxpr: traced.jaxpr,
    numConsts: traced.consts.length,
    numCarry: nK,
    length,
    reverse: opts.reverse ?? false,
    linear: operands.map(() => false),
    unroll,
  });
  return [treeUnflatten<C>(carryTree, outs.slice(0, nK)), treeUnflatten<Y>(yTree, outs.slice(nK))];
}

/** `lax.map(f, xs)`: apply `f` to each slice of `xs` along its leading axis (a scan without carry). */
export function map<X, Y>(f: (x: X) => Y, xs: X): Y {
  return scan((_c: null, x: X) => [null, f(x)] as [null, Y], null, xs)[1];
}

/** A scalar index/predicate operand as an array. */
function asScalarOperand(op: string, x: Array | number | boolean, what: string): Array {
  const a =
    x instanceof Array
      ? x
      : typeof x === "boolean"
        ? scalar(x ? 1 : 0, "bool")
        : scalar(x, Number.isInteger(x) ? "int32" : "float32");
  if (a.ndim !== 0)
    throw new ShapeError(
      `${op}: ${what} must be a scalar; got shape ${fmtShape(a.shape)} (use np.where / vmap for elementwise selection)`,
    );
  return a;
}

/**
 * `lax.cond(pred, trueFun, falseFun, ...operands)`: apply `trueFun` or `falseFun` to the operands
 * according to the scalar `pred` (bool, or an integer compared with 0). Both branches are traced
 * and must return the same structure and types. Under vmap with a batched `pred` both branches
 * run and the results are selected, as in JAX.
 *
 * Types: the branches take the operands' types (unannotated branch parameters get them) and
 * the result has the branches' output type. (As for `scan`'s carry, a number returned by a
 * branch comes back as an array: return arrays to keep the types exact.)
 */
export function cond<A extends unknown[], T>(
  pred: Array | boolean | number,
  trueFun: (...operands: A) => T,
  falseFun: (...operands: A) => T,
  ...operands: A
): T {
  const p = asScalarOperand("cond", pred, "the predicate");
  let idx: Array;
  if (p.dtype === "bool") idx = convertElementType(p, "int32");
  else if (isInteger(p.dtype)) idx = convertElementType(ne(p, scalar(0, p.dtype)), "int32");
  else
    throw new DTypeError(
      `cond: the predicate must be a boolean or integer scalar; got ${p.dtype} (compare it explicitly, e.g. x.gt(0))`,
    );
  return bindCond("cond", idx, [falseFun, trueFun], operands, ["false branch", "true branch"]) as T;
}

/**
 * `lax.switch(index, branches, ...operands)`: apply `branches[index]` to the operands; the index
 * is clamped into `[0, branches.length - 1]` as in JAX.
 */
export function switch_<A extends unknown[], T>(
  index: Array | number,
  branches: readonly ((...operands: A) => T)[],
  ...operands: A
): T {
  if (branches.length === 0) throw new ValueError("switch: needs at least one branch");
  const i = asScalarOperand("switch", index, "the index");
  if (!isInteger(i.dtype)) throw new DTypeError(`switch: the index must be an integer scalar; got ${i.dtype}`);
  if (branches.length === 1) return branches[0](...operands);
  const i32 = convertElementType(i, "int32");
  const clamped = clamp(scalar(0, "int32"), i32, scalar(branches.length - 1, "int32"));
  return bindCond(
    "switch",
    clamped,
    branches,
    operands,
    branches.map((_, k) => `branch ${k}`),
  ) as T;
}
export { switch_ as switch };

/**
 * `lax.whileLoop(condFun, bodyFun, init)`: `while (condFun(c)) c = bodyFun(c)`. Forward-mode
 * differentiable and batchable (a batched predicate runs until every element is done, selecting
 * per element); reverse mode raises JAX's error — use scan or a foriLoop with static bounds.
 */
export function whileLoop<C>(condFun: (carry: C) => Array | boolean, bodyFun: (carry: C) => C, init: C): C {
  const [initLeaves, initTree] = flattenToArrays(init, "whileLoop init");
  const avals = initLeaves.map((a) => a.aval);
  const condT = traceFn((...v: Array[]) => condFun(treeUnflatten<C>(initTree, v)), avals, "whileLoop cond");
  const predAvals = condT.jaxpr.outAvals;
  if (predAvals.length !== 1 || predAvals[0].dtype !== "bool" || predAvals[0].ndim !== 0) {
    throw new DTypeError(
      `whileLoop: condFun must return a boolean scalar; got ${predAvals.length === 1 ? predAvals[0].toString() : `${predAvals.length} outputs`}`,
    );
  }
  const bodyT = traceFn((...v: Array[]) => bodyFun(treeUnflatten<C>(initTree, v)), avals, "whileLoop body");
  checkCarry("whileLoop", init, initTree, avals, bodyT.outTree, bodyT.jaxpr.outAvals);
  const outs = whileP.bind([...condT.consts, ...bodyT.consts, ...initLeaves], {
    condJaxpr: condT.jaxpr,
    bodyJaxpr: bodyT.jaxpr,
    condNConsts: condT.consts.length,
    bodyNConsts: bodyT.consts.length,
  });
  return treeUnflatten<C>(initTree, outs);
}

/** A concrete integer bound (JS number or concrete scalar array), or undefined for traced ones. */
function staticBound(x: Array | number): number | undefined {
  if (typeof x === "number") return x;
  // A bound on a device without synchronous reads (WebGPU) counts as dynamic: a while loop.
  if (x.isTracer || x.ndim !== 0 || !readableOnHost(x)) return undefined;
  // bool / complex bounds are not integers: treated as dynamic (whileLoop's own checks report them).
  return x.dtype === "bool" || x.dtype === "complex64" ? undefined : x.item();
}

/**
 * `lax.foriLoop(lower, upper, body, init)`: `for (i = lower; i < upper; i++) c = body(i, c)` with
 * `i` an int32 scalar. With concrete bounds it lowers to `scan` (so it is reverse-differentiable,
 * as in JAX); with traced bounds to `whileLoop`.
 */
export function foriLoop<C>(lower: Array | number, upper: Array | number, body: (i: Array, carry: C) => C, init: C): C {
  const lo = staticBound(lower);
  const hi = staticBound(upper);
  const one = scalar(1, "int32");
  if (lo !== undefined && hi !== undefined) {
    if (!Number.isInteger(lo) || !Number.isInteger(hi))
      throw new ValueError(`foriLoop: bounds must be integers; got ${lo} and ${hi}`);
    const [[, out]] = scan(
      ([i, c]: [Array, C]) => [[add(i, one), body(i, c)], null] as [[Array, C], null],
      [scalar(lo, "int32"), init] as [Array, C],
      null,
      {
        length: Math.max(0, hi - lo),
      },
    );
    return out;
  }
  const toI32 = (b: Array | number) => (typeof b === "number" ? scalar(b, "int32") : convertElementType(b, "int32"));
  const [, , out] = whileLoop(
    ([i, u]: [Array, Array, C]) => lt(i, u),
    ([i, u, c]: [Array, Array, C]) => [add(i, one), u, body(i, c)] as [Array, Array, C],
    [toI32(lower), toI32(upper), init] as [Array, Array, C],
  );
  return out;
}
