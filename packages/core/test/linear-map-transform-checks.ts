/** Shared checks for the shape / indexing / creation tests: dot-product test, vmap vs loop, jit. */
import assert from "node:assert/strict";
import { np, jvp, vjp, vmap, jit, type Array, type DType } from "linax-ts";
import { assertClose, toFlat } from "@linax-ts/testing";

/** Deterministic pseudo-random values in [-1, 1) (an LCG, so tests need no seed plumbing). */
export function randArray(shape: readonly number[], seed = 1, dtype: DType = "float32"): Array {
  let s = seed >>> 0 || 1;
  const n = shape.reduce((a, b) => a * b, 1) * (dtype === "complex64" ? 2 : 1);
  const vals: number[] = [];
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    vals.push(Math.round((s / 2 ** 32) * 2000 - 1000) / 1000);
  }
  if (dtype === "complex64") return np.array(new Float32Array(vals), { dtype: "complex64" }).reshape([...shape]);
  return np.array(vals).reshape([...shape]);
}

/** Σ a·b over host values (complex: real part of Σ a·b with interleaved storage). */
function hostDot(a: Array, b: Array): number {
  const x = toFlat(a);
  const y = toFlat(b);
  assert.equal(x.length, y.length);
  if (a.dtype === "complex64") {
    let s = 0;
    for (let i = 0; i < x.length; i += 2) s += x[i] * y[i] + x[i + 1] * y[i + 1];
    return s;
  }
  return x.reduce((acc, v, i) => acc + v * y[i], 0);
}

/**
 * The dot-product test of a linear map f at x: <J v, w> == <v, Jᵀ w> for random v, w (jvp vs vjp).
 * For complex arrays the real inner product Re Σ conj-free products of interleaved parts is used,
 * which is what the plain (R-linear) transposes preserve.
 */
export function dotProductTest(f: (x: Array) => Array, x: Array, seed = 7): void {
  const v = randArray(x.shape, seed, x.dtype);
  const [y, jv] = jvp(f, [x], [v]) as [Array, Array];
  const w = randArray(y.shape, seed + 1, y.dtype);
  const [, pb] = vjp(f, x);
  const [jtw] = pb(w) as Array[];
  assertClose([hostDot(jv, w)], [hostDot(v, jtw)], { rtol: 1e-4, atol: 1e-4 });
}

/** vmap(f) over axis 0 of every argument equals stacking f on each example. */
export function vmapVsLoop(
  f: (...xs: Array[]) => Array,
  args: readonly Array[],
  inAxes?: readonly (number | null)[],
): void {
  const axes = inAxes ?? args.map(() => 0);
  const k = args.findIndex((_, i) => axes[i] !== null);
  const b = args[k].shape[axes[k] as number];
  const batched = (vmap(f, { inAxes: [...axes] }) as (...a: readonly Array[]) => Array)(...args);
  const rows: Array[] = [];
  for (let i = 0; i < b; i++)
    rows.push(f(...args.map((a, j) => (axes[j] === null ? a : np.moveaxis(a, axes[j] as number, 0).get(i)))));
  const want = np.stack(rows);
  assert.deepEqual([...batched.shape], [...want.shape]);
  assertClose(batched, want, { rtol: 1e-5, atol: 1e-5 });
}

/** jit(f)(...args) equals f(...args) (values, shape and dtype). */
export function jitMatches(f: (...xs: Array[]) => Array, args: readonly Array[]): void {
  const want = f(...args);
  const got = (jit(f) as (...a: readonly Array[]) => Array)(...args);
  assert.equal(got.dtype, want.dtype);
  assertClose(got, want, { shape: want.shape });
}
