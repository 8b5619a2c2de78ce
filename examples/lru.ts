/**
 * LRU (linear recurrent unit) — a regression: predict the mean of the first half of a sequence
 * (the second half is noise to ignore), then check that the recurrent form (`callRecurrent`, one
 * step per token) gives the parallel forward's answer.
 *
 *   npx tsx examples/lru.ts               (EXAMPLES_TINY=1: a few steps, for CI)
 */
import { np, random, nn, ssm, type JaxArray } from "linax-ts";

const tiny = process.env.EXAMPLES_TINY === "1";
const [L, B, STEPS] = tiny ? [12, 8, 3] : [32, 32, 200];

function batch(key: random.KeyArray): [JaxArray, JaxArray] {
  const x = random.normal(key, [B, L, 1]);
  return [x, np.mean(x.get(":", `:${L / 2}`, 0), { axis: 1, keepdims: true })];
}

const config = new ssm.LRUConfig({
  numBlocks: 1,
  encoderConfig: new ssm.LinearEncoderConfig({ inFeatures: 1, outFeatures: 16 }),
  sequenceMixerConfig: new ssm.LRUSequenceMixerConfig({ stateDim: 16 }),
  blockConfig: new ssm.StandardBlockConfig({ dropRate: 0 }),
  headConfig: new ssm.RegressionHeadConfig({ outFeatures: 1 }), // reduce: true — mean over time, then Linear
});
let [model, state] = nn.makeWithState(ssm.SSM)(config, random.key(1));
const state0 = nn.cloneState(state);
const opt = nn.optim.adam(3e-3);
let optState = opt.init(nn.filter(model, nn.isInexactArray));
const loss = (m: ssm.SSM, x: JaxArray, y: JaxArray, s: nn.State): [JaxArray, nn.State] => {
  const [pred, s2] = m.callBatch(x, s);
  return [nn.meanSquaredError(pred, y), s2];
};
const step = nn.filterJit((m: ssm.SSM, os: unknown[], x: JaxArray, y: JaxArray, s: nn.State) => {
  const [[l, s2], g] = nn.filterValueAndGrad(loss, { hasAux: true })(m, x, y, s);
  const [u, os2] = opt.update(g, os, nn.filter(m, nn.isInexactArray));
  return [nn.optim.applyUpdates(m, u), os2, l, s2] as const;
});
let key = random.key(2);
for (let i = 1; i <= STEPS; i++) {
  let k: random.KeyArray;
  [key, k] = random.split(key);
  const [x, y] = batch(k);
  let l: JaxArray;
  [model, optState, l, state] = step(model, optState, x, y, nn.cloneState(state0));
  if (i % Math.max(1, Math.floor(STEPS / 5)) === 0) console.log(`step ${i}  mse ${(await l.data())[0].toFixed(4)}`);
}
// Recurrent inference: time-major input [L, B, 1]; the last step's output is the parallel result.
const inf = nn.inference(model);
const [x] = batch(random.key(3));
const [parallel] = inf.callBatch(x, state);
const [ys] = inf.callRecurrent(np.moveaxis(x, 1, 0), state);
const gap = (await np.max(np.abs(ys.get(L - 1).sub(parallel))).data())[0];
console.log(`recurrent vs parallel: max |difference| = ${gap.toExponential(2)}`);
if (!(gap < 1e-4)) throw new Error(`LRU recurrent and parallel forms disagree by ${gap}`);
