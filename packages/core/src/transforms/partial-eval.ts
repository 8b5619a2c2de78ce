/**
 * Partial evaluation (Autodidax's design), the first half of reverse mode: run a function on a
 * mix of known values and unknown avals, computing the known part now and staging the unknown part
 * into a jaxpr. `linearize` = partial-evaluate `jvp` with known primals and unknown tangents.
 * `partialEvalJaxpr` is the same split done on a jaxpr (for higher-order primitives).
 */
import type { Array } from "../core/array.ts";
import type { ShapedArray } from "../core/aval.ts";
import { ConcreteArray } from "../core/concrete.ts";
import { ClosedJaxpr, Jaxpr, JaxprEqn, Literal, Var, type Atom } from "../core/jaxpr.ts";
import type { Primitive, Params } from "../core/primitive.ts";
import { Trace, Tracer, bind, fullLower, fullRaise, withMainTrace } from "../core/trace.ts";
import { InternalError } from "../errors.ts";
import { asRule } from "./owned.ts";

/** A value that is either known (`known` set) or only known by its aval. */
export class PartialVal {
  private constructor(
    readonly aval: ShapedArray,
    readonly known: Array | null,
  ) {}
  static known(x: Array): PartialVal {
    return new PartialVal(x.aval, x);
  }
  static unknown(aval: ShapedArray): PartialVal {
    return new PartialVal(aval, null);
  }
  get isKnown(): boolean {
    return this.known !== null;
  }
}

type Recipe =
  | { kind: "lambda" }
  | { kind: "const"; val: Array }
  | { kind: "eqn"; prim: Primitive; ins: PartialEvalTracer[]; params: Params; outs: PartialEvalTracer[] };

export class PartialEvalTracer extends Tracer {
  constructor(
    readonly _trace: PartialEvalTrace,
    readonly pval: PartialVal,
    public recipe: Recipe | null,
  ) {
    super();
  }
  get aval(): ShapedArray {
    return this.pval.aval;
  }
  override fullLower(): Array {
    return this.pval.known !== null ? fullLower(this.pval.known) : this;
  }
}

export class PartialEvalTrace extends Trace {
  newArg(pval: PartialVal): PartialEvalTracer {
    return new PartialEvalTracer(this, pval, pval.isKnown ? null : { kind: "lambda" });
  }
  pure(x: Array): Array {
    return new PartialEvalTracer(this, PartialVal.known(x), null);
  }
  /** Turn a known tracer into an unknown one whose value is a jaxpr constant. */
  instantiateConst(t: PartialEvalTracer): PartialEvalTracer {
    if (t.pval.known === null) return t;
    return new PartialEvalTracer(this, PartialVal.unknown(t.aval), { kind: "const", val: t.pval.known });
  }
  /** Stage one equation with unknown outputs (used by the default rule and custom rules). */
  stageEqn(
    prim: Primitive,
    ins: readonly PartialEvalTracer[],
    params: Params,
    outAvals: readonly ShapedArray[],
  ): PartialEvalTracer[] {
    const inst = ins.map((t) => this.instantiateConst(t));
    const outs = outAvals.map((a) => new PartialEvalTracer(this, PartialVal.unknown(a), null));
    const recipe: Recipe = { kind: "eqn", prim, ins: inst, params, outs };
    for (const o of outs) o.recipe = recipe;
    return outs;
  }
  processPrimitive(prim: Primitive, tracers: readonly Array[], params: Params): Array[] {
    // Rule work: an eager transform's scope records (and later frees) what it makes (owned.ts).
    return asRule(() => this.process(prim, tracers, params));
  }
  private process(prim: Primitive, tracers: readonly Array[], params: Params): Array[] {
    const ts = tracers as readonly PartialEvalTracer[];
    if (ts.every((t) => t.pval.isKnown))
      return bind(
        prim,
        ts.map((t) => t.pval.known as Array),
        params,
      );
    if (prim.rules.partialEval !== undefined) return prim.rules.partialEval(this, ts, params);
    const outAvals = prim.rules.abstractEval(
      ts.map((t) => t.aval),
      params,
    );
    return this.stageEqn(prim, ts, params, outAvals);
  }
}

