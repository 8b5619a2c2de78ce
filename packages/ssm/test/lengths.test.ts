/**
 * `lengths` (padding masks) through mixers, blocks, heads and the whole SSM: outputs at valid
 * positions equal the unpadded run, padding never enters a pooled mean or BatchNorm's batch
 * statistics (checked against statistics computed on the host from the unpadded sequences), and
 * unknown options are errors. Eager, under jit (lengths traced) and under vmap.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { type Array, ValueError, jit, np, random, vmap } from "linax-ts";
import * as nn from "@linax-ts/nn";
import * as ssm from "@linax-ts/ssm";
import { assertClose, nums, randomInput, rows } from "./host-values.ts";
import { smallConfig } from "./model-known-answers.ts";

const key = random.PRNGKey(11);
const H = 4;

/** `x: [L, ...]` followed by `extra` rows of large garbage (so a leak of padding would show). */
function pad(x: Array, extra: number, seed: number): Array {
  const g = randomInput(extra, x.shape[1], seed).x.mul(50).add(7);
  return np.concatenate([x, g], { axis: 0 });
}

const mixers: [string, ssm.SequenceMixerConfig][] = [
  ["S5", new ssm.S5SequenceMixerConfig({ stateDim: 4 })],
  ["LinOSS", new ssm.LinOSSSequenceMixerConfig({ stateDim: 3 })],
  ["LRU", new ssm.LRUSequenceMixerConfig({ stateDim: 3 })],
  ["S4D", new ssm.S4DSequenceMixerConfig({ stateDim: 4 })],
];

test("mixers: call(x, { lengths }) — valid rows equal the unpadded run, padded rows are zero; eager, jit, vmap", () => {
  for (const [name, cfg] of mixers) {
    const m = cfg.build(H, key);
    const x = randomInput(5, H, 1).x;
    const want = nums(m.call(x));
    const xp = pad(x, 3, 2);
    const y = m.call(xp, { lengths: 5 });
    assertClose(nums(y.get(":5")), want, { atol: 2e-5, msg: name });
    assert.deepEqual(nums(y.get("5:")), new globalThis.Array(3 * H).fill(0), name);
    // Without lengths the padding is part of the sequence (the last rows differ).
    assert.notDeepEqual(nums(m.call(xp).get("5:")), nums(y.get("5:")));
    // jit with lengths traced: one trace serves every length.
    let traces = 0;
    const f = jit((xx: Array, n: Array) => {
      traces++;
      return m.call(xx, { lengths: n });
    });
    assertClose(nums(f(xp, np.array(5, { dtype: "int32" })).get(":5")), want, { atol: 2e-5, msg: `${name} jit` });
    const y2 = f(xp, np.array(2, { dtype: "int32" }));
    assertClose(nums(y2.get(":2")), want.slice(0, 2 * H), { atol: 2e-5, msg: `${name} jit n=2` });
    assert.deepEqual(nums(y2.get("2:")), new globalThis.Array(6 * H).fill(0));
    assert.equal(traces, 1);
    // vmap: a [B] lengths array mapped with the batch.
    const xb = np.stack([xp, pad(randomInput(3, H, 3).x, 5, 4)]);
    const yb = vmap((xx: Array, n: Array) => m.call(xx, { lengths: n }))(xb, np.array([5, 3], { dtype: "int32" }));
    assertClose(nums(yb.get(0, ":5")), want, { atol: 2e-5, msg: `${name} vmap 0` });
    assertClose(nums(yb.get(1, ":3")), nums(m.call(randomInput(3, H, 3).x)), { atol: 2e-5, msg: `${name} vmap 1` });
    // The key is an option (linax's mixer(x, key) is m.call(x, { key })); a positional key and
    // unknown options are errors, not ignored.
    assertClose(nums(m.call(x, { key })), want, { atol: 0 });
    assert.throws(
      () => m.call(x, key as unknown as ssm.MixerCallOptions),
      (e: unknown) =>
        e instanceof ValueError && /call: got a PRNG key where the options object belongs; .*\{ key \}/.test(e.message),
    );
    assert.throws(
      () => m.call(x, { lenghts: 3 } as unknown as ssm.MixerCallOptions),
      (e: unknown) => e instanceof ValueError && /unknown option "lenghts"/.test(e.message),
    );
    assert.throws(() => m.call(x, { lengths: 6 }), /lengths must be an integer in \[0, 5\]/);
    assert.throws(() => m.call(x, { lengths: np.array([2, 3], { dtype: "int32" }) }), /must be a scalar/);
    assert.throws(() => m.call(x, { lengths: np.array(2.5) }), /int32 or uint32/);
  }
});

