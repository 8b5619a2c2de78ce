/**
 * Before a jaxpr is compiled (or interpreted) on WebGPU: every `associativeScan` whose combine is
 * linax's linear-recurrence operator `(a_i, b_i) ∘ (a_j, b_j) = (a_j·a_i, a_j·b_i + b_j)`
 * (`lax.isLinearRecurrenceCombine`) becomes `cumprod(a)` (only when its A output is read) and
 * `linearRecurrence(a, b)` — the chunked scan routine of kernels/cumulative-scan.ts, a few
 * dispatches — instead of the composition core's inliner would expand it into (per level of the
 * odd/even tree: strided slices, the vmapped combine, a concatenate and two pads; ~2·log₂ n
 * levels of kernels). The results are the same recurrence; rounding follows the scan routine's
 * tree (cumulative.ts states the bound) instead of the composition's.
 *
 * Reverse mode needs no rewrite here: core expands the JVP pair scan of this operator as linear
 * recurrences itself (core/src/primitives/control/associative-linear.ts).
 *
 * The rewrite recurses into the closed jaxprs of higher-order eqns (jit, scan bodies, remat,
 * cond branches): each rewritten jaxpr is the same function.
 */
import { ClosedJaxpr, Jaxpr, JaxprEqn, lax } from "@linax-ts/core";

type Params = Readonly<Record<string, unknown>>;
type Prim = JaxprEqn["prim"];
const cumprodPrim = lax.cumprodP as unknown as Prim;
const linearRecurrencePrim = lax.linearRecurrenceP as unknown as Prim;

const memo = new WeakMap<Jaxpr, Jaxpr>();

/** `jaxpr` with its linear-recurrence associative scans as routines (the same object when none). */
export function rewriteLinearScans(jaxpr: Jaxpr): Jaxpr {
  const hit = memo.get(jaxpr);
  if (hit !== undefined) return hit;
  const read = new Set<unknown>(jaxpr.outvars);
  for (const e of jaxpr.eqns) for (const a of e.inputs) read.add(a);
  let changed = false;
  const eqns: JaxprEqn[] = [];
  for (const eqn of jaxpr.eqns) {
    const p = eqn.params as Params;
    if (eqn.prim.name === "associativeScan") {
      const sp = p as unknown as lax.AssociativeScanParams;
      if (lax.isLinearRecurrenceCombine(sp.jaxpr, sp.numConsts)) {
        const [a, b] = eqn.inputs;
        const [A, h] = eqn.outBinders;
        if (read.has(A)) eqns.push(new JaxprEqn(cumprodPrim, [a], { axis: sp.axis, reverse: sp.reverse }, [A]));
        eqns.push(
          new JaxprEqn(linearRecurrencePrim, [a, b], { axis: sp.axis, reverse: sp.reverse, transposed: false }, [h]),
        );
        changed = true;
        continue;
      }
    }
    const np = rewriteParams(p);
    if (np !== p) {
      changed = true;
      eqns.push(new JaxprEqn(eqn.prim, eqn.inputs, np, eqn.outBinders));
    } else eqns.push(eqn);
  }
  const out = changed ? new Jaxpr(jaxpr.constvars, jaxpr.invars, eqns, jaxpr.outvars) : jaxpr;
  memo.set(jaxpr, out);
  return out;
}

function rewriteClosed(cj: ClosedJaxpr): ClosedJaxpr {
  const j = rewriteLinearScans(cj.jaxpr);
  return j === cj.jaxpr ? cj : new ClosedJaxpr(j, cj.consts);
}

/** Params with every closed jaxpr (or list of them: cond's branches) rewritten; `p` itself when none changes. */
function rewriteParams(p: Params): Params {
  let out: Record<string, unknown> | null = null;
  for (const [k, v] of Object.entries(p)) {
    let nv: unknown = v;
    if (v instanceof ClosedJaxpr) nv = rewriteClosed(v);
    else if (v instanceof Jaxpr) nv = rewriteLinearScans(v);
    else if (globalThis.Array.isArray(v) && v.some((x) => x instanceof ClosedJaxpr)) {
      const list = v.map((x: unknown) => (x instanceof ClosedJaxpr ? rewriteClosed(x) : x));
      nv = list.every((x, i) => x === v[i]) ? v : list;
    }
    if (nv !== v) (out ??= { ...p })[k] = nv;
  }
  return out ?? p;
}
