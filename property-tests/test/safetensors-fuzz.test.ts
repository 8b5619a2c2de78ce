/**
 * Fuzzing the safetensors reader: random bytes, every truncation of a small valid file, corrupted
 * header JSON and random data_offsets. Every input is either rejected with a SafetensorsError or
 * read correctly — never another exception, a crash or a hang. For random offsets an independent
 * oracle (written here from the format's rules) says which headers are valid, and the reader must
 * agree with it exactly. Budget: fcParams (small by default; `npm run fuzz` raises FC_NUM_RUNS).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { np, SafetensorsError } from "linax-ts";
import * as nn from "@linax-ts/nn";
import { fcParams } from "@linax-ts/testing";
import {
  decodeSafetensors,
  encodeSafetensors,
  type SafetensorsDtype,
} from "../../packages/nn/src/serialization/safetensors-format.ts";

const utf8 = new TextEncoder();

/** A file from a header object (JSON) and a data section, with the 8-byte length prefix. */
function fileOf(header: string, data: Uint8Array): Uint8Array {
  const h = utf8.encode(header);
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

/** Decode `bytes`; any exception other than SafetensorsError fails. Returns whether it was accepted. */
function decodeOrReject(bytes: Uint8Array): boolean {
  try {
    const { tensors } = decodeSafetensors(bytes);
    // Accepted: every tensor's bytes must fit its shape and lie inside the file.
    for (const t of tensors.values()) {
      const n = t.shape.reduce((a, b) => a * b, 1);
      const size = {
        BOOL: 1,
        U8: 1,
        I8: 1,
        I16: 2,
        U16: 2,
        F16: 2,
        BF16: 2,
        I32: 4,
        U32: 4,
        F32: 4,
        C64: 8,
        F64: 8,
        I64: 8,
        U64: 8,
      }[t.dtype];
      assert.equal(t.data.length, n * size);
      assert.ok(t.data.byteOffset + t.data.length <= bytes.byteOffset + bytes.length);
    }
    return true;
  } catch (e) {
    assert.ok(
      e instanceof SafetensorsError,
      `expected SafetensorsError, got ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`,
    );
    assert.ok((e as Error).message.length > 0);
    return false;
  }
}

const valid = encodeSafetensors(
  [
    { name: "a", dtype: "F32", shape: [2], data: new Uint8Array(new Float32Array([1.5, -2]).buffer) },
    { name: "b.c", dtype: "I32", shape: [1, 1], data: new Uint8Array(new Int32Array([7]).buffer) },
    { name: "z", dtype: "BOOL", shape: [3], data: Uint8Array.of(1, 0, 1) },
  ],
  { format: "pt" },
);

test("every truncation of a valid file is rejected with a SafetensorsError; the whole file reads back", () => {
  for (let n = 0; n < valid.length; n++)
    assert.equal(decodeOrReject(valid.subarray(0, n)), false, `truncated to ${n} bytes`);
  const { tensors, metadata } = decodeSafetensors(valid);
  assert.deepEqual(metadata, { format: "pt" });
  assert.deepEqual([...new Float32Array(tensors.get("a")!.data.slice().buffer)], [1.5, -2]);
  assert.deepEqual([...tensors.get("z")!.data], [1, 0, 1]);
  // And through the array-level loader: a truncated file never becomes a model.
  const like = {
    a: np.zeros([2]),
    b: { c: np.zeros([1, 1], { dtype: "int32" }) },
    z: np.zeros([3], { dtype: "bool" }),
  };
  for (const n of [0, 7, 8, 20, valid.length - 1])
    assert.throws(() => nn.fromSafetensorsBytes(valid.subarray(0, n), like), SafetensorsError);
});

test("random bytes are rejected cleanly", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 256 }), (bytes) => {
      decodeOrReject(bytes);
    }),
    fcParams(300),
  );
  // A random body behind a plausible length prefix reaches the JSON parser and the validators.
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat({ max: 220 }), (body, n) => {
      const b = new Uint8Array(8 + body.length);
      new DataView(b.buffer).setBigUint64(0, BigInt(n), true);
      b.set(body, 8);
      decodeOrReject(b);
    }),
    fcParams(300),
  );
});

