/**
 * float32 `sin` and `cos` that return exactly the reference kernels' results,
 * `Math.fround(Math.sin(x))` / `Math.fround(Math.cos(x))`, for every float32 x — in WebAssembly,
 * so a kernel using them makes no call into JS and can run on the worker threads.
 *
 * Ziv's strategy, as tanh-rounded.ts: a cheap float64 value accurate to about 2^-50 relative is
 * rounded to float32 unless it lies within 2^12 float64 ulps of a float32 rounding midpoint.
 * Away from midpoints the true value, V8's `Math.sin` (< 1 ulp) and this value all round to the
 * same float32. Near a midpoint (about one input in 2^16), an accurate path decides: an exact
 * Payne–Hanek reduction of x·(2/π) mod 4 and a double-double Taylor evaluation (about 2^-65
 * relative), then correct rounding of the double-double. Where V8's float64 result itself rounds
 * differently from the correctly rounded value (its double lies within an ulp or so of a float32
 * midpoint), the reference is, by definition, what V8 gives: those few inputs are listed in
 * SIN_EXCEPTIONS / COS_EXCEPTIONS, found by the exhaustive scan over all 2^32 float32 inputs
 * (scratch/sincos-exhaustive.ts), each one confirmed to be such a double-rounding case.
 *
 * Fast path (|x| < 2^19): k = round(x·2/π), r = x − k·π/2 with fdlibm's three-part π/2 (the first
 * two parts have 33 bits, so k·P1 and k·P2 are exact and x − k·P1 is exact), then fdlibm's
 * __kernel_sin/__kernel_cos polynomials on r. Larger |x| (and NaN, ±inf) take the accurate path.
 *
 * Accurate reduction: x (24-bit significand) times each 24-bit chunk of 2/π (fdlibm's ipio2
 * table) is exact in float64, and so is each product reduced mod 4; their sum mod 4 is kept as a
 * double-double, whose nearest integer gives the quadrant and whose remainder times π/2
 * (double-double) gives r. Of eleven chunks (264 bits of 2/π) those that can matter at x's exponent
 * are summed, leaving < 2^-100 of error for x < 2^128.
 */
import type { LibDef } from "./library.ts";
import {
  abs,
  add,
  and,
  bitsOf,
  call,
  demote,
  eq,
  floatOf,
  ge,
  gt,
  highWord,
  i32OfF64,
  lit,
  lt,
  ltu,
  mul,
  ne,
  neg,
  promote,
  shr,
  select,
  sub,
  type Body,
  type Ex,
  type Var,
} from "./scalar-dsl.ts";
import {
  anyTrue,
  demotePair,
  lane,
  pair,
  promoteHigh,
  promoteLow,
  splat,
  vabs,
  vadd,
  veq,
  vge,
  vlt,
  vmul,
  vneg,
  vnot,
  vor,
  vselect,
  vsub,
} from "./vector-dsl.ts";
import { nearMidpoint } from "./rounded-f32x4.ts";

const f64op =
  (opcode: number) =>
  (a: Ex): Ex => ({ t: "f64", emit: (c) => void (a.emit(c), c.op(opcode)) });
/** Round to nearest integer, ties to even (f64.nearest). */
const nearest = f64op(0x9e);
const vfloor = (a: Ex): Ex => ({ t: "v128", emit: (c) => void (a.emit(c), c.simd(0x75)) });

// fdlibm's π/2 in three parts (pio2_1, pio2_2: 33 bits each; pio2_2t the rest) and 2/π.
export const INV_PIO2 = 6.36619772367581382433e-1;
export const PIO2_1 = 1.57079632673412561417;
export const PIO2_2 = 6.0771005063039659766e-11;
export const PIO2_2T = 2.02226624879595063154e-21;
/** The fast path's range: k < 2^19 keeps k·PIO2_1 and k·PIO2_2 exact. */
const FAST_LIMIT = 524288;
/** Below this, fround(sin x) = x and fround(cos x) = 1 (x³/6 < 2^-30·|x|, x²/2 < 2^-29). */
const TINY = 2 ** -14;

