/**
 * Op specs of the higher-order primitives — jit, scan, cond, while, associativeScan, remat,
 * customJvpCall / customVjpCall (+ customLin, their reverse-mode residue), stopGradient — and of
 * threefry2x32. Bodies are small smooth functions over pytrees of float arrays; scans and loops
 * run 0–5 iterations (length 0 included); predicates and trip counts come from data so that
 * vmap sees batched control flow. while loops are forward-differentiable only and custom_vjp
 * functions reverse-only, exactly as in JAX.
 */
import fc from "fast-check";
import {
  lax,
  jit,
  jvp,
  vjp,
  customJvp,
  customVjp,
  checkpoint,
  stopGradient,
  listPrimitives,
  type Array,
} from "linax-ts";
import { assertClose, fromValues, hostValues, keys, takeAlong } from "@linax-ts/testing";
import { smallShape, spec, values, type AnySpec } from "./types.ts";
import { f32 } from "./elementwise-spec-builders.ts";

const floats = (shape: readonly number[]) => values("float32", shape, f32(-1.5, 1.5));
const int32Scalar = (lo: number, hi: number): fc.Arbitrary<Array> =>
  fc.integer({ min: lo, max: hi }).map((v) => fromValues([v], [], "int32"));

/** A smooth two-argument function of equal-shape arrays (the bodies below). */
const mix = (x: Array, y: Array): Array => lax.add(lax.tanh(lax.mul(x, y)), lax.mul(lax.sin(x), lax.cos(y)));

interface ScanC {
  shape: number[];
  length: number;
  reverse: boolean;
}
const scanConfig: fc.Arbitrary<ScanC> = fc.record({
  shape: smallShape(0, 2, 3),
  length: fc.integer({ min: 0, max: 5 }),
  reverse: fc.boolean(),
});

const softplus = customJvp((x: Array) => lax.log1p(lax.exp(x)));
softplus.defjvp(([x], [t]) => [softplus(x), lax.mul(t, lax.logistic(x))]);

/** x·sin(y) with a hand-written backward pass (the true derivative). */
const xSinY = customVjp((x: Array, y: Array) => lax.mul(x, lax.sin(y)));
xSinY.defvjp(
  (x: Array, y: Array) => [lax.mul(x, lax.sin(y)), [x, y]],
  ([x, y]: Array[], g: Array) => [lax.mul(g, lax.sin(y)), lax.mul(g, lax.mul(x, lax.cos(y)))],
);

const threefry = listPrimitives().find((p) => p.name === "threefry2x32");

const pairConfig = smallShape(0, 3, 3);

