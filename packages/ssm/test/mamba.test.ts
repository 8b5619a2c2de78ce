/**
 * The Mamba block: mamba_ssm's leaf names, shapes and initialisation; the parallel forward ==
 * a float64 host implementation of the block written here (zoh and exptrap); token-by-token
 * `step` generation == the parallel forward; the block as a sequence mixer inside SSMConfig (model
 * step == parallel, jit, vmap, grad vs finite differences); safetensors round trip by name.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { jit, np, random, vmap, ValueError, ShapeError, type Array } from "linax-ts";
import * as nn from "@linax-ts/nn";
import * as ssm from "@linax-ts/ssm";
import { assertClose, leafTable, maxAbs, nums, randomInput } from "./host-values.ts";
import { smallConfig } from "./model-known-answers.ts";

const JsArray = globalThis.Array;

/** A `[rows, cols]` matrix (row-major) times a vector. */
const matvec = (W: number[], rowsN: number, colsN: number, v: number[]): number[] =>
  JsArray.from({ length: rowsN }, (_, r) => v.reduce((s, x, c) => s + W[r * colsN + c] * x, 0));
const silu = (v: number): number => v / (1 + Math.exp(-v));
const softplus = (v: number): number => (v > 20 ? v : Math.log1p(Math.exp(v)));

/** The block on one sequence `u: [L][dModel]`, in float64, straight from its definition (mamba_simple.Mamba's slow path). */
function hostMamba(m: ssm.Mamba, u: number[][]): number[][] {
  const H = m.inFeatures,
    E = m.dInner,
    N = m.dState,
    R = m.dtRank,
    K = m.convKer;
  const Win = nums(m.in_proj.weight),
    bIn = m.in_proj.bias ? nums(m.in_proj.bias) : null;
  const cw = nums(m.conv1d.weight),
    cb = m.conv1d.bias ? nums(m.conv1d.bias) : null;
  const Wx = nums(m.x_proj.weight),
    Wdt = nums(m.dt_proj.weight),
    bdt = nums(m.dt_proj.bias as Array);
  const A = nums(m.A_log).map((v) => -Math.exp(v)),
    D = nums(m.D);
  const Wout = nums(m.out_proj.weight),
    bOut = m.out_proj.bias ? nums(m.out_proj.bias) : null;
  const L = u.length;
  const xz = u.map((row) => matvec(Win, 2 * E, H, row).map((v, i) => v + (bIn ? bIn[i] : 0)));
  const xs = xz.map((r) => r.slice(0, E));
  const zs = xz.map((r) => r.slice(E));
  // Causal depthwise conv: y_t[d] = Σ_j w[d, j] x_{t-K+1+j}[d] (zeros before the start).
  const xc = JsArray.from({ length: L }, (_, t) =>
    JsArray.from({ length: E }, (_, d) => {
      let s = cb ? cb[d] : 0;
      for (let j = 0; j < K; j++) {
        const tt = t - K + 1 + j;
        if (tt >= 0) s += cw[d * K + j] * xs[tt][d];
      }
      return silu(s);
    }),
  );
  const h = JsArray.from({ length: E * N }, () => 0);
  let prevBu = JsArray.from({ length: E * N }, () => 0);
  const ys: number[][] = [];
  for (let t = 0; t < L; t++) {
    const dbl = matvec(Wx, R + 2 * N, E, xc[t]);
    const dtLow = dbl.slice(0, R),
      B = dbl.slice(R, R + N),
      C = dbl.slice(R + N);
    const dt = matvec(Wdt, E, R, dtLow).map((v, d) => softplus(v + bdt[d]));
    const bu = JsArray.from({ length: E * N }, () => 0);
    const y = JsArray.from({ length: E }, (_, d) => {
      let acc = 0;
      for (let n = 0; n < N; n++) {
        const a = Math.exp(dt[d] * A[d * N + n]);
        bu[d * N + n] = B[n] * xc[t][d];
        const drive =
          m.discretization === "zoh"
            ? dt[d] * bu[d * N + n]
            : 0.5 * dt[d] * bu[d * N + n] + 0.5 * dt[d] * a * prevBu[d * N + n];
        h[d * N + n] = a * h[d * N + n] + drive;
        acc += h[d * N + n] * C[n];
      }
      return (acc + D[d] * xc[t][d]) * silu(zs[t][d]);
    });
    prevBu = bu;
    ys.push(matvec(Wout, H, E, y).map((v, i) => v + (bOut ? bOut[i] : 0)));
  }
  return ys;
}

