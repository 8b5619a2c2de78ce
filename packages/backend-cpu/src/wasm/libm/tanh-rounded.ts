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
 * ±inf or |x| ≥ 22 go to the exact routine.
 */
import type { LibDef } from "./library.ts";
import { call, type Ex } from "./scalar-dsl.ts";
import {
  anyTrue,
  demotePair,
  iabs64,
  iand,
  ilt64,
  isub64,
  pow2,
  promoteHigh,
  promoteLow,
  signMask,
  splatI64,
  vabs,
  vadd,
  vdiv,
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
const TWO_M28 = 3.725290298461914e-9;
/** 1/n! for n = 2…12: p = r·(1 + r·(1/2! + r·(1/3! + …))). */
const INV_FACT = [1, 0.5, 1 / 6, 1 / 24, 1 / 120, 1 / 720, 1 / 5040, 1 / 40320, 1 / 362880, 1 / 3628800, 1 / 39916800, 1 / 479001600];

/** Whether each lane's float64 value is within 2^12 ulps of a float32 rounding midpoint (low 29 bits near 0x10000000). */
export const nearMidpoint = (y: Ex): Ex => ilt64(iabs64(isub64(iand(y, splatI64(0x1fffffffn)), splatI64(0x10000000n))), splatI64(4096n));

const tanhRounded: LibDef = {
  params: ["v128"],
  result: "v128",
  deps: ["tanh.f64x2"],
  build(b, fn) {
    const v = b.param(0, "v128");
    /** tanh of two float32 lanes (exact in float64) to within 2^-45. */
    const approx = (x: Ex): Ex => {
      const ax = b.let(vabs(x));
      const a = b.let(vmul(-2, ax));
      const k = b.let(vnearest(vmul(a, INV_LN2)));
      const r = b.let(vsub(vsub(a, vmul(k, LN2_HI)), vmul(k, LN2_LO)));
      const poly = INV_FACT.slice(0, -1).reduceRight<Ex>((acc, c) => vadd(c, vmul(r, acc)), vmul(r, INV_FACT[INV_FACT.length - 1]));
      const p = b.let(vmul(r, poly));
      const twok = b.let(pow2(k));
      const e = b.let(vadd(vmul(twok, p), vsub(twok, 1)));
      const t = vdiv(vneg(e), vadd(2, e));
      const z = b.let(vselect(vlt(ax, TWO_M28), ax, t));
      return vselect(signMask(x), vneg(z), z);
    };
    const lo = b.let(promoteLow(v));
    const hi = b.let(promoteHigh(v));
    const yl = b.let(approx(lo));
    const yh = b.let(approx(hi));
    // Out of range (NaN, ±inf, |x| ≥ 22) or near a midpoint: the exact routine for the whole vector.
    const outOfRange = vor(vnot(vlt(vabs(lo), 22)), vnot(vlt(vabs(hi), 22)));
    b.if(anyTrue(vor(outOfRange, vor(nearMidpoint(yl), nearMidpoint(yh)))), () =>
      b.ret(demotePair(call(fn("tanh.f64x2"), "v128", lo), call(fn("tanh.f64x2"), "v128", hi)), "v128"),
    );
    b.ret(demotePair(yl, yh), "v128");
  },
};

/** The kernels' float32 tanh: exact results, mostly at the cost of a polynomial. */
export const TANH_ROUNDED: Readonly<Record<string, LibDef>> = { "tanh.f32x4": tanhRounded };
