// np index generators (unravelIndex, indices, diagIndices, trilIndices, triuIndices and their
// *From forms): values derived by hand, jit, argument errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { np, DTypeError, type Array } from "linax-ts";
import { assertEqualArray, checkJit } from "@linax-ts/testing";

const i32 = (v: number[]) => np.array(v, { dtype: "int32" });

test("unravelIndex, indices, diagIndices, trilIndices, triuIndices (by hand)", () => {
  // 7 in shape [2, 3, 2]: 7 = 1·6 + 0·2 + 1 → (1, 0, 1); -1 → the last (1, 2, 1); out of bounds clips (JAX).
  const [a, b, cc] = np.unravelIndex(i32([7, -1, 0, 100]), [2, 3, 2]);
  assertEqualArray(a, [1, 1, 0, 1], "int32");
  assertEqualArray(b, [0, 2, 0, 2], "int32");
  assertEqualArray(cc, [1, 1, 0, 1], "int32");
  checkJit((v: Array) => np.unravelIndex(v, [2, 3, 2])[1], [i32([7, 3, 11])]);
  const g = np.indices([2, 3]);
  assert.deepEqual([...g.shape], [2, 2, 3]);
  assertEqualArray(g, [0, 0, 0, 1, 1, 1, 0, 1, 2, 0, 1, 2], "int32");
  const [s0, s1] = np.indices([2, 3], { sparse: true });
  assert.deepEqual(
    [[...s0.shape], [...s1.shape]],
    [
      [2, 1],
      [1, 3],
    ],
  );
  assertEqualArray(np.diagIndices(3, 3)[2], [0, 1, 2], "int32");
  const [r, c] = np.trilIndices(3);
  assertEqualArray(r, [0, 1, 1, 2, 2, 2], "int32");
  assertEqualArray(c, [0, 0, 1, 0, 1, 2], "int32");
  const [r2, c2] = np.triuIndices(3, 1, 4);
  assertEqualArray(r2, [0, 0, 0, 1, 1, 2], "int32");
  assertEqualArray(c2, [1, 2, 3, 2, 3, 3], "int32");
  assertEqualArray(np.trilIndicesFrom(np.zeros([2, 2]), -1)[1], [0], "int32");
  assertEqualArray(np.triuIndicesFrom(np.zeros([2, 3]))[1], [0, 1, 2, 1, 2], "int32");
  assert.throws(() => np.diagIndicesFrom(np.zeros([2, 3])), /equal length/);
  assert.throws(() => np.unravelIndex(np.array([1.5]), [2]), DTypeError);
});
