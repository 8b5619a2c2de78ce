// Comparisons, logical/bitwise ops, shifts, population count, clz, selectN, clamp and
// bitcastConvertType: values per dtype, edge cases, JVP/transpose/batching rules.
import { test } from "node:test";
import assert from "node:assert/strict";
import { np, lax, grad, jvp, vjp, vmap, jit, DTypeError, ShapeError, type Array } from "linax-ts";
import { assertClose, assertEqualArray, checkGrads, checkJit, checkVmap } from "@linax-ts/testing";
import { checkVmapJit, complexArray, fd, f32 } from "./elementwise-host-checks.ts";

const i32 = (v: number[]) => np.array(v, { dtype: "int32" });
const u32 = (v: number[]) => np.array(v, { dtype: "uint32" });
const b = (v: boolean[]) => np.array(v);

test("comparisons per dtype (NaN, signed zero, uint32 order, bool, complex equality)", () => {
  const x = np.array([1, NaN, -0, 2, -Infinity]);
  const y = np.array([2, NaN, 0, 2, -Infinity]);
  assertEqualArray(lax.eq(x, y), [0, 0, 1, 1, 1], "bool");
  assertEqualArray(lax.ne(x, y), [1, 1, 0, 0, 0], "bool");
  assertEqualArray(lax.lt(x, y), [1, 0, 0, 0, 0], "bool");
  assertEqualArray(lax.le(x, y), [1, 0, 1, 1, 1], "bool");
  assertEqualArray(lax.gt(x, y), [0, 0, 0, 0, 0], "bool");
  assertEqualArray(lax.ge(x, y), [0, 0, 1, 1, 1], "bool");
  assertEqualArray(lax.lt(i32([-5, 3]), i32([2, 3])), [1, 0], "bool");
  assertEqualArray(lax.gt(u32([4294967295, 0]), u32([1, 1])), [1, 0], "bool");
  assertEqualArray(lax.lt(b([false, true]), b([true, true])), [1, 0], "bool");
  const z = complexArray([
    [1, 2],
    [1, 2],
  ]);
  const w = complexArray([
    [1, 2],
    [1, -2],
  ]);
  assertEqualArray(lax.eq(z, w), [1, 0], "bool");
  assertEqualArray(lax.ne(z, w), [0, 1], "bool");
  assert.throws(
    () => lax.lt(z, w),
    (e: unknown) => e instanceof DTypeError && /lt: argument 'x' has dtype complex64/.test((e as Error).message),
  );
  assert.equal(lax.eq(np.asArray(1), np.asArray(1)).aval.weakType, false, "comparisons give strong bools");
  assertEqualArray(lax.isFinite(np.array([1, NaN, Infinity, -Infinity, -0])), [1, 0, 0, 0, 1], "bool");
  assert.throws(() => lax.isFinite(i32([1])), /isFinite: argument 'x' has dtype int32/);
  // No derivative flows through a comparison.
  assertClose(
    grad((v: Array) => lax.reduceSum(lax.select(lax.lt(v, lax.fullLike(v, 0)), v, v), [0]))(np.array([1, -1])) as Array,
    [1, 1],
  );
});

test("not/and/or/xor: logical on bool, bitwise on int32/uint32", () => {
  assertEqualArray(lax.bitwiseNot(b([true, false])), [0, 1], "bool");
  assertEqualArray(lax.bitwiseNot(i32([0, -1, 5])), [-1, 0, -6], "int32");
  assertEqualArray(lax.bitwiseNot(u32([0, 4294967295])), [4294967295, 0], "uint32");
  assertEqualArray(lax.bitwiseAnd(b([true, true, false]), b([true, false, false])), [1, 0, 0], "bool");
  assertEqualArray(lax.bitwiseOr(b([true, false, false]), b([false, false, true])), [1, 0, 1], "bool");
  assertEqualArray(lax.bitwiseXor(b([true, true, false]), b([true, false, false])), [0, 1, 0], "bool");
  assertEqualArray(lax.bitwiseAnd(i32([12, -1]), i32([10, -2147483648])), [8, -2147483648], "int32");
  assertEqualArray(lax.bitwiseOr(u32([0x80000000, 1]), u32([1, 2])), [0x80000001, 3], "uint32");
  assertEqualArray(lax.bitwiseXor(u32([0xffffffff]), u32([0x0f0f0f0f])), [0xf0f0f0f0], "uint32");
  assert.throws(() => lax.bitwiseAnd(np.array([1]), np.array([1])), /and: argument 'x' has dtype float32/);
});

