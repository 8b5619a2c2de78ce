/**
 * Inline calls before fusing: a nested `jit` is its jaxpr, and higher-order primitives whose
 * composite impl is a fixed graph of primitives (associativeScan, custom derivative calls,
 * remat) are that graph, traced once at compile time. Inlined, their ops fuse with their
 * neighbours instead of running as opaque routines interpreted op by op.
 *
 * Primitives whose impl decides at run time (cond reads its predicate, loops run a data-dependent
 * or long number of iterations) are left as routines.
 */
import type { Array } from "../core/array.ts";
import { Jaxpr, JaxprEqn, Literal, Var, type Atom, type ClosedJaxpr } from "../core/jaxpr.ts";
import { traceToJaxpr } from "../transforms/staging.ts";

/** Primitives inlined by default. */
export const INLINED = new Set(["jit", "associativeScan", "customJvpCall", "customVjpCall", "remat"]);

/** The jaxpr a call eqn stands for, or null to keep it a routine. */
function expansion(eqn: JaxprEqn): ClosedJaxpr | null {
  const p = eqn.params as Readonly<Record<string, unknown>>;
  if (eqn.prim.name === "jit") return p.jaxpr as ClosedJaxpr;
  const impl = eqn.prim.rules.impl;
  if (impl === undefined) return null;
  try {
    return traceToJaxpr(
      (...xs: Array[]) => impl(xs, eqn.params),
      eqn.inputs.map((a) => a.aval),
      `inline(${eqn.prim.name})`,
    );
  } catch {
    return null; // an impl that needs concrete values
  }
}

/**
 * `jaxpr` with the calls `inline` selects expanded (recursively). Consts of traced expansions
 * become leading constvars of the result; `consts` are their values, in order.
 */
export function inlineCalls(
  jaxpr: Jaxpr,
  inline: (eqn: JaxprEqn) => boolean = (e) => INLINED.has(e.prim.name),
): { jaxpr: Jaxpr; consts: Array[] } {
  const constvars: Var[] = [];
  const consts: Array[] = [];
  const eqns: JaxprEqn[] = [];
  let changed = false;

  /** Copy j's eqns with env's substitutions; `rename`: give binders fresh vars (an inlined body may be inlined twice). */
  const walk = (j: Jaxpr, env: Map<Var, Atom>, rename: boolean): Atom[] => {
    const read = (a: Atom): Atom => (a instanceof Literal ? a : (env.get(a) ?? a));
    for (const eqn of j.eqns) {
      const inputs = eqn.inputs.map(read);
      const cj = inline(eqn) ? expansion(eqn) : null;
      if (cj === null) {
        const outs = eqn.outBinders.map((v) => (rename ? new Var(v.aval) : v));
        eqn.outBinders.forEach((v, i) => outs[i] !== v && env.set(v, outs[i]));
        eqns.push(
          inputs.every((a, i) => a === eqn.inputs[i]) && outs.every((v, i) => v === eqn.outBinders[i])
            ? eqn
            : new JaxprEqn(eqn.prim, inputs, eqn.params, outs),
        );
        continue;
      }
      changed = true;
      const inner = new Map<Var, Atom>();
      cj.jaxpr.constvars.forEach((v, i) => {
        const cv = new Var(v.aval);
        constvars.push(cv);
        consts.push(cj.consts[i]);
        inner.set(v, cv);
      });
      cj.jaxpr.invars.forEach((v, i) => inner.set(v, inputs[i]));
      const results = walk(cj.jaxpr, inner, true);
      eqn.outBinders.forEach((v, i) => env.set(v, results[i]));
    }
    return j.outvars.map(read);
  };
  const outvars = walk(jaxpr, new Map(), false);
  if (!changed) return { jaxpr, consts: [] };
  return { jaxpr: new Jaxpr([...constvars, ...jaxpr.constvars], jaxpr.invars, eqns, outvars), consts };
}
