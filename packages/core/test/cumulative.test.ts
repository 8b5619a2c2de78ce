import { test } from "node:test";
import assert from "node:assert/strict";
import { np, lax, grad, jit, DTypeError, ShapeError, type Array, type DType } from "linax-ts";
import { assertClose, assertEqualArray } from "@linax-ts/testing";
import { arr, checkTranspose, checkVmap, fdGrad, randint, randn, rng, strides } from "./host-tensor-checks.ts";

/** Host scan along `axis` (float64): out_first = x_first, out_k = step(out_{k-1}, x_k). */
function hostCum(
  data: readonly number[],
  shape: readonly number[],
  axis: number,
  reverse: boolean,
  step: (a: number, v: number) => number,
): number[] {
  const out = [...data];
  const st = strides(shape);
  const n = shape[axis];
  for (let base = 0; base < data.length; base++) {
    if (Math.floor(base / st[axis]) % n !== 0) continue;
    let acc = 0;
    for (let k = 0; k < n; k++) {
      const i = base + (reverse ? n - 1 - k : k) * st[axis];
      acc = k === 0 ? data[i] : step(acc, data[i]);
      out[i] = acc;
    }
  }
  return out;
}
const lse = (a: number, b: number) => Math.max(a, b) + Math.log1p(Math.exp(-Math.abs(a - b)));
const OPS: [string, (x: Array, axis: number, reverse: boolean) => Array, (a: number, v: number) => number][] = [
  ["cumsum", lax.cumsum, (a, v) => a + v],
  ["cumprod", lax.cumprod, (a, v) => a * v],
  ["cummax", lax.cummax, Math.max],
  ["cummin", lax.cummin, Math.min],
  ["cumlogsumexp", lax.cumlogsumexp, lse],
];

const shape = [2, 3, 4];
const r = rng(11);

test("cumulative ops match host scans for every axis, direction and supported dtype", () => {
  const fdata = randn(r, 24);
  const idata = randint(r, 24);
  for (const [name, f, step] of OPS) {
    const dts: DType[] = name === "cumlogsumexp" ? ["float32"] : ["float32", "int32", "uint32"];
    for (const dt of dts) {
      const data = dt === "float32" ? fdata : dt === "int32" ? idata : idata.map((v) => v + 3);
      const x = arr(data, shape, dt);
      for (const axis of [0, 1, 2]) {
        for (const reverse of [false, true]) {
          assertClose(f(x, axis, reverse), hostCum(data, shape, axis, reverse, step), {
            rtol: 1e-5,
            atol: 1e-6,
            dtype: dt,
          });
        }
      }
    }
  }
});

test("complex cumsum / cumprod; negative axis; NaN propagates through cummax", () => {
  // (1+i), (2-i), (0+3i)
  const x = arr([1, 1, 2, -1, 0, 3], [3], "complex64");
  assertClose(lax.cumsum(x), [1, 1, 3, 0, 3, 3]);
  // (1+i)(2-i) = 3+i; (3+i)(3i) = -3+9i
  assertClose(lax.cumprod(x), [1, 1, 3, 1, -3, 9]);
  assertClose(lax.cumsum(arr([1, 2, 3, 4], [2, 2]), -1), [1, 3, 3, 7]);
  assertClose(lax.cummax(arr([1, NaN, 3, 0], [4])), [1, NaN, NaN, NaN]);
  assertClose(lax.cumlogsumexp(arr([1000, 1000, -Infinity], [3])), [1000, 1000 + Math.log(2), 1000 + Math.log(2)], {
    rtol: 1e-6,
  });
  assertClose(lax.cumlogsumexp(arr([-Infinity, -Infinity, 0], [3])), [-Infinity, -Infinity, 0]);
  assertEqualArray(lax.cumsum(arr([2147483647, 1], [2], "int32")), [2147483647, -2147483648], "int32");
});

test("errors: axis out of range, unsupported dtypes", () => {
  const x = arr(randn(r, 6), [2, 3]);
  assert.throws(
    () => lax.cumsum(x, 2),
    (e: Error) =>
      e instanceof ShapeError && /cumsum/.test(e.message) && /axis 2/.test(e.message) && /\[2, 3\]/.test(e.message),
  );
  assert.throws(
    () => lax.cumlogsumexp(arr([1, 2], [2], "int32")),
    (e: Error) => e instanceof DTypeError && /cumlogsumexp/.test(e.message),
  );
  assert.throws(() => lax.cummax(arr([1, 2, 3, 4], [2], "complex64")), DTypeError);
  assert.throws(() => lax.cumsum(arr([1, 0], [2], "bool")), DTypeError);
  assert.throws(() => lax.linearRecurrence(x, arr(randn(r, 3), [3])), ShapeError);
  assert.throws(() => np.cumsum(x, { axis: -3 }), ShapeError);
});

