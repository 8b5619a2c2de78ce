/**
 * np.linalg SVD family: svd, svdvals, pinv, matrixRank, cond, lstsq. Values against hand-derived
 * cases (noted at each), reconstruction identities (U·diag(s)·Vᴴ = A, UᴴU = I, VᴴV = I), an
 * independent route (√eig(AᴴA), normal equations, (AᵀA)⁻¹Aᵀ), vmap/jit, and derivatives against
 * central finite differences of gauge-invariant functions plus the jvp/vjp dot-product test.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  np,
  lax,
  grad,
  jvp,
  vmap,
  jit,
  NotImplementedError,
  ShapeError,
  DTypeError,
  ValueError,
  type Array,
  type DType,
} from "linax-ts";
import { assertClose, toFlat } from "@linax-ts/testing";
import { dotTest, randArray } from "./linalg-fft-reference.ts";

const mm = (a: Array, b: Array): Array => np.matmul(a, b);
const H = (a: Array): Array => np.conj(np.swapaxes(a, -1, -2));

/** u·diag(s)·vh for reduced or full factors (the extra columns/rows of full ones are dropped). */
function rebuild(u: Array, s: Array, vh: Array): Array {
  const k = s.shape[s.ndim - 1];
  const uk = u.get("...", `:${k}`);
  const vk = vh.get("...", `:${k}`, ":");
  const sc = s.astype(u.dtype);
  return mm(np.multiply(uk, np.expandDims(sc, -2)), vk);
}

function checkSvd(a: Array, full: boolean, tol = 2e-5): void {
  const [u, s, vh] = np.linalg.svd(a, { fullMatrices: full });
  const [m, n] = a.shape.slice(-2);
  const k = Math.min(m, n);
  assert.deepEqual(u.shape.slice(-2), [m, full ? m : k]);
  assert.deepEqual(vh.shape.slice(-2), [full ? n : k, n]);
  assert.equal(s.dtype, "float32");
  const scale = Math.max(1, ...toFlat(s));
  assertClose(rebuild(u, s, vh), a, { atol: tol * scale, rtol: 0 });
  assertClose(
    mm(H(u), u),
    np.broadcastTo(np.eye(u.shape[u.ndim - 1], undefined, { dtype: a.dtype }), [
      ...a.shape.slice(0, -2),
      u.shape[u.ndim - 1],
      u.shape[u.ndim - 1],
    ]),
    { atol: tol, rtol: 0 },
  );
  assertClose(
    mm(vh, H(vh)),
    np.broadcastTo(np.eye(vh.shape[vh.ndim - 2], undefined, { dtype: a.dtype }), [
      ...a.shape.slice(0, -2),
      vh.shape[vh.ndim - 2],
      vh.shape[vh.ndim - 2],
    ]),
    { atol: tol, rtol: 0 },
  );
  const sv = toFlat(s);
  for (let b = 0; b < sv.length; b += k) {
    for (let i = 1; i < k; i++) assert.ok(sv[b + i - 1] >= sv[b + i], `s not descending: ${sv}`);
    for (let i = 0; i < k; i++) assert.ok(sv[b + i] >= 0);
  }
}

test("svd: hand-derived singular values", () => {
  // AᵀA = [[25, 20], [20, 25]] has eigenvalues 45 and 5, so s = [3√5, √5].
  assertClose(
    np.linalg.svdvals(
      np.array([
        [3, 0],
        [4, 5],
      ]),
    ),
    [3 * Math.sqrt(5), Math.sqrt(5)],
    { rtol: 1e-6 },
  );
  // A diagonal matrix: s = |diagonal| sorted; u, vh signed permutations.
  const [u, s, vh] = np.linalg.svd(
    np.array([
      [0, 0, -2],
      [0, 5, 0],
    ]),
  );
  assertClose(s, [5, 2]);
  assertClose(
    rebuild(u, s, vh),
    [
      [0, 0, -2],
      [0, 5, 0],
    ],
    { atol: 1e-6 },
  );
  // Rank one: [[1, 2], [2, 4], [3, 6]] = [1, 2, 3]ᵀ·[1, 2]: s = [√14·√5, 0].
  const r1 = np.array([
    [1, 2],
    [2, 4],
    [3, 6],
  ]);
  assertClose(np.linalg.svdvals(r1), [Math.sqrt(70), 0], { atol: 1e-5 });
  checkSvd(r1, true);
  checkSvd(r1, false);
  // The zero matrix: s = 0, u and vh still unitary.
  checkSvd(np.zeros([3, 2]), true);
  // Complex: [[1, i], [i, 1]] = (1+i)/√2-rotated: AᴴA = [[2, 0], [0, 2]]... no: AᴴA = [[2, 2i·0]] — see below.
  // A = [[1, i], [i, 1]]: AᴴA = [[1·1 + (−i)(i), 1·i + (−i)·1], [...]] = [[2, 0], [0, 2]], so s = [√2, √2].
  const z = np.add(
    np.array([
      [1, 0],
      [0, 1],
    ]),
    np.multiply(
      np.array([
        [0, 1],
        [1, 0],
      ]),
      np.sqrt(np.array(-1, { dtype: "complex64" })),
    ),
  );
  assertClose(np.linalg.svdvals(z), [Math.SQRT2, Math.SQRT2], { rtol: 1e-6 });
});

