/**
 * The interpreter stack (Autodidax's design). Every operation is `bind(primitive, args, params)`:
 * bind finds the innermost-applicable trace among its arguments (the one with the highest level,
 * or the dynamic trace when staging for `jit`), raises all arguments into it, and lets that trace
 * process the primitive. The bottom of the stack is the EvalTrace, which runs kernels.
 */
import { Array } from "./array.ts";
import type { Primitive, Params } from "./primitive.ts";
import { ConcretizationError, TracerLeakError } from "../errors.ts";
import { config } from "../config.ts";
import { checkNoLeak } from "./leak-check.ts";
import type { TypedArray } from "../dtype.ts";
import type { NestedList, ScalarValue } from "./array.ts";

export type TraceCtor = new (main: MainTrace) => Trace;

/** One level of the interpreter stack; `alive` goes false when its transform returns. */
export class MainTrace {
  alive = true;
  /** Under config.checkTracerLeaks: an object only this main references (see `withMainTrace`). */
  probe: object | undefined = undefined;
  constructor(
    readonly level: number,
    readonly traceType: TraceCtor,
    readonly globalData: unknown,
    readonly transformName: string,
  ) {}
}

export abstract class Trace {
  constructor(readonly main: MainTrace) {}
  /** Wrap a value from a lower level (concrete array or lower tracer) as a tracer of this trace. */
  abstract pure(x: Array): Array;
  /** Wrap a tracer of a lower level; defaults to `pure`. */
  lift(x: Array): Array {
    return this.pure(x);
  }
  /** Apply `prim` to tracers of this trace. May return lower-level values (they are lowered anyway). */
  abstract processPrimitive(prim: Primitive, tracers: readonly Array[], params: Params): Array[];
}

/** A value standing in for an array inside a transform. */
export abstract class Tracer extends Array {
  abstract readonly _trace: Trace;
  get isTracer(): boolean {
    return true;
  }
  /** Strip this tracer if it carries no information at its level (e.g. unbatched). */
  fullLower(): Array {
    return this;
  }
  private concreteError(what: string): never {
    throw new ConcretizationError(
      `${what}: a traced array ${this.aval.toString()} has no concrete value inside ${this.traceDescription()}. ` +
        "Reading data (and JS control flow on traced values) only works outside transforms; use lax.cond / lax.whileLoop / np.where for data-dependent control flow, or mark the argument static.",
    );
  }
  traceDescription(): string {
    return `the '${this._trace.main.transformName}' transform`;
  }
  data(): Promise<TypedArray> {
    return this.concreteError("data()");
  }
  dataSync(): TypedArray {
    return this.concreteError("dataSync()");
  }
  tolist(): NestedList {
    return this.concreteError("tolist()");
  }
  protected readScalar(fn: string): ScalarValue {
    return this.concreteError(fn);
  }
  tolistAsync(): Promise<NestedList> {
    return this.concreteError("tolistAsync()");
  }
  protected readScalarAsync(fn: string): Promise<ScalarValue> {
    return this.concreteError(fn);
  }
  toStringAsync(): Promise<string> {
    return this.concreteError("toStringAsync()");
  }
  dispose(): void {
    // Tracers own no device memory.
  }
  override toString(): string {
    return `Traced<${this.aval.toString()}> (${this._trace.main.transformName})`;
  }
}

/** The base of the stack: concrete arrays, primitives run by a backend (see eval.ts). */
const stack: MainTrace[] = [];
let dynamicMain: MainTrace | undefined;

/** Installed by eval.ts: the EvalTrace class (kept out of this file to avoid an import cycle with ConcreteArray). */
export function installEvalTrace(ctor: TraceCtor): void {
  if (stack.length === 0) stack.push(new MainTrace(0, ctor, undefined, "eval"));
}

/**
 * Run `fn` with a new main trace pushed on the stack; it is popped (and marked dead) afterwards.
 *
 * Under config.checkTracerLeaks (JAX's `jax_check_tracer_leaks`) a transform that returns checks
 * that nothing still references its main trace — every tracer references its trace, hence the
 * main — as JAX checks that no reference to its MainTrace survives: the main gets a probe, an
 * instance of a class made for this call, and after the main is popped and this function no
 * longer holds it, V8 counts the probes left alive after a full collection. One alive means some
 * tracer (or trace) of this transform escaped — stored in an outer variable or a closure — and
 * TracerLeakError is raised now, not only when the tracer is later used. Debug only: each check
 * is a full garbage collection.
 */
