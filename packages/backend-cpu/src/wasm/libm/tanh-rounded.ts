/**
 * A fast four-lane float32 `tanh` that still returns exactly the reference's float32 results
 * (`Math.fround(Math.tanh(x))`), by Ziv's strategy: compute tanh in float64 with a cheap formula
 * accurate to about 2^-45, and round it to float32 — unless the float64 value lies within 2^12
 * float64 ulps (2^-40 relative) of a float32 rounding midpoint, in which case the exact routine
 * (fdlibm, tanh.f64x2) decides. Away from midpoints, the true value, fdlibm's (< 1 ulp) and this
 * one (< 2^6 ulps) all round to the same float32. The inputs are float32 values, so the claim is
 * checked over all 2^32 of them (scratch/tanh-exhaustive.ts; the test samples them).
 *
 * The formula: tanh|x| = −e/(2 + e) with e = expm1(−2|x|) = 2^k·(1 + p) − 1, where k = round(−2|x|/ln 2),
 * r = −2|x| − k·ln 2 (two-part ln 2; |r| ≤ 0.347) and p = expm1(r) by its Taylor polynomial to
 * degree 12 (truncation < 2^-51 relative). For k = 0 that is e = p; for k < 0, e ∈ (−1, −0.29]
 * and 2^k·p + (2^k − 1) has no cancellation. |x| < 2^-28 gives x (as fdlibm); lanes with NaN,
 * ±inf or |x| ≥ 22 go to the exact routine. The rounding test is rounded-f32x4.ts's.
 */
import type { LibDef } from "./library.ts";
import type { Body, Ex } from "./scalar-dsl.ts";
import { TWO_M28 } from "./fdlibm-exp-simd.ts";
import { INV_FACT, reduceLn2, roundedF32x4 } from "./rounded-f32x4.ts";
import { pow2, signMask, vabs, vadd, vdiv, vlt, vmul, vneg, vselect, vsub } from "./vector-dsl.ts";

/** tanh of two float32 lanes (exact in float64) to within 2^-45. */
function tanhApprox(b: Body, x: Ex): Ex {
  const ax = b.let(vabs(x));
  const { k, r } = reduceLn2(b, b.let(vmul(-2, ax)));
  // p = expm1(r) = r·(1 + r·(1/2! + r·(1/3! + … + r/12!))).
  const cs = INV_FACT.slice(1);
  const poly = cs.slice(0, -1).reduceRight<Ex>((acc, c) => vadd(c, vmul(r, acc)), vmul(r, cs[cs.length - 1]));
  const p = b.let(vmul(r, poly));
  const twok = b.let(pow2(k));
  const e = b.let(vadd(vmul(twok, p), vsub(twok, 1)));
  const t = vdiv(vneg(e), vadd(2, e));
  const z = b.let(vselect(vlt(ax, TWO_M28), ax, t));
  return vselect(signMask(x), vneg(z), z);
}

/** The kernels' float32 tanh: exact results, mostly at the cost of a polynomial. */
export const TANH_ROUNDED: Readonly<Record<string, LibDef>> = {
  "tanh.f32x4": roundedF32x4("tanh.f64x2", 22, tanhApprox),
};