test("grad of Σ w·cum(x) matches central differences of the float64 host scan", () => {
  const xdata = randn(r, 12).map((v) => v * 2);
  xdata[4] = 0; // exercise cumprod's zero handling
  const w = randn(r, 12);
  const s = [3, 4];
  for (const [, f, step] of OPS) {
    for (const axis of [0, 1]) {
      for (const reverse of [false, true]) {
        const g = grad((v: Array) => np.sum(f(v, axis, reverse).mul(arr(w, s))))(arr(xdata, s)) as Array;
        const host = (v: number[]) => hostCum(v, s, axis, reverse, step).reduce((acc, y, i) => acc + y * w[i], 0);
        assertClose(g, fdGrad(host, xdata), { rtol: 2e-4, atol: 2e-5 });
      }
    }
  }
});

test("cummax / cummin JVP at ties: the carry and the new element share the tangent equally", () => {
  const g = grad((v: Array) => np.sum(lax.cummax(v)))(np.array([1, 0, 3, 3])) as Array;
  // y = [1, 1, 3, 3]: dy = [d0, d0, d2, ½d2 + ½d3] → Σ = 2·d0 + 1.5·d2 + 0.5·d3
  assertClose(g, [2, 0, 1.5, 0.5]);
  const gm = grad((v: Array) => np.sum(lax.cummin(v, 0, true)))(np.array([2, 5, 1, 4])) as Array;
  // reverse running min: y = [1, 1, 1, 4]: dy3 = d3, dy2 = d2, dy1 = dy2, dy0 = dy1 → Σ = 3·d2 + d3
  assertClose(gm, [0, 0, 3, 1]);
});

test("second derivatives flow through linearRecurrence's JVP (cumprod, cumlogsumexp)", () => {
  const xs = [0.5, -1.5, 2, 0.25];
  // h(x) = Σ cumprod(x); grad(x ↦ Σ_i c_i ∂h/∂x_i) vs central differences of the host gradient.
  const c = [1, -2, 0.5, 3];
  const hostGradDot = (v: number[]) =>
    fdGrad((u) => hostCum(u, [4], 0, false, (a, b) => a * b).reduce((s, y) => s + y, 0), v, 1e-5).reduce(
      (s, gi, i) => s + gi * c[i],
      0,
    );
  const gg = grad((v: Array) =>
    np.sum((grad((u: Array) => np.sum(lax.cumprod(u))) as (u: Array) => Array)(v).mul(np.array(c))),
  )(np.array(xs)) as Array;
  assertClose(gg, fdGrad(hostGradDot, xs, 1e-4), { rtol: 2e-3, atol: 2e-3 });
  const hostLse = (v: number[]) =>
    fdGrad((u) => hostCum(u, [4], 0, true, lse).reduce((s, y) => s + y, 0), v, 1e-5).reduce(
      (s, gi, i) => s + gi * c[i],
      0,
    );
  const gl = grad((v: Array) =>
    np.sum((grad((u: Array) => np.sum(lax.cumlogsumexp(u, 0, true))) as (u: Array) => Array)(v).mul(np.array(c))),
  )(np.array(xs)) as Array;
  assertClose(gl, fdGrad(hostLse, xs, 1e-4), { rtol: 2e-3, atol: 2e-3 });
});

test("dot-product test: cumsum and linearRecurrence are linear with consistent transposes", () => {
  const x = arr(randn(r, 24), shape);
  const a = arr(randn(r, 24), shape);
  for (const axis of [0, 1, 2]) {
    for (const reverse of [false, true]) {
      checkTranspose((v) => lax.cumsum(v, axis, reverse), [x], r);
      checkTranspose((v) => lax.linearRecurrence(a, v, axis, reverse), [x], r);
    }
  }
  const ac = arr(randn(r, 8), [4], "complex64");
  checkTranspose((v) => lax.linearRecurrence(ac, v, 0, false), [arr(randn(r, 8), [4], "complex64")], r);
});

test("linearRecurrence values: h_i = a_i·h_{i-1} + b_i (and reverse), float and complex", () => {
  const a = arr([0.5, 2, -1], [3]);
  const b = arr([1, 1, 1], [3]);
  assertClose(lax.linearRecurrence(a, b), [1, 3, -2]);
  // reverse: h2 = 1, h1 = 2·1 + 1 = 3, h0 = 0.5·3 + 1 = 2.5
  assertClose(lax.linearRecurrence(a, b, 0, true), [2.5, 3, 1]);
  // complex: a = i, b = 1 → h = [1, i+1, i(i+1)+1 = i]
  assertClose(
    lax.linearRecurrence(arr([0, 1, 0, 1, 0, 1], [3], "complex64"), arr([1, 0, 1, 0, 1, 0], [3], "complex64")),
    [1, 0, 1, 1, 0, 1],
  );
});

