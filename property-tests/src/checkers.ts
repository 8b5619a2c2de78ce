/**
 * JAX-style checkers for users' property tests and our own: compare transforms against their
 * definitions — stacking (vmap), untransformed calls (jit), sequential scans, and the dot-product
 * test of linear maps. `checkGrads` (finite differences) lives in grads.ts.
 */
import assert from "node:assert/strict";
import { type Array, jvp, vjp, vmap, jit, treeFlatten, type TreeDef } from "@linax-ts/core";
import { assertClose } from "./assert.ts";
import { hostConj, mulberry32, normalizeAxis, randomLike, realInner, takeAlong } from "./host.ts";

export { checkGrads, type CheckGradsOptions, type HostReference } from "./grads.ts";

type Fn = (...args: Array[]) => unknown;

export interface Tolerance {
  rtol?: number;
  atol?: number;
}

export interface CheckVmapOptions extends Tolerance {
  /**
   * Batch axis of each argument (null: not batched, shared by every slice), or one number for
   * all (default 0). Negative axes count from the end of the batched argument.
   */
  inAxes?: number | readonly (number | null)[];
  /** Batch axis of every output leaf (default 0; negative counts from the end of the batched output). */
  outAxes?: number;
  /** Passed to vmap (for functions that use collectives); the reference loop cannot evaluate those. */
  axisName?: string;
}

function leaves(x: unknown): [Array[], TreeDef] {
  const [ls, def] = treeFlatten(x);
  return [ls as Array[], def];
}

/**
 * `vmap(f, { inAxes, outAxes })(...batchedArgs)` equals stacking `f` applied to slice i of every
 * batched argument (along its in-axis; unbatched arguments passed whole), read back along the
 * out-axes. Slicing is done on the host so that the check does not use the ops it checks.
 * Outputs may be pytrees (compared leaf by leaf, structures must agree).
 */
export function checkVmap(f: Fn, batchedArgs: readonly Array[], opts: CheckVmapOptions = {}): void {
  const inSpec = opts.inAxes ?? 0;
  const inAxes = typeof inSpec === "number" ? batchedArgs.map(() => inSpec) : [...inSpec];
  assert.equal(
    inAxes.length,
    batchedArgs.length,
    `checkVmap: ${inAxes.length} inAxes for ${batchedArgs.length} arguments`,
  );
  const axes = inAxes.map((a, i) => (a === null ? null : normalizeAxis(a, batchedArgs[i].ndim)));
  const first = axes.findIndex((a) => a !== null);
  assert.ok(first >= 0, "checkVmap: at least one argument must be batched");
  const n = batchedArgs[first].shape[axes[first] as number];
  const outAxis = opts.outAxes ?? 0;
  const [got, gotDef] = leaves(vmap(f, { inAxes: axes, outAxes: outAxis, axisName: opts.axisName })(...batchedArgs));
  for (let i = 0; i < n; i++) {
    const sliced = batchedArgs.map((a, k) => (axes[k] === null ? a : takeAlong(a, axes[k] as number, i)));
    const [want, wantDef] = leaves(f(...sliced));
    assert.ok(gotDef.equals(wantDef), `checkVmap: output structures differ: vmap gives ${gotDef}, f gives ${wantDef}`);
    want.forEach((w, k) => {
      const g = takeAlong(got[k], outAxis, i);
      assert.equal(g.dtype, w.dtype, `checkVmap: output leaf ${k} dtype ${g.dtype}, want ${w.dtype}`);
      try {
        assertClose(g, w, { rtol: opts.rtol ?? 1e-5, atol: opts.atol ?? 1e-6 });
      } catch (e) {
        assert.fail(
          `checkVmap: batch element ${i} of ${n}, output leaf ${k} (out axis ${outAxis}; in axes ${JSON.stringify(inAxes)}): ${(e as Error).message}`,
        );
      }
    });
  }
}

/** Row `i` (along axis 0) of a concrete array, computed on the host. */
export function sliceRow(a: Array, i: number): Array {
  return takeAlong(a, 0, i);
}

/** `jit(f)` equals `f` on the given arguments (pytree outputs compared leaf by leaf, dtypes included). */
export function checkJit(f: Fn, args: readonly Array[], opts: Tolerance = {}): void {
  const [want, defA] = leaves(f(...args));
  const [got, defB] = leaves(jit(f)(...args));
  assert.ok(defA.equals(defB), `checkJit: output structures differ: ${defA} vs ${defB}`);
  want.forEach((w, i) => {
    assert.equal(got[i].dtype, w.dtype, `checkJit: output leaf ${i} dtype ${got[i].dtype}, want ${w.dtype}`);
    assertClose(got[i], w, { rtol: opts.rtol ?? 1e-6, atol: opts.atol ?? 1e-6 });
  });
}

/** Two implementations of a scan (e.g. parallel vs sequential) agree on the given inputs (pytrees compared leaf by leaf). */
export function checkScanEquivalence(parallel: Fn, sequential: Fn, args: readonly Array[], opts: Tolerance = {}): void {
  const [a, da] = leaves(parallel(...args));
  const [b, db] = leaves(sequential(...args));
  assert.ok(da.equals(db), `checkScanEquivalence: output structures differ: ${da} vs ${db}`);
  a.forEach((x, i) => {
    assert.equal(x.dtype, b[i].dtype, `checkScanEquivalence: leaf ${i} dtype ${x.dtype} vs ${b[i].dtype}`);
    assertClose(x, b[i], { rtol: opts.rtol ?? 1e-5, atol: opts.atol ?? 1e-5 });
  });
}

export interface CheckLinearOptions extends Tolerance {
  seed?: number;
}

/**
 * `f` is linear in all of its arguments: its jvp at `args` along v equals f(v) (linearity; an
 * affine map fails here), and jvp and vjp are each other's transposes,
 * ⟨J v, w⟩ = ⟨v, conj(vjp(conj w))⟩ (the dot-product test, JAX's convention for complex maps,
 * see grads.ts). Both are exact identities, so the tolerances only cover float32 rounding of
 * the sums (relative to Σ|terms|).
 */
export function checkLinear(f: Fn, args: readonly Array[], opts: CheckLinearOptions = {}): void {
  const rtol = opts.rtol ?? 1e-5;
  const atol = opts.atol ?? 1e-6;
  const rand = mulberry32(opts.seed ?? 0);
  const vs = args.map((a) => randomLike(a, rand));
  const flat = (...xs: Array[]) => leaves(f(...xs))[0];
  const [, jv] = jvp(flat, [...args], vs) as unknown as [Array[], Array[]];
  const fv = flat(...vs);
  jv.forEach((t, i) => {
    try {
      assertClose(t, fv[i], { rtol: rtol * 10, atol: atol * 10 });
    } catch (e) {
      assert.fail(
        `checkLinear: jvp(f)(x; v) != f(v) for output leaf ${i} (f is not linear, or its jvp rule is wrong): ${(e as Error).message}`,
      );
    }
  });
  const [outs, pb] = vjp(flat, ...args) as unknown as [Array[], (ct: Array[]) => Array[]];
  const ws = outs.map((o) => randomLike(o, rand));
  const cts = pb(ws.map(hostConj)).map(hostConj);
  const l = realInner(jv, ws);
  const r = realInner(vs, cts);
  const tol = atol + rtol * (l.scale + r.scale);
  assert.ok(
    Math.abs(l.value - r.value) <= tol,
    `checkLinear: ⟨J v, w⟩ = ${l.value} but ⟨v, conj(vjp(conj w))⟩ = ${r.value} (|diff| ${Math.abs(l.value - r.value)} > tol ${tol})`,
  );
}
