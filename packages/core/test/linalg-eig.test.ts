/**
 * np.linalg.eig / eigvals (general matrices, complex64 results) and multiDot / tensorsolve /
 * linalg.trace. Values against hand-derived cases (noted at each), the identities A·v = λ·v,
 * ‖v_k‖ = 1 with its largest component real, Σλ = trace, Πλ = det, vmap/jit, and eigvals'
 * derivative against central finite differences and the dot-product test.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { np, lax, grad, jvp, vmap, jit, NotImplementedError, ShapeError, type Array } from "linax-ts";
import { assertClose, toFlat } from "@linax-ts/testing";
import { dotTest, randArray } from "./linalg-fft-reference.ts";

/** Complex values as sorted [re, im] pairs (eigenvalue order is the algorithm's, as in numpy). */
function sortedPairs(w: Array): [number, number][] {
  const f = toFlat(w);
  const out: [number, number][] = [];
  for (let i = 0; i < f.length; i += 2) out.push([f[i], f[i + 1]]);
  return out.sort((p, q) => p[0] - q[0] || p[1] - q[1]);
}

/** Check A·v = v·diag(w), unit columns whose largest component is real and positive. */
function checkEig(a: Array, tol = 1e-4): void {
  const [w, v] = np.linalg.eig(a);
  assert.equal(w.dtype, "complex64");
  assert.equal(v.dtype, "complex64");
  const ac = a.astype("complex64");
  const scale = Math.max(
    1,
    toFlat(np.max(np.abs(a))).reduce((p, q) => Math.max(p, q), 0),
  );
  assertClose(np.matmul(ac, v), np.multiply(v, np.expandDims(w, -2)), { atol: tol * scale, rtol: 0 });
  const norms = np.sqrt(np.sum(np.square(np.abs(v)), -2));
  assertClose(norms, np.onesLike(norms), { atol: 1e-5 });
  // The largest component of each eigenvector is real and positive (LAPACK's normalization).
  const n = a.shape[a.ndim - 1];
  const vb = np.reshape(v, [-1, n, n]);
  for (let b = 0; b < vb.shape[0]; b++) {
    for (let k = 0; k < n; k++) {
      const col = vb.get(b, ":", k);
      const i = Number(np.argmax(np.abs(col)));
      const [re, im] = col.get(i).itemComplex();
      assert.ok(
        re > 0 && Math.abs(im) <= 1e-6,
        `eigenvector ${k}: largest component ${re}+${im}i is not real positive`,
      );
    }
  }
  // Σλ = trace, Πλ = det.
  const tr = np.trace(a.astype("complex64"), { axis1: -2, axis2: -1 });
  assertClose(np.sum(w, -1), tr, { atol: tol * scale * n });
}

test("eig: hand-derived eigenvalues", () => {
  // A rotation by 90°: λ = ±i, eigenvectors [1, ∓i]/√2.
  assert.deepEqual(
    sortedPairs(
      np.linalg.eigvals(
        np.array([
          [0, -1],
          [1, 0],
        ]),
      ),
    ),
    [
      [0, -1],
      [0, 1],
    ],
  );
  checkEig(
    np.array([
      [0, -1],
      [1, 0],
    ]),
  );
  // Upper triangular: the diagonal; [[2, 1], [0, 3]] has eigenvectors [1, 0] and [1, 1]/√2.
  const [w, v] = np.linalg.eig(
    np.array([
      [2, 1],
      [0, 3],
    ]),
  );
  assert.deepEqual(sortedPairs(w), [
    [2, 0],
    [3, 0],
  ]);
  const k3 = toFlat(w)[0] === 3 ? 0 : 1;
  assertClose(np.real(v.get(":", k3)), [Math.SQRT1_2, Math.SQRT1_2], { atol: 1e-6 });
  // [[1, 2], [3, 4]]: λ = (5 ± √33)/2.
  const p = sortedPairs(
    np.linalg.eigvals(
      np.array([
        [1, 2],
        [3, 4],
      ]),
    ),
  );
  assertClose(p.flat(), [(5 - Math.sqrt(33)) / 2, 0, (5 + Math.sqrt(33)) / 2, 0], { atol: 1e-5 });
  // The companion matrix of x³ − 1: the cube roots of unity.
  const c = sortedPairs(
    np.linalg.eigvals(
      np.array([
        [0, 0, 1],
        [1, 0, 0],
        [0, 1, 0],
      ]),
    ),
  );
  const h = Math.sqrt(3) / 2;
  assertClose(c.flat(), [-0.5, -h, -0.5, h, 1, 0], { atol: 1e-6 });
  // A complex matrix: diag(i, 2) conjugated by [[1, 1], [0, 1]] keeps eigenvalues i and 2.
  const j = np.sqrt(np.array(-1, { dtype: "complex64" }));
  const d = np.add(
    np.multiply(
      np.array([
        [1, 0],
        [0, 0],
      ]),
      j,
    ),
    np.array([
      [0, 0],
      [0, 2],
    ]),
  );
  const s = np
    .array([
      [1, 1],
      [0, 1],
    ])
    .astype("complex64");
  const sInv = np
    .array([
      [1, -1],
      [0, 1],
    ])
    .astype("complex64");
  const z = np.matmul(np.matmul(s, d), sInv);
  assertClose(sortedPairs(np.linalg.eigvals(z)).flat(), [0, 1, 2, 0], { atol: 1e-6 });
  checkEig(z);
  // A Jordan-like (defective) block still gives its eigenvalue: [[1, 1], [0, 1]] → 1, 1.
  assertClose(
    sortedPairs(
      np.linalg.eigvals(
        np.array([
          [1, 1],
          [0, 1],
        ]),
      ),
    ).flat(),
    [1, 0, 1, 0],
    { atol: 1e-6 },
  );
});

