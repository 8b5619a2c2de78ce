/**
 * Tests for the eigh kernel. Every check is a residual computed here in float64 from the
 * float32 inputs/outputs, against a tolerance derived from the float32 rounding of the
 * outputs (first-order error analysis, spelled out next to each bound):
 *   U32 = 2⁻²⁴ is the unit roundoff of float32 (|fl(x) − x| ≤ U32·|x|, for the real and the
 *   imaginary part separately, hence also for the modulus);
 *   EPS64 = 2⁻⁵² bounds the float64 work (the kernels' and this file's), always tiny next to U32.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { eighKernel, qrKernel } from "../src/kernels/linalg.ts";
import {
  EPS64,
  U32,
  abs,
  assertClose,
  cmat,
  identity,
  matmul,
  pack,
  randomHermitian,
  randomMat,
  rng,
  roundF32,
  unpack,
  type CMat,
} from "./linalg-host-reference.ts";

/**
 * Check an eigh result for Hermitian A (float64 copy of what the kernel read):
 * - ascending eigenvalues;
 * - ‖V̂ŵV̂ᴴ − A‖ entrywise ≤ 3·U32·max|w| (+ float64 slack): with V̂ = V + ΔV, |ΔV| ≤ U32·|V|,
 *   ŵ = w(1+δ), the first-order error of entry (i,j) is Σ_k |w_k|·3·U32·|V_ik||V_jk|
 *   ≤ 3·U32·max|w|·‖V_i,:‖·‖V_j,:‖ = 3·U32·max|w| (rows of a unitary matrix have unit norm);
 * - V̂ᴴV̂ = I entrywise within 2·U32 (+ float64 slack), by the same argument;
 * - the phase convention: the first component whose |·|² is within 1e-6 of the largest is
 *   real and ≥ 0 (exactly, as written by the kernel).
 */
function checkEigh(A: CMat, w: Float32Array, v: Float32Array, b: number, complex: boolean): void {
  const n = A.rows;
  const ws = Array.from(w.subarray(b * n, (b + 1) * n));
  for (let k = 1; k < n; k++) assert.ok(ws[k - 1] <= ws[k], `eigenvalues not ascending: ${ws}`);
  const V = unpack(v, b, n, n, complex);
  const normA = Math.max(...ws.map(Math.abs));
  const slack = 16 * n * n * EPS64;
  const VW = cmat(n, n);
  for (let i = 0; i < n * n; i++) {
    VW.re[i] = V.re[i] * ws[i % n];
    VW.im[i] = V.im[i] * ws[i % n];
  }
  assertClose(matmul(VW, V, false, true), A, () => (3 * U32 + slack) * normA, "V diag(w) Vᴴ vs A");
  assertClose(matmul(V, V, true, false), identity(n), () => 2 * U32 + slack, "VᴴV vs I");
  for (let k = 0; k < n; k++) {
    let maxSq = 0;
    for (let i = 0; i < n; i++) maxSq = Math.max(maxSq, abs(V, i * n + k) ** 2);
    let pick = 0;
    while (abs(V, pick * n + k) ** 2 < maxSq * (1 - 1e-6)) pick++;
    assert.equal(V.im[pick * n + k], 0, `phase: component ${pick} of vector ${k} not real`);
    assert.ok(V.re[pick * n + k] > 0, `phase: component ${pick} of vector ${k} not positive`);
  }
}

