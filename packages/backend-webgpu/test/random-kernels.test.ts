// The threefry2x32 WGSL kernel: Random123's threefry2x32_20 known answers, and bit-exact agreement
// with the CPU kernel on pseudo-random words over the broadcasting shapes core allows (scalars,
// full shapes, size-1 axes on either side — what vmap of a scalar key produces), rank 0 and empty.
// The cipher is pure u32 arithmetic, so every word must be identical.
import { test } from "node:test";
import assert from "node:assert/strict";
import { random, np, type Array } from "linax-ts";
import { mulberry32 } from "@linax-ts/testing";
import { setupWebGPU, readValues, toWebGPU } from "@linax-ts/testing/webgpu";

// At top level, not in a `before` hook: setupWebGPU registers an `after(shutdown)`, and one
// registered from inside a `before` hook runs as soon as that hook ends (the device is then
// destroyed and every read fails with an AbortError).
await setupWebGPU();

/** A CPU uint32 array of `shape` from a list of words. */
function u32(words: ArrayLike<number>, shape: readonly number[]): Array {
  return np.reshape(np.array(Uint32Array.from(words), { dtype: "uint32" }), [...shape]);
}

/** `count` pseudo-random uint32 words (full 32-bit range, so the high bit is exercised). */
function words(count: number, rand: () => number): number[] {
  return globalThis.Array.from({ length: count }, () => Math.floor(rand() * 4294967296) >>> 0);
}

const size = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

test("threefry2x32: Random123 known answers (scalar operands)", async () => {
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
    const args = [k[0], k[1], x[0], x[1]].map((v) => toWebGPU(u32([v], [])));
    const [y0, y1] = random.threefry2x32Hash(args[0], args[1], args[2], args[3]);
    assert.deepEqual(y0.shape, []);
    assert.deepEqual([...(await readValues(y0)), ...(await readValues(y1))], y);
  }
});

test("threefry2x32: bit-exact with the CPU kernel over broadcasting shapes", async () => {
  const rand = mulberry32(20240611);
  // [k0, k1, x0, x1] shapes.
  const shapes: number[][][] = [
    [[], [], [7], [7]],
    [[], [], [3, 5], [3, 5]],
    [
      [3, 5],
      [3, 5],
      [3, 5],
      [3, 5],
    ],
    [
      [4, 1],
      [4, 1],
      [1, 6],
      [1, 6],
    ],
    [[4, 1], [], [4, 6], [1, 6]],
    [
      [2, 1, 3],
      [2, 1, 3],
      [1, 5, 3],
      [2, 5, 1],
    ],
    [
      [1, 1],
      [1, 1],
      [2, 3],
      [2, 3],
    ],
    [[5], [], [1], []],
    [[], [], [], []],
    [[], [], [0, 3], [0, 3]],
    [[300], [300], [300], [300]],
  ];
  for (const s of shapes) {
    const cpu = s.map((sh) => u32(words(size(sh), rand), sh));
    const want = random.threefry2x32Hash(cpu[0], cpu[1], cpu[2], cpu[3]);
    const gpu = cpu.map(toWebGPU);
    const got = random.threefry2x32Hash(gpu[0], gpu[1], gpu[2], gpu[3]);
    for (let o = 0; o < 2; o++) {
      assert.deepEqual(got[o].shape, want[o].shape, `shapes ${JSON.stringify(s)}`);
      assert.equal(got[o].dtype, "uint32");
      assert.deepEqual(
        await readValues(got[o]),
        await readValues(want[o]),
        `output ${o} for shapes ${JSON.stringify(s)}`,
      );
    }
  }
});

test("threefry2x32: counters that wrap (x + k overflows) and all-ones keys", async () => {
  const k0 = [0xffffffff, 0x80000000, 1, 0];
  const k1 = [0xffffffff, 0x7fffffff, 0xfffffffe, 0x1bd11bda];
  const x0 = [0xffffffff, 0x80000000, 0xffffffff, 0];
  const x1 = [1, 0x80000001, 2, 0xffffffff];
  const cpu = [k0, k1, x0, x1].map((w) => u32(w, [4]));
  const want = random.threefry2x32Hash(cpu[0], cpu[1], cpu[2], cpu[3]);
  const gpu = cpu.map(toWebGPU);
  const got = random.threefry2x32Hash(gpu[0], gpu[1], gpu[2], gpu[3]);
  for (let o = 0; o < 2; o++) assert.deepEqual(await readValues(got[o]), await readValues(want[o]));
});
