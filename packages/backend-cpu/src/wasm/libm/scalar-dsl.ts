/**
 * A small expression language over the WebAssembly emitter for writing scalar math routines
 * (the fdlibm and XLA ports next to this file) as readable code instead of raw stack-machine
 * bytes: typed expressions, locals, `if`/`return`, and the bit-level views of a double that
 * fdlibm's C is written in (`highWord`, `fromHighWord`).
 *
 * Everything is plain IEEE arithmetic, so a routine written here computes the same bits as the C
 * or JS it transcribes, on every engine.
 */
import { InternalError } from "@linax-ts/core";
import type { Code } from "../emitter.ts";

export type Ty = "f64" | "f32" | "i32" | "i64" | "v128";

/** A typed expression: pushes one value of type `t`. */
export interface Ex {
  readonly t: Ty;
  emit(c: Code): void;
}
/** A local variable. */
export interface Var extends Ex {
  readonly index: number;
}
/** An operand: an expression, or a number taking the other operand's type. */
export type Arg = Ex | number;

const ex = (t: Ty, emit: (c: Code) => void): Ex => ({ t, emit });

/** A constant of type t. */
export function lit(t: Ty, x: number): Ex {
  return ex(t, (c) => {
    if (t === "f64") c.f64(x);
    else if (t === "f32") c.f32(x);
    else if (t === "i32") c.i32(x);
    else if (t === "i64") c.op(0x42, ...sleb64(BigInt(x)));
    else throw new InternalError("scalar-dsl: a v128 literal needs vector-dsl's splat");
  });
}

function sleb64(v: bigint): number[] {
  const out: number[] = [];
  for (;;) {
    const b = Number(v & 0x7fn);
    v >>= 7n;
    if ((v === 0n && (b & 0x40) === 0) || (v === -1n && (b & 0x40) !== 0)) return [...out, b];
    out.push(b | 0x80);
  }
}

const as = (a: Arg, t: Ty): Ex => (typeof a === "number" ? lit(t, a) : a);
const typeOf = (a: Arg, b: Arg): Ty => (typeof a !== "number" ? a.t : typeof b !== "number" ? b.t : "f64");

type Table = Partial<Record<Ty, number>>;
function binary(table: Table, name: string, result?: Ty): (a: Arg, b: Arg) => Ex {
  return (a, b) => {
    const t = typeOf(a, b);
    const opcode = table[t];
    if (opcode === undefined) throw new InternalError(`scalar-dsl: no ${name} for ${t}`);
    const x = as(a, t);
    const y = as(b, t);
    return ex(result ?? t, (c) => {
      x.emit(c);
      y.emit(c);
      c.op(opcode);
    });
  };
}
function unary(table: Table, name: string, result?: Ty | ((t: Ty) => Ty)): (a: Ex) => Ex {
  return (a) => {
    const opcode = table[a.t];
    if (opcode === undefined) throw new InternalError(`scalar-dsl: no ${name} for ${a.t}`);
    const rt = typeof result === "function" ? result(a.t) : (result ?? a.t);
    return ex(rt, (c) => {
      a.emit(c);
      c.op(opcode);
    });
  };
}

export const add = binary({ f64: 0xa0, f32: 0x92, i32: 0x6a, i64: 0x7c }, "add");
export const sub = binary({ f64: 0xa1, f32: 0x93, i32: 0x6b, i64: 0x7d }, "sub");
export const mul = binary({ f64: 0xa2, f32: 0x94, i32: 0x6c }, "mul");
export const div = binary({ f64: 0xa3, f32: 0x95 }, "div");
export const and = binary({ i32: 0x71, i64: 0x83 }, "and");
export const or = binary({ i32: 0x72, i64: 0x84 }, "or");
export const xor = binary({ i32: 0x73, i64: 0x85 }, "xor");
export const shl = binary({ i32: 0x74, i64: 0x86 }, "shl");
/** Arithmetic (signed) right shift. */
export const shr = binary({ i32: 0x75, i64: 0x87 }, "shr_s");
/** Logical right shift. */
export const shru = binary({ i32: 0x76, i64: 0x88 }, "shr_u");
export const eq = binary({ f64: 0x61, f32: 0x5b, i32: 0x46, i64: 0x51 }, "eq", "i32");
export const ne = binary({ f64: 0x62, f32: 0x5c, i32: 0x47, i64: 0x52 }, "ne", "i32");
/** Signed less-than (ordered for floats: false with a NaN). */
export const lt = binary({ f64: 0x63, f32: 0x5d, i32: 0x48, i64: 0x53 }, "lt", "i32");
export const gt = binary({ f64: 0x64, f32: 0x5e, i32: 0x4a, i64: 0x55 }, "gt", "i32");
export const le = binary({ f64: 0x65, f32: 0x5f, i32: 0x4c, i64: 0x57 }, "le", "i32");
export const ge = binary({ f64: 0x66, f32: 0x60, i32: 0x4e, i64: 0x59 }, "ge", "i32");
/** Unsigned comparisons of integers. */
export const ltu = binary({ i32: 0x49, i64: 0x54 }, "lt_u", "i32");
export const geu = binary({ i32: 0x4f, i64: 0x5a }, "ge_u", "i32");
export const abs = unary({ f64: 0x99, f32: 0x8b }, "abs");
export const neg = unary({ f64: 0x9a, f32: 0x8c }, "neg");
export const sqrt = unary({ f64: 0x9f, f32: 0x91 }, "sqrt");
export const eqz = unary({ i32: 0x45, i64: 0x50 }, "eqz", "i32");
/** int32 → double (exact). */
export const f64OfI32 = unary({ i32: 0xb7 }, "f64.convert_i32_s", "f64");
/** int32 → float (rounded; exact for |n| < 2^24). */
export const f32OfI32 = unary({ i32: 0xb2 }, "f32.convert_i32_s", "f32");
/** double → int32, truncating toward zero (C's `(int)x`; the caller keeps x in range). */
export const i32OfF64 = unary({ f64: 0xaa }, "i32.trunc_f64_s", "i32");
/** float → double (exact) and double → float (rounded to nearest even). */
export const promote = unary({ f32: 0xbb }, "f64.promote_f32", "f64");
export const demote = unary({ f64: 0xb6 }, "f32.demote_f64", "f32");
/** The raw bits of a float as an integer of its width, and back. */
export const bitsOf = unary({ f64: 0xbd, f32: 0xbc }, "reinterpret", (t) => (t === "f64" ? "i64" : "i32"));
export const floatOf = unary({ i64: 0xbf, i32: 0xbe }, "reinterpret", (t) => (t === "i64" ? "f64" : "f32"));

