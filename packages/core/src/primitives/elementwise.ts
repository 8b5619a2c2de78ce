/**
 * Elementwise primitives and all of their rules. lax semantics: operands of n-ary ops have
 * identical shapes and dtypes (the numpy layer broadcasts and promotes before binding).
 * `defineUnary`/`defineBinary`/`defineNary` supply abstract eval and the batching rule; each
 * primitive states its JVP and, when linear, its transpose, right here.
 */
import type { Array } from "../core/array.ts";
import { ShapedArray } from "../core/aval.ts";
import { definePrimitive, isUndefined, type BatchDim, type Primitive, type UndefinedPrimal } from "../core/primitive.ts";
import { DTypeError, ShapeError } from "../errors.ts";
import type { DType } from "../dtype.ts";
import { fmtShape, shapeEq } from "../shape.ts";
import { bdimToFront } from "./batching.ts";
import { scalar } from "./helpers.ts";
import { broadcastInDim } from "./shape-ops.ts";

const FLOAT: DType[] = ["float32", "complex64"];
const REAL_FLOAT: DType[] = ["float32"];
const NUMERIC: DType[] = ["float32", "complex64", "int32", "uint32"];
const REAL_NUMERIC: DType[] = ["float32", "int32", "uint32"];
const INTLIKE: DType[] = ["int32", "uint32", "bool"];
const ALL: DType[] = ["float32", "complex64", "int32", "uint32", "bool"];

function checkIn(op: string, dtypes: readonly DType[], a: ShapedArray, arg: string): void {
  if (!dtypes.includes(a.dtype)) throw new DTypeError(`${op}: argument '${arg}' has dtype ${a.dtype}, which ${op} does not support (supported: ${dtypes.join(", ")})`);
}

/** Batch rule for elementwise ops: batched operands to axis 0, unbatched ones broadcast. */
function elementwiseBatch(prim: Primitive) {
  return (args: readonly Array[], dims: readonly BatchDim[], params: Record<string, unknown>, axis: { size: number }): [Array[], BatchDim[]] => {
    const moved = args.map((a, i) => bdimToFront(a, dims[i], axis.size));
    const outs = prim.bind(moved, params);
    return [outs, outs.map(() => 0)];
  };
}

interface UnaryDef {
  dtypes: readonly DType[];
  /** Output dtype from input dtype (default: same). */
  outDType?: (d: DType) => DType;
  jvp?: (x: Array, dx: Array, y: Array) => Array | null;
  /** For linear unary ops: cotangent of x from cotangent of y. */
  transpose?: (ct: Array, x: ShapedArray) => Array;
}

/** Define a unary elementwise primitive; returns the lax-level function. */
export function defineUnary(name: string, def: UnaryDef): { prim: Primitive; fn: (x: Array) => Array } {
  const prim: Primitive = definePrimitive(name, {
    abstractEval([x]) {
      checkIn(name, def.dtypes, x, "x");
      return [new ShapedArray(x.shape, def.outDType ? def.outDType(x.dtype) : x.dtype, x.weakType)];
    },
    jvp: def.jvp
      ? ([x], [dx]) => {
          const y = prim.bind1([x], {});
          return [[y], [def.jvp!(x, dx, y)]];
        }
      : undefined,
    transpose: def.transpose
      ? ([ct], [x]) => [def.transpose!(ct as Array, (x as UndefinedPrimal).aval)]
      : undefined,
    batch: (args, dims) => [[prim.bind1([args[0]], {})], [dims[0]]],
  });
  return { prim, fn: (x: Array) => prim.bind1([x], {}) };
}

interface BinaryDef {
  dtypes: readonly DType[];
  outDType?: (d: DType) => DType;
  jvp?: (x: Array, y: Array, dx: Array, dy: Array, z: Array) => Array | null;
  transpose?: (ct: Array, x: Array | UndefinedPrimal, y: Array | UndefinedPrimal) => [Array | null, Array | null];
}

