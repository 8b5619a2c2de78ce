/**
 * JAX-style checkers (`jax.test_util.check_grads` and friends) for users' property tests:
 * compare transforms against definitions — finite differences, stacking, untransformed calls.
 */
import assert from "node:assert/strict";
import { Array, np, jvp, vjp, vmap, jit, treeFlatten, treeUnflatten, type DType } from "@linax-ts/core";
import { assertClose, toFlat } from "./assert.ts";

export interface CheckGradsOptions {
  /** Derivative order to check (1 or 2). */
  order?: number;
  /** "fwd" checks jvp against finite differences; "rev" checks vjp against jvp (dot-product test). */
  modes?: readonly ("fwd" | "rev")[];
  /** Finite-difference step (default 1e-3, suited to float32 evaluation). */
  eps?: number;
  rtol?: number;
  atol?: number;
  /** Seed of the random directions (deterministic). */
  seed?: number;
}

/** A small deterministic PRNG for directions (tests must be reproducible). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomLike(x: Array, rand: () => number): Array {
  const n = x.dtype === "complex64" ? 2 * x.size : x.size;
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = rand() * 2 - 1;
  return np.reshape(np.array(v, { dtype: x.dtype as DType }), x.shape);
}

function flatOut(f: (...a: Array[]) => unknown, args: readonly Array[]): Array[] {
  return treeFlatten(f(...args))[0] as Array[];
}

function inner(a: readonly Array[], b: readonly Array[]): number {
  let s = 0;
  a.forEach((x, i) => {
    const xa = toFlat(x);
    const xb = toFlat(b[i]);
    for (let k = 0; k < xa.length; k++) s += xa[k] * xb[k];
  });
  return s;
}

/**
 * Check derivatives of `f` at `args` (arrays): forward mode against central finite differences
 * along a random direction, reverse mode against forward mode via `<J v, w> = <v, Jᵀ w>`.
 */
export function checkGrads(f: (...args: Array[]) => unknown, args: readonly Array[], opts: CheckGradsOptions = {}): void {
  const { order = 1, modes = ["fwd", "rev"], eps = 1e-3, rtol = 2e-2, atol = 2e-3, seed = 0 } = opts;
  const rand = mulberry32(seed);
  const dirs = args.map((a) => randomLike(a, rand));
  if (modes.includes("fwd")) {
    const [, tOut] = jvp((...xs: Array[]) => flatOut(f, xs), [...args], dirs) as unknown as [Array[], Array[]];
    const plus = flatOut(f, args.map((a, i) => a.add(dirs[i].mul(eps))));
    const minus = flatOut(f, args.map((a, i) => a.sub(dirs[i].mul(eps))));
    const fd = plus.map((p, i) => toFlat(p).map((v, k) => (v - toFlat(minus[i])[k]) / (2 * eps)));
    tOut.forEach((t, i) => assertClose(t, fd[i], { rtol, atol }));
  }
  if (modes.includes("rev")) {
    const [out, pb] = vjp((...xs: Array[]) => flatOut(f, xs), ...args) as unknown as [Array[], (ct: Array[]) => Array[]];
    const ws = out.map((o) => randomLike(o, rand));
    const cts = pb(ws);
    const [, jv] = jvp((...xs: Array[]) => flatOut(f, xs), [...args], dirs) as unknown as [Array[], Array[]];
    const lhs = inner(jv, ws);
    const rhs = inner(dirs, cts);
    assert.ok(Math.abs(lhs - rhs) <= atol + rtol * Math.max(Math.abs(lhs), Math.abs(rhs)), `checkGrads rev: <J v, w> = ${lhs} but <v, Jᵀ w> = ${rhs}`);
  }
  if (order > 1) {
    // Check the derivative of the JVP (a function of primals) — second-order terms.
    const df = (...xs: Array[]) => jvp((...ys: Array[]) => flatOut(f, ys), xs, dirs)[1];
    checkGrads(df as (...a: Array[]) => unknown, args, { ...opts, order: order - 1, seed: seed + 1 });
  }
}

/** `vmap(f)(xs...)` equals stacking `f` applied to each slice along axis 0 of every argument. */
export function checkVmap(f: (...args: Array[]) => unknown, batchedArgs: readonly Array[], opts: { rtol?: number; atol?: number } = {}): void {
  const n = batchedArgs[0].shape[0];
  const batched = treeFlatten(vmap(f as (...a: Array[]) => unknown)(...batchedArgs))[0] as Array[];
  for (let i = 0; i < n; i++) {
    const sliceArgs = batchedArgs.map((a) => sliceRow(a, i));
    const outs = treeFlatten(f(...sliceArgs))[0] as Array[];
    outs.forEach((o, k) => assertClose(sliceRow(batched[k], i), o, { rtol: opts.rtol ?? 1e-5, atol: opts.atol ?? 1e-6 }));
  }
}

/** Row `i` of a concrete array (host-side, so the checker does not depend on the op under test). */
export function sliceRow(a: Array, i: number): Array {
  const d = a.dataSync();
  const rowSize = a.size / a.shape[0];
  const width = a.dtype === "complex64" ? 2 : 1;
  const sub = d.slice(i * rowSize * width, (i + 1) * rowSize * width);
  return np.reshape(np.array(sub, { dtype: a.dtype }), a.shape.slice(1));
}

/** `jit(f)` equals `f` on the given arguments (pytree outputs compared leaf by leaf). */
export function checkJit(f: (...args: Array[]) => unknown, args: readonly Array[], opts: { rtol?: number; atol?: number } = {}): void {
  const [want, defA] = treeFlatten(f(...args));
  const [got, defB] = treeFlatten(jit(f)(...args));
  assert.ok(defA.equals(defB), `checkJit: output structures differ: ${defA} vs ${defB}`);
  want.forEach((w, i) => assertClose(got[i] as Array, w as Array, { rtol: opts.rtol ?? 1e-6, atol: opts.atol ?? 1e-6 }));
}

/** Two implementations of a scan (e.g. parallel vs sequential) agree on the given inputs. */
export function checkScanEquivalence(parallel: (...args: Array[]) => unknown, sequential: (...args: Array[]) => unknown, args: readonly Array[], opts: { rtol?: number; atol?: number } = {}): void {
  const [a, da] = treeFlatten(parallel(...args));
  const [b, db] = treeFlatten(sequential(...args));
  assert.ok(da.equals(db), `checkScanEquivalence: output structures differ: ${da} vs ${db}`);
  a.forEach((x, i) => assertClose(x as Array, b[i] as Array, { rtol: opts.rtol ?? 1e-5, atol: opts.atol ?? 1e-5 }));
}


