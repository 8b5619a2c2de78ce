/**
 * `exp`, `expm1`, `tanh`, `sinh` and `cosh` in float64, transcribing the algorithms of fdlibm
 * (Sun Microsystems, 1993; "Permission to use, copy, modify, and distribute this software is
 * freely granted, provided that this notice is preserved") as V8 ships them in
 * src/base/ieee754.cc — the functions behind `Math.exp`, `Math.expm1`, `Math.tanh`, `Math.sinh`
 * and `Math.cosh`. Written operation for operation in the same order, they return the same bits
 * as those `Math` functions (the tests compare them over random doubles and every float32 class),
 * so compiled kernels keep the reference kernels' results while running in WebAssembly, on any
 * thread, without a call into JS per element.
 *
 * The comments name fdlibm's steps; see its sources for the error analysis (< 1 ulp).
 */
import type { LibDef } from "./library.ts";
import {
  abs,
  add,
  and,
  call,
  div,
  eq,
  eqz,
  f64OfI32,
  fromHighWord,
  ge,
  geu,
  gt,
  highWord,
  i32OfF64,
  le,
  lit,
  lowWord,
  lt,
  mul,
  ne,
  neg,
  or,
  select,
  shl,
  shr,
  shru,
  sub,
  type Ex,
} from "./scalar-dsl.ts";

export const LN2_HI = 6.9314718036912381649e-1; // 0x3FE62E42 FEE00000
export const LN2_LO = 1.90821492927058770002e-10; // 0x3DEA39EF 35793C76
export const INV_LN2 = 1.442695040888963387; // 0x3FF71547 652B82FE
const O_THRESHOLD = 7.09782712893383973096e2; // 0x40862E42 FEFA39EF
const U_THRESHOLD = -7.4513321910194110842e2; // 0xC0874910 D52D3051
const TWO_1023 = 8.988465674311579539e307; // 2^1023
const TWO_M1000 = 9.3326361850321887899e-302; // 2^-1000

/** Horner's rule: c0 + t·(c1 + t·(c2 + …)), in fdlibm's nesting. */
const horner = (t: Ex, cs: readonly number[]): Ex =>
  cs.slice(0, -1).reduceRight<Ex | number>((acc, ci) => add(ci, mul(t, acc)), cs[cs.length - 1]) as Ex;

// exp: R(r²) ≈ 2 + P1 r² + … + P5 r¹⁰ on [0, 0.34658].
export const EXP_P = [
  1.66666666666666019037e-1, -2.77777777770155933842e-3, 6.61375632143793436117e-5, -1.6533902205465251539e-6,
  4.13813679705723846039e-8,
];

const exp: LibDef = {
  params: ["f64"],
  result: "f64",
  build(b) {
    const x = b.param(0, "f64");
    const hx0 = b.let(highWord(x));
    const xsb = b.let(and(shru(hx0, 31), 1)); // sign bit
    const hx = b.let(and(hx0, 0x7fffffff)); // high word of |x|
    // Non-finite, overflow and underflow.
    b.if(geu(hx, 0x40862e42), () => {
      b.if(geu(hx, 0x7ff00000), () => {
        b.if(ne(or(and(hx, 0xfffff), lowWord(x)), 0), () => b.ret(add(x, x))); // NaN
        b.ret(select(eqz(xsb), x, 0)); // exp(±inf) = inf, 0
      });
      b.if(gt(x, O_THRESHOLD), () => b.ret(Infinity));
      b.if(lt(x, U_THRESHOLD), () => b.ret(0));
    });
    // Argument reduction: x = k·ln2 + (hi − lo).
    const hi = b.var("f64");
    const lo = b.var("f64");
    const k = b.var("i32");
    b.if(
      gt(hx, 0x3fd62e42), // |x| > 0.5 ln2
      () => {
        b.if(
          lt(hx, 0x3ff0a2b2), // and |x| < 1.5 ln2
          () => {
            b.if(eq(x, 1), () => b.ret(2.718281828459045)); // fdlibm returns E itself here
            b.set(hi, sub(x, select(xsb, -LN2_HI, LN2_HI)));
            b.set(lo, select(xsb, -LN2_LO, LN2_LO));
            b.set(k, sub(1, add(xsb, xsb)));
          },
          () => {
            b.set(k, i32OfF64(add(mul(INV_LN2, x), select(xsb, -0.5, 0.5))));
            const t = b.let(f64OfI32(k));
            b.set(hi, sub(x, mul(t, LN2_HI))); // exact
            b.set(lo, mul(t, LN2_LO));
          },
        );
        b.set(x, sub(hi, lo));
      },
      () => b.if(lt(hx, 0x3e300000), () => b.ret(add(1, x))), // |x| < 2^-28
    );
    // x is now in the primary range.
    const t = b.let(mul(x, x));
    const twopk = b.let(fromHighWord(add(0x3ff00000, shl(select(ge(k, -1021), k, add(k, 1000)), 20))));
    const c = b.let(sub(x, mul(t, horner(t, EXP_P))));
    b.if(eqz(k), () => b.ret(sub(1, sub(div(mul(x, c), sub(c, 2)), x))));
    const y = b.let(sub(1, sub(sub(lo, div(mul(x, c), sub(2, c))), hi)));
    b.if(ge(k, -1021), () => {
      b.if(eq(k, 1024), () => b.ret(mul(mul(y, 2), TWO_1023)));
      b.ret(mul(y, twopk));
    });
    b.ret(mul(mul(y, twopk), TWO_M1000));
  },
};

