// The dense linear-algebra WGSL kernels (triangularSolve, cholesky, lu, qr, eigh; float32 and
// complex64) against the CPU reference kernels, plus invariants and hand-derived edge cases.
//
// Tolerances: the CPU computes in float64 and rounds once; WGSL has only f32, so a kernel's
// backward error is ~c·n·2⁻²⁴·‖A‖ (c a small constant, n ≤ 16 here) and its forward error that
// times the problem's condition number. The random inputs below are well conditioned by
// construction (diagonal boost) or are Gaussian matrices of order ≤ 16 (condition ≲ 10³ for
// these seeds), hence the per-test tolerances, each a few times the worst error observed.
// Discrete outputs (LU pivots and permutations, exact zeros of R and L) are compared exactly.
import { test } from "node:test";
import assert from "node:assert/strict";
import { lax, type Array, type DType } from "linax-ts";
import { fromValues, mulberry32 } from "@linax-ts/testing";
import { setupWebGPU, readValues, toWebGPU } from "@linax-ts/testing/webgpu";

// At top level, not in a `before` hook (see random-kernels.test.ts).
await setupWebGPU();

const DTYPES: DType[] = ["float32", "complex64"];
const size = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);
const width = (d: DType): number => (d === "complex64" ? 2 : 1);

/** A CPU array of uniform [-1, 1) values (interleaved when complex), plus `diag` on each matrix diagonal. */
function randMat(shape: readonly number[], dtype: DType, rand: () => number, diag = 0): Array {
  const w = width(dtype);
  const vals = globalThis.Array.from({ length: size(shape) * w }, () => 2 * rand() - 1);
  const [m, n] = shape.slice(-2);
  for (let b = 0; b < size(shape.slice(0, -2)); b++) {
    for (let i = 0; i < Math.min(m, n); i++) vals[w * (b * m * n + i * n + i)] += diag;
  }
  return fromValues(vals, shape, dtype);
}

/** Run `f` on the CPU inputs and on their WebGPU copies; the values of both results. */
async function both(f: (xs: Array[]) => Array[], xs: Array[]): Promise<{ cpu: number[][]; gpu: number[][] }> {
  const cpu = await Promise.all(f(xs).map(readValues));
  const gpu = await Promise.all(f(xs.map(toWebGPU)).map(readValues));
  return { cpu, gpu };
}

/** |got − want| ≤ atol·max(1, max|want|) elementwise (NaN matches NaN, ±Inf must be equal). */
function assertClose(got: number[], want: number[], atol: number, what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  const scale = Math.max(1, ...want.filter(Number.isFinite).map(Math.abs));
  for (let i = 0; i < want.length; i++) {
    const g = got[i];
    const e = want[i];
    if (!Number.isFinite(e)) {
      assert.ok(Object.is(g, e) || (Number.isNaN(g) && Number.isNaN(e)), `${what}[${i}]: got ${g}, want ${e}`);
      continue;
    }
    assert.ok(Math.abs(g - e) <= atol * scale, `${what}[${i}]: got ${g}, want ${e} (atol ${atol}·${scale})`);
  }
}

// ---- host complex matrix helpers for the invariants (row-major, interleaved when complex)

type C = [number, number];
const at = (x: number[], w: number, idx: number): C => (w === 2 ? [x[2 * idx], x[2 * idx + 1]] : [x[idx], 0]);
/** (A·B)[i, j] for batch slab b: A r×k, B k×c; `conjA` uses Aᴴ (A stored k×r). */
function matmul(a: number[], b: number[], w: number, bt: number, r: number, k: number, c: number, conjA = false): C[] {
  const out: C[] = [];
  for (let i = 0; i < r; i++) {
    for (let j = 0; j < c; j++) {
      let re = 0;
      let im = 0;
      for (let t = 0; t < k; t++) {
        const [ar, ai0] = conjA ? at(a, w, bt * k * r + t * r + i) : at(a, w, bt * r * k + i * k + t);
        const ai = conjA ? -ai0 : ai0;
        const [br, bi] = at(b, w, bt * k * c + t * c + j);
        re += ar * br - ai * bi;
        im += ar * bi + ai * br;
      }
      out.push([re, im]);
    }
  }
  return out;
}
function assertIdentity(x: C[], n: number, tol: number, what: string): void {
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const [re, im] = x[i * n + j];
      assert.ok(Math.abs(re - (i === j ? 1 : 0)) <= tol && Math.abs(im) <= tol, `${what}[${i},${j}] = ${re}+${im}i`);
    }
  }
}

