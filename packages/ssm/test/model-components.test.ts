import { test } from "node:test";
import assert from "node:assert/strict";
import { Array, np, random, ShapeError } from "linax-ts";
import * as nn from "@linax-ts/nn";
import * as ssm from "@linax-ts/ssm";
import { assertClose, nums, randomInput } from "./host-values.ts";
import { smallConfig, spec12Input } from "./model-known-answers.ts";

const key = random.PRNGKey(4);
const x4 = randomInput(6, 4, 1).x; // [L=6, H=4]
const noState = undefined as unknown as nn.State; // heads and encoders pass the state through untouched

test("channel mixers: GLU = w1(x)·σ(w2(x)); MLP = act(linear(x)); SwiGLU = down(silu(gate x)·up x); Identity; all accept [..., H]", () => {
  const [k1, k2, k3] = nn.splitKey(key, 3);
  const glu = new ssm.GLUConfig().build(4, null, key);
  const ref = new nn.Linear(4, 4, { key: k1 }).call(x4).mul(nn.sigmoid(new nn.Linear(4, 4, { key: k2 }).call(x4)));
  assertClose(nums(glu.call(x4)), nums(ref), { atol: 1e-6 });
  assert.equal(new ssm.GLUConfig({ useBias: false }).build(4, 3, key).w1.bias, null);
  assert.deepEqual(new ssm.GLUConfig().build(4, 3, key).call(x4).shape, [6, 3]);

  for (const act of ["relu", "gelu", "swish", "silu", "tanh"] as const) {
    const mlp = new ssm.MLPConfig({ nonLinearity: act }).build(4, null, key);
    assert.equal(mlp.linear.bias, null, "linax's MLP has no bias by default");
    const lin = new nn.Linear(4, 4, { key, useBias: false }).call(x4);
    const want = { relu: nn.relu, gelu: (v: Array) => nn.gelu(v), swish: nn.silu, silu: nn.silu, tanh: nn.tanh }[act](
      lin,
    );
    assertClose(nums(mlp.call(x4)), nums(want), { atol: 1e-6, msg: act });
  }
  // GELU is JAX's default tanh approximation, not the exact erf form.
  const g = nums(new ssm.MLPConfig().build(4, null, key).call(x4));
  const lin = nums(new nn.Linear(4, 4, { key, useBias: false }).call(x4));
  assertClose(
    g,
    lin.map((v) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3)))),
    { atol: 1e-6 },
  );

  const swi = new ssm.SwiGLUConfig().build(4, 7, key);
  assert.deepEqual(swi.gate_proj.weight.shape, [256, 4], "I = 256·ceil(floor(4·4·2/3)/256) = 256; outFeatures ignored");
  assert.equal(new ssm.SwiGLUConfig().intermediateFor(48), 256);
  assert.equal(new ssm.SwiGLUConfig({ hiddenRatio: 8 }).intermediateFor(100), 768);
  const small = new ssm.SwiGLUConfig({ intermediateDim: 5 }).build(4, null, key);
  const want = new nn.Linear(5, 4, { key: k3, useBias: false }).call(
    nn
      .silu(new nn.Linear(4, 5, { key: k1, useBias: false }).call(x4))
      .mul(new nn.Linear(4, 5, { key: k2, useBias: false }).call(x4)),
  );
  assertClose(nums(small.call(x4)), nums(want), { atol: 1e-6 });

  const id = new ssm.IdentityConfig().build(4, null, key);
  assert.equal(id.call(x4), x4);
  assert.deepEqual(ssm.parameterTable(id), []);
  assert.throws(() => new ssm.IdentityConfig().build(4, 5, key), ShapeError);
});

test("heads: classification = logSoftmax(linear(mean_t x)); regression = linear(mean_t x); reduce: false works per step", () => {
  const cls = new ssm.ClassificationHeadConfig({ outFeatures: 3 }).build(4, key);
  const lin = new nn.Linear(4, 3, { key });
  assertClose(nums(cls.call(x4, noState)[0]), nums(nn.logSoftmax(lin.call(np.mean(x4, { axis: 0 })))), { atol: 1e-6 });
  const perStep = new ssm.ClassificationHeadConfig({ outFeatures: 3, reduce: false }).build(4, key);
  const [y] = perStep.call(x4, noState);
  assert.deepEqual(y.shape, [6, 3]);
  assertClose(nums(y.get(2)), nums(nn.logSoftmax(lin.call(x4.get(2)))), { atol: 1e-6 });
  const reg = new ssm.RegressionHeadConfig({ outFeatures: 2 }).build(4, key);
  assertClose(nums(reg.call(x4, noState)[0]), nums(new nn.Linear(4, 2, { key }).call(np.mean(x4, { axis: 0 }))), {
    atol: 1e-6,
  });
  assert.deepEqual(
    new ssm.RegressionHeadConfig({ outFeatures: 2, reduce: false }).build(4, key).call(x4, noState)[0].shape,
    [6, 2],
  );
  assert.throws(() => cls.call(np.zeros([6, 5]), noState), /expected one hidden sequence of shape \[L, 4\]/);
});

