// float16 / bfloat16 samplers of `random` against an independent numpy re-implementation of JAX's
// algorithm (testdata/random/half/half-samplers.json, written by testdata/random/half/generate.py;
// see the README there), bit for bit on the CPU backend, for keys 0 and 42 and both streams:
// eagerly, under jit and under vmap over keys; gradients through the bounds; nextafter in the half
// dtypes (by hand and against a bit-stepping host implementation); errors for bad dtypes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { random, jit, vmap, grad, np, lax, DTypeError, NotImplementedError, type Array, type DType } from "linax-ts";

type Half = "float16" | "bfloat16";
interface Case {
  bits: number[];
  uniform: number[];
  uniformRange: number[];
  normal: number[];
  truncatedNormal: number[];
  exponential: number[];
  gumbel: number[];
  bernoulli: number[];
}
const REF = JSON.parse(
  readFileSync(fileURLToPath(new URL("../../../testdata/random/half/half-samplers.json", import.meta.url)), "utf8"),
) as {
  n: number;
  pBernoulli: number[];
  uniformRange: [number, number];
  truncatedBounds: [number, number];
  cases: Record<string, Case>;
};
const N = REF.n;
const [LO, HI] = REF.uniformRange;
const [TLO, THI] = REF.truncatedBounds;

/** The stored 16-bit patterns of a half array (or 0/1 of a bool array, the values of a uint32 array). */
const raw = (x: Array): number[] => globalThis.Array.from(x.dataSync() as ArrayLike<number>);

type Sampler = (k: Array, d: Half, partitionable: boolean) => Array;
const SAMPLERS: [keyof Case, Sampler][] = [
  ["bits", (k, d, partitionable) => random.bits(k, [N], { bitWidth: d === "float16" ? 16 : 8, partitionable })],
  ["uniform", (k, d, partitionable) => random.uniform(k, [N], { dtype: d, partitionable })],
  [
    "uniformRange",
    (k, d, partitionable) => random.uniform(k, [N], { dtype: d, minval: LO, maxval: HI, partitionable }),
  ],
  ["normal", (k, d, partitionable) => random.normal(k, [N], { dtype: d, partitionable })],
  ["truncatedNormal", (k, d, partitionable) => random.truncatedNormal(k, TLO, THI, [N], { dtype: d, partitionable })],
  ["exponential", (k, d, partitionable) => random.exponential(k, [N], { dtype: d, partitionable })],
  ["gumbel", (k, d, partitionable) => random.gumbel(k, [N], { dtype: d, partitionable })],
  [
    "bernoulli",
    (k, d, partitionable) => random.bernoulli(k, np.array(REF.pBernoulli, { dtype: d }), [N], { partitionable }),
  ],
];

const CASES = Object.entries(REF.cases).map(([name, c]) => {
  const [seed, stream, dtype] = name.split("/");
  return { name, seed: Number(seed), partitionable: stream === "partitionable", dtype: dtype as Half, c };
});

test("half samplers: the reference covers both dtypes, both streams, two seeds", () => {
  assert.equal(CASES.length, 8);
  for (const d of ["float16", "bfloat16"]) assert.equal(CASES.filter((c) => c.dtype === d).length, 4);
});

test("half samplers equal the numpy re-implementation of JAX bit for bit (eager)", () => {
  for (const { name, seed, partitionable, dtype, c } of CASES) {
    const k = random.PRNGKey(seed);
    for (const [what, f] of SAMPLERS) {
      const x = f(k, dtype, partitionable);
      if (what !== "bits" && what !== "bernoulli") assert.equal(x.dtype, dtype, `${name} ${what}: dtype`);
      assert.deepEqual(raw(x), c[what], `${name}: ${what}`);
    }
  }
});

test("half samplers under jit give the same bits", () => {
  for (const { name, seed, partitionable, dtype, c } of CASES) {
    for (const [what, f] of SAMPLERS) {
      const jf = jit((k: Array) => f(k, dtype, partitionable));
      assert.deepEqual(raw(jf(random.PRNGKey(seed))), c[what], `${name}: jit ${what}`);
    }
  }
});

test("half samplers under vmap over a batch of keys equal the per-key draws", () => {
  for (const dtype of ["float16", "bfloat16"] as const) {
    for (const partitionable of [true, false]) {
      const keys = np.stack([random.PRNGKey(0), random.PRNGKey(42)]);
      for (const [what, f] of SAMPLERS) {
        const batched = vmap((k: Array) => f(k, dtype, partitionable))(keys);
        const want = [0, 42].flatMap(
          (seed) => REF.cases[`${seed}/${partitionable ? "partitionable" : "legacy"}/${dtype}`][what],
        );
        assert.deepEqual(raw(batched), want, `vmap ${dtype} ${partitionable} ${what}`);
      }
    }
  }
});

