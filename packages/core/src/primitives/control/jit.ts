/**
 * The `jit` primitive: a call of a staged jaxpr. Its rules transform the jaxpr (JVP, batching,
 * partial evaluation, transposition) and bind `jit` again, so `grad(jit(f))` and `vmap(jit(f))`
 * stay compiled. Backends may compile the jaxpr (`Backend.compile`); otherwise it is interpreted.
 */
import type { Array } from "../../core/array.ts";
import { ConcreteArray } from "../../core/concrete.ts";
import { type ClosedJaxpr, evalJaxpr } from "../../core/jaxpr.ts";
import { definePrimitive, isUndefined, type Primitive } from "../../core/primitive.ts";
import { ShapeError } from "../../errors.ts";
import { config } from "../../config.ts";
import { jvpJaxpr, transposeJaxpr, vmapJaxpr } from "../../transforms/jaxpr-transforms.ts";
import {
  type PartialEvalTrace,
  type PartialEvalTracer,
  partialEvalJaxpr,
  registerPartialEvalJaxprRule,
} from "../../transforms/partial-eval.ts";
import { zerosLikeAval } from "../../transforms/zeros.ts";
import type { Executable } from "../../backend.ts";
import { hoistConsts } from "../../transforms/staging.ts";
import { splitCallEqn } from "./common.ts";
import { registerCacheClearer } from "../../transforms/jit-cache.ts";

export interface JitParams {
  /** The staged function; always without consts (they are leading operands). */
  readonly jaxpr: ClosedJaxpr;
  readonly name: string;
  /** Per operand: donated by the caller (jit's `donateArgnums`); absent: none. Transforms drop it. */
  readonly donated?: readonly boolean[];
}

// Keyed weakly by the jaxpr: an executable lives as long as some trace cache holds its jaxpr.
let compiled = new WeakMap<ClosedJaxpr, Map<string, Executable>>();
registerCacheClearer(() => (compiled = new WeakMap()));

/** Make a ClosedJaxpr's consts leading operands, so `jit` params never hold arrays. */
export function openJaxpr(cj: ClosedJaxpr): { jaxpr: ClosedJaxpr; consts: Array[] } {
  return cj.consts.length === 0 ? { jaxpr: cj, consts: [] } : hoistConsts(cj);
}

export const jitP: Primitive<JitParams> = definePrimitive<JitParams>("jit", {
  abstractEval(avals, { jaxpr, name }) {
    const want = jaxpr.inAvals;
    if (avals.length !== want.length || avals.some((a, i) => !a.equals(want[i]))) {
      throw new ShapeError(
        `jit(${name}): called with ${avals.map(String).join(", ")} but traced for ${want.map(String).join(", ")}`,
      );
    }
    return jaxpr.outAvals;
  },
  impl(args, { jaxpr, donated }) {
    const give = donated === undefined ? undefined : donatable(args, donated);
    const outs = run(args, jaxpr, give);
    if (give !== undefined) {
      // Donated arrays are deleted, as in JAX (whether or not the backend reused them) — except one that is itself an output.
      const outBufs = new Set(outs.map((o) => (o instanceof ConcreteArray ? o.buffer : null)));
      args.forEach((a, i) => give[i] && a instanceof ConcreteArray && !outBufs.has(a.buffer) && a.dispose());
    }
    return outs;
  },
  jvp(primals, tangents, { jaxpr, name }) {
    const j = jvpJaxpr(
      jaxpr,
      primals.map(() => true),
    );
    const { jaxpr: jj, consts } = openJaxpr(j);
    const outs = jitP.bind([...consts, ...primals, ...tangents], { jaxpr: jj, name: `jvp(${name})` });
    const n = jaxpr.outAvals.length;
    return [outs.slice(0, n), outs.slice(n)];
  },
  batch(args, dims, { jaxpr, name }, axis) {
    const { jaxpr: bj } = vmapJaxpr(jaxpr, axis, dims, true);
    const { jaxpr: jj, consts } = openJaxpr(bj);
    const outs = jitP.bind([...consts, ...args], { jaxpr: jj, name: `vmap(${name})` });
    return [outs, outs.map(() => 0)];
  },
  transpose(cts, args, { jaxpr, name }) {
    const linear = args.map(isUndefined);
    const tj = transposeJaxpr(jaxpr, linear);
    const { jaxpr: jj, consts } = openJaxpr(tj);
    const nonlin = args.filter((a) => !isUndefined(a)) as Array[];
    const ctsInst = cts.map((c, i) => c ?? zerosLikeAval(jaxpr.outAvals[i]));
    const res = jitP.bind([...consts, ...nonlin, ...ctsInst], { jaxpr: jj, name: `transpose(${name})` });
    let k = 0;
    return args.map((a) => (isUndefined(a) ? res[k++] : null));
  },
  partialEval(traceU, tracersU, { jaxpr, name }) {
    const trace = traceU as PartialEvalTrace;
    const tracers = tracersU as readonly PartialEvalTracer[];
    const unknowns = tracers.map((t) => !t.pval.isKnown);
    const split = partialEvalJaxpr(jaxpr, unknowns, false);
    const known = openJaxpr(split.known);
    const knownIns = tracers.filter((t) => t.pval.isKnown).map((t) => t.pval.known as Array);
    const knownOuts = jitP.bind([...known.consts, ...knownIns], { jaxpr: known.jaxpr, name });
    const nKnownOut = split.outUnknowns.filter((u) => !u).length;
    const residuals = knownOuts.slice(nKnownOut).map((r) => trace.pure(r) as PartialEvalTracer);
    const unknownIns = tracers.filter((t) => !t.pval.isKnown);
    const unknownOuts = trace.stageEqn(
      jitP as unknown as Primitive,
      [...residuals, ...unknownIns],
      { jaxpr: split.unknown, name },
      split.unknown.outAvals,
    );
    let ki = 0;
    let ui = 0;
    return split.outUnknowns.map((u) => (u ? unknownOuts[ui++] : trace.pure(knownOuts[ki++])));
  },
  printParams: ({ jaxpr, name }) => `name=${name} jaxpr=${jaxpr.toString().replace(/\n/g, "\n    ")}`,
});

