import { test } from "node:test";
import assert from "node:assert/strict";
import { np, grad, jit, makeJaxpr, DTYPES, DTypeError, ShapeError, ValueError, type Array } from "linax-ts";
import { assertClose, toFlat } from "@linax-ts/testing";

const check = (a: Array, dtype: string, shape: number[], flat: number[]) => {
  assert.equal(a.dtype, dtype);
  assert.deepEqual([...a.shape], shape);
  assert.deepEqual(toFlat(a), flat);
};

test("zeros / ones / full / empty and the *Like variants for every dtype", () => {
  for (const dtype of DTYPES) {
    const c = dtype === "complex64";
    check(np.zeros([2, 1], { dtype }), dtype, [2, 1], c ? [0, 0, 0, 0] : [0, 0]);
    check(np.ones(2, { dtype }), dtype, [2], c ? [1, 0, 1, 0] : [1, 1]);
    check(np.empty([0, 3], { dtype }), dtype, [0, 3], []);
    check(np.full([3], 1, { dtype }), dtype, [3], c ? [1, 0, 1, 0, 1, 0] : [1, 1, 1]);
  }
  check(np.zeros([2]), "float32", [2], [0, 0]);
  check(np.full([2], 7), "float32", [2], [7, 7]);
  check(np.full([2], true), "bool", [2], [1, 1]);
  check(np.full([2, 2], np.array([1, 2], { dtype: "int32" })), "int32", [2, 2], [1, 2, 1, 2]);
  const x = np.array([[1, 2, 3]], { dtype: "uint32" });
  check(np.zerosLike(x), "uint32", [1, 3], [0, 0, 0]);
  check(np.onesLike(x, { dtype: "float32" }), "float32", [1, 3], [1, 1, 1]);
  check(np.fullLike(x, 5, { shape: [2] }), "uint32", [2], [5, 5]);
  // A JS-number fill does not make the result weakly typed.
  assert.equal(np.full([2], 3, { dtype: "int32" }).aval.weakType, false);
  assert.throws(
    () => np.zeros([2, -1]),
    (e: Error) => e instanceof ShapeError && /invalid shape \[2, -1\]/.test(e.message),
  );
  assert.throws(() => np.zeros([1.5]), ShapeError);
  assert.throws(() => np.ones([2], { dtype: "float64" as never }), DTypeError);
  assert.throws(() => np.full([2], np.array([1, 2, 3])), ShapeError);
});

test("arange: numpy's start/stop/step semantics and default dtypes", () => {
  check(np.arange(5), "int32", [5], [0, 1, 2, 3, 4]);
  check(np.arange(2, 5), "int32", [3], [2, 3, 4]);
  check(np.arange(10, 0, -3), "int32", [4], [10, 7, 4, 1]);
  check(np.arange(0, 1, 0.25), "float32", [4], [0, 0.25, 0.5, 0.75]);
  check(np.arange(3, { dtype: "float32" }), "float32", [3], [0, 1, 2]);
  check(np.arange(5, 2), "int32", [0], []);
  check(np.arange(1, 2, 0.3), "float32", [4], [1, 1.3, 1.6, 1.9].map(Math.fround));
  assert.throws(() => np.arange(0, 5, 0), /step must not be zero/);
  assert.throws(() => np.arange(0, Infinity), ValueError);
});

test("linspace with and without endpoint; integer dtypes floor", () => {
  check(np.linspace(2, 3, 5), "float32", [5], [2, 2.25, 2.5, 2.75, 3]);
  check(np.linspace(2, 3, 5, { endpoint: false }), "float32", [5], [2, 2.2, 2.4, 2.6, 2.8].map(Math.fround));
  check(np.linspace(0, 1, 1), "float32", [1], [0]);
  check(np.linspace(0, 1, 0), "float32", [0], []);
  check(np.linspace(-1, 1, 4, { dtype: "int32" }), "int32", [4], [-1, -1, 0, 1]);
  assert.equal(np.linspace(0, 1).shape[0], 50);
  assert.throws(() => np.linspace(0, 1, -1), /num must be a non-negative integer/);
});

test("eye, identity, tri, tril, triu", () => {
  check(np.eye(2), "float32", [2, 2], [1, 0, 0, 1]);
  check(np.eye(2, 3, { k: 1 }), "float32", [2, 3], [0, 1, 0, 0, 0, 1]);
  check(np.eye(3, 2, { k: -1, dtype: "int32" }), "int32", [3, 2], [0, 0, 1, 0, 0, 1]);
  check(np.identity(2, { dtype: "bool" }), "bool", [2, 2], [1, 0, 0, 1]);
  check(np.tri(3, 4, { k: 1 }), "float32", [3, 4], [1, 1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 1]);
  const m = np.arange(1, 10).reshape(3, 3);
  check(np.tril(m), "int32", [3, 3], [1, 0, 0, 4, 5, 0, 7, 8, 9]);
  check(np.tril(m, { k: -1 }), "int32", [3, 3], [0, 0, 0, 4, 0, 0, 7, 8, 0]);
  check(np.triu(m), "int32", [3, 3], [1, 2, 3, 0, 5, 6, 0, 0, 9]);
  check(np.triu(m, { k: 1 }), "int32", [3, 3], [0, 2, 3, 0, 0, 6, 0, 0, 0]);
  // Batched over leading axes, and differentiable.
  check(np.triu(np.ones([2, 2, 2])), "float32", [2, 2, 2], [1, 1, 0, 1, 1, 1, 0, 1]);
  assertClose(grad((v: Array) => np.sum(np.tril(v)))(np.ones([2, 2])) as Array, [1, 0, 1, 1]);
  assert.throws(() => np.tril(np.ones([3])), /at least 2 dimensions/);
  assert.throws(() => np.eye(-1), /N must be a non-negative integer/);
});

test("creation under jit stages constants (and iota for plain ranges)", () => {
  const f = (x: Array) => np.add(x, np.arange(3, { dtype: "float32" }));
  assertClose(jit(f)(np.ones([3])) as Array, [1, 2, 3]);
  assert.ok(String(makeJaxpr(f)(np.ones([3]))).includes("iota"));
  const g = (x: Array) => np.add(x, np.zeros([3]));
  assert.ok(String(makeJaxpr(g)(np.ones([3]))).includes("broadcastInDim"));
});
