/**
 * S5: leaves, HiPPO-N initialisation, parallel scan == float64 host loop == recurrent steps,
 * gradients (associative scan vs lax.scan vs host finite differences), jit/vmap, JAX known answers.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { grad, jit, np, random, type Array } from "linax-ts";
import { replaceFields } from "@linax-ts/nn";
import {
  type S5SequenceMixer,
  S5SequenceMixerConfig,
  makeDplrHippo,
  type S5Cache,
  type S5SequenceMixerOptions,
} from "@linax-ts/ssm";
import {
  assertClose,
  centralDiff,
  cabs,
  cadd,
  cdiv,
  cexp,
  cmul,
  complexList,
  cscale,
  csub,
  cx,
  leafTable,
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

/** The parameters as float64 host numbers (what the reference loop reads). */
interface HostS5 {
  P: number;
  H: number;
  lre: number[];
  lim: number[];
  B: Cx[]; // [P, H]
  C: Cx[]; // [H, P]
  D: number[];
  logStep: number[];
  conjSym: boolean;
  clipEigs: boolean;
  discretization: string;
  stepRescale: number;
}

const hostParams = (m: S5SequenceMixer): HostS5 => ({
  P: m.P,
  H: m.inFeatures,
  lre: nums(m.Lambda_re),
  lim: nums(m.Lambda_im),
  B: complexList(m.B),
  C: complexList(m.C),
  D: nums(m.D),
  logStep: nums(m.log_step),
  conjSym: m.conjSym,
  clipEigs: m.clipEigs,
  discretization: m.discretization,
  stepRescale: m.stepRescale,
});

/** S5 written from the paper's definition, sequentially, in float64. */
function hostS5(p: HostS5, u: number[][]): number[][] {
  const { P, H } = p;
  const lamBar: Cx[] = [];
  const Bbar: Cx[][] = [];
  for (let i = 0; i < P; i++) {
    const lam = cx(p.clipEigs ? Math.min(p.lre[i], -1e-4) : p.lre[i], p.lim[i]);
    const dt = p.stepRescale * Math.exp(p.logStep[i]);
    let lb: Cx;
    let gain: Cx;
    if (p.discretization === "zoh") {
      lb = cexp(cscale(lam, dt));
      gain = cdiv(csub(lb, cx(1)), lam);
    } else {
      const bl = cdiv(cx(1), csub(cx(1), cscale(lam, dt / 2)));
      lb = cmul(bl, cadd(cx(1), cscale(lam, dt / 2)));
      gain = cscale(bl, dt);
    }
    lamBar.push(lb);
    Bbar.push(JsArray.from({ length: H }, (_, h) => cmul(gain, p.B[i * H + h])));
  }
  let state: Cx[] = JsArray.from({ length: P }, () => cx(0));
  return u.map((ut) => {
    state = state.map((s, i) => ut.reduce((acc, uh, h) => cadd(acc, cscale(Bbar[i][h], uh)), cmul(lamBar[i], s)));
    return JsArray.from({ length: H }, (_, h) => {
      const re = state.reduce((acc, s, i) => acc + cmul(p.C[h * P + i], s)[0], 0);
      return (p.conjSym ? 2 : 1) * re + p.D[h] * ut[h];
    });
  });
}

const H = 3;
const CONFIGS: [string, S5SequenceMixerOptions][] = [
  ["zoh, conjugate symmetry (complex path)", { stateDim: 8 }],
  [
    "bilinear, 2 blocks, no conjugate symmetry, trunc_standard_normal C",
    {
      stateDim: 8,
      ssmBlocks: 2,
      conjSym: false,
      discretization: "bilinear",
      CInit: "trunc_standard_normal",
      stepRescale: 0.7,
    },
  ],
];

