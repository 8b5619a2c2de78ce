/**
 * Training: a small State Space Transformer learns selective copying on the CPU.
 *
 * Task — as test/training-mamba.test.ts: `S = 10` positions hold `K = 2` data tokens (values
 * 1..4, one-hot features) at random positions among noise (0), then `K` marker tokens (5). The
 * model's output is its last timestep ([batch, hiddenSize], Edifice's contract), so a linear
 * readout of it predicts both recalled tokens (`K × 4` logits). Chance per token: 25%.
 *
 * Model — SSTransformer(embedDim 6, hiddenSize 16, 1 layer, 2 heads × 8, stateSize 4,
 * expandFactor 1, dropout 0) + Linear(16 → 8). Adam (lr 1e-2) under `filterJit`, batch 16.
 *
 * Measured (CPU, these seeds): 95.3% held-out per-token accuracy after 200 steps (74% after 120),
 * loss 1.57 → 0.21; 0.15-0.25 s a step on the shared 2-core machine (30-50 s).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { type Array, np, random } from "linax-ts";
import * as nn from "@linax-ts/nn";
import * as ssm from "@linax-ts/ssm";
import { mulberry32 } from "@linax-ts/testing";

const S = 10;
const K = 2;
const L = S + K;
const STEPS = 200;

function copyTask(seed: number): (n: number) => [Array, Array] {
  const u = mulberry32(seed);
  return (n) => {
    const xs = new Float32Array(n * L * 6);
    const ys = new Int32Array(n * K);
    for (let i = 0; i < n; i++) {
      const toks = new globalThis.Array<number>(L).fill(0);
      const pos: number[] = [];
      while (pos.length < K) {
        const p = Math.floor(u() * S);
        if (!pos.includes(p)) pos.push(p);
      }
      pos
        .sort((a, b) => a - b)
        .forEach((p, k) => {
          toks[p] = 1 + Math.floor(u() * 4);
          ys[i * K + k] = toks[p] - 1;
        });
      for (let k = 0; k < K; k++) toks[S + k] = 5;
      toks.forEach((tok, t) => (xs[(i * L + t) * 6 + tok] = 1));
    }
    return [np.array(xs).reshape([n, L, 6]), np.array(ys).reshape([n, K])];
  };
}

class Copier extends nn.Module {
  readonly sst: ssm.SSTransformer;
  readonly readout: nn.Linear;
  constructor(key: nn.PRNGKey) {
    super();
    const [k1, k2] = nn.splitKey(key, 2);
    this.sst = ssm.SSTransformer.build(
      { embedDim: 6, hiddenSize: 16, numLayers: 1, numHeads: 2, headDim: 8, stateSize: 4, expandFactor: 1, dropout: 0 },
      k1,
    );
    this.readout = new nn.Linear(16, K * 4, { key: k2 });
  }
  /** `[n, L, 6] → [n, K, 4]` logits. */
  call(x: Array): Array {
    return this.readout.call(this.sst.call(x)).reshape([x.shape[0], K, 4]);
  }
}

test(`a small SSTransformer learns selective copying to ≥ 85% per-token held-out accuracy (chance 25%) in ${STEPS} adam steps`, () => {
  const next = copyTask(0);
  const [xTest, yTest] = copyTask(777)(256);
  let model = new Copier(random.PRNGKey(0));
  const opt = nn.optim.adam(1e-2);
  const lossFn = (m: Copier, x: Array, y: Array): Array =>
    np.mean(nn.softmaxCrossEntropyWithIntegerLabels(m.call(x), y));
  const step = nn.filterJit((m: Copier, os: unknown[], x: Array, y: Array) => {
    const [loss, grads] = nn.filterValueAndGrad(lossFn)(m, x, y) as [Array, Copier];
    const [updates, os2] = opt.update(grads, os, nn.filter(m, nn.isInexactArray));
    return [nn.optim.applyUpdates(m, updates), os2, loss] as const;
  });
  let optState = opt.init(nn.filter(model, nn.isInexactArray)) as unknown[];
  const losses: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i < STEPS; i++) {
    const [x, y] = next(16);
    const r = step(model, optState, x, y) as unknown as [Copier, unknown[], Array];
    [model, optState] = [r[0], r[1]];
    losses.push(r[2].item());
  }
  const pred = (np.argmax(model.call(xTest), { axis: -1 }).tolist() as number[][]).flat();
  const want = (yTest.tolist() as number[][]).flat();
  const acc = pred.filter((p, i) => p === want[i]).length / want.length;
  if (process.env.SSM_TRAIN_VERBOSE)
    console.log(
      `SSTransformer selective copying: accuracy ${acc} in ${((performance.now() - t0) / 1000).toFixed(1)} s; loss ${losses[0].toFixed(3)} → ${losses[losses.length - 1].toFixed(3)}`,
    );
  assert.ok(acc >= 0.85, `held-out per-token accuracy ${acc}; loss ${losses[0]} → ${losses[losses.length - 1]}`);
  // Token-by-token inference (Mamba + KV caches) gives the same final outputs as the parallel forward.
  const xs = xTest.get(np.arange(0, 4));
  let cache = model.sst.initCache(4, { maxLen: L });
  let last: Array | undefined;
  for (let t = 0; t < L; t++) [last, cache] = model.sst.step(xs.get(":", t), cache);
  const diff = np.max(np.abs(np.subtract(last as Array, model.sst.call(xs)))).item();
  assert.ok(diff < 1e-4, `recurrent vs parallel ${diff}`);
});