test("svd: reconstruction and orthogonality, tall / wide / square / batched / complex, full and reduced", () => {
  const cases: [number[], DType][] = [
    [[5, 3], "float32"],
    [[3, 5], "float32"],
    [[4, 4], "float32"],
    [[2, 3, 3], "float32"],
    [[4, 2], "complex64"],
    [[2, 4], "complex64"],
    [[2, 3, 2], "complex64"],
    [[1, 6], "float32"],
    [[0, 3], "float32"],
  ];
  cases.forEach(([shape, dt], i) => {
    const a = randArray(shape, 31 + i, dt);
    checkSvd(a, true);
    checkSvd(a, false);
  });
});

test("svdvals agree with an independent route: √eig(AᴴA) and ‖A‖_F² = Σ s²", () => {
  for (const dt of ["float32", "complex64"] as const) {
    const a = randArray([5, 3], 7, dt);
    const w = np.linalg.eigvalsh(mm(H(a), a));
    assertClose(np.linalg.svdvals(a), np.flip(np.sqrt(w)), { rtol: 1e-4, atol: 1e-5 });
    assertClose(np.sum(np.square(np.linalg.svdvals(a))), np.square(np.linalg.norm(a)), { rtol: 1e-5 });
  }
  // computeUv: false gives the same values.
  const a = randArray([3, 4], 8);
  assertClose(np.linalg.svd(a, { computeUv: false }), np.linalg.svdvals(a));
  // Hermitian route (eigh): same s, valid factors.
  const h = np.array([
    [2, 1, 0],
    [1, -3, 1],
    [0, 1, 1],
  ]);
  const [u, s, vh] = np.linalg.svd(h, { hermitian: true });
  assertClose(s, np.linalg.svdvals(h), { rtol: 1e-5 });
  assertClose(rebuild(u, s, vh), h, { atol: 1e-5 });
});

test("svd under vmap and jit equals the loop / eager result", () => {
  const a = randArray([3, 4, 3], 12);
  const vs = vmap((x: Array) => np.linalg.svdvals(x))(a);
  for (let b = 0; b < 3; b++) assertClose(vs.get(b), np.linalg.svdvals(a.get(b)), { atol: 1e-6 });
  assertClose(vs, np.linalg.svdvals(a), { atol: 1e-6 });
  const j = jit((x: Array) => rebuild(...np.linalg.svd(x, { fullMatrices: false })))(a);
  assertClose(j, a, { atol: 1e-5 });
  const pv = vmap((x: Array) => np.linalg.pinv(x))(a);
  assertClose(pv.get(1), np.linalg.pinv(a.get(1)), { atol: 1e-5 });
});

