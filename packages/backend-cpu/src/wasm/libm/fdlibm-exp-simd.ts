/**
 * Two-lane (f64x2) forms of the fdlibm routines in fdlibm-exp.ts, and the four-lane float32 forms
 * kernels call: the same operations in the same order on each lane, with fdlibm's branches turned
 * into lane selects. Why the branch-free form is the same function:
 * - Argument reduction: fdlibm picks k = 0 when |x| < 0x3FD62E43·2^32 (its high-word test), k = ±1
 *   below 1.5 ln2, else k = (int)(x/ln2 ± 0.5). The general formula gives k = ±1 on the middle
 *   range too (x/ln2 ± 0.5 lies strictly between 1 and 2 there) with the same hi/lo (t·ln2_hi is
 *   exact for t = ±1), so only k = 0 is selected apart — and with k = 0, hi = x and lo = 0 make
 *   the k ≠ 0 result expression equal the k = 0 one operation for operation (x·c/(c−2) is the
 *   exact negation of x·c/(2−c)).
 * - expm1's five k-cases are all computed and selected by k.
 * - Lanes outside the ranges handled here (NaN, ±inf, |x| ≥ 708 for exp, ≥ 709 for expm1, x = 1
 *   for exp, which fdlibm special-cases) make the whole vector take the scalar routine, lane by
 *   lane — rare in practice, and exact by construction.
 * The tests compare these with the scalar routines and with `Math` on every lane.
 */
import type { LibDef } from "./library.ts";
import { EXP_P, EXPM1_Q, INV_LN2, LN2_HI, LN2_LO } from "./fdlibm-exp.ts";
import { call, type Ex } from "./scalar-dsl.ts";
import {
  anyTrue,
  demotePair,
  lane,
  pair,
  pow2,
  promoteHigh,
  promoteLow,
  signMask,
  splat,
  vabs,
  vadd,
  vdiv,
  veq,
  vge,
  vgt,
  vle,
  vlt,
  vmin,
  vmul,
  vneg,
  vnot,
  vor,
  vand,
  vselect,
  vsub,
  vtrunc,
} from "./vector-dsl.ts";

const HALF_LN2_WORD = 0.3465735912322998; // 0x3FD62E43 00000000: fdlibm reduces at and above it
export const TWO_M28 = 3.725290298461914e-9; // 0x3E300000 00000000
const TWO_M54 = 5.551115123125783e-17; // 0x3C900000 00000000
const MINUS_56_LN2_WORD = 38.81622314453125; // 0x4043687A 00000000

/** Horner's rule in fdlibm's nesting, lane-wise. */
const horner = (t: Ex, cs: readonly number[]): Ex =>
  cs.slice(0, -1).reduceRight<Ex>((acc, ci) => vadd(ci, vmul(t, acc)), splat(cs[cs.length - 1]));

/** Both lanes by the scalar routine `name`. */
const scalarLanes = (fn: (name: string) => number, name: string, x: Ex): Ex =>
  pair(call(fn(name), "f64", lane(x, 0)), call(fn(name), "f64", lane(x, 1)));

/** fdlibm's k for x (0 below its reduction threshold), as an integer-valued double. */
const reductionK = (x: Ex, ax: Ex): Ex =>
  vselect(vlt(ax, HALF_LN2_WORD), 0, vtrunc(vadd(vmul(INV_LN2, x), vselect(vlt(x, 0), -0.5, 0.5))));

const expX2: LibDef = {
  params: ["v128"],
  result: "v128",
  deps: ["exp"],
  build(b, fn) {
    const x = b.param(0, "v128");
    const ax = b.let(vabs(x));
    b.if(anyTrue(vor(vnot(vlt(ax, 708)), veq(x, 1))), () => b.ret(scalarLanes(fn, "exp", x), "v128"));
    const k = b.let(reductionK(x, ax));
    const hi = b.let(vsub(x, vmul(k, LN2_HI)));
    const lo = b.let(vmul(k, LN2_LO));
    const r = b.let(vsub(hi, lo));
    const t = b.let(vmul(r, r));
    const c = b.let(vsub(r, vmul(t, horner(t, EXP_P))));
    const y = vsub(1, vsub(vsub(lo, vdiv(vmul(r, c), vsub(2, c))), hi));
    b.ret(vselect(vlt(ax, TWO_M28), vadd(1, x), vmul(y, pow2(k))), "v128");
  },
};

