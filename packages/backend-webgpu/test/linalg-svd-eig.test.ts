// The svd and eig WGSL kernels against the CPU reference kernels and the defining identities,
// on small matrices (SwiftShader is slow). svd: s equals the CPU's; U·diag(s)·Vᴴ = A, UᴴU = I,
// VᴴV = I (singular vectors are unique only up to phase, so they are checked by identities).
// eig: w equals the CPU's (same Schur-form order) and A·v = λ·v with unit, LAPACK-normalized v.
// Tolerances: f32 arithmetic on the GPU (the CPU's is float64), orders ≤ 5: a few 1e-6·‖A‖.
import { test } from "node:test";
import assert from "node:assert/strict";
import { lax, type Array, type DType } from "linax-ts";
import { fromValues, mulberry32 } from "@linax-ts/testing";
import { setupWebGPU, readValues, toWebGPU } from "@linax-ts/testing/webgpu";

await setupWebGPU();

type C = [number, number];
const width = (d: DType): number => (d === "complex64" ? 2 : 1);

function randMat(shape: readonly number[], dtype: DType, seed: number): Array {
  const rand = mulberry32(seed);
  const n = shape.reduce((a, b) => a * b, 1) * width(dtype);
  return fromValues(
    globalThis.Array.from({ length: n }, () => 2 * rand() - 1),
    shape,
    dtype,
  );
}

/** Matrix b of a batch (rows × cols, complex pairs). */
function mat(vals: number[], w: number, b: number, rows: number, cols: number): C[][] {
  const out: C[][] = [];
  for (let i = 0; i < rows; i++) {
    const row: C[] = [];
    for (let j = 0; j < cols; j++) {
      const idx = b * rows * cols + i * cols + j;
      row.push(w === 2 ? [vals[2 * idx], vals[2 * idx + 1]] : [vals[idx], 0]);
    }
    out.push(row);
  }
  return out;
}
const cmul = (a: C, b: C): C => [a[0] * b[0] - a[1] * b[1], a[0] * b[1] + a[1] * b[0]];
const matmul = (a: C[][], b: C[][]): C[][] =>
  a.map((row) =>
    b[0].map((_, j) =>
      row.reduce<C>(
        (acc, x, k) => {
          const p = cmul(x, b[k][j]);
          return [acc[0] + p[0], acc[1] + p[1]];
        },
        [0, 0],
      ),
    ),
  );
const herm = (a: C[][]): C[][] => a[0].map((_, j) => a.map((row) => [row[j][0], -row[j][1]] as C));
function near(a: C[][], b: C[][], tol: number, what: string): void {
  a.forEach((row, i) =>
    row.forEach((x, j) =>
      assert.ok(Math.hypot(x[0] - b[i][j][0], x[1] - b[i][j][1]) <= tol, `${what}[${i}][${j}]: ${x} vs ${b[i][j]}`),
    ),
  );
}
const eye = (n: number): C[][] =>
  globalThis.Array.from({ length: n }, (_, i) =>
    globalThis.Array.from({ length: n }, (_, j) => [i === j ? 1 : 0, 0] as C),
  );

async function checkSvd(a: Array, fullMatrices: boolean, what: string): Promise<void> {
  const [m, n] = a.shape.slice(-2);
  const k = Math.min(m, n);
  const batch = a.shape.slice(0, -2).reduce((p, q) => p * q, 1);
  const w = width(a.dtype);
  const cpu = await Promise.all(lax.svdP.bind([a], { fullMatrices, computeUv: true }).map(readValues));
  const gpu = await Promise.all(lax.svdP.bind([toWebGPU(a)], { fullMatrices, computeUv: true }).map(readValues));
  const av = await readValues(a);
  const scale = Math.max(1, ...cpu[0]);
  cpu[0].forEach((s, i) =>
    assert.ok(Math.abs(gpu[0][i] - s) <= 4e-6 * scale, `${what}: s[${i}] ${gpu[0][i]} vs CPU ${s}`),
  );
  const uc = fullMatrices ? m : k;
  const vr = fullMatrices ? n : k;
  for (let b = 0; b < batch; b++) {
    const u = mat(gpu[1], w, b, m, uc);
    const vh = mat(gpu[2], w, b, vr, n);
    const us = u.map((row) => row.slice(0, k).map((x, j) => [x[0] * gpu[0][b * k + j], x[1] * gpu[0][b * k + j]] as C));
    near(matmul(us, vh.slice(0, k)), mat(av, w, b, m, n), 1e-5 * scale, `${what}: U·S·Vᴴ`);
    near(matmul(herm(u), u), eye(uc), 2e-6 * Math.max(m, n), `${what}: UᴴU`);
    near(matmul(vh, herm(vh)), eye(vr), 2e-6 * Math.max(m, n), `${what}: VᴴV`);
  }
}