test("eigh: hand-derived 2×2 and diagonal cases", () => {
  const { w, v } = eighKernel(new Float32Array([2, 1, 1, 2]), 1, 2, false, true);
  assert.deepEqual(Array.from(w), [1, 3]);
  // λ=1 ↔ (1, −1)/√2, λ=3 ↔ (1, 1)/√2; with the phase rule the first component is positive.
  const s = Math.fround(Math.SQRT1_2);
  for (const [got, want] of Array.from(v).map((x, i) => [x, [s, s, -s, s][i]])) {
    assert.ok(Math.abs(got - want) <= 2 * U32, `${Array.from(v)}`);
  }
  // [[2, −i], [i, 2]] (lower triangle holds i): eigenvalues 1 and 3.
  const c = eighKernel(new Float32Array([2, 0, 7, 7, 0, 1, 2, 0]), 1, 2, true, true);
  assert.deepEqual(Array.from(c.w), [1, 3]);
  // Diagonal input: eigenvectors are unit vectors (sorted), eigenvalues exact.
  const d = eighKernel(new Float32Array([3, 0, 0, 0, -1, 0, 0, 0, 2]), 1, 3, false, true);
  assert.deepEqual(Array.from(d.w), [-1, 2, 3]);
  assert.deepEqual(Array.from(d.v), [0, 0, 1, 1, 0, 0, 0, 1, 0]);
  // n = 1 and n = 0.
  assert.deepEqual(Array.from(eighKernel(new Float32Array([-5, 9]), 1, 1, true, false).w), [-5]);
  const e = eighKernel(new Float32Array(0), 4, 0, false, true);
  assert.equal(e.w.length + e.v.length, 0);
});

for (const complex of [false, true]) {
  for (const lower of [true, false]) {
    test(`eigh: random ${complex ? "Hermitian" : "symmetric"} (${lower ? "lower" : "upper"})`, () => {
      const r = rng(complex ? 11 : 7);
      for (const n of [1, 2, 3, 5, 16, 64]) {
        const batch = 3;
        const mats = Array.from({ length: batch }, () => randomHermitian(n, complex, r));
        // Garbage in the unread triangle and the imaginary diagonal proves they are ignored.
        const input = mats.map((m) => {
          const g = cmat(n, n);
          g.re.set(m.re);
          g.im.set(m.im);
          for (let i = 0; i < n; i++) {
            if (complex) g.im[i * n + i] = 123;
            for (let j = 0; j < i; j++) {
              const unread = lower ? j * n + i : i * n + j;
              g.re[unread] = 1e3;
              g.im[unread] = -1e3;
            }
          }
          return g;
        });
        const { w, v } = eighKernel(pack(input, complex), batch, n, complex, lower);
        mats.forEach((m, b) => checkEigh(m, w, v, b, complex));
      }
    });
  }
}

test("eigh: repeated eigenvalues still give an orthonormal basis", () => {
  const r = rng(3);
  for (const complex of [false, true]) {
    // A = Q diag(1,1,1,2,2,5) Qᴴ from a random unitary Q (our own QR, tested below).
    const n = 6;
    const q = qrKernel(pack([randomMat(n, n, complex, r)], complex), 1, n, n, complex, "complete").q;
    assert.ok(q !== null);
    const Q = unpack(q, 0, n, n, complex);
    const lam = [1, 1, 1, 2, 2, 5];
    const QL = cmat(n, n);
    for (let i = 0; i < n * n; i++) {
      QL.re[i] = Q.re[i] * lam[i % n];
      QL.im[i] = Q.im[i] * lam[i % n];
    }
    const A = roundF32(matmul(QL, Q, false, true));
    const { w, v } = eighKernel(pack([A], complex), 1, n, complex, true);
    checkEigh(A, w, v, 0, complex);
    // A's eigenvalues are those of Λ^½·QᴴQ·Λ^½, within max(λ)·‖QᴴQ − I‖_F of λ (Q is only
    // float32-unitary); rounding A to float32 moves them by ≤ ‖ΔA‖_F ≤ U32·‖A‖_F (Weyl); the
    // output adds U32·|λ|.
    const defect = matmul(Q, Q, true, false);
    let defectF = 0;
    for (let i = 0; i < n * n; i++) defectF += (defect.re[i] - (i % (n + 1) === 0 ? 1 : 0)) ** 2 + defect.im[i] ** 2;
    const normF = Math.sqrt(lam.reduce((s, x) => s + x * x, 0));
    const tol = (x: number): number => 5 * Math.sqrt(defectF) + 1.01 * U32 * normF + U32 * x + 64 * EPS64 * normF;
    lam.forEach((x, k) => assert.ok(Math.abs(w[k] - x) <= tol(x), `${w[k]} vs ${x}`));
  }
});

