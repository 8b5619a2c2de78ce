/**
 * WGSL helper functions shared by kernels, as source snippets a kernel prepends to its module.
 * Each snippet must be included at most once per module: kernels concatenate the ones they need
 * (a snippet that depends on another says so and includes nothing itself).
 */

/**
 * Correctly rounded float32 division. WGSL only promises 2.5 ulp for `/`; one Newton step on the
 * remainder (computed exactly with fma) fixes the last bit in all but pathological cases
 * (|b| near the float range limits, handled by the plain quotient).
 */
export const WGSL_DIV = /* wgsl */ `
fn divF32(a: f32, b: f32) -> f32 {
  let q = a / b;
  let r = fma(-q, b, a);
  let q1 = fma(r, 1.0f / b, q);
  // Keep the plain quotient where the correction is meaningless (inf/nan/0 results, huge/tiny b).
  let ok = (abs(q) < 1e37f) && (abs(q) > 1e-37f) && (abs(b) < 1e37f) && (abs(b) > 1e-37f);
  return select(q, q1, ok);
}
`;

/** complex64 (vec2<f32>) multiply and divide. Needs WGSL_DIV for cdiv. */
export const WGSL_COMPLEX = /* wgsl */ `
fn cmul(a: vec2<f32>, b: vec2<f32>) -> vec2<f32> {
  return vec2<f32>(a.x * b.x - a.y * b.y, a.x * b.y + a.y * b.x);
}
fn cdiv(a: vec2<f32>, b: vec2<f32>) -> vec2<f32> {
  // Smith's algorithm: scale by the larger part of b to avoid overflow.
  if (abs(b.x) >= abs(b.y)) {
    let r = b.y / b.x;
    let d = b.x + b.y * r;
    return vec2<f32>((a.x + a.y * r) / d, (a.y - a.x * r) / d);
  }
  let r = b.x / b.y;
  let d = b.x * r + b.y;
  return vec2<f32>((a.x * r + a.y) / d, (a.y * r - a.x) / d);
}
`;
