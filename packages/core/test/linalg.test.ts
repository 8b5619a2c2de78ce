/**
 * Values of the linalg primitives and np.linalg against numpy/scipy reference data
 * (testdata/linalg, see its README), decomposition identities, vmap vs stacking, jit, errors.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { np, lax, jit, vmap, ShapeError, DTypeError, ValueError, type Array } from "linax-ts";
import { assertClose, checkVmap, checkJit, toFlat } from "@linax-ts/testing";
import { alignColumns, dec, flatCM, hCM, loadRef, matmulCM, toCM, type Enc } from "./linalg-fft-reference.ts";

const ref = loadRef("linalg");
const E = (c: string, k: string): Array => dec(ref[c][k] as Enc);
const tol = { rtol: 2e-5, atol: 2e-5 };

/** Rows of a batch (host slices). */
function unstack(x: Array): Array[] {
  return globalThis.Array.from({ length: x.shape[0] }, (_, i) => x.get(i));
}

test("eigh: eigenvalues match numpy; eigenvectors match up to a phase; A = V·diag(w)·Vᴴ", () => {
  for (const name of ["eigh_real4", "eigh_complex3"]) {
    const a = E(name, "a");
    const [w, v] = np.linalg.eigh(a);
    assert.equal(w.dtype, "float32");
    assert.equal(v.dtype, a.dtype);
    assertClose(w, E(name, "w"), tol);
    // Columns agree with numpy's after removing the per-column phase.
    const got = toCM(v);
    alignColumns(got, toCM(E(name, "v")));
    assertClose(flatCM(got, a.dtype === "complex64"), toFlat(E(name, "v")), { rtol: 1e-4, atol: 1e-4 });
    // Reconstruction and orthonormality on the host in float64.
    const V = toCM(v);
    const W = toCM(np.reshape(w, [1, w.shape[0]]));
    const VW = { ...V, re: V.re.map((x, i) => x * W.re[i % V.n]), im: V.im.map((x, i) => x * W.re[i % V.n]) };
    assertClose(flatCM(matmulCM(VW, hCM(V)), a.dtype === "complex64"), toFlat(a), { rtol: 1e-5, atol: 1e-5 });
    const I = matmulCM(hCM(V), V);
    assertClose(flatCM(I, false), toFlat(np.eye(V.n)), { atol: 1e-6 });
  }
});

test("eigh: leading batch dims, UPLO and eigvalsh", () => {
  const a = E("eigh_batch2x3", "a");
  const [w] = np.linalg.eigh(a);
  assertClose(w, E("eigh_batch2x3", "w"), { ...tol, shape: [2, 3] });
  assertClose(np.linalg.eigvalsh(a), E("eigh_batch2x3", "w"), tol);
  // Without symmetrization only the chosen triangle is read.
  const s = np.array([
    [2, 100],
    [1, 3],
  ]);
  const lower = np.linalg.eigvalsh(s, { UPLO: "L", symmetrizeInput: false });
  const upper = np.linalg.eigvalsh(s, { UPLO: "U", symmetrizeInput: false });
  const ev = (b: number): number[] => [(5 - Math.sqrt(1 + 4 * b * b)) / 2, (5 + Math.sqrt(1 + 4 * b * b)) / 2];
  assertClose(lower, ev(1), { rtol: 1e-5 });
  assertClose(upper, ev(100), { rtol: 1e-5 });
  // lax.eigh returns JAX's order [v, w].
  const [v2, w2] = lax.eigh(
    np.array([
      [2, 0],
      [0, 1],
    ]),
  );
  assertClose(w2, [1, 2]);
  assertClose(lax.abs(v2), [0, 1, 1, 0]);
});

