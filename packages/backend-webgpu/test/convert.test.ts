// The convertElementType and complex-part WGSL kernels against the CPU kernels (the oracle): every
// one of the 25 dtype pairs over several shapes (rank 0, empty, 1-3 dims) on seeded random values
// mixed with the edge cases of each cast — NaN, ±0, ±inf, subnormals, the float32 neighbours of
// ±2^31 and 2^32 (saturation), integers above 2^24 (round to nearest-even, ties included),
// int32/uint32 extremes (bit keeping). Casts and part extraction are exact operations, so results
// must be identical: deepEqual compares with Object.is (NaN == NaN, -0 != 0).
import { test } from "node:test";
import assert from "node:assert/strict";
import { lax, type Array, type DType } from "linax-ts";
import { mulberry32 } from "@linax-ts/testing";
import { setupWebGPU, readValues, toWebGPU } from "@linax-ts/testing/webgpu";
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
  0.5,
  -0.5,
  0.999,
  -0.999,
  1.5,
  -2.5,
  TINY,
  -TINY,
  1e-40,
  3.4028234663852886e38,
  -3.4028234663852886e38,
  2147483520,
  2147483648,
  -2147483648,
  -2147483904,
  4294967040,
  4294967296,
  16777217,
  -16777216,
  1e10,
  -1e10,
];
const INTS = [
  0, 1, -1, 2147483647, -2147483648, 16777216, 16777217, 16777219, -16777217, -16777219, 33554435, 2147483520,
  2147483583, 2147483584, 2147483585,
];
const UINTS = [
  0, 1, 4294967295, 4294967167, 4294967168, 4294967169, 2147483648, 2147483647, 16777217, 16777219, 33554435,
];
const SHAPES: number[][] = [[], [0], [1], [9], [3, 5], [2, 3, 4], [4, 0]];
const DTYPES: DType[] = ["float32", "int32", "uint32", "bool", "complex64"];

/** Seeded values of `dtype`: half from the edge-case pool, half random over a wide range. */
function sample(rand: () => number, dtype: DType, shape: readonly number[]): Array {
  const m = size(shape);
  const pick = (xs: readonly number[]): number => xs[Math.floor(rand() * xs.length)];
  const vals = (random: () => number, pool: readonly number[]): number[] =>
    globalThis.Array.from({ length: m }, () => (rand() < 0.5 ? pick(pool) : random()));
  switch (dtype) {
    case "float32":
      // Magnitudes 1e-3..1e11: fractions, small integers and values past the int32/uint32 range.
      return typedArr(
        vals(() => (rand() < 0.5 ? -1 : 1) * 10 ** (rand() * 14 - 3), FLOATS),
        dtype,
        shape,
      );
    case "int32":
      return typedArr(
        vals(() => Math.floor(rand() * 4294967296) | 0, INTS),
        dtype,
        shape,
      );
    case "uint32":
      return typedArr(
        vals(() => Math.floor(rand() * 4294967296) >>> 0, UINTS),
        dtype,
        shape,
      );
    case "bool":
      return typedArr(
        vals(() => (rand() < 0.5 ? 1 : 0), [0, 1]),
        dtype,
        shape,
      );
    case "complex64":
      return lax.complex(sample(rand, "float32", shape), sample(rand, "float32", shape));
    case "float16":
    case "bfloat16":
      // Not in DTYPES (half.test.ts covers the half casts); float32 samples rounded.
      return lax.convertElementType(sample(rand, "float32", shape), dtype);
  }
}

const cast = (to: DType) => (x: Array) => lax.convertElementType(x, to);

test("convertElementType: every dtype pair agrees with the CPU kernel", async () => {
  const rand = mulberry32(21);
  for (const from of DTYPES) {
    for (const to of DTYPES) {
      for (const shape of SHAPES) {
        await agree(cast(to), [sample(rand, from, shape)], `${from} -> ${to} ${JSON.stringify(shape)}`);
      }
    }
  }
});

test("convertElementType: a weak-type-only change copies the values", async () => {
  const x = typedArr([NaN, -0, TINY, 3], "float32");
  const got = await readValues(lax.convertElementType(toWebGPU(x), "float32", true));
  assert.deepEqual(got, [NaN, -0, TINY, 3]);
});

