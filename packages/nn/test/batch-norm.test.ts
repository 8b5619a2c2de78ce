import { test } from "node:test";
import assert from "node:assert/strict";
import { np, type Array } from "linax-ts";
import { assertClose } from "@linax-ts/testing";
import * as nn from "@linax-ts/nn";

// Two batches of shape [B=4, C=2, L=3].
const batch1 = [
  [
    [1, 2, 3],
    [0, 0, 1],
  ],
  [
    [2, 2, 2],
    [1, -1, 0],
  ],
  [
    [0, 5, 1],
    [2, 2, 2],
  ],
  [
    [3, 1, 1],
    [-1, 0, 3],
  ],
];
const batch2 = batch1.map((ex) => ex.map((ch, c) => ch.map((v, l) => v * (c + 2) - l)));

/** Per-channel mean and population variance over batch and length. */
function stats(b: number[][][]): [number[], number[]] {
  const C = b[0].length;
  const mean = [];
  const vars = [];
  for (let c = 0; c < C; c++) {
    const vals = b.flatMap((ex) => ex[c]);
    const m = vals.reduce((a, v) => a + v, 0) / vals.length;
    mean.push(m);
    vars.push(vals.reduce((a, v) => a + (v - m) ** 2, 0) / vals.length);
  }
  return [mean, vars];
}
const normalize = (b: number[][][], mean: number[], vars: number[], w = [1, 1], bias = [0, 0], eps = 1e-5) =>
  b.map((ex) => ex.map((ch, c) => ch.map((v) => ((v - mean[c]) / Math.sqrt(vars[c] + eps)) * w[c] + bias[c])));

function step(model: nn.BatchNorm, state: nn.State, x: number[][][], inference?: boolean): [Array, nn.State] {
  return nn.filterVmap((xi: Array, s: nn.State) => model.call(xi, s, { inference }), {
    inAxes: [0, null],
    outAxes: [0, null],
    axisName: "batch",
  })(np.array(x), state) as [Array, nn.State];
}

test("BatchNorm (ema mode): first call uses the batch statistics, then an EMA; inference uses the running ones", () => {
  const [bn, s0] = nn.makeWithState(nn.BatchNorm)(2, { axisName: "batch", momentum: 0.9 });
  assert.deepEqual(s0.keys(), ["BatchNorm.emaFirstTimeIndex", "BatchNorm.emaStateIndex"]);
  assert.equal(bn.batchCounter, null);
  const [m1, v1] = stats(batch1);
  const [y1, s1] = step(bn, s0, batch1);
  assertClose(y1, normalize(batch1, m1, v1), { rtol: 1e-5, atol: 1e-5 });
  const [rm1, rv1] = s1.get(bn.emaStateIndex!);
  assertClose(rm1, m1, { rtol: 1e-6 });
  assertClose(rv1, v1, { rtol: 1e-6 });
  const [m2, v2] = stats(batch2);
  const em = m1.map((m, c) => 0.9 * m + 0.1 * m2[c]);
  const ev = v1.map((v, c) => 0.9 * v + 0.1 * v2[c]);
  const [y2, s2] = step(bn, s1, batch2);
  // equinox's original ("ema") behaviour normalizes with the updated running statistics.
  assertClose(y2, normalize(batch2, em, ev), { rtol: 1e-5, atol: 1e-5 });
  assertClose(s2.get(bn.emaStateIndex!)[0], em, { rtol: 1e-6 });
  const [y3, s3] = step(nn.inference(bn), nn.cloneState(s2), batch1);
  assertClose(y3, normalize(batch1, em, ev), { rtol: 1e-5, atol: 1e-5 });
  assertClose(s3.get(bn.emaStateIndex!)[1], ev, { rtol: 1e-6 });
  const [y4] = step(bn, s2, batch1, true);
  assertClose(y4, y3, { rtol: 1e-6 });
});