test("eigh: phase convention on a Hermitian circulant (exact magnitude ties)", () => {
  // A_jl = c_{(l−j) mod n} with c_1 = 1 + ½i, c_{−1} = conj(c_1), c_{±2} = 0.3 (all exact in
  // float32). Eigenvectors are Fourier vectors u_k = (e^{2πijk/n})_j/√n, every component of
  // magnitude 1/√n, with λ_k = 2cos θ − sin θ + 0.6·cos 2θ (θ = 2πk/n), distinct for n = 8.
  // The convention (first of the tied components real positive) therefore gives u_k exactly.
  const n = 8;
  const c = new Map<number, [number, number]>([
    [1, [1, 0.5]],
    [n - 1, [1, -0.5]],
    [2, [0.3, 0]],
    [n - 2, [0.3, 0]],
  ]);
  const a = new Float32Array(2 * n * n);
  for (let j = 0; j < n; j++) {
    for (let l = 0; l < n; l++) {
      const [re, im] = c.get((l - j + n) % n) ?? [0, 0];
      a[2 * (j * n + l)] = re;
      a[2 * (j * n + l) + 1] = im;
    }
  }
  const { w, v } = eighKernel(a, 1, n, true, true);
  const ks = Array.from({ length: n }, (_, k) => k);
  const lam = (k: number): number => {
    const t = (2 * Math.PI * k) / n;
    return 2 * Math.cos(t) - Math.sin(t) + 0.6 * Math.cos(2 * t);
  };
  ks.sort((p, q) => lam(p) - lam(q));
  ks.forEach((k, col) => {
    // Eigenvalue: output rounding plus float64 error; eigenvector: the gap here is ≥ 0.3, so
    // the float64 error (~EPS64·‖A‖/gap) is negligible next to the output rounding U32/√n.
    assert.ok(Math.abs(w[col] - lam(k)) <= U32 * 4 + 1e-12, `λ ${w[col]} vs ${lam(k)}`);
    for (let j = 0; j < n; j++) {
      const t = (2 * Math.PI * ((j * k) % n)) / n;
      const re = v[2 * (j * n + col)];
      const im = v[2 * (j * n + col) + 1];
      const err = Math.hypot(re - Math.cos(t) / Math.sqrt(n), im - Math.sin(t) / Math.sqrt(n));
      assert.ok(err <= (2 * U32) / Math.sqrt(n) + 1e-12, `u_${k}[${j}] = ${re}+${im}i`);
    }
  });
});

test("eigh: identity, zero matrix and non-finite input", () => {
  const id = eighKernel(pack([identity(4)], false), 1, 4, false, true);
  assert.deepEqual(Array.from(id.w), [1, 1, 1, 1]);
  assert.deepEqual(Array.from(id.v), Array.from(pack([identity(4)], false)));
  const z = eighKernel(new Float32Array(9), 1, 3, false, true);
  assert.deepEqual(Array.from(z.w), [0, 0, 0]);
  const bad = new Float32Array([1, 0, 0, 1, /* second matrix */ NaN, 0, 0, 1]);
  const res = eighKernel(bad, 2, 2, false, true);
  assert.deepEqual(Array.from(res.w.subarray(0, 2)), [1, 1]);
  assert.ok(Array.from(res.w.subarray(2)).every(Number.isNaN));
  assert.ok(Array.from(res.v.subarray(4)).every(Number.isNaN));
});

/**
 * HiPPO-LegS (as used by S5): A_nk = −√((2n+1)(2k+1)) (n > k), −(n+1) (n = k), 0 (n < k);
 * P_n = √(n + ½); S = A + P·Pᵀ = −½·I + K with K real skew-symmetric, so H = −i·K is Hermitian
 * and S's eigenvalues are −½ + i·λ(H). S5 calls eigh(−i·S) directly; its diagonal +½i must be
 * ignored (only the real part of the diagonal is read), giving eigh(H).
 */