test("uniform in the half dtypes: values lie in [minval, maxval) and the range follows JAX's per-op rounding", () => {
  const k = random.PRNGKey(7);
  for (const dtype of ["float16", "bfloat16"] as const) {
    const u = globalThis.Array.from(random.uniform(k, [4000], { dtype }).astype("float32").dataSync() as Float32Array);
    const nm = dtype === "float16" ? 10 : 7;
    for (const v of u) {
      assert.ok(v >= 0 && v < 1, `${dtype}: ${v}`);
      assert.equal(v * 2 ** nm, Math.round(v * 2 ** nm), `${dtype}: ${v} is a multiple of 2^-${nm}`);
    }
    const mean = u.reduce((a, b) => a + b, 0) / u.length;
    // Mean of the grid {0, 2^-nm, …, 1 − 2^-nm} is (1 − 2^-nm)/2; 4000 draws have sd ≈ 0.0046.
    assert.ok(Math.abs(mean - (1 - 2 ** -nm) / 2) < 0.02, `${dtype}: mean ${mean}`);
  }
});

test("grad of a float16 uniform flows to minval and maxval as in float32 arithmetic rounded to float16", () => {
  const k = random.PRNGKey(3);
  const f = (lo: Array, hi: Array): Array =>
    np.sum(random.uniform(k, [16], { dtype: "float16", minval: lo, maxval: hi }));
  const lo = np.array(-1, { dtype: "float16" });
  const hi = np.array(2, { dtype: "float16" });
  const [glo, ghi] = grad(f, { argnums: [0, 1] })(lo, hi) as [Array, Array];
  assert.equal(glo.dtype, "float16");
  // d/dhi Σ (f·(hi − lo) + lo) = Σ f and d/dlo = Σ (1 − f), f the unit floats (no draw is clipped
  // by max(lo, ·) since f·3 − 1 ≥ −1). The float16 cotangent terms f are multiples of 2^-10, so
  // their float32 sum is exact; the result is that sum rounded once to float16.
  const unit = globalThis.Array.from(
    random.uniform(k, [16], { dtype: "float16" }).astype("float32").dataSync() as Float32Array,
  );
  const sumF = unit.reduce((a, b) => a + b, 0);
  const toF16 = (v: number): number => np.array(v, { dtype: "float16" }).astype("float32").item();
  assert.notEqual(toF16(sumF), sumF, "the sum is not a float16 value, so the rounding is exercised");
  assert.equal(ghi.astype("float32").item(), toF16(sumF));
  assert.equal(glo.astype("float32").item(), toF16(16 - sumF));
});

/** Host nextafter on half bit patterns: the neighbour pattern (integer stepping, as XLA does). */
function hostNextafterBits(h: number, toward: number, value: (b: number) => number): number {
  const x = value(h);
  if (Number.isNaN(x) || Number.isNaN(toward)) return NaN;
  if (x === toward) return -1; // "toward itself": checked separately
  const mag = h & 0x7fff;
  const up = toward > x;
  if (mag === 0) return up ? 1 : 0x8001;
  return ((h & 0x8000) === 0) === up ? h + 1 : h - 1;
}