test("BatchNorm (batch mode) normalizes with this batch's statistics; inference uses the bias-corrected average", () => {
  const [bn0, s0] = nn.makeWithState(nn.BatchNorm)(2, { axisName: "batch", mode: "batch", momentum: 0.9 });
  assert.deepEqual(s0.keys(), ["BatchNorm.batchCounter", "BatchNorm.batchStateIndex"]);
  const bn = nn.treeAt((m: nn.BatchNorm) => [m.weight, m.bias], bn0, [np.array([2, 0.5]), np.array([1, -1])]);
  const [m1, v1] = stats(batch1);
  const [y1, s1] = step(bn, s0, batch1);
  assertClose(y1, normalize(batch1, m1, v1, [2, 0.5], [1, -1]), { rtol: 1e-5, atol: 1e-5 });
  // Equinox's hidden statistics start at mean 0, variance 1; after one step the debiased mean is
  // the batch mean and the debiased variance (0.9·1 + 0.1·v1) / (1 − 0.9) = 9 + v1.
  const [yi1] = step(bn, nn.cloneState(s1), batch2, true);
  assertClose(
    yi1,
    normalize(
      batch2,
      m1,
      v1.map((v) => 9 + v),
      [2, 0.5],
      [1, -1],
    ),
    { rtol: 1e-5, atol: 1e-5 },
  );
  const [m2, v2] = stats(batch2);
  const [y2, s2] = step(bn, s1, batch2);
  assertClose(y2, normalize(batch2, m2, v2, [2, 0.5], [1, -1]), { rtol: 1e-5, atol: 1e-5 });
  assert.deepEqual(s2.get(bn.batchCounter as nn.StateIndex<Array>).tolist(), 2);
  // mean: (0.9·0.1·m1 + 0.1·m2) / (1 − 0.81) = (0.9·m1 + m2) / 1.9;
  // variance: (0.81·1 + 0.09·v1 + 0.1·v2) / 0.19.
  const [yi2] = step(bn, s2, batch1, true);
  const avg = (a: number[], b: number[]) => a.map((v, c) => (0.9 * v + b[c]) / 1.9);
  const avgVar = v1.map((v, c) => (0.81 + 0.09 * v + 0.1 * v2[c]) / 0.19);
  assertClose(yi2, normalize(batch1, avg(m1, m2), avgVar, [2, 0.5], [1, -1]), { rtol: 1e-5, atol: 1e-5 });
  // Without the named axis the layer says what is missing.
  assert.throws(() => bn.call(np.array(batch1[0]), nn.cloneState(s0)), /axis name 'batch'/);
});

test("BatchNorm inside a Sequential, trained under filterJit and filterGrad", () => {
  const key = nn.prngKey(1);
  const [model, state] = nn.makeWithState(
    (k: nn.PRNGKey) =>
      new nn.Sequential([new nn.Conv1d(2, 2, 1, { key: k }), new nn.BatchNorm(2, { axisName: "batch" })]),
  )(key);
  assert.deepEqual(state.keys(), ["Sequential.layers.1.emaFirstTimeIndex", "Sequential.layers.1.emaStateIndex"]);
  const loss = (m: nn.Sequential, s: nn.State, x: Array): [Array, nn.State] => {
    const [y, s2] = nn.filterVmap((xi: Array, si: nn.State) => m.call(xi, si), {
      inAxes: [0, null],
      outAxes: [0, null],
      axisName: "batch",
    })(x, s) as [Array, nn.State];
    return [np.sum(y.mul(y)), s2];
  };
  let traces = 0;
  const step2 = nn.filterJit((m: nn.Sequential, s: nn.State, x: Array) => {
    traces++;
    const [[l, s2], g] = nn.filterValueAndGrad(loss, { hasAux: true })(m, s, x) as [[Array, nn.State], nn.Sequential];
    return { l, s2, g };
  });
  const r1 = step2(model, state, np.array(batch1));
  const r2 = step2(model, r1.s2, np.array(batch2));
  assert.equal(traces, 1);
  // The first call normalizes with the batch statistics: each channel has mean 0 and variance
  // var/(var + eps) ≈ 1, so sum(y²) over B·C·L = 24 elements is ≈ 24.
  assert.ok(Math.abs(r1.l.item() - 24) < 1e-2, `loss ${r1.l.item()}`);
  assert.ok(r2.s2 instanceof nn.State);
  assert.deepEqual([...(r1.g.layers[0] as nn.Conv1d).weight.shape], [2, 2, 1]);
});