test("shifts: XLA semantics for amounts >= 32 and negative amounts, arithmetic vs logical", () => {
  assertEqualArray(
    lax.shiftLeft(i32([1, 1, 1, 1, -1, 3]), i32([0, 31, 32, 33, 1, -1])),
    [1, -2147483648, 0, 0, -2, 0],
    "int32",
  );
  assertEqualArray(lax.shiftRightLogical(i32([-8, -8, 8, -1]), i32([1, 32, 2, 28])), [0x7ffffffc, 0, 2, 15], "int32");
  assertEqualArray(
    lax.shiftRightArithmetic(i32([-8, -8, 8, -1, 5]), i32([1, 32, 2, 40, -3])),
    [-4, -1, 2, -1, 0],
    "int32",
  );
  assertEqualArray(lax.shiftRightLogical(u32([0x80000000, 0xffffffff]), u32([31, 4])), [1, 0x0fffffff], "uint32");
  assertEqualArray(lax.shiftRightArithmetic(u32([0x80000000]), u32([4])), [0xf8000000], "uint32");
  assertEqualArray(lax.shiftLeft(u32([0xffffffff, 1]), u32([4, 100])), [0xfffffff0, 0], "uint32");
  assert.throws(() => lax.shiftLeft(b([true]), b([true])), /shiftLeft: argument 'x' has dtype bool/);
  checkVmapJit(lax.shiftLeft, [i32([1, 2, 3]), i32([1, 0, 31])]);
});

test("populationCount and clz", () => {
  assertEqualArray(lax.populationCount(i32([0, 1, 7, -1, -2147483648, 0x55555555])), [0, 1, 3, 32, 1, 16], "int32");
  assertEqualArray(lax.populationCount(u32([0xffffffff, 0x80000001])), [32, 2], "uint32");
  assertEqualArray(lax.clz(i32([0, 1, -1, 0x00010000])), [32, 31, 0, 15], "int32");
  assertEqualArray(lax.clz(u32([0x80000000, 255])), [0, 24], "uint32");
});

test("selectN: bool and int32 selectors, scalar selector, complex cases, clamped indices", () => {
  const c0 = np.array([1, 2, 3, 4]);
  const c1 = np.array([10, 20, 30, 40]);
  const c2 = np.array([100, 200, 300, 400]);
  assertClose(lax.selectN(b([true, false, true, false]), c0, c1), [10, 2, 30, 4]);
  assertClose(lax.select(b([true, false, true, false]), c1, c0), [10, 2, 30, 4]);
  assertClose(lax.selectN(i32([2, 0, 1, 2]), c0, c1, c2), [100, 2, 30, 400]);
  // XLA leaves out-of-range indices undefined; the reference clamps them.
  assertClose(lax.selectN(i32([-3, 7, 1, 0]), c0, c1, c2), [1, 200, 30, 4]);
  assertClose(lax.selectN(np.asArray(true), c0, c1), [10, 20, 30, 40]);
  assertClose(
    lax.selectN(
      i32([1, 0]),
      complexArray([
        [1, 2],
        [3, 4],
      ]),
      complexArray([
        [5, 6],
        [7, 8],
      ]),
    ),
    [5, 6, 3, 4],
    { dtype: "complex64" },
  );
  assertEqualArray(lax.selectN(b([true, false]), i32([1, 2]), i32([3, 4])), [3, 2], "int32");
  assert.throws(
    () => lax.selectN(b([true, false, true, false]), c0, c1, c2),
    (e: unknown) =>
      e instanceof DTypeError && /bool 'which' selects between at most 2 cases/.test((e as Error).message),
  );
  assert.throws(
    () => lax.selectN(np.array([1, 0, 1, 0]), c0, c1),
    /selectN: argument 'which' has dtype float32; expected bool or int32/,
  );
  assert.throws(
    () => lax.selectN(b([true, false]), c0, c1),
    (e: unknown) =>
      e instanceof ShapeError && /'which' must be a scalar or have the shape of the cases/.test((e as Error).message),
  );
  assert.throws(() => lax.selectN(b([true, false, true, false]), c0, i32([1, 2, 3, 4])), DTypeError);
});

