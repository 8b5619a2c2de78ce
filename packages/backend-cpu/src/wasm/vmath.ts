/**
 * Vectorised float32 transcendental functions as WebAssembly SIMD128 code sequences, for the CPU
 * backend's compiled elementwise kernels (four lanes at a time).
 *
 * Each `emitF32x4<Name>(c, scratch)` consumes one f32x4 on the operand stack and leaves the
 * result f32x4. `scratch` hands out a fresh local of the given type per call (the renderer's
 * `c.local`). The algorithms are range reduction + polynomial in the style of Cephes, FreeBSD's
 * msun and XNNPACK, written here for SIMD without fused multiply-add: only deterministic SIMD128
 * instructions (no relaxed SIMD), so every engine produces the same bits (NaN payloads aside).
 *
 * They are not bit-identical to the reference backend (which rounds float64 `Math.*` results, or
 * ports XLA's own float32 algorithms for log/log1p/erf); `VMATH` states each one's measured
 * maximum error in ulps against the correctly rounded value (packages/backend-cpu/test/wasm-vmath.test.ts
 * measures it over a sweep of the whole float32 range and dense samples of the usual domain).
 */
import type { Code } from "./emitter.ts";

/** A fresh local of the type, per call. */
export type Scratch = (t: "v128" | "i32") => number;

// SIMD128 sub-opcodes (prefix 0xFD), from the WebAssembly SIMD specification.
const V128_CONST = 0x0c;
const F32X4_EQ = 0x41;
const F32X4_LT = 0x43;
const F32X4_GT = 0x44;
const V128_AND = 0x4e;
const V128_ANDNOT = 0x4f;
const V128_OR = 0x50;
const V128_XOR = 0x51;
const V128_BITSELECT = 0x52;
const F32X4_NEAREST = 0x6a;
const I32X4_SHL = 0xab;
const I32X4_SHR_S = 0xac;
const I32X4_SHR_U = 0xad;
const I32X4_ADD = 0xae;
const I32X4_SUB = 0xb1;
const I32X4_GT_U = 0x3c;
const F32X4_ABS = 0xe0;
const F32X4_NEG = 0xe1;
const F32X4_ADD = 0xe4;
const F32X4_SUB = 0xe5;
const F32X4_MUL = 0xe6;
const F32X4_DIV = 0xe7;
const F32X4_PMIN = 0xea;
const F32X4_PMAX = 0xeb;
const I32X4_TRUNC_SAT_F32X4_S = 0xf8;
const F32X4_CONVERT_I32X4_S = 0xfa;

const f32Bits = (x: number): number => new Uint32Array(new Float32Array([x]).buffer)[0];
const bitsF32 = (u: number): number => new Float32Array(new Uint32Array([u >>> 0]).buffer)[0];

/** A thin stack-machine helper: named SIMD ops over `c`, splatted constants, locals. */
class V {
  constructor(
    readonly c: Code,
    readonly scratch: Scratch,
  ) {}
  /** Pushes the f32x4 splat of `x` (rounded to float32). */
  f(x: number): this {
    return this.i(f32Bits(x));
  }
  /** Pushes the i32x4 splat of `n`. */
  i(n: number): this {
    const b = [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, (n >>> 24) & 255];
    this.c.simd(V128_CONST, ...b, ...b, ...b, ...b);
    return this;
  }
  op(sub: number): this {
    this.c.simd(sub);
    return this;
  }
  get(l: number): this {
    this.c.get(l);
    return this;
  }
  set(l: number): this {
    this.c.set(l);
    return this;
  }
  tee(l: number): this {
    this.c.tee(l);
    return this;
  }
  /** Pops the top of the stack into a new v128 local and returns it. */
  save(): number {
    const l = this.scratch("v128");
    this.c.set(l);
    return l;
  }
  add(): this {
    return this.op(F32X4_ADD);
  }
  sub(): this {
    return this.op(F32X4_SUB);
  }
  mul(): this {
    return this.op(F32X4_MUL);
  }
  div(): this {
    return this.op(F32X4_DIV);
  }
  /** Horner: pushes `coef[0]*t^(k-1) + … + coef[k-1]` (highest degree first) for local `t`. */
  horner(t: number, coef: readonly number[]): this {
    this.f(coef[0]);
    for (let k = 1; k < coef.length; k++) this.get(t).mul().f(coef[k]).add();
    return this;
  }
  /** Stack: a, b, mask → mask ? a : b (bitwise). */
  select(): this {
    return this.op(V128_BITSELECT);
  }
}

