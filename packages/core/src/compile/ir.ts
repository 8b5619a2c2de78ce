/**
 * The kernel IR: what the compile layer hands a backend's renderer. A kernel is a loop nest over
 * an output shape with, per output, a scalar expression tree over loads of input buffers (their
 * index expressions fold every movement op, see index-expr.ts) — or a reduction whose body is
 * such a tree. Small and printable, so each compile step can be tested by its printout.
 *
 * Scalar ops are named by the primitive they come from (`add`, `exp`, `convertElementType`, …) and
 * carry its params and operand dtypes, so a backend can render them natively where that is
 * provably the reference's result, or call its reference scalar function otherwise.
 * Nodes are hash-consed: equal subtrees are one node (common subexpressions are found for free).
 */
import type { DType } from "../dtype.ts";
import { NotImplementedError } from "../errors.ts";
import { print as printIndex, type Linear } from "./index-expr.ts";

/** The scalar types of the IR: a complex64 value is two f32 expressions (re, im). */
export type ScalarType = "f32" | "i32" | "u32" | "bool";

/**
 * The IR type of a dtype. float16/bfloat16 have none yet (they would need 16-bit loads and stores
 * with conversions): building a kernel over them throws, and the backends interpret the program.
 */
export const scalarTypeOf = (d: DType): ScalarType => {
  if (d === "float32" || d === "complex64") return "f32";
  if (d === "int32") return "i32";
  if (d === "uint32") return "u32";
  if (d === "bool") return "bool";
  throw new NotImplementedError(`compile: no kernel IR type for ${d} (such programs are interpreted)`);
};

export type Expr = ConstExpr | LoadExpr | IndexValueExpr | OpExpr;

interface Node {
  /** Unique per distinct node (hash-consing key). */
  readonly id: number;
  readonly type: ScalarType;
}
export interface ConstExpr extends Node {
  readonly kind: "const";
  readonly value: number;
}
/** Element `index` of kernel input `input` (for complex64 buffers: float slot `index`). */
export interface LoadExpr extends Node {
  readonly kind: "load";
  /** Buffer id in the schedule. */
  readonly buffer: number;
  readonly index: Linear;
}
/** An index expression used as an i32 value (iota, pad/concatenate masks). */
export interface IndexValueExpr extends Node {
  readonly kind: "index";
  readonly index: Linear;
}
export interface OpExpr extends Node {
  readonly kind: "op";
  /** Primitive name (`add`, `exp`, …) or an IR op: `select` (cond, onTrue, onFalse), `cmul.re`/`cmul.im`. */
  readonly op: string;
  readonly args: readonly Expr[];
  /** The dtype the primitive saw for its operands (e.g. uint32 vs int32 comparisons). */
  readonly argDType: DType;
  readonly params: Readonly<Record<string, unknown>>;
}

/** Hash-conses IR nodes so that equal subtrees are shared. One per compiled program. */
export class ExprBuilder {
  #nodes = new Map<string, Expr>();
  get size(): number {
    return this.#nodes.size;
  }
  #intern<E extends Expr>(key: string, make: (id: number) => E): E {
    const hit = this.#nodes.get(key);
    if (hit !== undefined) return hit as E;
    const e = make(this.#nodes.size);
    this.#nodes.set(key, e);
    return e;
  }
  constant(value: number, type: ScalarType): ConstExpr {
    return this.#intern(`c${type}:${Object.is(value, -0) ? "-0" : String(value)}`, (id) => ({
      kind: "const",
      id,
      type,
      value,
    }));
  }
  load(buffer: number, index: Linear, type: ScalarType): LoadExpr {
    return this.#intern(`l${buffer}:${type}[${printIndex(index)}]`, (id) => ({
      kind: "load",
      id,
      type,
      buffer,
      index,
    }));
  }
  index(index: Linear): IndexValueExpr {
    return this.#intern(`i[${printIndex(index)}]`, (id) => ({ kind: "index", id, type: "i32", index }));
  }
  op(
    op: string,
    type: ScalarType,
    args: readonly Expr[],
    argDType: DType,
    params: Readonly<Record<string, unknown>> = {},
  ): OpExpr {
    const p = Object.keys(params).length === 0 ? "" : JSON.stringify(params);
    return this.#intern(`o${op}:${type}:${argDType}:${p}(${args.map((a) => a.id).join(",")})`, (id) => ({
      kind: "op",
      id,
      type,
      op,
      args,
      argDType,
      params,
    }));
  }
  select(cond: Expr, onTrue: Expr, onFalse: Expr): Expr {
    if (cond.kind === "const") return cond.value !== 0 ? onTrue : onFalse;
    if (onTrue === onFalse) return onTrue;
    return this.op("select", onTrue.type, [cond, onTrue, onFalse], "bool");
  }
}

