// np searching (searchsorted, nonzero, flatnonzero, argwhere) and set routines (unique, isin,
// intersect1d, union1d, setdiff1d): numpy references (testdata/numpy/) and hand derivations,
// JAX's static `size`/`fillValue` under jit and vmap, and the concretization error without it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { np, jit, vmap, ConcretizationError, ShapeError, ValueError, type Array } from "linax-ts";
import { assertEqualArray, checkJit, checkVmap } from "@linax-ts/testing";
import { checkCase, inputs } from "./numpy-reference-cases.ts";

const i32 = (v: number[]) => np.array(v, { dtype: "int32" });

test("searchsorted against numpy (both sides, NaN, sorter) and by hand", () => {
  const { a, v } = inputs("searchsorted_left");
  checkCase("searchsorted_left", np.searchsorted(a, v));
  checkCase("searchsorted_right", np.searchsorted(a, v, { side: "right" }));
  const s = inputs("searchsorted_sorter");
  checkCase("searchsorted_sorter", np.searchsorted(s.a, s.v, { sorter: s.sorter }));
  // [1, 2, 2, 3]: 2 goes before the first 2 (left, 1) or after the last (right, 3).
  assertEqualArray(np.searchsorted(np.array([1, 2, 2, 3]), 2), [1], "int32");
  assertEqualArray(np.searchsorted(np.array([1, 2, 2, 3]), 2, { side: "right" }), [3], "int32");
  // NaN sorts last: after every number, before nothing.
  assertEqualArray(np.searchsorted(np.array([1, NaN]), np.array([NaN, 5])), [1, 1], "int32");
  assertEqualArray(np.searchsorted(np.array([1, NaN]), np.array([NaN, 5]), { side: "right" }), [2, 1], "int32");
  assertEqualArray(np.searchsorted(i32([1, 5, 9]), i32([0, 5, 10])), [0, 1, 3], "int32");
  assertEqualArray(np.searchsorted(np.zeros([0]), np.array([1, 2])), [0, 0], "int32");
  // Every length up to 17 (the unrolled binary search has ⌈log2(n+1)⌉ steps) against a linear scan.
  for (let n = 1; n <= 17; n++) {
    const arr = globalThis.Array.from({ length: n }, (_, i) => Math.floor(i / 2));
    const qs = globalThis.Array.from({ length: 2 * n + 3 }, (_, i) => i / 4 - 0.5);
    const left = qs.map((q) => arr.filter((x) => x < q).length);
    const right = qs.map((q) => arr.filter((x) => x <= q).length);
    assertEqualArray(np.searchsorted(np.array(arr), np.array(qs)), left, "int32");
    assertEqualArray(np.searchsorted(np.array(arr), np.array(qs), { side: "right" }), right, "int32");
  }
  checkJit((x: Array, y: Array) => np.searchsorted(x, y), [a, v]);
  checkVmap((y: Array) => np.searchsorted(a, y, { side: "right" }), [np.reshape(v, [2, 4])]);
  checkVmap((x: Array) => np.searchsorted(x, np.array([0.5, 2.5])), [np.stack([a, np.add(a, 1)])]);
  assert.throws(
    () => np.searchsorted(np.zeros([2, 2]), 1),
    (e: Error) => e instanceof ShapeError && /a must be 1-d; got shape \[2, 2\]/.test(e.message),
  );
  assert.throws(() => np.searchsorted(np.zeros([2]), 1, { side: "middle" as "left" }), ValueError);
  assert.throws(() => np.searchsorted(np.zeros([2]), 1, { sorter: i32([0]) }), /sorter must be 1-d of the same length/);
});

test("nonzero, flatnonzero, argwhere against numpy; size and fillValue; jit without size raises", () => {
  const { x } = inputs("nonzero");
  checkCase("nonzero", np.nonzero(x));
  checkCase("argwhere", np.argwhere(x));
  checkCase("flatnonzero", np.flatnonzero(x));
  const m = np.array([
    [0, 3],
    [4, 0],
  ]);
  // True at (0, 1) and (1, 0); size 3 pads with 0, or with fillValue.
  const [r, c] = np.nonzero(m, { size: 3 });
  assertEqualArray(r, [0, 1, 0], "int32");
  assertEqualArray(c, [1, 0, 0], "int32");
  const [r2, c2] = jit((v: Array) => np.nonzero(v, { size: 3, fillValue: [-1, -2] }))(m);
  assertEqualArray(r2, [0, 1, -1], "int32");
  assertEqualArray(c2, [1, 0, -2], "int32");
  // size smaller than the count truncates.
  assertEqualArray(np.nonzero(np.array([1, 1, 1]), { size: 2 })[0], [0, 1], "int32");
  assertEqualArray(jit((v: Array) => np.argwhere(v, { size: 3, fillValue: 9 }))(m), [0, 1, 1, 0, 9, 9], "int32");
  assert.deepEqual([...np.argwhere(np.array(5)).shape], [1, 0]);
  assert.deepEqual([...np.argwhere(np.array(0)).shape], [0, 0]);
  const batch = np.stack([x, np.flip(x, 0), np.zerosLike(x)]);
  checkVmap((v: Array) => np.argwhere(v, { size: 6, fillValue: -1 }), [batch]);
  assert.throws(
    () => jit((v: Array) => np.nonzero(v)[0])(x),
    (e: Error) =>
      e instanceof ConcretizationError &&
      /np.nonzero: the size of the result depends on the values of a traced array/.test(e.message) &&
      /size/.test(e.message),
  );
  assert.throws(() => vmap((v: Array) => np.argwhere(v))(batch), ConcretizationError);
  assert.throws(() => np.nonzero(np.array(1)), /0-d arrays/);
  assert.throws(() => np.nonzero(m, { size: 2, fillValue: [1, 2, 3] }), /one integer per axis \(2\)/);
  assert.throws(() => np.nonzero(m, { size: -1 }), /size must be a non-negative integer/);
});

