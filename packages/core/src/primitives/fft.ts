/**
 * The `fft` primitive (JAX's `fft_p`, `jax/_src/lax/fft.py`) and all of its rules. One primitive,
 * four transform types over the trailing `fftLengths.length` axes:
 *   FFT    complex → complex, forward DFT
 *   IFFT   complex → complex, inverse DFT (scaled by 1/N)
 *   RFFT   real → complex, last axis n → n//2 + 1 bins
 *   IRFFT  complex → real, last axis n//2 + 1 bins → n (numpy's irfft semantics)
 * Linear (over the reals), so the JVP applies the same transform to the tangent; the transpose
 * rules are JAX's: the DFT matrix is symmetric (FFT ↦ FFT, IFFT ↦ IFFT), RFFT ↦ transpose of the
 * naive rfft (zero-pad to n, FFT, real part), IRFFT ↦ conj(mask·rfft(ct)/N) (JAX's convention
 * for complex cotangents); the batch rule moves the vmapped axis to the front.
 */
import type { Array } from "../core/array.ts";
import { ShapedArray } from "../core/aval.ts";
import { definePrimitive, type Primitive } from "../core/primitive.ts";
import { fromHost } from "../core/concrete.ts";
import { getBackend } from "../backend.ts";
import { allocTyped } from "../dtype.ts";
import { DTypeError, ShapeError, ValueError } from "../errors.ts";
import { fmtShape, shapeEq } from "../shape.ts";
import { moveBdim } from "./batching.ts";
import { conj, real } from "./complex.ts";
import { mul } from "./elementwise.ts";
import { scalar } from "./scalars-and-batch-dims.ts";
import { broadcastInDim } from "./shape-ops.ts";
import { pad } from "./shape-slicing.ts";

export type FftType = "FFT" | "IFFT" | "RFFT" | "IRFFT";
const FFT_TYPES: readonly FftType[] = ["FFT", "IFFT", "RFFT", "IRFFT"];

export interface FftParams {
  readonly fftType: FftType;
  /** Lengths of the transformed trailing axes (for IRFFT: the real output lengths). */
  readonly fftLengths: readonly number[];
}

export const fftP: Primitive<FftParams> = definePrimitive<FftParams>("fft", {
  abstractEval([x], { fftType, fftLengths }) {
    if (!FFT_TYPES.includes(fftType))
      throw new ValueError(`fft: unknown fftType '${String(fftType)}' (expected one of ${FFT_TYPES.join(", ")})`);
    const L = fftLengths.length;
    if (L < 1 || L > x.ndim) {
      throw new ShapeError(
        `fft: fftLengths ${JSON.stringify(fftLengths)} must name between 1 and ${x.ndim} trailing axes of an operand of shape ${fmtShape(x.shape)}`,
      );
    }
    if (fftLengths.some((v) => !Number.isInteger(v) || v < 1))
      throw new ValueError(`fft: fftLengths must be positive integers; got ${JSON.stringify(fftLengths)}`);
    const want = fftType === "RFFT" ? "float32" : "complex64";
    if (x.dtype !== want) throw new DTypeError(`fft: ${fftType} needs a ${want} operand; got ${x.dtype}`);
    const lead = x.shape.slice(0, x.ndim - L);
    const trailing = x.shape.slice(x.ndim - L);
    const last = fftLengths[L - 1];
    // IRFFT reads n//2 + 1 bins on the last axis; every other transformed axis has its length.
    const expected = fftType === "IRFFT" ? [...fftLengths.slice(0, -1), (last >> 1) + 1] : [...fftLengths];
    if (!shapeEq(trailing, expected)) {
      throw new ShapeError(
        `fft: ${fftType} with fftLengths ${JSON.stringify(fftLengths)} needs trailing axes ${fmtShape(expected)}; got an operand of shape ${fmtShape(x.shape)}`,
      );
    }
    if (fftType === "RFFT")
      return [new ShapedArray([...lead, ...fftLengths.slice(0, -1), (last >> 1) + 1], "complex64")];
    if (fftType === "IRFFT") return [new ShapedArray([...lead, ...fftLengths], "float32")];
    return [new ShapedArray(x.shape, x.dtype)];
  },
  jvp([x], [dx], p) {
    return [[fftP.bind1([x], p)], [fftP.bind1([dx], p)]];
  },
  transpose([ct], _args, { fftType, fftLengths }) {
    const c = ct as Array;
    if (fftType === "RFFT") return [rfftTranspose(c, fftLengths)];
    if (fftType === "IRFFT") return [irfftTranspose(c, fftLengths)];
    return [fftP.bind1([c], { fftType, fftLengths })];
  },
  batch([x], [d], p, axis) {
    return [[fftP.bind1([moveBdim(x, d, 0, axis.size)], p)], [0]];
  },
});

/**
 * JAX's `_rfft_transpose`: the transpose of the naive rfft (real → complex, FFT, keep the first
 * n//2 + 1 bins) is: zero-pad the bins back to n, FFT (the DFT matrix is symmetric), real part.
 */
function rfftTranspose(ct: Array, lengths: readonly number[]): Array {
  const nd = ct.ndim;
  const n = lengths[lengths.length - 1];
  const cfg = ct.shape.map((s, i): [number, number, number] => [0, i === nd - 1 ? n - s : 0, 0]);
  const full = pad(ct, scalar(0, "complex64"), cfg);
  return real(fftP.bind1([full], { fftType: "FFT", fftLengths: [...lengths] }));
}

/**
 * JAX's `_irfft_transpose`: rfft of the cotangent, scaled by 1/N and by the mask (1, 2, …, 2, 1)
 * — the bins other than DC (and Nyquist for even n) stand for two conjugate bins — then conj.
 */
function irfftTranspose(ct: Array, lengths: readonly number[]): Array {
  const x = fftP.bind1([ct], { fftType: "RFFT", fftLengths: [...lengths] });
  const nd = x.ndim;
  const bins = x.shape[nd - 1];
  const n = lengths[lengths.length - 1];
  const total = lengths.reduce((p, v) => p * v, 1);
  const data = allocTyped("complex64", bins);
  for (let k = 0; k < bins; k++) data[2 * k] = (k === 0 || (n % 2 === 0 && k === bins - 1) ? 1 : 2) / total;
  const mask = fromHost(getBackend(), data, new ShapedArray([bins], "complex64"));
  return conj(mul(x, broadcastInDim(mask, x.shape, [nd - 1])));
}

/**
 * lax.fft: `fftType` over the trailing `fftLengths.length` axes. No lengths: the identity (as
 * JAX; the operand is still promoted, to float32 for RFFT and to complex64 otherwise, by the np
 * layer — lax does not promote).
 */
export function fft(x: Array, fftType: FftType, fftLengths: readonly number[]): Array {
  if (fftLengths.length === 0) return x;
  return fftP.bind1([x], { fftType, fftLengths: [...fftLengths] });
}