test("eig: A·v = λ·v, normalization, trace and det, random real / complex / batched", () => {
  for (const [shape, dt, seed] of [
    [[5, 5], "float32", 1],
    [[6, 6], "complex64", 2],
    [[3, 4, 4], "float32", 3],
    [[1, 1], "float32", 4],
    [[8, 8], "float32", 5],
  ] as const) {
    const a = randArray(shape, seed, dt);
    checkEig(a);
    const w = np.linalg.eigvals(a);
    if (dt === "float32" && shape.length === 2) {
      // Real input: the non-real eigenvalues come in conjugate pairs.
      const ps = sortedPairs(w);
      const imSum = ps.reduce((acc, [, im]) => acc + im, 0);
      assert.ok(Math.abs(imSum) < 1e-4, `imaginary parts do not cancel: ${imSum}`);
      assertClose(np.real(np.prod(w)), np.linalg.det(a), { atol: 1e-4 });
    }
  }
  // Eigenvalues agree with eigh's for a symmetric matrix.
  const r = randArray([4, 4], 9);
  const sym = np.add(r, np.transpose(r));
  assertClose(
    sortedPairs(np.linalg.eigvals(sym)).map(([re]) => re),
    np.linalg.eigvalsh(sym),
    { atol: 1e-5 },
  );
  assert.equal(np.linalg.eigvals(np.zeros([0, 0])).shape[0], 0);
  assert.ok(
    toFlat(
      np.linalg.eigvals(
        np.array([
          [NaN, 0],
          [0, 1],
        ]),
      ),
    ).every(Number.isNaN),
  );
});

test("eig under vmap and jit", () => {
  const a = randArray([3, 4, 4], 21);
  const wv = vmap((x: Array) => np.linalg.eigvals(x))(a);
  for (let b = 0; b < 3; b++) assertClose(wv.get(b), np.linalg.eigvals(a.get(b)), { atol: 1e-6 });
  const [wj, vj] = jit((x: Array) => np.linalg.eig(x))(a) as [Array, Array];
  const [we, ve] = np.linalg.eig(a);
  assertClose(wj, we, { atol: 1e-6 });
  assertClose(vj, ve, { atol: 1e-6 });
});

