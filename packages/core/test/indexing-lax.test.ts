import { test } from "node:test";
import assert from "node:assert/strict";
import {
  np,
  lax,
  grad,
  jvp,
  DTYPES,
  DTypeError,
  IndexError,
  ShapeError,
  ValueError,
  type Array,
  type ArrayLike,
  type DType,
} from "linax-ts";
import { assertClose, toFlat } from "@linax-ts/testing";
import { dotProductTest, jitMatches, randArray, vmapVsLoop } from "./linear-map-transform-checks.ts";

const idx = (v: ArrayLike): Array => np.array(v, { dtype: "int32" });
// Row gather from a 2-d operand: one index per row, whole rows out.
const ROWS = { offsetDims: [1], collapsedSliceDims: [0], startIndexMap: [0] };
// Element scatter into a 1-d operand: one index per update.
const ELEMS = { updateWindowDims: [], insertedWindowDims: [0], scatterDimsToOperandDims: [0] };

function mk(dtype: DType, vals: number[]): Array {
  if (dtype === "complex64") return np.array(new Float32Array(vals.flatMap((v) => [v, v === 0 ? 0 : -v])), { dtype });
  return np.array(
    vals.map((v) => (dtype === "bool" ? v !== 0 : v)),
    { dtype },
  );
}
function flatOf(dtype: DType, vals: number[]): number[] {
  if (dtype === "complex64") return vals.flatMap((v) => [v, v === 0 ? 0 : -v]);
  if (dtype === "bool") return vals.map((v) => (v !== 0 ? 1 : 0));
  return vals;
}

for (const dtype of DTYPES) {
  test(`gather rows with fill / clip and the default fill value (${dtype})`, () => {
    const x = mk(dtype, [1, 2, 0, 4, 5, 6]).reshape(3, 2);
    const i = idx([[2], [0], [3], [-1]]);
    const fill: Record<DType, number[]> = {
      float32: [NaN, NaN],
      int32: [-2147483648, -2147483648],
      uint32: [4294967295, 4294967295],
      bool: [1, 1],
      complex64: [NaN, 0, NaN, 0],
      float16: [NaN, NaN],
      bfloat16: [NaN, NaN],
    };
    const got = toFlat(lax.gather(x, i, ROWS, [1, 2], { mode: "fill" }));
    const want = [...flatOf(dtype, [5, 6, 1, 2]), ...fill[dtype], ...fill[dtype]];
    assert.equal(got.length, want.length);
    got.forEach((g, k) => assert.ok(Object.is(g, want[k]) || g === want[k], `element ${k}: ${g} vs ${want[k]}`));
    assert.deepEqual(toFlat(lax.gather(x, i, ROWS, [1, 2], { mode: "clip" })), flatOf(dtype, [5, 6, 1, 2, 5, 6, 1, 2]));
    assert.deepEqual(
      toFlat(lax.gather(x, i, ROWS, [1, 2], { mode: "fill", fillValue: 0 })),
      flatOf(dtype, [5, 6, 1, 2, 0, 0, 0, 0]),
    );
    // The default (JAX's) is promise_in_bounds, which clamps like "clip" here.
    assert.deepEqual(toFlat(lax.gather(x, i, ROWS, [1, 2])), flatOf(dtype, [5, 6, 1, 2, 5, 6, 1, 2]));
  });

  test(`scatter family values, collisions and dropped windows (${dtype})`, () => {
    const x = mk(dtype, [1, 1, 0, 1]);
    const i = idx([[1], [1], [3], [7]]); // 7 is out of bounds: dropped in the default mode
    const u = mk(dtype, [2, 3, 1, 5]);
    assert.deepEqual(toFlat(lax.scatter(x, i, u, ELEMS)), flatOf(dtype, [1, 3, 0, 1]));
    if (dtype === "bool") {
      // numpy's bool arithmetic: add = or, mul = and; min = and, max = or.
      const xb = mk(dtype, [0, 1, 0, 1]);
      const ub = mk(dtype, [1, 0, 1, 1]);
      const ib = idx([[0], [1], [2], [2]]);
      assert.deepEqual(toFlat(lax.scatterAdd(xb, ib, ub, ELEMS)), [1, 1, 1, 1]);
      assert.deepEqual(toFlat(lax.scatterMul(xb, ib, ub, ELEMS)), [0, 0, 0, 1]);
      assert.deepEqual(toFlat(lax.scatterMin(xb, ib, ub, ELEMS)), [0, 0, 0, 1]);
      assert.deepEqual(toFlat(lax.scatterMax(xb, ib, ub, ELEMS)), [1, 1, 1, 1]);
      return;
    }
    assert.deepEqual(toFlat(lax.scatterAdd(x, i, u, ELEMS)), flatOf(dtype, [1, 6, 0, 2]));
    assert.deepEqual(toFlat(lax.scatter(x, i, u, ELEMS, { mode: "clip" })), flatOf(dtype, [1, 3, 0, 5]));
    if (dtype === "complex64") {
      // (1-i)(2-2i)(3-3i) = -12-12i and (1-i)(1-i) = -2i; lexicographic max of 1-i, 2-2i, 3-3i is 3-3i.
      assert.deepEqual(toFlat(lax.scatterMul(x, i, u, ELEMS)), [1, -1, -12, -12, 0, 0, 0, -2]);
      assert.deepEqual(toFlat(lax.scatterMax(x, i, u, ELEMS)), flatOf(dtype, [1, 3, 0, 1]));
      assert.deepEqual(toFlat(lax.scatterMin(x, i, u, ELEMS)), flatOf(dtype, [1, 1, 0, 1]));
      return;
    }
    assert.deepEqual(toFlat(lax.scatterMul(x, i, u, ELEMS)), [1, 6, 0, 1]);
    assert.deepEqual(toFlat(lax.scatterMin(x, i, u, ELEMS)), [1, 1, 0, 1]);
    assert.deepEqual(toFlat(lax.scatterMax(x, i, u, ELEMS)), [1, 3, 0, 1]);
  });
}

