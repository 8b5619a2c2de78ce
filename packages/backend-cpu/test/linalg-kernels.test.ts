/**
 * Tests for the QR, Cholesky and triangular-solve kernels (eigh has eigh-kernels.test.ts).
 * Every check is a residual computed here in float64 from the float32 inputs/outputs, against
 * a tolerance derived from the float32 rounding of the outputs (first-order error analysis,
 * spelled out next to each bound):
 *   U32 = 2⁻²⁴ is the unit roundoff of float32 (|fl(x) − x| ≤ U32·|x|, for the real and the
 *   imaginary part separately, hence also for the modulus);
 *   EPS64 = 2⁻⁵² bounds the float64 work (the kernels' and this file's), always tiny next to U32.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { choleskyKernel, eighKernel, qrKernel, triangularSolveKernel, type QrMode } from "../src/kernels/linalg.ts";
import {
  EPS64,
  U32,
  abs,
  assertClose,
  cmat,
  identity,
  matmul,
  pack,
  randomMat,
  rng,
  roundF32,
  unpack,
  type CMat,
} from "./linalg-host-reference.ts";

// ------------------------------------------------------------------------------------------ QR

/** Column norms of A (for the per-column QR bound). */
function colNorms(A: CMat): number[] {
  return Array.from({ length: A.cols }, (_, j) => {
    let s = 0;
    for (let i = 0; i < A.rows; i++) s += abs(A, i * A.cols + j) ** 2;
    return Math.sqrt(s);
  });
}

for (const complex of [false, true]) {
  test(`qr: ${complex ? "complex" : "real"} shapes and modes`, () => {
    const r = rng(complex ? 21 : 20);
    const shapes: [number, number][] = [
      [1, 1],
      [3, 2],
      [2, 3],
      [5, 5],
      [8, 3],
      [3, 8],
      [40, 17],
    ];
    for (const [m, n] of shapes) {
      const k = Math.min(m, n);
      const batch = 2;
      const mats = Array.from({ length: batch }, () => randomMat(m, n, complex, r));
      const data = pack(mats, complex);
      const modes: QrMode[] = ["reduced", "complete", "r"];
      const results = modes.map((mode) => qrKernel(data, batch, m, n, complex, mode));
      results.forEach(({ q, r: rr }, mi) => {
        const mode = modes[mi];
        const qCols = mode === "complete" ? m : k;
        const rRows = mode === "complete" ? m : k;
        assert.equal(rr.length, batch * rRows * n * (complex ? 2 : 1));
        if (mode === "r") {
          assert.equal(q, null);
          assert.deepEqual(rr, results[0].r, "mode r gives the reduced R");
          return;
        }
        assert.ok(q !== null);
        for (let b = 0; b < batch; b++) {
          const Q = unpack(q, b, m, qCols, complex);
          const R = unpack(rr, b, rRows, n, complex);
          for (let i = 0; i < rRows; i++) {
            for (let j = 0; j < Math.min(i, n); j++) assert.equal(abs(R, i * n + j), 0, "R upper-triangular");
            if (i < n) assert.equal(R.im[i * n + i], 0, "R diagonal real");
          }
          // QᴴQ = I within 2·U32 per entry (unit columns, Cauchy–Schwarz), + float64 slack.
          assertClose(matmul(Q, Q, true, false), identity(qCols), () => 2 * U32 + 64 * m * EPS64, "QᴴQ vs I");
          // (Q̂R̂ − A)_ij ≤ 2·U32·Σ_k|Q_ik||R_kj| ≤ 2·U32·‖Q_i,:‖·‖R_:,j‖ ≤ 2·U32·‖A_:,j‖.
          const norms = colNorms(mats[b]);
          assertClose(matmul(Q, R), mats[b], (_i, j) => (2 * U32 + 64 * m * EPS64) * norms[j], "QR vs A");
        }
      });
    }
  });
}

