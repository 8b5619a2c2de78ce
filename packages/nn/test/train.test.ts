import { test } from "node:test";
import assert from "node:assert/strict";
import { np, type Array } from "linax-ts";
import * as nn from "@linax-ts/nn";

const JsArray = globalThis.Array;

test("a small MLP trained with adam under filterJit fits a toy regression (y = sin(2x)) to MSE < 1e-4 (it reaches 1.9e-5 in 400 steps)", () => {
  const n = 64;
  const xs = JsArray.from({ length: n }, (_: unknown, i: number) => -1.5 + (3 * i) / (n - 1));
  const x = np.array(xs.map((v) => [v]));
  const y = np.array(xs.map((v) => [Math.sin(2 * v)]));
  const model0 = new nn.MLP(1, 1, 32, 2, { activation: nn.tanh, key: nn.prngKey(0) });
  const opt = nn.optim.adam(1e-2);

  const lossFn = (m: nn.MLP, xb: Array, yb: Array): Array => {
    const pred = nn.filterVmap((xi: Array) => m.call(xi))(xb);
    return nn.meanSquaredError(pred, yb);
  };
  let traces = 0;
  const step = nn.filterJit((m: nn.MLP, s: unknown[], xb: Array, yb: Array) => {
    traces++;
    const [loss, grads] = nn.filterValueAndGrad(lossFn)(m, xb, yb);
    const [updates, s2] = opt.update(grads, s, nn.filter(m, nn.isArray));
    return [nn.optim.applyUpdates(m, updates), s2, loss] as const;
  });

  let model = model0;
  let state: unknown[] = opt.init(nn.filter(model, nn.isArray));
  const initial = lossFn(model, x, y).item();
  let loss = initial;
  for (let i = 0; i < 400; i++) {
    const r = step(model, state, x, y) as unknown as [nn.MLP, unknown[], Array];
    [model, state] = r;
    loss = r[2].item();
  }
  const final = lossFn(model, x, y).item();
  if (process.env.NN_TRAIN_VERBOSE) console.log(`initial ${initial}, final ${final}`);
  assert.equal(traces, 1, "one trace for all steps");
  assert.ok(initial > 0.1, `initial loss ${initial}`);
  assert.ok(final < 1e-4, `final loss ${final} (initial ${initial}, last step ${loss})`);
  assert.ok(model instanceof nn.MLP && model.activation === nn.tanh);
});
