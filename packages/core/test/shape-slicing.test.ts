import { test } from "node:test";
import assert from "node:assert/strict";
import {
  np,
  lax,
  grad,
  jit,
  makeJaxpr,
  DTYPES,
  IndexError,
  ShapeError,
  DTypeError,
  type Array,
  type DType,
} from "linax-ts";
import { assertClose, toFlat } from "@linax-ts/testing";
import { dotProductTest, jitMatches, randArray, vmapVsLoop } from "./linear-map-transform-checks.ts";

// An operand per dtype with distinguishable elements: value k for element k (bool: k odd;
// complex: k - k·i), so expectations are lists of element numbers.
const BASE = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
function operand(dtype: DType, shape: number[]): Array {
  const n = shape.reduce((a, b) => a * b, 1);
  const vals = BASE.slice(0, n);
  if (dtype === "complex64") return np.array(new Float32Array(vals.flatMap((v) => [v, -v])), { dtype }).reshape(shape);
  return np
    .array(
      vals.map((v) => (dtype === "bool" ? v % 2 === 1 : v)),
      { dtype },
    )
    .reshape(shape);
}
/** Expected flat storage for element numbers (0 = the padding value 0). */
function expected(dtype: DType, elems: number[]): number[] {
  if (dtype === "complex64") return elems.flatMap((v) => [v, v === 0 ? 0 : -v]);
  if (dtype === "bool") return elems.map((v) => (v % 2 === 1 ? 1 : 0));
  return elems;
}
const check = (a: Array, dtype: DType, shape: number[], elems: number[]) => {
  assert.equal(a.dtype, dtype);
  assert.deepEqual([...a.shape], shape);
  assert.deepEqual(toFlat(a), expected(dtype, elems));
};

