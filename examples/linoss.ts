/**
 * LinOSS (oscillatory state space layers) — classify the frequency of a noisy sine wave, a task
 * made for a bank of damped oscillators. Explicit keys, `filterValueAndGrad` + `optim.adam`,
 * `filterJit`; BatchNorm's `State` threaded as in linax.
 *
 *   npx tsx examples/linoss.ts            (EXAMPLES_TINY=1: a few steps, for CI)
 */
import { np, random, nn, ssm, type JaxArray } from "linax-ts";

const tiny = process.env.EXAMPLES_TINY === "1";
const [L, B, STEPS] = tiny ? [16, 8, 3] : [64, 32, 150];

/** Class 0: slow waves (1–2 cycles over the sequence); class 1: fast ones (4–6 cycles). */
function batch(key: random.KeyArray): [JaxArray, JaxArray] {
  const [kc, kf, kp, kn] = random.split(key, 4);
  const y = random.bernoulli(kc, 0.5, [B]).astype("int32");
  const cycles = np.where(
    y.astype("bool"),
    random.uniform(kf, [B], { minval: 4, maxval: 6 }),
    random.uniform(kf, [B], { minval: 1, maxval: 2 }),
  );
  const t = np.arange(L).astype("float32").div(L);
  const phase = random.uniform(kp, [B, 1], { maxval: 2 * Math.PI });
  const x = np
    .sin(
      cycles
        .reshape([B, 1])
        .mul(t.mul(2 * Math.PI))
        .add(phase),
    )
    .add(random.normal(kn, [B, L]).mul(0.2));
  return [x.reshape([B, L, 1]), y];
}

const config = new ssm.LinOSSConfig({
  numBlocks: 2,
  encoderConfig: new ssm.LinearEncoderConfig({ inFeatures: 1, outFeatures: 16 }),
  sequenceMixerConfig: new ssm.LinOSSSequenceMixerConfig({ stateDim: 16 }), // discretization "IMEX" (linax's default)
  blockConfig: new ssm.StandardBlockConfig({ dropRate: 0 }),
  headConfig: new ssm.ClassificationHeadConfig({ outFeatures: 2 }),
});
let [modelKey, dataKey] = random.split(random.key(0));
let [model, state] = nn.makeWithState(ssm.SSM)(config, modelKey);
const state0 = nn.cloneState(state);
console.log(`LinOSS: ${nn.countParams(model)} parameters`);

const opt = nn.optim.adam(5e-3);
let optState = opt.init(nn.filter(model, nn.isInexactArray));
const loss = (m: ssm.SSM, x: JaxArray, y: JaxArray, s: nn.State): [JaxArray, nn.State] => {
  const [logp, s2] = m.callBatch(x, s);
  return [nn.softmaxCrossEntropyWithIntegerLabels(logp, y), s2];
};
const step = nn.filterJit((m: ssm.SSM, os: unknown[], x: JaxArray, y: JaxArray, s: nn.State) => {
  const [[l, s2], g] = nn.filterValueAndGrad(loss, { hasAux: true })(m, x, y, s);
  const [u, os2] = opt.update(g, os, nn.filter(m, nn.isInexactArray));
  return [nn.optim.applyUpdates(m, u), os2, l, s2] as const;
});
for (let i = 1; i <= STEPS; i++) {
  let k: random.KeyArray;
  [dataKey, k] = random.split(dataKey);
  const [x, y] = batch(k);
  let l: JaxArray;
  [model, optState, l, state] = step(model, optState, x, y, nn.cloneState(state0));
  if (i % Math.max(1, Math.floor(STEPS / 5)) === 0) console.log(`step ${i}  loss ${(await l.data())[0].toFixed(4)}`);
}
const [xt, yt] = batch(random.key(99));
const [logp] = nn.inference(model).callBatch(xt, state);
console.log(
  `held-out accuracy: ${(100 * (await np.mean(np.equal(np.argmax(logp, { axis: -1 }), yt)).data())[0]).toFixed(1)}%`,
);
