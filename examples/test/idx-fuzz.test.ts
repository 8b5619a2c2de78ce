/**
 * Fuzzing the MNIST example's IDX reader (examples/mnist/data.ts `decodeIdx`): random bytes,
 * random valid files of every IDX type (plain and gzipped), every truncation, and single-byte
 * corruptions. Each input is either rejected with an IdxFormatError naming the file, or read
 * correctly — the values an independent decoder written here from the format (2 zero bytes, type
 * code, ndim, big-endian int32 sizes, big-endian values) reads — never another exception, a crash
 * or a hang (each decode is timed). Budget: fcParams (FC_NUM_RUNS / FC_SEED; `npm run fuzz`).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
import fc from "fast-check";
import { fcParams } from "@linax-ts/testing";
import { IdxFormatError, decodeIdx, type Idx } from "../mnist/data.ts";

/** The IDX value types: code → [byte size, setter on a big-endian DataView]. */
const TYPES: Record<
  number,
  { size: number; set: (v: DataView, o: number, x: number) => void; get: (v: DataView, o: number) => number }
> = {
  0x08: { size: 1, set: (v, o, x) => v.setUint8(o, x), get: (v, o) => v.getUint8(o) },
  0x09: { size: 1, set: (v, o, x) => v.setInt8(o, x), get: (v, o) => v.getInt8(o) },
  0x0b: { size: 2, set: (v, o, x) => v.setInt16(o, x, false), get: (v, o) => v.getInt16(o, false) },
  0x0c: { size: 4, set: (v, o, x) => v.setInt32(o, x, false), get: (v, o) => v.getInt32(o, false) },
  0x0d: { size: 4, set: (v, o, x) => v.setFloat32(o, x, false), get: (v, o) => v.getFloat32(o, false) },
  0x0e: { size: 8, set: (v, o, x) => v.setFloat64(o, x, false), get: (v, o) => v.getFloat64(o, false) },
};
const CODES = Object.keys(TYPES).map(Number);

function encode(type: number, dims: readonly number[], values: readonly number[]): Uint8Array {
  const t = TYPES[type];
  const out = new Uint8Array(4 + 4 * dims.length + t.size * values.length);
  const v = new DataView(out.buffer);
  out.set([0, 0, type, dims.length]);
  dims.forEach((d, i) => v.setInt32(4 + 4 * i, d, false));
  values.forEach((x, i) => t.set(v, 4 + 4 * dims.length + t.size * i, x));
  return out;
}

/** The independent oracle on uncompressed bytes: the decoded file, or null if it is not a valid IDX file. */
function oracle(bytes: Uint8Array): { dims: number[]; values: number[] } | null {
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0 || TYPES[bytes[2]] === undefined || bytes[3] === 0)
    return null;
  const t = TYPES[bytes[2]];
  const nd = bytes[3];
  if (bytes.length < 4 + 4 * nd) return null;
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims = globalThis.Array.from({ length: nd }, (_, d) => v.getInt32(4 + 4 * d, false));
  if (dims.some((d) => d < 0)) return null;
  // BigInt: the product of up to 255 sizes below 2^31 must not round.
  const count = dims.reduce((a, d) => a * BigInt(d), 1n);
  if (BigInt(bytes.length) !== BigInt(4 + 4 * nd) + count * BigInt(t.size)) return null;
  const values = globalThis.Array.from({ length: Number(count) }, (_, i) => t.get(v, 4 + 4 * nd + t.size * i));
  return { dims, values };
}

/** Decode with a time limit; any exception other than IdxFormatError (naming the file) fails. */
function decodeOrReject(bytes: Uint8Array, file = "fuzz.idx"): Idx | null {
  const t0 = performance.now();
  try {
    return decodeIdx(bytes, file);
  } catch (e) {
    assert.ok(
      e instanceof IdxFormatError,
      `expected IdxFormatError, got ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`,
    );
    assert.ok((e as Error).message.startsWith(`${file}`), (e as Error).message);
    assert.match((e as Error).message, /byte \d+|gzip/, "the message names the byte (or the gzip failure)");
    return null;
  } finally {
    assert.ok(
      performance.now() - t0 < 1000,
      `decoding ${bytes.length} bytes took ${(performance.now() - t0).toFixed(0)} ms`,
    );
  }
}

/** `got` agrees with the oracle on `plain` (the uncompressed bytes): same acceptance, same values. */
function agree(got: Idx | null, plain: Uint8Array, what: string): void {
  const want = oracle(plain);
  assert.equal(
    got === null,
    want === null,
    `${what}: reader ${got === null ? "rejected" : "accepted"}, oracle ${want === null ? "rejects" : "accepts"}`,
  );
  if (got === null || want === null) return;
  assert.deepEqual(got.dims, want.dims, what);
  assert.equal(got.data.length, want.values.length, what);
  // Float NaN payloads may be canonicalised on the way to a JS number: compare NaN as NaN.
  for (let i = 0; i < want.values.length; i++)
    assert.ok(
      Object.is(got.data[i], want.values[i]) || (Number.isNaN(got.data[i]) && Number.isNaN(want.values[i])),
      `${what}: value ${i}: ${got.data[i]} vs ${want.values[i]}`,
    );
}

