/**
 * float32 elementary functions in WGSL for the math kernels. WGSL's builtins are too loose to serve
 * as they are (the spec allows exp 3+2|x| ulp, sin/cos an absolute 2^-11, atan/atan2 4096 ulp), so
 * each function here is a float32 algorithm with a documented error (Cephes-style reductions and
 * polynomials, evaluated with fma): about 1–3 ulp against the CPU backend's float64-then-round
 * results, checked by the tests. Special values (NaN, ±inf, ±0) follow C99/JS, explicitly.
 *
 * Needs WGSL_F32_BITS and WGSL_XLA_MATH (sqrtF32, fastLog, fastLog1p, fmaE, divE) before it.
 */
import { f32 } from "../program.ts";

const F = (v: number): string => f32(Math.fround(v));
/** A float64 constant split into float32 hi + lo (hi + lo carries ~48 bits). */
function split(v: number): [string, string] {
  const hi = Math.fround(v);
  return [F(hi), F(v - hi)];
}
const [PIO2_1, PIO2_2] = split(Math.PI / 2);
const PIO2_3 = F(Math.PI / 2 - Math.fround(Math.PI / 2) - Math.fround(Math.PI / 2 - Math.fround(Math.PI / 2)));
const [PI_HI, PI_LO] = split(Math.PI);
const [LN2_HI, LN2_LO] = split(Math.LN2);

/** 1/k! for the expm1 Taylor polynomial (k = 2..12). */
const INV_FACT = Array.from({ length: 11 }, (_, j) => {
  let f = 1;
  for (let k = 2; k <= j + 2; k++) f *= k;
  return F(1 / f);
});

