/**
 * The safetensors byte format, standalone: pure functions over `Uint8Array`s that use nothing of
 * the array library but its error class, so that weights written by Python's `safetensors` (and hence by linax/JAX
 * training scripts) can be read — and files readable by Python written — byte for byte.
 *
 * Layout (safetensors/src/tensor.rs in huggingface/safetensors):
 *
 * ```text
 * [0, 8)          u64 little-endian N: the header's length in bytes
 * [8, 8+N)        UTF-8 JSON object: optional "__metadata__": {str: str}, then one entry per
 *                 tensor: {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}
 *                 (offsets relative to the start of the data section); the Rust writer pads the
 *                 JSON with spaces (0x20) to a multiple of 8 so that the data section is aligned
 * [8+N, EOF)      the data section: every tensor's bytes, little-endian, C order, packed with no
 *                 gaps, in the order of the header
 * ```
 *
 * The writer reproduces the Rust crate's `prepare()` exactly: tensors sorted by dtype alignment,
 * largest first (the reverse of the crate's `Dtype` enum order), then by name compared as bytes;
 * compact JSON (no spaces) with keys in that order; header padded with spaces to a multiple of 8.
 * The reader follows `SafeTensors::read_metadata` + `Metadata::validate`: tensors sorted by
 * `data_offsets` must tile the data section exactly, with no gap, overlap or trailing bytes.
 */
import { SafetensorsError } from "@linax-ts/core";

/** Element types understood by this module (the names are the safetensors header's). */
export type SafetensorsDtype =
  "BOOL" | "U8" | "I8" | "I16" | "U16" | "F16" | "BF16" | "I32" | "U32" | "F32" | "C64" | "F64" | "I64" | "U64";

/** One named tensor as raw little-endian bytes in C (row-major) order. */
export interface SafetensorsTensor {
  /** The tensor's key in the header. Any string except `"__metadata__"`. */
  name: string;
  dtype: SafetensorsDtype;
  /** Dimensions; `[]` is a scalar (one element). */
  shape: number[];
  /** Exactly `product(shape) * itemsize(dtype)` bytes. */
  data: Uint8Array;
}

/** A decoded tensor: `data` is a view into the decoded file's bytes (no copy). */
export interface DecodedSafetensor {
  dtype: SafetensorsDtype;
  shape: number[];
  data: Uint8Array;
}

/** The result of {@link decodeSafetensors}. */
export interface DecodedSafetensors {
  /** Tensors in file order (increasing data offset), as Python's `safe_open(...).offset_keys()`. */
  tensors: Map<string, DecodedSafetensor>;
  /** The header's `__metadata__` map, or `null` when the header has none. */
  metadata: Record<string, string> | null;
}

/**
 * Every malformed input or invalid argument is reported with this class; `message` says what and
 * where. It is core's (a CheckpointError, hence a ValueError and a LinaxError), re-exported here.
 */
export { SafetensorsError };

/**
 * Bytes per element, and the rank of each dtype in the Rust crate's `Dtype` enum (declaration
 * order, which derives `Ord`). The writer sorts by this rank descending: "largest alignment first".
 * Sub-byte and FP8 variants sit between these in the enum; only relative order matters here.
 */
const DTYPE_INFO: Readonly<Record<SafetensorsDtype, { readonly itemsize: number; readonly rank: number }>> = {
  BOOL: { itemsize: 1, rank: 0 },
  U8: { itemsize: 1, rank: 1 },
  I8: { itemsize: 1, rank: 2 },
  I16: { itemsize: 2, rank: 3 },
  U16: { itemsize: 2, rank: 4 },
  F16: { itemsize: 2, rank: 5 },
  BF16: { itemsize: 2, rank: 6 },
  I32: { itemsize: 4, rank: 7 },
  U32: { itemsize: 4, rank: 8 },
  F32: { itemsize: 4, rank: 9 },
  C64: { itemsize: 8, rank: 10 },
  F64: { itemsize: 8, rank: 11 },
  I64: { itemsize: 8, rank: 12 },
  U64: { itemsize: 8, rank: 13 },
};

