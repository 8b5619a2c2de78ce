/** Walking jaxprs, including the jaxprs that higher-order primitives carry in their params. */
import { ClosedJaxpr, Jaxpr, type JaxprEqn } from "linax-ts";

function nested(v: unknown, out: Jaxpr[]): void {
  if (v instanceof ClosedJaxpr) out.push(v.jaxpr);
  else if (v instanceof Jaxpr) out.push(v);
  else if (globalThis.Array.isArray(v)) for (const x of v) nested(x, out);
}

/** Every equation of `j` and of the jaxprs nested in its equations' params. */
export function allEqns(j: Jaxpr | ClosedJaxpr): JaxprEqn[] {
  const jaxpr = j instanceof ClosedJaxpr ? j.jaxpr : j;
  const out: JaxprEqn[] = [];
  for (const e of jaxpr.eqns) {
    out.push(e);
    const inner: Jaxpr[] = [];
    for (const v of Object.values(e.params)) nested(v, inner);
    for (const sub of inner) out.push(...allEqns(sub));
  }
  return out;
}
