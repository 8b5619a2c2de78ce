/**
 * Op specs of the binary and n-ary elementwise primitives (arithmetic, pow/rem/atan2/nextafter,
 * comparisons, max/min, clamp, bitwise ops and shifts, complex, selectN, fma) and of the dtype
 * conversions. Domains avoid the non-differentiable sets: |y| ≥ 0.5 for div, x/y at least 0.05
 * from a nonzero integer for rem (where trunc jumps), (x, y) away from the origin and from
 * atan2's cut (y < 0, x = 0), |x − y| ≥ 0.05 for max/min and clamp's bounds.
 */
import fc from "fast-check";
import { lax, listPrimitives, type Array, type DType } from "linax-ts";
import { fromValues } from "@linax-ts/testing";
import {
  elementwiseSpecs,
  f32,
  f32abs,
  fullInt,
  operands,
  same,
  smallInt,
  tiny,
  tuple,
  type EwVariant,
  type ElementGen,
} from "./elementwise-spec-builders.ts";
import { ALL_DTYPES, isInexactDType, smallShape, spec, type AnySpec } from "./types.ts";

const cplx = (reLo: number, reHi: number, imLo: number, imHi: number): fc.Arbitrary<number>[] => [
  f32(reLo, reHi),
  f32(imLo, imHi),
];
const NUMERIC: readonly DType[] = ["float32", "complex64", "int32", "uint32"];
const ORDERED: readonly DType[] = ["float32", "int32", "uint32", "bool"];
const INTLIKE: readonly DType[] = ["int32", "uint32", "bool"];

/** add/sub/mul/div: floats smooth with a host reference, complex smooth, integers small and full-range (wraparound). */
function arith(
  prim: string,
  fn: (x: Array, y: Array) => Array,
  host: (x: number, y: number) => number,
  linearIn: number[][],
  divisor: boolean,
): AnySpec[] {
  const variants: EwVariant[] = NUMERIC.map((dtype): EwVariant => {
    if (dtype === "float32")
      return {
        dtype,
        elements: tuple(f32(-3, 3), divisor ? f32abs(0.5, 2) : f32(-3, 3)),
        diff: "smooth",
        host,
        linearIn,
      };
    if (dtype === "complex64")
      return {
        dtype,
        elements: tuple(...cplx(-2, 2, -2, 2), ...(divisor ? [f32abs(0.5, 2), f32(-1, 1)] : cplx(-2, 2, -2, 2))),
        diff: "smooth",
        linearIn,
      };
    return { dtype, elements: same(2, smallInt(dtype)) };
  });
  const wrap: EwVariant[] = (["int32", "uint32"] as const).map((dtype) => ({
    dtype,
    label: `${dtype}-full-range`,
    elements: same(2, fullInt(dtype)),
  }));
  // The half storage dtypes (computed in float32, rounded): jit and vmap checks only (derivative
  // and linearity checks at half precision would measure the rounding).
  const halves: EwVariant[] = (["float16", "bfloat16"] as const).map((dtype) => ({
    dtype,
    elements: tuple(f32(-3, 3), divisor ? f32abs(0.5, 2) : f32(-3, 3)),
  }));
  return elementwiseSpecs({ prims: [prim], arity: 2, fn, variants: [...variants, ...wrap, ...halves] });
}

/** rem's x/y keeps 0.05 away from every nonzero integer (trunc(x/y) jumps there). */
const remFloat: ElementGen = tuple(f32(-3, 3), f32abs(0.5, 2)).filter(([x, y]) => {
  const q = x / y;
  const k = Math.round(q);
  return k === 0 || Math.abs(q - k) >= 0.05;
});
/** atan2(x, y) = angle of (y, x): away from the origin and from the cut along y < 0, x = 0. */
const atan2Float: ElementGen = tuple(f32(-2, 2), f32(-2, 2)).filter(
  ([x, y]) => Math.hypot(x, y) >= 0.2 && !(y < 0 && Math.abs(x) < 0.1),
);
/** Two floats at least 0.05 apart (max/min have a kink on the diagonal). */
const apart: ElementGen = tuple(f32(-3, 3), f32(-3, 3)).filter(([x, y]) => Math.abs(x - y) >= 0.05);