test("encoders: Linear (no bias by default) per time step; Embedding looks up rows of a normal(key) table", () => {
  const lin = new ssm.LinearEncoderConfig({ inFeatures: 4, outFeatures: 3 }).build(key);
  assert.equal(lin.linear.bias, null);
  assert.equal(lin.outFeatures, 3);
  assertClose(nums(lin.call(x4, noState)[0]), nums(np.matmul(x4, np.transpose(lin.linear.weight))), { atol: 1e-6 });
  assert.throws(() => lin.call(np.zeros([4]), noState), ShapeError);
  assert.ok(
    new ssm.LinearEncoderConfig({ inFeatures: 4, outFeatures: 3, useBias: true }).build(key).linear.bias instanceof
      Array,
  );
  const emb = new ssm.EmbeddingEncoderConfig({ numClasses: 5, outFeatures: 3 }).build(key);
  assertClose(nums(emb.embedding.weight), nums(random.normal(key, [5, 3])), { atol: 0 });
  const [e] = emb.call(np.array([4, 0, 4], { dtype: "int32" }), noState);
  assert.deepEqual(nums(e.get(0)), nums(emb.embedding.weight.get(4)));
  assert.throws(() => emb.call(np.zeros([3]), noState), /token ids must be int32/);
});

test("high-level configs repeat one mixer/block/channel config numBlocks times and build exactly what SSMConfig builds", () => {
  const enc = new ssm.LinearEncoderConfig({ inFeatures: 3, outFeatures: 4 });
  const head = new ssm.ClassificationHeadConfig({ outFeatures: 2 });
  const s5 = new ssm.S5SequenceMixerConfig({ stateDim: 4 });
  const hi = new ssm.S5Config({
    numBlocks: 2,
    encoderConfig: enc,
    headConfig: head,
    sequenceMixerConfig: s5,
    blockConfig: new ssm.StandardBlockConfig({ dropRate: 0 }),
  });
  assert.equal(hi.sequenceMixerConfigs[0], hi.sequenceMixerConfigs[1]);
  assert.ok(Object.isFrozen(hi));
  const a = hi.build(key);
  const b = smallConfig(s5, { dropRate: 0 }).build(key);
  const leaves = (m: ssm.SSM) => ssm.parameterTable(m).map((e) => e.path);
  assert.deepEqual(leaves(a), leaves(b));
  const x = spec12Input();
  assert.deepEqual(nums(a.callBatch(x, new nn.State(a))[0]), nums(b.callBatch(x, new nn.State(b))[0]));
  // Same config, different PRNG rows: the blocks' weights differ.
  const blk = (m: ssm.SSM, i: number) =>
    nums(((m.blocks[i] as ssm.StandardBlock).sequence_mixer as ssm.S5SequenceMixer).D);
  assert.notDeepEqual(blk(a, 0), blk(a, 1));
  // linax's defaults.
  const lru = new ssm.LRUConfig({ numBlocks: 1, encoderConfig: enc, headConfig: head });
  assert.equal(lru.sequenceMixerConfig.stateDim, 64);
  assert.ok(
    lru.blockConfig instanceof ssm.StandardBlockConfig && lru.blockConfig.dropRate === 0.1 && lru.blockConfig.prenorm,
  );
  assert.ok(lru.channelMixerConfig instanceof ssm.GLUConfig && lru.channelMixerConfig.useBias);
  assert.equal(new ssm.LinOSSConfig({ numBlocks: 3, encoderConfig: enc, headConfig: head }).numBlocks, 3);
  const s4d = new ssm.S4DConfig({
    numBlocks: 2,
    encoderConfig: enc,
    headConfig: head,
    sequenceMixerConfig: new ssm.S4DSequenceMixerConfig({ stateDim: 4 }),
  });
  const [m, st] = nn.makeWithState(ssm.SSM)(s4d, key);
  assert.deepEqual(m.callBatch(x, st, { key: random.PRNGKey(0) })[0].shape, [2, 2]);
});

test("a model with a regression head, an MLP and a SwiGLU channel mixer and post-norm runs end to end", () => {
  const enc = new ssm.LinearEncoderConfig({ inFeatures: 3, outFeatures: 4 });
  const cfg = new ssm.SSMConfig({
    encoderConfig: enc,
    sequenceMixerConfigs: [
      new ssm.LRUSequenceMixerConfig({ stateDim: 4 }),
      new ssm.S5SequenceMixerConfig({ stateDim: 4 }),
    ],
    blockConfigs: [new ssm.StandardBlockConfig({ prenorm: false }), new ssm.StandardBlockConfig()],
    channelMixerConfigs: [new ssm.MLPConfig({ nonLinearity: "relu" }), new ssm.SwiGLUConfig({ intermediateDim: 8 })],
    headConfig: new ssm.RegressionHeadConfig({ outFeatures: 1 }),
  });
  const [model, state] = nn.makeWithState(ssm.SSM)(cfg, key);
  const [y, s2] = model.callBatch(spec12Input(), state, { key: random.PRNGKey(1) });
  assert.deepEqual(y.shape, [2, 1]);
  assert.ok(nums(y).every(Number.isFinite));
  assert.deepEqual(s2.keys().length, 4);
  // Training mode needs the named batch axis (BatchNorm), as in linax.
  assert.throws(() => model.call(spec12Input().get(0), nn.cloneState(s2), { key: random.PRNGKey(1) }), /batch/);
});
