// The elementwise logic WGSL kernels against the CPU kernels (the oracle): comparisons, isFinite,
// not/and/or/xor, shifts, populationCount, clz, max/min, clamp, selectN and bitcastConvertType,
// over every dtype core allows, several shapes (rank 0, empty, 1-3 dims) and seeded random
// inputs mixed with special values (NaN, ±0, ±inf, subnormals, integer extremes, shift amounts
// around 32 and negative). Every one of these ops is exact, so results must be identical:
// deepEqual compares with Object.is (NaN == NaN, -0 != 0). Hand-derived cases pin the semantics.
import { test } from "node:test";
import assert from "node:assert/strict";
import { lax, type Array, type DType } from "linax-ts";
import { mulberry32 } from "@linax-ts/testing";
import { setupWebGPU } from "@linax-ts/testing/webgpu";
import { agree, onGpu, size, typedArr } from "./gpu-vs-cpu-checks.ts";

// At top level, not in a `before` hook: setupWebGPU registers an `after(shutdown)`, and one
// registered from inside a `before` hook runs as soon as that hook ends.
await setupWebGPU();

/** The smallest float32 subnormal (2^-149; `1e-45` would not be the float32 value itself). */
const TINY = 2 ** -149;
const FLOATS = [
  NaN,
  -0,
  0,
  Infinity,
  -Infinity,
  1.5,
  -1.5,
  2,
  1,
  -1,
  TINY,
  -TINY,
  1e-40,
  1.1754943508222875e-38,
  3.4028234663852886e38,
  -3.4028234663852886e38,
];
const INTS = [0, 1, -1, 2, 2147483647, -2147483648, 5, -5, 31, 32, 33, 100];
const UINTS = [0, 1, 2, 4294967295, 2147483648, 2147483647, 31, 32, 33, 77];
/** Shift amounts: in range, the edges, >= 32, and negative (huge when read as unsigned). */
const AMOUNTS = [0, 1, 5, 31, 32, 33, 63, 100, -1, -31, -32, 2147483647, -2147483648];
// Elementwise kernels see only the flat size, so a few shapes suffice (each one compiles new pipelines).
const SHAPES: number[][] = [[], [0], [7], [2, 3, 4]];
const ORDERED: DType[] = ["float32", "int32", "uint32", "bool"];
const ALL: DType[] = [...ORDERED, "complex64"];

/**
 * Seeded values of `dtype`: half from the special pool (so ties and edge cases are common), half
 * random over a wide range (floats of magnitude 1e-3..1e3 and either sign, full-range integers).
 */
function sample(rand: () => number, dtype: DType, shape: readonly number[], pool?: readonly number[]): Array {
  const m = size(shape);
  const pick = (xs: readonly number[]): number => xs[Math.floor(rand() * xs.length)];
  const one = (random: () => number, specials: readonly number[]): number =>
    rand() < 0.5 ? pick(pool ?? specials) : random();
  const vals = (f: () => number): number[] => globalThis.Array.from({ length: m }, f);
  switch (dtype) {
    case "float32":
      return typedArr(
        vals(() => one(() => (rand() < 0.5 ? -1 : 1) * 10 ** (rand() * 6 - 3), FLOATS)),
        dtype,
        shape,
      );
    case "int32":
      return typedArr(
        vals(() => one(() => Math.floor(rand() * 4294967296) | 0, INTS)),
        dtype,
        shape,
      );
    case "uint32":
      return typedArr(
        vals(() => one(() => Math.floor(rand() * 4294967296) >>> 0, UINTS)),
        dtype,
        shape,
      );
    case "bool":
      return typedArr(
        vals(() => (rand() < 0.5 ? 1 : 0)),
        dtype,
        shape,
      );
    case "complex64":
      return lax.complex(sample(rand, "float32", shape), sample(rand, "float32", shape));
    case "float16":
    case "bfloat16":
      return lax.convertElementType(sample(rand, "float32", shape, pool), dtype);
  }
}

test("comparisons eq/ne (every dtype, complex included) and lt/le/gt/ge (ordered dtypes)", async () => {
  const rand = mulberry32(1);
  const ops = { eq: lax.eq, ne: lax.ne, lt: lax.lt, le: lax.le, gt: lax.gt, ge: lax.ge };
  for (const [name, op] of Object.entries(ops)) {
    for (const dtype of name === "eq" || name === "ne" ? ALL : ORDERED) {
      for (const shape of SHAPES) {
        await agree(
          op,
          [sample(rand, dtype, shape), sample(rand, dtype, shape)],
          `${name} ${dtype} ${JSON.stringify(shape)}`,
        );
      }
    }
  }
});

