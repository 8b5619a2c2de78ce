// The np comparisons, logical/bitwise ops, shifts, where, isnan/isinf/isfinite, isclose/allclose,
// the Array operator methods, and np.special.
import { test } from "node:test";
import assert from "node:assert/strict";
import { np, grad, jit, vmap, DTypeError, ValueError, type Array } from "linax-ts";
import { assertClose, assertEqualArray } from "@linax-ts/testing";
import { complexArray } from "./elementwise-host-checks.ts";

const i32 = (v: number[]) => np.array(v, { dtype: "int32" });
const u32 = (v: number[]) => np.array(v, { dtype: "uint32" });

test("comparisons broadcast and promote, and give bool", () => {
  const x = np.array([
    [1, 2, 3],
    [4, 5, 6],
  ]);
  assertEqualArray(np.greater(x, 3), [0, 0, 0, 1, 1, 1], "bool");
  assertEqualArray(np.lessEqual(x, np.array([1, 5, 2])), [1, 1, 0, 0, 1, 0], "bool");
  assertEqualArray(np.equal(i32([1, 2]), 1.5), [0, 0], "bool");
  assertEqualArray(np.equal(i32([1, 2]), np.array([1, 2.5])), [1, 0], "bool");
  assertEqualArray(np.notEqual(u32([4294967295]), i32([-1])), [0], "bool"); // uint32 ⊔ int32 = int32: the bits are equal
  assertEqualArray(np.less(np.array([true, false]), 1), [0, 1], "bool");
  assertEqualArray(np.equal(complexArray([[1, 2]]), complexArray([[1, 2]])), [1], "bool");
  // Array methods.
  assertEqualArray(x.lt(3), [1, 1, 0, 0, 0, 0], "bool");
  assertEqualArray(x.ge(np.array([4, 2, 7])), [0, 1, 0, 1, 1, 0], "bool");
  assertEqualArray(x.eq(5), [0, 0, 0, 0, 1, 0], "bool");
  assertEqualArray(x.ne(5), [1, 1, 1, 1, 0, 1], "bool");
  assertEqualArray(x.le(2), [1, 1, 0, 0, 0, 0], "bool");
  assertEqualArray(x.gt(5), [0, 0, 0, 0, 0, 1], "bool");
  assertClose(i32([7, -7]).mod(3), [1, 2], { dtype: "int32" });
  assertClose(np.array([-7.5]).mod(2), [0.5]);
  assert.throws(() => np.less(complexArray([[1, 1]]), 0), /lt: argument 'x' has dtype complex64/);
});

test("logical ops take numpy truthiness; bitwise ops need integers or bool", () => {
  assertEqualArray(np.logicalAnd(np.array([1, 0, 2]), np.array([true, true, false])), [1, 0, 0], "bool");
  assertEqualArray(np.logicalOr(i32([0, 0, 3]), 0), [0, 0, 1], "bool");
  assertEqualArray(np.logicalXor(np.array([true, false]), np.array([[true], [false]])), [0, 1, 1, 0], "bool");
  assertEqualArray(np.logicalNot(np.array([0, 0.5, NaN])), [1, 0, 0], "bool");
  assertEqualArray(np.bitwiseAnd(i32([12, 7]), 10), [8, 2], "int32");
  assertEqualArray(np.bitwiseOr(np.array([true, false]), np.array([false, false])), [1, 0], "bool");
  assertEqualArray(np.bitwiseXor(u32([0xff]), u32([0x0f])), [0xf0], "uint32");
  assertEqualArray(np.invert(i32([0, 5])), [-1, -6], "int32");
  assertEqualArray(np.bitwiseNot(np.array([true])), [0], "bool");
  assert.throws(
    () => np.bitwiseAnd(np.array([1.5]), 1),
    (e: unknown) =>
      e instanceof DTypeError && /np\.bitwiseAnd: argument 'x' has dtype float32/.test((e as Error).message),
  );
  assert.throws(() => np.invert(np.array([1.5])), /np\.bitwiseNot: argument 'x' has dtype float32/);
});

test("shifts: arithmetic right shift for int32, logical for uint32", () => {
  assertEqualArray(np.leftShift(i32([1, 3]), i32([4, 31])), [16, -2147483648], "int32");
  assertEqualArray(np.rightShift(i32([-16, 16]), 2), [-4, 4], "int32");
  assertEqualArray(np.rightShift(u32([0xfffffff0]), 4), [0x0fffffff], "uint32");
  assertEqualArray(np.leftShift(np.array([true]), 3), [8], "int32");
  assert.throws(() => np.rightShift(np.array([1.5]), 1), /np\.rightShift: argument 'x' has dtype float32/);
});

