/**
 * JAX's debug modes `debugNans` / `debugInfs` (`config.update("debugNans", true)`): every
 * primitive executed concretely has its float and complex outputs checked, and the first one that
 * produces a NaN (or an infinity) raises a FloatingPointError naming the primitive and the user
 * function. A `jit` call runs compiled, so only its outputs can be checked; when one is bad the
 * call is re-run op by op with the interpreter (`evalJaxpr`), under the same checks, to find the
 * primitive responsible — what JAX does ("re-running with the interpreter to find the NaN").
 *
 * Reads are synchronous, so only backends that can read synchronously (CPU) are checked; arrays
 * on WebGPU pass unchecked (a device read per primitive would also serialise the GPU queue).
 */
import type { Array } from "./array.ts";
import { ConcreteArray } from "./concrete.ts";
import { ClosedJaxpr, evalJaxpr, type Jaxpr } from "./jaxpr.ts";
import type { Params } from "./primitive.ts";
import { config } from "../config.ts";
import { isInexact } from "../dtype.ts";
import { decodeHostValues } from "../half.ts";
import { FloatingPointError } from "../errors.ts";

/** Names of the jitted functions being re-run op by op (innermost last), for error messages. */
const userFunctions: string[] = [];

/**
 * Run `body` (a call of the jitted function `name`, interpreted or compiled) with `name` as the
 * user function that errors raised inside it report.
 */
export function withUserFunction<T>(name: string, body: () => T): T {
  userFunctions.push(name);
  try {
    return body();
  } finally {
    userFunctions.pop();
  }
}

/** Whether either debug flag is on (cheap enough to ask once per primitive). */
export function debugChecksOn(): boolean {
  return config.read("debugNans") || config.read("debugInfs");
}

/** What is wrong with `a`: "nan", "inf", or null (unchecked dtypes, unreadable backends, clean data). */
function badValue(a: Array, nans: boolean, infs: boolean): "nan" | "inf" | null {
  if (!(a instanceof ConcreteArray) || a.isDisposed || !isInexact(a.dtype) || a.backend.syncReads === false)
    return null;
  // complex64 data interleave re and im, so one pass over the floats checks both parts; half
  // dtypes' bit patterns are decoded to their values first.
  const d = decodeHostValues(a.dataSync(), a.dtype);
  let inf = false;
  for (let i = 0; i < d.length; i++) {
    const v = d[i];
    if (v !== v) {
      if (nans) return "nan";
    } else if (infs && (v === Infinity || v === -Infinity)) inf = true;
  }
  return inf ? "inf" : null;
}

/** The first output that is bad under the current flags, or null. */
function firstBad(outs: readonly Array[]): { index: number; kind: "nan" | "inf" } | null {
  const nans = config.read("debugNans");
  const infs = config.read("debugInfs");
  if (!nans && !infs) return null;
  for (let i = 0; i < outs.length; i++) {
    const kind = badValue(outs[i], nans, infs);
    if (kind !== null) return { index: i, kind };
  }
  return null;
}

/**
 * Where the user's code called us: the innermost jitted function being re-run, else the first
 * stack frame outside linax-ts (e.g. `loss (train.ts:12:7)`), else undefined.
 */
function userFunction(): string | undefined {
  if (userFunctions.length > 0) return userFunctions[userFunctions.length - 1];
  // Transforms nest deeply: look further up than V8's default of 10 frames.
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 200;
  const stack = new Error().stack?.split("\n").slice(1) ?? [];
  Error.stackTraceLimit = limit;
  for (const line of stack) {
    const l = line.trim();
    if (!l.startsWith("at ")) continue;
    if (/[\\/]packages[\\/](core|nn|ssm|backend-cpu|backend-webgpu|linax-ts)[\\/]src[\\/]|node:|node_modules/.test(l))
      continue;
    return l.slice(3);
  }
  return undefined;
}