/** One output of an elementwise kernel: `values` has two entries (re, im) for complex64. */
export interface KernelOutput {
  readonly buffer: number;
  readonly dtype: DType;
  readonly values: readonly Expr[];
}

/** A loop nest over `shape` writing each output at its row-major position. */
export interface ElementwiseKernel {
  readonly kind: "elementwise";
  readonly shape: readonly number[];
  readonly outputs: readonly KernelOutput[];
  /** Distinct buffers the expressions load from. */
  readonly inputs: readonly number[];
}

export type ReduceOp = "sum" | "max" | "min" | "prod" | "and" | "or";

/**
 * A reduction: loop variables 0..outShape.length-1 run over the output, the following ones over
 * `reduceShape` (the reduced axes in their original order, so accumulation follows the input's
 * row-major order as the reference kernels do). `values` (two for complex64) is the fused body.
 */
export interface ReduceKernel {
  readonly kind: "reduce";
  readonly outShape: readonly number[];
  readonly reduceShape: readonly number[];
  readonly op: ReduceOp;
  readonly output: KernelOutput;
  readonly inputs: readonly number[];
}

export type Kernel = ElementwiseKernel | ReduceKernel;

/** The buffers an expression tree loads from, in first-use order. */
export function loadedBuffers(exprs: readonly Expr[]): number[] {
  const seen = new Set<number>();
  const bufs: number[] = [];
  const visited = new Set<number>();
  const walk = (e: Expr): void => {
    if (visited.has(e.id)) return;
    visited.add(e.id);
    if (e.kind === "load" && !seen.has(e.buffer)) {
      seen.add(e.buffer);
      bufs.push(e.buffer);
    } else if (e.kind === "op") e.args.forEach(walk);
  };
  exprs.forEach(walk);
  return bufs;
}

/** Number of distinct op nodes (a cost measure for fusion decisions). */
export function countOps(exprs: readonly Expr[]): number {
  const visited = new Set<number>();
  let n = 0;
  const walk = (e: Expr): void => {
    if (visited.has(e.id)) return;
    visited.add(e.id);
    if (e.kind === "op") {
      n++;
      e.args.forEach(walk);
    }
  };
  exprs.forEach(walk);
  return n;
}

/** Printable form of a kernel, with let-bound shared subexpressions, for tests and debugging. */
export function printKernel(k: Kernel): string {
  const uses = new Map<number, number>();
  const count = (e: Expr): void => {
    uses.set(e.id, (uses.get(e.id) ?? 0) + 1);
    if ((uses.get(e.id) ?? 0) === 1 && e.kind === "op") e.args.forEach(count);
  };
  const outs = k.kind === "elementwise" ? k.outputs : [k.output];
  outs.forEach((o) => o.values.forEach(count));
  const names = new Map<number, string>();
  const lets: string[] = [];
  const show = (e: Expr): string => {
    const named = names.get(e.id);
    if (named !== undefined) return named;
    let s: string;
    switch (e.kind) {
      case "const":
        s = `${e.value}:${e.type}`;
        break;
      case "load":
        s = `b${e.buffer}[${printIndex(e.index)}]`;
        break;
      case "index":
        s = `(${printIndex(e.index)})`;
        break;
      case "op":
        s = `${e.op}(${e.args.map(show).join(", ")})`;
    }
    if (e.kind === "op" && (uses.get(e.id) ?? 0) > 1) {
      const n = `t${names.size}`;
      names.set(e.id, n);
      lets.push(`  ${n} = ${s}`);
      return n;
    }
    return s;
  };
  const body = outs.map((o) => `  b${o.buffer}:${o.dtype} = ${o.values.map(show).join(" , ")}`);
  const head =
    k.kind === "elementwise"
      ? `elementwise[${k.shape.join(",")}] in=(${k.inputs.map((b) => `b${b}`).join(" ")})`
      : `reduce.${k.op}[${k.outShape.join(",")} | ${k.reduceShape.join(",")}] in=(${k.inputs.map((b) => `b${b}`).join(" ")})`;
  return [head, ...lets, ...body].join("\n");
}
