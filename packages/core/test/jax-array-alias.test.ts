import { test } from "node:test";
import assert from "node:assert/strict";
import { np, grad, Array as LinaxArray, JaxArray } from "linax-ts";

test("JaxArray is the library's Array under a name that does not shadow the global Array", () => {
  assert.equal(JaxArray, LinaxArray);
  const loss = (w: JaxArray): JaxArray => np.sum(w.mul(w));
  const g = grad(loss)(np.array([1, -2]));
  assert.ok(g instanceof JaxArray);
  assert.deepEqual(g.tolist(), [2, -4]);
  // The global Array is untouched.
  assert.ok(globalThis.Array.isArray([1]) && !(g instanceof globalThis.Array));
});