test("svd derivatives: grad Σs = U·Vᴴ; jvp vs finite differences of gauge-invariant functions; dot-product test", () => {
  const a = np.array([
    [1, 2],
    [3, 4],
    [5, 7],
  ]);
  const [u, , vh] = np.linalg.svd(a, { fullMatrices: false });
  // d(Σ s_i)/dA = Σ u_i v_iᵀ (the nuclear norm's gradient for full-rank A).
  assertClose(grad((x: Array) => np.sum(np.linalg.svdvals(x)))(a) as Array, mm(u, vh), { atol: 1e-5 });
  // Gauge-invariant: s, the projector u₁u₁ᵀ onto the top left singular vector, and v₁v₁ᵀ.
  const f = (x: Array): Array => {
    const [uu, s, vv] = np.linalg.svd(x, { fullMatrices: false });
    const u1 = uu.get(":", "0:1");
    const v1 = H(vv.get("0:1", ":"));
    return np.concatenate([s, np.ravel(mm(u1, H(u1))), np.ravel(mm(v1, H(v1)))]);
  };
  for (const [shape, seed] of [
    [[4, 3], 3],
    [[3, 4], 4],
    [[3, 3], 5],
  ] as const) {
    const x = np.add(randArray(shape, seed), np.multiply(np.eye(shape[0], shape[1]), np.array([3])));
    const d = randArray(shape, seed + 50);
    const [, t] = jvp(f, [x], [d]) as [Array, Array];
    const h = 1e-2;
    const fd = np.divide(np.subtract(f(np.add(x, np.multiply(d, h))), f(np.subtract(x, np.multiply(d, h)))), 2 * h);
    assertClose(t, fd, { rtol: 2e-2, atol: 2e-3 });
    dotTest((y: Array) => np.linalg.svd(y, { fullMatrices: false }), [x]);
  }
  // Complex: Σs is still differentiable (real output), dot-product test on the factors.
  const z = np.add(randArray([3, 2], 9, "complex64"), np.eye(3, 2, { dtype: "complex64" }));
  dotTest((y: Array) => np.linalg.svdvals(y), [z]);
  // As JAX: no JVP for full matrices of a non-square input.
  assert.throws(() => jvp((y: Array) => np.linalg.svd(y)[0], [a], [a]), NotImplementedError);
});

test("pinv: Penrose conditions, (AᵀA)⁻¹Aᵀ for full column rank, rank-deficient case, jvp vs finite differences", () => {
  const a = np.array([
    [1, 2],
    [3, 4],
    [5, 6],
  ]);
  const p = np.linalg.pinv(a);
  assertClose(p, mm(np.linalg.inv(mm(np.transpose(a), a)), np.transpose(a)), { atol: 1e-4 });
  for (const x of [
    a,
    np.array([
      [1, 2],
      [2, 4],
      [3, 6],
    ]),
    randArray([3, 5], 2, "complex64"),
  ]) {
    const q = np.linalg.pinv(x);
    assertClose(mm(mm(x, q), x), x, { atol: 1e-4 });
    assertClose(mm(mm(q, x), q), q, { atol: 1e-4 });
    assertClose(H(mm(x, q)), mm(x, q), { atol: 1e-4 });
    assertClose(H(mm(q, x)), mm(q, x), { atol: 1e-4 });
  }
  // Hand-derived: pinv of the rank-one u·vᵀ (u = [1, 2, 3], v = [1, 2]) is v·uᵀ / (|u|²|v|²) = v·uᵀ / 70.
  assertClose(
    np.linalg.pinv(
      np.array([
        [1, 2],
        [2, 4],
        [3, 6],
      ]),
    ),
    np.divide(
      np.array([
        [1, 2, 3],
        [2, 4, 6],
      ]),
      70,
    ),
    { atol: 1e-6 },
  );
  // jvp (JAX's custom rule) vs finite differences.
  const d = randArray([3, 2], 77);
  const [, t] = jvp((x: Array) => np.linalg.pinv(x), [a], [d]) as [Array, Array];
  const h = 1e-2;
  const fd = np.divide(
    np.subtract(np.linalg.pinv(np.add(a, np.multiply(d, h))), np.linalg.pinv(np.subtract(a, np.multiply(d, h)))),
    2 * h,
  );
  assertClose(t, fd, { rtol: 1e-2, atol: 1e-3 });
  dotTest((x: Array) => np.linalg.pinv(x), [a]);
  assert.throws(() => np.linalg.pinv(a, { rcond: 1 } as never), /unknown option 'rcond'/);
});

