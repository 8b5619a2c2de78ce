/** Elementwise kernels: arithmetic, transcendental, complex parts, casts. */
import type { DType, ShapedArray, TypedArray } from "@linax-ts/core";
import { registerKernel } from "../registry.ts";
import { alloc, type C } from "./util.ts";

type RealFn = (x: number) => number;
type ComplexFn = (re: number, im: number) => C;

/** Register a unary kernel with a real function and (optionally) a complex one. */
export function unaryKernel(name: string, real: RealFn, complex?: ComplexFn): void {
  registerKernel(name, ([x], [xa], [oa]) => {
    const out = alloc(oa);
    if (xa.dtype === "complex64") {
      if (complex === undefined) throw new Error(`cpu ${name}: no complex kernel`);
      if (oa.dtype === "complex64") {
        for (let i = 0; i < xa.size; i++) {
          const [re, im] = complex(x[2 * i], x[2 * i + 1]);
          out[2 * i] = re;
          out[2 * i + 1] = im;
        }
      } else for (let i = 0; i < xa.size; i++) out[i] = complex(x[2 * i], x[2 * i + 1])[0];
    } else for (let i = 0; i < xa.size; i++) out[i] = real(x[i]);
    return [out];
  });
}

type RealFn2 = (x: number, y: number) => number;
type ComplexFn2 = (a: number, b: number, c: number, d: number) => C;

/** Register a binary kernel over equal-shaped operands. `int` overrides for integer dtypes. */
export function binaryKernel(name: string, real: RealFn2, complex?: ComplexFn2, int?: (x: number, y: number, dtype: DType) => number): void {
  registerKernel(name, ([x, y], [xa], [oa]) => {
    const out = alloc(oa);
    const n = xa.size;
    if (xa.dtype === "complex64") {
      if (complex === undefined) throw new Error(`cpu ${name}: no complex kernel`);
      if (oa.dtype === "complex64") {
        for (let i = 0; i < n; i++) {
          const [re, im] = complex(x[2 * i], x[2 * i + 1], y[2 * i], y[2 * i + 1]);
          out[2 * i] = re;
          out[2 * i + 1] = im;
        }
      } else for (let i = 0; i < n; i++) out[i] = complex(x[2 * i], x[2 * i + 1], y[2 * i], y[2 * i + 1])[0];
    } else if (int !== undefined && (xa.dtype === "int32" || xa.dtype === "uint32")) {
      for (let i = 0; i < n; i++) out[i] = int(x[i], y[i], xa.dtype);
    } else for (let i = 0; i < n; i++) out[i] = real(x[i], y[i]);
    return [out];
  });
}

const cmul = (a: number, b: number, c: number, d: number): C => [a * c - b * d, a * d + b * c];
const cdiv = (a: number, b: number, c: number, d: number): C => {
  // Smith's algorithm avoids overflow for large |c|, |d|.
  if (Math.abs(c) >= Math.abs(d)) {
    const r = d / c;
    const den = c + d * r;
    return [(a + b * r) / den, (b - a * r) / den];
  }
  const r = c / d;
  const den = c * r + d;
  return [(a * r + b) / den, (b * r - a) / den];
};
const cexp = (re: number, im: number): C => {
  const e = Math.exp(re);
  return im === 0 ? [e, 0] : [e * Math.cos(im), e * Math.sin(im)];
};

/** Integer division truncating toward zero, as XLA's `div` does for integers. */
const idiv = (x: number, y: number): number => (y === 0 ? 0 : Math.trunc(x / y));

unaryKernel("neg", (x) => -x, (re, im) => [-re, -im]);
binaryKernel("add", (x, y) => x + y, (a, b, c, d) => [a + c, b + d]);
binaryKernel("sub", (x, y) => x - y, (a, b, c, d) => [a - c, b - d]);
binaryKernel("mul", (x, y) => x * y, cmul, (x, y, dt) => (dt === "int32" ? Math.imul(x, y) : Math.imul(x, y) >>> 0));
binaryKernel("div", (x, y) => x / y, cdiv, idiv);
unaryKernel("exp", Math.exp, cexp);
unaryKernel("log", Math.log, (re, im) => [Math.log(Math.hypot(re, im)), Math.atan2(im, re)]);
unaryKernel("sin", Math.sin, (re, im) => [Math.sin(re) * Math.cosh(im), Math.cos(re) * Math.sinh(im)]);
unaryKernel("cos", Math.cos, (re, im) => [Math.cos(re) * Math.cosh(im), -Math.sin(re) * Math.sinh(im)]);
unaryKernel("tanh", Math.tanh, (re, im) => {
  // tanh(z) = (sinh 2a + i sin 2b) / (cosh 2a + cos 2b)
  const den = Math.cosh(2 * re) + Math.cos(2 * im);
  if (!Number.isFinite(den)) return [Math.sign(re), 0];
  return [Math.sinh(2 * re) / den, Math.sin(2 * im) / den];
});

registerKernel("real", ([x], [xa]) => {
  const out = new Float32Array(xa.size);
  for (let i = 0; i < xa.size; i++) out[i] = x[2 * i];
  return [out];
});
registerKernel("imag", ([x], [xa]) => {
  const out = new Float32Array(xa.size);
  for (let i = 0; i < xa.size; i++) out[i] = x[2 * i + 1];
  return [out];
});
registerKernel("conj", ([x], [xa]) => {
  const out = new Float32Array(2 * xa.size);
  for (let i = 0; i < xa.size; i++) {
    out[2 * i] = x[2 * i];
    out[2 * i + 1] = -x[2 * i + 1];
  }
  return [out];
});
registerKernel("complex", ([x, y], [xa]) => {
  const out = new Float32Array(2 * xa.size);
  for (let i = 0; i < xa.size; i++) {
    out[2 * i] = x[i];
    out[2 * i + 1] = y[i];
  }
  return [out];
});

/** numpy casting: float→int truncates toward zero (NaN → 0), bool is x != 0, complex→real drops imag. */
function castValue(v: number, to: DType): number {
  switch (to) {
    case "bool":
      return v !== 0 && !Number.isNaN(v) ? 1 : 0;
    case "int32":
      return Number.isFinite(v) ? Math.max(-2147483648, Math.min(2147483647, Math.trunc(v))) | 0 : Number.isNaN(v) ? 0 : v > 0 ? 2147483647 : -2147483648;
    case "uint32":
      // Negative floats wrap modulo 2^32 like C casts through int64 do in numpy on x86.
      return Number.isFinite(v) ? Math.trunc(v) >>> 0 : 0;
    default:
      return v;
  }
}
registerKernel("convertElementType", ([x], [xa], [oa]) => {
  const out: TypedArray = alloc(oa as ShapedArray);
  const from = xa.dtype;
  const to = oa.dtype;
  const n = xa.size;
  if (from === "complex64" && to === "complex64") out.set(x as never);
  else if (from === "complex64") for (let i = 0; i < n; i++) out[i] = castValue(x[2 * i], to);
  else if (to === "complex64") for (let i = 0; i < n; i++) out[2 * i] = x[i];
  else for (let i = 0; i < n; i++) out[i] = castValue(x[i], to);
  return [out];
});
