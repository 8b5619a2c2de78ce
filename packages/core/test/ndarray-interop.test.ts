import { test } from "node:test";
import assert from "node:assert/strict";
import ndarray from "ndarray";
import { np, DTypeError } from "linax-ts";

test("ndarray objects go in (honouring strides and offset) and come out", () => {
  // A transposed view: data [0..5] as 3×2 with strides [1, 3], offset 0 → rows (0,3) (1,4) (2,5).
  const view = ndarray(new Float32Array([0, 1, 2, 3, 4, 5]), [3, 2], [1, 3], 0);
  const x = np.array(view);
  assert.deepEqual(x.tolist(), [
    [0, 3],
    [1, 4],
    [2, 5],
  ]);
  const back = np.toNdarray(np.array(new Int32Array([1, 2, 3, 4, 5, 6]), { dtype: "int32" }).reshape(2, 3));
  assert.deepEqual(back.shape, [2, 3]);
  assert.equal(back.get(1, 2), 6);
  assert.ok(back.data instanceof Int32Array);
  assert.throws(() => np.toNdarray(np.array([1], { dtype: "complex64" })), DTypeError);
});