/** A mixer whose state is real: Im Λ = Im B = Im C = 0, distinct negative real eigenvalues. */
function realPathMixer(): S5SequenceMixer {
  const m = new S5SequenceMixerConfig({ stateDim: 6, conjSym: false }).build(H, random.PRNGKey(11));
  const zeroIm = (a: Array) => np.stack([a.get("...", 0), np.zerosLike(a.get("...", 0))], { axis: -1 });
  return replaceFields(m, {
    Lambda_re: np.array([-0.05, -0.2, -0.5, -1, -2, -4]),
    Lambda_im: np.zeros([6]),
    B: zeroIm(m.B),
    C: zeroIm(m.C),
  });
}

function mixers(): [string, S5SequenceMixer][] {
  return [
    ...CONFIGS.map(([n, o], i): [string, S5SequenceMixer] => [
      n,
      new S5SequenceMixerConfig(o).build(H, random.PRNGKey(100 + i)),
    ]),
    ["real path (Im Λ = 0)", realPathMixer()],
  ];
}

describe("S5 leaves", () => {
  test("names, shapes and dtypes are linax's", () => {
    const m = new S5SequenceMixerConfig({ stateDim: 8 }).build(4, random.PRNGKey(0));
    assert.deepEqual(leafTable(m), [
      ["Lambda_re", [4], "float32"],
      ["Lambda_im", [4], "float32"],
      ["B", [4, 4, 2], "float32"],
      ["C", [4, 4, 2], "float32"],
      ["D", [4], "float32"],
      ["log_step", [4, 1], "float32"],
    ]);
    const full = new S5SequenceMixerConfig({ stateDim: 6, conjSym: false, ssmBlocks: 3 }).build(5, random.PRNGKey(0));
    assert.deepEqual(
      leafTable(full).map(([p, s]) => [p, s]),
      [
        ["Lambda_re", [6]],
        ["Lambda_im", [6]],
        ["B", [6, 5, 2]],
        ["C", [5, 6, 2]],
        ["D", [5]],
        ["log_step", [6, 1]],
      ],
    );
    assert.equal(full.P, 6);
    // complex_normal: the S5 reference's (H, P, 2), not linax's unusable (H, 2P, 2) (SPEC §14.1).
    const cn = new S5SequenceMixerConfig({ stateDim: 8, CInit: "complex_normal" }).build(3, random.PRNGKey(0));
    assert.deepEqual(cn.C.shape, [3, 4, 2]);
    assert.deepEqual(cn.call(np.ones([4, 3])).shape, [4, 3]);
  });

  test("configuration errors are clear", () => {
    assert.throws(
      () => new S5SequenceMixerConfig({ stateDim: 8, ssmBlocks: 3 }),
      /ssmBlocks \(3\) must divide stateDim \(8\)/,
    );
    assert.throws(() => new S5SequenceMixerConfig({ stateDim: 6, ssmBlocks: 2 }), /block size .* must be even/);
    assert.throws(() => new S5SequenceMixerConfig({ discretization: "euler" as "zoh" }), /discretization/);
    const m = new S5SequenceMixerConfig({ stateDim: 4 }).build(3, random.PRNGKey(0));
    assert.throws(() => m.call(np.zeros([5, 4])), /expected one sequence of shape \[L, 3\]/);
    assert.throws(() => m.step(np.zeros([2, 3]), m.initCache()), /expected xt of shape \[3\]/);
  });
});

