/**
 * Lowering rules: how a primitive becomes part of a fused kernel. A rule maps its operands — as
 * *lazy values*, functions from a multi-index to scalar IR expressions — to lazy outputs, without
 * computing or copying anything. Elementwise ops apply their op to their operands' expressions;
 * movement ops re-index them; reductions end a kernel. A primitive with no rule (or whose rule
 * declines these dtypes/params) is a *routine*: the schedule calls the backend's kernel for it.
 *
 * Rules live next to the primitive's other rules, in its family file, registered with
 * `registerLowering`.
 */
import { InternalError } from "../errors.ts";
import type { ShapedArray } from "../core/aval.ts";
import type { Primitive } from "../core/primitive.ts";
import { stridesOf } from "../shape.ts";
import { scalarTypeOf, type Expr, type ExprBuilder, type ReduceOp } from "./ir.ts";
import { combine, constant, flatten, type Extents, type Linear } from "./index-expr.ts";

/**
 * A value inside the kernel graph. `at(idx, ext)` gives the expressions of element `idx` (two, re
 * and im, for complex64) in a kernel whose loop variables have extents `ext`.
 */
export interface Lazy {
  readonly aval: ShapedArray;
  at(idx: readonly Linear[], ext: Extents): readonly Expr[];
  /**
   * Scalar ops recomputed per element read (0 for a buffer or a re-indexing of one): what fusing
   * this value into several consumers, or broadcasting it, would duplicate.
   */
  readonly cost: number;
  /** The buffer this value reads unchanged, if it is one (movement ops of it are not). */
  readonly buffer?: number;
}

/** A reduction request: the graph builder ends the kernel here. */
export interface ReduceLowering {
  readonly reduce: ReduceOp;
  readonly axes: readonly number[];
}

export type LoweringResult = readonly Lazy[] | ReduceLowering;

export interface LoweringContext {
  readonly b: ExprBuilder;
}

/**
 * A lowering rule. Returns null to decline (e.g. a dtype the IR does not model, such as complex
 * division): the primitive then runs as a routine.
 */
export type LoweringRule<P extends object = Readonly<Record<string, unknown>>> = (
  ctx: LoweringContext,
  inputs: readonly Lazy[],
  outAvals: readonly ShapedArray[],
  params: P,
) => LoweringResult | null;

const rules = new Map<Primitive, LoweringRule>();

/** Register the lowering rule of a primitive (once). */
export function registerLowering<P extends object>(prim: Primitive<P>, rule: LoweringRule<P>): void {
  const key = prim as unknown as Primitive;
  if (rules.has(key)) throw new InternalError(`lowering rule for '${prim.name}' registered twice`);
  rules.set(key, rule as unknown as LoweringRule);
}

export function getLowering(prim: Primitive): LoweringRule | undefined {
  return rules.get(prim);
}

/** Primitives with a lowering rule (for coverage tests). */
export function loweredPrimitives(): Primitive[] {
  return [...rules.keys()];
}

/** A materialised buffer as a lazy value: row-major loads (complex64: two float slots). */
export function bufferValue(b: ExprBuilder, id: number, aval: ShapedArray): Lazy {
  const strides = stridesOf(aval.shape);
  const t = scalarTypeOf(aval.dtype);
  const complex = aval.dtype === "complex64";
  return {
    aval,
    cost: 0,
    buffer: id,
    at(idx) {
      const flat = flatten(idx, strides);
      if (!complex) return [b.load(id, flat, t)];
      const twice = combine([[flat, 2]]);
      return [b.load(id, twice, t), b.load(id, combine([[twice, 1]], 1), t)];
    },
  };
}

/** A scalar constant (a jaxpr literal) as a lazy value. */
export function constantValue(b: ExprBuilder, aval: ShapedArray, values: readonly number[]): Lazy {
  const t = scalarTypeOf(aval.dtype);
  const exprs = values.map((v) => b.constant(v, t));
  return { aval, cost: 0, at: () => exprs };
}

/** A lazy value that re-indexes another (movement ops): same cost, no buffer identity. */
export function reindexed(
  aval: ShapedArray,
  of: Lazy,
  map: (idx: readonly Linear[], ext: Extents) => readonly Linear[],
): Lazy {
  return { aval, cost: of.cost, at: (idx, ext) => of.at(map(idx, ext), ext) };
}

/** A lazy value computed from operands element by element. */
export function computed(
  aval: ShapedArray,
  operands: readonly Lazy[],
  ops: number,
  f: (vals: readonly (readonly Expr[])[]) => readonly Expr[],
): Lazy {
  const cost = ops + operands.reduce((s, o) => s + o.cost, 0);
  return { aval, cost, at: (idx, ext) => f(operands.map((o) => o.at(idx, ext))) };
}

/** Index 0 along every axis of a size-1 operand (scalars broadcast inside n-ary ops such as clamp). */
export function zeros(n: number): Linear[] {
  return globalThis.Array.from({ length: n }, () => constant(0));
}
