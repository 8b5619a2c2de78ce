/**
 * WGSL ports of XLA:CPU's float32 `log`, `log1p`, `erf` and `erf_inv` (core's
 * random/xla-f32-math.ts, the CPU kernels' oracle), operation for operation: every `fmaF32` of the
 * host code is a WGSL `fma`, every `Math.fround`ed operation one f32 operation, in the same order,
 * and the constants are the same float32 values (printed exactly by program.ts's `f32`). The
 * results then agree bit for bit with the CPU backend wherever the GPU's `fma` is fused and its
 * + - * are correctly rounded (both true of the adapters we test on; see the tests).
 *
 * Also here: `fmaE` and `divE` (correctly rounded fma and division), `sqrtF32`, a correctly rounded square root (erfInv needs one, like the host's
 * `Math.sqrt`), and the float32 bit helpers every math snippet uses.
 */
import { f32 } from "../program.ts";

const F = (v: number): string => f32(Math.fround(v));

/**
 * A comparison `abs(x) < c` for a float64 threshold `c` as the host evaluates it (a float32 `x`
 * against the exact double): `<= f32 below c` when `c` is not itself a float32.
 */
function lessThanDouble(x: string, c: number): string {
  const r = Math.fround(c);
  if (r === c) return `${x} < ${F(r)}`;
  if (r < c) return `${x} <= ${F(r)}`;
  return `${x} < ${F(r)}`;
}

/** Bit-level float32 helpers: classification without relying on IEEE comparisons of NaN/denormals. */
export const WGSL_F32_BITS = /* wgsl */ `
// NaN and inf as runtime values: a constant expression that evaluates to one is a WGSL error.
var<private> F32_NAN_BITS: u32 = 0x7fc00000u;
var<private> F32_INF_BITS: u32 = 0x7f800000u;
fn nanF() -> f32 { return bitcast<f32>(F32_NAN_BITS); }
fn infF() -> f32 { return bitcast<f32>(F32_INF_BITS); }
fn isNanF(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }
fn isInfF(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) == 0x7f800000u; }
fn isFiniteF(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) < 0x7f800000u; }
/** Sign bit set (counts -0 and negative NaNs). */
fn signBitF(x: f32) -> bool { return (bitcast<u32>(x) & 0x80000000u) != 0u; }
/** Exactly zero (not a denormal, which some GPUs compare equal to 0). */
fn isZeroF(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) == 0u; }
/** |mag| with the sign of sgn. */
fn copySignF(mag: f32, sgn: f32) -> f32 {
  return bitcast<f32>((bitcast<u32>(mag) & 0x7fffffffu) | (bitcast<u32>(sgn) & 0x80000000u));
}
/** 2^n for -126 <= n <= 127 (exact). */
fn pow2F(n: i32) -> f32 { return bitcast<f32>(u32(n + 127i) << 23u); }
/** y * 2^n for -252 <= n <= 254, in two exact scalings (one 2^n alone could overflow). */
fn ldexpF(y: f32, n: i32) -> f32 {
  let n1 = n / 2i;
  return y * pow2F(n1) * pow2F(n - n1);
}
`;

const LOG_P = [
  7.0376836292e-2, -1.151461031e-1, 1.167699874e-1, -1.2420140846e-1, 1.4249322787e-1, -1.6668057665e-1,
  2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1,
].map(F);
const LOG1P_DEN = [
  1, 1.5062909083469192043167e1, 8.3047565967967209469434e1, 2.2176239823732856465394e2, 3.0909872225312059774938e2,
  2.1642788614495947685003e2, 6.0118660497603843919306e1,
].map(F);
const LOG1P_NUM = [
  4.5270000862445199635215e-5, 4.9854102823193375972212e-1, 6.5787325942061044846969, 2.9911919328553073277375e1,
  6.0949667980987787057556e1, 5.7112963590585538103336e1, 2.0039553499201281259648e1,
].map(F);
const ERFINV_LT5 = [
  2.81022636e-8, 3.43273939e-7, -3.5233877e-6, -4.39150654e-6, 0.00021858087, -0.00125372503, -0.00417768164,
  0.246640727, 1.50140941,
].map(F);
const ERFINV_GE5 = [
  -0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613, 0.00943887047,
  1.00167406, 2.83297682,
].map(F);
const ERF_ALPHA = [
  0.00022905065861350646, 0.0034082910107109506, 0.050955695062380861, 0.18520832239976145, 1.128379143519084,
].map(F);
const ERF_BETA = [
  -1.1791602954361697e-7, 0.000023547966471313185, 0.0010179625278914885, 0.014070470171167667, 0.11098505178285362,
  0.49746925110067538, 1,
].map(F);

