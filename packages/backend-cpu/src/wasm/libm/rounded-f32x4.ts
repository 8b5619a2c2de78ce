/**
 * The shared parts of the rounding-test routines (tanh-rounded.ts, exp-rounded.ts; Ziv's
 * strategy): a float64 approximation accurate to far better than 2^-40 is rounded to float32
 * unless it lies within 2^12 float64 ulps of a float32 rounding midpoint — then, and for lanes
 * outside the approximation's range, the exact f64x2 routine decides, so results equal the exact
 * routine's everywhere.
 */
import type { LibDef } from "./library.ts";
import { INV_LN2, LN2_HI, LN2_LO } from "./fdlibm-exp.ts";
import { call, type Body, type Ex } from "./scalar-dsl.ts";
import {
  anyTrue,
  demotePair,
  iabs64,
  iand,
  ilt64,
  isub64,
  promoteHigh,
  promoteLow,
  splatI64,
  vabs,
  vlt,
  vmul,
  vnearest,
  vnot,
  vor,
  vsub,
} from "./vector-dsl.ts";

/** 1/n! for n = 0…12 (Taylor coefficients of e^r). */
export const INV_FACT = [
  1,
  1,
  0.5,
  1 / 6,
  1 / 24,
  1 / 120,
  1 / 720,
  1 / 5040,
  1 / 40320,
  1 / 362880,
  1 / 3628800,
  1 / 39916800,
  1 / 479001600,
];

/** Whether each lane's float64 value is within 2^12 ulps of a float32 rounding midpoint (low 29 bits near 0x10000000). */
export const nearMidpoint = (y: Ex): Ex =>
  ilt64(iabs64(isub64(iand(y, splatI64(0x1fffffffn)), splatI64(0x10000000n))), splatI64(4096n));

/** x = k·ln 2 + r with k = round(x/ln 2) and r from the two-part ln 2 (|r| ≤ 0.347), two lanes. */
export function reduceLn2(b: Body, x: Ex): { k: Ex; r: Ex } {
  const k = b.let(vnearest(vmul(x, INV_LN2)));
  return { k, r: b.let(vsub(vsub(x, vmul(k, LN2_HI)), vmul(k, LN2_LO))) };
}

/**
 * A float32x4 routine: `approx` on both halves (exact float64 lanes), rounded once — or the exact
 * f64x2 routine `exact` for the whole vector when a lane has |x| ≥ `limit` (or NaN) or is near a midpoint.
 */
export const roundedF32x4 = (exact: string, limit: number, approx: (b: Body, x: Ex) => Ex): LibDef => ({
  params: ["v128"],
  result: "v128",
  deps: [exact],
  build(b, fn) {
    const v = b.param(0, "v128");
    const lo = b.let(promoteLow(v));
    const hi = b.let(promoteHigh(v));
    const yl = b.let(approx(b, lo));
    const yh = b.let(approx(b, hi));
    const outOfRange = vor(vnot(vlt(vabs(lo), limit)), vnot(vlt(vabs(hi), limit)));
    b.if(anyTrue(vor(outOfRange, vor(nearMidpoint(yl), nearMidpoint(yh)))), () =>
      b.ret(demotePair(call(fn(exact), "v128", lo), call(fn(exact), "v128", hi)), "v128"),
    );
    b.ret(demotePair(yl, yh), "v128");
  },
});