// ------------------------------------------------------------------ triangularSolve

test("triangularSolve: every flag combination, both dtypes, batched, vs CPU", async () => {
  const rand = mulberry32(101);
  for (const dtype of DTYPES) {
    for (let mask = 0; mask < 32; mask++) {
      const p = {
        leftSide: (mask & 1) !== 0,
        lower: (mask & 2) !== 0,
        transposeA: (mask & 4) !== 0,
        conjugateA: (mask & 8) !== 0 && dtype === "complex64",
        unitDiagonal: (mask & 16) !== 0,
      };
      // Every combination on complex64 (where conjugateA matters); float32 shares the code
      // path, so four combinations there (each flag both ways) keep the pipeline count down.
      if (dtype === "float32" && ![0, 7, 18, 21].includes(mask)) continue;
      // m = 4, n = 3: a is 4×4 (left) or 3×3 (right); the diagonal boost keeps it well conditioned,
      // and the junk in a's other triangle must be ignored.
      const s = p.leftSide ? 4 : 3;
      const a = randMat([2, s, s], dtype, rand, 3);
      const b = randMat([2, 4, 3], dtype, rand);
      const { cpu, gpu } = await both(([x, y]) => [lax.triangularSolveP.bind1([x, y], p)], [a, b]);
      assertClose(gpu[0], cpu[0], 2e-6, `triangularSolve ${dtype} ${JSON.stringify(p)}`);
    }
  }
});

test("triangularSolve: hand cases, zero pivot, empty and larger systems", async () => {
  const p = { leftSide: true, lower: true, transposeA: false, conjugateA: false, unitDiagonal: false };
  // [[2, 0], [1, 4]]·x = [2, 5] → x = [1, 1] (the 7 above the diagonal is ignored).
  const a = fromValues([2, 7, 1, 4], [2, 2], "float32");
  const b = fromValues([2, 5], [2, 1], "float32");
  assert.deepEqual(await readValues(lax.triangularSolveP.bind1([toWebGPU(a), toWebGPU(b)], p)), [1, 1]);
  // A zero diagonal entry gives ±Inf/NaN as on the CPU (LAPACK trsm does not check).
  const z = fromValues([0, 0, 1, 1], [2, 2], "float32");
  const { cpu, gpu } = await both(
    ([x, y]) => [lax.triangularSolveP.bind1([x, y], p)],
    [z, fromValues([1, 1], [2, 1], "float32")],
  );
  assertClose(gpu[0], cpu[0], 0, "zero pivot");
  // Empty right-hand side and a 16×16 system with 5 right-hand sides.
  const e = lax.triangularSolveP.bind1([toWebGPU(a), toWebGPU(fromValues([], [2, 0], "float32"))], p);
  assert.deepEqual(e.shape, [2, 0]);
  assert.deepEqual(await readValues(e), []);
  const rand = mulberry32(7);
  const big = await both(
    ([x, y]) => [lax.triangularSolveP.bind1([x, y], { ...p, lower: false })],
    [randMat([16, 16], "float32", rand, 4), randMat([16, 5], "float32", rand)],
  );
  assertClose(big.gpu[0], big.cpu[0], 4e-6, "16×16");
});

// ------------------------------------------------------------------ cholesky