test("integer scatterMul wraps modulo 2^32 exactly; float NaN propagates through min/max", () => {
  const big = np.array([65537], { dtype: "int32" });
  assert.deepEqual(lax.scatterMul(big, idx([[0]]), big, ELEMS).tolist(), [131073]);
  assert.ok(Number.isNaN((lax.scatterMax(np.array([1]), idx([[0]]), np.array([NaN]), ELEMS).tolist() as number[])[0]));
});

test("gather / scatter with operand and indices batching dims", () => {
  const x = np.array([
    [1, 2, 3],
    [4, 5, 6],
  ]);
  const i = idx([[2], [0]]);
  const dn = {
    offsetDims: [],
    collapsedSliceDims: [1],
    startIndexMap: [1],
    operandBatchingDims: [0],
    startIndicesBatchingDims: [0],
  };
  assert.deepEqual(lax.gather(x, i, dn, [1, 1]).tolist(), [3, 4]);
  const sdn = {
    updateWindowDims: [],
    insertedWindowDims: [1],
    scatterDimsToOperandDims: [1],
    operandBatchingDims: [0],
    scatterIndicesBatchingDims: [0],
  };
  assert.deepEqual(lax.scatterAdd(x, i, np.array([10, 20]), sdn).tolist(), [
    [1, 2, 13],
    [24, 5, 6],
  ]);
  // A 2-d window gather: 2×2 patches starting at (r, c), clamped in "clip" mode.
  const m = np.arange(16).reshape(4, 4);
  const patches = lax.gather(
    m,
    idx([
      [0, 0],
      [3, 3],
    ]),
    { offsetDims: [1, 2], collapsedSliceDims: [], startIndexMap: [0, 1] },
    [2, 2],
    { mode: "clip" },
  );
  assert.deepEqual(patches.tolist(), [
    [
      [0, 1],
      [4, 5],
    ],
    [
      [10, 11],
      [14, 15],
    ],
  ]);
});

test("gather / scatter errors name the op and the bad dimension numbers", () => {
  const x = np.zeros([3, 2]);
  assert.throws(() => lax.gather(x, np.array([[0]]), ROWS, [1, 2]), DTypeError);
  assert.throws(
    () => lax.gather(x, idx([[0]]), ROWS, [1, 3]),
    (e: Error) => e instanceof IndexError && /axis 1 slice size 3 must be in \[0, 2\]/.test(e.message),
  );
  assert.throws(
    () => lax.gather(x, idx([[0]]), ROWS, [2, 2]),
    /collapsed\/batching operand axis 0 must have slice size <= 1/,
  );
  assert.throws(
    () => lax.gather(x, idx([[0, 0]]), ROWS, [1, 2]),
    /startIndexMap \[0\] has 1 entries but the index vectors .* have 2/,
  );
  assert.throws(
    () => lax.gather(x, idx([[0]]), { offsetDims: [], collapsedSliceDims: [0], startIndexMap: [0] }, [1, 2]),
    /offsetDims \[\] must have one entry per operand axis/,
  );
  assert.throws(
    () => lax.gather(x, idx([[0]]), { offsetDims: [2], collapsedSliceDims: [0], startIndexMap: [0] }, [1, 2]),
    (e: Error) => e instanceof ShapeError && /offsetDims \[2\]/.test(e.message),
  );
  assert.throws(() => lax.gather(x, idx([[0]]), ROWS, [1, 2], { mode: "wrap" as never }), ValueError);
  assert.throws(
    () => lax.scatterAdd(np.zeros([4]), idx([[0]]), np.zeros([1, 2]), ELEMS),
    /updates of shape \[1, 2\] must have rank 1/,
  );
  assert.throws(
    () => lax.scatterAdd(np.zeros([4]), idx([[0], [1]]), np.zeros([3]), ELEMS),
    /indices' batch shape \[2\]/,
  );
  assert.throws(() => lax.scatterAdd(np.zeros([4]), idx([[0]]), np.zeros([1], { dtype: "int32" }), ELEMS), DTypeError);
  assert.throws(
    () =>
      lax.scatter(np.zeros([2, 2]), idx([[0]]), np.zeros([1, 3]), {
        updateWindowDims: [1],
        insertedWindowDims: [0],
        scatterDimsToOperandDims: [0],
      }),
    /update window axis 1 \(size 3\) is larger than operand axis 1/,
  );
  assert.throws(
    () => lax.gather(x, idx([[0]]), { ...ROWS, operandBatchingDims: [1], startIndicesBatchingDims: [0] }, [1, 1]),
    /batching axis 1 \(size 2\) and indices batching axis 0 \(size 1\)/,
  );
});

