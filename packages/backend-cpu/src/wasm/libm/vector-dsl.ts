/**
 * The two-lane (f64x2) side of the routine language: expressions of type "v128" holding two
 * doubles (or two int64 / a lane mask), for writing the branch-free SIMD forms of the fdlibm
 * routines. Each lane computes exactly what the scalar IEEE operation computes on that lane.
 */
import type { Code } from "../emitter.ts";
import type { Ex } from "./scalar-dsl.ts";

const v = (emit: (c: Code) => void): Ex => ({ t: "v128", emit });

const f64Bytes = (x: number): number[] => [...new Uint8Array(new Float64Array([x]).buffer)];
const i64Bytes = (x: bigint): number[] => [...new Uint8Array(new BigInt64Array([x]).buffer)];

/** Both lanes = x (a v128.const). */
export const splat = (x: number): Ex => v((c) => void c.simd(0x0c, ...f64Bytes(x), ...f64Bytes(x)));
/** Both int64 lanes = n. */
export const splatI64 = (n: bigint): Ex => v((c) => void c.simd(0x0c, ...i64Bytes(n), ...i64Bytes(n)));

type VArg = Ex | number;
const asV = (a: VArg): Ex => (typeof a === "number" ? splat(a) : a);
const bin =
  (sub: number) =>
  (a: VArg, b: VArg): Ex => {
    const x = asV(a);
    const y = asV(b);
    return v((c) => {
      x.emit(c);
      y.emit(c);
      c.simd(sub);
    });
  };
const un =
  (sub: number, ...imm: number[]) =>
  (a: Ex): Ex =>
    v((c) => {
      a.emit(c);
      c.simd(sub, ...imm);
    });

export const vadd = bin(0xf0);
export const vsub = bin(0xf1);
export const vmul = bin(0xf2);
export const vdiv = bin(0xf3);
export const vabs = un(0xec);
export const vneg = un(0xed);
export const vtrunc = un(0x7a);
/** Round to nearest, ties to even. */
export const vnearest = un(0x94);
/** int64 lanes: a & b, a − b, |a|, a < b (signed). */
export const iand = bin(0x4e);
export const isub64 = bin(0xd1);
export const iabs64 = un(0xc0);
export const ilt64 = bin(0xd8);
/** Lane masks (all ones where true); ordered comparisons are false with a NaN. */
export const veq = bin(0x47);
export const vlt = bin(0x49);
export const vgt = bin(0x4a);
export const vle = bin(0x4b);
export const vge = bin(0x4c);
export const vand = bin(0x4e);
export const vor = bin(0x50);
/** a & ~b. */
export const vandnot = bin(0x4f);
/** Lane-wise minimum (a NaN lane gives NaN). */
export const vmin = bin(0xf4);
/** ~m. */
export const vnot = (m: Ex): Ex => vandnot(splatI64(-1n), m);
/** All ones in the lanes whose sign bit is set (−0 and negative NaNs included). */
export const signMask = (a: Ex): Ex =>
  v((c) => {
    a.emit(c);
    c.i32(63).simd(0xcc); // i64x2.shr_s
  });
/** Per bit: mask ? a : b. */
export const vselect = (mask: Ex, a: VArg, b: VArg): Ex => {
  const x = asV(a);
  const y = asV(b);
  return v((c) => {
    x.emit(c);
    y.emit(c);
    mask.emit(c);
    c.simd(0x52);
  });
};
/** i32 1 when any bit is set. */
export const anyTrue = (a: Ex): Ex => ({ t: "i32", emit: (c) => void (a.emit(c), c.simd(0x53)) });
/** 2^k per lane for integer-valued doubles k in [−1022, 1023]: ((k + 1023) << 52) as bits. */
export const pow2 = (k: Ex): Ex =>
  v((c) => {
    k.emit(c);
    c.simd(0xfc); // i32x4.trunc_sat_f64x2_s_zero
    c.simd(0xc7); // i64x2.extend_low_i32x4_s
    splatI64(1023n).emit(c);
    c.simd(0xce); // i64x2.add
    c.i32(52).simd(0xcb); // i64x2.shl
  });
/** Lane l of a two-double vector, as an f64. */
export const lane = (a: Ex, l: number): Ex => ({ t: "f64", emit: (c) => void (a.emit(c), c.simd(0x21, l)) });
/** The vector of two f64 expressions. */
export const pair = (x0: Ex, x1: Ex): Ex =>
  v((c) => {
    x0.emit(c);
    c.simd(0x14); // f64x2.splat
    x1.emit(c);
    c.simd(0x22, 1); // replace lane 1
  });
/** Lanes 0–1 and 2–3 of an f32x4 as two f64x2, and back. */
export const promoteLow = un(0x5f);
export const promoteHigh = (a: Ex): Ex =>
  v((c) => {
    a.emit(c);
    a.emit(c);
    c.simd(0x0d, 8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15); // lanes 2, 3 to the bottom
    c.simd(0x5f);
  });
/** f32x4 of (demote lo[0], lo[1], hi[0], hi[1]). */
export const demotePair = (lo: Ex, hi: Ex): Ex =>
  v((c) => {
    lo.emit(c);
    c.simd(0x5e);
    hi.emit(c);
    c.simd(0x5e);
    c.simd(0x0d, 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23);
  });
