/**
 * Damped LinOSS with the IM, IMEX2 and EX discretisations (and undamped IMEX2), against an
 * independent host recurrence: each step solves the 2×2 linear system of the scheme's defining
 * equations (the oscillator `z′ = −A y − G z + B u`, `y′ = z` with each term taken at the new or
 * the old time) by Cramer's rule in float64 — not the closed-form matrices the library uses.
 * Also: the ring initialisation puts every step's eigenvalues on `rMin ≤ |λ| ≤ 1`,
 * `0 ≤ θ ≤ θmax`; the projection brings parameters outside the stable region back into it;
 * `callRecurrent` (the step form) equals `call`.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { type Array, grad, jit, np, random } from "linax-ts";
import * as nn from "@linax-ts/nn";
import { LinOSSSequenceMixerConfig, type LinOSSDiscretization, type LinOSSSequenceMixer } from "@linax-ts/ssm";
import { assertClose, nums, randomInput } from "./host-values.ts";

/** Which terms of each scheme are implicit: the `A y`, the `G z` in z's update; the `z` in y's update. */
const SCHEMES: Record<string, { Ay: boolean; Gz: boolean; zInY: boolean }> = {
  IM: { Ay: true, Gz: true, zInY: true },
  IMEX: { Ay: false, Gz: true, zInY: true },
  IMEX2: { Ay: false, Gz: false, zInY: true },
  EX: { Ay: false, Gz: false, zInY: false },
};

/**
 * One step per state p, in float64: unknowns (z', y') of
 *   z' − z = Δ(−A·(Ay ? y' : y) − G·(Gz ? z' : z) + b),   y' − y = Δ·(zInY ? z' : z)
 * i.e. [[1 + ΔG·[Gz], ΔA·[Ay]], [−Δ·[zInY], 1]] [z'; y'] = [z + Δ(b − A y·[!Ay] − G z·[!Gz]); y + Δ z·[!zInY]].
 */
function hostStep(
  s: { Ay: boolean; Gz: boolean; zInY: boolean },
  A: number,
  G: number,
  dt: number,
  z: number,
  y: number,
  b: number,
): [number, number] {
  const a11 = 1 + (s.Gz ? dt * G : 0);
  const a12 = s.Ay ? dt * A : 0;
  const a21 = s.zInY ? -dt : 0;
  const r1 = z + dt * (b - (s.Ay ? 0 : A * y) - (s.Gz ? 0 : G * z));
  const r2 = y + (s.zInY ? 0 : dt * z);
  const det = a11 - a12 * a21;
  return [(r1 - a12 * r2) / det, (a11 * r2 - a21 * r1) / det];
}

const sig = (v: number) => 1 / (1 + Math.exp(-v));

/** The host forward over `u: [L][H]` with the mixer's own raw parameters (inside the stable region). */
function hostForward(m: LinOSSSequenceMixer, u: number[][]): number[][] {
  const s = SCHEMES[m.discretization];
  const P = m.stateDim;
  const H = m.inFeatures;
  const A = nums(m.A_diag);
  const G = m.G_diag === null ? new globalThis.Array(P).fill(0) : nums(m.G_diag);
  const dt = nums(m.steps).map(sig);
  const B = nums(m.B); // [P, H, 2]
  const C = nums(m.C); // [H, P, 2]
  const D = nums(m.D);
  const z = Array2(P);
  const y = Array2(P);
  return u.map((ut) => {
    for (let p = 0; p < P; p++) {
      for (let c = 0; c < 2; c++) {
        let b = 0;
        for (let h = 0; h < H; h++) b += B[(p * H + h) * 2 + c] * ut[h];
        [z[p][c], y[p][c]] = hostStep(s, m.damping ? A[p] : Math.max(A[p], 0), G[p], dt[p], z[p][c], y[p][c], b);
      }
    }
    // Re(C y) + D u: Re((Cr + iCi)(yr + iyi)) = Cr yr − Ci yi.
    return ut.map((uh, h) => {
      let acc = D[h] * uh;
      for (let p = 0; p < P; p++) acc += C[(h * P + p) * 2] * y[p][0] - C[(h * P + p) * 2 + 1] * y[p][1];
      return acc;
    });
  });
}

