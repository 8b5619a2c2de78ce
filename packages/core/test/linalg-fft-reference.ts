/**
 * Shared helpers of the linalg / fft tests: the numpy/scipy reference data (testdata/), small
 * float64 host implementations (the finite-difference oracle: Jacobi eigh, Cholesky, dense
 * solve, Gram–Schmidt QR, pivoted LU, DFT — independent of the kernels under test), and the
 * dot-product test in JAX's complex convention.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { np, jvp, vjp, type Array, type DType } from "linax-ts";
import { toFlat } from "@linax-ts/testing";

// ------------------------------------------------------------------ reference data

export interface Enc {
  shape: number[];
  dtype: "float32" | "complex64" | "int32";
  data: number[];
}
// The JSON files are data for the tests: a plain record of cases.
export type Cases = Record<string, Record<string, Enc | Record<string, Enc>>>;

/** Load testdata/<sub>/reference.json (written by scripts/testdata/gen_linalg_fft.py). */
export function loadRef(sub: "linalg" | "fft"): Cases {
  const path = fileURLToPath(new URL(`../../../testdata/${sub}/reference.json`, import.meta.url));
  return (JSON.parse(readFileSync(path, "utf8")) as { cases: Cases }).cases;
}

/** An Array from its encoding (complex interleaved). */
export function dec(e: Enc): Array {
  if (e.dtype === "int32") return np.array(e.data, { dtype: "int32" }).reshape([...e.shape]);
  return np.array(new Float32Array(e.data), { dtype: e.dtype }).reshape([...e.shape]);
}

// ------------------------------------------------------------------ host complex matrices (float64)

/** A dense complex matrix in float64: entry (i, j) at i·n + j. */
export interface CM {
  m: number;
  n: number;
  re: Float64Array;
  im: Float64Array;
}
export const cm = (m: number, n: number): CM => ({ m, n, re: new Float64Array(m * n), im: new Float64Array(m * n) });

/** Host copy of a (real or complex) 2-D Array. */
export function toCM(x: Array): CM {
  const [m, n] = x.shape;
  const d = toFlat(x);
  const out = cm(m, n);
  for (let i = 0; i < m * n; i++) {
    out.re[i] = x.dtype === "complex64" ? d[2 * i] : d[i];
    out.im[i] = x.dtype === "complex64" ? d[2 * i + 1] : 0;
  }
  return out;
}
/** Interleaved (complex) or real flat values of a host matrix. */
export function flatCM(a: CM, complex: boolean): number[] {
  const out: number[] = [];
  for (let i = 0; i < a.m * a.n; i++) {
    if (complex) out.push(a.re[i], a.im[i]);
    else out.push(a.re[i]);
  }
  return out;
}
/** a + s·b. */
export function axpy(a: CM, s: number, b: CM): CM {
  const o = cm(a.m, a.n);
  for (let i = 0; i < a.re.length; i++) {
    o.re[i] = a.re[i] + s * b.re[i];
    o.im[i] = a.im[i] + s * b.im[i];
  }
  return o;
}
export function matmulCM(a: CM, b: CM): CM {
  const o = cm(a.m, b.n);
  for (let i = 0; i < a.m; i++) {
    for (let j = 0; j < b.n; j++) {
      let sr = 0;
      let si = 0;
      for (let k = 0; k < a.n; k++) {
        const [ar, ai, br, bi] = [a.re[i * a.n + k], a.im[i * a.n + k], b.re[k * b.n + j], b.im[k * b.n + j]];
        sr += ar * br - ai * bi;
        si += ar * bi + ai * br;
      }
      o.re[i * o.n + j] = sr;
      o.im[i * o.n + j] = si;
    }
  }
  return o;
}
/** Conjugate transpose. */
export function hCM(a: CM): CM {
  const o = cm(a.n, a.m);
  for (let i = 0; i < a.m; i++) {
    for (let j = 0; j < a.n; j++) {
      o.re[j * a.m + i] = a.re[i * a.n + j];
      o.im[j * a.m + i] = -a.im[i * a.n + j];
    }
  }
  return o;
}