// ------------------------------------------------------------------ exp family

const LOG2E = 1.44269504088896341;
/** 1.5·2^23: adding it rounds a float in (−2^22, 2^22) to an integer held in the low mantissa bits. */
const MAGIC = 12582912;
// ln2 in two parts (Cody–Waite, Cephes expf): LN2_HI has 9 significant bits, so n·LN2_HI is exact.
const LN2_HI = 0.693359375;
const LN2_LO = -2.1219444e-4;
/** Cephes expf: e^t = 1 + t + t²·P(t) on [−ln2/2, ln2/2]; P highest degree first. */
const EXP_P = [1.98756915e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1];

interface ExpParts {
  /** n (round(z/ln2)) as i32x4. */
  readonly n: number;
  /** q = e^t − 1 = t + t²·P(t), |t| ≤ ln2/2 (+ rounding), as f32x4. */
  readonly q: number;
}

/** z = local (f32x4, finite or NaN, |z| ≤ 150): splits e^z = 2^n·(1 + q). */
function expParts(v: V, z: number): ExpParts {
  const k = v.scratch("v128");
  const nf = v.scratch("v128");
  v.get(z).f(LOG2E).mul().f(MAGIC).add().tee(k).f(MAGIC).sub().set(nf);
  // t = z − n·ln2, in two steps; the first is exact, so t carries ~ln2_lo's precision.
  v.get(z).get(nf).f(LN2_HI).mul().sub().get(nf).f(LN2_LO).mul().sub();
  const t = v.save();
  v.horner(t, EXP_P).get(t).get(t).mul().mul().get(t).add();
  const q = v.save();
  // The magic sum's bits minus the magic's bits are n (the sum lies in [2^23, 2^24), ulp 1).
  v.get(k).i(f32Bits(MAGIC)).op(I32X4_SUB);
  const n = v.save();
  return { n, q };
}

/** Pushes 2^n for i32x4 local `n` in [−126, 127] (stack: nothing → f32x4). */
function pow2(v: V, n: number): void {
  v.get(n).i(127).op(I32X4_ADD).c.i32(23);
  v.op(I32X4_SHL);
}

/** Pushes e^z = 2^n·(1 + q) for local z in [−104, 100] or NaN. */
function expScaled(v: V, z: number): void {
  const { n, q } = expParts(v, z);
  // 2^n = 2^n1 · 2^n2 with n1 = n >> 1: each half stays in the normal exponent range, so the
  // product rounds once, also into the subnormals.
  const n1 = v.scratch("v128");
  const n2 = v.scratch("v128");
  v.get(n).c.i32(1);
  v.op(I32X4_SHR_S).set(n1);
  v.get(n).get(n1).op(I32X4_SUB).set(n2);
  v.f(1).get(q).add();
  pow2(v, n1);
  v.mul();
  pow2(v, n2);
  v.mul();
}

/**
 * e^x. |error| ≤ `VMATH.exp.maxUlp`. exp(−inf) = 0, exp(+inf) = +inf, NaN → NaN; results below
 * 2^-126 round once into the subnormals (the scaling by 2^n is split in two halves, both exact).
 */
export function emitF32x4Exp(c: Code, scratch: Scratch): void {
  const v = new V(c, scratch);
  // Clamp (pmin/pmax keep a NaN first operand): beyond ±104/100 the result is 0 / inf anyway.
  v.f(-104).op(F32X4_PMAX).f(100).op(F32X4_PMIN);
  expScaled(v, v.save());
}

/**
 * Pushes expm1(z)/2 for a local z in [−18, 88.8] (finite or NaN) — halved so that 2^(n−1) never
 * overflows at the top of the range: expm1(z)/2 = (2^(n−1) − 1/2) + 2^(n−1)·q.
 */
function halfExpm1(v: V, z: number): void {
  const { n, q } = expParts(v, z);
  const s = v.scratch("v128");
  v.get(n).i(126).op(I32X4_ADD).c.i32(23);
  v.op(I32X4_SHL).tee(s).f(0.5).sub(); // exact for n − 1 ≤ 24; beyond, q·s dominates
  v.get(q).get(s).mul().add();
}

/**
 * e^x − 1, accurate near 0 (relative error bounded there, tiny |x| returned as is, −0 kept).
 * expm1(x) = −1 below −18, +inf above 88.72…, NaN → NaN.
 */
