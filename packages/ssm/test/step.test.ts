import { test } from "node:test";
import assert from "node:assert/strict";
import { type Array, np, random, ValueError } from "linax-ts";
import * as nn from "@linax-ts/nn";
import * as ssm from "@linax-ts/ssm";
import { assertClose, maxAbs, nums, randomInput } from "./host-values.ts";
import { smallConfig } from "./model-known-answers.ts";

const MIXERS: [string, ssm.SequenceMixerConfig][] = [
  ["S5", new ssm.S5SequenceMixerConfig({ stateDim: 6 })],
  ["LinOSS", new ssm.LinOSSSequenceMixerConfig({ stateDim: 5 })],
  ["LRU", new ssm.LRUSequenceMixerConfig({ stateDim: 5, rMin: 0.5, rMax: 0.95 })],
  ["S4D", new ssm.S4DSequenceMixerConfig({ stateDim: 6, dtMin: 0.05, dtMax: 0.5 })],
];

const B = 2;
const L = 9;

/** A batch `[B, L, 3]` of deterministic inputs. */
function batchInput(seed: number): Array {
  return np.stack([0, 1].map((b) => randomInput(L, 3, seed + b).x));
}

/**
 * A model with trained-looking BatchNorm statistics: two training calls (first call, then EMA
 * blending), so the running statistics the recurrent step must use are non-trivial.
 */
function trainedModel(cfg: ssm.SSMConfig): [ssm.SSM, nn.State] {
  const [model, s0] = nn.makeWithState(ssm.SSM)(cfg, random.PRNGKey(3));
  const [, s1] = model.callBatch(batchInput(100), s0, { key: random.PRNGKey(1) });
  const [, s2] = model.callBatch(batchInput(200), s1, { key: random.PRNGKey(2) });
  return [nn.inference(model), s2];
}

/** Runs `model.step` over time axis 1 of `x: [B, L, ...]`, returning the per-step outputs `[L, B, out]` and the last cache. */
function stepLoop(model: ssm.SSM, x: Array, state: nn.State): [Array[], ssm.SSMCache] {
  let cache = model.initCache([x.shape[0]], state);
  const ys: Array[] = [];
  for (let t = 0; t < x.shape[1]; t++) {
    const [yt, c] = model.step(x.get(":", t), cache);
    ys.push(yt);
    cache = c;
  }
  return [ys, cache];
}

for (const [name, mixer] of MIXERS) {
  test(`${name} model: a step loop over the sequence = the parallel forward in inference mode (reducing head → running mean)`, () => {
    const [model, state] = trainedModel(smallConfig(mixer, { dropRate: 0.1 }));
    const x = batchInput(7);
    const [y] = model.callBatch(x, nn.cloneState(state));
    const [ys] = stepLoop(model, x, state);
    assert.deepEqual(ys[L - 1].shape, [B, 2]);
    assertClose(nums(ys[L - 1]), nums(y), { atol: 2e-5, rtol: 1e-4, msg: name });
    // Earlier steps are the prediction for the prefix: the parallel forward on x[:, :t+1].
    const t = 3;
    const [yPrefix] = model.callBatch(x.get(":", np.arange(0, t + 1)), nn.cloneState(state));
    assertClose(nums(ys[t]), nums(yPrefix), { atol: 2e-5, rtol: 1e-4, msg: `${name} prefix` });
  });
}

test("per-step head (reduce: false) with post-norm: every step's output = the parallel forward's row", () => {
  for (const [name, mixer] of MIXERS) {
    const [model, state] = trainedModel(smallConfig(mixer, { dropRate: 0.3, prenorm: false }, { reduce: false }));
    const x = batchInput(11);
    const [y] = model.callBatch(x, nn.cloneState(state));
    assert.deepEqual(y.shape, [B, L, 2]);
    const [ys] = stepLoop(model, x, state);
    const stepped = np.stack(ys, { axis: 1 });
    const scale = maxAbs(nums(y));
    assertClose(nums(stepped), nums(y), { atol: 2e-5 * Math.max(1, scale), rtol: 1e-4, msg: name });
  }
});