test("qr: matches numpy's (LAPACK-signed) reduced and complete factors", () => {
  for (const name of ["qr_real4x3", "qr_complex3x3", "qr_wide2x4", "qr_batch2x3x2"]) {
    const a = E(name, "a");
    const [q, r] = np.linalg.qr(a);
    assertClose(q, E(name, "q"), { rtol: 1e-4, atol: 1e-5 });
    assertClose(r, E(name, "r"), { rtol: 1e-4, atol: 1e-5 });
    const [qc, rc] = np.linalg.qr(a, { mode: "complete" });
    assertClose(qc, E(name, "qComplete"), { rtol: 1e-4, atol: 1e-5 });
    assertClose(rc, E(name, "rComplete"), { rtol: 1e-4, atol: 1e-5 });
    assertClose(np.linalg.qr(a, { mode: "r" }), E(name, "r"), { rtol: 1e-4, atol: 1e-5 });
  }
});

test("cholesky: matches numpy, upper = Lᴴ, NaN when not positive definite", () => {
  for (const name of ["cholesky_real4", "cholesky_complex3"]) {
    const a = E(name, "a");
    const l = np.linalg.cholesky(a);
    assertClose(l, E(name, "l"), { rtol: 1e-5, atol: 1e-5 });
    const u = np.linalg.cholesky(a, { upper: true });
    assertClose(u, np.conj(np.transpose(l)), { rtol: 1e-6, atol: 1e-6 });
  }
  // As JAX: the failed factorization is NaN, then tril zeroes the strict upper triangle.
  const bad = np.linalg.cholesky(
    np.array([
      [1, 2],
      [2, 1],
    ]),
  );
  const [b00, b01, b10, b11] = toFlat(bad);
  assert.ok(Number.isNaN(b00) && Number.isNaN(b10) && Number.isNaN(b11) && b01 === 0);
});

test("solveTriangular / lax.triangularSolve: every trans mode, both triangles, unit diagonal, complex, vectors", () => {
  const c = ref["solve_triangular"];
  const x = c["x"] as Record<string, Enc>;
  const a = dec(c["a"] as Enc);
  const b = dec(c["b"] as Enc);
  for (const lower of [true, false]) {
    for (const trans of [0, 1, 2] as const) {
      for (const unit of [false, true]) {
        const got = np.linalg.solveTriangular(a, b, { lower, trans, unitDiagonal: unit });
        assertClose(got, dec(x[`real_l${Number(lower)}_t${trans}_u${Number(unit)}`]), { rtol: 1e-4, atol: 1e-5 });
      }
    }
  }
  const ac = dec(c["ac"] as Enc);
  const bc = dec(c["bc"] as Enc);
  for (const trans of ["N", "T", "C"] as const) {
    const got = np.linalg.solveTriangular(ac, bc, { lower: true, trans });
    assertClose(got, dec(x[`complex_l1_t${["N", "T", "C"].indexOf(trans)}_u0`]), { rtol: 1e-4, atol: 1e-5 });
  }
  assertClose(np.linalg.solveTriangular(a, dec(c["bv"] as Enc)), dec(x["vector_l0_t0_u0"]), { rtol: 1e-4, atol: 1e-5 });
  // Right side: X·A = B ⇔ Aᵀ·Xᵀ = Bᵀ.
  const bt = np.transpose(b);
  const right = lax.triangularSolve(a, bt, { leftSide: false, lower: true, transposeA: true });
  assertClose(np.transpose(right), dec(x["real_l1_t0_u0"]), { rtol: 1e-4, atol: 1e-5 });
});

test("lu: packed factors and pivots match LAPACK (scipy); a[perm] = L·U", () => {
  for (const name of ["lu_real4", "lu_complex3"]) {
    const [lu, piv] = lax.lu(E(name, "a"));
    assertClose(lu, E(name, "lu"), { rtol: 1e-4, atol: 1e-5 });
    assert.deepEqual(toFlat(piv), toFlat(E(name, "pivots")));
  }
  const a = E("lu_tall4x3", "a");
  const [lu, piv, perm] = lax.lu(a);
  assert.deepEqual(lu.shape, [4, 3]);
  assert.deepEqual(piv.shape, [3]);
  assert.deepEqual(toFlat(perm), toFlat(E("lu_tall4x3", "perm")));
  const L = np.add(np.tril(lu, { k: -1 }), np.eye(4, 3));
  assertClose(L, E("lu_tall4x3", "l"), { rtol: 1e-4, atol: 1e-5 });
  assertClose(np.triu(lu).get(np.s_(0, 3)), E("lu_tall4x3", "u"), { rtol: 1e-4, atol: 1e-5 });
});

