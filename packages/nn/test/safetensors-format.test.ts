import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import {
  decodeSafetensors,
  encodeSafetensors,
  SafetensorsError,
  safetensorsItemsize,
  type SafetensorsDtype,
  type SafetensorsTensor,
} from "../src/serialization/safetensors-format.ts";

const fixtureUrl = new URL("../../../testdata/safetensors/python-written.safetensors", import.meta.url);

function f32Bytes(values: readonly number[]): Uint8Array {
  return new Uint8Array(Float32Array.from(values).buffer);
}
function i32Bytes(values: readonly number[]): Uint8Array {
  return new Uint8Array(Int32Array.from(values).buffer);
}
function headerOf(bytes: Uint8Array): string {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  return new TextDecoder().decode(bytes.subarray(8, 8 + n));
}
function u64le(n: number): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(n), true);
  return b;
}
function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
/** A file from a header object (serialized as given, unpadded) and a data section. */
function fileFrom(header: unknown, data: Uint8Array): Uint8Array {
  const h = new TextEncoder().encode(JSON.stringify(header));
  return concat(u64le(h.length), h, data);
}
function expectError(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof SafetensorsError, `expected SafetensorsError, got ${String(e)}`);
    assert.match(e.message, pattern);
    return true;
  });
}

test("round trip keeps names, dtypes, shapes, bytes and metadata", () => {
  const tensors: SafetensorsTensor[] = [
    { name: "w", dtype: "F32", shape: [2, 3], data: f32Bytes([1, 2, 3, 4, 5, 6]) },
    { name: "steps", dtype: "I64", shape: [], data: new Uint8Array(8).fill(7) },
    { name: "flag", dtype: "BOOL", shape: [3], data: Uint8Array.from([1, 0, 1]) },
    { name: "half", dtype: "BF16", shape: [1, 1], data: Uint8Array.from([0x80, 0x3f]) },
    { name: "z", dtype: "C64", shape: [1], data: f32Bytes([1.5, -2]) },
    { name: "empty", dtype: "F64", shape: [0, 4], data: new Uint8Array(0) },
    { name: "héllo/ünïcode", dtype: "U16", shape: [2], data: Uint8Array.from([1, 2, 3, 4]) },
  ];
  const bytes = encodeSafetensors(tensors, { format: "np", 'quote"d': "line\nbreak" });
  const decoded = decodeSafetensors(bytes);
  assert.deepEqual(decoded.metadata, { format: "np", 'quote"d': "line\nbreak" });
  assert.equal(decoded.tensors.size, tensors.length);
  for (const t of tensors) {
    const d = decoded.tensors.get(t.name);
    assert.ok(d, t.name);
    assert.equal(d.dtype, t.dtype);
    assert.deepEqual(d.shape, t.shape);
    assert.deepEqual([...d.data], [...t.data]);
  }
  // Header length is a multiple of 8, so the data section is 8-aligned.
  const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  assert.equal(n % 8, 0);
  assert.equal(bytes.length, 8 + n + tensors.reduce((s, t) => s + t.data.length, 0));
  // No metadata argument means no "__metadata__" key and `null` on decode.
  assert.equal(decodeSafetensors(encodeSafetensors(tensors)).metadata, null);
});

test("encoder orders tensors as the Rust crate: dtype alignment descending, then name bytes", () => {
  const one = (name: string, dtype: SafetensorsDtype, n = 1): SafetensorsTensor => ({
    name,
    dtype,
    shape: [n],
    data: new Uint8Array(n * safetensorsItemsize(dtype)),
  });
  const bytes = encodeSafetensors([
    one("z", "U8"),
    one("a", "F64"),
    one("m", "F32", 2),
    one("b", "F32"),
    one("c", "I64"),
    one("10", "F32"),
    one("9", "F32"),
  ]);
  // Recorded from Python: safetensors 0.8.0 `safetensors.numpy.save` of the same dict (metadata
  // omitted here: Python emits it in HashMap order). "10" < "9" < "b" bytewise; I64 > F64 > F32 > U8.
  const python =
    '{"c":{"dtype":"I64","shape":[1],"data_offsets":[0,8]},"a":{"dtype":"F64","shape":[1],"data_offsets":[8,16]},' +
    '"10":{"dtype":"F32","shape":[1],"data_offsets":[16,20]},"9":{"dtype":"F32","shape":[1],"data_offsets":[20,24]},' +
    '"b":{"dtype":"F32","shape":[1],"data_offsets":[24,28]},"m":{"dtype":"F32","shape":[2],"data_offsets":[28,36]},' +
    '"z":{"dtype":"U8","shape":[1],"data_offsets":[36,37]}}';
  assert.equal(headerOf(bytes).trimEnd(), python);
  assert.equal(headerOf(bytes).length, Math.ceil(python.length / 8) * 8);
  assert.deepEqual([...decodeSafetensors(bytes).tensors.keys()], ["c", "a", "10", "9", "b", "m", "z"]);
  // C64 sits between F32 and F64; recorded Python header for a lone C64 tensor:
  const c64 = encodeSafetensors([{ name: "c", dtype: "C64", shape: [2], data: new Uint8Array(16) }]);
  assert.equal(headerOf(c64), '{"c":{"dtype":"C64","shape":[2],"data_offsets":[0,16]}} ');
  const mixed = encodeSafetensors([one("f", "F32"), one("c", "C64"), one("d", "F64")]);
  assert.deepEqual([...decodeSafetensors(mixed).tensors.keys()], ["d", "c", "f"]);
});

