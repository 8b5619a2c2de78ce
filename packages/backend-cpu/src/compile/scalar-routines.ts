/**
 * Which scalar ops of a kernel call a WebAssembly routine instead of the reference's JS function:
 * those whose reference function has a bit-identical transcription in wasm/libm (fdlibm's
 * exponential family, as V8's `Math` runs it, and XLA's float32 log/log1p/erf/erfInv, as the
 * reference kernels run them). A kernel then makes no call into JS, runs faster, and can run on
 * the worker threads. float32 sin/cos have routines that reproduce V8's float64 result rounded to
 * float32 (sincos-f32.ts: correctly rounded, plus V8's double-rounding exceptions; checked over all
 * 2^32 inputs). The others (tan, atan, pow, …) still import.
 */
import type { LibDef } from "../wasm/libm/library.ts";
import { FDLIBM_EXP } from "../wasm/libm/fdlibm-exp.ts";
import { XLA_F32 } from "../wasm/libm/xla-f32.ts";
import { FDLIBM_EXP_SIMD } from "../wasm/libm/fdlibm-exp-simd.ts";
import { TANH_ROUNDED } from "../wasm/libm/tanh-rounded.ts";
import { EXP_ROUNDED } from "../wasm/libm/exp-rounded.ts";
import { SINCOS_F32 } from "../wasm/libm/sincos-f32.ts";
import { add, call, div, ge, neg, select } from "../wasm/libm/scalar-dsl.ts";
import type { OpNode } from "./scalar-ops.ts";

/** The reference kernel's `logistic` for real x: 1/(1+e^−x) for x ≥ 0, else e^x/(1+e^x), in float64. */
const logistic: LibDef = {
  params: ["f64"],
  result: "f64",
  deps: ["exp"],
  build(b, fn) {
    const x = b.param(0, "f64");
    const pos = b.let(ge(x, 0));
    const e = b.let(call(fn("exp"), "f64", select(pos, neg(x), x)));
    b.ret(select(pos, div(1, add(1, e)), div(e, add(1, e))));
  },
};

/** Every routine a kernel module may define, by name. */
export const KERNEL_ROUTINES: Readonly<Record<string, LibDef>> = {
  ...FDLIBM_EXP,
  ...FDLIBM_EXP_SIMD,
  ...TANH_ROUNDED,
  ...EXP_ROUNDED,
  ...XLA_F32,
  ...SINCOS_F32,
  logistic,
};

/** Ops (float32 operands) whose reference function the routine of the same name reproduces. */
const ROUTINE_OPS = new Set([
  "exp",
  "expm1",
  "tanh",
  "sinh",
  "cosh",
  "logistic",
  "log",
  "log1p",
  "erf",
  "erfInv",
  "sin",
  "cos",
]);

/** Ops with a four-lane routine `<op>.f32x4` (SIMD loops call it instead of going lane by lane). */
const VECTOR_OPS = new Set(["exp", "expm1", "tanh", "logistic", "sin", "cos"]);

/** The f32x4 routine for n in SIMD loops, or null. */
export function vectorRoutineFor(n: OpNode): string | null {
  return scalarRoutineFor(n) !== null && VECTOR_OPS.has(n.op) ? `${n.op}.f32x4` : null;
}

/** The routine that computes n exactly as its reference function does, or null. */
export function scalarRoutineFor(n: OpNode): string | null {
  return n.argDType === "float32" && n.type === "f32" && ROUTINE_OPS.has(n.op) ? n.op : null;
}
