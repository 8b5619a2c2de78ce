/**
 * LRU: leaves, ring initialisation, parallel scan == float64 host loop == recurrent steps,
 * gradients (associative scan vs lax.scan vs host finite differences), jit/vmap, known answers.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { np, random, type Array } from "linax-ts";
import { replaceFields } from "@linax-ts/nn";
import { type LRUSequenceMixer, LRUSequenceMixerConfig } from "@linax-ts/ssm";
import {
  assertClose,
  centralDiff,
  cadd,
  cexp,
  cmul,
  cscale,
  cx,
  leafTable,
  nums,
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

interface HostLRU {
  N: number;
  H: number;
  nu: number[];
  theta: number[];
  Bre: number[];
  Bim: number[];
  Cre: number[];
  Cim: number[];
  D: number[];
  gamma: number[];
}

const hostParams = (m: LRUSequenceMixer): HostLRU => ({
  N: m.stateDim,
  H: m.inFeatures,
  nu: nums(m.nu_log),
  theta: nums(m.theta_log),
  Bre: nums(m.B_re),
  Bim: nums(m.B_im),
  Cre: nums(m.C_re),
  Cim: nums(m.C_im),
  D: nums(m.D),
  gamma: nums(m.gamma_log),
});

/** The LRU recurrence from its definition, sequentially, in float64. */
function hostLRU(p: HostLRU, u: number[][]): number[][] {
  const { N, H } = p;
  const lam = p.nu.map((nu, i) => cexp(cx(-Math.exp(nu), Math.exp(p.theta[i]))));
  let h: Cx[] = JsArray.from({ length: N }, () => cx(0));
  return u.map((ut) => {
    h = h.map((s, i) => {
      let bu = cx(0);
      for (let j = 0; j < H; j++) bu = cadd(bu, cscale(cx(p.Bre[i * H + j], p.Bim[i * H + j]), ut[j]));
      return cadd(cmul(lam[i], s), cscale(bu, Math.exp(p.gamma[i])));
    });
    return JsArray.from(
      { length: H },
      (_, o) => h.reduce((acc, s, i) => acc + cmul(cx(p.Cre[o * N + i], p.Cim[o * N + i]), s)[0], 0) + p.D[o] * ut[o],
    );
  });
}

const H = 3;

function mixers(): [string, LRUSequenceMixer][] {
  const ring = new LRUSequenceMixerConfig({ stateDim: 6, rMin: 0.5, rMax: 0.99, maxPhase: 3 }).build(
    H,
    random.PRNGKey(21),
  );
  const dflt = new LRUSequenceMixerConfig({ stateDim: 5 }).build(H, random.PRNGKey(22));
  // Phases exp(-60) ≈ 0 and real B, C: a real diagonal recurrence.
  const real = replaceFields(ring, {
    theta_log: np.full([6], -60),
    B_im: np.zerosLike(ring.B_im),
    C_im: np.zerosLike(ring.C_im),
  });
  return [
    ["complex path, ring r ∈ [0.5, 0.99]", ring],
    ["complex path, linax defaults", dflt],
    ["real path (phases 0)", real],
  ];
}

describe("LRU leaves and initialisation", () => {
  test("names, shapes and dtypes are linax's", () => {
    const m = new LRUSequenceMixerConfig({ stateDim: 4 }).build(3, random.PRNGKey(0));
    assert.deepEqual(leafTable(m), [
      ["nu_log", [4], "float32"],
      ["theta_log", [4], "float32"],
      ["B_re", [4, 3], "float32"],
      ["B_im", [4, 3], "float32"],
      ["C_re", [3, 4], "float32"],
      ["C_im", [3, 4], "float32"],
      ["D", [3], "float32"],
      ["gamma_log", [4], "float32"],
    ]);
    assert.throws(() => new LRUSequenceMixerConfig({ rMin: 0.9, rMax: 0.5 }), /rMin ≤ rMax/);
  });

  test("|λ| ∈ [rMin, rMax] with |λ|² uniform, phases in [0, maxPhase), γ = √(1-|λ|²), Glorot-scaled B, C", () => {
    const N = 1024;
    const Hs = 8;
    const [rMin, rMax, maxPhase] = [0.4, 0.95, 2.5];
    const m = new LRUSequenceMixerConfig({ stateDim: N, rMin, rMax, maxPhase }).build(Hs, random.PRNGKey(3));
    const mod = nums(m.nu_log).map((nu) => Math.exp(-Math.exp(nu)));
    const phase = nums(m.theta_log).map(Math.exp);
    assert.ok(
      mod.every((r) => r >= rMin - 1e-6 && r <= rMax + 1e-6),
      "moduli on the ring",
    );
    assert.ok(
      phase.every((t) => t >= 0 && t < maxPhase + 1e-5),
      "phases in [0, maxPhase)",
    );
    // Uniform |λ|² on [rMin², rMax²] and uniform phases: compare means within 5 standard errors.
    const mean = (xs: number[]) => xs.reduce((a, v) => a + v, 0) / xs.length;
    const w = rMax ** 2 - rMin ** 2;
    assert.ok(
      Math.abs(mean(mod.map((r) => r * r)) - (rMin ** 2 + rMax ** 2) / 2) < (5 * w) / Math.sqrt(12 * N),
      "E|λ|²",
    );
    assert.ok(Math.abs(mean(phase) - maxPhase / 2) < (5 * maxPhase) / Math.sqrt(12 * N), "E arg λ");
    assertClose(
      nums(m.gamma_log),
      mod.map((r) => Math.log(Math.sqrt(1 - r * r))),
      { atol: 1e-4, rtol: 1e-4, msg: "gamma_log" },
    );
    const rms = (xs: number[]) => Math.sqrt(mean(xs.map((v) => v * v)));
    assert.ok(Math.abs(rms(nums(m.B_re)) * Math.sqrt(2 * Hs) - 1) < 0.05, "B_re ~ N(0, 1/(2H))");
    assert.ok(Math.abs(rms(nums(m.B_im)) * Math.sqrt(2 * Hs) - 1) < 0.05, "B_im ~ N(0, 1/(2H))");
    assert.ok(Math.abs(rms(nums(m.C_re)) * Math.sqrt(N) - 1) < 0.05, "C_re ~ N(0, 1/N)");
  });
});

