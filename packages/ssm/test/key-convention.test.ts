/**
 * One key convention across ssm (nn's, see packages/nn/src/call-options.ts): the PRNG key is the
 * `key` field of every call's trailing options object. A key passed positionally — linax's
 * `mixer(x, key)` / `model(x, state, key)` habit — raises a ValueError naming the module and
 * `{ key }` instead of being silently ignored; `{ key }` and `{ inference }` do what they say.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { np, random, ValueError, type Array } from "linax-ts";
import * as nn from "@linax-ts/nn";
import * as ssm from "@linax-ts/ssm";
import { assertClose, nums, randomInput } from "./host-values.ts";
import { smallConfig, spec12Input } from "./model-known-answers.ts";

const key = random.PRNGKey(7);
const typedKey = random.key(7);
/** The error a positional key must give (either kind of key). */
const positional = (op: string) => (e: unknown) =>
  e instanceof ValueError && e.message.startsWith(`${op}: got a PRNG key where the `) && e.message.includes("{ key }");
/** Bypasses the static types the way untyped (JS) callers would. */
const asAny = <T>(v: unknown): T => v as T;

test("every sequence mixer: call(x, { key }) = call(x); a positional key (raw or typed) is a ValueError", () => {
  const mixers: [string, ssm.SequenceMixerConfig][] = [
    ["S5SequenceMixer", new ssm.S5SequenceMixerConfig({ stateDim: 4 })],
    ["LinOSSSequenceMixer", new ssm.LinOSSSequenceMixerConfig({ stateDim: 3 })],
    ["LRUSequenceMixer", new ssm.LRUSequenceMixerConfig({ stateDim: 3 })],
    ["S4DSequenceMixer", new ssm.S4DSequenceMixerConfig({ stateDim: 4 })],
    ["Mamba", new ssm.MambaConfig({ dState: 3, convKer: 3, chunkSize: 4 })],
    ["Mamba2", new ssm.Mamba2Config({ dState: 4, headDim: 2, chunkSize: 4 })],
    ["DeltaNetSequenceMixer", new ssm.DeltaNetSequenceMixerConfig({ nHeads: 2 })],
    ["IdentitySequenceMixer", new ssm.IdentitySequenceMixerConfig()],
  ];
  const x = randomInput(5, 4, 3).x;
  for (const [name, cfg] of mixers) {
    const m = cfg.build(4, random.PRNGKey(1));
    assert.equal(m.constructor.name, name);
    // No mixer is stochastic: the key changes nothing, bit for bit.
    assert.deepEqual(nums(m.call(x, { key })), nums(m.call(x)), name);
    assert.deepEqual(nums(m.call(x, { key: typedKey, inference: true })), nums(m.call(x)), name);
    assert.throws(() => m.call(x, asAny(key)), positional(`${name}.call`), name);
    assert.throws(() => m.call(x, asAny(typedKey)), positional(`${name}.call`), name);
  }
  // The standalone Mamba blocks' callBatch takes the same options.
  const mb = new ssm.MambaConfig({ dState: 3, convKer: 3, chunkSize: 4 }).build(4, random.PRNGKey(2));
  const xb = np.stack([x, x]);
  assert.deepEqual(nums(mb.callBatch(xb, { key })), nums(mb.callBatch(xb)));
  assert.throws(() => mb.callBatch(xb, asAny(key)), positional("Mamba.callBatch"));
  const mb2 = new ssm.Mamba2Config({ dState: 4, headDim: 2, chunkSize: 4 }).build(4, random.PRNGKey(3));
  assert.throws(() => mb2.callBatch(xb, asAny(key)), positional("Mamba2.callBatch"));
});