describe("S5 initialisation", () => {
  test("HiPPO-N: eigenpairs of S = A + PPᵀ built from the definition in float64", () => {
    const n = 8;
    const { Lambda, V } = makeDplrHippo(n);
    const lam = complexList(Lambda);
    const v = complexList(V); // [n, n], columns are eigenvectors
    const S = (i: number, k: number) =>
      -(i > k ? Math.sqrt(2 * i + 1) * Math.sqrt(2 * k + 1) : i === k ? i + 1 : 0) +
      Math.sqrt(i + 0.5) * Math.sqrt(k + 0.5);
    for (let i = 0; i < n; i++) {
      assert.ok(
        Math.abs(S(i, i) + 0.5) < 1e-12 && Math.abs(S(i, (i + 1) % n) + S((i + 1) % n, i)) < 1e-12,
        "S = -½I + skew",
      );
      assert.ok(Math.abs(lam[i][0] + 0.5) < 1e-6, `Re λ_${i} = ${lam[i][0]} ≈ -½`);
    }
    const im = lam.map((l) => l[1]);
    assertClose(im, [-19.857416, -5.354209, -1.957794, -0.427488, 0.427488, 1.957794, 5.354209, 19.857416], {
      atol: 2e-5,
      rtol: 2e-6,
      msg: "Im λ (SPEC §8.1)",
    });
    for (let j = 0; j < n; j++) {
      const col = JsArray.from({ length: n }, (_, i) => v[i * n + j]);
      const norm = Math.sqrt(col.reduce((a, c) => a + cabs(c) ** 2, 0));
      assert.ok(Math.abs(norm - 1) < 1e-5, "unit eigenvectors");
      for (let i = 0; i < n; i++) {
        const sv = col.reduce((acc, c, k) => cadd(acc, cscale(c, S(i, k))), cx(0));
        const lv = cmul(lam[j], col[i]);
        assert.ok(cabs(csub(sv, lv)) < 2e-5 * (1 + cabs(lam[j])), `S v_${j} = λ_${j} v_${j} (row ${i})`);
      }
    }
  });

  test("Λ, log_step, B̃ = V⁻¹B and C̃ = CV statistics follow from the definitions", () => {
    const stateDim = 32;
    const Hs = 48;
    const m = new S5SequenceMixerConfig({ stateDim, ssmBlocks: 2, dtMin: 0.01, dtMax: 0.2 }).build(
      Hs,
      random.PRNGKey(5),
    );
    const half = complexList(makeDplrHippo(16).Lambda).slice(0, 8);
    assertClose(nums(m.Lambda_re), JsArray(16).fill(half[0][0]), { atol: 0, rtol: 0, msg: "Re Λ = mean(diag S)" });
    assertClose(
      nums(m.Lambda_im),
      [...half, ...half].map((l) => l[1]),
      { atol: 0, rtol: 0, msg: "Im Λ: negative half, tiled over blocks" },
    );
    const ls = nums(m.log_step);
    assert.ok(
      ls.every((v) => v >= Math.log(0.01) - 1e-6 && v < Math.log(0.2) + 1e-6),
      "log_step ∈ [log dtMin, log dtMax)",
    );
    // Vᴴ has orthonormal rows, so E|B̃|² = Var(B0) = 1/fan_in = 1/stateDim; C̃ = C0 V: E|C̃|² = 2/(stateDim·H).
    const meanSq = (xs: number[]) => xs.reduce((a, v) => a + v * v, 0) / (xs.length / 2);
    const bMs = meanSq(nums(m.B)) * stateDim;
    const cMs = (meanSq(nums(m.C)) * stateDim * Hs) / 2;
    assert.ok(Math.abs(bMs - 1) < 0.15, `E|B̃|²·stateDim = ${bMs}`);
    assert.ok(Math.abs(cMs - 1) < 0.15, `E|C̃|²·stateDim·H/2 = ${cMs}`);
    const d = nums(m.D);
    assert.ok(
      Math.abs(d.reduce((a, v) => a + v, 0) / Hs) < 0.5 && Math.abs(meanSq(d.flatMap((v) => [v, 0])) - 1) < 0.5,
      "D ~ N(0, 1)",
    );
  });
});

describe("S5 parallel == host float64 loop == recurrent", () => {
  for (const [name, m] of mixers()) {
    test(name, () => {
      const hp = hostParams(m);
      checkParallelHostRecurrent(m, (u) => hostS5(hp, u), { H, seedBase: 1000, atol: 2e-5, rtol: 1e-4, stepMaxL: 64 });
    });
  }
});