/** A random valid file: a type, 1–4 small dims, values of the type's range. */
const validFile = fc
  .record({
    type: fc.constantFrom(...CODES),
    dims: fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 4 }),
  })
  .chain(({ type, dims }) => {
    const n = dims.reduce((a, b) => a * b, 1);
    const value =
      type === 0x08
        ? fc.integer({ min: 0, max: 255 })
        : type === 0x09
          ? fc.integer({ min: -128, max: 127 })
          : type === 0x0b
            ? fc.integer({ min: -32768, max: 32767 })
            : type === 0x0c
              ? fc.integer()
              : type === 0x0d
                ? fc.float()
                : fc.double();
    return fc
      .array(value, { minLength: n, maxLength: n })
      .map((values) => ({ type, dims, values, bytes: encode(type, dims, values) }));
  });

test("random bytes: rejected with an IdxFormatError or read as the oracle reads them", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => agree(decodeOrReject(bytes), bytes, "random")),
    fcParams(400),
  );
});

test("random bytes behind a valid magic number: header fields and sizes are checked, not trusted", () => {
  // Random bytes rarely start 00 00 <type> <ndim>; here they always do, with random sizes after.
  const arb = fc
    .tuple(fc.constantFrom(...CODES), fc.integer({ min: 0, max: 255 }), fc.uint8Array({ maxLength: 80 }))
    .map(([type, nd, rest]) => Uint8Array.of(0, 0, type, nd, ...rest));
  fc.assert(
    fc.property(arb, (bytes) => agree(decodeOrReject(bytes), bytes, "magic + random")),
    fcParams(400),
  );
});

test("random valid files of every type are read exactly, plain and gzipped", () => {
  fc.assert(
    fc.property(validFile, ({ dims, values, bytes }) => {
      for (const [b, name] of [
        [bytes, "v.idx"],
        [gzipSync(bytes), "v.idx.gz"],
      ] as const) {
        const got = decodeOrReject(b, name);
        assert.ok(got !== null, `${name} was rejected`);
        assert.deepEqual(got.dims, dims);
        assert.deepEqual(
          [...got.data].map((x) => (Number.isNaN(x) ? "NaN" : x)),
          values.map((x) => (Number.isNaN(x) ? "NaN" : bytes[2] === 0x0d ? Math.fround(x) : x)),
        );
      }
    }),
    fcParams(200),
  );
});

test("every truncation of a valid file, and of its gzip stream, is rejected cleanly", () => {
  fc.assert(
    fc.property(validFile, ({ bytes }) => {
      for (let n = 0; n < bytes.length; n++) {
        const cut = bytes.subarray(0, n);
        // A cut that is itself a whole file (a 0-sized dimension followed by nothing) is valid.
        agree(decodeOrReject(cut), cut, `truncated to ${n} of ${bytes.length}`);
      }
      const gz = gzipSync(bytes);
      for (let n = 0; n < gz.length; n++)
        assert.equal(decodeOrReject(gz.subarray(0, n), "t.gz"), null, `gzip cut to ${n} of ${gz.length}`);
    }),
    fcParams(60),
  );
});

test("a single corrupted or inserted byte: rejected, or read as the oracle reads the corrupted file", () => {
  const arb = validFile.chain((f) =>
    fc.record({
      f: fc.constant(f),
      at: fc.nat({ max: f.bytes.length }),
      value: fc.integer({ min: 0, max: 255 }),
      insert: fc.boolean(),
    }),
  );
  fc.assert(
    fc.property(arb, ({ f, at, value, insert }) => {
      const b = insert
        ? Uint8Array.of(...f.bytes.subarray(0, at), value, ...f.bytes.subarray(at))
        : Uint8Array.from(f.bytes);
      if (!insert) b[Math.min(at, b.length - 1)] = value;
      agree(decodeOrReject(b), b, insert ? `byte ${value} inserted at ${at}` : `byte ${at} set to ${value}`);
    }),
    fcParams(400),
  );
});

test("huge declared sizes are refused from the header, without allocating them", () => {
  // 255 dimensions of 2^31 − 1 (a product far beyond 2^53), and a 2^31 − 1 × 8-byte double vector.
  const many = new Uint8Array(4 + 4 * 255);
  many.set([0, 0, 0x08, 255]);
  for (let d = 0; d < 255; d++) new DataView(many.buffer).setInt32(4 + 4 * d, 0x7fffffff, false);
  assert.equal(decodeOrReject(many), null);
  assert.equal(decodeOrReject(encode(0x0e, [0x7fffffff], [])), null);
  // A zero-sized dimension makes any other size legal: the file is just the header.
  const zero = encode(0x0d, [0x7fffffff, 0, 0x7fffffff], []);
  agree(decodeOrReject(zero), zero, "zero-sized");
});