/**
 * Partially evaluate flat `f`. Returns the staged jaxpr of the unknown part (its invars are the
 * unknown inputs, in order; constvars hold known values it needs), the output partial values and
 * the consts.
 */
export function partialEvalFlat(
  f: (...xs: Array[]) => Array[],
  pvalsIn: readonly PartialVal[],
): { jaxpr: ClosedJaxpr; pvalsOut: PartialVal[] } {
  return withMainTrace(PartialEvalTrace, undefined, "linearize", (main) => {
    const trace = new PartialEvalTrace(main);
    const ins = pvalsIn.map((p) => trace.newArg(p));
    const outs = f(...ins).map((o) => fullRaise(trace, o) as PartialEvalTracer);
    const unknownIns = ins.filter((t) => !t.pval.isKnown);
    const unknownOuts = outs.filter((t) => !t.pval.isKnown);
    return { jaxpr: tracersToJaxpr(unknownIns, unknownOuts), pvalsOut: outs.map((t) => t.pval) };
  });
}

function parentsOf(t: PartialEvalTracer): PartialEvalTracer[] {
  return t.recipe !== null && t.recipe.kind === "eqn" ? t.recipe.ins : [];
}

/** Iterative post-order DFS (long chains must not overflow the JS stack). */
function toposort(outs: readonly PartialEvalTracer[]): PartialEvalTracer[] {
  const order: PartialEvalTracer[] = [];
  const visited = new Set<PartialEvalTracer>();
  for (const root of outs) {
    if (visited.has(root)) continue;
    const stack: [PartialEvalTracer, number][] = [[root, 0]];
    visited.add(root);
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      const ps = parentsOf(top[0]);
      if (top[1] < ps.length) {
        const p = ps[top[1]++];
        if (!visited.has(p)) {
          visited.add(p);
          stack.push([p, 0]);
        }
      } else {
        order.push(top[0]);
        stack.pop();
      }
    }
  }
  return order;
}

function tracersToJaxpr(ins: readonly PartialEvalTracer[], outs: readonly PartialEvalTracer[]): ClosedJaxpr {
  const tracerToAtom = new Map<PartialEvalTracer, Atom>();
  const invars = ins.map((t) => {
    const v = new Var(t.aval);
    tracerToAtom.set(t, v);
    return v;
  });
  const constvars: Var[] = [];
  const consts: Array[] = [];
  const eqns: JaxprEqn[] = [];
  const done = new Set<Recipe>();
  const atomOf = (t: PartialEvalTracer): Atom => {
    const a = tracerToAtom.get(t);
    if (a === undefined) throw new InternalError("partial eval: tracer used before definition");
    return a;
  };
  for (const t of toposort(outs)) {
    const r = t.recipe;
    if (r === null) throw new InternalError("partial eval: known tracer in the unknown graph");
    if (r.kind === "lambda") {
      if (!tracerToAtom.has(t))
        throw new InternalError("partial eval: unknown input that is not an argument (leaked tracer?)");
    } else if (r.kind === "const") {
      if (r.val instanceof ConcreteArray && r.val.ndim === 0 && r.val.backend.syncReads !== false)
        tracerToAtom.set(t, new Literal(r.val));
      else {
        const v = new Var(t.aval);
        constvars.push(v);
        consts.push(r.val);
        tracerToAtom.set(t, v);
      }
    } else if (!done.has(r)) {
      done.add(r);
      const outVars = r.outs.map((o) => {
        const v = new Var(o.aval);
        tracerToAtom.set(o, v);
        return v;
      });
      eqns.push(new JaxprEqn(r.prim, r.ins.map(atomOf), r.params, outVars));
    }
  }
  return new ClosedJaxpr(new Jaxpr(constvars, invars, eqns, outs.map(atomOf)), consts);
}

// ------------------------------------------------------------------ jaxpr-level partial eval