export const WGSL_MATH_REAL = /* wgsl */ `
/** exp (Cephes expf): n = round(x/ln2), r = x - n·ln2 in two fma steps, degree-6 polynomial, 2^n. */
fn expF32(x: f32) -> f32 {
  if (isNanF(x)) { return x; }
  if (x > 89.0f) { return infF(); }
  if (x < -104.0f) { return 0.0f; }
  let n = floor(fma(x, ${F(Math.LOG2E)}, 0.5f));
  var r = fma(-n, 0.693359375f, x);
  r = fma(-n, ${F(-2.1219444e-4)}, r);
  let z = r * r;
  var p = ${F(1.98756915e-4)};
  p = fma(p, r, ${F(1.3981999507e-3)});
  p = fma(p, r, ${F(8.3334519073e-3)});
  p = fma(p, r, ${F(4.1665795894e-2)});
  p = fma(p, r, ${F(1.6666665459e-1)});
  p = fma(p, r, ${F(5.0000001201e-1)});
  let y = fma(p, z, r) + 1.0f;
  return ldexpF(y, i32(n));
}

/** 2^x: 2^n · e^(f·ln2) with f = x - n exact and f·ln2 carried in two parts. */
fn exp2F32(x: f32) -> f32 {
  if (isNanF(x)) { return x; }
  if (x > 129.0f) { return infF(); }
  if (x < -151.0f) { return 0.0f; }
  let n = round(x);
  let f = x - n;
  let hi = f * ${LN2_HI};
  let lo = twoProd(f, ${LN2_HI}).y + f * ${LN2_LO};
  let e = expF32(hi);
  return ldexpF(fma(e, lo, e), i32(n));
}

/** e^x - 1: Taylor series to x^12 on |x| < 1 (no cancellation), exp(x) - 1 beyond. */
fn expm1F32(x: f32) -> f32 {
  if (isZeroF(x)) { return x; }
  if (abs(x) < 1.0f) {
    var q = ${INV_FACT[10]};
${INV_FACT.slice(0, 10)
  .reverse()
  .map((c) => `    q = fma(q, x, ${c});`)
  .join("\n")}
    return fma(x * x, q, x);
  }
  return expF32(x) - 1.0f;
}

/**
 * Cody–Waite reduction x = q·π/2 + r, |r| <= π/4 (π/2 in three float32 parts; the first step is
 * exact). Accurate while q·ulp(π/2's third part) stays negligible: |x| up to about 1e5. Beyond
 * that sin/cos/tan lose accuracy progressively (a Payne–Hanek reduction would be needed; the CPU
 * reduces in float64, exactly).
 */
struct Reduced { r: f32, q: i32 }
fn reducePio2(x: f32) -> Reduced {
  let q = round(x * ${F(2 / Math.PI)});
  var r = fmaE(-q, ${PIO2_1}, x);
  r = fma(-q, ${PIO2_2}, r);
  r = fma(-q, ${PIO2_3}, r);
  // q mod 4 without converting a huge q to i32 (any q >= 2^25 is a multiple of 4).
  return Reduced(r, i32(q - 4.0f * floor(q * 0.25f)));
}
/** Cephes sinf/cosf kernels on |r| <= π/4. */
fn sinKernel(r: f32) -> f32 {
  let z = r * r;
  var p = ${F(-1.9515295891e-4)};
  p = fma(p, z, ${F(8.3321608736e-3)});
  p = fma(p, z, ${F(-1.6666654611e-1)});
  return fma(p * z, r, r);
}
fn cosKernel(r: f32) -> f32 {
  let z = r * r;
  var p = ${F(2.443315711809948e-5)};
  p = fma(p, z, ${F(-1.388731625493765e-3)});
  p = fma(p, z, ${F(4.166664568298827e-2)});
  return fma(p * z, z, fma(-0.5f, z, 1.0f));
}
fn sinF32(x: f32) -> f32 {
  if (!isFiniteF(x)) { return nanF(); }
  if (isZeroF(x)) { return x; }
  let red = reducePio2(x);
  let q = red.q & 3i;
  let v = select(sinKernel(red.r), cosKernel(red.r), (q & 1i) == 1i);
  return select(v, -v, q >= 2i);
}
fn cosF32(x: f32) -> f32 {
  if (!isFiniteF(x)) { return nanF(); }
  let red = reducePio2(x);
  let q = red.q & 3i;
  let v = select(cosKernel(red.r), sinKernel(red.r), (q & 1i) == 1i);
  return select(v, -v, q == 1i || q == 2i);
}
fn tanF32(x: f32) -> f32 {
  if (!isFiniteF(x)) { return nanF(); }
  if (isZeroF(x)) { return x; }
  let red = reducePio2(x);
  let s = sinKernel(red.r);
  let c = cosKernel(red.r);
  return select(divE(s, c), -divE(c, s), (red.q & 1i) == 1i);
}

/** sinh: (e + e/(e+1))/2 with e = expm1|x| below 1 (no cancellation), e^|x|/2 - e^-|x|/2, then (e^(|x|/2))²/2 near overflow. */
fn sinhF32(x: f32) -> f32 {
  let a = abs(x);
  var r: f32;
  if (a < 1.0f) {
    let e = expm1F32(a);
    r = 0.5f * (e + divE(e, e + 1.0f));
  } else if (a < 88.0f) {
    let e = expF32(a);
    r = 0.5f * e - divE(0.5f, e);
  } else {
    let h = expF32(0.5f * a);
    r = (0.5f * h) * h;
  }
  return copySignF(r, x);
}
fn coshF32(x: f32) -> f32 {
  let a = abs(x);
  if (isNanF(x)) { return x; }
  if (a < 88.0f) {
    let e = expF32(a);
    return 0.5f * e + divE(0.5f, e);
  }
  let h = expF32(0.5f * a);
  return (0.5f * h) * h;
}
/** tanh = e/(e+2) with e = expm1(2|x|); exactly ±1 once |x| > 9.1 (float32 tanh rounds to 1 there). */
fn tanhF32(x: f32) -> f32 {
  if (isNanF(x)) { return x; }
  let a = abs(x);
  if (a > 9.1f) { return copySignF(1.0f, x); }
  let e = expm1F32(2.0f * a);
  return copySignF(divE(e, e + 2.0f), x);
}

/** asinh (fdlibm's split): log1p form near 0, log(2a + 1/(√(a²+1) + a)), log(a) + ln2 for huge a. */
fn asinhF32(x: f32) -> f32 {
  let a = abs(x);
  if (!isFiniteF(x) || isZeroF(x)) { return x; }
  var r: f32;
  if (a > 4096.0f) {
    r = fastLog(a) + ${F(Math.LN2)};
  } else if (a > 2.0f) {
    r = fastLog(2.0f * a + divE(1.0f, sqrtF32(fma(a, a, 1.0f)) + a));
  } else {
    let t = a * a;
    r = fastLog1p(a + divE(t, 1.0f + sqrtF32(1.0f + t)));
  }
  return copySignF(r, x);
}
fn acoshF32(x: f32) -> f32 {
  if (isNanF(x) || x < 1.0f) { return nanF(); }
  if (x > 4096.0f) { return fastLog(x) + ${F(Math.LN2)}; }
  if (x > 2.0f) { return fastLog(2.0f * x - divE(1.0f, x + sqrtF32(fma(x, x, -1.0f)))); }
  let t = x - 1.0f;
  return fastLog1p(t + sqrtF32(fma(t, t, 2.0f * t)));
}
fn atanhF32(x: f32) -> f32 {
  let a = abs(x);
  if (isNanF(x) || a > 1.0f) { return nanF(); }
  if (a == 1.0f) { return copySignF(infF(), x); }
  if (isZeroF(x)) { return x; }
  var r: f32;
  if (a < 0.5f) {
    let t = a + a;
    r = 0.5f * fastLog1p(t + divE(t * a, 1.0f - a));
  } else {
    r = 0.5f * fastLog1p(divE(a + a, 1.0f - a));
  }
  return copySignF(r, x);
}

/** Cephes atanf: reduce to |x| <= tan(π/8) via π/2 - atan(1/x) or π/4 + atan((x-1)/(x+1)). */
fn atanF32(x: f32) -> f32 {
  if (isNanF(x) || isZeroF(x)) { return x; }
  let a = abs(x);
  var y0 = 0.0f;
  var t = a;
  if (a > 2.414213562373095f) {
    y0 = ${F(Math.PI / 2)};
    t = -divE(1.0f, a);
  } else if (a > 0.4142135623730950f) {
    y0 = ${F(Math.PI / 4)};
    t = divE(a - 1.0f, a + 1.0f);
  }
  let z = t * t;
  var p = ${F(8.05374449538e-2)};
  p = fma(p, z, ${F(-1.38776856032e-1)});
  p = fma(p, z, ${F(1.99777106478e-1)});
  p = fma(p, z, ${F(-3.33329491539e-1)});
  let r = y0 + fma(p * z, t, t);
  return copySignF(r, x);
}
/** atan2(y, x) with C99's special cases; x < 0 adds ±π in two parts. */
fn atan2F32(y: f32, x: f32) -> f32 {
  if (isNanF(x) || isNanF(y)) { return nanF(); }
  if (isZeroF(y)) {
    return select(y, copySignF(${PI_HI}, y), signBitF(x));
  }
  if (isZeroF(x)) { return copySignF(${F(Math.PI / 2)}, y); }
  if (isInfF(x)) {
    if (isInfF(y)) { return copySignF(select(${F((3 * Math.PI) / 4)}, ${F(Math.PI / 4)}, x > 0.0f), y); }
    return copySignF(select(${PI_HI}, 0.0f, x > 0.0f), y);
  }
  if (isInfF(y)) { return copySignF(${F(Math.PI / 2)}, y); }
  let z = atanF32(divE(y, x));
  if (x > 0.0f) { return z; }
  return copySignF(${PI_HI}, y) + (copySignF(${PI_LO}, y) + z);
}
/** asin x = atan2(x, √((1-x)(1+x))) (the factored form keeps precision near ±1). */
fn asinF32(x: f32) -> f32 {
  if (isNanF(x) || abs(x) > 1.0f) { return nanF(); }
  return atan2F32(x, sqrtF32((1.0f - x) * (1.0f + x)));
}
/** acos x = 2·atan2(√(1-x), √(1+x)). */
fn acosF32(x: f32) -> f32 {
  if (isNanF(x) || abs(x) > 1.0f) { return nanF(); }
  return 2.0f * atan2F32(sqrtF32(1.0f - x), sqrtF32(1.0f + x));
}

/** √(x² + y²) without overflow (C99: inf if either is infinite, even with a NaN). */
fn hypotF32(x: f32, y: f32) -> f32 {
  if (isInfF(x) || isInfF(y)) { return infF(); }
  if (isNanF(x) || isNanF(y)) { return nanF(); }
  let a = max(abs(x), abs(y));
  let b = min(abs(x), abs(y));
  if (isZeroF(a)) { return 0.0f; }
  let r = divE(b, a);
  return a * sqrtF32(fma(r, r, 1.0f));
}

/** 1/√x rounded from a correctly rounded √x: rsqrt(±0) = ±inf, rsqrt(inf) = 0, NaN below 0. */
fn rsqrtF32(x: f32) -> f32 {
  if (isZeroF(x)) { return copySignF(infF(), x); }
  let s = sqrtF32(x);
  if (isNanF(s)) { return s; }
  if (isInfF(s)) { return 0.0f; }
  return divE(1.0f, s);
}

/** Real cube root: bit-trick estimate, two Newton steps, a final step with an exact residual. */
fn cbrtF32(x: f32) -> f32 {
  if (isZeroF(x) || !isFiniteF(x)) { return x; }
  let ab = bitcast<u32>(x) & 0x7fffffffu;
  var a: f32;
  var scale = 1.0f;
  // Scale tiny (denormal: through the integer significand) and huge inputs by 2^±150/2^-120 so
  // that y³ neither underflows nor overflows.
  if (ab < 0x00800000u) { a = f32(ab) * 2.0f; scale = pow2F(-50i); }
  else if (ab < 0x0c800000u) { a = bitcast<f32>(ab) * pow2F(120i); scale = pow2F(-40i); }
  else if (ab >= 0x72800000u) { a = bitcast<f32>(ab) * pow2F(-120i); scale = pow2F(40i); }
  else { a = bitcast<f32>(ab); }
  var y = bitcast<f32>(bitcast<u32>(a) / 3u + 0x2a5137a0u);
  y = y - (y * y * y - a) / (3.0f * y * y);
  y = y - (y * y * y - a) / (3.0f * y * y);
  y = y - (y * y * y - a) / (3.0f * y * y);
  let y2 = y * y;
  let e2 = twoProd(y, y).y;
  let y3 = y2 * y;
  let e3 = twoProd(y2, y).y + e2 * y;
  let res = (a - y3) - e3;
  y = fma(res, divE(1.0f, 3.0f * y2), y);
  return copySignF(y * scale, x);
}

/** x^y for x > 0 finite, as exp(y·log x) with the product's rounding error carried. */
fn powPos(a: f32, y: f32) -> f32 {
  let l = fastLog(a);
  let t = y * l;
  if (!isFiniteF(t)) { return select(0.0f, infF(), t > 0.0f); }
  let err = twoProd(y, l).y;
  let e = expF32(t);
  return fma(e, err, e);
}
/** C99 pow: pow(x, ±0) = 1 and pow(1, y) = 1 (even for NaN), signs of negative bases by y's parity. */
fn powF32(x: f32, y: f32) -> f32 {
  if (isZeroF(y) || x == 1.0f) { return 1.0f; }
  if (isNanF(x) || isNanF(y)) { return nanF(); }
  let a = abs(x);
  let yInt = trunc(y) == y;
  let yOdd = yInt && abs(y) < 16777216.0f && (i32(y) & 1i) == 1i;
  if (isInfF(y)) {
    if (a == 1.0f) { return 1.0f; }
    return select(0.0f, infF(), (a > 1.0f) == (y > 0.0f));
  }
  if (x < 0.0f && !isInfF(x) && !yInt) { return nanF(); }
  var r: f32;
  if (isZeroF(a)) { r = select(infF(), 0.0f, y > 0.0f); }
  else if (isInfF(a)) { r = select(0.0f, infF(), y > 0.0f); }
  // Small integer exponents: the double-float32 power (≤ 1 ulp), not exp(y·log x).
  else if (yInt && abs(y) <= 64.0f) { r = ipowF32(a, i32(y)); }
  else { r = powPos(a, y); }
  return select(r, -r, signBitF(x) && yOdd);
}

/** C fmod on float32, exact (musl's fmodf: shift-and-subtract on the integer significands). */
fn fmodF32(x: f32, y: f32) -> f32 {
  var uxi = bitcast<u32>(x);
  var uyi = bitcast<u32>(y);
  var ex = i32((uxi >> 23u) & 0xffu);
  var ey = i32((uyi >> 23u) & 0xffu);
  let sx = uxi & 0x80000000u;
  if ((uyi << 1u) == 0u || isNanF(y) || ex == 255i) { return nanF(); }
  if ((uxi << 1u) <= (uyi << 1u)) {
    if ((uxi << 1u) == (uyi << 1u)) { return bitcast<f32>(sx); }
    return x;
  }
  if (ex == 0i) {
    var i = uxi << 9u;
    loop { if ((i >> 31u) != 0u) { break; } ex = ex - 1i; i = i << 1u; }
    uxi = uxi << u32(-ex + 1i);
  } else {
    uxi = (uxi & 0x007fffffu) | 0x00800000u;
  }
  if (ey == 0i) {
    var i = uyi << 9u;
    loop { if ((i >> 31u) != 0u) { break; } ey = ey - 1i; i = i << 1u; }
    uyi = uyi << u32(-ey + 1i);
  } else {
    uyi = (uyi & 0x007fffffu) | 0x00800000u;
  }
  loop {
    if (ex <= ey) { break; }
    let d = uxi - uyi;
    if ((d >> 31u) == 0u) {
      if (d == 0u) { return bitcast<f32>(sx); }
      uxi = d;
    }
    uxi = uxi << 1u;
    ex = ex - 1i;
  }
  let d = uxi - uyi;
  if ((d >> 31u) == 0u) {
    if (d == 0u) { return bitcast<f32>(sx); }
    uxi = d;
  }
  loop { if ((uxi >> 23u) != 0u) { break; } uxi = uxi << 1u; ex = ex - 1i; }
  if (ex > 0i) {
    uxi = (uxi - 0x00800000u) | (u32(ex) << 23u);
  } else {
    uxi = uxi >> u32(-ex + 1i);
  }
  return bitcast<f32>(uxi | sx);
}

/** np.nextafter in float32 (stepping the bit pattern; ±0 steps to the smallest denormal). */
fn nextafterF32(x: f32, t: f32) -> f32 {
  if (isNanF(x) || isNanF(t)) { return nanF(); }
  if (x == t) { return t; }
  if (isZeroF(x)) { return bitcast<f32>(select(0x80000001u, 0x00000001u, t > 0.0f)); }
  let u = bitcast<u32>(x);
  return bitcast<f32>(select(u - 1u, u + 1u, (t > x) == (x > 0.0f)));
}

/** A zero result keeps the sign of x (floor/ceil/round of -0.3 etc. is -0). */
fn zeroSign(r: f32, x: f32) -> f32 { return select(r, copySignF(0.0f, x), isZeroF(r)); }
fn roundAwayF32(x: f32) -> f32 {
  let t = trunc(x);
  let d = abs(x - t);
  return zeroSign(select(t, t + select(-1.0f, 1.0f, x > 0.0f), d >= 0.5f), x);
}

/** x^n (n > 0) by repeated squaring in double-float32 (hi + lo) arithmetic, then rounded once. */
struct DF { hi: f32, lo: f32 }
fn dfMul(a: DF, b: DF) -> DF {
  let p0 = a.hi * b.hi;
  if (!isFiniteF(p0) || isZeroF(p0)) { return DF(p0, 0.0f); }
  let u = twoProd(a.hi, b.hi); // u.x = a.hi * b.hi, rounded even where drivers contract
  let p = u.x;
  let e = u.y + (a.hi * b.lo + a.lo * b.hi);
  // Renormalise (|p| >= |e|): s from fenced copies so that \`(p + e) - p\` is not simplified to e.
  let s = (p - linax_opq) + (e - linax_opq);
  return DF(s, e - (s - p));
}
fn ipowDF(x: f32, n: u32) -> DF {
  var acc = DF(1.0f, 0.0f);
  var b = DF(x, 0.0f);
  var e = n;
  loop {
    if ((e & 1u) == 1u) { acc = dfMul(acc, b); }
    e = e >> 1u;
    if (e == 0u) { break; }
    b = dfMul(b, b);
  }
  return acc;
}
fn ipowF32(x: f32, y: i32) -> f32 {
  if (y == 0i) { return 1.0f; }
  let p = ipowDF(x, u32(abs(y)));
  if (y > 0i) { return p.hi + p.lo; }
  if (isZeroF(p.hi) || !isFiniteF(p.hi)) { return divE(1.0f, p.hi); }
  let q = divE(1.0f, p.hi);
  let r = fmaE(-q, p.hi, 1.0f) - q * p.lo;
  return fma(q, r, q);
}
`;
