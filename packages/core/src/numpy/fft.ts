/**
 * `np.fft`: numpy's discrete Fourier transforms over the `fft` primitive (lax.fft), with numpy's
 * `n`/`s` (crop or zero-pad), `axis`/`axes` and `norm`. The transformed axes are moved to the end,
 * cropped/padded, transformed by one multi-axis primitive and moved back. As in jax.numpy,
 * repeated axes are rejected and integer/bool input is promoted (to float32 for rfft, complex64
 * otherwise); `rfft` of complex input is a DTypeError (numpy would drop the imaginary part).
 */
import type { Array, ArrayLike } from "../core/array.ts";
import * as lax from "../primitives/index.ts";
import type { FftType } from "../primitives/fft.ts";
import { DTypeError, ValueError } from "../errors.ts";
import { normAxes } from "../shape.ts";
import type { DType } from "../dtype.ts";
import { scalar } from "../primitives/scalars-and-batch-dims.ts";
import { array, asArray } from "./convert.ts";
import { roll } from "./flip-roll.ts";
import { checkOptions, checkValue, type OptionSpec } from "./args.ts";

const NORMS = ["backward", "ortho", "forward"] as const;
const FFT_SPEC: OptionSpec = { n: "integer", axis: "integer", norm: NORMS };
const FFTN_SPEC: OptionSpec = { s: "axes", axes: "axes", norm: NORMS };

/** numpy's `(n, axis, norm)` given positionally (`fft(x, 8, 0)`) or as one options object. */
function fftArgs(
  op: string,
  n: number | null | FftOptions | undefined,
  axis: number | undefined,
  norm: FftNorm | undefined,
): FftOptions {
  if (n !== null && typeof n === "object") {
    if (axis !== undefined || norm !== undefined)
      throw new ValueError(`np.fft.${op}: pass n/axis/norm either positionally or as one options object, not both`);
    checkOptions(`np.fft.${op}`, n, FFT_SPEC);
    return n;
  }
  const o = { n: n ?? undefined, axis, norm };
  checkOptions(`np.fft.${op}`, o, FFT_SPEC);
  return o;
}

/** numpy's `(s, axes, norm)` given positionally or as one options object. */
function fftnArgs(
  op: string,
  s: readonly number[] | null | FftNOptions | undefined,
  axes: readonly number[] | null | undefined,
  norm: FftNorm | undefined,
): FftNOptions {
  if (s !== null && s !== undefined && !globalThis.Array.isArray(s)) {
    if (axes !== undefined || norm !== undefined)
      throw new ValueError(`np.fft.${op}: pass s/axes/norm either positionally or as one options object, not both`);
    checkOptions(`np.fft.${op}`, s, FFTN_SPEC);
    return s as FftNOptions;
  }
  if (s !== null && s !== undefined) checkValue(`np.fft.${op}`, "s", s, "axes");
  const o = { s: (s ?? undefined) as readonly number[] | undefined, axes: axes ?? undefined, norm };
  checkOptions(`np.fft.${op}`, o, FFTN_SPEC);
  return o;
}

/** numpy's normalization modes: which direction carries the 1/n (or both 1/√n). */
export type FftNorm = "backward" | "ortho" | "forward";

export interface FftOptions {
  /** Length of the transformed axis: the input is cropped or zero-padded to it. */
  n?: number;
  axis?: number;
  norm?: FftNorm;
}

export interface FftNOptions {
  /** Lengths of the transformed axes (crop/zero-pad), one per axis. */
  s?: readonly number[];
  /** The transformed axes (default: the last `s.length` axes, or all axes). */
  axes?: readonly number[];
  norm?: FftNorm;
}

const range = (n: number, from = 0): number[] => globalThis.Array.from({ length: n }, (_, i) => from + i);

/** Promote to the dtype a transform reads: float32 for rfft, complex64 otherwise. */
function promote(op: string, x: ArrayLike, real: boolean): Array {
  const a = asArray(x);
  if (real) {
    if (a.dtype === "complex64")
      throw new DTypeError(`np.fft.${op}: expects real input; got complex64 (use fft/fftn for complex input)`);
    return a.dtype === "float32" ? a : lax.convertElementType(a, "float32");
  }
  return a.dtype === "complex64"
    ? a
    : lax.convertElementType(a.dtype === "float32" ? a : lax.convertElementType(a, "float32"), "complex64");
}

/** Crop or zero-pad axis `ax` of `x` to length `n`. */
function fitAxis(x: Array, ax: number, n: number): Array {
  const cur = x.shape[ax];
  if (cur === n) return x;
  if (cur > n) return lax.sliceInDim(x, 0, n, 1, ax);
  const cfg = x.shape.map((_, i): [number, number, number] => [0, i === ax ? n - cur : 0, 0]);
  return lax.pad(x, scalar(0, x.dtype), cfg);
}

/** Validate lengths (numpy: "Invalid number of FFT data points"). */
function checkLengths(op: string, s: readonly number[]): void {
  for (const v of s)
    if (!Number.isInteger(v) || v < 1)
      throw new ValueError(`np.fft.${op}: invalid number of data points (${v}); lengths must be integers ≥ 1`);
}