test("heads: a reducing head averages only the valid rows; a per-step head's valid rows are unchanged", () => {
  const noState = undefined as unknown as nn.State;
  const head = new ssm.RegressionHeadConfig({ outFeatures: 2 }).build(H, key);
  const x = randomInput(4, H, 5).x;
  const xp = pad(x, 3, 6);
  const [want] = head.call(x, noState);
  assertClose(nums(head.call(xp, noState, { lengths: 4 })[0]), nums(want), { atol: 1e-5 });
  // The pooled vector is mean of the 4 valid rows, computed on the host.
  const r = rows(x);
  const mean = [0, 1, 2, 3].map((j) => r.reduce((a, row) => a + row[j], 0) / 4);
  const W = rows(head.linear.weight);
  const b = nums(head.linear.bias as Array);
  assertClose(
    nums(want),
    W.map((w, i) => w.reduce((a, wj, j) => a + wj * mean[j], b[i])),
    { atol: 1e-5 },
  );
  const jitted = jit((xx: Array, n: Array) => head.call(xx, noState, { lengths: n })[0]);
  assertClose(nums(jitted(xp, np.array(4, { dtype: "int32" }))), nums(want), { atol: 1e-5 });
  const perStep = new ssm.ClassificationHeadConfig({ outFeatures: 2, reduce: false }).build(H, key);
  assertClose(nums(perStep.call(xp, noState, { lengths: 4 })[0].get(":4")), nums(perStep.call(x, noState)[0]), {
    atol: 1e-6,
  });
  assert.throws(
    () => head.call(x, noState, { length: 2 } as unknown as ssm.HeadCallOptions),
    /unknown option "length"/,
  );
});

test("BatchNorm mask: batch statistics over the valid positions of every sequence only (host reference)", () => {
  const bn = new nn.BatchNorm(2, { axisName: "batch", channelwiseAffine: false });
  const s0 = new nn.State(bn);
  const xs = [randomInput(5, 2, 7).x.transpose(), randomInput(5, 2, 8).x.transpose()]; // [C=2, L=5]
  const lens = [5, 2];
  const masks = np.stack(lens.map((n) => np.less(np.arange(5), n)));
  const [yb, s1] = nn.filterVmap((xi: Array, s: nn.State, mi: Array) => bn.call(xi, s, { mask: mi }), {
    inAxes: [0, null, 0],
    outAxes: [0, null],
    axisName: "batch",
  })(np.stack(xs), s0, masks);
  // Host: the 7 valid (channel) values.
  for (let c = 0; c < 2; c++) {
    const vals = xs.flatMap((x, b) => rows(x)[c].slice(0, lens[b]));
    const mu = vals.reduce((a, v) => a + v, 0) / vals.length;
    const v = vals.reduce((a, t) => a + (t - mu) ** 2, 0) / vals.length;
    const [mean, variance] = s1.get(bn.emaStateIndex as nn.StateIndex<[Array, Array]>);
    assertClose([nums(mean)[c], nums(variance)[c]], [mu, v], { atol: 1e-5, msg: `channel ${c}` });
    const got = nums(yb.get(0, c));
    assertClose(
      got,
      rows(xs[0])[c].map((t) => (t - mu) / Math.sqrt(v + 1e-5)),
      { atol: 1e-4 },
    );
  }
  assert.throws(() => bn.call(xs[0], s0, { mask: np.ones([5]) }), /mask must be a bool array/);
});

