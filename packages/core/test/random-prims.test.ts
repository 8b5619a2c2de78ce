// The PRNG primitives (threefry2x32, fma) against the bit-exact host reference: the CPU kernel,
// the composite impl (what a backend without a kernel runs), the batching rule; the float32
// kernels the samplers depend on (log, log1p, erf, erfInv) against XLA's algorithms; gradients
// through samplers; and the error messages.
import { test } from "node:test";
import assert from "node:assert/strict";
import { random, jit, vmap, grad, jvp, np, lax, type Array, ShapeError, DTypeError, ValueError } from "linax-ts";
import * as R from "../src/random/host-reference.ts";

const flat = (x: Array): number[] => globalThis.Array.from(x.dataSync());
const u32 = (xs: ArrayLike<number>, shape?: number[]): Array => {
  const a = np.array(Uint32Array.from(xs), { dtype: "uint32" });
  return shape ? np.reshape(a, shape) : a;
};
/** A deterministic stream of uint32 test words (not the PRNG under test). */
function words(n: number, seed: number): Uint32Array {
  let s = seed >>> 0;
  return Uint32Array.from({ length: n }, () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0));
}
const hostHash = (k0: number, k1: number, x0: number, x1: number): [number, number] => {
  const [y0, y1] = R.threefry2x32([k0, k1], Uint32Array.of(x0), Uint32Array.of(x1));
  return [y0[0], y1[0]];
};

test("threefry2x32 primitive: Random123 known answers, kernel and composite impl", () => {
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
    const args = [u32([k[0]], []), u32([k[1]], []), u32([x[0]], []), u32([x[1]], [])];
    const [y0, y1] = random.threefry2x32Hash(args[0], args[1], args[2], args[3]);
    assert.deepEqual([flat(y0)[0], flat(y1)[0]], y);
    const [i0, i1] = random.threefry2x32P.rules.impl!(args, {});
    assert.deepEqual([flat(i0)[0], flat(i1)[0]], y);
  }
});

test("threefry2x32 primitive: per-element keys, broadcasting, kernel == impl == host reference", () => {
  const n = 24;
  const [k0, k1, x0, x1] = [1, 2, 3, 4].map((s) => words(n, s));
  const expected0: number[] = [];
  const expected1: number[] = [];
  for (let i = 0; i < n; i++) {
    const [a, b] = hostHash(k0[i], k1[i], x0[i], x1[i]);
    expected0.push(a);
    expected1.push(b);
  }
  const args = [u32(k0, [4, 6]), u32(k1, [4, 6]), u32(x0, [4, 6]), u32(x1, [4, 6])];
  const [y0, y1] = random.threefry2x32Hash(args[0], args[1], args[2], args[3]);
  assert.deepEqual(flat(y0), expected0);
  assert.deepEqual(flat(y1), expected1);
  const [i0, i1] = random.threefry2x32P.rules.impl!(args, {});
  assert.deepEqual([flat(i0), flat(i1)], [expected0, expected1]);
  // Scalar keys and size-1 axes broadcast: keys [4, 1] against counters [1, 6].
  const kb0 = u32(k0.subarray(0, 4), [4, 1]);
  const kb1 = u32(k1.subarray(0, 4), [4, 1]);
  const xb0 = u32(x0.subarray(0, 6), [1, 6]);
  const xb1 = u32(x1.subarray(0, 6), [1, 6]);
  const [b0, b1] = random.threefry2x32Hash(kb0, kb1, xb0, xb1);
  const [c0, c1] = random.threefry2x32P.rules.impl!([kb0, kb1, xb0, xb1], {});
  const want0: number[] = [];
  const want1: number[] = [];
  for (let i = 0; i < 4; i++) {
    for (let j = 0; j < 6; j++) {
      const [a, b] = hostHash(k0[i], k1[i], x0[j], x1[j]);
      want0.push(a);
      want1.push(b);
    }
  }
  assert.deepEqual([flat(b0), flat(b1)], [want0, want1]);
  assert.deepEqual([flat(c0), flat(c1)], [want0, want1]);
});