test("dot-product tests: gather (fill and clip) and scatterAdd / unique scatter in each operand", () => {
  const x = randArray([5, 3], 1);
  const i = idx([[4], [1], [1], [9], [-2]]);
  dotProductTest((v) => lax.gather(v, i, ROWS, [1, 3], { mode: "fill" }), x);
  dotProductTest((v) => lax.gather(v, i, ROWS, [1, 3], { mode: "clip" }), x);
  dotProductTest(
    (v) =>
      lax.gather(
        v,
        idx([
          [2, 0],
          [0, 1],
        ]),
        { offsetDims: [1], collapsedSliceDims: [0], startIndexMap: [0, 1] },
        [1, 2],
        { mode: "clip" },
      ),
    randArray([4, 3], 2, "complex64"),
  );
  const rowsIn = { updateWindowDims: [1], insertedWindowDims: [0], scatterDimsToOperandDims: [0] };
  const u = randArray([5, 3], 3);
  dotProductTest((v) => lax.scatterAdd(v, i, u, rowsIn), x);
  dotProductTest((w) => lax.scatterAdd(x, i, w, rowsIn), u);
  const ui = idx([[3], [0], [9]]);
  const uu = randArray([3, 3], 4);
  dotProductTest((v) => lax.scatter(v, ui, uu, rowsIn, { uniqueIndices: true }), x);
  dotProductTest((w) => lax.scatter(x, ui, w, rowsIn, { uniqueIndices: true }), uu);
});

test("JVPs of scatter (colliding set), scatterMul and scatterMin/Max follow JAX's rules", () => {
  const i = idx([[0], [0], [2]]);
  const x = np.array([1, 2, 3]);
  const u = np.array([4, 5, 6]);
  const dx = np.array([0.1, 0.2, 0.3]);
  const du = np.array([1, 10, 100]);
  // set: the last colliding update (5) wins element 0; element 1 keeps x.
  const [, ts] = jvp((a: Array, b: Array) => lax.scatter(a, i, b, ELEMS), [x, u], [dx, du]) as Array[];
  assertClose(ts, [10, 0.2, 100]);
  // mul: out0 = x0·u0·u1 → dx0·20 + x0·(du0·5 + du1·4); out2 = x2·u2 → dx2·6 + x2·du2.
  const [pm, tm] = jvp((a: Array, b: Array) => lax.scatterMul(a, i, b, ELEMS), [x, u], [dx, du]) as Array[];
  assertClose(pm, [20, 2, 18]);
  assertClose(tm, [0.1 * 20 + 1 * (1 * 5 + 10 * 4), 0.2, 0.3 * 6 + 3 * 100], { rtol: 1e-5 });
  // mul with a zero update: Π_{k≠j} must not divide by zero.
  const [, tz] = jvp((b: Array) => lax.scatterMul(x, i, b, ELEMS), [np.array([0, 5, 6])], [du]) as Array[];
  assertClose(tz, [1 * 5, 0, 300]);
  // max with a three-way tie at element 0 (x0 = u0 = u1 = 4): average of the three tangents.
  const [pM, tM] = jvp(
    (a: Array, b: Array) => lax.scatterMax(a, i, b, ELEMS),
    [np.array([4, 2, 7]), np.array([4, 4, 6])],
    [dx, du],
  ) as Array[];
  assertClose(pM, [4, 2, 7]);
  assertClose(tM, [(0.1 + 1 + 10) / 3, 0.2, 0.3], { rtol: 1e-5 });
  const [, tmin] = jvp((b: Array) => lax.scatterMin(x, i, b, ELEMS), [np.array([0, 5, 2])], [du]) as Array[];
  assertClose(tmin, [1, 0, 100]);
});