test("SSM: callBatch(x, state, key, { lengths }) — equal lengths reproduce the unpadded batch; padding content never matters; jit", () => {
  for (const prenorm of [true, false]) {
    const cfg = smallConfig(new ssm.LinOSSSequenceMixerConfig({ stateDim: 3 }), { dropRate: 0.1, prenorm });
    const [model, s0] = nn.makeWithState(ssm.SSM)(cfg, key);
    const x = np.stack([randomInput(5, 3, 9).x, randomInput(5, 3, 10).x]);
    const xp = np.stack([pad(x.get(0), 3, 11), pad(x.get(1), 3, 12)]);
    const k = random.PRNGKey(3);
    const [want, sWant] = model.callBatch(x, nn.cloneState(s0), { key: k });
    const [got, sGot] = model.callBatch(xp, nn.cloneState(s0), { key: k, lengths: [5, 5] });
    assertClose(nums(got), nums(want), { atol: 2e-5, msg: `prenorm=${prenorm}` });
    const stats = (s: nn.State) =>
      (s.values() as unknown[]).flatMap((v) =>
        globalThis.Array.isArray(v) ? (v as Array[]).flatMap(nums) : nums(v as Array),
      );
    assertClose(stats(sGot), stats(sWant), { atol: 2e-5 });
    // Unequal lengths: other garbage in the padded rows changes nothing (outputs and statistics).
    const lens = np.array([5, 3], { dtype: "int32" });
    const xq = np.stack([pad(x.get(0), 3, 13), pad(x.get(1).get(":3"), 5, 14)]);
    const xr = np.stack([pad(x.get(0), 3, 15), pad(x.get(1).get(":3"), 5, 16)]);
    const [yq, sq] = model.callBatch(xq, nn.cloneState(s0), { key: k, lengths: lens });
    const [yr, sr] = model.callBatch(xr, nn.cloneState(s0), { key: k, lengths: lens });
    assertClose(nums(yq), nums(yr), { atol: 1e-5 });
    assertClose(stats(sq), stats(sr), { atol: 1e-5 });
    // …and they differ from the run that treats the padding as data.
    assert.ok(
      Math.max(
        ...nums(model.callBatch(xq, nn.cloneState(s0), { key: k })[0]).map((v, i) => Math.abs(v - nums(yq)[i])),
      ) > 1e-3,
    );
    // The first block's BatchNorm statistics are those of the 8 valid encoder rows (host).
    if (prenorm) {
      const enc = [
        nums(model.encoder.call(x.get(0), s0)[0]),
        nums(model.encoder.call(x.get(1).get(":3"), s0)[0]),
      ].flat();
      const nRows = enc.length / H;
      const mu = [0, 1, 2, 3].map((j) => {
        let a = 0;
        for (let r = 0; r < nRows; r++) a += enc[r * H + j];
        return a / nRows;
      });
      const va = [0, 1, 2, 3].map((j) => {
        let a = 0;
        for (let r = 0; r < nRows; r++) a += (enc[r * H + j] - mu[j]) ** 2;
        return a / nRows;
      });
      const [m0, v0] = sq.get(
        (model.blocks[0] as ssm.StandardBlock).norm.emaStateIndex as nn.StateIndex<[Array, Array]>,
      );
      assertClose(nums(m0), mu, { atol: 1e-5 });
      assertClose(nums(v0), va, { atol: 1e-5 });
    }
    // jit: lengths traced; the same numbers.
    const f = nn.filterJit((m: ssm.SSM, xb: Array, s: nn.State, kk: Array, l: Array) =>
      m.callBatch(xb, s, { key: kk, lengths: l }),
    );
    assertClose(nums(f(model, xq, nn.cloneState(s0), k, lens)[0]), nums(yq), { atol: 1e-5 });
  }
});

test("SSM: inference with lengths equals per-sequence unpadded calls; per-sequence call takes { lengths }; bad options are errors", () => {
  const [model, s0] = nn.makeWithState(ssm.SSM)(smallConfig(new ssm.S4DSequenceMixerConfig({ stateDim: 4 })), key);
  const [, trained] = model.callBatch(np.stack([randomInput(6, 3, 20).x, randomInput(6, 3, 21).x]), nn.cloneState(s0), {
    key,
  });
  const inf = nn.inference(model);
  const a = randomInput(6, 3, 22).x;
  const b = randomInput(2, 3, 23).x;
  const [yb] = inf.callBatch(np.stack([a, pad(b, 4, 24)]), nn.cloneState(trained), { lengths: [6, 2] });
  assertClose(nums(yb.get(0)), nums(inf.call(a, nn.cloneState(trained))[0]), { atol: 1e-5 });
  assertClose(nums(yb.get(1)), nums(inf.call(b, nn.cloneState(trained))[0]), { atol: 1e-5 });
  assertClose(
    nums(inf.call(pad(b, 4, 25), nn.cloneState(trained), { lengths: 2 })[0]),
    nums(inf.call(b, nn.cloneState(trained))[0]),
    { atol: 1e-5 },
  );
  assert.throws(
    () => inf.callBatch(np.stack([a, a]), trained, { lengths: [6] }),
    /lengths has 1 entries for a batch of 2/,
  );
  assert.throws(
    () => inf.callBatch(np.stack([a, a]), trained, { lenghts: [6, 6] } as unknown as ssm.CallBatchOptions),
    /unknown option "lenghts"/,
  );
  assert.throws(
    () => inf.call(a, trained, { mask: a } as unknown as ssm.SSMCallOptions),
    /SSM.call: unknown option "mask"/,
  );
  assert.throws(
    () =>
      (model.blocks[0] as ssm.StandardBlock).call(randomInput(6, 4, 1).x, s0, {
        lengthz: 1,
      } as unknown as ssm.BlockCallOptions),
    /unknown option/,
  );
});
