/**
 * Cumulative reductions along one axis: cumsum, cumprod, cummax, cummin, cumlogsumexp (params
 * `axis`, `reverse`, as in `jax.lax`), and the first-order linear recurrence
 * `linearRecurrence(a, b)`: h_i = a_i·h_{i-1} + b_i, which carries their JVPs.
 *
 * JAX differentiates cumprod/cummax/cummin/cumlogsumexp by taking the JVP of an associative scan.
 * We express the same tangents as a linear recurrence over the axis (O(n), exact with zeros,
 * numerically stable for logsumexp), whose transpose is the same recurrence run backwards — so
 * reverse mode needs no rule beyond `linearRecurrence`'s transpose.
 */
import type { Array } from "../core/array.ts";
import type { ShapedArray } from "../core/aval.ts";
import { definePrimitive, isUndefined, type BatchDim, type Primitive } from "../core/primitive.ts";
import { InternalError, ShapeError, ValueError } from "../errors.ts";
import { isInexact, type DType } from "../dtype.ts";
import { fmtShape } from "../shape.ts";
import { add, checkIn, checkSameShapeDType, exp, mul, sub } from "./elementwise.ts";
import { convertElementType } from "./convert.ts";
import { moveBdim } from "./batching.ts";
import { broadcastInDim } from "./shape-ops.ts";
import { boundaryMask, eqMask, ltMask, shiftAlong } from "./masks-and-shifts.ts";
import { scalar } from "./scalars-and-batch-dims.ts";

// Local copies: this module must not read other modules' bindings at load time (import cycles).
// float16/bfloat16 accumulate in float32 (core/half-compute.ts) and round each output once.
const FLOAT: readonly DType[] = ["float32", "complex64", "float16", "bfloat16"];
const NUMERIC: readonly DType[] = ["float32", "complex64", "int32", "uint32", "float16", "bfloat16"];
const REAL_NUMERIC: readonly DType[] = ["float32", "int32", "uint32", "float16", "bfloat16"];

export interface CumulativeParams {
  /** The (non-negative) axis to scan along. */
  readonly axis: number;
  /** Scan from the end of the axis towards the start. */
  readonly reverse: boolean;
}

function checkAxis(op: string, x: ShapedArray, axis: number): void {
  if (!Number.isInteger(axis) || axis < 0 || axis >= x.ndim) {
    throw new ShapeError(
      `${op}: axis ${axis} is out of range for an operand of shape ${fmtShape(x.shape)} (expected 0 <= axis < ${x.ndim})`,
    );
  }
}

/** The operand axis after a batch dimension is inserted at `bdim`. */
function axisWithBdim(axis: number, bdim: number): number {
  return axis >= bdim ? axis + 1 : axis;
}

type CumJvp = (x: Array, dx: Array, y: Array, p: CumulativeParams) => Array | null;

function defineCumulative(
  name: string,
  dtypes: readonly DType[],
  jvp: CumJvp,
  transposeRule?: (ct: Array, p: CumulativeParams) => Array,
): Primitive<CumulativeParams> {
  const prim: Primitive<CumulativeParams> = definePrimitive<CumulativeParams>(name, {
    abstractEval([x], { axis }) {
      checkIn(name, dtypes, x, "x");
      checkAxis(name, x, axis);
      return [x];
    },
    jvp([x], [dx], p) {
      const y = prim.bind1([x], p);
      return [[y], [isInexact(x.dtype) ? jvp(x, dx, y, p) : null]];
    },
    transpose: transposeRule ? ([ct], _args, p) => [ct === null ? null : transposeRule(ct, p)] : undefined,
    batch([x], [d], { axis, reverse }) {
      return [[prim.bind1([x], { axis: axisWithBdim(axis, d as number), reverse })], [d]];
    },
  });
  return prim;
}

// ------------------------------------------------------------------ linearRecurrence

export interface LinearRecurrenceParams extends CumulativeParams {
  /**
   * false: h_i = a_i · h_{p(i)} + b_i.  true: h_i = a_{p(i)} · h_{p(i)} + b_i — the transposed
   * recurrence, where p(i) is the previous position along the scan direction (i-1, or i+1 when
   * `reverse`). Transposing flips both `reverse` and `transposed`.
   */
  readonly transposed: boolean;
}

export const linearRecurrenceP: Primitive<LinearRecurrenceParams> = definePrimitive<LinearRecurrenceParams>(
  "linearRecurrence",
  {
    abstractEval(avals, { axis }) {
      checkSameShapeDType("linearRecurrence", avals);
      checkIn("linearRecurrence", FLOAT, avals[0], "a");
      checkAxis("linearRecurrence", avals[0], axis);
      return [avals[1].strong()];
    },
    jvp([a, b], [da, db], p) {
      const h = linearRecurrenceP.bind1([a, b], p);
      // d h_i = a·dh_prev + da·h_prev + db: the same recurrence driven by da·h_prev + db.
      const drive = p.transposed
        ? shiftAlong(mul(da, h), p.axis, p.reverse, 0)
        : mul(da, shiftAlong(h, p.axis, p.reverse, 0));
      return [[h], [linearRecurrenceP.bind1([a, add(drive, db)], p)]];
    },
    transpose([ct], [a, b], p) {
      if (isUndefined(a))
        throw new InternalError(
          "linearRecurrence: transpose with respect to the coefficients `a` (non-linear use of a tangent)",
        );
      if (!isUndefined(b) || ct === null) return [null, null];
      return [null, linearRecurrenceP.bind1([a, ct], { axis: p.axis, reverse: !p.reverse, transposed: !p.transposed })];
    },
    batch([a, b], [da, db], p, axis) {
      const a0 = moveBdim(a, da, 0, axis.size);
      const b0 = moveBdim(b, db, 0, axis.size);
      return [[linearRecurrenceP.bind1([a0, b0], { ...p, axis: p.axis + 1 })], [0 as BatchDim]];
    },
  },
);

