/**
 * Mamba-2: the chunked SSD algorithm (ops.ssdChunked) == a float64 plain recurrence written here,
 * for chunk sizes that do and don't divide L, with groups and an initial state; == ssdStep; its
 * gradient == finite differences of the host recurrence. The block: leaves and init, chunk-size
 * independence, step generation == parallel, gated RMSNorm by hand, and as an SSMConfig mixer
 * under jit, vmap and grad.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { grad, jit, np, random, vmap, ShapeError, ValueError, type Array } from "linax-ts";
import * as nn from "@linax-ts/nn";
import * as ssm from "@linax-ts/ssm";
import { mulberry32 } from "@linax-ts/testing";
import { assertClose, leafTable, maxAbs, nums } from "./host-values.ts";
import { draw, hostSsd, ssdCase, type SsdCase } from "./ssd-host-reference.ts";
import { smallConfig } from "./model-known-answers.ts";

const JsArray = globalThis.Array;

test("ssdChunked == float64 plain recurrence, chunk sizes dividing L and not, groups, initial state; == ssdStep loop", () => {
  for (const [seed, b, L, H, P, G, N] of [
    [1, 2, 12, 4, 3, 2, 5],
    [2, 1, 7, 2, 2, 1, 3],
    [3, 2, 1, 3, 2, 3, 2],
    [4, 1, 20, 4, 2, 4, 4],
  ] as const) {
    for (const withS0 of [false, true]) {
      const { host, arr } = ssdCase(seed * 10 + Number(withS0), b, L, H, P, G, N, withS0);
      const want = hostSsd(host);
      const tol = { atol: 2e-5 * (1 + maxAbs(want.y)), rtol: 1e-4 };
      for (const chunkSize of [1, 2, 3, 4, 5, L, L + 3, 256]) {
        const [y, S] = ssm.ops.ssdChunked(arr.x, arr.dt, arr.A, arr.B, arr.C, {
          chunkSize,
          D: arr.D,
          initialState: withS0 ? arr.S0 : null,
          returnFinalState: true,
        });
        const msg = `b${b} L${L} H${H} G${G} chunk ${chunkSize} s0 ${withS0}`;
        assertClose(nums(y), want.y, { ...tol, msg });
        assertClose(nums(S), want.S, { atol: 2e-5 * (1 + maxAbs(want.S)), rtol: 1e-4, msg: `${msg} final state` });
      }
      let S = arr.S0;
      const ys: Array[] = [];
      for (let t = 0; t < L; t++) {
        const [yt, S2] = ssm.ops.ssdStep(
          S,
          arr.x.get(":", t),
          arr.dt.get(":", t),
          arr.A,
          arr.B.get(":", t),
          arr.C.get(":", t),
          arr.D,
        );
        ys.push(yt);
        S = S2;
      }
      assertClose(nums(np.stack(ys, { axis: 1 })), want.y, { ...tol, msg: "ssdStep" });
    }
  }
});

test("ssdChunked gradients (through segsum masks and the inter-chunk product) == finite differences of the host recurrence", () => {
  const { host, arr } = ssdCase(77, 1, 7, 2, 2, 1, 3, false);
  const w = draw(mulberry32(3), [1, 7, 2, 2]);
  const loss = (x: Array, dt: Array, A: Array, B: Array, C: Array): Array =>
    np.sum(np.multiply(ssm.ops.ssdChunked(x, dt, A, B, C, { chunkSize: 3, D: arr.D }), w.x));
  const gs = grad(loss, { argnums: [0, 1, 2, 3, 4] })(arr.x, arr.dt, arr.A, arr.B, arr.C) as Array[];
  const hostLoss = (h: SsdCase): number => hostSsd(h).y.reduce((s, v, i) => s + v * w.host[i], 0);
  (["x", "dt", "A", "B", "C"] as const).forEach((name, ai) => {
    const g = nums(gs[ai]);
    assert.ok(g.every(Number.isFinite), `${name}: finite gradient`);
    for (const idx of [0, Math.floor(g.length / 2), g.length - 1]) {
      const f = (e: number): number => {
        const v = host[name].slice();
        v[idx] += e;
        return hostLoss({ ...host, [name]: v });
      };
      const fd = (f(1e-6) - f(-1e-6)) / 2e-6;
      assertClose([g[idx]], [fd], { atol: 2e-3 * (1 + Math.abs(fd)), rtol: 2e-3, msg: `d/d${name}[${idx}]` });
    }
  });
});

test("ssd shape errors", () => {
  const x = np.zeros([1, 4, 2, 3]);
  assert.throws(
    () => ssm.ops.ssdChunked(x, np.zeros([1, 4, 3]), np.zeros([2]), np.zeros([1, 4, 1, 2]), np.zeros([1, 4, 1, 2])),
    (e: Error) => e instanceof ShapeError && /dt must be \[batch, L, H\]/.test(e.message),
  );
  assert.throws(
    () => ssm.ops.ssdChunked(x, np.zeros([1, 4, 2]), np.zeros([2]), np.zeros([1, 4, 3, 2]), np.zeros([1, 4, 3, 2])),
    (e: Error) => e instanceof ShapeError && /G dividing H = 2/.test(e.message),
  );
  assert.throws(
    () =>
      ssm.ops.ssdChunked(x, np.zeros([1, 4, 2]), np.zeros([2]), np.zeros([1, 4, 1, 2]), np.zeros([1, 4, 1, 2]), {
        chunkSize: 0,
      }),
    (e: Error) => e instanceof ValueError,
  );
});

test("Mamba2 leaves (mamba_ssm's names and shapes), initialisation and validation", () => {
  // dModel 8 → dInner 16, headDim 4 → 4 heads, 2 groups of dState 8: in_proj 2·16 + 2·2·8 + 4 = 68, convDim 16 + 32 = 48.
  const m = new ssm.Mamba2Config({ dState: 8, headDim: 4, nGroups: 2 }).build(8, random.PRNGKey(0));
  assert.deepEqual(leafTable(m), [
    ["in_proj.weight", [68, 8], "float32"],
    ["conv1d.weight", [48, 1, 4], "float32"],
    ["conv1d.bias", [48], "float32"],
    ["dt_bias", [4], "float32"],
    ["A_log", [4], "float32"],
    ["D", [4], "float32"],
    ["norm.weight", [16], "float32"],
    ["out_proj.weight", [8, 16], "float32"],
  ]);
  const A = nums(m.A()).map((v) => -v);
  assert.ok(
    A.every((v) => v >= 1 - 1e-5 && v <= 16 + 1e-4),
    `A ∈ [-16, -1]: ${A}`,
  );
  const dt = nums(m.dt_bias).map((v) => Math.log1p(Math.exp(v)));
  assert.ok(
    dt.every((v) => v >= 0.001 * (1 - 1e-5) && v <= 0.1 * (1 + 1e-5)),
    `Δ init ${dt}`,
  );
  assert.ok(nums(m.D).every((v) => v === 1) && nums(m.norm.weight).every((v) => v === 1));
  assert.throws(
    () => new ssm.Mamba2Config({ headDim: 5 }).build(8, random.PRNGKey(0)),
    (e: Error) => e instanceof ValueError && /multiple of headDim = 5/.test(e.message),
  );
  assert.throws(
    () => new ssm.Mamba2Config({ headDim: 4, nGroups: 3 }).build(8, random.PRNGKey(0)),
    (e: Error) => e instanceof ValueError && /nGroups = 3 must divide the number of heads 4/.test(e.message),
  );
  assert.throws(
    () => new ssm.Mamba2Config({ chunkSize: 0 }),
    (e: Error) => e instanceof ValueError && /chunkSize/.test(e.message),
  );
});

test("GatedRMSNorm by hand: groups of 2, y = x·silu(z) / rms(group) · weight", () => {
  const n = new ssm.GatedRMSNorm(4, 2, 0);
  // z large → silu(z) ≈ z·1: take z = 30 (σ(30) = 1 to float32), x = [3, 4, 1, 1] → g = 30·x;
  // group rms: [30·√12.5, 30·1] → y = [3/√12.5, 4/√12.5, 1, 1].
  const y = n.call(np.array([3, 4, 1, 1]), np.full([4], 30));
  assertClose(nums(y), [3 / Math.sqrt(12.5), 4 / Math.sqrt(12.5), 1, 1], { atol: 1e-5 });
});

test("Mamba2 block: chunk size does not change the output; step generation == parallel forward; prompt + continuation", () => {
  const m = new ssm.Mamba2Config({ dState: 4, headDim: 4, nGroups: 2, chunkSize: 4, convKer: 3 }).build(
    8,
    random.PRNGKey(1),
  );
  const x = random.normal(random.PRNGKey(2), [2, 11, 8]);
  const y = m.callBatch(x);
  for (const chunkSize of [1, 3, 11, 256])
    assertClose(nums(m.callBatch(x, { chunkSize })), nums(y), { atol: 2e-5, msg: `chunk ${chunkSize}` });
  let cache = m.initCache([2]);
  const ys: Array[] = [];
  for (let t = 0; t < 11; t++) {
    const [yt, c] = m.step(x.get(":", t), cache);
    ys.push(yt);
    cache = c;
  }
  assertClose(nums(np.stack(ys, { axis: 1 })), nums(y), { atol: 2e-5, msg: "step loop" });
  assert.deepEqual(cache.conv.shape, [2, 2, 32]);
  assert.deepEqual(cache.ssm.shape, [2, 4, 4, 4]);
  const x0 = x.get(0);
  const [, c5] = m.callRecurrent(x0.get(np.arange(0, 5)));
  const [rest] = m.callRecurrent(x0.get(np.arange(5, 11)), c5);
  assertClose(nums(rest), nums(y.get(0).get(np.arange(5, 11))), { atol: 2e-5, msg: "continuation" });
  assertClose(nums(m.call(x0)), nums(y.get(0)), { atol: 1e-6, msg: "call" });
});

test("Mamba2 as an SSMConfig mixer: model step == parallel; jit, vmap; grad == finite differences", () => {
  const cfg = smallConfig(
    new ssm.Mamba2Config({ dState: 4, headDim: 2, chunkSize: 3 }),
    { dropRate: 0 },
    { reduce: false },
  );
  const [model, s0] = nn.makeWithState(ssm.SSM)(cfg, random.PRNGKey(3));
  const [, state] = model.callBatch(random.normal(random.PRNGKey(10), [2, 7, 3]), s0);
  const x = random.normal(random.PRNGKey(4), [2, 7, 3]);
  const inf = nn.inference(model);
  const [y] = inf.callBatch(x, nn.cloneState(state));
  const [yr] = inf.callRecurrent(np.transpose(x, [1, 0, 2]), state);
  assertClose(nums(np.transpose(yr, [1, 0, 2])), nums(y), { atol: 2e-5, msg: "model step" });
  const jitted = nn.filterJit((m: ssm.SSM, xx: Array, s: nn.State) => m.callBatch(xx, s)[0]);
  assertClose(nums(jitted(inf, x, nn.cloneState(state))), nums(y), { atol: 1e-5, msg: "jit" });
  const mixer = (model.blocks[0] as ssm.StandardBlock).sequence_mixer as ssm.Mamba2;
  const h = random.normal(random.PRNGKey(5), [3, 6, 4]);
  assertClose(nums(vmap((xx: Array) => mixer.call(xx))(h)), nums(mixer.callBatch(h)), { atol: 1e-6, msg: "vmap" });
  assertClose(nums(jit((mm: ssm.Mamba2, xx: Array) => mm.callBatch(xx))(mixer, h)), nums(mixer.callBatch(h)), {
    atol: 1e-5,
    msg: "jit block",
  });
  const w = random.normal(random.PRNGKey(6), [2, 7, 2]);
  const loss = (m: ssm.SSM): Array => np.sum(np.multiply(nn.inference(m).callBatch(x, nn.cloneState(state))[0], w));
  const g = nn.filterGrad(loss)(model) as ssm.SSM;
  const gm = (g.blocks[0] as ssm.StandardBlock).sequence_mixer as ssm.Mamba2;
  for (const [name, get] of [
    ["A_log", (mm: ssm.Mamba2) => mm.A_log],
    ["dt_bias", (mm: ssm.Mamba2) => mm.dt_bias],
    ["norm.weight", (mm: ssm.Mamba2) => mm.norm.weight],
    ["in_proj.weight", (mm: ssm.Mamba2) => mm.in_proj.weight],
  ] as const) {
    const leaf = get(mixer);
    const gv = nums(get(gm));
    for (const idx of [0, gv.length - 1]) {
      const at = (e: number): number => {
        const v = nums(leaf);
        v[idx] += e;
        const bumped = nn.treeAt(
          (mm: ssm.SSM) => get((mm.blocks[0] as ssm.StandardBlock).sequence_mixer as ssm.Mamba2),
          model,
          np.array(Float32Array.from(v)).reshape(leaf.shape),
        );
        return nums(loss(bumped))[0];
      };
      const fd = (at(1e-2) - at(-1e-2)) / 2e-2;
      assertClose([gv[idx]], [fd], { atol: 5e-3 * (1 + Math.abs(fd)), rtol: 2e-2, msg: `d/d${name}[${idx}]` });
    }
  }
});

/** The Mamba-2 block on one sequence `u: [L][dModel]`, in float64 (Mamba2Simple's forward written out). */
function hostMamba2(m: ssm.Mamba2, u: number[][]): number[] {
  const Hm = m.inFeatures,
    E = m.dInner,
    N = m.dState,
    G = m.nGroups,
    Hh = m.nHeads,
    P = m.headDim,
    K = m.convKer;
  const convDim = E + 2 * G * N;
  const Win = nums(m.in_proj.weight),
    cw = nums(m.conv1d.weight),
    cb = nums(m.conv1d.bias as Array);
  const dtb = nums(m.dt_bias),
    A = nums(m.A_log).map((v) => -Math.exp(v)),
    D = nums(m.D),
    nw = nums(m.norm.weight),
    Wout = nums(m.out_proj.weight);
  const L = u.length;
  const proj = u.map((row) =>
    JsArray.from({ length: 2 * E + 2 * G * N + Hh }, (_, r) => row.reduce((s, x, c) => s + Win[r * Hm + c] * x, 0)),
  );
  const silu = (v: number): number => v / (1 + Math.exp(-v));
  const xbc = proj.map((_, t) =>
    JsArray.from({ length: convDim }, (_, d) => {
      let s = cb[d];
      for (let j = 0; j < K; j++) if (t - K + 1 + j >= 0) s += cw[d * K + j] * proj[t - K + 1 + j][E + d];
      return silu(s);
    }),
  );
  const c: SsdCase = {
    b: 1,
    L,
    H: Hh,
    P,
    G,
    N,
    x: xbc.flatMap((r) => r.slice(0, E)),
    dt: proj.flatMap((r) => r.slice(E + convDim).map((v, h) => Math.log1p(Math.exp(v + dtb[h])))),
    A,
    B: xbc.flatMap((r) => r.slice(E, E + G * N)),
    C: xbc.flatMap((r) => r.slice(E + G * N)),
    D,
    S0: JsArray(Hh * P * N).fill(0),
  };
  const y = hostSsd(c).y;
  const out: number[] = [];
  for (let t = 0; t < L; t++) {
    const g = JsArray.from({ length: E }, (_, d) => y[t * E + d] * silu(proj[t][d]));
    const gs = E / G;
    const normed = g.map((v, d) => {
      const grp = Math.floor(d / gs);
      const ms = g.slice(grp * gs, (grp + 1) * gs).reduce((s, w) => s + w * w, 0) / gs;
      return (v / Math.sqrt(ms + m.norm.eps)) * nw[d];
    });
    for (let r = 0; r < Hm; r++) out.push(normed.reduce((s, v, d) => s + Wout[r * E + d] * v, 0));
  }
  return out;
}

test("Mamba2 block == float64 host block (in_proj, conv, SSD recurrence, gated group RMSNorm, out_proj)", () => {
  const m = new ssm.Mamba2Config({ dState: 3, headDim: 2, nGroups: 2, chunkSize: 4, convKer: 3 }).build(
    4,
    random.PRNGKey(21),
  );
  const r = mulberry32(8);
  const x = draw(r, [9, 4]);
  const host = JsArray.from({ length: 9 }, (_, t) => x.host.slice(t * 4, t * 4 + 4));
  const want = hostMamba2(m, host);
  assertClose(nums(m.call(x.x)), want, { atol: 2e-5 * (1 + maxAbs(want)), rtol: 1e-4, msg: "parallel" });
  assertClose(nums(m.callRecurrent(x.x)[0]), want, { atol: 2e-5 * (1 + maxAbs(want)), rtol: 1e-4, msg: "recurrent" });
});