// fdlibm __kernel_sin / __kernel_cos coefficients (|r| ≤ π/4).
const S = [
  -1.66666666666666324348e-1, 8.33333333332248946124e-3, -1.98412698298579493134e-4, 2.75573137070700676789e-6,
  -2.50507602534068634195e-8, 1.58969099521155010221e-10,
];
const C = [
  4.16666666666666019037e-2, -1.38888888888741095749e-3, 2.48015872894767294178e-5, -2.75573143513906633035e-7,
  2.0875723212981748279e-9, -1.13596475577881948265e-11,
];

/** 24-bit chunks of 2/π = Σ IPIO2[i]·2^(−24(i+1)) (fdlibm's ipio2; checked against a Machin-formula π in the test). */
export const IPIO2 = [
  0xa2f983, 0x6e4e44, 0x1529fc, 0x2757d1, 0xf534dd, 0xc0db62, 0x95993c, 0x439041, 0xfe5163, 0xabdebb, 0xc561b7,
];

/** The double-double nearest num/den (hi + lo, |lo| ≤ ulp(hi)/2), from exact integer arithmetic. */
export function ddOf(num: bigint, den: bigint): [number, number] {
  const hi = Number(num) / Number(den); // within a few ulps; lo takes the exact rest
  const e = Math.floor(Math.log2(Math.abs(hi))) - 60;
  // hi = m·2^e' exactly; scale everything by 2^P with P large enough for hi and lo.
  const P = 400;
  const scaled = (num << BigInt(P)) / den; // num/den·2^P, truncated (error 2^-P)
  const hiScaled = BigInt(hi * 2 ** -e) << BigInt(P + e); // hi·2^P, exact (hi·2^-e is an integer < 2^114)
  const lo = Number(scaled - hiScaled) / 2 ** P;
  return [hi, lo];
}
const factorial = (n: number): bigint => (n <= 1 ? 1n : BigInt(n) * factorial(n - 1));
/** (−1)^n / (2n+1)! and (−1)^n / (2n)! as double-doubles, n = 0…11 (truncation < 2^-80 at |r| ≤ 0.8). */
const SIN_DD = Array.from({ length: 12 }, (_, n) => ddOf(n % 2 ? -1n : 1n, factorial(2 * n + 1)));
const COS_DD = Array.from({ length: 12 }, (_, n) => ddOf(n % 2 ? -1n : 1n, factorial(2 * n)));
/** π/2 as a double-double. */
const PIO2_HI = 1.5707963267948966;
const PIO2_LO = 6.123233995736766e-17;

/**
 * Inputs (float32 bits) where V8's float64 `Math.sin`/`Math.cos` rounds to a float32 other than
 * the correctly rounded one, with the reference's float32 result — from the exhaustive scan
 * (each side of the midpoint checked with mpmath at 300 bits).
 */
export const SIN_EXCEPTIONS: ReadonlyArray<readonly [number, number]> = [
  // sin(9830.3984375): V8's double −0.34761326014995575 is exactly a float32 midpoint; ties-to-even
  // takes the float32 farther from zero, the true value lies just on the other side.
  [0x46199998, 0xbeb1fa5e],
  [0xc6199998, 0x3eb1fa5e],
];
export const COS_EXCEPTIONS: ReadonlyArray<readonly [number, number]> = [
  // cos(±1.100467763087514e19, float32 0x5f18b878): V8's double 0.9964101016521454 is exactly a
  // float32 midpoint; ties-to-even rounds up, the true value lies just below it.
  [0x5f18b878, 0x3f7f14bc],
  [0xdf18b878, 0x3f7f14bc],
  // cos(±1.7269983397793917e20, float32 0x6115cb11): V8's double 0.9690579473972321 is exactly a
  // midpoint; ties-to-even rounds down, the true value (0.9690579473972320701…) lies just above it.
  [0x6115cb11, 0x3f78142e],
  [0xe115cb11, 0x3f78142e],
];

