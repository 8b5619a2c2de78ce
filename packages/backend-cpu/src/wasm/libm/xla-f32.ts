/**
 * XLA:CPU's own float32 `log`, `log1p`, `erf` and `erfInv` in WebAssembly — the same algorithms,
 * operation for operation, as core's random/xla-f32-math.ts (the reference kernels' functions,
 * which reproduce XLA bit for bit so that JAX's samplers match). Their fused multiply-adds are
 * exact float32 FMAs: the product of two float32 values is exact in float64, the float64 sum is
 * rounded *to odd* (nudged one ulp toward the exact sum whenever it was inexact and landed on an
 * even significand), and that rounds to the correctly rounded float32 — round-to-odd at 53 bits
 * followed by round-to-nearest at 24 bits is exact (Boldo & Melquiond, 2008).
 */
import { xlaF32 } from "@linax-ts/core";
import type { LibDef } from "./library.ts";
import {
  abs,
  add,
  and,
  bitsOf,
  call,
  demote,
  div,
  eq,
  f32OfI32,
  floatOf,
  ge,
  lit,
  lt,
  mul,
  ne,
  neg,
  or,
  promote,
  select,
  shr,
  shru,
  sqrt,
  sub,
  xor,
  type Ex,
} from "./scalar-dsl.ts";

const f32 = Math.fround;
const {
  F32_TINY,
  LOG_P,
  LOG_Q1,
  LOG_Q2,
  SQRT_HALF,
  LOG1P_DEN,
  LOG1P_NUM,
  ERF_ALPHA,
  ERF_BETA,
  ERFINV_LT5,
  ERFINV_GE5,
} = xlaF32;

/** Exact float32 a·b + c. */
const fmaF32: LibDef = {
  params: ["f32", "f32", "f32"],
  result: "f32",
  build(b) {
    const p = b.let(mul(promote(b.param(0, "f32")), promote(b.param(1, "f32")))); // exact
    const cc = b.let(promote(b.param(2, "f32")));
    const s = b.let(add(p, cc));
    const bb = b.let(sub(s, p));
    const err = b.let(add(sub(p, sub(s, bb)), sub(cc, bb))); // TwoSum: s + err = p + c exactly
    const bits = b.let(bitsOf(s));
    // Inexact, even, finite: step one ulp toward the exact value (+1 when err has s's sign).
    const toOdd = and(and(ne(err, 0), eq(and(bits, lit("i64", 1)), lit("i64", 0))), lt(abs(s), Infinity));
    b.if(toOdd, () => b.set(s, floatOf(add(bits, or(shr(xor(bits, bitsOf(err)), lit("i64", 63)), lit("i64", 1))))));
    b.ret(demote(s), "f32");
  },
};

/** a·b + c with exact float32 rounding (a call of fmaF32). */
const fma = (fn: (name: string) => number, a: Ex | number, bb: Ex | number, c: Ex | number): Ex =>
  call(fn("fmaF32"), "f32", ...[a, bb, c].map((v) => (typeof v === "number" ? lit("f32", v) : v)));

/** p = c[0]; p = fma(p, w, c[i]) for the rest: Horner's rule with FMA. */
const hornerFma = (fn: (name: string) => number, w: Ex, cs: readonly number[]): Ex =>
  cs.slice(1).reduce<Ex>((p, ci) => fma(fn, p, w, ci), lit("f32", cs[0]));

/** XLA's `GenerateVF32Log` (see core's logF32). */
const logF32: LibDef = {
  params: ["f32"],
  result: "f32",
  deps: ["fmaF32"],
  build(b, fn) {
    const x = b.param(0, "f32");
    b.if(or(ne(x, x), lt(x, 0)), () => b.ret(NaN, "f32"));
    b.if(eq(x, 0), () => b.ret(-Infinity, "f32"));
    b.if(eq(x, Infinity), () => b.ret(Infinity, "f32"));
    const xb = b.let(bitsOf(select(lt(x, F32_TINY), lit("f32", F32_TINY), x)));
    const e = b.let(f32OfI32(add(1, sub(shru(xb, 23), 0x7f))));
    const t = b.let(floatOf(or(and(xb, 0x807fffff | 0), 0x3f000000)));
    const small = b.let(lt(t, SQRT_HALF));
    const t1 = b.let(select(small, t, lit("f32", 0)));
    b.set(t, sub(t, 1));
    b.if(small, () => b.set(e, sub(e, 1)));
    b.set(t, add(t, t1));
    const x2 = b.let(mul(t, t));
    const x3 = b.let(mul(x2, t));
    const y = b.let(fma(fn, t, LOG_P[0], LOG_P[1]));
    const y1 = b.let(fma(fn, t, LOG_P[3], LOG_P[4]));
    const y2 = b.let(fma(fn, t, LOG_P[6], LOG_P[7]));
    b.set(y, fma(fn, y, t, LOG_P[2]));
    b.set(y1, fma(fn, y1, t, LOG_P[5]));
    b.set(y2, fma(fn, y2, t, LOG_P[8]));
    b.set(y, fma(fn, y, x3, y1));
    b.set(y, fma(fn, y, x3, y2));
    b.set(y, fma(fn, y, x3, mul(LOG_Q1, e)));
    b.set(t, fma(fn, f32(-0.5), x2, t));
    b.ret(fma(fn, LOG_Q2, e, add(t, y)), "f32");
  },
};

