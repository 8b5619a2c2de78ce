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
import { call, type Ex } from "./scalar-dsl.ts";
import { nearMidpoint } from "./tanh-rounded.ts";
import {
  anyTrue,
  demotePair,
  pow2,
  promoteHigh,
  promoteLow,
  vabs,
  vadd,
  vdiv,
  vge,
  vlt,
  vmul,
  vnearest,
  vneg,
  vnot,
  vor,
  vselect,
  vsub,
} from "./vector-dsl.ts";

const LN2_HI = 6.9314718036912381649e-1;
const LN2_LO = 1.90821492927058770002e-10;
const INV_LN2 = 1.442695040888963387;
/** 1/n! for n = 0…12. */
const INV_FACT = [1, 1, 0.5, 1 / 6, 1 / 24, 1 / 120, 1 / 720, 1 / 5040, 1 / 40320, 1 / 362880, 1 / 3628800, 1 / 39916800, 1 / 479001600];

/** e^x for |x| < 87 to within 2^-50, two lanes. */
function expApprox(b: Parameters<LibDef["build"]>[0], x: Ex): Ex {
  const k = b.let(vnearest(vmul(x, INV_LN2)));
  const r = b.let(vsub(vsub(x, vmul(k, LN2_HI)), vmul(k, LN2_LO)));
  const p = INV_FACT.slice(0, -1).reduceRight<Ex>((acc, c) => vadd(c, vmul(r, acc)), vmul(r, INV_FACT[INV_FACT.length - 1]));
  return vmul(p, pow2(k));
}

/** A float32x4 routine: `f` on both halves (exact float64 lanes), rounded once, with the exact routine `exact` where a lane is out of range or near a midpoint. */
const rounded = (exact: string, f: (b: Parameters<LibDef["build"]>[0], x: Ex) => Ex): LibDef => ({
  params: ["v128"],
  result: "v128",
  deps: [exact],
  build(b, fn) {
    const v = b.param(0, "v128");
    const lo = b.let(promoteLow(v));
    const hi = b.let(promoteHigh(v));
    const yl = b.let(f(b, lo));
    const yh = b.let(f(b, hi));
    const outOfRange = vor(vnot(vlt(vabs(lo), 87)), vnot(vlt(vabs(hi), 87)));
    b.if(anyTrue(vor(outOfRange, vor(nearMidpoint(yl), nearMidpoint(yh)))), () =>
      b.ret(demotePair(call(fn(exact), "v128", lo), call(fn(exact), "v128", hi)), "v128"),
    );
    b.ret(demotePair(yl, yh), "v128");
  },
});

export const EXP_ROUNDED: Readonly<Record<string, LibDef>> = {
  "exp.f32x4": rounded("exp.f64x2", expApprox),
  "logistic.f32x4": rounded("logistic.f64x2", (b, x) => {
    const pos = b.let(vge(x, 0));
    const e = b.let(expApprox(b, vselect(pos, vneg(x), x)));
    return vdiv(vselect(pos, 1, e), vadd(1, e));
  }),
};