function checkSameShapeDType(op: string, avals: readonly ShapedArray[], sameDType = true): void {
  const a0 = avals[0];
  for (let i = 1; i < avals.length; i++) {
    const a = avals[i];
    if (!shapeEq(a.shape, a0.shape)) {
      throw new ShapeError(`${op}: lax-level operands must have equal shapes; got ${avals.map((x) => fmtShape(x.shape)).join(" and ")} (use the np namespace for broadcasting)`);
    }
    if (sameDType && a.dtype !== a0.dtype) {
      throw new DTypeError(`${op}: lax-level operands must have equal dtypes; got ${avals.map((x) => x.dtype).join(" and ")} (use the np namespace for promotion)`);
    }
  }
}

/** Define a binary elementwise primitive; returns the lax-level function. */
export function defineBinary(name: string, def: BinaryDef): { prim: Primitive; fn: (x: Array, y: Array) => Array } {
  const prim: Primitive = definePrimitive(name, {
    abstractEval(avals) {
      checkSameShapeDType(name, avals);
      checkIn(name, def.dtypes, avals[0], "x");
      const [x, y] = avals;
      return [new ShapedArray(x.shape, def.outDType ? def.outDType(x.dtype) : x.dtype, x.weakType && y.weakType)];
    },
    jvp: def.jvp
      ? ([x, y], [dx, dy]) => {
          const z = prim.bind1([x, y], {});
          return [[z], [def.jvp!(x, y, dx, dy, z)]];
        }
      : undefined,
    transpose: def.transpose ? ([ct], [x, y]) => def.transpose!(ct as Array, x, y) : undefined,
    batch: (args, dims, params, axis) => elementwiseBatch(prim)(args, dims, params, axis),
  });
  return { prim, fn: (x: Array, y: Array) => prim.bind1([x, y], {}) };
}

// ------------------------------------------------------------------ arithmetic

export const { prim: negP, fn: neg } = defineUnary("neg", {
  dtypes: NUMERIC,
  jvp: (_x, dx) => neg(dx),
  transpose: (ct) => neg(ct),
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
    if (isUndefined(x) && isUndefined(y)) throw new Error("mul: transpose with both operands linear (non-linear use of a tangent)");
    return [isUndefined(x) ? mul(ct, y as Array) : null, isUndefined(y) ? mul(x as Array, ct) : null];
  },
});

export const { prim: divP, fn: div } = defineBinary("div", {
  dtypes: NUMERIC,
  jvp: (_x, y, dx, dy, z) => sub(div(dx, y), mul(div(z, y), dy)),
  transpose: (ct, x, y) => {
    if (isUndefined(y)) throw new Error("div: transpose with respect to the denominator (non-linear use of a tangent)");
    return [isUndefined(x) ? div(ct, y as Array) : null, null];
  },
});

export { elementwiseBatch, checkSameShapeDType, checkIn, FLOAT, REAL_FLOAT, NUMERIC, REAL_NUMERIC, INTLIKE, ALL };

// ------------------------------------------------------------------ transcendental (sample; the rest in elementwise-math.ts)

export const { prim: expP, fn: exp } = defineUnary("exp", { dtypes: FLOAT, jvp: (_x, dx, y) => mul(dx, y) });
export const { prim: logP, fn: log } = defineUnary("log", { dtypes: FLOAT, jvp: (x, dx) => div(dx, x) });
export const { prim: sinP, fn: sin } = defineUnary("sin", { dtypes: FLOAT, jvp: (x, dx) => mul(dx, cos(x)) });
export const { prim: cosP, fn: cos } = defineUnary("cos", { dtypes: FLOAT, jvp: (x, dx) => neg(mul(dx, sin(x))) });
export const { prim: tanhP, fn: tanh } = defineUnary("tanh", {
  dtypes: FLOAT,
  jvp: (_x, dx, y) => mul(dx, sub(onesLike(y), mul(y, y))),
});

/** A scalar constant broadcast to `like`'s shape and dtype (not weak). */
export function fullLike(like: Array | ShapedArray, value: number): Array {
  const aval = like instanceof ShapedArray ? like : like.aval;
  return broadcastInDim(scalar(value, aval.dtype), aval.shape, []);
}
export const zerosLike = (x: Array | ShapedArray) => fullLike(x, 0);
export const onesLike = (x: Array | ShapedArray) => fullLike(x, 1);

