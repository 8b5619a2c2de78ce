// Statistical properties of the samplers for n = 1e5 draws. Bounds are 5 standard errors of the
// estimator (derived in each test from the distribution's moments), so a correct sampler fails
// with probability below ~1e-6 per check — and the draws are deterministic, so a pass is stable.
import { test } from "node:test";
import assert from "node:assert/strict";
import { random, np, jit, vmap, type Array } from "linax-ts";

const N = 100_000;
const flat = (x: Array): number[] => globalThis.Array.from(x.dataSync());

/** Mean and (population) variance in float64. */
function moments(xs: readonly number[]): { mean: number; variance: number } {
  const mean = xs.reduce((s, v) => s + v, 0) / xs.length;
  const variance = xs.reduce((s, v) => s + (v - mean) ** 2, 0) / xs.length;
  return { mean, variance };
}

/** Assert |got - want| < 5·se, with a message naming the quantity. */
function within5(what: string, got: number, want: number, se: number): void {
  assert.ok(Math.abs(got - want) < 5 * se, `${what}: ${got} vs ${want} (5σ = ${5 * se})`);
}

/** Sample mean and variance against the distribution's mean μ, variance σ² and 4th central moment μ4. */
function checkMoments(name: string, xs: readonly number[], mu: number, s2: number, mu4: number): void {
  const { mean, variance } = moments(xs);
  within5(`${name} mean`, mean, mu, Math.sqrt(s2 / xs.length));
  within5(`${name} variance`, variance, s2, Math.sqrt((mu4 - s2 * s2) / xs.length));
}

const Phi = (x: number): number => 0.5 * (1 + erf64(x / Math.SQRT2));
const phi = (x: number): number => Math.exp((-x * x) / 2) / Math.sqrt(2 * Math.PI);
/** erf in float64 from the positive series 2/√π·e^(−x²)·Σ (2x²)^n·x/(1·3···(2n+1)) (no cancellation). */
function erf64(x: number): number {
  const ax = Math.abs(x);
  if (ax > 6) return Math.sign(x);
  let term = ax;
  let sum = ax;
  for (let n = 1; Math.abs(term) > 1e-17 * sum; n++) {
    term *= (2 * ax * ax) / (2 * n + 1);
    sum += term;
  }
  return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * Math.exp(-ax * ax) * sum;
}