function Array2(P: number): number[][] {
  return globalThis.Array.from({ length: P }, () => [0, 0]);
}

/** Eigenvalues of the 2×2 transition of each state: modulus² = det, 2|λ|cos θ = tr. */
function eig(m: LinOSSSequenceMixer): { r2: number[]; cos: number[]; disc: number[] } {
  const t = m.transition();
  const [a, b, c, d] = [nums(t.M11), nums(t.M12), nums(t.M21), nums(t.M22)];
  const det = a.map((_, i) => a[i] * d[i] - b[i] * c[i]);
  const tr = a.map((_, i) => a[i] + d[i]);
  return { r2: det, cos: tr.map((v, i) => v / (2 * Math.sqrt(det[i]))), disc: tr.map((v, i) => v * v - 4 * det[i]) };
}

const H = 3;
const P = 6;
const damped: LinOSSDiscretization[] = ["IM", "IMEX2", "EX"];

test("damped IM / IMEX2 / EX: call and callRecurrent equal the host's step-by-step solve of the scheme", () => {
  const { x, host } = randomInput(9, H, 31);
  const cases: [string, LinOSSSequenceMixer][] = [
    ...damped.map((d, i): [string, LinOSSSequenceMixer] => [
      `damped ${d}`,
      new LinOSSSequenceMixerConfig({ stateDim: P, discretization: d }).build(H, random.PRNGKey(40 + i)),
    ]),
    [
      "undamped IMEX2",
      new LinOSSSequenceMixerConfig({ stateDim: P, discretization: "IMEX2", damping: false }).build(
        H,
        random.PRNGKey(45),
      ),
    ],
    ["damped IMEX (linax)", new LinOSSSequenceMixerConfig({ stateDim: P }).build(H, random.PRNGKey(46))],
  ];
  for (const [name, m] of cases) {
    const want = hostForward(m, host).flat();
    assertClose(nums(m.call(x)), want, { atol: 2e-5, rtol: 2e-4, msg: name });
    const [yr] = m.callRecurrent(x.reshape([9, 1, H]));
    assertClose(nums(yr), want, { atol: 2e-5, rtol: 2e-4, msg: `${name} step` });
    assertClose(nums(jit((v: Array) => m.call(v))(x)), want, { atol: 2e-5, rtol: 2e-4, msg: `${name} jit` });
  }
});

test("ring initialisation: every step's eigenvalues are a complex pair with rMin² ≤ |λ|² ≤ 1 and phase ≤ θmax", () => {
  for (const d of damped) {
    for (const [rMin, thetaMax] of [
      [0.9, Math.PI],
      [0.5, Math.PI / 4],
    ]) {
      const m = new LinOSSSequenceMixerConfig({ stateDim: 64, discretization: d, rMin, thetaMax }).build(
        H,
        random.PRNGKey(7),
      );
      assert.ok(m.G_diag !== null);
      const { r2, cos, disc } = eig(m);
      for (let i = 0; i < 64; i++) {
        assert.ok(r2[i] >= rMin ** 2 - 1e-4 && r2[i] <= 1 + 1e-5, `${d}: |λ|² = ${r2[i]}`);
        assert.ok(Math.acos(Math.min(1, cos[i])) <= thetaMax + 1e-3, `${d}: θ = ${Math.acos(cos[i])}`);
        assert.ok(disc[i] <= 1e-4, `${d}: complex pair (discriminant ${disc[i]})`);
      }
      // The projection leaves the initial parameters where they are (they are inside the region).
      const t = m.transition();
      assert.ok(nums(t.M12).every(Number.isFinite));
    }
  }
});