test("selectN: JVP selects tangents, transpose sends the cotangent to the chosen case", () => {
  const which = i32([0, 2, 1]);
  const cases: [Array, Array, Array] = [np.array([1, 2, 3]), np.array([4, 5, 6]), np.array([7, 8, 9])];
  const [, t] = jvp((a: Array, bb: Array, c: Array) => lax.selectN(which, a, bb, c), cases, [
    np.array([1, 1, 1]),
    np.array([2, 2, 2]),
    np.array([3, 3, 3]),
  ]);
  assertClose(t, [1, 3, 2]);
  const [, pb] = vjp((a: Array, bb: Array, c: Array) => lax.selectN(which, a, bb, c), ...cases);
  const [g0, g1, g2] = pb(np.array([10, 20, 30]));
  assertClose(g0, [10, 0, 0]);
  assertClose(g1, [0, 0, 30]);
  assertClose(g2, [0, 20, 0]);
  // Bool selector and a scalar selector; only one case linear.
  const [, pb2] = vjp((a: Array) => lax.selectN(b([true, false, false]), a, np.array([0, 0, 0])), np.array([1, 2, 3]));
  assertClose(pb2(np.array([1, 1, 1]))[0] as Array, [0, 1, 1]);
  const [, pb3] = vjp((a: Array) => lax.selectN(np.asArray(true), np.array([0, 0]), a), np.array([1, 2]));
  assertClose(pb3(np.array([5, 6]))[0] as Array, [5, 6]);
  // Dot-product test of the linear map (cases) ↦ selectN(which, cases).
  checkGrads((a: Array, bb: Array, c: Array) => lax.selectN(which, a, bb, c), cases, { modes: ["rev"] });
  // Integer cases carry no tangent.
  const [, ti] = jvp(
    (x: Array) =>
      lax.convertElementType(lax.selectN(b([true]), i32([1]), lax.convertElementType(x, "int32")), "float32"),
    [np.array([2])],
    [np.array([1])],
  ) as Array[];
  assertClose(ti, [0]);
});

test("selectN batching: every combination of batched selector and cases matches stacking", () => {
  const W = b([true, false, true, false, false, true]).reshape([2, 3]);
  const A = np.array([1, 2, 3, 4, 5, 6]).reshape([2, 3]);
  const B = np.array([10, 20, 30, 40, 50, 60]).reshape([2, 3]);
  const a = np.array([7, 8, 9]);
  const w = b([false, true, true]);
  checkVmap((ww: Array, x: Array, y: Array) => lax.selectN(ww, x, y), [W, A, B]);
  checkVmap((x: Array) => lax.selectN(w, x, a), [A]);
  checkVmap((ww: Array) => lax.selectN(ww, a, a.mul(2)), [W]);
  // A batched scalar selector (shape [2] under vmap) against unbatched and batched cases.
  const ws = b([true, false]);
  assertClose(vmap((s: Array) => lax.selectN(s, a, a.mul(-1)))(ws), [-7, -8, -9, 7, 8, 9], { shape: [2, 3] });
  assertClose(vmap((s: Array, x: Array) => lax.selectN(s, x, a))(ws, A), [7, 8, 9, 4, 5, 6], { shape: [2, 3] });
  // Batch axis not in front.
  assertClose(vmap((x: Array) => lax.selectN(w, x, a), { inAxes: 1 })(A.T), [1, 8, 9, 4, 8, 9], { shape: [2, 3] });
  checkJit((ww: Array, x: Array, y: Array) => lax.selectN(ww, x, y), [w, a, a.mul(3)]);
  // Gradients through a vmapped select.
  const g = grad((x: Array) => lax.reduceSum(vmap((r: Array) => lax.selectN(w, r, a))(x), [0, 1]))(A) as Array;
  assertClose(g, [1, 0, 0, 1, 0, 0], { shape: [2, 3] });
});

test("clamp: values with scalar and array bounds, NaN, integers", () => {
  const x = np.array([-2, 0.5, 3, NaN]);
  assertClose(lax.clamp(np.asArray(-1, "float32"), x, np.asArray(1, "float32")), [-1, 0.5, 1, NaN]);
  assertClose(lax.clamp(np.array([0, 0, 0, 0]), x, np.array([1, 0.2, 5, 1])), [0, 0.2, 3, NaN]);
  assertEqualArray(lax.clamp(i32([0]).reshape([]), i32([-5, 3, 9]), i32([5]).reshape([])), [0, 3, 5], "int32");
  assert.throws(
    () => lax.clamp(np.array([0, 1]), x, np.asArray(1, "float32")),
    (e: unknown) =>
      e instanceof ShapeError && /clamp: argument 'min' must be a scalar or have x's shape/.test((e as Error).message),
  );
  assert.throws(
    () => lax.clamp(i32([0]).reshape([]), x, np.asArray(1, "float32")),
    (e: unknown) =>
      e instanceof DTypeError &&
      /clamp: argument 'min' has dtype int32 but x has dtype float32/.test((e as Error).message),
  );
  assert.throws(
    () => lax.clamp(b([true]).reshape([]), b([true]), b([true]).reshape([])),
    /clamp: argument 'x' has dtype bool/,
  );
});

