/**
 * Slicing-family shape primitives: slice, pad, concatenate, rev, iota, and the squeeze /
 * expandDims wrappers over reshape. All but iota are linear in their array operands, so each has
 * a transpose rule; iota has no inputs, so it never meets a JVP or batching rule.
 */
import type { Array } from "../core/array.ts";
import { ShapedArray } from "../core/aval.ts";
import { definePrimitive, isUndefined, type Primitive, type UndefinedPrimal } from "../core/primitive.ts";
import { DTypeError, IndexError, ShapeError } from "../errors.ts";
import { isDType, type DType } from "../dtype.ts";
import { fmtShape } from "../shape.ts";
import { bdimToFront } from "./batching.ts";
import { scalar } from "./scalars-and-batch-dims.ts";
import { sub } from "./elementwise.ts";
import { reduceSum } from "./reduce.ts";
import { broadcastInDim, reshape } from "./shape-ops.ts";
import { select } from "./elementwise-logic.ts";
import { J, checkIntList, range } from "./axis-lists.ts";

const allAxes = (x: Array): number[] => range(x.ndim);

// ------------------------------------------------------------------ slice

export interface SliceParams {
  readonly startIndices: readonly number[];
  readonly limitIndices: readonly number[];
  /** Per-axis step (null: all 1). */
  readonly strides: readonly number[] | null;
}

export const sliceP: Primitive<SliceParams> = definePrimitive<SliceParams>("slice", {
  abstractEval([x], { startIndices: st, limitIndices: lim, strides }) {
    checkIntList("slice", "startIndices", st, x.ndim, x.shape);
    checkIntList("slice", "limitIndices", lim, x.ndim, x.shape);
    if (strides !== null) {
      checkIntList("slice", "strides", strides, x.ndim, x.shape);
      const bad = strides.findIndex((s) => s < 1);
      if (bad >= 0) throw new ShapeError(`slice: strides must be positive; got ${J(strides)} (axis ${bad})`);
    }
    const out = x.shape.map((n, i) => {
      if (st[i] < 0 || st[i] > lim[i] || lim[i] > n) {
        throw new IndexError(
          `slice: axis ${i} of the operand of shape ${fmtShape(x.shape)} needs 0 <= start <= limit <= ${n}; got startIndices ${J(st)}, limitIndices ${J(lim)}`,
        );
      }
      const s = strides === null ? 1 : strides[i];
      return Math.ceil((lim[i] - st[i]) / s);
    });
    return [new ShapedArray(out, x.dtype, x.weakType)];
  },
  jvp([x], [dx], p) {
    return [[sliceP.bind1([x], p)], [sliceP.bind1([dx], p)]];
  },
  transpose([ct], [x], { startIndices: st, strides }) {
    // Slice's adjoint puts the cotangent back with zeros around it (and between taken elements).
    const shape = (x as UndefinedPrimal).aval.shape;
    const c = ct as Array;
    const cfg = shape.map((n, i): [number, number, number] => {
      const s = strides === null ? 1 : strides[i];
      const used = c.shape[i] === 0 ? 0 : 1 + (c.shape[i] - 1) * s;
      return [st[i], n - st[i] - used, s - 1];
    });
    return [pad(c, scalar(0, c.dtype), cfg)];
  },
  batch([x], [d], { startIndices, limitIndices, strides }) {
    const b = d as number;
    const ins = <T>(v: readonly T[], val: T): T[] => [...v.slice(0, b), val, ...v.slice(b)];
    const p: SliceParams = {
      startIndices: ins(startIndices, 0),
      limitIndices: ins(limitIndices, x.shape[b]),
      strides: strides === null ? null : ins(strides, 1),
    };
    return [[sliceP.bind1([x], p)], [b]];
  },
});

/** lax.slice: `x[start:limit:stride]` per axis (static bounds, positive strides). */
export function slice(
  x: Array,
  startIndices: readonly number[],
  limitIndices: readonly number[],
  strides?: readonly number[] | null,
): Array {
  const st = strides === undefined || strides === null || strides.every((s) => s === 1) ? null : [...strides];
  if (
    st === null &&
    startIndices.length === x.ndim &&
    startIndices.every((s) => s === 0) &&
    limitIndices.length === x.ndim &&
    limitIndices.every((l, i) => l === x.shape[i])
  )
    return x;
  return sliceP.bind1([x], { startIndices: [...startIndices], limitIndices: [...limitIndices], strides: st });
}

