/**
 * Elementwise comparisons, logical/bitwise ops, shifts, selectN, clamp, max/min, isFinite and
 * bitcastConvertType, with all of their rules (see elementwise.ts for the family layout).
 * Comparisons and bit ops have zero derivatives (their outputs are bool/integer).
 */
import type { Array } from "../core/array.ts";
import { ShapedArray } from "../core/aval.ts";
import { definePrimitive, isUndefined, type Primitive } from "../core/primitive.ts";
import { DTypeError, InternalError, ShapeError } from "../errors.ts";
import { isInexact, type DType } from "../dtype.ts";
import { fmtShape, shapeEq } from "../shape.ts";
import { moveBdim } from "./batching.ts";
import { broadcastInDim } from "./shape-ops.ts";
import {
  ALL,
  INT,
  INTLIKE,
  ORDERED,
  REAL_FLOAT,
  REAL_NUMERIC,
  add,
  checkIn,
  defineBinary,
  defineUnary,
  div,
  fullLike,
  mul,
  zeroJvp,
  zerosLike,
} from "./elementwise.ts";

const toBool = (): DType => "bool";

// ------------------------------------------------------------------ comparisons (→ bool)

export const { prim: eqP, fn: eq } = defineBinary("eq", { dtypes: ALL, outDType: toBool, jvp: zeroJvp });
export const { prim: neP, fn: ne } = defineBinary("ne", { dtypes: ALL, outDType: toBool, jvp: zeroJvp });
export const { prim: ltP, fn: lt } = defineBinary("lt", { dtypes: ORDERED, outDType: toBool, jvp: zeroJvp });
export const { prim: leP, fn: le } = defineBinary("le", { dtypes: ORDERED, outDType: toBool, jvp: zeroJvp });
export const { prim: gtP, fn: gt } = defineBinary("gt", { dtypes: ORDERED, outDType: toBool, jvp: zeroJvp });
export const { prim: geP, fn: ge } = defineBinary("ge", { dtypes: ORDERED, outDType: toBool, jvp: zeroJvp });

/** isFinite: float32 → bool (not NaN and not ±inf). */
export const { prim: isFiniteP, fn: isFinite } = defineUnary("isFinite", {
  dtypes: REAL_FLOAT,
  outDType: toBool,
  keepWeak: false,
  jvp: zeroJvp,
});

// ------------------------------------------------------------------ logical / bitwise (bool and integers)

/** Primitive `not`: logical not on bool, bitwise complement on integers. */
export const { prim: notP, fn: bitwiseNot } = defineUnary("not", { dtypes: INTLIKE, jvp: zeroJvp });
/** Primitive `and`: logical on bool, bitwise on integers. */
export const { prim: andP, fn: bitwiseAnd } = defineBinary("and", { dtypes: INTLIKE, jvp: zeroJvp });
export const { prim: orP, fn: bitwiseOr } = defineBinary("or", { dtypes: INTLIKE, jvp: zeroJvp });
export const { prim: xorP, fn: bitwiseXor } = defineBinary("xor", { dtypes: INTLIKE, jvp: zeroJvp });

/**
 * Shifts (integers). The shift amount is read as unsigned: amounts >= 32 (including negative
 * int32 amounts) shift everything out, giving 0 — or, for the arithmetic right shift, the sign
 * fill (-1 for negative x). This is XLA's definition, not JS's `<<` (which takes the amount mod 32).
 */
export const { prim: shiftLeftP, fn: shiftLeft } = defineBinary("shiftLeft", { dtypes: INT, jvp: zeroJvp });
export const { prim: shiftRightLogicalP, fn: shiftRightLogical } = defineBinary("shiftRightLogical", {
  dtypes: INT,
  jvp: zeroJvp,
});
export const { prim: shiftRightArithmeticP, fn: shiftRightArithmetic } = defineBinary("shiftRightArithmetic", {
  dtypes: INT,
  jvp: zeroJvp,
});

/** Number of set bits, per element. */
export const { prim: populationCountP, fn: populationCount } = defineUnary("populationCount", {
  dtypes: INT,
  jvp: zeroJvp,
});
/** Count of leading zero bits (32 for 0), per element. */
export const { prim: clzP, fn: clz } = defineUnary("clz", { dtypes: INT, jvp: zeroJvp });

// ------------------------------------------------------------------ bitcastConvertType

export interface BitcastConvertTypeParams {
  readonly newDType: DType;
}
const BITCASTABLE: DType[] = ["float32", "int32", "uint32"];

