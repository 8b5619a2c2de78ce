// np building functions: append, columnStack, hsplit/vsplit/dsplit, rot90, select, fillDiagonal,
// broadcastShapes, permuteDims, copy, asarray, vectorize (via vmap). Values derived by hand (each
// small enough to check with numpy's definitions in the comment), vmap/jit, gradients.
import { test } from "node:test";
import assert from "node:assert/strict";
import { np, jit, grad, ShapeError, type Array } from "linax-ts";
import { assertClose, assertEqualArray, checkGrads, checkJit, checkVmap } from "@linax-ts/testing";

const m23 = () =>
  np.array([
    [1, 2, 3],
    [4, 5, 6],
  ]);

test("append, columnStack, hsplit, vsplit, dsplit", () => {
  assertClose(np.append(np.array([1, 2]), np.array([[3], [4]])), [1, 2, 3, 4], { shape: [4] });
  assertClose(np.append(m23(), np.array([[7, 8, 9]]), { axis: 0 }), [1, 2, 3, 4, 5, 6, 7, 8, 9], { shape: [3, 3] });
  assert.throws(() => np.append(m23(), np.array([7, 8, 9]), { axis: 0 }), /same number of dimensions/);
  assertClose(np.columnStack([np.array([1, 2]), np.array([3, 4])]), [1, 3, 2, 4], { shape: [2, 2] });
  assertClose(
    np.columnStack([
      np.array([1, 2]),
      np.array([
        [5, 6],
        [7, 8],
      ]),
    ]),
    [1, 5, 6, 2, 7, 8],
    { shape: [2, 3] },
  );
  const x = np.arange(16).reshape(4, 4);
  const [l, r] = np.hsplit(x, 2);
  assertEqualArray(l, [0, 1, 4, 5, 8, 9, 12, 13], "int32");
  assertEqualArray(r, [2, 3, 6, 7, 10, 11, 14, 15], "int32");
  assert.deepEqual(
    np.hsplit(np.arange(6), [2]).map((p) => p.tolist()),
    [
      [0, 1],
      [2, 3, 4, 5],
    ],
  );
  assert.deepEqual(
    np.vsplit(x, [1, 3]).map((p) => [...p.shape]),
    [
      [1, 4],
      [2, 4],
      [1, 4],
    ],
  );
  assert.deepEqual(
    np.dsplit(np.zeros([2, 2, 4]), 2).map((p) => [...p.shape]),
    [
      [2, 2, 2],
      [2, 2, 2],
    ],
  );
  assert.throws(() => np.dsplit(np.zeros([2, 2]), 2), /3 or more dimensions/);
  assert.throws(() => np.vsplit(np.zeros([3]), 3), ShapeError);
  assert.throws(() => np.hsplit(x, 3), /equal division/);
});

test("rot90 (k = 0..4, negative k, other axes) and its gradient", () => {
  const a = np.array([
    [1, 2],
    [3, 4],
  ]);
  // numpy: rot90([[1,2],[3,4]]) = [[2,4],[1,3]]; k=2 → [[4,3],[2,1]]; k=3 (= -1) → [[3,1],[4,2]].
  assertClose(np.rot90(a), [2, 4, 1, 3]);
  assertClose(np.rot90(a, 2), [4, 3, 2, 1]);
  assertClose(np.rot90(a, 3), [3, 1, 4, 2]);
  assertClose(np.rot90(a, -1), [3, 1, 4, 2]);
  assertClose(np.rot90(a, 4), [1, 2, 3, 4]);
  // Reversed axes rotate the other way.
  assertClose(np.rot90(a, 1, { axes: [1, 0] }), [3, 1, 4, 2]);
  const b = np.arange(24).reshape(2, 3, 4);
  assert.deepEqual([...np.rot90(b, 1, { axes: [0, 2] }).shape], [4, 3, 2]);
  // Four quarter turns are the identity; rot90(·, 1) then rot90(·, -1) too.
  assertEqualArray(
    np.rot90(np.rot90(b, 1, { axes: [1, 2] }), -1, { axes: [1, 2] }),
    b.tolist() as number[][][] as never,
    "int32",
  );
  assert.throws(() => np.rot90(a, 1, { axes: [0, 0] }), /axes must be different/);
  assert.throws(() => np.rot90(np.array([1, 2])), /at least 2-d/);
  checkGrads(
    (v: Array) => np.rot90(np.multiply(v, v), 1),
    [
      np.array([
        [0.5, 1],
        [-1, 2],
        [0.3, 0.7],
      ]),
    ],
  );
  checkJit((v: Array) => np.rot90(v, 3), [m23()]);
});

