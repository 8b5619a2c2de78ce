import { test } from "node:test";
import assert from "node:assert/strict";
import { np, jit, IndexError, ShapeError, ValueError, DTypeError, type Array } from "linax-ts";
import { toFlat } from "@linax-ts/testing";
import { dotProductTest, jitMatches, randArray, vmapVsLoop } from "./linear-map-transform-checks.ts";

const ints = (v: number[] | number[][]) => np.array(v, { dtype: "int32" });
const eqList = (a: Array, want: unknown, shape?: number[]) => {
  assert.deepEqual(a.tolist(), want);
  if (shape) assert.deepEqual([...a.shape], shape);
};
const shapeOf = (a: Array) => [...a.shape];

test("ravel, moveaxis, swapaxes, squeeze, expandDims, transpose, reshape", () => {
  const x = np.arange(6).reshape(2, 3);
  eqList(np.ravel(x), [0, 1, 2, 3, 4, 5]);
  const z = np.zeros([3, 4, 5]);
  assert.deepEqual(shapeOf(np.moveaxis(z, 0, -1)), [4, 5, 3]);
  assert.deepEqual(shapeOf(np.moveaxis(z, -1, 0)), [5, 3, 4]);
  assert.deepEqual(shapeOf(np.moveaxis(z, [0, 1], [-1, -2])), [5, 4, 3]);
  eqList(np.swapaxes(x, 0, -1), [
    [0, 3],
    [1, 4],
    [2, 5],
  ]);
  assert.deepEqual(shapeOf(np.squeeze(np.zeros([1, 3, 1]))), [3]);
  assert.deepEqual(shapeOf(np.zeros([1, 3, 1]).squeeze(-1)), [1, 3]);
  assert.deepEqual(shapeOf(np.squeeze(np.zeros([1, 3, 1]), { axis: [0, 2] })), [3]);
  assert.throws(
    () => np.squeeze(np.zeros([1, 3]), 1),
    (e: Error) => e instanceof ShapeError && /cannot squeeze axis 1 of size 3/.test(e.message),
  );
  assert.throws(() => np.squeeze(np.zeros([1, 3]), 2), /axis 2 is out of range/);
  assert.deepEqual(shapeOf(np.expandDims(x, [0, -1])), [1, 2, 3, 1]);
  assert.deepEqual(shapeOf(np.reshape(x, [-1, 2])), [3, 2]);
  assert.throws(() => np.moveaxis(z, [0, 1], [0]), ValueError);
});

test("broadcastArrays, concatenate, stack, hstack, vstack, dstack, atleast*", () => {
  const [a, b] = np.broadcastArrays(np.array([[1], [2]]), np.array([3, 4, 5]));
  assert.deepEqual(
    [shapeOf(a), shapeOf(b)],
    [
      [2, 3],
      [2, 3],
    ],
  );
  const x = np.array([[1, 2]]);
  const y = np.array([[3, 4]], { dtype: "int32" });
  const c = np.concatenate([x, y]);
  eqList(c, [
    [1, 2],
    [3, 4],
  ]);
  assert.equal(c.dtype, "float32"); // int32 promotes with float32
  eqList(np.concatenate([x, y], { axis: -1 }), [[1, 2, 3, 4]]);
  eqList(np.concatenate([x, np.array([5])], null), [1, 2, 5]);
  assert.throws(
    () => np.concatenate([x, np.array([1, 2, 3])]),
    /all input array dimensions except for the concatenation axis 0 must match; array 0 has shape \[1, 2\], array 1 has shape \[3\]/,
  );
  assert.throws(() => np.concatenate([np.array(1), np.array(2)]), /zero-dimensional arrays cannot be concatenated/);
  assert.throws(() => np.concatenate([]), ValueError);
  eqList(np.stack([np.array([1, 2]), np.array([3, 4])]), [
    [1, 2],
    [3, 4],
  ]);
  eqList(np.stack([np.array([1, 2]), np.array([3, 4])], -1), [
    [1, 3],
    [2, 4],
  ]);
  assert.throws(() => np.stack([np.array([1, 2]), np.array([3])]), /all input arrays must have the same shape/);
  eqList(np.hstack([np.array([1, 2]), np.array([3])]), [1, 2, 3]);
  eqList(np.hstack([np.array([[1], [2]]), np.array([[3], [4]])]), [
    [1, 3],
    [2, 4],
  ]);
  eqList(np.vstack([np.array([1, 2]), np.array([3, 4])]), [
    [1, 2],
    [3, 4],
  ]);
  assert.deepEqual(shapeOf(np.dstack([np.array([1, 2]), np.array([3, 4])])), [1, 2, 2]);
  assert.deepEqual([np.atleast1d(5), np.atleast2d(np.array([1, 2])), np.atleast3d(np.zeros([2, 3]))].map(shapeOf), [
    [1],
    [1, 2],
    [2, 3, 1],
  ]);
});

