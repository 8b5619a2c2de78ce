/**
 * Derivatives of the linalg primitives: jvp against central finite differences of independent
 * float64 host implementations (small well-conditioned matrices, distinct eigenvalues), the
 * dot-product test (jvp vs vjp, i.e. linearize + transpose), hand-derived gradient identities,
 * and vmap / jit of the derivatives.
 */
import { test } from "node:test";
import { np, lax, jvp, grad, vmap, jit, type Array, type DType } from "linax-ts";
import { assertClose, toFlat } from "@linax-ts/testing";
import {
  axpy,
  centralDiff,
  choleskyCM,
  detCM,
  dotTest,
  eighCM,
  flatCM,
  luCM,
  qrCM,
  randArray,
  solveCM,
  toCM,
  triSolveCM,
  type CM,
} from "./linalg-fft-reference.ts";

const fdTol = { rtol: 2e-3, atol: 2e-4 };

/** A well-conditioned square matrix: random + c·I. */
function wellCond(n: number, seed: number, dtype: DType = "float32", c = 3): Array {
  return np.add(randArray([n, n], seed, dtype), np.multiply(np.eye(n, n, { dtype }), c));
}
/** A Hermitian matrix with well-separated eigenvalues: (R + Rᴴ)/2 + diag(0, 2, 4, …). */
function hermitian(n: number, seed: number, dtype: DType = "float32"): Array {
  const r = randArray([n, n], seed, dtype);
  const h = np.multiply(np.add(r, np.conj(np.transpose(r))), 0.5);
  const d = np.diag(np.arange(0, 2 * n, 2).astype(dtype));
  return np.add(h, d);
}
/** Hermitian positive definite. */
function hpd(n: number, seed: number, dtype: DType = "float32"): Array {
  const r = randArray([n, n], seed, dtype);
  return np.add(np.matmul(r, np.conj(np.transpose(r))), np.multiply(np.eye(n, n, { dtype }), n));
}
const herm = (d: Array): Array => np.multiply(np.add(d, np.conj(np.transpose(d))), 0.5);

/** jvp of f at a along d equals the central difference of the host function g at (A, D). */
function checkFd(f: (a: Array) => Array[], g: (a: CM) => number[], a: Array, d: Array, tol = fdTol): void {
  const [, tangents] = jvp((x: Array) => f(x), [a], [d]) as [Array[], Array[]];
  const A = toCM(a);
  const D = toCM(d);
  const fd = centralDiff((eps) => g(axpy(A, eps, D)));
  assertClose(
    tangents.flatMap((t) => toFlat(t)),
    fd,
    tol,
  );
}

test("eigh: jvp of (w, v) matches float64 finite differences (real and complex)", () => {
  for (const dtype of ["float32", "complex64"] as const) {
    const a = hermitian(4, 3, dtype);
    const d = herm(randArray([4, 4], 9, dtype));
    const [w0, v0] = np.linalg.eigh(a);
    void w0;
    const ref = toCM(v0);
    checkFd(
      (x) => np.linalg.eigh(x),
      (x) => {
        const { w, v } = eighCM(x, ref);
        return [...w, ...flatCM(v, dtype === "complex64")];
      },
      a,
      d,
    );
  }
});

test("eigh: grad of Σw is the identity; grad of w_k is v_k·v_kᴴ; dot-product test", () => {
  const a = hermitian(3, 5);
  assertClose(grad((x: Array) => np.sum(np.linalg.eigvalsh(x)))(a) as Array, np.eye(3), { atol: 1e-5 });
  const [, v] = np.linalg.eigh(a);
  const v1 = np.reshape(v.get(np.s_(null), 1), [3, 1]);
  assertClose(grad((x: Array) => np.linalg.eigvalsh(x).get(1))(a) as Array, np.matmul(v1, np.transpose(v1)), {
    rtol: 1e-4,
    atol: 1e-5,
  });
  dotTest((x: Array) => np.linalg.eigh(x), [hermitian(3, 7)], 21, 1e-3);
  dotTest((x: Array) => np.linalg.eigh(x), [hermitian(3, 8, "complex64")], 22, 1e-3);
});

test("cholesky: jvp matches float64 finite differences; dot-product test", () => {
  for (const dtype of ["float32", "complex64"] as const) {
    const a = hpd(4, 11, dtype);
    const d = herm(randArray([4, 4], 12, dtype));
    checkFd(
      (x) => [np.linalg.cholesky(x)],
      (x) => flatCM(choleskyCM(x), dtype === "complex64"),
      a,
      d,
    );
    dotTest((x: Array) => np.linalg.cholesky(x), [a], 13, 1e-3);
  }
});

