// The sort WGSL kernel against the CPU kernel (the oracle): every dtype, single and multi-key
// lexicographic sorts with payload operands, any axis, lengths that fit one workgroup block and
// lengths that need the global merge passes (n > 128), n = 1, empty arrays. Values are drawn from
// small pools so ties are everywhere (stability is visible through an iota payload), and the float
// pools hold NaN, ±0, ±inf and subnormals (NaN last, -0 == 0 keeping input order). Sort moves
// data, so results must be identical: deepEqual compares with Object.is (NaN == NaN, -0 != 0).
import { test } from "node:test";
import assert from "node:assert/strict";
import { lax, np, type Array, type DType } from "linax-ts";
import { mulberry32 } from "@linax-ts/testing";
import { setupWebGPU, readValues, toWebGPU } from "@linax-ts/testing/webgpu";

// At top level, not in a `before` hook: setupWebGPU registers an `after(shutdown)`, and one
// registered from inside a `before` hook runs as soon as that hook ends (the device is destroyed).
await setupWebGPU();

const FLOATS = [NaN, -0, 0, Infinity, -Infinity, 1.5, -1.5, 2, 1e-45, -1e-45, 3.4e38, -7];
const INTS = [0, 1, -1, 2147483647, -2147483648, 5, -5, 100];
const UINTS = [0, 1, 2, 4294967295, 2147483648, 2147483647, 77];

const size = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

/** A CPU array of `shape` and `dtype` with values drawn from a small pool (ties everywhere). */
function pool(rand: () => number, dtype: DType, shape: readonly number[], spread = 1): Array {
  const m = size(shape);
  const pick = (xs: readonly number[]): number[] =>
    globalThis.Array.from({ length: m }, () => xs[Math.floor(rand() * xs.length * spread) % xs.length]);
  const sh = [...shape];
  switch (dtype) {
    case "float32":
      return np.reshape(np.array(Float32Array.from(pick(FLOATS)), { dtype }), sh);
    case "int32":
      return np.reshape(np.array(Int32Array.from(pick(INTS)), { dtype }), sh);
    case "uint32":
      return np.reshape(np.array(Uint32Array.from(pick(UINTS)), { dtype }), sh);
    case "bool":
      return np.reshape(np.array(Uint8Array.from(pick([0, 1])), { dtype }), sh);
    case "complex64":
      return lax.complex(pool(rand, "float32", shape, spread), pool(rand, "float32", shape, spread));
    case "float16":
    case "bfloat16":
      return np.reshape(np.array(Float32Array.from(pick(FLOATS)), { dtype }), sh);
  }
}

/** The positions 0..n-1 along `dim`, broadcast to `shape` (int32): shows where elements came from. */
function iotaAlong(shape: readonly number[], dim: number): Array {
  return lax.iota("int32", shape, dim);
}

/** Sort `ops` on CPU and on WebGPU with the same params; every output must match exactly. */
async function check(ops: readonly Array[], dimension: number, numKeys: number, what: string): Promise<void> {
  const want = lax.sort([...ops], { dimension, numKeys });
  const got = lax.sort(ops.map(toWebGPU), { dimension, numKeys });
  for (let k = 0; k < ops.length; k++) {
    assert.deepEqual(got[k].shape, want[k].shape, what);
    assert.equal(got[k].dtype, want[k].dtype, what);
    assert.deepEqual(await readValues(got[k]), await readValues(want[k]), `${what}: operand ${k}`);
  }
}

test("sort: one key of every dtype with an iota payload, several shapes and axes", async () => {
  const rand = mulberry32(7);
  const cases: [number[], number][] = [
    [[9], 0],
    [[3, 5], 0],
    [[3, 5], 1],
    [[2, 3, 4], 1],
    [[4, 1], 1],
    [[1], 0],
    [[0, 3], 1],
    [[3, 0], 0],
  ];
  for (const dtype of ["float32", "int32", "uint32", "bool", "complex64"] as const) {
    for (const [shape, dim] of cases) {
      await check(
        [pool(rand, dtype, shape), iotaAlong(shape, dim)],
        dim,
        1,
        `${dtype} ${JSON.stringify(shape)} dim ${dim}`,
      );
    }
  }
});

test("sort: lines longer than a workgroup block (global merge stages), odd lengths", async () => {
  const rand = mulberry32(11);
  for (const [shape, dim] of [
    [[1000], 0],
    [[2, 600], 1],
    [[513, 2], 0],
    [[3, 37], 1],
  ] as [number[], number][]) {
    for (const dtype of ["float32", "int32", "complex64"] as const) {
      // spread > 1 skews toward the first pool entries: long runs of equal keys.
      await check(
        [pool(rand, dtype, shape, 3), iotaAlong(shape, dim)],
        dim,
        1,
        `${dtype} ${JSON.stringify(shape)} dim ${dim}`,
      );
    }
  }
});

test("sort: several keys of mixed dtypes compared lexicographically, payloads of every dtype", async () => {
  const rand = mulberry32(3);
  const shape = [4, 70];
  const keySets: DType[][] = [
    ["bool", "float32"],
    ["int32", "complex64", "uint32"],
    ["bool", "bool", "bool", "int32", "float32", "uint32", "complex64", "bool", "int32"],
  ];
  for (const keys of keySets) {
    const ops = [
      ...keys.map((d) => pool(rand, d, shape)),
      iotaAlong(shape, 1),
      pool(rand, "float32", shape),
      pool(rand, "complex64", shape),
      pool(rand, "bool", shape),
      pool(rand, "uint32", shape),
    ];
    await check(ops, 1, keys.length, `keys ${keys.join(",")}`);
  }
});

test("sort: hand-checked float order (NaN last, -0 == 0 stable, subnormals, infinities)", async () => {
  const x = np.array([NaN, 0, -0, -Infinity, 1e-45, -1e-45, Infinity, -0, 0, 3, NaN, -3]);
  const [s, idx] = lax.sort([toWebGPU(x), toWebGPU(lax.iota("int32", 12))], { numKeys: 1 });
  assert.deepEqual(
    await readValues(s),
    [-Infinity, -3, -1e-45, 0, -0, -0, 0, Math.fround(1e-45), 3, Infinity, NaN, NaN].map(Math.fround),
  );
  assert.deepEqual(await readValues(idx), [3, 11, 5, 1, 2, 7, 8, 4, 9, 6, 0, 10]);
  // A single operand (no payload) and isStable: false (the kernel is always stable).
  const u = np.array(Uint32Array.from([4294967295, 0, 2147483648, 2147483647]), { dtype: "uint32" });
  assert.deepEqual(
    await readValues(lax.sort(toWebGPU(u), { isStable: false })),
    [0, 2147483647, 2147483648, 4294967295],
  );
});

test("sort: more than 65535 workgroup blocks (the 2-d workgroup grid fold)", async () => {
  const rand = mulberry32(5);
  const shape = [70000, 2];
  await check([pool(rand, "int32", shape), iotaAlong(shape, 1)], 1, 1, "int32 [70000, 2]");
});