/** XLA's `Log1p` (see core's log1pF32). */
const log1pF32: LibDef = {
  params: ["f32"],
  result: "f32",
  deps: ["fmaF32", "logF32"],
  build(b, fn) {
    const x = b.param(0, "f32");
    // !(|x| < sqrt(2) − 1), NaN included: log(1 + x).
    b.if(eq(lt(promote(abs(x)), 0.4142135623730950488), 0), () => b.ret(call(fn("logF32"), "f32", add(x, 1)), "f32"));
    const x2 = b.let(mul(x, x));
    const den = b.let(hornerFma(fn, x, LOG1P_DEN));
    const num = b.let(hornerFma(fn, x, LOG1P_NUM));
    const r = b.let(mul(mul(x, x2), div(num, den)));
    b.ret(add(x, fma(fn, f32(-0.5), x2, r)), "f32");
  },
};

/** The polynomial fma(x2, p, c) nesting of erfF32 (x² first): p = fma(x2, a0, a1), then p = fma(x2, p, a_i). */
const erfPoly = (fn: (name: string) => number, x2: Ex, cs: readonly number[]): Ex =>
  cs.slice(2).reduce<Ex>((p, ci) => fma(fn, x2, p, ci), fma(fn, x2, cs[0], cs[1]));

/** XLA's `EmitErfF32` (see core's erfF32). */
const erfF32: LibDef = {
  params: ["f32"],
  result: "f32",
  deps: ["fmaF32"],
  build(b, fn) {
    const x = b.param(0, "f32");
    b.if(ge(abs(x), f32(3.832506856900711)), () => b.ret(select(lt(0, x), lit("f32", 1), lit("f32", -1)), "f32"));
    const x2 = b.let(mul(x, x));
    const p = b.let(mul(x, erfPoly(fn, x2, ERF_ALPHA)));
    const q = b.let(erfPoly(fn, x2, ERF_BETA));
    b.ret(div(p, q), "f32");
  },
};

/** XLA's `ErfInv32` (see core's erfInvF32). */
const erfInvF32: LibDef = {
  params: ["f32"],
  result: "f32",
  deps: ["fmaF32", "log1pF32"],
  build(b, fn) {
    const x = b.param(0, "f32");
    b.if(eq(abs(x), 1), () => b.ret(mul(x, Infinity), "f32"));
    const w = b.let(neg(call(fn("log1pF32"), "f32", neg(mul(x, x)))));
    b.if(
      lt(w, 5),
      () => {
        b.set(w, sub(w, 2.5));
        b.ret(mul(hornerFma(fn, w, ERFINV_LT5), x), "f32");
      },
      () => {
        b.set(w, sub(sqrt(w), 3));
        b.ret(mul(hornerFma(fn, w, ERFINV_GE5), x), "f32");
      },
    );
  },
};

/** The (f64) → f64 form kernels call: the float32 routine on the (float32) argument. */
const viaF32 = (name: string): LibDef => ({
  params: ["f64"],
  result: "f64",
  deps: [name],
  build(b, fn) {
    b.ret(promote(call(fn(name), "f32", demote(b.param(0, "f64")))));
  },
});

/** The XLA float32 routines, and the kernel-facing forms by op name. */
export const XLA_F32: Readonly<Record<string, LibDef>> = {
  fmaF32,
  logF32,
  log1pF32,
  erfF32,
  erfInvF32,
  log: viaF32("logF32"),
  log1p: viaF32("log1pF32"),
  erf: viaF32("erfF32"),
  erfInv: viaF32("erfInvF32"),
};
