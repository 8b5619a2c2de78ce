import { test } from "node:test";
import assert from "node:assert/strict";
import { np, lax, grad, jit, vmap, DTypeError, ShapeError, ValueError, type Array, type DType } from "linax-ts";
import { assertClose, assertEqualArray } from "@linax-ts/testing";
import { arr, checkVmap, fdGrad, flat, randint, randn, rng, strides } from "./host-tensor-checks.ts";

/** Host reduction over `axes` with a float64 accumulator; `combine` folds one element in. */
function hostReduce(
  data: readonly number[],
  shape: readonly number[],
  axes: readonly number[],
  init: number,
  combine: (acc: number, v: number) => number,
): number[] {
  const outShape = shape.filter((_, i) => !axes.includes(i));
  const ost = strides(outShape);
  const out = new globalThis.Array<number>(outShape.reduce((a, b) => a * b, 1)).fill(init);
  const st = strides(shape);
  data.forEach((v, flatIdx) => {
    let o = 0;
    let k = 0;
    shape.forEach((_, d) => {
      const idx = Math.floor(flatIdx / st[d]) % shape[d];
      if (!axes.includes(d)) o += idx * ost[k++];
    });
    out[o] = combine(out[o], v);
  });
  return out;
}

const shape = [2, 3, 4];
const r = rng(7);

test("reduceSum / reduceMax / reduceMin / reduceProd match host loops for float32, int32, uint32", () => {
  const cases: [DType, number[]][] = [
    ["float32", randn(r, 24)],
    ["int32", randint(r, 24)],
    ["uint32", randint(r, 24).map((v) => v + 3)],
  ];
  for (const [dt, data] of cases) {
    const x = arr(data, shape, dt);
    for (const axes of [[0], [1], [2], [0, 2], [0, 1, 2]]) {
      assertClose(
        lax.reduceSum(x, axes),
        hostReduce(data, shape, axes, 0, (a, v) => a + v),
        { rtol: 1e-6, dtype: dt },
      );
      assertClose(lax.reduceMax(x, axes), hostReduce(data, shape, axes, -Infinity, Math.max), { dtype: dt });
      assertClose(lax.reduceMin(x, axes), hostReduce(data, shape, axes, Infinity, Math.min), { dtype: dt });
      assertClose(
        lax.reduceProd(x, axes),
        hostReduce(data, shape, axes, 1, (a, v) => a * v),
        { rtol: 1e-5, dtype: dt },
      );
    }
  }
});

test("int32 products wrap modulo 2^32 like XLA", () => {
  const x = arr([65536, 65536, 3], [3], "int32");
  assertEqualArray(lax.reduceProd(x, [0]), [0], "int32");
  assertEqualArray(lax.reduceSum(arr([2147483647, 1], [2], "int32"), [0]), [-2147483648], "int32");
});

test("complex64 reductions: sum, prod, lexicographic max/min", () => {
  // (1+2i), (3-1i), (3+0i), (-1+5i)
  const data = [1, 2, 3, -1, 3, 0, -1, 5];
  const x = arr(data, [4], "complex64");
  assertClose(lax.reduceSum(x, [0]), [6, 6], { dtype: "complex64" });
  // (1+2i)(3-i) = 5+5i; ·3 = 15+15i; ·(-1+5i) = -15+75i-15i-75 = -90+60i
  assertClose(lax.reduceProd(x, [0]), [-90, 60], { dtype: "complex64" });
  assertClose(lax.reduceMax(x, [0]), [3, 0]);
  assertClose(lax.reduceMin(x, [0]), [-1, 5]);
});

