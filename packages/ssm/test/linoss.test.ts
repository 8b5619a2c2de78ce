/**
 * LinOSS: leaves, initialisation (damped: eigenvalues of the IMEX transition on the ring with the
 * sampled phases), parallel scan == float64 host loop solving the implicit equations == recurrent
 * steps, gradients, jit/vmap, known answers.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { np, random, type Array } from "linax-ts";
import { replaceFields } from "@linax-ts/nn";
import { type LinOSSSequenceMixer, LinOSSSequenceMixerConfig, type LinOSSSequenceMixerOptions } from "@linax-ts/ssm";
import {
  assertClose,
  centralDiff,
  cadd,
  cmul,
  complexList,
  cscale,
  csub,
  cx,
  leafTable,
  maxAbs,
  nums,
  randomInput,
  weightedSum,
  type Cx,
} from "./host-values.ts";
import {
  checkGradParallelVsRecurrent,
  checkJitVmapBatched,
  checkParallelHostRecurrent,
  knownAnswers,
  knownInput,
} from "./mixer-equivalence.ts";

const JsArray = globalThis.Array;

interface HostLinOSS {
  P: number;
  H: number;
  A: number[];
  G: number[] | null;
  steps: number[];
  B: Cx[]; // [P, H]
  C: Cx[]; // [H, P]
  D: number[];
  discretization: string;
}

const hostParams = (m: LinOSSSequenceMixer): HostLinOSS => ({
  P: m.stateDim,
  H: m.inFeatures,
  A: nums(m.A_diag),
  G: m.G_diag === null ? null : nums(m.G_diag),
  steps: nums(m.steps),
  B: complexList(m.B),
  C: complexList(m.C),
  D: nums(m.D),
  discretization: m.discretization,
});

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
const relu = (v: number) => Math.max(v, 0);

/**
 * `y″ = -Ay - Gy′ + Bu` with `z = y′`, one step at a time, each scheme written as its defining
 * implicit equations and solved for the new state (float64):
 *   IM:          z⁺ = z + Δ(-A y⁺ + Bu),           y⁺ = y + Δ z⁺
 *   IMEX:        z⁺ = z + Δ(-A y + Bu),            y⁺ = y + Δ z⁺
 *   damped IMEX: z⁺ = z + Δ(-A y - G z⁺ + Bu),     y⁺ = y + Δ z⁺, A clamped to [lo, hi]
 */
function hostLinOSS(p: HostLinOSS, u: number[][]): number[][] {
  const { P, H } = p;
  let z: Cx[] = JsArray.from({ length: P }, () => cx(0));
  let y: Cx[] = JsArray.from({ length: P }, () => cx(0));
  return u.map((ut) => {
    const nz: Cx[] = [];
    const ny: Cx[] = [];
    for (let i = 0; i < P; i++) {
      const dt = sigmoid(p.steps[i]);
      let bu = cx(0);
      for (let h = 0; h < H; h++) bu = cadd(bu, cscale(p.B[i * H + h], ut[h]));
      if (p.discretization === "IM") {
        const A = relu(p.A[i]);
        // y⁺ (1 + Δ²A) = y + Δz + Δ²Bu
        const yn = cscale(cadd(cadd(y[i], cscale(z[i], dt)), cscale(bu, dt * dt)), 1 / (1 + dt * dt * A));
        ny.push(yn);
        nz.push(cadd(z[i], cscale(csub(bu, cscale(yn, A)), dt)));
      } else if (p.G === null) {
        const A = relu(p.A[i]);
        const zn = cadd(z[i], cscale(csub(bu, cscale(y[i], A)), dt));
        nz.push(zn);
        ny.push(cadd(y[i], cscale(zn, dt)));
      } else {
        const G = relu(p.G[i]);
        const root = 2 * Math.sqrt(1 + dt * G);
        const lo = (2 + dt * G - root) / (dt * dt);
        const hi = (2 + dt * G + root) / (dt * dt);
        const A = Math.min(Math.max(p.A[i], lo), hi);
        const zn = cscale(cadd(z[i], cscale(csub(bu, cscale(y[i], A)), dt)), 1 / (1 + dt * G));
        nz.push(zn);
        ny.push(cadd(y[i], cscale(zn, dt)));
      }
    }
    z = nz;
    y = ny;
    return JsArray.from(
      { length: H },
      (_, h) => y.reduce((acc, s, i) => acc + cmul(p.C[h * P + i], s)[0], 0) + p.D[h] * ut[h],
    );
  });
}