test("solve / inv / det / slogdet match numpy (real, complex, batched, vector rhs, pivoting)", () => {
  for (const name of ["solve_real4", "solve_complex3", "solve_batch2x3", "solve_vector3"]) {
    const a = E(name, "a");
    const b = E(name, "b");
    assertClose(np.linalg.solve(a, b), E(name, "x"), { rtol: 1e-4, atol: 1e-5 });
    assertClose(np.linalg.inv(a), E(name, "inv"), { rtol: 1e-4, atol: 1e-5 });
    assertClose(np.linalg.det(a), E(name, "det"), { rtol: 1e-5, atol: 1e-5 });
    const [sign, logabs] = np.linalg.slogdet(a);
    assertClose(sign, E(name, "sign"), { rtol: 1e-5, atol: 1e-5 });
    assertClose(logabs, E(name, "logabsdet"), { rtol: 1e-5, atol: 1e-5 });
  }
  const p = E("det_pivoted", "a");
  assertClose(np.linalg.det(p), E("det_pivoted", "det"), { rtol: 1e-5 });
  assertClose(np.linalg.slogdet(p)[0], E("det_pivoted", "sign"));
  // Singular: det 0, slogdet (0, −Inf); solve gives non-finite values (as JAX, no exception).
  const sing = np.array([
    [1, 2],
    [2, 4],
  ]);
  assertClose(np.linalg.det(sing), 0, { atol: 1e-6 });
  const [s0, l0] = np.linalg.slogdet(sing);
  assertClose(s0, 0);
  assert.equal(toFlat(l0)[0], -Infinity);
  // solve broadcasts a batch of matrices against one right-hand side.
  const a2 = E("solve_batch2x3", "a");
  const bOne = np.array([[1], [2], [3]]);
  const xs = np.linalg.solve(a2, bOne);
  assert.deepEqual(xs.shape, [2, 3, 1]);
  assertClose(np.matmul(a2, xs), np.broadcastTo(bOne, [2, 3, 1]), { rtol: 1e-4, atol: 1e-5 });
});

test("norm: vector and matrix orders, axes, keepdims", () => {
  const c = ref["norm"];
  const g = (k: string): Array => dec(c[k] as Enc);
  const [v, m, t] = [g("v"), g("m"), g("t")];
  const o = { rtol: 1e-5, atol: 1e-5 };
  assertClose(np.linalg.norm(v), g("v_default"), o);
  assertClose(np.linalg.norm(v, { ord: 1 }), g("v_1"), o);
  assertClose(np.linalg.norm(v, { ord: Infinity }), g("v_inf"), o);
  assertClose(np.linalg.norm(v, { ord: -Infinity }), g("v_ninf"), o);
  assertClose(np.linalg.norm(v, { ord: 0 }), g("v_0"), o);
  assertClose(np.linalg.norm(v, { ord: 3 }), g("v_3"), o);
  assertClose(np.linalg.norm(m), g("m_fro"), o);
  assertClose(np.linalg.norm(m, { ord: 1 }), g("m_1"), o);
  assertClose(np.linalg.norm(m, { ord: Infinity }), g("m_inf"), o);
  assertClose(np.linalg.norm(m, { ord: -1 }), g("m_n1"), o);
  assertClose(np.linalg.norm(m, { ord: 2 }), g("m_2"), { rtol: 1e-4 });
  assertClose(np.linalg.norm(m, { ord: -2 }), g("m_n2"), { rtol: 1e-3 });
  assertClose(np.linalg.norm(m, { ord: "nuc" }), g("m_nuc"), { rtol: 1e-4 });
  assertClose(np.linalg.norm(t, { axis: 1 }), g("t_axis1"), o);
  assertClose(np.linalg.norm(t, { axis: [0, 2] }), g("t_axes02_fro"), o);
  assertClose(np.linalg.norm(t, { ord: 1, axis: [2, 1] }), g("t_axes21_1"), o);
  assert.deepEqual(np.linalg.norm(t, { axis: 1, keepdims: true }).shape, [2, 1, 4]);
  assertClose(np.linalg.norm(np.array([[3, 4]]).astype("complex64")), 5, { rtol: 1e-6 });
});

