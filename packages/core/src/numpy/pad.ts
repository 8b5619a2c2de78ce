/**
 * numpy's `pad` with JAX's modes: constant (lax.pad, or per-axis fills by concatenation), empty
 * (JAX fills zeros), the index-map modes edge, reflect, symmetric, wrap (static source indices
 * built on the host and gathered through `take`), and — in pad-modes.ts — linear_ramp, the
 * statistic modes maximum/mean/median/minimum, and reflect_type "odd".
 */
import type { Array, ArrayLike } from "../core/array.ts";
import { ShapedArray } from "../core/aval.ts";
import * as lax from "../primitives/index.ts";
import { ValueError } from "../errors.ts";
import { asArray, scalarArray } from "./convert.ts";
import { checkOptions } from "./args.ts";
import { take } from "./take.ts";
import { padLinearRamp, padReflectOdd, padStatistic } from "./pad-modes.ts";

const range = (n: number): number[] => globalThis.Array.from({ length: n }, (_, i) => i);

export type PadWidth = number | readonly number[] | readonly (readonly number[])[];
export type PadMode =
  | "constant"
  | "edge"
  | "linear_ramp"
  | "maximum"
  | "mean"
  | "median"
  | "minimum"
  | "reflect"
  | "symmetric"
  | "wrap"
  | "empty";
/** A per-axis pair parameter: a scalar, `[before, after]`, or one pair per axis (numpy's broadcasting). */
export type PadPairs = number | readonly number[] | readonly (readonly number[])[];
export interface PadOptions {
  mode?: PadMode;
  /** Fill of "constant" mode: a scalar, `[before, after]`, or one pair per axis. */
  constantValues?: PadPairs;
  /** "linear_ramp": the values the ramps start from at the outer edges (default 0). */
  endValues?: PadPairs;
  /**
   * "maximum", "mean", "median", "minimum": how many values at each edge the statistic is taken
   * over (default null: the whole axis); clipped to the axis length.
   */
  statLength?: PadPairs | null;
  /** "reflect", "symmetric": "even" (default) or "odd" (the reflection is subtracted from twice the edge value). */
  reflectType?: "even" | "odd";
}

const MODES: readonly PadMode[] = [
  "constant",
  "edge",
  "linear_ramp",
  "maximum",
  "mean",
  "median",
  "minimum",
  "reflect",
  "symmetric",
  "wrap",
  "empty",
];
/** Which keyword each mode takes (numpy rejects the others: "unsupported keyword arguments for mode"). */
const MODE_KEYWORDS: Partial<Record<PadMode, keyof PadOptions>> = {
  constant: "constantValues",
  linear_ramp: "endValues",
  maximum: "statLength",
  mean: "statLength",
  median: "statLength",
  minimum: "statLength",
  reflect: "reflectType",
  symmetric: "reflectType",
};
const PAD_KEYWORDS = {
  constantValues: "any",
  endValues: "any",
  statLength: "any",
  reflectType: ["even", "odd"],
} as const;

/** numpy's pad-width broadcasting to one [before, after] pair per axis. */
export function pairsPerAxis(op: string, w: PadPairs, nd: number, what: string): [number, number][] {
  const bad = (): never => {
    throw new ValueError(
      `${op}: cannot broadcast ${what} ${JSON.stringify(w)} to ${nd} axes (use a number, [before, after], or one pair per axis)`,
    );
  };
  if (typeof w === "number") return range(nd).map(() => [w, w]);
  if (w.length === 0) bad();
  if (typeof w[0] === "number") {
    const f = w as readonly number[];
    if (f.length === 1) return range(nd).map(() => [f[0], f[0]]);
    if (f.length === 2) return range(nd).map(() => [f[0], f[1]]);
    return bad();
  }
  const p = w as readonly (readonly number[])[];
  const norm = (q: readonly number[]): [number, number] =>
    q.length === 1 ? [q[0], q[0]] : q.length === 2 ? [q[0], q[1]] : bad();
  if (p.length === 1) return range(nd).map(() => norm(p[0]));
  if (p.length !== nd) bad();
  return p.map(norm);
}

/** The source index of padded position j (-before ≤ j < n + after) for the index-map modes. */
function padSource(mode: "edge" | "wrap" | "reflect" | "symmetric", j: number, n: number): number {
  const mod = (v: number, m: number): number => ((v % m) + m) % m;
  switch (mode) {
    case "edge":
      return Math.min(Math.max(j, 0), n - 1);
    case "wrap":
      return mod(j, n);
    case "reflect": {
      if (n === 1) return 0;
      const p = mod(j, 2 * (n - 1));
      return p < n ? p : 2 * (n - 1) - p;
    }
    case "symmetric": {
      const p = mod(j, 2 * n);
      return p < n ? p : 2 * n - 1 - p;
    }
  }
}