/**
 * The linear recurrence h_i = a_i·h_{i-1} + b_i along `axis` (h_{-1} = 0), or from the end when
 * `reverse`. Linear in `b`; `a` and `b` have equal shapes and a float/complex dtype.
 */
export function linearRecurrence(a: Array, b: Array, axis = 0, reverse = false): Array {
  return linearRecurrenceP.bind1([a, b], { axis, reverse, transposed: false });
}

// ------------------------------------------------------------------ cumsum

export const cumsumP: Primitive<CumulativeParams> = defineCumulative(
  "cumsum",
  NUMERIC,
  (_x, dx, _y, p) => cumsumP.bind1([dx], p),
  // The transpose of an inclusive prefix sum is the inclusive suffix sum.
  (ct, p) => cumsumP.bind1([ct], { axis: p.axis, reverse: !p.reverse }),
);

// ------------------------------------------------------------------ cumprod

export const cumprodP: Primitive<CumulativeParams> = defineCumulative("cumprod", NUMERIC, (x, dx, y, p) => {
  // y_i = y_prev · x_i  ⇒  dy_i = x_i · dy_prev + y_prev · dx_i  (y_prev = 1 at the start).
  const drive = mul(shiftAlong(y, p.axis, p.reverse, 1), dx);
  return linearRecurrenceP.bind1([x, drive], { ...p, transposed: false });
});

// ------------------------------------------------------------------ cummax / cummin

/**
 * y_i = max(y_prev, x_i) ⇒ dy_i = w_i · dy_prev + (1 − w_i) · dx_i, with w_i = 1 where the carry
 * wins, 0 where x_i wins and ½ on ties — the JVP of `lax.max` (JAX's balanced tie split) applied
 * along the scan. JAX's associative-scan JVP agrees except in how ties weigh in (tree order).
 */
function chooserJvp(isMax: boolean): CumJvp {
  return (x, dx, y, p) => {
    const prev = shiftAlong(y, p.axis, p.reverse, 0);
    const carryWins = isMax ? ltMask(x, prev) : ltMask(prev, x);
    const half = broadcastInDim(scalar(0.5, x.dtype), x.shape, []);
    let w = add(convertElementType(carryWins, x.dtype), mul(half, convertElementType(eqMask(x, prev), x.dtype)));
    // The first element has no carry: its tangent is dx itself.
    w = mul(w, boundaryMask(x.shape, p.axis, p.reverse, x.dtype));
    const one = broadcastInDim(scalar(1, x.dtype), x.shape, []);
    return linearRecurrenceP.bind1([w, mul(sub(one, w), dx)], { ...p, transposed: false });
  };
}

export const cummaxP: Primitive<CumulativeParams> = defineCumulative("cummax", REAL_NUMERIC, chooserJvp(true));
export const cumminP: Primitive<CumulativeParams> = defineCumulative("cummin", REAL_NUMERIC, chooserJvp(false));

// ------------------------------------------------------------------ cumlogsumexp

export const cumlogsumexpP: Primitive<CumulativeParams> = defineCumulative(
  "cumlogsumexp",
  ["float32", "float16", "bfloat16"],
  (x, dx, y, p) => {
    // dy_i = Σ_{j≤i} exp(x_j − y_i)·dx_j = exp(y_prev − y_i)·dy_prev + exp(x_i − y_i)·dx_i.
    // Both coefficients are ≤ 1, so this is stable where exp(x)·cumsum would overflow.
    const prev = shiftAlong(y, p.axis, p.reverse, -Infinity);
    return linearRecurrenceP.bind1([exp(sub(prev, y)), mul(exp(sub(x, y)), dx)], { ...p, transposed: false });
  },
);

function cum(prim: Primitive<CumulativeParams>, x: Array, axis: number, reverse: boolean): Array {
  if (!Number.isInteger(axis))
    throw new ValueError(
      `${prim.name}: axis must be an integer (lax takes it positionally: ${prim.name}(x, axis, reverse)); got ${typeof axis === "object" ? JSON.stringify(axis) : String(axis)}`,
    );
  if (typeof reverse !== "boolean")
    throw new ValueError(`${prim.name}: reverse must be a boolean; got ${String(reverse)}`);
  return prim.bind1([x], { axis: axis < 0 ? axis + x.ndim : axis, reverse });
}

/** lax.cumsum along `axis` (negative allowed); `reverse` sums from the end. */
export function cumsum(x: Array, axis = 0, reverse = false): Array {
  return cum(cumsumP, x, axis, reverse);
}
/** lax.cumprod along `axis` (negative allowed). */
export function cumprod(x: Array, axis = 0, reverse = false): Array {
  return cum(cumprodP, x, axis, reverse);
}
/** lax.cummax along `axis`: running maximum (NaN propagates). */
export function cummax(x: Array, axis = 0, reverse = false): Array {
  return cum(cummaxP, x, axis, reverse);
}
/** lax.cummin along `axis`: running minimum (NaN propagates). */
export function cummin(x: Array, axis = 0, reverse = false): Array {
  return cum(cumminP, x, axis, reverse);
}
/** lax.cumlogsumexp along `axis`: log Σ_{j≤i} exp(x_j), computed stably. */
export function cumlogsumexp(x: Array, axis = 0, reverse = false): Array {
  return cum(cumlogsumexpP, x, axis, reverse);
}