/** lax.sliceInDim: slice one axis, keeping the others whole. */
export function sliceInDim(x: Array, start: number, limit: number, stride = 1, axis = 0): Array {
  const st = x.shape.map(() => 0);
  const lim = [...x.shape];
  const strides = x.shape.map(() => 1);
  st[axis] = start;
  lim[axis] = limit;
  strides[axis] = stride;
  return slice(x, st, lim, strides);
}

// ------------------------------------------------------------------ pad

export type PadConfig = readonly (readonly [number, number, number])[];
export interface PadParams {
  /** Per axis `[lo, hi, interior]`; lo/hi may be negative (cropping), interior >= 0. */
  readonly paddingConfig: PadConfig;
}

/** Output size of one padded axis. */
const paddedSize = (n: number, [lo, hi, interior]: readonly [number, number, number]): number =>
  lo + hi + n + Math.max(0, n - 1) * interior;

export const padP: Primitive<PadParams> = definePrimitive<PadParams>("pad", {
  abstractEval([x, pv], { paddingConfig: cfg }) {
    if (pv === undefined || pv.ndim !== 0)
      throw new ShapeError(
        `pad: paddingValue must be a scalar; got shape ${pv === undefined ? "(missing)" : fmtShape(pv.shape)}`,
      );
    if (pv.dtype !== x.dtype)
      throw new DTypeError(
        `pad: paddingValue has dtype ${pv.dtype} but the operand has dtype ${x.dtype}; they must match`,
      );
    if (
      !globalThis.Array.isArray(cfg) ||
      cfg.length !== x.ndim ||
      cfg.some((c) => !globalThis.Array.isArray(c) || c.length !== 3 || c.some((v) => !Number.isInteger(v)))
    ) {
      throw new ShapeError(
        `pad: paddingConfig must have one [lo, hi, interior] integer triple per axis of the operand of shape ${fmtShape(x.shape)}; got ${J(cfg)}`,
      );
    }
    const out = x.shape.map((n, i) => {
      if (cfg[i][2] < 0) throw new ShapeError(`pad: interior padding must be >= 0; got ${J(cfg[i])} for axis ${i}`);
      const m = paddedSize(n, cfg[i]);
      if (m < 0)
        throw new ShapeError(
          `pad: paddingConfig ${J(cfg[i])} crops axis ${i} of the operand of shape ${fmtShape(x.shape)} to a negative size ${m}`,
        );
      return m;
    });
    return [new ShapedArray(out, x.dtype, x.weakType)];
  },
  jvp([x, pv], [dx, dpv], p) {
    return [[padP.bind1([x, pv], p)], [padP.bind1([dx, dpv], p)]];
  },
  transpose([ct], [x, pv], { paddingConfig: cfg }) {
    // As JAX: undo lo/hi by padding with their negation, then take every (interior+1)-th element.
    const c = ct as Array;
    const unpadded = pad(
      c,
      scalar(0, c.dtype),
      cfg.map(([lo, hi]) => [-lo, -hi, 0]),
    );
    const tOp = slice(
      unpadded,
      unpadded.shape.map(() => 0),
      unpadded.shape,
      cfg.map(([, , it]) => it + 1),
    );
    // Every output element that did not come from the operand came from the padding value.
    const tPv = isUndefined(pv) ? sub(reduceSum(c, allAxes(c)), reduceSum(tOp, allAxes(tOp))) : null;
    return [isUndefined(x) ? tOp : null, tPv];
  },
  batch([x, pv], [dx, dpv], { paddingConfig: cfg }, axis) {
    if (dpv === null) {
      const b = dx as number;
      const c = [...cfg.slice(0, b), [0, 0, 0] as const, ...cfg.slice(b)];
      return [[padP.bind1([x, pv], { paddingConfig: c })], [b]];
    }
    // A batched padding value: pad with zero, then select the per-example padding value at the
    // positions a static mask marks as padding (exact for any value, including ±inf and NaN).
    const xf = bdimToFront(x, dx, axis.size);
    const c = [[0, 0, 0] as const, ...cfg];
    const padded = padP.bind1([xf, scalar(0, x.dtype)], { paddingConfig: c });
    const pvFull = broadcastInDim(bdimToFront(pv, dpv, axis.size), padded.shape, [0]);
    const inner = xf.shape.slice(1);
    const inside = broadcastInDim(scalar(1, "bool"), inner, []);
    const mask = padP.bind1([inside, scalar(0, "bool")], { paddingConfig: cfg });
    const maskB = broadcastInDim(mask, padded.shape, range(inner.length, 1));
    return [[select(maskB, padded, pvFull)], [0]];
  },
});

