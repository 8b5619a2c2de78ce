/**
 * How each scalar IR op becomes WebAssembly: natively where the instruction's result is provably
 * what the reference kernel stores (IEEE `+ - * /` and `sqrt` of float32 equal the reference's
 * float64-then-round; min/max/abs/neg/floor/ceil and comparisons are exact; integer add/sub/mul
 * wrap like the typed-array stores), otherwise by calling the reference's own scalar function
 * (imported from JS), so compiled results equal the interpreter's bit for bit.
 *
 * Values: f32 → an f32 (scalar) or f32x4 (SIMD) value; i32/u32 → i32 / i32x4; bool → i32 0/1
 * (scalar) or an all-ones lane mask (SIMD).
 */
import { InternalError, NotImplementedError } from "@linax-ts/core";
import type { DType } from "@linax-ts/core";
import type { Code } from "../wasm/emitter.ts";
import { castValue, realScalarFns } from "../kernels/elementwise.ts";
import { VMATH } from "../wasm/vmath.ts";

/** The polynomial functions `fastMath` uses (sin/cos are left out: their bound holds only for |x| ≤ 65536). */
const FAST = new Set(["exp", "log", "tanh", "logistic", "erf", "expm1", "log1p"]);

/** The vectorised polynomial for `n` when fast math is on and it has one, else null. */
export function fastMathFor(
  n: OpNode,
  fastMath: boolean,
): ((c: Code, scratch: (t: "v128" | "i32") => number) => void) | null {
  if (!fastMath || n.argDType !== "float32" || n.type !== "f32" || !FAST.has(n.op)) return null;
  return VMATH[n.op]?.emit ?? null;
}

/** The parts of an IR op node these tables need. */
export interface OpNode {
  readonly op: string;
  readonly type: "f32" | "i32" | "u32" | "bool";
  readonly argDType: DType;
  readonly params: Readonly<Record<string, unknown>>;
  readonly args: readonly {
    readonly type: "f32" | "i32" | "u32" | "bool";
    readonly kind?: string;
    readonly value?: number;
  }[];
}

const SHIFTS: Record<string, [number, number]> = {
  shiftLeft: [0x74, 0xab],
  shiftRightLogical: [0x76, 0xad],
  shiftRightArithmetic: [0x75, 0xac],
};

/**
 * The amount of a shift by a constant in [0, 31] — where the instruction (which takes the amount
 * mod 32) is the reference's shift (which shifts everything out at ≥ 32) — else null.
 */
export function constantShift(n: OpNode): number | null {
  if (!(n.op in SHIFTS) || !(n.argDType === "int32" || n.argDType === "uint32")) return null;
  const s = n.args[1];
  return s.kind === "const" && s.value !== undefined && Number.isInteger(s.value) && s.value >= 0 && s.value < 32
    ? s.value
    : null;
}

const isInt = (d: DType): boolean => d === "int32" || d === "uint32";
const unsigned = (d: DType): boolean => d === "uint32" || d === "bool";

// Scalar opcodes.
const F32 = {
  abs: 0x8b,
  neg: 0x8c,
  ceil: 0x8d,
  floor: 0x8e,
  sqrt: 0x91,
  add: 0x92,
  sub: 0x93,
  mul: 0x94,
  div: 0x95,
  min: 0x96,
  max: 0x97,
} as const;
const F32CMP: Record<string, number> = { eq: 0x5b, ne: 0x5c, lt: 0x5d, gt: 0x5e, le: 0x5f, ge: 0x60 };
const I32CMP: Record<string, [number, number]> = {
  eq: [0x46, 0x46],
  ne: [0x47, 0x47],
  lt: [0x48, 0x49],
  gt: [0x4a, 0x4b],
  le: [0x4c, 0x4d],
  ge: [0x4e, 0x4f],
};
const I32BIN: Record<string, number> = { add: 0x6a, sub: 0x6b, mul: 0x6c, and: 0x71, or: 0x72, xor: 0x73 };

// SIMD sub-opcodes.
const F32X4: Record<string, number> = {
  abs: 0xe0,
  neg: 0xe1,
  sqrt: 0xe3,
  add: 0xe4,
  sub: 0xe5,
  mul: 0xe6,
  div: 0xe7,
  min: 0xe8,
  max: 0xe9,
  ceil: 0x67,
  floor: 0x68,
};
const F32X4CMP: Record<string, number> = { eq: 0x41, ne: 0x42, lt: 0x43, gt: 0x44, le: 0x45, ge: 0x46 };
const I32X4CMP: Record<string, [number, number]> = {
  eq: [0x37, 0x37],
  ne: [0x38, 0x38],
  lt: [0x39, 0x3a],
  gt: [0x3b, 0x3c],
  le: [0x3d, 0x3e],
  ge: [0x3f, 0x40],
};
const I32X4BIN: Record<string, number> = { add: 0xae, sub: 0xb1, mul: 0xb5 };
const V128LOGIC: Record<string, number> = { and: 0x4e, or: 0x50, xor: 0x51 };