/** Hermitian positive definite M·Mᴴ + n·I (host-built), as a CPU array. */
function spd(shape: readonly number[], dtype: DType, rand: () => number): Array {
  const v = globalThis.Array.from(randMat(shape, dtype, rand).dataSync() as Float32Array);
  const n = shape[shape.length - 1];
  const w = width(dtype);
  const out: number[] = [];
  for (let bt = 0; bt < size(shape.slice(0, -2)); bt++) {
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let re = i === j ? n : 0;
        let im = 0;
        for (let t = 0; t < n; t++) {
          // M[i, t]·conj(M[j, t])
          const [ar, ai] = at(v, w, bt * n * n + i * n + t);
          const [br, bi] = at(v, w, bt * n * n + j * n + t);
          re += ar * br + ai * bi;
          im += ai * br - ar * bi;
        }
        out.push(re);
        if (w === 2) out.push(im);
      }
    }
  }
  return fromValues(out, shape, dtype);
}

test("cholesky: random HPD matrices, both dtypes, batched, vs CPU; exact zeros above", async () => {
  const rand = mulberry32(202);
  for (const dtype of DTYPES) {
    // 64×64 float32 exceeds the workgroup-memory plan: it runs on the scratch-storage path.
    for (const shape of dtype === "float32"
      ? [
          [1, 1],
          [3, 3],
          [2, 1, 8, 8],
          [64, 64],
        ]
      : [
          [1, 1],
          [2, 5, 5],
        ]) {
      const a = spd(shape, dtype, rand);
      const { cpu, gpu } = await both(([x]) => [lax.choleskyP.bind1([x], {})], [a]);
      assertClose(gpu[0], cpu[0], 2e-6, `cholesky ${dtype} ${JSON.stringify(shape)}`);
      const n = shape[shape.length - 1];
      const w = width(dtype);
      for (let e = 0; e < size(shape); e++) {
        if (e % n > Math.floor(e / n) % n)
          assert.ok(gpu[0][w * e] === 0 && (w === 1 || gpu[0][w * e + 1] === 0), `upper entry ${e}`);
      }
    }
  }
});

test("cholesky: not positive definite or NaN → that matrix all NaN; empty", async () => {
  for (const dtype of DTYPES) {
    const w = width(dtype);
    const cx = (xs: number[]): number[] => (w === 1 ? xs : xs.flatMap((x) => [x, 0]));
    // Batch of 3: PD [[4, 2], [2, 5]] → [[2, 0], [1, 2]]; indefinite [[1, 2], [2, 1]]; NaN.
    const a = fromValues(cx([4, 2, 2, 5, 1, 2, 2, 1, 1, 0, NaN, 1]), [3, 2, 2], dtype);
    const got = await readValues(lax.choleskyP.bind1([toWebGPU(a)], {}));
    assert.deepEqual(got.slice(0, 4 * w), cx([2, 0, 1, 2]));
    assert.ok(got.slice(4 * w).every(Number.isNaN), `${dtype}: ${got}`);
    const e = lax.choleskyP.bind1([toWebGPU(fromValues([], [0, 3, 3], dtype))], {});
    assert.deepEqual(e.shape, [0, 3, 3]);
  }
});

// ------------------------------------------------------------------ lu

test("lu: pivots and permutation equal the CPU's, factors close; square, wide, tall, batched", async () => {
  const rand = mulberry32(303);
  for (const dtype of DTYPES) {
    // [64, 60] float32 runs on the scratch-storage path.
    const shapes =
      dtype === "float32"
        ? [
            [1, 1],
            [4, 4],
            [2, 3, 5],
            [5, 3],
            [64, 60],
          ]
        : [
            [4, 4],
            [2, 3, 5],
            [5, 3],
          ];
    for (const shape of shapes) {
      const a = randMat(shape, dtype, rand);
      const { cpu, gpu } = await both(([x]) => lax.luP.bind([x], {}), [a]);
      assert.deepEqual(gpu[1], cpu[1], `pivots ${dtype} ${JSON.stringify(shape)}`);
      assert.deepEqual(gpu[2], cpu[2], `permutation ${dtype} ${JSON.stringify(shape)}`);
      assertClose(gpu[0], cpu[0], shape[0] === 64 ? 2e-5 : 2e-6, `lu ${dtype} ${JSON.stringify(shape)}`);
    }
  }
});

