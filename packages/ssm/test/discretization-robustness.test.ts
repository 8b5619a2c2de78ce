/**
 * SSM discretisations at extreme steps (Δ = 1e-7 and Δ = 1e3): every discretised quantity and
 * every output stays finite, and S5's zero-order hold keeps its accuracy for tiny steps, where
 * exp(ΛΔ) − 1 cancels in float32 (it was 19% off at Δ = 1e-7 before expm1). The exact values are
 * computed here in float64 from the mixer's own Λ and Δ.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { np, random, type Array } from "linax-ts";
import * as ssm from "@linax-ts/ssm";

const finite = (a: Array, what: string): void => {
  const d = a.dataSync();
  for (let i = 0; i < d.length; i++) assert.ok(Number.isFinite(d[i]), `${what}[${i}] = ${d[i]}`);
};

/** (e^z − 1)/λ for complex z = λΔ, in float64: Δ·Σ (λΔ)^k/(k+1)! for small |z|, else direct. */
function zohScale(lr: number, li: number, dt: number): [number, number] {
  const zr = lr * dt;
  const zi = li * dt;
  if (Math.hypot(zr, zi) < 1e-3) {
    // Σ_{k≥0} z^k/(k+1)! · Δ, to 6 terms (|z| < 1e-3: error < 1e-21 relative).
    let tr = 1;
    let ti = 0;
    let sr = 0;
    let si = 0;
    for (let k = 0; k < 6; k++) {
      sr += tr;
      si += ti;
      const nr = (tr * zr - ti * zi) / (k + 2);
      const ni = (tr * zi + ti * zr) / (k + 2);
      tr = nr;
      ti = ni;
    }
    return [sr * dt, si * dt];
  }
  const er = Math.exp(zr) * Math.cos(zi) - 1;
  const ei = Math.exp(zr) * Math.sin(zi);
  const den = lr * lr + li * li;
  return [(er * lr + ei * li) / den, (ei * lr - er * li) / den];
}

for (const dt of [1e-7, 1e3]) {
  for (const discretization of ["zoh", "bilinear"] as const) {
    test(`S5 ${discretization} at Δ = ${dt}: finite, and (zoh) B̄ = (e^{ΛΔ} − 1)/Λ · B̃ to float32 accuracy`, () => {
      const m = new ssm.S5SequenceMixerConfig({
        stateDim: 8,
        dtMin: dt,
        dtMax: dt,
        discretization,
        conjSym: false,
      }).build(3, random.PRNGKey(4));
      const { lambdaBar, BBar } = m.discretize();
      finite(lambdaBar, "Λ̄");
      finite(BBar, "B̄");
      // Stable eigenvalues (Re Λ ≤ −1e-4) keep |Λ̄| ≤ 1 at any step.
      const lb = lambdaBar.dataSync();
      for (let p = 0; p < lb.length / 2; p++) assert.ok(Math.hypot(lb[2 * p], lb[2 * p + 1]) <= 1 + 1e-6);
      finite(m.call(np.multiply(np.ones([6, 3]), 100)), "output");
      if (discretization !== "zoh") return;
      const lam = m.lambda().dataSync();
      const delta = np.exp(m.log_step.get(":", 0)).dataSync();
      const B = m.B.dataSync(); // [P, H, 2] pairs
      const bb = BBar.dataSync();
      const H = 3;
      for (let p = 0; p < lam.length / 2; p++) {
        const [sr, si] = zohScale(lam[2 * p], lam[2 * p + 1], delta[p]);
        for (let h = 0; h < H; h++) {
          const [br, bi] = [B[2 * (p * H + h)], B[2 * (p * H + h) + 1]];
          const want = [sr * br - si * bi, sr * bi + si * br];
          const got = [bb[2 * (p * H + h)], bb[2 * (p * H + h) + 1]];
          const mag = Math.hypot(sr, si) * Math.hypot(br, bi);
          for (const k of [0, 1])
            assert.ok(Math.abs(got[k] - want[k]) <= 1e-5 * mag + 1e-30, `p=${p} h=${h}: ${got[k]} vs ${want[k]}`);
        }
      }
    });
  }
}

for (const [dtMin, dtMax] of [
  [1e-7, 1e-7],
  [100, 100],
]) {
  test(`S4D and Mamba at steps ${dtMin}: outputs finite`, () => {
    const s4d = new ssm.S4DSequenceMixerConfig({ stateDim: 4, dtMin, dtMax }).build(2, random.PRNGKey(1));
    finite(s4d.call(np.multiply(np.ones([5, 2]), 100)), "S4D output");
    const mamba = new ssm.MambaConfig({ dState: 4, dtMin, dtMax, dtInitFloor: Math.min(1e-4, dtMin) }).build(
      4,
      random.PRNGKey(2),
    );
    finite(mamba.call(np.multiply(np.ones([5, 4]), 10)), "Mamba output");
  });
}