test("select and fillDiagonal", () => {
  const x = np.arange(6);
  // numpy: select([x < 3, x > 3], [x, x**2], 42) = [0, 1, 2, 42, 16, 25].
  assertEqualArray(
    np.select([np.less(x, 3), np.greater(x, 3)], [x, np.multiply(x, x)], 42),
    [0, 1, 2, 42, 16, 25],
    "int32",
  );
  // The first true condition wins.
  assertClose(
    np.select([np.array([true, false]), np.array([true, true])], [np.array([1, 1]), np.array([2, 2])]),
    [1, 2],
  );
  assert.throws(() => np.select([np.array([1])], [np.array([1])]), /must be a bool array/);
  assert.throws(() => np.select([np.array([true])], []), /same length/);
  const g = grad((v: Array) => np.sum(np.select([np.less(v, 0)], [np.multiply(v, 3)], np.multiply(v, v))))(
    np.array([-1, 2]),
  ) as Array;
  assertClose(g, [3, 4]);
  // fillDiagonal: numpy's examples.
  assertClose(np.fillDiagonal(np.zeros([3, 3]), 5), [5, 0, 0, 0, 5, 0, 0, 0, 5]);
  assertClose(np.fillDiagonal(np.zeros([3, 3]), np.array([1, 2])), [1, 0, 0, 0, 2, 0, 0, 0, 1]);
  // Tall 5×3: without wrap only the top 3×3 block; with wrap the diagonal restarts at row 4.
  assertClose(np.fillDiagonal(np.zeros([5, 3]), 4), [4, 0, 0, 0, 4, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0]);
  assertClose(np.fillDiagonal(np.zeros([5, 3]), 4, { wrap: true }), [4, 0, 0, 0, 4, 0, 0, 0, 4, 0, 0, 0, 4, 0, 0]);
  const c = np.fillDiagonal(np.zeros([2, 2, 2]), 1);
  assertClose(c, [1, 0, 0, 0, 0, 0, 0, 1]);
  assert.throws(() => np.fillDiagonal(np.zeros([2, 3, 2]), 1), /equal length/);
  checkGrads(
    (m: Array, v: Array) => np.fillDiagonal(m, v),
    [
      np.array([
        [0.1, 0.2],
        [0.3, 0.4],
      ]),
      np.array([1.5, -0.5]),
    ],
  );
  checkVmap((m: Array) => np.fillDiagonal(m, 7), [np.zeros([3, 2, 2])]);
  checkJit((m: Array) => np.fillDiagonal(m, 7), [np.ones([3, 3])]);
});

test("broadcastShapes, permuteDims, copy, asarray", () => {
  assert.deepEqual(np.broadcastShapes([2, 1], [3], 1), [2, 3]);
  assert.deepEqual(np.broadcastShapes(), []);
  assert.throws(() => np.broadcastShapes([2], [3]), ShapeError);
  assert.deepEqual([...np.permuteDims(np.zeros([2, 3, 4]), [2, 0, 1]).shape], [4, 2, 3]);
  const x = m23();
  const y = np.copy(x);
  assertClose(y, x);
  assert.equal(y.dtype, "float32");
  assert.equal(np.copy(x, { dtype: "int32" }).dtype, "int32");
  assert.equal(np.asarray([1, 2], { dtype: "int32" }).dtype, "int32");
  assert.equal(np.asarray(x), x);
  assertClose(grad((v: Array) => np.sum(np.copy(v)))(x) as Array, [1, 1, 1, 1, 1, 1]);
  checkJit((v: Array) => np.copy(v), [x]);
});

test("vectorize: elementwise, signatures, excluded arguments; equals a loop", () => {
  // f sees scalars; the result broadcasts [2, 1] with [3].
  const f = np.vectorize((a: Array, b: Array) => {
    assert.deepEqual([...a.shape], []);
    return np.add(np.multiply(a, 2), b);
  });
  assertClose(f(np.array([[1], [2]]), np.array([10, 20, 30])), [12, 22, 32, 14, 24, 34], { shape: [2, 3] });
  // A gufunc: inner product over the core dimension n.
  const dot = np.vectorize((a: Array, b: Array) => np.sum(np.multiply(a, b)), { signature: "(n),(n)->()" });
  const A = np.arange(6).reshape(2, 3).astype("float32");
  assertClose(dot(A, np.array([1, 0, -1])), [-2, -2], { shape: [2] });
  assert.throws(() => dot(A, np.array([1, 0])), /inconsistent size for core dimension 'n': 3 vs 2/);
  assert.throws(() => np.vectorize((a: Array) => a, { signature: "(n" })(A), /invalid signature/);
  // excluded: the second argument passes through untouched (here a JS number).
  const scale = np.vectorize((a: Array, s: Array) => np.multiply(a, s), { excluded: [1] });
  assertClose(scale(np.array([1, 2]), 3 as unknown as Array), [3, 6]);
  // Against a hand loop with a non-trivial scalar function.
  const h = (v: Array) => np.where(np.greater(v, 0), np.multiply(v, v), np.negative(v));
  const xs = np.array([
    [4, -1],
    [0.25, -3],
  ]);
  assertClose(np.vectorize(h)(xs), [16, 1, 0.0625, 3]);
  assertClose(jit((v: Array) => np.vectorize(h)(v))(xs), [16, 1, 0.0625, 3]);
  assertClose(grad((v: Array) => np.sum(np.vectorize(h)(v)))(xs) as Array, [8, -1, 0.5, -1]);
  assert.throws(
    () => np.vectorize((a: Array) => a, { signature: "(n)->()" })(np.array(1)),
    /fewer dimensions than its core dimensions/,
  );
});