/**
 * Emit the native scalar form of `n` with its operands already on the stack; false (emitting
 * nothing) when the op has no exact native form and must call its reference function.
 * `scratch` gives a fresh local of a type (for ops that use an operand twice). For `select` the
 * operands must be on the stack in wasm's order: onTrue, onFalse, cond.
 */
export function emitNativeScalar(c: Code, n: OpNode, scratch: (t: "i32" | "f32" | "f64") => number): boolean {
  const d = n.argDType;
  const op = n.op;
  if (d === "float32" && n.type === "f32" && (op === "integerPow" || op === "rsqrt"))
    return emitPowerLike(c, op, n.params, scratch);
  if (d === "float32" && op === "isFinite") {
    // |x| < inf ⇔ finite (NaN compares false), as Number.isFinite.
    c.op(0x8b).f32(Infinity).op(0x5d);
    return true;
  }
  if (isInt(d) && op in SHIFTS && constantShift(n) === null) return emitVariableShift(c, op, scratch);
  if (d === "float32" && n.type === "f32" && op in F32) {
    c.op(F32[op as keyof typeof F32]);
    return true;
  }
  if (d === "float32" && op in F32CMP) {
    c.op(F32CMP[op]);
    return true;
  }
  if ((isInt(d) || d === "bool") && op in I32CMP) {
    c.op(I32CMP[op][unsigned(d) ? 1 : 0]);
    return true;
  }
  if (isInt(d) && op in I32BIN) {
    c.op(I32BIN[op]);
    return true;
  }
  if (d === "bool" && (op === "and" || op === "or" || op === "xor")) {
    c.op(I32BIN[op]);
    return true;
  }
  if (op === "not" && (d === "bool" || isInt(d))) {
    c.i32(d === "bool" ? 1 : -1).op(0x73);
    return true;
  }
  if (op === "neg" && isInt(d)) {
    const t = scratch("i32");
    c.set(t).i32(0).get(t).op(0x6b);
    return true;
  }
  if ((op === "max" || op === "min") && (isInt(d) || d === "bool")) {
    // select(a, b, a > b) for max; a < b for min.
    const a = scratch("i32");
    const b = scratch("i32");
    c.set(b).set(a).get(a).get(b).get(a).get(b);
    c.op(I32CMP[op === "max" ? "gt" : "lt"][unsigned(d) ? 1 : 0]).op(0x1b);
    return true;
  }
  if (op === "abs" && d === "int32") {
    // select(0 − a, a, a < 0); INT32_MIN stays INT32_MIN, as the reference's wrapping store.
    const a = scratch("i32");
    c.set(a).i32(0).get(a).op(0x6b).get(a).get(a).i32(0).op(0x48).op(0x1b);
    return true;
  }
  if (op === "abs" && d === "uint32") return true;
  if (op === "select") {
    c.op(0x1b);
    return true;
  }
  if (op === "cmul.re" || op === "cmul.im") return false;
  if (constantShift(n) !== null) {
    // Operands (x, amount) are on the stack; the amount is the constant.
    c.op(SHIFTS[op][0]);
    return true;
  }
  if (op === "convertElementType") return emitConvert(c, d, n.params.newDType as DType, scratch);
  if (op === "bitcastConvertType") return emitBitcast(c, d, n.params.newDType as DType);
  return false;
}

/**
 * Powers whose reference is plain IEEE float64 arithmetic on the float32 operand, then one
 * rounding to float32 — so the same instructions give the same bits:
 * - integerPow by 0, 1, 2, −1: the reference is `Math.pow`, which (fdlibm, as in V8) returns
 *   exactly 1, x, x·x and 1/x for these exponents; x·x of a float32 is exact in float64, so one
 *   float32 multiply rounds it identically; 1/x rounded to float64 then float32 equals the float32
 *   division (float64 has more than 2·24+2 bits, so the double rounding is innocuous).
 * - rsqrt: the reference is `1 / Math.sqrt(x)` in float64 — emitted as those float64 instructions.
 * Other exponents go through the reference function.
 */
function emitPowerLike(
  c: Code,
  op: string,
  p: Readonly<Record<string, unknown>>,
  scratch: (t: "i32" | "f32" | "f64") => number,
): boolean {
  if (op === "rsqrt") {
    const t = scratch("f64");
    c.op(0xbb).op(0x9f).set(t).f64(1).get(t).op(0xa3).op(0xb6);
    return true;
  }
  const y = p.y as number;
  if (y === 1) return true;
  if (y === 0) {
    c.op(0x1a).f32(1);
    return true;
  }
  if (y !== 2 && y !== -1) return false;
  const t = scratch("f32");
  c.set(t);
  if (y === 2) c.get(t).get(t).op(0x94);
  else c.f32(1).get(t).op(0x95);
  return true;
}

