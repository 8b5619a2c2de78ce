import { test } from "node:test";
import assert from "node:assert/strict";
import { Array, np, random, treeLeaves, treeMap, ValueError } from "linax-ts";
import * as nn from "@linax-ts/nn";
import * as ssm from "@linax-ts/ssm";
import { assertClose, nums } from "./host-values.ts";
import { modelKnownAnswers, smallConfig, spec12Input, stored } from "./model-known-answers.ts";

const key0 = random.PRNGKey(0);

test("SSMConfig and component configs reject bad fields with clear ValueErrors", () => {
  const mixer = new ssm.S5SequenceMixerConfig({ stateDim: 4 });
  const base = {
    encoderConfig: new ssm.LinearEncoderConfig({ inFeatures: 3, outFeatures: 4 }),
    sequenceMixerConfigs: [mixer, mixer],
    blockConfigs: [new ssm.StandardBlockConfig(), new ssm.StandardBlockConfig()],
    channelMixerConfigs: [new ssm.GLUConfig(), new ssm.GLUConfig()],
    headConfig: new ssm.ClassificationHeadConfig({ outFeatures: 2 }),
  };
  assert.throws(
    () => new ssm.SSMConfig({ ...base, sequenceMixerConfigs: [mixer] }),
    (e: Error) =>
      e instanceof ValueError &&
      /sequenceMixerConfigs and blockConfigs must have same length \(got 1 and 2\)/.test(e.message),
  );
  assert.throws(
    () => new ssm.SSMConfig({ ...base, channelMixerConfigs: [new ssm.GLUConfig()] }),
    /channelMixerConfigs and blockConfigs must have same length/,
  );
  assert.throws(
    () => new ssm.SSMConfig({ ...base, encoderConfig: mixer as never }),
    /SSMConfig: encoderConfig must be a EncoderConfig; got S5SequenceMixerConfig/,
  );
  assert.throws(
    () => new ssm.SSMConfig({ ...base, blockConfigs: [new ssm.StandardBlockConfig(), new ssm.GLUConfig() as never] }),
    /blockConfigs\[1\] must be a BlockConfig; got GLUConfig/,
  );
  assert.throws(
    () => new ssm.SSMConfig({ ...base, headConfig: undefined as never }),
    /headConfig must be a HeadConfig; got undefined/,
  );
  assert.throws(
    () => new ssm.StandardBlockConfig({ dropRate: 1 }),
    /StandardBlockConfig: dropRate must be a number in \[0, 1\); got 1/,
  );
  assert.throws(() => new ssm.StandardBlockConfig({ prenorm: "no" as never }), /prenorm must be a boolean/);
  assert.throws(
    () => new ssm.LinearEncoderConfig({ inFeatures: 3, outFeatures: 0 }),
    /LinearEncoderConfig: outFeatures must be a positive integer; got 0/,
  );
  assert.throws(
    () => new ssm.EmbeddingEncoderConfig({ numClasses: 2.5, outFeatures: 4 }),
    /numClasses must be a positive integer/,
  );
  assert.throws(() => new ssm.ClassificationHeadConfig({ outFeatures: -1 }), /outFeatures must be a positive integer/);
  assert.throws(
    () => new ssm.MLPConfig({ nonLinearity: "softplus" as never }),
    /nonLinearity must be one of relu, gelu, swish, silu, tanh/,
  );
  assert.throws(
    () => new ssm.S5Config({ numBlocks: 0, encoderConfig: base.encoderConfig, headConfig: base.headConfig }),
    /S5Config: numBlocks must be a positive integer; got 0/,
  );
  assert.throws(
    () =>
      new ssm.LinOSSConfig({
        numBlocks: 2,
        encoderConfig: base.encoderConfig,
        headConfig: base.headConfig,
        sequenceMixerConfig: mixer as never,
      }),
    /LinOSSConfig: sequenceMixerConfig must be a LinOSSSequenceMixerConfig; got S5SequenceMixerConfig/,
  );
  // Configs are immutable (ES modules run in strict mode, so assignment throws).
  const cfg = new ssm.SSMConfig(base);
  assert.ok(Object.isFrozen(cfg) && Object.isFrozen(cfg.blockConfigs) && Object.isFrozen(base.blockConfigs[0]));
  assert.throws(() => {
    (cfg as { headConfig: unknown }).headConfig = null;
  }, TypeError);
  // The head's input width comes from the encoder.
  const model = cfg.build(key0);
  assert.equal(model.head instanceof ssm.ClassificationHead && model.head.linear.inFeatures, 4);
  assert.equal(cfg.numBlocks, 2);
  assert.equal(cfg.hiddenDim, 4);
});

