/**
 * SSTransformer (a selective-SSM path and causal attention side by side in every block, mixed by
 * a learned gate) with a linear read-out: does a ±1 sequence contain more +1s than −1s? A custom
 * `nn.Module` holding two submodules, trained with `filterValueAndGrad` + adam; then the same
 * network runs token by token with `initCache`/`step` and matches the parallel pass.
 *
 *   npx tsx examples/sstransformer.ts     (EXAMPLES_TINY=1: a few steps, for CI)
 */
import { np, random, nn, ssm, type JaxArray } from "linax-ts";

const tiny = process.env.EXAMPLES_TINY === "1";
const [L, B, STEPS] = tiny ? [8, 4, 2] : [24, 16, 150];

class Classifier extends nn.Module {
  readonly body: ssm.SSTransformer;
  readonly out: nn.Linear;
  constructor(key: random.KeyArray) {
    super();
    const [k1, k2] = random.split(key);
    this.body = new ssm.SSTransformerConfig({
      embedDim: 1,
      hiddenSize: 16,
      numLayers: 1,
      numHeads: 2,
      headDim: 8,
      stateSize: 4,
      dropout: 0,
      windowSize: L,
    }).build(k1);
    this.out = new nn.Linear(16, 2, { key: k2 });
  }
  /** `x: [batch, L, 1]` → log-probabilities `[batch, 2]`. */
  call(x: JaxArray): JaxArray {
    return nn.logSoftmax(nn.filterVmap((h: JaxArray) => this.out.call(h))(this.body.call(x)));
  }
}

function batch(key: random.KeyArray): [JaxArray, JaxArray] {
  const x = np.where(random.bernoulli(key, 0.5, [B, L, 1]), 1, -1).astype("float32");
  return [x, np.greater(np.sum(x, { axis: [1, 2] }), 0).astype("int32")];
}
let model = new Classifier(random.key(0));
const opt = nn.optim.adam(3e-3);
let optState = opt.init(nn.filter(model, nn.isInexactArray));
const step = nn.filterJit((m: Classifier, os: unknown[], x: JaxArray, y: JaxArray) => {
  const [l, g] = nn.filterValueAndGrad((mm: Classifier) => nn.softmaxCrossEntropyWithIntegerLabels(mm.call(x), y))(m);
  const [u, os2] = opt.update(g, os, nn.filter(m, nn.isInexactArray));
  return [nn.optim.applyUpdates(m, u), os2, l] as const;
});
let key = random.key(1);
for (let i = 1; i <= STEPS; i++) {
  let k: random.KeyArray;
  [key, k] = random.split(key);
  const [x, y] = batch(k);
  let l: JaxArray;
  [model, optState, l] = step(model, optState, x, y);
  if (i % Math.max(1, Math.floor(STEPS / 5)) === 0) console.log(`step ${i}  loss ${(await l.data())[0].toFixed(4)}`);
}
// Token by token: the hidden state after the last token equals the parallel pass's output.
const [x] = batch(random.key(5));
const body = model.body;
let cache = body.initCache(B);
let h: JaxArray = np.zeros([B, 16]);
for (let t = 0; t < L; t++) [h, cache] = body.step(x.get(":", t), cache);
const gap = (await np.max(np.abs(h.sub(body.call(x, { inference: true })))).data())[0];
console.log(`step-by-step vs parallel: max |difference| = ${gap.toExponential(2)}`);
if (!(gap < 1e-4)) throw new Error(`SSTransformer step and parallel forms disagree by ${gap}`);