/**
 * A shift by a run-time amount, as the reference defines it: the amount read as unsigned, and
 * amounts ≥ 32 shift every bit out (0 for left/logical, the sign for arithmetic) — where the
 * instruction alone would take the amount mod 32. Operands (x, amount) are on the stack.
 */
function emitVariableShift(c: Code, op: string, scratch: (t: "i32" | "f32" | "f64") => number): boolean {
  const s = scratch("i32");
  const x = scratch("i32");
  c.set(s).set(x);
  if (op === "shiftRightArithmetic") {
    // x >> (s <u 32 ? s : 31)
    c.get(x).get(s).i32(31).get(s).i32(32).op(0x49).op(0x1b).op(0x75);
    return true;
  }
  // s ≥u 32 ? 0 : x shifted
  c.i32(0).get(x).get(s).op(SHIFTS[op][0]).get(s).i32(32).op(0x4f).op(0x1b);
  return true;
}

/** Reinterpret 32 bits: f32 ↔ i32 by reinterpret instructions, i32 ↔ u32 by nothing. */
function emitBitcast(c: Code, from: DType, to: DType): boolean {
  if (from === "bool" || to === "bool" || from === "complex64" || to === "complex64") return false;
  if (from === "float32" && to !== "float32") c.op(0xbc);
  else if (from !== "float32" && to === "float32") c.op(0xbe);
  return true;
}

/** Casts as the reference's `castValue` defines them. */
function emitConvert(c: Code, from: DType, to: DType, scratch: (t: "i32" | "f32" | "f64") => number): boolean {
  if (from === to) return true;
  const fromInt = isInt(from) || from === "bool";
  if (from === "float32") {
    if (to === "int32") c.op(0xfc, 0x00);
    else if (to === "uint32") c.op(0xfc, 0x01);
    else if (to === "bool") {
      // x != 0 && !isNaN(x)  ⇔  |x| > 0.
      void scratch;
      c.op(0x8b).f32(0).op(0x5e);
    } else return false;
    return true;
  }
  if (fromInt && to === "float32") {
    c.op(unsigned(from) ? 0xb3 : 0xb2);
    return true;
  }
  if (fromInt && (to === "int32" || to === "uint32")) return true;
  if (fromInt && to === "bool") {
    c.i32(0).op(0x47);
    return true;
  }
  return false;
}

/** The little-endian bytes of a float32 / int32, and four copies of them (a v128.const of equal lanes). */
export const f32Bytes = (x: number): number[] => [...new Uint8Array(new Float32Array([x]).buffer)];
export const i32Bytes = (x: number): number[] => [...new Uint8Array(new Int32Array([x]).buffer)];
export const lanes = (bytes: number[]): number[] => [...bytes, ...bytes, ...bytes, ...bytes];

/** Whether `n` has a SIMD form (emitNativeSimd succeeds). Imported ops are SIMD-able lane by lane. */
export function simdNative(n: OpNode): boolean {
  const d = n.argDType;
  const op = n.op;
  if (op === "cmul.re" || op === "cmul.im") return false;
  if (d === "float32" && n.type === "f32" && op in F32X4) return true;
  if (d === "float32" && op in F32X4CMP) return true;
  if ((isInt(d) || d === "bool") && op in I32X4CMP) return true;
  if (isInt(d) && (op in I32X4BIN || op in V128LOGIC)) return true;
  if (d === "bool" && op in V128LOGIC) return true;
  if (op === "not" && (d === "bool" || isInt(d))) return true;
  if (op === "neg" && isInt(d)) return true;
  if ((op === "max" || op === "min") && isInt(d)) return true;
  if (op === "abs" && isInt(d)) return true;
  if (op === "select") return true;
  if (d === "float32" && op === "isFinite") return true;
  if (d === "float32" && n.type === "f32" && op === "integerPow" && [0, 1, 2].includes(n.params.y as number))
    return true;
  if (constantShift(n) !== null) return true;
  if (op === "bitcastConvertType") return d !== "bool" && d !== "complex64" && n.params.newDType !== "bool";
  if (op === "convertElementType") {
    const to = n.params.newDType as DType;
    if (d === to) return true;
    if (d === "float32") return to === "int32" || to === "uint32" || to === "bool";
    return to === "float32" || to === "int32" || to === "uint32" || to === "bool";
  }
  return false;
}