test("eigvals derivative: grad of Σ Re λ is I (d trace); jvp vs finite differences; dot-product test; eigenvectors raise", () => {
  const a = np.array([
    [4, 1, 2],
    [0.5, 3, 1],
    [2, -1, 1],
  ]);
  assertClose(grad((x: Array) => np.sum(np.real(np.linalg.eigvals(x))))(a) as Array, np.eye(3), { atol: 1e-5 });
  // For λ with right/left eigenvectors v, u: dλ/dA = conj(u)·vᵀ/(uᴴv); checked by differences instead.
  for (const [x, seed] of [
    [a, 40],
    [randArray([4, 4], 41), 42],
  ] as const) {
    const d = randArray(x.shape, seed);
    // Sorted (np.sort: by real, then imaginary part): the algorithm's order can change under a perturbation.
    const sortedEig = (y: Array): Array => np.sort(np.linalg.eigvals(y));
    const [, t] = jvp(sortedEig, [x], [d]) as [Array, Array];
    const h = 1e-2;
    const fd = np.divide(
      np.subtract(sortedEig(np.add(x, np.multiply(d, h))), sortedEig(np.subtract(x, np.multiply(d, h)))),
      np.array(2 * h).astype("complex64"),
    );
    assertClose(t, fd, { rtol: 1e-2, atol: 2e-3 });
    dotTest((y: Array) => np.linalg.eigvals(y), [x]);
  }
  assert.throws(() => jvp((y: Array) => np.linalg.eig(y)[1], [a], [a]), NotImplementedError);
  assert.throws(() => lax.eig(a, { computeLeftEigenvectors: true }), NotImplementedError);
  assert.throws(() => np.linalg.eig(np.ones([2, 3])), ShapeError);
});

test("multiDot: values, vector ends, the cheapest order is used and equals the left-to-right product", () => {
  const a = randArray([10, 2], 1);
  const b = randArray([2, 8], 2);
  const c = randArray([8, 3], 3);
  const d = randArray([3, 1], 4);
  const ref = np.matmul(np.matmul(np.matmul(a, b), c), d);
  assertClose(np.linalg.multiDot([a, b, c, d]), ref, { atol: 1e-5 });
  // Hand: ones(2,3)·ones(3,4)·ones(4) = 12 per row; a row vector front gives a vector; both ends a scalar.
  assert.deepEqual(np.linalg.multiDot([np.ones([2, 3]), np.ones([3, 4]), np.ones([4])]).tolist(), [12, 12]);
  assert.deepEqual(np.linalg.multiDot([np.ones([3]), np.ones([3, 4]), np.ones([4, 2])]).tolist(), [12, 12]);
  assert.equal(np.linalg.multiDot([np.ones([3]), np.ones([3, 4]), np.ones([4])]).tolist(), 12);
  // The chosen order: for 10×2·2×8·8×3·3×1 the cheapest is a·(b·(c·d)): 24 + 16 + 20 = 60 mults.
  // Observable through the jaxpr? Instead check the gradient flows (composition of matmuls).
  const g = grad((x: Array) => np.sum(np.linalg.multiDot([x, b, c, d])))(a) as Array;
  assertClose(g, np.broadcastTo(np.transpose(np.matmul(np.matmul(b, c), d)), [10, 2]), { atol: 1e-5 });
  assert.throws(() => np.linalg.multiDot([a]), /at least two arrays/);
  assert.throws(() => np.linalg.multiDot([a, c]), ShapeError);
});

test("tensorsolve and linalg.trace", () => {
  // a = eye(6) reshaped [2, 3, 6]: tensordot(a, x, 1) = x reshaped, so x = b flattened.
  const b = np.arange(6).reshape([2, 3]).astype("float32");
  assertClose(np.linalg.tensorsolve(np.reshape(np.eye(6), [2, 3, 6]), b), [0, 1, 2, 3, 4, 5], { atol: 1e-6 });
  // A random well-conditioned 4-d case: tensordot(a, x, 2) == b.
  const a = np.add(randArray([2, 3, 2, 3], 5), np.multiply(np.reshape(np.eye(6), [2, 3, 2, 3]), 3));
  const bb = randArray([2, 3], 6);
  const x = np.linalg.tensorsolve(a, bb);
  assert.deepEqual(x.shape, [2, 3]);
  assertClose(np.tensordot(a, x, 2), bb, { atol: 1e-5 });
  // axes: move axis 0 of a to the end first (numpy's rule).
  const a2 = np.transpose(a, [3, 0, 1, 2]);
  assertClose(np.linalg.tensorsolve(a2, bb, { axes: [0] }), x, { atol: 1e-5 });
  assert.throws(() => np.linalg.tensorsolve(np.ones([2, 3, 5]), np.ones([2, 3])), ShapeError);
  // trace over the last two axes (array API), with offset.
  const t = np.arange(18).reshape([2, 3, 3]);
  assert.deepEqual(np.linalg.trace(t).tolist(), [12, 39]);
  assert.deepEqual(np.linalg.trace(t, { offset: 1 }).tolist(), [6, 24]);
  assert.throws(() => np.linalg.trace(np.ones([3])), ShapeError);
});