/** Scale factor that turns lax's "backward" result into the requested normalization. */
function normScale(norm: FftNorm | undefined, total: number, inverse: boolean): number {
  const mode = norm ?? "backward";
  if (mode !== "backward" && mode !== "ortho" && mode !== "forward")
    throw new ValueError(`np.fft: norm must be "backward", "ortho" or "forward"; got ${String(norm)}`);
  if (mode === "backward") return 1;
  if (mode === "ortho") return inverse ? Math.sqrt(total) : 1 / Math.sqrt(total);
  return inverse ? total : 1 / total;
}

function scaleBy(x: Array, c: number): Array {
  return c === 1 ? x : lax.mul(x, lax.fullLike(x, c));
}

/**
 * The general n-dimensional transform: move `axes` last (in order), fit each to `s` (for IRFFT
 * the last one to s[-1]//2 + 1 bins), one primitive call, move back, normalize.
 */
function transformN(
  op: string,
  x: Array,
  type: FftType,
  axesIn: readonly number[] | undefined,
  sIn: readonly number[] | undefined,
  norm: FftNorm | undefined,
): Array {
  const nd = x.ndim;
  let axes: number[];
  if (axesIn !== undefined) axes = normAxes(`np.fft.${op}`, axesIn, nd);
  else axes = sIn !== undefined ? range(sIn.length, nd - sIn.length) : range(nd);
  if (axes.length === 0) return x;
  if (sIn !== undefined && sIn.length !== axes.length)
    throw new ValueError(
      `np.fft.${op}: s ${JSON.stringify(sIn)} and axes ${JSON.stringify(axes)} must have the same length`,
    );
  if (nd === 0) throw new ValueError(`np.fft.${op}: needs an array of rank ≥ 1`);
  const last = axes.length - 1;
  // Default lengths: the input sizes; irfft's last axis defaults to 2·(bins − 1).
  const s =
    sIn !== undefined
      ? [...sIn]
      : axes.map((a, i) => (type === "IRFFT" && i === last ? 2 * (x.shape[a] - 1) : x.shape[a]));
  checkLengths(op, s);
  const rest = range(nd).filter((i) => !axes.includes(i));
  const perm = [...rest, ...axes];
  let y = lax.transpose(x, perm);
  const k = rest.length;
  axes.forEach((_, i) => {
    const len = type === "IRFFT" && i === last ? (s[i] >> 1) + 1 : s[i];
    y = fitAxis(y, k + i, len);
  });
  y = lax.fft(y, type, s);
  const inv: number[] = [];
  perm.forEach((p, i) => (inv[p] = i));
  y = lax.transpose(y, inv);
  const total = s.reduce((p, v) => p * v, 1);
  return scaleBy(y, normScale(norm, total, type === "IFFT" || type === "IRFFT"));
}

function oneAxis(op: string, x: Array, type: FftType, opts: FftOptions): Array {
  const axis = opts.axis ?? -1;
  return transformN(op, x, type, [axis], opts.n === undefined ? undefined : [opts.n], opts.norm);
}