const expm1X2: LibDef = {
  params: ["v128"],
  result: "v128",
  deps: ["expm1"],
  build(b, fn) {
    const x = b.param(0, "v128");
    const ax = b.let(vabs(x));
    b.if(anyTrue(vnot(vlt(ax, 709))), () => b.ret(scalarLanes(fn, "expm1", x), "v128"));
    const k = b.let(reductionK(x, ax));
    const hi = b.let(vsub(x, vmul(k, LN2_HI)));
    const lo = b.let(vmul(k, LN2_LO));
    const r = b.let(vsub(hi, lo));
    const c = b.let(vsub(vsub(hi, r), lo));
    const hfx = b.let(vmul(0.5, r));
    const hxs = b.let(vmul(r, hfx));
    const r1 = b.let(horner(hxs, EXPM1_Q));
    const t = b.let(vsub(3, vmul(r1, hfx)));
    const e = b.let(vmul(hxs, vdiv(vsub(r1, t), vsub(6, vmul(r, t)))));
    const e1 = b.let(vsub(vsub(vmul(r, vsub(e, c)), c), hxs));
    const twopk = b.let(pow2(k));
    const twomk = b.let(pow2(vneg(k)));
    const k0 = vsub(r, vsub(vmul(r, e), hxs));
    const km1 = vsub(vmul(0.5, vsub(r, e1)), 0.5);
    const k1 = vselect(vlt(r, -0.25), vmul(-2, vsub(e1, vadd(r, 0.5))), vadd(1, vmul(2, vsub(r, e1))));
    const kFar = vsub(vmul(vsub(1, vsub(e1, r)), twopk), 1);
    const kLt20 = vmul(vsub(vsub(1, twomk), vsub(e1, r)), twopk);
    const kGe20 = vmul(vadd(vsub(r, vadd(e1, twomk)), 1), twopk);
    const byK = vselect(
      veq(k, 0),
      k0,
      vselect(
        veq(k, -1),
        km1,
        vselect(veq(k, 1), k1, vselect(vor(vle(k, -2), vgt(k, 56)), kFar, vselect(vlt(k, 20), kLt20, kGe20))),
      ),
    );
    const small = vselect(vlt(ax, TWO_M54), x, byK);
    b.ret(vselect(vand(vge(ax, MINUS_56_LN2_WORD), vlt(x, 0)), -1, small), "v128");
  },
};

const tanhX2: LibDef = {
  params: ["v128"],
  result: "v128",
  deps: ["tanh", "expm1.f64x2"],
  build(b, fn) {
    const x = b.param(0, "v128");
    const ax = b.let(vabs(x));
    b.if(anyTrue(vnot(vlt(ax, Infinity))), () => b.ret(scalarLanes(fn, "tanh", x), "v128"));
    const ge1 = b.let(vge(ax, 1));
    const a = vmin(ax, 22); // lanes ≥ 22 give 1 whatever expm1 returns; this keeps them in its fast range
    const t = b.let(call(fn("expm1.f64x2"), "v128", vselect(ge1, vmul(2, a), vmul(-2, a))));
    // One division for both branches: q = 2/(t+2) (|x| ≥ 1, z = 1 − q) or −t/(t+2) (z = q).
    const q = b.let(vdiv(vselect(ge1, 2, vneg(t)), vadd(t, 2)));
    const z = vselect(ge1, vsub(1, q), q);
    const zz = b.let(vselect(vlt(ax, TWO_M28), ax, vselect(vge(ax, 22), 1, z)));
    b.ret(vselect(signMask(x), vneg(zz), zz), "v128");
  },
};

/** The reference kernel's logistic: 1/(1+e^−x) for x ≥ 0, else e^x/(1+e^x). */
const logisticX2: LibDef = {
  params: ["v128"],
  result: "v128",
  deps: ["exp.f64x2"],
  build(b, fn) {
    const x = b.param(0, "v128");
    const pos = b.let(vge(x, 0));
    const e = b.let(call(fn("exp.f64x2"), "v128", vselect(pos, vneg(x), x)));
    b.ret(vdiv(vselect(pos, 1, e), vadd(1, e)), "v128"); // one division: 1/(1+e) or e/(1+e)
  },
};

/** The f32x4 form of an f64x2 routine: both halves widened (exactly), computed, rounded once. */
const f32x4Of = (name: string): LibDef => ({
  params: ["v128"],
  result: "v128",
  deps: [name],
  build(b, fn) {
    const v = b.param(0, "v128");
    b.ret(demotePair(call(fn(name), "v128", promoteLow(v)), call(fn(name), "v128", promoteHigh(v))), "v128");
  },
});

/** The vector routines, by `<op>.f64x2` and the kernels' `<op>.f32x4`. */
export const FDLIBM_EXP_SIMD: Readonly<Record<string, LibDef>> = {
  "exp.f64x2": expX2,
  "expm1.f64x2": expm1X2,
  "tanh.f64x2": tanhX2,
  "logistic.f64x2": logisticX2,
  "exp.f32x4": f32x4Of("exp.f64x2"),
  "expm1.f32x4": f32x4Of("expm1.f64x2"),
  "tanh.f32x4": f32x4Of("tanh.f64x2"),
  "logistic.f32x4": f32x4Of("logistic.f64x2"),
};