test("leaves: mamba_ssm's names and torch's shapes, in its parameter order; S4D-real A, D = 1, Δ log-uniform init", () => {
  const m = new ssm.MambaConfig({ dModel: 20, dState: 5 }).build(20, random.PRNGKey(0));
  // dInner = 40, dtRank = ceil(20/16) = 2, convKer 4, bias false, convBias true.
  assert.deepEqual(leafTable(m), [
    ["in_proj.weight", [80, 20], "float32"],
    ["conv1d.weight", [40, 1, 4], "float32"],
    ["conv1d.bias", [40], "float32"],
    ["x_proj.weight", [12, 40], "float32"],
    ["dt_proj.weight", [40, 2], "float32"],
    ["dt_proj.bias", [40], "float32"],
    ["A_log", [40, 5], "float32"],
    ["D", [40], "float32"],
    ["out_proj.weight", [20, 40], "float32"],
  ]);
  assert.deepEqual(
    nums(m.A_log).slice(0, 5),
    [0, 2, 3, 4, 5].map((n, i) => Math.fround(Math.log(i + 1))),
  );
  assert.deepEqual(nums(m.A_log).slice(35 * 5, 36 * 5), nums(m.A_log).slice(0, 5));
  assert.ok(nums(m.D).every((v) => v === 1));
  const dt = nums(m.dt_proj.bias as Array).map(softplus);
  assert.ok(
    dt.every((v) => v >= 0.001 * (1 - 1e-5) && v <= 0.1 * (1 + 1e-5)),
    `softplus(dt bias) in [dtMin, dtMax]: ${Math.min(...dt)}..${Math.max(...dt)}`,
  );
  // Log-uniform: the logs spread over [ln 0.001, ln 0.1] (mean near the middle, −4.6).
  const meanLog = dt.reduce((s, v) => s + Math.log(v), 0) / dt.length;
  assert.ok(Math.abs(meanLog - (Math.log(0.001) + Math.log(0.1)) / 2) < 0.8, `mean log Δ ${meanLog}`);
  const lim = 1 / Math.sqrt(2);
  assert.ok(nums(m.dt_proj.weight).every((v) => Math.abs(v) <= lim));
  assert.ok(nums(m.conv1d.weight).every((v) => Math.abs(v) <= 0.5));
  // bias: true adds in_proj.bias / out_proj.bias; convBias: false drops conv1d.bias; dtInitFloor clamps.
  const m2 = new ssm.MambaConfig({
    dInner: 6,
    dtRank: 3,
    dState: 2,
    convKer: 2,
    bias: true,
    convBias: false,
    dtMin: 1e-6,
    dtMax: 1e-6,
    dtInitFloor: 0.01,
  }).build(4, random.PRNGKey(1));
  assert.deepEqual(
    leafTable(m2).map(([p, s]) => `${p} [${s}]`),
    [
      "in_proj.weight [12,4]",
      "in_proj.bias [12]",
      "conv1d.weight [6,1,2]",
      "x_proj.weight [7,6]",
      "dt_proj.weight [6,3]",
      "dt_proj.bias [6]",
      "A_log [6,2]",
      "D [6]",
      "out_proj.weight [4,6]",
      "out_proj.bias [4]",
    ],
  );
  assertClose(nums(m2.dt_proj.bias as Array).map(softplus), JsArray(6).fill(0.01), { atol: 1e-7, rtol: 1e-5 });
});

