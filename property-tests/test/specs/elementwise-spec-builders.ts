/**
 * Builders for elementwise op specs: n-ary ops over equal shapes whose element values are drawn
 * per position (so a domain can couple operands, e.g. `rem` keeping x/y away from integers), with
 * an optional scalar float64 host implementation for the first-order gradient checks.
 */
import fc from "fast-check";
import type { Array, DType } from "linax-ts";
import { fromValues, type HostReference } from "@linax-ts/testing";
import { smallShape, spec, type AnySpec, type Diff } from "./types.ts";

/** One element position's values for every operand (complex operands take [re, im] pairs). */
export type ElementGen = fc.Arbitrary<number[]>;

export interface EwVariant {
  dtype: DType;
  /** Operand dtypes when they differ from `dtype` (e.g. selectN's `which`). */
  dtypes?: readonly DType[];
  /** Values of one element position for all operands: real operands one number, complex two (re, im). */
  elements: ElementGen;
  diff?: Diff;
  /** Scalar float64 host implementation (real operands only) for first-order checks against float64 FD. */
  host?: (...xs: number[]) => number;
  linearIn?: number[][];
  diffArgs?: number[];
  gradTol?: { rtol?: number; atol?: number; eps?: number; ulps?: number };
  /** Suffix of the spec name (default: the dtype). */
  label?: string;
}

export interface EwOp {
  /** Primitive name(s) exercised. */
  prims: readonly string[];
  arity: number;
  fn: (...xs: Array[]) => Array;
  variants: readonly EwVariant[];
  /** Name of the spec (default prims[0]). */
  name?: string;
}

/** Turn per-position element tuples into operand arrays of the given shape. */
export function operands(
  shape: readonly number[],
  dtypes: readonly DType[],
  elements: ElementGen,
): fc.Arbitrary<Array[]> {
  const n = shape.reduce((a, b) => a * b, 1);
  return fc.array(elements, { minLength: n, maxLength: n }).map((rows) => {
    let col = 0;
    return dtypes.map((dt) => {
      const w = dt === "complex64" ? 2 : 1;
      const vals = new Float64Array(n * w);
      rows.forEach((r, i) => {
        for (let k = 0; k < w; k++) vals[i * w + k] = r[col + k];
      });
      col += w;
      return fromValues(vals, shape, dt);
    });
  });
}

/** Host reference of an elementwise op from its scalar float64 implementation. */
export function elementwiseHost(f: (...xs: number[]) => number): HostReference {
  return (...xs: Float64Array[]) => [Float64Array.from(xs[0], (_, k) => f(...xs.map((x) => x[k])))];
}

/** Specs of an elementwise op, one per dtype variant. */
export function elementwiseSpecs(op: EwOp): AnySpec[] {
  return op.variants.map((v) => {
    const dtypes = v.dtypes ?? new globalThis.Array<DType>(op.arity).fill(v.dtype);
    return spec<number[]>({
      name: `${op.name ?? op.prims[0]}/${v.label ?? v.dtype}`,
      prims: op.prims,
      dtype: v.dtype,
      config: smallShape(0, 3, 3),
      args: (shape) => operands(shape, dtypes, v.elements),
      fn: () => op.fn,
      diff: v.diff,
      diffArgs: v.diffArgs ? () => v.diffArgs as number[] : undefined,
      linearIn: v.linearIn ? () => v.linearIn as number[][] : undefined,
      host: v.host ? () => elementwiseHost(v.host as (...xs: number[]) => number) : undefined,
      gradTol: v.gradTol,
    });
  });
}

// ------------------------------------------------------------------ element domains

/** float32 value in [lo, hi]. */
export const f32 = (lo: number, hi: number): fc.Arbitrary<number> =>
  fc
    .double({ min: lo, max: hi, noNaN: true })
    .map(Math.fround)
    .filter((v) => v >= lo && v <= hi);
/** float32 value with |v| in [lo, hi] and a random sign. */
export const f32abs = (lo: number, hi: number): fc.Arbitrary<number> =>
  fc.tuple(f32(lo, hi), fc.boolean()).map(([v, s]) => (s ? -v : v));
/** Independent operands, one arbitrary per number (re and im of a complex operand count separately). */
export const tuple = (...parts: fc.Arbitrary<number>[]): ElementGen => fc.tuple(...parts);
/** `n` independent numbers from the same arbitrary. */
export const same = (n: number, part: fc.Arbitrary<number>): ElementGen =>
  fc.array(part, { minLength: n, maxLength: n });
/** Full-range integers of a dtype (bit ops, shifts, wraparound). */
export const fullInt = (dtype: DType): fc.Arbitrary<number> =>
  dtype === "uint32"
    ? fc.integer({ min: 0, max: 0xffffffff })
    : dtype === "int32"
      ? fc.integer({ min: -0x80000000, max: 0x7fffffff })
      : fc.integer({ min: 0, max: 1 });
/** Small integers of a dtype (arithmetic without overflow in the tests' host checks). */
export const smallInt = (dtype: DType, lo = -6, hi = 6): fc.Arbitrary<number> =>
  dtype === "uint32"
    ? fc.integer({ min: Math.max(0, lo), max: hi })
    : dtype === "bool"
      ? fc.integer({ min: 0, max: 1 })
      : fc.integer({ min: lo, max: hi });
/** Values with ties likely (comparisons, max/min of integers). */
export const tiny = (dtype: DType): fc.Arbitrary<number> =>
  dtype === "bool"
    ? fc.integer({ min: 0, max: 1 })
    : dtype === "uint32"
      ? fc.integer({ min: 0, max: 3 })
      : fc.integer({ min: -2, max: 2 });
