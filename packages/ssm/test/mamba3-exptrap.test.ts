/**
 * Mamba-3's exponential-trapezoidal rule and grouped B/C in `ssm.ops.selectiveScan`:
 * - fixed-input reference numbers (testdata/ssm/mamba3-exptrap.json, derived by
 *   testdata/ssm/gen_mamba3_exptrap.py, a float64 numpy transcription of the official
 *   `Mamba3Simple._recurrence` and of `selective_scan_ref`'s grouped branch; see that script's
 *   docstring for the layout mapping) for the parallel form at several chunk sizes and for the
 *   step loop, with initial states, data-dependent and fixed λ, groups of heads;
 * - grouped B/C `[batch, G, N, L]` == running each group's channels through the ungrouped path
 *   (a second implementation), values and gradients, zoh and exptrap; jit and vmap; bad groups.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { grad, jit, np, vmap, ShapeError, type Array } from "linax-ts";
import { ssm } from "linax-ts";
import { mulberry32 } from "@linax-ts/testing";
import { assertClose, maxAbs, nums } from "./host-values.ts";

const { selectiveScan, selectiveScanStep, selectiveScanInitState } = ssm.ops;

interface Enc {
  shape: number[];
  data: number[];
}
interface Case {
  discretization: "zoh" | "exptrap";
  deltaSoftplus: boolean;
  fixedLambda: number | null;
  inputs: Record<string, Enc>;
  out: Enc;
  lastState: Enc;
}
const dec = (e: Enc): Array => np.array(Float32Array.from(e.data)).reshape(e.shape);
const file = JSON.parse(
  readFileSync(fileURLToPath(new URL("../../../testdata/ssm/mamba3-exptrap.json", import.meta.url)), "utf8"),
) as {
  numpy: string;
  cases: Record<string, Case>;
};

function scanOpts(c: Case): ssm.ops.SelectiveScanOptions {
  const i = c.inputs;
  return {
    D: dec(i.D),
    deltaBias: i.deltaBias ? dec(i.deltaBias) : null,
    deltaSoftplus: c.deltaSoftplus,
    discretization: c.discretization,
    trapezoidLambda: i.trapezoidLambda ? dec(i.trapezoidLambda) : (c.fixedLambda ?? undefined),
    initialState: i.initialState ? dec(i.initialState) : null,
  };
}

test("reference numbers (official Mamba-3 recurrence, selective_scan_ref grouped): parallel at chunk sizes 64, 4, 1 and the step loop", () => {
  assert.deepEqual(Object.keys(file.cases).sort(), [
    "exptrap_groups2",
    "exptrap_heads",
    "exptrap_shared_fixed_lambda",
    "zoh_grouped_ref",
  ]);
  for (const [name, c] of Object.entries(file.cases)) {
    const i = c.inputs;
    const [u, delta, A, B, C] = [dec(i.u), dec(i.delta), dec(i.A), dec(i.B), dec(i.C)];
    const o = scanOpts(c);
    const tolOut = { atol: 2e-5 * (1 + maxAbs(c.out.data)), rtol: 1e-4 };
    const tolState = { atol: 2e-5 * (1 + maxAbs(c.lastState.data)), rtol: 1e-4 };
    const Bs = B.shape[1] === 1 ? [B, B.reshape([B.shape[0], B.shape[2], B.shape[3]])] : [B];
    const Cs = C.shape[1] === 1 ? [C, C.reshape([C.shape[0], C.shape[2], C.shape[3]])] : [C];
    // One shared group is also given as plain [batch, N, L] (the ungrouped layout).
    for (let k = 0; k < Bs.length; k++) {
      for (const chunkSize of [64, 4, 1]) {
        const [y, last] = selectiveScan(u, delta, A, Bs[k], Cs[k], { ...o, chunkSize, returnLastState: true });
        const msg = `${name}${k ? " ungrouped" : ""} chunk ${chunkSize}`;
        assertClose(nums(y), c.out.data, { ...tolOut, msg });
        assertClose(nums(last), c.lastState.data, { ...tolState, msg: `${msg} last state` });
      }
    }
    // Step by step from the initial state, B, C as [batch, G, N] per step.
    const [b, Dch, L] = u.shape;
    const N = A.shape[1];
    let st: ssm.ops.SelectiveScanState = i.initialState
      ? { h: dec(i.initialState), bu: np.zeros([b, Dch, N]) }
      : selectiveScanInitState(b, Dch, N);
    const lam = o.trapezoidLambda;
    const ys: Array[] = [];
    for (let t = 0; t < L; t++) {
      const at = (x: Array): Array => x.get(":", ":", t);
      const bt = (x: Array): Array => x.get(":", ":", ":", t);
      const [yt, s2] = selectiveScanStep(st, at(u), at(delta), A, bt(B), bt(C), {
        D: o.D,
        deltaBias: o.deltaBias,
        deltaSoftplus: o.deltaSoftplus,
        discretization: o.discretization,
        trapezoidLambda: typeof lam === "object" && lam !== null ? at(lam) : lam,
      });
      ys.push(yt);
      st = s2;
    }
    assertClose(nums(np.stack(ys, { axis: 2 })), c.out.data, { ...tolOut, msg: `${name} step` });
    assertClose(nums(st.h), c.lastState.data, { ...tolState, msg: `${name} step state` });
  }
});

/** Standard-normal-ish float32 draws of a shape. */
function draw(r: () => number, shape: number[], scale = 1, shift = 0): Array {
  const n = shape.reduce((a, c) => a * c, 1);
  return np
    .array(
      Float32Array.from(
        { length: n },
        () => shift + scale * Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r()),
      ),
    )
    .reshape(shape);
}

