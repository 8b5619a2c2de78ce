// The traced `random` namespace against JAX's known answers (testdata/random/jax-known-answers.json,
// checked bit for bit against JAX 0.11.2 on CPU — see testdata/random/README.md), for keys 0, 1, 42
// and both streams: eagerly, under jit, under vmap over a batch of keys, and inside lax.scan.
// Floats are compared exactly (the CPU kernels reproduce XLA:CPU's float32 arithmetic).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { random, jit, vmap, lax, np, type Array } from "linax-ts";

type Json = Record<string, unknown>;
const data = JSON.parse(readFileSync(new URL("../../../testdata/random/jax-known-answers.json", import.meta.url), "utf8")) as Json;
const inputs = data.inputs as Record<string, number[]>;
const MODES = [
  ["partitionable", true],
  ["legacy", false],
] as const;
const SEEDS = ["0", "1", "42"] as const;

const flat = (x: Array): number[] => Array_from(x.dataSync());
const Array_from = (a: ArrayLike<number>): number[] => globalThis.Array.from(a);
const flatJson = (v: unknown): number[] => (globalThis.Array.isArray(v) ? v.flatMap(flatJson) : [typeof v === "boolean" ? (v ? 1 : 0) : (v as number)]);
const entry = (mode: string, seed: string): Json => (data[mode] as Json)[seed] as Json;
const extra = (mode: string, seed: string): Json => entry(mode, seed).extra as Json;

/**
 * Every known-answer quantity as a function of a raw key, for one stream. Each returns one array
 * and the JSON value it must equal.
 */
function cases(partitionable: boolean): [string, (k: Array) => Array, (e: Json, x: Json) => unknown][] {
  const o = { partitionable };
  const logits = np.reshape(np.array(inputs.categorical_logits_2x3), [2, 3]);
  const p = np.array(inputs.choice_p);
  return [
    ["split", (k) => random.split(k, 2, o), (e) => e.split],
    ["split3", (k) => random.split(k, 3, o), (e) => e.split3],
    ["foldIn7", (k) => random.foldIn(k, 7), (e) => e.foldIn7],
    ["bits_2x3", (k) => random.bits(k, [2, 3], o), (e) => e.bits_2x3],
    ["uniform_5", (k) => random.uniform(k, [5], o), (e) => e.uniform_5],
    ["normal_5", (k) => random.normal(k, [5], o), (e) => e.normal_5],
    ["randint_6_0_10", (k) => random.randint(k, [6], 0, 10, o), (e) => e.randint_6_0_10],
    ["bernoulli_8_p0_3", (k) => random.bernoulli(k, 0.3, [8], o), (e) => e.bernoulli_8_p0_3],
    ["bits8_7", (k) => random.bits(k, [7], { ...o, bitWidth: 8 }), (_e, x) => x.bits8_7],
    ["bits16_5", (k) => random.bits(k, [5], { ...o, bitWidth: 16 }), (_e, x) => x.bits16_5],
    ["truncatedNormal", (k) => random.truncatedNormal(k, -1.5, 2, [5], o), (_e, x) => x.truncatedNormal_5_m1_5_2],
    ["gumbel_5", (k) => random.gumbel(k, [5], o), (_e, x) => x.gumbel_5],
    ["exponential_5", (k) => random.exponential(k, [5], o), (_e, x) => x.exponential_5],
    ["categorical_4x2", (k) => random.categorical(k, logits, { ...o, shape: [4, 2] }), (_e, x) => x.categorical_4x2],
    ["permutation_10", (k) => random.permutation(k, 10, o), (_e, x) => x.permutation_10],
    ["choice_10_4", (k) => random.choice(k, 10, { ...o, shape: [4] }), (_e, x) => x.choice_10_4],
    ["choice_10_4_noreplace", (k) => random.choice(k, 10, { ...o, shape: [4], replace: false }), (_e, x) => x.choice_10_4_noreplace],
    ["choice_5_6_p", (k) => random.choice(k, 5, { ...o, shape: [6], p }), (_e, x) => x.choice_5_6_p],
    ["choice_5_3_p_noreplace", (k) => random.choice(k, 5, { ...o, shape: [3], replace: false, p }), (_e, x) => x.choice_5_3_p_noreplace],
  ];
}

test("PRNGKey and key give JAX's key data for seeds 0, 1, 42", () => {
  for (const seed of SEEDS) {
    const want = entry("partitionable", seed).key;
    assert.deepEqual(random.PRNGKey(Number(seed)).tolist(), want);
    assert.deepEqual(random.keyData(random.key(Number(seed))).tolist(), want);
  }
});