test("threefry2x32 batching: batched keys and/or counters at any axis equal the per-example loop", () => {
  const B = 3;
  const keys = u32(words(2 * B, 7), [B, 2]);
  const counts = u32(words(5 * B, 8), [5, B]); // batch axis 1
  const f = (k: Array, c: Array): Array => {
    const [y0, y1] = random.threefry2x32Hash(
      lax.reshape(lax.slice(k, [0], [1]), []),
      lax.reshape(lax.slice(k, [1], [2]), []),
      c,
      lax.rev(c, [0]),
    );
    return np.stack([y0, y1]);
  };
  const loop = (ks: Array[], cs: Array[]): number[] => ks.flatMap((k, b) => flat(f(k, cs[b])));
  const kList = [0, 1, 2].map((b) => keys.get(b));
  const cList = [0, 1, 2].map((b) => counts.get(":", b));
  assert.deepEqual(flat(vmap(f, { inAxes: [0, 1] })(keys, counts)), loop(kList, cList));
  assert.deepEqual(flat(vmap(f, { inAxes: [0, null] })(keys, cList[0])), loop(kList, [cList[0], cList[0], cList[0]]));
  assert.deepEqual(flat(vmap(f, { inAxes: [null, 1] })(kList[1], counts)), loop([kList[1], kList[1], kList[1]], cList));
  // The typical sampler case: keys batched, counters an unbatched iota.
  assert.deepEqual(
    flat(vmap((k: Array) => random.bits(k, [2, 3]))(keys)),
    kList.flatMap((k) => flat(random.bits(k, [2, 3]))),
  );
});

test("threefry2x32 under jit; integer outputs have no tangent", () => {
  const k = random.PRNGKey(3);
  assert.deepEqual(
    flat(jit((kk: Array) => random.bits(kk, [4]))(k)),
    globalThis.Array.from(R.randomBits(R.prngKey(3), 32, [4])),
  );
  // jvp through a sampler with a float parameter: the bits contribute nothing, the bound does.
  const [, t] = jvp((m: Array) => random.uniform(k, [4], { minval: 0, maxval: m }), [np.array(2)], [np.array(1)]);
  assert.deepEqual(flat(t), globalThis.Array.from(R.uniform(R.prngKey(3), [4])));
});

test("fma rounds once: matches the host reference's exactly rounded fmaF32, not mul-then-add", () => {
  const a = Math.fround(1 + 2 ** -12);
  // (1 + 2^-12)^2 - 1 needs one rounding; mul then add loses the 2^-24 term.
  const x = np.array([a, a, 0.1, 3.7]);
  const z = np.array([-1, 2 ** -80, 0.3, -13.69]);
  const out = flat(random.fma(x, x, z));
  const xs = flat(x);
  const zs = flat(z);
  assert.deepEqual(
    out,
    xs.map((v, i) => R.fmaF32(v, v, zs[i])),
  );
  assert.equal(out[0], Math.fround(2 ** -11 + 2 ** -24));
  assert.notEqual(flat(np.add(np.multiply(x, x), z))[0], out[0]);
  // grad of fma: ∂/∂x (x·y + z) = y.
  assert.deepEqual(
    flat(grad((v: Array) => np.sum(random.fma(v, np.array([2, 3]), np.array([1, 1]))))(np.array([5, 7])) as Array),
    [2, 3],
  );
});

test("float32 log, log1p, erf, erfInv kernels are XLA:CPU's (bit-exact with the reference)", () => {
  const n = 4000;
  const w = words(n, 99);
  // Positive floats over many binades, values near 1, and values in (-1, 1).
  const pos = Float32Array.from(w, (v) => R.bitsToF32(0x00800000 + (v % 0x7e000000)));
  const unit = Float32Array.from(w, (v) => Math.fround((v / 2 ** 32) * 2 - 1));
  const near1 = Float32Array.from(w, (v) => Math.fround(1 + (v / 2 ** 32 - 0.5) * 1e-3));
  const check = (name: string, got: Array, xs: Float32Array, f: (x: number) => number): void => {
    const g = flat(got);
    xs.forEach((v, i) => assert.ok(Object.is(g[i], Math.fround(f(v))), `${name}(${v}): ${g[i]} vs ${f(v)}`));
  };
  for (const xs of [pos, near1]) check("log", lax.log(np.array(xs)), xs, R.logF32);
  for (const xs of [unit, near1]) check("log1p", lax.log1p(np.array(xs)), xs, R.log1pF32);
  check("erfInv", lax.erfInv(np.array(unit)), unit, R.erfInvF32);
  const big = Float32Array.from(unit, (v) => Math.fround(v * 5));
  check("erf", lax.erf(np.array(big)), big, R.erfF32);
});

