/**
 * Training: a tiny Mamba learns selective copying (Gu & Dao 2023, §4.1.1) on the CPU.
 *
 * Task — a sequence of `S = 10` positions holds `K = 2` data tokens (values 1..4) at random
 * positions among noise tokens (0), followed by `K` marker tokens (5). At the marker positions the
 * model must output the data tokens in order of appearance. The positions vary from sequence to
 * sequence, so a fixed (LTI) convolution cannot solve it; the selection needs Δ, B, C to depend
 * on the input. Chance accuracy per recalled token is 25%.
 *
 * Model — embedding(6 → 16), two residual pre-RMSNorm Mamba blocks (dState 4, dInner 16,
 * zoh), RMSNorm, linear head to the 4 data classes. Adam (lr 2e-2) under `filterJit`, batch 16.
 *
 * Measured (CPU, these seeds): 91.4% held-out per-token accuracy after 200 steps (loss 1.77 →
 * 0.2), 0.1-0.2 s a step on the shared 2-core machine (20-40 s). The run is deterministic; the
 * bound 85% leaves room for float-rounding differences between backends or kernel changes.
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
const VOCAB = 6;
const STEPS = 200;

/** Batches of selective-copying sequences: `[tokens [n, L] int32, targets [n, K] int32 (0-based classes)]`. */
function copyTask(seed: number): (n: number) => [Array, Array] {
  const u = mulberry32(seed);
  return (n) => {
    const xs = new Int32Array(n * L);
    const ys = new Int32Array(n * K);
    for (let i = 0; i < n; i++) {
      // K distinct positions in [0, S), in increasing order.
      const pos: number[] = [];
      while (pos.length < K) {
        const p = Math.floor(u() * S);
        if (!pos.includes(p)) pos.push(p);
      }
      pos.sort((a, b) => a - b);
      pos.forEach((p, k) => {
        const tok = 1 + Math.floor(u() * 4);
        xs[i * L + p] = tok;
        ys[i * K + k] = tok - 1;
      });
      for (let k = 0; k < K; k++) xs[i * L + S + k] = 5;
    }
    return [np.array(xs).reshape([n, L]), np.array(ys).reshape([n, K])];
  };
}

class TinyMamba extends nn.Module {
  readonly embedding: nn.Embedding;
  readonly norms: nn.RMSNorm[];
  readonly layers: ssm.Mamba[];
  readonly final: nn.RMSNorm;
  readonly head: nn.Linear;

  constructor(key: nn.PRNGKey) {
    super();
    const [ke, k1, k2, kh] = nn.splitKey(key, 4);
    const H = 16;
    this.embedding = new nn.Embedding(VOCAB, H, { key: ke });
    const cfg = new ssm.MambaConfig({ dState: 4, expand: 1 });
    this.layers = [cfg.build(H, k1), cfg.build(H, k2)];
    this.norms = [new nn.RMSNorm(H), new nn.RMSNorm(H)];
    this.final = new nn.RMSNorm(H);
    this.head = new nn.Linear(H, 4, { key: kh });
  }

  /** tokens `[n, L]` → logits `[n, L, 4]`. */
  call(tokens: Array): Array {
    let h = this.embedding.weight.get(tokens);
    this.layers.forEach((m, i) => {
      h = np.add(h, m.callBatch(this.norms[i].call(h)));
    });
    return this.head.call(this.final.call(h));
  }
}

test("a tiny Mamba (2 blocks, H=16, dState 4) learns selective copying to ≥ 85% per-token held-out accuracy (chance 25%) in 200 adam steps", () => {
  const next = copyTask(0);
  const [xTest, yTest] = copyTask(777)(256);
  let model = new TinyMamba(random.PRNGKey(0));
  const opt = nn.optim.adam(2e-2);
  const lossFn = (m: TinyMamba, x: Array, y: Array): Array => {
    const logits = m.call(x).get(":", np.arange(S, L)); // the marker positions
    return np.mean(nn.softmaxCrossEntropyWithIntegerLabels(logits, y));
  };
  let traces = 0;
  const step = nn.filterJit((m: TinyMamba, os: unknown[], x: Array, y: Array) => {
    traces++;
    const [loss, grads] = nn.filterValueAndGrad(lossFn)(m, x, y) as [Array, TinyMamba];
    const [updates, os2] = opt.update(grads, os, nn.filter(m, nn.isInexactArray));
    return [nn.optim.applyUpdates(m, updates), os2, loss] as const;
  });
  let optState = opt.init(nn.filter(model, nn.isInexactArray)) as unknown[];
  const losses: number[] = [];
  const t0 = performance.now();
  const accuracy = (m: TinyMamba): number => {
    const pred = np.argmax(m.call(xTest).get(":", np.arange(S, L)), { axis: -1 }).tolist() as number[][];
    const want = yTest.tolist() as number[][];
    return pred.flat().filter((p, i) => p === want.flat()[i]).length / (256 * K);
  };
  for (let i = 0; i < STEPS; i++) {
    const [x, y] = next(16);
    const r = step(model, optState, x, y) as unknown as [TinyMamba, unknown[], Array];
    [model, optState] = [r[0], r[1]];
    losses.push(r[2].item());
  }
  const acc = accuracy(model);
  const seconds = (performance.now() - t0) / 1000;
  if (process.env.SSM_TRAIN_VERBOSE)
    console.log(
      `Mamba selective copying: accuracy ${acc} in ${seconds.toFixed(1)} s; loss ${losses[0].toFixed(3)} → ${losses[losses.length - 1].toFixed(3)}`,
    );
  assert.equal(traces, 1, "one trace for all steps");
  assert.ok(
    acc >= 0.85,
    `held-out per-token accuracy ${acc} (chance 0.25); loss ${losses[0]} → ${losses[losses.length - 1]}`,
  );
  // The trained block generates token by token as it runs in parallel: step == callBatch on a test sequence.
  const layer = model.layers[0];
  const h = model.norms[0].call(model.embedding.weight.get(xTest.get(np.arange(0, 4))));
  const [yr] = layer.callRecurrent(np.transpose(h, [1, 0, 2]), layer.initCache([4]));
  const diff = np.max(np.abs(np.subtract(np.transpose(yr, [1, 0, 2]), layer.callBatch(h)))).item();
  assert.ok(diff < 1e-4, `trained layer: recurrent vs parallel max |Δ| ${diff}`);
});
