import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { np, ShapedArray, treeLeaves, type Array } from "linax-ts";
import * as nn from "@linax-ts/nn";
import { encodeSafetensors } from "../src/serialization/safetensors-format.ts";

const JsArray = globalThis.Array;
const fixture = new URL("../../../testdata/safetensors/python-written.safetensors", import.meta.url);

class Net extends nn.Module {
  readonly encoder: { linear: nn.Linear };
  readonly blocks: nn.Module[];
  readonly scale: number;
  constructor(key: nn.PRNGKey) {
    super();
    const [k1, k2, k3] = nn.splitKey(key, 3);
    this.encoder = { linear: new nn.Linear(3, 4, { key: k1, useBias: false }) };
    this.blocks = [
      new nn.BatchNorm(4, { axisName: "batch" }),
      new nn.GLU(4, 4, { key: k2 }),
      new nn.Embedding(5, 4, { key: k3 }),
    ];
    this.scale = 2;
  }
}

/** The raw bytes of every leaf, for bit-exact comparison (NaN payloads and -0 included). */
const leafBytes = (tree: unknown): number[][] =>
  treeLeaves(tree).map((l) => {
    const d = (l as Array).dataSync();
    return JsArray.from(new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
  });

test("a model, its State and an optimizer state round-trip bit-exactly, keyed by leaf path", async () => {
  const [model0, state] = nn.makeWithState(Net)(nn.prngKey(0));
  // Special float values survive: NaN, -0, ±Infinity, denormals.
  const model = nn.treeAt(
    (m: Net) => m.encoder.linear.weight,
    model0,
    np.array([
      [NaN, -0, Infinity],
      [-Infinity, 1e-45, 1],
      [2, 3, 4],
      [5, 6, 7],
    ]),
  );
  const opt = nn.optim.adamw(1e-3);
  const optState = opt.init(nn.filter(model, nn.isArray));
  const tree = { model, state, optState, step: np.array(7, { dtype: "int32" }), flags: np.array([true, false]) };
  const bytes = await nn.toSafetensorsBytes(tree, { metadata: { format: "linax-ts" } });
  assert.deepEqual(
    JsArray.from(nn.toSafetensorsBytesSync(tree, { metadata: { format: "linax-ts" } })),
    JsArray.from(bytes),
  );
  const { tensors, metadata } = nn.readSafetensorsBytes(bytes);
  assert.deepEqual(metadata, { format: "linax-ts" });
  const names = [...tensors.keys()].sort();
  for (const k of [
    "model.encoder.linear.weight",
    "model.blocks.1.w1.weight",
    "model.blocks.1.w2.bias",
    "model.blocks.2.weight",
    "state.Net.blocks.0.emaStateIndex.0",
    "state.Net.blocks.0.emaFirstTimeIndex",
    "optState.0.count",
    "optState.0.mu.blocks.1.w1.weight",
    "step",
    "flags",
  ]) {
    assert.ok(names.includes(k), `missing ${k} in ${names.join(", ")}`);
  }
  assert.ok(!names.some((n) => n.includes("scale")), "static fields are not saved");
  // Load into a differently initialized tree of the same structure.
  const [other, otherState] = nn.makeWithState(Net)(nn.prngKey(1));
  const like = {
    model: other,
    state: otherState,
    optState: opt.init(nn.filter(other, nn.isArray)),
    step: np.array(0, { dtype: "int32" }),
    flags: np.array([false, false]),
  };
  const loaded = nn.fromSafetensorsBytes(bytes, like);
  assert.deepEqual(leafBytes(loaded), leafBytes(tree));
  assert.ok(loaded.model instanceof Net && loaded.model.blocks[1] instanceof nn.GLU);
  assert.ok(loaded.state instanceof nn.State);
  assert.deepEqual(
    treeLeaves(loaded).map((l) => (l as Array).dtype),
    treeLeaves(tree).map((l) => (l as Array).dtype),
  );
  // A ShapedArray "like" tree works too.
  const shapes = nn.fromSafetensorsBytes(
    bytes,
    { step: new ShapedArray([], "int32"), flags: new ShapedArray([2], "bool") },
    { strict: false },
  ) as unknown as {
    step: Array;
    flags: Array;
  };
  assert.deepEqual(shapes.flags.tolist(), [true, false]);
  assert.equal(shapes.step.item(), 7);
});

test("files written by Python's safetensors load, and the same tree encodes to the identical bytes", () => {
  const bytes = new Uint8Array(readFileSync(fixture));
  const like = {
    a: np.array([
      [0, 0, 0],
      [0, 0, 0],
    ]),
    b: np.array([0, 0], { dtype: "int32" }),
  };
  const t = nn.fromSafetensorsBytes(bytes, like);
  assert.deepEqual(t.a.tolist(), [
    [0, 1, 2],
    [3, 4, 5],
  ]);
  assert.deepEqual(t.b.tolist(), [1, 2]);
  assert.equal(t.b.dtype, "int32");
  assert.deepEqual(JsArray.from(nn.toSafetensorsBytesSync(t)), JsArray.from(bytes));
});

test("mismatches and corrupt files give clear errors", () => {
  const tree = {
    w: np.array([
      [1, 2],
      [3, 4],
    ]),
    n: np.array([1], { dtype: "int32" }),
  };
  const bytes = nn.toSafetensorsBytesSync(tree);
  assert.throws(
    () => nn.fromSafetensorsBytes(bytes, { w: np.array([1, 2, 3, 4]), n: tree.n }),
    /tensor 'w' has shape \[2, 2\] in the file, but the model expects \[4\]/,
  );
  assert.throws(
    () => nn.fromSafetensorsBytes(bytes, { w: tree.w, n: np.array([1]) }),
    /tensor 'n' is stored as I32\[1\], but the model expects F32\[1\]/,
  );
  assert.throws(
    () => nn.fromSafetensorsBytes(bytes, { w: tree.w, n: tree.n, extra: np.array([0]) }),
    /not in the file: extra/,
  );
  assert.throws(() => nn.fromSafetensorsBytes(bytes, { w: tree.w }), /the file has tensor\(s\) the model does not: n/);
  assert.deepEqual(nn.fromSafetensorsBytes(bytes, { w: tree.w }, { strict: false }).w.tolist(), [
    [1, 2],
    [3, 4],
  ]);
  // Truncated: the data section ends early.
  assert.throws(
    () => nn.fromSafetensorsBytes(bytes.subarray(0, bytes.length - 3), tree),
    (e: Error) => e instanceof nn.SafetensorsError && /w|n|bytes|offset/.test(e.message),
  );
  // Shorter than the length prefix, and a header length past the end.
  assert.throws(() => nn.fromSafetensorsBytes(bytes.subarray(0, 5), tree), /8-byte header length/);
  const bad = bytes.slice();
  bad[0] = 0xff;
  assert.throws(() => nn.fromSafetensorsBytes(bad, tree), nn.SafetensorsError);
  // A corrupt header.
  const junk = bytes.slice();
  junk[10] = 0x7b;
  junk[11] = 0x7b;
  assert.throws(() => nn.fromSafetensorsBytes(junk, tree), /JSON|header/);
  // Non-array leaves cannot be saved.
  assert.throws(() => nn.toSafetensorsBytesSync({ a: 1 }), /leaf 'a' is a JS number, not an array/);
});

test("cast converts float64 / float16 / int64 files written by numpy", () => {
  const f64 = new Float64Array([0.1, -2.5, 1e300]);
  const i64 = new BigInt64Array([5n, -7n]);
  const f16 = new Uint16Array([0x3c00, 0xc000, 0x3555]); // 1, -2, 0.333251953125
  const bytes = encodeSafetensors([
    { name: "x", dtype: "F64", shape: [3], data: new Uint8Array(f64.buffer) },
    { name: "i", dtype: "I64", shape: [2], data: new Uint8Array(i64.buffer) },
    { name: "h", dtype: "F16", shape: [3], data: new Uint8Array(f16.buffer) },
  ]);
  const like = { x: np.array([0, 0, 0]), i: np.array([0, 0], { dtype: "int32" }), h: np.array([0, 0, 0]) };
  assert.throws(
    () => nn.fromSafetensorsBytes(bytes, like),
    /stored as F16\[3\], but the model expects F32\[3\] \(pass \{ cast: true \} to convert\)/,
  );
  const t = nn.fromSafetensorsBytes(bytes, like, { cast: true });
  assert.deepEqual(t.x.tolist(), [Math.fround(0.1), -2.5, Infinity]);
  assert.deepEqual(t.i.tolist(), [5, -7]);
  assert.deepEqual(t.h.tolist(), [1, -2, 0.333251953125]);
});

test("saveSafetensors writes atomically (temp file + rename) and loadSafetensors reads it back", async () => {
  const dir = mkdtempSync(join(tmpdir(), "nn-st-"));
  const path = join(dir, "model.safetensors");
  const model = new nn.MLP(2, 1, 4, 1, { key: nn.prngKey(3) });
  writeFileSync(path, "old contents");
  await nn.saveSafetensors(path, model);
  assert.deepEqual(readdirSync(dir), ["model.safetensors"], "no temporary file is left behind");
  const back = await nn.loadSafetensors(path, new nn.MLP(2, 1, 4, 1, { key: nn.prngKey(4) }));
  assert.deepEqual(leafBytes(back), leafBytes(model));
  assert.deepEqual(back.call(np.array([0.5, -1])).tolist(), model.call(np.array([0.5, -1])).tolist());
  writeFileSync(path, new Uint8Array([1, 2, 3]));
  await assert.rejects(
    nn.loadSafetensors(path, model),
    (e: Error) => e instanceof nn.SafetensorsError && e.message.includes(path),
  );
  await assert.rejects(nn.loadSafetensors(join(dir, "missing.safetensors"), model), /ENOENT/);
});