test("build uses linax's PRNG rows: encoder keys[0], mixers 1+i, channel mixers 1+n+i, head 3n+1 (SPEC §12 leaves)", () => {
  const model = smallConfig(new ssm.S5SequenceMixerConfig({ stateDim: 4 })).build(key0);
  const enc = model.encoder as ssm.LinearEncoder;
  assertClose(nums(enc.linear.weight).slice(0, 3), [-0.2508934, 0.3326661, -0.1182604], { atol: 1e-6 });
  assert.equal(enc.linear.bias, null);
  const glu = (model.blocks[0] as ssm.StandardBlock).channel_mixer as nn.GLU;
  assertClose(nums(glu.w1.weight).slice(0, 3), [0.4478201, 0.08220422, 0.01319718], { atol: 1e-6 });
  assertClose(nums(glu.w1.bias as Array).slice(0, 3), [-0.4524398, 0.06976604, 0.3909526], { atol: 1e-6 });
  const head = model.head as ssm.ClassificationHead;
  assertClose(nums(head.linear.weight).slice(0, 3), [-0.2221901, -0.05003059, -0.4918543], { atol: 1e-6 });
  assertClose(nums(head.linear.bias as Array), [-0.4860783, 0.2572973], { atol: 1e-6 });
});

const SPEC12: [string, ssm.SequenceMixerConfig, number[]][] = [
  ["S5", new ssm.S5SequenceMixerConfig({ stateDim: 4 }), [-1.251019, -0.337171, -0.707921, -0.678588]],
  [
    "LinOSS damped IMEX",
    new ssm.LinOSSSequenceMixerConfig({ stateDim: 4 }),
    [-0.875676, -0.538848, -0.885012, -0.532235],
  ],
  [
    "LinOSS IM",
    new ssm.LinOSSSequenceMixerConfig({ stateDim: 4, discretization: "IM", damping: false }),
    [-0.758991, -0.631372, -0.860912, -0.549525],
  ],
  [
    "LinOSS IMEX undamped",
    new ssm.LinOSSSequenceMixerConfig({ stateDim: 4, damping: false }),
    [-0.718368, -0.668547, -0.851324, -0.556607],
  ],
  ["LRU", new ssm.LRUSequenceMixerConfig({ stateDim: 4 }), [-1.168498, -0.372272, -0.773727, -0.618579]],
  ["S4D", new ssm.S4DSequenceMixerConfig({ stateDim: 4 }), [-1.208643, -0.35468, -0.741496, -0.647028]],
];

for (const [name, mixer, expected] of SPEC12) {
  test(`${name} model: batched training forward (first BatchNorm call, drop 0) = JAX (SPEC §12)`, () => {
    const model = smallConfig(mixer, { dropRate: 0 }).build(key0);
    const [y, state] = model.callBatch(spec12Input(), new nn.State(model), { key: random.PRNGKey(1) });
    assert.deepEqual(y.shape, [2, 2]);
    assertClose(nums(y), expected, { atol: 2e-5, msg: name });
    // The State comes back unbatched, holding this batch's statistics and first-call = false.
    const bn = (model.blocks[0] as ssm.StandardBlock).norm;
    assert.equal(state.get(bn.emaFirstTimeIndex as nn.StateIndex<Array>).itemBool(), false);
    assert.deepEqual(state.get(bn.emaStateIndex as nn.StateIndex<[Array, Array]>)[0].shape, [4]);
  });
}

