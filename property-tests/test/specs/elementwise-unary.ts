/**
 * Op specs of the unary elementwise primitives, one per supported dtype. Value domains keep
 * clear of singularities and branch cuts (by at least 0.1, far more than the 1e-3 FD step):
 * log/sqrt/rsqrt on x ≥ 0.2 (complex: re ≥ 0.2), asin/acos/atanh/erfInv on |x| ≤ 0.9, acosh on
 * x ≥ 1.1, tan on |x| ≤ 1.3 (poles at ±π/2), atan/asinh complex with |im| ≤ 0.8 (cuts at |im| > 1),
 * piecewise-constant ops (floor/ceil/round/sign) and kinks (abs, cbrt's infinite slope) at least
 * 0.05 away from their jumps, so central differences never straddle one.
 */
import { lax, type DType } from "linax-ts";
import {
  elementwiseSpecs,
  f32,
  f32abs,
  fullInt,
  smallInt,
  tuple,
  type EwVariant,
  type ElementGen,
} from "./elementwise-spec-builders.ts";
import { digamma, erf, erfInv, lgamma, roundAway } from "./host-math.ts";
import type { AnySpec } from "./types.ts";
import fc from "fast-check";

const real = (lo: number, hi: number): ElementGen => tuple(f32(lo, hi));
const cplx = (reLo: number, reHi: number, imLo: number, imHi: number): ElementGen =>
  tuple(f32(reLo, reHi), f32(imLo, imHi));

interface FloatUnary {
  prim: string;
  fn: (x: import("linax-ts").Array) => import("linax-ts").Array;
  host: (x: number) => number;
  real: ElementGen;
  /** Complex domain; omitted for real-only ops. */
  complex?: ElementGen;
}

/** Smooth float ops: order-2 checks, float64 host reference for the real variant. */
const SMOOTH: FloatUnary[] = [
  { prim: "exp", fn: lax.exp, host: Math.exp, real: real(-3, 3), complex: cplx(-1.5, 1.5, -3, 3) },
  { prim: "log", fn: lax.log, host: Math.log, real: real(0.2, 3), complex: cplx(0.2, 2, -2, 2) },
  { prim: "sin", fn: lax.sin, host: Math.sin, real: real(-3, 3), complex: cplx(-2, 2, -1, 1) },
  { prim: "cos", fn: lax.cos, host: Math.cos, real: real(-3, 3), complex: cplx(-2, 2, -1, 1) },
  { prim: "tanh", fn: lax.tanh, host: Math.tanh, real: real(-3, 3), complex: cplx(-2, 2, -1, 1) },
  { prim: "exp2", fn: lax.exp2, host: (x) => 2 ** x, real: real(-3, 3), complex: cplx(-1.5, 1.5, -3, 3) },
  { prim: "log1p", fn: lax.log1p, host: Math.log1p, real: real(-0.8, 3), complex: cplx(-0.5, 2, -1, 1) },
  { prim: "expm1", fn: lax.expm1, host: Math.expm1, real: real(-3, 3), complex: cplx(-1.5, 1.5, -2, 2) },
  { prim: "tan", fn: lax.tan, host: Math.tan, real: real(-1.3, 1.3), complex: cplx(-1.2, 1.2, -1, 1) },
  { prim: "asin", fn: lax.asin, host: Math.asin, real: real(-0.9, 0.9), complex: cplx(-0.8, 0.8, -1, 1) },
  { prim: "acos", fn: lax.acos, host: Math.acos, real: real(-0.9, 0.9), complex: cplx(-0.8, 0.8, -1, 1) },
  { prim: "atan", fn: lax.atan, host: Math.atan, real: real(-3, 3), complex: cplx(-2, 2, -0.8, 0.8) },
  { prim: "sinh", fn: lax.sinh, host: Math.sinh, real: real(-3, 3), complex: cplx(-2, 2, -2, 2) },
  { prim: "cosh", fn: lax.cosh, host: Math.cosh, real: real(-3, 3), complex: cplx(-2, 2, -2, 2) },
  { prim: "asinh", fn: lax.asinh, host: Math.asinh, real: real(-3, 3), complex: cplx(-2, 2, -0.8, 0.8) },
  { prim: "acosh", fn: lax.acosh, host: Math.acosh, real: real(1.1, 3), complex: cplx(1.2, 3, -1, 1) },
  { prim: "atanh", fn: lax.atanh, host: Math.atanh, real: real(-0.9, 0.9), complex: cplx(-0.8, 0.8, -1, 1) },
  { prim: "sqrt", fn: lax.sqrt, host: Math.sqrt, real: real(0.2, 3), complex: cplx(0.2, 2, -2, 2) },
  { prim: "rsqrt", fn: lax.rsqrt, host: (x) => 1 / Math.sqrt(x), real: real(0.2, 3), complex: cplx(0.2, 2, -2, 2) },
  {
    prim: "logistic",
    fn: lax.logistic,
    host: (x) => 1 / (1 + Math.exp(-x)),
    real: real(-3, 3),
    complex: cplx(-2, 2, -1.5, 1.5),
  },
  { prim: "cbrt", fn: lax.cbrt, host: Math.cbrt, real: tuple(f32abs(0.2, 3)) },
  { prim: "erf", fn: lax.erf, host: erf, real: real(-3, 3) },
  { prim: "erfc", fn: lax.erfc, host: (x) => 1 - erf(x), real: real(-3, 3) },
  { prim: "erfInv", fn: lax.erfInv, host: erfInv, real: real(-0.9, 0.9) },
  { prim: "lgamma", fn: lax.lgamma, host: lgamma, real: real(0.5, 4) },
  { prim: "digamma", fn: lax.digamma, host: digamma, real: real(0.5, 4) },
];

