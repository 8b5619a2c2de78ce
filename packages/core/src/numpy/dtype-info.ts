/**
 * dtype names and machine limits: `np.float16`, `np.bfloat16`, … (the dtype strings, as JAX's
 * `jnp.float16` is the dtype), `np.finfo`, `np.iinfo`, and `np.frombuffer` (arrays from raw
 * bytes — how float16/bfloat16 bit patterns, e.g. from a checkpoint, become arrays unchanged).
 */
import type { Array } from "../core/array.ts";
import { ShapedArray } from "../core/aval.ts";
import { fromHost } from "../core/concrete.ts";
import { getBackend } from "../backend.ts";
import { allocTyped, isDType, isFloat, isInteger, itemSize, type DType } from "../dtype.ts";
import { DTypeError, ValueError } from "../errors.ts";
import { bfloat16BitsFromNumber, bfloat16ToNumber, float16BitsFromNumber, float16ToNumber } from "../half.ts";

/** `jnp.float32`: the dtype name (pass it wherever a dtype is expected). */
export const float32 = "float32" satisfies DType;
/** `jnp.float16`: IEEE binary16, a storage dtype computed in float32. */
export const float16 = "float16" satisfies DType;
/** `jnp.bfloat16`: bfloat16 (float32's top 16 bits), a storage dtype computed in float32. */
export const bfloat16 = "bfloat16" satisfies DType;
/** `jnp.int32`. */
export const int32 = "int32" satisfies DType;
/** `jnp.uint32`. */
export const uint32 = "uint32" satisfies DType;
/** `jnp.complex64`. */
export const complex64 = "complex64" satisfies DType;
/** `jnp.bool_`. */
export const bool_ = "bool" satisfies DType;

/** Machine limits of a floating dtype, numpy's `finfo` fields in camelCase. */
export interface FInfo {
  readonly dtype: DType;
  readonly bits: number;
  /** 2^machep: the gap between 1 and the next larger value. */
  readonly eps: number;
  /** 2^negep: the gap between 1 and the next smaller value. */
  readonly epsneg: number;
  /** The largest finite value. */
  readonly max: number;
  /** The most negative finite value (−max). */
  readonly min: number;
  /** The smallest positive normal value (numpy's `tiny` = `smallest_normal`). */
  readonly tiny: number;
  readonly smallestNormal: number;
  /** The smallest positive subnormal value. */
  readonly smallestSubnormal: number;
  /** Approximate decimal digits of precision, and 10^-precision. */
  readonly precision: number;
  readonly resolution: number;
  /** Mantissa bits (without the implicit one), exponent bits. */
  readonly nmant: number;
  readonly nexp: number;
  /** Exponent range: 2^maxexp overflows, 2^minexp is the smallest normal. */
  readonly maxexp: number;
  readonly minexp: number;
  readonly machep: number;
  readonly negep: number;
}

/**
 * An IEEE-style binary format with `nmant` mantissa and `nexp` exponent bits (all three of ours
 * are). `round` rounds a JS number to the dtype: numpy's `resolution` is 10^-precision *in* the
 * dtype (float16's is 0.0010004…, float32's 9.99999997e-7).
 */
function binaryFormat(
  dtype: DType,
  nmant: number,
  nexp: number,
  precision: number,
  round: (v: number) => number,
): FInfo {
  const maxexp = 2 ** (nexp - 1);
  const minexp = 2 - maxexp; // 1 − bias, bias = maxexp − 1
  const max = (2 - 2 ** -nmant) * 2 ** (maxexp - 1);
  return {
    dtype,
    bits: 1 + nexp + nmant,
    eps: 2 ** -nmant,
    epsneg: 2 ** (-nmant - 1),
    max,
    min: -max,
    tiny: 2 ** minexp,
    smallestNormal: 2 ** minexp,
    smallestSubnormal: 2 ** (minexp - nmant),
    precision,
    resolution: round(10 ** -precision),
    nmant,
    nexp,
    maxexp,
    minexp,
    machep: -nmant,
    negep: -nmant - 1,
  };
}