test("huge or absurd header lengths are refused before allocating", () => {
  for (const n of [2n ** 64n - 1n, 2n ** 53n, 100_000_001n, 1000n]) {
    const b = new Uint8Array(16);
    new DataView(b.buffer).setBigUint64(0, n, true);
    assert.equal(decodeOrReject(b), false);
  }
});

test("corrupted header bytes: rejected with SafetensorsError or read correctly", () => {
  const headerLen = Number(new DataView(valid.buffer).getBigUint64(0, true));
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.nat({ max: headerLen - 1 }), fc.integer({ min: 0, max: 255 })), {
        minLength: 1,
        maxLength: 4,
      }),
      (edits) => {
        const b = valid.slice();
        for (const [pos, byte] of edits) b[8 + pos] = byte;
        decodeOrReject(b);
      },
    ),
    fcParams(300),
  );
  // Structured corruption: JSON values of the wrong kind in every field.
  const weird = [null, true, -1, 1.5, 1e300, "x", [], {}, [0], [0, 1, 2], ["0", "4"], [4, 0]];
  for (const w of weird) {
    for (const field of ["dtype", "shape", "data_offsets"]) {
      const entry: Record<string, unknown> = { dtype: "F32", shape: [1], data_offsets: [0, 4] };
      entry[field] = w;
      decodeOrReject(fileOf(JSON.stringify({ t: entry }), new Uint8Array(4)));
    }
    decodeOrReject(fileOf(JSON.stringify({ __metadata__: w }), new Uint8Array(0)));
  }
  assert.equal(decodeOrReject(fileOf("{", new Uint8Array(0))), false);
  assert.equal(decodeOrReject(fileOf("[]", new Uint8Array(0))), false);
  assert.equal(
    decodeOrReject(fileOf('{"__proto__": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}', new Uint8Array(4))),
    true,
  );
});

/**
 * The oracle for random offsets: the format is valid iff every span has the size its shape and
 * dtype need, and the spans, sorted, tile [0, dataLength) exactly.
 */
function oracleValid(
  entries: readonly { dtype: SafetensorsDtype; shape: number[]; off: [number, number] }[],
  dataLength: number,
): boolean {
  const size: Partial<Record<SafetensorsDtype, number>> = { F32: 4, I32: 4, U8: 1, F64: 8 };
  for (const e of entries) {
    if (e.off[1] < e.off[0] || e.off[1] - e.off[0] !== e.shape.reduce((a, b) => a * b, 1) * size[e.dtype]!)
      return false;
  }
  const spans = entries.map((e) => e.off).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let cursor = 0;
  for (const [b, e] of spans) {
    if (b !== cursor) return false;
    cursor = e;
  }
  return cursor === dataLength;
}

test("random data_offsets: the reader accepts exactly what the oracle accepts", () => {
  const entry = fc.record({
    dtype: fc.constantFrom<SafetensorsDtype>("F32", "I32", "U8", "F64"),
    shape: fc.array(fc.nat({ max: 3 }), { maxLength: 2 }),
    off: fc.tuple(fc.nat({ max: 40 }), fc.nat({ max: 40 })),
  });
  let accepted = 0;
  fc.assert(
    fc.property(fc.array(entry, { maxLength: 3 }), fc.nat({ max: 40 }), fc.boolean(), (entries, dataLength, tile) => {
      // Half the cases lay the spans out back to back (mostly valid), half keep the random offsets.
      let cursor = 0;
      const es = entries.map((e) => {
        if (!tile) return e;
        const n = e.shape.reduce((a, b) => a * b, 1) * { F32: 4, I32: 4, U8: 1, F64: 8 }[e.dtype as "F32"];
        const off: [number, number] = [cursor, cursor + n];
        cursor += n;
        return { ...e, off };
      });
      const len = tile ? cursor : dataLength;
      const header = `{${es.map((e, i) => `"t${i}":${JSON.stringify({ dtype: e.dtype, shape: e.shape, data_offsets: e.off })}`).join(",")}}`;
      const ok = decodeOrReject(fileOf(header, new Uint8Array(len)));
      assert.equal(ok, oracleValid(es, len), header);
      if (ok) accepted++;
    }),
    fcParams(400),
  );
  assert.ok(accepted > 0, "the generator never produced a valid file");
});
