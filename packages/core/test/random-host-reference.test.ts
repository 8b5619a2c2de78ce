// Known-answer tests of the host reference of JAX's PRNG. Every expected number below comes from a
// published source named next to it, or (marked "observed") from running JAX 0.11.2 itself; see
// testdata/random/README.md. Published float values are printed to ~7 digits, so they are compared
// with JAX's own float32 test tolerance; everything integer is compared exactly.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as R from "../src/random/host-reference.ts";

const LEGACY = { partitionable: false };
const PART = { partitionable: true };
const arr = (a: ArrayLike<number>): number[] => Array.from(a);
const keyRows = (ks: Uint32Array[]): number[][] => ks.map((k) => arr(k));

/** `jtu.JaxTestCase.assertAllClose` for float32: |a - b| <= atol + rtol * |b|. */
function assertClose(actual: ArrayLike<number>, expected: number[], tol = 1e-6): void {
  assert.equal(actual.length, expected.length);
  expected.forEach((e, i) => {
    const a = actual[i];
    assert.ok(Math.abs(a - e) <= tol + tol * Math.abs(e), `index ${i}: ${a} vs ${e}`);
  });
}

/** zlib.adler32, as JAX's RandomValuesCase._seed uses to derive each case's seed. */
function adler32(s: string): number {
  let a = 1;
  let b = 0;
  for (const c of Buffer.from(s, "utf8")) {
    a = (a + c) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

test("threefry2x32 matches Random123's known-answer vectors", () => {
  // Random123-Boost libs/random/test/test_threefry.cpp L30-32, as used by JAX's
  // tests/random_test.py testThreefry2x32 (20 rounds).
  const cases: [number[], number[], number[]][] = [
    [
      [0, 0],
      [0, 0],
      [0x6b200159, 0x99ba4efe],
    ],
    [
      [0xffffffff, 0xffffffff],
      [0xffffffff, 0xffffffff],
      [0x1cb996fc, 0xbb002be7],
    ],
    [
      [0x13198a2e, 0x03707344],
      [0x243f6a88, 0x85a308d3],
      [0xc4923a9c, 0x483df7a0],
    ],
  ];
  for (const [k, x, y] of cases) {
    const [y0, y1] = R.threefry2x32([k[0], k[1]], Uint32Array.of(x[0]), Uint32Array.of(x[1]));
    assert.deepEqual([y0[0], y1[0]], y);
    // JAX's threefry_2x32(key, count) takes the flat count [x0, x1].
    assert.deepEqual(arr(R.threefry2x32Flat(Uint32Array.from(k), Uint32Array.from(x))), y);
  }
});

test("threefry2x32Flat splits the count in halves and pads odd lengths with 0", () => {
  // testThreefry2x32Large: n copies of x0 then n copies of x1 hash to n copies of each output.
  const n = 3;
  const count = Uint32Array.from([...Array(n).fill(0x243f6a88), ...Array(n).fill(0x85a308d3)]);
  const out = R.threefry2x32Flat(Uint32Array.of(0x13198a2e, 0x03707344), count);
  assert.deepEqual(arr(out), [...Array(n).fill(0xc4923a9c), ...Array(n).fill(0x483df7a0)]);
  const key = Uint32Array.of(7, 11);
  const odd = R.threefry2x32Flat(key, Uint32Array.of(1, 2, 3));
  assert.deepEqual(arr(odd), arr(R.threefry2x32Flat(key, Uint32Array.of(1, 2, 3, 0))).slice(0, 3));
});

test("prngKey follows threefry_seed for 32- and 64-bit seeds", () => {
  // tests/random_test.py test_prng_seeds_and_keys.
  assert.deepEqual(arr(R.prngKey(0)), [0, 0]);
  assert.deepEqual(arr(R.prngKey(3)), [0, 3]);
  assert.deepEqual(arr(R.prngKey(-1)), [0, 4294967295]);
  assert.deepEqual(arr(R.prngKey(-2)), [0, 4294967294]);
  assert.deepEqual(arr(R.prngKey(2 ** 31 - 1 + 100)), [0, 2147483747]);
  assert.deepEqual(arr(R.prngKey(-(2 ** 31) - 100)), [0, 2147483548]);
  assert.deepEqual(arr(R.prngKey(-1, { x64: true })), [4294967295, 4294967295]);
  assert.deepEqual(arr(R.prngKey(-3, { x64: true })), [4294967295, 4294967293]);
  assert.deepEqual(arr(R.prngKey(-(2 ** 31) - 101, { x64: true })), [4294967295, 2147483547]);
});

test("legacy stream: testPRNGValues (split, fold_in, randint of PRNGKey(0))", () => {
  // tests/random_test.py testPRNGValues (skipped when jax_threefry_partitionable is on).
  const k = R.prngKey(0);
  assert.deepEqual(keyRows(R.split(k, 4, LEGACY)), [
    [2285895361, 1501764800],
    [1518642379, 4090693311],
    [433833334, 4221794875],
    [839183663, 3740430601],
  ]);
  assert.deepEqual(arr(R.foldIn(k, 4)), [2285895361, 433833334]);
  assert.deepEqual(arr(R.randint(k, [3, 3], 0, 8, LEGACY)), [2, 1, 3, 6, 1, 5, 6, 3, 4]);
});

test("legacy stream: split(PRNGKey(0)) and the normal draws printed in JAX's docs", () => {
  // JAX docs, "JAX - The Sharp Bits" (Common_Gotchas_in_JAX), random numbers section:
  // old key [0 0] -> new key [4146024105 967050713], subkey [2718843009 1272950319] -> normal
  // [-1.2515389]; normal(key(0), (1,)) = [-0.20584226]; normal(new key, (1,)) = [0.14389051].
  const k0 = R.prngKey(0);
  const [key, sub] = R.split(k0, 2, LEGACY);
  assert.deepEqual(arr(key), [4146024105, 967050713]);
  assert.deepEqual(arr(sub), [2718843009, 1272950319]);
  assertClose(R.normal(sub, [1], LEGACY), [-1.2515389]);
  assertClose(R.normal(k0, [1], LEGACY), [-0.20584226]);
  assertClose(R.normal(key, [1], LEGACY), [0.14389051]);
  // JAX docs, "Pseudorandom numbers" tutorial: PRNGKey(12), three split-then-normal draws,
  // printed at full double precision of the float32 results — so compared exactly.
  let k = R.prngKey(12);
  const draws: number[] = [];
  for (let i = 0; i < 3; i++) {
    const [next, subkey] = R.split(k, 2, LEGACY);
    draws.push(R.normal(subkey, [], LEGACY)[0]);
    k = next;
  }
  assert.deepEqual(draws, [0.735927939414978, 1.810187578201294, 0.11553369462490082]);
});

test("legacy stream: testRngRandomBits for PRNGKey(1701)", () => {
  // tests/random_test.py testRngRandomBits (8/16/32 bits; 64 bits under jax_enable_x64).
  const k = R.prngKey(1701);
  assert.deepEqual(arr(R.randomBits(k, 8, [3], LEGACY)), [216, 115, 43]);
  assert.deepEqual(arr(R.randomBits(k, 16, [3], LEGACY)), [41682, 1300, 55017]);
  assert.deepEqual(arr(R.randomBits(k, 32, [3], LEGACY)), [56197195, 4200222568, 961309823]);
  assert.deepEqual(Array.from(R.randomBits(k, 64, [3], LEGACY)), [
    3982329540505020460n,
    16822122385914693683n,
    7882654074788531506n,
  ]);
});

test("legacy stream: testRandomDistributionValues cases (threefry2x32)", () => {
  // tests/random_test.py _RANDOM_VALUES_CASES; seed = adler32(name + "threefry2x32").
  const key = (name: string): R.Key => R.prngKey(adler32(name + "threefry2x32"));
  assert.deepEqual(arr(R.bernoulli(key("bernoulli"), 0.5, [5], LEGACY)), [0, 1, 1, 1, 0]);
  assert.deepEqual(arr(R.randomBits(key("bits"), 8, [5], LEGACY)), [10, 158, 82, 54, 158]);
  assert.deepEqual(arr(R.randomBits(key("bits"), 16, [5], LEGACY)), [6738, 38161, 50695, 57337, 61600]);
  assert.deepEqual(
    arr(R.randomBits(key("bits"), 32, [5], LEGACY)),
    [1978747883, 4134381225, 3628107870, 689687174, 2788938207],
  );
  assert.deepEqual(Array.from(R.randomBits(key("bits"), 64, [5], LEGACY)), [
    17649965731882839947n,
    1415307058040849897n,
    8282622628079774249n,
    14024425113645909402n,
    2012979996110532418n,
  ]);
  assertClose(R.exponential(key("exponential"), [5], LEGACY), [0.526067, 0.043046, 0.039932, 0.46427, 0.123886]);
  assertClose(R.gumbel(key("gumbel"), [5], LEGACY), [2.06701, 0.911726, 0.145736, 0.185427, -0.00711]);
  assertClose(R.normal(key("normal"), [5], LEGACY), [-1.173234, -1.511662, 0.070593, -0.099764, 1.052845]);
  assert.deepEqual(arr(R.randint(key("randint"), [5], 0, 10, LEGACY)), [0, 5, 7, 7, 5]);
  assertClose(
    R.truncatedNormal(key("truncated_normal"), 0, 2, [5], LEGACY),
    [0.582807, 1.709771, 0.159513, 0.861376, 0.36148],
  );
  assertClose(R.uniform(key("uniform"), [5], LEGACY), [0.298671, 0.073213, 0.873356, 0.260549, 0.412797]);
});

test("legacy stream: jax.nn.initializers docstring examples with key(42), shape (2, 3)", () => {
  // docs.jax.dev jax.nn.initializers.{uniform,normal,he_normal,glorot_normal} (identical in
  // Flax 0.6.10's docs, i.e. from the legacy stream). uniform(10) = uniform * 10, normal(5) =
  // normal * 5; he/glorot = truncated_normal(-2, 2) * sqrt(variance) / .87962566103423978. The
  // printed normals come from an older XLA erf_inv and differ from today's by a few ulps.
  const k = R.prngKey(42);
  const times = (a: Float32Array, s: number): number[] => arr(a).map((v) => Math.fround(v * Math.fround(s)));
  assertClose(times(R.uniform(k, [6], LEGACY), 10), [7.298188, 8.691938, 8.7230015, 2.0818567, 1.8662417, 5.5022564]);
  assertClose(
    times(R.normal(k, [6], LEGACY), 5),
    [3.0613258, 5.6129413, 5.6866574, -4.063663, -4.4520254, 0.63115686],
    1e-6 * 5,
  );
  const tn = R.truncatedNormal(k, -2, 2, [6], LEGACY);
  assertClose(
    times(tn, 1 / 0.87962566103423978),
    [0.6604483, 1.1900088, 1.2047218, -0.87225807, -0.95321447, 0.1369438],
  );
  assertClose(
    times(tn, Math.sqrt(1 / 2.5) / 0.87962566103423978),
    [0.41770416, 0.75262755, 0.7619329, -0.5516644, -0.6028657, 0.08661086],
  );
});

test("partitionable stream: split is fold_in by index (test_threefry_split_fold_in_symmetry)", () => {
  // tests/random_test.py test_threefry_split_fold_in_symmetry: key(72), split(key, 3)[i] == fold_in(key, i).
  const key = R.prngKey(72);
  const s = R.split(key, 3, PART);
  for (let i = 0; i < 3; i++) assert.deepEqual(arr(s[i]), arr(R.foldIn(key, i)));
  // Bits are a function of the element's flat index alone, so a prefix shape gives a prefix.
  assert.deepEqual(arr(R.randomBits(key, 32, [3], PART)), arr(R.randomBits(key, 32, [2, 4], PART)).slice(0, 3));
});

test("partitionable stream: values observed from JAX 0.11.2 (CPU; integers also on CUDA)", () => {
  // Observed by running jax.random with jax_threefry_partitionable=True (the default), key(0).
  const k = R.prngKey(0);
  assert.deepEqual(keyRows(R.split(k, 3, PART)), [
    [1797259609, 2579123966],
    [928981903, 3453687069],
    [4146024105, 2718843009],
  ]);
  assert.deepEqual(arr(R.foldIn(k, 7)), [2716826189, 292468403]);
  assert.deepEqual(
    arr(R.randomBits(k, 32, [2, 3], PART)),
    [4070199207, 4202968722, 1427181096, 2012915765, 2447653815, 710830403],
  );
  assert.deepEqual(
    Array.from(R.uniform(k, [5], PART), R.f32ToBits),
    [1064475214, 1064993846, 1051337244, 1055913296, 1058137146],
  );
  assert.deepEqual(
    Array.from(R.normal(k, [5], PART), R.f32ToBits),
    [1070576317, 1073847792, 3202220055, 3181445666, 1043616044],
  );
  assert.deepEqual(arr(R.randint(k, [6], 0, 10, PART)), [9, 0, 2, 3, 1, 7]);
  assert.deepEqual(arr(R.permutation(k, 10, PART)), [0, 1, 8, 5, 6, 4, 3, 2, 7, 9]);
  // truncated_normal(key, -1.5, 2.0, (64,)) with traced bounds vs. bounds constant under jit
  // (float32 bits of the first four values); the erf of the bounds is computed differently.
  const bitsOf = (a: Float32Array): number[] => Array.from(a.subarray(0, 4), R.f32ToBits);
  assert.deepEqual(bitsOf(R.truncatedNormal(k, -1.5, 2, [64], PART)), [1069319735, 1071436054, 3198864901, 3162860285]);
  assert.deepEqual(
    bitsOf(R.truncatedNormal(k, -1.5, 2, [64], { ...PART, constantBounds: true })),
    [1069319735, 1071436056, 3198864903, 3162860287],
  );
});

test("shuffle rounds follow _shuffle's ceil(3 ln n / ln(2^32 - 1))", () => {
  assert.deepEqual([0, 1, 2, 1625, 1626, 2 ** 21].map(R.shuffleRounds), [0, 0, 1, 1, 2, 2]);
  const p = R.permutation(R.prngKey(5), 2000, PART);
  assert.deepEqual(
    arr(p).sort((a, b) => a - b),
    Array.from({ length: 2000 }, (_, i) => i),
  );
});

test("float32 helpers: fmaF32 rounds once, nextAfterF32 steps one ulp", () => {
  // (1 + 2^-12)^2 = 1 + 2^-11 + 2^-24 is a float32 midpoint (ties to even: 1 + 2^-11); adding
  // 2^-80 must round up, which rounding the double sum first would lose.
  const a = Math.fround(1 + 2 ** -12);
  assert.equal(R.fmaF32(a, a, 2 ** -80), 1 + 2 ** -11 + 2 ** -23);
  assert.equal(R.fmaF32(a, a, -(2 ** -80)), 1 + 2 ** -11);
  assert.equal(R.fmaF32(Math.fround(1 + 2 ** -12), Math.fround(1 + 2 ** -12), -1), Math.fround(2 ** -11 + 2 ** -24));
  assert.equal(R.nextAfterF32(-1, 0), Math.fround(-1 + 2 ** -24));
  assert.equal(R.nextAfterF32(0, 1), 2 ** -149);
  // XLA: erfinv(±1) = ±inf (`x * MaxValue`, and MaxValue of a float type is +inf).
  assert.equal(R.erfInvF32(1), Infinity);
  assert.equal(R.erfInvF32(-1), -Infinity);
  assert.equal(R.erfF32(4), 1);
});

test("randint edge cases follow _randint", () => {
  const k = R.prngKey(3);
  assert.deepEqual(arr(R.randint(k, [4], 5, 5, PART)), [5, 5, 5, 5]); // maxval <= minval gives minval
  assert.deepEqual(arr(R.randint(k, [4], 7, 2, PART)), [7, 7, 7, 7]);
  for (const v of R.randint(k, [64], -5, 5, LEGACY)) assert.ok(v >= -5 && v < 5);
});

test("testdata/random/jax-known-answers.json matches the reference", () => {
  // The committed data is regenerated here; scripts/gen-random-testdata.ts writes it.
  const url = new URL("../../../testdata/random/jax-known-answers.json", import.meta.url);
  const data = JSON.parse(readFileSync(url, "utf8")) as Record<string, Record<string, Record<string, unknown>>>;
  for (const [mode, opts] of [
    ["partitionable", PART],
    ["legacy", LEGACY],
  ] as const) {
    for (const seed of ["0", "1", "42"]) {
      const d = data[mode][seed];
      const k = R.prngKey(Number(seed));
      assert.deepEqual(d.split, keyRows(R.split(k, 2, opts)));
      assert.deepEqual(d.split3, keyRows(R.split(k, 3, opts)));
      assert.deepEqual(d.foldIn7, arr(R.foldIn(k, 7)));
      assert.deepEqual((d.bits_2x3 as number[][]).flat(), arr(R.randomBits(k, 32, [2, 3], opts)));
      assert.deepEqual(d.uniform_5, arr(R.uniform(k, [5], opts)));
      assert.deepEqual(d.normal_5, arr(R.normal(k, [5], opts)));
      assert.deepEqual(d.randint_6_0_10, arr(R.randint(k, [6], 0, 10, opts)));
      assert.deepEqual(
        d.bernoulli_8_p0_3,
        Array.from(R.bernoulli(k, 0.3, [8], opts), (b) => b === 1),
      );
    }
  }
});
