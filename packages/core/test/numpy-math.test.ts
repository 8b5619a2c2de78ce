// The np elementwise layer: promotion with weak JS scalars, broadcasting, numpy's integer
// division/remainder semantics, power, rounding, clip, abs, transcendental ufuncs on integer
// input, and their gradients.
import { test } from "node:test";
import assert from "node:assert/strict";
import { np, lax, grad, jit, vmap, DTypeError, ShapeError, ValueError, type Array } from "linax-ts";
import { assertClose, assertEqualArray } from "@linax-ts/testing";
import { complexArray, f32, fd } from "./elementwise-host-checks.ts";

const i32 = (v: number[]) => np.array(v, { dtype: "int32" });
const u32 = (v: number[]) => np.array(v, { dtype: "uint32" });

test("promotion: weak JS scalars adopt the array dtype; strong dtypes follow JAX's x32 lattice", () => {
  assert.equal(np.add(i32([1, 2]), 1).dtype, "int32");
  assert.equal(np.add(i32([1, 2]), 1.5).dtype, "float32");
  assertClose(np.add(i32([1, 2]), 1.5), [2.5, 3.5]);
  assert.equal(np.add(np.array([1]), i32([1])).dtype, "float32");
  assert.equal(np.multiply(u32([1]), i32([1])).dtype, "int32");
  assert.equal(np.add(u32([1]), 1).dtype, "uint32");
  assert.equal(np.add(np.array([true]), np.array([false])).dtype, "bool");
  assertEqualArray(np.add(np.array([true, false]), np.array([true, false])), [1, 0], "bool");
  assertEqualArray(np.multiply(np.array([true, true]), np.array([true, false])), [1, 0], "bool");
  assert.equal(np.add(np.array([true]), 1).dtype, "int32");
  assert.equal(np.multiply(complexArray([[1, 1]]), 2).dtype, "complex64");
  assert.equal(np.add(np.array([1]), complexArray([[1, 1]])).dtype, "complex64");
  // Two weak scalars stay weak.
  assert.ok(np.add(1, 2).aval.weakType);
  assert.equal(np.divide(i32([1, 3]), 2).dtype, "float32");
  assertClose(np.divide(i32([1, 3]), 2), [0.5, 1.5]);
});

test("broadcasting and its errors", () => {
  const x = np.array([
    [1, 2, 3],
    [4, 5, 6],
  ]);
  assertClose(np.subtract(x, np.array([1, 2, 3])), [0, 0, 0, 3, 3, 3], { shape: [2, 3] });
  assertClose(np.multiply(np.array([[10], [100]]), np.array([1, 2, 3])), [10, 20, 30, 100, 200, 300], {
    shape: [2, 3],
  });
  assert.throws(
    () => np.add(x, np.array([1, 2])),
    (e: unknown) =>
      e instanceof ShapeError && /add: shapes \[2, 3\], \[2\] cannot be broadcast/.test((e as Error).message),
  );
  assertClose(np.maximum(x, 3), [3, 3, 3, 4, 5, 6]);
});

test("floorDivide, remainder/mod, fmod: numpy signs for ints and floats; integer division by zero gives 0", () => {
  const a = i32([7, -7, 7, -7, 6, 0]);
  const b = i32([2, 2, -2, -2, -3, 5]);
  assertEqualArray(np.floorDivide(a, b), [3, -4, -4, 3, -2, 0], "int32");
  assertEqualArray(np.remainder(a, b), [1, 1, -1, -1, 0, 0], "int32");
  assertEqualArray(np.mod(a, b), [1, 1, -1, -1, 0, 0], "int32");
  assertEqualArray(np.fmod(a, b), [1, -1, 1, -1, 0, 0], "int32");
  assertEqualArray(np.floorDivide(i32([5, -5]), 0), [0, 0], "int32");
  assertEqualArray(np.remainder(i32([5, -5]), 0), [0, 0], "int32");
  assertEqualArray(np.fmod(i32([5, -5]), 0), [0, 0], "int32");
  assertEqualArray(np.floorDivide(u32([7, 4294967295]), u32([2, 0])), [3, 0], "uint32");
  const x = np.array([7.5, -7.5, 7.5, -7.5, 1]);
  const y = np.array([2, 2, -2, -2, 0]);
  assertClose(np.floorDivide(x, y), [3, -4, -4, 3, NaN]);
  assertClose(np.remainder(x, y), [1.5, 0.5, -0.5, -1.5, NaN]);
  assertClose(np.fmod(x, y), [1.5, -1.5, 1.5, -1.5, NaN]);
  // x == floorDivide(x, y)·y + remainder(x, y)
  const xs = [5.25, -3.75, 100, -0.5];
  const ys = [1.5, 1.25, -7, 0.3];
  const q = np.floorDivide(np.array(xs), np.array(ys)).dataSync();
  const r = np.remainder(np.array(xs), np.array(ys)).dataSync();
  xs.forEach((v, i) =>
    assert.ok(Math.abs(q[i] * f32(ys[i]) + r[i] - f32(v)) < 1e-5, `divmod identity at ${v}, ${ys[i]}`),
  );
  const [dq, dr] = np.divmod(i32([-7]), i32([2]));
  assertEqualArray(dq, [-4], "int32");
  assertEqualArray(dr, [1], "int32");
  // Gradient of the float remainder: d/dx = 1.
  assertClose(grad((v: Array) => np.sum(np.remainder(v, 2)))(np.array([3.5, -1.25])) as Array, [1, 1]);
  assert.throws(
    () => np.remainder(complexArray([[1, 1]]), 2),
    (e: unknown) =>
      e instanceof DTypeError && /np\.remainder: argument 'x' has dtype complex64/.test((e as Error).message),
  );
});