/**
 * Ops also checked on the half storage dtypes (computed in float32 and rounded, core's
 * half-compute.ts): jit == eager and vmap == loop on float16/bfloat16 arrays. No derivative
 * checks: central differences at half precision would only measure the rounding.
 */
const HALF_CHECKED = new Set(["exp", "tanh", "sqrt", "logistic", "sin"]);

function floatUnary(u: FloatUnary): AnySpec[] {
  const variants: EwVariant[] = [{ dtype: "float32", elements: u.real, diff: "smooth", host: u.host }];
  if (u.complex !== undefined) variants.push({ dtype: "complex64", elements: u.complex, diff: "smooth" });
  if (HALF_CHECKED.has(u.prim))
    variants.push({ dtype: "float16", elements: u.real }, { dtype: "bfloat16", elements: u.real });
  return elementwiseSpecs({ prims: [u.prim], arity: 1, fn: u.fn, variants });
}

/** Values away from the jumps of a piecewise-constant function (distance ≥ 0.05 from `grid`). */
const awayFromGrid = (grid: (x: number) => number): ElementGen =>
  tuple(f32(-3, 3).filter((v) => Math.abs(v - grid(v)) >= 0.05));

const NUMERIC: readonly DType[] = ["float32", "complex64", "int32", "uint32"];

function numericVariants(
  floatEl: ElementGen,
  complexEl: ElementGen,
  diff: boolean,
  host?: (x: number) => number,
  linear = false,
): EwVariant[] {
  return NUMERIC.map((dtype) => {
    if (dtype === "float32")
      return {
        dtype,
        elements: floatEl,
        diff: diff ? "smooth" : undefined,
        host,
        linearIn: linear ? [[0]] : undefined,
      };
    if (dtype === "complex64")
      return { dtype, elements: complexEl, diff: diff ? "smooth" : undefined, linearIn: linear ? [[0]] : undefined };
    return { dtype, elements: tuple(smallInt(dtype)) };
  });
}

