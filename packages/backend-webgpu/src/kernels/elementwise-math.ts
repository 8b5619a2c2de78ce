/**
 * WGSL kernels of the transcendental elementwise ops, integerPow, abs/sign, rounding, pow, rem,
 * atan2 and nextafter (core's primitives/elementwise.ts and elementwise-math.ts). The real
 * functions are the float32 algorithms of wgsl-math-real.ts (about 1–3 ulp from the CPU's
 * float64-then-round), except `log` and `log1p`, which are XLA's own float32 algorithms
 * (wgsl-math-xla.ts), bit for bit what the CPU kernels compute. complex64 versions transliterate
 * the CPU's complex functions (wgsl-math-complex.ts). Integer ops are exact and follow the CPU
 * kernels (XLA semantics: rem(x, 0) = x, abs(INT32_MIN) = INT32_MIN, wrapping integer powers).
 */
import { tableKernel, type DTypeTable } from "./elementwise.ts";
import { WGSL_COMPLEX, WGSL_DIV } from "./wgsl-lib.ts";
import { WGSL_F32_BITS, WGSL_XLA_MATH } from "./wgsl-math-xla.ts";
import { WGSL_MATH_REAL } from "./wgsl-math-real.ts";
import { WGSL_MATH_COMPLEX } from "./wgsl-math-complex.ts";

/**
 * Every helper a math kernel may call, in dependency order. Modules carry unused functions too:
 * that costs a little compile time once per pipeline (pipelines are cached) and keeps each
 * kernel's prelude from having to track the dependency graph of the helpers.
 */
export const WGSL_MATH_ALL =
  WGSL_DIV + WGSL_COMPLEX + WGSL_F32_BITS + WGSL_XLA_MATH + WGSL_MATH_REAL + WGSL_MATH_COMPLEX;

/** A float32 function `real(x)` and, optionally, a complex64 one `cplx(z)` (both WGSL function names). */
function unary(name: string, real: string, cplx?: string): void {
  const table: DTypeTable = { float32: (x) => `${real}(${x[0]})` };
  if (cplx !== undefined) table.complex64 = (x) => `${cplx}(${x[0]})`;
  tableKernel(name, table, WGSL_MATH_ALL);
}

// ------------------------------------------------------------------ exp/log family (FLOAT)
unary("exp", "expF32", "cexpC");
unary("log", "xlaLog", "clogC");
unary("exp2", "exp2F32", "cexp2C");
unary("log1p", "xlaLog1p", "clog1pC");
unary("expm1", "expm1F32", "cexpm1C");

// ------------------------------------------------------------------ trigonometric and hyperbolic (FLOAT)
unary("sin", "sinF32", "csinC");
unary("cos", "cosF32", "ccosC");
unary("tan", "tanF32", "ctanC");
unary("asin", "asinF32", "casinC");
unary("acos", "acosF32", "cacosC");
unary("atan", "atanF32", "catanC");
unary("sinh", "sinhF32", "csinhC");
unary("cosh", "coshF32", "ccoshC");
unary("tanh", "tanhF32", "ctanhC");
unary("asinh", "asinhF32", "casinhC");
unary("acosh", "acoshF32", "cacoshC");
unary("atanh", "atanhF32", "catanhC");

// ------------------------------------------------------------------ roots
unary("sqrt", "sqrtF32", "csqrtC");
unary("rsqrt", "rsqrtF32", "crsqrtC");
unary("cbrt", "cbrtF32");

