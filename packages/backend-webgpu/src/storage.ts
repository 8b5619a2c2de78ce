/**
 * How each dtype is laid out in a GPU storage buffer. WGSL has no 8-bit storage type, so bool is
 * one u32 (0 or 1) per element; complex64 is `vec2<f32>` — the same interleaved (re, im) layout
 * as the host's Float32Array, so complex buffers upload and download without conversion.
 *
 * float16 and bfloat16 are one u32 per element holding the 16-bit pattern in its low half. Core
 * computes every op on a half dtype in float32 (core/src/core/half-compute.ts), so the only
 * kernel that reads or writes these words is convertElementType (kernels/convert.ts), which
 * decodes and rounds with integer operations: exact on every adapter, with or without the
 * `shader-f16` feature (and with no dependence on how the GPU treats f16 subnormals or NaNs).
 * Packing two halves per word would halve the memory, but then each invocation would write half
 * a word, which WGSL cannot do without atomics.
 */
import { InternalError, allocTyped, type DType, type TypedArray } from "@linax-ts/core";

/**
 * For the kernels other than convertElementType: a half dtype reaching them is a bug in core's
 * dispatch (half-compute.ts upcasts every other primitive), reported as such.
 */
export function halfUnreachable(what: string, d: DType): never {
  throw new InternalError(
    `webgpu ${what}: ${d} operands are computed in float32 by core (half-compute.ts); this kernel should not see them`,
  );
}

/** The WGSL element type a dtype is stored as. */
export function storageType(d: DType): string {
  switch (d) {
    case "float32":
      return "f32";
    case "int32":
      return "i32";
    case "uint32":
    case "bool":
    case "float16":
    case "bfloat16":
      return "u32";
    case "complex64":
      return "vec2<f32>";
  }
}

/** Bytes per stored element. */
export function storageBytes(d: DType): number {
  return d === "complex64" ? 8 : 4;
}

/** Host data (as core lays it out) → the bytes to upload. */
export function toStorage(d: DType, data: TypedArray): ArrayBufferView {
  if (d === "bool") return Uint32Array.from(data as Uint8Array);
  if (d === "float16" || d === "bfloat16") return Uint32Array.from(data as Uint16Array);
  return data;
}

/** Downloaded bytes → host data (as core lays it out), `size` elements. */
export function fromStorage(d: DType, bytes: ArrayBuffer, size: number): TypedArray {
  const out = allocTyped(d, size);
  if (d === "bool") {
    const words = new Uint32Array(bytes, 0, size);
    for (let i = 0; i < size; i++) out[i] = words[i] !== 0 ? 1 : 0;
  } else if (d === "float16" || d === "bfloat16") {
    const words = new Uint32Array(bytes, 0, size);
    for (let i = 0; i < size; i++) out[i] = words[i] & 0xffff;
  } else {
    new Uint8Array(out.buffer, out.byteOffset, out.byteLength).set(new Uint8Array(bytes, 0, out.byteLength));
  }
  return out;
}
