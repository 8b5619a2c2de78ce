/**
 * numpy's 1-d convolution and cross-correlation (convolve, correlate) with modes full / same /
 * valid, lowered to one `convGeneralDilated` as JAX does (so they differentiate, batch and jit).
 */
import type { Array, ArrayLike } from "../core/array.ts";
import * as lax from "../primitives/index.ts";
import { ShapeError, ValueError } from "../errors.ts";
import { fmtShape } from "../shape.ts";
import { promoteArgs } from "./promote.ts";
import { checkOptions, type OptionSpec } from "./args.ts";
import { toInexact } from "./ufunc-wrappers.ts";
import { checkPrecision, type PrecisionLike } from "../primitives/precision.ts";
import type { DType } from "../dtype.ts";

export type ConvolveMode = "full" | "same" | "valid";

/** Options of `convolve` / `correlate`. */
export interface ConvolveOptions {
  /** numpy's mode: "full" (convolve's default), "same" or "valid" (correlate's default). */
  mode?: ConvolveMode;
  /** JAX's `precision` of the convolution (see primitives/precision.ts: every value computes in float32, as XLA:CPU does). */
  precision?: PrecisionLike;
  /** JAX's `preferred_element_type`: the result dtype of the convolution (lax.convGeneralDilated's rule). */
  preferredElementType?: DType | null;
}

const CONVOLVE_OPTIONS: OptionSpec = { mode: ["full", "same", "valid"], precision: "any", preferredElementType: "any" };

function conv1d(
  op: "convolve" | "correlate",
  a: ArrayLike,
  v: ArrayLike,
  mode: ConvolveMode,
  opts: ConvolveOptions,
): Array {
  checkPrecision(`np.${op}`, opts.precision);
  // JAX: without preferred_element_type the operands are promoted to an inexact dtype (numpy's
  // convolutions are float); with it they are only promoted together, so integer convolutions
  // stay integer (and accumulate in the preferred type).
  const pref = opts.preferredElementType ?? null;
  let [x, y] = pref === null ? promoteArgs(a, v).map(toInexact) : promoteArgs(a, v);
  x = x.aval.weakType ? lax.convertElementType(x, x.dtype, false) : x;
  y = y.aval.weakType ? lax.convertElementType(y, y.dtype, false) : y;
  if (x.ndim !== 1 || y.ndim !== 1)
    throw new ShapeError(
      `np.${op}: only 1-d inputs are supported; got shapes ${fmtShape(x.shape)} and ${fmtShape(y.shape)}`,
    );
  if (x.shape[0] === 0 || y.shape[0] === 0)
    throw new ValueError(`np.${op}: inputs cannot be empty; got shapes ${fmtShape(x.shape)} and ${fmtShape(y.shape)}`);
  if (mode !== "full" && mode !== "same" && mode !== "valid")
    throw new ValueError(`np.${op}: mode must be one of 'full', 'same', 'valid'; got '${String(mode)}'`);
  let reverse = false;
  if (op === "correlate") {
    // c[k] = Σ_n x[n + k]·conj(y[n]); for a shorter x, correlate the other way round and reverse.
    if (y.dtype === "complex64") y = lax.conj(y);
    if (x.shape[0] < y.shape[0]) {
      [x, y] = [y, x];
      reverse = true;
    }
  } else {
    if (x.shape[0] < y.shape[0]) [x, y] = [y, x];
    y = lax.rev(y, [0]);
  }
  const m = y.shape[0];
  const padding: [number, number] =
    mode === "valid" ? [0, 0] : mode === "same" ? [Math.floor(m / 2), m - Math.floor(m / 2) - 1] : [m - 1, m - 1];
  const out = lax.convGeneralDilated(lax.reshape(x, [1, 1, x.shape[0]]), lax.reshape(y, [1, 1, m]), {
    padding: [padding],
    preferredElementType: pref,
  });
  const r = lax.reshape(out, [out.shape[2]]);
  return reverse ? lax.rev(r, [0]) : r;
}

/** The discrete linear convolution of two 1-d arrays (numpy's `convolve`; default mode "full"). */
export function convolve(a: ArrayLike, v: ArrayLike, opts: ConvolveOptions = {}): Array {
  checkOptions("np.convolve", opts, CONVOLVE_OPTIONS);
  return conv1d("convolve", a, v, opts.mode ?? "full", opts);
}

/** The cross-correlation c[k] = Σ a[n + k]·conj(v[n]) of two 1-d arrays (numpy's `correlate`; default mode "valid"). */
export function correlate(a: ArrayLike, v: ArrayLike, opts: ConvolveOptions = {}): Array {
  checkOptions("np.correlate", opts, CONVOLVE_OPTIONS);
  return conv1d("correlate", a, v, opts.mode ?? "valid", opts);
}
