/** Turning JS values into arrays: `np.array`, `asArray`, with numpy's dtype inference. */
import { Array, type ArrayLike } from "../core/array.ts";
import { ShapedArray } from "../core/aval.ts";
import { fromHost } from "../core/concrete.ts";
import { getBackend } from "../backend.ts";
import { allocTyped, isDType, isHalf, isInexact, type DType, type HalfDType, type TypedArray } from "../dtype.ts";
import { halfBitsFromNumber } from "../half.ts";
import { DTypeError, ShapeError, ValueError } from "../errors.ts";
import { convertElementType } from "../primitives/convert.ts";

/** An object following the `ndarray` package's shape (data, shape, stride, offset). */
export interface NdarrayLike {
  data: { readonly length: number; readonly [i: number]: number };
  shape: number[];
  stride: number[];
  offset: number;
  dtype?: string;
}
type JsArrayLike = { readonly length: number; readonly [i: number]: number };

function isNdarray(x: unknown): x is NdarrayLike {
  return typeof x === "object" && x !== null && "data" in x && "shape" in x && "stride" in x && "offset" in x;
}

function typedDType(x: TypedArray | Float64Array | Int8Array | Int16Array | Uint16Array | Uint8ClampedArray): DType {
  if (x instanceof Float32Array || x instanceof Float64Array) return "float32";
  if (x instanceof Int32Array || x instanceof Int16Array || x instanceof Int8Array) return "int32";
  if (x instanceof Uint32Array || x instanceof Uint16Array || x instanceof Uint8ClampedArray) return "uint32";
  if (x instanceof Uint8Array) return "uint32";
  return "float32";
}

/**
 * float16/bfloat16 storage for JS values (each rounded as numpy / ml_dtypes round a Python float:
 * half.ts); booleans are 0/1.
 */
function halfStorage(
  dt: HalfDType,
  values: { readonly length: number; readonly [i: number]: number | boolean },
): Uint16Array {
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = halfBitsFromNumber(dt, Number(values[i]));
  return out;
}

export interface ArrayOptions {
  dtype?: DType;
}

/** Infer shape and kind from nested JS lists; errors on ragged input. */
function inspectNested(x: unknown): { shape: number[]; kind: "bool" | "int" | "float"; flat: number[] } {
  const flat: number[] = [];
  let kind: "bool" | "int" | "float" = "bool";
  const rec = (v: unknown, depth: number, path: number[]): number[] => {
    if (globalThis.Array.isArray(v)) {
      const childShapes = v.map((c, i) => rec(c, depth + 1, [...path, i]));
      const first = childShapes[0] ?? [];
      for (let i = 1; i < childShapes.length; i++) {
        if (childShapes[i].join(",") !== first.join(",")) {
          throw new ShapeError(
            `np.array: ragged nested list: element [${[...path, i].join("][")}] has shape [${childShapes[i].join(", ")}] but element [${[...path, 0].join("][")}] has shape [${first.join(", ")}]`,
          );
        }
      }
      return [v.length, ...first];
    }
    if (typeof v === "boolean") {
      flat.push(v ? 1 : 0);
      return [];
    }
    if (typeof v === "number") {
      if (!Number.isInteger(v) || Object.is(v, -0)) kind = "float";
      else if (kind === "bool") kind = "int";
      flat.push(v);
      return [];
    }
    throw new ValueError(`np.array: unsupported element ${String(v)} of type ${typeof v} at [${path.join("][")}]`);
  };
  const shape = rec(x, 0, []);
  return { shape, kind, flat };
}

