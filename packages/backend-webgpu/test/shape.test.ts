// Shape and slicing kernels against the CPU kernels (the oracle): broadcastInDim, reshape,
// transpose, slice (strided), pad (negative and interior), concatenate (many operands), rev, iota,
// dynamicSlice and dynamicUpdateSlice (clamped int32/uint32 starts, the packed-starts path of high
// ranks). Data movement is exact: every dtype, values with NaN, ±0, ±inf and subnormals, compared
// with deepStrictEqual (Object.is: NaN == NaN, -0 != 0); empty and rank-0 arrays included.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ConcreteArray, lax, np, type Array, type DType } from "linax-ts";
import { mulberry32 } from "@linax-ts/testing";
import { setupWebGPU, onBackend, readValues } from "@linax-ts/testing/webgpu";
import { agree, size } from "./gpu-vs-cpu-checks.ts";

// At top level (see sort.test.ts): an after(shutdown) registered inside a before hook runs too early.
await setupWebGPU();

const DTYPES: DType[] = ["float32", "int32", "uint32", "bool", "complex64"];
const SPECIAL = [NaN, -0, 0, Infinity, -Infinity, 1e-45, -3e-39, 3.4e38];

/** A seeded CPU array of any dtype; floats mix in NaN, ±0, ±inf and subnormals. */
function randArray(rand: () => number, dtype: DType, shape: readonly number[]): Array {
  const n = size(shape);
  const sh = [...shape];
  const floats = (): Float32Array =>
    Float32Array.from({ length: n }, () =>
      rand() < 0.2 ? SPECIAL[Math.floor(rand() * SPECIAL.length)] : (rand() - 0.5) * 200,
    );
  switch (dtype) {
    case "float32":
      return np.reshape(np.array(floats(), { dtype }), sh);
    case "int32":
      return np.reshape(
        np.array(
          Int32Array.from({ length: n }, () => Math.floor(rand() * 2 ** 32) | 0),
          { dtype },
        ),
        sh,
      );
    case "uint32":
      return np.reshape(
        np.array(
          Uint32Array.from({ length: n }, () => Math.floor(rand() * 2 ** 32)),
          { dtype },
        ),
        sh,
      );
    case "bool":
      return np.reshape(
        np.array(
          Uint8Array.from({ length: n }, () => (rand() < 0.5 ? 1 : 0)),
          { dtype },
        ),
        sh,
      );
    case "float16":
    case "bfloat16":
      return np.reshape(np.array(floats(), { dtype }), sh);
    case "complex64":
      return lax.complex(np.reshape(np.array(floats()), sh), np.reshape(np.array(floats()), sh));
  }
}

test("broadcastInDim, reshape, transpose: every dtype, several shapes", async () => {
  const rand = mulberry32(1);
  for (const dt of DTYPES) {
    const bcast: [number[], number[], number[]][] = [
      [[], [3, 2], []],
      [[3], [2, 3], [1]],
      [
        [3, 1],
        [3, 4],
        [0, 1],
      ],
      [
        [1, 2],
        [5, 3, 2],
        [1, 2],
      ],
      [
        [2, 1, 3],
        [2, 4, 2, 3],
        [0, 1, 3],
      ],
      [[2], [2, 0], [0]],
    ];
    for (const [s, shape, bd] of bcast) {
      await agree(
        (x) => lax.broadcastInDimP.bind1([x], { shape, broadcastDimensions: bd }),
        [randArray(rand, dt, s)],
        `broadcastInDim ${dt} ${JSON.stringify(s)}->${JSON.stringify(shape)}`,
      );
    }
    const reshapes: [number[], number[]][] = [
      [[6], [2, 3]],
      [
        [2, 3, 4],
        [4, 6],
      ],
      [[], [1, 1]],
      [
        [0, 3],
        [3, 0],
      ],
    ];
    for (const [s, to] of reshapes) {
      await agree(
        (x) => lax.reshapeP.bind1([x], { newSizes: to }),
        [randArray(rand, dt, s)],
        `reshape ${dt} ${JSON.stringify(s)}`,
      );
    }
    const perms: [number[], number[]][] = [
      [
        [3, 4],
        [1, 0],
      ],
      [
        [2, 3, 4],
        [2, 0, 1],
      ],
      [
        [2, 1, 3, 2],
        [3, 1, 0, 2],
      ],
      [[], []],
      [
        [0, 2],
        [1, 0],
      ],
    ];
    for (const [s, perm] of perms) {
      await agree(
        (x) => lax.transposeP.bind1([x], { permutation: perm }),
        [randArray(rand, dt, s)],
        `transpose ${dt} ${JSON.stringify(s)} ${JSON.stringify(perm)}`,
      );
    }
  }
});