function hippoS(N: number): Float64Array {
  const S = new Float64Array(N * N);
  for (let n = 0; n < N; n++) {
    for (let k = 0; k < N; k++) {
      const a = n > k ? -Math.sqrt((2 * n + 1) * (2 * k + 1)) : n === k ? -(n + 1) : 0;
      S[n * N + k] = a + Math.sqrt((n + 0.5) * (k + 0.5));
    }
  }
  return S;
}

for (const N of [8, 64]) {
  test(`eigh: HiPPO-LegS N=${N} has eigenvalues with real part −½`, () => {
    const S = hippoS(N);
    for (let i = 0; i < N; i++) {
      assert.ok(Math.abs(S[i * N + i] + 0.5) < 1e-12, "diagonal of S is −½");
      for (let j = 0; j < i; j++) assert.ok(Math.abs(S[i * N + j] + S[j * N + i]) < 1e-12 * N, "S + ½I is skew");
    }
    // −i·S: entry (re, im) = (Im S, −Re S) = (0, −S).
    const minusIS = new Float32Array(2 * N * N);
    for (let i = 0; i < N * N; i++) minusIS[2 * i + 1] = -S[i];
    const skewOnly = minusIS.slice();
    for (let i = 0; i < N; i++) skewOnly[2 * (i * N + i) + 1] = 0;
    const { w, v } = eighKernel(minusIS, 1, N, true, true);
    const ref = eighKernel(skewOnly, 1, N, true, true);
    assert.deepEqual(w, ref.w, "imaginary diagonal ignored");
    assert.deepEqual(v, ref.v, "imaginary diagonal ignored");

    // H as the kernel read it (float32-rounded, lower triangle, zero diagonal), made Hermitian.
    const H = cmat(N, N);
    for (let i = 0; i < N; i++) {
      for (let j = 0; j < i; j++) {
        H.im[i * N + j] = skewOnly[2 * (i * N + j) + 1];
        H.im[j * N + i] = -H.im[i * N + j];
      }
    }
    checkEigh(H, w, v, 0, true);
    let normF = 0;
    for (let i = 0; i < N * N; i++) normF += H.im[i] ** 2;
    normF = Math.sqrt(normF);
    const V = unpack(v, 0, N, N, true);
    const Sf = cmat(N, N); // S̃ = −½·I + i·H̃, the float32 problem's S
    for (let i = 0; i < N * N; i++) {
      Sf.re[i] = -H.im[i];
      Sf.im[i] = H.re[i];
    }
    for (let i = 0; i < N; i++) Sf.re[i * N + i] = -0.5;
    const SV = matmul(Sf, V);
    for (let k = 0; k < N; k++) {
      // ‖S̃v̂ − (−½ + iŵ)v̂‖₂ = ‖H̃v̂ − ŵv̂‖₂ ≤ ‖H̃‖₂·U32 + 2·U32·|ŵ| ≤ 3·U32·‖H̃‖_F (first order).
      let res = 0;
      for (let i = 0; i < N; i++) {
        const vr = V.re[i * N + k];
        const vi = V.im[i * N + k];
        const lr = -0.5;
        const li = w[k];
        res += (SV.re[i * N + k] - (lr * vr - li * vi)) ** 2 + (SV.im[i * N + k] - (lr * vi + li * vr)) ** 2;
      }
      assert.ok(Math.sqrt(res) <= (3 * U32 + 16 * N * N * EPS64) * normF, `residual ${Math.sqrt(res)} for k=${k}`);
      // The spectrum of a real skew matrix is symmetric, ±iμ; Weyl bounds the float32 input
      // perturbation by U32·‖H‖_F for each eigenvalue, plus each output's own rounding.
      const mirror = w[N - 1 - k];
      const pairTol = (2 * U32 + 16 * N * N * EPS64) * normF + U32 * (Math.abs(w[k]) + Math.abs(mirror));
      assert.ok(Math.abs(w[k] + mirror) <= pairTol, `±pair ${w[k]}, ${mirror}`);
    }
  });
}