test("names compare by code point, not UTF-16 unit (astral vs U+FFxx)", () => {
  const t = (name: string): SafetensorsTensor => ({ name, dtype: "U8", shape: [1], data: new Uint8Array(1) });
  // U+FF21 < U+1F600 by code point; UTF-16 would put the surrogate pair (0xD83D…) first.
  const bytes = encodeSafetensors([t("\u{1F600}"), t("\uFF21")]);
  assert.deepEqual([...decodeSafetensors(bytes).tensors.keys()], ["\uFF21", "\u{1F600}"]);
});

test("empty input encodes to an 8-byte-padded '{}' header", () => {
  const bytes = encodeSafetensors([]);
  assert.deepEqual([...bytes], [8, 0, 0, 0, 0, 0, 0, 0, 0x7b, 0x7d, 32, 32, 32, 32, 32, 32]);
  assert.equal(decodeSafetensors(bytes).tensors.size, 0);
});

test("encoder rejects bad arguments with clear messages", () => {
  const ok: SafetensorsTensor = { name: "a", dtype: "F32", shape: [2], data: new Uint8Array(8) };
  expectError(() => encodeSafetensors([ok, { ...ok }]), /duplicate tensor name "a"/);
  expectError(() => encodeSafetensors([{ ...ok, name: "__metadata__" }]), /reserved/);
  expectError(
    () => encodeSafetensors([{ ...ok, data: new Uint8Array(7) }]),
    /tensor "a": data has 7 bytes but shape \[2\] of F32 needs 8/,
  );
  expectError(
    () => encodeSafetensors([{ ...ok, shape: [-1] }]),
    /tensor "a": shape entries must be non-negative integers/,
  );
  expectError(() => encodeSafetensors([{ ...ok, dtype: "F8" as SafetensorsDtype }]), /unknown dtype "F8"/);
  expectError(() => encodeSafetensors([ok], { k: 3 as unknown as string }), /metadata value for "k" must be a string/);
});

test("decodes a file built byte by byte by hand", () => {
  // Header deliberately written in an order other than the data order, with unpadded JSON and an
  // extra field the reader must ignore.
  const header =
    '{"y":{"dtype":"I32","shape":[2],"data_offsets":[8,16]},"__metadata__":{"who":"hand"},"x":{"dtype":"F32","shape":[2,1],"data_offsets":[0,8],"extra":1}}';
  const h = new TextEncoder().encode(header);
  const data = concat(f32Bytes([0.5, -3]), i32Bytes([-7, 2147483647]));
  const bytes = concat(u64le(h.length), h, data);
  const d = decodeSafetensors(bytes);
  assert.deepEqual(d.metadata, { who: "hand" });
  assert.deepEqual([...d.tensors.keys()], ["x", "y"]);
  const x = d.tensors.get("x");
  const y = d.tensors.get("y");
  assert.ok(x && y);
  assert.equal(x.dtype, "F32");
  assert.deepEqual(x.shape, [2, 1]);
  assert.deepEqual([...new Float32Array(x.data.slice().buffer)], [0.5, -3]);
  assert.equal(y.dtype, "I32");
  assert.deepEqual([...new Int32Array(y.data.slice().buffer)], [-7, 2147483647]);
});

test("decoding works on a Uint8Array that is a view at an offset", () => {
  const inner = encodeSafetensors([{ name: "a", dtype: "F32", shape: [1], data: f32Bytes([42]) }]);
  const big = new Uint8Array(inner.length + 5);
  big.set(inner, 3);
  const d = decodeSafetensors(big.subarray(3, 3 + inner.length));
  assert.deepEqual([...new Float32Array(d.tensors.get("a")?.data.slice().buffer ?? new ArrayBuffer(0))], [42]);
});

