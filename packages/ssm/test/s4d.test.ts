/**
 * S4D: leaves, A initialisations, FFT convolution == float64 host causal convolution of the
 * defined kernel == recurrent steps, gradients (FFT vs lax.scan vs host finite differences),
 * jit/vmap, known answers.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { np, random, type Array } from "linax-ts";
import { replaceFields } from "@linax-ts/nn";
import { type S4DSequenceMixer, S4DSequenceMixerConfig, makeDplrHippo, type S4DInit } from "@linax-ts/ssm";
import {
  assertClose,
  centralDiff,
  cdiv,
  cexp,
  cmul,
  complexList,
  cscale,
  csub,
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

interface HostS4D {
  H: number;
  half: number;
  C: Cx[]; // [H, N/2]
  logDt: number[];
  logAReal: number[];
  AImag: number[];
}

const hostParams = (m: S4DSequenceMixer): HostS4D => ({
  H: m.inFeatures,
  half: m.stateDim / 2,
  C: complexList(m.kernel.C),
  logDt: nums(m.kernel.log_dt),
  logAReal: nums(m.kernel.log_a_real),
  AImag: nums(m.kernel.A_imag),
});

/** `K[h, l] = 2·Re Σ_n C (exp(ΔA) − 1)/A · exp(ΔA·l)`, then `y[t, h] = Σ_{j≤t} K[h, t−j] u[j, h]` (float64). */
function hostS4D(p: HostS4D, u: number[][]): number[][] {
  const L = u.length;
  const K = JsArray.from({ length: p.H }, (_, h) => {
    const dt = Math.exp(p.logDt[h]);
    const k = new Float64Array(L);
    for (let n = 0; n < p.half; n++) {
      const i = h * p.half + n;
      const A = cx(-Math.exp(p.logAReal[i]), p.AImag[i]);
      const dtA = cscale(A, dt);
      const w = cmul(p.C[i], cdiv(csub(cexp(dtA), cx(1)), A));
      for (let l = 0; l < L; l++) k[l] += 2 * cmul(w, cexp(cscale(dtA, l)))[0];
    }
    return k;
  });
  return u.map((_, t) =>
    JsArray.from({ length: p.H }, (_, h) => {
      let acc = 0;
      for (let j = 0; j <= t; j++) acc += K[h][t - j] * u[j][h];
      return acc;
    }),
  );
}

const H = 3;
const INITS: S4DInit[] = ["lin", "inv", "legs", "real"];

const mixers = (): [string, S4DSequenceMixer][] =>
  INITS.map((init, i) => [
    `${init} (${init === "real" ? "real" : "complex"} path)`,
    new S4DSequenceMixerConfig({ stateDim: 8, init, dtMin: 0.01, dtMax: 0.3 }).build(H, random.PRNGKey(60 + i)),
  ]);

describe("S4D leaves and initialisation", () => {
  test("names, shapes and dtypes are linax's (kernel.C complex64)", () => {
    const m = new S4DSequenceMixerConfig({ stateDim: 8 }).build(3, random.PRNGKey(0));
    assert.deepEqual(leafTable(m), [
      ["kernel.C", [3, 4], "complex64"],
      ["kernel.log_dt", [3], "float32"],
      ["kernel.log_a_real", [3, 4], "float32"],
      ["kernel.A_imag", [3, 4], "float32"],
    ]);
    assert.equal(m.transposed, false);
    assert.throws(() => new S4DSequenceMixerConfig({ stateDim: 7 }), /even/);
  });

  test("A per init, log_dt ∈ [log dtMin, log dtMax), C ~ N(0,1) + iN(0,1)", () => {
    const N = 16;
    const half = N / 2;
    const expectImag: Record<S4DInit, number[]> = {
      lin: JsArray.from({ length: half }, (_, n) => Math.PI * n),
      inv: JsArray.from({ length: half }, (_, n) => (N / Math.PI) * (N / (2 * n + 1) - 1)),
      legs: complexList(makeDplrHippo(N).Lambda)
        .slice(0, half)
        .map((l) => -l[1]),
      real: JsArray(half).fill(0),
    };
    for (const init of INITS) {
      const m = new S4DSequenceMixerConfig({ stateDim: N, init }).build(2, random.PRNGKey(1));
      const re = nums(m.kernel.log_a_real).map((v) => -Math.exp(v));
      const wantRe = init === "real" ? JsArray.from({ length: half }, (_, n) => -(n + 1)) : JsArray(half).fill(-0.5);
      assertClose(re, [...wantRe, ...wantRe], { atol: 1e-6, rtol: 1e-6, msg: `${init}: Re A` });
      assertClose(nums(m.kernel.A_imag), [...expectImag[init], ...expectImag[init]], {
        atol: 1e-5,
        rtol: 1e-6,
        msg: `${init}: Im A`,
      });
    }
    assert.ok(
      expectImag.legs.every((v, i, a) => v > 0 && (i === 0 || v < a[i - 1])),
      "LegS frequencies positive, largest first",
    );
    const m = new S4DSequenceMixerConfig({ stateDim: 64 }).build(64, random.PRNGKey(2));
    const ld = nums(m.kernel.log_dt);
    assert.ok(
      ld.every((v) => v >= Math.log(0.001) - 1e-6 && v < Math.log(0.1) + 1e-6),
      "log_dt range",
    );
    const c = nums(m.kernel.C);
    const ms = c.reduce((a, v) => a + v * v, 0) / (c.length / 2);
    assert.ok(Math.abs(ms - 2) < 0.15, `E|C|² = ${ms} ≈ 2`);
  });
});