/** Grouped scan by its definition: group g's channels through the ungrouped path with B[:, g], C[:, g]. */
function perGroup(u: Array, delta: Array, A: Array, B: Array, C: Array, o: ssm.ops.SelectiveScanOptions): Array {
  const G = B.shape[1];
  const per = u.shape[1] / G;
  const parts = globalThis.Array.from({ length: G }, (_, g) => {
    const ch = `${g * per}:${(g + 1) * per}`;
    const sl = (x: Array | null | undefined): Array | null => (x ? x.get(":", ch) : null);
    const lam = o.trapezoidLambda;
    return selectiveScan(u.get(":", ch), delta.get(":", ch), A.get(ch), B.get(":", g), C.get(":", g), {
      ...o,
      z: sl(o.z),
      D: o.D ? o.D.get(ch) : null,
      deltaBias: o.deltaBias ? o.deltaBias.get(ch) : null,
      trapezoidLambda: typeof lam === "object" ? (sl(lam) as Array) : lam,
      initialState: sl(o.initialState),
    });
  });
  return np.concatenate(parts, { axis: 1 });
}

for (const discretization of ["zoh", "exptrap"] as const) {
  test(`${discretization}: grouped B, C == each group through the ungrouped path (values, gradients of u, Δ, A, B, C); jit; vmap`, () => {
    const r = mulberry32(discretization === "zoh" ? 3 : 4);
    const [b, Dch, L, N, G] = [2, 6, 10, 3, 3];
    const u = draw(r, [b, Dch, L]);
    const delta = draw(r, [b, Dch, L], 0.5);
    const A = np.negative(np.exp(draw(r, [Dch, N], 0.5)));
    const B = draw(r, [b, G, N, L]);
    const C = draw(r, [b, G, N, L]);
    const lam = np.array(Float32Array.from({ length: b * Dch * L }, () => r())).reshape([b, Dch, L]);
    const o: ssm.ops.SelectiveScanOptions = {
      D: draw(r, [Dch]),
      z: draw(r, [b, Dch, L]),
      deltaBias: draw(r, [Dch], 0.5),
      deltaSoftplus: true,
      discretization,
      trapezoidLambda: discretization === "exptrap" ? lam : undefined,
      initialState: draw(r, [b, Dch, N]),
      chunkSize: 4,
    };
    const want = perGroup(u, delta, A, B, C, o);
    assertClose(nums(selectiveScan(u, delta, A, B, C, o)), nums(want), {
      atol: 1e-5 * (1 + maxAbs(nums(want))),
      rtol: 1e-5,
    });
    const w = draw(r, [b, Dch, L]);
    const loss =
      (f: typeof perGroup) =>
      (uu: Array, dd: Array, AA: Array, BB: Array, CC: Array): Array =>
        np.sum(np.multiply(f(uu, dd, AA, BB, CC, o), w));
    const grouped = (uu: Array, dd: Array, AA: Array, BB: Array, CC: Array, oo: ssm.ops.SelectiveScanOptions): Array =>
      selectiveScan(uu, dd, AA, BB, CC, oo);
    const argnums = [0, 1, 2, 3, 4];
    const g1 = grad(loss(grouped), { argnums })(u, delta, A, B, C) as Array[];
    const g2 = grad(loss(perGroup), { argnums })(u, delta, A, B, C) as Array[];
    ["u", "delta", "A", "B", "C"].forEach((n, k) => {
      const ref = nums(g2[k]);
      assertClose(nums(g1[k]), ref, { atol: 1e-5 * (1 + maxAbs(ref)), rtol: 1e-4, msg: `d/d${n}` });
    });
    // jit and vmap (over a leading axis of two problems).
    assertClose(nums(jit((BB: Array, CC: Array) => selectiveScan(u, delta, A, BB, CC, o))(B, C)), nums(want), {
      atol: 1e-5 * (1 + maxAbs(nums(want))),
    });
    const vb = vmap((BB: Array) => selectiveScan(u, delta, A, BB, C, o))(np.stack([B, np.flip(B, 3)]));
    assertClose(nums(vb.get(0)), nums(want), { atol: 1e-5 * (1 + maxAbs(nums(want))) });
    assertClose(nums(vb.get(1)), nums(perGroup(u, delta, A, np.flip(B, 3), C, o)), {
      atol: 1e-5 * (1 + maxAbs(nums(want))),
    });
  });
}

