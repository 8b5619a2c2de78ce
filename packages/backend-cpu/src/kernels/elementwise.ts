/**
 * Elementwise kernels: registration helpers, arithmetic, complex parts, casts. The other
 * elementwise kernel files (elementwise-math.ts, elementwise-logic.ts, elementwise-special.ts)
 * build on the helpers here.
 *
 * float32 kernels compute in float64 and round once on store (a float32 `+ - * /` and `sqrt`
 * done this way is exactly the correctly rounded float32 result). Integer kernels rely on typed
 * array stores wrapping modulo 2^32, which gives int32/uint32 overflow its two's-complement
 * meaning; products use Math.imul because a float64 product of two 32-bit integers is inexact.
 */
import { NotImplementedError, isHalf } from "@linax-ts/core";
import type { DType, ShapedArray, TypedArray } from "@linax-ts/core";
import { registerKernel } from "../registry.ts";
import { alloc } from "./strided-index.ts";
import type { C } from "./complex-pair.ts";
import { cdiv, cexp, clog, cmul, ccos, csin, ctanh } from "./elementwise-complex.ts";
import { logF32 } from "./special.ts";
import { convertHalf } from "./convert-half.ts";

type Params = Readonly<Record<string, unknown>>;
/** Real/integer/bool elementwise function; gets the input dtype and the primitive's params. */
export type RealFn = (x: number, dtype: DType, params: Params) => number;
export type ComplexFn = (re: number, im: number, params: Params) => C;

/**
 * Register a unary kernel with a function for non-complex dtypes and (optionally) one for
 * complex64. When the output is real (abs, isFinite of complex), the complex function's real
 * part is stored.
 */
export function unaryKernel(name: string, real: RealFn, complex?: ComplexFn): void {
  realScalarFns.set(name, { arity: 1, fn: real });
  registerKernel(name, ([x], [xa], [oa], params) => {
    const out = alloc(oa);
    const n = xa.size;
    if (xa.dtype === "complex64") {
      if (complex === undefined) throw new NotImplementedError(`cpu ${name}: no complex kernel`);
      if (oa.dtype === "complex64") {
        for (let i = 0; i < n; i++) {
          const [re, im] = complex(x[2 * i], x[2 * i + 1], params);
          out[2 * i] = re;
          out[2 * i + 1] = im;
        }
      } else for (let i = 0; i < n; i++) out[i] = complex(x[2 * i], x[2 * i + 1], params)[0];
    } else {
      const dt = xa.dtype;
      for (let i = 0; i < n; i++) out[i] = real(x[i], dt, params);
    }
    return [out];
  });
}

export type RealFn2 = (x: number, y: number, dtype: DType) => number;

/**
 * The scalar function behind each real (non-complex) elementwise kernel, by primitive name: what
 * the reference stores for one element, before the store's rounding/wrapping. Compiled kernels
 * call these for ops they do not render natively, so their results are the reference's bit for bit.
 */
export type RealScalarFn = { readonly arity: 1; readonly fn: RealFn } | { readonly arity: 2; readonly fn: RealFn2 };
export const realScalarFns = new Map<string, RealScalarFn>();
export type ComplexFn2 = (a: number, b: number, c: number, d: number) => C;

/** Register a binary kernel over equal-shaped operands. `int` overrides `real` for int32/uint32. */
export function binaryKernel(name: string, real: RealFn2, complex?: ComplexFn2, int?: RealFn2): void {
  realScalarFns.set(name, {
    arity: 2,
    fn: int === undefined ? real : (x, y, dtype) => (dtype === "int32" || dtype === "uint32" ? int : real)(x, y, dtype),
  });
  registerKernel(name, ([x, y], [xa], [oa]) => {
    const out = alloc(oa);
    const n = xa.size;
    const dt = xa.dtype;
    if (dt === "complex64") {
      if (complex === undefined) throw new NotImplementedError(`cpu ${name}: no complex kernel`);
      if (oa.dtype === "complex64") {
        for (let i = 0; i < n; i++) {
          const [re, im] = complex(x[2 * i], x[2 * i + 1], y[2 * i], y[2 * i + 1]);
          out[2 * i] = re;
          out[2 * i + 1] = im;
        }
      } else for (let i = 0; i < n; i++) out[i] = complex(x[2 * i], x[2 * i + 1], y[2 * i], y[2 * i + 1])[0];
    } else if (int !== undefined && (dt === "int32" || dt === "uint32")) {
      for (let i = 0; i < n; i++) out[i] = int(x[i], y[i], dt);
    } else for (let i = 0; i < n; i++) out[i] = real(x[i], y[i], dt);
    return [out];
  });
}

/**
 * Integer division truncating toward zero, with XLA's definitions of the undefined cases:
 * x / 0 = -1 (all bits set, so 0xFFFFFFFF for uint32) and INT32_MIN / -1 = INT32_MIN (the
 * float64 quotient 2^31 wraps on store).
 */