// expm1: R1(z) ≈ 1 + Q1 z + … + Q5 z⁵ with z = x²/2 (Q scaled by 2^i).
export const EXPM1_Q = [
  1, -3.33333333333331316428e-2, 1.58730158725481460165e-3, -7.93650757867487942473e-5, 4.00821782732936239552e-6,
  -2.01099218183624371326e-7,
];

const expm1: LibDef = {
  params: ["f64"],
  result: "f64",
  build(b) {
    const x = b.param(0, "f64");
    const hx0 = b.let(highWord(x));
    const xsb = b.let(and(hx0, 0x80000000 | 0)); // sign bit of x
    const hx = b.let(and(hx0, 0x7fffffff));
    const pos = eqz(xsb);
    // Huge and non-finite arguments.
    b.if(geu(hx, 0x4043687a), () => {
      // |x| ≥ 56 ln2
      b.if(geu(hx, 0x40862e42), () => {
        b.if(geu(hx, 0x7ff00000), () => {
          b.if(ne(or(and(hx, 0xfffff), lowWord(x)), 0), () => b.ret(add(x, x))); // NaN
          b.ret(select(pos, x, -1)); // expm1(±inf) = inf, −1
        });
        b.if(gt(x, O_THRESHOLD), () => b.ret(Infinity));
      });
      b.if(ne(xsb, 0), () => b.ret(-1)); // x < −56 ln2: tiny − 1 rounds to −1
    });
    // Argument reduction.
    const hi = b.var("f64");
    const lo = b.var("f64");
    const k = b.var("i32");
    const c = b.var("f64");
    b.if(
      gt(hx, 0x3fd62e42), // |x| > 0.5 ln2
      () => {
        b.if(
          lt(hx, 0x3ff0a2b2), // and |x| < 1.5 ln2
          () => {
            b.set(hi, select(pos, sub(x, LN2_HI), add(x, LN2_HI)));
            b.set(lo, select(pos, LN2_LO, -LN2_LO));
            b.set(k, select(pos, lit("i32", 1), lit("i32", -1)));
          },
          () => {
            b.set(k, i32OfF64(add(mul(INV_LN2, x), select(pos, 0.5, -0.5))));
            const t = b.let(f64OfI32(k));
            b.set(hi, sub(x, mul(t, LN2_HI))); // exact
            b.set(lo, mul(t, LN2_LO));
          },
        );
        b.set(x, sub(hi, lo));
        b.set(c, sub(sub(hi, x), lo));
      },
      () => b.if(lt(hx, 0x3c900000), () => b.ret(x)), // |x| < 2^-54
    );
    // x is now in the primary range.
    const hfx = b.let(mul(0.5, x));
    const hxs = b.let(mul(x, hfx));
    const r1 = b.let(horner(hxs, EXPM1_Q));
    const t = b.let(sub(3, mul(r1, hfx)));
    const e = b.let(mul(hxs, div(sub(r1, t), sub(6, mul(x, t)))));
    b.if(eqz(k), () => b.ret(sub(x, sub(mul(x, e), hxs)))); // c is 0
    const twopk = b.let(fromHighWord(add(0x3ff00000, shl(k, 20))));
    b.set(e, sub(mul(x, sub(e, c)), c));
    b.set(e, sub(e, hxs));
    b.if(eq(k, -1), () => b.ret(sub(mul(0.5, sub(x, e)), 0.5)));
    b.if(eq(k, 1), () => {
      b.if(lt(x, -0.25), () => b.ret(mul(-2, sub(e, add(x, 0.5)))));
      b.ret(add(1, mul(2, sub(x, e))));
    });
    b.if(or(le(k, -2), gt(k, 56)), () => {
      // Enough to return exp(x) − 1.
      const y = b.let(sub(1, sub(e, x)));
      b.if(eq(k, 1024), () => b.ret(sub(mul(mul(y, 2), TWO_1023), 1)));
      b.ret(sub(mul(y, twopk), 1));
    });
    b.if(lt(k, 20), () => {
      const t1 = fromHighWord(sub(0x3ff00000, shr(0x200000, k))); // 1 − 2^−k
      b.ret(mul(sub(t1, sub(e, x)), twopk));
    });
    const t2 = fromHighWord(shl(sub(0x3ff, k), 20)); // 2^−k
    b.ret(mul(add(sub(x, add(e, t2)), 1), twopk));
  },
};

