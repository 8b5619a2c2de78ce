/**
 * WGSL helper functions shared by kernels, as source snippets a kernel prepends to its module.
 * Each snippet must be included at most once per module; a snippet that needs another says so
 * and includes nothing itself (kernels concatenate what they need, dependencies first).
 *
 * Why error-free transformations by hand: WGSL's `fma` need not be fused (SwiftShader's is not:
 * `fma(x, x, -x*x)` is 0 there), so the classic fma tricks silently lose the bits they exist for.
 * Dekker's split gives exact products from plain correctly rounded `*`, `+`, `-` instead; where
 * the device's fma is fused (LINAX_FUSED_FMA, program.ts) the helpers use it. These snippets use
 * `linax_fence` and LINAX_FUSED_FMA, so their modules must include MODULE_COMMON (`declare` does).
 */

/**
 * Exact product error and a near-correctly rounded a·b + c·d (Ogita–Rump–Oishi Dot2), the float32
 * stand-in for the CPU reference's float64 evaluation rounded once. Inputs beyond 1e30 in
 * magnitude (where the split overflows) and non-finite sums take the plain expression.
 */
export const WGSL_EXACT = /* wgsl */ `
fn exactFinite(x: f32) -> bool { return (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u; }
// Veltkamp split at 2^12 + 1: a = hi + lo with 12-bit halves, so hi·hi etc. are exact.
// (Products whose rounded value matters are fenced: see program.ts's FENCE on fma contraction.)
fn exactSplit(a: f32) -> vec2<f32> { let c = linax_fence(4097.0f * a); let hi = c - (c - a); return vec2<f32>(hi, a - hi); }
// a·b - p exactly, for p = fl(a·b) (no overflow, no underflow of the partial products).
fn exactProdErr(a: f32, b: f32, p: f32) -> f32 {
  if (LINAX_FUSED_FMA) { return fma(a, b, -p); }
  let x = exactSplit(a);
  let y = exactSplit(b);
  return ((x.x * y.x - p) + x.x * y.y + x.y * y.x) + x.y * y.y;
}
fn dot2(a: f32, b: f32, c: f32, d: f32) -> f32 {
  if (LINAX_FUSED_FMA) {
    // Dot2 with the hardware fma for the product errors; the sum's error by Fast2Sum on the
    // magnitude-ordered terms, s formed from fenced copies (NVIDIA's compiler simplifies
    // \`(p + q) - p\` to \`q\` otherwise).
    let p1 = a * b;
    let q1 = c * d;
    let ep = fma(a, b, -p1);
    let eq = fma(c, d, -q1);
    let s1 = (p1 - linax_opq) + (q1 - linax_opq);
    if (!exactFinite(s1)) { return s1; }
    let big = select(q1, p1, abs(p1) >= abs(q1));
    let small = select(p1, q1, abs(p1) >= abs(q1));
    let corr1 = (small - (s1 - big)) + (ep + eq);
    if (corr1 == 0.0f) { return s1; }
    return s1 + corr1;
  }
  let p = linax_fence(a * b);
  let q = linax_fence(c * d);
  let s = p + q;
  if (!exactFinite(s) || max(max(abs(a), abs(b)), max(abs(c), abs(d))) > 1e30f) { return s; }
  let z = s - p;
  let e = (p - (s - z)) + (q - z);
  let corr = (exactProdErr(a, b, p) + exactProdErr(c, d, q)) + e;
  // A zero correction must not turn a -0 sum into +0 (the CPU's a*b + c*d keeps the sign).
  if (corr == 0.0f) { return s; }
  return s + corr;
}
`;

/**
 * float32 division with one Newton correction on an exactly computed remainder — correctly
 * rounded except in rare double-rounding ties (WGSL only promises 2.5 ulp for \`/\`). Includes
 * WGSL_EXACT (so a module with WGSL_DIV must not add WGSL_EXACT again). Quotients and divisors outside [1e-30, 1e30] keep the plain quotient (the split
 * would overflow or the remainder underflow there).
 */
export const WGSL_DIV =
  WGSL_EXACT +
  /* wgsl */ `
fn divF32(a: f32, b: f32) -> f32 {
  let q = a / b;
  let ok = (abs(q) < 1e30f) && (abs(q) > 1e-30f) && (abs(b) < 1e30f) && (abs(b) > 1e-30f);
  if (!ok) { return q; }
  // q·b = p + e exactly; a - p is exact (p is within a few ulps of a), so r = a - q·b exactly.
  let p = linax_fence(q * b);
  let r = (a - p) - exactProdErr(q, b, p);
  return q + r * (1.0f / b);
}
`;

/**
 * complex64 (vec2<f32>) arithmetic: \`cmul\`, the plain float32 product (fast: FFT butterflies,
 * products inside reductions), and \`cdiv\`, Smith's algorithm.
 */
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

/**
 * complex64 product with each part a·c − b·d rounded once (Dot2), as the CPU reference's float64
 * evaluation gives; plain float32 differs from it by up to thousands of ulps under cancellation.
 * Needs WGSL_EXACT (or WGSL_DIV, which includes it).
 */
export const WGSL_CMUL_EXACT = /* wgsl */ `
fn cmulExact(a: vec2<f32>, b: vec2<f32>) -> vec2<f32> {
  return vec2<f32>(dot2(a.x, b.x, -a.y, b.y), dot2(a.x, b.y, a.y, b.x));
}
`;
