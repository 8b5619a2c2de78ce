// float16 / bfloat16 checkpoints: a file assembled here byte by byte (header JSON, little-endian
// u64 length, raw 16-bit patterns) loads into half arrays bit for bit; half trees save as F16/BF16
// tensors whose data bytes are the patterns themselves and round-trip exactly (NaN payloads and -0
// included), in memory and on disk; `cast` converts between half and float32 checkpoints with
// round-to-nearest-even (hand-derived values).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { np, type Array } from "linax-ts";
import * as nn from "@linax-ts/nn";
import { decodeSafetensors } from "../src/serialization/safetensors-format.ts";

const bits = (a: Array): number[] => [...(a.dataSync() as Uint16Array)];

/** A safetensors file from a header object and a data section, as the format defines it. */
function handWritten(header: Record<string, unknown>, data: number[]): Uint8Array {
  let json = JSON.stringify(header);
  while (json.length % 8 !== 0) json += " ";
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(new TextEncoder().encode(json), 8);
  out.set(data, 8 + json.length);
  return out;
}
/** Little-endian bytes of 16-bit patterns. */
const le16 = (hs: number[]): number[] => hs.flatMap((h) => [h & 0xff, h >> 8]);

test("a hand-assembled F16/BF16 file loads bit for bit into float16/bfloat16 arrays", () => {
  // w: float16 [[1, -2], [0.333251953125, NaN with payload 0x7e01]]; b: bfloat16 [3.140625, -0, 1e-40 (subnormal 0x0011)].
  const w = [0x3c00, 0xc000, 0x3555, 0x7e01];
  const b = [0x4049, 0x8000, 0x0011];
  const file = handWritten(
    {
      w: { dtype: "F16", shape: [2, 2], data_offsets: [0, 8] },
      b: { dtype: "BF16", shape: [3], data_offsets: [8, 14] },
      __metadata__: { source: "hand" },
    },
    [...le16(w), ...le16(b)],
  );
  const like = { w: np.zeros([2, 2], { dtype: "float16" }), b: np.zeros([3], { dtype: "bfloat16" }) };
  const t = nn.fromSafetensorsBytes(file, like);
  assert.equal(t.w.dtype, "float16");
  assert.deepEqual(t.w.shape, [2, 2]);
  assert.deepEqual(bits(t.w), w);
  assert.deepEqual(t.w.tolist(), [
    [1, -2],
    [0.333251953125, NaN],
  ]);
  assert.equal(t.b.dtype, "bfloat16");
  assert.deepEqual(bits(t.b), b);
  assert.deepEqual(t.b.tolist(), [3.140625, -0, 17 * 2 ** -133]);
  // Without a model: the stored dtypes come back as they are.
  const { tensors, metadata } = nn.readSafetensorsBytes(file);
  assert.deepEqual(metadata, { source: "hand" });
  assert.equal(tensors.get("w")!.dtype, "float16");
  assert.equal(tensors.get("b")!.dtype, "bfloat16");
  assert.deepEqual(bits(tensors.get("b")!), b);
  // A float32 model refuses a half file unless asked to cast (and says how).
  assert.throws(
    () => nn.fromSafetensorsBytes(file, { w: np.zeros([2, 2]), b: np.zeros([3]) }),
    /tensor .b. is stored as BF16\[3\], but the model expects F32\[3\] \(pass \{ cast: true \} to convert\)/,
  );
});

test("half trees save as F16/BF16 tensors holding the bit patterns, and round-trip exactly", async () => {
  const tree = {
    layer: {
      weight: np
        .frombuffer(Uint16Array.of(0x3c00, 0x7e01, 0x8000, 0x0001, 0x7bff, 0xfc00), { dtype: "float16" })
        .reshape(2, 3),
    },
    emb: np.array([0.1, -3.5, 1e38], { dtype: "bfloat16" }),
    step: np.array(3, { dtype: "int32" }),
  };
  const bytes = await nn.toSafetensorsBytes(tree);
  assert.deepEqual([...nn.toSafetensorsBytesSync(tree)], [...bytes]);
  const { tensors } = decodeSafetensors(bytes);
  const w = tensors.get("layer.weight")!;
  assert.equal(w.dtype, "F16");
  assert.deepEqual(w.shape, [2, 3]);
  assert.deepEqual([...w.data], le16([0x3c00, 0x7e01, 0x8000, 0x0001, 0x7bff, 0xfc00]));
  const e = tensors.get("emb")!;
  assert.equal(e.dtype, "BF16");
  // bfloat16 of 0.1, -3.5 and 1e38 (through float32): 0x3dcd, 0xc060, 0x7e96.
  assert.deepEqual([...e.data], le16([0x3dcd, 0xc060, 0x7e96]));
  const like = {
    layer: { weight: np.zeros([2, 3], { dtype: "float16" }) },
    emb: np.zeros([3], { dtype: "bfloat16" }),
    step: np.array(0, { dtype: "int32" }),
  };
  const back = nn.fromSafetensorsBytes(bytes, like);
  assert.deepEqual(bits(back.layer.weight), bits(tree.layer.weight));
  assert.deepEqual(bits(back.emb), bits(tree.emb));
  assert.equal(back.step.item(), 3);
  // On disk too.
  const path = join(mkdtempSync(join(tmpdir(), "linax-half-")), "ckpt.safetensors");
  await nn.saveSafetensors(path, tree);
  const loaded = await nn.loadSafetensors(path, like);
  assert.deepEqual(bits(loaded.layer.weight), bits(tree.layer.weight));
  assert.deepEqual(bits(loaded.emb), bits(tree.emb));
});

test("cast: F16 → bfloat16, BF16 → float32, F32 → float16 with round-to-nearest-even (hand-derived)", () => {
  const f32 = new Float32Array([0.1, 65520, 2049, -1e-8]);
  const file = handWritten(
    {
      h: { dtype: "F16", shape: [2], data_offsets: [0, 4] },
      b: { dtype: "BF16", shape: [2], data_offsets: [4, 8] },
      f: { dtype: "F32", shape: [4], data_offsets: [8, 24] },
    },
    [...le16([0x3555, 0x7bff]), ...le16([0x4049, 0xc2f7]), ...new Uint8Array(f32.buffer)],
  );
  const like = { h: np.zeros([2], { dtype: "bfloat16" }), b: np.zeros([2]), f: np.zeros([4], { dtype: "float16" }) };
  const t = nn.fromSafetensorsBytes(file, like, { cast: true });
  // 0.333251953125 → bfloat16 0.333984375 (0x3eab); 65504 → 65536 (0x4780).
  assert.deepEqual(bits(t.h), [0x3eab, 0x4780]);
  assert.deepEqual(t.b.tolist(), [3.140625, -123.5]);
  assert.equal(t.b.dtype, "float32");
  // float32 0.1 → 0x2e66; 65520 → inf; 2049 → 2048 (tie to even); -1e-8 → -0.
  assert.deepEqual(bits(t.f), [0x2e66, 0x7c00, 0x6800, 0x8000]);
});