/** np.fft.fft: 1-D complex DFT along `axis` (default last). */
export function fft(a: ArrayLike, n?: number | null | FftOptions, axis?: number, norm?: FftNorm): Array {
  const opts = fftArgs("fft", n, axis, norm);
  return oneAxis("fft", promote("fft", a, false), "FFT", opts);
}
/** np.fft.ifft: 1-D inverse DFT (1/n with the default norm). */
export function ifft(a: ArrayLike, n?: number | null | FftOptions, axis?: number, norm?: FftNorm): Array {
  const opts = fftArgs("ifft", n, axis, norm);
  return oneAxis("ifft", promote("ifft", a, false), "IFFT", opts);
}
/** np.fft.rfft: DFT of real input, the n//2 + 1 non-negative frequencies. */
export function rfft(a: ArrayLike, n?: number | null | FftOptions, axis?: number, norm?: FftNorm): Array {
  const opts = fftArgs("rfft", n, axis, norm);
  return oneAxis("rfft", promote("rfft", a, true), "RFFT", opts);
}
/** np.fft.irfft: inverse of rfft; the output length `n` defaults to 2·(bins − 1). */
export function irfft(a: ArrayLike, n?: number | null | FftOptions, axis?: number, norm?: FftNorm): Array {
  const opts = fftArgs("irfft", n, axis, norm);
  return oneAxis("irfft", promote("irfft", a, false), "IRFFT", opts);
}
/** np.fft.fftn over `axes` (default all). */
export function fftn(
  a: ArrayLike,
  s?: readonly number[] | null | FftNOptions,
  axes?: readonly number[] | null,
  norm?: FftNorm,
): Array {
  const opts = fftnArgs("fftn", s, axes, norm);
  return transformN("fftn", promote("fftn", a, false), "FFT", opts.axes, opts.s, opts.norm);
}
/** np.fft.ifftn over `axes` (default all). */
export function ifftn(
  a: ArrayLike,
  s?: readonly number[] | null | FftNOptions,
  axes?: readonly number[] | null,
  norm?: FftNorm,
): Array {
  const opts = fftnArgs("ifftn", s, axes, norm);
  return transformN("ifftn", promote("ifftn", a, false), "IFFT", opts.axes, opts.s, opts.norm);
}
/** np.fft.rfftn: rfft on the last of `axes`, full FFTs on the others. */
export function rfftn(
  a: ArrayLike,
  s?: readonly number[] | null | FftNOptions,
  axes?: readonly number[] | null,
  norm?: FftNorm,
): Array {
  const opts = fftnArgs("rfftn", s, axes, norm);
  return transformN("rfftn", promote("rfftn", a, true), "RFFT", opts.axes, opts.s, opts.norm);
}
/** np.fft.irfftn: inverse of rfftn; the last output length defaults to 2·(bins − 1). */
export function irfftn(
  a: ArrayLike,
  s?: readonly number[] | null | FftNOptions,
  axes?: readonly number[] | null,
  norm?: FftNorm,
): Array {
  const opts = fftnArgs("irfftn", s, axes, norm);
  return transformN("irfftn", promote("irfftn", a, false), "IRFFT", opts.axes, opts.s, opts.norm);
}
const two = (
  op: string,
  s?: readonly number[] | null | FftNOptions,
  axes?: readonly number[] | null,
  norm?: FftNorm,
): FftNOptions => {
  const o = fftnArgs(op, s, axes, norm);
  return { ...o, axes: o.axes ?? [-2, -1] };
};
/** np.fft.fft2: fftn over the last two axes. */
export const fft2 = (
  a: ArrayLike,
  s?: readonly number[] | null | FftNOptions,
  axes?: readonly number[] | null,
  norm?: FftNorm,
): Array => fftn(a, two("fft2", s, axes, norm));
/** np.fft.ifft2: ifftn over the last two axes. */
export const ifft2 = (
  a: ArrayLike,
  s?: readonly number[] | null | FftNOptions,
  axes?: readonly number[] | null,
  norm?: FftNorm,
): Array => ifftn(a, two("ifft2", s, axes, norm));
/** np.fft.rfft2: rfftn over the last two axes. */
export const rfft2 = (
  a: ArrayLike,
  s?: readonly number[] | null | FftNOptions,
  axes?: readonly number[] | null,
  norm?: FftNorm,
): Array => rfftn(a, two("rfft2", s, axes, norm));
/** np.fft.irfft2: irfftn over the last two axes. */
export const irfft2 = (
  a: ArrayLike,
  s?: readonly number[] | null | FftNOptions,
  axes?: readonly number[] | null,
  norm?: FftNorm,
): Array => irfftn(a, two("irfft2", s, axes, norm));

/**
 * np.fft.fftfreq: the sample frequencies `[0, 1, …, ⌈n/2⌉−1, −⌊n/2⌋, …, −1] / (d·n)`
 * (computed on the host in float64, stored as float32).
 */
export function fftfreq(n: number, d = 1, opts: { dtype?: DType } = {}): Array {
  checkLengths("fftfreq", [n]);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = (i < Math.ceil(n / 2) ? i : i - n) / (d * n);
  return array(globalThis.Array.from(out), { dtype: opts.dtype ?? "float32" });
}

/** np.fft.rfftfreq: `[0, 1, …, n//2] / (d·n)`, the frequencies of rfft's bins. */
export function rfftfreq(n: number, d = 1, opts: { dtype?: DType } = {}): Array {
  checkLengths("rfftfreq", [n]);
  const out = globalThis.Array.from({ length: (n >> 1) + 1 }, (_, i) => i / (d * n));
  return array(out, { dtype: opts.dtype ?? "float32" });
}

type ShiftAxes = number | readonly number[] | { axes?: number | readonly number[] } | undefined;

function shiftAxes(x: Array, axesArg: ShiftAxes): number[] {
  const axes =
    axesArg !== undefined && typeof axesArg === "object" && !globalThis.Array.isArray(axesArg)
      ? (axesArg as { axes?: number | readonly number[] }).axes
      : (axesArg as number | readonly number[] | undefined);
  if (axes === undefined) return range(x.ndim);
  return normAxes("np.fft.fftshift", typeof axes === "number" ? [axes] : axes, x.ndim);
}

/**
 * np.fft.fftshift: roll the zero frequency to the centre (by n//2 along each of `axes`, default
 * all); `axes` positionally or as `{ axes }`.
 */
export function fftshift(x: ArrayLike, axes?: ShiftAxes): Array {
  const a = asArray(x);
  const ax = shiftAxes(a, axes);
  return ax.length === 0
    ? a
    : roll(
        a,
        ax.map((i) => a.shape[i] >> 1),
        ax,
      );
}

/** np.fft.ifftshift: the inverse of fftshift (roll by −(n//2)). */
export function ifftshift(x: ArrayLike, axes?: ShiftAxes): Array {
  const a = asArray(x);
  const ax = shiftAxes(a, axes);
  return ax.length === 0
    ? a
    : roll(
        a,
        ax.map((i) => -(a.shape[i] >> 1)),
        ax,
      );
}
