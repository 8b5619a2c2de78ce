/**
 * Save and load pytrees (models, optimizer states, `State`s) as safetensors, keyed by leaf path:
 * `encoder.linear.weight`, `blocks.0.sequence_mixer.B` — module field names as written in the
 * class, list indices as numbers, plain-object keys as they are. Built on the byte-level codec
 * in `safetensors-format.ts`, so files written by Python's `safetensors` load and ours load in
 * Python.
 *
 * Loading takes a `like` tree (e.g. a freshly initialized model): its structure and static
 * fields are kept, and every array leaf is replaced by the tensor of the same name, after
 * checking dtype and shape. Missing, unexpected or mismatched tensors are CheckpointErrors naming
 * the first differing path; a malformed (e.g. truncated) file is a SafetensorsError (a
 * CheckpointError too).
 *
 * Saving is crash-safe: the bytes go to a temporary file in the same directory, which is fsynced
 * and then renamed over the old file (and the directory fsynced), so an interrupted save leaves
 * the previous checkpoint intact, and a file cut short by other means fails the format's checks.
 */
import {
  Array,
  CheckpointError,
  ShapedArray,
  ValueError,
  bfloat16ToNumber,
  float16ToNumber,
  np,
  treeFlatten,
  treeLeavesWithPath,
  treeUnflatten,
  type DType,
} from "@linax-ts/core";
import {
  decodeSafetensors,
  encodeSafetensors,
  SafetensorsError,
  type DecodedSafetensor,
  type SafetensorsDtype,
  type SafetensorsTensor,
} from "./safetensors-format.ts";

const TO_ST: Record<DType, SafetensorsDtype> = {
  float32: "F32",
  int32: "I32",
  uint32: "U32",
  bool: "BOOL",
  complex64: "C64",
  float16: "F16",
  bfloat16: "BF16",
};
const FROM_ST: Partial<Record<SafetensorsDtype, DType>> = {
  F32: "float32",
  I32: "int32",
  U32: "uint32",
  BOOL: "bool",
  C64: "complex64",
  F16: "float16",
  BF16: "bfloat16",
};

/** Bytes of one stored scalar (complex64: of each part, for byte-order swaps). */
const scalarBytes = (d: DType): number => (d === "bool" ? 1 : d === "float16" || d === "bfloat16" ? 2 : 4);

const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

export interface SaveOptions {
  /** String metadata stored in the header's `__metadata__`. */
  metadata?: Record<string, string>;
  /** Map each leaf path (`a.b.0.c`) to the tensor name written (e.g. camelCase → snake_case). */
  rename?: (path: string) => string;
}

export interface LoadOptions {
  /** Map each leaf path of `like` to the tensor name looked up in the file. */
  rename?: (path: string) => string;
  /** Tensors in the file that `like` has no leaf for are an error unless this is false (default true). */
  strict?: boolean;
  /**
   * Convert other stored dtypes (F64, I64, U8, ..., or F16/BF16 for a float32 leaf and F32 for a
   * half one) to the `like` leaf's dtype instead of failing (e.g. float64 arrays written by numpy;
   * to a half dtype with round-to-nearest-even). F16 and BF16 load into float16/bfloat16 leaves as
   * they are, bit for bit. Default false.
   */
  cast?: boolean;
}

/** The path of every leaf of `tree` (null/undefined contribute nothing). */
function leafPaths(
  tree: unknown,
  what: string,
  rename?: (p: string) => string,
): { names: string[]; leaves: unknown[] } {
  const entries = treeLeavesWithPath(tree);
  const names = entries.map(([p]) => (rename ? rename(p.join(".")) : p.join(".")));
  const seen = new Map<string, number>();
  names.forEach((n, i) => {
    const j = seen.get(n);
    if (j !== undefined)
      throw new ValueError(
        `${what}: leaves ${j} and ${i} both have the path '${n}' (a key containing '.' can collide with a nested path)`,
      );
    seen.set(n, i);
  });
  return { names, leaves: entries.map(([, l]) => l) };
}

function bytesOf(data: ArrayBufferView, itemsize: number): Uint8Array {
  const b = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (LITTLE_ENDIAN || itemsize === 1) return b;
  const out = new Uint8Array(b.length);
  for (let i = 0; i < b.length; i += itemsize) for (let k = 0; k < itemsize; k++) out[i + k] = b[i + itemsize - 1 - k];
  return out;
}

function tensorOf(name: string, leaf: unknown, data: ArrayBufferView): SafetensorsTensor {
  const a = leaf as Array;
  const dtype = TO_ST[a.dtype];
  // float16/bfloat16 data are their 16-bit patterns, written as stored (F16/BF16 in the file).
  return { name, dtype, shape: [...a.shape], data: bytesOf(data, scalarBytes(a.dtype)) };
}

