/**
 * LinOSS transitions at very small and very large steps, value for value against float64.
 *
 * linax (`camail-official/linax` @25ba2d15, `_project_ag_oscillatory` / `_rt_to_ag`) divides by
 * `h2 = max(Δ², 1e-6)` wherever it divides by Δ²; where it divides by Δ (the IM bound `−G/Δ`, the
 * IMEX2/EX bounds `1/Δ`, `4/Δ`, `G/Δ`) it does not guard, and neither does linax-ts. The one Δ²
 * division linax-ts had unguarded was damped IMEX's clamp `[lo, hi] = (2 + ΔG ∓ 2√(1 + ΔG))/Δ²`:
 * with Δ = sigmoid(steps) < ~1e-23, Δ² is 0 in float32 and lo = 0/0 = NaN (steps = −60 gave NaN
 * M12, M22 and outputs). Guarded, at Δ < 1e-3 the clamp is `[lo·Δ²/1e-6, hi·Δ²/1e-6]`, so a large
 * A_diag is clamped to ≈ 4e6 instead of ≈ 4/Δ² — the values below check that, not only finiteness.
 *
 * The float64 reference evaluates linax's formulas (`_mat_*` after the oscillatory projection)
 * from the mixer's own float32 leaves and float32 Δ. Tolerances: 2e-6 relative per entry (a few
 * float32 roundings), plus, where A sits on the lower clamp end, the float32 cancellation in
 * `2 + ΔG − 2√(1 + ΔG)` (≤ 2^-21·(2 + ΔG) before the division by h2; the reference uses the
 * cancellation-free `(ΔG/(√(1 + ΔG) + 1))²`), carried into M12 = −ΔA/S and M22 = 1 − Δ²A/S.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { np, random, type Array } from "linax-ts";
import * as nn from "@linax-ts/nn";
import * as ssm from "@linax-ts/ssm";

const vals = (a: Array): number[] => [...(a.dataSync() as Float32Array)];
const P = 4;
const H = 3;

/**
 * Per state: (A_diag, G_diag) — inside the range, far above it (clamped to hi), below it with
 * G = 0 (lo = 0 exactly), below it with G = 2 (clamped to lo).
 */
const A_DIAG = [0.5, 1e8, -1, -1];
const G_DIAG = [0.3, 2, 0, 2];

/** steps → Δ = sigmoid(steps): 0 (float32 underflow), denormal, Δ² = 0, tiny, < 1e-3, 0.5, 1. */
const STEPS = [-110, -100, -60, -30, -18, -8, 0, 18];

type Entries = { M11: number; M12: number; M21: number; M22: number; f1: number; f2: number; dA: number; S: number };

/** linax's damped IMEX (oscillatory projection, then `_mat_imex`) in float64. */
function imex64(A0: number, G0: number, dt: number): Entries {
  const G = Math.max(G0, 0);
  const x = dt * G;
  const h2 = Math.max(dt * dt, 1e-6);
  const r = Math.sqrt(1 + x);
  const lo = (x / (r + 1)) ** 2 / h2; // = (2 + x − 2√(1+x))/h2 without cancellation
  const hi = (2 + x + 2 * r) / h2;
  const A = Math.min(Math.max(A0, lo), hi);
  const S = 1 + x;
  // float32 lo: fl(2 + x) − 2·fl(√fl(1 + x)) is off by ≤ 5·2^-24·(1 + x) ≤ 2^-21·(2 + x) absolute.
  const dA = A0 <= lo ? (2 ** -21 * (2 + x)) / h2 : 0;
  return {
    M11: 1 / S,
    M12: (-dt * A) / S,
    M21: dt / S,
    M22: 1 - (dt * dt * A) / S,
    f1: dt / S,
    f2: (dt * dt) / S,
    dA,
    S,
  };
}

/** linax's damped IMEX2 (oscillatory projection, then `_mat_imex2`) in float64. */
function imex2_64(A0: number, G0: number, dt: number): Entries {
  const G = Math.min(Math.max(G0, 0), 1 / dt);
  const h2 = Math.max(dt * dt, 1e-6);
  const x = dt * G;
  const root = 2 * Math.sqrt(1 - x);
  const lo = (2 - x - root) / h2;
  const hi = (2 - x + root) / h2;
  const A = Math.min(Math.max(A0, lo), hi);
  // The lower end cancels in float32 as IMEX's does (terms of size 2 − x).
  const dA = A0 <= lo ? (2 ** -21 * 2) / h2 : 0;
  return { M11: 1 - x, M12: -dt * A, M21: dt * (1 - x), M22: 1 - dt * dt * A, f1: dt, f2: dt * dt, dA, S: 1 };
}