test("vmap of every cumulative op equals stacking; vmap over either operand of linearRecurrence", () => {
  const x = arr(randn(r, 24), shape);
  for (const [, f] of OPS) {
    for (const b of [0, 1, 2]) checkVmap((v) => f(v, 1, b === 1), [x], [b]);
  }
  const a = arr(randn(r, 12), [3, 4]);
  const bb = arr(randn(r, 24), [2, 3, 4]);
  checkVmap((u, v) => lax.linearRecurrence(u, v, 1), [a, bb], [null, 0]);
  checkVmap(
    (u, v) => lax.linearRecurrence(u, v, 0, true),
    [arr(randn(r, 24), [3, 2, 4]), arr(randn(r, 12), [3, 4])],
    [1, null],
  );
  // vmap of grad: the batch rules of pad/linearRecurrence inside the transposed JVPs.
  for (const [, f] of OPS)
    checkVmap(grad((v: Array) => np.sum(f(v, 1, true).mul(v))) as (v: Array) => Array, [x], [2], 1e-4);
});

test("jit(f) == f for cumulative ops and their gradients", () => {
  const x = arr(randn(r, 12), [3, 4]);
  for (const [, f] of OPS) {
    const h = (v: Array) => np.sum(f(v, 1, false).mul(v));
    assertClose(jit(h)(x), h(x), { rtol: 1e-6 });
    assertClose(jit(grad(h))(x) as Array, grad(h)(x) as Array, { rtol: 1e-6 });
  }
});

test("np.cumsum / np.cumprod: flatten by default, axis option, bool accumulates as int32", () => {
  const x = arr([1, 2, 3, 4, 5, 6], [2, 3]);
  assertClose(np.cumsum(x), [1, 3, 6, 10, 15, 21], { shape: [6] });
  assertClose(np.cumsum(x, { axis: 0 }), [1, 2, 3, 5, 7, 9], { shape: [2, 3] });
  assertClose(np.cumprod(x, { axis: -1 }), [1, 2, 6, 4, 20, 120]);
  assertEqualArray(np.cumsum(arr([1, 0, 1], [3], "bool")), [1, 1, 2], "int32");
  assertClose(np.cumsum(arr([1, 2], [2], "int32"), { dtype: "float32" }), [1, 3], { dtype: "float32" });
});

test("np.logsumexp: stable values, -inf rows, b / returnSign, keepdims, grad vs hand and FD", () => {
  const x = arr([1, 2, 3, 1000, 1001, 1002], [2, 3]);
  const l3 = Math.log(Math.exp(-2) + Math.exp(-1) + 1);
  assertClose(np.logsumexp(x, { axis: 1 }), [3 + l3, 1002 + l3], { rtol: 1e-6 });
  assertClose(np.logsumexp(x, { axis: 1, keepdims: true }), [3 + l3, 1002 + l3], { rtol: 1e-6, shape: [2, 1] });
  assertClose(np.logsumexp(arr([-Infinity, -Infinity, 0, -Infinity], [2, 2]), { axis: 1 }), [-Infinity, 0]);
  assertClose(np.logsumexp(arr([Infinity, 0], [2])), Infinity);
  // log(2·e^0 − 1·e^0) = 0; negative sums are NaN without returnSign.
  assertClose(np.logsumexp(arr([0, 0], [2]), { b: arr([2, -1], [2]) }), 0, { atol: 1e-6 });
  assertClose(np.logsumexp(arr([0, 0], [2]), { b: arr([1, -2], [2]) }), NaN);
  const [v, sgn] = np.logsumexp(arr([0, 0], [2]), { b: arr([1, -3], [2]), returnSign: true });
  assertClose(v, Math.log(2), { rtol: 1e-6 });
  assertClose(sgn, -1);
  // b == 0 masks an infinite term.
  assertClose(np.logsumexp(arr([Infinity, 1], [2]), { b: arr([0, 1], [2]) }), 1);
  // grad = softmax.
  const xs = [0.5, -1, 2, 0];
  const e = xs.map(Math.exp);
  const z = e.reduce((a, b) => a + b, 0);
  assertClose(
    grad((u: Array) => np.logsumexp(u))(np.array(xs)) as Array,
    e.map((v) => v / z),
    { rtol: 1e-6 },
  );
  const w = [1, 2, 3];
  const hostF = (u: number[]) =>
    [0, 1].reduce((s, i) => s + w[i] * Math.log(u.slice(2 * i, 2 * i + 2).reduce((a, b) => a + Math.exp(b), 0)), 0);
  const g = grad((u: Array) => np.sum(np.logsumexp(u, { axis: 1 }).mul(np.array([1, 2]))))(
    arr([0.1, 0.7, -0.3, 1.2], [2, 2]),
  ) as Array;
  assertClose(g, fdGrad(hostF, [0.1, 0.7, -0.3, 1.2]), { rtol: 1e-5, atol: 1e-6 });
  assertClose(jit((u: Array) => np.logsumexp(u, { axis: 0 }))(x), np.logsumexp(x, { axis: 0 }));
});