function checkLeaves(names: string[], leaves: unknown[], what: string): void {
  leaves.forEach((l, i) => {
    if (!(l instanceof Array)) {
      const t = typeof l === "object" ? (l as object).constructor?.name : typeof l;
      throw new ValueError(
        `${what}: leaf '${names[i]}' is ${t === "number" || t === "boolean" ? `a JS ${t}` : `a ${t}`}, not an array; only arrays are saved (filter the tree with nn.filter(tree, nn.isArray) first)`,
      );
    }
    if (l.isTracer)
      throw new ValueError(`${what}: leaf '${names[i]}' is a traced value; save outside of jit/grad/vmap`);
  });
}

/** Serialize the array leaves of `tree` to safetensors bytes (reads data synchronously: CPU backend). */
export function toSafetensorsBytesSync(tree: unknown, opts: SaveOptions = {}): Uint8Array {
  const { names, leaves } = leafPaths(tree, "toSafetensorsBytes", opts.rename);
  checkLeaves(names, leaves, "toSafetensorsBytes");
  return encodeSafetensors(
    leaves.map((l, i) => tensorOf(names[i], l, (l as Array).dataSync())),
    opts.metadata,
  );
}

/** Serialize the array leaves of `tree` to safetensors bytes (works on every backend). */
export async function toSafetensorsBytes(tree: unknown, opts: SaveOptions = {}): Promise<Uint8Array> {
  const { names, leaves } = leafPaths(tree, "toSafetensorsBytes", opts.rename);
  checkLeaves(names, leaves, "toSafetensorsBytes");
  const datas = await Promise.all(leaves.map((l) => (l as Array).data()));
  return encodeSafetensors(
    leaves.map((l, i) => tensorOf(names[i], l, datas[i])),
    opts.metadata,
  );
}

/** A stored tensor's values as numbers (for dtype conversion with `cast`). */
function numbersOf(t: DecodedSafetensor): number[] | bigint[] {
  const n = t.shape.reduce((a, b) => a * b, 1);
  const v = new DataView(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    switch (t.dtype) {
      case "F64":
        out.push(v.getFloat64(8 * i, true));
        break;
      case "F32":
        out.push(v.getFloat32(4 * i, true));
        break;
      case "F16":
        out.push(float16ToNumber(v.getUint16(2 * i, true)));
        break;
      case "BF16":
        out.push(bfloat16ToNumber(v.getUint16(2 * i, true)));
        break;
      case "I64":
        out.push(Number(v.getBigInt64(8 * i, true)));
        break;
      case "U64":
        out.push(Number(v.getBigUint64(8 * i, true)));
        break;
      case "I32":
        out.push(v.getInt32(4 * i, true));
        break;
      case "U32":
        out.push(v.getUint32(4 * i, true));
        break;
      case "I16":
        out.push(v.getInt16(2 * i, true));
        break;
      case "U16":
        out.push(v.getUint16(2 * i, true));
        break;
      case "I8":
        out.push(v.getInt8(i));
        break;
      case "U8":
      case "BOOL":
        out.push(v.getUint8(i));
        break;
      default:
        throw new SafetensorsError(`cannot convert stored dtype ${t.dtype}`);
    }
  }
  return out;
}

/** An array from a stored tensor, with exactly the stored bits (copied out of the file buffer). */
function arrayFromTensor(t: DecodedSafetensor, dtype: DType): Array {
  const copy = t.data.slice();
  const itemsize = scalarBytes(dtype);
  if (!LITTLE_ENDIAN && itemsize > 1) {
    for (let i = 0; i < copy.length; i += itemsize) copy.subarray(i, i + itemsize).reverse();
  }
  // The stored bytes as elements of `dtype` (F16/BF16: the bit patterns themselves, no rounding).
  return np.reshape(np.frombuffer(copy, { dtype }), t.shape);
}

function describe(x: { dtype: string; shape: readonly number[] }): string {
  return `${x.dtype}[${x.shape.join(",")}]`;
}

/**
 * Rebuild `like` with its array leaves read from safetensors `bytes` by path. `like`'s leaves may
 * be arrays or `ShapedArray`s (only shape and dtype are used).
 */
