/**
 * Kernels of comparisons, logical/bitwise ops, shifts, selectN, clamp, max/min, isFinite and
 * bitcastConvertType (primitives in core's primitives/elementwise-logic.ts). bool is stored as
 * 0/1 bytes; uint32 values read from a Uint32Array are non-negative JS numbers, so comparisons
 * order them correctly without reinterpretation.
 */
import { DTypeError } from "@linax-ts/core";
import type { DType, TypedArray } from "@linax-ts/core";
import { registerKernel } from "../registry.ts";
import { alloc } from "./strided-index.ts";
import { binaryKernel, unaryKernel } from "./elementwise.ts";

const b = (v: boolean): number => (v ? 1 : 0);

binaryKernel(
  "eq",
  (x, y) => b(x === y),
  (p, q, r, s) => [b(p === r && q === s), 0],
);
binaryKernel(
  "ne",
  (x, y) => b(x !== y),
  (p, q, r, s) => [b(p !== r || q !== s), 0],
);
binaryKernel("lt", (x, y) => b(x < y));
binaryKernel("le", (x, y) => b(x <= y));
binaryKernel("gt", (x, y) => b(x > y));
binaryKernel("ge", (x, y) => b(x >= y));

unaryKernel("isFinite", (x) => b(Number.isFinite(x)));

// Logical on bool (0/1), bitwise on integers; stores wrap the int32 results of JS bit operators.
unaryKernel("not", (x, dt) => (dt === "bool" ? 1 - x : ~x));
binaryKernel("and", (x, y) => x & y);
binaryKernel("or", (x, y) => x | y);
binaryKernel("xor", (x, y) => x ^ y);

/** XLA shifts: the amount is read as unsigned, and amounts >= 32 shift every bit out. */
binaryKernel("shiftLeft", (x, y) => {
  const s = y >>> 0;
  return s >= 32 ? 0 : x << s;
});
binaryKernel("shiftRightLogical", (x, y) => {
  const s = y >>> 0;
  return s >= 32 ? 0 : x >>> s;
});
binaryKernel("shiftRightArithmetic", (x, y) => {
  // Arithmetic on the 32-bit pattern, also for uint32 (XLA shifts bits, not values).
  const s = y >>> 0;
  return (x | 0) >> (s >= 32 ? 31 : s);
});

unaryKernel("populationCount", (x) => {
  let v = x >>> 0;
  v = v - ((v >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
});
unaryKernel("clz", (x) => Math.clz32(x));

/** max/min propagate NaN (XLA and numpy's maximum/minimum); Math.max/min already do. */
binaryKernel("max", (x, y) => Math.max(x, y));
binaryKernel("min", (x, y) => Math.min(x, y));

registerKernel("selectN", ([which, ...cases], [wa, ...ca], [oa]) => {
  const out = alloc(oa);
  const n = oa.size;
  const last = cases.length - 1;
  const scalarWhich = wa.ndim === 0 && n !== 1;
  const width = oa.dtype === "complex64" ? 2 : 1;
  void ca;
  for (let i = 0; i < n; i++) {
    const w = which[scalarWhich ? 0 : i];
    // Out-of-range int32 indices are undefined in XLA; clamp them into range.
    const k = w < 0 ? 0 : w > last ? last : w;
    const src = cases[k];
    for (let j = 0; j < width; j++) out[width * i + j] = src[width * i + j];
  }
  return [out];
});

registerKernel("clamp", ([lo, x, hi], [la, , ha], [oa]) => {
  const out = alloc(oa);
  const n = oa.size;
  const ls = la.size === 1 && n !== 1;
  const hs = ha.size === 1 && n !== 1;
  for (let i = 0; i < n; i++) {
    const v = x[i];
    const l = lo[ls ? 0 : i];
    const h = hi[hs ? 0 : i];
    // min(max(x, lo), hi), NaN-propagating like XLA's clamp.
    out[i] = Math.min(Math.max(v, l), h);
  }
  return [out];
});

/** Reinterpret the bytes of a 32-bit typed array as another 32-bit dtype (a copy, so inputs stay immutable). */
registerKernel("bitcastConvertType", ([x], _in, [oa]) => {
  const bytes = new Uint8Array(x.buffer, x.byteOffset, x.byteLength).slice();
  const views: Record<string, (buf: ArrayBuffer) => TypedArray> = {
    float32: (buf) => new Float32Array(buf),
    int32: (buf) => new Int32Array(buf),
    uint32: (buf) => new Uint32Array(buf),
  };
  const make = views[oa.dtype as DType];
  if (make === undefined) throw new DTypeError(`cpu bitcastConvertType: unsupported target dtype ${oa.dtype}`);
  return [make(bytes.buffer)];
});