/** Cholesky (lower) from the lower triangle. */
export function choleskyCM(a: CM): CM {
  const n = a.n;
  const l = cm(n, n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sr = a.re[i * n + j];
      let si = a.im[i * n + j];
      for (let k = 0; k < j; k++) {
        // L_ik · conj(L_jk)
        sr -= l.re[i * n + k] * l.re[j * n + k] + l.im[i * n + k] * l.im[j * n + k];
        si -= l.im[i * n + k] * l.re[j * n + k] - l.re[i * n + k] * l.im[j * n + k];
      }
      if (i === j) l.re[i * n + i] = Math.sqrt(sr);
      else {
        l.re[i * n + j] = sr / l.re[j * n + j];
        l.im[i * n + j] = si / l.re[j * n + j];
      }
    }
  }
  return l;
}

/** Solve a·x = b by Gaussian elimination with partial pivoting (complex). */
export function solveCM(a: CM, b: CM): CM {
  const n = a.n;
  const A = { ...a, re: a.re.slice(), im: a.im.slice() };
  const B = { ...b, re: b.re.slice(), im: b.im.slice() };
  const swapRows = (M: CM, r: number, s: number): void => {
    for (let j = 0; j < M.n; j++) {
      [M.re[r * M.n + j], M.re[s * M.n + j]] = [M.re[s * M.n + j], M.re[r * M.n + j]];
      [M.im[r * M.n + j], M.im[s * M.n + j]] = [M.im[s * M.n + j], M.im[r * M.n + j]];
    }
  };
  for (let k = 0; k < n; k++) {
    let p = k;
    for (let i = k + 1; i < n; i++)
      if (Math.hypot(A.re[i * n + k], A.im[i * n + k]) > Math.hypot(A.re[p * n + k], A.im[p * n + k])) p = i;
    swapRows(A, k, p);
    swapRows(B, k, p);
    const dr = A.re[k * n + k];
    const di = A.im[k * n + k];
    const d2 = dr * dr + di * di;
    for (let i = k + 1; i < n; i++) {
      const fr = (A.re[i * n + k] * dr + A.im[i * n + k] * di) / d2;
      const fi = (A.im[i * n + k] * dr - A.re[i * n + k] * di) / d2;
      for (const [M, from] of [
        [A, k],
        [B, 0],
      ] as const) {
        for (let j = from; j < M.n; j++) {
          const ur = M.re[k * M.n + j];
          const ui = M.im[k * M.n + j];
          M.re[i * M.n + j] -= fr * ur - fi * ui;
          M.im[i * M.n + j] -= fr * ui + fi * ur;
        }
      }
    }
  }
  const x = cm(n, b.n);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = 0; j < b.n; j++) {
      let sr = B.re[i * b.n + j];
      let si = B.im[i * b.n + j];
      for (let k = i + 1; k < n; k++) {
        sr -= A.re[i * n + k] * x.re[k * b.n + j] - A.im[i * n + k] * x.im[k * b.n + j];
        si -= A.re[i * n + k] * x.im[k * b.n + j] + A.im[i * n + k] * x.re[k * b.n + j];
      }
      const dr = A.re[i * n + i];
      const di = A.im[i * n + i];
      const d2 = dr * dr + di * di;
      x.re[i * b.n + j] = (sr * dr + si * di) / d2;
      x.im[i * b.n + j] = (si * dr - sr * di) / d2;
    }
  }
  return x;
}

