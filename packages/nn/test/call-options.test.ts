/**
 * nn's one calling convention (src/call-options.ts): `layer.call(x, { key, inference })`,
 * `layer.call(x, state, { key, ... })`. A key passed positionally where the options object or the
 * State belongs is a ValueError naming the layer and `{ key }` — before, deterministic layers
 * silently ignored it (and a Sequential/Dropout would then run without randomness).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { np, random, ValueError, type Array } from "linax-ts";
import * as nn from "@linax-ts/nn";
import { assertClose } from "@linax-ts/testing";

const key = random.PRNGKey(3);
const asAny = <T>(v: unknown): T => v as T;
const positional =
  (op: string, where = "options object") =>
  (e: unknown) =>
    e instanceof ValueError &&
    e.message.startsWith(`${op}: got a PRNG key where the ${where} belongs`) &&
    e.message.includes("{ key }");

test("every stateless layer: { key } is accepted (and unused by deterministic ones); a positional key is a ValueError", () => {
  const x = random.normal(random.PRNGKey(1), [4]);
  const [k1, k2] = nn.splitKey(key, 2);
  const layers: [string, { call(x: Array, opts?: nn.CallOptions): Array }][] = [
    ["Linear", new nn.Linear(4, 3, { key: k1 })],
    ["Identity", new nn.Identity()],
    ["LayerNorm", new nn.LayerNorm([4])],
    ["RMSNorm", new nn.RMSNorm([4])],
    ["GroupNorm", new nn.GroupNorm(2, 4)],
    ["MLP", new nn.MLP(4, 2, 5, 1, { key: k2 })],
    ["GLU", new nn.GLU(4, 3, { key: k2 })],
    ["Lambda", new nn.Lambda((v) => v.mul(2))],
    ["Sequential", new nn.Sequential([new nn.Linear(4, 4, { key: k1 }), new nn.Lambda(nn.relu)])],
  ];
  for (const [name, layer] of layers) {
    assert.deepEqual(layer.call(x, { key }).tolist(), layer.call(x).tolist(), name);
    assert.throws(() => layer.call(x, asAny(key)), positional(`${name}.call`), name);
    assert.throws(() => layer.call(x, asAny(random.key(3))), positional(`${name}.call`), `${name} typed key`);
    assert.throws(
      () => layer.call(x, asAny({ keys: key })),
      (e: unknown) =>
        e instanceof ValueError && new RegExp(`^${name}\\.call: unknown option 'keys'`).test((e as Error).message),
      name,
    );
  }
  const ids = np.array([0, 2], { dtype: "int32" });
  const emb = new nn.Embedding(3, 2, { key });
  assert.deepEqual(emb.call(ids, { key }).tolist(), emb.call(ids).tolist());
  assert.throws(() => emb.call(ids, asAny(key)), positional("Embedding.call"));
  const conv = new nn.Conv1d(1, 2, 3, { key });
  const signal = random.normal(random.PRNGKey(2), [1, 6]);
  assert.throws(() => conv.call(signal, asAny(key)), positional("Conv1d.call"));
  const mha = new nn.MultiheadAttention(1, 4, { key });
  const q = random.normal(random.PRNGKey(4), [2, 4]);
  assert.throws(() => mha.call(q, q, q, asAny(key)), positional("MultiheadAttention.call"));
});

test("Dropout: { key } draws the documented mask; the key passed positionally is rejected, not dropped", () => {
  const d = new nn.Dropout(0.5);
  const x = np.ones([64]);
  // Reference: keep ~ bernoulli(key, 1 - p), kept values scaled by 1/(1 - p).
  const keep = random.bernoulli(key, 0.5, [64]).tolist() as boolean[];
  assert.deepEqual(
    d.call(x, { key }).tolist(),
    keep.map((k) => (k ? 2 : 0)),
  );
  assert.throws(() => d.call(x, asAny(key)), positional("Dropout.call"));
  assert.deepEqual(d.call(x, { inference: true }).tolist(), x.tolist());
});

test("Sequential splits { key } into one key per layer; stateful calls check the State argument", () => {
  const seq = new nn.Sequential([new nn.Dropout(0.5), new nn.Dropout(0.5)]);
  const x = np.ones([32]);
  const [ka, kb] = nn.splitKey(key, 2);
  const want = new nn.Dropout(0.5).call(new nn.Dropout(0.5).call(x, { key: ka }), { key: kb });
  assert.deepEqual(seq.call(x, { key }).tolist(), want.tolist());

  const [bn, state] = nn.makeWithState(nn.BatchNorm)(2, { axisName: "batch", mode: "ema" });
  const xs = np.array([
    [1, 2],
    [3, 6],
  ]);
  // In inference mode the state's initial running statistics (0, 0) give x / sqrt(eps).
  const [y] = bn.call(xs.get(0), state, { inference: true, key });
  assertClose(y.tolist() as number[], [1 / Math.sqrt(1e-5), 2 / Math.sqrt(1e-5)], { rtol: 1e-5 });
  assert.throws(() => bn.call(xs.get(0), asAny(key)), positional("BatchNorm.call", "State"));
  assert.throws(() => bn.call(xs.get(0), state, asAny(key)), positional("BatchNorm.call"));
  assert.throws(() => bn.call(xs.get(0), asAny({ key })), /BatchNorm\.call: expected a State as the second argument/);
  const seqS = new nn.Sequential([bn, new nn.Lambda(nn.relu)]);
  assert.throws(() => seqS.call(xs.get(0), asAny(key), { inference: true }), positional("Sequential.call", "State"));
});
