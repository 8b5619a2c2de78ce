/**
 * Staging: trace a function on abstract values into a jaxpr (`makeJaxpr`, used by `jit`, control
 * flow and the jaxpr-level transforms). The staging trace becomes the *dynamic* trace, so every
 * bind inside the function is recorded even when its arguments are constants.
 */
import type { Array } from "../core/array.ts";
import type { ShapedArray } from "../core/aval.ts";
import { ConcreteArray } from "../core/concrete.ts";
import { ClosedJaxpr, Jaxpr, JaxprEqn, Literal, Var, type Atom } from "../core/jaxpr.ts";
import type { Primitive, Params } from "../core/primitive.ts";
import { Trace, Tracer, fullRaise, withDynamicTrace, withMainTrace, type MainTrace } from "../core/trace.ts";
import { InternalError } from "../errors.ts";
import { captured, whileStaging, whileStagingTransient } from "./owned.ts";

export class JaxprTracer extends Tracer {
  constructor(
    readonly _trace: JaxprTrace,
    readonly aval: ShapedArray,
  ) {
    super();
  }
}

class JaxprBuilder {
  readonly eqns: JaxprEqn[] = [];
  readonly tracerToVar = new Map<JaxprTracer, Var>();
  readonly constTracers = new Map<Array, JaxprTracer>();
  readonly constVals = new Map<Var, Array>();

  addVar(t: JaxprTracer): Var {
    const v = new Var(t.aval);
    this.tracerToVar.set(t, v);
    return v;
  }
  getVar(t: JaxprTracer): Var {
    const v = this.tracerToVar.get(t);
    if (v === undefined) throw new InternalError("staging: tracer without a variable");
    return v;
  }

  build(inTracers: readonly JaxprTracer[], outTracers: readonly JaxprTracer[]): ClosedJaxpr {
    const invars = inTracers.map((t) => this.getVar(t));
    const outAtoms: Atom[] = outTracers.map((t) => this.getVar(t));
    // Inline scalar concrete constants as literals; everything else stays a constvar.
    const literals = new Map<Var, Literal>();
    const constvars: Var[] = [];
    const consts: Array[] = [];
    for (const [v, val] of this.constVals) {
      if (val instanceof ConcreteArray && val.ndim === 0 && val.backend.syncReads !== false)
        literals.set(v, new Literal(val));
      else {
        constvars.push(v);
        consts.push(val);
      }
    }
    const sub = (a: Atom): Atom => (a instanceof Var ? (literals.get(a) ?? a) : a);
    let eqns = this.eqns.map((e) => new JaxprEqn(e.prim, e.inputs.map(sub), e.params, e.outBinders));
    const outs = outAtoms.map(sub);
    eqns = deadCodeElim(eqns, outs);
    // Drop constvars no equation or output uses.
    const used = new Set<Var>();
    for (const e of eqns) for (const a of e.inputs) if (a instanceof Var) used.add(a);
    for (const a of outs) if (a instanceof Var) used.add(a);
    const keep = constvars.map((v) => used.has(v));
    return new ClosedJaxpr(
      new Jaxpr(
        constvars.filter((_, i) => keep[i]),
        invars,
        eqns,
        outs,
      ),
      consts.filter((_, i) => keep[i]),
    );
  }
}

/** Remove equations whose outputs nobody uses (all our primitives are pure). */
export function deadCodeElim(eqns: readonly JaxprEqn[], outs: readonly Atom[]): JaxprEqn[] {
  const live = new Set<Var>();
  for (const a of outs) if (a instanceof Var) live.add(a);
  const kept: JaxprEqn[] = [];
  for (let i = eqns.length - 1; i >= 0; i--) {
    const e = eqns[i];
    if (e.outBinders.some((v) => live.has(v))) {
      kept.push(e);
      for (const a of e.inputs) if (a instanceof Var) live.add(a);
    }
  }
  return kept.reverse();
}

export class JaxprTrace extends Trace {
  get builder(): JaxprBuilder {
    return this.main.globalData as JaxprBuilder;
  }
  newArg(aval: ShapedArray): JaxprTracer {
    const t = new JaxprTracer(this, aval);
    this.builder.addVar(t);
    return t;
  }
  pure(x: Array): Array {
    const b = this.builder;
    let t = b.constTracers.get(x);
    if (t === undefined) {
      // A constant of the jaxpr: it may outlive an eager transform's scope (jit caches the jaxpr).
      captured(x);
      t = new JaxprTracer(this, x.aval);
      const v = b.addVar(t);
      b.constTracers.set(x, t);
      b.constVals.set(v, x);
    }
    return t;
  }
  processPrimitive(prim: Primitive, tracers: readonly Array[], params: Params): Array[] {
    const ts = tracers as readonly JaxprTracer[];
    const outAvals = prim.rules.abstractEval(
      ts.map((t) => t.aval),
      params,
    );
    const outs = outAvals.map((a) => new JaxprTracer(this, a));
    const b = this.builder;
    b.eqns.push(
      new JaxprEqn(
        prim,
        ts.map((t) => b.getVar(t)),
        params,
        outs.map((t) => b.addVar(t)),
      ),
    );
    return outs;
  }
}

/**
 * Trace `f` on arguments of the given avals into a closed jaxpr. `f` takes and returns flat lists
 * of arrays; see `makeJaxpr` in the public API for the pytree version.
 */
export function traceToJaxpr(
  f: (...args: Array[]) => Array[],
  inAvals: readonly ShapedArray[],
  name = "makeJaxpr",
  /** The jaxpr is a rule's transformed body that dies with the current eager transform (owned.ts). */
  transient = false,
): ClosedJaxpr {
  return (transient ? whileStagingTransient : whileStaging)(() =>
    withMainTrace(JaxprTrace, new JaxprBuilder(), name, (main: MainTrace) =>
      withDynamicTrace(main, () => {
        const trace = new JaxprTrace(main);
        const ins = inAvals.map((a) => trace.newArg(a));
        const outs = f(...ins).map((o) => fullRaise(trace, o) as JaxprTracer);
        const b = trace.builder;
        const jaxpr = b.build(ins, outs);
        // Done: the builder (which callers' frames may still hold) lets go of this trace's tracers,
        // so that config.checkTracerLeaks sees only real leaks.
        b.tracerToVar.clear();
        b.constTracers.clear();
        return jaxpr;
      }),
    ),
  );
}

/**
 * Move a closed jaxpr's consts into leading invars, so traced consts can be passed as operands
 * of a higher-order primitive. Returns the open jaxpr (no constvars) and the consts to pass.
 */
export function hoistConsts(cj: ClosedJaxpr): { jaxpr: ClosedJaxpr; consts: Array[] } {
  const j = cj.jaxpr;
  return {
    jaxpr: new ClosedJaxpr(new Jaxpr([], [...j.constvars, ...j.invars], j.eqns, j.outvars), []),
    consts: [...cj.consts],
  };
}