test("split and arraySplit", () => {
  const x = np.arange(9);
  assert.deepEqual(
    np.split(x, 3).map((p) => p.tolist()),
    [
      [0, 1, 2],
      [3, 4, 5],
      [6, 7, 8],
    ],
  );
  assert.deepEqual(
    np.split(np.arange(8), [3, 5, 6, 10]).map((p) => p.tolist()),
    [[0, 1, 2], [3, 4], [5], [6, 7], []],
  );
  assert.deepEqual(
    np.arraySplit(np.arange(8), 3).map((p) => p.tolist()),
    [
      [0, 1, 2],
      [3, 4, 5],
      [6, 7],
    ],
  );
  assert.deepEqual(np.split(np.arange(6).reshape(2, 3), [1], { axis: 1 }).map(shapeOf), [
    [2, 1],
    [2, 2],
  ]);
  assert.throws(() => np.split(x, 4), /array split does not result in an equal division/);
  assert.throws(() => np.split(x, 0), /positive integer/);
});

test("tile, repeat, flip, roll", () => {
  const a = np.array([0, 1, 2]);
  eqList(np.tile(a, 2), [0, 1, 2, 0, 1, 2]);
  eqList(np.tile(a, [2, 2]), [
    [0, 1, 2, 0, 1, 2],
    [0, 1, 2, 0, 1, 2],
  ]);
  eqList(
    np.tile(
      np.array([
        [1, 2],
        [3, 4],
      ]),
      2,
    ),
    [
      [1, 2, 1, 2],
      [3, 4, 3, 4],
    ],
  );
  eqList(np.repeat(np.array(3), 4), [3, 3, 3, 3]);
  const x = np.array([
    [1, 2],
    [3, 4],
  ]);
  eqList(np.repeat(x, 2), [1, 1, 2, 2, 3, 3, 4, 4]);
  eqList(np.repeat(x, 3, { axis: 1 }), [
    [1, 1, 1, 2, 2, 2],
    [3, 3, 3, 4, 4, 4],
  ]);
  eqList(np.repeat(x, [1, 2], { axis: 0 }), [
    [1, 2],
    [3, 4],
    [3, 4],
  ]);
  assert.throws(() => np.repeat(x, [1, 2, 3], { axis: 0 }), /got 3 repeat counts for an axis of size 2/);
  const m = np.arange(8).reshape(2, 2, 2);
  eqList(np.flip(m, 0), [
    [
      [4, 5],
      [6, 7],
    ],
    [
      [0, 1],
      [2, 3],
    ],
  ]);
  eqList(np.flip(m).get(0, 0), [7, 6]);
  eqList(np.flip(m, [0, 2]).get(0, 0), [5, 4]);
  eqList(np.fliplr(x), [
    [2, 1],
    [4, 3],
  ]);
  eqList(np.flipud(x), [
    [3, 4],
    [1, 2],
  ]);
  const r = np.arange(10);
  eqList(np.roll(r, 2), [8, 9, 0, 1, 2, 3, 4, 5, 6, 7]);
  eqList(np.roll(r, -2), [2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
  const r2 = r.reshape(2, 5);
  eqList(np.roll(r2, 1), [
    [9, 0, 1, 2, 3],
    [4, 5, 6, 7, 8],
  ]);
  eqList(np.roll(r2, 1, 1), [
    [4, 0, 1, 2, 3],
    [9, 5, 6, 7, 8],
  ]);
  eqList(np.roll(r2, [1, 1], [1, 0]), [
    [9, 5, 6, 7, 8],
    [4, 0, 1, 2, 3],
  ]);
  const rollTraced = jit((v: Array, s: Array) => np.roll(v, s, 0)) as (v: Array, s: Array) => Array;
  eqList(rollTraced(r, np.array(-12, { dtype: "int32" })), [2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
  eqList(rollTraced(r, np.array(13, { dtype: "int32" })), [7, 8, 9, 0, 1, 2, 3, 4, 5, 6]);
});

test("pad: constant (scalar and per-axis values), edge, reflect, symmetric, wrap", () => {
  const a = np.array([1, 2, 3, 4, 5]);
  eqList(np.pad(a, [2, 3], { constantValues: [4, 6] }), [4, 4, 1, 2, 3, 4, 5, 6, 6, 6]);
  eqList(np.pad(a, [2, 3], { mode: "edge" }), [1, 1, 1, 2, 3, 4, 5, 5, 5, 5]);
  eqList(np.pad(a, [2, 3], { mode: "reflect" }), [3, 2, 1, 2, 3, 4, 5, 4, 3, 2]);
  eqList(np.pad(a, [2, 3], { mode: "symmetric" }), [2, 1, 1, 2, 3, 4, 5, 5, 4, 3]);
  eqList(np.pad(a, [2, 3], { mode: "wrap" }), [4, 5, 1, 2, 3, 4, 5, 1, 2, 3]);
  const m = np.array([
    [1, 2],
    [3, 4],
  ]);
  eqList(np.pad(m, 1), [
    [0, 0, 0, 0],
    [0, 1, 2, 0],
    [0, 3, 4, 0],
    [0, 0, 0, 0],
  ]);
  // numpy's corner rule: the last axis padded wins the corners.
  eqList(
    np.pad(
      m,
      [
        [1, 0],
        [0, 1],
      ],
      {
        constantValues: [
          [7, 7],
          [9, 9],
        ],
      },
    ),
    [
      [7, 7, 9],
      [1, 2, 9],
      [3, 4, 9],
    ],
  );
  eqList(
    np.pad(
      m,
      [
        [0, 1],
        [1, 0],
      ],
      { mode: "reflect" },
    ),
    [
      [2, 1, 2],
      [4, 3, 4],
      [2, 1, 2],
    ],
  );
  assert.throws(() => np.pad(a, -1), /non-negative integers/);
  assert.throws(() => np.pad(m, [1, 2, 3]), /cannot broadcast pad_width/);
  assert.throws(() => np.pad(np.zeros([0]), 1, { mode: "edge" }), /can't extend empty axis 0/);
  assert.throws(() => np.pad(a, 1, { mode: "circular" as never }), /unsupported mode 'circular'/);
});

test("take and takeAlongAxis with out-of-bounds modes", () => {
  const a = np.array([4, 3, 5, 7, 6, 8]);
  eqList(np.take(a, [0, 1, 4]), [4, 3, 6]);
  eqList(
    np.take(a, [
      [0, 1],
      [2, 3],
    ]),
    [
      [4, 3],
      [5, 7],
    ],
  );
  assert.deepEqual(toFlat(np.take(a, [-1, 6])), [8, NaN]);
  eqList(np.take(a, [-1, 6], { mode: "clip" }), [4, 8]);
  eqList(np.take(a, [-1, 6], { mode: "wrap" }), [8, 4]);
  eqList(np.take(a, [6], { fillValue: 0 }), [0]);
  const x = np.array([
    [1, 2, 3],
    [4, 5, 6],
  ]);
  eqList(np.take(x, [2, 0], { axis: 1 }), [
    [3, 1],
    [6, 4],
  ]);
  eqList(np.take(x, ints([1]), { axis: 0 }), [[4, 5, 6]]);
  assert.throws(() => np.take(x, [0.5]), DTypeError);
  assert.throws(() => np.take(np.zeros([0]), [0]), IndexError);
  const t = np.array([
    [10, 30, 20],
    [60, 40, 50],
  ]);
  eqList(
    np.takeAlongAxis(
      t,
      ints([
        [0, 2],
        [1, 0],
      ]),
      1,
    ),
    [
      [10, 20],
      [40, 60],
    ],
  );
  eqList(np.takeAlongAxis(t, ints([[1, 0, 1]]), 0), [[60, 30, 50]]);
  eqList(np.takeAlongAxis(t, ints([[-1], [0]]), -1), [[20], [60]]);
  eqList(np.takeAlongAxis(t, ints([5, 0]), null), [50, 10]);
  assert.throws(() => np.takeAlongAxis(t, ints([1]), 1), /same number of dimensions/);
});

test("diagonal, diag, trace, meshgrid", () => {
  const a = np.arange(4).reshape(2, 2);
  eqList(np.diagonal(a), [0, 3]);
  eqList(np.diagonal(a, { offset: 1 }), [1]);
  const b = np.arange(8).reshape(2, 2, 2);
  eqList(np.diagonal(b, { axis1: 0, axis2: 1 }), [
    [0, 6],
    [1, 7],
  ]);
  eqList(np.diagonal(np.arange(9).reshape(3, 3), { offset: -1 }), [3, 7]);
  eqList(np.diagonal(a, { offset: 5 }), [], [0]);
  assert.throws(() => np.diagonal(np.array([1, 2])), /at least 2-d/);
  eqList(np.diag(np.array([1, 2])), [
    [1, 0],
    [0, 2],
  ]);
  eqList(np.diag(np.array([1, 2]), { k: 1 }), [
    [0, 1, 0],
    [0, 0, 2],
    [0, 0, 0],
  ]);
  eqList(np.diag(np.arange(9).reshape(3, 3), { k: 1 }), [1, 5]);
  eqList(np.trace(np.eye(3)), 3);
  eqList(np.trace(np.arange(8).reshape(2, 2, 2)), [6, 8]);
  const [X, Y] = np.meshgrid(np.array([1, 2, 3]), np.array([4, 5]));
  eqList(X, [
    [1, 2, 3],
    [1, 2, 3],
  ]);
  eqList(Y, [
    [4, 4, 4],
    [5, 5, 5],
  ]);
  const [I] = np.meshgrid(np.array([1, 2, 3]), np.array([4, 5]), { indexing: "ij" });
  assert.deepEqual(shapeOf(I), [3, 2]);
});

test("dot-product tests, vmap and jit for the np shape functions", () => {
  const x = randArray([3, 4], 1);
  dotProductTest(
    (v) =>
      np.pad(
        v,
        [
          [1, 2],
          [3, 0],
        ],
        { mode: "reflect" },
      ),
    x,
  );
  dotProductTest((v) => np.pad(v, 2, { mode: "wrap" }), x);
  dotProductTest((v) => np.roll(np.tile(v, [1, 2]), 3, 1), x);
  dotProductTest((v) => np.repeat(v, [2, 0, 1], { axis: 0 }), x);
  dotProductTest(
    (v) =>
      np.takeAlongAxis(
        v,
        ints([
          [0, 3],
          [2, 2],
          [1, 0],
        ]),
        1,
      ),
    x,
  );
  dotProductTest((v) => np.diag(np.diagonal(v, { offset: 1 })), x);
  dotProductTest((v) => np.concatenate(np.split(v, [1, 3], 1).reverse(), 1), x);
  const xs = randArray([2, 3, 4], 2);
  vmapVsLoop(
    (v) =>
      np.pad(
        v,
        [
          [0, 1],
          [2, 1],
        ],
        { mode: "symmetric" },
      ),
    [xs],
  );
  vmapVsLoop((v) => np.takeAlongAxis(v, ints([[1], [0], [3]]), 1), [xs]);
  vmapVsLoop(
    (v, i) => np.take(v, i, { axis: 1 }),
    [
      xs,
      ints([
        [0, 1],
        [3, -1],
      ]),
    ],
  );
  vmapVsLoop((v) => np.trace(v), [xs]);
  jitMatches((v) => np.stack([np.roll(v, 1, 0), np.flip(v, 1), np.tril(v)]), [x]);
});