/** Create an array from nested lists, typed arrays, `ndarray` objects, numbers or arrays. */
export function array(x: ArrayLike | NdarrayLike, opts: ArrayOptions = {}): Array {
  if (opts.dtype !== undefined && !isDType(opts.dtype))
    throw new DTypeError(`np.array: unknown dtype '${String(opts.dtype)}'`);
  if (x instanceof Array) return opts.dtype ? convertElementType(x, opts.dtype) : x;
  if (isNdarray(x)) {
    const shape = [...x.shape];
    const size = shape.reduce((a, b) => a * b, 1);
    const dt = opts.dtype ?? (ArrayBuffer.isView(x.data) ? typedDType(x.data as unknown as TypedArray) : "float32");
    const data = isHalf(dt) ? new Float64Array(size) : allocTyped(dt, size);
    const idx = new globalThis.Array<number>(shape.length).fill(0);
    for (let i = 0; i < size; i++) {
      let off = x.offset;
      for (let d = 0; d < shape.length; d++) off += idx[d] * x.stride[d];
      data[i] = x.data[off] as number;
      for (let d = shape.length - 1; d >= 0; d--) {
        if (++idx[d] < shape[d]) break;
        idx[d] = 0;
      }
    }
    return fromHost(
      getBackend(),
      isHalf(dt) ? halfStorage(dt, data) : (data as TypedArray),
      new ShapedArray(shape, dt),
    );
  }
  if (ArrayBuffer.isView(x)) {
    const t = x as unknown as TypedArray;
    const dt = opts.dtype ?? typedDType(t);
    // A typed array's *values* convert (as numpy's np.array(u16, dtype=float16)); bit patterns load with np.frombuffer.
    if (isHalf(dt)) return fromHost(getBackend(), halfStorage(dt, t), new ShapedArray([t.length], dt));
    const data = allocTyped(dt, dt === "complex64" ? t.length / 2 : t.length);
    if (dt === "bool") for (let i = 0; i < t.length; i++) data[i] = t[i] ? 1 : 0;
    else data.set(t as never);
    return fromHost(getBackend(), data, new ShapedArray([dt === "complex64" ? t.length / 2 : t.length], dt));
  }
  if (typeof x === "number" || typeof x === "boolean")
    return scalarArray(x, opts.dtype ?? (typeof x === "boolean" ? "bool" : "float32"));
  const { shape, kind, flat } = inspectNested(x);
  // JS cannot tell 1.0 from 1, so numbers default to float32 (pass { dtype: "int32" } for integers).
  const dt: DType = opts.dtype ?? (kind === "bool" && flat.length > 0 ? "bool" : "float32");
  const size = flat.length;
  if (isHalf(dt)) return fromHost(getBackend(), halfStorage(dt, flat), new ShapedArray(shape, dt));
  const data = allocTyped(dt, size);
  if (dt === "complex64") flat.forEach((v, i) => (data[2 * i] = v));
  else if (dt === "bool") flat.forEach((v, i) => (data[i] = v ? 1 : 0));
  else data.set(flat as never);
  return fromHost(getBackend(), data, new ShapedArray(shape, dt));
}

/** The dtype a JS scalar gets without an explicit one: bool, int32 (whole numbers in range) or float32. */
export function scalarKindDType(x: number | boolean): DType {
  if (typeof x === "boolean") return "bool";
  // Whole numbers outside int32's range are float-kind (JAX would overflow an int32; a float
  // literal is what the user meant, e.g. -3.4e38).
  const isInt32 = Number.isInteger(x) && !Object.is(x, -0) && x >= -2147483648 && x <= 2147483647;
  return isInt32 ? "int32" : "float32";
}

/**
 * A scalar array from a JS number/boolean. Without `dtype` it is weakly typed like a Python
 * scalar in JAX: integral numbers are weak int32 (so `intArray.add(1)` stays int32 and
 * `floatArray.add(1)` stays float32), other numbers weak float32.
 */
export function scalarArray(
  x: number | boolean,
  dtype?: DType,
  weak = dtype === undefined && typeof x !== "boolean",
): Array {
  const dt = dtype ?? scalarKindDType(x);
  const data = isHalf(dt) ? halfStorage(dt, [x]) : allocTyped(dt, 1);
  if (!isHalf(dt)) data[0] = typeof x === "boolean" ? (x ? 1 : 0) : x;
  return fromHost(getBackend(), data, new ShapedArray([], dt, weak));
}

/** Accept an Array or a JS value; JS numbers become weakly typed scalars. */
export function asArray(x: ArrayLike, dtype?: DType): Array {
  if (x instanceof Array) return dtype && x.dtype !== dtype ? convertElementType(x, dtype) : x;
  if (typeof x === "number" || typeof x === "boolean") return scalarArray(x, dtype);
  return array(x, { dtype });
}

export type { JsArrayLike };

/**
 * `x` as an inexact array (numpy's linalg works in float32/complex64): integers and bools become
 * float32, or `dtype` when given (integers reach complex64 through float32).
 */
export function asInexact(x: ArrayLike, dtype?: DType): Array {
  const a = asArray(x);
  const want = dtype ?? (isInexact(a.dtype) ? a.dtype : "float32");
  if (a.dtype === want) return a;
  const f = isInexact(a.dtype) ? a : convertElementType(a, "float32");
  return f.dtype === want ? f : convertElementType(f, want);
}