test("reverse mode through scatterMul / scatterMin / scatterMax (operand and updates)", () => {
  const i = idx([[0], [0], [2]]);
  // scatterMul is linear in the operand: its transpose is checked by the dot-product test.
  dotProductTest((v) => lax.scatterMul(v, i, np.array([2, -3, 0.5]), ELEMS), np.array([1, 2, 3]));
  const w = np.array([1, 10, 100]);
  const loss = (fn: typeof lax.scatterMul) => (a: Array, b: Array) =>
    lax.reduceSum(lax.mul(fn(a, i, b, ELEMS), w), [0]);
  const [gx, gu] = grad(loss(lax.scatterMul), { argnums: [0, 1] })(np.array([1, 2, 3]), np.array([4, 5, 6])) as Array[];
  assertClose(gx, [20, 10, 600]);
  assertClose(gu, [5, 4, 300]);
  // max: element 0 is won by u1 = 5 alone; element 2 ties x2 = u2 = 6 (half each).
  const [mx, mu] = grad(loss(lax.scatterMax), { argnums: [0, 1] })(np.array([1, 2, 6]), np.array([4, 5, 6])) as Array[];
  assertClose(mx, [0, 10, 50]);
  assertClose(mu, [0, 1, 50]);
  const [nx, nu] = grad(loss(lax.scatterMin), { argnums: [0, 1] })(np.array([1, 2, 3]), np.array([4, 0, 6])) as Array[];
  assertClose(nx, [0, 10, 100]);
  assertClose(nu, [0, 1, 0]);
});

test("grad through gather / scatterAdd matches finite differences", () => {
  const xv = [0.5, -0.3, 1.2, 0.8];
  const i = idx([[3], [0], [3]]);
  const f = (v: Array) =>
    lax.reduceSum(
      lax.sin(
        lax.scatterAdd(
          lax.mul(v, v),
          i,
          lax.gather(v, idx([[1], [2], [0]]), { offsetDims: [], collapsedSliceDims: [0], startIndexMap: [0] }, [1]),
          ELEMS,
        ),
      ),
      [0],
    );
  const host = (v: number[]) => {
    const y = v.map((a) => a * a);
    y[3] += v[1];
    y[0] += v[2];
    y[3] += v[0];
    return y.reduce((s, a) => s + Math.sin(a), 0);
  };
  const h = 1e-3;
  const fd = xv.map((_, k) => {
    const p = [...xv];
    const m = [...xv];
    p[k] += h;
    m[k] -= h;
    return (host(p) - host(m)) / (2 * h);
  });
  assertClose(grad(f)(np.array(xv)) as Array, fd, { rtol: 1e-3, atol: 1e-3 });
});

test("vmap of gather and the scatter family vs a stacked loop (operand / indices / both batched)", () => {
  const xs = randArray([3, 5, 2], 1);
  const x0 = randArray([5, 2], 2);
  const is = idx([
    [[4], [0]],
    [[1], [1]],
    [[7], [2]],
  ]); // [3, 2, 1]; 7 is out of bounds
  const i0 = idx([[3], [3]]);
  const g = (v: Array, i: Array) => lax.gather(v, i, ROWS, [1, 2], { mode: "fill", fillValue: -1 });
  vmapVsLoop(g, [xs, i0], [0, null]);
  vmapVsLoop(g, [x0, is], [null, 0]);
  vmapVsLoop(g, [xs, is]);
  vmapVsLoop(g, [randArray([5, 2, 3], 9), is], [2, 0]);
  const rowsIn = { updateWindowDims: [1], insertedWindowDims: [0], scatterDimsToOperandDims: [0] };
  const us = randArray([3, 2, 2], 3);
  const u0 = randArray([2, 2], 4);
  for (const fn of [lax.scatter, lax.scatterAdd, lax.scatterMul, lax.scatterMin, lax.scatterMax]) {
    const s = (v: Array, i: Array, u: Array) => fn(v, i, u, rowsIn);
    vmapVsLoop(s, [xs, i0, us], [0, null, 0]);
    vmapVsLoop(s, [xs, i0, u0], [0, null, null]);
    vmapVsLoop(s, [x0, is, u0], [null, 0, null]);
    vmapVsLoop(s, [x0, i0, us], [null, null, 0]);
    vmapVsLoop(s, [xs, is, us]);
  }
});

test("jit(f) == f for gather / scatter pipelines", () => {
  const x = randArray([5, 2], 6);
  const i = idx([[1], [4], [1]]);
  jitMatches(
    (v, j) =>
      lax.scatterAdd(v, j, lax.gather(v, j, ROWS, [1, 2]), {
        updateWindowDims: [1],
        insertedWindowDims: [0],
        scatterDimsToOperandDims: [0],
      }),
    [x, i],
  );
});
