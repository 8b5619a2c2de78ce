/**
 * Elementwise primitives and all of their rules. lax semantics: operands of n-ary ops have
 * identical shapes and dtypes (the numpy layer broadcasts and promotes before binding).
 * `defineUnary`/`defineBinary` supply abstract eval and the batching rule; each primitive states
 * its JVP and, when linear, its transpose, right here.
 *
 * The family is split over files that form a chain of imports (each file's top level calls the
 * `define*` helpers of the files before it, so the chain must not loop):
 *   elementwise.ts          helpers, dtype sets, arithmetic (neg add sub mul div integerPow) and
 *                           the first transcendental ops (exp log sin cos tanh)
 *   elementwise-logic.ts    comparisons, logical/bitwise ops, shifts, select, clamp, max/min,
 *                           isFinite, bitcastConvertType
 *   elementwise-math.ts     transcendental ops, abs/sign, rounding, pow, rem, atan2, nextafter
 *   elementwise-special.ts  erf, erfc, erfInv, lgamma, digamma, polygamma, logistic
 */
import type { Array } from "../core/array.ts";
import { ShapedArray } from "../core/aval.ts";
import {
  definePrimitive,
  isUndefined,
  type BatchDim,
  type Params,
  type Primitive,
  type UndefinedPrimal,
} from "../core/primitive.ts";
import { DTypeError, InternalError, ShapeError, ValueError } from "../errors.ts";
import { isInexact, type DType } from "../dtype.ts";
import { fmtShape, shapeEq } from "../shape.ts";
import { moveBdim } from "./batching.ts";
import { scalar } from "./scalars-and-batch-dims.ts";
import { broadcastInDim } from "./shape-ops.ts";

// ------------------------------------------------------------------ dtype sets

/**
 * float32 and complex64 (and the half storage dtypes, computed in float32 by core/half-compute.ts):
 * the dtypes of transcendental ops.
 */
const FLOAT: DType[] = ["float32", "complex64", "float16", "bfloat16"];
const REAL_FLOAT: DType[] = ["float32", "float16", "bfloat16"];
/** Everything arithmetic works on (not bool, like JAX's `_num`). */
const NUMERIC: DType[] = ["float32", "complex64", "int32", "uint32", "float16", "bfloat16"];
const REAL_NUMERIC: DType[] = ["float32", "int32", "uint32", "float16", "bfloat16"];
/** Dtypes of logical/bitwise ops. */
const INTLIKE: DType[] = ["int32", "uint32", "bool"];
const INT: DType[] = ["int32", "uint32"];
/** Dtypes with a total order (comparisons, max/min, clamp): JAX's `_ordered`. */
const ORDERED: DType[] = ["float32", "int32", "uint32", "bool", "float16", "bfloat16"];
/** Signed dtypes (abs): JAX's `_signedint | _float | _complex`. */
const SIGNED: DType[] = ["float32", "complex64", "int32", "float16", "bfloat16"];
const ALL: DType[] = ["float32", "complex64", "int32", "uint32", "bool", "float16", "bfloat16"];

// ------------------------------------------------------------------ checks and batching

/** Throw a DTypeError naming the op, the argument and the supported dtypes. */
function checkIn(op: string, dtypes: readonly DType[], a: ShapedArray, arg: string): void {
  if (!dtypes.includes(a.dtype))
    throw new DTypeError(
      `${op}: argument '${arg}' has dtype ${a.dtype}, which ${op} does not support (supported: ${dtypes.join(", ")})`,
    );
}

/** lax-level operands must agree in shape (and, by default, dtype): the np layer broadcasts and promotes. */
function checkSameShapeDType(op: string, avals: readonly ShapedArray[], sameDType = true): void {
  const a0 = avals[0];
  for (let i = 1; i < avals.length; i++) {
    const a = avals[i];
    if (!shapeEq(a.shape, a0.shape)) {
      throw new ShapeError(
        `${op}: lax-level operands must have equal shapes; got ${avals.map((x) => fmtShape(x.shape)).join(" and ")} (use the np namespace for broadcasting)`,
      );
    }
    if (sameDType && a.dtype !== a0.dtype) {
      throw new DTypeError(
        `${op}: lax-level operands must have equal dtypes; got ${avals.map((x) => x.dtype).join(" and ")} (use the np namespace for promotion)`,
      );
    }
  }
}

/**
 * Batch rule for elementwise ops. When every operand is batched at the same axis the op applies
 * as is (elementwise ops do not care where the batch axis is); otherwise batched operands move to
 * axis 0 and unbatched ones are broadcast along it.
 */
function elementwiseBatch(prim: Primitive) {
  return (
    args: readonly Array[],
    dims: readonly BatchDim[],
    params: Params,
    axis: { size: number },
  ): [Array[], BatchDim[]] => {
    const d0 = dims[0];
    if (d0 !== null && dims.every((d) => d === d0)) {
      const outs = prim.bind(args, params);
      return [outs, outs.map(() => d0)];
    }
    const moved = args.map((a, i) => moveBdim(a, dims[i], 0, axis.size));
    const outs = prim.bind(moved, params);
    return [outs, outs.map(() => 0)];
  };
}

