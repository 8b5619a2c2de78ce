/**
 * DeltaNet and IdentitySequenceMixer. DeltaNet's chunked parallel form (WY representation with a
 * triangular solve) and its step are compared with an independent float64 host loop of the delta
 * rule written from the definition `S_t = S_{t-1}(I − β k kᵀ) + β v kᵀ`, `o_t = S_t q_t` — the
 * full d×d matrix product, not the rank-one shortcut the library uses — for chunk sizes that do
 * and do not divide L; plus one hand-derived value, jit/vmap/grad, and both inside an SSM.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { type Array, grad, jit, np, random, vmap } from "linax-ts";
import * as nn from "@linax-ts/nn";
import * as ssm from "@linax-ts/ssm";
import { assertClose, leafTable, nums, randomInput, rows } from "./host-values.ts";

const key = random.PRNGKey(21);
const JsArray = globalThis.Array;

/** The host DeltaNet forward over `u: [L][H]`, from the mixer's weights. */
function hostDeltaNet(m: ssm.DeltaNetSequenceMixer, u: number[][]): number[][] {
  const nh = m.nHeads;
  const d = m.headDim;
  const Wq = rows(m.q_proj.weight);
  const Wk = rows(m.k_proj.weight);
  const Wv = rows(m.v_proj.weight);
  const wb = rows(m.beta_proj.weight)[0];
  const bb = m.beta_proj.bias === null ? 0 : nums(m.beta_proj.bias)[0];
  const Wo = rows(m.out_proj.weight);
  const bo = m.out_proj.bias === null ? null : nums(m.out_proj.bias);
  const mv = (W: number[][], x: number[]) => W.map((r) => r.reduce((a, w, j) => a + w * x[j], 0));
  const norm = (x: number[]) => {
    const n = Math.sqrt(x.reduce((a, v) => a + v * v, 0)) + 1e-6;
    return x.map((v) => v / n);
  };
  const S = JsArray.from({ length: nh }, () => JsArray.from({ length: d }, () => new JsArray<number>(d).fill(0)));
  return u.map((x) => {
    const q = mv(Wq, x);
    const k = mv(Wk, x);
    const v = mv(Wv, x);
    const beta = 1 / (1 + Math.exp(-wb.reduce((a, w, j) => a + w * x[j], bb)));
    const o: number[] = [];
    for (let h = 0; h < nh; h++) {
      const qh = norm(q.slice(h * d, (h + 1) * d));
      const kh = norm(k.slice(h * d, (h + 1) * d));
      const vh = v.slice(h * d, (h + 1) * d);
      // M = I − β k kᵀ; S ← S M + β v kᵀ (full matrix product).
      const M = kh.map((ki, i) => kh.map((kj, j) => (i === j ? 1 : 0) - beta * ki * kj));
      const Sn = S[h].map((row, i) =>
        row.map((_, j) => row.reduce((a, s, l) => a + s * M[l][j], 0) + beta * vh[i] * kh[j]),
      );
      S[h] = Sn;
      for (let i = 0; i < d; i++) o.push(Sn[i].reduce((a, s, j) => a + s * qh[j], 0));
    }
    const y = mv(Wo, o);
    return bo === null ? y : y.map((val, i) => val + bo[i]);
  });
}

test("DeltaNet: leaves and shapes as discretax (q/k/v/beta/out_proj), headDim = floor(H / nHeads) by default", () => {
  const m = new ssm.DeltaNetSequenceMixerConfig({ nHeads: 2 }).build(6, key);
  assert.deepEqual(leafTable(m), [
    ["q_proj.weight", [6, 6], "float32"],
    ["k_proj.weight", [6, 6], "float32"],
    ["v_proj.weight", [6, 6], "float32"],
    ["beta_proj.weight", [1, 6], "float32"],
    ["out_proj.weight", [6, 6], "float32"],
  ]);
  const b = new ssm.DeltaNetSequenceMixerConfig({ nHeads: 3, headDim: 2, useBias: true }).build(4, key);
  assert.deepEqual(
    leafTable(b).map(([p]) => p),
    [
      "q_proj.weight",
      "k_proj.weight",
      "v_proj.weight",
      "beta_proj.weight",
      "beta_proj.bias",
      "out_proj.weight",
      "out_proj.bias",
    ],
  );
  assert.deepEqual(b.q_proj.weight.shape, [6, 4]);
  assert.throws(() => new ssm.DeltaNetSequenceMixerConfig({ nHeads: 0 }), /nHeads must be a positive integer/);
  assert.throws(
    () => new ssm.DeltaNetSequenceMixerConfig({ nHeads: 8 }).build(4, key),
    /headDim = floor\(inFeatures \/ nHeads\)/,
  );
});