test("bool reductions: reduceAnd, reduceOr, max/min; empty reductions give identities", () => {
  const x = arr([1, 0, 1, 1, 1, 1], [2, 3], "bool");
  assertEqualArray(lax.reduceAnd(x, [1]), [0, 1], "bool");
  assertEqualArray(lax.reduceOr(x, [0]), [1, 1, 1], "bool");
  assertEqualArray(lax.reduceMax(x, [1]), [1, 1], "bool");
  assertEqualArray(lax.reduceMin(x, [1]), [0, 1], "bool");
  const e = arr([], [0, 2], "float32");
  assertClose(lax.reduceMax(e, [0]), [-Infinity, -Infinity]);
  assertClose(lax.reduceProd(e, [0]), [1, 1]);
  assertEqualArray(lax.reduceAnd(arr([], [0], "bool"), [0]), [1], "bool");
});

test("NaN propagates through max/min; argmax/argmin: first NaN wins, ties → first index", () => {
  const x = arr([1, NaN, 3, NaN, 2, 2, 5, 5], [2, 4]);
  assertClose(lax.reduceMax(x, [1]), [NaN, 5]);
  assertClose(lax.reduceMin(x, [1]), [NaN, 2]);
  assertEqualArray(lax.argmax(x, 1), [1, 2], "int32");
  assertEqualArray(lax.argmin(x, 1), [1, 0], "int32");
  assertEqualArray(lax.argmax(arr([3, 0, 3, 1], [2, 2], "int32"), 0), [0, 1], "int32");
  assertEqualArray(lax.argmin(arr([1, 2, 5, 0, 1, 1], [3, 2]), 0, "uint32"), [0, 1], "uint32");
  // Complex: lexicographic.
  assertEqualArray(lax.argmax(arr([1, 5, 2, 0, 2, 1], [3], "complex64"), 0), [2]);
});

test("errors name the op, the axes/shape and the bad argument", () => {
  const x = arr(randn(r, 6), [2, 3]);
  assert.throws(
    () => lax.reduceMax(x, [2]),
    (e: Error) => e instanceof ShapeError && /reduceMax/.test(e.message) && /\[2, 3\]/.test(e.message),
  );
  assert.throws(
    () => lax.reduceAnd(x, [0]),
    (e: Error) => e instanceof DTypeError && /reduceAnd/.test(e.message) && /float32/.test(e.message),
  );
  assert.throws(() => lax.reduceSum(arr([1, 0], [2], "bool"), [0]), DTypeError);
  assert.throws(
    () => lax.argmax(x, 2),
    (e: Error) => e instanceof ShapeError && /argmax/.test(e.message) && /axis 2/.test(e.message),
  );
  assert.throws(
    () => lax.argmin(arr([], [0, 2]), 0),
    (e: Error) => e instanceof ShapeError && /size 0/.test(e.message),
  );
  assert.throws(() => lax.argmax(x, 0, "float32"), DTypeError);
  assert.throws(
    () => np.max(arr([], [0])),
    (e: Error) => e instanceof ValueError && /zero-size/.test(e.message),
  );
  assert.throws(() => np.argmax(arr([], [0])), ValueError);
  assert.throws(() => np.sum(x, { axis: 3 }), ShapeError);
});

test("grad of reduceMax splits the tangent equally among ties (matches central differences for 2-way ties)", () => {
  const xs = [0.5, 2, -1, 2];
  const g = grad((v: Array) => lax.reduceMax(v, [0]))(np.array(xs)) as Array;
  assertClose(
    g,
    fdGrad((v) => Math.max(...v), xs),
    { rtol: 1e-6, atol: 1e-6 },
  );
  assertClose(g, [0, 0.5, 0, 0.5]);
  // A 3-way tie: each gets a third (central differences would say 1/2: max is not differentiable there).
  const g3 = grad((v: Array) => lax.reduceMin(v, [0]))(np.array([1, 1, 1, 4])) as Array;
  assertClose(g3, [1 / 3, 1 / 3, 1 / 3, 0]);
  // Per-row ties along an axis.
  const g2 = grad((v: Array) => np.sum(np.max(v, { axis: 1 }).mul(np.array([1, 10]))))(
    np.array([
      [1, 3, 3],
      [5, 0, 1],
    ]),
  ) as Array;
  assertClose(g2, [0, 0.5, 0.5, 10, 0, 0]);
});