/** Valid safetensors dtypes that this module does not decode (sub-byte and 8-bit floats). */
const KNOWN_UNSUPPORTED_DTYPES: ReadonlySet<string> = new Set([
  "F4",
  "F6_E2M3",
  "F6_E3M2",
  "F8_E5M2",
  "F8_E4M3",
  "F8_E8M0",
]);

/** The Rust reader refuses headers above 100 MB (`MAX_HEADER_SIZE`); so do we, before allocating. */
const MAX_HEADER_SIZE = 100_000_000;
const HEADER_LENGTH_BYTES = 8;
const METADATA_KEY = "__metadata__";

/** Bytes per element of `dtype`. */
export function safetensorsItemsize(dtype: SafetensorsDtype): number {
  return DTYPE_INFO[dtype].itemsize;
}

/** Whether `s` is one of the dtype names this module reads and writes. */
export function isSafetensorsDtype(s: string): s is SafetensorsDtype {
  return Object.prototype.hasOwnProperty.call(DTYPE_INFO, s);
}

const utf8Encoder = new TextEncoder();

/**
 * Rust orders `String`s by their UTF-8 bytes, which is Unicode code-point order. JavaScript's `<`
 * compares UTF-16 code units, which disagrees for characters above U+FFFF versus U+E000–U+FFFF;
 * comparing the UTF-8 encodings sidesteps that.
 */
function compareUtf8(a: string, b: string): number {
  const x = utf8Encoder.encode(a);
  const y = utf8Encoder.encode(b);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) {
    if (x[i] !== y[i]) return x[i] - y[i];
  }
  return x.length - y.length;
}

function describeShape(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}

/** Number of elements, refusing anything that is not a list of non-negative safe integers. */
function elementCount(shape: readonly unknown[], where: string): number {
  let n = 1;
  for (const d of shape) {
    if (typeof d !== "number" || !Number.isSafeInteger(d) || d < 0) {
      throw new SafetensorsError(`${where}: shape entries must be non-negative integers, got ${JSON.stringify(shape)}`);
    }
    n *= d;
    if (!Number.isSafeInteger(n))
      throw new SafetensorsError(`${where}: shape ${JSON.stringify(shape)} has too many elements`);
  }
  return n;
}

/**
 * JSON for one string. `JSON.stringify` escapes exactly what serde_json escapes for well-formed
 * strings: `"` and `\`, control characters as `\b \t \n \f \r` or lowercase `\u00xx`, nothing else
 * (non-ASCII is written raw as UTF-8) — so the header bytes match the Rust writer's.
 */
function jsonString(s: string): string {
  return JSON.stringify(s);
}

/**
 * Serializes tensors (and optional string metadata) to safetensors bytes, exactly as Python's
 * `safetensors.numpy.save` / the Rust crate would for the same tensors: sorted by dtype alignment
 * (largest first) then name, compact JSON header padded with spaces to a multiple of 8.
 *
 * The Rust writer stores `__metadata__` in a `HashMap`, so Python emits its keys in an arbitrary
 * order; here they are written sorted by code point, which any reader accepts.
 *
 * @throws SafetensorsError on a duplicate or reserved name, an unknown dtype, a bad shape, or
 *   `data` whose length is not `product(shape) * itemsize`.
 */