const H = 3;
const CONFIGS: [string, LinOSSSequenceMixerOptions][] = [
  ["damped IMEX", { stateDim: 5 }],
  ["IM", { stateDim: 5, discretization: "IM", damping: false }],
  ["IMEX", { stateDim: 4, discretization: "IMEX", damping: false }],
];

function mixers(): [string, LinOSSSequenceMixer][] {
  const out = CONFIGS.map(([n, o], i): [string, LinOSSSequenceMixer] => [
    n,
    new LinOSSSequenceMixerConfig(o).build(H, random.PRNGKey(40 + i)),
  ]);
  // Real B: real states (the transition is real; the complex path comes from complex B).
  const d = out[0][1];
  const realB = np.stack([d.B.get("...", 0), np.zerosLike(d.B.get("...", 0))], { axis: -1 });
  return [...out, ["damped IMEX, real path (Im B = 0)", replaceFields(d, { B: realB })]];
}

/**
 * A outside [lo, hi] exercises the clamp of the damped scheme. A clamped value sits on the
 * boundary, where the 2×2 transition has a repeated eigenvalue (a Jordan block): float32 rounding
 * of its entries moves the eigenvalues by O(√eps), so float32 and float64 drift apart ∝ √eps·L —
 * compared on short sequences with a looser tolerance.
 */
function clampedMixer(): LinOSSSequenceMixer {
  const d = new LinOSSSequenceMixerConfig({ stateDim: 5 }).build(H, random.PRNGKey(40));
  return replaceFields(d, { A_diag: np.array([-1, 0.5, 5, 80, 1e3]) });
}