test("gradients flow to sampler parameters (minval/maxval, truncation bounds)", () => {
  const k = random.PRNGKey(0);
  const f = R.uniform(R.prngKey(0), [6]);
  // d/dmaxval Σ(f·(max−min) + min) = Σ f; d/dminval = Σ(1 − f).
  const dmax = grad((m: Array) => np.sum(random.uniform(k, [6], { minval: 0.5, maxval: m })))(np.array(2)) as Array;
  const dmin = grad((m: Array) => np.sum(random.uniform(k, [6], { minval: m, maxval: 2 })))(np.array(0.5)) as Array;
  assert.ok(Math.abs(dmax.item() - f.reduce((s, v) => s + v, 0)) < 1e-5);
  assert.ok(Math.abs(dmin.item() - f.reduce((s, v) => s + 1 - v, 0)) < 1e-5);
  const g = grad((u: Array) => np.sum(random.truncatedNormal(k, -1, u, [8])))(np.array(1.5)) as Array;
  assert.ok(Number.isFinite(g.item()));
});

test("errors name the function, the argument and what was received", () => {
  const k = random.PRNGKey(0);
  assert.throws(
    () => random.uniform(np.array([1, 2]), [2]),
    (e: Error) => e instanceof DTypeError && /uniform/.test(e.message) && /float32/.test(e.message),
  );
  assert.throws(
    () => random.normal(u32([1, 2, 3]), [2]),
    (e: Error) => e instanceof ShapeError && /normal/.test(e.message) && /\[3\]/.test(e.message),
  );
  assert.throws(
    () => random.uniform(random.split(k, 3), [2]),
    (e: Error) =>
      e instanceof ShapeError && /uniform/.test(e.message) && /\[3\]/.test(e.message) && /vmap/.test(e.message),
  );
  assert.throws(
    () => random.split(random.split(random.key(0), 2)),
    (e: Error) => e instanceof ShapeError && /split/.test(e.message) && /\[2\]/.test(e.message),
  );
  assert.throws(
    () => random.normal(3 as unknown as Array, [2]),
    (e: Error) => e instanceof ValueError && /normal/.test(e.message),
  );
  assert.throws(
    () => random.bernoulli(k, np.array([0.1, 0.2, 0.3]), [2]),
    (e: Error) =>
      e instanceof ShapeError && /bernoulli/.test(e.message) && /\[3\]/.test(e.message) && /\[2\]/.test(e.message),
  );
  assert.throws(
    () => random.bernoulli(k, np.array([1, 0], { dtype: "int32" })),
    (e: Error) => e instanceof DTypeError && /bernoulli/.test(e.message),
  );
  assert.throws(
    () => random.randint(k, [3], 0, 10, { dtype: "float32" }),
    (e: Error) => e instanceof DTypeError && /randint/.test(e.message) && /float32/.test(e.message),
  );
  assert.throws(
    () => random.randint(k, [3], np.array([0, 1], { dtype: "int32" }), 10),
    (e: Error) => e instanceof ShapeError && /randint/.test(e.message) && /minval/.test(e.message),
  );
  assert.throws(
    () => random.uniform(k, [2], { dtype: "int32" }),
    (e: Error) => e instanceof DTypeError && /uniform/.test(e.message),
  );
  assert.throws(
    () => random.bits(k, [2], { dtype: "int32" }),
    (e: Error) => e instanceof DTypeError && /bits/.test(e.message),
  );
  assert.throws(
    () => random.choice(k, 3, { shape: [4], replace: false }),
    (e: Error) => e instanceof ValueError && /choice/.test(e.message),
  );
  assert.throws(
    () => random.key(1.5),
    (e: Error) => e instanceof ValueError && /key/.test(e.message),
  );
  assert.throws(
    () => random.foldIn(k, np.array([1, 2], { dtype: "int32" })),
    (e: Error) => e instanceof ShapeError && /foldIn/.test(e.message),
  );
  assert.throws(
    () => random.threefry2x32Hash(u32([1], []), u32([1], []), u32([1, 2], [2]), u32([1, 2, 3], [3])),
    (e: Error) => e instanceof ShapeError && /threefry2x32/.test(e.message),
  );
});

