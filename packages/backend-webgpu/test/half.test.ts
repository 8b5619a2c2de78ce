// float16/bfloat16 on WebGPU without `shader-f16` (the 16-bit patterns in u32 words, converted with
// integer operations: storage.ts, kernels/convert.ts): uploads and downloads keep the bits, every
// conversion to and from a half dtype gives the CPU kernel's bits (which are numpy's for float16,
// testdata/half/), and ops on half arrays (computed in float32 by core) match the CPU where the
// float32 op is exact. Small on purpose: SwiftShader compiles each pipeline slowly.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { np, lax, type Array, type DType } from "linax-ts";
import { setupWebGPU, readValues, toWebGPU } from "@linax-ts/testing/webgpu";
import { agree } from "./gpu-vs-cpu-checks.ts";

const backend = await setupWebGPU();

const REF = JSON.parse(
  readFileSync(fileURLToPath(new URL("../../../testdata/half/reference.json", import.meta.url)), "utf8"),
) as {
  f32_to_f16: [number, number][];
  f32_to_bf16: [number, number][];
};
// Every 12th reference pattern (≈ 500: specials, NaN payloads, ties, subnormals, overflow).
const PATTERNS = REF.f32_to_f16.filter((_, i) => i % 12 === 0).map(([b]) => b);
const f32Edge = (): Array =>
  lax.bitcastConvertType(np.frombuffer(Uint32Array.from(PATTERNS), { dtype: "uint32" }), "float32");
const ALL: DType[] = ["float32", "int32", "uint32", "bool", "complex64", "float16", "bfloat16"];

test("the adapter's shader-f16 feature is not needed (reported for the record)", () => {
  // SwiftShader has no shader-f16; the half path must not depend on it either way.
  const has = backend.device.features.has("shader-f16");
  assert.equal(typeof has, "boolean");
});

test("upload and download keep half bit patterns (NaN payloads, -0, subnormals)", async () => {
  for (const d of ["float16", "bfloat16"] as const) {
    const pattern = Uint16Array.of(0x0000, 0x8000, 0x0001, 0x7c00, 0xfc00, 0x7e01, 0xffff, 0x3c00, 0x7f80, 0x7fc1);
    const x = np.frombuffer(pattern, { dtype: d });
    const got = await toWebGPU(x).data();
    assert.ok(got instanceof Uint16Array, d);
    assert.deepEqual([...got], [...pattern], d);
  }
});

test("convertElementType to and from float16/bfloat16: the CPU kernel's bits for every dtype", async () => {
  const f = f32Edge();
  // float32 → half: the numpy / independent reference bits themselves.
  for (const [d, ref] of [
    ["float16", REF.f32_to_f16],
    ["bfloat16", REF.f32_to_bf16],
  ] as const) {
    const want = ref.filter((_, i) => i % 12 === 0).map(([, h]) => h);
    assert.deepEqual(await readValues(lax.convertElementType(toWebGPU(f), d)), want, `float32 -> ${d}`);
  }
  // Every other pair with a half on one side, against the CPU kernel (bits compared).
  const sources: Record<DType, Array> = {
    float32: f,
    float16: lax.convertElementType(f, "float16"),
    bfloat16: lax.convertElementType(f, "bfloat16"),
    int32: np.array([0, 1, -1, 2049, -65505, 65519, 16777216 + 65537, 2147483647, -2147483648], { dtype: "int32" }),
    uint32: np.array([0, 1, 2049, 65520, 16842753, 4294967295], { dtype: "uint32" }),
    bool: np.array([true, false, true]),
    complex64: lax.complex(np.array([1.5, NaN, -0, 70000, 1e-7]), np.array([2, 0, 1, -1, 3])),
  };
  for (const from of ALL) {
    for (const to of ALL) {
      if (from === to || (from !== "float16" && from !== "bfloat16" && to !== "float16" && to !== "bfloat16")) continue;
      if (from === "float32") continue; // checked against the references above
      await agree((x) => lax.convertElementType(x, to), [sources[from]], `${from} -> ${to}`);
    }
  }
});

test("ops on half arrays on WebGPU: exact float32 ops give the CPU's bits", async () => {
  for (const d of ["float16", "bfloat16"] as const) {
    const x = np.array([0.1, -2.5, 1000, 3.75, 65504, -0], { dtype: d });
    const y = np.array([0.2, 7, 0.001, -3.75, 32, 1], { dtype: d });
    await agree(np.add, [x, y], `add ${d}`);
    await agree(np.multiply, [x, y], `mul ${d}`);
    await agree((a) => np.sum(a), [np.array([2048, 1, 1, 256], { dtype: d })], `sum ${d}`);
    await agree((a, b) => np.where(np.less(a, b), a, b), [x, y], `where ${d}`);
    const s = np.add(toWebGPU(x), 1);
    assert.equal(s.dtype, d);
  }
  // Accumulation once in float32 on the GPU too: 2048 + 1 + 1 = 2050 in float16.
  const sum = np.sum(toWebGPU(np.array([2048, 1, 1], { dtype: "float16" })));
  assert.deepEqual(await readValues(sum), [0x6801]);
});
