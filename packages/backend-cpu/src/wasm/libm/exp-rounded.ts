/**
 * Fast four-lane float32 `exp` and `logistic` with exactly the reference's float32 results, by the
 * same strategy as tanh-rounded.ts: a cheap float64 value accurate to about 2^-50 — e^x = 2^k·e^r
 * with k = round(x/ln 2), r = x − k·ln 2 (two-part ln 2, |r| ≤ 0.347) and e^r by its Taylor
 * polynomial to degree 12 (truncation < 2^-52) — rounded to float32 unless it lies within 2^12
 * float64 ulps of a float32 rounding midpoint; then the exact fdlibm form decides. Lanes with NaN
 * or |x| ≥ 87 (where float32 results overflow or turn subnormal) take the exact form too.
 * `logistic` is the reference's 1/(1+e^−x) (x ≥ 0) or e^x/(1+e^x) on that e. Both are checked
 * over all 2^32 float32 inputs (scratch/tanh-exhaustive.ts exp|logistic).
 */
import type { LibDef } from "./library.ts";
import type { Body, Ex } from "./scalar-dsl.ts";
import { INV_FACT, reduceLn2, roundedF32x4 } from "./rounded-f32x4.ts";
import { pow2, vadd, vdiv, vge, vmul, vneg, vselect } from "./vector-dsl.ts";

/** e^x for |x| < 87 to within 2^-50, two lanes. */
function expApprox(b: Body, x: Ex): Ex {
  const { k, r } = reduceLn2(b, x);
  const p = INV_FACT.slice(0, -1).reduceRight<Ex>(
    (acc, c) => vadd(c, vmul(r, acc)),
    vmul(r, INV_FACT[INV_FACT.length - 1]),
  );
  return vmul(p, pow2(k));
}

export const EXP_ROUNDED: Readonly<Record<string, LibDef>> = {
  "exp.f32x4": roundedF32x4("exp.f64x2", 87, expApprox),
  "logistic.f32x4": roundedF32x4("logistic.f64x2", 87, (b, x) => {
    const pos = b.let(vge(x, 0));
    const e = b.let(expApprox(b, vselect(pos, vneg(x), x)));
    return vdiv(vselect(pos, 1, e), vadd(1, e));
  }),
};