test("training (dropout masks, EMA BatchNorm) and inference mode match Equinox, call for call (model-known-answers.json)", () => {
  const ka = modelKnownAnswers();
  const [x1, x2] = [stored(ka.x1), stored(ka.x2)];
  for (const [name, c] of Object.entries(ka.cases)) {
    const mixer =
      c.mixer === "s5"
        ? new ssm.S5SequenceMixerConfig({ stateDim: c.config.state_dim })
        : new ssm.LinOSSSequenceMixerConfig({ stateDim: c.config.state_dim });
    const [model, s0] = nn.makeWithState(ssm.SSM)(
      smallConfig(mixer, { dropRate: c.drop_rate, prenorm: c.prenorm }),
      key0,
    );
    const statsOf = (s: nn.State) =>
      model.blocks.map((b) =>
        s.get((b as ssm.StandardBlock).norm.emaStateIndex as nn.StateIndex<[Array, Array]>).map(nums),
      );
    const [y1, s1] = model.callBatch(x1, s0, { key: random.PRNGKey(1) });
    assertClose(nums(y1), c.y1.data, { atol: 3e-5, msg: `${name} y1` });
    const st1 = statsOf(s1);
    c.stats1.forEach((blk, i) =>
      blk.forEach((a, j) => assertClose(st1[i][j], a.data, { atol: 3e-5, msg: `${name} stats1[${i}][${j}]` })),
    );
    const [y2, s2] = model.callBatch(x2, s1, { key: random.PRNGKey(2) });
    assertClose(nums(y2), c.y2.data, { atol: 3e-5, msg: `${name} y2` });
    const st2 = statsOf(s2);
    c.stats2.forEach((blk, i) =>
      blk.forEach((a, j) => assertClose(st2[i][j], a.data, { atol: 3e-5, msg: `${name} stats2[${i}][${j}]` })),
    );
    const [y3] = nn.inference(model).callBatch(x1, s2, { key: random.PRNGKey(3) });
    assertClose(nums(y3), c.y3.data, { atol: 3e-5, msg: `${name} y3` });
  }
});

test("makeWithState(SSM)(config, key): state keyed by field path, no initial states left in the model, same function", () => {
  const cfg = smallConfig(new ssm.LRUSequenceMixerConfig({ stateDim: 4 }), { dropRate: 0.2 });
  const [model, state] = nn.makeWithState(ssm.SSM)(cfg, key0);
  assert.deepEqual(state.keys(), [
    "SSM.blocks.0.norm.emaFirstTimeIndex",
    "SSM.blocks.0.norm.emaStateIndex",
    "SSM.blocks.1.norm.emaFirstTimeIndex",
    "SSM.blocks.1.norm.emaStateIndex",
  ]);
  assert.ok(ssm.parameterTable(model).every((e) => !e.path.includes(".norm.")));
  const built = cfg.build(key0);
  assert.ok(ssm.parameterTable(built).some((e) => e.path === "blocks.0.norm.ema_state_index.init.0"));
  const x = spec12Input();
  const [ya] = model.callBatch(x, state, { key: random.PRNGKey(4) });
  const [yb] = built.callBatch(x, new nn.State(built), { key: random.PRNGKey(4) });
  assert.deepEqual(nums(ya), nums(yb));
});

/** Mean negative log-likelihood of a batch, returning the new State as aux. */
function nll(m: ssm.SSM, x: Array, y: Array, s: nn.State, k: Array): [Array, nn.State] {
  const [logp, s2] = m.callBatch(x, s, { key: k });
  return [nn.softmaxCrossEntropyWithIntegerLabels(logp, y), s2];
}