test("comparisons: NaN, signed zeros, subnormals, infinities, uint32 order (hand-derived)", async () => {
  const a = typedArr([NaN, NaN, -0, TINY, -TINY, Infinity, -Infinity, 1], "float32");
  const b = typedArr([NaN, 1, 0, 0, 0, Infinity, -3.4028234663852886e38, NaN], "float32");
  assert.deepEqual(await onGpu(lax.eq, a, b), [0, 0, 1, 0, 0, 1, 0, 0]);
  assert.deepEqual(await onGpu(lax.ne, a, b), [1, 1, 0, 1, 1, 0, 1, 1]);
  assert.deepEqual(await onGpu(lax.lt, a, b), [0, 0, 0, 0, 1, 0, 1, 0]);
  assert.deepEqual(await onGpu(lax.le, a, b), [0, 0, 1, 0, 1, 1, 1, 0]);
  assert.deepEqual(await onGpu(lax.gt, a, b), [0, 0, 0, 1, 0, 0, 0, 0]);
  assert.deepEqual(await onGpu(lax.ge, a, b), [0, 0, 1, 1, 0, 1, 0, 0]);
  // uint32 values with the high bit set are large, not negative.
  assert.deepEqual(
    await onGpu(
      lax.gt,
      typedArr([4294967295, 2147483648, 0], "uint32"),
      typedArr([1, 2147483647, 4294967295], "uint32"),
    ),
    [1, 1, 0],
  );
  assert.deepEqual(
    await onGpu(lax.lt, typedArr([-2147483648, -1], "int32"), typedArr([2147483647, 0], "int32")),
    [1, 1],
  );
  // complex: equal only when both parts are (a NaN part is never equal; -0 == 0).
  const c = lax.complex(typedArr([1, NaN, -0, 1], "float32"), typedArr([2, 0, 0, 2], "float32"));
  const d = lax.complex(typedArr([1, NaN, 0, 1], "float32"), typedArr([2, 0, -0, 3], "float32"));
  assert.deepEqual(await onGpu(lax.eq, c, d), [1, 0, 1, 0]);
  assert.deepEqual(await onGpu(lax.ne, c, d), [0, 1, 0, 1]);
});

test("isFinite (float32)", async () => {
  const rand = mulberry32(2);
  for (const shape of SHAPES)
    await agree(lax.isFinite, [sample(rand, "float32", shape)], `isFinite ${JSON.stringify(shape)}`);
  assert.deepEqual(
    await onGpu(lax.isFinite, typedArr([NaN, Infinity, -Infinity, 3.4028234663852886e38, TINY, -0], "float32")),
    [0, 0, 0, 1, 1, 1],
  );
});

test("not / and / or / xor (bool, int32, uint32)", async () => {
  const rand = mulberry32(3);
  for (const dtype of ["bool", "int32", "uint32"] as const) {
    for (const shape of SHAPES) {
      const what = `${dtype} ${JSON.stringify(shape)}`;
      await agree(lax.bitwiseNot, [sample(rand, dtype, shape)], `not ${what}`);
      for (const [name, op] of [
        ["and", lax.bitwiseAnd],
        ["or", lax.bitwiseOr],
        ["xor", lax.bitwiseXor],
      ] as const) {
        await agree(op, [sample(rand, dtype, shape), sample(rand, dtype, shape)], `${name} ${what}`);
      }
    }
  }
  assert.deepEqual(await onGpu(lax.bitwiseNot, typedArr([0, 1], "bool")), [1, 0]);
  assert.deepEqual(await onGpu(lax.bitwiseNot, typedArr([0, -1, 2147483647], "int32")), [-1, 0, -2147483648]);
  assert.deepEqual(await onGpu(lax.bitwiseNot, typedArr([0, 4294967295], "uint32")), [4294967295, 0]);
});

