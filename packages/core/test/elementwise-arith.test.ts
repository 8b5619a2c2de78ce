// lax arithmetic: add/sub/mul/div per dtype (integer truncation, wrapping, division by zero),
// integerPow, rem, max/min (tie-splitting JVP), and the lax-level shape/dtype errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { np, lax, grad, jvp, vmap, jit, DTypeError, ShapeError, ValueError, type Array } from "linax-ts";
import { assertClose, assertEqualArray, checkGrads } from "@linax-ts/testing";
import { checkGrad2VsHost, checkGradVsHost, checkVmapJit, f32 } from "./elementwise-host-checks.ts";

const i32 = (v: number[]) => np.array(v, { dtype: "int32" });
const u32 = (v: number[]) => np.array(v, { dtype: "uint32" });
const INT_MIN = -2147483648;
const INT_MAX = 2147483647;

test("add/sub/mul wrap around on int32 and uint32 overflow (two's complement)", () => {
  assertEqualArray(lax.add(i32([INT_MAX, -5]), i32([1, 3])), [INT_MIN, -2], "int32");
  assertEqualArray(lax.sub(i32([INT_MIN, 5]), i32([1, 7])), [INT_MAX, -2], "int32");
  // 65537² = 2^32 + 2·2^16 + 1 ≡ 131073 (mod 2^32); a float64 product would lose the low bits of larger products.
  assertEqualArray(
    lax.mul(i32([65537, 123456789, -3]), i32([65537, 987654321, 7])),
    [131073, Number(BigInt.asIntN(32, 123456789n * 987654321n)), -21],
    "int32",
  );
  assertEqualArray(lax.add(u32([4294967295, 1]), u32([1, 2])), [0, 3], "uint32");
  assertEqualArray(lax.sub(u32([0]), u32([1])), [4294967295], "uint32");
  assertEqualArray(lax.mul(u32([4294967295, 65536]), u32([4294967295, 65536])), [1, 0], "uint32");
  assertEqualArray(lax.neg(i32([INT_MIN, 5])), [INT_MIN, -5], "int32");
});

test("float32 arithmetic rounds once to float32", () => {
  const a = [0.1, 1e30, -3.5, 1 / 3];
  const b = [0.2, 1e10, 2, 3];
  assertClose(
    lax.add(np.array(a), np.array(b)),
    a.map((v, i) => f32(f32(v) + f32(b[i]))),
    { rtol: 0, atol: 0 },
  );
  assertClose(
    lax.mul(np.array(a), np.array(b)),
    a.map((v, i) => f32(f32(v) * f32(b[i]))),
    { rtol: 0, atol: 0 },
  );
  assertClose(
    lax.div(np.array(a), np.array(b)),
    a.map((v, i) => f32(f32(v) / f32(b[i]))),
    { rtol: 0, atol: 0 },
  );
  // Overflow to inf, 0/0 = NaN, x/0 = ±inf, -0 preserved.
  const d = lax.div(np.array([1, -1, 0, 3e38]), np.array([0, 0, 0, 0.1])).dataSync();
  assert.deepEqual([...d], [Infinity, -Infinity, NaN, Infinity]);
  assert.ok(Object.is(lax.neg(np.array([0])).dataSync()[0], -0));
});

test("integer division truncates toward zero; division by zero and INT_MIN/-1 follow XLA", () => {
  assertEqualArray(lax.div(i32([7, -7, 7, -7, 0]), i32([2, 2, -2, -2, 5])), [3, -3, -3, 3, 0], "int32");
  // XLA: x / 0 = -1 (all bits set), INT_MIN / -1 = INT_MIN.
  assertEqualArray(lax.div(i32([5, -5, 0, INT_MIN]), i32([0, 0, 0, -1])), [-1, -1, -1, INT_MIN], "int32");
  assertEqualArray(lax.div(u32([7, 4294967295, 5]), u32([2, 2, 0])), [3, 2147483647, 4294967295], "uint32");
});

test("complex add/mul/div", () => {
  const z = lax.complex(np.array([1, 0.5]), np.array([2, -1]));
  const w = lax.complex(np.array([3, 2]), np.array([-1, 0.25]));
  // (1+2i)(3-i) = 5+5i; (0.5-i)(2+0.25i) = 1.25-1.875i
  assertClose(lax.mul(z, w), [5, 5, 1.25, -1.875], { dtype: "complex64" });
  // (1+2i)/(3-i) = (1+2i)(3+i)/10 = (1+7i)/10
  assertClose(lax.div(z, w).dataSync().slice(0, 2), [0.1, 0.7]);
  assertClose(lax.sub(z, w), [-2, 3, -1.5, -1.25]);
});

