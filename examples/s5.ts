/**
 * S5: train a small S5 state space model (linax's architecture) to recall the first token of a
 * ±1 sequence, with explicit PRNG keys, `filterValueAndGrad`, adam and `filterJit` — then run
 * the trained model token by token with the recurrent `step` API.
 *
 * Run: npx tsx examples/s5.ts                    (EXAMPLES_TINY=1: a few steps, for CI)
 *      npx tsx examples/s5.ts --backend webgpu   (the same program on a GPU: one backend name swapped)
 * The real-data demo is `npm run demo` (examples/mnist/).
 */
import { parseArgs } from "node:util";
import { np, random, nn, ssm, initWebGPU, shutdownWebGPU, setDefaultBackend, type Array } from "linax-ts";

const { values: cli } = parseArgs({
  options: {
    backend: { type: "string", default: "cpu" },
    steps: { type: "string", default: process.env.EXAMPLES_TINY === "1" ? "4" : "120" },
  },
});
if (cli.backend === "webgpu") console.log(`WebGPU adapter: ${(await initWebGPU()).adapterInfo}`);
setDefaultBackend(cli.backend ?? "cpu");
/** A scalar's value; reads are asynchronous because WebGPU's are. */
const value = async (x: Array): Promise<number> => (await x.data())[0];

const L = 16; // sequence length
const H = 16; // model width
const BATCH = 32;

/** A batch of the task: x ∈ {−1, +1}^L, label 1 iff x₀ = +1 (the other tokens are distractors). */
function batch(key: random.KeyArray, n: number): [Array, Array] {
  const bits = random.bernoulli(key, 0.5, [n, L, 1]);
  const x = np.where(bits, 1, -1).astype("float32");
  const y = bits.get(":", 0, 0).astype("int32");
  return [x, y];
}

const config = new ssm.S5Config({
  numBlocks: 2,
  encoderConfig: new ssm.LinearEncoderConfig({ inFeatures: 1, outFeatures: H }),
  sequenceMixerConfig: new ssm.S5SequenceMixerConfig({ stateDim: 32 }),
  blockConfig: new ssm.StandardBlockConfig({ dropRate: 0 }),
  headConfig: new ssm.ClassificationHeadConfig({ outFeatures: 2 }),
});
// Typed keys (`random.key`) destructure like JAX's key arrays: `[k1, k2] = split(key)`.
let [modelKey, dataKey] = random.split(random.key(0));
const [model0, state0] = nn.makeWithState(ssm.SSM)(config, modelKey);
console.log(`S5 model: ${nn.countParams(model0)} parameters\n`);

const opt = nn.optim.adam(1e-2);
const loss = (m: ssm.SSM, x: Array, y: Array, s: nn.State): [Array, nn.State] => {
  const [logp, s2] = m.callBatch(x, s); // vmap over the batch with axis name "batch"
  return [nn.softmaxCrossEntropyWithIntegerLabels(logp, y), s2];
};
const step = nn.filterJit((m: ssm.SSM, os: unknown[], x: Array, y: Array, s: nn.State) => {
  const [[l, s2], grads] = nn.filterValueAndGrad(loss, { hasAux: true })(m, x, y, s);
  const [updates, os2] = opt.update(grads, os, nn.filter(m, nn.isInexactArray));
  return [nn.optim.applyUpdates(m, updates), os2, l, s2] as const;
});

let model = model0;
let optState = opt.init(nn.filter(model0, nn.isInexactArray));
let state = state0;
const t0 = performance.now();
const STEPS = Number(cli.steps);
for (let i = 1; i <= STEPS; i++) {
  let k: random.KeyArray;
  [dataKey, k] = random.split(dataKey);
  const [x, y] = batch(k, BATCH);
  const r = step(model, optState, x, y, nn.cloneState(state0));
  [model, optState, state] = [r[0], r[1], r[3]];
  if (i % 20 === 0 || i === STEPS) console.log(`step ${String(i).padStart(3)}  loss ${(await value(r[2])).toFixed(4)}`);
}
console.log(`trained in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

const [xTest, yTest] = batch(random.key(123), 256);
const trained = nn.inference(model);
const [logp] = trained.callBatch(xTest, nn.cloneState(state));
const acc = await value(np.mean(np.equal(np.argmax(logp, { axis: -1 }), yTest)));
console.log(`held-out accuracy: ${(100 * acc).toFixed(1)}%`);

// Token-by-token inference: the recurrent form gives the same prediction as the parallel one.
const one = xTest.get(0); // [L, 1]
let cache = trained.initCache([], state);
let out: Array = np.zeros([2]);
for (let t = 0; t < L; t++) [out, cache] = trained.step(one.get(t), cache);
console.log(
  `first sequence starts with ${await value(one.get(0, 0))}: step-by-step class ${await value(np.argmax(out))}, parallel class ${await value(np.argmax(logp.get(0)))}`,
);
if (cli.backend === "webgpu") shutdownWebGPU();