test("python-written fixture decodes and re-encodes byte for byte", () => {
  const bytes = new Uint8Array(readFileSync(fixtureUrl));
  const d = decodeSafetensors(bytes);
  assert.equal(d.metadata, null);
  assert.deepEqual([...d.tensors.keys()], ["a", "b"]);
  const a = d.tensors.get("a");
  const b = d.tensors.get("b");
  assert.ok(a && b);
  assert.equal(a.dtype, "F32");
  assert.deepEqual(a.shape, [2, 3]);
  assert.deepEqual([...new Float32Array(a.data.slice().buffer)], [0, 1, 2, 3, 4, 5]);
  assert.equal(b.dtype, "I32");
  assert.deepEqual(b.shape, [2]);
  assert.deepEqual([...new Int32Array(b.data.slice().buffer)], [1, 2]);
  // Given in the opposite order: the encoder must still reproduce Python's file exactly.
  const again = encodeSafetensors([
    { name: "b", dtype: "I32", shape: [2], data: i32Bytes([1, 2]) },
    { name: "a", dtype: "F32", shape: [2, 3], data: f32Bytes([0, 1, 2, 3, 4, 5]) },
  ]);
  assert.deepEqual([...again], [...bytes]);
});

test("corrupt files fail with messages that say what is wrong", () => {
  const good = { dtype: "F32", shape: [2], data_offsets: [0, 8] };
  const data8 = new Uint8Array(8);

  expectError(() => decodeSafetensors(new Uint8Array(5)), /file is 5 bytes long/);
  expectError(
    () => decodeSafetensors(concat(u64le(100), new Uint8Array(20))),
    /header length 100 goes beyond the end of the file \(28 bytes/,
  );
  expectError(() => decodeSafetensors(concat(u64le(2 ** 40), new Uint8Array(8))), /exceeds the 100000000-byte limit/);
  expectError(() => decodeSafetensors(concat(u64le(2), Uint8Array.from([0xff, 0xfe]))), /not valid UTF-8/);
  const bad = new TextEncoder().encode('{"a":');
  expectError(() => decodeSafetensors(concat(u64le(bad.length), bad)), /header is not valid JSON/);
  expectError(() => decodeSafetensors(fileFrom([1, 2], new Uint8Array(0))), /header must be a JSON object/);

  expectError(
    () => decodeSafetensors(fileFrom({ a: { ...good, dtype: "Q4" } }, data8)),
    /tensor "a": unknown dtype "Q4"/,
  );
  expectError(
    () => decodeSafetensors(fileFrom({ a: { ...good, dtype: "F8_E4M3" } }, data8)),
    /tensor "a": dtype "F8_E4M3" is valid safetensors but not supported/,
  );
  expectError(
    () => decodeSafetensors(fileFrom({ a: { shape: [2], data_offsets: [0, 8] } }, data8)),
    /tensor "a": missing or non-string "dtype"/,
  );
  expectError(
    () => decodeSafetensors(fileFrom({ a: { ...good, shape: [2.5] } }, data8)),
    /tensor "a": shape entries must be non-negative integers/,
  );
  expectError(
    () => decodeSafetensors(fileFrom({ a: { ...good, data_offsets: [0] } }, data8)),
    /tensor "a": "data_offsets" must be \[begin, end\]/,
  );
  expectError(
    () => decodeSafetensors(fileFrom({ a: { ...good, data_offsets: [8, 0] } }, data8)),
    /tensor "a": data_offsets \[8, 0\] end before they begin/,
  );
  expectError(
    () => decodeSafetensors(fileFrom({ a: { ...good, data_offsets: [0, 16] } }, data8)),
    /tensor "a": data_offsets \[0, 16\] are out of bounds of the 8-byte data section/,
  );
  expectError(
    () => decodeSafetensors(fileFrom({ a: { ...good, shape: [3] } }, data8)),
    /tensor "a": data_offsets \[0, 8\] span 8 bytes but shape \[3\] of F32 needs 12/,
  );
  expectError(
    () => decodeSafetensors(fileFrom({ a: good, b: { dtype: "I32", shape: [1], data_offsets: [4, 8] } }, data8)),
    /tensor "b": data_offsets \[4, 8\] overlap tensor "a" at \[0, 8\]/,
  );
  expectError(
    () => decodeSafetensors(fileFrom({ a: { dtype: "F32", shape: [1], data_offsets: [4, 8] } }, data8)),
    /bytes \[0, 4\) of the data section are not covered by any tensor \(gap before tensor "a"\)/,
  );
  expectError(
    () => decodeSafetensors(fileFrom({ a: good }, new Uint8Array(11))),
    /3 trailing bytes after the last tensor/,
  );
  expectError(
    () => decodeSafetensors(fileFrom({ __metadata__: { k: 1 } }, new Uint8Array(0))),
    /"__metadata__" entry "k" must be a string/,
  );
  expectError(
    () => decodeSafetensors(fileFrom({ a: 3 }, new Uint8Array(0))),
    /tensor "a": header entry must be an object/,
  );
});

test("every error is a SafetensorsError and an Error", () => {
  const e = new SafetensorsError("x");
  assert.ok(e instanceof Error);
  assert.equal(e.name, "SafetensorsError");
});