/** op(A) as a dense matrix: the chosen triangle only, unit diagonal, transpose/conjugate. */
export function triOp(
  a: CM,
  o: { lower: boolean; transposeA: boolean; conjugateA: boolean; unitDiagonal: boolean },
): CM {
  const n = a.n;
  const t = cm(n, n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const keep = o.lower ? j <= i : j >= i;
      if (!keep) continue;
      const [r, s] = o.transposeA ? [j, i] : [i, j];
      t.re[r * n + s] = i === j && o.unitDiagonal ? 1 : a.re[i * n + j];
      t.im[r * n + s] = i === j && o.unitDiagonal ? 0 : (o.conjugateA ? -1 : 1) * a.im[i * n + j];
    }
  }
  return t;
}
const tCM = (a: CM): CM => {
  const h = hCM(a);
  for (let i = 0; i < h.im.length; i++) h.im[i] = -h.im[i];
  return h;
};
/** X with op(A)·X = B (left) or X·op(A) = B (right). */
export function triSolveCM(
  a: CM,
  b: CM,
  o: { leftSide: boolean; lower: boolean; transposeA: boolean; conjugateA: boolean; unitDiagonal: boolean },
): CM {
  const op = triOp(a, o);
  return o.leftSide ? solveCM(op, b) : tCM(solveCM(tCM(op), tCM(b)));
}

/** Reduced QR (m ≥ n) by modified Gram–Schmidt, then column phases matched to `rDiagSigns`. */
export function qrCM(a: CM, rDiagSigns: readonly number[]): [CM, CM] {
  const { m, n } = a;
  const q = { ...a, re: a.re.slice(), im: a.im.slice() };
  const r = cm(n, n);
  for (let j = 0; j < n; j++) {
    for (let k = 0; k < j; k++) {
      let sr = 0;
      let si = 0;
      for (let i = 0; i < m; i++) {
        // conj(q_k) · q_j
        sr += q.re[i * n + k] * q.re[i * n + j] + q.im[i * n + k] * q.im[i * n + j];
        si += q.re[i * n + k] * q.im[i * n + j] - q.im[i * n + k] * q.re[i * n + j];
      }
      r.re[k * n + j] = sr;
      r.im[k * n + j] = si;
      for (let i = 0; i < m; i++) {
        q.re[i * n + j] -= sr * q.re[i * n + k] - si * q.im[i * n + k];
        q.im[i * n + j] -= sr * q.im[i * n + k] + si * q.re[i * n + k];
      }
    }
    let nrm = 0;
    for (let i = 0; i < m; i++) nrm += q.re[i * n + j] ** 2 + q.im[i * n + j] ** 2;
    nrm = Math.sqrt(nrm);
    const s = rDiagSigns[j] < 0 ? -1 : 1;
    r.re[j * n + j] = s * nrm;
    for (let i = 0; i < m; i++) {
      q.re[i * n + j] *= s / nrm;
      q.im[i * n + j] *= s / nrm;
    }
  }
  // r_kj = q_kᴴ·a_j was taken against the already sign-adjusted q_k, so a = q·r holds.
  return [q, r];
}

/**
 * Hermitian eigendecomposition by cyclic Jacobi on the real symmetric embedding
 * [[Re, −Im], [Im, Re]] (each eigenvalue twice; one vector of each pair gives x + iy). Columns
 * are ascending and phase-aligned to `ref` (vᴴ·ref_k real positive) when given.
 */