test("lu: ties, zero columns (no scaling), NaN, n = 0", async () => {
  // Column 0 is [1, -1]: |1| = |-1| ties, the first row wins (no swap). Then u11 = 3 + 2.
  const t = await both(([x]) => lax.luP.bind([x], {}), [fromValues([1, 2, -1, 3], [2, 2], "float32")]);
  assert.deepEqual(t.gpu, t.cpu);
  assert.deepEqual(t.gpu, [
    [1, 2, -1, 5],
    [0, 1],
    [0, 1],
  ]);
  // A zero column: pivot stays, nothing is scaled; then rows 1/2 swap on column 1.
  const z = await both(([x]) => lax.luP.bind([x], {}), [fromValues([0, 1, 2, 0, 1, 1, 0, 4, 0], [3, 3], "float32")]);
  assert.deepEqual(z.gpu, z.cpu);
  // NaN never wins the pivot search (the comparison is false), as on the CPU.
  const n = await both(
    ([x]) => lax.luP.bind([x], {}),
    [fromValues([NaN, 1, 2, 3, 0.5, 1, 1, 1, 1], [3, 3], "float32")],
  );
  assert.deepEqual(n.gpu[1], n.cpu[1]);
  assert.deepEqual(n.gpu[2], n.cpu[2]);
  assertClose(n.gpu[0], n.cpu[0], 1e-7, "NaN lu");
  // n = 0: empty lu and pivots, identity permutation.
  const e = lax.luP.bind([toWebGPU(fromValues([], [2, 3, 0], "complex64"))], {});
  assert.deepEqual(await readValues(e[2]), [0, 1, 2, 0, 1, 2]);
  assert.deepEqual(e[1].shape, [2, 0]);
});

// ------------------------------------------------------------------ qr

/** Q, R of WebGPU vs CPU (same LAPACK signs) and the invariants QᴴQ = I, QR = A, R upper. */
async function checkQr(a: Array, fullMatrices: boolean, tol: number): Promise<void> {
  const what = `qr ${a.dtype} ${JSON.stringify(a.shape)} full=${fullMatrices}`;
  const { cpu, gpu } = await both(([x]) => lax.qrP.bind([x], { fullMatrices }), [a]);
  assertClose(gpu[0], cpu[0], tol, `${what} q`);
  assertClose(gpu[1], cpu[1], tol, `${what} r`);
  const [m, n] = a.shape.slice(-2);
  const k = fullMatrices ? m : Math.min(m, n);
  const w = width(a.dtype);
  const av = await readValues(a);
  for (let bt = 0; bt < size(a.shape.slice(0, -2)); bt++) {
    assertIdentity(matmul(gpu[0], gpu[0], w, bt, k, m, k, true), k, 4 * tol, `${what} QᴴQ`);
    const qrProd = matmul(gpu[0], gpu[1], w, bt, m, k, n);
    for (let e = 0; e < m * n; e++) {
      const [re, im] = at(av, w, bt * m * n + e);
      assert.ok(Math.abs(qrProd[e][0] - re) <= tol && Math.abs(qrProd[e][1] - im) <= tol, `${what} QR = A at ${e}`);
    }
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < Math.min(i, n); j++) {
        const [re, im] = at(gpu[1], w, bt * k * n + i * n + j);
        assert.ok(re === 0 && im === 0, `${what}: R[${i},${j}] = ${re}`);
      }
    }
  }
}

test("qr: vs CPU and invariants; square, tall, wide, batched; full and reduced", async () => {
  const rand = mulberry32(404);
  for (const dtype of DTYPES) {
    for (const shape of [
      [1, 1],
      [4, 4],
      [5, 3],
      [3, 5],
      [2, 6, 4],
    ]) {
      const a = randMat(shape, dtype, rand);
      for (const full of [true, false]) {
        if (full && shape[0] === 1) continue;
        await checkQr(a, full, 3e-6);
      }
    }
  }
  // 64×60 float32 (scratch-storage path), and a 16×16 Gaussian-like matrix.
  await checkQr(randMat([64, 60], "float32", rand), false, 2e-5);
  await checkQr(randMat([8, 8], "complex64", rand), true, 1e-5);
});