export function withMainTrace<T>(
  traceType: TraceCtor,
  globalData: unknown,
  transformName: string,
  fn: (main: MainTrace) => T,
): T {
  if (!config.read("checkTracerLeaks")) return runMain(traceType, globalData, transformName, fn, undefined);
  const Probe = class LeakProbe {};
  const result = runMain(traceType, globalData, transformName, fn, Probe);
  // This frame must not keep the main alive itself: its global data (a jaxpr builder maps its
  // tracers to variables) and `fn` are dropped before the heap is inspected.
  globalData = undefined;
  fn = undefined as unknown as typeof fn;
  checkNoLeak(Probe, transformName);
  return result;
}

function runMain<T>(
  traceType: TraceCtor,
  globalData: unknown,
  transformName: string,
  fn: (main: MainTrace) => T,
  probe: (new () => object) | undefined,
): T {
  const main = new MainTrace(stack.length, traceType, globalData, transformName);
  if (probe !== undefined) main.probe = new probe();
  stack.push(main);
  try {
    return fn(main);
  } finally {
    stack.pop();
    main.alive = false;
  }
}

/** Run `fn` with `main` as the dynamic trace: every bind goes to it at least (staging for jit). */
export function withDynamicTrace<T>(main: MainTrace, fn: () => T): T {
  const prev = dynamicMain;
  dynamicMain = main;
  try {
    return fn();
  } finally {
    dynamicMain = prev;
  }
}

/**
 * Whether no transform is active (only the eval trace, nothing staging): every bind then runs
 * eagerly and no jaxpr can capture a value, so the numpy layer may dispose its own temporaries.
 */
export function isEagerContext(): boolean {
  return stack.length === 1 && dynamicMain === undefined;
}

/** Every main trace currently on the stack, innermost last (used by named-axis collectives). */
export function currentMainTraces(): readonly MainTrace[] {
  return stack;
}

function checkAlive(t: Tracer): void {
  if (!t._trace.main.alive) {
    throw new TracerLeakError(
      `A tracer ${t.aval.toString()} from a '${t._trace.main.transformName}' transform was used after that transform returned ` +
        "(it leaked, e.g. stored in an outer variable or returned through a side channel). Return values from the transformed function instead.",
    );
  }
}

export function findTopTrace(xs: readonly Array[]): Trace {
  let top = stack[0];
  for (const x of xs) {
    if (x instanceof Tracer) {
      checkAlive(x);
      const m = x._trace.main;
      if (m.level > top.level) top = m;
    }
  }
  if (dynamicMain !== undefined && dynamicMain.level > top.level) top = dynamicMain;
  return new top.traceType(top);
}

/** Raise `x` into `trace` (as `pure` for constants, `lift` for lower tracers). */
export function fullRaise(trace: Trace, x: Array): Array {
  if (!(x instanceof Tracer)) return trace.pure(x);
  checkAlive(x);
  const level = x._trace.main.level;
  if (x._trace.main === trace.main) return x;
  if (level < trace.main.level) return trace.lift(x);
  throw new TracerLeakError(
    `Cannot use a tracer of the '${x._trace.main.transformName}' transform (level ${level}) inside the '${trace.main.transformName}' transform (level ${trace.main.level}): it escaped its transform.`,
  );
}

export function fullLower(x: Array): Array {
  return x instanceof Tracer ? x.fullLower() : x;
}

/** The eval trace (stateless, so one instance serves every eager bind). */
let evalTrace: Trace | undefined;

/** The single entry point for every operation. */
export function bind(prim: Primitive, args: readonly Array[], params: Params): Array[] {
  // Eager fast path: no transform is active and no operand is a tracer, so the eval trace runs the
  // primitive directly (no raising, no lowering: both are the identity on concrete arrays). A dead
  // tracer among the operands takes the general path, which reports the leak.
  if (stack.length === 1 && dynamicMain === undefined && prim.rules.axisMain === undefined) {
    let i = 0;
    while (i < args.length && !(args[i] instanceof Tracer)) i++;
    if (i === args.length) return (evalTrace ??= new stack[0].traceType(stack[0])).processPrimitive(prim, args, params);
  }
  let trace = findTopTrace(args);
  // Collectives are processed at least by the vmap trace of their named axis (see PrimitiveRules.axisMain).
  const axisMain = prim.rules.axisMain?.(params);
  if (axisMain !== undefined && axisMain.level > trace.main.level) trace = new axisMain.traceType(axisMain);
  const tracers = args.map((a) => fullRaise(trace, a));
  const outs = trace.processPrimitive(prim, tracers, params);
  return outs.map(fullLower);
}
