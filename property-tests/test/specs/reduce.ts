/**
 * Op specs of the reductions (max/min/prod/and/or, argmax/argmin), cumulative ops (cumsum,
 * cumprod, cummax, cummin, cumlogsumexp, linearRecurrence) and sort. Choosers (max, min, sort
 * keys, cummax) are differentiated on values at least 0.05 apart (`distinct`), so no tie is within
 * reach of a 1e-3 finite-difference step; integer variants use small values where ties are common,
 * which is what their vmap/jit checks need (tie-breaking must not depend on the batch layout).
 */
import fc from "fast-check";
import { lax, type Array, type DType } from "linax-ts";
import { fromValues } from "@linax-ts/testing";
import { ALL_DTYPES, isInexactDType, smallShape, spec, subsetOf, values, type AnySpec } from "./types.ts";
import { f32, tiny } from "./elementwise-spec-builders.ts";

const NUMERIC: readonly DType[] = ["float32", "complex64", "int32", "uint32"];
const REAL_NUMERIC: readonly DType[] = ["float32", "int32", "uint32"];
const size = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

/**
 * Arrays whose real parts are pairwise at least 0.05 apart (distinct multiples of 0.05 plus an
 * offset; the imaginary parts of complex ones are free), in random order.
 */
export function distinct(dtype: DType, shape: readonly number[]): fc.Arbitrary<Array> {
  const n = size(shape);
  return fc
    .tuple(
      fc.uniqueArray(fc.integer({ min: -50, max: 50 }), { minLength: n, maxLength: n }),
      fc.array(f32(-2, 2), { minLength: n, maxLength: n }),
    )
    .map(([ks, im]) => {
      const re = ks.map((k) => Math.fround(k * 0.05 + 0.0123));
      return fromValues(dtype === "complex64" ? re.flatMap((r, i) => [r, im[i]]) : re, shape, dtype);
    });
}

/** Values for choosers: distinct for inexact dtypes (differentiated), tie-prone for the others. */
const chooserValues = (dtype: DType, shape: readonly number[]): fc.Arbitrary<Array> =>
  isInexactDType(dtype) ? distinct(dtype, shape) : values(dtype, shape, tiny(dtype));

interface AxesC {
  shape: number[];
  axes: number[];
}
const axesConfig: fc.Arbitrary<AxesC> = smallShape(0, 3, 3).chain((shape) =>
  subsetOf(shape.length).map((axes) => ({ shape, axes })),
);
interface AxisC {
  shape: number[];
  axis: number;
  reverse: boolean;
}
const axisConfig: fc.Arbitrary<AxisC> = smallShape(1, 3, 4).chain((shape) =>
  fc.record({ shape: fc.constant(shape), axis: fc.integer({ min: 0, max: shape.length - 1 }), reverse: fc.boolean() }),
);

function reduceSpecs(): AnySpec[] {
  const choosers = (["reduceMax", "reduceMin"] as const).flatMap((prim) =>
    ALL_DTYPES.map((dtype) =>
      spec<AxesC>({
        name: `${prim}/${dtype}`,
        prims: [prim],
        dtype,
        config: axesConfig,
        args: (c) => chooserValues(dtype, c.shape).map((x) => [x]),
        fn: (c) => (x: Array) => (prim === "reduceMax" ? lax.reduceMax(x, c.axes) : lax.reduceMin(x, c.axes)),
        diff: isInexactDType(dtype) ? "smooth" : undefined,
      }),
    ),
  );
  const prod = NUMERIC.map((dtype) =>
    spec<AxesC>({
      name: `reduceProd/${dtype}`,
      prims: ["reduceProd"],
      dtype,
      config: axesConfig,
      args: (c) =>
        values(
          dtype,
          c.shape,
          dtype === "float32" ? f32(-1.5, 1.5) : dtype === "complex64" ? f32(-1.2, 1.2) : tiny(dtype),
        ).map((x) => [x]),
      fn: (c) => (x: Array) => lax.reduceProd(x, c.axes),
      diff: isInexactDType(dtype) ? "smooth" : undefined,
    }),
  );
  // Exact zeros (one or several per reduced group): the product rule must not divide by x.
  const prodZeros = spec<AxesC>({
    name: "reduceProd/float32-with-zeros",
    prims: ["reduceProd"],
    dtype: "float32",
    config: axesConfig,
    args: (c) => values("float32", c.shape, fc.constantFrom(0, 0, 0.5, -1, 1.5, 2)).map((x) => [x]),
    fn: (c) => (x: Array) => lax.reduceProd(x, c.axes),
    diff: "smooth",
  });
  const logical = (["reduceAnd", "reduceOr"] as const).map((prim) =>
    spec<AxesC>({
      name: `${prim}/bool`,
      prims: [prim],
      dtype: "bool",
      config: axesConfig,
      args: (c) => values("bool", c.shape).map((x) => [x]),
      fn: (c) => (x: Array) => (prim === "reduceAnd" ? lax.reduceAnd(x, c.axes) : lax.reduceOr(x, c.axes)),
    }),
  );
  const arg = (["argmax", "argmin"] as const).flatMap((prim) =>
    ALL_DTYPES.map((dtype) =>
      spec<AxisC & { index: DType }>({
        name: `${prim}/${dtype}`,
        prims: [prim],
        dtype,
        // argmax of an empty axis is an error (there is no index to return), so the reduced axis is non-empty.
        config: axisConfig
          .filter((c) => c.shape[c.axis] > 0)
          .chain((c) => fc.constantFrom<DType>("int32", "uint32").map((index) => ({ ...c, index }))),
        // Ties on purpose (small integers, also for floats): the first index must win under every transform.
        args: (c) =>
          values(
            dtype,
            c.shape,
            dtype === "complex64" || dtype === "float32" ? fc.integer({ min: -1, max: 1 }) : tiny(dtype),
          ).map((x) => [x]),
        fn: (c) => (x: Array) => (prim === "argmax" ? lax.argmax(x, c.axis, c.index) : lax.argmin(x, c.axis, c.index)),
      }),
    ),
  );
  return [...choosers, ...prod, prodZeros, ...logical, ...arg];
}