export function emitF32x4Expm1(c: Code, scratch: Scratch): void {
  const v = new V(c, scratch);
  const x = v.save();
  v.get(x).f(-18).op(F32X4_PMAX).f(88.8).op(F32X4_PMIN);
  const z = v.save();
  halfExpm1(v, z);
  v.f(2).mul();
  const r = v.save();
  // |x| < 2^-25: expm1(x) rounds to x (this also keeps −0 and the subnormals exact).
  v.get(x)
    .get(r)
    .get(x)
    .op(F32X4_ABS)
    .f(2 ** -25)
    .op(F32X4_LT)
    .select();
}

/**
 * tanh(x) = −expm1(−2|x|) / (expm1(−2|x|) + 2), with the sign of x (so tanh(−0) = −0):
 * the denominator lies in [1, 2], so there is no cancellation anywhere; ±inf → ±1.
 */
export function emitF32x4Tanh(c: Code, scratch: Scratch): void {
  const v = new V(c, scratch);
  const x = v.save();
  // −2|x| clamped to [−18, 0]: tanh(|x|) rounds to 1 from |x| ≈ 9.01 on.
  v.get(x).op(F32X4_ABS).f(-2).mul().f(-18).op(F32X4_PMAX);
  const z = v.save();
  halfExpm1(v, z);
  const h = v.save(); // h = expm1(z)/2 ∈ (−1/2, 0]
  v.get(h).op(F32X4_NEG).get(h).f(1).add().div(); // −h/(h + 1) = −e/(e + 2)
  v.get(x).i(0x7fffffff).select(); // magnitude from the quotient, sign from x
}

/**
 * logistic(x) = 1/(1 + e^-x): with e = e^−|x| ∈ (0, 1], 1/(1 + e) for x ≥ 0 and e/(1 + e)
 * for x < 0 — neither overflows nor cancels. logistic(−inf) = 0, logistic(+inf) = 1.
 */
export function emitF32x4Logistic(c: Code, scratch: Scratch): void {
  const v = new V(c, scratch);
  const x = v.save();
  emitExpOfNegAbs(v, x);
  const e = v.save();
  v.get(e).f(1).get(x).f(0).op(F32X4_LT).select(); // numerator: x < 0 ? e : 1
  v.get(e).f(1).add().div();
}

/** Pushes e^−|x| for local x (clamped at −104, as exp). */
function emitExpOfNegAbs(v: V, x: number): void {
  v.get(x).op(F32X4_ABS).op(F32X4_NEG).f(-104).op(F32X4_PMAX);
  expScaled(v, v.save());
}

// ------------------------------------------------------------------ log family

// FreeBSD msun e_logf.c: log(1+f) = f − f²/2 + s·(f²/2 + R(s²)), s = f/(2+f), |f| < √2 − 1.
const LG1 = 0.66666662693;
const LG2 = 0.40000972152;
const LG3 = 0.28498786688;
const LG4 = 0.24279078841;
const LOGLN2_HI = 6.9313812256e-1; // 17 significant bits: k·LOGLN2_HI is exact
const LOGLN2_LO = 9.0580006145e-6;
const SQRT_HALF_BITS = 0x3f3504f3;

/**
 * Pushes log(u) + corr for local u > 0 finite (normal or subnormal), where `corr` (a local or
 * null) is a small additive correction folded into the low-order sum.
 */