test("projection: parameters far outside the stable region still give |λ| ≤ 1 (complex pairs) for every damped scheme", () => {
  for (const d of damped) {
    const m = new LinOSSSequenceMixerConfig({ stateDim: 5, discretization: d }).build(H, random.PRNGKey(3));
    const wild = nn.treeAt((mm: LinOSSSequenceMixer) => [mm.A_diag, mm.G_diag as Array], m, [
      np.array([-3, 0, 50, 400, 2]),
      np.array([-1, 9, 0.5, 30, 0]),
    ]);
    const { r2, disc } = eig(wild);
    for (let i = 0; i < 5; i++) {
      assert.ok(r2[i] <= 1 + 1e-5, `${d} state ${i}: |λ|² = ${r2[i]}`);
      assert.ok(disc[i] <= 1e-3 * Math.max(1, Math.abs(r2[i])), `${d} state ${i}: discriminant ${disc[i]}`);
    }
    // The output stays bounded on a long constant input.
    const y = nums(wild.call(np.ones([200, H])));
    assert.ok(
      y.every((v) => Number.isFinite(v) && Math.abs(v) < 1e4),
      d,
    );
  }
});

test("damped IM / IMEX2 / EX: leaves, options, gradients", () => {
  const names = (m: LinOSSSequenceMixer) =>
    ["A_diag", "G_diag", "B", "C", "D", "steps"].filter((k) => (m as unknown as Record<string, unknown>)[k] !== null);
  for (const d of damped) {
    const m = new LinOSSSequenceMixerConfig({ stateDim: 4, discretization: d }).build(H, random.PRNGKey(1));
    assert.deepEqual(names(m), ["A_diag", "G_diag", "B", "C", "D", "steps"]);
    const g = grad((A: Array) =>
      np.sum(np.square(nn.treeAt((mm: LinOSSSequenceMixer) => mm.A_diag, m, A).call(randomInput(5, H, 2).x))),
    )(m.A_diag) as Array;
    assert.ok(nums(g).every(Number.isFinite) && nums(g).some((v) => v !== 0), d);
  }
  assert.equal(
    new LinOSSSequenceMixerConfig({ stateDim: 4, discretization: "IMEX2", damping: false }).build(H, random.PRNGKey(1))
      .G_diag,
    null,
  );
  assert.throws(
    () => new LinOSSSequenceMixerConfig({ discretization: "IMEX4" as LinOSSDiscretization }),
    /must be one of IM, IMEX, IMEX2, EX/,
  );
  assert.throws(() => new LinOSSSequenceMixerConfig({ rMin: 0 }), /rMin must be in \(0, 1\]/);
});

test('initialization "AG": A ~ U[0, aMax), G ~ U[0, gMax) for every damped scheme; the projected step is stable and step == call', () => {
  for (const d of ["IMEX", ...damped] as LinOSSDiscretization[]) {
    const m = new LinOSSSequenceMixerConfig({
      stateDim: 32,
      discretization: d,
      initialization: "AG",
      aMax: 2,
      gMax: 0.5,
    }).build(H, random.PRNGKey(12));
    const A = nums(m.A_diag);
    const G = nums(m.G_diag as Array);
    assert.ok(A.every((v) => v >= 0 && v < 2) && G.every((v) => v >= 0 && v < 0.5), d);
    assert.ok(Math.max(...A) > 1, `${d}: A spans [0, 2)`);
    const { r2 } = eig(m);
    assert.ok(
      r2.every((v) => v <= 1 + 1e-5),
      `${d}: |λ|² ≤ 1`,
    );
    const { x } = randomInput(6, H, 13);
    assertClose(nums(m.callRecurrent(x.reshape([6, 1, H]))[0]), nums(m.call(x)), { atol: 2e-5, rtol: 1e-4, msg: d });
  }
  assert.throws(
    () => new LinOSSSequenceMixerConfig({ initialization: "XY" as "AG" }),
    /initialization must be "RT" or "AG"/,
  );
});