/**
 * Pad an array (numpy's `np.pad`, as `jnp.pad`): modes constant (default), edge, linear_ramp,
 * maximum, mean, median, minimum, reflect, symmetric, wrap, empty (zeros, as JAX gives). The mode
 * goes positionally, as numpy's (`pad(x, 1, "edge")`), or in the options; each mode's keyword
 * (constantValues, endValues, statLength, reflectType) is accepted only with its mode.
 */
export function pad(
  x: ArrayLike,
  padWidth: PadWidth,
  modeOrOpts?: PadMode | PadOptions,
  options?: Omit<PadOptions, "mode">,
): Array {
  let opts: PadOptions;
  // The mode's value is checked below, with the list of supported modes.
  if (typeof modeOrOpts === "string" || modeOrOpts === undefined) {
    checkOptions("pad", options, PAD_KEYWORDS);
    opts = { ...options, mode: modeOrOpts };
  } else {
    if (options !== undefined)
      throw new ValueError(
        "pad: options were given twice (an options object in place of the mode, and another after it)",
      );
    checkOptions("pad", modeOrOpts, { mode: "any", ...PAD_KEYWORDS });
    opts = modeOrOpts;
  }
  const a = asArray(x);
  const widths = pairsPerAxis("pad", padWidth, a.ndim, "pad_width");
  if (widths.some(([b, f]) => !Number.isInteger(b) || !Number.isInteger(f) || b < 0 || f < 0))
    throw new ValueError(`pad: pad widths must be non-negative integers; got ${JSON.stringify(padWidth)}`);
  const mode = opts.mode ?? "constant";
  if (!MODES.includes(mode))
    throw new ValueError(`pad: unsupported mode '${String(mode)}'; expected one of ${MODES.join(", ")}`);
  const extra = (Object.keys(PAD_KEYWORDS) as (keyof PadOptions)[]).filter(
    (k) => opts[k] !== undefined && MODE_KEYWORDS[mode] !== k,
  );
  if (extra.length > 0)
    throw new ValueError(`pad: unsupported keyword arguments for mode '${mode}': ${extra.join(", ")}`);
  if (mode === "empty")
    return lax.pad(
      a,
      scalarArray(0, a.dtype, false),
      widths.map(([b, f]) => [b, f, 0]),
    );
  if (mode === "linear_ramp")
    return padLinearRamp(a, widths, pairsPerAxis("pad", opts.endValues ?? 0, a.ndim, "end_values"));
  if (mode === "maximum" || mode === "mean" || mode === "median" || mode === "minimum") {
    const sl = opts.statLength ?? null;
    return padStatistic(a, widths, mode, sl === null ? null : pairsPerAxis("pad", sl, a.ndim, "stat_length"));
  }
  if ((mode === "reflect" || mode === "symmetric") && opts.reflectType === "odd") return padReflectOdd(a, widths, mode);
  if (mode === "constant") {
    const cv = opts.constantValues ?? 0;
    if (typeof cv === "number")
      return lax.pad(
        a,
        scalarArray(cv, a.dtype, false),
        widths.map(([b, f]) => [b, f, 0]),
      );
    // Per-axis fills: pad one axis at a time; later axes cover the corners, as numpy does.
    const vals = pairsPerAxis("pad", cv, a.ndim, "constant_values");
    let y = a;
    widths.forEach(([b, f], d) => {
      const block = (k: number, v: number): Array => {
        const s = [...y.shape];
        s[d] = k;
        return lax.fullLike(new ShapedArray(s, a.dtype), v);
      };
      y = lax.concatenate([block(b, vals[d][0]), y, block(f, vals[d][1])], d);
    });
    return y;
  }
  const indexMode = mode as "edge" | "reflect" | "symmetric" | "wrap";
  let y = a;
  widths.forEach(([b, f], d) => {
    if (b === 0 && f === 0) return;
    const n = a.shape[d];
    if (n === 0) throw new ValueError(`pad: can't extend empty axis ${d} using mode '${mode}'`);
    const ids = range(n + b + f).map((j) => padSource(indexMode, j - b, n));
    y = take(y, ids, { axis: d, mode: "promise_in_bounds" });
  });
  return y;
}