test("power: integer exponents via integerPow, integer arrays by squaring, floats and complex via pow", () => {
  assertEqualArray(np.power(i32([3, -2]), 3), [27, -8], "int32");
  assertEqualArray(
    np.power(i32([2, 3, 5, 2]), i32([10, 20, 0, -1])),
    [1024, Number(BigInt.asIntN(32, 3n ** 20n)), 1, 0],
    "int32",
  );
  assertClose(np.power(np.array([4, 2]), 0.5), [2, Math.SQRT2], { dtype: "float32" });
  assertClose(np.power(i32([4, 2]), 0.5), [2, Math.SQRT2], { dtype: "float32" });
  assertClose(np.power(2, np.array([3, -1])), [8, 0.5]);
  assertClose(np.power(np.array([2, -3]), -2), [0.25, 1 / 9]);
  assert.throws(
    () => np.power(i32([2]), -1),
    (e: unknown) => e instanceof ValueError && /integers to negative integer powers/.test((e as Error).message),
  );
  assertClose(np.power(complexArray([[0, 1]]), 2), [-1, 0]);
  assertClose(i32([2, 3]).pow(2), [4, 9], { dtype: "int32" });
  // d/dx x^3 = 3x^2, also at 0; d/dx of x^y in both arguments.
  assertClose(grad((v: Array) => np.sum(np.power(v, 3)))(np.array([0, 2])) as Array, [0, 12]);
  const [gx, gy] = grad((a: Array, b: Array) => np.sum(np.power(a, b)), { argnums: [0, 1] })(
    np.array([2, 0.5]),
    np.array([1.5, 2.5]),
  ) as Array[];
  assertClose(gx, [1.5 * Math.sqrt(2), 2.5 * 0.5 ** 1.5], { rtol: 1e-5 });
  assertClose(gy, [Math.LN2 * 2 ** 1.5, Math.log(0.5) * 0.5 ** 2.5], { rtol: 1e-5 });
  assertClose(np.square(i32([-3])), [9], { dtype: "int32" });
  assertClose(np.reciprocal(i32([4])), [0.25], { dtype: "float32" });
});

test("abs, sign, maximum/minimum, clip", () => {
  assertEqualArray(np.abs(i32([-3, 4])), [3, 4], "int32");
  assertEqualArray(np.abs(u32([3])), [3], "uint32");
  assertEqualArray(np.abs(np.array([true, false])), [1, 0], "bool");
  assertClose(np.absolute(complexArray([[3, 4]])), [5], { dtype: "float32" });
  assertClose(np.array([-1.5, 2]).abs(), [1.5, 2]);
  assertClose(np.fabs(i32([-2])), [2], { dtype: "float32" });
  assertClose(np.sign(np.array([-2, 0, 3])), [-1, 0, 1]);
  assertClose(np.maximum(np.array([1, NaN, 3]), np.array([2, 1, -1])), [2, NaN, 3]);
  assertClose(np.minimum(i32([1, 5]), 3), [1, 3], { dtype: "int32" });
  const x = np.array([-2, 0.5, 3]);
  assertClose(np.clip(x, 0, 1), [0, 0.5, 1]);
  assertClose(np.clip(x, null, 1), [-2, 0.5, 1]);
  assertClose(np.clip(x, 0), [0, 0.5, 3]);
  assertClose(np.clip(x, np.array([-3, 1, 0]), np.array([-1, 2, 2.5])), [-2, 1, 2.5]);
  assertEqualArray(np.clip(i32([-5, 5, 50]), 0, 10), [0, 5, 10], "int32");
  // JAX's clip is maximum/minimum: the gradient passes strictly inside, and splits at a bound.
  assertClose(grad((v: Array) => np.sum(np.clip(v, 0, 1)))(np.array([-1, 0.5, 2, 1])) as Array, [0, 1, 0, 0.5]);
});