function message(
  kind: "nan" | "inf",
  prim: string,
  index: number,
  nOuts: number,
  aval: string,
  fn: string | undefined,
): string {
  const what = kind === "nan" ? "invalid value (nan)" : "an infinity (inf)";
  const out = nOuts > 1 ? ` (output ${index}, ${aval})` : ` (${aval})`;
  const flag = kind === "nan" ? "debugNans" : "debugInfs";
  return `${what} encountered in ${prim}${out}${fn !== undefined ? ` in ${fn}` : ""} [config.${flag} is on]`;
}

/**
 * Raise a FloatingPointError if an output of `prim` is NaN/Inf under the current flags. Called by
 * the eval trace after each primitive executes; a `jit` primitive is re-run op by op instead.
 */
export function checkPrimitiveOutputs(
  prim: string,
  outs: readonly Array[],
  args: readonly Array[],
  params: Params,
): void {
  const bad = firstBad(outs);
  if (bad === null) return;
  if (prim === "jit" && params.jaxpr instanceof ClosedJaxpr) {
    const name = typeof params.name === "string" ? params.name : "jit";
    rerunOpByOp(params.jaxpr.jaxpr, params.jaxpr.consts, args, name);
    passedThrough(args, `jit(${name})`, name);
  }
  const fn = userFunction();
  throw new FloatingPointError(
    message(bad.kind, prim, bad.index, outs.length, outs[bad.index].aval.toString(), fn),
    prim,
    fn,
  );
}

/** No primitive made the bad value: it came in as an argument (e.g. returned unchanged). Say so. */
function passedThrough(args: readonly Array[], prim: string, name: string): void {
  const bad = firstBad(args);
  if (bad === null) return;
  throw new FloatingPointError(
    `${bad.kind === "nan" ? "invalid value (nan)" : "an infinity (inf)"} in argument ${bad.index} (${args[bad.index].aval.toString()}) of ${prim}: no primitive produced it, it was passed in [config.${bad.kind === "nan" ? "debugNans" : "debugInfs"} is on]`,
    prim,
    name,
  );
}

/** Re-run a jaxpr with the interpreter; its eqns go through the eval trace, whose checks raise at the first bad one. */
function rerunOpByOp(jaxpr: Jaxpr, consts: readonly Array[], args: readonly Array[], name: string): void {
  const compile = config.read("jitCompile");
  userFunctions.push(name);
  try {
    // The interpreter, not the compiler, for nested jits too: each primitive must run (and be checked) alone.
    config.update("jitCompile", false);
    const outs = evalJaxpr(jaxpr, consts, args);
    for (const o of outs) if (!args.includes(o) && !consts.includes(o) && o instanceof ConcreteArray) o.dispose();
  } finally {
    config.update("jitCompile", compile);
    userFunctions.pop();
  }
}

/**
 * For `jit`'s impl (the compiled path): when `debugNans`/`debugInfs` is on and an output of the
 * compiled call `name` is NaN/Inf, re-run `jaxpr` op by op with the interpreter to raise at the
 * first primitive that produced it (naming it and `name`); if the interpreter finds none (the
 * compiled code and the interpreter disagree), raise naming `jit(name)` itself.
 */
export function checkJitOutputs(
  outs: readonly Array[],
  jaxpr: Jaxpr | ClosedJaxpr,
  consts: readonly Array[],
  args: readonly Array[],
  name: string,
): void {
  const bad = firstBad(outs);
  if (bad === null) return;
  const j = jaxpr instanceof ClosedJaxpr ? jaxpr.jaxpr : jaxpr;
  const c = jaxpr instanceof ClosedJaxpr && consts.length === 0 ? jaxpr.consts : consts;
  rerunOpByOp(j, c, args, name);
  const prim = `jit(${name})`;
  passedThrough(args, prim, name);
  throw new FloatingPointError(
    `${message(bad.kind, prim, bad.index, outs.length, outs[bad.index].aval.toString(), name)}; re-running it op by op with the interpreter produced none, so the compiled code and the interpreter disagree`,
    prim,
    name,
  );
}