test("triangularSolve: jvp in a and b matches finite differences for every flag combination", () => {
  for (const dtype of ["float32", "complex64"] as const) {
    const a = wellCond(3, 21, dtype, 4);
    const da = randArray([3, 3], 22, dtype);
    for (const leftSide of [true, false]) {
      const b = randArray(leftSide ? [3, 2] : [2, 3], 23, dtype);
      const db = randArray(b.shape, 24, dtype);
      for (const lower of [true, false]) {
        for (const transposeA of [false, true]) {
          for (const unitDiagonal of [false, true]) {
            const o = { leftSide, lower, transposeA, conjugateA: dtype === "complex64" && transposeA, unitDiagonal };
            const [, t] = jvp((x: Array, y: Array) => lax.triangularSolve(x, y, o), [a, b], [da, db]) as [Array, Array];
            const [A, dA, B, dB] = [toCM(a), toCM(da), toCM(b), toCM(db)];
            const fd = centralDiff((eps) =>
              flatCM(triSolveCM(axpy(A, eps, dA), axpy(B, eps, dB), o), dtype === "complex64"),
            );
            assertClose(t, fd, fdTol);
          }
        }
      }
    }
  }
});

test("triangularSolve: dot-product test in b (its transpose rule) and in (a, b)", () => {
  for (const dtype of ["float32", "complex64"] as const) {
    const a = wellCond(4, 31, dtype, 4);
    for (const leftSide of [true, false]) {
      const b = randArray(leftSide ? [4, 3] : [3, 4], 32, dtype);
      for (const transposeA of [false, true]) {
        const o = { leftSide, lower: !transposeA, transposeA, conjugateA: dtype === "complex64" };
        dotTest((y: Array) => lax.triangularSolve(a, y, o), [b], 33);
        dotTest((x: Array, y: Array) => lax.triangularSolve(x, y, o), [a, b], 34, 1e-3);
      }
    }
  }
  // Batched, with a vector right-hand side.
  const ab = np.stack([wellCond(3, 35), wellCond(3, 36)]);
  dotTest((y: Array) => lax.triangularSolve(ab, y, { leftSide: true, lower: true }), [randArray([2, 3], 37)], 38);
});

test("qr: jvp matches float64 finite differences (tall and square, real and complex); dot-product test", () => {
  for (const [shape, dtype] of [
    [[4, 3], "float32"],
    [[3, 3], "complex64"],
    [[4, 2], "complex64"],
  ] as const) {
    const a = np.add(randArray(shape, 41, dtype), np.multiply(np.eye(shape[0], shape[1], { dtype }), 2));
    const d = randArray(shape, 42, dtype);
    const [, r0] = np.linalg.qr(a);
    const signs = toFlat(np.real(np.diagonal(r0)));
    checkFd(
      (x) => np.linalg.qr(x),
      (x) => {
        const [q, r] = qrCM(x, signs);
        return [...flatCM(q, dtype === "complex64"), ...flatCM(r, dtype === "complex64")];
      },
      a,
      d,
    );
    dotTest((x: Array) => np.linalg.qr(x), [a], 43, 1e-3);
  }
});

test("lu, solve, inv, det, slogdet: jvp matches float64 finite differences; dot-product tests", () => {
  for (const dtype of ["float32", "complex64"] as const) {
    const c = dtype === "complex64";
    // A permuted well-conditioned matrix, so that pivoting swaps rows.
    const a = np.flip(wellCond(3, 51, dtype), 0);
    const d = randArray([3, 3], 52, dtype);
    const b = randArray([3, 2], 53, dtype);
    checkFd(
      (x) => [lax.lu(x)[0]],
      (x) => flatCM(luCM(x).lu, c),
      a,
      d,
    );
    checkFd(
      (x) => [np.linalg.solve(x, b)],
      (x) => flatCM(solveCM(x, toCM(b)), c),
      a,
      d,
    );
    checkFd(
      (x) => [np.linalg.inv(x)],
      (x) => flatCM(solveCM(x, toCM(np.eye(3, 3, { dtype }))), c),
      a,
      d,
    );
    checkFd(
      (x) => [np.linalg.det(x)],
      (x) => (c ? detCM(x) : [detCM(x)[0]]),
      a,
      d,
    );
    checkFd(
      (x) => [np.linalg.slogdet(x)[1]],
      (x) => [Math.log(Math.hypot(...detCM(x)))],
      a,
      d,
    );
    dotTest((x: Array) => lax.lu(x)[0], [a], 54, 1e-3);
    dotTest((x: Array, y: Array) => np.linalg.solve(x, y), [a, b], 55, 1e-3);
    dotTest((x: Array) => np.linalg.det(x), [a], 56, 1e-3);
  }
});