test("slice (with strides) and rev: every dtype", async () => {
  const rand = mulberry32(2);
  for (const dt of DTYPES) {
    const x = randArray(rand, dt, [5, 7]);
    const slices: [number[], number[], number[] | null][] = [
      [[1, 2], [4, 7], null],
      [
        [0, 0],
        [5, 7],
        [2, 3],
      ],
      [
        [1, 6],
        [5, 7],
        [3, 1],
      ],
      [[2, 3], [2, 5], null],
      [
        [4, 0],
        [5, 7],
        [1, 7],
      ],
    ];
    for (const [st, lim, steps] of slices) {
      await agree(
        (a) => lax.sliceP.bind1([a], { startIndices: st, limitIndices: lim, strides: steps }),
        [x],
        `slice ${dt} ${JSON.stringify([st, lim, steps])}`,
      );
    }
    const y = randArray(rand, dt, [3, 4, 2]);
    for (const dims of [[0], [1], [2], [0, 2], [0, 1, 2], []]) {
      await agree((a) => lax.revP.bind1([a], { dimensions: dims }), [y], `rev ${dt} ${JSON.stringify(dims)}`);
    }
    await agree((a) => lax.revP.bind1([a], { dimensions: [0] }), [randArray(rand, dt, [0, 3])], `rev ${dt} empty`);
    await agree(
      (a) => lax.sliceP.bind1([a], { startIndices: [], limitIndices: [], strides: null }),
      [randArray(rand, dt, [])],
      `slice ${dt} rank 0`,
    );
  }
});

test("pad: low/high/interior, negative (cropping), rank 0, empty operand", async () => {
  const rand = mulberry32(3);
  const cfgs: [number[], [number, number, number][]][] = [
    [[4], [[1, 2, 0]]],
    [[4], [[0, 0, 2]]],
    [[4], [[-1, -2, 1]]],
    [
      [3, 4],
      [
        [2, -1, 1],
        [-3, 2, 2],
      ],
    ],
    [
      [2, 3, 2],
      [
        [0, 1, 0],
        [1, 1, 3],
        [-1, 0, 0],
      ],
    ],
    [[], []],
    [[0], [[2, 1, 3]]],
    [[5], [[-5, 0, 0]]],
  ];
  for (const dt of DTYPES) {
    for (const [s, cfg] of cfgs) {
      const pv = lax.reshapeP.bind1([randArray(rand, dt, [1])], { newSizes: [] });
      await agree(
        (a, v) => lax.padP.bind1([a, v], { paddingConfig: cfg }),
        [randArray(rand, dt, s), pv],
        `pad ${dt} ${JSON.stringify([s, cfg])}`,
      );
    }
  }
});

test("concatenate: 1 to 11 operands (past the binding limit), any axis, empty operands", async () => {
  const rand = mulberry32(4);
  for (const dt of DTYPES) {
    for (const [n, dim] of [
      [1, 0],
      [2, 1],
      [3, 0],
      [11, 1],
      [9, 2],
    ]) {
      const xs = globalThis.Array.from({ length: n }, (_, k) =>
        randArray(rand, dt, dim === 0 ? [1 + (k % 3), 2, 2] : dim === 1 ? [2, k % 3, 3] : [2, 3, 1 + (k % 2)]),
      );
      await agree((...a) => lax.concatenateP.bind1(a, { dimension: dim }), xs, `concatenate ${dt} n=${n} dim=${dim}`);
    }
    await agree(
      (...a) => lax.concatenateP.bind1(a, { dimension: 0 }),
      [randArray(rand, dt, [0, 2]), randArray(rand, dt, [0, 2])],
      `concatenate ${dt} all empty`,
    );
  }
});