/**
 * Run the staged jaxpr: compiled by the operands' backend where it can, else interpreted. Under
 * config.disableJit a `jit` equation still met (inside a jaxpr traced before the flag was set, or
 * by a scan body) is interpreted op by op, never compiled.
 */
function run(args: readonly Array[], jaxpr: ClosedJaxpr, donated: readonly boolean[] | undefined): Array[] {
  const first = args[0];
  if (
    config.read("jitCompile") &&
    !config.read("disableJit") &&
    first instanceof ConcreteArray &&
    first.backend.compile !== undefined &&
    args.every((a) => a instanceof ConcreteArray && a.backend === first.backend)
  ) {
    const backend = first.backend;
    let perBackend = compiled.get(jaxpr);
    if (perBackend === undefined) compiled.set(jaxpr, (perBackend = new Map()));
    let exe = perBackend.get(backend.name);
    if (exe === undefined) perBackend.set(backend.name, (exe = backend.compile!(jaxpr.jaxpr)));
    const outs = exe.execute(
      (args as ConcreteArray[]).map((a) => a.buffer),
      donated,
    );
    return outs.map((b, i) => new ConcreteArray(b, jaxpr.outAvals[i]));
  }
  return evalJaxpr(jaxpr.jaxpr, jaxpr.consts, args);
}

/**
 * Which operands can be donated: concrete arrays whose buffer occurs at no other operand
 * (JAX, too, will not donate a buffer that is also passed undonated); undefined if none.
 */
function donatable(args: readonly Array[], donated: readonly boolean[]): boolean[] | undefined {
  const count = new Map<unknown, number>();
  for (const a of args) if (a instanceof ConcreteArray) count.set(a.buffer, (count.get(a.buffer) ?? 0) + 1);
  const give = args.map((a, i) => donated[i] === true && a instanceof ConcreteArray && count.get(a.buffer) === 1);
  return give.some((g) => g) ? give : undefined;
}

// Inside a jaxpr (e.g. a jit nested in a jit under grad), split the call the same way.
registerPartialEvalJaxprRule(jitP as unknown as Primitive, (unks, eqn) => {
  const { jaxpr, name } = eqn.params as unknown as JitParams;
  return splitCallEqn(jitP as unknown as Primitive, unks, eqn, jaxpr, (j) => ({ jaxpr: j, name }));
});