/** `acc = fmaE(acc, w, c[i])` for i = 1.. (Horner with the host's fused steps). */
const horner = (acc: string, w: string, c: readonly string[], fmaFn = "fmaE"): string =>
  c
    .slice(1)
    .map((ci) => `  ${acc} = ${fmaFn}(${acc}, ${w}, ${ci});`)
    .join("\n");

/**
 * XLA's float32 log and log1p as WGSL functions `${prefix}Log`/`${prefix}Log1p`. With `fmaE`
 * ("xla") they are bit-exact ports; with WGSL's `fma` ("fast": fused or not, as the GPU does it)
 * the same algorithm is within an ulp and far cheaper to compile — what the other math functions
 * (asinh, pow, lgamma, complex log, …) use, since they are not bit-matched to XLA anyway.
 */
function logFunctions(prefix: string, fmaFn: string, divFn: string): string {
  return /* wgsl */ `
/** XLA:CPU float32 log (GenerateVF32Log). */
fn ${prefix}Log(x: f32) -> f32 {
  let b0 = bitcast<u32>(x);
  if (isNanF(x) || (b0 > 0x80000000u)) { return nanF(); }
  if ((b0 & 0x7fffffffu) == 0u) { return -infF(); }
  if (b0 == 0x7f800000u) { return infF(); }
  let xb = max(b0, 0x00800000u);
  var e = f32(i32(xb >> 23u) - 127i) + 1.0f;
  var t = bitcast<f32>((xb & 0x807fffffu) | 0x3f000000u);
  let small = t < ${F(0.707106781186547524)};
  let t1 = select(0.0f, t, small);
  t = t - 1.0f;
  if (small) { e = e - 1.0f; }
  t = t + t1;
  let x2 = t * t;
  let x3 = x2 * t;
  var y = ${fmaFn}(t, ${LOG_P[0]}, ${LOG_P[1]});
  var y1 = ${fmaFn}(t, ${LOG_P[3]}, ${LOG_P[4]});
  var y2 = ${fmaFn}(t, ${LOG_P[6]}, ${LOG_P[7]});
  y = ${fmaFn}(y, t, ${LOG_P[2]});
  y1 = ${fmaFn}(y1, t, ${LOG_P[5]});
  y2 = ${fmaFn}(y2, t, ${LOG_P[8]});
  y = ${fmaFn}(y, x3, y1);
  y = ${fmaFn}(y, x3, y2);
  y = ${fmaFn}(y, x3, ${F(-2.1219444e-4)} * e);
  t = ${fmaFn}(-0.5f, x2, t);
  return ${fmaFn}(${F(0.693359375)}, e, t + y);
}

/** XLA:CPU float32 log1p (Cephes rational approximation near 0, else log(1 + x)). */
fn ${prefix}Log1p(x: f32) -> f32 {
  if (isNanF(x) || !(${lessThanDouble("abs(x)", 0.4142135623730950488)})) { return ${prefix}Log(x + 1.0f); }
  let x2 = x * x;
  var den = ${LOG1P_DEN[0]};
${horner("den", "x", LOG1P_DEN, fmaFn)}
  var num = ${LOG1P_NUM[0]};
${horner("num", "x", LOG1P_NUM, fmaFn)}
  let r = (x * x2) * ${divFn}(num, den);
  return x + ${fmaFn}(-0.5f, x2, r);
}

`;
}

