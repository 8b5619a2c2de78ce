import { test } from "node:test";
import assert from "node:assert/strict";
import { np, lax, grad, jit, jvp, ShapeError, ValueError, type Array } from "linax-ts";
import { assertClose, assertEqualArray } from "@linax-ts/testing";
import { arr, checkTranspose, checkVmap, fdGrad, flat, randint, randn, rng, strides } from "./host-tensor-checks.ts";

/** numpy's order: NaN last; complex by (re, im) with NaN parts last. */
const cmp = (a: number, b: number): number =>
  Number.isNaN(a) ? (Number.isNaN(b) ? 0 : 1) : Number.isNaN(b) ? -1 : a - b;

/** Host stable sort of every line along `axis`: returns the permutation per line applied to `data`. */
function hostSortLines(
  data: readonly number[],
  shape: readonly number[],
  axis: number,
  key: (i: number, j: number) => number,
): number[] {
  const st = strides(shape);
  const n = shape[axis];
  const out = [...data];
  for (let base = 0; base < data.length; base++) {
    if (Math.floor(base / st[axis]) % n !== 0) continue;
    const idx = globalThis.Array.from({ length: n }, (_, k) => base + k * st[axis]);
    const order = idx.map((_, k) => k).sort((p, q) => key(idx[p], idx[q]) || p - q);
    order.forEach((o, k) => (out[idx[k]] = data[idx[o]]));
  }
  return out;
}

const r = rng(13);
const shape = [3, 4, 5];

test("sort matches a host stable sort along every dimension for float32 (NaN last), int32, uint32, bool", () => {
  const fd = randn(r, 60);
  [3, 17, 40].forEach((i) => (fd[i] = NaN));
  fd[5] = -0;
  const id = randint(r, 60);
  for (const axis of [0, 1, 2]) {
    assertClose(
      lax.sort(arr(fd, shape), { dimension: axis }),
      hostSortLines(fd, shape, axis, (i, j) => cmp(fd[i], fd[j])),
      { dtype: "float32" },
    );
    assertEqualArray(
      lax.sort(arr(id, shape, "int32"), { dimension: axis }),
      hostSortLines(id, shape, axis, (i, j) => id[i] - id[j]),
      "int32",
    );
    const ud = id.map((v) => v + 3);
    assertEqualArray(
      lax.sort(arr(ud, shape, "uint32"), { dimension: axis }),
      hostSortLines(ud, shape, axis, (i, j) => ud[i] - ud[j]),
      "uint32",
    );
    const bd = id.map((v) => (v > 0 ? 1 : 0));
    assertEqualArray(
      lax.sort(arr(bd, shape, "bool"), { dimension: axis }),
      hostSortLines(bd, shape, axis, (i, j) => bd[i] - bd[j]),
      "bool",
    );
  }
  assertClose(lax.sort(arr([3, -1, 2], [3]), { dimension: -1 }), [-1, 2, 3]);
});

test("complex sorts lexicographically (real, then imaginary), NaN parts last", () => {
  // 1+2i, 1-1i, NaN+0i, 0+5i, 1+NaN i
  const x = arr([1, 2, 1, -1, NaN, 0, 0, 5, 1, NaN], [5], "complex64");
  assertClose(lax.sort(x), [0, 5, 1, -1, 1, 2, 1, NaN, NaN, 0]);
});

test("multi-operand sort: values follow keys; numKeys = 2 breaks ties by the second key; stable", () => {
  const k1 = arr([2, 1, 2, 1, 0], [5], "int32");
  const k2 = arr([5, 9, 3, 9, 1], [5]);
  const v = arr([10, 11, 12, 13, 14], [5]);
  const [a, b, c] = lax.sort([k1, k2, v], { numKeys: 2 });
  assertEqualArray(a, [0, 1, 1, 2, 2]);
  assertClose(b, [1, 9, 9, 3, 5]);
  // ties on both keys (indices 1 and 3) keep input order
  assertClose(c, [14, 11, 13, 12, 10]);
  const [, c1] = lax.sort([k1, v]);
  assertClose(c1, [14, 11, 13, 10, 12]);
  const [sk, sv] = lax.sortKeyVal(arr([3, 1, 2], [3]), arr([0, 1, 2], [3], "int32"));
  assertClose(sk, [1, 2, 3]);
  assertEqualArray(sv, [1, 2, 0], "int32");
});

test("sort errors: shapes, numKeys, dimension", () => {
  const x = arr(randn(r, 6), [2, 3]);
  assert.throws(
    () => lax.sort([x, arr(randn(r, 3), [3])]),
    (e: Error) => e instanceof ShapeError && /operand 1 has shape \[3\]/.test(e.message),
  );
  assert.throws(
    () => lax.sort([x, x], { numKeys: 3 }),
    (e: Error) => e instanceof ValueError && /numKeys/.test(e.message),
  );
  assert.throws(
    () => lax.sort(x, { dimension: 2 }),
    (e: Error) => e instanceof ShapeError && /dimension 2/.test(e.message),
  );
  assert.throws(() => lax.sort([]), ValueError);
  assert.throws(() => np.sort(x, { axis: 5 }), ShapeError);
});