/** Reinterpret the 32 bits of each element as another 32-bit dtype (float32/int32/uint32). */
export const bitcastConvertTypeP: Primitive<BitcastConvertTypeParams> = defineUnary<BitcastConvertTypeParams>(
  "bitcastConvertType",
  {
    dtypes: BITCASTABLE,
    check(_x, { newDType }) {
      if (!BITCASTABLE.includes(newDType))
        throw new DTypeError(
          `bitcastConvertType: cannot reinterpret 32-bit elements as ${String(newDType)} (supported: ${BITCASTABLE.join(", ")})`,
        );
    },
    outDType: (_d, { newDType }) => newDType,
    keepWeak: false,
    // JAX: defjvp_zero — the bits of a float are not a differentiable function of it.
    jvp: zeroJvp,
  },
).prim;

/** lax.bitcastConvertType (same-width reinterpretation). */
export function bitcastConvertType(x: Array, newDType: DType): Array {
  return bitcastConvertTypeP.bind1([x], { newDType });
}

// ------------------------------------------------------------------ selectN

/** Broadcast a scalar-shaped `t` to `shape` (no-op when it already has it). */
function brcast(t: Array, shape: readonly number[]): Array {
  return shapeEq(t.shape, shape) ? t : broadcastInDim(t, shape, []);
}

/**
 * `selectN(which, ...cases)`: element i of the result is `cases[which[i]][i]`. `which` is bool
 * (false → cases[0], true → cases[1]) or int32 (an out-of-range index is clamped into range, as
 * XLA leaves it undefined); it is a scalar or has the shape of the cases.
 */
export const selectNP: Primitive = definePrimitive("selectN", {
  abstractEval([which, ...cases]) {
    if (cases.length === 0) throw new ShapeError("selectN: needs at least one case");
    if (which.dtype !== "bool" && which.dtype !== "int32")
      throw new DTypeError(`selectN: argument 'which' has dtype ${which.dtype}; expected bool or int32`);
    if (which.dtype === "bool" && cases.length > 2)
      throw new DTypeError(
        `selectN: a bool 'which' selects between at most 2 cases; got ${cases.length} (use an int32 'which')`,
      );
    const c0 = cases[0];
    for (let i = 1; i < cases.length; i++) {
      if (!shapeEq(cases[i].shape, c0.shape))
        throw new ShapeError(
          `selectN: all cases must have the same shape; got ${cases.map((c) => fmtShape(c.shape)).join(", ")}`,
        );
      if (cases[i].dtype !== c0.dtype)
        throw new DTypeError(
          `selectN: all cases must have the same dtype; got ${cases.map((c) => c.dtype).join(", ")}`,
        );
    }
    if (which.ndim !== 0 && !shapeEq(which.shape, c0.shape)) {
      throw new ShapeError(
        `selectN: 'which' must be a scalar or have the shape of the cases; got which ${fmtShape(which.shape)} and cases ${fmtShape(c0.shape)}`,
      );
    }
    return [
      new ShapedArray(
        c0.shape,
        c0.dtype,
        cases.every((c) => c.weakType),
      ),
    ];
  },
  jvp([which, ...cases], [, ...dcases]) {
    const out = selectNP.bind1([which, ...cases], {});
    if (!isInexact(out.dtype)) return [[out], [null]];
    return [[out], [selectNP.bind1([which, ...dcases], {})]];
  },
  // Linear in the cases: the cotangent goes to the chosen case, zeros elsewhere.
  transpose([ct], [which, ...cases]) {
    if (isUndefined(which))
      throw new InternalError("selectN: transpose with respect to 'which' (non-linear use of a tangent)");
    const w = which as Array;
    const c = ct as Array;
    const zeros = zerosLike(c);
    const res = cases.map((cs, i) => {
      if (!isUndefined(cs)) return null;
      if (cases.length === 1) return c;
      const chosen = w.dtype === "bool" ? (i === 0 ? [c, zeros] : [zeros, c]) : [zeros, c];
      const pick = w.dtype === "bool" ? w : eq(w, fullLike(w, i));
      return selectNP.bind1([pick, ...chosen], {});
    });
    return [null, ...res];
  },
  batch(args, dims, _p, axis) {
    const [which, ...cases] = args;
    const [wd, ...cdims] = dims;
    // The per-example case shape, from a batched case if there is one.
    const k = cdims.findIndex((d) => d !== null);
    const inner = k >= 0 ? cases[k].shape.filter((_, i) => i !== cdims[k]) : cases[0].shape;
    const full = [axis.size, ...inner];
    const movedCases = cases.map((c, i) => moveBdim(c, cdims[i], 0, axis.size));
    let w: Array;
    if (wd === null) w = which.ndim === 0 ? which : moveBdim(which, null, 0, axis.size);
    else {
      const wf = moveBdim(which, wd, 0, axis.size);
      // A batched scalar 'which' (now shape [B]) must be broadcast over the case axes.
      w = wf.ndim === 1 && inner.length > 0 ? broadcastInDim(wf, full, [0]) : wf;
    }
    return [[selectNP.bind1([w, ...movedCases], {})], [0]];
  },
});