test("svd on WebGPU: tall, wide, square, batched, complex, full and reduced", async () => {
  await checkSvd(randMat([4, 3], "float32", 1), true, "f32 4×3 full");
  await checkSvd(randMat([2, 3, 3], "float32", 2), false, "f32 2×3×3");
  await checkSvd(randMat([3, 5], "complex64", 3), true, "c64 3×5 full");
  await checkSvd(randMat([4, 2], "complex64", 4), false, "c64 4×2");
});

test("svd on WebGPU: rank-deficient (completion), zero, NaN, no vectors, empty", async () => {
  // [[1, 2], [2, 4], [3, 6]]: s = [√70, 0]; the full U needs two completed columns.
  await checkSvd(fromValues([1, 2, 2, 4, 3, 6], [3, 2], "float32"), true, "rank one");
  await checkSvd(fromValues([0, 0, 0, 0], [2, 2], "float32"), true, "zero");
  const [s] = lax.svdP.bind([toWebGPU(fromValues([1, 0, 0, 2], [2, 2], "float32"))], {
    fullMatrices: false,
    computeUv: false,
  });
  assert.deepEqual(await readValues(s), [2, 1]);
  const nan = await Promise.all(
    lax.svdP
      .bind([toWebGPU(fromValues([NaN, 0, 0, 1], [2, 2], "float32"))], { fullMatrices: true, computeUv: true })
      .map(readValues),
  );
  assert.ok(nan.every((o) => o.every(Number.isNaN)));
  const [s0, u0, v0] = await Promise.all(
    lax.svdP
      .bind([toWebGPU(fromValues([], [0, 2], "float32"))], { fullMatrices: true, computeUv: true })
      .map(readValues),
  );
  assert.deepEqual([s0, u0, v0], [[], [], [1, 0, 0, 1]]);
});

async function checkEig(a: Array, what: string): Promise<void> {
  const n = a.shape[a.ndim - 1];
  const batch = a.shape.slice(0, -2).reduce((p, q) => p * q, 1);
  const cpu = await Promise.all(lax.eigP.bind([a], { computeRightEigenvectors: true }).map(readValues));
  const gpu = await Promise.all(lax.eigP.bind([toWebGPU(a)], { computeRightEigenvectors: true }).map(readValues));
  const av = await readValues(a);
  const scale = Math.max(1, ...av.map(Math.abs));
  cpu[0].forEach((x, i) =>
    assert.ok(Math.abs(gpu[0][i] - x) <= 2e-5 * scale, `${what}: w[${i}] ${gpu[0][i]} vs CPU ${x}`),
  );
  for (let b = 0; b < batch; b++) {
    const A = mat(av, width(a.dtype), b, n, n);
    const v = mat(gpu[1], 2, b, n, n);
    const w = mat(gpu[0], 2, b, 1, n)[0];
    const vl = v.map((row) => row.map((x, j) => cmul(x, w[j])));
    near(matmul(A, v), vl, 2e-5 * scale * n, `${what}: A·v = λ·v`);
    for (let k = 0; k < n; k++) {
      const col = v.map((row) => row[k]);
      const nrm = Math.sqrt(col.reduce((s, x) => s + x[0] ** 2 + x[1] ** 2, 0));
      assert.ok(Math.abs(nrm - 1) < 1e-5, `${what}: ‖v_${k}‖ = ${nrm}`);
      const big = col.reduce((bi, x, i) => (Math.hypot(...x) > Math.hypot(...col[bi]) + 1e-6 ? i : bi), 0);
      assert.ok(col[big][0] > 0 && Math.abs(col[big][1]) < 1e-6, `${what}: v_${k}'s largest component ${col[big]}`);
    }
  }
}

test("eig on WebGPU: vs CPU eigenvalues and A·v = λ·v; real with complex pairs, complex, batched", async () => {
  // [[0, −1], [1, 0]]: ±i.
  await checkEig(fromValues([0, -1, 1, 0], [2, 2], "float32"), "rotation");
  await checkEig(randMat([5, 5], "float32", 11), "f32 5×5");
  await checkEig(randMat([2, 3, 3], "complex64", 12), "c64 2×3×3");
  const [w] = lax.eigP.bind([toWebGPU(fromValues([2, 1, 0, 3], [2, 2], "float32"))], {
    computeRightEigenvectors: false,
  });
  assert.deepEqual(await readValues(w), [2, 0, 3, 0]);
  const nan = await Promise.all(
    lax.eigP
      .bind([toWebGPU(fromValues([NaN, 0, 0, 1], [2, 2], "float32"))], { computeRightEigenvectors: true })
      .map(readValues),
  );
  assert.ok(nan.every((o) => o.every(Number.isNaN)));
});
