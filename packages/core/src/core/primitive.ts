/**
 * Primitives and their rule tables. A primitive family file (primitives/*.ts) creates each
 * primitive with `definePrimitive` and, right there, all of its rules: abstract evaluation
 * (shape/dtype inference), JVP, transpose (linear primitives only), batching, and optionally a
 * composite `impl` (used by backends without a kernel) or a custom partial-evaluation rule
 * (higher-order primitives). A transform that meets a missing rule raises NotImplementedError
 * naming the primitive and the transform — never a wrong answer.
 */
import type { Array } from "./array.ts";
import type { ShapedArray } from "./aval.ts";
import { bind, type MainTrace } from "./trace.ts";
import { InternalError } from "../errors.ts";

export type Params = Readonly<Record<string, unknown>>;

/** Which axis of a batched value is the vmapped one (null: not batched). */
export type BatchDim = number | null;

/** What a batching rule knows about the vmapped axis. */
export interface AxisInfo {
  readonly size: number;
  readonly name: string | undefined;
}

/** A primal input that the transpose rule must produce a cotangent for (a linear input). */
export class UndefinedPrimal {
  constructor(readonly aval: ShapedArray) {}
}
export const isUndefined = (x: unknown): x is UndefinedPrimal => x instanceof UndefinedPrimal;

export interface PrimitiveRules<P extends object> {
  /** Output avals from input avals; validates shapes/dtypes and throws errors naming the op. */
  abstractEval(avals: readonly ShapedArray[], params: P): ShapedArray[];
  /** Composite implementation in terms of other primitives (fallback when a backend has no kernel). */
  impl?(args: readonly Array[], params: P): Array[];
  /**
   * Forward-mode rule. `tangents[i]` has the dtype of `primals[i]`; zeros are instantiated.
   * Returns primal outputs and tangent outputs (null = symbolically zero, e.g. integer outputs).
   */
  jvp?(primals: readonly Array[], tangents: readonly Array[], params: P): [Array[], (Array | null)[]];
  /**
   * Forward-mode rule that sees symbolic zeros (`null` tangents) instead of instantiated ones;
   * preferred over `jvp` when present. Higher-order primitives (scan, cond, while) use it so that
   * operands without tangents (closed-over weights, integer counters) stay out of the tangent loop.
   */
  jvpWithZeros?(primals: readonly Array[], tangents: readonly (Array | null)[], params: P): [Array[], (Array | null)[]];
  /**
   * Transpose rule for primitives linear in their undefined inputs. `cts[i]` is the cotangent of
   * output i (null = zero; the rule is not called when all are null). Returns one cotangent per
   * input; entries for defined (non-linear) inputs are ignored and may be null.
   */
  transpose?(cts: readonly (Array | null)[], args: readonly (Array | UndefinedPrimal)[], params: P): (Array | null)[];
  /** vmap rule: batched inputs with their batch dims → outputs with theirs. */
  batch?(args: readonly Array[], dims: readonly BatchDim[], params: P, axis: AxisInfo): [Array[], BatchDim[]];
  /**
   * Custom partial evaluation (higher-order primitives). Receives the PartialEvalTrace and its
   * tracers; see transforms/partial-eval.ts. Without it, any unknown input stages the whole eqn.
   */
  partialEval?(trace: unknown, tracers: readonly Array[], params: P): Array[];
  /**
   * Named-axis collectives (psum, axisIndex, …): the vmap main trace of the axis the primitive
   * refers to (throws for an unbound name). `bind` processes the primitive at least at that
   * trace, and that BatchTrace calls the batch rule even when no operand is batched — so an
   * operand that does not vary along the axis (or no operand at all) still sees it.
   */
  axisMain?(params: P): MainTrace;
  /** Short parameter rendering for jaxpr printing (defaults to a generic one). */
  printParams?(params: P): string;
}

export class Primitive<P extends object = Params> {
  constructor(
    readonly name: string,
    readonly rules: PrimitiveRules<P>,
  ) {}
  /** Apply the primitive through the interpreter stack. */
  bind(args: readonly Array[], params: P): Array[] {
    return bind(this as unknown as Primitive, args, params as unknown as Params);
  }
  /** Apply a single-output primitive. */
  bind1(args: readonly Array[], params: P): Array {
    return bind(this as unknown as Primitive, args, params as unknown as Params)[0];
  }
  toString(): string {
    return this.name;
  }
}

const allPrimitives = new Map<string, Primitive>();

/** Create and register a primitive (names are unique). */
export function definePrimitive<P extends object>(name: string, rules: PrimitiveRules<P>): Primitive<P> {
  if (allPrimitives.has(name)) throw new InternalError(`primitive '${name}' defined twice`);
  const p = new Primitive<P>(name, rules);
  allPrimitives.set(name, p as unknown as Primitive);
  return p;
}

/** Every registered primitive, for rule-coverage tests and backends. */
export function listPrimitives(): Primitive[] {
  return [...allPrimitives.values()];
}