function logCore(v: V, u: number, corr: number | null): void {
  // Subnormals: scale by 2^23 first (and take 23 off the exponent).
  const sub = v.scratch("v128");
  const ub = v.scratch("v128");
  v.get(u)
    .f(2 ** -126)
    .op(F32X4_LT)
    .set(sub);
  v.get(u)
    .f(2 ** 23)
    .mul()
    .get(u)
    .get(sub)
    .select();
  // Shift the mantissa range to [√½, √2): bits + (1.0 − √½) carries into the exponent exactly
  // when the mantissa is ≥ √½.
  v.i(0x3f800000 - SQRT_HALF_BITS)
    .op(I32X4_ADD)
    .set(ub);
  // k = (bits >> 23) − 127 − (23 if subnormal)
  const k = v.scratch("v128");
  v.get(ub).c.i32(23);
  v.op(I32X4_SHR_U).i(127).op(I32X4_SUB).get(sub).i(23).op(V128_AND).op(I32X4_SUB).op(F32X4_CONVERT_I32X4_S).set(k);
  // f = m − 1, m = mantissa in [√½, √2) (exact)
  v.get(ub).i(0x007fffff).op(V128_AND).i(SQRT_HALF_BITS).op(I32X4_ADD).f(1).sub();
  const f = v.save();
  const s = v.scratch("v128");
  const z = v.scratch("v128");
  const w = v.scratch("v128");
  v.get(f).f(2).get(f).add().div().tee(s).get(s).mul().tee(z).get(z).mul().set(w);
  // R = z·(LG1 + w·LG3) + w·(LG2 + w·LG4)
  v.get(z).f(LG3).get(w).mul().f(LG1).add().mul();
  v.get(w).f(LG4).get(w).mul().f(LG2).add().mul().add();
  const r = v.save();
  const hfsq = v.scratch("v128");
  v.f(0.5).get(f).mul().get(f).mul().set(hfsq);
  // s·(hfsq + R) + (k·ln2_lo [+ corr]) − hfsq + f + k·ln2_hi, in that order (msun's).
  v.get(s).get(hfsq).get(r).add().mul();
  v.get(k).f(LOGLN2_LO).mul();
  if (corr !== null) v.get(corr).add();
  v.add().get(hfsq).sub().get(f).add().get(k).f(LOGLN2_HI).mul().add();
}

/** Stack: log-core result r; fixes the lanes where u is not positive finite (u a local). */
function logSpecials(v: V, u: number): void {
  const r = v.save();
  v.get(r).get(u).get(u).f(Infinity).op(F32X4_LT).select(); // +inf and NaN lanes → u
  const r1 = v.save();
  v.f(NaN).get(r1).get(u).f(0).op(F32X4_LT).select(); // u < 0 (−inf too) → NaN
  const r2 = v.save();
  v.f(-Infinity).get(r2).get(u).f(0).op(F32X4_EQ).select(); // ±0 → −inf
}

/**
 * Natural log. log(±0) = −inf, log(x < 0) = NaN, log(+inf) = +inf, NaN → NaN; subnormal inputs
 * are exact-range (not flushed, unlike the reference's XLA port, which flushes them to 2^-126).
 */
export function emitF32x4Log(c: Code, scratch: Scratch): void {
  const v = new V(c, scratch);
  const x = v.save();
  logCore(v, x, null);
  logSpecials(v, x);
}

/**
 * log(1 + x) = log(u) + (x − (u − 1))/u with u = fl(1 + x): the correction restores what the
 * rounding of 1 + x lost. log1p(−1) = −inf, x < −1 → NaN, +inf → +inf; ±0 and tiny x → x.
 */
export function emitF32x4Log1p(c: Code, scratch: Scratch): void {
  const v = new V(c, scratch);
  const x = v.save();
  v.get(x).f(1).add();
  const u = v.save();
  v.get(x).get(u).f(1).sub().sub().get(u).div();
  const corr = v.save();
  logCore(v, u, corr);
  logSpecials(v, u);
  const r = v.save();
  v.get(x).get(r).get(x).f(0).op(F32X4_EQ).select(); // ±0 stay as they are
}

void [F32X4_GT, V128_ANDNOT, V128_OR, F32X4_NEAREST, I32X4_GT_U, I32X4_TRUNC_SAT_F32X4_S, bitsF32];

// ------------------------------------------------------------------ sin / cos

/**
 * π/2 split into four parts for Cody–Waite reduction: the first three have 8 significant bits, so
 * n·C_i is exact for |n| < 2^16, and each subtraction is (nearly) exact; the last is the float32
 * rounding of the rest. All four are positive (a negative part would turn −0 − (−0) into +0).
 */
const PIO2_PARTS = ((): number[] => {
  const round8 = (x: number): number => {
    const e = Math.floor(Math.log2(Math.abs(x)));
    const q = 2 ** (e - 7);
    return Math.floor(x / q) * q; // truncated: every part positive, so x − n·C keeps −0
  };
  let rest = Math.PI / 2;
  const parts: number[] = [];
  for (let i = 0; i < 3; i++) {
    const p = round8(rest);
    parts.push(p);
    rest -= p;
  }
  parts.push(Math.fround(rest));
  return parts;
})();
/** |x| up to which the reduction keeps the stated bound (n·C_i exact, n < 2^16). */
export const SINCOS_MAX_ARG = 65536;
// Cephes sinf/cosf on [−π/4, π/4] (highest degree first).
const SIN_P = [-1.9515295891e-4, 8.3321608736e-3, -1.6666654611e-1];
const COS_P = [2.443315711809948e-5, -1.388731625493765e-3, 4.166664568298827e-2];