test("edge cases: empty shapes, randint's full and empty ranges, uint32 randint, complex normal", () => {
  const k = random.PRNGKey(7);
  const hk = R.prngKey(7);
  assert.deepEqual([...random.uniform(k, [0, 3]).shape], [0, 3]);
  assert.deepEqual([...random.split(k, 0).shape], [0, 2]);
  assert.deepEqual(
    flat(random.bits(k, [3], { partitionable: false, bitWidth: 8 })),
    globalThis.Array.from(R.randomBits(hk, 8, [3], { partitionable: false })),
  );
  for (const [lo, hi] of [
    [-5, 5],
    [0, 1e6],
    [-(2 ** 31), 2 ** 31 - 1],
    [-(2 ** 31), 2 ** 31],
    [5, 5],
    [7, 2],
  ]) {
    for (const partitionable of [true, false]) {
      assert.deepEqual(
        flat(random.randint(k, [16], lo, hi, { partitionable })),
        globalThis.Array.from(R.randint(hk, [16], lo, hi, { partitionable })),
        `randint [${lo}, ${hi})`,
      );
    }
  }
  // Array bounds broadcast against the shape; uint32 results cover [0, 2^32).
  const r = flat(
    random.randint(k, [2, 3], np.array([0, 10, 100], { dtype: "int32" }), np.array([[5], [20]], { dtype: "int32" })),
  );
  r.forEach((v, i) => {
    const [lo, hi] = [[0, 10, 100][i % 3], [5, 20][Math.floor(i / 3)]];
    assert.ok(hi > lo ? v >= lo && v < hi : v === lo, `randint bounds [${lo}, ${hi}) at ${i}: ${v}`);
  });
  const ru = random.randint(k, [64], 0, 2 ** 32, { dtype: "uint32" });
  assert.equal(ru.dtype, "uint32");
  assert.ok(flat(ru).some((v) => v >= 2 ** 31));
  // complex64 normal: parts are normals of split(key), scaled by float32(1/√2).
  const z = random.normal(k, [4], { dtype: "complex64" });
  assert.equal(z.dtype, "complex64");
  const [kr, ki] = R.split(hk, 2);
  const c = Math.fround(1 / Math.fround(Math.SQRT2));
  const re = R.normal(kr, [4]);
  const im = R.normal(ki, [4]);
  assert.deepEqual(
    flat(z),
    [0, 1, 2, 3].flatMap((i) => [Math.fround(re[i] * c), Math.fround(im[i] * c)]),
  );
});

test("larger draws match the host reference bit for bit (both streams, several seeds and bounds)", () => {
  for (const seed of [1701, -1]) {
    for (const partitionable of [true, false]) {
      const o = { partitionable };
      const k = random.PRNGKey(seed);
      const hk = R.prngKey(seed);
      const same = (name: string, got: Array, want: ArrayLike<number>): void =>
        assert.deepEqual(
          flat(got),
          globalThis.Array.from(want),
          `${name} (seed ${seed}, partitionable ${partitionable})`,
        );
      same("normal 4000", random.normal(k, [40, 100], o), R.normal(hk, [40, 100], o));
      for (const [lo, hi] of [
        [-3, 5.5],
        [1000, 1000.001],
        [1e-12, 1],
        [-(2 ** 20), 3],
      ]) {
        same(
          `uniform [${lo}, ${hi})`,
          random.uniform(k, [257], { ...o, minval: lo, maxval: hi }),
          R.uniform(hk, [257], { ...o, minval: lo, maxval: hi }),
        );
      }
      same("truncatedNormal (0, 2)", random.truncatedNormal(k, 0, 2, [64], o), R.truncatedNormal(hk, 0, 2, [64], o));
      same("gumbel", random.gumbel(k, [64], o), R.gumbel(hk, [64], o));
      same("exponential", random.exponential(k, [64], o), R.exponential(hk, [64], o));
      same("permutation 2000", random.permutation(k, 2000, o), R.permutation(hk, 2000, o));
      same("bits16", random.bits(k, [9], { ...o, bitWidth: 16 }), R.randomBits(hk, 16, [9], o));
    }
  }
});
