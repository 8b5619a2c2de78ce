/**
 * float32 transcendental functions exactly as XLA's CPU backend evaluates them, for the JAX PRNG
 * host reference (`host-reference.ts`). JAX's samplers are only bit-reproducible if `log`,
 * `log1p`, `erf` and `erf_inv` round the way XLA does, and XLA's versions are polynomial
 * approximations, not correctly rounded functions — so we port them.
 *
 * Every float32 operation is followed by `Math.fround`. XLA:CPU compiles with LLVM's
 * `AllowFPOpFusion = Fast` ("Always allow FMA fusion", xla/service/cpu), so on an FMA-capable host
 * a multiply feeding an add becomes one fused operation; we model each such site with `fmaF32`.
 * These ports were checked bit-for-bit against JAX 0.11.2 on CPU (see testdata/random/README.md).
 */

const f32 = Math.fround;
const scratch = new DataView(new ArrayBuffer(4));

/** Reinterprets uint32 bits as a float32 value. */
export function bitsToF32(u: number): number {
  scratch.setUint32(0, u >>> 0);
  return scratch.getFloat32(0);
}

/** Reinterprets a float32 value as its uint32 bits. */
export function f32ToBits(x: number): number {
  scratch.setFloat32(0, x);
  return scratch.getUint32(0);
}

/** Largest finite float32, `np.finfo(np.float32).max`. */
export const F32_MAX = bitsToF32(0x7f7fffff);
/** Smallest normal float32, `np.finfo(np.float32).tiny`. */
export const F32_TINY = bitsToF32(0x00800000);

/** `np.nextafter` in float32: the next float32 after `x` in the direction of `toward`. */
export function nextAfterF32(x: number, toward: number): number {
  x = f32(x);
  if (Number.isNaN(x) || Number.isNaN(toward)) return NaN;
  if (x === toward) return toward;
  if (x === 0) return toward > 0 ? bitsToF32(1) : -bitsToF32(1);
  const u = f32ToBits(x);
  return bitsToF32(toward > x === x > 0 ? u + 1 : u - 1);
}

/**
 * Exactly rounded float32 fused multiply-add `a*b + c` (inputs float32). `a*b` is exact in double;
 * the double sum can only mis-round the final float32 result when it lands exactly on a float32
 * midpoint, which we resolve with the TwoSum error term.
 */
export function fmaF32(a: number, b: number, c: number): number {
  const p = a * b;
  const s = p + c;
  const bb = s - p;
  const err = p - (s - bb) + (c - bb);
  const r = f32(s);
  if (err === 0 || r === s || !Number.isFinite(s)) return r;
  const other = nextAfterF32(r, s > r ? Infinity : -Infinity);
  if (s - r !== other - s) return r; // not a tie: double rounding cannot have flipped it
  return err > 0 === other > r ? other : r;
}

/** Coefficients of XLA's algorithm (also used by backend-cpu's WebAssembly port). */
export const LOG_P = [
  7.0376836292e-2, -1.151461031e-1, 1.167699874e-1, -1.2420140846e-1, 1.4249322787e-1, -1.6668057665e-1,
  2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1,
].map(f32);
export const LOG_Q1 = f32(-2.1219444e-4);
export const LOG_Q2 = f32(0.693359375);
export const SQRT_HALF = f32(0.707106781186547524);

/**
 * float32 `log` of XLA:CPU, `GenerateVF32Log` (xla/service/cpu/llvm_ir_runtime.cc; Cephes/Eigen):
 * split off the exponent, fold the mantissa into [sqrt(1/2), sqrt(2)), evaluate a degree-8
 * polynomial in Estrin/Horner form, and add back `e * ln2` in two parts. Denormals flush to the
 * smallest normal.
 */
export function logF32(x: number): number {
  x = f32(x);
  if (Number.isNaN(x) || x < 0) return NaN;
  if (x === 0) return -Infinity;
  if (x === Infinity) return Infinity;
  const xb = f32ToBits(Math.max(F32_TINY, x));
  let e = f32(1 + ((xb >>> 23) - 0x7f));
  let t = bitsToF32((xb & 0x807fffff) | 0x3f000000); // mantissa in [0.5, 1)
  const small = t < SQRT_HALF;
  const t1 = small ? t : 0;
  t = f32(t - 1);
  if (small) e = f32(e - 1);
  t = f32(t + t1);
  const x2 = f32(t * t);
  const x3 = f32(x2 * t);
  let y = fmaF32(t, LOG_P[0], LOG_P[1]);
  let y1 = fmaF32(t, LOG_P[3], LOG_P[4]);
  let y2 = fmaF32(t, LOG_P[6], LOG_P[7]);
  y = fmaF32(y, t, LOG_P[2]);
  y1 = fmaF32(y1, t, LOG_P[5]);
  y2 = fmaF32(y2, t, LOG_P[8]);
  y = fmaF32(y, x3, y1);
  y = fmaF32(y, x3, y2);
  // `y * x3 + q1 * e` and the final additions are contracted by LLVM.
  y = fmaF32(y, x3, f32(LOG_Q1 * e));
  t = fmaF32(f32(-0.5), x2, t);
  return fmaF32(LOG_Q2, e, f32(t + y));
}