/** sin(x) (quadrant offset 0) or cos(x) (offset 1) = ±sin/±cos(r), x = n·π/2 + r. */
function emitSinCos(v: V, offset: 0 | 1): void {
  const x = v.save();
  const k = v.scratch("v128");
  const nf = v.scratch("v128");
  v.get(x)
    .f(2 / Math.PI)
    .mul()
    .f(MAGIC)
    .add()
    .tee(k)
    .f(MAGIC)
    .sub()
    .set(nf);
  v.get(x);
  for (const p of PIO2_PARTS) v.get(nf).f(p).mul().sub();
  const r = v.save();
  const z = v.scratch("v128");
  v.get(r).get(r).mul().set(z);
  // sin(r) = r + r·z·S(z); cos(r) = 1 − z/2 + z²·C(z)
  v.horner(z, SIN_P).get(z).mul().get(r).mul().get(r).add();
  // sin(r) has the sign of r on [−π/4, π/4]; taking it from r keeps sin(−0) = −0, which the
  // sum r + (−0·…) would lose.
  const s0 = v.save();
  v.get(r)
    .get(s0)
    .i(0x80000000 | 0)
    .select();
  const s = v.save();
  v.horner(z, COS_P).get(z).mul().get(z).mul().f(0.5).get(z).mul().sub().f(1).add();
  const co = v.save();
  // q = n + offset (mod 4): odd → the cos polynomial; bit 1 → negate.
  const q = v.scratch("v128");
  v.get(k)
    .i(f32Bits(MAGIC) - offset)
    .op(I32X4_SUB)
    .set(q);
  v.get(co).get(s).get(q).c.i32(31);
  v.op(I32X4_SHL).c.i32(31);
  v.op(I32X4_SHR_S).select(); // all-ones where q is odd
  v.get(q).c.i32(30);
  v.op(I32X4_SHL)
    .i(0x80000000 | 0)
    .op(V128_AND)
    .op(V128_XOR);
}

/**
 * sin(x); sin(±0) = ±0, sin(±inf) = NaN, NaN → NaN. The stated bound holds for
 * |x| ≤ SINCOS_MAX_ARG (the reduction loses accuracy beyond).
 */
export function emitF32x4Sin(c: Code, scratch: Scratch): void {
  emitSinCos(new V(c, scratch), 0);
}

/** cos(x); cos(±inf) = NaN, NaN → NaN; the bound holds for |x| ≤ SINCOS_MAX_ARG. */
export function emitF32x4Cos(c: Code, scratch: Scratch): void {
  emitSinCos(new V(c, scratch), 1);
}

// ------------------------------------------------------------------ erf

// Polynomials fitted for this file (weighted least squares on a dense grid, relative error
// ≤ 8.5e-8 with the float32-rounded coefficients; packages/backend-cpu/scripts/fit-vmath-erf.py):
// |x| < 0.75: erf(x) = x + x·(E(x²) − 1) (the constant term 2/√π − 1 exact to float32 relative);  0.75 ≤ |x|: erfc(x) = e^(−x²)·G(1/(1+|x|) − TC), erf = 1 − erfc.
const ERF_SPLIT = 0.75;
const ERF_SMALL = [
  9.457303531235084e-5,
  -0.000835345359519124,
  0.005216470919549465,
  -0.026864640414714813,
  0.1128377616405487,
  -0.37612637877464294,
  2 / Math.sqrt(Math.PI) - 1,
];
const ERFC_TC = 0.3857142925262451;
const ERFC_G = [
  0.9024868011474609, -0.3449981212615967, -0.3342578709125519, 0.5070356726646423, -0.125238835811615,
  -0.4358186423778534, 0.43685799837112427, 1.0104297399520874, 0.3070628345012665,
];

/**
 * erf(x); erf(±0) = ±0, erf(±inf) = ±1, NaN → NaN. Near 0 an odd polynomial; from |x| = 0.75 on
 * 1 − e^(−x²)·G, where erfc ≤ 0.29, so its rounding errors shrink in erf = 1 − erfc.
 */