test("callRecurrent (lax.scan of step) under jit = the step loop; caches are pytrees, step is pure; any batch shape", () => {
  const [model, state] = trainedModel(
    smallConfig(new ssm.S5SequenceMixerConfig({ stateDim: 4 }), { dropRate: 0 }, { reduce: false }),
  );
  const x = batchInput(5);
  const [ys] = stepLoop(model, x, state);
  const run = nn.filterJit((m: ssm.SSM, xs: Array, c: ssm.SSMCache) => m.callRecurrent(xs, c));
  const cache0 = model.initCache([B], state);
  const [yr, cN] = run(model, np.transpose(x, [1, 0, 2]), cache0);
  assert.deepEqual(yr.shape, [L, B, 2]);
  assertClose(nums(yr), nums(np.stack(ys)), { atol: 1e-5 });
  assert.deepEqual(Object.keys(cN.head), [], "a per-step head keeps no cache");
  // The state works too (the cache is made from it); a carried cache continues the sequence.
  const xt = np.transpose(x, [1, 0, 2]);
  const [ya, ca] = model.callRecurrent(xt.get(np.arange(0, 4)), state);
  const [yb] = model.callRecurrent(xt.get(np.arange(4, L)), ca);
  assertClose(nums(np.concatenate([ya, yb])), nums(yr), { atol: 1e-5 });
  // Purity: the same cache stepped twice gives the same result.
  const [y1] = model.step(xt.get(0), cache0);
  const [y2] = model.step(xt.get(0), cache0);
  assert.deepEqual(nums(y1), nums(y2));
  // One sequence (batch shape []) and a 2-D batch shape.
  const single = model.initCache([], state);
  const [ys1] = model.step(x.get(0, 0), single);
  assert.deepEqual(ys1.shape, [2]);
  assertClose(nums(ys1), nums(ys[0].get(0)), { atol: 1e-6 });
  const grid = model.initCache([2, 3], state);
  const [yg] = model.step(np.zeros([2, 3, 3]), grid);
  assert.deepEqual(yg.shape, [2, 3, 2]);
});

test("reducing head: the cache keeps a running mean and count per sequence", () => {
  const [model, state] = trainedModel(smallConfig(new ssm.LRUSequenceMixerConfig({ stateDim: 4 }), { dropRate: 0 }));
  const [, cache] = stepLoop(model, batchInput(9), state);
  assert.deepEqual(Object.keys(cache.head).sort(), ["count", "mean"]);
  assert.deepEqual(nums(cache.head.count), [L, L]);
  assert.deepEqual(cache.head.mean.shape, [B, 4]);
  assert.equal(cache.blocks.length, 2);
  assert.deepEqual(cache.blocks[0].norm[0].shape, [4]);
});

test("an embedding-encoder model steps on token ids; initCache without the State is a clear error", () => {
  const mixer = new ssm.LinOSSSequenceMixerConfig({ stateDim: 4 });
  const cfg = new ssm.LinOSSConfig({
    numBlocks: 2,
    encoderConfig: new ssm.EmbeddingEncoderConfig({ numClasses: 5, outFeatures: 4 }),
    headConfig: new ssm.ClassificationHeadConfig({ outFeatures: 5, reduce: false }),
    sequenceMixerConfig: mixer,
  });
  const [m0, s0] = nn.makeWithState(ssm.SSM)(cfg, random.PRNGKey(0));
  const tokens = np.array(
    [
      [0, 3, 1, 4, 2, 2],
      [4, 4, 0, 1, 3, 0],
    ],
    { dtype: "int32" },
  );
  const [, state] = m0.callBatch(tokens, s0, { key: random.PRNGKey(1) });
  const model = nn.inference(m0);
  const [y] = model.callBatch(tokens, nn.cloneState(state));
  assert.deepEqual(y.shape, [2, 6, 5]);
  const [yr] = model.callRecurrent(np.transpose(tokens), state);
  assertClose(nums(np.transpose(yr, [1, 0, 2])), nums(y), { atol: 2e-5 });
  assert.throws(
    () => model.initCache([2]),
    (e: Error) => e instanceof ValueError && /pass the model's State/.test(e.message),
  );
});