test("integerPow on int32 (wrapping), float32 (negative exponents) and complex64", () => {
  assertEqualArray(lax.integerPow(i32([3, -2, 0, 7]), 3), [27, -8, 0, 343], "int32");
  assertEqualArray(lax.integerPow(i32([3]), 21), [Number(BigInt.asIntN(32, 3n ** 21n))], "int32");
  assertEqualArray(lax.integerPow(i32([0, 5]), 0), [1, 1], "int32");
  assertClose(lax.integerPow(np.array([2, -0.5, 3]), -2), [0.25, 4, 1 / 9], { dtype: "float32" });
  assertClose(lax.integerPow(np.array([0, NaN]), 0), [1, 1]);
  assertClose(lax.integerPow(np.array([0]), -1), [Infinity]);
  // (1+i)^3 = -2+2i; (1+i)^-2 = 1/(2i) = -0.5i
  const z = lax.complex(np.array([1]), np.array([1]));
  assertClose(lax.integerPow(z, 3), [-2, 2]);
  assertClose(lax.integerPow(z, -2), [0, -0.5]);
  assert.throws(
    () => lax.integerPow(i32([2]), -1),
    (e: unknown) => e instanceof ValueError && /integerPow.*negative powers.*int32/.test((e as Error).message),
  );
  assert.throws(() => lax.integerPow(np.array([true]), 2), DTypeError);
  checkGradVsHost(
    (x) => lax.integerPow(x, 3),
    (x) => x ** 3,
    [-1.5, 0.5, 2],
  );
  checkGradVsHost(
    (x) => lax.integerPow(x, -2),
    (x) => x ** -2,
    [-1.5, 0.5, 2],
  );
  // y = 0: zero derivative, also at x = 0 (no 0·inf).
  assertClose(grad((x: Array) => lax.reduceSum(lax.integerPow(x, 0), [0]))(np.array([0, 2])) as Array, [0, 0]);
  checkVmapJit((x) => lax.integerPow(x, 3), [np.array([1, -2, 0.5])]);
});

test("rem has C fmod semantics; integer rem by zero is x", () => {
  assertClose(lax.rem(np.array([7.5, -7.5, 7.5, -7.5, 5, 1]), np.array([2, 2, -2, -2, Infinity, 0])), [
    1.5,
    -1.5,
    1.5,
    -1.5,
    5,
    NaN,
  ]);
  assert.ok(Object.is(lax.rem(np.array([-4]), np.array([2])).dataSync()[0], -0), "fmod(-4, 2) is -0");
  assertEqualArray(lax.rem(i32([7, -7, 7, -7, 5, INT_MIN]), i32([2, 2, -2, -2, 0, -1])), [1, -1, 1, -1, 5, 0], "int32");
  assertEqualArray(lax.rem(u32([4294967295, 9]), u32([10, 0])), [5, 9], "uint32");
  // d/dx = 1, d/dy = -trunc(x/y)
  checkGrad2VsHost(lax.rem, (x, y) => x % y, [7.5, -7.3, 2.2], [2, 2.1, -0.9]);
  checkVmapJit(lax.rem, [np.array([7.5, -7.5, 1]), np.array([2, 2, 0.3])]);
});

test("max/min: NaN-propagating values per dtype and JAX's tie-splitting JVP", () => {
  assertClose(lax.max(np.array([1, NaN, -2, 3]), np.array([2, 0, NaN, 3])), [2, NaN, NaN, 3]);
  assertClose(lax.min(np.array([1, NaN, -2]), np.array([2, 0, -3])), [1, NaN, -3]);
  assertEqualArray(lax.max(i32([-5, 7]), i32([3, INT_MIN])), [3, 7], "int32");
  assertEqualArray(lax.min(u32([4294967295, 1]), u32([2, 0])), [2, 0], "uint32");
  assertEqualArray(lax.max(np.array([true, false]), np.array([false, false])), [1, 0], "bool");
  // Ties split the tangent half-half between the operands.
  const [gx, gy] = grad((x: Array, y: Array) => lax.reduceSum(lax.max(x, y), [0]), { argnums: [0, 1] })(
    np.array([1, 2, 3]),
    np.array([1, 5, 0]),
  ) as Array[];
  assertClose(gx, [0.5, 0, 1]);
  assertClose(gy, [0.5, 1, 0]);
  const [, t] = jvp(
    (x: Array, y: Array) => lax.min(x, y),
    [np.array([2, 1]), np.array([2, 4])],
    [np.array([1, 1]), np.array([3, 3])],
  ) as Array[];
  assertClose(t, [2, 1]);
  checkGrad2VsHost(lax.max, Math.max, [1, -2, 3], [0.5, 4, -1]);
  checkGrad2VsHost(lax.min, Math.min, [1, -2, 3], [0.5, 4, -1]);
  checkVmapJit(lax.max, [np.array([1, -2, 3]), np.array([0.5, 4, 3])]);
  assert.throws(
    () => lax.max(lax.complex(np.array([1]), np.array([1])), lax.complex(np.array([1]), np.array([1]))),
    /max: argument 'x' has dtype complex64/,
  );
});