/** lax.pad: `config[i] = [lo, hi, interior]` (negative lo/hi crop). */
export function pad(x: Array, paddingValue: Array, config: PadConfig): Array {
  const trivial = config.length === x.ndim && config.every(([lo, hi, it]) => lo === 0 && hi === 0 && it === 0);
  if (trivial && paddingValue.ndim === 0 && paddingValue.dtype === x.dtype) return x;
  return padP.bind1([x, paddingValue], { paddingConfig: config.map(([lo, hi, it]) => [lo, hi, it] as const) });
}

// ------------------------------------------------------------------ concatenate

export interface ConcatenateParams {
  readonly dimension: number;
}

export const concatenateP: Primitive<ConcatenateParams> = definePrimitive<ConcatenateParams>("concatenate", {
  abstractEval(avals, { dimension: dim }) {
    if (avals.length === 0) throw new ShapeError("concatenate: needs at least one operand");
    const a0 = avals[0];
    if (!Number.isInteger(dim) || dim < 0 || dim >= a0.ndim)
      throw new ShapeError(
        `concatenate: dimension ${dim} is out of range for operands of rank ${a0.ndim} (shape ${fmtShape(a0.shape)})`,
      );
    let total = 0;
    avals.forEach((a, k) => {
      if (a.dtype !== a0.dtype)
        throw new DTypeError(
          `concatenate: operands must have equal dtypes; operand 0 is ${a0.dtype}, operand ${k} is ${a.dtype}`,
        );
      if (a.ndim !== a0.ndim || a.shape.some((d, i) => i !== dim && d !== a0.shape[i])) {
        throw new ShapeError(
          `concatenate: operand shapes must agree except along dimension ${dim}; got ${avals.map((v) => fmtShape(v.shape)).join(", ")} (operand ${k} differs)`,
        );
      }
      total += a.shape[dim];
    });
    const shape = [...a0.shape];
    shape[dim] = total;
    return [
      new ShapedArray(
        shape,
        a0.dtype,
        avals.every((a) => a.weakType),
      ),
    ];
  },
  jvp(xs, dxs, p) {
    return [[concatenateP.bind1(xs, p)], [concatenateP.bind1(dxs, p)]];
  },
  transpose([ct], args, { dimension: dim }) {
    const c = ct as Array;
    let off = 0;
    return args.map((a) => {
      const n = (a as { aval: ShapedArray }).aval.shape[dim];
      const piece = isUndefined(a) ? sliceInDim(c, off, off + n, 1, dim) : null;
      off += n;
      return piece;
    });
  },
  batch(args, dims, { dimension }, axis) {
    const moved = args.map((a, i) => bdimToFront(a, dims[i], axis.size));
    return [[concatenateP.bind1(moved, { dimension: dimension + 1 })], [0]];
  },
});

/** lax.concatenate along `dimension` (equal dtypes; shapes agree elsewhere). */
export function concatenate(xs: readonly Array[], dimension: number): Array {
  if (xs.length === 1) return xs[0];
  return concatenateP.bind1(xs, { dimension });
}

// ------------------------------------------------------------------ rev

export interface RevParams {
  readonly dimensions: readonly number[];
}