describe("LinOSS leaves and initialisation", () => {
  test("names, shapes; G_diag only when damped; undamped EX is rejected", () => {
    const damped = new LinOSSSequenceMixerConfig({ stateDim: 4 }).build(3, random.PRNGKey(0));
    assert.deepEqual(leafTable(damped), [
      ["A_diag", [4], "float32"],
      ["G_diag", [4], "float32"],
      ["B", [4, 3, 2], "float32"],
      ["C", [3, 4, 2], "float32"],
      ["D", [3], "float32"],
      ["steps", [4], "float32"],
    ]);
    const im = new LinOSSSequenceMixerConfig({ stateDim: 4, discretization: "IM", damping: false }).build(
      3,
      random.PRNGKey(0),
    );
    assert.deepEqual(
      leafTable(im).map(([p]) => p),
      ["A_diag", "B", "C", "D", "steps"],
    );
    // Damped IM exists since part 2 (linoss-discretizations.test.ts); undamped EX is refused.
    assert.throws(
      () => new LinOSSSequenceMixerConfig({ discretization: "EX", damping: false }),
      /EX.*unstable without damping/,
    );
  });

  test("damped: transition eigenvalues have |λ|² uniform on [rMin², 1] and phases uniform on [0, θmax)", () => {
    const P = 1024;
    const [rMin, thetaMax] = [0.7, 2.5];
    const m = new LinOSSSequenceMixerConfig({ stateDim: P, rMin, thetaMax }).build(2, random.PRNGKey(8));
    const A = nums(m.A_diag);
    const G = nums(m.G_diag as Array);
    const steps = nums(m.steps);
    const mod2: number[] = [];
    const phase: number[] = [];
    for (let i = 0; i < P; i++) {
      const dt = sigmoid(steps[i]);
      const S = 1 + dt * G[i];
      const lo = (2 + dt * G[i] - 2 * Math.sqrt(S)) / (dt * dt);
      const hi = (2 + dt * G[i] + 2 * Math.sqrt(S)) / (dt * dt);
      assert.ok(
        A[i] >= lo * (1 - 1e-4) - 1e-4 && A[i] <= hi * (1 + 1e-4),
        `A[${i}] inside the oscillatory range (no clamping at init)`,
      );
      // M = [[1/S, -ΔA/S], [Δ/S, 1 - Δ²A/S]]: det = 1/S, trace = 1/S + 1 - Δ²A/S.
      const det = 1 / S;
      const tr = 1 / S + 1 - (dt * dt * A[i]) / S;
      mod2.push(det);
      phase.push(Math.acos(Math.max(-1, Math.min(1, tr / (2 * Math.sqrt(det))))));
    }
    assert.ok(
      mod2.every((v) => v >= rMin ** 2 - 1e-5 && v <= 1 + 1e-6),
      "|λ|² ∈ [rMin², 1]",
    );
    assert.ok(
      phase.every((v) => v <= thetaMax + 1e-3),
      "arg λ ∈ [0, θmax)",
    );
    const mean = (xs: number[]) => xs.reduce((a, v) => a + v, 0) / xs.length;
    assert.ok(
      Math.abs(mean(mod2) - (rMin ** 2 + 1) / 2) < (5 * (1 - rMin ** 2)) / Math.sqrt(12 * P),
      `E|λ|² = ${mean(mod2)}`,
    );
    assert.ok(Math.abs(mean(phase) - thetaMax / 2) < (5 * thetaMax) / Math.sqrt(12 * P), `E arg λ = ${mean(phase)}`);
  });

  test("undamped: A ~ U[0, 1), steps ~ N(0, ¼), B, C uniform within ±1/√fan", () => {
    const [P, Hs] = [512, 16];
    const m = new LinOSSSequenceMixerConfig({ stateDim: P, discretization: "IMEX", damping: false }).build(
      Hs,
      random.PRNGKey(9),
    );
    const A = nums(m.A_diag);
    assert.ok(
      A.every((v) => v >= 0 && v < 1),
      "A ∈ [0, 1)",
    );
    const st = nums(m.steps);
    const sd = Math.sqrt(st.reduce((a, v) => a + v * v, 0) / P);
    assert.ok(Math.abs(sd - 0.5) < 0.05, `std(steps) = ${sd}`);
    const b = nums(m.B);
    const c = nums(m.C);
    assert.ok(
      b.every((v) => Math.abs(v) <= 1 / Math.sqrt(Hs) + 1e-6) && Math.max(...b.map(Math.abs)) > 0.9 / Math.sqrt(Hs),
      "B ∈ ±1/√H",
    );
    assert.ok(
      c.every((v) => Math.abs(v) <= 1 / Math.sqrt(P) + 1e-6) && Math.max(...c.map(Math.abs)) > 0.9 / Math.sqrt(P),
      "C ∈ ±1/√P",
    );
  });
});

describe("LinOSS parallel == host float64 loop == recurrent", () => {
  for (const [name, m] of mixers()) {
    test(name, () => {
      const hp = hostParams(m);
      checkParallelHostRecurrent(m, (u) => hostLinOSS(hp, u), {
        H,
        seedBase: 3000,
        atol: 5e-5,
        rtol: 2e-4,
        stepMaxL: 31,
      });
    });
  }
});

describe("LinOSS clamp of A (damped IMEX)", () => {
  test("parallel == host loop == recurrent with A outside [lo, hi]", () => {
    const m = clampedMixer();
    const hp = hostParams(m);
    for (const L of [1, 7, 31]) {
      const { host, x } = randomInput(L, H, 3500 + L);
      const want = hostLinOSS(hp, host).flat();
      const tol = { atol: 2e-3 * (1 + maxAbs(want)), rtol: 2e-3 };
      assertClose(nums(m.call(x)), want, { ...tol, msg: `call, L=${L}` });
      assertClose(nums(m.callRecurrent(x)[0]), want, { ...tol, msg: `callRecurrent, L=${L}` });
    }
  });
});

