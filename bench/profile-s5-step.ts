/**
 * Profiling harness (not a benchmark): linax's default S5 train step (4 blocks, H128, state 64,
 * batch 32, L28, 28 features, 10 classes, adam), timed per step. Use with `node --cpu-prof`.
 *   tsx bench/profile-s5-step.ts [steps]
 */
import { np, random, nn, ssm, type Array } from "linax-ts";

const STEPS = Number(process.argv[2] ?? 5);
const [B, L, F, H] = [32, 28, 28, 128];
const config = new ssm.S5Config({
  numBlocks: 4,
  encoderConfig: new ssm.LinearEncoderConfig({ inFeatures: F, outFeatures: H }),
  sequenceMixerConfig: new ssm.S5SequenceMixerConfig({ stateDim: 64 }),
  blockConfig: new ssm.StandardBlockConfig({ dropRate: 0.1 }),
  headConfig: new ssm.ClassificationHeadConfig({ outFeatures: 10 }),
});
const [mk, dk] = random.split(random.key(0));
const [model0, state0] = nn.makeWithState(ssm.SSM)(config, mk);
console.log(`params ${nn.countParams(model0)}`);
const opt = nn.optim.adam(1e-3);
const loss = (m: ssm.SSM, x: Array, y: Array, s: nn.State, key: nn.PRNGKey): [Array, nn.State] => {
  const [logp, s2] = m.callBatch(x, s, key);
  return [nn.softmaxCrossEntropyWithIntegerLabels(logp, y), s2];
};
const step = nn.filterJit((m: ssm.SSM, os: unknown[], x: Array, y: Array, s: nn.State, key: nn.PRNGKey) => {
  const [[l, s2], grads] = nn.filterValueAndGrad(loss, { hasAux: true })(m, x, y, s, key);
  const [updates, os2] = opt.update(grads, os, nn.filter(m, nn.isInexactArray));
  return [nn.optim.applyUpdates(m, updates), os2, l, s2] as const;
});
let model = model0;
let os = opt.init(nn.filter(model0, nn.isInexactArray));
let state = state0;
const x = random.normal(dk, [B, L, F]);
const y = random.randint(dk, [B], 0, 10);
for (let i = 0; i < STEPS; i++) {
  const t0 = performance.now();
  const r = step(model, os, x, y, state, random.foldIn(dk, i));
  [model, os, state] = [r[0], r[1], r[3]];
  const lv = (await r[2].data())[0];
  console.log(`step ${i}: ${(performance.now() - t0).toFixed(0)} ms loss ${lv.toFixed(4)}`);
}