for (const [mode, partitionable] of MODES) {
  test(`${mode} stream: every known answer, eagerly (bit-exact)`, () => {
    for (const seed of SEEDS) {
      const k = random.PRNGKey(Number(seed));
      for (const [name, f, want] of cases(partitionable)) {
        assert.deepEqual(flat(f(k)), flatJson(want(entry(mode, seed), extra(mode, seed))), `${mode} seed ${seed}: ${name}`);
      }
    }
  });

  test(`${mode} stream: every known answer under jit (bit-exact)`, () => {
    for (const [name, f, want] of cases(partitionable)) {
      const jf = jit(f);
      for (const seed of SEEDS) {
        assert.deepEqual(flat(jf(random.PRNGKey(Number(seed)))), flatJson(want(entry(mode, seed), extra(mode, seed))), `${mode} seed ${seed}: jit ${name}`);
      }
    }
  });

  test(`${mode} stream: vmap over a batch of keys equals the per-key results`, () => {
    const keys = np.stack(SEEDS.map((s) => random.PRNGKey(Number(s))));
    for (const [name, f, want] of cases(partitionable)) {
      const batched = vmap(f)(keys);
      const expected = SEEDS.flatMap((seed) => flatJson(want(entry(mode, seed), extra(mode, seed))));
      assert.deepEqual(flat(batched), expected, `${mode}: vmap ${name}`);
    }
  });

  test(`${mode} stream: inside lax.scan over a batch of keys`, () => {
    const keys = np.stack(SEEDS.map((s) => random.PRNGKey(Number(s))));
    for (const [name, f, want] of cases(partitionable)) {
      const [, ys] = lax.scan((c: Array, k: Array) => [c, f(k)], np.zeros([]), keys);
      const expected = SEEDS.flatMap((seed) => flatJson(want(entry(mode, seed), extra(mode, seed))));
      assert.deepEqual(flat(ys as Array), expected, `${mode}: scan ${name}`);
    }
  });
}

test("config.threefryPartitionable selects the stream when no per-call option is given", () => {
  const k = random.PRNGKey(42);
  assert.equal(random.config.threefryPartitionable, true);
  assert.deepEqual(random.split(k).tolist(), entry("partitionable", "42").split);
  random.config.threefryPartitionable = false;
  try {
    assert.deepEqual(random.split(k).tolist(), entry("legacy", "42").split);
    assert.deepEqual(flat(random.normal(k, [5])), entry("legacy", "42").normal_5);
    // A per-call option wins over the global setting.
    assert.deepEqual(random.split(k, 2, { partitionable: true }).tolist(), entry("partitionable", "42").split);
  } finally {
    random.config.threefryPartitionable = true;
  }
});

test("a key-splitting loop in scan equals the eager loop (carry = key)", () => {
  const step = (k: Array): [Array, Array] => {
    const ks = random.split(k);
    return [ks.get(0), random.normal(ks.get(1), [3])];
  };
  let k = random.PRNGKey(12);
  const eager: number[] = [];
  for (let i = 0; i < 4; i++) {
    const [next, y] = step(k);
    eager.push(...flat(y));
    k = next;
  }
  const [last, ys] = lax.scan((c: Array) => step(c), random.PRNGKey(12), null, { length: 4 });
  assert.deepEqual(flat(ys as Array), eager);
  assert.deepEqual(flat(last as Array), flat(k));
});

test("typed keys: split/foldIn/samplers give the same values as raw keys, and keep their kind", () => {
  const tk = random.key(42);
  assert.deepEqual([...tk.shape], []);
  const ts = random.split(tk, 3);
  assert.ok(ts instanceof random.KeyArray);
  assert.deepEqual([...ts.shape], [3]);
  assert.deepEqual(random.keyData(ts).tolist(), entry("partitionable", "42").split3);
  const [a, b, c] = ts;
  assert.deepEqual(random.keyData(c).tolist(), (entry("partitionable", "42").split3 as number[][])[2]);
  assert.deepEqual(flat(random.uniform(a, [3])), flat(random.uniform(random.keyData(a), [3])));
  assert.deepEqual(random.keyData(random.foldIn(b, 7)).tolist(), random.foldIn(random.keyData(b), 7).tolist());
  // Typed keys pass through jit and vmap as pytrees.
  const jf = jit((k: random.KeyArray) => random.split(k));
  assert.deepEqual(random.keyData(jf(tk)).tolist(), entry("partitionable", "42").split);
  const vn = vmap((k: random.KeyArray) => random.normal(k, [2]))(ts);
  assert.deepEqual(flat(vn), [a, b, c].flatMap((k) => flat(random.normal(k, [2]))));
});

test("traced seeds: vmap(PRNGKey) over int32 seeds, including negative ones", () => {
  const seeds = np.array([0, 1, 42, -1], { dtype: "int32" });
  const ks = vmap((s: Array) => random.PRNGKey(s))(seeds);
  assert.deepEqual(ks.tolist(), [
    [0, 0],
    [0, 1],
    [0, 42],
    [0, 4294967295],
  ]);
  assert.deepEqual(random.PRNGKey(-1).tolist(), [0, 4294967295]);
  assert.deepEqual(random.PRNGKey(2 ** 31 + 99).tolist(), [0, 2147483747]);
});
