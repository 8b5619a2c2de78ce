/**
 * WGSL snippets of the logic and conversion kernels: float32 comparisons, max/min and casts that
 * work on the bit pattern. WGSL lets an implementation assume NaN and infinities never occur (and
 * GPUs may flush subnormals in float arithmetic), so a plain `a < b`, `max(a, b)` or `x != x` is
 * not reliable for the values the CPU oracle handles exactly. Integer compares of the bits are.
 * Include each snippet at most once per module; WGSL_CONVERT needs WGSL_FLOAT_BITS.
 */

/** NaN tests, IEEE comparisons and NaN-propagating max/min of f32 via an integer ordering key. */
export const WGSL_FLOAT_BITS = /* wgsl */ `
fn isNanBits(b: u32) -> bool { return (b & 0x7fffffffu) > 0x7f800000u; }
// Monotone key of a non-NaN float's bits: key(a) < key(b) iff a < b, with -0 < +0.
fn orderKey(b: u32) -> u32 { return select(b | 0x80000000u, ~b, (b & 0x80000000u) != 0u); }
// The same key with -0 mapped to +0, for IEEE comparisons (where -0 == +0).
fn cmpKey(b: u32) -> u32 { return orderKey(select(b, 0u, (b & 0x7fffffffu) == 0u)); }
fn feq(a: f32, b: f32) -> bool {
  let x = bitcast<u32>(a);
  let y = bitcast<u32>(b);
  return !isNanBits(x) && !isNanBits(y) && cmpKey(x) == cmpKey(y);
}
fn flt(a: f32, b: f32) -> bool {
  let x = bitcast<u32>(a);
  let y = bitcast<u32>(b);
  return !isNanBits(x) && !isNanBits(y) && cmpKey(x) < cmpKey(y);
}
fn fle(a: f32, b: f32) -> bool {
  let x = bitcast<u32>(a);
  let y = bitcast<u32>(b);
  return !isNanBits(x) && !isNanBits(y) && cmpKey(x) <= cmpKey(y);
}
// JS Math.max/min semantics (the CPU kernel): NaN if either is NaN; max(-0, +0) = +0, min = -0.
// The NaN operand itself is returned: a NaN constant (bitcast<f32>(0x7fc00000u)) is rejected by
// WGSL's constant evaluation, and which NaN comes back is invisible to the CPU comparison.
fn fmaxF32(a: f32, b: f32) -> f32 {
  let x = bitcast<u32>(a);
  let y = bitcast<u32>(b);
  if (isNanBits(x)) { return a; }
  if (isNanBits(y)) { return b; }
  return bitcast<f32>(select(y, x, orderKey(x) > orderKey(y)));
}
fn fminF32(a: f32, b: f32) -> f32 {
  let x = bitcast<u32>(a);
  let y = bitcast<u32>(b);
  if (isNanBits(x)) { return a; }
  if (isNanBits(y)) { return b; }
  return bitcast<f32>(select(y, x, orderKey(x) < orderKey(y)));
}
`;

/**
 * Casts with the CPU kernel's (XLA's) semantics. float→int truncates toward zero, saturates out
 * of range and maps NaN to 0 — WGSL leaves NaN (and, before its saturation rule, out-of-range
 * values) implementation-defined, so both are decided here before the conversion. int→float must
 * round to nearest-even like a Float32Array store, but WGSL allows either neighbour: split the
 * integer into a high part with <= 16 significant bits and the low 16 bits (both exact as f32),
 * and let one correctly rounded f32 addition do the single rounding.
 */
export const WGSL_CONVERT = /* wgsl */ `
fn f32ToI32(x: f32) -> i32 {
  if (isNanBits(bitcast<u32>(x))) { return 0i; }
  if (x >= 2147483648.0f) { return 2147483647i; }
  if (x <= -2147483648.0f) { return i32(-2147483647 - 1); }
  return i32(x);
}
fn f32ToU32(x: f32) -> u32 {
  if (isNanBits(bitcast<u32>(x)) || x <= 0.0f) { return 0u; }
  // No float32 lies strictly between 4294967040 and 2^32.
  if (x >= 4294967296.0f) { return 4294967295u; }
  return u32(x);
}
fn i32ToF32(v: i32) -> f32 { return f32(v & bitcast<i32>(0xffff0000u)) + f32(v & 0xffffi); }
fn u32ToF32(v: u32) -> f32 { return f32(v & 0xffff0000u) + f32(v & 0xffffu); }
// float → bool: x != 0 and not NaN (±0 → false), on the bits so subnormals count as nonzero.
fn f32BitsToBool(b: u32) -> u32 { return select(0u, 1u, (b & 0x7fffffffu) != 0u && !isNanBits(b)); }
`;
