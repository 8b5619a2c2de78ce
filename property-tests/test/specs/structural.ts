/**
 * Op specs of the structural primitives — broadcastInDim, reshape, transpose, reduceSum, slice,
 * pad, concatenate, rev, iota, dynamicSlice, dynamicUpdateSlice — in every dtype they support.
 * All of them are linear in their array operands (dynamic ones: not in the start indices), so
 * inexact variants get the dot-product test besides the generic properties. Zero-size slices and
 * negative (cropping) padding are in the domain on purpose.
 */
import fc from "fast-check";
import { lax, type Array, type DType } from "linax-ts";
import { fromValues } from "@linax-ts/testing";
import {
  ALL_DTYPES,
  isInexactDType,
  permutationOf,
  smallShape,
  spec,
  subsetOf,
  values,
  type AnySpec,
} from "./types.ts";

const NUMERIC: readonly DType[] = ["float32", "complex64", "int32", "uint32"];

/** Differentiation facts shared by the linear structural ops: inexact variants are linear and differentiable. */
function linearFacts<C>(
  dtype: DType,
  groups: (c: C) => number[][],
): { diff?: "smooth"; linearIn?: (c: C) => number[][] } {
  return isInexactDType(dtype) ? { diff: "smooth", linearIn: groups } : {};
}

interface BroadcastC {
  shape: number[];
  out: number[];
  dims: number[];
}
const broadcastConfig: fc.Arbitrary<BroadcastC> = smallShape(0, 2, 3).chain((shape) =>
  fc.integer({ min: 0, max: 2 }).chain((extra) => {
    const rank = shape.length + extra;
    return fc
      .tuple(
        subsetOf(rank).filter((s) => s.length === shape.length),
        fc.array(fc.integer({ min: 1, max: 3 }), { minLength: rank, maxLength: rank }),
      )
      .map(([dims, sides]) => {
        // Operand axes of size 1 may broadcast to any size; others keep theirs.
        const out = sides.map((side, k) => {
          const i = dims.indexOf(k);
          return i < 0 || shape[i] === 1 ? side : shape[i];
        });
        return { shape, out, dims };
      });
  }),
);

function primeFactors(n: number): number[] {
  const out: number[] = [];
  for (let p = 2; n > 1; p++) {
    while (n % p === 0) {
      out.push(p);
      n /= p;
    }
  }
  return out;
}
const reshapeConfig: fc.Arbitrary<{ shape: number[]; out: number[] }> = smallShape(0, 3, 3).chain((shape) => {
  // An empty array reshapes to any shape with a zero side.
  if (shape.includes(0)) return fc.constantFrom([0], [...shape].reverse(), [1, 0, 2]).map((out) => ({ shape, out }));
  const fs = primeFactors(shape.reduce((a, b) => a * b, 1));
  return fc
    .tuple(
      permutationOf(fs.length),
      fc.array(fc.boolean(), { minLength: fs.length, maxLength: fs.length }),
      fc.integer({ min: 0, max: 2 }),
    )
    .map(([perm, cuts, ones]) => {
      const out: number[] = [];
      perm.forEach((p, i) => (i === 0 || cuts[i] ? out.push(fs[p]) : (out[out.length - 1] *= fs[p])));
      for (let k = 0; k < ones; k++) out.splice(k % (out.length + 1), 0, 1);
      return { shape, out };
    });
});

const sliceConfig = smallShape(1, 3, 4).chain((shape) =>
  fc
    .tuple(
      ...shape.map((d) =>
        fc.tuple(fc.integer({ min: 0, max: d }), fc.integer({ min: 0, max: d }), fc.integer({ min: 1, max: 3 })),
      ),
    )
    .map((per) => ({
      shape,
      start: per.map(([a, b]) => Math.min(a, b)),
      limit: per.map(([a, b]) => Math.max(a, b)),
      strides: per.map(([, , s]) => s),
    })),
);

const padConfig = smallShape(0, 3, 3).chain((shape) =>
  fc
    .tuple(
      ...shape.map((d) =>
        fc
          .tuple(fc.integer({ min: -1, max: 2 }), fc.integer({ min: -1, max: 2 }), fc.integer({ min: 0, max: 2 }))
          .filter(([lo, hi, int]) => lo + hi + d + Math.max(0, d - 1) * int >= 0),
      ),
    )
    .map((cfg) => ({ shape, cfg: cfg as [number, number, number][] })),
);

const concatConfig = smallShape(1, 3, 3).chain((shape) =>
  fc
    .tuple(
      fc.integer({ min: 0, max: shape.length - 1 }),
      fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 3 }),
    )
    .map(([dim, sizes]) => ({ shapes: sizes.map((n) => shape.map((d, i) => (i === dim ? n : d))), dim })),
);

/** Dynamic starts as int32 scalars, including out-of-range ones (clamped by the op). */
const starts = (n: number): fc.Arbitrary<Array[]> =>
  fc
    .array(fc.integer({ min: -2, max: 5 }), { minLength: n, maxLength: n })
    .map((v) => v.map((s) => fromValues([s], [], "int32")));