// ------------------------------------------------------------------ abs, sign (abs: SIGNED; sign: NUMERIC)
tableKernel(
  "abs",
  {
    float32: (x) => `abs(${x[0]})`,
    // WGSL's abs of INT32_MIN is INT32_MIN, as the CPU's wrapping store gives.
    int32: (x) => `abs(${x[0]})`,
    complex64: (x) => `hypotF32(${x[0]}.x, ${x[0]}.y)`,
  },
  WGSL_MATH_ALL,
);
tableKernel(
  "sign",
  {
    // NaN stays NaN, ±0 stays ±0.
    float32: (x) => `select(copySignF(1.0f, ${x[0]}), ${x[0]}, isNanF(${x[0]}) || isZeroF(${x[0]}))`,
    int32: (x) => `select(select(-1i, 1i, ${x[0]} > 0i), 0i, ${x[0]} == 0i)`,
    uint32: (x) => `select(0u, 1u, ${x[0]} > 0u)`,
    complex64: (x) => `csignC(${x[0]})`,
  },
  WGSL_MATH_ALL,
);

// ------------------------------------------------------------------ rounding (REAL_FLOAT)
tableKernel("floor", { float32: (x) => `zeroSign(floor(${x[0]}), ${x[0]})` }, WGSL_MATH_ALL);
tableKernel("ceil", { float32: (x) => `zeroSign(ceil(${x[0]}), ${x[0]})` }, WGSL_MATH_ALL);
tableKernel(
  "round",
  {
    // WGSL's round() is round-half-to-even, numpy's np.round.
    float32: (x, p) =>
      p.roundingMethod === "toNearestEven" ? `zeroSign(round(${x[0]}), ${x[0]})` : `roundAwayF32(${x[0]})`,
  },
  WGSL_MATH_ALL,
);

// ------------------------------------------------------------------ integerPow (NUMERIC; static exponent)
/** Integer power with wrapping products, unrolled over the bits of the static exponent. */
function intPow(x: string, y: number, one: string): string {
  if (y === 0) return one;
  // (acc, base) squaring chain as a nested expression would be exponential in size; the
  // exponent's bits are at most 31, so a short straight-line helper does it instead.
  return `ipowInt_${one === "1i" ? "i" : "u"}(${x}, ${y >>> 0}u)`;
}
const IPOW_INT = (t: string, one: string): string => /* wgsl */ `
fn ipowInt_${t}(x: ${t === "i" ? "i32" : "u32"}, n: u32) -> ${t === "i" ? "i32" : "u32"} {
  var acc = ${one};
  var b = x;
  var e = n;
  loop {
    if (e == 0u) { break; }
    if ((e & 1u) == 1u) { acc = acc * b; }
    b = b * b;
    e = e >> 1u;
  }
  return acc;
}
`;
tableKernel(
  "integerPow",
  {
    float32: (x, p) => `ipowF32(${x[0]}, ${(p.y as number) | 0}i)`,
    int32: (x, p) => intPow(x[0], p.y as number, "1i"),
    uint32: (x, p) => intPow(x[0], p.y as number, "1u"),
    complex64: (x, p) => `cipow(${x[0]}, ${(p.y as number) | 0}i)`,
  },
  WGSL_MATH_ALL + IPOW_INT("i", "1i") + IPOW_INT("u", "1u"),
);

// ------------------------------------------------------------------ binary: pow (FLOAT), rem (REAL_NUMERIC), atan2, nextafter (REAL_FLOAT)
tableKernel(
  "pow",
  { float32: (x) => `powF32(${x[0]}, ${x[1]})`, complex64: (x) => `cpowC(${x[0]}, ${x[1]})` },
  WGSL_MATH_ALL,
);
tableKernel(
  "rem",
  {
    float32: (x) => `fmodF32(${x[0]}, ${x[1]})`,
    // WGSL's x % 0 is 0 (XLA: x) and INT32_MIN % -1 is 0 (as XLA).
    int32: (x) => `select(${x[0]} % ${x[1]}, ${x[0]}, ${x[1]} == 0i)`,
    uint32: (x) => `select(${x[0]} % ${x[1]}, ${x[0]}, ${x[1]} == 0u)`,
  },
  WGSL_MATH_ALL,
);
tableKernel("atan2", { float32: (x) => `atan2F32(${x[0]}, ${x[1]})` }, WGSL_MATH_ALL);
tableKernel("nextafter", { float32: (x) => `nextafterF32(${x[0]}, ${x[1]})` }, WGSL_MATH_ALL);