test("DeltaNet: chunked parallel form and step equal the host delta-rule loop (chunk sizes dividing L or not)", () => {
  const { x, host } = randomInput(10, 4, 3);
  for (const [opts, label] of [
    [{ nHeads: 2, chunkSize: 5 }, "c=5 | L=10"],
    [{ nHeads: 2, chunkSize: 4 }, "c=4, padded to 12"],
    [{ nHeads: 1, headDim: 3, chunkSize: 64, useBias: true }, "one chunk (c > L), biases"],
    [{ nHeads: 2, chunkSize: 1 }, "c=1"],
  ] as [ssm.DeltaNetSequenceMixerOptions, string][]) {
    const m = new ssm.DeltaNetSequenceMixerConfig(opts).build(4, key);
    const want = hostDeltaNet(m, host).flat();
    assertClose(nums(m.call(x)), want, { atol: 1e-5, rtol: 1e-4, msg: label });
    const [yr, last] = m.callRecurrent(x.reshape([10, 1, 4]));
    assertClose(nums(yr), want, { atol: 1e-5, rtol: 1e-4, msg: `${label} step` });
    assert.deepEqual(last.S.shape, [1, m.nHeads, m.headDim, m.headDim]);
    assertClose(nums(jit((v: Array) => m.call(v))(x)), want, { atol: 1e-5, rtol: 1e-4, msg: `${label} jit` });
  }
});

test("DeltaNet: a hand-derived value — one head, d = 1: S_t = S(1 − β k̂²) + β v k̂, o = S q̂", () => {
  // H = 1, weights set by hand: q = 2x, k = −3x, v = 5x, β = σ(x), out = 1·o. With d = 1,
  // k̂ = −3x/(3|x| + 1e-6) ≈ −sign(x) and q̂ = 2x/(2|x| + 1e-6) ≈ sign(x).
  const m0 = new ssm.DeltaNetSequenceMixerConfig({ nHeads: 1 }).build(1, key);
  const m = nn.treeAt(
    (mm: ssm.DeltaNetSequenceMixer) => [
      mm.q_proj.weight,
      mm.k_proj.weight,
      mm.v_proj.weight,
      mm.beta_proj.weight,
      mm.out_proj.weight,
    ],
    m0,
    [np.array([[2]]), np.array([[-3]]), np.array([[5]]), np.array([[1]]), np.array([[1]])],
  );
  const xs = [0.5, -1, 2];
  let S = 0;
  const want = xs.map((x) => {
    const b = 1 / (1 + Math.exp(-x));
    const kh = (-3 * x) / (3 * Math.abs(x) + 1e-6);
    S = S * (1 - b * kh * kh) + b * 5 * x * kh;
    return (S * (2 * x)) / (2 * Math.abs(x) + 1e-6);
  });
  // by hand: β₀ = σ(0.5) = 0.6224593, S₀ ≈ −0.6224593·2.5 = −1.5561483, o₀ ≈ S₀·(1 − 1e-6) ≈ −1.556147.
  assertClose([want[0]], [-1.556147], { atol: 2e-6 });
  assertClose(nums(m.call(np.array(xs).reshape([3, 1]))), want, { atol: 1e-5 });
});