export const LOG1P_DEN = [
  1, 1.5062909083469192043167e1, 8.3047565967967209469434e1, 2.2176239823732856465394e2, 3.0909872225312059774938e2,
  2.1642788614495947685003e2, 6.0118660497603843919306e1,
].map(f32);
export const LOG1P_NUM = [
  4.5270000862445199635215e-5, 4.9854102823193375972212e-1, 6.5787325942061044846969, 2.9911919328553073277375e1,
  6.0949667980987787057556e1, 5.7112963590585538103336e1, 2.0039553499201281259648e1,
].map(f32);

/**
 * float32 `log1p` of XLA:CPU, `Log1p::CreateDefinition` (xla/codegen/intrinsic/log1p.cc): for
 * `|x| < sqrt(2) - 1` the Cephes rational approximation `x - x^2/2 + x^3 * P(x)/Q(x)`, otherwise
 * `log(1 + x)`.
 */
export function log1pF32(x: number): number {
  x = f32(x);
  if (!(Math.abs(x) < 0.4142135623730950488)) return logF32(f32(x + 1));
  const x2 = f32(x * x);
  let den = LOG1P_DEN[0];
  for (let i = 1; i < LOG1P_DEN.length; i++) den = fmaF32(den, x, LOG1P_DEN[i]);
  let num = LOG1P_NUM[0];
  for (let i = 1; i < LOG1P_NUM.length; i++) num = fmaF32(num, x, LOG1P_NUM[i]);
  const r = f32(f32(x * x2) * f32(num / den));
  return f32(x + fmaF32(f32(-0.5), x2, r));
}

/** float32 coefficients of XLA's `ErfInv32` (xla/hlo/builder/lib/math.cc), Giles' approximation. */
export const ERFINV_LT5 = [
  2.81022636e-8, 3.43273939e-7, -3.5233877e-6, -4.39150654e-6, 0.00021858087, -0.00125372503, -0.00417768164,
  0.246640727, 1.50140941,
].map(f32);
export const ERFINV_GE5 = [
  -0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613, 0.00943887047,
  1.00167406, 2.83297682,
].map(f32);

/**
 * float32 `lax.erf_inv`, XLA's `ErfInv32`: `w = -log1p(-x*x)`; for `w < 5` evaluate the first
 * polynomial at `w - 2.5`, else the second at `sqrt(w) - 3` (each step `c + p*w`, fused); return
 * `p * x`, and `x * MaxValue` at `|x| == 1` — XLA's `MaxValue` of a float type is +inf, so ±inf.
 */
export function erfInvF32(x: number): number {
  x = f32(x);
  if (Math.abs(x) === 1) return x * Infinity;
  let w = -log1pF32(-f32(x * x));
  const lt = w < 5;
  const c = lt ? ERFINV_LT5 : ERFINV_GE5;
  w = lt ? f32(w - 2.5) : f32(f32(Math.sqrt(w)) - 3);
  let p = c[0];
  for (let i = 1; i < c.length; i++) p = fmaF32(p, w, c[i]);
  return f32(p * x);
}

export const ERF_ALPHA = [
  0.00022905065861350646, 0.0034082910107109506, 0.050955695062380861, 0.18520832239976145, 1.128379143519084,
].map(f32);
export const ERF_BETA = [
  -1.1791602954361697e-7, 0.000023547966471313185, 0.0010179625278914885, 0.014070470171167667, 0.11098505178285362,
  0.49746925110067538, 1,
].map(f32);

/**
 * float32 `lax.erf` of XLA:CPU, `EmitErfF32` (xla/codegen/intrinsic/erf.cc; Eigen's rational
 * approximation): odd/even polynomials in `x^2` evaluated with FMA, `p/q`, and `copysign(1, x)`
 * once `|x| >= 3.832506856900711`.
 */
export function erfF32(x: number): number {
  x = f32(x);
  if (Math.abs(x) >= f32(3.832506856900711)) return x > 0 ? 1 : -1;
  const x2 = f32(x * x);
  let p = fmaF32(x2, ERF_ALPHA[0], ERF_ALPHA[1]);
  for (let i = 2; i < ERF_ALPHA.length; i++) p = fmaF32(x2, p, ERF_ALPHA[i]);
  p = f32(x * p);
  let q = fmaF32(x2, ERF_BETA[0], ERF_BETA[1]);
  for (let i = 2; i < ERF_BETA.length; i++) q = fmaF32(x2, q, ERF_BETA[i]);
  return f32(p / q);
}

/**
 * float32 `erf` correctly rounded from a double evaluation — what XLA's constant folder produces
 * (to within 1 ulp) when erf's argument is a compile-time constant. Uses the positive series
 * `erf(x) = 2/sqrt(pi) * exp(-x^2) * sum_n (2x^2)^n x / (1*3*...*(2n+1))`, which has no
 * cancellation; float32 erf is ±1 beyond |x| = 3.92.
 */
export function erfAccurateF32(x: number): number {
  x = f32(x);
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  if (ax >= 4) return Math.sign(x);
  let term = ax;
  let sum = ax;
  for (let n = 1; term > sum * 1e-17; n++) {
    term *= (2 * ax * ax) / (2 * n + 1);
    sum += term;
  }
  return f32(Math.sign(x) * (2 / Math.sqrt(Math.PI)) * Math.exp(-ax * ax) * sum);
}