function ordered(prim: string, fn: (x: Array, y: Array) => Array, host: (x: number, y: number) => number): AnySpec[] {
  return elementwiseSpecs({
    prims: [prim],
    arity: 2,
    fn,
    variants: ORDERED.map((dtype): EwVariant =>
      dtype === "float32"
        ? { dtype, elements: apart, diff: "smooth", host }
        : { dtype, elements: same(2, tiny(dtype)) },
    ),
  });
}

function comparison(prim: string, fn: (x: Array, y: Array) => Array, dtypes: readonly DType[]): AnySpec[] {
  // Small values make ties frequent; floats include ±0 (equal) through the integers.
  return elementwiseSpecs({
    prims: [prim],
    arity: 2,
    fn,
    variants: dtypes.map((dtype) => ({
      dtype,
      elements:
        dtype === "complex64"
          ? same(4, tiny("int32"))
          : same(2, dtype === "float32" ? fc.oneof(tiny("int32"), f32(-2, 2)) : tiny(dtype)),
    })),
  });
}

function bitwise(prim: string, fn: (x: Array, y: Array) => Array, dtypes: readonly DType[], shift: boolean): AnySpec[] {
  return elementwiseSpecs({
    prims: [prim],
    arity: 2,
    fn,
    variants: dtypes.map((dtype) => ({
      dtype,
      elements: tuple(fullInt(dtype), shift ? fc.integer({ min: 0, max: 40 }) : fullInt(dtype)),
    })),
  });
}

/** clamp(lo, x, hi) with lo ≤ hi; floats keep x 0.05 away from both bounds. */
function clampSpecs(): AnySpec[] {
  const floatEl: ElementGen = tuple(f32(-2, -0.1), f32(-3, 3), f32(0.1, 2)).filter(
    ([lo, x, hi]) => Math.abs(x - lo) >= 0.05 && Math.abs(x - hi) >= 0.05,
  );
  const intEl = (dtype: DType): ElementGen =>
    same(3, smallInt(dtype)).map(([a, x, b]) => [Math.min(a, b), x, Math.max(a, b)]);
  return elementwiseSpecs({
    prims: ["clamp"],
    arity: 3,
    fn: lax.clamp,
    variants: (["float32", "int32", "uint32"] as const).map((dtype): EwVariant =>
      dtype === "float32"
        ? { dtype, elements: floatEl, diff: "smooth", host: (lo, x, hi) => Math.min(Math.max(x, lo), hi) }
        : { dtype, elements: intEl(dtype) },
    ),
  });
}

/** clamp with scalar bounds (its own batching path: scalar bounds broadcast against a batched x, or batched against x). */
function clampScalarSpecs(): AnySpec[] {
  return (["float32", "int32", "uint32"] as const).map((dtype) =>
    spec<number[]>({
      name: `clamp/${dtype}-scalar-bounds`,
      prims: ["clamp"],
      dtype,
      config: smallShape(0, 3, 3),
      args: (shape) => {
        const isFloat = dtype === "float32";
        const bounds = isFloat
          ? tuple(f32(-2, -0.1), f32(0.1, 2))
          : same(2, smallInt(dtype)).map(([a, b]) => [Math.min(a, b), Math.max(a, b)]);
        // Floats keep x 0.05 away from both bounds (the kinks).
        return bounds.chain(([lo, hi]) =>
          operands(
            shape,
            [dtype],
            tuple(
              isFloat
                ? f32(-3, 3).filter((x) => Math.abs(x - lo) >= 0.05 && Math.abs(x - hi) >= 0.05)
                : smallInt(dtype),
            ),
          ).map(([x]) => [fromValues([lo], [], dtype), x, fromValues([hi], [], dtype)]),
        );
      },
      fn: () => lax.clamp,
      diff: dtype === "float32" ? "smooth" : undefined,
    }),
  );
}