test("grad identities: ∇ log|det A| = A⁻ᵀ, ∇ det A = det(A)·A⁻ᵀ, ∇_b Σ solve(A, b) = A⁻ᵀ·1", () => {
  const a = wellCond(4, 61);
  const invT = np.transpose(np.linalg.inv(a));
  assertClose(grad((x: Array) => np.linalg.slogdet(x)[1])(a) as Array, invT, { rtol: 1e-4, atol: 1e-5 });
  assertClose(grad((x: Array) => np.linalg.det(x))(a) as Array, np.multiply(np.linalg.det(a), invT), {
    rtol: 1e-4,
    atol: 1e-4,
  });
  const b = randArray([4], 62);
  assertClose(grad((y: Array) => np.sum(np.linalg.solve(a, y)))(b) as Array, np.matmul(invT, np.ones([4])), {
    rtol: 1e-4,
    atol: 1e-5,
  });
  // grad of Σ log diag(chol(A)) = ½ log det A  →  ½ A⁻¹ (symmetric A).
  const s = hpd(3, 63);
  const halfLogDet = (x: Array): Array => np.sum(np.log(np.diagonal(np.linalg.cholesky(x))));
  assertClose(grad(halfLogDet)(s) as Array, np.multiply(np.linalg.inv(s), 0.5), { rtol: 1e-4, atol: 1e-5 });
});

test("vmap and jit of the derivatives equal the unbatched / eager ones", () => {
  const as = np.stack([hermitian(3, 71), hermitian(3, 72)]);
  const g = grad((x: Array) => np.sum(np.multiply(np.linalg.eigvalsh(x), np.array([1, 2, 3]))));
  const batched = vmap(g as (x: Array) => Array)(as);
  [0, 1].forEach((i) => assertClose(batched.get(i), g(as.get(i)) as Array, { rtol: 1e-4, atol: 1e-5 }));
  const h = grad((x: Array) => np.sum(np.linalg.qr(x)[1]));
  const m = np.add(randArray([3, 3], 73), np.multiply(np.eye(3), 2));
  assertClose(jit(h)(m) as Array, h(m) as Array, { rtol: 1e-5, atol: 1e-6 });
  const tri = grad((x: Array, y: Array) => np.sum(lax.triangularSolve(x, y, { leftSide: true, lower: true })), {
    argnums: [0, 1],
  });
  const [ga, gb] = tri(wellCond(3, 74), randArray([3, 2], 75)) as Array[];
  const [ja, jb] = jit(tri)(wellCond(3, 74), randArray([3, 2], 75)) as Array[];
  assertClose(ja, ga, { rtol: 1e-5, atol: 1e-6 });
  assertClose(jb, gb, { rtol: 1e-5, atol: 1e-6 });
});

test("jvp rules on leading batch dimensions equal the per-matrix jvps", () => {
  const cases: [string, (x: Array) => Array[], Array][] = [
    ["eigh", (x) => np.linalg.eigh(x), np.stack([hermitian(3, 81), hermitian(3, 82)])],
    ["cholesky", (x) => [np.linalg.cholesky(x)], np.stack([hpd(3, 83, "complex64"), hpd(3, 84, "complex64")])],
    ["qr", (x) => np.linalg.qr(x), np.stack([wellCond(3, 85), wellCond(3, 86)])],
    ["lu", (x) => [lax.lu(x)[0]], np.stack([wellCond(3, 87), wellCond(3, 88)])],
    [
      "triangularSolve",
      (x) => [lax.triangularSolve(x, np.ones(x.shape), { leftSide: true, lower: true })],
      np.stack([wellCond(3, 89), wellCond(3, 90)]),
    ],
  ];
  for (const [name, f, a] of cases) {
    const d = randArray(a.shape, 91, a.dtype);
    const [, tb] = jvp(f, [a], [d]) as [Array[], Array[]];
    for (const i of [0, 1]) {
      const [, ti] = jvp(f, [a.get(i)], [d.get(i)]) as [Array[], Array[]];
      ti.forEach((t, k) => assertClose(tb[k].get(i), t, { rtol: 1e-4, atol: 1e-5 }));
    }
    void name;
  }
});
