/**
 * Token-by-token generation with the step *jitted*: `jit(step)` of Mamba (zoh and exptrap),
 * Mamba-2 and the State Space Transformer (Mamba cache + KV ring cache, full and sliding-window
 * attention) equals the parallel forward at every position, with one trace for the whole loop
 * (the cache is a pytree of fixed shapes; the SSTransformer's token counter is a traced int32).
 * The jitted step also equals the eager step on a carried cache (a prompt, then generation).
 * The whole SSM (encoder, BatchNorm blocks around Mamba / Mamba-2 mixers, GLU, per-step head)
 * stepped by `jit(model.step)` equals its parallel inference forward.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { type Array, jit, np, random } from "linax-ts";
import * as nn from "@linax-ts/nn";
import * as ssm from "@linax-ts/ssm";
import { assertClose, maxAbs, nums, randomInput } from "./host-values.ts";
import { smallConfig } from "./model-known-answers.ts";

const F = 5;
const L = 11;

function batch(seed: number, B = 2): Array {
  return np.stack(globalThis.Array.from({ length: B }, (_, b) => randomInput(L, F, seed + b).x));
}

const MIXERS: [string, ssm.SequenceMixer<ssm.MambaCache> | ssm.SequenceMixer<ssm.Mamba2Cache>][] = [
  ["Mamba zoh", new ssm.MambaConfig({ dState: 3, convKer: 3, chunkSize: 4 }).build(F, random.PRNGKey(1))],
  [
    "Mamba exptrap",
    new ssm.MambaConfig({ dState: 3, convKer: 4, chunkSize: 4, discretization: "exptrap" }).build(F, random.PRNGKey(2)),
  ],
  ["Mamba2", new ssm.Mamba2Config({ dState: 4, headDim: 2, chunkSize: 4, convKer: 3 }).build(F, random.PRNGKey(3))],
  [
    "Mamba2 nGroups=5",
    new ssm.Mamba2Config({ dState: 3, headDim: 2, chunkSize: 3, nGroups: 5 }).build(F, random.PRNGKey(4)),
  ],
];

for (const [name, m] of MIXERS) {
  test(`${name}: generation with jit(step) == the parallel forward, one trace`, () => {
    const mix = m as ssm.Mamba | ssm.Mamba2;
    const x = batch(10);
    const want = nums(mix.callBatch(x));
    let traces = 0;
    const step = jit((mm: ssm.Mamba | ssm.Mamba2, xt: Array, c: ssm.MambaCache | ssm.Mamba2Cache) => {
      traces++;
      return (mm as ssm.SequenceMixer<typeof c>).step(xt, c);
    });
    let cache: ssm.MambaCache | ssm.Mamba2Cache = mix.initCache([2]);
    const ys: Array[] = [];
    for (let t = 0; t < L; t++) {
      const [yt, c] = step(mix, x.get(":", t), cache);
      ys.push(yt);
      cache = c;
    }
    assertClose(nums(np.stack(ys, { axis: 1 })), want, { atol: 2e-5 * (1 + maxAbs(want)), rtol: 1e-4, msg: name });
    assert.equal(traces, 1, `${name}: one trace for the whole loop`);
    // The jitted step on an eagerly built cache (a 6-token prompt stepped eagerly) continues it.
    let c6: ssm.MambaCache | ssm.Mamba2Cache = mix.initCache([2]);
    for (let t = 0; t < 6; t++) c6 = (mix as ssm.SequenceMixer<typeof c6>).step(x.get(":", t), c6)[1];
    const [y6] = step(mix, x.get(":", 6), c6);
    assertClose(nums(y6), nums(mix.callBatch(x).get(":", 6)), {
      atol: 2e-5 * (1 + maxAbs(want)),
      rtol: 1e-4,
      msg: `${name} continuation`,
    });
  });
}

for (const slidingWindow of [false, true]) {
  test(`SSTransformer (${slidingWindow ? "sliding window 4" : "full causal"}): generation with jit(step) == the parallel forward, one trace`, () => {
    const m = ssm.SSTransformer.build(
      {
        embedDim: F,
        hiddenSize: 6,
        stateSize: 3,
        numLayers: 2,
        numHeads: 2,
        headDim: 3,
        dropout: 0,
        windowSize: slidingWindow ? 4 : L,
        slidingWindow,
      },
      random.PRNGKey(7),
    );
    const x = batch(20);
    const want = nums(m.sequence(x));
    let traces = 0;
    const step = jit((mm: ssm.SSTransformer, xt: Array, c: ssm.SSTransformerCache) => {
      traces++;
      return mm.step(xt, c);
    });
    let cache = m.initCache(2);
    const ys: Array[] = [];
    for (let t = 0; t < L; t++) {
      const [yt, c] = step(m, x.get(":", t), cache);
      ys.push(yt);
      cache = c;
    }
    assertClose(nums(np.stack(ys, { axis: 1 })), want, { atol: 2e-5, msg: `sliding=${slidingWindow}` });
    assert.equal(traces, 1);
    assert.equal(nums(cache.t)[0], L);
    // Eager step == jitted step from the same carried cache.
    const [ye] = m.step(x.get(":", 3), m.initCache(2));
    const [yj] = step(m, x.get(":", 3), m.initCache(2));
    assertClose(nums(yj), nums(ye), { atol: 1e-6 });
  });
}

for (const [name, mixer] of [
  ["Mamba", new ssm.MambaConfig({ dState: 3 })],
  ["Mamba2", new ssm.Mamba2Config({ dState: 3, headDim: 2, nGroups: 2, chunkSize: 3 })],
] as const) {
  test(`SSM with ${name} mixers: jit(model.step) generation == the parallel inference forward`, () => {
    const [model, s0] = nn.makeWithState(ssm.SSM)(
      smallConfig(mixer, { dropRate: 0 }, { reduce: false }),
      random.PRNGKey(9),
    );
    // A training call first, so BatchNorm's running statistics (taken into the cache) are not trivial.
    const [, state] = model.callBatch(random.normal(random.PRNGKey(10), [2, 7, 3]), s0);
    const inf = nn.inference(model);
    const x = random.normal(random.PRNGKey(11), [2, 7, 3]);
    const [want] = inf.callBatch(x, nn.cloneState(state));
    let traces = 0;
    const step = nn.filterJit((m: ssm.SSM, xt: Array, c: ssm.SSMCache) => {
      traces++;
      return m.step(xt, c);
    });
    let cache = inf.initCache([2], state);
    const ys: Array[] = [];
    for (let t = 0; t < 7; t++) {
      const [yt, c] = step(inf, x.get(":", t), cache);
      ys.push(yt);
      cache = c;
    }
    assertClose(nums(np.stack(ys, { axis: 1 })), nums(want), { atol: 2e-5, msg: name });
    assert.equal(traces, 1);
  });
}