const FINFO: Partial<Record<DType, FInfo>> = {
  float32: binaryFormat("float32", 23, 8, 6, Math.fround),
  float16: binaryFormat("float16", 10, 5, 3, (v) => float16ToNumber(float16BitsFromNumber(v))),
  bfloat16: binaryFormat("bfloat16", 7, 8, 2, (v) => bfloat16ToNumber(bfloat16BitsFromNumber(v))),
};

/** The dtype of a dtype name or an array. */
function dtypeOf(op: string, x: DType | Array): DType {
  if (typeof x === "string") {
    if (!isDType(x)) throw new DTypeError(`${op}: unknown dtype '${String(x)}'`);
    return x;
  }
  return x.dtype;
}

/**
 * `np.finfo(dtype)`: machine limits of float32, float16 or bfloat16 (numpy's and ml_dtypes'
 * values); complex64 gives float32's, as numpy does. Integer and bool dtypes are a DTypeError.
 */
export function finfo(dtype: DType | Array): FInfo {
  const d = dtypeOf("finfo", dtype);
  const info = FINFO[d === "complex64" ? "float32" : d];
  if (info === undefined || !(isFloat(d) || d === "complex64"))
    throw new DTypeError(
      `finfo: dtype ${d} is not inexact (use np.iinfo for integers); expected one of float32, float16, bfloat16, complex64`,
    );
  return info;
}

/** Limits of an integer dtype (numpy's `iinfo`). */
export interface IInfo {
  readonly dtype: DType;
  readonly bits: number;
  readonly min: number;
  readonly max: number;
}

/** `np.iinfo(dtype)`: the range of int32 or uint32. */
export function iinfo(dtype: DType | Array): IInfo {
  const d = dtypeOf("iinfo", dtype);
  if (!isInteger(d))
    throw new DTypeError(
      `iinfo: dtype ${d} is not an integer dtype; expected int32 or uint32 (use np.finfo for floats)`,
    );
  return d === "int32"
    ? { dtype: d, bits: 32, min: -2147483648, max: 2147483647 }
    : { dtype: d, bits: 32, min: 0, max: 4294967295 };
}

export interface FromBufferOptions {
  /** Element dtype of the bytes (default float32). */
  dtype?: DType;
  /** Number of elements to read (default −1: all the rest). */
  count?: number;
  /** Byte offset of the first element (default 0). */
  offset?: number;
}

/**
 * `np.frombuffer`: a 1-d array whose elements are the bytes of `buffer` read as `dtype` in the
 * platform's byte order (little-endian in every JS engine we run on), copied. For float16 and
 * bfloat16 the bytes are the 16-bit patterns, kept bit for bit; bool bytes are nonzero → true.
 */
export function frombuffer(buffer: ArrayBufferLike | ArrayBufferView, opts: FromBufferOptions = {}): Array {
  const dtype = opts.dtype ?? "float32";
  if (!isDType(dtype)) throw new DTypeError(`frombuffer: unknown dtype '${String(dtype)}'`);
  const offset = opts.offset ?? 0;
  const count = opts.count ?? -1;
  const bytes = ArrayBuffer.isView(buffer)
    ? new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength)
    : new Uint8Array(buffer);
  if (!Number.isInteger(offset) || offset < 0 || offset > bytes.length)
    throw new ValueError(
      `frombuffer: offset must be an integer in [0, ${bytes.length}] (the buffer's length); got ${offset}`,
    );
  const size = itemSize(dtype);
  const avail = bytes.length - offset;
  if (!Number.isInteger(count) || count < -1)
    throw new ValueError(`frombuffer: count must be -1 or a non-negative integer; got ${count}`);
  if (count === -1 && avail % size !== 0)
    throw new ValueError(
      `frombuffer: buffer size ${avail} (after offset ${offset}) must be a multiple of the ${dtype} element size ${size}`,
    );
  const n = count === -1 ? avail / size : count;
  if (n * size > avail)
    throw new ValueError(
      `frombuffer: buffer is smaller than requested size: ${n} elements of ${dtype} need ${n * size} bytes, ${avail} are available after offset ${offset}`,
    );
  const data = allocTyped(dtype, n);
  const dst = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  dst.set(bytes.subarray(offset, offset + n * size));
  if (dtype === "bool") for (let i = 0; i < n; i++) data[i] = data[i] !== 0 ? 1 : 0;
  return fromHost(getBackend(), data, new ShapedArray([n], dtype));
}