for (const dtype of DTYPES) {
  test(`slice / pad / concatenate / rev values (${dtype})`, () => {
    const x = operand(dtype, [3, 4]); // elements 1..12 row-major
    check(lax.slice(x, [1, 1], [3, 3]), dtype, [2, 2], [6, 7, 10, 11]);
    check(lax.slice(x, [0, 0], [3, 4], [2, 3]), dtype, [2, 2], [1, 4, 9, 12]);
    check(lax.slice(x, [1, 0], [1, 4]), dtype, [0, 4], []);
    const zero = lax.convertElementType(np.array(0), dtype);
    // [lo, hi, interior]: one zero row on top, crop the last column, one zero between columns.
    check(
      lax.pad(lax.slice(x, [0, 0], [2, 3]), zero, [
        [1, 0, 0],
        [0, -1, 1],
      ]),
      dtype,
      [3, 4],
      [0, 0, 0, 0, 1, 0, 2, 0, 5, 0, 6, 0],
    );
    check(
      lax.concatenate([lax.slice(x, [0, 0], [1, 4]), lax.slice(x, [2, 0], [3, 4])], 0),
      dtype,
      [2, 4],
      [1, 2, 3, 4, 9, 10, 11, 12],
    );
    check(
      lax.concatenate([lax.slice(x, [0, 0], [3, 1]), lax.slice(x, [0, 3], [3, 4])], 1),
      dtype,
      [3, 2],
      [1, 4, 5, 8, 9, 12],
    );
    check(lax.rev(x, [1]), dtype, [3, 4], [4, 3, 2, 1, 8, 7, 6, 5, 12, 11, 10, 9]);
    check(lax.rev(x, [0, 1]), dtype, [3, 4], [12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
    check(lax.squeeze(lax.expandDims(x, [0, -1]), [0, 3]), dtype, [3, 4], BASE);
  });
}

test("iota for each numeric dtype; bool is rejected", () => {
  assert.deepEqual(lax.iota("int32", [2, 3], 1).tolist(), [
    [0, 1, 2],
    [0, 1, 2],
  ]);
  assert.deepEqual(lax.iota("float32", [2, 2], 0).tolist(), [
    [0, 0],
    [1, 1],
  ]);
  assert.deepEqual(lax.iota("uint32", 3).tolist(), [0, 1, 2]);
  assert.deepEqual(toFlat(lax.iota("complex64", 2)), [0, 0, 1, 0]);
  assert.throws(() => lax.iota("bool", 3), DTypeError);
  assert.throws(() => lax.iota("int32", [2], 1), /dimension 1 is out of range/);
  // Staged under jit with no inputs.
  assert.deepEqual((jit(() => lax.iota("int32", 3))() as Array).tolist(), [0, 1, 2]);
});

test("error cases name the op, the shapes and the bad argument", () => {
  const x = np.zeros([2, 3]);
  assert.throws(
    () => lax.slice(x, [0, 0], [3, 3]),
    (e: Error) => e instanceof IndexError && /slice: axis 0 .*\[2, 3\].*limitIndices \[3,3\]/.test(e.message),
  );
  assert.throws(
    () => lax.slice(x, [0], [1]),
    (e: Error) => e instanceof ShapeError && /startIndices must be a list of 2 integers/.test(e.message),
  );
  assert.throws(() => lax.slice(x, [0, 0], [2, 3], [1, 0]), /strides must be positive/);
  assert.throws(
    () =>
      lax.pad(x, np.array([0, 0]), [
        [0, 0, 0],
        [0, 0, 0],
      ]),
    /paddingValue must be a scalar/,
  );
  assert.throws(
    () =>
      lax.pad(x, np.array(0, { dtype: "int32" }), [
        [0, 0, 0],
        [0, 0, 0],
      ]),
    DTypeError,
  );
  assert.throws(() => lax.pad(x, np.array(0), [[0, 0, 0]]), /one \[lo, hi, interior\] integer triple per axis/);
  assert.throws(
    () =>
      lax.pad(x, np.array(0), [
        [-3, 0, 0],
        [0, 0, 0],
      ]),
    /negative size -1/,
  );
  assert.throws(
    () =>
      lax.pad(x, np.array(0), [
        [0, 0, -1],
        [0, 0, 0],
      ]),
    /interior padding must be >= 0/,
  );
  assert.throws(
    () => lax.concatenate([x, np.zeros([2, 2])], 0),
    (e: Error) => e instanceof ShapeError && /\[2, 3\], \[2, 2\]/.test(e.message),
  );
  assert.throws(() => lax.concatenate([x, np.zeros([2, 3], { dtype: "int32" })], 0), DTypeError);
  assert.throws(() => lax.concatenate([x, x], 2), /dimension 2 is out of range/);
  assert.throws(() => lax.rev(x, [0, 0]), /distinct axes/);
  assert.throws(() => lax.squeeze(x, [0]), /cannot squeeze axis 0 of size 2/);
  assert.throws(() => lax.expandDims(x, [5]), /out of range/);
});

test("dot-product test (jvp vs vjp) for slice, pad, concatenate, rev", () => {
  const x = randArray([4, 5], 3);
  dotProductTest((v) => lax.slice(v, [1, 0], [4, 5], [2, 2]), x);
  dotProductTest(
    (v) =>
      lax.pad(v, np.array(0), [
        [1, -2, 2],
        [-1, 3, 1],
      ]),
    x,
  );
  dotProductTest((v) => lax.concatenate([v, lax.rev(v, [0]), lax.slice(v, [0, 0], [4, 2])], 1), x);
  dotProductTest((v) => lax.rev(v, [0, 1]), x);
  dotProductTest((v) => lax.slice(v, [0, 1], [2, 5], [1, 3]), randArray([2, 5], 4, "complex64"));
});

test("pad transpose gives the padding value the sum of the padded cotangents", () => {
  const x = np.array([1, 2]);
  // f(x, c) = Σ w·pad(x, c): the cotangent of c sums w over every padded position.
  const w = np.array([10, 1, 20, 2, 30]);
  const g = grad((v: Array, c: Array) => lax.reduceSum(lax.mul(lax.pad(v, c, [[1, 1, 1]]), w), [0]), {
    argnums: [0, 1],
  })(x, np.array(0)) as Array[];
  assertClose(g[0], [1, 2]);
  assertClose(g[1], 60);
});

test("vmap of slice / pad / concatenate / rev vs a stacked loop (incl. batched padding value)", () => {
  const xs = randArray([3, 4, 5], 11);
  vmapVsLoop((v) => lax.slice(v, [1, 0], [4, 5], [2, 2]), [xs]);
  vmapVsLoop(
    (v) =>
      lax.pad(v, np.array(-1), [
        [1, 0, 1],
        [0, -2, 0],
      ]),
    [xs],
  );
  vmapVsLoop(
    (v, c) =>
      lax.pad(v, c, [
        [1, 1, 1],
        [0, 0, 0],
      ]),
    [xs, np.array([Infinity, -Infinity, NaN])],
  );
  vmapVsLoop(
    (v, c) =>
      lax.pad(v, c, [
        [1, 1, 0],
        [1, 0, 0],
      ]),
    [lax.slice(xs, [0, 0, 0], [1, 4, 5]).reshape(4, 5), np.array([1, 2, 3])],
    [null, 0],
  );
  vmapVsLoop((v, u) => lax.concatenate([v, u], 1), [xs, randArray([3, 4, 2], 12)]);
  vmapVsLoop((v, u) => lax.concatenate([v, u], 0), [xs, randArray([2, 5], 13)], [1, null]);
  vmapVsLoop((v) => lax.rev(v, [1]), [xs], [2]);
});

test("jit(f) == f and the staged jaxpr names the primitives", () => {
  const x = randArray([3, 4], 5);
  const f = (v: Array) =>
    lax.concatenate(
      [
        lax.rev(lax.slice(v, [0, 1], [3, 4], [2, 1]), [1]),
        lax.pad(v, np.array(0), [
          [-1, 0, 0],
          [0, -1, 0],
        ]),
      ],
      0,
    );
  jitMatches(f, [x]);
  const s = String(makeJaxpr(f)(x));
  for (const name of ["slice", "rev", "pad", "concatenate"]) assert.ok(s.includes(name), s);
});

test("grad through slicing matches finite differences", () => {
  const x = np.array([0.3, -1.2, 2.0, 0.7, 1.1]);
  const f = (v: Array) =>
    lax.reduceSum(lax.mul(lax.slice(v, [1], [5], [2]), lax.sin(lax.rev(lax.slice(v, [0], [4], [2]), [0]))), [0]);
  const g = grad(f)(x) as Array;
  const h = 1e-3;
  const host = (v: number[]) => v[1] * Math.sin(v[2]) + v[3] * Math.sin(v[0]);
  const base = [0.3, -1.2, 2.0, 0.7, 1.1];
  const fd = base.map((_, i) => {
    const p = [...base];
    const m = [...base];
    p[i] += h;
    m[i] -= h;
    return (host(p) - host(m)) / (2 * h);
  });
  assertClose(g, fd, { rtol: 1e-3, atol: 1e-3 });
});