describe("S4D FFT convolution == host causal convolution == recurrent", () => {
  for (const [name, m] of mixers()) {
    test(name, () => {
      const hp = hostParams(m);
      checkParallelHostRecurrent(m, (u) => hostS4D(hp, u), { H, seedBase: 4000, atol: 3e-5, rtol: 2e-4, stepMaxL: 31 });
    });
  }
});

describe("S4D gradients", () => {
  test("FFT forward vs lax.scan forward vs host finite differences", () => {
    for (const [name, m] of mixers()) {
      const leaves = (t: S4DSequenceMixer) =>
        (["C", "log_dt", "log_a_real", "A_imag"] as const).map((k): [string, Array] => [`kernel.${k}`, t.kernel[k]]);
      const { gp, host, w } = checkGradParallelVsRecurrent(m, name, { L: 33, H, seeds: [37, 38], leaves });
      const hp = hostParams(m);
      const loss = (p: HostS4D) => weightedSum(hostS4D(p, host), w.host);
      const fd = (edit: (e: number) => HostS4D) => centralDiff((e) => loss(edit(e)));
      const fDt = fd((e) => ({ ...hp, logDt: hp.logDt.map((v, i) => (i === 1 ? v + e : v)) }));
      assert.ok(
        Math.abs(nums(gp.kernel.log_dt)[1] - fDt) < 1e-3 * (1 + Math.abs(fDt)),
        `${name}: dlog_dt[1] vs FD ${fDt}`,
      );
      const fRe = fd((e) => ({ ...hp, logAReal: hp.logAReal.map((v, i) => (i === 2 ? v + e : v)) }));
      assert.ok(
        Math.abs(nums(gp.kernel.log_a_real)[2] - fRe) < 1e-3 * (1 + Math.abs(fRe)),
        `${name}: dlog_a_real[2] vs FD ${fRe}`,
      );
      // A real loss of complex C: d/dRe C and d/dIm C (JAX returns ∂/∂Re − i·∂/∂Im).
      const fCre = fd((e) => ({ ...hp, C: hp.C.map((v, i) => (i === 1 ? ([v[0] + e, v[1]] as Cx) : v)) }));
      const fCim = fd((e) => ({ ...hp, C: hp.C.map((v, i) => (i === 1 ? ([v[0], v[1] + e] as Cx) : v)) }));
      const gC = complexList(gp.kernel.C)[1];
      assert.ok(
        Math.abs(gC[0] - fCre) < 1e-3 * (1 + Math.abs(fCre)) && Math.abs(gC[1] + fCim) < 1e-3 * (1 + Math.abs(fCim)),
        `${name}: dC[1] ${gC} vs FD (${fCre}, ${-fCim})`,
      );
    }
  });
});

describe("S4D transforms and known answers", () => {
  test("jit, vmap, batched step caches", () => {
    const m = new S4DSequenceMixerConfig({ stateDim: 8 }).build(H, random.PRNGKey(5));
    const B = 2;
    checkJitVmapBatched(m, {
      B,
      L: 21,
      H,
      inputKey: 6,
      jitRow: 1,
      batchedAtol: 1e-5,
      checkCache: (cache) => assert.deepEqual(cache.state.shape, [B, H, 4]),
    });
  });

  test("SPEC-linax §12 (state_dim 4) and testdata/ssm s4d_lin", () => {
    const m = new S4DSequenceMixerConfig({ stateDim: 4 }).build(4, random.split(random.PRNGKey(0), 8).get(1));
    assertClose(nums(m.kernel.C).slice(0, 4), [0.5573173, 1.3846383, 0.06284032, -0.32068655], { atol: 1e-6, rtol: 0 });
    assertClose(nums(m.kernel.log_dt).slice(0, 3), [-4.028775, -5.151103, -6.075858], { atol: 2e-6, rtol: 0 });
    const x0 = np.subtract(np.divide(np.arange(15, { dtype: "float32" }).reshape([5, 3]), 10), 1);
    const u = np.stack([x0.get(":", 0), x0.get(":", 0), x0.get(":", 1), x0.get(":", 1)], 1);
    assertClose(nums(m.call(u).get(0)), [-0.022291, -0.020334, 0.004634, -0.005142], { atol: 2e-6, rtol: 0 });

    const ka = knownAnswers();
    const c = ka.cases.s4d_lin;
    const k = new S4DSequenceMixerConfig({
      stateDim: c.config.state_dim as number,
      dtMin: c.config.dt_min as number,
      dtMax: c.config.dt_max as number,
    }).build(ka.H, random.PRNGKey(ka.seed));
    const leaves: [string, Array][] = [
      ["kernel.C", k.kernel.C],
      ["kernel.log_dt", k.kernel.log_dt],
      ["kernel.log_a_real", k.kernel.log_a_real],
      ["kernel.A_imag", k.kernel.A_imag],
    ];
    for (const [name, a] of leaves)
      assertClose(nums(a), c.params[name].data, { atol: 2e-6, rtol: 2e-6, msg: `s4d_lin.${name}` });
    assertClose(nums(k.call(knownInput())), c.y.data, { atol: 1e-5, rtol: 1e-4, msg: "s4d_lin y" });
    // The transposed flag is stored and ignored, as in linax.
    const t = replaceFields(k, { transposed: true });
    assertClose(nums(t.call(knownInput())), c.y.data, { atol: 1e-5, rtol: 1e-4, msg: "transposed ignored" });
  });
});