test("unique against numpy: flattened with index/inverse/counts and NaNs; rows and columns", () => {
  const { x } = inputs("unique_all");
  checkCase("unique_all", np.unique(x, { returnIndex: true, returnInverse: true, returnCounts: true }));
  const u = inputs("unique_rows").x;
  checkCase("unique_rows", np.unique(u, { axis: 0, returnIndex: true, returnInverse: true, returnCounts: true }));
  checkCase("unique_cols", np.unique(inputs("unique_cols").x, { axis: 1 }));
  // By hand: [3, 1, 3, 2] → values [1, 2, 3], first indices [1, 3, 0], inverse [2, 0, 2, 1], counts [1, 1, 2].
  const [v, i, inv, cnt] = np.unique(i32([3, 1, 3, 2]), { returnIndex: true, returnInverse: true, returnCounts: true });
  assertEqualArray(v, [1, 2, 3], "int32");
  assertEqualArray(i, [1, 3, 0], "int32");
  assertEqualArray(inv, [2, 0, 2, 1], "int32");
  assertEqualArray(cnt, [1, 1, 2], "int32");
  // equalNan: false keeps every NaN.
  assert.equal(np.unique(np.array([NaN, 1, NaN]), { equalNan: false }).shape[0], 3);
  assert.equal(np.unique(np.array([NaN, 1, NaN])).shape[0], 2);
});

test("unique under jit and vmap with size/fillValue (JAX's padding: min value, index 0, count 0)", () => {
  const x = i32([3, 1, 3, 2]);
  const f = (a: Array) => np.unique(a, { size: 5, returnIndex: true, returnInverse: true, returnCounts: true });
  const [v, i, inv, cnt] = jit(f)(x);
  assertEqualArray(v, [1, 2, 3, 1, 1], "int32");
  assertEqualArray(i, [1, 3, 0, 1, 1], "int32");
  assertEqualArray(inv, [2, 0, 2, 1], "int32");
  assertEqualArray(cnt, [1, 1, 2, 0, 0], "int32");
  assertEqualArray(jit((a: Array) => np.unique(a, { size: 4, fillValue: -7 }))(x), [1, 2, 3, -7], "int32");
  assertEqualArray(jit((a: Array) => np.unique(a, { size: 2 }))(x), [1, 2], "int32");
  checkVmap(
    (a: Array) => np.unique(a, { size: 4, fillValue: 0 }),
    [
      np.array([
        [3, 1, 3, 2],
        [5, 5, 5, 5],
        [0, 1, 2, 3],
      ]),
    ],
  );
  checkJit((a: Array) => np.unique(a, { axis: 0, size: 6, returnCounts: true })[1], [inputs("unique_rows").x]);
  // Every output batches: vmap equals the per-row results.
  checkVmap(
    (a: Array) => np.unique(a, { size: 4, returnIndex: true, returnInverse: true, returnCounts: true }),
    [i32([3, 1, 3, 2, 0, 0, 0, 0, 9, 8, 7, 6]).reshape(3, 4)],
  );
  checkVmap(
    (p: Array, q: Array) => np.intersect1d(p, q, { size: 3, returnIndices: true }),
    [i32([1, 3, 4, 3, 5, 5, 6, 7]).reshape(2, 4), i32([3, 1, 2, 7, 5, 0]).reshape(2, 3)],
  );
  assert.throws(
    () => jit((a: Array) => np.unique(a))(x),
    (e: Error) => e instanceof ConcretizationError && /np.unique/.test(e.message),
  );
});

test("isin, intersect1d, union1d, setdiff1d against numpy and under jit", () => {
  const { x, t } = inputs("isin");
  checkCase("isin", np.isin(x, t));
  checkCase("isin_invert", np.isin(x, t, { invert: true }));
  const { a, b } = inputs("intersect1d");
  checkCase("intersect1d", np.intersect1d(a, b, { returnIndices: true }));
  checkCase("union1d", np.union1d(a, b));
  checkCase("setdiff1d", np.setdiff1d(a, b));
  // By hand.
  assertEqualArray(np.intersect1d(i32([1, 3, 4, 3]), i32([3, 1, 2, 1])), [1, 3], "int32");
  assertEqualArray(np.union1d(i32([1, 3]), i32([2, 1])), [1, 2, 3], "int32");
  assertEqualArray(np.setdiff1d(i32([5, 1, 3, 4, 3]), i32([3, 1])), [4, 5], "int32");
  assertEqualArray(np.isin(np.array([NaN, 1]), np.array([NaN, 1])), [0, 1], "bool");
  assertEqualArray(
    jit((p: Array, q: Array) => np.intersect1d(p, q, { size: 4, fillValue: -1 }))(i32([1, 3, 4, 3]), i32([3, 1, 2, 1])),
    [1, 3, -1, -1],
    "int32",
  );
  assertEqualArray(
    jit((p: Array, q: Array) => np.union1d(p, q, { size: 4 }))(i32([1, 3]), i32([2, 1])),
    [1, 2, 3, 1],
    "int32",
  );
  checkVmap((p: Array) => np.isin(p, t), [x]);
  checkJit((p: Array, q: Array) => np.isin(p, q), [x, t]);
  assert.throws(() => jit((p: Array) => np.intersect1d(p, t))(a), ConcretizationError);
});