test("qr: LAPACK sign convention (numpy's values)", () => {
  // numpy.linalg.qr([[1,2],[3,4],[5,6]]): R = [[-5.91607978, -7.43735744], [0, 0.82807867]].
  const { q, r } = qrKernel(new Float32Array([1, 2, 3, 4, 5, 6]), 1, 3, 2, false, "reduced");
  const wantR = [-5.91607978, -7.43735744, 0, 0.82807867];
  const wantQ = [-0.16903085, 0.89708523, -0.50709255, 0.27602622, -0.84515425, -0.34503278];
  wantR.forEach((x, i) => assert.ok(Math.abs(r[i] - x) < 1e-6 * 8, `R ${Array.from(r)}`));
  assert.ok(q !== null);
  wantQ.forEach((x, i) => assert.ok(Math.abs(q[i] - x) < 1e-7 * 8, `Q ${Array.from(q)}`));
  // Columns already of the form β·e₁ are left alone (τ = 0): the sign of R_jj is kept.
  const d = qrKernel(new Float32Array([-2, 0, 0, 3]), 1, 2, 2, false, "complete");
  assert.deepEqual(Array.from(d.r), [-2, 0, 0, 3]);
  assert.deepEqual(Array.from(d.q ?? []), [1, 0, 0, 1]);
  // Complex 1×1 [i]: the reflector rotates the phase, β = −sign(Re α)·|α| = −1 (Re α = 0 ⇒ +).
  const c = qrKernel(new Float32Array([0, 1]), 1, 1, 1, true, "reduced");
  assert.deepEqual(Array.from(c.r), [-1, 0]);
  assert.ok(Math.abs(c.q![0]) < 1e-7 && Math.abs(c.q![1] + 1) < 1e-7, `${c.q}`);
});

// ------------------------------------------------------------------------------------ Cholesky

test("cholesky: hand value, random SPD/HPD, non-PD gives NaN", () => {
  const L = choleskyKernel(new Float32Array([4, 99, 2, 3]), 1, 2, false); // upper entry ignored
  assert.deepEqual(Array.from(L), [2, 0, 1, Math.fround(Math.SQRT2)]);
  const r = rng(5);
  for (const complex of [false, true]) {
    for (const n of [1, 2, 7, 32]) {
      const B = randomMat(n, n, complex, r);
      const A = matmul(B, B, false, true);
      for (let i = 0; i < n; i++) {
        A.re[i * n + i] += n;
        A.im[i * n + i] = 0;
      }
      roundF32(A);
      const out = choleskyKernel(pack([A], complex), 1, n, complex);
      const Lm = unpack(out, 0, n, n, complex);
      for (let i = 0; i < n; i++) {
        assert.ok(Lm.re[i * n + i] > 0 && Lm.im[i * n + i] === 0, "positive real diagonal");
        for (let j = i + 1; j < n; j++) assert.equal(abs(Lm, i * n + j), 0, "lower triangular");
      }
      // (L̂L̂ᴴ − A)_ij ≤ 2·U32·‖L_i,:‖·‖L_j,:‖ = 2·U32·√(A_ii·A_jj).
      const diag = (i: number): number => A.re[i * n + i];
      assertClose(
        matmul(Lm, Lm, false, true),
        A,
        (i, j) => (2 * U32 + 64 * n * EPS64) * Math.sqrt(diag(i) * diag(j)),
        "LLᴴ vs A",
      );
    }
  }
  const bad = choleskyKernel(new Float32Array([1, 2, 2, 1, /* ok */ 1, 0, 0, 1]), 2, 2, false);
  assert.ok(Array.from(bad.subarray(0, 4)).every(Number.isNaN));
  assert.deepEqual(Array.from(bad.subarray(4)), [1, 0, 0, 1]);
});

// ---------------------------------------------------------------------------- triangular solve

test("triangularSolve: hand value", () => {
  // [[2,0],[1,1]]·X = [[2],[3]] ⇒ X = [[1],[2]].
  const opts = {
    leftSide: true,
    lower: true,
    transposeA: false,
    conjugateA: false,
    unitDiagonal: false,
    complex: false,
  };
  assert.deepEqual(
    Array.from(triangularSolveKernel(new Float32Array([2, 0, 1, 1]), new Float32Array([2, 3]), 1, 2, 1, opts)),
    [1, 2],
  );
  // Same A, X·A = [[4, 1]] ⇒ X = [[1.5, 1]].
  const right = { ...opts, leftSide: false };
  assert.deepEqual(
    Array.from(triangularSolveKernel(new Float32Array([2, 0, 1, 1]), new Float32Array([4, 1]), 1, 1, 2, right)),
    [1.5, 1],
  );
});

