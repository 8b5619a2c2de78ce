/**
 * Transcendental elementwise ops (exp2, log1p, expm1, trig/hyperbolic and inverses, sqrt, rsqrt,
 * cbrt), abs/sign, rounding, pow, rem, atan2 and nextafter, with all of their rules. JVPs are
 * JAX's formulas; for complex inputs they are the holomorphic derivatives `f'(z)·dz`, which is
 * what JAX's rules compute (see elementwise.ts for the family layout).
 */
import type { Array } from "../core/array.ts";
import type { Primitive } from "../core/primitive.ts";
import { ValueError } from "../errors.ts";
import { complex, conj, real } from "./complex.ts";
import {
  FLOAT,
  NUMERIC,
  REAL_FLOAT,
  REAL_NUMERIC,
  SIGNED,
  add,
  defineBinary,
  defineUnary,
  div,
  fullLike,
  integerPow,
  log,
  mul,
  neg,
  onesLike,
  reciprocal,
  square,
  sub,
  zeroJvp,
} from "./elementwise.ts";
import { eq, ge, select } from "./elementwise-logic.ts";

/** `x` with zeros replaced by ones (JAX's `_replace_zero`), to keep unselected branches finite. */
function replaceZero(x: Array): Array {
  return select(eq(x, fullLike(x, 0)), onesLike(x), x);
}
/** A constant like x: `c` broadcast to x's shape and dtype. */
const k = (x: Array, c: number): Array => fullLike(x, c);

// ------------------------------------------------------------------ exponentials and logarithms

/** 2^x. */
export const { prim: exp2P, fn: exp2 } = defineUnary("exp2", {
  dtypes: FLOAT,
  jvp: (_x, dx, y) => mul(dx, mul(y, k(y, Math.LN2))),
});
/** log(1 + x), accurate near 0. */
export const { prim: log1pP, fn: log1p } = defineUnary("log1p", {
  dtypes: FLOAT,
  jvp: (x, dx) => div(dx, add(x, k(x, 1))),
});
/** exp(x) - 1, accurate near 0. */
export const { prim: expm1P, fn: expm1 } = defineUnary("expm1", {
  dtypes: FLOAT,
  jvp: (_x, dx, y) => mul(dx, add(y, k(y, 1))),
});

// ------------------------------------------------------------------ trigonometric

export const { prim: tanP, fn: tan } = defineUnary("tan", {
  dtypes: FLOAT,
  jvp: (_x, dx, y) => mul(dx, add(k(y, 1), square(y))),
});
export const { prim: asinP, fn: asin } = defineUnary("asin", {
  dtypes: FLOAT,
  jvp: (x, dx) => mul(dx, rsqrt(sub(k(x, 1), square(x)))),
});
export const { prim: acosP, fn: acos } = defineUnary("acos", {
  dtypes: FLOAT,
  jvp: (x, dx) => neg(mul(dx, rsqrt(sub(k(x, 1), square(x))))),
});
export const { prim: atanP, fn: atan } = defineUnary("atan", {
  dtypes: FLOAT,
  jvp: (x, dx) => div(dx, add(k(x, 1), square(x))),
});

// ------------------------------------------------------------------ hyperbolic

export const { prim: sinhP, fn: sinh } = defineUnary("sinh", {
  dtypes: FLOAT,
  jvp: (x, dx): Array => mul(dx, cosh(x)),
});
export const { prim: coshP, fn: cosh } = defineUnary("cosh", {
  dtypes: FLOAT,
  jvp: (x, dx): Array => mul(dx, sinh(x)),
});
export const { prim: asinhP, fn: asinh } = defineUnary("asinh", {
  dtypes: FLOAT,
  jvp: (x, dx) => mul(dx, rsqrt(add(square(x), k(x, 1)))),
});
/**
 * acosh' = 1/(√(x−1)·√(x+1)). JAX writes rsqrt((x−1)(x+1)), which agrees on the real domain but has
 * the wrong sign for complex x with Re x < 0 (the square root of the product takes the other
 * branch there); the product of two roots is right everywhere off acosh's cut.
 */
export const { prim: acoshP, fn: acosh } = defineUnary("acosh", {
  dtypes: FLOAT,
  jvp: (x, dx) => mul(dx, mul(rsqrt(sub(x, k(x, 1))), rsqrt(add(x, k(x, 1))))),
});
export const { prim: atanhP, fn: atanh } = defineUnary("atanh", {
  dtypes: FLOAT,
  jvp: (x, dx) => mul(reciprocal(add(k(x, 1), x)), div(dx, sub(k(x, 1), x))),
});

// ------------------------------------------------------------------ roots

export const { prim: sqrtP, fn: sqrt } = defineUnary("sqrt", {
  dtypes: FLOAT,
  jvp: (_x, dx, y) => mul(dx, div(k(y, 0.5), y)),
});
/** 1 / sqrt(x). */
export const { prim: rsqrtP, fn: rsqrt } = defineUnary("rsqrt", {
  dtypes: FLOAT,
  jvp: (x, dx, y) => mul(dx, mul(k(x, -0.5), div(y, x))),
});
/** Real cube root (negative for negative x). */
export const { prim: cbrtP, fn: cbrt } = defineUnary("cbrt", {
  dtypes: REAL_FLOAT,
  jvp: (x, dx, y) => mul(dx, mul(k(x, 1 / 3), integerPow(y, -2))),
});