function structural(dtype: DType): AnySpec[] {
  const v = (shape: readonly number[]) => values(dtype, shape);
  return [
    spec<BroadcastC>({
      name: `broadcastInDim/${dtype}`,
      prims: ["broadcastInDim"],
      dtype,
      config: broadcastConfig,
      args: (c) => v(c.shape).map((x) => [x]),
      fn: (c) => (x: Array) => lax.broadcastInDim(x, c.out, c.dims),
      ...linearFacts<BroadcastC>(dtype, () => [[0]]),
    }),
    spec<{ shape: number[]; out: number[] }>({
      name: `reshape/${dtype}`,
      prims: ["reshape"],
      dtype,
      config: reshapeConfig,
      args: (c) => v(c.shape).map((x) => [x]),
      fn: (c) => (x: Array) => lax.reshape(x, c.out),
      ...linearFacts(dtype, () => [[0]]),
    }),
    spec<{ shape: number[]; perm: number[] }>({
      name: `transpose/${dtype}`,
      prims: ["transpose"],
      dtype,
      config: smallShape(0, 3, 3).chain((shape) => permutationOf(shape.length).map((perm) => ({ shape, perm }))),
      args: (c) => v(c.shape).map((x) => [x]),
      fn: (c) => (x: Array) => lax.transpose(x, c.perm),
      ...linearFacts(dtype, () => [[0]]),
    }),
    spec<{ shape: number[]; start: number[]; limit: number[]; strides: number[] }>({
      name: `slice/${dtype}`,
      prims: ["slice"],
      dtype,
      config: sliceConfig,
      args: (c) => v(c.shape).map((x) => [x]),
      fn: (c) => (x: Array) => lax.slice(x, c.start, c.limit, c.strides),
      ...linearFacts(dtype, () => [[0]]),
    }),
    spec<{ shape: number[]; cfg: [number, number, number][] }>({
      name: `pad/${dtype}`,
      prims: ["pad"],
      dtype,
      config: padConfig,
      args: (c) => fc.tuple(v(c.shape), v([])),
      fn: (c) => (x: Array, pv: Array) => lax.pad(x, pv, c.cfg),
      ...linearFacts(dtype, () => [[0, 1]]),
    }),
    spec<{ shapes: number[][]; dim: number }>({
      name: `concatenate/${dtype}`,
      prims: ["concatenate"],
      dtype,
      config: concatConfig,
      args: (c) => fc.tuple(...c.shapes.map((s) => v(s))),
      fn:
        (c) =>
        (...xs: Array[]) =>
          lax.concatenate(xs, c.dim),
      ...linearFacts<{ shapes: number[][]; dim: number }>(dtype, (c) => [c.shapes.map((_, i) => i)]),
    }),
    spec<{ shape: number[]; dims: number[] }>({
      name: `rev/${dtype}`,
      prims: ["rev"],
      dtype,
      config: smallShape(0, 3, 3).chain((shape) => subsetOf(shape.length).map((dims) => ({ shape, dims }))),
      args: (c) => v(c.shape).map((x) => [x]),
      fn: (c) => (x: Array) => lax.rev(x, c.dims),
      ...linearFacts(dtype, () => [[0]]),
    }),
    spec<{ shape: number[]; sizes: number[] }>({
      name: `dynamicSlice/${dtype}`,
      prims: ["dynamicSlice"],
      dtype,
      config: smallShape(1, 3, 4).chain((shape) =>
        fc.tuple(...shape.map((d) => fc.integer({ min: 0, max: d }))).map((sizes) => ({ shape, sizes })),
      ),
      args: (c) => fc.tuple(v(c.shape), starts(c.shape.length)).map(([x, s]) => [x, ...s]),
      fn:
        (c) =>
        (x: Array, ...s: Array[]) =>
          lax.dynamicSlice(x, s, c.sizes),
      ...linearFacts(dtype, () => [[0]]),
      diffArgs: () => [0],
    }),
    spec<{ shape: number[]; upd: number[] }>({
      name: `dynamicUpdateSlice/${dtype}`,
      prims: ["dynamicUpdateSlice"],
      dtype,
      config: smallShape(1, 3, 4).chain((shape) =>
        fc.tuple(...shape.map((d) => fc.integer({ min: 0, max: d }))).map((upd) => ({ shape, upd })),
      ),
      args: (c) => fc.tuple(v(c.shape), v(c.upd), starts(c.shape.length)).map(([x, u, s]) => [x, u, ...s]),
      fn:
        () =>
        (x: Array, u: Array, ...s: Array[]) =>
          lax.dynamicUpdateSlice(x, u, s),
      ...linearFacts(dtype, () => [[0, 1]]),
      diffArgs: () => [0, 1],
    }),
  ];
}

function reduceSumSpec(dtype: DType): AnySpec {
  return spec<{ shape: number[]; axes: number[] }>({
    name: `reduceSum/${dtype}`,
    prims: ["reduceSum"],
    dtype,
    config: smallShape(0, 3, 3).chain((shape) => subsetOf(shape.length).map((axes) => ({ shape, axes }))),
    args: (c) => values(dtype, c.shape).map((x) => [x]),
    fn: (c) => (x: Array) => lax.reduceSum(x, c.axes),
    ...linearFacts(dtype, () => [[0]]),
  });
}

/** iota has no operands: it is exercised inside functions of an operand (added to it), under every transform. */
function iotaSpec(dtype: DType): AnySpec {
  return spec<{ shape: number[]; dim: number }>({
    name: `iota/${dtype}`,
    prims: ["iota"],
    dtype,
    config: smallShape(1, 3, 3).chain((shape) =>
      fc.integer({ min: 0, max: shape.length - 1 }).map((dim) => ({ shape, dim })),
    ),
    args: (c) => values(dtype, c.shape).map((x) => [x]),
    fn: (c) => (x: Array) => lax.mul(x, lax.iota(dtype, c.shape, c.dim)),
    ...linearFacts(dtype, () => [[0]]),
  });
}

export const STRUCTURAL_SPECS: AnySpec[] = [
  ...ALL_DTYPES.flatMap(structural),
  ...NUMERIC.map(reduceSumSpec),
  ...NUMERIC.map(iotaSpec),
];