test("qr: LAPACK sign edge cases (untouched columns keep their sign), zero matrix, empty", async () => {
  // Already upper triangular with a negative diagonal: every τ is 0, Q = I and R = A exactly.
  const u = await both(
    ([x]) => lax.qrP.bind([x], { fullMatrices: true }),
    [fromValues([-2, 1, 0, 3], [2, 2], "float32")],
  );
  assert.deepEqual(u.gpu, [
    [1, 0, 0, 1],
    [-2, 1, 0, 3],
  ]);
  assert.deepEqual(u.gpu, u.cpu);
  // Complex diagonal entry with a zero tail still gets a reflector (makes R's diagonal real).
  const c = await both(
    ([x]) => lax.qrP.bind([x], { fullMatrices: true }),
    [fromValues([0, 2, 1, 0, 0, 0, 3, 0], [2, 2], "complex64")],
  );
  assertClose(c.gpu[0], c.cpu[0], 1e-7, "complex diag q");
  assertClose(c.gpu[1], c.cpu[1], 1e-7, "complex diag r");
  const z = await both(
    ([x]) => lax.qrP.bind([x], { fullMatrices: true }),
    [fromValues([0, 0, 0, 0, 0, 0], [3, 2], "float32")],
  );
  assert.deepEqual(z.gpu, z.cpu);
  // Tiny entries whose f32 squares underflow: the scaled norm still gives the CPU's reflector.
  await checkQr(fromValues([1e-30, 2e-30, -3e-30, 1e-30], [2, 2], "float32"), true, 1e-7);
  const e = lax.qrP.bind([toWebGPU(fromValues([], [3, 0], "float32"))], { fullMatrices: true });
  assert.deepEqual(await readValues(e[0]), [1, 0, 0, 0, 1, 0, 0, 0, 1]);
  assert.deepEqual(e[1].shape, [3, 0]);
  const ec = lax.qrP.bind([toWebGPU(fromValues([], [2, 2, 0], "complex64"))], { fullMatrices: true });
  assert.deepEqual(await readValues(ec[0]), [1, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 1, 0]);
});

// ------------------------------------------------------------------ eigh

/**
 * eigh on WebGPU vs CPU (same conventions: ascending w, unit eigenvectors whose largest component
 * is real positive) and the invariants A·v = λ·v and VᴴV = I, with A the Hermitian matrix built
 * from the triangle that `lower` names (the input's other triangle is junk on purpose).
 */
async function checkEigh(a: Array, lower: boolean, tol: number, compareVectors = true): Promise<void> {
  const what = `eigh ${a.dtype} ${JSON.stringify(a.shape)} lower=${lower}`;
  const { cpu, gpu } = await both(([x]) => lax.eighP.bind([x], { lower, sortEigenvalues: true }), [a]);
  assertClose(gpu[1], cpu[1], tol, `${what} w`);
  const n = a.shape[a.ndim - 1];
  if (compareVectors) {
    // Eigenvector perturbation ≈ (backward error)/(gap to the nearest other eigenvalue).
    let gap = Infinity;
    for (let i = 0; i + 1 < cpu[1].length; i++) if ((i + 1) % n !== 0) gap = Math.min(gap, cpu[1][i + 1] - cpu[1][i]);
    const scale = Math.max(1, ...cpu[1].map(Math.abs));
    assertClose(gpu[0], cpu[0], Math.max(tol, (4 * tol * scale) / gap), `${what} v (min gap ${gap})`);
  }
  const w = width(a.dtype);
  const av = await readValues(a);
  // The Hermitian matrix the kernels see.
  const h: number[] = [];
  for (let bt = 0; bt < size(a.shape.slice(0, -2)); bt++) {
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const fromStored = i === j || j < i === lower;
        const [re, im] = fromStored ? at(av, w, bt * n * n + i * n + j) : at(av, w, bt * n * n + j * n + i);
        h.push(re, i === j ? 0 : fromStored ? im : -im);
      }
    }
  }
  const v2 = w === 2 ? gpu[0] : gpu[0].flatMap((x) => [x, 0]);
  const scale = Math.max(1, ...cpu[1].map(Math.abs));
  for (let bt = 0; bt < size(a.shape.slice(0, -2)); bt++) {
    assertIdentity(matmul(v2, v2, 2, bt, n, n, n, true), n, 10 * tol, `${what} VᴴV`);
    const hv = matmul(h, v2, 2, bt, n, n, n);
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < n; k++) {
        const lam = gpu[1][bt * n + k];
        const [vr, vi] = at(v2, 2, bt * n * n + i * n + k);
        const [r, im] = hv[i * n + k];
        assert.ok(
          Math.abs(r - lam * vr) <= 10 * tol * scale && Math.abs(im - lam * vi) <= 10 * tol * scale,
          `${what} Av = λv at [${i},${k}]`,
        );
      }
    }
  }
}