test("grads of add/sub/mul/div against host finite differences, and the dot-product test of the linear ones", () => {
  checkGrad2VsHost(lax.add, (x, y) => x + y, [1, -2], [3, 0.5]);
  checkGrad2VsHost(lax.sub, (x, y) => x - y, [1, -2], [3, 0.5]);
  checkGrad2VsHost(lax.mul, (x, y) => x * y, [1, -2], [3, 0.5]);
  checkGrad2VsHost(lax.div, (x, y) => x / y, [1, -2], [3, 0.5]);
  checkGradVsHost(lax.neg, (x) => -x, [1, -2]);
  const c = np.array([2, -3, 0.5]);
  // Linear maps of x: <J v, w> = <v, Jᵀ w> (jvp vs vjp).
  checkGrads((x: Array) => lax.add(x, c), [np.array([1, 2, 3])], { modes: ["rev"] });
  checkGrads((x: Array) => lax.sub(c, x), [np.array([1, 2, 3])], { modes: ["rev"] });
  checkGrads((x: Array) => lax.mul(c, x), [np.array([1, 2, 3])], { modes: ["rev"] });
  checkGrads((x: Array) => lax.div(x, c), [np.array([1, 2, 3])], { modes: ["rev"] });
  checkGrads((x: Array) => lax.neg(x), [np.array([1, 2, 3])], { modes: ["rev"] });
});

test("integer ops have no tangent: jvp through an integer path gives zeros", () => {
  const f = (x: Array) => lax.convertElementType(lax.add(lax.convertElementType(x, "int32"), i32([1, 1])), "float32");
  const [, t] = jvp(f, [np.array([1.5, 2.5])], [np.array([1, 1])]) as Array[];
  assertClose(t, [0, 0]);
});

test("lax-level errors: mismatched shapes, mismatched dtypes, unsupported dtypes name the op", () => {
  assert.throws(
    () => lax.add(np.array([1, 2]), np.array([1, 2, 3])),
    (e: unknown) => e instanceof ShapeError && /add: .*equal shapes.*\[2\] and \[3\]/.test((e as Error).message),
  );
  assert.throws(
    () => lax.mul(np.array([1]), i32([1])),
    (e: unknown) => e instanceof DTypeError && /mul: .*equal dtypes.*float32 and int32/.test((e as Error).message),
  );
  assert.throws(
    () => lax.add(np.array([true]), np.array([false])),
    (e: unknown) => e instanceof DTypeError && /add: argument 'x' has dtype bool/.test((e as Error).message),
  );
  assert.throws(
    () => lax.exp(i32([1])),
    (e: unknown) =>
      e instanceof DTypeError &&
      /exp: argument 'x' has dtype int32, which exp does not support \(supported: float32, complex64, float16, bfloat16\)/.test(
        (e as Error).message,
      ),
  );
  assert.throws(() => lax.sub(u32([1]), i32([1])), DTypeError);
});

test("vmap of binary ops with mixed batched/unbatched operands and non-leading batch axes", () => {
  const x = np.array([
    [1, 2, 3],
    [4, 5, 6],
  ]);
  const y = np.array([10, 20, 30]);
  // inAxes 1 for x: the mapped axis has size 3; y unbatched.
  const out = vmap((a: Array, b: Array) => lax.mul(a, b), { inAxes: [1, null] })(x, np.array([10, 20]));
  assertClose(out, [10, 80, 20, 100, 30, 120], { shape: [3, 2] });
  const out2 = vmap((a: Array) => lax.sub(a, y))(x);
  assertClose(out2, [-9, -18, -27, -6, -15, -24], { shape: [2, 3] });
  assertClose(
    jit((a: Array, b: Array) => lax.div(a, b))(
      x,
      np.array([
        [1, 2, 4],
        [8, 5, 2],
      ]),
    ),
    [1, 1, 0.75, 0.5, 1, 3],
  );
});
