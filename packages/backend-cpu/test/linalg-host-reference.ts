/**
 * Shared helpers for the linear-algebra kernel tests: a seeded PRNG, a small float64 complex
 * matrix type with the kernels' packing conventions, a reference matmul, and the unit roundoffs
 * the derived tolerances are expressed in. (Not a test file itself.)
 */
import assert from "node:assert/strict";
import { mulberry32 } from "@linax-ts/testing";

/** Unit roundoff of float32: |fl(x) − x| ≤ U32·|x|. */
export const U32 = 2 ** -24;
/** Unit roundoff bound used for all float64 work (kernels and references). */
export const EPS64 = 2 ** -52;

/** Deterministic PRNG (mulberry32) so failures reproduce. */
export function rng(seed: number): () => number {
  // Centred uniforms in [-0.5, 0.5) from the shared mulberry32 stream.
  const u = mulberry32(seed);
  return () => u() - 0.5;
}

/** A complex (or real: im all zero) matrix in float64, row-major. */
export interface CMat {
  rows: number;
  cols: number;
  re: Float64Array;
  im: Float64Array;
}

export function cmat(rows: number, cols: number): CMat {
  return { rows, cols, re: new Float64Array(rows * cols), im: new Float64Array(rows * cols) };
}

/** Matrix `b` of a kernel-layout batch, widened to float64. */
export function unpack(data: Float32Array, b: number, rows: number, cols: number, complex: boolean): CMat {
  const out = cmat(rows, cols);
  const size = rows * cols;
  for (let i = 0; i < size; i++) {
    if (complex) {
      out.re[i] = data[2 * (b * size + i)];
      out.im[i] = data[2 * (b * size + i) + 1];
    } else {
      out.re[i] = data[b * size + i];
    }
  }
  return out;
}

export function pack(mats: CMat[], complex: boolean): Float32Array {
  const size = mats[0].rows * mats[0].cols;
  const out = new Float32Array(mats.length * size * (complex ? 2 : 1));
  mats.forEach((m, b) => {
    for (let i = 0; i < size; i++) {
      if (complex) {
        out[2 * (b * size + i)] = m.re[i];
        out[2 * (b * size + i) + 1] = m.im[i];
      } else out[b * size + i] = m.re[i];
    }
  });
  return out;
}

/** Round a matrix to float32 in place, so tests reason about exactly what the kernel reads. */
export function roundF32(m: CMat): CMat {
  for (let i = 0; i < m.re.length; i++) {
    m.re[i] = Math.fround(m.re[i]);
    m.im[i] = Math.fround(m.im[i]);
  }
  return m;
}

export function randomMat(rows: number, cols: number, complex: boolean, r: () => number): CMat {
  const m = cmat(rows, cols);
  for (let i = 0; i < rows * cols; i++) {
    m.re[i] = 2 * r();
    if (complex) m.im[i] = 2 * r();
  }
  return roundF32(m);
}

/** Random Hermitian (symmetric when real) matrix. */
export function randomHermitian(n: number, complex: boolean, r: () => number): CMat {
  const m = randomMat(n, n, complex, r);
  for (let i = 0; i < n; i++) {
    m.im[i * n + i] = 0;
    for (let j = 0; j < i; j++) {
      m.re[j * n + i] = m.re[i * n + j];
      m.im[j * n + i] = -m.im[i * n + j];
    }
  }
  return m;
}

/** C = op(A)·op(B) with op = identity or conjugate transpose. */
export function matmul(a: CMat, b: CMat, ha = false, hb = false): CMat {
  const rows = ha ? a.cols : a.rows;
  const inner = ha ? a.rows : a.cols;
  const cols = hb ? b.rows : b.cols;
  const c = cmat(rows, cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      let sr = 0;
      let si = 0;
      for (let k = 0; k < inner; k++) {
        const ia = ha ? k * a.cols + i : i * a.cols + k;
        const ib = hb ? j * b.cols + k : k * b.cols + j;
        const ar = a.re[ia];
        const ai = ha ? -a.im[ia] : a.im[ia];
        const br = b.re[ib];
        const bi = hb ? -b.im[ib] : b.im[ib];
        sr += ar * br - ai * bi;
        si += ar * bi + ai * br;
      }
      c.re[i * cols + j] = sr;
      c.im[i * cols + j] = si;
    }
  }
  return c;
}

export function abs(m: CMat, i: number): number {
  return Math.hypot(m.re[i], m.im[i]);
}

/** Assert |got − want| ≤ tol(i, j) entrywise, with a readable failure. */
export function assertClose(got: CMat, want: CMat, tol: (i: number, j: number) => number, what: string): void {
  for (let i = 0; i < got.rows; i++) {
    for (let j = 0; j < got.cols; j++) {
      const k = i * got.cols + j;
      const err = Math.hypot(got.re[k] - want.re[k], got.im[k] - want.im[k]);
      const t = tol(i, j);
      if (!(err <= t)) assert.fail(`${what}: entry (${i},${j}) error ${err} > tol ${t}`);
    }
  }
}

export function identity(n: number): CMat {
  const m = cmat(n, n);
  for (let i = 0; i < n; i++) m.re[i * n + i] = 1;
  return m;
}