export function eighCM(a: CM, ref?: CM): { w: number[]; v: CM } {
  const n = a.n;
  const N = 2 * n;
  const s = new Float64Array(N * N);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const re = (a.re[i * n + j] + a.re[j * n + i]) / 2;
      const im = (a.im[i * n + j] - a.im[j * n + i]) / 2;
      s[i * N + j] = re;
      s[(i + n) * N + (j + n)] = re;
      s[i * N + (j + n)] = -im;
      s[(i + n) * N + j] = im;
    }
  }
  const V = new Float64Array(N * N);
  for (let i = 0; i < N; i++) V[i * N + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < N; p++) for (let q = p + 1; q < N; q++) off += s[p * N + q] ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < N; p++) {
      for (let q = p + 1; q < N; q++) {
        if (Math.abs(s[p * N + q]) < 1e-300) continue;
        const theta = (s[q * N + q] - s[p * N + p]) / (2 * s[p * N + q]);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const sn = t * c;
        for (let k = 0; k < N; k++) {
          const kp = s[k * N + p];
          const kq = s[k * N + q];
          s[k * N + p] = c * kp - sn * kq;
          s[k * N + q] = sn * kp + c * kq;
        }
        for (let k = 0; k < N; k++) {
          const pk = s[p * N + k];
          const qk = s[q * N + k];
          s[p * N + k] = c * pk - sn * qk;
          s[q * N + k] = sn * pk + c * qk;
        }
        for (let k = 0; k < N; k++) {
          const kp = V[k * N + p];
          const kq = V[k * N + q];
          V[k * N + p] = c * kp - sn * kq;
          V[k * N + q] = sn * kp + c * kq;
        }
      }
    }
  }
  const order = globalThis.Array.from({ length: N }, (_, i) => i).sort((x, y) => s[x * N + x] - s[y * N + y]);
  const w: number[] = [];
  const v = cm(n, n);
  for (let k = 0; k < n; k++) {
    // Eigenvalues come in equal pairs: take one column of each pair.
    const col = order[2 * k];
    w.push(s[col * N + col]);
    let nrm = 0;
    for (let i = 0; i < n; i++) nrm += V[i * N + col] ** 2 + V[(i + n) * N + col] ** 2;
    nrm = Math.sqrt(nrm);
    for (let i = 0; i < n; i++) {
      v.re[i * n + k] = V[i * N + col] / nrm;
      v.im[i * n + k] = V[(i + n) * N + col] / nrm;
    }
  }
  if (ref !== undefined) alignColumns(v, ref);
  return { w, v };
}

/** Multiply each column of v by the unit phase making (ref_kᴴ·v_k) real positive. */
export function alignColumns(v: CM, ref: CM): void {
  const { m, n } = v;
  for (let k = 0; k < n; k++) {
    let sr = 0;
    let si = 0;
    for (let i = 0; i < m; i++) {
      sr += ref.re[i * n + k] * v.re[i * n + k] + ref.im[i * n + k] * v.im[i * n + k];
      si += ref.re[i * n + k] * v.im[i * n + k] - ref.im[i * n + k] * v.re[i * n + k];
    }
    const mag = Math.hypot(sr, si);
    const [pr, pi] = [sr / mag, -si / mag]; // conj of the phase
    for (let i = 0; i < m; i++) {
      const [r, im] = [v.re[i * n + k], v.im[i * n + k]];
      v.re[i * n + k] = r * pr - im * pi;
      v.im[i * n + k] = r * pi + im * pr;
    }
  }
}

// ------------------------------------------------------------------ finite differences and the dot-product test

/** Deterministic values in [-1, 1) as an Array (complex: interleaved pairs). */
export function randArray(shape: readonly number[], seed: number, dtype: DType = "float32"): Array {
  let s = seed >>> 0 || 1;
  const n = shape.reduce((a, b) => a * b, 1) * (dtype === "complex64" ? 2 : 1);
  const vals = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    vals[i] = (s / 2 ** 32) * 2 - 1;
  }
  return np.array(vals, { dtype }).reshape([...shape]);
}

/** Central difference (f(x + εd) − f(x − εd)) / 2ε of a host function returning flat values. */
export function centralDiff(f: (eps: number) => number[], eps = 1e-6): number[] {
  const p = f(eps);
  const m = f(-eps);
  return p.map((v, i) => (v - m[i]) / (2 * eps));
}

/** Real inner product of two arrays' stored values (complex: Re Σ conj(a)·b). */
export function realDot(a: Array | number[], b: Array | number[]): number {
  const x = globalThis.Array.isArray(a) ? a : toFlat(a);
  const y = globalThis.Array.isArray(b) ? b : toFlat(b);
  assert.equal(x.length, y.length, "realDot: sizes differ");
  return x.reduce((s, v, i) => s + v * y[i], 0);
}

/** Complex conjugate of an array (identity for real ones), on the host. */
export function conjHost(x: Array): Array {
  if (x.dtype !== "complex64") return x;
  const d = Float32Array.from(toFlat(x));
  for (let i = 1; i < d.length; i += 2) d[i] = -d[i];
  return np.array(d, { dtype: "complex64" }).reshape([...x.shape]);
}