for (const complex of [false, true]) {
  test(`triangularSolve: all flag combinations (${complex ? "complex" : "real"})`, () => {
    const r = rng(complex ? 31 : 30);
    const [m, n, batch] = [5, 3, 2];
    for (let flags = 0; flags < 32; flags++) {
      const leftSide = (flags & 1) !== 0;
      const lower = (flags & 2) !== 0;
      const transposeA = (flags & 4) !== 0;
      const conjugateA = (flags & 8) !== 0;
      const unitDiagonal = (flags & 16) !== 0;
      const s = leftSide ? m : n;
      const As = Array.from({ length: batch }, () => {
        const A = randomMat(s, s, complex, r);
        for (let i = 0; i < s; i++) A.re[i * s + i] += Math.sign(A.re[i * s + i] || 1) * 2; // well conditioned
        return roundF32(A);
      });
      const Bs = Array.from({ length: batch }, () => randomMat(m, n, complex, r));
      // The kernel gets garbage outside the triangle (and on the diagonal when unit).
      const input = As.map((A) => {
        const g = cmat(s, s);
        for (let i = 0; i < s; i++) {
          for (let j = 0; j < s; j++) {
            const inTri = lower ? j <= i : j >= i;
            const garbage = !inTri || (unitDiagonal && i === j);
            g.re[i * s + j] = garbage ? 777 : A.re[i * s + j];
            g.im[i * s + j] = garbage ? -777 : A.im[i * s + j];
          }
        }
        return g;
      });
      const X = triangularSolveKernel(pack(input, complex), pack(Bs, complex), batch, m, n, {
        leftSide,
        lower,
        transposeA,
        conjugateA,
        unitDiagonal,
        complex,
      });
      for (let b = 0; b < batch; b++) {
        // op(A) built independently: masked triangle, unit diagonal, then conj / transpose.
        const opA = cmat(s, s);
        for (let i = 0; i < s; i++) {
          for (let j = 0; j < s; j++) {
            const inTri = lower ? j <= i : j >= i;
            let re = inTri ? As[b].re[i * s + j] : 0;
            let im = inTri ? As[b].im[i * s + j] : 0;
            if (unitDiagonal && i === j) [re, im] = [1, 0];
            const dst = transposeA ? j * s + i : i * s + j;
            opA.re[dst] = re;
            opA.im[dst] = conjugateA ? -im : im;
          }
        }
        const Xm = unpack(X, b, m, n, complex);
        const prod = leftSide ? matmul(opA, Xm) : matmul(Xm, opA);
        // Residual of X̂ = X(1+δ), |δ| ≤ U32, X solving in float64 with componentwise backward
        // error ~s·EPS64: |op(A)X̂ − B| ≤ (U32 + 4·s·EPS64)·(|op(A)|·|X̂|) to first order.
        const absA = cmat(s, s);
        const absX = cmat(m, n);
        for (let i = 0; i < s * s; i++) absA.re[i] = abs(opA, i);
        for (let i = 0; i < m * n; i++) absX.re[i] = abs(Xm, i);
        const scale = leftSide ? matmul(absA, absX) : matmul(absX, absA);
        assertClose(prod, Bs[b], (i, j) => (1.01 * U32 + 4 * s * EPS64) * scale.re[i * n + j], `flags=${flags}`);
      }
    }
  });
}

test("kernels reject inputs of the wrong length", () => {
  assert.throws(() => eighKernel(new Float32Array(3), 1, 2, false, true), RangeError);
  assert.throws(() => qrKernel(new Float32Array(6), 1, 3, 2, true, "reduced"), RangeError);
  assert.throws(() => choleskyKernel(new Float32Array(4), 2, 2, false), RangeError);
});