describe("LinOSS gradients", () => {
  test("associative scan vs lax.scan forward vs host finite differences", () => {
    for (const [name, m] of mixers()) {
      const leaves = (t: LinOSSSequenceMixer) =>
        (["A_diag", "G_diag", "B", "C", "D", "steps"] as const).map((k): [string, Array | null] => [k, t[k]]);
      const { gp, host, w } = checkGradParallelVsRecurrent(m, name, { L: 29, H, seeds: [27, 28], leaves });
      const hp = hostParams(m);
      const loss = (p: HostLinOSS) => weightedSum(hostLinOSS(p, host), w.host);
      for (const k of ["A", "steps"] as const) {
        const edit = (e: number): HostLinOSS => ({ ...hp, [k]: hp[k].map((v, i) => (i === 1 ? v + e : v)) });
        const f = centralDiff((e) => loss(edit(e)));
        const g = nums(k === "A" ? gp.A_diag : gp.steps)[1];
        assert.ok(Math.abs(g - f) < 2e-3 * (1 + Math.abs(f)), `${name}: d${k}[1] ${g} vs FD ${f}`);
      }
    }
  });
});

describe("LinOSS transforms and known answers", () => {
  test("jit, vmap, batched step caches", () => {
    const m = new LinOSSSequenceMixerConfig({ stateDim: 4 }).build(H, random.PRNGKey(5));
    const B = 2;
    checkJitVmapBatched(m, {
      B,
      L: 17,
      H,
      inputKey: 6,
      jitRow: 1,
      checkCache: (cache) =>
        assert.deepEqual(
          [cache.z.shape, cache.y.shape],
          [
            [B, 4],
            [B, 4],
          ],
        ),
    });
  });

  test("SPEC-linax §12 (state_dim 4) and testdata/ssm linoss cases", () => {
    const key = random.split(random.PRNGKey(0), 8).get(1);
    const m = new LinOSSSequenceMixerConfig({ stateDim: 4 }).build(4, key);
    assertClose(nums(m.A_diag).slice(0, 3), [7.803468, 2.742568, 0.2336036], { atol: 0, rtol: 1e-6 });
    assertClose(nums(m.G_diag as Array).slice(0, 3), [0.3518863, 0.3240464, 0.1121739], { atol: 0, rtol: 1e-6 });
    assertClose(nums(m.B).slice(0, 3), [0.2516383, 0.2901324, -0.3224283], { atol: 1e-7, rtol: 0 });
    assertClose(nums(m.C).slice(0, 3), [0.4516308, 0.1008514, 0.01154852], { atol: 1e-7, rtol: 0 });
    assertClose(nums(m.D).slice(0, 3), [0.699488, -1.02518, 0.488386], { atol: 1e-6, rtol: 0 });
    assertClose(nums(m.steps).slice(0, 3), [0.3780653, -0.3001304, 0.8027825], { atol: 1e-7, rtol: 0 });
    const x0 = np.subtract(np.divide(np.arange(15, { dtype: "float32" }).reshape([5, 3]), 10), 1);
    const u = np.stack([x0.get(":", 0), x0.get(":", 0), x0.get(":", 1), x0.get(":", 1)], 1);
    assertClose(nums(m.call(u).get(0)), [-0.892132, 0.981757, -0.473314, 0.224515], { atol: 2e-6, rtol: 0 });
    const im = new LinOSSSequenceMixerConfig({ stateDim: 4, discretization: "IM", damping: false }).build(4, key);
    assertClose(nums(im.A_diag).slice(0, 3), [0.5788324, 0.2205974, 0.1040634], { atol: 1e-7, rtol: 0 });

    const ka = knownAnswers();
    const x = knownInput();
    for (const name of ["linoss_damped_imex", "linoss_im", "linoss_imex"]) {
      const c = ka.cases[name];
      const cfg = c.config;
      const k = new LinOSSSequenceMixerConfig({
        stateDim: cfg.state_dim as number,
        discretization: (cfg.discretization as "IM") ?? "IMEX",
        damping: (cfg.damping as boolean) ?? true,
      }).build(ka.H, random.PRNGKey(ka.seed));
      for (const leaf of Object.keys(c.params) as ("A_diag" | "G_diag" | "B" | "C" | "D" | "steps")[]) {
        assertClose(nums(k[leaf] as Array), c.params[leaf].data, { atol: 1e-6, rtol: 2e-6, msg: `${name}.${leaf}` });
      }
      assertClose(nums(k.call(x)), c.y.data, { atol: 1e-5, rtol: 1e-4, msg: `${name} y` });
    }
  });
});
