// The traced `random` namespace against JAX's known answers (testdata/random/jax-known-answers.json,
// checked bit for bit against JAX 0.11.2 on CPU — see testdata/random/README.md), for keys 0, 1, 42
// and both streams: eagerly, under jit, under vmap over a batch of keys, and inside lax.scan.
// Floats are compared exactly (the CPU kernels reproduce XLA:CPU's float32 arithmetic).
import { test } from "node:test";
import assert from "node:assert/strict";
import { random, jit, vmap, lax, np, type Array } from "linax-ts";
import { MODES, SEEDS, flatJson, entry, extra, cases } from "@linax-ts/testing/random-known-answers";

const flat = (x: Array): number[] => Array_from(x.dataSync());
const Array_from = (a: ArrayLike<number>): number[] => globalThis.Array.from(a);

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
        assert.deepEqual(
          flat(f(k)),
          flatJson(want(entry(mode, seed), extra(mode, seed))),
          `${mode} seed ${seed}: ${name}`,
        );
      }
    }
  });

  test(`${mode} stream: every known answer under jit (bit-exact)`, () => {
    for (const [name, f, want] of cases(partitionable)) {
      const jf = jit(f);
      for (const seed of SEEDS) {
        assert.deepEqual(
          flat(jf(random.PRNGKey(Number(seed)))),
          flatJson(want(entry(mode, seed), extra(mode, seed))),
          `${mode} seed ${seed}: jit ${name}`,
        );
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
  assert.deepEqual(
    flat(vn),
    [a, b, c].flatMap((k) => flat(random.normal(k, [2]))),
  );
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