/** Checks the mixer's float32 transition against `ref` for each state. */
function checkTransition(
  m: ssm.LinOSSSequenceMixer,
  ref: (A0: number, G0: number, dt: number) => Entries,
  what: string,
): void {
  const t = m.transition();
  const got = {
    M11: vals(t.M11),
    M12: vals(t.M12),
    M21: vals(t.M21),
    M22: vals(t.M22),
    f1: vals(t.f1),
    f2: vals(t.f2),
  };
  const dt = vals(m.delta());
  const A0 = vals(m.A_diag);
  const G0 = vals(m.G_diag as Array);
  for (let p = 0; p < P; p++) {
    const want = ref(A0[p], G0[p], dt[p]);
    for (const k of ["M11", "M12", "M21", "M22", "f1", "f2"] as const) {
      const g = got[k][p];
      assert.ok(Number.isFinite(g), `${what} p=${p} ${k} = ${g} at Δ = ${dt[p]}`);
      // Entries linear in A carry A's error: M12 = −Δ/S·A, M22 = 1 − Δ²/S·A.
      const fromA = k === "M12" ? (dt[p] * want.dA) / want.S : k === "M22" ? (dt[p] * dt[p] * want.dA) / want.S : 0;
      // M22 = 1 − Δ²A/S is a difference of terms up to 1 + |Δ²A/S|.
      const size = k === "M22" ? 1 + Math.abs(1 - want.M22) : Math.abs(want[k]);
      // 1e-44: float32 underflow (Δ² = 7.7e-53 is 0 in float32; the smallest denormal is 1.4e-45).
      const tol = 2e-6 * size + fromA + 1e-44;
      assert.ok(
        Math.abs(g - want[k]) <= tol,
        `${what} p=${p} ${k} = ${g} vs float64 ${want[k]} (tol ${tol}) at Δ = ${dt[p]}`,
      );
    }
    // The clamp keeps the step stable: spectral radius ≤ 1 (float64 from the float32 entries).
    const [a, b, c, d] = [got.M11[p], got.M12[p], got.M21[p], got.M22[p]];
    const tr = a + d;
    const det = a * d - b * c;
    const disc = tr * tr - 4 * det;
    const rho =
      disc < 0 ? Math.sqrt(det) : Math.max(Math.abs(tr + Math.sqrt(disc)), Math.abs(tr - Math.sqrt(disc))) / 2;
    assert.ok(rho <= 1 + 1e-5, `${what} p=${p}: spectral radius ${rho} at Δ = ${dt[p]}`);
  }
}

function mixer(discretization: "IMEX" | "IMEX2", steps: number): ssm.LinOSSSequenceMixer {
  const built = new ssm.LinOSSSequenceMixerConfig({ stateDim: P, discretization, damping: true }).build(
    H,
    random.PRNGKey(5),
  );
  return nn.treeAt((mm: ssm.LinOSSSequenceMixer) => [mm.steps, mm.A_diag, mm.G_diag], built, [
    np.full([P], steps),
    np.array(A_DIAG),
    np.array(G_DIAG),
  ]);
}

for (const s of STEPS) {
  test(`damped IMEX at steps = ${s}: transition == linax's guarded float64 formulas, |λ| ≤ 1; forward finite`, () => {
    const m = mixer("IMEX", s);
    checkTransition(m, imex64, "damped IMEX");
    const y = m.call(np.multiply(random.normal(random.PRNGKey(1), [16, H]), 30));
    for (const v of vals(y)) assert.ok(Number.isFinite(v), `output ${v}`);
  });
  test(`damped IMEX2 at steps = ${s}: transition == linax's guarded float64 formulas, |λ| ≤ 1`, () => {
    checkTransition(mixer("IMEX2", s), imex2_64, "damped IMEX2");
  });
}

test("damped IMEX: the guard is active below Δ = 1e-3 (A_diag = 1e8 clamps to ≈ 4e6, not 4/Δ²) and off above", () => {
  // Δ = sigmoid(−18) ≈ 1.5e-8: unguarded, hi = 4/Δ² ≈ 1.7e16 would leave A = 1e8 and M12 = −ΔA ≈ −1.5.
  const small = mixer("IMEX", -18);
  const dt = vals(small.delta())[0];
  const m12 = vals(small.transition().M12)[1];
  const hiGuarded = (2 + 2 * dt + 2 * Math.sqrt(1 + 2 * dt)) / 1e-6;
  assert.ok(Math.abs(m12 - (-dt * hiGuarded) / (1 + 2 * dt)) <= 1e-6 * Math.abs(m12), `M12 = ${m12}`);
  assert.ok(Math.abs(m12) < 0.1, `M12 = ${m12}: clamped by the guarded bound`);
  // Δ = sigmoid(0) = 0.5: Δ² = 0.25 > 1e-6, the bound is the exact 4/Δ²-type end (G = 2: (3 + 2√2)/0.25).
  const mid = mixer("IMEX", 0);
  const hi = (3 + 2 * Math.SQRT2) / 0.25;
  assert.ok(Math.abs(vals(mid.transition().M12)[1] - (-0.5 * hi) / 2) <= 2e-6 * hi, "unguarded range");
});