test("config validation: clear errors", () => {
  assert.throws(
    () => new ssm.MambaConfig({ dState: 0 }),
    (e: Error) => e instanceof ValueError && /dState must be a positive integer/.test(e.message),
  );
  assert.throws(
    () => new ssm.MambaConfig({ dtMin: 0.2, dtMax: 0.1 }),
    (e: Error) => e instanceof ValueError && /dtMin ≤ dtMax/.test(e.message),
  );
  assert.throws(
    () => new ssm.MambaConfig({ discretization: "bilinear" as "zoh" }),
    (e: Error) => e instanceof ValueError && /discretization/.test(e.message),
  );
  assert.throws(
    () => new ssm.MambaConfig({ dModel: 8 }).build(6, random.PRNGKey(0)),
    (e: Error) => e instanceof ValueError && /dModel = 8 but the block is built for 6/.test(e.message),
  );
  const m = new ssm.MambaConfig({ dState: 2 }).build(4, random.PRNGKey(0));
  assert.throws(
    () => m.callBatch(np.zeros([3, 4])),
    (e: Error) => e instanceof ShapeError && /\[batch, seqLen, 4\]/.test(e.message),
  );
  assert.throws(
    () => m.step(np.zeros([2, 4]), m.initCache([3])),
    (e: Error) => e instanceof ShapeError && /Mamba.step/.test(e.message),
  );
});

for (const discretization of ["zoh", "exptrap"] as const) {
  test(`${discretization}: parallel forward (call, callBatch, chunked) == float64 host block == step generation`, () => {
    const cfg = new ssm.MambaConfig({ dState: 3, convKer: 3, bias: true, discretization, chunkSize: 5 });
    const m = cfg.build(5, random.PRNGKey(2));
    const L = 13;
    const a = randomInput(L, 5, 31);
    const b = randomInput(L, 5, 32);
    const want = [hostMamba(m, a.host).flat(), hostMamba(m, b.host).flat()];
    const tol = { atol: 2e-5 * (1 + maxAbs(want[0])), rtol: 1e-4 };
    assertClose(nums(m.call(a.x)), want[0], { ...tol, msg: "call" });
    const xb = np.stack([a.x, b.x]);
    const yb = m.callBatch(xb);
    assertClose(nums(yb), [...want[0], ...want[1]], { ...tol, msg: "callBatch" });
    // Token by token from initCache([2]) (batch shape [2]) and for one sequence (batch shape []).
    let cache = m.initCache([2]);
    const ys: Array[] = [];
    for (let t = 0; t < L; t++) {
      const [yt, c] = m.step(xb.get(":", t), cache);
      ys.push(yt);
      cache = c;
    }
    assertClose(nums(np.stack(ys, { axis: 1 })), nums(yb), { ...tol, msg: "step loop" });
    assert.deepEqual(cache.conv.shape, [2, 2, 10]);
    assert.deepEqual(cache.ssm.shape, [2, 10, 3]);
    // callRecurrent (lax.scan of step) on one sequence, and a prompt then continued generation.
    const [yr] = m.callRecurrent(a.x);
    assertClose(nums(yr), want[0], { ...tol, msg: "callRecurrent" });
    const [, c6] = m.callRecurrent(a.x.get(np.arange(0, 6)));
    const [yRest] = m.callRecurrent(a.x.get(np.arange(6, L)), c6);
    assertClose(nums(yRest), want[0].slice(6 * 5), { ...tol, msg: "prompt + continuation" });
  });
}

test("convKer = 1 (no conv window) and dtRank > 1 work in both forms", () => {
  const m = new ssm.MambaConfig({ dState: 2, convKer: 1, dtRank: 3 }).build(3, random.PRNGKey(4));
  const a = randomInput(6, 3, 5);
  const want = hostMamba(m, a.host).flat();
  assertClose(nums(m.call(a.x)), want, { atol: 2e-5, msg: "call" });
  assertClose(nums(m.callRecurrent(a.x)[0]), want, { atol: 2e-5, msg: "callRecurrent" });
});

