import { test } from "node:test";
import assert from "node:assert/strict";
import { np, lax, grad, jit, vmap, DTYPES, DTypeError, IndexError, ShapeError, type Array, type DType } from "linax-ts";
import { assertClose, toFlat } from "@linax-ts/testing";
import { dotProductTest, jitMatches, randArray, vmapVsLoop } from "./linear-map-transform-checks.ts";

const i32 = (v: number): Array => np.array(v, { dtype: "int32" });

function operand(dtype: DType, n: number, offset = 1): Array {
  const vals = globalThis.Array.from({ length: n }, (_, i) => i + offset);
  if (dtype === "complex64") return np.array(new Float32Array(vals.flatMap((v) => [v, 2 * v])), { dtype });
  return np.array(
    vals.map((v) => (dtype === "bool" ? v % 2 === 1 : v)),
    { dtype },
  );
}
function expected(dtype: DType, elems: number[]): number[] {
  if (dtype === "complex64") return elems.flatMap((v) => [v, 2 * v]);
  if (dtype === "bool") return elems.map((v) => (v % 2 === 1 ? 1 : 0));
  return elems;
}

for (const dtype of DTYPES) {
  test(`dynamicSlice / dynamicUpdateSlice values with XLA clamping (${dtype})`, () => {
    const x = operand(dtype, 12).reshape(3, 4); // elements 1..12
    assert.deepEqual(toFlat(lax.dynamicSlice(x, [1, 2], [2, 2])), expected(dtype, [7, 8, 11, 12]));
    // Starts are clamped into [0, dim - size]: (5, -3) → (1, 0).
    assert.deepEqual(toFlat(lax.dynamicSlice(x, [i32(5), i32(-3)], [2, 2])), expected(dtype, [5, 6, 9, 10]));
    const u = operand(dtype, 2, 21).reshape(1, 2); // elements 21, 22
    assert.deepEqual(
      toFlat(lax.dynamicUpdateSlice(x, u, [1, 1])),
      expected(dtype, [1, 2, 3, 4, 5, 21, 22, 8, 9, 10, 11, 12]),
    );
    assert.deepEqual(
      toFlat(lax.dynamicUpdateSlice(x, u, [i32(9), i32(9)])),
      expected(dtype, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 21, 22]),
    );
    assert.deepEqual(toFlat(lax.dynamicIndexInDim(x, 2, 1, false)), expected(dtype, [3, 7, 11]));
  });
}

test("dynamicSlice / dynamicUpdateSlice errors", () => {
  const x = np.zeros([3, 4]);
  assert.throws(
    () => lax.dynamicSlice(x, [0], [1, 1]),
    (e: Error) => e instanceof ShapeError && /one start index per axis.*\[3, 4\]; got 1/.test(e.message),
  );
  assert.throws(
    () => lax.dynamicSlice(x, [0, 0], [4, 1]),
    (e: Error) => e instanceof IndexError && /slice size 4 must be in \[0, 3\]/.test(e.message),
  );
  assert.throws(() => lax.dynamicSlice(x, [np.array(0), 0], [1, 1]), DTypeError);
  assert.throws(
    () => lax.dynamicSlice(x, [np.array([0], { dtype: "int32" }), 0], [1, 1]),
    /start index 0 must be a scalar/,
  );
  assert.throws(
    () => lax.dynamicUpdateSlice(x, np.zeros([4, 1]), [0, 0]),
    /must have the operand's rank and fit inside/,
  );
  assert.throws(() => lax.dynamicUpdateSlice(x, np.zeros([1, 1], { dtype: "int32" }), [0, 0]), DTypeError);
});

test("dot-product test for dynamicSlice and dynamicUpdateSlice (both operands)", () => {
  const x = randArray([4, 5], 1);
  dotProductTest((v) => lax.dynamicSlice(v, [i32(2), i32(-1)], [2, 3]), x);
  const u = randArray([2, 2], 2);
  dotProductTest((v) => lax.dynamicUpdateSlice(v, u, [i32(3), i32(1)]), x);
  dotProductTest((w) => lax.dynamicUpdateSlice(x, w, [i32(1), i32(4)]), u);
});

test("grad of dynamicUpdateSlice splits the cotangent between operand and update", () => {
  const x = np.array([1, 2, 3, 4]);
  const w = np.array([1, 10, 100, 1000]);
  const [gx, gu] = grad(
    (a: Array, b: Array) => lax.reduceSum(lax.mul(lax.dynamicUpdateSlice(a, b, [i32(1)]), w), [0]),
    { argnums: [0, 1] },
  )(x, np.array([7, 8])) as Array[];
  assertClose(gx, [1, 0, 0, 1000]);
  assertClose(gu, [10, 100]);
});

test("vmap of dynamicSlice / dynamicUpdateSlice: batched operand, batched indices, both", () => {
  const xs = randArray([3, 4, 5], 3);
  const starts = np.array([0, 2, 7], { dtype: "int32" }); // 7 is clamped
  const x0 = randArray([4, 5], 4);
  vmapVsLoop((v) => lax.dynamicSlice(v, [i32(1), i32(2)], [2, 3]), [xs]);
  vmapVsLoop((v) => lax.dynamicSlice(v, [i32(1), i32(2)], [2, 3]), [xs], [2]);
  vmapVsLoop((i) => lax.dynamicSlice(x0, [i, i32(1)], [2, 3]), [starts]);
  vmapVsLoop((v, i) => lax.dynamicSlice(v, [i32(1), i], [3, 2]), [xs, starts]);
  const us = randArray([3, 2, 2], 5);
  vmapVsLoop((v, u) => lax.dynamicUpdateSlice(v, u, [i32(1), i32(3)]), [xs, us]);
  vmapVsLoop((u, i) => lax.dynamicUpdateSlice(x0, u, [i, i32(1)]), [us, starts]);
  vmapVsLoop((v, i) => lax.dynamicUpdateSlice(v, lax.slice(x0, [0, 0], [2, 2]), [i, i]), [xs, starts]);
  // Batched start indices inside grad: the gather / scatter batching path must differentiate.
  const g = vmap(
    grad((v: Array, i: Array) => lax.reduceSum(lax.sin(lax.dynamicSlice(v, [i], [2])), [0])) as (
      v: Array,
      i: Array,
    ) => Array,
  )(
    np.array([
      [0.1, 0.2, 0.3],
      [0.4, 0.5, 0.6],
    ]),
    np.array([1, 0], { dtype: "int32" }),
  );
  assertClose(g, [0, Math.cos(0.2), Math.cos(0.3), Math.cos(0.4), Math.cos(0.5), 0], { rtol: 1e-5, shape: [2, 3] });
});

test("jit(f) == f for dynamic slicing with traced starts", () => {
  const x = randArray([4, 5], 9);
  jitMatches((v, i) => lax.dynamicUpdateSlice(v, lax.dynamicSlice(v, [i, i], [2, 2]), [i32(0), i]), [x, i32(3)]);
  const f = jit((v: Array, i: Array) => lax.dynamicSlice(v, [i, i32(0)], [1, 5])) as (v: Array, i: Array) => Array;
  assertClose(f(x, i32(2)), lax.slice(x, [2, 0], [3, 5]));
  assertClose(f(x, i32(3)), lax.slice(x, [3, 0], [4, 5]));
});