/** The operands of `n` to push as v128 before emitNativeSimd (wasm's order for select; a constant shift's amount is not pushed). */
export function simdOperands<A>(n: OpNode & { readonly args: readonly A[] }): readonly A[] {
  if (n.op === "select") return [n.args[1], n.args[2], n.args[0]];
  // x² as x·x: the operand pushed twice.
  if (n.op === "integerPow" && n.params.y === 2) return [n.args[0], n.args[0]];
  if (constantShift(n) !== null) return [n.args[0]];
  return n.args;
}

/** Emit the SIMD form of `n` (operands on the stack as v128); call only when simdNative(n). */
export function emitNativeSimd(c: Code, n: OpNode): void {
  const d = n.argDType;
  const op = n.op;
  if (d === "float32" && op === "isFinite")
    c.simd(0xe0)
      .simd(0x0c, ...lanes(f32Bytes(Infinity)))
      .simd(0x43);
  else if (d === "float32" && op === "integerPow") {
    // Operands as simdOperands pushed them: y = 2 → x, x; y = 1, 0 → x.
    const y = n.params.y as number;
    if (y === 2) c.simd(F32X4.mul);
    else if (y === 0) c.op(0x1a).simd(0x0c, ...lanes(f32Bytes(1)));
  } else if (d === "float32" && n.type === "f32" && op in F32X4) c.simd(F32X4[op]);
  else if (d === "float32" && op in F32X4CMP) c.simd(F32X4CMP[op]);
  else if ((isInt(d) || d === "bool") && op in I32X4CMP) c.simd(I32X4CMP[op][unsigned(d) ? 1 : 0]);
  else if (op in I32X4BIN && isInt(d)) c.simd(I32X4BIN[op]);
  else if (op in V128LOGIC) c.simd(V128LOGIC[op]);
  else if (op === "not") c.simd(0x4d);
  else if (op === "neg") c.simd(0xa1);
  else if (op === "max" || op === "min")
    c.simd(op === "max" ? (d === "uint32" ? 0xb9 : 0xb8) : d === "uint32" ? 0xb7 : 0xb6);
  else if (op === "abs") {
    if (d === "int32") c.simd(0xa0);
  } else if (op === "select") {
    // Stack: cond, onTrue, onFalse; bitselect wants onTrue, onFalse, mask — the caller orders it.
    c.simd(0x52);
  } else if (constantShift(n) !== null) {
    // Stack: the v128 operand only (see simdOperands); the amount is an i32 immediate operand.
    c.i32(constantShift(n)!).simd(SHIFTS[op][1]);
  } else if (op === "bitcastConvertType") {
    // The same 128 bits, read as the other lane type.
  } else if (op === "convertElementType") {
    const to = n.params.newDType as DType;
    if (d === to) return;
    if (d === "float32") {
      if (to === "int32") c.simd(0xf8);
      else if (to === "uint32") c.simd(0xf9);
      else
        c.simd(0xe0)
          .simd(0x0c, ...new Array<number>(16).fill(0))
          .simd(0x44); // |x| > 0
    } else if (to === "float32") {
      if (d === "bool") c.simd(0xa1); // mask (0/-1) → 0/1
      c.simd(unsigned(d) ? 0xfb : 0xfa);
    } else if (to === "bool") {
      if (d !== "bool") c.simd(0x0c, ...new Array<number>(16).fill(0)).simd(0x38); // ≠ 0 → mask
    } else if (d === "bool") c.simd(0xa1); // mask → 0/1
  } else throw new NotImplementedError(`simd: no native form of ${op}`);
}

/**
 * The reference's scalar function for an op rendered by call: `(…f64 args) → f64` (f32 results,
 * rounded by the caller's demote exactly like a Float32Array store) or `→ i32` (int/bool results,
 * wrapped like the Int32Array/Uint8Array store).
 */
export function referenceFunction(n: OpNode): (...args: number[]) => number {
  const d = n.argDType;
  const p = n.params;
  let f: (...args: number[]) => number;
  if (n.op === "cmul.re") f = (a, b, c2, e) => a * c2 - b * e;
  else if (n.op === "cmul.im") f = (a, b, c2, e) => a * e + b * c2;
  else if (n.op === "convertElementType") {
    const to = p.newDType as DType;
    f = (x) => castValue(x, to, d);
  } else {
    const entry = realScalarFns.get(n.op);
    if (entry === undefined) throw new InternalError(`cpu compile: no reference scalar function for '${n.op}'`);
    if (entry.arity === 1) {
      const fn = entry.fn;
      f = (x) => fn(x, d, p);
    } else {
      const fn = entry.fn;
      f = (x, y) => fn(x, y, d);
    }
  }
  if (n.type === "f32") return f;
  if (n.type === "bool") return (...a) => f(...a) & 255;
  return (...a) => f(...a) | 0;
}