describe("S5 gradients", () => {
  test("associative scan vs lax.scan forward vs host finite differences", () => {
    for (const [name, m] of mixers()) {
      const leaves = (t: S5SequenceMixer) =>
        (["Lambda_re", "Lambda_im", "B", "C", "D", "log_step"] as const).map((k): [string, Array] => [k, t[k]]);
      const { gp, host, w } = checkGradParallelVsRecurrent(m, name, { L: 37, H, seeds: [7, 8], leaves });
      // Independent check of a few entries: central differences of the float64 host loop.
      const hp = hostParams(m);
      const loss = (p: HostS5) => weightedSum(hostS5(p, host), w.host);
      const fd = (edit: (p: HostS5, e: number) => HostS5) => centralDiff((e) => loss(edit(hp, e)));
      const gLre = nums(gp.Lambda_re)[1];
      const fLre = fd((p, e) => ({ ...p, lre: p.lre.map((v, i) => (i === 1 ? v + e : v)) }));
      assert.ok(Math.abs(gLre - fLre) < 1e-3 * (1 + Math.abs(fLre)), `${name}: dLambda_re[1] ${gLre} vs FD ${fLre}`);
      const gStep = nums(gp.log_step)[0];
      const fStep = fd((p, e) => ({ ...p, logStep: p.logStep.map((v, i) => (i === 0 ? v + e : v)) }));
      assert.ok(
        Math.abs(gStep - fStep) < 1e-3 * (1 + Math.abs(fStep)),
        `${name}: dlog_step[0] ${gStep} vs FD ${fStep}`,
      );
    }
  });
});

describe("S5 transforms", () => {
  test("jit, vmap over a batch, batched step caches", () => {
    const m = new S5SequenceMixerConfig({ stateDim: 8 }).build(H, random.PRNGKey(3));
    const B = 3;
    const xb = checkJitVmapBatched(m, {
      B,
      L: 19,
      H,
      inputKey: 4,
      jitRow: 1,
      batchedAtol: 1e-5,
      checkCache: (cache) => assert.deepEqual(cache.state.shape, [B, m.P]),
    });
    // A jitted generation step: the cache is a pytree argument and result.
    const jstep = jit((mm: S5SequenceMixer, xt: Array, c: S5Cache) => mm.step(xt, c));
    const [yj, cj] = jstep(m, xb.get(0, 0), m.initCache());
    const [ye, ce] = m.step(xb.get(0, 0), m.initCache());
    assertClose(nums(yj), nums(ye), { msg: "jit(step) y" });
    assertClose(nums(cj.state), nums(ce.state), { msg: "jit(step) cache" });
    const g = jit(grad((mm: S5SequenceMixer) => np.sum(np.square(mm.call(xb.get(0))))))(m) as S5SequenceMixer;
    const g0 = grad((mm: S5SequenceMixer) => np.sum(np.square(mm.call(xb.get(0)))))(m) as S5SequenceMixer;
    assertClose(nums(g.log_step), nums(g0.log_step), { atol: 1e-5, msg: "jit(grad)" });
  });

  test("a carried cache continues the sequence (prefill, then step)", () => {
    const m = new S5SequenceMixerConfig({ stateDim: 8 }).build(H, random.PRNGKey(9));
    const { x } = randomInput(20, H, 77);
    const full = nums(m.call(x));
    const [y1, c1] = m.callRecurrent(x.get("0:12"));
    const [y2] = m.callRecurrent(x.get("12:"), c1);
    assertClose([...nums(y1), ...nums(y2)], full, { msg: "split sequence" });
  });
});