test("eigh: vs CPU and invariants; both dtypes, both triangles, batched", async () => {
  const rand = mulberry32(505);
  for (const dtype of DTYPES) {
    for (const shape of dtype === "float32"
      ? [
          [1, 1],
          [2, 2],
          [5, 5],
          [2, 8, 8],
          [16, 16],
        ]
      : [
          [1, 1],
          [5, 5],
          [2, 8, 8],
          [16, 16],
        ]) {
      // (Both triangles at the middle sizes only: each case is a pipeline, slow to compile on SwiftShader.)
      const lowers = shape.length === 3 || shape[0] === 5 ? [true, false] : [true];
      // Jacobi's backward error is O(n·ε·‖A‖) (each entry sees ~n rotations per sweep): 2n ulp.
      const tol = Math.max(4, 2 * shape[shape.length - 1]) * 2 ** -24;
      for (const lower of lowers) await checkEigh(randMat(shape, dtype, rand), lower, tol);
    }
  }
  // 34×34 complex64 (A and V exceed the workgroup-memory plan: scratch-storage path).
  await checkEigh(randMat([34, 34], "complex64", rand), true, 68 * 2 ** -24);
});

test("eigh: repeated eigenvalues, diagonal input, NaN/Inf, empty", async () => {
  // The identity: every basis is an eigenbasis; compare eigenvalues and invariants only.
  await checkEigh(fromValues([1, 0, 0, 0, 1, 0, 0, 0, 1], [3, 3], "float32"), true, 1e-6, false);
  // diag(3, −1, 2): w = [−1, 2, 3], v = the permutation with positive entries.
  const d = await both(
    ([x]) => lax.eighP.bind([x], { lower: true, sortEigenvalues: true }),
    [fromValues([3, 0, 0, 0, -1, 0, 0, 0, 2], [3, 3], "float32")],
  );
  assert.deepEqual(d.gpu, [
    [0, 0, 1, 1, 0, 0, 0, 1, 0],
    [-1, 2, 3],
  ]);
  // A NaN or Inf anywhere in a matrix: that matrix's v and w are all NaN, the other one is fine.
  for (const bad of [NaN, Infinity]) {
    const x = fromValues([2, 0, 0, 3, 1, bad, 0, 1], [2, 2, 2], "float32");
    const { cpu, gpu } = await both(([y]) => lax.eighP.bind([y], { lower: false, sortEigenvalues: true }), [x]);
    assertClose(gpu[0], cpu[0], 1e-7, `v with ${bad}`);
    assertClose(gpu[1], cpu[1], 1e-7, `w with ${bad}`);
    assert.ok(gpu[1].slice(2).every(Number.isNaN));
  }
  // Entries near 1e20: f32 squares overflow, so the convergence test must be scaled.
  const big = randMat([4, 4], "float32", mulberry32(9)).dataSync() as Float32Array;
  await checkEigh(
    fromValues(
      globalThis.Array.from(big, (x) => x * 1e20),
      [4, 4],
      "float32",
    ),
    true,
    8 * 2 ** -24,
  );
  const e = lax.eighP.bind([toWebGPU(fromValues([], [2, 0, 0], "complex64"))], { lower: true, sortEigenvalues: true });
  assert.deepEqual(e[1].shape, [2, 0]);
});
