/**
 * `nextafter` on float16 / bfloat16 operands. Half primitives normally compute in float32 and round
 * back (core/half-compute.ts), but for nextafter that is wrong — a float32 ulp step rounds straight
 * back to the operand — so this evaluation, installed with `installHalfImpl`, steps by the half
 * dtype's own ulp. It binds ordinary float32 primitives on the (concrete) operands.
 */
import type { Array } from "../core/array.ts";
import { installHalfImpl } from "../core/half-compute.ts";
import { DTypeError } from "../errors.ts";
import { convertElementType } from "./convert.ts";
import { add, fullLike, mul, sub } from "./elementwise.ts";
import {
  bitcastConvertType,
  bitwiseAnd,
  bitwiseOr,
  eq,
  lt,
  max,
  ne,
  select,
  shiftLeft,
  shiftRightLogical,
} from "./elementwise-logic.ts";
import { abs } from "./elementwise-math.ts";

/** Stored mantissa bits, smallest normal exponent and largest finite value of the half dtypes. */
const FORMAT = {
  float16: { nmant: 10, minExp: -14, max: 65504 },
  bfloat16: { nmant: 7, minExp: -126, max: (2 - 2 ** -7) * 2 ** 127 },
} as const;

/**
 * The next value of `x`'s half dtype after `x` toward `toward` (same dtype and shape): `x ± ulp`
 * with the dtype's ulp `2^(max(e, minExp) − nmant)` for `2^e ≤ |x| < 2^(e+1)`, halved when stepping
 * toward zero from a power of two above the smallest normal. The sum is exact in float32 and a
 * value of the dtype (or overflows to ±inf there, as it should). Infinities step to ±max,
 * `x == toward` gives `toward`, NaN stays NaN, and a step to zero keeps `x`'s sign
 * (`nextafter(-tiny, 0) = -0`) — the results of XLA's bit-stepping implementation.
 */
export function halfNextafter(x: Array, toward: Array): Array {
  const dtype = x.dtype;
  if (dtype !== "float16" && dtype !== "bfloat16")
    throw new DTypeError(`nextafter: expected a float16 or bfloat16 operand; got ${x.aval.toString()}`);
  const { nmant, minExp, max: fmax } = FORMAT[dtype];
  const x32 = convertElementType(x, "float32");
  const t32 = convertElementType(toward, "float32");
  const like = (v: number, a: Array): Array => fullLike(a, v);
  const bits = bitcastConvertType(abs(x32), "uint32");
  const biased = bitcastConvertType(shiftRightLogical(bits, like(23, bits)), "int32");
  const expo = max(sub(biased, like(127, biased)), like(minExp, biased));
  // 2^expo is a normal float32 (minExp ≤ expo ≤ 127 for finite x); scaling it by 2^−nmant is exact
  // even where the ulp (down to 2^−133, bfloat16's smallest subnormal) is a float32 subnormal.
  const pow2Expo = bitcastConvertType(
    shiftLeft(bitcastConvertType(add(expo, like(127, expo)), "uint32"), like(23, bits)),
    "float32",
  );
  const ulp = mul(pow2Expo, like(2 ** -nmant, x32));
  const up = lt(x32, t32);
  const pow2 = eq(bitwiseAnd(bits, like(0x7fffff, bits)), like(0, bits));
  const aboveMinNormal = ne(expo, like(minExp, expo));
  const towardZero = select(up, lt(x32, like(0, x32)), lt(like(0, x32), x32));
  const half = bitwiseAnd(bitwiseAnd(towardZero, pow2), aboveMinNormal);
  const step = select(half, mul(ulp, like(0.5, ulp)), ulp);
  let r = select(up, add(x32, step), sub(x32, step));
  r = select(eq(r, like(0, r)), mul(x32, like(0, x32)), r);
  const inf = eq(abs(x32), like(Infinity, x32));
  r = select(inf, select(lt(x32, like(0, x32)), like(-fmax, x32), like(fmax, x32)), r);
  r = select(eq(x32, t32), t32, r);
  r = select(bitwiseOr(ne(x32, x32), ne(t32, t32)), add(x32, t32), r);
  return convertElementType(r, dtype);
}

installHalfImpl("nextafter", (args) => [halfNextafter(args[0], args[1])]);