test("where: broadcasting, promotion, truthiness of cond, one-argument form rejected, gradients", () => {
  const c = np.array([true, false, true]);
  assertClose(np.where(c, np.array([1, 2, 3]), 0), [1, 0, 3], { dtype: "float32" });
  const r = np.where(c, 1, 2.5);
  assert.equal(r.dtype, "float32");
  assertClose(r, [1, 2.5, 1]);
  assertEqualArray(np.where(i32([0, 7]), i32([1, 1]), i32([2, 2])), [2, 1], "int32");
  assertClose(np.where(np.array([[true], [false]]), np.array([1, 2]), np.array([10, 20])), [1, 2, 10, 20], {
    shape: [2, 2],
  });
  assert.equal(np.where(c, i32([1, 2, 3]), u32([1, 2, 3])).dtype, "int32");
  // One argument: numpy's nonzero (c = [true, false, true] → [0, 2]), with JAX's size/fillValue.
  assert.deepEqual(
    np.where(c).map((a) => a.tolist()),
    [[0, 2]],
  );
  assert.deepEqual(
    np.where(c, { size: 4, fillValue: -1 }).map((a) => a.tolist()),
    [[0, 2, -1, -1]],
  );
  // @ts-expect-error x without y
  assert.throws(() => np.where(c, 1), ValueError);
  // The gradient flows to the selected branch only (and is broadcast back).
  const [gx, gy] = grad((x: Array, y: Array) => np.sum(np.where(c, x, y)), { argnums: [0, 1] })(
    np.array([1, 2, 3]),
    np.array(5),
  ) as Array[];
  assertClose(gx, [1, 0, 1]);
  assertClose(gy, [1], { shape: [] });
  // The safe-division idiom: no NaN gradient from the unselected branch's value.
  const safeLog = (v: Array) => np.sum(np.where(v.gt(0), np.log(np.where(v.gt(0), v, 1)), 0));
  assertClose(grad(safeLog)(np.array([0, 2])) as Array, [0, 0.5]);
  assertClose(jit((x: Array) => np.where(x.gt(1), x, x.neg()))(np.array([0.5, 2])), [-0.5, 2]);
  assertClose(
    vmap((x: Array) => np.where(x.gt(1), x, 0))(
      np.array([
        [0.5, 2],
        [3, 1],
      ]),
    ),
    [0, 2, 3, 0],
    { shape: [2, 2] },
  );
});

test("isnan, isinf, isfinite for floats, complex and integers", () => {
  const x = np.array([1, NaN, Infinity, -Infinity, -0]);
  assertEqualArray(np.isnan(x), [0, 1, 0, 0, 0], "bool");
  assertEqualArray(np.isinf(x), [0, 0, 1, 1, 0], "bool");
  assertEqualArray(np.isfinite(x), [1, 0, 0, 0, 1], "bool");
  assertEqualArray(np.isposinf(x), [0, 0, 1, 0, 0], "bool");
  assertEqualArray(np.isneginf(x), [0, 0, 0, 1, 0], "bool");
  const z = complexArray([
    [1, NaN],
    [Infinity, 0],
    [1, 2],
  ]);
  assertEqualArray(np.isnan(z), [1, 0, 0], "bool");
  assertEqualArray(np.isinf(z), [0, 1, 0], "bool");
  assertEqualArray(np.isfinite(z), [0, 0, 1], "bool");
  assertEqualArray(np.isnan(i32([1])), [0], "bool");
  assertEqualArray(np.isinf(u32([1])), [0], "bool");
  assertEqualArray(np.isfinite(i32([1])), [1], "bool");
});

test("isclose and allclose: tolerances, infinities, NaN, equalNan, integers; allclose is a JS boolean for concrete inputs", () => {
  const a = np.array([1, 1, Infinity, Infinity, NaN, 0, 100]);
  const b = np.array([1 + 1e-6, 1.001, Infinity, -Infinity, NaN, 1e-9, 100.0009]);
  assertEqualArray(np.isclose(a, b), [1, 0, 1, 0, 0, 1, 1], "bool");
  assertEqualArray(np.isclose(a, b, { equalNan: true }), [1, 0, 1, 0, 1, 1, 1], "bool");
  assertEqualArray(np.isclose(a, b, { rtol: 0, atol: 0 }), [0, 0, 1, 0, 0, 0, 0], "bool");
  assertEqualArray(np.isclose(i32([1, 2]), i32([1, 3])), [1, 0], "bool");
  assertEqualArray(np.isclose(complexArray([[1, 1]]), complexArray([[1, 1 + 1e-7]])), [1], "bool");
  assert.equal(np.allclose(np.array([1, 2]), np.array([1, 2 + 1e-6])), true);
  assert.equal(np.allclose(np.array([1, 2]), np.array([1, 2.1])), false);
  assert.equal(np.allclose(np.array([NaN]), np.array([NaN])), false);
  assert.equal(np.allclose(np.array([NaN]), np.array([NaN]), { equalNan: true }), true);
  assert.equal(np.allclose(np.array([[1, 2]]), 1, { atol: 1.5 }), true);
  // Under jit it is a traced bool scalar.
  const traced = jit((x: Array, y: Array) => np.allclose(x, y) as Array)(np.array([1, 2]), np.array([1, 2]));
  assert.equal(traced.dtype, "bool");
  assert.equal(traced.itemBool(), true);
  assert.equal(np.arrayEqual(np.array([1, 2]), np.array([1, 2])), true);
  assert.equal(np.arrayEqual(np.array([1, 2]), np.array([1, 2, 3])), false);
});

test("np.special: scipy names over the lax special functions", () => {
  const s = np.special;
  assertClose(s.erf(np.array([0.5])), [0.5204998778130465]);
  assertClose(s.erfc(i32([3])), [2.209049699858544e-5], { dtype: "float32", rtol: 1e-6, atol: 0 });
  assertClose(s.erfinv(np.array([0.5])), [0.4769362762044699]);
  assertClose(s.gammaln(np.array([0.5])), [0.5 * Math.log(Math.PI)]);
  assertClose(s.digamma(1), [-0.5772156649015329]);
  assert.equal(s.psi, s.digamma);
  assertClose(s.expit(np.array([0])), [0.5]);
  assertClose(s.logit(np.array([0.5, 0.75])), [0, Math.log(3)]);
  assertClose(s.ndtr(np.array([0, 1.959963984540054])), [0.5, 0.975], { rtol: 1e-6 });
  assertClose(s.ndtri(np.array([0.975])), [1.959963984540054], { rtol: 1e-5 });
  assertClose(s.polygamma(1, np.array([1])), [Math.PI ** 2 / 6]);
  assert.throws(() => s.polygamma(-1, 1), ValueError);
  assertClose(grad((v: Array) => np.sum(s.gammaln(v)))(np.array([1])) as Array, [-0.5772156649015329]);
});