test("vmap of every linalg primitive equals stacking (batched axis anywhere)", () => {
  const herm = E("eigh_batch2x3", "a");
  checkVmap((a: Array) => np.linalg.eigh(a), [herm], { rtol: 1e-4, atol: 1e-5 });
  checkVmap((a: Array) => np.linalg.qr(a), [E("qr_batch2x3x2", "a")], { rtol: 1e-4, atol: 1e-5 });
  const spd = np.add(np.matmul(herm, np.transpose(herm, [0, 2, 1])), np.multiply(np.eye(3), 3));
  checkVmap((a: Array) => np.linalg.cholesky(a), [spd], { rtol: 1e-5, atol: 1e-5 });
  checkVmap((a: Array) => lax.lu(a), [herm]);
  // triangularSolve: both batched, only b batched (folded into columns, left and right side), only a batched.
  const a = E("solve_batch2x3", "a");
  const b = E("solve_batch2x3", "b");
  const ts = (x: Array, y: Array): Array => lax.triangularSolve(x, y, { leftSide: true, lower: true });
  checkVmap(ts, [a, b], { rtol: 1e-5, atol: 1e-5 });
  const a0 = a.get(0);
  checkVmap((y: Array) => ts(a0, y), [b], { rtol: 1e-5, atol: 1e-5 });
  checkVmap(
    (y: Array) => lax.triangularSolve(a0, np.transpose(y), { leftSide: false, lower: false, transposeA: true }),
    [b],
    { rtol: 1e-5, atol: 1e-5 },
  );
  checkVmap((x: Array) => ts(x, b.get(0)), [a], { rtol: 1e-5, atol: 1e-5 });
  checkVmap((x: Array, y: Array) => np.linalg.solve(x, y), [a, b], { rtol: 1e-4, atol: 1e-5 });
  checkVmap((x: Array) => np.linalg.det(x), [a], { rtol: 1e-5, atol: 1e-5 });
  // A batch axis that is not leading (inAxes 2) goes through the batching rules' moves.
  const moved = np.moveaxis(herm, 0, 2);
  const viaAxis2 = vmap((h: Array) => np.linalg.eigvalsh(h), { inAxes: 2 })(moved);
  unstack(herm).forEach((h, i) => assertClose(viaAxis2.get(i), np.linalg.eigvalsh(h), { rtol: 1e-5, atol: 1e-5 }));
});

test("jit(f) == f for the linalg primitives and np.linalg", () => {
  const herm = E("eigh_complex3", "a");
  checkJit((a: Array) => np.linalg.eigh(a), [herm], { rtol: 1e-6, atol: 1e-6 });
  checkJit((a: Array) => np.linalg.qr(a), [E("qr_real4x3", "a")]);
  checkJit((a: Array) => np.linalg.cholesky(a), [E("cholesky_complex3", "a")]);
  checkJit((a: Array, b: Array) => np.linalg.solve(a, b), [E("solve_real4", "a"), E("solve_real4", "b")]);
  checkJit((a: Array) => np.linalg.slogdet(a), [E("solve_complex3", "a")]);
  const f = jit((a: Array) => np.linalg.inv(a));
  assertClose(f(E("solve_real4", "a")), E("solve_real4", "inv"), { rtol: 1e-4, atol: 1e-5 });
});