test("iota: every dtype and dimension, empty", async () => {
  for (const dt of ["float32", "int32", "uint32", "complex64"] as DType[]) {
    for (const [shape, dim] of [
      [[5], 0],
      [[3, 4], 0],
      [[3, 4], 1],
      [[2, 3, 4], 1],
      [[0, 3], 1],
    ] as [number[], number][]) {
      const want = lax.iota(dt, shape, dim);
      const got = onBackend("webgpu", () => lax.iota(dt, shape, dim));
      assert.ok(got instanceof ConcreteArray && got.backend.name === "webgpu");
      assert.deepEqual(await readValues(got), await readValues(want), `iota ${dt} ${JSON.stringify(shape)} ${dim}`);
    }
  }
});

/** Scalar start index operands (int32 or uint32). */
const starts = (vs: readonly number[], dt: "int32" | "uint32" = "int32"): Array[] =>
  vs.map((v) => np.array(v, { dtype: dt }));

test("dynamicSlice: clamped int32/uint32 starts, every dtype, rank 0 and empty slices", async () => {
  const rand = mulberry32(5);
  for (const dt of DTYPES) {
    const x = randArray(rand, dt, [5, 6]);
    const cases: [number[], number[], "int32" | "uint32"][] = [
      [[1, 2], [2, 3], "int32"],
      [[-3, 4], [3, 3], "int32"], // negative clamps to 0, 4 clamps to 6 - 3
      [[2147483647, -2147483648], [2, 6], "int32"],
      [[4294967295, 2147483648], [1, 2], "uint32"], // huge unsigned starts clamp to the end
      [[3, 1], [0, 2], "uint32"],
    ];
    for (const [st, sizes, idt] of cases) {
      await agree(
        (a, ...s) => lax.dynamicSliceP.bind1([a, ...s], { sliceSizes: sizes }),
        [x, ...starts(st, idt)],
        `dynamicSlice ${dt} ${JSON.stringify([st, sizes, idt])}`,
      );
    }
    await agree(
      (a) => lax.dynamicSliceP.bind1([a], { sliceSizes: [] }),
      [randArray(rand, dt, [])],
      `dynamicSlice ${dt} rank 0`,
    );
  }
});

test("dynamicUpdateSlice: clamped starts, every dtype, mixed index dtypes", async () => {
  const rand = mulberry32(6);
  for (const dt of DTYPES) {
    const x = randArray(rand, dt, [4, 5]);
    const cases: [number[], number[]][] = [
      [
        [1, 2],
        [2, 3],
      ],
      [
        [-1, 9],
        [3, 2],
      ],
      [
        [0, 0],
        [4, 5],
      ],
      [
        [2, 2],
        [0, 3],
      ],
    ];
    for (const [st, us] of cases) {
      await agree(
        (a, u, ...s) => lax.dynamicUpdateSliceP.bind1([a, u, ...s], {}),
        [x, randArray(rand, dt, us), ...starts(st)],
        `dynamicUpdateSlice ${dt} ${JSON.stringify([st, us])}`,
      );
    }
    const mixed = [np.array(4294967295, { dtype: "uint32" }), np.array(-7, { dtype: "int32" })];
    await agree(
      (a, u, ...s) => lax.dynamicUpdateSliceP.bind1([a, u, ...s], {}),
      [x, randArray(rand, dt, [2, 2]), ...mixed],
      `dynamicUpdateSlice ${dt} mixed`,
    );
  }
});

test("dynamic slices of rank 7 (start indices packed through a scratch buffer)", async () => {
  const rand = mulberry32(7);
  const shape = [2, 3, 1, 2, 3, 2, 2];
  for (const dt of ["float32", "complex64"] as DType[]) {
    const x = randArray(rand, dt, shape);
    const st = [1, -1, 0, 5, 1, 0, 1];
    const sizes = [1, 2, 1, 1, 2, 2, 1];
    await agree(
      (a, ...s) => lax.dynamicSliceP.bind1([a, ...s], { sliceSizes: sizes }),
      [x, ...starts(st)],
      `dynamicSlice rank 7 ${dt}`,
    );
    await agree(
      (a, u, ...s) => lax.dynamicUpdateSliceP.bind1([a, u, ...s], {}),
      [x, randArray(rand, dt, sizes), ...starts(st, "uint32")],
      `dynamicUpdateSlice rank 7 ${dt}`,
    );
  }
});
