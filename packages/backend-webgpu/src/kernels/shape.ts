/**
 * Shape kernels — broadcastInDim, reshape, transpose — and the helpers every data-movement kernel
 * (shape-slicing.ts, indexing*.ts) shares.
 *
 * Data movement must be bit-exact for every dtype, so these kernels never load elements as f32:
 * buffers are bound as raw words (`u32`, or `vec2<u32>` for complex64's interleaved pair), which
 * also keeps NaN payloads, signalling NaNs and subnormals intact whatever the device's float
 * handling, and lets one pipeline serve every 4-byte dtype of a shape signature.
 *
 * Most of these ops are "output element → input element" maps: one thread per output element
 * unravels its flat index into a multi-index and computes the source index from it. Flat-index
 * arithmetic is u32; terms with negative strides (rev) wrap modulo 2^32, and since the final
 * index is in range, the wrapped sum is the right one.
 */
import {
  halfBitsFromNumber,
  type BroadcastInDimParams,
  type DType,
  type ShapedArray,
  type TransposeParams,
} from "@linax-ts/core";
import { registerKernel } from "../registry.ts";
import { simpleProgram, strides, unravel, type BufferDecl, type Program } from "../program.ts";

/** The raw WGSL word type a data-movement kernel binds `dtype` as (bit-exact copies). */
export function wordType(dtype: DType): string {
  return dtype === "complex64" ? "vec2<u32>" : "u32";
}

/**
 * A WGSL literal of `wordType(dtype)` holding the bits core stores for the JS value `v` in an
 * array of `dtype` (float32 rounds, int32 truncates, uint32 wraps, bool is v != 0, complex is
 * (v, 0)) — as assigning `v` into the CPU backend's typed array would.
 */
export function wordLiteral(dtype: DType, v: number): string {
  const f32Bits = (x: number): number => new Uint32Array(new Float32Array([x]).buffer)[0];
  switch (dtype) {
    case "float32":
      // JS NaN stores as the canonical quiet NaN.
      return `${Number.isNaN(v) ? 0x7fc00000 : f32Bits(v)}u`;
    case "int32":
    case "uint32":
      return `${new Uint32Array(new Int32Array([v]).buffer)[0]}u`;
    case "bool":
      return v !== 0 ? "1u" : "0u";
    case "complex64":
      return `vec2<u32>(${Number.isNaN(v) ? 0x7fc00000 : f32Bits(v)}u, 0u)`;
    case "float16":
    case "bfloat16":
      // The 16-bit pattern core stores for v (storage.ts: one per u32).
      return `${halfBitsFromNumber(dtype, v)}u`;
  }
}

/** Binding declaration of input `k` as raw words. */
export const inWords = (name: string, k: number, a: ShapedArray): BufferDecl => ({
  name,
  slot: { in: k },
  type: wordType(a.dtype),
});
/** Binding declaration of output 0 as raw words. */
export const outWords = (a: ShapedArray): BufferDecl => ({
  name: "out",
  slot: { out: 0 },
  type: wordType(a.dtype),
  write: true,
});

/**
 * WGSL expression `base + Σ_d idx{d} · step[d]` (u32, wrapping), the flat index of an affine view
 * of the output multi-index `idx0..idx{r-1}` (as `unravel` defines them). Steps may be negative.
 */
export function affineIndex(step: readonly number[], base = "0u", prefix = "idx"): string {
  const terms = step.flatMap((s, d) => (s === 0 ? [] : [s === 1 ? `${prefix}${d}` : `${prefix}${d} * ${s >>> 0}u`]));
  if (base !== "0u") terms.unshift(base);
  return terms.length === 0 ? "0u" : terms.join(" + ");
}

/**
 * A one-pass gather-style copy: output element i = input element `src`, where `src` is the WGSL
 * flat-index expression of an affine view (see `affineIndex`) over the output multi-index.
 */
export function viewProgram(x: ShapedArray, o: ShapedArray, step: readonly number[], base = "0u"): Program {
  const body = `${unravel(o.shape, "i")}\n  out[i] = x[${affineIndex(step, base)}];`;
  return simpleProgram([inWords("x", 0, x), outWords(o)], o.size, body);
}

/** A plain copy of `x` (same layout) into the output. */
export function copyProgram(x: ShapedArray, o: ShapedArray): Program {
  return simpleProgram([inWords("x", 0, x), outWords(o)], o.size, "  out[i] = x[i];");
}

registerKernel("broadcastInDim", ([x], [o], params) => {
  const { broadcastDimensions: bd } = params as unknown as BroadcastInDimParams;
  const inStrides = strides(x.shape);
  // Output axes that are new, or expanded from a size-1 operand axis, do not move the source.
  const step = o.shape.map(() => 0);
  bd.forEach((d, k) => {
    if (x.shape[k] !== 1) step[d] = inStrides[k];
  });
  return viewProgram(x, o, step);
});

registerKernel("reshape", ([x], [o]) => copyProgram(x, o));

registerKernel("transpose", ([x], [o], params) => {
  const { permutation: perm } = params as unknown as TransposeParams;
  const inStrides = strides(x.shape);
  return viewProgram(
    x,
    o,
    perm.map((p) => inStrides[p]),
  );
});