export const revP: Primitive<RevParams> = definePrimitive<RevParams>("rev", {
  abstractEval([x], { dimensions: dims }) {
    if (
      !globalThis.Array.isArray(dims) ||
      dims.some((d) => !Number.isInteger(d) || d < 0 || d >= x.ndim) ||
      new Set(dims).size !== dims.length
    ) {
      throw new ShapeError(
        `rev: dimensions ${J(dims)} must be distinct axes of the operand of shape ${fmtShape(x.shape)}`,
      );
    }
    return [x];
  },
  jvp([x], [dx], p) {
    return [[revP.bind1([x], p)], [revP.bind1([dx], p)]];
  },
  transpose([ct], _x, p) {
    return [revP.bind1([ct as Array], p)];
  },
  batch([x], [d], { dimensions }) {
    const b = d as number;
    return [[revP.bind1([x], { dimensions: dimensions.map((a) => (a >= b ? a + 1 : a)) })], [b]];
  },
});

/** lax.rev: reverse the order of elements along `dimensions`. */
export function rev(x: Array, dimensions: readonly number[]): Array {
  if (dimensions.length === 0) return x;
  return revP.bind1([x], { dimensions: [...dimensions] });
}

// ------------------------------------------------------------------ iota

export interface IotaParams {
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly dimension: number;
}

export const iotaP: Primitive<IotaParams> = definePrimitive<IotaParams>("iota", {
  abstractEval(avals, { dtype, shape, dimension }) {
    if (avals.length !== 0) throw new ShapeError(`iota: takes no operands; got ${avals.length}`);
    if (!isDType(dtype) || dtype === "bool")
      throw new DTypeError(`iota: dtype must be one of float32, int32, uint32, complex64; got ${String(dtype)}`);
    if (!globalThis.Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0))
      throw new ShapeError(`iota: invalid shape ${J(shape)}`);
    if (!Number.isInteger(dimension) || dimension < 0 || dimension >= shape.length)
      throw new ShapeError(`iota: dimension ${dimension} is out of range for shape ${fmtShape(shape)}`);
    return [new ShapedArray(shape, dtype)];
  },
});

/** lax.iota / broadcastedIota: `out[..., i_dimension, ...] = i_dimension`. */
export function iota(dtype: DType, shape: number | readonly number[], dimension = 0): Array {
  const s = typeof shape === "number" ? [shape] : [...shape];
  return iotaP.bind1([], { dtype, shape: s, dimension });
}

// ------------------------------------------------------------------ squeeze / expandDims

/** lax.squeeze: drop size-1 axes `dimensions` (negative allowed); a reshape. */
export function squeeze(x: Array, dimensions: readonly number[]): Array {
  const dims = dimensions.map((d) => {
    if (!Number.isInteger(d) || d < -x.ndim || d >= x.ndim)
      throw new ShapeError(`squeeze: dimension ${d} is out of range for an operand of shape ${fmtShape(x.shape)}`);
    return d < 0 ? d + x.ndim : d;
  });
  if (new Set(dims).size !== dims.length) throw new ShapeError(`squeeze: repeated dimension in ${J(dimensions)}`);
  for (const d of dims) {
    if (x.shape[d] !== 1)
      throw new ShapeError(
        `squeeze: cannot squeeze axis ${d} of size ${x.shape[d]} (operand shape ${fmtShape(x.shape)}); only size-1 axes can be squeezed`,
      );
  }
  return reshape(
    x,
    x.shape.filter((_, i) => !dims.includes(i)),
  );
}

/** lax.expandDims: insert size-1 axes at output positions `dimensions` (negative allowed); a reshape. */
export function expandDims(x: Array, dimensions: readonly number[]): Array {
  const nd = x.ndim + dimensions.length;
  const dims = dimensions.map((d) => {
    if (!Number.isInteger(d) || d < -nd || d >= nd)
      throw new ShapeError(
        `expandDims: dimension ${d} is out of range for a result of rank ${nd} (operand shape ${fmtShape(x.shape)})`,
      );
    return d < 0 ? d + nd : d;
  });
  if (new Set(dims).size !== dims.length) throw new ShapeError(`expandDims: repeated dimension in ${J(dimensions)}`);
  const shape: number[] = [];
  let k = 0;
  for (let i = 0; i < nd; i++) shape.push(dims.includes(i) ? 1 : x.shape[k++]);
  return reshape(x, shape);
}