/** selectN with a bool or int32 `which` (scalar or full shape) and 1–3 cases of every dtype. */
function selectSpecs(): AnySpec[] {
  interface C {
    shape: number[];
    whichDType: "bool" | "int32";
    scalarWhich: boolean;
    n: number;
    dtype: DType;
  }
  const configs = (dtype: DType): fc.Arbitrary<C> =>
    fc
      .record({
        shape: smallShape(0, 3, 3),
        whichDType: fc.constantFrom("bool" as const, "int32" as const),
        scalarWhich: fc.boolean(),
        n: fc.integer({ min: 1, max: 3 }),
        dtype: fc.constant(dtype),
      })
      .map((c) => ({ ...c, n: c.whichDType === "bool" ? Math.min(c.n, 2) : c.n }));
  return ALL_DTYPES.map((dtype) =>
    spec<C>({
      name: `selectN/${dtype}`,
      prims: ["selectN"],
      dtype,
      config: configs(dtype),
      args: (c) => {
        const whichShape = c.scalarWhich ? [] : c.shape;
        const which = operands(whichShape, [c.whichDType], tuple(fc.integer({ min: 0, max: c.n - 1 })));
        const caseEl =
          dtype === "complex64"
            ? same(2 * c.n, f32(-2, 2))
            : same(c.n, isInexactDType(dtype) ? f32(-2, 2) : tiny(dtype));
        return fc
          .tuple(which, operands(c.shape, new globalThis.Array<DType>(c.n).fill(dtype), caseEl))
          .map(([w, cs]) => [...w, ...cs]);
      },
      fn:
        () =>
        (which: Array, ...cases: Array[]) =>
          lax.selectN(which, ...cases),
      diff: isInexactDType(dtype) ? "smooth" : undefined,
      linearIn: isInexactDType(dtype) ? (c) => [globalThis.Array.from({ length: c.n }, (_, i) => i + 1)] : undefined,
    }),
  );
}

/** convertElementType from every dtype to every dtype (tangents flow between float32 and complex64 only). */
function convertSpecs(): AnySpec[] {
  return ALL_DTYPES.map((from) =>
    spec<{ shape: number[]; to: DType }>({
      name: `convertElementType/${from}`,
      prims: ["convertElementType"],
      dtype: from,
      config: fc.record({ shape: smallShape(0, 3, 3), to: fc.constantFrom(...ALL_DTYPES.filter((d) => d !== from)) }),
      args: ({ shape }) =>
        operands(
          shape,
          [from],
          from === "complex64"
            ? same(2, f32(-3, 3))
            : tuple(from === "float32" ? f32(-5, 5) : from === "bool" ? fc.integer({ min: 0, max: 1 }) : fullInt(from)),
        ),
      fn:
        ({ to }) =>
        (x: Array) =>
          lax.convertElementType(x, to),
      diff: isInexactDType(from) ? "smooth" : undefined,
      // Linear between inexact dtypes; a conversion to an integer/bool dtype is not (its tangent is zero).
      linearIn: isInexactDType(from) ? ({ to }) => (isInexactDType(to) ? [[0]] : []) : undefined,
    }),
  );
}

function bitcastSpecs(): AnySpec[] {
  const BITS: readonly DType[] = ["float32", "int32", "uint32"];
  return BITS.map((from) =>
    spec<{ shape: number[]; to: DType }>({
      name: `bitcastConvertType/${from}`,
      prims: ["bitcastConvertType"],
      dtype: from,
      config: fc.record({ shape: smallShape(0, 3, 3), to: fc.constantFrom(...BITS) }),
      // Integers that are NaN bit patterns as float32 would not survive a float32 round trip through the host; keep them finite.
      args: ({ shape }) =>
        operands(
          shape,
          [from],
          tuple(
            from === "float32"
              ? f32(-1e6, 1e6)
              : from === "int32"
                ? fc.integer({ min: -0x7f7fffff, max: 0x7f7fffff })
                : fc.integer({ min: 0, max: 0x7f7fffff }),
          ),
        ),
      fn:
        ({ to }) =>
        (x: Array) =>
          lax.bitcastConvertType(x, to),
    }),
  );
}

