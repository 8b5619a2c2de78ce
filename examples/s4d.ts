/**
 * S4D (diagonal S4, FFT convolution) used as a bare sequence mixer: learn to imitate a fixed
 * causal smoothing filter with `valueAndGrad` over the mixer's parameters, then run the same
 * mixer token by token (`step`) and compare with the parallel (FFT) form.
 *
 *   npx tsx examples/s4d.ts               (EXAMPLES_TINY=1: a few steps, for CI)
 */
import { np, lax, random, nn, ssm, vmap, type JaxArray } from "linax-ts";

const tiny = process.env.EXAMPLES_TINY === "1";
const [L, H, B, STEPS] = tiny ? [16, 2, 4, 3] : [64, 4, 16, 200];

// The target: an exponential moving average y_t = 0.8·y_{t−1} + 0.2·x_t of every channel.
const target = (x: JaxArray): JaxArray =>
  lax.scan(
    (h: JaxArray, xt: JaxArray): [JaxArray, JaxArray] => {
      const h2 = h.mul(0.8).add(xt.mul(0.2));
      return [h2, h2];
    },
    np.zeros([H]),
    x,
  )[1];

let mixer = new ssm.S4DSequenceMixerConfig({ stateDim: 16 }).build(H, random.key(0));
const opt = nn.optim.adam(1e-2);
let optState = opt.init(nn.filter(mixer, nn.isInexactArray));
const loss = (m: ssm.S4DSequenceMixer, x: JaxArray) =>
  nn.meanSquaredError(vmap((xi: JaxArray) => m.call(xi))(x), vmap(target)(x));
const step = nn.filterJit((m: ssm.S4DSequenceMixer, os: unknown[], x: JaxArray) => {
  const [l, g] = nn.filterValueAndGrad(loss)(m, x);
  const [u, os2] = opt.update(g, os, nn.filter(m, nn.isInexactArray));
  return [nn.optim.applyUpdates(m, u), os2, l] as const;
});
let key = random.key(1);
for (let i = 1; i <= STEPS; i++) {
  let k: random.KeyArray;
  [key, k] = random.split(key);
  let l: JaxArray;
  [mixer, optState, l] = step(mixer, optState, random.normal(k, [B, L, H]));
  if (i % Math.max(1, Math.floor(STEPS / 5)) === 0)
    console.log(`step ${i}  mse ${(await l.data())[0].toExponential(3)}`);
}
// Token by token: the recurrence (discretised once) over one sequence equals the FFT form.
const x = random.normal(random.key(2), [L, H]);
const stepFn = mixer.recurrence();
let cache = mixer.initCache([]);
const rows: JaxArray[] = [];
for (let t = 0; t < L; t++) {
  let yt: JaxArray;
  [yt, cache] = stepFn(x.get(t), cache);
  rows.push(yt);
}
const gap = (await np.max(np.abs(np.stack(rows).sub(mixer.call(x)))).data())[0];
console.log(`step-by-step vs FFT convolution: max |difference| = ${gap.toExponential(2)}`);
if (!(gap < 1e-4)) throw new Error(`S4D recurrent and convolutional forms disagree by ${gap}`);
