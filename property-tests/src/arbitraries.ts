/**
 * fast-check arbitraries for linax-ts values: shapes, broadcast-compatible shape pairs, arrays of
 * every dtype, pytrees of arrays and PRNG keys.
 */
import fc from "fast-check";
import { np, type Array, type DType } from "@linax-ts/core";

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
  /** Value range for float/int elements (default [-3, 3] for floats, [-10, 10] for ints). */
  min?: number;
  max?: number;
}

function elements(dtype: DType, min: number | undefined, max: number | undefined, n: number): fc.Arbitrary<number[]> {
  switch (dtype) {
    case "bool":
      return fc.array(fc.integer({ min: 0, max: 1 }), { minLength: n, maxLength: n });
    case "int32":
      return fc.array(fc.integer({ min: min ?? -10, max: max ?? 10 }), { minLength: n, maxLength: n });
    case "uint32":
      return fc.array(fc.integer({ min: min ?? 0, max: max ?? 20 }), { minLength: n, maxLength: n });
    case "complex64":
    case "float32": {
      const len = dtype === "complex64" ? 2 * n : n;
      return fc.array(fc.double({ min: min ?? -3, max: max ?? 3, noNaN: true, noDefaultInfinity: true }).map(Math.fround), { minLength: len, maxLength: len });
    }
  }
}

/** Arrays of a dtype (default float32) and shape (fixed or arbitrary). */
export function arrays(opts: ArrayOptions = {}): fc.Arbitrary<Array> {
  const dtype = opts.dtype ?? "float32";
  const shapeArb = opts.shape === undefined ? shapes() : globalThis.Array.isArray(opts.shape) ? fc.constant([...(opts.shape as number[])]) : (opts.shape as fc.Arbitrary<number[]>);
  return shapeArb.chain((shape) => {
    const n = shape.reduce((a, b) => a * b, 1);
    return elements(dtype, opts.min, opts.max, n).map((vals) => {
      const typed = dtype === "float32" || dtype === "complex64" ? new Float32Array(vals) : dtype === "uint32" ? new Uint32Array(vals) : dtype === "bool" ? new Uint8Array(vals) : new Int32Array(vals);
      const flat = np.array(typed, { dtype });
      return np.reshape(flat, shape);
    });
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
  return fc.integer({ min: 0, max: 0x7fffffff }).map((seed) => np.array(new Uint32Array([0, seed]), { dtype: "uint32" }));
}

/** fast-check parameters for our suite: a fixed seed in CI (printed on failure), budget from FC_NUM_RUNS. */
export function fcParams(defaultRuns = 20): fc.Parameters<unknown> {
  const seed = process.env.FC_SEED !== undefined ? Number(process.env.FC_SEED) : 20261124;
  return { seed, numRuns: process.env.FC_NUM_RUNS !== undefined ? Number(process.env.FC_NUM_RUNS) : defaultRuns, endOnFailure: true };
}