test("jit, vmap and grad work on the whole SSM (training mode with dropout and BatchNorm)", () => {
  const [model, s0] = nn.makeWithState(ssm.SSM)(
    smallConfig(new ssm.S5SequenceMixerConfig({ stateDim: 4 }), { dropRate: 0.1 }),
    key0,
  );
  const x = spec12Input();
  const labels = np.array([1, 0], { dtype: "int32" });
  const k = random.PRNGKey(5);
  // jit: the same numbers as eager, one trace for repeated calls.
  let traces = 0;
  const fwd = nn.filterJit((m: ssm.SSM, xb: Array, s: nn.State, kk: Array) => {
    traces++;
    return m.callBatch(xb, s, { key: kk });
  });
  const [ye, se] = model.callBatch(x, nn.cloneState(s0), { key: k });
  const [yj, sj] = fwd(model, x, nn.cloneState(s0), k);
  fwd(model, x, nn.cloneState(s0), k);
  assert.equal(traces, 1);
  assertClose(nums(yj), nums(ye), { atol: 1e-6 });
  assertClose(nums((sj.values()[1] as Array[])[0]), nums((se.values()[1] as Array[])[0]), { atol: 1e-6 });
  // vmap in inference mode needs no axis name: equal to calling each example.
  const inf = nn.inference(model);
  const [, sTrained] = model.callBatch(x, nn.cloneState(s0), { key: k });
  const yv = nn.filterVmap((xi: Array) => inf.call(xi, nn.cloneState(sTrained))[0])(x);
  for (let b = 0; b < 2; b++)
    assertClose(nums(yv.get(b)), nums(inf.call(x.get(b), nn.cloneState(sTrained))[0]), { atol: 1e-6 });
  // grad: every float leaf gets a finite gradient; the directional derivative matches a central difference.
  const vg = nn.filterValueAndGrad(nll, { hasAux: true });
  const [[loss], g] = vg(model, x, labels, nn.cloneState(s0), k) as unknown as [[Array, nn.State], ssm.SSM];
  const table = ssm.parameterTable(g);
  assert.deepEqual(
    table.map((e) => e.path),
    ssm.parameterTable(model).map((e) => e.path),
  );
  assert.equal(table.length, 23);
  let sq = 0;
  for (const [, leaf] of treeArrays(g)) {
    const v = nums(leaf);
    assert.ok(v.every(Number.isFinite));
    sq += v.reduce((a, b) => a + b * b, 0);
  }
  assert.ok(sq > 0);
  const eps = 1e-3;
  const shifted = (sign: number) => nn.optim.applyUpdates(model, scaleTree(g, sign * eps)) as ssm.SSM;
  const lp = nll(shifted(1), x, labels, nn.cloneState(s0), k)[0].item();
  const lm = nll(shifted(-1), x, labels, nn.cloneState(s0), k)[0].item();
  const fd = (lp - lm) / (2 * eps);
  assert.ok(Math.abs(fd - sq) <= 0.03 * sq + 1e-3, `directional derivative ${fd} vs |g|² ${sq}`);
  // jit(grad) = grad.
  const gj = nn.filterJit((m: ssm.SSM, xb: Array, yb: Array, s: nn.State, kk: Array) => vg(m, xb, yb, s, kk))(
    model,
    x,
    labels,
    nn.cloneState(s0),
    k,
  ) as unknown as [[Array, nn.State], ssm.SSM];
  assertClose([gj[0][0].item()], [loss.item()], { atol: 1e-6 });
  const a = treeArrays(g);
  treeArrays(gj[1]).forEach(([p, leaf], i) =>
    assertClose(nums(leaf), nums(a[i][1]), { atol: 1e-5, rtol: 1e-4, msg: p }),
  );
});

/** `[path, array]` of every array leaf (null gradients of non-float leaves are skipped by treeLeaves). */
function treeArrays(t: unknown): [string, Array][] {
  const table = ssm.parameterTable(t);
  const leaves = treeLeaves(t).filter((l): l is Array => l instanceof Array);
  assert.equal(leaves.length, table.length);
  return leaves.map((l, i) => [table[i].path, l]);
}

function scaleTree<T>(t: T, s: number): T {
  return treeMap((l: unknown) => (l as Array).mul(s), t) as T;
}