const fmaP = listPrimitives().find((p) => p.name === "fma");

export const BINARY_SPECS: AnySpec[] = [
  ...arith("add", lax.add, (x, y) => x + y, [[0, 1]], false),
  ...arith("sub", lax.sub, (x, y) => x - y, [[0, 1]], false),
  ...arith("mul", lax.mul, (x, y) => x * y, [[0], [1]], false),
  ...arith("div", lax.div, (x, y) => x / y, [[0]], true),
  ...elementwiseSpecs({
    prims: ["pow"],
    arity: 2,
    fn: lax.pow,
    variants: [
      { dtype: "float32", elements: tuple(f32(0.2, 3), f32(-2, 2)), diff: "smooth", host: (x, y) => x ** y },
      { dtype: "complex64", elements: tuple(...cplx(0.2, 2, -1, 1), ...cplx(-1.5, 1.5, -0.5, 0.5)), diff: "smooth" },
    ],
  }),
  ...elementwiseSpecs({
    prims: ["rem"],
    arity: 2,
    fn: lax.rem,
    variants: [
      { dtype: "float32", elements: remFloat, diff: "smooth", host: (x, y) => x % y },
      // Integer divisors include 0 (rem(x, 0) = x, XLA's definition).
      ...(["int32", "uint32"] as const).map((dtype) => ({ dtype, elements: same(2, smallInt(dtype)) })),
    ],
  }),
  ...elementwiseSpecs({
    prims: ["atan2"],
    arity: 2,
    fn: lax.atan2,
    variants: [{ dtype: "float32", elements: atan2Float, diff: "smooth", host: Math.atan2 }],
  }),
  // nextafter has no JVP (as in JAX): jit and vmap only; equal operands and zeros included.
  ...elementwiseSpecs({
    prims: ["nextafter"],
    arity: 2,
    fn: lax.nextafter,
    variants: [{ dtype: "float32", elements: same(2, fc.oneof(f32(-2, 2), fc.constantFrom(0, -0, 1))) }],
  }),
  ...ordered("max", lax.max, Math.max),
  ...ordered("min", lax.min, Math.min),
  ...comparison("eq", lax.eq, ALL_DTYPES),
  ...comparison("ne", lax.ne, ALL_DTYPES),
  ...comparison("lt", lax.lt, ORDERED),
  ...comparison("le", lax.le, ORDERED),
  ...comparison("gt", lax.gt, ORDERED),
  ...comparison("ge", lax.ge, ORDERED),
  ...bitwise("and", lax.bitwiseAnd, INTLIKE, false),
  ...bitwise("or", lax.bitwiseOr, INTLIKE, false),
  ...bitwise("xor", lax.bitwiseXor, INTLIKE, false),
  ...bitwise("shiftLeft", lax.shiftLeft, ["int32", "uint32"], true),
  ...bitwise("shiftRightLogical", lax.shiftRightLogical, ["int32", "uint32"], true),
  ...bitwise("shiftRightArithmetic", lax.shiftRightArithmetic, ["int32", "uint32"], true),
  ...elementwiseSpecs({
    prims: ["complex"],
    arity: 2,
    fn: lax.complex,
    variants: [{ dtype: "float32", elements: same(2, f32(-3, 3)), diff: "smooth", linearIn: [[0, 1]] }],
  }),
  ...clampSpecs(),
  ...clampScalarSpecs(),
  ...selectSpecs(),
  ...convertSpecs(),
  ...bitcastSpecs(),
  ...elementwiseSpecs({
    prims: ["fma"],
    arity: 3,
    fn: (x, y, z) => (fmaP as NonNullable<typeof fmaP>).bind1([x, y, z], {}),
    variants: [{ dtype: "float32", elements: same(3, f32(-3, 3)), diff: "smooth", host: (x, y, z) => x * y + z }],
  }),
];