/** A JVP that is identically zero (integer/bool results, piecewise-constant functions). */
export const zeroJvp = (): null => null;

// ------------------------------------------------------------------ define helpers

interface UnaryDef<P extends object = Params> {
  dtypes: readonly DType[];
  /** Output dtype from input dtype (default: same). */
  outDType?: (d: DType, params: P) => DType;
  /** Extra validation of the operand/params (beyond the dtype set). */
  check?: (x: ShapedArray, params: P) => void;
  /** Tangent of the output; not called when the output dtype carries no tangent (integers, bool). */
  jvp?: (x: Array, dx: Array, y: Array, params: P) => Array | null;
  /** For linear unary ops: cotangent of x from cotangent of y. */
  transpose?: (ct: Array, x: ShapedArray, params: P) => Array;
  /** Whether the output keeps the weak type of the input (default true). */
  keepWeak?: boolean;
}

/**
 * Define a unary elementwise primitive; returns the primitive and the lax-level function (which
 * binds empty params; primitives with params export their own wrapper).
 */
export function defineUnary<P extends object = Params>(
  name: string,
  def: UnaryDef<P>,
): { prim: Primitive<P>; fn: (x: Array) => Array } {
  const prim: Primitive<P> = definePrimitive<P>(name, {
    abstractEval([x], params) {
      checkIn(name, def.dtypes, x, "x");
      def.check?.(x, params);
      return [
        new ShapedArray(
          x.shape,
          def.outDType ? def.outDType(x.dtype, params) : x.dtype,
          (def.keepWeak ?? true) && x.weakType,
        ),
      ];
    },
    jvp: def.jvp
      ? ([x], [dx], params) => {
          const y = prim.bind1([x], params);
          if (!isInexact(y.dtype)) return [[y], [null]];
          return [[y], [def.jvp!(x, dx, y, params)]];
        }
      : undefined,
    transpose: def.transpose
      ? ([ct], [x], params) => [def.transpose!(ct as Array, (x as UndefinedPrimal).aval, params)]
      : undefined,
    batch: (args, dims, params) => [[prim.bind1([args[0]], params)], [dims[0]]],
  });
  return { prim, fn: (x: Array) => prim.bind1([x], {} as P) };
}

interface BinaryDef {
  dtypes: readonly DType[];
  outDType?: (d: DType) => DType;
  /** Tangent of the output; not called when the output dtype carries no tangent. */
  jvp?: (x: Array, y: Array, dx: Array, dy: Array, z: Array) => Array | null;
  /**
   * Alternatively (like JAX's `defjvp`), the tangent contributions of x and of y separately:
   * only the parts whose input tangent is nonzero are computed and summed, so a constant operand
   * (a literal exponent, a clamp bound) adds nothing to the tangent program.
   */
  jvpParts?: [(x: Array, y: Array, dx: Array, z: Array) => Array, (x: Array, y: Array, dy: Array, z: Array) => Array];
  transpose?: (ct: Array, x: Array | UndefinedPrimal, y: Array | UndefinedPrimal) => [Array | null, Array | null];
}

/** Define a binary elementwise primitive over equal shapes and dtypes; returns the lax-level function. */
export function defineBinary(name: string, def: BinaryDef): { prim: Primitive; fn: (x: Array, y: Array) => Array } {
  const prim: Primitive = definePrimitive(name, {
    abstractEval(avals) {
      checkSameShapeDType(name, avals);
      checkIn(name, def.dtypes, avals[0], "x");
      const [x, y] = avals;
      const out = def.outDType ? def.outDType(x.dtype) : x.dtype;
      // A comparison of two weak scalars is still a strong bool (JAX strips weak types from bool results).
      return [new ShapedArray(x.shape, out, out !== "bool" && x.weakType && y.weakType)];
    },
    jvp: def.jvp
      ? ([x, y], [dx, dy]) => {
          const z = prim.bind1([x, y], {});
          if (!isInexact(z.dtype)) return [[z], [null]];
          return [[z], [def.jvp!(x, y, dx, dy, z)]];
        }
      : undefined,
    jvpWithZeros: def.jvpParts
      ? ([x, y], [dx, dy]) => {
          const z = prim.bind1([x, y], {});
          if (!isInexact(z.dtype)) return [[z], [null]];
          const [fx, fy] = def.jvpParts!;
          const tx = dx === null ? null : fx(x, y, dx, z);
          const ty = dy === null ? null : fy(x, y, dy, z);
          return [[z], [tx === null ? ty : ty === null ? tx : add(tx, ty)]];
        }
      : undefined,
    transpose: def.transpose ? ([ct], [x, y]) => def.transpose!(ct as Array, x, y) : undefined,
    batch: (args, dims, params, axis) => elementwiseBatch(prim)(args, dims, params, axis),
  });
  return { prim, fn: (x: Array, y: Array) => prim.bind1([x, y], {}) };
}

// ------------------------------------------------------------------ constants

