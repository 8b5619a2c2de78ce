/**
 * Data types and numpy/JAX dtype promotion.
 *
 * Promotion follows JAX's lattice restricted to our dtypes:
 *
 *     bool → uint32, int32 → {float16, bfloat16} → float32 → complex64
 *
 * int32 with uint32 promotes to int32... JAX would give int64 (x64) or int32 (x32 mode); we are
 * always in x32 mode, where JAX gives int32. float16 and bfloat16 are siblings: neither holds the
 * other, so together they promote to float32, as in JAX. Integers promote to either half dtype
 * (JAX: `int32 ⊔ float16 = float16`). JS numbers are *weakly typed* like Python scalars: `x * 2`
 * keeps x's dtype, `halfArray * 2.5` stays half, and `intArray * 2.5` becomes float32.
 *
 * The half dtypes are storage dtypes: their elements are stored as IEEE binary16 / bfloat16 bit
 * patterns in a Uint16Array, and every op on them computes in float32 and rounds its result back
 * (see core/half-compute.ts).
 */
import { DTypeError } from "./errors.ts";

export type DType = "float32" | "int32" | "uint32" | "bool" | "complex64" | "float16" | "bfloat16";
export const DTYPES: readonly DType[] = ["float32", "int32", "uint32", "bool", "complex64", "float16", "bfloat16"];

/** Host storage of each dtype: float16/bfloat16 elements are their 16-bit patterns in a Uint16Array. */
export type TypedArray = Float32Array | Int32Array | Uint32Array | Uint8Array | Uint16Array;

/** The half-precision storage dtypes (16-bit patterns; computed in float32). */
export type HalfDType = "float16" | "bfloat16";

export function isDType(x: unknown): x is DType {
  return typeof x === "string" && (DTYPES as readonly string[]).includes(x);
}
/** float16 or bfloat16: stored as 16-bit patterns, computed in float32. */
export const isHalf = (d: DType): d is HalfDType => d === "float16" || d === "bfloat16";
/** A real floating dtype (float32, float16, bfloat16). */
export const isFloat = (d: DType): boolean => d === "float32" || isHalf(d);
export const isComplex = (d: DType): boolean => d === "complex64";
/** float or complex: the dtypes that carry gradients. */
export const isInexact = (d: DType): boolean => isFloat(d) || d === "complex64";
export const isInteger = (d: DType): boolean => d === "int32" || d === "uint32";
export const isSignedInt = (d: DType): boolean => d === "int32";
export const isBool = (d: DType): boolean => d === "bool";
/** The real dtype of the same precision (`complex64` → `float32`). */
export const realDType = (d: DType): DType => (d === "complex64" ? "float32" : d);
/** The complex dtype of the same precision. */
export const complexDType = (_d: DType): DType => "complex64";

/** Bytes per element of the stored representation (complex64 is two float32s). */
export function itemSize(d: DType): number {
  return d === "bool" ? 1 : d === "complex64" ? 8 : isHalf(d) ? 2 : 4;
}

/** Allocate the host storage for `size` elements. complex64 is interleaved (re, im). */
export function allocTyped(d: DType, size: number): TypedArray {
  switch (d) {
    case "float32":
      return new Float32Array(size);
    case "int32":
      return new Int32Array(size);
    case "uint32":
      return new Uint32Array(size);
    case "bool":
      return new Uint8Array(size);
    case "complex64":
      return new Float32Array(2 * size);
    case "float16":
    case "bfloat16":
      return new Uint16Array(size);
  }
}

/**
 * Height in the lattice. Dtypes of one height are incomparable (their join is one level up):
 * int32/uint32 join at int32 (x32 mode), float16/bfloat16 join at float32.
 */
const RANK: Record<DType, number> = { bool: 0, uint32: 1, int32: 1, float16: 2, bfloat16: 2, float32: 3, complex64: 4 };

/** Promote two (strong) dtypes: their join in JAX's lattice. */
export function promoteTypes(a: DType, b: DType): DType {
  if (a === b) return a;
  const ra = RANK[a];
  const rb = RANK[b];
  if (ra === 1 && rb === 1) return "int32"; // int32 ⊔ uint32 in JAX's x32 mode
  if (ra === 2 && rb === 2) return "float32"; // float16 ⊔ bfloat16 = float32, as in JAX
  return ra > rb ? a : b;
}

/** The "kind" of a JS scalar for weak typing. */
export type WeakKind = "bool" | "int" | "float" | "complex";

/** Result dtype of combining a strong dtype with a weakly typed scalar of the given kind. */
export function promoteWeak(strong: DType, weak: WeakKind): DType {
  // A weak float sits just above the integers, below both half dtypes (JAX's `f*`): a JS float
  // keeps a float16/bfloat16 array's dtype, and turns an integer array into float32.
  const weakRank = weak === "bool" ? 0 : weak === "int" ? 1 : weak === "float" ? 2 : 4;
  if (weakRank <= RANK[strong]) return strong;
  return weak === "int" ? "int32" : weak === "float" ? "float32" : "complex64";
}

/** Default dtype of a weakly typed scalar standing alone. */
export function weakDefault(weak: WeakKind): DType {
  return weak === "bool" ? "bool" : weak === "int" ? "int32" : weak === "float" ? "float32" : "complex64";
}

/** Throw a DTypeError unless `d` is one of `allowed`. */
export function checkDType(op: string, arg: string, d: DType, allowed: readonly DType[]): void {
  if (!allowed.includes(d)) {
    throw new DTypeError(`${op}: argument '${arg}' has dtype ${d}; expected one of ${allowed.join(", ")}`);
  }
}