type DD = readonly [Var, Var];

/** Exact a + b as hi + lo (Knuth's TwoSum). */
function twoSum(b: Body, x: Ex, y: Ex): DD {
  const s = b.let(add(x, y));
  const bb = b.let(sub(s, x));
  return [s, b.let(add(sub(x, sub(s, bb)), sub(y, bb)))];
}
/** Exact a + b as hi + lo for |a| ≥ |b|. */
function fastTwoSum(b: Body, x: Ex, y: Ex): DD {
  const s = b.let(add(x, y));
  return [s, b.let(sub(y, sub(s, x)))];
}
/** Veltkamp's split of a double into two 26-bit halves. */
function split(b: Body, x: Ex): [Var, Var] {
  const c = b.let(mul(134217729, x));
  const h = b.let(sub(c, sub(c, x)));
  return [h, b.let(sub(x, h))];
}
/** Exact x·y as hi + lo (Dekker; no FMA in WebAssembly). */
function twoProd(b: Body, x: Ex, y: Ex): DD {
  const p = b.let(mul(x, y));
  const [xh, xl] = split(b, x);
  const [yh, yl] = split(b, y);
  return [p, b.let(add(add(add(sub(mul(xh, yh), p), mul(xh, yl)), mul(xl, yh)), mul(xl, yl)))];
}
function ddMul(b: Body, x: DD, y: DD): DD {
  const [p, e] = twoProd(b, x[0], y[0]);
  return fastTwoSum(b, p, add(e, add(mul(x[0], y[1]), mul(x[1], y[0]))));
}
function ddAdd(b: Body, x: DD, y: DD): DD {
  const [s, e] = twoSum(b, x[0], y[0]);
  return fastTwoSum(b, s, add(e, add(x[1], y[1])));
}
const ddConst = (b: Body, [h, l]: readonly [number, number]): DD => [b.let(lit("f64", h)), b.let(lit("f64", l))];
/** Σ cs[n]·z^n by Horner's rule in double-double. */
function ddHorner(b: Body, z: DD, cs: ReadonlyArray<readonly [number, number]>): DD {
  let p = ddConst(b, cs[cs.length - 1]);
  for (let n = cs.length - 2; n >= 0; n--) p = ddAdd(b, ddConst(b, cs[n]), ddMul(b, z, p));
  return p;
}

/**
 * x·(2/π) mod 4 as a double-double in about [−2, 2], exactly up to < 2^-100. The symmetric
 * remainder v − 4·round(v/4) is exact for every double v (a floored one is not: −ε mod 4 = 4 − ε rounds).
 */
function reduceMod4(b: Body, x: Ex): DD {
  const hi = b.let(lit("f64", 0));
  const lo = b.let(lit("f64", 0));
  const mod4 = (v: Ex): Ex => sub(v, mul(4, nearest(mul(v, 0.25))));
  // Only the chunks that matter for x = 1.m·2^e: chunk i's product is a multiple of 4 once
  // e − 23 − 24(i+1) ≥ 2, and below 2^-110 once e + 1 − 24i < −110 (six or seven chunks remain).
  const e = b.let(sub(and(shr(highWord(x), 20), 0x7ff), 1023));
  IPIO2.forEach((chunk, i) => {
    b.if(and(lt(e, 24 * (i + 1) + 25), ge(e, 24 * i - 111)), () => {
      const t = b.let(mod4(mul(x, chunk * 2 ** (-24 * (i + 1))))); // x·chunk exact; mod 4 exact
      const [s, err] = twoSum(b, hi, t);
      b.set(hi, mod4(s));
      b.set(lo, add(lo, err));
    });
  });
  return [hi, lo];
}