test("clamp: JAX's JVP (no tangent at ties), grads against host differences, batching", () => {
  const lo = np.array([0, 0, 0, 0, 0]);
  const hi = np.array([1, 1, 1, 1, 1]);
  const xs = np.array([-1, 0, 0.5, 1, 2]);
  const loss = (l: Array, x: Array, h: Array) => lax.reduceSum(lax.clamp(l, x, h), [0]);
  const [gl, gx, gh] = grad(loss, { argnums: [0, 1, 2] })(lo, xs, hi);
  assertClose(gx, [0, 0, 1, 0, 0]);
  assertClose(gl, [1, 0, 0, 0, 0]);
  assertClose(gh, [0, 0, 0, 0, 1]);
  // Away from ties the gradient is the host finite difference in each argument.
  const host = (l: number, x: number, h: number) => Math.min(Math.max(x, l), h);
  const pts: [number, number, number][] = [
    [0.1, -1, 1],
    [0, 0.4, 1],
    [-0.5, 3, 2],
  ];
  const [pl, px, ph] = [0, 1, 2].map((k) => np.array(pts.map((p) => p[k])));
  const [al, ax, ah] = grad(loss, { argnums: [0, 1, 2] })(pl, px, ph);
  assertClose(
    al,
    pts.map(([l, x, h]) => fd((t) => host(t, x, h), f32(l), 1e-4)),
  );
  assertClose(
    ax,
    pts.map(([l, x, h]) => fd((t) => host(l, t, h), f32(x), 1e-4)),
  );
  assertClose(
    ah,
    pts.map(([l, x, h]) => fd((t) => host(l, x, t), f32(h), 1e-4)),
  );
  // Scalar bounds: their gradient sums over the elements they clamp.
  const gs = grad((l: Array) => lax.reduceSum(lax.clamp(l, xs, np.asArray(1, "float32")), [0]))(
    np.asArray(0, "float32"),
  ) as Array;
  assertClose(gs, [1]);
  // Batching: batched x with scalar bounds, batched scalar bounds, batched array bounds.
  const X = np.array([-1, 0.5, 2, 3, -3, 0.2]).reshape([2, 3]);
  checkVmap((x: Array) => lax.clamp(np.asArray(0, "float32"), x, np.asArray(1, "float32")), [X]);
  assertClose(
    vmap((l: Array) => lax.clamp(l, np.array([-1, 0.5, 2]), np.asArray(1, "float32")))(np.array([0, 0.7])),
    [0, 0.5, 1, 0.7, 0.7, 1],
    {
      shape: [2, 3],
    },
  );
  checkVmap((l: Array, x: Array, h: Array) => lax.clamp(l, x, h), [X.mul(0).sub(0.5), X, X.mul(0).add(1)]);
  checkJit((x: Array) => lax.clamp(np.asArray(0, "float32"), x, np.asArray(1, "float32")), [xs]);
});

test("bitcastConvertType reinterprets 32-bit patterns (the PRNG's uint32 → float32 step)", () => {
  assertEqualArray(
    lax.bitcastConvertType(np.array([1, -0, -2]), "uint32"),
    [0x3f800000, 0x80000000, 0xc0000000],
    "uint32",
  );
  assertEqualArray(lax.bitcastConvertType(np.array([-0]), "int32"), [-2147483648], "int32");
  // jax.random.uniform: bits >> 9 | 0x3f800000, bitcast to float32, minus 1.
  const bits = u32([0xffffffff, 0, 0x80000000]);
  const mant = lax.bitwiseOr(lax.shiftRightLogical(bits, u32([9, 9, 9])), u32([0x3f800000, 0x3f800000, 0x3f800000]));
  assertClose(lax.sub(lax.bitcastConvertType(mant, "float32"), np.array([1, 1, 1])), [1 - 2 ** -23, 0, 0.5], {
    rtol: 0,
    atol: 0,
  });
  // NaN payloads survive a round trip.
  assertEqualArray(
    lax.bitcastConvertType(lax.bitcastConvertType(u32([0x7fc00001, 0xff800000]), "float32"), "uint32"),
    [0x7fc00001, 0xff800000],
    "uint32",
  );
  assert.throws(
    () => lax.bitcastConvertType(np.array([1]), "bool"),
    /bitcastConvertType: cannot reinterpret 32-bit elements as bool/,
  );
  assert.throws(() => lax.bitcastConvertType(b([true]), "int32"), /bitcastConvertType: argument 'x' has dtype bool/);
  const [, t] = jvp(
    (x: Array) => lax.bitcastConvertType(lax.bitcastConvertType(x, "int32"), "float32"),
    [np.array([1.5])],
    [np.array([1])],
  ) as Array[];
  assertClose(t, [0]);
  checkVmapJit((x) => lax.bitcastConvertType(x, "uint32"), [np.array([1, -2, 0.5])]);
  assertEqualArray(
    jit((x: Array) => lax.bitcastConvertType(x, "float32"))(u32([0x40490fdb])),
    [f32(Math.PI)],
    "float32",
  );
});