test("grouped B/C errors: G must divide D; step takes [batch, G, N]", () => {
  const u = np.zeros([1, 6, 5]);
  const A = np.zeros([6, 2]);
  assert.throws(
    () => selectiveScan(u, u, A, np.zeros([1, 4, 2, 5]), np.zeros([1, 2, 5])),
    (e: unknown) =>
      e instanceof ShapeError &&
      /B must be .*\[batch, G, N, L\] = \[1, G, 2, 5\] with G dividing D = 6.*got \[1, 4, 2, 5\]/.test(e.message),
  );
  assert.throws(
    () => selectiveScan(u, u, A, np.zeros([1, 2, 5]), np.zeros([1, 3, 3, 5])),
    (e: unknown) => e instanceof ShapeError && /C must be/.test(e.message),
  );
  const st = selectiveScanInitState(1, 6, 2);
  assert.throws(
    () => selectiveScanStep(st, np.zeros([1, 6]), np.zeros([1, 6]), A, np.zeros([1, 4, 2]), np.zeros([1, 2])),
    (e: unknown) => e instanceof ShapeError && /B must be \[1, 2\]/.test(e.message),
  );
  // A grouped step == the grouped parallel scan (one step).
  const r = mulberry32(8);
  const [uu, dd, BB, CC] = [draw(r, [1, 6, 1]), draw(r, [1, 6, 1]), draw(r, [1, 3, 2, 1]), draw(r, [1, 3, 2, 1])];
  const Aa = np.negative(np.exp(draw(r, [6, 2])));
  const [ys] = selectiveScanStep(
    st,
    uu.get(":", ":", 0),
    dd.get(":", ":", 0),
    Aa,
    BB.get(":", ":", ":", 0),
    CC.get(":", ":", ":", 0),
  );
  assertClose(nums(ys), nums(selectiveScan(uu, dd, Aa, BB, CC)), { atol: 1e-6 });
});
