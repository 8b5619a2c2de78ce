/**
 * The op-spec table format: one entry per (primitive or lax/np function, dtype), with an input
 * generator, the function under test and what is true of it (differentiable, linear, …). The
 * generic properties in run.ts are checked over every entry; primitives-coverage.test.ts checks
 * that every primitive of `listPrimitives()` is exercised by some entry (or is allow-listed with
 * the test file that covers it instead).
 */
import fc from "fast-check";
import type { Array, DType } from "linax-ts";
import { arrays, floats, type HostReference, type Tolerance } from "@linax-ts/testing";

/** Which derivative checks apply: "smooth" → checkGrads order 2, "first" → order 1. */
export type Diff = "smooth" | "first";

export interface OpSpec<C> {
  /** Unique label, e.g. "exp/complex64". */
  name: string;
  /** Primitives this entry exercises; each must appear in the jaxpr of `fn` (checked by the coverage test). */
  prims: readonly string[];
  /** The dtype variant this entry covers (the dtype of its main operand). */
  dtype: DType;
  /** Static part of a case: shapes, axes, params. Every batch element of a vmap case shares it. */
  config: fc.Arbitrary<C>;
  /** Argument values for a config. */
  args(c: C): fc.Arbitrary<Array[]>;
  /** The function under test (outputs may be pytrees). */
  fn(c: C): (...xs: Array[]) => unknown;
  /** Derivative checks; omitted for integer/bool ops and ops without a JVP (jit and vmap only). */
  diff?: Diff;
  /** Grad modes (default both): while loops are forward-only, custom_vjp functions reverse-only (as in JAX). */
  modes?: readonly ("fwd" | "rev")[];
  /** Indices of the arguments to differentiate (default: every float/complex argument). */
  diffArgs?(c: C): number[];
  /** Groups of arguments in which `fn` is jointly linear (the others fixed): each gets the dot-product test. */
  linearIn?(c: C): number[][];
  /** A float64 host implementation of `fn` in the differentiated arguments (real dtypes): tighter first-order checks. */
  host?(c: C, args: readonly Array[]): HostReference;
  /** Overrides of checkGrads' tolerances/step, each with a comment saying why. */
  gradTol?: { rtol?: number; atol?: number; eps?: number; ulps?: number };
  /** Tolerance of vmap/jit comparisons (default exact up to 1e-5 relative). */
  tol?: Tolerance;
  /** Multiplier of the default number of runs (expensive entries use < 1). */
  runs?: number;
  /** Extra property run on each case (for facts the generic properties cannot state). */
  extra?(c: C, args: readonly Array[]): void;
}

/** A spec with its config type erased, so that tables of different configs form one list. */
export type AnySpec = OpSpec<unknown>;

/** Erase the config type of a spec (the runner only passes a spec's configs back to the same spec). */
export function spec<C>(s: OpSpec<C>): AnySpec {
  return s as unknown as AnySpec;
}

export const FLOAT_DTYPES: readonly DType[] = ["float32", "complex64"];
export const INT_DTYPES: readonly DType[] = ["int32", "uint32"];
export const ALL_DTYPES: readonly DType[] = ["float32", "complex64", "int32", "uint32", "bool"];
export const isInexactDType = (d: DType): boolean => d === "float32" || d === "complex64";

/**
 * Small shapes (sides 1..maxSide, rank ≤ 3) keep every property cheap; one side in ~9 is 0, so
 * empty arrays go through every transform too (`zeroSides: false` where an op needs elements).
 */
export const smallShape = (minRank = 0, maxRank = 3, maxSide = 3, zeroSides = true): fc.Arbitrary<number[]> =>
  fc.array(
    zeroSides
      ? fc.oneof(
          { weight: 1, arbitrary: fc.constant(0) },
          { weight: 8, arbitrary: fc.integer({ min: 1, max: maxSide }) },
        )
      : fc.integer({ min: 1, max: maxSide }),
    { minLength: minRank, maxLength: maxRank },
  );

/** Default element values of a dtype (floats in [-2, 2], small ints, bools). */
export function values(dtype: DType, shape: readonly number[], elements?: fc.Arbitrary<number>): fc.Arbitrary<Array> {
  if (elements !== undefined) return arrays({ dtype, shape, elements });
  if (dtype === "int32") return arrays({ dtype, shape, min: -6, max: 6 });
  if (dtype === "uint32") return arrays({ dtype, shape, min: 0, max: 12 });
  return arrays({ dtype, shape, min: -2, max: 2 });
}

/** float32 values in [lo, hi] (or both parts of a complex number). */
export const range = (lo: number, hi: number): fc.Arbitrary<number> => floats(lo, hi);

/** A random subset of `0..n-1`, sorted. */
export function subsetOf(n: number): fc.Arbitrary<number[]> {
  return fc.array(fc.boolean(), { minLength: n, maxLength: n }).map((bs) => bs.flatMap((b, i) => (b ? [i] : [])));
}

/** A random permutation of `0..n-1`. */
export function permutationOf(n: number): fc.Arbitrary<number[]> {
  return fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: n, maxLength: n }).map((keys) =>
    keys
      .map((k, i) => [k, i] as const)
      .sort((a, b) => a[0] - b[0])
      .map(([, i]) => i),
  );
}

/** Indices of the float/complex arguments. */
export function inexactArgs(args: readonly Array[]): number[] {
  return args.flatMap((a, i) => (isInexactDType(a.dtype) ? [i] : []));
}