const tanh: LibDef = {
  params: ["f64"],
  result: "f64",
  deps: ["expm1"],
  build(b, fn) {
    const x = b.param(0, "f64");
    const jx = b.let(highWord(x));
    const ix = b.let(and(jx, 0x7fffffff));
    // ±inf → ±1, NaN → NaN.
    b.if(geu(ix, 0x7ff00000), () => b.ret(select(ge(jx, 0), add(div(1, x), 1), sub(div(1, x), 1))));
    const z = b.var("f64");
    b.if(
      lt(ix, 0x40360000), // |x| < 22
      () => {
        b.if(lt(ix, 0x3e300000), () => b.ret(x)); // |x| < 2^-28: tanh(x) = x
        b.if(
          ge(ix, 0x3ff00000), // |x| ≥ 1
          () => {
            const t = b.let(call(fn("expm1"), "f64", mul(2, abs(x))));
            b.set(z, sub(1, div(2, add(t, 2))));
          },
          () => {
            const t = b.let(call(fn("expm1"), "f64", mul(-2, abs(x))));
            b.set(z, div(neg(t), add(t, 2)));
          },
        );
      },
      () => b.set(z, 1), // |x| ≥ 22: 1 − tiny rounds to 1
    );
    b.ret(select(ge(jx, 0), z, neg(z)));
  },
};

const KHYP_OVERFLOW = 710.4758600739439;
const LOG_MAXD = 709.7822265625; // 0x40862E42 00000000

const sinh: LibDef = {
  params: ["f64"],
  result: "f64",
  deps: ["exp", "expm1"],
  build(b, fn) {
    const x = b.param(0, "f64");
    const h = b.let(select(lt(x, 0), -0.5, 0.5));
    const ax = b.let(abs(x));
    b.if(lt(ax, 22), () => {
      b.if(lt(ax, 3.725290298461914e-9), () => b.ret(x)); // |x| < 2^-28
      const t = b.let(call(fn("expm1"), "f64", ax));
      b.if(lt(ax, 1), () => b.ret(mul(h, sub(mul(2, t), div(mul(t, t), add(t, 1))))));
      b.ret(mul(h, add(t, div(t, add(t, 1)))));
    });
    b.if(lt(ax, LOG_MAXD), () => b.ret(mul(h, call(fn("exp"), "f64", ax))));
    b.if(le(ax, KHYP_OVERFLOW), () => {
      const w = b.let(call(fn("exp"), "f64", mul(0.5, ax)));
      b.ret(mul(mul(h, w), w));
    });
    b.ret(mul(x, 1e307)); // overflow to ±inf, or NaN
  },
};

const cosh: LibDef = {
  params: ["f64"],
  result: "f64",
  deps: ["exp", "expm1"],
  build(b, fn) {
    const x = b.param(0, "f64");
    const ix = b.let(and(highWord(x), 0x7fffffff));
    b.if(lt(ix, 0x3fd62e43), () => {
      // |x| ≤ 0.5 ln2: 1 + expm1(|x|)² / (2 exp(|x|))
      const t = b.let(call(fn("expm1"), "f64", abs(x)));
      const w = b.let(add(1, t));
      b.if(lt(ix, 0x3c800000), () => b.ret(w));
      b.ret(add(1, div(mul(t, t), add(w, w))));
    });
    b.if(lt(ix, 0x40360000), () => {
      const t = b.let(call(fn("exp"), "f64", abs(x)));
      b.ret(add(mul(0.5, t), div(0.5, t)));
    });
    b.if(lt(ix, 0x40862e42), () => b.ret(mul(0.5, call(fn("exp"), "f64", abs(x)))));
    b.if(le(abs(x), KHYP_OVERFLOW), () => {
      const w = b.let(call(fn("exp"), "f64", mul(0.5, abs(x))));
      b.ret(mul(mul(0.5, w), w));
    });
    b.if(geu(ix, 0x7ff00000), () => b.ret(mul(x, x)));
    b.ret(Infinity);
  },
};

/** fdlibm's exponential family, by the name of the `Math` function each one matches. */
export const FDLIBM_EXP: Readonly<Record<string, LibDef>> = { exp, expm1, tanh, sinh, cosh };