const idiv = (x: number, y: number): number => (y === 0 ? -1 : Math.trunc(x / y));

/** Integer power by repeated squaring with 32-bit wrapping products. */
function ipowInt(x: number, y: number, dtype: DType): number {
  let acc = 1;
  let base = x | 0;
  for (let e = y; e > 0; e >>>= 1) {
    if (e & 1) acc = Math.imul(acc, base);
    base = Math.imul(base, base);
  }
  return dtype === "uint32" ? acc >>> 0 : acc;
}
/** Complex integer power by repeated squaring (negative y: reciprocal). */
function ipowComplex(re: number, im: number, y: number): C {
  let acc: C = [1, 0];
  let base: C = [re, im];
  for (let e = Math.abs(y); e > 0; e = Math.floor(e / 2)) {
    if (e % 2 === 1) acc = cmul(acc[0], acc[1], base[0], base[1]);
    base = cmul(base[0], base[1], base[0], base[1]);
  }
  return y < 0 ? cdiv(1, 0, acc[0], acc[1]) : acc;
}

unaryKernel(
  "neg",
  (x) => -x,
  (re, im) => [-re, -im],
);
binaryKernel(
  "add",
  (x, y) => x + y,
  (a, b, c, d) => [a + c, b + d],
);
binaryKernel(
  "sub",
  (x, y) => x - y,
  (a, b, c, d) => [a - c, b - d],
);
binaryKernel(
  "mul",
  (x, y) => x * y,
  cmul,
  (x, y, dt) => (dt === "int32" ? Math.imul(x, y) : Math.imul(x, y) >>> 0),
);
binaryKernel("div", (x, y) => x / y, cdiv, idiv);
unaryKernel(
  "integerPow",
  (x, dt, p) => {
    const y = p.y as number;
    if (dt === "int32" || dt === "uint32") return ipowInt(x, y, dt);
    // float32: one rounding of the exact-ish float64 power (x^0 = 1 even for NaN, like C pow).
    return Math.pow(x, y);
  },
  (re, im, p) => ipowComplex(re, im, p.y as number),
);

unaryKernel("exp", Math.exp, cexp);
// float32 log is XLA:CPU's own approximation (special.ts `logF32`), not the correctly rounded one,
// so that random.gumbel/categorical (and any log) match JAX on CPU bit for bit.
unaryKernel("log", (x) => logF32(x), clog);
unaryKernel("sin", Math.sin, csin);
unaryKernel("cos", Math.cos, ccos);
unaryKernel("tanh", Math.tanh, ctanh);

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

/**
 * numpy casting: float→int truncates toward zero (NaN → 0), bool is x != 0, complex→real drops
 * imag. Integer→integer casts keep the low 32 bits (uint32 4294967295 ↔ int32 -1), as numpy, JAX
 * and XLA do; saturating them would break int32 ⊔ uint32 promotion.
 */
export function castValue(v: number, to: DType, from: DType): number {
  if ((from === "int32" || from === "uint32" || from === "bool") && (to === "int32" || to === "uint32"))
    return to === "int32" ? v | 0 : v >>> 0;
  switch (to) {
    case "bool":
      return v !== 0 && !Number.isNaN(v) ? 1 : 0;
    case "int32":
      return Number.isFinite(v)
        ? Math.max(-2147483648, Math.min(2147483647, Math.trunc(v))) | 0
        : Number.isNaN(v)
          ? 0
          : v > 0
            ? 2147483647
            : -2147483648;
    case "uint32":
      // XLA's float→integer conversions saturate (and NaN → 0), for uint32 as for int32.
      return Number.isNaN(v) ? 0 : v <= 0 ? 0 : v >= 4294967295 ? 4294967295 : Math.trunc(v) >>> 0;
    default:
      return v;
  }
}
registerKernel("convertElementType", ([x], [xa], [oa]) => {
  const out: TypedArray = alloc(oa as ShapedArray);
  const from = xa.dtype;
  const to = oa.dtype;
  const n = xa.size;
  if (isHalf(from) || isHalf(to)) return [convertHalf(x, from, to, n, castValue)];
  if (from === "complex64" && to === "complex64") out.set(x as never);
  else if (from === "complex64" && to === "bool")
    for (let i = 0; i < n; i++) out[i] = x[2 * i] !== 0 || x[2 * i + 1] !== 0 ? 1 : 0;
  else if (from === "complex64") for (let i = 0; i < n; i++) out[i] = castValue(x[2 * i], to, "float32");
  else if (to === "complex64") for (let i = 0; i < n; i++) out[2 * i] = x[i];
  else for (let i = 0; i < n; i++) out[i] = castValue(x[i], to, from);
  return [out];
});
