/**
 * Reverse mode = linearize + transpose. `linearizeFlat` partially evaluates the JVP with known
 * primals and unknown tangents, giving a jaxpr linear in the tangents; `backwardPass` walks it
 * backwards applying each primitive's transpose rule. Only linear primitives need transpose rules.
 */
import type { Array } from "../core/array.ts";
import { ShapedArray } from "../core/aval.ts";
import { type ClosedJaxpr, Literal, type Var, evalJaxpr, type Atom, type Jaxpr } from "../core/jaxpr.ts";
import { UndefinedPrimal } from "../core/primitive.ts";
import { InternalError, NotImplementedError } from "../errors.ts";
import { jvpFlat } from "./jvp.ts";
import { PartialVal, partialEvalFlat } from "./partial-eval.ts";
import { traceToJaxpr } from "./staging.ts";
import { zerosLikeAval } from "./zeros.ts";
import { jaxprArrays } from "./owned.ts";

let addImpl: ((a: Array, b: Array) => Array) | undefined;
/** Installed by the primitives layer: cotangent accumulation (`add_any`). */
export function installAddAny(f: (a: Array, b: Array) => Array): void {
  addImpl = f;
}
export function addAny(a: Array, b: Array): Array {
  if (addImpl === undefined) throw new InternalError("addAny not installed");
  return addImpl(a, b);
}

/** The tangent aval of a primal aval (same shape and dtype; never weak). */
export function tangentAval(a: ShapedArray): ShapedArray {
  return new ShapedArray(a.shape, a.dtype, false);
}

/**
 * Transpose a linear jaxpr. `args` gives each invar either a value (a non-linear input) or an
 * UndefinedPrimal (a linear input); returns one cotangent (or null = zero) per invar.
 */
export function backwardPass(
  jaxpr: Jaxpr,
  consts: readonly Array[],
  args: readonly (Array | UndefinedPrimal)[],
  cts: readonly (Array | null)[],
): (Array | null)[] {
  const primalEnv = new Map<Var, Array>();
  const ctEnv = new Map<Var, Array>();
  const readPrimal = (a: Atom): Array | UndefinedPrimal => {
    if (a instanceof Literal) return a.val;
    return primalEnv.get(a) ?? new UndefinedPrimal(a.aval);
  };
  const writeCt = (a: Atom, ct: Array | null) => {
    if (ct === null || a instanceof Literal) return;
    const prev = ctEnv.get(a);
    ctEnv.set(a, prev === undefined ? ct : addAny(prev, ct));
  };
  jaxpr.constvars.forEach((v, i) => primalEnv.set(v, consts[i]));
  jaxpr.invars.forEach((v, i) => {
    const a = args[i];
    if (!(a instanceof UndefinedPrimal)) primalEnv.set(v, a);
  });
  // Forward-evaluate equations with only defined inputs (non-linear parts that were staged).
  const linearEqns = [];
  for (const eqn of jaxpr.eqns) {
    const ins = eqn.inputs.map(readPrimal);
    if (ins.every((x) => !(x instanceof UndefinedPrimal))) {
      const outs = eqn.prim.bind(ins as Array[], eqn.params);
      eqn.outBinders.forEach((v, i) => primalEnv.set(v, outs[i]));
    } else linearEqns.push(eqn);
  }
  jaxpr.outvars.forEach((a, i) => writeCt(a, cts[i]));
  for (let k = linearEqns.length - 1; k >= 0; k--) {
    const eqn = linearEqns[k];
    const ctsOut = eqn.outBinders.map((v) => {
      const c = ctEnv.get(v);
      ctEnv.delete(v);
      return c ?? null;
    });
    if (ctsOut.every((c) => c === null)) continue;
    const rule = eqn.prim.rules.transpose;
    if (rule === undefined)
      throw new NotImplementedError(
        `transpose of primitive '${eqn.prim.name}' is not implemented (needed by grad/vjp); is it used non-linearly on a tangent?`,
      );
    const ins = eqn.inputs.map(readPrimal);
    const ctsIn = rule(ctsOut, ins, eqn.params);
    eqn.inputs.forEach((a, i) => {
      if (ins[i] instanceof UndefinedPrimal) writeCt(a, ctsIn[i] ?? null);
    });
  }
  return jaxpr.invars.map((v, i) => (args[i] instanceof UndefinedPrimal ? (ctEnv.get(v) ?? null) : null));
}

/** Linearize flat `f` at `primals`: primal outputs and a linear function of tangents. */
export function linearizeFlat(
  f: (...xs: Array[]) => Array[],
  primals: readonly Array[],
): { primalsOut: Array[]; jaxpr: ClosedJaxpr; outAvals: ShapedArray[] } {
  const n = primals.length;
  const pvalsIn = [
    ...primals.map((p) => PartialVal.known(p)),
    ...primals.map((p) => PartialVal.unknown(tangentAval(p.aval))),
  ];
  const fJvp = (...xs: Array[]): Array[] => {
    const [po, to] = jvpFlat(f, xs.slice(0, n), xs.slice(n));
    return [...po, ...(to as Array[])];
  };
  const { jaxpr, pvalsOut } = partialEvalFlat(fJvp, pvalsIn);
  const m = pvalsOut.length / 2;
  const primalPvals = pvalsOut.slice(0, m);
  const tangentPvals = pvalsOut.slice(m);
  // Known tangent outputs (e.g. outputs independent of the inputs) must still come out of the jaxpr.
  const primalsOut = primalPvals.map((p) => {
    if (p.known === null) throw new InternalError("linearize: primal output unknown");
    return p.known;
  });
  let lin = jaxpr;
  if (tangentPvals.some((p) => p.isKnown)) {
    lin = traceToJaxpr(
      (...ts: Array[]) => {
        const unk = evalJaxpr(jaxpr.jaxpr, jaxpr.consts, ts);
        let k = 0;
        return tangentPvals.map((p) => (p.known !== null ? p.known : unk[k++]));
      },
      primals.map((p) => tangentAval(p.aval)),
      "linearize",
    );
  }
  return { primalsOut, jaxpr: lin, outAvals: primalsOut.map((p) => tangentAval(p.aval)) };
}

/** VJP of flat `f`: primal outputs and a function from output cotangents to input cotangents. */
export function vjpFlat(
  f: (...xs: Array[]) => Array[],
  primals: readonly Array[],
): { primalsOut: Array[]; pullback: (cts: readonly (Array | null)[]) => Array[]; residuals: Array[] } {
  const { primalsOut, jaxpr } = linearizeFlat(f, primals);
  const pullback = (cts: readonly (Array | null)[]): Array[] => {
    const undef = primals.map((p) => new UndefinedPrimal(tangentAval(p.aval)));
    const res = backwardPass(jaxpr.jaxpr, jaxpr.consts, undef, cts);
    return res.map((c, i) => c ?? zerosLikeAval(tangentAval(primals[i].aval)));
  };
  // The arrays the pullback holds (the linear jaxpr's consts and literals): kept while it lives.
  return { primalsOut, pullback, residuals: jaxprArrays(jaxpr) };
}