test("convertElementType: float -> int saturates, truncates toward zero, NaN -> 0 (hand-derived)", async () => {
  const x = typedArr(
    [
      NaN,
      Infinity,
      -Infinity,
      2147483520,
      2147483648,
      -2147483648,
      -2147483904,
      -0.999,
      0.999,
      -2.5,
      4294967040,
      4294967296,
      TINY,
      -0,
    ],
    "float32",
  );
  assert.deepEqual(
    await onGpu(cast("int32"), x),
    [
      0, 2147483647, -2147483648, 2147483520, 2147483647, -2147483648, -2147483648, 0, 0, -2, 2147483647, 2147483647, 0,
      0,
    ],
  );
  assert.deepEqual(
    await onGpu(cast("uint32"), x),
    [0, 4294967295, 0, 2147483520, 2147483648, 0, 0, 0, 0, 0, 4294967040, 4294967295, 0, 0],
  );
  // bool: NaN and ±0 are false; a subnormal is true.
  assert.deepEqual(await onGpu(cast("bool"), typedArr([NaN, -0, 0, TINY, -Infinity], "float32")), [0, 0, 0, 1, 1]);
});

test("convertElementType: int -> float32 rounds to nearest-even, int <-> uint keeps bits (hand-derived)", async () => {
  const i = typedArr(
    [16777217, 16777219, -16777217, 2147483647, -2147483648, 2147483583, 2147483584, 2147483585],
    "int32",
  );
  assert.deepEqual(
    await onGpu(cast("float32"), i),
    [16777216, 16777220, -16777216, 2147483648, -2147483648, 2147483520, 2147483648, 2147483648],
  );
  const u = typedArr([4294967295, 4294967167, 4294967168, 4294967169, 33554435], "uint32");
  assert.deepEqual(await onGpu(cast("float32"), u), [4294967296, 4294967040, 4294967296, 4294967296, 33554436]);
  assert.deepEqual(await onGpu(cast("int32"), typedArr([4294967295, 2147483648], "uint32")), [-1, -2147483648]);
  assert.deepEqual(await onGpu(cast("uint32"), typedArr([-1, -2147483648], "int32")), [4294967295, 2147483648]);
  assert.deepEqual(await onGpu(cast("complex64"), typedArr([16777217, -3], "int32")), [16777216, 0, -3, 0]);
});

test("convertElementType: complex -> real dtypes use the real part; -> bool tests both parts", async () => {
  const c = lax.complex(typedArr([1.5, NaN, 0, -0, 3e9, 0], "float32"), typedArr([7, 0, NaN, -0, 1, TINY], "float32"));
  assert.deepEqual(await onGpu(cast("float32"), c), [1.5, NaN, 0, -0, 3e9, 0]);
  assert.deepEqual(await onGpu(cast("int32"), c), [1, 0, 0, 0, 2147483647, 0]);
  assert.deepEqual(await onGpu(cast("uint32"), c), [1, 0, 0, 0, 3e9, 0]);
  // JS x !== 0: a NaN part counts as nonzero (unlike float32 -> bool), ±0 parts do not.
  assert.deepEqual(await onGpu(cast("bool"), c), [1, 1, 1, 0, 1, 1]);
});

test("real / imag / conj / complex agree with the CPU kernels, bits kept", async () => {
  const rand = mulberry32(22);
  for (const shape of SHAPES) {
    const what = JSON.stringify(shape);
    const c = sample(rand, "complex64", shape);
    await agree(lax.real, [c], `real ${what}`);
    await agree(lax.imag, [c], `imag ${what}`);
    await agree(lax.conj, [c], `conj ${what}`);
    await agree(lax.complex, [sample(rand, "float32", shape), sample(rand, "float32", shape)], `complex ${what}`);
  }
  const c = lax.complex(typedArr([1, -0, NaN, TINY], "float32"), typedArr([0, 2, -TINY, -0], "float32"));
  assert.deepEqual(await onGpu(lax.real, c), [1, -0, NaN, TINY]);
  assert.deepEqual(await onGpu(lax.imag, c), [0, 2, -TINY, -0]);
  assert.deepEqual(await onGpu(lax.conj, c), [1, -0, -0, -2, NaN, TINY, TINY, 0]);
  // The bits of a NaN payload in the real part survive real() and complex().
  const bits = typedArr([0x7f800001, 0xffc00123], "uint32");
  const z = lax.complex(lax.bitcastConvertType(toWebGPU(bits), "float32"), toWebGPU(typedArr([0, 0], "float32")));
  assert.deepEqual(await readValues(lax.bitcastConvertType(lax.real(z), "uint32")), [0x7f800001, 0xffc00123]);
});