export const UNARY_SPECS: AnySpec[] = [
  ...SMOOTH.flatMap(floatUnary),
  ...elementwiseSpecs({
    prims: ["polygamma"],
    name: "polygamma(1)",
    arity: 1,
    fn: (x) => lax.polygamma(1, x),
    variants: [{ dtype: "float32", elements: real(0.5, 4), diff: "smooth" }],
  }),
  ...elementwiseSpecs({
    prims: ["polygamma"],
    name: "polygamma(2)",
    arity: 1,
    fn: (x) => lax.polygamma(2, x),
    variants: [{ dtype: "float32", elements: real(0.5, 4), diff: "first" }],
  }),
  ...elementwiseSpecs({
    prims: ["neg"],
    arity: 1,
    fn: lax.neg,
    variants: numericVariants(real(-3, 3), cplx(-3, 3, -3, 3), true, (x) => -x, true),
  }),
  // Full-range integers: negation wraps (int32 min stays min; uint32 is modular).
  ...elementwiseSpecs({
    prims: ["neg"],
    name: "neg-wrap",
    arity: 1,
    fn: lax.neg,
    variants: (["int32", "uint32"] as const).map((dtype) => ({ dtype, elements: tuple(fullInt(dtype)) })),
  }),
  ...[-2, -1, 0, 2, 3].flatMap((y) =>
    elementwiseSpecs({
      prims: ["integerPow"],
      name: `integerPow(${y})`,
      arity: 1,
      fn: (x) => lax.integerPow(x, y),
      variants: NUMERIC.filter((d) => y >= 0 || d === "float32" || d === "complex64").map((dtype): EwVariant => {
        if (dtype === "float32")
          return { dtype, elements: y < 0 ? tuple(f32abs(0.3, 2)) : real(-2, 2), diff: "smooth", host: (x) => x ** y };
        if (dtype === "complex64")
          return { dtype, elements: y < 0 ? cplx(0.3, 1.5, -1.5, 1.5) : cplx(-1.5, 1.5, -1.5, 1.5), diff: "smooth" };
        return { dtype, elements: tuple(smallInt(dtype, -5, 5)) };
      }),
    }),
  ),
  // abs: kink at 0 (complex: at the origin) — stay 0.1 away.
  ...elementwiseSpecs({
    prims: ["abs"],
    arity: 1,
    fn: lax.abs,
    variants: [
      { dtype: "float32", elements: tuple(f32abs(0.1, 3)), diff: "smooth", host: Math.abs },
      { dtype: "complex64", elements: cplx(0.1, 2, -2, 2), diff: "smooth" },
      { dtype: "int32", elements: tuple(fullInt("int32")) },
    ],
  }),
  // sign: JAX defines its JVP as zero for every dtype. For complex x that is a convention, not
  // the derivative of x/|x| (finite differences would disagree), so complex sign gets jit/vmap only.
  ...elementwiseSpecs({
    prims: ["sign"],
    arity: 1,
    fn: lax.sign,
    variants: [
      { dtype: "float32", elements: tuple(f32abs(0.05, 3)), diff: "first", host: Math.sign },
      { dtype: "complex64", elements: cplx(-2, 2, -2, 2) },
      { dtype: "int32", elements: tuple(smallInt("int32")) },
      { dtype: "uint32", elements: tuple(smallInt("uint32")) },
    ],
  }),
  ...elementwiseSpecs({
    prims: ["floor"],
    arity: 1,
    fn: lax.floor,
    variants: [{ dtype: "float32", elements: awayFromGrid(Math.round), diff: "first", host: Math.floor }],
  }),
  ...elementwiseSpecs({
    prims: ["ceil"],
    arity: 1,
    fn: lax.ceil,
    variants: [{ dtype: "float32", elements: awayFromGrid(Math.round), diff: "first", host: Math.ceil }],
  }),
  ...elementwiseSpecs({
    prims: ["round"],
    name: "round(awayFromZero)",
    arity: 1,
    fn: (x) => lax.round(x),
    variants: [
      { dtype: "float32", elements: awayFromGrid((v) => Math.floor(v) + 0.5), diff: "first", host: roundAway },
    ],
  }),
  // Halves included on purpose: the two rounding methods differ exactly there (no gradients).
  ...elementwiseSpecs({
    prims: ["round"],
    name: "round(toNearestEven)",
    arity: 1,
    fn: (x) => lax.round(x, "toNearestEven"),
    variants: [
      {
        dtype: "float32",
        elements: tuple(
          fc.oneof(
            f32(-3, 3),
            fc.integer({ min: -6, max: 6 }).map((k) => k / 2),
          ),
        ),
      },
    ],
  }),
  ...elementwiseSpecs({
    prims: ["isFinite"],
    arity: 1,
    fn: lax.isFinite,
    variants: [{ dtype: "float32", elements: tuple(fc.oneof(f32(-3, 3), fc.constantFrom(Infinity, -Infinity, NaN))) }],
  }),
  ...elementwiseSpecs({
    prims: ["real"],
    arity: 1,
    fn: lax.real,
    variants: [{ dtype: "complex64", elements: cplx(-3, 3, -3, 3), diff: "smooth", linearIn: [[0]] }],
  }),
  ...elementwiseSpecs({
    prims: ["imag"],
    arity: 1,
    fn: lax.imag,
    variants: [{ dtype: "complex64", elements: cplx(-3, 3, -3, 3), diff: "smooth", linearIn: [[0]] }],
  }),
  ...elementwiseSpecs({
    prims: ["conj"],
    arity: 1,
    fn: lax.conj,
    variants: [{ dtype: "complex64", elements: cplx(-3, 3, -3, 3), diff: "smooth", linearIn: [[0]] }],
  }),
  ...elementwiseSpecs({
    prims: ["not"],
    arity: 1,
    fn: lax.bitwiseNot,
    variants: (["int32", "uint32", "bool"] as const).map((dtype) => ({ dtype, elements: tuple(fullInt(dtype)) })),
  }),
  ...elementwiseSpecs({
    prims: ["populationCount"],
    arity: 1,
    fn: lax.populationCount,
    variants: (["int32", "uint32"] as const).map((dtype) => ({ dtype, elements: tuple(fullInt(dtype)) })),
  }),
  ...elementwiseSpecs({
    prims: ["clz"],
    arity: 1,
    fn: lax.clz,
    variants: (["int32", "uint32"] as const).map((dtype) => ({
      dtype,
      elements: tuple(fc.oneof(fullInt(dtype), smallInt(dtype, 0, 3))),
    })),
  }),
];