test("lax.nextafter in float16 and bfloat16 steps by the dtype's own ulp (hand values and every 97th pattern); jit, vmap, np.nextafter; no derivative", () => {
  const f16 = (v: number[]): Array => np.array(v, { dtype: "float16" });
  const bf16 = (v: number[]): Array => np.array(v, { dtype: "bfloat16" });
  const val = (x: Array): number[] => globalThis.Array.from(x.astype("float32").dataSync());
  // Hand values: just above/below 1, the smallest subnormal, the top of the range, infinities,
  // the step from the smallest normal toward 0, a step to a signed zero.
  assert.deepEqual(
    val(
      lax.nextafter(
        f16([1, 1, 0, 65504, Infinity, 2 ** -14, -(2 ** -24), 2, 1]),
        f16([2, 0, 1, Infinity, 0, 0, 0, 0, 1]),
      ),
    ),
    [1 + 2 ** -10, 1 - 2 ** -11, 2 ** -24, Infinity, 65504, 2 ** -14 - 2 ** -24, -0, 2 - 2 ** -10, 1],
  );
  assert.ok(Object.is(val(lax.nextafter(f16([-(2 ** -24)]), f16([0])))[0], -0));
  assert.deepEqual(val(lax.nextafter(bf16([1, 1, 0, -Infinity, 2 ** -126]), bf16([2, 0, -1, 0, 0]))), [
    1 + 2 ** -7,
    1 - 2 ** -8,
    -(2 ** -133),
    -((2 - 2 ** -7) * 2 ** 127),
    2 ** -126 - 2 ** -133,
  ]);
  assert.ok(
    Number.isNaN(val(lax.nextafter(f16([NaN]), f16([1])))[0]) &&
      Number.isNaN(val(lax.nextafter(f16([1]), f16([NaN])))[0]),
  );
  // Sweep: every 97th finite pattern of each dtype, toward +inf and toward -inf.
  for (const dtype of ["float16", "bfloat16"] as const) {
    const pats: number[] = [];
    for (let h = 0; h < 0x10000; h += 97) if ((h & 0x7fff) < (dtype === "float16" ? 0x7c00 : 0x7f80)) pats.push(h);
    const value = dtype === "float16" ? halfValue : bf16Value;
    // Built from the patterns' values (exact: each is a value of the dtype).
    const x = np.array(
      pats.map((h) => value(h)),
      { dtype },
    );
    assert.deepEqual(raw(x), pats);
    for (const t of [Infinity, -Infinity]) {
      const got = raw(lax.nextafter(x, np.full(x.shape, t, { dtype })));
      const want = pats.map((h) => hostNextafterBits(h, t, value));
      // 0x7c00/0x7f80 (inf) is the step past the largest finite value; -0 steps like +0.
      assert.deepEqual(got, want, `${dtype} toward ${t}`);
      // The same under jit, under vmap (rows of the sweep), and through np.nextafter.
      const tt = np.full(x.shape, t, { dtype });
      assert.deepEqual(raw(jit(lax.nextafter)(x, tt)), want, `${dtype} jit toward ${t}`);
      assert.deepEqual(raw(np.nextafter(x, tt)), want, `${dtype} np.nextafter toward ${t}`);
      const rows = Math.floor(pats.length / 4) * 4;
      const xb = np.reshape(lax.sliceInDim(x, 0, rows, 1, 0), [4, rows / 4]);
      assert.deepEqual(
        raw(vmap(lax.nextafter)(xb, np.full(xb.shape, t, { dtype }))),
        want.slice(0, rows),
        `${dtype} vmap toward ${t}`,
      );
    }
  }
  // Like JAX (and float32 here), nextafter has no derivative.
  assert.throws(
    () =>
      grad((v: Array) => np.sum(lax.nextafter(v, np.full([1], 2, { dtype: "float16" })).astype("float32")))(f16([1])),
    NotImplementedError,
  );
});

function halfValue(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  return s * (e === 0 ? m * 2 ** -24 : e === 31 ? (m ? NaN : Infinity) : (1 + m / 1024) * 2 ** (e - 15));
}
function bf16Value(h: number): number {
  return new Float32Array(new Uint32Array([h << 16]).buffer)[0];
}

test("half samplers: dtype errors name the sampler and the dtype", () => {
  const k = random.PRNGKey(0);
  const bad: [string, () => unknown][] = [
    ["uniform", () => random.uniform(k, [2], { dtype: "int32" as DType })],
    ["normal", () => random.normal(k, [2], { dtype: "uint32" as DType })],
    ["truncatedNormal", () => random.truncatedNormal(k, -1, 1, [2], { dtype: "bool" as DType })],
    ["exponential", () => random.exponential(k, [2], { dtype: "complex64" })],
    ["gumbel", () => random.gumbel(k, [2], { dtype: "int32" as DType })],
  ];
  for (const [fn, f] of bad)
    assert.throws(
      f,
      (e: unknown) =>
        e instanceof DTypeError &&
        e.message.startsWith(`${fn}: dtype must be a float dtype (float32, float16, bfloat16`),
      fn,
    );
  assert.throws(
    () => random.bernoulli(k, np.array([1, 0], { dtype: "int32" })),
    (e: unknown) =>
      e instanceof DTypeError &&
      /bernoulli: probability p must have a floating dtype, got int32 \(float32, float16 or bfloat16\)/.test(e.message),
  );
});

test("categorical with half logits draws its Gumbel noise in the logits' dtype (argmax of the reference gumbel draws)", () => {
  for (const { name, seed, partitionable, dtype, c } of CASES) {
    const value = dtype === "float16" ? halfValue : bf16Value;
    const g = c.gumbel.map((h) => value(h));
    const want = g.indexOf(Math.max(...g));
    const k = random.PRNGKey(seed);
    const logits = np.zeros([N], { dtype });
    assert.equal(random.categorical(k, logits, { partitionable }).item(), want, `${name}: zero logits`);
    // A logit larger than every gap between the noise values moves the draw to its index.
    const tilt = np.array(
      g.map((_, i) => (i === (want + 1) % N ? 64 : 0)),
      { dtype },
    );
    assert.equal(random.categorical(k, tilt, { partitionable }).item(), (want + 1) % N, `${name}: tilted logits`);
  }
});