test("grad through sort gathers cotangents with the sort permutation (vs central differences)", () => {
  const xd = randn(r, 20);
  const w = randn(r, 20);
  for (const axis of [0, 1]) {
    const g = grad((u: Array) => np.sum(lax.sort(u, { dimension: axis }).mul(arr(w, [4, 5]))))(
      arr(xd, [4, 5]),
    ) as Array;
    const host = (u: number[]) =>
      hostSortLines(u, [4, 5], axis, (i, j) => cmp(u[i], u[j])).reduce((s, v, i) => s + v * w[i], 0);
    assertClose(g, fdGrad(host, xd), { rtol: 1e-5, atol: 1e-5 });
  }
  // Values sorted by integer keys: the values' tangents are permuted, the keys get none.
  const keys = arr([2, 0, 1], [3], "int32");
  const [, t] = jvp((v: Array) => lax.sort([keys, v])[1], [arr([1, 2, 3], [3])], [arr([10, 20, 30], [3])]);
  assertClose(t as Array, [20, 30, 10]);
  const gv = grad((v: Array) => np.sum(lax.sort([keys, v])[1].mul(np.array([1, 2, 3]))))(arr([1, 2, 3], [3])) as Array;
  assertClose(gv, [3, 1, 2]);
});

test("dot-product test of sort's linearization (jvp vs vjp), single and multi-operand", () => {
  checkTranspose((u) => lax.sort(u, { dimension: 1 }), [arr(randn(r, 60), shape)], r);
  const keys = arr(randint(r, 60), shape, "int32");
  checkTranspose((u) => lax.sort([keys, u], { dimension: 2 })[1], [arr(randn(r, 60), shape)], r);
  checkTranspose(
    (u, v) => np.add(...(lax.sort([u, v], { dimension: 0 }) as [Array, Array])),
    [arr(randn(r, 60), shape), arr(randn(r, 60), shape)],
    r,
  );
});

test("vmap of sort equals stacking (single operand, several operands with different batch dims)", () => {
  const x = arr(randn(r, 60), shape);
  for (const b of [0, 1, 2]) checkVmap((u) => lax.sort(u, { dimension: 1 }), [x], [b]);
  const keys = arr(randint(r, 20), [4, 5], "int32");
  checkVmap((k, v) => lax.sort([k, v], { dimension: 0 })[1], [keys, x], [null, 0]);
  checkVmap(
    (k, v) => lax.sort([k, v], { dimension: 1, numKeys: 2 })[1],
    [arr(randint(r, 60), [4, 3, 5], "int32"), x],
    [1, 0],
  );
  checkVmap((u) => np.argsort(u, { axis: 0 }), [x], [2]);
  // vmap of the gradient (the transpose rule's sorts under a batch trace)
  checkVmap(
    grad((u: Array) => np.sum(lax.sort(u).mul(np.array([1, 2, 3, 4, 5])))) as (u: Array) => Array,
    [arr(randn(r, 20), [4, 5])],
    [0],
  );
});

test("jit(f) == f for sort and its gradient", () => {
  const x = arr(randn(r, 20), [4, 5]);
  const f = (u: Array) => np.sum(lax.sort(u, { dimension: 0 }).mul(u));
  assertClose(jit(f)(x), f(x), { rtol: 1e-6 });
  assertClose(jit(grad(f))(x) as Array, grad(f)(x) as Array, { rtol: 1e-6 });
});

test("np.sort / np.argsort: axis (default -1, null flattens), descending, stable ties, NaN", () => {
  const x = arr([3, 1, 2, 1, NaN, 0], [2, 3]);
  assertClose(np.sort(x), [1, 2, 3, 0, 1, NaN]);
  assertClose(np.sort(x, { axis: 0 }), [1, 1, 0, 3, NaN, 2]);
  assertClose(np.sort(x, { axis: null }), [0, 1, 1, 2, 3, NaN], { shape: [6] });
  assertClose(np.sort(x, { descending: true }), [3, 2, 1, NaN, 1, 0]);
  assertEqualArray(np.argsort(x), [1, 2, 0, 2, 0, 1], "int32");
  assertEqualArray(np.argsort(x, { axis: null }), [5, 1, 3, 2, 0, 4], "int32");
  // Stable descending keeps equal elements in their original order (JAX's rule).
  assertEqualArray(np.argsort(arr([1, 3, 1, 3, 2], [5]), { descending: true }), [1, 3, 4, 0, 2], "int32");
  assertEqualArray(np.argsort(arr([1, 3, 1, 3, 2], [5])), [0, 2, 4, 1, 3], "int32");
  assert.equal(flat(np.argsort(arr([2, 1], [2], "int32")))[0], 1);
});