/** A scalar constant broadcast to `like`'s shape and dtype (not weak). */
export function fullLike(like: Array | ShapedArray, value: number): Array {
  const aval = like instanceof ShapedArray ? like : like.aval;
  return broadcastInDim(scalar(value, aval.dtype), aval.shape, []);
}
export const zerosLike = (x: Array | ShapedArray): Array => fullLike(x, 0);
export const onesLike = (x: Array | ShapedArray): Array => fullLike(x, 1);

// ------------------------------------------------------------------ arithmetic

export const { prim: negP, fn: neg } = defineUnary("neg", {
  dtypes: NUMERIC,
  jvp: (_x, dx): Array => neg(dx),
  transpose: (ct): Array => neg(ct),
});

export const { prim: addP, fn: add } = defineBinary("add", {
  dtypes: NUMERIC,
  jvp: (_x, _y, dx, dy) => add(dx, dy),
  transpose: (ct, x, y) => [isUndefined(x) ? ct : null, isUndefined(y) ? ct : null],
});

export const { prim: subP, fn: sub } = defineBinary("sub", {
  dtypes: NUMERIC,
  jvp: (_x, _y, dx, dy) => sub(dx, dy),
  transpose: (ct, x, y) => [isUndefined(x) ? ct : null, isUndefined(y) ? neg(ct) : null],
});

export const { prim: mulP, fn: mul } = defineBinary("mul", {
  dtypes: NUMERIC,
  jvp: (x, y, dx, dy) => add(mul(dx, y), mul(x, dy)),
  transpose: (ct, x, y) => {
    if (isUndefined(x) && isUndefined(y))
      throw new InternalError("mul: transpose with both operands linear (non-linear use of a tangent)");
    return [isUndefined(x) ? mul(ct, y as Array) : null, isUndefined(y) ? mul(x as Array, ct) : null];
  },
});

/**
 * `div`: float/complex division; integer division truncates toward zero (C/XLA semantics, not
 * numpy's floor division). Integer division by zero gives -1 (all bits set for uint32) and
 * INT32_MIN / -1 wraps to INT32_MIN, as XLA defines them.
 */
export const { prim: divP, fn: div } = defineBinary("div", {
  dtypes: NUMERIC,
  jvp: (_x, y, dx, dy, z) => sub(div(dx, y), mul(div(z, y), dy)),
  transpose: (ct, x, y) => {
    if (isUndefined(y))
      throw new InternalError("div: transpose with respect to the denominator (non-linear use of a tangent)");
    return [isUndefined(x) ? div(ct, y as Array) : null, null];
  },
});

export interface IntegerPowParams {
  /** The integer exponent (may be negative for float/complex operands). */
  readonly y: number;
}

/** `x ** y` for a static integer `y`, by repeated multiplication. */
export const integerPowP: Primitive<IntegerPowParams> = defineUnary<IntegerPowParams>("integerPow", {
  dtypes: NUMERIC,
  check(x, { y }) {
    if (!Number.isInteger(y)) throw new ValueError(`integerPow: exponent y must be an integer; got ${y}`);
    if (y < 0 && (x.dtype === "int32" || x.dtype === "uint32")) {
      throw new ValueError(
        `integerPow: integers cannot be raised to negative powers (x has dtype ${x.dtype}, y = ${y})`,
      );
    }
  },
  // JAX: d/dx x^y = y·x^(y-1), and exactly zero for y = 0 (no 0·inf at x = 0).
  jvp: (x, dx, _z, { y }) => (y === 0 ? zerosLike(dx) : mul(dx, mul(fullLike(x, y), integerPow(x, y - 1)))),
}).prim;

/** lax.integerPow: `x ** y` for an integer `y` (static). */
export function integerPow(x: Array, y: number): Array {
  if (y === 1) return x;
  return integerPowP.bind1([x], { y });
}
/** lax.square: `x * x`. */
export const square = (x: Array): Array => integerPow(x, 2);
/** lax.reciprocal: `1 / x` (float/complex). */
export const reciprocal = (x: Array): Array => integerPow(x, -1);

// ------------------------------------------------------------------ the first transcendental ops (the rest in elementwise-math.ts)

export const { prim: expP, fn: exp } = defineUnary("exp", { dtypes: FLOAT, jvp: (_x, dx, y) => mul(dx, y) });
export const { prim: logP, fn: log } = defineUnary("log", { dtypes: FLOAT, jvp: (x, dx) => div(dx, x) });
export const { prim: sinP, fn: sin } = defineUnary("sin", { dtypes: FLOAT, jvp: (x, dx): Array => mul(dx, cos(x)) });
export const { prim: cosP, fn: cos } = defineUnary("cos", {
  dtypes: FLOAT,
  jvp: (x, dx): Array => neg(mul(dx, sin(x))),
});
export const { prim: tanhP, fn: tanh } = defineUnary("tanh", {
  dtypes: FLOAT,
  jvp: (_x, dx, y) => mul(dx, sub(onesLike(y), mul(y, y))),
});

export {
  elementwiseBatch,
  checkSameShapeDType,
  checkIn,
  FLOAT,
  REAL_FLOAT,
  NUMERIC,
  REAL_NUMERIC,
  INTLIKE,
  INT,
  ORDERED,
  SIGNED,
  ALL,
};