function cumulativeSpecs(): AnySpec[] {
  const cum = (
    prim: string,
    dtypes: readonly DType[],
    fn: (x: Array, axis: number, reverse: boolean) => Array,
    valuesOf: (d: DType, s: number[]) => fc.Arbitrary<Array>,
    linear: boolean,
    label = "",
  ): AnySpec[] =>
    dtypes.map((dtype) =>
      spec<AxisC>({
        name: `${prim}/${dtype}${label}`,
        prims: [prim],
        dtype,
        config: axisConfig,
        args: (c) => valuesOf(dtype, c.shape).map((x) => [x]),
        fn: (c) => (x: Array) => fn(x, c.axis, c.reverse),
        diff: isInexactDType(dtype) ? "smooth" : undefined,
        linearIn: linear && isInexactDType(dtype) ? () => [[0]] : undefined,
      }),
    );
  const plain = (d: DType, s: number[]) => values(d, s, isInexactDType(d) ? f32(-1.5, 1.5) : tiny(d));
  return [
    ...cum("cumsum", NUMERIC, lax.cumsum, plain, true),
    ...cum("cumprod", NUMERIC, lax.cumprod, plain, false),
    ...cum(
      "cumprod",
      ["float32"],
      lax.cumprod,
      (d, s) => values(d, s, fc.constantFrom(0, 0.5, -1, 1.5)),
      false,
      "-with-zeros",
    ),
    ...cum("cummax", REAL_NUMERIC, lax.cummax, chooserValues, false),
    ...cum("cummin", REAL_NUMERIC, lax.cummin, chooserValues, false),
    ...cum("cumlogsumexp", ["float32"], lax.cumlogsumexp, (d, s) => values(d, s, f32(-3, 3)), false),
    ...(["float32", "complex64"] as const).map((dtype) =>
      spec<AxisC>({
        name: `linearRecurrence/${dtype}`,
        prims: ["linearRecurrence"],
        dtype,
        config: axisConfig,
        // |a| < 1 keeps the recurrence contracting (values O(1), no catastrophic growth).
        args: (c) => fc.tuple(values(dtype, c.shape, f32(-0.7, 0.7)), values(dtype, c.shape, f32(-2, 2))),
        fn: (c) => (a: Array, b: Array) => lax.linearRecurrence(a, b, c.axis, c.reverse),
        diff: "smooth",
        linearIn: () => [[1]],
      }),
    ),
  ];
}

interface SortC {
  shape: number[];
  dimension: number;
  numKeys: number;
  operands: number;
}
function sortSpecs(): AnySpec[] {
  const config: fc.Arbitrary<SortC> = smallShape(1, 3, 4).chain((shape) =>
    fc
      .record({
        shape: fc.constant(shape),
        dimension: fc.integer({ min: -shape.length, max: shape.length - 1 }),
        operands: fc.integer({ min: 1, max: 3 }),
      })
      .chain((c) => fc.integer({ min: 1, max: c.operands }).map((numKeys) => ({ ...c, numKeys }))),
  );
  const keyed = (dtype: DType, c: SortC) =>
    fc.tuple(
      ...globalThis.Array.from({ length: c.operands }, (_, i) =>
        i < c.numKeys ? chooserValues(dtype, c.shape) : values(dtype, c.shape),
      ),
    );
  const all = ALL_DTYPES.map((dtype) =>
    spec<SortC>({
      name: `sort/${dtype}`,
      prims: ["sort"],
      dtype,
      config,
      // Keys of inexact dtypes are distinct (differentiable); integer keys tie, exercising stability.
      args: (c) => keyed(dtype, c),
      fn:
        (c) =>
        (...xs: Array[]) =>
          lax.sort(xs, { dimension: c.dimension, numKeys: c.numKeys }),
      diff: isInexactDType(dtype) ? "smooth" : undefined,
    }),
  );
  // With the keys fixed, the sorted non-key operands are a linear function of the non-key operands.
  const values2 = (["float32", "complex64"] as const).map((dtype) =>
    spec<SortC>({
      name: `sort/${dtype}-non-key-outputs`,
      prims: ["sort"],
      dtype,
      config: config.map((c) => ({ ...c, operands: Math.max(c.operands, c.numKeys + 1) })),
      args: (c) => keyed(dtype, c),
      fn:
        (c) =>
        (...xs: Array[]) =>
          lax.sort(xs, { dimension: c.dimension, numKeys: c.numKeys }).slice(c.numKeys),
      diff: "smooth",
      linearIn: (c) => [globalThis.Array.from({ length: c.operands - c.numKeys }, (_, i) => c.numKeys + i)],
    }),
  );
  return [...all, ...values2];
}

export const REDUCE_SPECS: AnySpec[] = [...reduceSpecs(), ...cumulativeSpecs(), ...sortSpecs()];