export function encodeSafetensors(
  tensors: readonly SafetensorsTensor[],
  metadata?: Record<string, string>,
): Uint8Array {
  const seen = new Set<string>();
  for (const t of tensors) {
    if (typeof t.name !== "string") throw new SafetensorsError("tensor names must be strings");
    if (t.name === METADATA_KEY)
      throw new SafetensorsError(`tensor name "${METADATA_KEY}" is reserved for the header's metadata`);
    if (seen.has(t.name)) throw new SafetensorsError(`duplicate tensor name "${t.name}"`);
    seen.add(t.name);
    if (!isSafetensorsDtype(t.dtype))
      throw new SafetensorsError(`tensor "${t.name}": unknown dtype "${String(t.dtype)}"`);
    const expected = elementCount(t.shape, `tensor "${t.name}"`) * DTYPE_INFO[t.dtype].itemsize;
    if (t.data.length !== expected) {
      throw new SafetensorsError(
        `tensor "${t.name}": data has ${t.data.length} bytes but shape ${describeShape(t.shape)} of ${t.dtype} needs ${expected}`,
      );
    }
  }

  // Rust: `right.dtype().cmp(&left.dtype()).then(lname.cmp(rname))`.
  const sorted = [...tensors].sort(
    (l, r) => DTYPE_INFO[r.dtype].rank - DTYPE_INFO[l.dtype].rank || compareUtf8(l.name, r.name),
  );

  // The header is assembled by hand rather than with JSON.stringify on an object: JS objects put
  // integer-like keys ("0", "10") first in numeric order, which would break the required order.
  const entries: string[] = [];
  if (metadata !== undefined) {
    const keys = Object.keys(metadata).sort(compareUtf8);
    const parts: string[] = [];
    for (const k of keys) {
      const v = metadata[k];
      if (typeof v !== "string")
        throw new SafetensorsError(`metadata value for "${k}" must be a string, got ${typeof v}`);
      parts.push(`${jsonString(k)}:${jsonString(v)}`);
    }
    entries.push(`${jsonString(METADATA_KEY)}:{${parts.join(",")}}`);
  }
  let offset = 0;
  for (const t of sorted) {
    const end = offset + t.data.length;
    entries.push(
      `${jsonString(t.name)}:{"dtype":"${t.dtype}","shape":[${t.shape.join(",")}],"data_offsets":[${offset},${end}]}`,
    );
    offset = end;
  }
  const json = utf8Encoder.encode(`{${entries.join(",")}}`);
  // `metadata_buf.len().next_multiple_of(8)`, padded with b' '.
  const headerLength = Math.ceil(json.length / 8) * 8;

  const out = new Uint8Array(HEADER_LENGTH_BYTES + headerLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLength), true);
  out.set(json, HEADER_LENGTH_BYTES);
  out.fill(0x20, HEADER_LENGTH_BYTES + json.length, HEADER_LENGTH_BYTES + headerLength);
  let pos = HEADER_LENGTH_BYTES + headerLength;
  for (const t of sorted) {
    out.set(t.data, pos);
    pos += t.data.length;
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

interface ParsedEntry {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  begin: number;
  end: number;
}

function parseMetadata(value: unknown): Record<string, string> | null {
  // serde reads `"__metadata__": null` as `None`.
  if (value === null) return null;
  if (!isPlainObject(value))
    throw new SafetensorsError(`"${METADATA_KEY}" must be an object of strings, got ${JSON.stringify(value)}`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== "string")
      throw new SafetensorsError(`"${METADATA_KEY}" entry "${k}" must be a string, got ${JSON.stringify(v)}`);
    // defineProperty, not `out[k] = v`: a key "__proto__" must become data, not a prototype.
    Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function parseEntry(name: string, value: unknown, dataLength: number): ParsedEntry {
  const where = `tensor "${name}"`;
  if (!isPlainObject(value))
    throw new SafetensorsError(`${where}: header entry must be an object, got ${JSON.stringify(value)}`);
  const { dtype, shape, data_offsets: offsets } = value;
  if (typeof dtype !== "string") throw new SafetensorsError(`${where}: missing or non-string "dtype"`);
  if (!isSafetensorsDtype(dtype)) {
    if (KNOWN_UNSUPPORTED_DTYPES.has(dtype))
      throw new SafetensorsError(`${where}: dtype "${dtype}" is valid safetensors but not supported here`);
    throw new SafetensorsError(`${where}: unknown dtype "${dtype}"`);
  }
  if (!Array.isArray(shape)) throw new SafetensorsError(`${where}: missing or non-array "shape"`);
  const count = elementCount(shape, where);
  if (!Array.isArray(offsets) || offsets.length !== 2) {
    throw new SafetensorsError(`${where}: "data_offsets" must be [begin, end], got ${JSON.stringify(offsets)}`);
  }
  const [begin, end] = offsets;
  if (
    typeof begin !== "number" ||
    typeof end !== "number" ||
    !Number.isSafeInteger(begin) ||
    !Number.isSafeInteger(end) ||
    begin < 0 ||
    end < 0
  ) {
    throw new SafetensorsError(
      `${where}: "data_offsets" must be non-negative integers, got ${JSON.stringify(offsets)}`,
    );
  }
  if (end < begin) throw new SafetensorsError(`${where}: data_offsets [${begin}, ${end}] end before they begin`);
  if (end > dataLength) {
    throw new SafetensorsError(
      `${where}: data_offsets [${begin}, ${end}] are out of bounds of the ${dataLength}-byte data section`,
    );
  }
  const expected = count * DTYPE_INFO[dtype].itemsize;
  if (end - begin !== expected) {
    throw new SafetensorsError(
      `${where}: data_offsets [${begin}, ${end}] span ${end - begin} bytes but shape ${describeShape(shape as number[])} of ${dtype} needs ${expected}`,
    );
  }
  return { name, dtype, shape: (shape as number[]).slice(), begin, end };
}

/**
 * Parses safetensors bytes. Tensor data are views into `bytes` (no copy): copy them before
 * mutating `bytes`. Validation follows the Rust reader — the header must be valid UTF-8 JSON, every
 * dtype known, every tensor's byte span match its shape, and the spans, sorted, must cover the
 * data section exactly — but errors name the offending tensor and what was wrong.
 *
 * @throws SafetensorsError for a file shorter than 8 bytes, a header length past the end of the
 *   file, invalid UTF-8 or JSON, an unknown dtype, offsets out of bounds, overlapping, leaving a gap,
 *   or not matching shape × itemsize, and trailing bytes not covered by any tensor.
 */
export function decodeSafetensors(bytes: Uint8Array): DecodedSafetensors {
  if (bytes.length < HEADER_LENGTH_BYTES) {
    throw new SafetensorsError(
      `file is ${bytes.length} bytes long; a safetensors file starts with an 8-byte header length`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER_SIZE))
    throw new SafetensorsError(`header length ${n} exceeds the ${MAX_HEADER_SIZE}-byte limit`);
  const headerLength = Number(n);
  if (HEADER_LENGTH_BYTES + headerLength > bytes.length) {
    throw new SafetensorsError(
      `header length ${headerLength} goes beyond the end of the file (${bytes.length} bytes, so at most ${bytes.length - HEADER_LENGTH_BYTES})`,
    );
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(
      bytes.subarray(HEADER_LENGTH_BYTES, HEADER_LENGTH_BYTES + headerLength),
    );
  } catch {
    throw new SafetensorsError("header is not valid UTF-8");
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new SafetensorsError(`header is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!isPlainObject(parsed))
    throw new SafetensorsError(`header must be a JSON object, got ${text.trim().slice(0, 40)}`);

  const dataStart = HEADER_LENGTH_BYTES + headerLength;
  const dataLength = bytes.length - dataStart;
  let metadata: Record<string, string> | null = null;
  const entries: ParsedEntry[] = [];
  for (const [name, value] of Object.entries(parsed)) {
    if (name === METADATA_KEY) metadata = parseMetadata(value);
    else entries.push(parseEntry(name, value, dataLength));
  }

  // `tensors.sort_by(|l, r| l.data_offsets.cmp(&r.data_offsets))`, then every span must start
  // where the previous one ended.
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  let previous: ParsedEntry | null = null;
  for (const e of entries) {
    if (e.begin < cursor) {
      throw new SafetensorsError(
        `tensor "${e.name}": data_offsets [${e.begin}, ${e.end}] overlap tensor "${previous?.name}" at [${previous?.begin}, ${previous?.end}]`,
      );
    }
    if (e.begin > cursor) {
      throw new SafetensorsError(
        `bytes [${cursor}, ${e.begin}) of the data section are not covered by any tensor (gap before tensor "${e.name}")`,
      );
    }
    cursor = e.end;
    previous = e;
  }
  if (cursor !== dataLength) {
    throw new SafetensorsError(
      `${dataLength - cursor} trailing bytes after the last tensor (data section [${cursor}, ${dataLength})) are not covered by any tensor`,
    );
  }

  const tensors = new Map<string, DecodedSafetensor>();
  for (const e of entries) {
    tensors.set(e.name, {
      dtype: e.dtype,
      shape: e.shape,
      data: bytes.subarray(dataStart + e.begin, dataStart + e.end),
    });
  }
  return { tensors, metadata };
}