describe("LRU parallel == host float64 loop == recurrent", () => {
  for (const [name, m] of mixers()) {
    test(name, () => {
      const hp = hostParams(m);
      checkParallelHostRecurrent(m, (u) => hostLRU(hp, u), { H, seedBase: 2000, atol: 2e-5, rtol: 1e-4, stepMaxL: 64 });
    });
  }
});

describe("LRU gradients", () => {
  test("associative scan vs lax.scan forward vs host finite differences", () => {
    for (const [name, m] of mixers()) {
      const leaves = (t: LRUSequenceMixer) =>
        (["nu_log", "theta_log", "B_re", "B_im", "C_re", "C_im", "D", "gamma_log"] as const).map(
          (k): [string, Array] => [k, t[k]],
        );
      const { gp, host, w } = checkGradParallelVsRecurrent(m, name, { L: 41, H, seeds: [17, 18], leaves });
      const hp = hostParams(m);
      const loss = (p: HostLRU) => weightedSum(hostLRU(p, host), w.host);
      for (const k of ["nu", "theta", "gamma"] as const) {
        const edit = (e: number): HostLRU => ({ ...hp, [k]: hp[k].map((v, i) => (i === 2 ? v + e : v)) });
        const f = centralDiff((e) => loss(edit(e)));
        const g = nums(gp[`${k}_log`])[2];
        assert.ok(Math.abs(g - f) < 1e-3 * (1 + Math.abs(f)), `${name}: d${k}_log[2] ${g} vs FD ${f}`);
      }
    }
  });
});

describe("LRU transforms and known answers", () => {
  test("jit, vmap, batched step caches", () => {
    const m = new LRUSequenceMixerConfig({ stateDim: 6 }).build(H, random.PRNGKey(5));
    const B = 2;
    checkJitVmapBatched(m, {
      B,
      L: 23,
      H,
      inputKey: 6,
      jitRow: 0,
      checkCache: (cache) => {
        assert.deepEqual(cache.state.shape, [B, 6]);
        assert.equal(cache.state.dtype, "complex64");
      },
    });
  });

  test("SPEC-linax §12 (state_dim 4) and testdata/ssm lru_ring", () => {
    const m = new LRUSequenceMixerConfig({ stateDim: 4 }).build(4, random.split(random.PRNGKey(0), 8).get(1));
    assertClose(nums(m.nu_log).slice(0, 3), [-1.296925, -0.2801003, 0.1234359], { atol: 2e-6, rtol: 0 });
    assertClose(nums(m.theta_log).slice(0, 3), [-0.5613304, 0.8218334, 1.361923], { atol: 2e-6, rtol: 0 });
    assertClose(nums(m.D).slice(0, 3), [-1.542656, -0.8421149, -0.1923891], { atol: 2e-6, rtol: 0 });
    assertClose(nums(m.gamma_log).slice(0, 3), [-0.4323623, -0.1246138, -0.05494281], { atol: 2e-6, rtol: 0 });
    const x0 = np.subtract(np.divide(np.arange(15, { dtype: "float32" }).reshape([5, 3]), 10), 1);
    const u = np.stack([x0.get(":", 0), x0.get(":", 0), x0.get(":", 1), x0.get(":", 1)], 1);
    assertClose(nums(m.call(u).get(0)), [0.33914, 1.830259, 0.962398, 0.308084], { atol: 2e-6, rtol: 0 });

    const ka = knownAnswers();
    const c = ka.cases.lru_ring;
    const cfg = c.config;
    const k = new LRUSequenceMixerConfig({
      stateDim: cfg.state_dim as number,
      rMin: cfg.r_min as number,
      rMax: cfg.r_max as number,
      maxPhase: cfg.max_phase as number,
    }).build(ka.H, random.PRNGKey(ka.seed));
    for (const name of ["nu_log", "theta_log", "B_re", "B_im", "C_re", "C_im", "D", "gamma_log"] as const) {
      assertClose(nums(k[name]), c.params[name].data, { atol: 2e-6, rtol: 2e-6, msg: `lru_ring.${name}` });
    }
    assertClose(nums(k.call(knownInput())), c.y.data, { atol: 1e-5, rtol: 1e-4, msg: "lru_ring y" });
  });
});