test("SSM.call / callBatch / blocks: { key } drives dropout, a positional key is an error, { inference } = nn.inference", () => {
  const [model, s0] = nn.makeWithState(ssm.SSM)(
    smallConfig(new ssm.S5SequenceMixerConfig({ stateDim: 4 }), { dropRate: 0.5 }),
    random.PRNGKey(0),
  );
  const x = spec12Input(); // [2, 5, 3]
  // Training with the same key is deterministic; another key draws other dropout masks.
  const [y1] = model.callBatch(x, nn.cloneState(s0), { key });
  const [y2] = model.callBatch(x, nn.cloneState(s0), { key });
  const [y3] = model.callBatch(x, nn.cloneState(s0), { key: random.PRNGKey(8) });
  assert.deepEqual(nums(y1), nums(y2));
  assert.ok(
    nums(y1).some((v, i) => Math.abs(v - nums(y3)[i]) > 1e-4),
    "a different key must change the dropout masks",
  );
  // Dropout in training mode needs the key and says how to pass it.
  assert.throws(
    () => model.callBatch(x, nn.cloneState(s0)),
    /Dropout: a `key` is required in training mode \(pass \{ key \}/,
  );
  // The old positional forms raise, naming the method (before they meant "key" or were dropped).
  assert.throws(() => model.callBatch(x, nn.cloneState(s0), asAny(key)), positional("SSM.callBatch"));
  assert.throws(() => model.call(x.get(0), nn.cloneState(s0), asAny(key)), positional("SSM.call"));
  assert.throws(() => model.call(x.get(0), asAny(key)), positional("SSM.call"));
  const block = model.blocks[0] as ssm.StandardBlock;
  const h = randomInput(5, 4, 9).x;
  assert.throws(() => block.call(h, nn.cloneState(s0), asAny(key)), positional("StandardBlock.call"));
  assert.throws(() => block.call(h, asAny(key)), positional("StandardBlock.call"));
  // { inference: true } per call equals the inference-mode model (dropout off, running statistics).
  const [, trained] = model.callBatch(x, nn.cloneState(s0), { key });
  const [yInf] = nn.inference(model).callBatch(x, nn.cloneState(trained));
  const [yOpt, sOpt] = model.callBatch(x, nn.cloneState(trained), { inference: true, key });
  assertClose(nums(yOpt), nums(yInf), { atol: 0 });
  // Inference leaves the running statistics alone.
  const statIdx = block.norm.emaStateIndex as nn.StateIndex<[Array, Array]>;
  assert.deepEqual(nums(sOpt.get(statIdx)[0]), nums(nn.cloneState(trained).get(statIdx)[0]));
});

test("heads, encoders and channel mixers accept { key } and reject a positional key", () => {
  const noState = new nn.State(new nn.Identity());
  const x = randomInput(5, 4, 4).x;
  const head = new ssm.ClassificationHeadConfig({ outFeatures: 2 }).build(4, random.PRNGKey(1));
  assert.deepEqual(nums(head.call(x, noState, { key })[0]), nums(head.call(x, noState)[0]));
  assert.throws(() => head.call(x, noState, asAny(key)), positional("ClassificationHead.call"));
  assert.throws(() => head.call(x, asAny(key)), positional("ClassificationHead.call"));
  const enc = new ssm.LinearEncoderConfig({ inFeatures: 4, outFeatures: 3 }).build(random.PRNGKey(2));
  assert.deepEqual(nums(enc.call(x, noState, { key })[0]), nums(enc.call(x, noState)[0]));
  assert.throws(() => enc.call(x, noState, asAny(key)), positional("LinearEncoder.call"));
  assert.throws(() => enc.call(x, asAny(key)), positional("LinearEncoder.call"));
  for (const cfg of [
    new ssm.GLUConfig(),
    new ssm.MLPConfig(),
    new ssm.SwiGLUConfig({ intermediateDim: 3 }),
    new ssm.IdentityConfig(),
  ]) {
    const cm = cfg.build(4, null, random.PRNGKey(3));
    assert.deepEqual(nums(cm.call(x, { key })), nums(cm.call(x)), cm.constructor.name);
    assert.throws(() => cm.call(x, asAny(key)), positional(`${cm.constructor.name}.call`));
  }
});

test("SSTransformer and S4D (lrnnx-style) take the key the same way", () => {
  const m = ssm.SSTransformer.build(
    { embedDim: 3, hiddenSize: 4, numLayers: 1, numHeads: 1, headDim: 2, stateSize: 2, dropout: 0.5 },
    random.PRNGKey(0),
  );
  const x = spec12Input();
  const train = nums(m.call(x, { key }));
  assert.deepEqual(train, nums(m.call(x, { key })));
  assert.notDeepEqual(
    train,
    nums(m.call(x)),
    "with a key and dropout 0.5 the output must differ from the deterministic one",
  );
  assert.throws(() => m.call(x, asAny(key)), positional("SSTransformer.call"));
  assert.throws(() => m.sequence(x, asAny(key)), positional("SSTransformer.sequence"));
  assert.throws(() => m.blocks[0].call(m.input_proj!.call(x), asAny(key)), positional("SSTBlock.call"));
  assert.throws(() => m.call(x, asAny({ keys: key })), /SSTransformer.call: unknown option "keys"/);
  const s4 = new ssm.S4D({ dModel: 4, dState: 8, transposed: false, key });
  assert.throws(() => s4.forward(np.stack([randomInput(5, 4, 1).x]), asAny(key)), positional("S4D.forward"));
});