test("shifts: XLA semantics for amounts >= 32 and negative amounts (int32, uint32)", async () => {
  const rand = mulberry32(4);
  const ops = {
    shiftLeft: lax.shiftLeft,
    shiftRightLogical: lax.shiftRightLogical,
    shiftRightArithmetic: lax.shiftRightArithmetic,
  };
  for (const [name, op] of Object.entries(ops)) {
    for (const dtype of ["int32", "uint32"] as const) {
      for (const shape of SHAPES) {
        const amounts = dtype === "uint32" ? AMOUNTS.map((v) => v >>> 0) : AMOUNTS;
        await agree(
          op,
          [sample(rand, dtype, shape), sample(rand, dtype, shape, amounts)],
          `${name} ${dtype} ${JSON.stringify(shape)}`,
        );
      }
    }
  }
  const x = typedArr([1, -8, -8, -8, -2147483648, 5], "int32");
  const s = typedArr([31, 1, 32, -1, 31, 40], "int32");
  assert.deepEqual(await onGpu(lax.shiftLeft, x, s), [-2147483648, -16, 0, 0, 0, 0]);
  assert.deepEqual(await onGpu(lax.shiftRightLogical, x, s), [0, 2147483644, 0, 0, 1, 0]);
  assert.deepEqual(await onGpu(lax.shiftRightArithmetic, x, s), [0, -4, -1, -1, -1, 0]);
  // uint32: the arithmetic shift works on the bit pattern (sign fill from the high bit).
  const u = typedArr([2147483648, 4294967295, 7], "uint32");
  assert.deepEqual(
    await onGpu(lax.shiftRightArithmetic, u, typedArr([4, 100, 33], "uint32")),
    [4160749568, 4294967295, 0],
  );
  assert.deepEqual(await onGpu(lax.shiftRightLogical, u, typedArr([4, 32, 1], "uint32")), [134217728, 0, 3]);
});

test("populationCount and clz (int32, uint32)", async () => {
  const rand = mulberry32(5);
  for (const dtype of ["int32", "uint32"] as const) {
    for (const shape of SHAPES) {
      await agree(
        lax.populationCount,
        [sample(rand, dtype, shape)],
        `populationCount ${dtype} ${JSON.stringify(shape)}`,
      );
      await agree(lax.clz, [sample(rand, dtype, shape)], `clz ${dtype} ${JSON.stringify(shape)}`);
    }
  }
  assert.deepEqual(await onGpu(lax.populationCount, typedArr([0, -1, -2147483648, 255], "int32")), [0, 32, 1, 8]);
  assert.deepEqual(await onGpu(lax.clz, typedArr([0, 1, 4294967295, 65536], "uint32")), [32, 31, 0, 15]);
});

test("max / min: NaN-propagating, -0 < +0 (float32, int32, uint32, bool)", async () => {
  const rand = mulberry32(6);
  for (const dtype of ORDERED) {
    for (const shape of SHAPES) {
      await agree(
        lax.max,
        [sample(rand, dtype, shape), sample(rand, dtype, shape)],
        `max ${dtype} ${JSON.stringify(shape)}`,
      );
      await agree(
        lax.min,
        [sample(rand, dtype, shape), sample(rand, dtype, shape)],
        `min ${dtype} ${JSON.stringify(shape)}`,
      );
    }
  }
  const a = typedArr([NaN, 1, -0, 0, TINY, -Infinity], "float32");
  const b = typedArr([1, NaN, 0, -0, 0, -3.4028234663852886e38], "float32");
  assert.deepEqual(await onGpu(lax.max, a, b), [NaN, NaN, 0, 0, TINY, -3.4028234663852886e38]);
  assert.deepEqual(await onGpu(lax.min, a, b), [NaN, NaN, -0, -0, 0, -Infinity]);
  assert.deepEqual(
    await onGpu(lax.max, typedArr([4294967295, 0], "uint32"), typedArr([1, 2147483648], "uint32")),
    [4294967295, 2147483648],
  );
});

test("clamp: scalar and full bounds, NaN, lo > hi (float32, int32, uint32)", async () => {
  const rand = mulberry32(7);
  for (const dtype of ["float32", "int32", "uint32"] as const) {
    for (const shape of SHAPES) {
      const x = sample(rand, dtype, shape);
      const full = (): Array => sample(rand, dtype, shape);
      const scalar = (): Array => sample(rand, dtype, []);
      for (const [lo, hi, kind] of [
        [scalar(), scalar(), "scalar"],
        [full(), full(), "full"],
        [scalar(), full(), "scalar lo"],
        [full(), scalar(), "scalar hi"],
      ] as const) {
        await agree(lax.clamp, [lo, x, hi], `clamp ${kind} ${dtype} ${JSON.stringify(shape)}`);
      }
    }
  }
  const x = typedArr([NaN, 5, -5, 0.5, -0, 2], "float32");
  assert.deepEqual(await onGpu(lax.clamp, typedArr([0], "float32", []), x, typedArr([1], "float32", [])), [
    NaN,
    1,
    0,
    0.5,
    0,
    1,
  ]);
  // A NaN bound propagates; lo > hi gives hi (min(max(x, lo), hi)).
  assert.deepEqual(
    await onGpu(lax.clamp, typedArr([NaN], "float32", []), typedArr([1, 2], "float32"), typedArr([3], "float32", [])),
    [NaN, NaN],
  );
  assert.deepEqual(
    await onGpu(lax.clamp, typedArr([5], "int32", []), typedArr([1, 9], "int32"), typedArr([3], "int32", [])),
    [3, 3],
  );
  assert.deepEqual(
    await onGpu(
      lax.clamp,
      typedArr([1], "uint32", []),
      typedArr([0, 4294967295], "uint32"),
      typedArr([4294967294], "uint32", []),
    ),
    [1, 4294967294],
  );
});