describe("S5 known answers (JAX transcription of linax)", () => {
  test("SPEC-linax §12: state_dim 4 mixer of SSM key row 1, first output step", () => {
    const m = new S5SequenceMixerConfig({ stateDim: 4 }).build(4, random.split(random.PRNGKey(0), 8).get(1));
    assertClose(nums(m.Lambda_re), [-0.4999998, -0.4999998], { atol: 1e-7, rtol: 0 });
    assertClose(nums(m.Lambda_im), [-4.603292, -0.5565009], { atol: 2e-6, rtol: 0 });
    assertClose(nums(m.D).slice(0, 3), [0.6796544, 0.8068808, -0.9246588], { atol: 1e-6, rtol: 0 });
    assertClose(nums(m.log_step), [-5.617255, -0.8547902], { atol: 1e-6, rtol: 0 });
    const x0 = np.subtract(np.divide(np.arange(15, { dtype: "float32" }).reshape([5, 3]), 10), 1);
    const u = np.stack([x0.get(":", 0), x0.get(":", 0), x0.get(":", 1), x0.get(":", 1)], 1);
    assertClose(nums(m.call(u).get(0)), [-0.750387, -0.798053, 1.064918, 0.815005], { atol: 2e-6, rtol: 0 });
  });

  test("testdata/ssm: parameters, phase-invariant C̃B̃ products and outputs", () => {
    const ka = knownAnswers();
    const x = knownInput();
    for (const name of ["s5_default", "s5_bilinear_blocks_trunc"]) {
      const c = ka.cases[name];
      const cfg = c.config as Record<string, number | string | boolean>;
      const m = new S5SequenceMixerConfig({
        stateDim: cfg.state_dim as number,
        ssmBlocks: (cfg.ssm_blocks as number) ?? 1,
        conjSym: (cfg.conj_sym as boolean) ?? true,
        CInit: (cfg.C_init as "lecun_normal") ?? "lecun_normal",
        discretization: (cfg.discretization as "zoh") ?? "zoh",
        clipEigs: (cfg.clip_eigs as boolean) ?? true,
        stepRescale: (cfg.step_rescale as number) ?? 1,
        dtMin: (cfg.dt_min as number) ?? 0.001,
        dtMax: (cfg.dt_max as number) ?? 1,
      }).build(ka.H, random.PRNGKey(ka.seed));
      for (const k of ["Lambda_re", "Lambda_im", "D", "log_step"] as const) {
        assertClose(nums(m[k]), c.params[k].data, { atol: 2e-6, rtol: 2e-6, msg: `${name}.${k}` });
      }
      // Eigenvector phases are solver-defined; the per-mode products C̃[:, p] B̃[p, :] are not.
      const prod = (Bl: Cx[], Cl: Cx[], P: number) => {
        const out: number[] = [];
        for (let p = 0; p < P; p++)
          for (let h = 0; h < ka.H; h++)
            for (let g = 0; g < ka.H; g++) out.push(...cmul(Cl[h * P + p], Bl[p * ka.H + g]));
        return out;
      };
      const pairs = (d: number[]) => JsArray.from({ length: d.length / 2 }, (_, i) => [d[2 * i], d[2 * i + 1]] as Cx);
      assertClose(
        prod(complexList(m.B), complexList(m.C), m.P),
        prod(pairs(c.params.B.data), pairs(c.params.C.data), m.P),
        {
          atol: 1e-5,
          rtol: 1e-4,
          msg: `${name}: C̃B̃`,
        },
      );
      assertClose(nums(m.call(x)), c.y.data, { atol: 1e-5, rtol: 1e-4, msg: `${name}: y from our init` });
      const jaxParams = replaceFields(m, {
        B: np.array(new Float32Array(c.params.B.data)).reshape(c.params.B.shape),
        C: np.array(new Float32Array(c.params.C.data)).reshape(c.params.C.shape),
      });
      assertClose(nums(jaxParams.call(x)), c.y.data, {
        atol: 1e-5,
        rtol: 1e-4,
        msg: `${name}: y from JAX's parameters`,
      });
    }
  });
});