test("Mamba as the sequence mixer of an SSMConfig model: builds, model step == parallel, jit, vmap, grad vs finite differences", () => {
  const cfg = smallConfig(new ssm.MambaConfig({ dState: 3, expand: 2 }), { dropRate: 0 }, { reduce: false });
  const [model, s0] = nn.makeWithState(ssm.SSM)(cfg, random.PRNGKey(3));
  // One training call gives BatchNorm running statistics for inference mode.
  const [, state] = model.callBatch(random.normal(random.PRNGKey(10), [2, 7, 3]), s0);
  const paths = ssm.parameterTable(model).map((e) => e.path);
  assert.ok(
    paths.includes("blocks.0.sequence_mixer.in_proj.weight") && paths.includes("blocks.1.sequence_mixer.A_log"),
    paths.join(", "),
  );
  const x = random.normal(random.PRNGKey(4), [2, 7, 3]);
  const inf = nn.inference(model);
  const [y] = inf.callBatch(x, nn.cloneState(state));
  assert.deepEqual(y.shape, [2, 7, 2]);
  const [yr] = inf.callRecurrent(np.transpose(x, [1, 0, 2]), state);
  assertClose(nums(np.transpose(yr, [1, 0, 2])), nums(y), { atol: 2e-5, msg: "model step" });
  const jitted = nn.filterJit((m: ssm.SSM, xx: Array, s: nn.State) => m.callBatch(xx, s)[0]);
  assertClose(nums(jitted(inf, x, nn.cloneState(state))), nums(y), { atol: 1e-5, msg: "jit" });
  // The mixer alone under vmap and jit.
  const mixer = (model.blocks[0] as ssm.StandardBlock).sequence_mixer as ssm.Mamba;
  const h = random.normal(random.PRNGKey(5), [3, 6, 4]);
  const rowsWant = [0, 1, 2].map((i) => nums(mixer.call(h.get(i)))).flat();
  assertClose(nums(vmap((xx: Array) => mixer.call(xx))(h)), rowsWant, { atol: 1e-6, msg: "vmap" });
  assertClose(nums(jit((mm: ssm.Mamba, xx: Array) => mm.callBatch(xx))(mixer, h)), rowsWant, {
    atol: 1e-5,
    msg: "jit callBatch",
  });
  // grad of the whole model; a few leaves against central differences (float32: step 1e-2, loose).
  const w = random.normal(random.PRNGKey(6), [2, 7, 2]);
  const loss = (m: ssm.SSM): Array => np.sum(np.multiply(nn.inference(m).callBatch(x, nn.cloneState(state))[0], w));
  const g = nn.filterGrad(loss)(model) as ssm.SSM;
  const gm = (g.blocks[0] as ssm.StandardBlock).sequence_mixer as ssm.Mamba;
  for (const [name, get] of [
    ["A_log", (mm: ssm.Mamba) => mm.A_log],
    ["dt_proj.bias", (mm: ssm.Mamba) => mm.dt_proj.bias as Array],
    ["conv1d.weight", (mm: ssm.Mamba) => mm.conv1d.weight],
    ["x_proj.weight", (mm: ssm.Mamba) => mm.x_proj.weight],
  ] as const) {
    const leaf = get(mixer);
    const gv = nums(get(gm));
    for (const idx of [0, Math.floor(gv.length / 2)]) {
      const at = (e: number): number => {
        const v = nums(leaf);
        v[idx] += e;
        const bumped = nn.treeAt(
          (mm: ssm.SSM) => get((mm.blocks[0] as ssm.StandardBlock).sequence_mixer as ssm.Mamba),
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

test("safetensors: saved under mamba_ssm's names, loaded by name into a fresh block (same outputs)", () => {
  const cfg = new ssm.MambaConfig({ dState: 4, bias: true });
  const m = cfg.build(6, random.PRNGKey(7));
  const fresh = cfg.build(6, random.PRNGKey(8));
  const bytes = nn.toSafetensorsBytesSync(m);
  assert.deepEqual([...nn.readSafetensorsBytes(bytes).tensors.keys()].sort(), [
    "A_log",
    "D",
    "conv1d.bias",
    "conv1d.weight",
    "dt_proj.bias",
    "dt_proj.weight",
    "in_proj.bias",
    "in_proj.weight",
    "out_proj.bias",
    "out_proj.weight",
    "x_proj.weight",
  ]);
  const loaded = nn.fromSafetensorsBytes(bytes, fresh);
  const x = random.normal(random.PRNGKey(9), [1, 5, 6]);
  assert.notDeepEqual(nums(fresh.callBatch(x)), nums(m.callBatch(x)));
  assert.deepEqual(nums(loaded.callBatch(x)), nums(m.callBatch(x)));
});

test("lengths: padded steps change neither the valid outputs (Mamba, Mamba-2 mixers) nor anything under vmap", () => {
  const mixers: [string, ssm.SequenceMixer][] = [
    ["Mamba", new ssm.MambaConfig({ dState: 3 }).build(4, random.PRNGKey(11))],
    ["Mamba2", new ssm.Mamba2Config({ dState: 3, headDim: 4, chunkSize: 3 }).build(4, random.PRNGKey(12))],
  ];
  for (const [name, m] of mixers) {
    const x = random.normal(random.PRNGKey(13), [9, 4]);
    const garbage = np.concatenate([x.get(np.arange(0, 6)), np.full([3, 4], 50)]);
    const y = m.call(garbage, { lengths: 6 });
    assertClose(nums(y.get(np.arange(0, 6))), nums(m.call(x.get(np.arange(0, 6)))), {
      atol: 1e-5,
      msg: `${name} valid rows`,
    });
    assert.deepEqual(nums(y.get(np.arange(6, 9))), JsArray(12).fill(0), `${name}: padded rows are zero`);
    const yb = vmap((xx: Array, l: Array) => m.call(xx, { lengths: l }))(
      np.stack([garbage, x]),
      np.array([6, 9], { dtype: "int32" }),
    );
    assertClose(nums(yb.get(1)), nums(m.call(x)), { atol: 1e-5, msg: `${name} vmapped full length` });
    assertClose(nums(yb.get(0)), nums(y), { atol: 1e-5, msg: `${name} vmapped padded` });
  }
});

test("high-level MambaSSMConfig / Mamba2SSMConfig repeat the mixer over numBlocks and build a working model", () => {
  const enc = new ssm.LinearEncoderConfig({ inFeatures: 3, outFeatures: 4 });
  const head = new ssm.ClassificationHeadConfig({ outFeatures: 2 });
  const c1 = new ssm.MambaSSMConfig({
    numBlocks: 3,
    encoderConfig: enc,
    headConfig: head,
    sequenceMixerConfig: new ssm.MambaConfig({ dState: 2 }),
  });
  assert.equal(c1.numBlocks, 3);
  assert.ok(c1.sequenceMixerConfigs.every((m) => m instanceof ssm.MambaConfig));
  const c2 = new ssm.Mamba2SSMConfig({
    numBlocks: 2,
    encoderConfig: enc,
    headConfig: head,
    sequenceMixerConfig: new ssm.Mamba2Config({ dState: 2, headDim: 4 }),
  });
  assert.throws(
    () =>
      new ssm.MambaSSMConfig({
        numBlocks: 1,
        encoderConfig: enc,
        headConfig: head,
        sequenceMixerConfig: new ssm.Mamba2Config() as unknown as ssm.MambaConfig,
      }),
    (e: Error) => e instanceof ValueError && /must be a MambaConfig/.test(e.message),
  );
  for (const cfg of [c1, c2]) {
    const [model, state] = nn.makeWithState(ssm.SSM)(cfg, random.PRNGKey(0));
    const [y] = model.callBatch(random.normal(random.PRNGKey(1), [2, 5, 3]), state, { key: random.PRNGKey(2) });
    assert.deepEqual(y.shape, [2, 2]);
    assert.ok(nums(y).every(Number.isFinite));
  }
});