test("selectN: bool and int32 'which' (clamped), scalar 'which', 1..13 cases (several passes), every dtype", async () => {
  const rand = mulberry32(8);
  // Fewer shapes than elsewhere: every (shape, case count, word type) is a new pipeline, and
  // SwiftShader compiles slowly. Every dtype with a bool 'which'; the many-case (multi-pass) paths
  // for one dtype of each storage word type (u32: float32; vec2<u32>: complex64).
  for (const dtype of ALL) {
    for (const shape of [[], [0], [7], [3, 5]]) {
      const what = `${dtype} ${JSON.stringify(shape)}`;
      for (const k of [1, 2]) {
        const cases = globalThis.Array.from({ length: k }, () => sample(rand, dtype, shape));
        await agree(lax.selectN, [sample(rand, "bool", shape), ...cases], `selectN bool ${k} cases ${what}`);
        if (shape.length > 0)
          await agree(lax.selectN, [sample(rand, "bool", []), ...cases], `selectN scalar bool ${k} cases ${what}`);
      }
    }
  }
  for (const dtype of ["float32", "complex64"] as const) {
    for (const shape of [[], [0], [7], [2, 3]]) {
      const what = `${dtype} ${JSON.stringify(shape)}`;
      for (const k of [1, 6, 7, 13]) {
        const cases = globalThis.Array.from({ length: k }, () => sample(rand, dtype, shape));
        // Indices from -3 to k + 2: out-of-range ones are clamped into range.
        const idx = globalThis.Array.from({ length: size(shape) }, () => Math.floor(rand() * (k + 6)) - 3);
        await agree(lax.selectN, [typedArr(idx, "int32", shape), ...cases], `selectN int32 ${k} cases ${what}`);
        const w = typedArr([Math.floor(rand() * (k + 6)) - 3], "int32", []);
        if (shape.length > 0) await agree(lax.selectN, [w, ...cases], `selectN scalar int32 ${k} cases ${what}`);
      }
    }
  }
  // Hand-derived: 8 cases (two passes), case j holds 10 * j + position.
  const cases = globalThis.Array.from({ length: 8 }, (_, j) =>
    typedArr([10 * j, 10 * j + 1, 10 * j + 2, 10 * j + 3, 10 * j + 4], "int32"),
  );
  assert.deepEqual(await onGpu(lax.selectN, typedArr([7, -5, 6, 100, 3], "int32"), ...cases), [70, 1, 62, 73, 34]);
  // Bits move unchanged: -0 and NaN survive.
  const f = await onGpu(
    lax.selectN,
    typedArr([1, 0], "bool"),
    typedArr([1, NaN], "float32"),
    typedArr([-0, 2], "float32"),
  );
  assert.deepEqual(f, [-0, NaN]);
});

test("bitcastConvertType between float32, int32 and uint32 (NaN payloads kept)", async () => {
  const rand = mulberry32(9);
  const dts = ["float32", "int32", "uint32"] as const;
  for (const from of dts) {
    for (const to of dts) {
      for (const shape of SHAPES) {
        await agree(
          (x) => lax.bitcastConvertType(x, to),
          [sample(rand, from, shape)],
          `bitcast ${from} -> ${to} ${JSON.stringify(shape)}`,
        );
      }
    }
  }
  assert.deepEqual(
    await onGpu((x) => lax.bitcastConvertType(x, "uint32"), typedArr([1, -0, -2], "float32")),
    [0x3f800000, 0x80000000, 0xc0000000],
  );
  // Signalling and payload NaNs, -0 and a subnormal: the round trip through float32 keeps every bit.
  const bits = [0x7f800001, 0xffc00123, 0x7fbfffff, 0x80000000, 0x00000001, 0x807fffff];
  const back = await onGpu(
    (x) => lax.bitcastConvertType(lax.bitcastConvertType(x, "float32"), "uint32"),
    typedArr(bits, "uint32"),
  );
  assert.deepEqual(back, bits);
});
