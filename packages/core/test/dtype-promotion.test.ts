import { test } from "node:test";
import assert from "node:assert/strict";
import { np, lax, ShapeError, type Array } from "linax-ts";

const i32 = (xs: number[]) => np.array(xs, { dtype: "int32" });

test("JS numbers are weakly typed like Python scalars", () => {
  assert.equal(i32([1, 2]).add(1).dtype, "int32");
  assert.equal(i32([1, 2]).add(1.5).dtype, "float32");
  assert.equal(np.array([1, 2]).mul(2).dtype, "float32");
  assert.equal(np.array([1, 2], { dtype: "uint32" }).add(1).dtype, "uint32");
  assert.equal(np.array([1, 2], { dtype: "complex64" }).mul(2).dtype, "complex64");
});

test("strong dtypes promote along bool < int < float < complex; int32 ⊔ uint32 = int32 (JAX x32)", () => {
  assert.equal(i32([1]).add(np.array([1])).dtype, "float32");
  assert.equal(i32([1]).add(np.array([1], { dtype: "uint32" })).dtype, "int32");
  assert.equal(np.array([1]).add(np.array([1], { dtype: "complex64" })).dtype, "complex64");
  assert.equal(np.add(np.array([true]), i32([2])).dtype, "int32");
});

test("true division of integers gives float32", () => {
  const r = i32([1, 3]).div(i32([2, 2]));
  assert.equal(r.dtype, "float32");
  assert.deepEqual(r.tolist(), [0.5, 1.5]);
});

test("broadcasting follows numpy and errors name the op and both shapes", () => {
  const a = np.reshape(np.array([1, 2, 3, 4, 5, 6]), [2, 3]);
  assert.deepEqual(a.add(np.array([10, 20, 30])).tolist(), [
    [11, 22, 33],
    [14, 25, 36],
  ]);
  assert.deepEqual(np.reshape(np.array([1, 2]), [2, 1]).mul(np.array([1, 10, 100])).shape, [2, 3]);
  assert.throws(
    () => a.add(np.array([1, 2])),
    (e: Error) => e instanceof ShapeError && /^add: shapes \[2, 3\], \[2\] cannot be broadcast/.test(e.message),
  );
});

test("np.array infers shapes, rejects ragged lists, reads typed arrays and ndarray objects", () => {
  assert.deepEqual(
    np.array([
      [1, 2],
      [3, 4],
    ]).shape,
    [2, 2],
  );
  assert.equal(np.array([true, false]).dtype, "bool");
  assert.throws(
    () => np.array([[1, 2], [3]] as number[][]),
    (e: Error) => e instanceof ShapeError && /ragged/.test(e.message),
  );
  assert.equal(np.array(new Int32Array([1, 2])).dtype, "int32");
  const nd = { data: new Float32Array([1, 2, 3, 4, 5, 6]), shape: [3, 2], stride: [1, 3], offset: 0 };
  assert.deepEqual(np.array(nd).tolist(), [
    [1, 4],
    [2, 5],
    [3, 6],
  ]);
});

test("printing looks like numpy/JAX", () => {
  assert.equal(String(np.array([1, 2.5])), "Array([ 1., 2.5], dtype=float32)");
  assert.equal(
    String(
      np.array(
        [
          [1, 2],
          [3, 4],
        ],
        { dtype: "int32" },
      ),
    ),
    "Array([[1, 2],\n       [3, 4]], dtype=int32)",
  );
  assert.equal(String(np.array([true, false])), "Array([ True, False], dtype=bool)");
  const c = np.array([1, 2], { dtype: "complex64" }) as Array;
  assert.equal(String(c.mul(np.array([1, -1], { dtype: "complex64" }))), "Array([ 1.+0.j, -2.+0.j], dtype=complex64)");
});

test("broadcastTo validates the target like numpy", () => {
  assert.deepEqual(np.broadcastTo(np.array([1, 2, 3]), [2, 3]).tolist(), [
    [1, 2, 3],
    [1, 2, 3],
  ]);
  assert.throws(
    () => np.broadcastTo(np.zeros([2, 3]), [3]),
    (e: Error) =>
      e instanceof ShapeError &&
      /broadcastTo: cannot broadcast an array of shape \[2, 3\] to shape \[3\]/.test(e.message),
  );
  assert.throws(() => np.broadcastTo(np.zeros([2]), [3]), ShapeError);
});

test("casts saturate like XLA; complex → bool looks at both parts", () => {
  assert.deepEqual(np.array([-1.5, 5e9, NaN, 7.9]).astype("uint32").tolist(), [0, 4294967295, 0, 7]);
  assert.deepEqual(np.array([-3e9, 3e9, NaN, -7.9]).astype("int32").tolist(), [-2147483648, 2147483647, 0, -7]);
  // 0+0j, 1+0j, 0+1j: only exact zero is false.
  const z = lax.complex(np.array([0, 1, 0]), np.array([0, 0, 1]));
  assert.deepEqual(z.astype("bool").tolist(), [false, true, true]);
});

test("np.resultType / promoteTypes / astype", () => {
  assert.equal(np.resultType(np.array([1], { dtype: "int32" }), 1), "int32");
  assert.equal(np.resultType(np.array([1], { dtype: "int32" }), 1.5), "float32");
  assert.equal(np.resultType("int32", "uint32"), "int32");
  assert.equal(np.resultType(np.array([1]), "complex64"), "complex64");
  assert.equal(np.promoteTypes("bool", "float32"), "float32");
  assert.deepEqual(np.astype(np.array([1.7, -2.2]), "int32").tolist(), [1, -2]);
});

test("np.arange takes its options object as the trailing argument in every arity", () => {
  assert.deepEqual(np.arange(3, { dtype: "float32" }).dtype, "float32");
  assert.deepEqual(np.arange(1, 4, { dtype: "float32" }).tolist(), [1, 2, 3]);
  assert.deepEqual(np.arange(0, 6, 2, { dtype: "uint32" }).tolist(), [0, 2, 4]);
  assert.equal(np.arange(3).dtype, "int32");
});