test("matrixRank and cond: hand-derived cases", () => {
  assert.equal(
    np.linalg
      .matrixRank(
        np.array([
          [1, 2],
          [2, 4],
        ]),
      )
      .tolist(),
    1,
  );
  assert.equal(np.linalg.matrixRank(np.eye(4)).tolist(), 4);
  assert.equal(np.linalg.matrixRank(np.zeros([3, 3])).tolist(), 0);
  assert.equal(
    np.linalg
      .matrixRank(
        np.array([
          [1, 0],
          [0, 1e-3],
        ]),
        { tol: 1e-2 },
      )
      .tolist(),
    1,
  );
  assert.equal(
    np.linalg
      .matrixRank(
        np.array([
          [1, 0],
          [0, 1e-3],
        ]),
        { rtol: 1e-4 },
      )
      .tolist(),
    2,
  );
  assert.deepEqual(np.linalg.matrixRank(np.stack([np.eye(3), np.diag(np.array([1, 1, 0]))])).tolist(), [3, 2]);
  assert.equal(np.linalg.matrixRank(np.array([0, 0, 1])).tolist(), 1);
  // [[1, 2], [3, 4]]: s² are the eigenvalues (30 ± √884)/2 of AᵀA = [[10, 14], [14, 20]].
  const c2 = Math.sqrt((30 + Math.sqrt(884)) / (30 - Math.sqrt(884)));
  const a = np.array([
    [1, 2],
    [3, 4],
  ]);
  assertClose(np.linalg.cond(a), c2, { rtol: 1e-5 });
  assertClose(np.linalg.cond(a, -2), 1 / c2, { rtol: 1e-5 });
  // inv(a) = [[−2, 1], [1.5, −0.5]]: ‖a‖₁ = 6, ‖a⁻¹‖₁ = 3.5; ‖a‖_∞ = 7, ‖a⁻¹‖_∞ = 3.
  assertClose(np.linalg.cond(a, 1), 21, { rtol: 1e-5 });
  assertClose(np.linalg.cond(a, Infinity), 21, { rtol: 1e-5 });
  assertClose(np.linalg.cond(a, "fro"), Math.sqrt(30) * Math.sqrt(7.5), { rtol: 1e-5 });
  // Singular: Inf, not NaN.
  assert.equal(
    np.linalg
      .cond(
        np.array([
          [1, 2],
          [2, 4],
        ]),
        2,
      )
      .tolist(),
    Infinity,
  );
  assert.throws(() => np.linalg.cond(np.ones([2, 3]), 1), ShapeError);
  assert.throws(() => np.linalg.cond(a, 3), ValueError);
});

test("lstsq: exact solve, overdetermined vs the normal equations, rank-deficient minimum norm", () => {
  // Overdetermined: the line fit of (0, 1), (1, 2), (2, 2): intercept 7/6, slope 1/2, residual 1/6.
  const a = np.array([
    [1, 0],
    [1, 1],
    [1, 2],
  ]);
  const [x, resid, rank, s] = np.linalg.lstsq(a, np.array([1, 2, 2]));
  assertClose(x, [7 / 6, 0.5], { rtol: 1e-5 });
  assertClose(resid, [1 / 6], { rtol: 1e-4 });
  assert.equal(rank.tolist(), 2);
  assertClose(s, np.linalg.svdvals(a));
  // Matrix right-hand side vs the normal equations (AᵀA) x = Aᵀ b.
  const b = randArray([3, 2], 3);
  const ne = np.linalg.solve(mm(np.transpose(a), a), mm(np.transpose(a), b));
  assertClose(np.linalg.lstsq(a, b)[0], ne, { atol: 1e-5 });
  // Rank-deficient: the minimum-norm solution of [[1, 1]] x = 2 is [1, 1].
  const [xm, , rk] = np.linalg.lstsq(
    np.array([
      [1, 1],
      [1, 1],
    ]),
    np.array([2, 2]),
  );
  assertClose(xm, [1, 1], { atol: 1e-5 });
  assert.equal(rk.tolist(), 1);
  // numpy's residual convention: empty when rank < n.
  assert.deepEqual(
    np.linalg.lstsq(
      np.array([
        [1, 1],
        [1, 1],
      ]),
      np.array([2, 2]),
      { numpyResid: true },
    )[1].shape,
    [0],
  );
  assert.throws(() => np.linalg.lstsq(a, np.array([1, 2])), ShapeError);
  // Differentiable through the SVD: grad of Σx w.r.t. b is the row sums of pinv(a)ᵀ.
  const g = grad((bb: Array) => np.sum(np.linalg.lstsq(a, bb)[0]))(np.array([1, 2, 2])) as Array;
  assertClose(g, np.sum(np.linalg.pinv(a), 0), { atol: 1e-5 });
});

test("svd input checks", () => {
  assert.throws(() => np.linalg.svd(np.array([1, 2])), ShapeError);
  assert.throws(() => lax.svd(np.array([[1, 2]], { dtype: "int32" })), DTypeError);
  assert.throws(() => np.linalg.svd(np.eye(2), { full: true } as never), /unknown option 'full'/);
  // Integer input is promoted to float32 by np.linalg.
  assertClose(
    np.linalg.svdvals(
      np.array(
        [
          [2, 0],
          [0, 1],
        ],
        { dtype: "int32" },
      ),
    ),
    [2, 1],
  );
  // Non-finite input gives NaN (not a hang or garbage).
  assert.ok(
    toFlat(
      np.linalg.svdvals(
        np.array([
          [NaN, 1],
          [0, 1],
        ]),
      ),
    ).every(Number.isNaN),
  );
});