test("grad of reduceProd is exact with a zero (and two zeros) — vs central differences in float64", () => {
  const hostProd = (v: number[]) => v.reduce((a, b) => a * b, 1);
  for (const xs of [
    [1.5, 0, -2, 0.5],
    [0, 0, 3, 2],
    [0.7, -1.2, 1.1, 2],
  ]) {
    const g = grad((v: Array) => lax.reduceProd(v, [0]))(np.array(xs)) as Array;
    assertClose(g, fdGrad(hostProd, xs), { rtol: 1e-5, atol: 1e-5 });
  }
  // Over a middle axis of a 3-D array, with the product weighted per output.
  const data = randn(r, 24);
  data[5] = 0;
  const f = (v: Array) =>
    np.sum(
      lax.reduceProd(v, [1]).mul(
        np.array([
          [1, 2, 3, 4],
          [5, 6, 7, 8],
        ]),
      ),
    );
  const hostF = (v: number[]) => hostReduce(v, shape, [1], 1, (a, b) => a * b).reduce((s, p, i) => s + p * (i + 1), 0);
  assertClose(grad(f)(arr(data, shape)) as Array, fdGrad(hostF, data), { rtol: 1e-4, atol: 1e-5 });
});

test("grad of grad of reduceProd (cumprod's JVP is differentiable)", () => {
  // d²/dx0² of x0·x1·x2 is 0; d/dx1 of ∂/∂x0 (Σ of grad) : use grad of Σ grad = Σ_i Π_{j≠i} x_j.
  const xs = [2, 3, 0.5];
  const g = grad((v: Array) => np.sum(grad((u: Array) => lax.reduceProd(u, [0]))(v) as Array))(np.array(xs)) as Array;
  // ∂/∂x_k Σ_i Π_{j≠i} x_j = Σ_{i≠k} Π_{j≠i,k} x_j
  assertClose(g, [3 + 0.5, 2 + 0.5, 2 + 3], { rtol: 1e-5 });
});

test("vmap of every reduction equals stacking, for each batch axis", () => {
  const x = arr(randn(r, 24), shape);
  const xi = arr(randint(r, 24), shape, "int32");
  const xb = arr(
    randint(r, 24).map((v) => (v > 0 ? 1 : 0)),
    shape,
    "bool",
  );
  for (const b of [0, 1, 2]) {
    checkVmap((v) => lax.reduceSum(v, [0, 1]), [x], [b]);
    checkVmap((v) => lax.reduceMax(v, [1]), [x], [b]);
    checkVmap((v) => lax.reduceMin(v, [0]), [xi], [b]);
    checkVmap((v) => lax.reduceProd(v, [1]), [x], [b]);
    checkVmap((v) => lax.reduceAnd(v, [0]), [xb], [b]);
    checkVmap((v) => lax.reduceOr(v, [1]), [xb], [b]);
    checkVmap((v) => lax.argmax(v, 1), [x], [b]);
    checkVmap((v) => lax.argmin(v, 0), [xi], [b]);
  }
  // vmap of grad (batch rules of the JVP/transpose machinery).
  const vg = vmap(grad((v: Array) => lax.reduceMax(v, [0])) as (v: Array) => Array)(
    np.array([
      [1, 3, 3],
      [4, 0, 1],
    ]),
  );
  assertClose(vg, [0, 0.5, 0.5, 1, 0, 0]);
});

test("jit(f) == f for the reductions", () => {
  const x = arr(randn(r, 24), shape);
  const f = (v: Array) =>
    [lax.reduceMax(v, [0]), lax.reduceProd(v, [1, 2]), lax.argmin(v, 2), np.mean(v, { axis: 1 })] as const;
  const a = f(x);
  const b = jit(f)(x);
  a.forEach((v, i) => assertClose(b[i], v));
});

