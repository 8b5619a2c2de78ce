/**
 * complex64 elementary functions in WGSL, transliterating the CPU backend's
 * (backend-cpu/src/kernels/elementwise-complex.ts: C99 Annex G branch cuts and signed zeros,
 * Kahan's formulas for the inverse functions) onto the float32 real functions of
 * wgsl-math-real.ts. A complex value is `vec2<f32>(re, im)`.
 *
 * Needs WGSL_COMPLEX (cmul), WGSL_F32_BITS, WGSL_XLA_MATH and WGSL_MATH_REAL before it.
 */
import { f32 } from "../program.ts";

export const WGSL_MATH_COMPLEX = /* wgsl */ `
/** Smith's division with the CPU's zero-divisor case: (a.x/0, a.y/0). */
fn cdivZ(a: vec2<f32>, b: vec2<f32>) -> vec2<f32> {
  if (isZeroF(b.x) && isZeroF(b.y)) {
    let inf = infF();
    return vec2<f32>(select(select(-inf, inf, a.x > 0.0f), nanF(), isZeroF(a.x) || isNanF(a.x)),
                     select(select(-inf, inf, a.y > 0.0f), nanF(), isZeroF(a.y) || isNanF(a.y)));
  }
  if (abs(b.x) >= abs(b.y)) {
    let r = divE(b.y, b.x);
    let d = b.x + b.y * r;
    return vec2<f32>(divE(a.x + a.y * r, d), divE(a.y - a.x * r, d));
  }
  let r = divE(b.x, b.y);
  let d = b.x * r + b.y;
  return vec2<f32>(divE(a.x * r + a.y, d), divE(a.y * r - a.x, d));
}
fn cexpC(z: vec2<f32>) -> vec2<f32> {
  let e = expF32(z.x);
  if (z.y == 0.0f) { return vec2<f32>(e, z.y); }
  return vec2<f32>(e * cosF32(z.y), e * sinF32(z.y));
}
fn clogC(z: vec2<f32>) -> vec2<f32> { return vec2<f32>(fastLog(hypotF32(z.x, z.y)), atan2F32(z.y, z.x)); }
fn csqrtC(z: vec2<f32>) -> vec2<f32> {
  let x = z.x;
  let y = z.y;
  if (isZeroF(x) && isZeroF(y)) { return vec2<f32>(0.0f, y); }
  if (isInfF(y)) { return vec2<f32>(infF(), y); }
  if (isNanF(x) || isNanF(y)) { return vec2<f32>(nanF(), nanF()); }
  if (isInfF(x) && x > 0.0f) { return vec2<f32>(x, copySignF(0.0f, y)); }
  if (isInfF(x)) { return vec2<f32>(0.0f, copySignF(infF(), y)); }
  // √((|x| + |z|)/2) with the halving first, so that |x| + |z| cannot overflow.
  let t = sqrtF32(0.5f * abs(x) + 0.5f * hypotF32(x, y));
  if (x >= 0.0f) { return vec2<f32>(t, divE(y, 2.0f * t)); }
  return vec2<f32>(divE(abs(y), 2.0f * t), copySignF(t, y));
}
fn crsqrtC(z: vec2<f32>) -> vec2<f32> { return cdivZ(vec2<f32>(1.0f, 0.0f), csqrtC(z)); }
fn csinC(z: vec2<f32>) -> vec2<f32> { return vec2<f32>(sinF32(z.x) * coshF32(z.y), cosF32(z.x) * sinhF32(z.y)); }
fn ccosC(z: vec2<f32>) -> vec2<f32> { return vec2<f32>(cosF32(z.x) * coshF32(z.y), -sinF32(z.x) * sinhF32(z.y)); }
fn csinhC(z: vec2<f32>) -> vec2<f32> {
  if (z.y == 0.0f) { return vec2<f32>(sinhF32(z.x), z.y); }
  return vec2<f32>(sinhF32(z.x) * cosF32(z.y), coshF32(z.x) * sinF32(z.y));
}
fn ccoshC(z: vec2<f32>) -> vec2<f32> {
  if (z.y == 0.0f) { return vec2<f32>(coshF32(z.x), select(sinhF32(z.x) * z.y, z.y, z.x == 0.0f)); }
  return vec2<f32>(coshF32(z.x) * cosF32(z.y), sinhF32(z.x) * sinF32(z.y));
}
/** tanh(x+iy) = (sinh 2x + i sin 2y)/(cosh 2x + cos 2y), ±1 beyond |x| > 20. */
fn ctanhC(z: vec2<f32>) -> vec2<f32> {
  if (abs(z.x) > 20.0f) { return vec2<f32>(select(-1.0f, 1.0f, z.x > 0.0f), copySignF(0.0f, sinF32(2.0f * z.y))); }
  let d = coshF32(2.0f * z.x) + cosF32(2.0f * z.y);
  return vec2<f32>(divE(sinhF32(2.0f * z.x), d), divE(sinF32(2.0f * z.y), d));
}
fn ctanC(z: vec2<f32>) -> vec2<f32> {
  let t = ctanhC(vec2<f32>(-z.y, z.x));
  return vec2<f32>(t.y, -t.x);
}
fn cexpm1C(z: vec2<f32>) -> vec2<f32> {
  if (z.y == 0.0f) { return vec2<f32>(expm1F32(z.x), z.y); }
  let s = sinF32(0.5f * z.y);
  return vec2<f32>(expm1F32(z.x) * cosF32(z.y) - 2.0f * s * s, expF32(z.x) * sinF32(z.y));
}
fn clog1pC(z: vec2<f32>) -> vec2<f32> {
  let x = z.x;
  let y = z.y;
  var re: f32;
  if (abs(x) < 0.5f && abs(y) < 0.5f) {
    re = 0.5f * fastLog1p(fma(x, 2.0f + x, y * y));
  } else {
    re = fastLog(hypotF32(1.0f + x, y));
  }
  return vec2<f32>(re, atan2F32(y, 1.0f + x));
}
fn cexp2C(z: vec2<f32>) -> vec2<f32> { return cexpC(z * ${f32(Math.LN2)}); }
fn casinC(z: vec2<f32>) -> vec2<f32> {
  let a = csqrtC(vec2<f32>(1.0f - z.x, -z.y));
  let b = csqrtC(vec2<f32>(1.0f + z.x, z.y));
  return vec2<f32>(atan2F32(z.x, a.x * b.x - a.y * b.y), asinhF32(a.x * b.y - a.y * b.x));
}
fn cacosC(z: vec2<f32>) -> vec2<f32> {
  let a = csqrtC(vec2<f32>(1.0f - z.x, -z.y));
  let b = csqrtC(vec2<f32>(1.0f + z.x, z.y));
  return vec2<f32>(2.0f * atan2F32(a.x, b.x), asinhF32(b.x * a.y - b.y * a.x));
}
fn casinhC(z: vec2<f32>) -> vec2<f32> {
  let t = casinC(vec2<f32>(-z.y, z.x));
  return vec2<f32>(t.y, -t.x);
}
fn cacoshC(z: vec2<f32>) -> vec2<f32> {
  let a = csqrtC(vec2<f32>(z.x - 1.0f, z.y));
  let b = csqrtC(vec2<f32>(z.x + 1.0f, z.y));
  return vec2<f32>(asinhF32(a.x * b.x + a.y * b.y), 2.0f * atan2F32(a.y, b.x));
}
fn catanhC(z: vec2<f32>) -> vec2<f32> {
  let a = clog1pC(z);
  let b = clog1pC(-z);
  return vec2<f32>(0.5f * (a.x - b.x), 0.5f * (a.y - b.y));
}
fn catanC(z: vec2<f32>) -> vec2<f32> {
  let t = catanhC(vec2<f32>(-z.y, z.x));
  return vec2<f32>(t.y, -t.x);
}
fn clogisticC(z: vec2<f32>) -> vec2<f32> {
  let e = cexpC(-z);
  return cdivZ(vec2<f32>(1.0f, 0.0f), vec2<f32>(1.0f + e.x, e.y));
}
fn csignC(z: vec2<f32>) -> vec2<f32> {
  if (z.x == 0.0f && z.y == 0.0f) { return vec2<f32>(0.0f, 0.0f); }
  let h = hypotF32(z.x, z.y);
  return vec2<f32>(divE(z.x, h), divE(z.y, h));
}
/** z^w = exp(w·log z); 0^0 = 1, 0^w = 0 for real w > 0 (else NaN); positive real bases stay real. */
fn cpowC(a: vec2<f32>, w: vec2<f32>) -> vec2<f32> {
  if (w.x == 0.0f && w.y == 0.0f) { return vec2<f32>(1.0f, 0.0f); }
  if (a.x == 0.0f && a.y == 0.0f) {
    if (w.y == 0.0f && w.x > 0.0f) { return vec2<f32>(0.0f, 0.0f); }
    return vec2<f32>(nanF(), nanF());
  }
  if (a.y == 0.0f && w.y == 0.0f && a.x > 0.0f) { return vec2<f32>(powF32(a.x, w.x), 0.0f); }
  return cexpC(cmul(clogC(a), w));
}
/** Integer power by repeated squaring (the CPU's order); negative n: the reciprocal. */
fn cipow(z: vec2<f32>, n: i32) -> vec2<f32> {
  var acc = vec2<f32>(1.0f, 0.0f);
  var b = z;
  var e = u32(abs(n));
  loop {
    if (e == 0u) { break; }
    if ((e & 1u) == 1u) { acc = cmul(acc, b); }
    b = cmul(b, b);
    e = e >> 1u;
  }
  if (n < 0i) { return cdivZ(vec2<f32>(1.0f, 0.0f), acc); }
  return acc;
}
`;