/**
 * The dot-product test <J v, w> = <v, Jᵀ w> for f at the given primals, over every input with a
 * random v and every output with a random w. JAX's transposes of complex maps are the plain
 * (bilinear) ones, i.e. R-transpose(w) = conj(vjp(conj w)); that identity is what is checked.
 */
export function dotTest(
  f: (...xs: Array[]) => Array | Array[],
  primals: readonly Array[],
  seed = 11,
  rtol = 1e-4,
): void {
  const vs = primals.map((p, i) => randArray(p.shape, seed + i, p.dtype));
  const asList = (y: Array | Array[]): Array[] => (globalThis.Array.isArray(y) ? y : [y]);
  const g = (...xs: Array[]): Array[] => asList(f(...xs));
  const [ys, jv] = jvp(g, [...primals], vs) as [Array[], Array[]];
  const ws = ys.map((y, i) => randArray(y.shape, seed + 100 + i, y.dtype));
  const [, pb] = vjp(g, ...primals) as [Array[], (ct: Array[]) => Array[]];
  const cts = pb(ws.map(conjHost)).map(conjHost);
  const lhs = jv.reduce((s, t, i) => s + realDot(t, ws[i]), 0);
  const rhs = vs.reduce((s, v, i) => s + realDot(v, cts[i]), 0);
  assert.ok(
    Math.abs(lhs - rhs) <= rtol * (Math.abs(lhs) + Math.abs(rhs) + 1e-3),
    `dot-product test: <Jv, w> = ${lhs} but <v, Jᵀw> = ${rhs}`,
  );
}

/** Packed pivoted LU (pivot: first largest |re| + |im|, as LAPACK / the kernel) in float64, and the number of row swaps. */
export function luCM(a: CM): { lu: CM; swaps: number } {
  const { m, n } = a;
  const A = { ...a, re: a.re.slice(), im: a.im.slice() };
  let swaps = 0;
  for (let j = 0; j < Math.min(m, n); j++) {
    let p = j;
    for (let i = j + 1; i < m; i++) {
      if (Math.abs(A.re[i * n + j]) + Math.abs(A.im[i * n + j]) > Math.abs(A.re[p * n + j]) + Math.abs(A.im[p * n + j]))
        p = i;
    }
    if (p !== j) swaps++;
    for (let c = 0; c < n; c++) {
      [A.re[j * n + c], A.re[p * n + c]] = [A.re[p * n + c], A.re[j * n + c]];
      [A.im[j * n + c], A.im[p * n + c]] = [A.im[p * n + c], A.im[j * n + c]];
    }
    const [dr, di] = [A.re[j * n + j], A.im[j * n + j]];
    const d2 = dr * dr + di * di;
    for (let i = j + 1; i < m; i++) {
      const lr = (A.re[i * n + j] * dr + A.im[i * n + j] * di) / d2;
      const li = (A.im[i * n + j] * dr - A.re[i * n + j] * di) / d2;
      A.re[i * n + j] = lr;
      A.im[i * n + j] = li;
      for (let c = j + 1; c < n; c++) {
        A.re[i * n + c] -= lr * A.re[j * n + c] - li * A.im[j * n + c];
        A.im[i * n + c] -= lr * A.im[j * n + c] + li * A.re[j * n + c];
      }
    }
  }
  return { lu: A, swaps };
}

/** Determinant [re, im] of a square host matrix: (−1)^swaps · Π diag(U). */
export function detCM(a: CM): [number, number] {
  const { lu, swaps } = luCM(a);
  let [r, i] = [swaps % 2 === 1 ? -1 : 1, 0];
  for (let k = 0; k < a.n; k++)
    [r, i] = [r * lu.re[k * a.n + k] - i * lu.im[k * a.n + k], r * lu.im[k * a.n + k] + i * lu.re[k * a.n + k]];
  return [r, i];
}