/**
 * `fmaE`, `divE`, `sqrtF32` (correctly rounded sqrt), `xlaLog`, `xlaLog1p` (and their cheaper `fast` twins), `xlaErf`, `xlaErfInv`. Needs
 * WGSL_F32_BITS before it.
 */
export const WGSL_XLA_MATH = /* wgsl */ `
/**
 * Correctly rounded a·b + c from plain float32 operations (WGSL's fma need not be fused, and is
 * not on SwiftShader): the exact product as uh + ul (Dekker), c + uh = th + tl exactly (TwoSum),
 * then th + round-to-odd(tl + ul) rounded once (Boldo & Melquiond, "Emulation of FMA and
 * correctly rounded sums: proved algorithms using rounding to odd", IEEE TC 2008). Non-finite
 * operands take the plain a·b + c; products near underflow (|a·b| < ~2^-100) may lose the
 * error term's low bits where the GPU flushes subnormals.
 *
 * Compilers must not see a constant operand here: SPIR-V optimizers (spirv-opt, which SwiftShader
 * runs) fold \`(k + x) - k\` to \`x\` when k is a constant, zeroing TwoSum's error term. So twoSum
 * and twoProd add \`linax_opq\`, a zero the compiler cannot prove (program.ts: \`grid\`'s header sets
 * it from the thread index; modules get it from \`declare\`).
 */
fn twoSum(a0: f32, b0: f32) -> vec2<f32> {
  // Fast2Sum on the operands ordered by magnitude (exact then), with s formed from fenced copies:
  // a compiler that pattern-simplifies \`(a + b) - a\` to \`b\` (NVIDIA's does) cannot see through
  // \`(a - z) + (b - z)\`. Subtracting the zero keeps the sign of -0 operands.
  let swap = abs(b0) > abs(a0);
  let big = select(a0, b0, swap);
  let small = select(b0, a0, swap);
  let s = (big - linax_opq) + (small - linax_opq);
  return vec2<f32>(s, small - (s - big));
}
fn splitF(a: f32) -> vec2<f32> {
  // - linax_opq keeps a driver from contracting c - a into fma(4097, a, -a) (c must be rounded).
  let c = 4097.0f * a - linax_opq;
  let h = c - (c - a);
  return vec2<f32>(h, a - h);
}
/** a·b = p + e exactly (when neither |a|, |b| is near overflow and the product not near underflow). */
fn twoProd(a0: f32, b0: f32) -> vec2<f32> {
  if (LINAX_FUSED_FMA) { let p0 = a0 * b0; return vec2<f32>(p0, fma(a0, b0, -p0)); }
  let a = a0 - linax_opq;
  let b = b0 - linax_opq;
  let p = a * b - linax_opq; // rounded, even where drivers contract a later \`x - p\` into an fma
  let A = splitF(a);
  let B = splitF(b);
  return vec2<f32>(p, ((A.x * B.x - p) + A.x * B.y + A.y * B.x) + A.y * B.y);
}
fn addRoundOdd(a: f32, b: f32) -> f32 {
  let t = twoSum(a, b);
  let bits = bitcast<u32>(t.x);
  if (t.y == 0.0f || (bits & 1u) == 1u || !isFiniteF(t.x)) { return t.x; }
  return bitcast<f32>(select(bits - 1u, bits + 1u, (t.y > 0.0f) == (t.x > 0.0f)));
}
fn fmaCore(a: f32, b: f32, c: f32) -> f32 {
  let u = twoProd(a, b);
  let t = twoSum(c, u.x);
  return t.x + addRoundOdd(t.y, u.y);
}
fn fmaE(a: f32, b: f32, c: f32) -> f32 {
  let p = a * b;
  if (!isFiniteF(a) || !isFiniteF(b) || !isFiniteF(c) || isZeroF(p)) { return p + c; }
  if (LINAX_FUSED_FMA) { return fma(a, b, c); }
  // Huge operands or an overflowing product: the same in units of 2^64 (exact scalings; only a
  // c below 2^-62 loses bits, far below the result's ulp then).
  if (!isFiniteF(p) || abs(a) > 1e30f || abs(b) > 1e30f) {
    let k = pow2F(-64i);
    let big = select(b, a, abs(a) >= abs(b));
    let small = select(a, b, abs(a) >= abs(b));
    return fmaCore(big * k, small, c * k) * pow2F(32i) * pow2F(32i);
  }
  return fmaCore(a, b, c);
}
/**
 * Correctly rounded a / b: the hardware quotient (2.5 ulp in WGSL) plus one correction with an
 * exact remainder (twoProd, cheaper to compile than fmaE). wgsl-lib's divF32 relies on a fused
 * \`fma\` for its remainder, which WGSL does not promise. Quotients and divisors outside
 * [1e-30, 1e30] keep the plain quotient.
 */
fn divE(a: f32, b: f32) -> f32 {
  let q = a / b;
  // twoProd's split overflows beyond ~8e34, and its error term underflows for tiny products.
  let ok = (abs(q) < 1e30f) && (abs(q) > 1e-30f) && (abs(b) < 1e30f) && (abs(b) > 1e-30f);
  if (!ok) { return q; }
  // a - q·b from the exact product (q·b = p + e; a - p is exact, as p is within ulps of a).
  let u = twoProd(q, b);
  let r = (a - u.x) - u.y;
  return q + r * (1.0f / b);
}

/**
 * sqrt rounded correctly: the builtin (only ~1 ulp in WGSL) plus one Newton step whose residual
 * x - s² is computed exactly (twoProd). Denormal inputs are scaled through integer arithmetic
 * (GPUs may flush them).
 */
fn sqrtCore(x: f32) -> f32 {
  let s = sqrt(x);
  let u = twoProd(s, s);
  let r = (x - u.x) - u.y;
  return s + r * (0.5f / s);
}
fn sqrtF32(x: f32) -> f32 {
  let b = bitcast<u32>(x);
  if ((b & 0x7fffffffu) == 0u) { return x; }
  if (b > 0x80000000u) { return nanF(); }
  if (b >= 0x7f800000u) { return x; }
  if (b < 0x00800000u) { return sqrtCore(f32(b) * 2.0f) * pow2F(-75i); }
  return sqrtCore(x);
}

${logFunctions("xla", "fmaE", "divE")}
${logFunctions("fast", "fma", "divE")}
/** XLA float32 erf_inv (ErfInv32, Giles): ±inf at ±1, NaN outside [-1, 1]. */
fn xlaErfInv(x: f32) -> f32 {
  if (abs(x) == 1.0f) { return copySignF(infF(), x); }
  var w = -xlaLog1p(-(x * x));
  var p: f32;
  if (w < 5.0f) {
    w = w - 2.5f;
    p = ${ERFINV_LT5[0]};
${horner("p", "w", ERFINV_LT5)}
  } else {
    w = sqrtF32(w) - 3.0f;
    p = ${ERFINV_GE5[0]};
${horner("p", "w", ERFINV_GE5)}
  }
  return p * x;
}

/** XLA:CPU float32 erf (EmitErfF32): ±1 beyond |x| >= 3.8325..., else a rational in x^2. */
fn xlaErf(x: f32) -> f32 {
  if (!isNanF(x) && abs(x) >= ${F(3.832506856900711)}) { return select(-1.0f, 1.0f, x > 0.0f); }
  let x2 = x * x;
  var p = fmaE(x2, ${ERF_ALPHA[0]}, ${ERF_ALPHA[1]});
${ERF_ALPHA.slice(2)
  .map((c) => `  p = fmaE(x2, p, ${c});`)
  .join("\n")}
  p = x * p;
  var q = fmaE(x2, ${ERF_BETA[0]}, ${ERF_BETA[1]});
${ERF_BETA.slice(2)
  .map((c) => `  q = fmaE(x2, q, ${c});`)
  .join("\n")}
  return divE(p, q);
}
`;