export function fromSafetensorsBytes<T>(bytes: Uint8Array, like: T, opts: LoadOptions = {}): T {
  const what = "fromSafetensorsBytes";
  const { tensors } = decodeSafetensors(bytes);
  const [likeLeaves, def] = treeFlatten(like);
  const { names } = leafPaths(like, what, opts.rename);
  // Structure first (which paths exist), then shapes and dtypes: a checkpoint of another model is
  // reported by its first differing path, not by a shape clash that follows from it.
  const used = new Set<string>();
  const missing: string[] = [];
  likeLeaves.forEach((l, i) => {
    const name = names[i];
    if (!(l instanceof Array) && !(l instanceof ShapedArray))
      throw new ValueError(`${what}: leaf '${name}' of \`like\` is ${typeof l}; expected an array or a ShapedArray`);
    if (tensors.has(name)) used.add(name);
    else missing.push(name);
  });
  if (missing.length > 0) {
    const have = [...tensors.keys()].filter((k) => !used.has(k));
    throw new CheckpointError(
      `${what}: the file does not match the model's structure: first differing path '${missing[0]}' (in the model, not in the file); ${missing.length} tensor(s) the model needs are not in the file: ${missing.slice(0, 10).join(", ")}${missing.length > 10 ? ", ..." : ""}${have.length > 0 ? ` (unused tensors in the file: ${have.slice(0, 10).join(", ")})` : ""}`,
    );
  }
  if (opts.strict ?? true) {
    const extra = [...tensors.keys()].filter((k) => !used.has(k));
    if (extra.length > 0)
      throw new CheckpointError(
        `${what}: the file does not match the model's structure: first differing path '${extra[0]}' (in the file, not in the model); the file has tensor(s) the model does not: ${extra.slice(0, 10).join(", ")}${extra.length > 10 ? ", ..." : ""} (pass { strict: false } to ignore them)`,
      );
  }
  const out = likeLeaves.map((l, i) => {
    const name = names[i];
    const want = l instanceof Array ? l.aval : (l as ShapedArray);
    const t = tensors.get(name) as DecodedSafetensor;
    if (t.shape.length !== want.shape.length || t.shape.some((d, k) => d !== want.shape[k])) {
      throw new CheckpointError(
        `${what}: tensor '${name}' has shape [${t.shape.join(", ")}] in the file, but the model expects [${want.shape.join(", ")}]`,
      );
    }
    const stored = FROM_ST[t.dtype];
    if (stored === want.dtype) return arrayFromTensor(t, want.dtype);
    if (!opts.cast) {
      throw new CheckpointError(
        `${what}: tensor '${name}' is stored as ${describe(t)}, but the model expects ${describe({ dtype: TO_ST[want.dtype], shape: want.shape })} (pass { cast: true } to convert)`,
      );
    }
    if (want.dtype === "complex64" || t.dtype === "C64")
      throw new CheckpointError(`${what}: tensor '${name}': cannot cast ${t.dtype} to ${TO_ST[want.dtype]}`);
    return np.reshape(np.array(numbersOf(t) as number[], { dtype: want.dtype }), t.shape);
  });
  return treeUnflatten<T>(def, out);
}

/** Every tensor of a safetensors file as an array (for files without a matching model), plus metadata. */
export function readSafetensorsBytes(bytes: Uint8Array): {
  tensors: Map<string, Array>;
  metadata: Record<string, string> | null;
} {
  const { tensors, metadata } = decodeSafetensors(bytes);
  const out = new Map<string, Array>();
  for (const [name, t] of tensors) {
    const dt = FROM_ST[t.dtype];
    out.set(
      name,
      dt !== undefined
        ? arrayFromTensor(t, dt)
        : np.reshape(
            np.array(numbersOf(t) as number[], {
              dtype: t.dtype.startsWith("F") || t.dtype === "BF16" ? "float32" : "int32",
            }),
            t.shape,
          ),
    );
  }
  return { tensors: out, metadata };
}

let tmpCounter = 0;

/**
 * Save the array leaves of `tree` to `path` (Node). The file is written next to `path` under a
 * temporary name and renamed over it, so a crash never leaves a half-written file at `path`.
 */
export async function saveSafetensors(path: string, tree: unknown, opts: SaveOptions = {}): Promise<void> {
  const bytes = await toSafetensorsBytes(tree, opts);
  const fs = await import("node:fs/promises");
  const tmp = `${path}.tmp-${process.pid}-${Date.now()}-${tmpCounter++}`;
  try {
    const fh = await fs.open(tmp, "w");
    try {
      await fh.writeFile(bytes);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fs.rename(tmp, path);
    await syncDirectory(fs, path);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
}

/**
 * fsync the directory holding `path`, so the rename itself survives a power cut (POSIX). Some
 * platforms (Windows) cannot open a directory; there the rename is as durable as the OS makes it.
 */
async function syncDirectory(fs: typeof import("node:fs/promises"), path: string): Promise<void> {
  const { dirname } = await import("node:path");
  let dir: Awaited<ReturnType<typeof fs.open>> | undefined;
  try {
    dir = await fs.open(dirname(path), "r");
    await dir.sync();
  } catch {
    // Not supported here (EISDIR/EPERM on Windows): nothing more we can do.
  } finally {
    await dir?.close();
  }
}

/** Load `path` (Node) into the structure of `like`; see `fromSafetensorsBytes`. */
export async function loadSafetensors<T>(path: string, like: T, opts: LoadOptions = {}): Promise<T> {
  const fs = await import("node:fs/promises");
  const buf = await fs.readFile(path);
  const bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  try {
    return fromSafetensorsBytes(bytes, like, opts);
  } catch (e) {
    if (e instanceof SafetensorsError) throw new SafetensorsError(`loadSafetensors('${path}'): ${e.message}`);
    if (e instanceof CheckpointError)
      throw new CheckpointError(`loadSafetensors('${path}'): ${e.message.replace(/^fromSafetensorsBytes: /, "")}`);
    if (e instanceof ValueError)
      throw new ValueError(`loadSafetensors('${path}'): ${e.message.replace(/^fromSafetensorsBytes: /, "")}`);
    throw e;
  }
}

export { SafetensorsError };