/** The float32 rounding (as a double) of the double-double y: hi's, unless hi is a midpoint exactly. */
function roundDD(b: Body, [yh, yl]: DD): Ex {
  const bits = b.let(bitsOf(yh));
  const atMid = and(eq(and(bits, lit("i64", 0x1fffffff)), lit("i64", 0x10000000)), ne(yl, 0));
  // Same signs: the true value lies beyond the midpoint in magnitude (bits + 1), else short of it.
  const nudged = add(bits, select(gt(mul(yh, yl), 0), lit("i64", 1), lit("i64", -1)));
  return promote(demote(floatOf(select(atMid, nudged, bits))));
}

/** The accurate path: exceptions, then Payne–Hanek reduction and double-double evaluation. */
function accurate(b: Body, x: Var, offset: number, exceptions: ReadonlyArray<readonly [number, number]>): void {
  const f32 = new Float32Array(1);
  const u32 = new Uint32Array(f32.buffer);
  for (const [xb, yb] of exceptions) {
    u32[0] = xb;
    const xe = f32[0];
    u32[0] = yb;
    b.if(eq(x, xe), () => b.ret(f32[0]));
  }
  const [sh, sl] = reduceMod4(b, x);
  const q = b.let(nearest(sh));
  const f = twoSum(b, sub(sh, q), sl); // sh − q is exact; q ∈ {−2…2}, its low two bits the quadrant
  const n = b.let(and(add(i32OfF64(q), offset), 3));
  const r = ddMul(b, f, [b.let(lit("f64", PIO2_HI)), b.let(lit("f64", PIO2_LO))]);
  // |x| ≥ 2^19 comes here without a fast try: first the float64 polynomials on r (the low part as
  // a first-order correction), rounded unless near a midpoint — the double-double Taylor costs 4×.
  b.if(ge(abs(x), FAST_LIMIT), () => fastFinish(b, r[0], r[1], n));
  const z = ddMul(b, r, r);
  const yh = b.var("f64");
  const yl = b.var("f64");
  b.if(
    and(n, 1),
    () => {
      const [h, l] = ddHorner(b, z, COS_DD);
      b.set(yh, h);
      b.set(yl, l);
    },
    () => {
      const [h, l] = ddMul(b, r, ddHorner(b, z, SIN_DD));
      b.set(yh, h);
      b.set(yl, l);
    },
  );
  const flip = and(n, 2);
  b.ret(roundDD(b, [b.let(select(flip, neg(yh), yh)), b.let(select(flip, neg(yl), yl))]));
}

/**
 * The fast path's end: sin or cos of r + rl (rl: null, or a low part ≪ r) by fdlibm's polynomials in
 * quadrant n, returned rounded to float32 unless it lies within 2^12 float64 ulps of a midpoint.
 */
function fastFinish(b: Body, r: Var, rl: Var | null, n: Var): void {
  const z = b.let(mul(r, r));
  const s0 = b.let(add(r, mul(mul(r, z), horner(z, S))));
  const c0 = b.let(add(sub(1, mul(0.5, z)), mul(mul(z, z), horner(z, C))));
  const s = rl === null ? s0 : add(s0, mul(rl, c0));
  const c = rl === null ? c0 : sub(c0, mul(rl, s0));
  const y0 = b.let(select(and(n, 1), c, s));
  const y = b.let(select(and(n, 2), neg(y0), y0));
  const d = sub(and(bitsOf(y), lit("i64", 0x1fffffff)), lit("i64", 0x10000000));
  b.if(eq(ltu(add(d, lit("i64", 4096)), lit("i64", 8192)), 0), () => b.ret(promote(demote(y))));
}