/** lax.selectN. */
export function selectN(which: Array, ...cases: Array[]): Array {
  return selectNP.bind1([which, ...cases], {});
}
/** lax.select(pred, onTrue, onFalse) = selectN(pred, onFalse, onTrue). */
export function select(pred: Array, onTrue: Array, onFalse: Array): Array {
  return selectNP.bind1([pred, onFalse, onTrue], {});
}

// ------------------------------------------------------------------ clamp

/**
 * `clamp(min, x, max)` = min(max(x, min), max). `min`/`max` are scalars or have x's shape.
 * JAX's JVP: the tangent of x passes where min < x < max, that of min where min > x (and
 * min < max), that of max where max < x; at exact ties no tangent passes.
 */
export const clampP: Primitive = definePrimitive("clamp", {
  abstractEval([lo, x, hi]) {
    checkIn("clamp", REAL_NUMERIC, x, "x");
    for (const [a, name] of [
      [lo, "min"],
      [hi, "max"],
    ] as const) {
      if (a.dtype !== x.dtype)
        throw new DTypeError(
          `clamp: argument '${name}' has dtype ${a.dtype} but x has dtype ${x.dtype}; they must match`,
        );
      if (a.ndim !== 0 && !shapeEq(a.shape, x.shape))
        throw new ShapeError(
          `clamp: argument '${name}' must be a scalar or have x's shape ${fmtShape(x.shape)}; got ${fmtShape(a.shape)}`,
        );
    }
    return [new ShapedArray(x.shape, x.dtype, x.weakType && lo.weakType && hi.weakType)];
  },
  // Only the operands with nonzero tangents contribute (the bounds are usually constants).
  jvpWithZeros([lo, x, hi], [dlo, dx, dhi]) {
    const out = clampP.bind1([lo, x, hi], {});
    if (!isInexact(out.dtype)) return [[out], [null]];
    const s = x.shape;
    const [l, h] = [brcast(lo, s), brcast(hi, s)];
    const z = zerosLike(out);
    const parts: Array[] = [];
    if (dlo !== null) parts.push(select(bitwiseAnd(gt(l, x), lt(l, h)), brcast(dlo, s), z));
    if (dx !== null) parts.push(select(bitwiseAnd(gt(x, l), lt(x, h)), dx, z));
    if (dhi !== null) parts.push(select(lt(h, x), brcast(dhi, s), z));
    return [[out], [parts.length === 0 ? null : parts.reduce((a, b) => add(a, b))]];
  },
  batch(args, dims, _p, axis) {
    const xi = 1;
    const x = args[xi];
    const inner = dims[xi] === null ? x.shape : x.shape.filter((_, i) => i !== dims[xi]);
    const full = [axis.size, ...inner];
    const xb = moveBdim(x, dims[xi], 0, axis.size);
    const bound = (i: number): Array => {
      const a = args[i];
      const d = dims[i];
      if (d === null)
        return a.ndim === 0
          ? a
          : broadcastInDim(
              a,
              full,
              a.shape.map((_, k) => k + 1),
            );
      const af = moveBdim(a, d, 0, axis.size);
      return af.ndim === 1 && inner.length > 0 ? broadcastInDim(af, full, [0]) : af;
    };
    return [[clampP.bind1([bound(0), xb, bound(2)], {})], [0]];
  },
});

/** lax.clamp(min, x, max). */
export function clamp(lo: Array, x: Array, hi: Array): Array {
  return clampP.bind1([lo, x, hi], {});
}

// ------------------------------------------------------------------ max / min

/**
 * JAX's `_balanced_eq`: 1 where x is the result, halved where y is the result too, so a tie
 * splits the tangent half-half between the operands.
 */
function balancedEq(x: Array, z: Array, y: Array): Array {
  const one = fullLike(z, 1);
  return div(select(eq(x, z), one, fullLike(z, 0)), select(eq(y, z), fullLike(z, 2), one));
}

const minMaxJvp: [
  (x: Array, y: Array, dx: Array, z: Array) => Array,
  (x: Array, y: Array, dy: Array, z: Array) => Array,
] = [(x, y, dx, z) => mul(dx, balancedEq(x, z, y)), (x, y, dy, z) => mul(dy, balancedEq(y, z, x))];

/** Elementwise maximum (NaN-propagating: a NaN operand gives NaN). */
export const { prim: maxP, fn: max } = defineBinary("max", { dtypes: ORDERED, jvpParts: minMaxJvp });
/** Elementwise minimum (NaN-propagating). */
export const { prim: minP, fn: min } = defineBinary("min", { dtypes: ORDERED, jvpParts: minMaxJvp });