export interface PartialEvalJaxprResult {
  /** known inputs → known outputs ++ residuals */
  known: ClosedJaxpr;
  /** residuals ++ unknown inputs → unknown outputs */
  unknown: ClosedJaxpr;
  outUnknowns: boolean[];
  numRes: number;
}

/** Result of a primitive's jaxpr-level partial-eval rule for one equation. */
export interface EqnSplit {
  known: JaxprEqn | null;
  unknown: JaxprEqn | null;
  outUnknowns: boolean[];
  residuals: Var[];
}
export type PartialEvalJaxprRule = (unknownsIn: readonly boolean[], eqn: JaxprEqn) => EqnSplit;
const jaxprRules = new Map<Primitive, PartialEvalJaxprRule>();
/** Register how a higher-order primitive splits inside a jaxpr (jit, scan, cond, …). */
export function registerPartialEvalJaxprRule(prim: Primitive, rule: PartialEvalJaxprRule): void {
  jaxprRules.set(prim, rule);
}

/**
 * Split a closed jaxpr (no consts expected beyond those carried) by which inputs are unknown.
 * `instantiate[i]` forces output i to be produced by the unknown jaxpr.
 */
export function partialEvalJaxpr(
  cj: ClosedJaxpr,
  inUnknowns: readonly boolean[],
  instantiate: readonly boolean[] | boolean,
): PartialEvalJaxprResult {
  const jaxpr = cj.jaxpr;
  const unknown = new Set<Var>();
  const residuals: Var[] = [];
  const resSet = new Set<Var>();
  const isUnk = (a: Atom) => a instanceof Var && unknown.has(a);
  const newRes = (a: Atom): Atom => {
    if (a instanceof Var && !unknown.has(a) && !resSet.has(a)) {
      resSet.add(a);
      residuals.push(a);
    }
    return a;
  };
  jaxpr.invars.forEach((v, i) => {
    if (inUnknowns[i]) unknown.add(v);
  });
  const eqns1: JaxprEqn[] = [];
  const eqns2: JaxprEqn[] = [];
  for (const eqn of jaxpr.eqns) {
    const unks = eqn.inputs.map(isUnk);
    const rule = jaxprRules.get(eqn.prim);
    if (rule !== undefined && unks.some((u) => u)) {
      const split = rule(unks, eqn);
      if (split.known) eqns1.push(split.known);
      if (split.unknown) eqns2.push(split.unknown);
      for (const r of split.residuals) newRes(r);
      eqn.outBinders.forEach((v, i) => {
        if (split.outUnknowns[i]) unknown.add(v);
      });
    } else if (unks.some((u) => u)) {
      eqn.inputs.forEach((a, i) => {
        if (!unks[i]) newRes(a);
      });
      eqns2.push(eqn);
      for (const v of eqn.outBinders) unknown.add(v);
    } else {
      eqns1.push(eqn);
    }
  }
  const inst = typeof instantiate === "boolean" ? jaxpr.outvars.map(() => instantiate) : instantiate;
  const outUnknowns = jaxpr.outvars.map((a, i) => {
    if (isUnk(a)) return true;
    if (inst[i]) {
      newRes(a);
      return true;
    }
    return false;
  });
  const ins1 = jaxpr.invars.filter((_, i) => !inUnknowns[i]);
  const ins2 = jaxpr.invars.filter((_, i) => inUnknowns[i]);
  const outs1 = jaxpr.outvars.filter((_, i) => !outUnknowns[i]);
  const outs2 = jaxpr.outvars.filter((_, i) => outUnknowns[i]);
  // Constvars are known: they stay with the known jaxpr and are passed as residuals when needed.
  const known = new ClosedJaxpr(new Jaxpr(jaxpr.constvars, ins1, eqns1, [...outs1, ...residuals]), cj.consts);
  const unknownJ = new ClosedJaxpr(new Jaxpr([], [...residuals, ...ins2], eqns2, outs2), []);
  return { known, unknown: unknownJ, outUnknowns, numRes: residuals.length };
}