// The samplers share their code above the random bits, so the legacy stream (which only changes
// how bits and split keys are derived) runs the checks that exercise the bits and keys; the
// sampler-specific ones run on the default stream.
for (const partitionable of [true, false]) {
  const o = { partitionable };
  const k = random.PRNGKey(2024);
  const stream = partitionable ? "partitionable" : "legacy";
  const samplerTest = (name: string, fn: () => void): void => {
    if (partitionable) test(name, fn);
  };

  test(`${stream}: uniform, normal, exponential, gumbel moments (n = 1e5)`, () => {
    const u = flat(random.uniform(k, [N], o));
    assert.ok(u.every((v) => v >= 0 && v < 1));
    checkMoments("uniform", u, 0.5, 1 / 12, 1 / 80);
    const w = flat(random.uniform(random.foldIn(k, 1), [N], { ...o, minval: -3, maxval: 5.5 }));
    assert.ok(w.every((v) => v >= -3 && v < 5.5));
    checkMoments("uniform[-3, 5.5)", w, 1.25, 8.5 ** 2 / 12, 8.5 ** 4 / 80);
    const z = flat(random.normal(random.foldIn(k, 2), [N], o));
    checkMoments("normal", z, 0, 1, 3);
    const inside = z.filter((v) => Math.abs(v) < 1).length / N;
    const p1 = 2 * Phi(1) - 1;
    within5("normal P(|z| < 1)", inside, p1, Math.sqrt((p1 * (1 - p1)) / N));
    const e = flat(random.exponential(random.foldIn(k, 3), [N], o));
    assert.ok(e.every((v) => v >= 0));
    checkMoments("exponential", e, 1, 1, 9);
    const g = flat(random.gumbel(random.foldIn(k, 4), [N], o));
    const s2 = Math.PI ** 2 / 6;
    checkMoments("gumbel", g, 0.5772156649015329, s2, 5.4 * s2 * s2);
  });

  samplerTest(`${stream}: complex normal has E|z|² = 1 with independent N(0, ½) parts`, () => {
    const z = flat(random.normal(k, [N], { ...o, dtype: "complex64" }));
    const re = z.filter((_, i) => i % 2 === 0);
    const im = z.filter((_, i) => i % 2 === 1);
    checkMoments("complex normal re", re, 0, 0.5, 0.75);
    checkMoments("complex normal im", im, 0, 0.5, 0.75);
    const corr = re.reduce((s, v, i) => s + v * im[i], 0) / N / 0.5;
    within5("corr(re, im)", corr, 0, 1 / Math.sqrt(N));
  });

  samplerTest(`${stream}: truncatedNormal stays inside the open interval and has the truncated mean`, () => {
    const [a, b] = [-1, 2];
    const t = flat(random.truncatedNormal(k, a, b, [N], o));
    assert.ok(
      t.every((v) => v > a && v < b),
      "all samples in (lower, upper)",
    );
    const z = Phi(b) - Phi(a);
    const mu = (phi(a) - phi(b)) / z;
    const s2 = 1 + (a * phi(a) - b * phi(b)) / z - mu * mu;
    within5("truncatedNormal mean", moments(t).mean, mu, Math.sqrt(s2 / N));
    // Array bounds broadcast against the shape: row i truncated to (lo[i], hi[i]).
    const tb = flat(random.truncatedNormal(k, np.array([[-2], [0]]), np.array([[-1], [3]]), [2, 1000], o));
    tb.forEach((v, i) =>
      assert.ok(i < 1000 ? v > -2 && v < -1 : v > 0 && v < 3, `bounds of row ${Math.floor(i / 1000)}: ${v}`),
    );
  });

  test(`${stream}: bernoulli frequency, randint range and chi-square uniformity`, () => {
    const bern = flat(random.bernoulli(k, 0.3, [N], o));
    within5("bernoulli(0.3) frequency", bern.reduce((s, v) => s + v, 0) / N, 0.3, Math.sqrt(0.21 / N));
    const r = flat(random.randint(k, [N], -5, 7, o));
    assert.ok(r.every((v) => Number.isInteger(v) && v >= -5 && v < 7));
    const counts = new globalThis.Array<number>(12).fill(0);
    for (const v of r) counts[v + 5]++;
    const chi2 = counts.reduce((s, c) => s + (c - N / 12) ** 2 / (N / 12), 0);
    // df = 11: mean 11, sd √22 ≈ 4.7; 45 is beyond the 1e-5 quantile.
    assert.ok(chi2 < 45, `randint chi-square ${chi2} (counts ${counts})`);
  });

  samplerTest(`${stream}: categorical and weighted choice frequencies match the probabilities`, () => {
    const probs = [0.1, 0.2, 0.3, 0.4];
    const logits = np.log(np.array(probs));
    const c = flat(random.categorical(k, logits, { ...o, shape: [N] }));
    const chc = flat(random.choice(random.foldIn(k, 5), 4, { ...o, shape: [N], p: np.array(probs) }));
    for (const [name, xs] of [
      ["categorical", c],
      ["choice(p)", chc],
    ] as const) {
      probs.forEach((p, j) =>
        within5(`${name} frequency of ${j}`, xs.filter((v) => v === j).length / N, p, Math.sqrt((p * (1 - p)) / N)),
      );
    }
    // Logits along axis 0 with a batch: each column is its own distribution.
    const cols = np.log(
      np.array([
        [0.5, 0.01],
        [0.5, 0.99],
      ]),
    );
    const s = flat(random.categorical(k, cols, { ...o, axis: 0, shape: [20000, 2] }));
    within5(
      "categorical axis 0, column 1 frequency of 1",
      s.filter((v, i) => i % 2 === 1 && v === 1).length / 20000,
      0.99,
      Math.sqrt(0.0099 / 20000),
    );
  });

  test(`${stream}: permutations are permutations; choice without replacement draws distinct items`, () => {
    const n = 2000; // two sort rounds
    const p = flat(random.permutation(k, n, o));
    assert.deepEqual(
      [...p].sort((x, y) => x - y),
      globalThis.Array.from({ length: n }, (_, i) => i),
    );
    assert.ok(p.some((v, i) => v !== i));
    const x = np.reshape(np.arange(12), [3, 4]);
    const rows = random.permutation(k, x, { ...o, axis: 1 }).tolist() as number[][];
    const order = rows[0].map((v) => v % 4);
    rows.forEach((row, i) =>
      assert.deepEqual(
        row,
        order.map((j) => 4 * i + j),
      ),
    );
    const indep = random.permutation(k, x, { ...o, axis: 1, independent: true }).tolist() as number[][];
    indep.forEach((row, i) =>
      assert.deepEqual(
        [...row].sort((a, b) => a - b),
        [0, 1, 2, 3].map((j) => 4 * i + j),
      ),
    );
    const draws = flat(random.choice(k, 1000, { ...o, shape: [500], replace: false }));
    assert.equal(new Set(draws).size, 500);
    assert.ok(draws.every((v) => v >= 0 && v < 1000));
    const pw = np.array(globalThis.Array.from({ length: 50 }, (_, i) => i + 1));
    const weighted = flat(random.choice(k, 50, { ...o, shape: [30], replace: false, p: np.divide(pw, 1275) }));
    assert.equal(new Set(weighted).size, 30);
    const rowsOf = random.choice(k, x, { ...o, shape: [2], replace: false, axis: 1 });
    assert.deepEqual([...rowsOf.shape], [3, 2]);
  });

  samplerTest(`${stream}: orthogonal matrices satisfy QᵀQ = I (real, semi-orthogonal, complex)`, () => {
    const check = (q: Array, rows: number, cols: number, complexQ: boolean): void => {
      const d = flat(q);
      const batch = d.length / (rows * cols * (complexQ ? 2 : 1));
      const small = Math.min(rows, cols);
      for (let b = 0; b < batch; b++) {
        const at = (i: number, j: number): [number, number] => {
          const f = (b * rows + i) * cols + j;
          return complexQ ? [d[2 * f], d[2 * f + 1]] : [d[f], 0];
        };
        // The smaller dimension's vectors (columns if rows >= cols, else rows) are orthonormal.
        for (let i = 0; i < small; i++) {
          for (let j = 0; j < small; j++) {
            let re = 0;
            let im = 0;
            const len = Math.max(rows, cols);
            for (let t = 0; t < len; t++) {
              const [ar, ai] = rows >= cols ? at(t, i) : at(i, t);
              const [br, bi] = rows >= cols ? at(t, j) : at(j, t);
              re += ar * br + ai * bi;
              im += ar * bi - ai * br;
            }
            assert.ok(
              Math.abs(re - (i === j ? 1 : 0)) < 1e-5 && Math.abs(im) < 1e-5,
              `Q orthonormality (${i}, ${j}): ${re} + ${im}i`,
            );
          }
        }
      }
    };
    const q = random.orthogonal(k, 5, { ...o, shape: [3] });
    assert.deepEqual([...q.shape], [3, 5, 5]);
    check(q, 5, 5, false);
    check(random.orthogonal(k, 3, { ...o, m: 5 }), 3, 5, false);
    check(random.orthogonal(k, 5, { ...o, m: 3 }), 5, 3, false);
    const u = random.orthogonal(k, 4, { ...o, dtype: "complex64" });
    assert.equal(u.dtype, "complex64");
    check(u, 4, 4, true);
    // vmap over keys and jit give the per-key results.
    const ks = random.split(k, 2, o);
    const f = (kk: Array): Array => random.orthogonal(kk, 3, o);
    assert.deepEqual(flat(vmap(f)(ks)), [...flat(f(ks.get(0))), ...flat(f(ks.get(1)))]);
    assert.deepEqual(flat(jit(f)(ks.get(1))), flat(f(ks.get(1))));
  });

  test(`${stream}: streams of split and folded keys are uncorrelated`, () => {
    const ks = random.split(k, 3, o);
    const streams = [ks.get(0), ks.get(1), ks.get(2), random.foldIn(k, 0), random.foldIn(k, 1), k].map((kk) =>
      flat(random.uniform(kk, [N], o)),
    );
    for (let a = 0; a < streams.length; a++) {
      for (let b = a + 1; b < streams.length; b++) {
        // In the partitionable stream split(k)[i] is foldIn(k, i) by design: identical streams.
        if (partitionable && b - a === 3 && a < 2) {
          assert.deepEqual(streams[a], streams[b]);
          continue;
        }
        const x = streams[a];
        const y = streams[b];
        const corr = x.reduce((s, v, i) => s + (v - 0.5) * (y[i] - 0.5), 0) / N / (1 / 12);
        within5(`corr(stream ${a}, stream ${b})`, corr, 0, 1 / Math.sqrt(N));
      }
    }
  });
}
