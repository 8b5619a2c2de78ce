/**
 * How each dtype is laid out in a GPU storage buffer. WGSL has no 8-bit storage type, so bool is
 * one u32 (0 or 1) per element; complex64 is `vec2<f32>` — the same interleaved (re, im) layout
 * as the host's Float32Array, so complex buffers upload and download without conversion.
 */
import { allocTyped, type DType, type TypedArray } from "@linax-ts/core";

/** The WGSL element type a dtype is stored as. */
export function storageType(d: DType): string {
  switch (d) {
    case "float32":
      return "f32";
    case "int32":
      return "i32";
    case "uint32":
    case "bool":
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
  return data;
}

/** Downloaded bytes → host data (as core lays it out), `size` elements. */
export function fromStorage(d: DType, bytes: ArrayBuffer, size: number): TypedArray {
  const out = allocTyped(d, size);
  if (d === "bool") {
    const words = new Uint32Array(bytes, 0, size);
    for (let i = 0; i < size; i++) out[i] = words[i] !== 0 ? 1 : 0;
  } else {
    new Uint8Array(out.buffer, out.byteOffset, out.byteLength).set(new Uint8Array(bytes, 0, out.byteLength));
  }
  return out;
}
