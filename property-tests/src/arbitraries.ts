/**
 * fast-check arbitraries for linax-ts values: shapes, broadcast-compatible shape pairs, arrays of
 * every dtype, pytrees of arrays and PRNG keys.
 */
import fc from "fast-check";
import { np, type Array, type DType } from "@linax-ts/core";
import { fromValues } from "./host.ts";

export interface ShapeOptions {
  minRank?: number;
  maxRank?: number;
  minSide?: number;
  maxSide?: number;
}

/** Shapes with rank in [minRank, maxRank] and sides in [minSide, maxSide]. */
export function shapes(opts: ShapeOptions = {}): fc.Arbitrary<number[]> {
  const { minRank = 0, maxRank = 3, minSide = 1, maxSide = 4 } = opts;
  return fc.array(fc.integer({ min: minSide, max: maxSide }), { minLength: minRank, maxLength: maxRank });
}

/** Pairs of shapes that broadcast together under numpy rules (some sides set to 1, ranks differ). */
export function broadcastableShapes(opts: ShapeOptions = {}): fc.Arbitrary<[number[], number[]]> {
  return shapes({ minRank: 1, ...opts }).chain((full) =>
    fc
      .tuple(
        fc.integer({ min: 0, max: full.length }),
        fc.array(fc.boolean(), { minLength: full.length, maxLength: full.length }),
        fc.array(fc.boolean(), { minLength: full.length, maxLength: full.length }),
      )
      .map(([drop, ones1, ones2]) => {
        const a = full.map((d, i) => (ones1[i] ? 1 : d));
        const b = full.slice(drop).map((d, i) => (ones2[i + drop] ? 1 : d));
        return [a, b] as [number[], number[]];
      }),
  );
}

export interface ArrayOptions {
  dtype?: DType;
  shape?: readonly number[] | fc.Arbitrary<number[]>;
  /**
   * Value range for float/int elements (default [-3, 3] for floats and for both parts of complex
   * numbers, [-10, 10] for int32, [0, 20] for uint32). Integer ranges are rounded inwards.
   */
  min?: number;
  max?: number;
  /**
   * A custom element arbitrary (overrides min/max): one number per element, or per (re, im) part
   * for complex64. Use it for domains with holes, e.g. values away from a singularity.
   */
  elements?: fc.Arbitrary<number>;
}

/** Float32-representable doubles in [min, max] (no NaN/Inf). */
export function floats(min = -3, max = 3): fc.Arbitrary<number> {
  return fc
    .double({ min, max, noNaN: true, noDefaultInfinity: true })
    .map(Math.fround)
    .filter((v) => v >= min && v <= max);
}

/**
 * Float32 values in [min, max] at least `gap` away from every point of `avoid(x)`'s grid — e.g.
 * `awayFrom(-3, 3, 0.05, Math.round)` keeps clear of integers (where floor/ceil jump), so a
 * central difference with a small step never straddles a discontinuity.
 */
export function awayFrom(min: number, max: number, gap: number, nearest: (x: number) => number): fc.Arbitrary<number> {
  return floats(min, max).filter((v) => Math.abs(v - nearest(v)) >= gap);
}

function elements(dtype: DType, opts: ArrayOptions, n: number): fc.Arbitrary<number[]> {
  const len = dtype === "complex64" ? 2 * n : n;
  const arr = (e: fc.Arbitrary<number>) => fc.array(e, { minLength: len, maxLength: len });
  if (opts.elements !== undefined) return arr(opts.elements);
  const { min, max } = opts;
  switch (dtype) {
    case "bool":
      return arr(fc.integer({ min: 0, max: 1 }));
    case "int32":
      return arr(fc.integer({ min: Math.ceil(min ?? -10), max: Math.floor(max ?? 10) }));
    case "uint32":
      return arr(fc.integer({ min: Math.max(0, Math.ceil(min ?? 0)), max: Math.floor(max ?? 20) }));
    case "complex64":
    case "float32":
    case "float16":
    case "bfloat16":
      // float32 values; a half array rounds them (np.array).
      return arr(floats(min ?? -3, max ?? 3));
  }
}

/** Arrays of a dtype (default float32) and shape (fixed or arbitrary). */
export function arrays(opts: ArrayOptions = {}): fc.Arbitrary<Array> {
  const dtype = opts.dtype ?? "float32";
  const shapeArb =
    opts.shape === undefined
      ? shapes()
      : globalThis.Array.isArray(opts.shape)
        ? fc.constant([...(opts.shape as number[])])
        : (opts.shape as fc.Arbitrary<number[]>);
  return shapeArb.chain((shape) => {
    const n = shape.reduce((a, b) => a * b, 1);
    return elements(dtype, opts, n).map((vals) => fromValues(vals, shape, dtype));
  });
}

/** Pytrees (nested lists/objects) of float32 arrays, up to `depth` levels. */
export function pytrees(opts: { depth?: number; leaf?: fc.Arbitrary<Array> } = {}): fc.Arbitrary<unknown> {
  const leaf = opts.leaf ?? arrays();
  const { tree } = fc.letrec((tie) => ({
    tree: fc.oneof({ depthSize: "small", maxDepth: opts.depth ?? 2 }, leaf, tie("list"), tie("dict")),
    list: fc.array(tie("tree"), { minLength: 1, maxLength: 3 }),
    dict: fc.dictionary(fc.constantFrom("a", "b", "c", "w"), tie("tree"), { minKeys: 1, maxKeys: 3 }),
  }));
  return tree;
}

/** Raw PRNG keys (uint32[2], JAX's default key representation) from a 32-bit seed. */
export function keys(): fc.Arbitrary<Array> {
  return fc
    .integer({ min: 0, max: 0x7fffffff })
    .map((seed) => np.array(new Uint32Array([0, seed]), { dtype: "uint32" }));
}

/**
 * fast-check parameters for our suite: a fixed seed (FC_SEED, default 20261124) so CI is
 * reproducible, and a budget of `defaultRuns` runs unless FC_NUM_RUNS overrides it (`npm run fuzz`
 * sets 1000). On failure fast-check's error message names the seed and the shrink path; replay
 * with `FC_SEED=<seed>` (the path is printed for `fc.assert(..., { path })`).
 */
export function fcParams(defaultRuns = 20): fc.Parameters<unknown> {
  const seed = process.env.FC_SEED !== undefined ? Number(process.env.FC_SEED) : 20261124;
  const numRuns = process.env.FC_NUM_RUNS !== undefined ? Number(process.env.FC_NUM_RUNS) : defaultRuns;
  return { seed, numRuns, endOnFailure: true, includeErrorInReport: true };
}
