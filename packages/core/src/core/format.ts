/** numpy-like printing of array contents (used by `toString()` on concrete arrays). */
import type { DType, HalfDType, TypedArray } from "../dtype.ts";
import { halfBitsFromNumber, decodeHostValues } from "../half.ts";

function fmtFloat(v: number): string {
  if (Number.isNaN(v)) return "nan";
  if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
  if (Number.isInteger(v) && Math.abs(v) < 1e16) return `${v}.`;
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-4 || a >= 1e16)) return v.toExponential(7).replace(/\.?0+e/, "e");
  return String(Number(v.toPrecision(8)));
}

/**
 * A half value with the fewest significant digits that round back to the same half (numpy's
 * float16 repr: `0.1`, not float32's `0.099975586`).
 */
function shortestHalf(v: number, dtype: HalfDType): number {
  if (!Number.isFinite(v) || v === 0) return v;
  const bits = halfBitsFromNumber(dtype, v);
  for (let p = 1; p < 9; p++) {
    const s = Number(v.toPrecision(p));
    if (halfBitsFromNumber(dtype, s) === bits) return s;
  }
  return v;
}

function fmtElem(data: TypedArray, dtype: DType, i: number): string {
  switch (dtype) {
    case "float16":
    case "bfloat16":
      return fmtFloat(shortestHalf(data[i], dtype));
    case "bool":
      return data[i] ? "True" : "False";
    case "float32":
      return fmtFloat(data[i]);
    case "complex64": {
      const re = data[2 * i];
      const im = data[2 * i + 1];
      const sign = im < 0 || Object.is(im, -0) ? "-" : "+";
      return `${fmtFloat(re)}${sign}${fmtFloat(Math.abs(im))}j`;
    }
    default:
      return String(data[i]);
  }
}

/** Render nested brackets with numpy's alignment: `[[1., 2.],\n [3., 4.]]`. */
export function formatData(data: TypedArray, shape: readonly number[], dtype: DType, indent: number): string {
  const size = shape.reduce((a, b) => a * b, 1);
  data = decodeHostValues(data, dtype); // half bit patterns → values
  const elems: string[] = [];
  for (let i = 0; i < size; i++) elems.push(fmtElem(data, dtype, i));
  const width = Math.max(0, ...elems.map((e) => e.length));
  const pad = (s: string) => s.padStart(width);
  if (shape.length === 0) return elems[0];
  let pos = 0;
  const rec = (dim: number, ind: number): string => {
    if (dim === shape.length - 1) {
      const row: string[] = [];
      for (let k = 0; k < shape[dim]; k++) row.push(pad(elems[pos++]));
      return `[${row.join(", ")}]`;
    }
    const parts: string[] = [];
    for (let k = 0; k < shape[dim]; k++) parts.push(rec(dim + 1, ind + 1));
    const sep = "," + "\n".repeat(shape.length - dim - 1) + " ".repeat(ind + 1);
    return `[${parts.join(sep)}]`;
  };
  return rec(0, indent);
}