test("np.mean / var / std / max / min / prod / all / any / argmax / argmin with axis and keepdims", () => {
  const data = [1, 5, 3, 4, 2, 6];
  const x = arr(data, [2, 3]);
  assertClose(np.mean(x), 3.5);
  assertClose(np.mean(arr([1, 2, 4], [3], "int32")), 7 / 3, { dtype: "float32" });
  assertClose(np.mean(x, { axis: 0, keepdims: true }), [2.5, 3.5, 4.5], { shape: [1, 3] });
  assertClose(np.var(x, { axis: 1 }), [8 / 3, 8 / 3], { rtol: 1e-6 });
  assertClose(np.var(x, { ddof: 1 }), 17.5 / 5, { rtol: 1e-6 });
  assertClose(np.std(x), Math.sqrt(17.5 / 6), { rtol: 1e-6 });
  // complex var: mean |x − mean|² (real output).
  assertClose(np.var(arr([1, 1, -1, -1], [2], "complex64")), 2, { dtype: "float32" });
  assertClose(np.max(x, { axis: 1 }), [5, 6]);
  assertClose(np.amin(x, { axis: 0, keepdims: true }), [1, 2, 3], { shape: [1, 3] });
  assertClose(np.max(x, { initial: 10 }), 10);
  assertClose(np.max(x, { where: arr([1, 0, 1, 0, 1, 0], [2, 3], "bool"), initial: -1, axis: 1 }), [3, 2]);
  assertClose(np.max(arr([], [0]), { initial: 2 }), 2);
  assertEqualArray(np.prod(arr([2, 3, 4], [3], "int32")), [24], "int32");
  assertEqualArray(np.prod(arr([1, 1, 0], [3], "bool")), [0], "int32");
  assertClose(np.sum(x, { where: arr([1, 0, 1], [3], "bool") }), 1 + 3 + 4 + 6);
  assertClose(np.sum(arr([1, 2], [2], "int32"), { dtype: "float32" }), 3, { dtype: "float32" });
  assertEqualArray(np.all(x), [1], "bool");
  assertEqualArray(np.all(arr([1, 0, 2, 3], [2, 2]), { axis: 1 }), [0, 1], "bool");
  assertEqualArray(np.any(arr([0, 0, 0, 1], [2, 2]), { axis: 0, keepdims: true }), [0, 1], "bool");
  assertEqualArray(np.argmax(x), [5], "int32");
  assertEqualArray(np.argmax(x, { axis: 1 }), [1, 2], "int32");
  const am = np.argmin(x, { axis: 0, keepdims: true });
  assert.deepEqual([...am.shape], [1, 3]);
  assertEqualArray(am, [0, 1, 0], "int32");
  assert.deepEqual([...np.argmax(x, { keepdims: true }).shape], [1, 1]);
  // Array methods.
  assertClose(x.mean({ axis: 1 }), [3, 4]);
  assertClose(x.max(), 6);
  assertClose(x.min({ axis: 0 }), [1, 2, 3]);
  assertClose(x.prod(), 720);
});

test("grad of np.mean / var / std vs hand-derived values", () => {
  const xs = [1, 2, 4, 7];
  const m = 3.5;
  assertClose(grad((v: Array) => np.mean(v))(np.array(xs)) as Array, [0.25, 0.25, 0.25, 0.25]);
  // d var / dx_i = 2 (x_i − m) / N
  assertClose(
    grad((v: Array) => np.var(v))(np.array(xs)) as Array,
    xs.map((v) => (2 * (v - m)) / 4),
    { rtol: 1e-6 },
  );
  const sd = Math.sqrt(xs.reduce((s, v) => s + (v - m) ** 2, 0) / 3);
  assertClose(
    grad((v: Array) => np.std(v, { ddof: 1 }))(np.array(xs)) as Array,
    xs.map((v) => (v - m) / (3 * sd)),
    { rtol: 1e-5 },
  );
  assert.ok(Number.isFinite(flat(np.std(np.array(xs)))[0]));
});