test("DeltaNet: vmap over a batch = per-sequence calls; grad matches a central difference; lengths", () => {
  const m = new ssm.DeltaNetSequenceMixerConfig({ nHeads: 2, chunkSize: 3 }).build(4, key);
  const xb = np.stack([randomInput(7, 4, 4).x, randomInput(7, 4, 5).x]);
  const yb = vmap((v: Array) => m.call(v))(xb);
  for (let b = 0; b < 2; b++) assertClose(nums(yb.get(b)), nums(m.call(xb.get(b))), { atol: 1e-6 });
  const x = xb.get(0);
  const loss = (W: Array) =>
    np.sum(np.square(nn.treeAt((mm: ssm.DeltaNetSequenceMixer) => mm.k_proj.weight, m, W).call(x)));
  const W = m.k_proj.weight;
  const g = nums(grad(loss)(W) as Array);
  const dir = randomInput(4, 4, 6).x;
  const eps = 1e-2;
  const fd = (loss(W.add(dir.mul(eps))).item() - loss(W.sub(dir.mul(eps))).item()) / (2 * eps);
  const dd = g.reduce((a, v, i) => a + v * nums(dir)[i], 0);
  assert.ok(Math.abs(fd - dd) <= 0.02 * Math.abs(dd) + 1e-3, `directional derivative ${dd} vs finite difference ${fd}`);
  const padded = np.concatenate([x.get(":4"), randomInput(3, 4, 7).x.mul(30)], { axis: 0 });
  assertClose(nums(m.call(padded, { lengths: 4 }).get(":4")), nums(m.call(x.get(":4"))), { atol: 1e-5 });
});

test("IdentitySequenceMixer: y = x, no leaves, step = identity; DeltaNet and Identity as mixers of an SSM (step == parallel)", () => {
  const id = new ssm.IdentitySequenceMixerConfig().build(4, key);
  const x = randomInput(5, 4, 8).x;
  assert.deepEqual(nums(id.call(x)), nums(x));
  assert.deepEqual(ssm.parameterTable(id), []);
  assert.deepEqual(nums(id.step(x.get(0), id.initCache())[0]), nums(x.get(0)));
  assert.deepEqual(nums(id.call(x, { lengths: 2 }).get("2:")), new JsArray(12).fill(0));
  for (const mixer of [
    new ssm.DeltaNetSequenceMixerConfig({ nHeads: 2, chunkSize: 2 }),
    new ssm.IdentitySequenceMixerConfig(),
  ]) {
    const b = new ssm.StandardBlockConfig({ dropRate: 0 });
    const cfg = new ssm.SSMConfig({
      encoderConfig: new ssm.LinearEncoderConfig({ inFeatures: 3, outFeatures: 4 }),
      sequenceMixerConfigs: [mixer, mixer],
      blockConfigs: [b, b],
      channelMixerConfigs: [new ssm.GLUConfig(), new ssm.GLUConfig()],
      headConfig: new ssm.RegressionHeadConfig({ outFeatures: 2, reduce: false }),
    });
    const [model, s0] = nn.makeWithState(ssm.SSM)(cfg, key);
    const xb = np.stack([randomInput(5, 3, 9).x, randomInput(5, 3, 10).x]);
    const [, trained] = model.callBatch(xb, nn.cloneState(s0));
    const inf = nn.inference(model);
    const [yPar] = inf.callBatch(xb, nn.cloneState(trained));
    const [ySeq] = inf.callRecurrent(np.swapaxes(xb, 0, 1), trained);
    assertClose(nums(np.swapaxes(ySeq, 0, 1)), nums(yPar), { atol: 1e-5, msg: mixer.constructor.name });
  }
});

test("DeltaNetConfig: numBlocks DeltaNet blocks with the default mixer; builds and runs", () => {
  const cfg = new ssm.DeltaNetConfig({
    numBlocks: 2,
    encoderConfig: new ssm.LinearEncoderConfig({ inFeatures: 3, outFeatures: 8 }),
    headConfig: new ssm.ClassificationHeadConfig({ outFeatures: 2 }),
  });
  assert.equal(cfg.sequenceMixerConfigs.length, 2);
  assert.ok(cfg.sequenceMixerConfig instanceof ssm.DeltaNetSequenceMixerConfig);
  const [model, s0] = nn.makeWithState(ssm.SSM)(cfg, key);
  assert.deepEqual((model.blocks[0] as ssm.StandardBlock).sequence_mixer.constructor.name, "DeltaNetSequenceMixer");
  const [y] = model.callBatch(np.stack([randomInput(4, 3, 1).x, randomInput(4, 3, 2).x]), s0, { key });
  assert.deepEqual(y.shape, [2, 2]);
  assert.ok(nums(y).every(Number.isFinite));
});