/** The high 32 bits of a double (fdlibm's GET_HIGH_WORD), as a signed int32. */
export const highWord = (x: Ex): Ex =>
  ex("i32", (c) => {
    x.emit(c);
    c.op(0xbd); // i64.reinterpret_f64
    c.op(0x42, 32).op(0x88); // i64.shr_u 32
    c.op(0xa7); // i32.wrap_i64
  });
/** The low 32 bits of a double (GET_LOW_WORD). */
export const lowWord = (x: Ex): Ex =>
  ex("i32", (c) => {
    x.emit(c);
    c.op(0xbd).op(0xa7);
  });
/** The double whose high word is `hi` and low word 0 (INSERT_WORDS(x, hi, 0)). */
export const fromHighWord = (hi: Ex): Ex =>
  ex("f64", (c) => {
    hi.emit(c);
    c.op(0xad); // i64.extend_i32_u
    c.op(0x42, 32).op(0x86); // i64.shl 32
    c.op(0xbf); // f64.reinterpret_i64
  });
/** x with its high word replaced (SET_HIGH_WORD). */
export const withHighWord = (x: Ex, hi: Ex): Ex =>
  ex("f64", (c) => {
    hi.emit(c);
    c.op(0xad).op(0x42, 32).op(0x86);
    x.emit(c);
    c.op(0xbd)
      .op(0x42, ...sleb64(0xffffffffn))
      .op(0x83); // low word of x
    c.op(0x84).op(0xbf);
  });
/** `cond ? a : b`, both evaluated (no side effects in expressions). */
export const select = (cond: Ex, a: Arg, b: Arg): Ex => {
  const t = typeOf(a, b);
  const x = as(a, t);
  const y = as(b, t);
  return ex(t, (c) => {
    x.emit(c);
    y.emit(c);
    cond.emit(c);
    c.op(0x1b);
  });
};
/** A call of function `index` (in this module) with the given arguments. */
export const call = (index: number, result: Ty, ...args: Ex[]): Ex =>
  ex(result, (c) => {
    for (const a of args) a.emit(c);
    c.call(index);
  });

/** Statements of one function body: locals, assignment, `if`, `return`. */
export class Body {
  constructor(readonly c: Code) {}
  /** Parameter i of type t. */
  param(i: number, t: Ty): Var {
    return { t, index: i, emit: (c) => void c.get(i) };
  }
  /** A new local holding `init`. */
  let(init: Ex): Var {
    const index = this.c.local(init.t);
    init.emit(this.c);
    this.c.set(index);
    return { t: init.t, index, emit: (c) => void c.get(index) };
  }
  /** A new local of type t holding its zero. */
  var(t: Ty): Var {
    const index = this.c.local(t);
    return { t, index, emit: (c) => void c.get(index) };
  }
  set(v: Var, e: Arg): void {
    as(e, v.t).emit(this.c);
    this.c.set(v.index);
  }
  ret(e: Arg, t: Ty = "f64"): void {
    as(e, t).emit(this.c);
    this.c.op(0x0f);
  }
  if(cond: Ex, then: () => void, otherwise?: () => void): void {
    cond.emit(this.c);
    this.c.if();
    then();
    if (otherwise !== undefined) {
      this.c.else();
      otherwise();
    }
    this.c.end();
  }
}
