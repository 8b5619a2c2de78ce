/**
 * Mamba (selective state spaces) as a character-level language model: an embedding encoder, Mamba
 * blocks, a per-step classification head (`reduce: false`: log-probabilities of the next
 * character at every position). Train on a tiny text, then generate with the recurrent `step`
 * API — one token at a time, O(1) work per token, the cache carried explicitly.
 *
 *   npx tsx examples/mamba.ts             (EXAMPLES_TINY=1: a few steps, for CI)
 */
import { np, random, nn, ssm, type JaxArray } from "linax-ts";

const tiny = process.env.EXAMPLES_TINY === "1";
const [L, B, STEPS, GEN] = tiny ? [12, 4, 3, 12] : [32, 16, 300, 80];
const text = "the quick brown fox jumps over the lazy dog. ".repeat(20);
const vocab = [...new Set(text)].sort();
const ids = Int32Array.from(text, (c) => vocab.indexOf(c));

const config = new ssm.MambaSSMConfig({
  numBlocks: 2,
  encoderConfig: new ssm.EmbeddingEncoderConfig({ numClasses: vocab.length, outFeatures: 32 }),
  sequenceMixerConfig: new ssm.MambaConfig({ dState: 8, expand: 2 }),
  blockConfig: new ssm.StandardBlockConfig({ dropRate: 0 }),
  headConfig: new ssm.ClassificationHeadConfig({ outFeatures: vocab.length, reduce: false }),
});
let [model, state] = nn.makeWithState(ssm.SSM)(config, random.key(0));
const state0 = nn.cloneState(state);
console.log(`Mamba LM: ${nn.countParams(model)} parameters, vocabulary of ${vocab.length}`);

/** B windows of L+1 characters at random offsets: inputs and next-character targets. */
function batch(key: random.KeyArray): [JaxArray, JaxArray] {
  const starts = random.randint(key, [B], 0, ids.length - L - 1).dataSync() as Int32Array;
  const w = np
    .array(
      Int32Array.from({ length: B * (L + 1) }, (_, i) => ids[starts[Math.floor(i / (L + 1))] + (i % (L + 1))]),
      { dtype: "int32" },
    )
    .reshape([B, L + 1]);
  return [w.get(":", ":-1"), w.get(":", "1:")];
}
const opt = nn.optim.adam(3e-3);
let optState = opt.init(nn.filter(model, nn.isInexactArray));
const loss = (m: ssm.SSM, x: JaxArray, y: JaxArray, s: nn.State): [JaxArray, nn.State] => {
  const [logp, s2] = m.callBatch(x, s); // [B, L, vocab]
  return [nn.softmaxCrossEntropyWithIntegerLabels(logp, y), s2];
};
const step = nn.filterJit((m: ssm.SSM, os: unknown[], x: JaxArray, y: JaxArray, s: nn.State) => {
  const [[l, s2], g] = nn.filterValueAndGrad(loss, { hasAux: true })(m, x, y, s);
  const [u, os2] = opt.update(g, os, nn.filter(m, nn.isInexactArray));
  return [nn.optim.applyUpdates(m, u), os2, l, s2] as const;
});
let key = random.key(1);
for (let i = 1; i <= STEPS; i++) {
  let k: random.KeyArray;
  [key, k] = random.split(key);
  const [x, y] = batch(k);
  let l: JaxArray;
  [model, optState, l, state] = step(model, optState, x, y, nn.cloneState(state0));
  if (i % Math.max(1, Math.floor(STEPS / 5)) === 0) console.log(`step ${i}  loss ${(await l.data())[0].toFixed(3)}`);
}

// Generation: feed a prompt, then sample each next character from the step's log-probabilities.
const inf = nn.inference(model);
const next = inf.recurrence();
let cache = inf.initCache([1], state);
let out = "the ";
let logp: JaxArray = np.zeros([1, vocab.length]);
for (const c of out) [logp, cache] = next(np.array([vocab.indexOf(c)], { dtype: "int32" }), cache);
let gkey = random.key(2);
for (let t = 0; t < GEN; t++) {
  let k: random.KeyArray;
  [gkey, k] = random.split(gkey);
  const id = (await random.categorical(k, logp.mul(2)).data())[0]; // temperature 0.5
  out += vocab[id];
  [logp, cache] = next(np.array([id], { dtype: "int32" }), cache);
}
console.log(`generated: ${JSON.stringify(out)}`);