test("transcendental ufuncs: integer input gives float32, values, log2/log10, sinc, hypot, angle", () => {
  assertClose(np.exp(i32([0, 1])), [1, Math.E], { dtype: "float32" });
  assertClose(np.sqrt(i32([4, 2])), [2, Math.SQRT2], { dtype: "float32" });
  assertClose(np.log2(np.array([8, 0.5])), [3, -1]);
  assertClose(np.log10(i32([1000])), [3], { dtype: "float32" });
  assertClose(np.arcsin(np.array([0.5])), [Math.PI / 6]);
  assert.equal(np.asin, np.arcsin);
  assertClose(np.arctan2(np.array([1, -1]), np.array([-1, -1])), [(3 * Math.PI) / 4, (-3 * Math.PI) / 4]);
  assertClose(np.arctan2(i32([1]), i32([1])), [Math.PI / 4], { dtype: "float32" });
  assertClose(np.sinc(np.array([0, 0.5, 1])), [1, 2 / Math.PI, 0], { atol: 1e-7 });
  assertClose(
    grad((v: Array) => np.sum(np.sinc(v)))(np.array([0, 0.5])) as Array,
    [0, fd((t) => Math.sin(Math.PI * t) / (Math.PI * t), 0.5)],
    {
      rtol: 1e-4,
      atol: 1e-6,
    },
  );
  assertClose(np.hypot(np.array([3, 1e30, 0, Infinity]), np.array([4, 1e30, 0, NaN])), [
    5,
    Math.SQRT2 * 1e30,
    0,
    Infinity,
  ]);
  assertClose(grad((v: Array) => np.sum(np.hypot(v, 4)))(np.array([3])) as Array, [0.6]);
  assertClose(
    np.angle(
      complexArray([
        [1, 1],
        [-1, 0],
      ]),
    ),
    [Math.PI / 4, Math.PI],
  );
  assertClose(np.angle(np.array([-2, 2])), [Math.PI, 0]);
  assertClose(np.angle(complexArray([[0, 1]]), { deg: true }), [90]);
  assertClose(np.deg2rad(180), [Math.PI]);
  assertClose(np.heaviside(np.array([-1, 0, 2]), 0.5), [0, 0.5, 1]);
  assertClose(np.copysign(np.array([1, 2, 3]), np.array([-0, 0, -5])), [-1, 2, -3]);
  assertEqualArray(np.signbit(np.array([-0, 0, -1, Infinity])), [1, 0, 1, 0], "bool");
  assertClose(np.nextafter(1, 2), [1 + 2 ** -23], { rtol: 0, atol: 0 });
  assertClose(np.cbrt(i32([-27])), [-3], { dtype: "float32" });
});

test("rounding: numpy's round is half-to-even (with decimals), trunc, floor/ceil leave integers alone", () => {
  assertClose(np.round(np.array([0.5, 1.5, 2.5, -0.5, -1.5, 2.4])), [0, 2, 2, -0, -2, 2]);
  assert.ok(Object.is(np.round(np.array([-0.5])).dataSync()[0], -0));
  assertClose(np.round(np.array([1.25, 1.35, 123.456]), 1), [1.2, 1.4, 123.5], { rtol: 1e-6 });
  assertClose(np.round(np.array([1234, 1250, 1350]), -2), [1200, 1200, 1400]);
  assertEqualArray(np.round(i32([3])), [3], "int32");
  assertClose(np.round(complexArray([[1.5, -2.5]])), [2, -2]);
  assertClose(np.trunc(np.array([-1.7, 1.7, -0.2])), [-1, 1, -0]);
  assertClose(np.rint(np.array([2.5, 3.5])), [2, 4]);
  assertEqualArray(np.floor(i32([3])), [3], "int32");
  assertClose(np.ceil(np.array([-0.5, 1.2])), [-0, 2]);
  assert.throws(
    () => np.floor(complexArray([[1, 1]])),
    (e: unknown) => e instanceof DTypeError && /np\.floor: argument 'x' has dtype complex64/.test((e as Error).message),
  );
});

test("np functions compose with grad, vmap and jit", () => {
  const f = (v: Array) => np.sum(np.multiply(np.exp(np.negative(v)), np.sin(v)).add(np.maximum(v, 0.5)));
  const x = np.array([0.2, 1, 2]);
  const g = grad(f)(x) as Array;
  const host = (t: number) => Math.exp(-t) * Math.sin(t) + Math.max(t, 0.5);
  assertClose(
    g,
    [0.2, 1, 2].map((t) => fd(host, f32(t))),
    { rtol: 1e-4, atol: 1e-5 },
  );
  assertClose(jit(f)(x), f(x));
  const X = np.array([0.2, 1, 2, -1, 3, 0.5]).reshape([2, 3]);
  const vm = vmap((r: Array) => np.where(r.gt(0.6), np.log1p(r), np.expm1(r)))(X);
  const want = [0.2, 1, 2, -1, 3, 0.5].map((t) => (f32(t) > f32(0.6) ? Math.log1p(f32(t)) : Math.expm1(f32(t))));
  assertClose(vm, want, { shape: [2, 3] });
  assert.equal(lax.eq(x, x).dtype, "bool");
});