export function emitF32x4Erf(c: Code, scratch: Scratch): void {
  const v = new V(c, scratch);
  const x = v.save();
  const z = v.scratch("v128");
  v.get(x).get(x).mul().set(z);
  v.horner(z, ERF_SMALL).get(x).mul().get(x).add();
  const small = v.save();
  // a = min(|x|, 4) (erf rounds to 1 from 3.92 on; pmin keeps NaN)
  v.get(x).op(F32X4_ABS).f(4).op(F32X4_PMIN);
  const a = v.save();
  v.f(1).f(1).get(a).add().div().f(ERFC_TC).sub();
  const t = v.save();
  v.get(a).get(a).mul().op(F32X4_NEG);
  const nz = v.save();
  expScaled(v, nz);
  v.horner(t, ERFC_G).mul();
  const erfc = v.save();
  v.f(1).get(erfc).sub(); // erf(|x|)
  const big = v.save();
  v.get(x)
    .get(big)
    .i(0x80000000 | 0)
    .select(); // with the sign of x
  const bigSigned = v.save();
  v.get(small).get(bigSigned).get(x).op(F32X4_ABS).f(ERF_SPLIT).op(F32X4_LT).select();
}

// ------------------------------------------------------------------ the table

/** One vectorised function and its measured accuracy. */
export interface VmathEntry {
  /** Emits the f32x4 → f32x4 code sequence. */
  readonly emit: (c: Code, scratch: Scratch) => void;
  /**
   * Max error in ulps against the correctly rounded result (`Math.fround(Math.f(x))`; for erf
   * a float64 series rounded once) over the whole float32 range, or `domain` where it says so.
   */
  readonly maxUlp: number;
  /**
   * Max ulps against the reference backend's own float32 algorithm, where it has one (log,
   * log1p, erf port XLA:CPU's); elsewhere the reference is the correctly rounded value above.
   */
  readonly maxUlpVsReference: number;
  /** Where the bound holds and how special values behave. */
  readonly domain: string;
}

/**
 * The vectorised functions, keyed by primitive name, with the error bounds that
 * test/wasm-vmath.test.ts measures (and asserts) over a sweep of every 2^11-th float32 of both
 * signs, ±64 ulps around each branch boundary and dense samples of the usual domain.
 */
export const VMATH: Readonly<Record<string, VmathEntry>> = {
  exp: {
    emit: emitF32x4Exp,
    maxUlp: 1,
    maxUlpVsReference: 1,
    domain: "all float32; exp(-inf) = 0, exp(+inf) = +inf, subnormal results rounded once",
  },
  log: {
    emit: emitF32x4Log,
    maxUlp: 1,
    maxUlpVsReference: 2,
    domain:
      "all float32; log(±0) = -inf, log(<0) = NaN; subnormal inputs exact-range (the reference flushes them to 2^-126, so vs the reference only x ≥ 2^-126 is compared)",
  },
  tanh: { emit: emitF32x4Tanh, maxUlp: 2, maxUlpVsReference: 2, domain: "all float32; tanh(±inf) = ±1, tanh(-0) = -0" },
  logistic: {
    emit: emitF32x4Logistic,
    maxUlp: 2,
    maxUlpVsReference: 2,
    domain: "all float32; logistic(-inf) = 0, logistic(+inf) = 1",
  },
  erf: { emit: emitF32x4Erf, maxUlp: 2, maxUlpVsReference: 6, domain: "all float32; erf(±inf) = ±1, erf(-0) = -0" },
  sin: {
    emit: emitF32x4Sin,
    maxUlp: 2,
    maxUlpVsReference: 2,
    domain: `|x| ≤ ${SINCOS_MAX_ARG} (Cody–Waite reduction; larger |x| are inaccurate); sin(±inf) = NaN, sin(-0) = -0`,
  },
  cos: {
    emit: emitF32x4Cos,
    maxUlp: 2,
    maxUlpVsReference: 2,
    domain: `|x| ≤ ${SINCOS_MAX_ARG} (Cody–Waite reduction; larger |x| are inaccurate); cos(±inf) = NaN`,
  },
  expm1: {
    emit: emitF32x4Expm1,
    maxUlp: 2,
    maxUlpVsReference: 2,
    domain: "all float32; expm1(-inf) = -1, expm1(-0) = -0",
  },
  log1p: {
    emit: emitF32x4Log1p,
    maxUlp: 1,
    maxUlpVsReference: 2,
    domain: "all float32; log1p(-1) = -inf, log1p(<-1) = NaN, log1p(-0) = -0",
  },
};
