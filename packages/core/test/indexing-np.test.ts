import { test } from "node:test";
import assert from "node:assert/strict";
import { np, lax, grad, jit, vmap, makeJaxpr, IndexError, ShapeError, ValueError, type Array } from "linax-ts";
import { assertClose, toFlat } from "@linax-ts/testing";
import { dotProductTest, jitMatches, randArray, vmapVsLoop } from "./linear-map-transform-checks.ts";

const ints = (v: number[] | number[][]) => np.array(v, { dtype: "int32" });
const eqList = (a: Array, want: unknown, shape?: number[]) => {
  assert.deepEqual(a.tolist(), want);
  if (shape) assert.deepEqual([...a.shape], shape);
};

// Cases below are the examples of numpy's "Indexing on ndarrays" documentation.

test("basic indexing: integers, slices (incl. negative steps), shapes", () => {
  const x = np.arange(10);
  eqList(x.get(2), 2);
  eqList(x.get(-2), 8);
  const x2 = x.reshape(2, 5);
  eqList(x2.get(1, 3), 8);
  eqList(x2.get(1, -1), 9);
  eqList(x2.get(0), [0, 1, 2, 3, 4]);
  eqList(x.get("1:7:2"), [1, 3, 5]);
  eqList(x.get("-2:10"), [8, 9]);
  eqList(x.get("-3:3:-1"), [7, 6, 5, 4]);
  eqList(x.get("5:"), [5, 6, 7, 8, 9]);
  eqList(x.get("::-1"), [9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
  eqList(x.get(np.slice(5, 2, -2)), [5, 3]);
  eqList(x.get({ start: -1, stop: -4, step: -1 }), [9, 8, 7]);
  eqList(x.get("3:1"), [], [0]);
  eqList(x.get("8:100"), [8, 9]);
  const y = np.array([
    [[1], [2], [3]],
    [[4], [5], [6]],
  ]);
  eqList(y.get("1:2"), [[[4], [5], [6]]], [1, 3, 1]);
  eqList(y.get("...", 0), [
    [1, 2, 3],
    [4, 5, 6],
  ]);
  assert.deepEqual([...y.get(":", null, ":", ":").shape], [2, 1, 3, 1]);
  assert.deepEqual([...y.get("...", null).shape], [2, 3, 1, 1]);
  assert.deepEqual([...y.get(null, "...", 0, null).shape], [1, 2, 3, 1]);
  // Static basic indexing lowers to rev/slice/reshape, never gather.
  const jp = String(makeJaxpr((v: Array) => v.get(1, "::-1", null))(y));
  assert.ok(!jp.includes("gather") && jp.includes("rev") && jp.includes("slice"), jp);
});

test("advanced integer indexing", () => {
  const x = np.arange(10, 1, -1); // [10, 9, ..., 2]
  eqList(x.get(ints([3, 3, 1, 8])), [7, 7, 9, 2]);
  eqList(x.get(ints([3, 3, -3, 8])), [7, 7, 4, 2]);
  eqList(
    x.get(
      ints([
        [1, 1],
        [2, 3],
      ]),
    ),
    [
      [9, 9],
      [8, 7],
    ],
  );
  eqList(x.get([0, -1]), [10, 2]);
  const y = np.arange(35).reshape(5, 7);
  eqList(y.get(ints([0, 2, 4]), ints([0, 1, 2])), [0, 15, 30]);
  eqList(y.get(ints([0, 2, 4]), 1), [1, 15, 29]);
  eqList(y.get(ints([0, 2, 4])), [
    [0, 1, 2, 3, 4, 5, 6],
    [14, 15, 16, 17, 18, 19, 20],
    [28, 29, 30, 31, 32, 33, 34],
  ]);
  eqList(
    np
      .array([
        [1, 2],
        [3, 4],
        [5, 6],
      ])
      .get([0, 1, 2], [0, 1, 0]),
    [1, 4, 5],
  );
  const z = np.arange(12).reshape(4, 3);
  eqList(
    z.get(
      ints([
        [0, 0],
        [3, 3],
      ]),
      ints([
        [0, 2],
        [0, 2],
      ]),
    ),
    [
      [0, 2],
      [9, 11],
    ],
  );
  eqList(z.get(ints([0, 3]).get(":", null), ints([0, 2])), [
    [0, 2],
    [9, 11],
  ]);
  // Advanced combined with slices.
  eqList(y.get(ints([0, 2, 4]), "1:3"), [
    [1, 2],
    [15, 16],
    [29, 30],
  ]);
  eqList(z.get("1:2", [1, 2]), [[4, 5]]);
  // A traced scalar index is advanced too (gathered).
  eqList(z.get(np.array(2, { dtype: "int32" })), [6, 7, 8]);
});

test("advanced indices placement: adjacent stay in place, separated go first", () => {
  const x = np.arange(2 * 3 * 4 * 5 * 6).reshape(2, 3, 4, 5, 6);
  const i1 = ints([[0], [2]]); // broadcast with i2 to [2, 3]
  const i2 = ints([[1, 2, 3]]);
  assert.deepEqual([...x.get(":", i1, i2).shape], [2, 2, 3, 5, 6]);
  assert.deepEqual([...x.get(":", i1, ":", i2).shape], [2, 3, 2, 4, 6]);
  // An integer counts as an advanced index next to arrays; "..." and newaxis separate them.
  assert.deepEqual([...x.get(0, ":", i2).shape], [1, 3, 3, 5, 6]);
  assert.deepEqual([...x.get(":", 1, i2).shape], [2, 1, 3, 5, 6]);
  assert.deepEqual([...x.get(":", i1, null, i2).shape], [2, 3, 2, 1, 5, 6]);
  // Values: x[:, i1, :, i2][a, b, c, d, e] == x[c, i1[a,b], d, i2[a,b], e].
  const r = x.get(":", i1, ":", i2);
  const flat = toFlat(r);
  const at = (a: number, b: number, c: number, d: number, e: number) => flat[(((a * 3 + b) * 2 + c) * 4 + d) * 6 + e];
  const src = (c: number, j: number, d: number, k: number, e: number) => (((c * 3 + j) * 4 + d) * 5 + k) * 6 + e;
  assert.equal(at(1, 2, 1, 3, 5), src(1, 2, 3, 3, 5));
  assert.equal(at(0, 1, 0, 2, 4), src(0, 0, 2, 2, 4));
});

test("boolean masks (concrete only)", () => {
  const x = np.array([
    [1, 2],
    [NaN, 3],
    [NaN, NaN],
  ]);
  const notNan = np.array([
    [true, true],
    [false, true],
    [false, false],
  ]);
  eqList(x.get(notNan), [1, 2, 3]);
  eqList(
    np
      .array([1, -1, -2, 3])
      .at(np.array([false, true, true, false]))
      .add(20),
    [1, 19, 18, 3],
  );
  const y = np.arange(35).reshape(5, 7);
  const rows = np.array([false, false, false, true, true]);
  eqList(y.get(rows, "::3"), [
    [21, 24, 27],
    [28, 31, 34],
  ]);
  eqList(y.get([true, false, false, false, true], 0), [0, 28]);
  assert.throws(
    () => jit((m: Array) => y.get(m))(rows),
    (e: Error) => e instanceof IndexError && /needs a concrete mask/.test(e.message),
  );
  assert.throws(() => y.get(np.array([true, false])), /boolean index did not match/);
});

test("at(): set / add / mul / min / max / get with numpy broadcasting", () => {
  const x = np.arange(0, 50, 10); // [0, 10, 20, 30, 40]
  // Repeated indices accumulate (numpy's x[[1,1,3,1]] += 1 would not; JAX's .at[].add does).
  eqList(x.at(ints([1, 1, 3, 1])).add(1), [0, 13, 20, 31, 40]);
  eqList(x.at(ints([1, 1, 3, 1])).mul(2), [0, 80, 20, 60, 40]);
  eqList(x.at(ints([1, 1])).min(ints([5, 7])), [0, 5, 20, 30, 40]);
  eqList(x.at("1:").max(25), [0, 25, 25, 30, 40]);
  eqList(x.at(-1).set(99), [0, 10, 20, 30, 99]);
  eqList(x.at("::-2").set(ints([1, 2, 3])), [3, 10, 2, 30, 1]);
  const m = np.zeros([3, 4]);
  eqList(m.at(1).set(np.array([1, 2, 3, 4])), [
    [0, 0, 0, 0],
    [1, 2, 3, 4],
    [0, 0, 0, 0],
  ]);
  eqList(m.at(":", [0, 3]).add(np.array([[1], [2], [3]])), [
    [1, 0, 0, 1],
    [2, 0, 0, 2],
    [3, 0, 0, 3],
  ]);
  eqList(
    m
      .at(null, 0, "1:3")
      .set(np.array([[[5, 6]]]))
      .get(0),
    [0, 5, 6, 0],
  );
  // Out-of-bounds advanced updates are dropped; "clip" clamps them instead.
  eqList(x.at(ints([7])).set(1), [0, 10, 20, 30, 40]);
  eqList(x.at(ints([7])).set(1, { mode: "clip" }), [0, 10, 20, 30, 1]);
  // Gathers default to JAX's promise_in_bounds (clamped); "fill" returns NaN for floats.
  eqList(x.at(ints([5])).get(), [40]);
  eqList(x.get(ints([5, -9])), [40, 0]);
  assert.deepEqual(
    toFlat(
      np
        .arange(3, 0, -1, { dtype: "float32" })
        .at(ints([5]))
        .get({ mode: "fill" }),
    ),
    [NaN],
  );
  eqList(x.at(ints([5])).get({ mode: "clip" }), [40]);
  eqList(x.at(ints([5, 0])).get({ fillValue: -1 }), [-1, 0]);
  // Values are cast to the array's dtype; other dtypes work the same way.
  eqList(x.at(0).set(2.7), [2, 10, 20, 30, 40]);
  const c = np.array(new Float32Array([1, 1, 2, 2]), { dtype: "complex64" });
  assert.deepEqual(toFlat(c.at(1).set(np.array(new Float32Array([5, -5]), { dtype: "complex64" }))), [1, 1, 5, -5]);
  eqList(
    np
      .array([true, false, true])
      .at([0, 1])
      .set(np.array([false, true])),
    [false, true, true],
  );
  eqList(np.array([true, false, true]).get("::-1"), [true, false, true]);
});

test("indexing errors", () => {
  const x = np.arange(10).reshape(2, 5);
  assert.throws(
    () => x.get(0, 5),
    (e: Error) => e instanceof IndexError && e.message === "index 5 is out of bounds for axis 1 with size 5",
  );
  assert.throws(() => x.get(-3), /index -3 is out of bounds for axis 0 with size 2/);
  assert.throws(() => x.at(2).set(1), /index 2 is out of bounds for axis 0 with size 2/);
  assert.throws(() => x.get(0, 0, 0), /too many indices for array: array is 2-dimensional, but 3 were indexed/);
  assert.throws(() => x.get("...", 0, "..."), /single ellipsis/);
  assert.throws(() => x.get("1:2:3:4"), /invalid slice string/);
  assert.throws(() => x.get("a:b"), /'a' is not an integer/);
  assert.throws(() => x.get("3"), /unsupported index string '3'/);
  assert.throws(() => x.get(1.5), IndexError);
  assert.throws(() => x.get("::0"), ValueError);
  assert.throws(() => x.get(np.array([0.5])), /integer or bool dtype/);
  assert.throws(
    () => x.get([0, 1], [0, 1, 2]),
    /shape mismatch: indexing arrays could not be broadcast together with shapes \[2\] \[3\]/,
  );
  assert.throws(
    () => x.at(0).set(np.zeros([3])),
    (e: Error) =>
      e instanceof ShapeError && /values of shape \[3\] cannot be broadcast to the indexed shape \[5\]/.test(e.message),
  );
});

test("gradients through indexing: dot-product tests and at().set", () => {
  const x = randArray([4, 5], 1);
  dotProductTest((v) => v.get("1:", "::-2"), x);
  dotProductTest((v) => v.get([3, 0, 3], "1:4"), x);
  dotProductTest((v) => v.get(":", [[1], [4]], null), x);
  dotProductTest((v) => v.at([0, 0], "2:").add(1), x);
  dotProductTest((v) => v.at("::2", 1).set(0), x);
  const g = grad((v: Array) =>
    np.sum(
      np
        .zeros([4])
        .at(ints([0, 0, 2]))
        .set(v)
        .mul(np.array([1, 10, 100, 1000])),
    ),
  )(np.array([1, 2, 3])) as Array;
  assertClose(g, [0, 1, 100]);
});

test("vmap and jit through indexing, with batched and traced indices", () => {
  const xs = randArray([3, 4, 5], 2);
  const is = ints([0, 3, -1]);
  vmapVsLoop((v) => v.get("1:3", [4, 0]), [xs]);
  vmapVsLoop((v, i) => v.get(i, "::2"), [xs, is]);
  vmapVsLoop((i) => xs.get(0).get(":", i), [is]);
  vmapVsLoop((v, i, u) => v.at(i).set(u), [xs, is, randArray([3, 5], 3)]);
  vmapVsLoop((v, i) => v.at(":", i).add(1), [xs, is]);
  jitMatches((v, i) => v.at(i, "1:").mul(2).get(":", [1, 2]), [xs.get(0), ints([2])]);
  const f = jit((v: Array, i: Array) => v.get(i)) as (v: Array, i: Array) => Array;
  eqList(f(np.arange(5), np.array(3, { dtype: "int32" })), 3);
  eqList(f(np.arange(5), np.array(-1, { dtype: "int32" })), 4);
  const h = vmap((i: Array) => np.arange(5).get(i)) as (i: Array) => Array;
  eqList(h(ints([4, -2])), [4, 3]);
  assert.deepEqual(
    lax.reshape(xs, [60]).get(np.s_(null, 3)).tolist(),
    toFlat(xs)
      .slice(0, 3)
      .map((v) => Math.fround(v)),
  );
});