// ------------------------------------------------------------------ abs, sign

/**
 * |x|: signed integers and float keep their dtype; complex64 gives float32. JAX's JVP: the real
 * case passes `dx` where x >= 0 and `-dx` elsewhere; the complex case is `real(dx·conj(x)/|x|)`
 * with |x| = 0 replaced by 1 (a zero tangent at the origin).
 */
export const { prim: absP, fn: abs } = defineUnary("abs", {
  dtypes: SIGNED,
  outDType: (d) => (d === "complex64" ? "float32" : d),
  jvp: (x, dx, y) => {
    if (x.dtype === "complex64") return real(mul(dx, div(conj(x), replaceZero(complex(y, fullLike(y, 0))))));
    return select(ge(x, fullLike(x, 0)), dx, neg(dx));
  },
});

/** sign: -1/0/1 for real numbers (NaN stays NaN, -0 stays -0; uint32 gives 0/1); x/|x| for complex (0 at 0). */
export const { prim: signP, fn: sign } = defineUnary("sign", { dtypes: NUMERIC, jvp: zeroJvp });

// ------------------------------------------------------------------ rounding (zero derivatives)

export const { prim: floorP, fn: floor } = defineUnary("floor", { dtypes: REAL_FLOAT, jvp: zeroJvp });
export const { prim: ceilP, fn: ceil } = defineUnary("ceil", { dtypes: REAL_FLOAT, jvp: zeroJvp });

/** lax.RoundingMethod: JAX's `AWAY_FROM_ZERO` (lax.round's default) and `TO_NEAREST_EVEN` (np.round). */
export type RoundingMethod = "awayFromZero" | "toNearestEven";
export interface RoundParams {
  readonly roundingMethod: RoundingMethod;
}
export const roundP: Primitive<RoundParams> = defineUnary<RoundParams>("round", {
  dtypes: REAL_FLOAT,
  check(_x, { roundingMethod }) {
    if (roundingMethod !== "awayFromZero" && roundingMethod !== "toNearestEven") {
      throw new ValueError(
        `round: roundingMethod must be "awayFromZero" or "toNearestEven"; got ${JSON.stringify(roundingMethod)}`,
      );
    }
  },
  jvp: zeroJvp,
}).prim;

/** lax.round: to the nearest integer, halves away from zero (default, like JAX) or to even. */
export function round(x: Array, roundingMethod: RoundingMethod = "awayFromZero"): Array {
  return roundP.bind1([x], { roundingMethod });
}

// ------------------------------------------------------------------ binary: pow, rem, atan2, nextafter

/**
 * x^y for float32/complex64. JVP (JAX's, with `_replace_zero`): d/dx = y·x^(y-1), which is 0
 * where y = 0 (x^0 is constant; JAX gets this for integer y, we also do it for float y instead of
 * producing 0·inf = NaN at x = y = 0); d/dy = log(x)·x^y with x = 0 replaced by 1, so the
 * y-tangent is 0 at x = 0.
 */
export const { prim: powP, fn: pow } = defineBinary("pow", {
  dtypes: FLOAT,
  jvpParts: [
    (x, y, dx) => {
      // y·x^(y-1), with x = 0 replaced by 1 only where y = 0 too, so that (0, 0) gives 0·1 = 0
      // instead of 0·inf. Selecting the whole factor to 0 where y = 0 (as this rule once did)
      // also zeroes its derivative in y there, which is x^(-1), not 0: second derivatives
      // (∂²/∂x∂y x^y at y = 0) came out wrong.
      const safeX = select(eq(y, fullLike(y, 0)), replaceZero(x), x);
      return mul(dx, mul(y, pow(safeX, sub(y, k(y, 1)))));
    },
    (x, _y, dy, z) => mul(dy, mul(log(replaceZero(x)), z)),
  ],
});

/**
 * Remainder with C `fmod` semantics (lax.rem): the result has the sign of x, and
 * `x - rem(x, y)` is `trunc(x / y)·y`. Integer `rem(x, 0)` is x (XLA), float gives NaN.
 * JVP (JAX): dx - dy·trunc(x/y).
 */
export const { prim: remP, fn: rem } = defineBinary("rem", {
  dtypes: REAL_NUMERIC,
  jvpParts: [
    (_x, _y, dx) => dx,
    (x, y, dy) => {
      const q = div(x, y);
      return neg(mul(dy, mul(sign(q), floor(abs(q)))));
    },
  ],
});

/** atan2(x, y): the angle of the point (y, x), in (-π, π]. */
export const { prim: atan2P, fn: atan2 } = defineBinary("atan2", {
  dtypes: REAL_FLOAT,
  jvpParts: [
    (x, y, dx) => mul(dx, div(y, add(square(x), square(y)))),
    (x, y, dy) => mul(dy, div(neg(x), add(square(x), square(y)))),
  ],
});

/**
 * The next float32 after x in the direction of y (subnormals included). Like JAX, it has no
 * derivative rule: differentiating it raises NotImplementedError.
 */
export const { prim: nextafterP, fn: nextafter } = defineBinary("nextafter", { dtypes: REAL_FLOAT });