export const CONTROL_SPECS: AnySpec[] = [
  spec<number[]>({
    name: "jit/nested",
    prims: ["jit"],
    dtype: "float32",
    config: pairConfig,
    args: (s) => fc.tuple(floats(s), floats(s)),
    // An inner jit (closing over an outer operand) inside the function under test.
    fn: () => (x: Array, y: Array) => lax.add(jit((a: Array) => mix(a, y))(x), x),
    diff: "smooth",
  }),
  spec<ScanC>({
    name: "scan/pytree-carry",
    prims: ["scan"],
    dtype: "float32",
    config: scanConfig,
    args: (c) => fc.tuple(floats(c.shape), floats(c.shape), floats([c.length, ...c.shape]), floats(c.shape)),
    fn: (c) => (h0: Array, g0: Array, xs: Array, w: Array) =>
      lax.scan(
        ([h, g]: [Array, Array], x: Array) => {
          const h2 = lax.tanh(lax.add(lax.mul(h, w), x));
          return [[h2, lax.add(g, lax.mul(h2, h))], lax.sin(lax.mul(h2, x))] as [[Array, Array], Array];
        },
        [h0, g0] as [Array, Array],
        xs,
        { length: c.length, reverse: c.reverse },
      ),
    diff: "smooth",
    runs: 0.7,
  }),
  spec<ScanC>({
    name: "scan/foriLoop-static",
    prims: ["scan"],
    dtype: "float32",
    config: scanConfig,
    args: (c) => fc.tuple(floats(c.shape), floats(c.shape)),
    fn: (c) => (x: Array, w: Array) => lax.foriLoop(0, c.length, (_i: Array, v: Array) => mix(v, w), x),
    diff: "smooth",
  }),
  spec<{ shape: number[]; branches: number }>({
    name: "cond/switch",
    prims: ["cond"],
    dtype: "float32",
    config: fc.record({ shape: pairConfig, branches: fc.integer({ min: 2, max: 3 }) }),
    // Out-of-range indices are clamped (JAX's switch).
    args: (c) => fc.tuple(int32Scalar(-1, c.branches), floats(c.shape), floats(c.shape)),
    fn: (c) => (i: Array, x: Array, y: Array) =>
      lax.switch(
        i,
        [mix, (a: Array, b: Array) => lax.mul(lax.exp(a), b), (a: Array, b: Array) => [lax.sub(a, b), a][0]].slice(
          0,
          c.branches,
        ),
        x,
        y,
      ),
    diff: "smooth",
    diffArgs: () => [1, 2],
  }),
  spec<number[]>({
    name: "cond/data-predicate",
    prims: ["cond"],
    dtype: "float32",
    config: pairConfig,
    args: (s) => fc.tuple(floats(s), floats(s), int32Scalar(0, 1)),
    fn: () => (x: Array, y: Array, p: Array) =>
      lax.cond(
        p,
        (a: Array, b: Array) => [mix(a, b), lax.sin(a)],
        (a: Array, b: Array) => [lax.mul(a, b), b],
        x,
        y,
      ),
    diff: "smooth",
    diffArgs: () => [0, 1],
  }),
  spec<number[]>({
    name: "while/data-trip-count",
    prims: ["while"],
    dtype: "float32",
    config: pairConfig,
    // Trip counts differ across a vmap batch: the batched loop must stop each element on time.
    args: (s) => fc.tuple(floats(s), floats(s), int32Scalar(0, 4)),
    fn: () => (x: Array, w: Array, n: Array) =>
      lax.foriLoop(fromValues([0], [], "int32"), n, (_i: Array, v: Array) => mix(v, w), x),
    diff: "smooth",
    modes: ["fwd"],
    diffArgs: () => [0, 1],
  }),
  spec<ScanC>({
    name: "associativeScan/linear-recurrence",
    prims: ["associativeScan"],
    dtype: "float32",
    config: fc.record({ shape: smallShape(1, 2, 3), length: fc.integer({ min: 1, max: 6 }), reverse: fc.boolean() }),
    args: (c) => fc.tuple(values("float32", [c.length, ...c.shape], f32(-0.9, 0.9)), floats([c.length, ...c.shape])),
    fn: (c) => (a: Array, b: Array) =>
      lax.associativeScan(
        ([a1, b1]: Array[], [a2, b2]: Array[]) => [lax.mul(a2, a1), lax.add(lax.mul(a2, b1), b2)],
        [a, b],
        { reverse: c.reverse },
      ),
    diff: "smooth",
    runs: 0.7,
  }),
  spec<number[]>({
    name: "remat/checkpoint",
    prims: ["remat"],
    dtype: "float32",
    config: pairConfig,
    args: (s) => fc.tuple(floats(s), floats(s)),
    fn: () => (x: Array, y: Array) => lax.mul(checkpoint(mix)(x, y), x),
    diff: "smooth",
  }),
  spec<number[]>({
    name: "customJvp/softplus",
    prims: ["customJvpCall"],
    dtype: "float32",
    config: pairConfig,
    args: (s) => floats(s).map((x) => [x]),
    fn: () => (x: Array) => lax.mul(softplus(x), x),
    diff: "smooth",
  }),
  spec<number[]>({
    name: "customVjp/x-sin-y",
    prims: ["customVjpCall", "customLin"],
    dtype: "float32",
    config: pairConfig,
    args: (s) => fc.tuple(floats(s), floats(s)),
    fn: () => (x: Array, y: Array) => lax.add(xSinY(x, y), y),
    diff: "smooth",
    modes: ["rev"],
  }),
  spec<number[]>({
    // stopGradient is the identity whose derivative is defined to be 0: finite differences do not
    // apply, so `extra` checks the defined derivative of x·sg(sin x), which is sin(x)·v.
    name: "stopGradient",
    prims: ["stopGradient"],
    dtype: "float32",
    config: pairConfig,
    args: (s) => floats(s).map((x) => [x]),
    fn: () => (x: Array) => lax.mul(x, stopGradient(lax.sin(x))),
    extra: (_c, [x]) => {
      const f = (a: Array) => lax.mul(a, stopGradient(lax.sin(a)));
      const xs = hostValues(x);
      const sinX = xs.map((v) => Math.sin(v));
      // Tangent v = x², built on the host; the cotangent is all ones.
      const v = fromValues(
        xs.map((a) => a * a),
        x.shape,
        "float32",
      );
      const [, t] = jvp(f, [x], [v]) as [Array, Array];
      assertClose(
        t,
        hostValues(v).map((vi, i) => vi * sinX[i]),
        { rtol: 1e-5, atol: 1e-6 },
      );
      const [, pb] = vjp(f, x);
      const [g] = pb(
        fromValues(
          xs.map(() => 1),
          x.shape,
          "float32",
        ),
      ) as Array[];
      assertClose(g, sinX, { rtol: 1e-5, atol: 1e-6 });
    },
  }),
  // stopGradient is the identity on every dtype. `stopGradient()` binds only inexact leaves; the
  // primitive itself accepts every dtype, so integer/bool variants bind it directly.
  ...(["complex64", "int32", "uint32", "bool"] as const).map((dtype) =>
    spec<number[]>({
      name: `stopGradient/${dtype}`,
      prims: ["stopGradient"],
      dtype,
      config: pairConfig,
      args: (s) => values(dtype, s).map((x) => [x]),
      fn: () => (x: Array) => (dtype === "complex64" ? stopGradient(x) : lax.stopGradientP.bind1([x], {})),
    }),
  ),
  spec<number[]>({
    // A scalar key (from the testing package's `keys()` arbitrary) broadcast against the counters.
    name: "threefry2x32/scalar-key",
    prims: ["threefry2x32"],
    dtype: "uint32",
    config: smallShape(0, 2, 3),
    args: (s) =>
      fc
        .tuple(keys(), ...[0, 1].map(() => values("uint32", s, fc.integer({ min: 0, max: 0xffffffff }))))
        .map(([key, x0, x1]) => [takeAlong(key, 0, 0), takeAlong(key, 0, 1), x0, x1]),
    fn: () => (k0: Array, k1: Array, x0: Array, x1: Array) =>
      (threefry as NonNullable<typeof threefry>).bind([k0, k1, x0, x1], {}),
  }),
  spec<number[]>({
    name: "threefry2x32/uint32",
    prims: ["threefry2x32"],
    dtype: "uint32",
    config: smallShape(0, 2, 3),
    args: (s) => fc.tuple(...[0, 1, 2, 3].map(() => values("uint32", s, fc.integer({ min: 0, max: 0xffffffff })))),
    fn: () => (k0: Array, k1: Array, x0: Array, x1: Array) =>
      (threefry as NonNullable<typeof threefry>).bind([k0, k1, x0, x1], {}),
  }),
];