/** The scalar routine (f64 holding a float32 → f64 holding the float32 result); offset 0 = sin, 1 = cos. */
function scalar(offset: number, exceptions: ReadonlyArray<readonly [number, number]>): LibDef {
  return {
    params: ["f64"],
    result: "f64",
    build(b) {
      const x = b.param(0, "f64");
      b.if(ne(sub(x, x), 0), () => b.ret(sub(x, x))); // NaN, ±inf → NaN
      const ax = b.let(abs(x));
      b.if(lt(ax, TINY), () => b.ret(offset === 0 ? x : lit("f64", 1)));
      b.if(lt(ax, FAST_LIMIT), () => {
        const k = b.let(nearest(mul(x, INV_PIO2)));
        const r = b.let(sub(sub(sub(x, mul(k, PIO2_1)), mul(k, PIO2_2)), mul(k, PIO2_2T)));
        fastFinish(b, r, null, b.let(and(add(i32OfF64(k), offset), 3)));
      });
      accurate(b, x, offset, exceptions);
    },
  };
}

const horner = (t: Ex, cs: readonly number[]): Ex =>
  cs.slice(0, -1).reduceRight<Ex>((acc, ci) => add(ci, mul(t, acc)), lit("f64", cs[cs.length - 1]));
const vhorner = (t: Ex, cs: readonly number[]): Ex =>
  cs.slice(0, -1).reduceRight<Ex>((acc, ci) => vadd(ci, vmul(t, acc)), splat(cs[cs.length - 1]));

/** The fast path on two lanes, and the mask of lanes it cannot answer. */
function approx2(b: Body, x: Ex, offset: number): { y: Ex; bad: Ex } {
  const ax = b.let(vabs(x));
  const k = b.let(vnearest2(vmul(x, INV_PIO2)));
  const r = b.let(vsub(vsub(vsub(x, vmul(k, PIO2_1)), vmul(k, PIO2_2)), vmul(k, PIO2_2T)));
  const z = b.let(vmul(r, r));
  const s = b.let(vadd(r, vmul(vmul(r, z), vhorner(z, S))));
  const c = b.let(vadd(vsub(1, vmul(0.5, z)), vmul(vmul(z, z), vhorner(z, C))));
  const kk = b.let(vadd(k, offset));
  const n = b.let(vsub(kk, vmul(4, vfloor(vmul(kk, 0.25))))); // 0…3
  const y0 = b.let(vselect(vor(veq(n, 1), veq(n, 3)), c, s));
  const y1 = b.let(vselect(vge(n, 2), vneg(y0), y0));
  // Tiny lanes: sin keeps x itself (±0 keeps its sign); cos's polynomial is already 1 − tiny.
  const y = b.let(offset === 0 ? vselect(vlt(ax, TINY), x, y1) : y1);
  return { y, bad: vor(vnot(vlt(ax, FAST_LIMIT)), nearMidpoint(y)) };
}
const vnearest2 = (a: Ex): Ex => ({ t: "v128", emit: (c) => void (a.emit(c), c.simd(0x94)) });

/** The four-lane routine: the fast path on both halves, or the scalar routine lane by lane when a lane needs it. */
function vector(scalarName: string, offset: number): LibDef {
  return {
    params: ["v128"],
    result: "v128",
    deps: [scalarName],
    build(b, fn) {
      const v = b.param(0, "v128");
      const lo = b.let(promoteLow(v));
      const hi = b.let(promoteHigh(v));
      const a = approx2(b, lo, offset);
      const h = approx2(b, hi, offset);
      b.if(anyTrue(vor(a.bad, h.bad)), () => {
        const one = (w: Ex, l: number): Ex => call(fn(scalarName), "f64", lane(w, l));
        b.ret(demotePair(pair(one(lo, 0), one(lo, 1)), pair(one(hi, 0), one(hi, 1))), "v128");
      });
      b.ret(demotePair(a.y, h.y), "v128");
    },
  };
}

/** float32 sin/cos: scalar (f64 → f64, the float32 result) and four-lane forms. */
export const SINCOS_F32: Readonly<Record<string, LibDef>> = {
  sin: scalar(0, SIN_EXCEPTIONS),
  cos: scalar(1, COS_EXCEPTIONS),
  "sin.f32x4": vector("sin", 0),
  "cos.f32x4": vector("cos", 1),
};