test("errors: non-square, integer dtypes at lax level, rank, mismatched shapes, bad options", () => {
  const rect = np.ones([2, 3]);
  assert.throws(() => np.linalg.eigh(rect), ShapeError);
  assert.throws(() => np.linalg.cholesky(rect), ShapeError);
  assert.throws(() => np.linalg.det(rect), ShapeError);
  assert.throws(() => np.linalg.eigh(np.ones([3])), ShapeError);
  assert.throws(
    () =>
      lax.eigh(
        np.array(
          [
            [1, 0],
            [0, 1],
          ],
          { dtype: "int32" },
        ),
      ),
    DTypeError,
  );
  assert.throws(
    () =>
      lax.cholesky(
        np.array(
          [
            [1, 0],
            [0, 1],
          ],
          { dtype: "int32" },
        ),
      ),
    DTypeError,
  );
  assert.throws(
    () =>
      lax.qr(
        np.array(
          [
            [1, 0],
            [0, 1],
          ],
          { dtype: "int32" },
        ),
      ),
    DTypeError,
  );
  assert.throws(() => lax.triangularSolve(np.eye(2), np.ones([2, 2]).astype("complex64")), DTypeError);
  assert.throws(() => lax.triangularSolve(np.eye(3), np.ones([2, 2]), { leftSide: true }), ShapeError);
  assert.throws(() => np.linalg.solve(np.eye(3), np.ones([2])), ShapeError);
  assert.throws(() => np.linalg.qr(np.eye(2), { mode: "raw" as "r" }), ValueError);
  assert.throws(() => np.linalg.norm(np.ones([2, 2, 2]), { ord: 2 }), ValueError);
  assert.throws(() => np.linalg.solveTriangular(np.eye(2), np.ones([2]), { trans: 3 as 2 }), ValueError);
  // The np layer promotes integers to float32 like numpy.
  assertClose(
    np.linalg.det(
      np.array(
        [
          [2, 0],
          [0, 3],
        ],
        { dtype: "int32" },
      ),
    ),
    6,
    { rtol: 1e-6, dtype: "float32" },
  );
  try {
    np.linalg.cholesky(rect);
  } catch (e) {
    assert.match(String(e), /cholesky.*square.*\[2, 3\]|cholesky.*square.*2, 3/);
  }
});

test("eigh(−1j·S) of the HiPPO-LegS normal part (S5's initialization) matches numpy", () => {
  const s = E("eigh_hippo8", "s");
  const minusI = np.array(new Float32Array([0, -1]), { dtype: "complex64" }).reshape([]);
  const [w, v] = np.linalg.eigh(np.multiply(s.astype("complex64"), minusI));
  assertClose(w, E("eigh_hippo8", "w"), { rtol: 1e-5, atol: 2e-5 });
  // Eigenvalues of a skew matrix come in ± pairs, so no column is ambiguous beyond its phase.
  const got = toCM(v);
  alignColumns(got, toCM(E("eigh_hippo8", "v")));
  assertClose(flatCM(got, true), toFlat(E("eigh_hippo8", "v")), { rtol: 1e-4, atol: 1e-4 });
});

test("matrixPower and matrixTranspose", () => {
  const a = E("solve_real4", "a");
  const a2 = np.matmul(a, a);
  assertClose(np.linalg.matrixPower(a, 0), np.eye(4));
  assertClose(np.linalg.matrixPower(a, 1), a);
  assertClose(np.linalg.matrixPower(a, 5), np.matmul(np.matmul(a2, a2), a), { rtol: 1e-5, atol: 1e-4 });
  assertClose(np.linalg.matrixPower(a, -2), np.linalg.inv(a2), { rtol: 1e-4, atol: 1e-5 });
  assertClose(
    np.linalg.matrixPower(
      np.array(
        [
          [1, 1],
          [0, 1],
        ],
        { dtype: "int32" },
      ),
      3,
    ),
    [1, 3, 0, 1],
    { dtype: "int32" },
  );
  assert.deepEqual(np.linalg.matrixTranspose(np.ones([2, 3, 4])).shape, [2, 4, 3]);
  assert.throws(() => np.linalg.matrixPower(np.ones([2, 3]), 2), ShapeError);
});
