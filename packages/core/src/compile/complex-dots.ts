/**
 * Complex products with real structure, as real products (a jaxpr → jaxpr pass before fusing).
 *
 * A complex64 `dotGeneral` costs four real products. Two patterns that SSM layers produce on every
 * step (S5: `B̃ @ u` with a real input promoted to complex, `real(C̃ @ x)` for the output, and their
 * transposes in the backward pass) need fewer:
 * - an operand converted from float32 (`convertElementType` → complex64): its imaginary part is
 *   zero, so `x·y = complex(x·Re y, x·Im y)` — two real products, or one when both are real;
 * - a product whose every use is `real(·)`: `Re(a·b) = Re a·Re b − Im a·Im b` — two real products
 *   (one when an operand is real), and the imaginary part is never computed.
 * A promoted operand is `convertElementType(x: float32 → complex64)` or `complex(x, 0)` (the
 * cotangent of `real` is the latter). Parts of a `complex(re, im)` are read as `re`/`im` directly
 * (`real(complex(a, b)) = a`), so no copy is made of a part that already exists.
 * The real products have the original dimension numbers; only dtypes change. Results agree with the
 * complex product within the usual f32 accumulation bound for finite operands. Where an operand
 * holds inf or NaN they may differ: the complex product multiplies the promoted zero imaginary
 * parts by it (0·inf = NaN), the real form never forms those terms.
 */
import { ShapedArray } from "../core/aval.ts";
import { Jaxpr, JaxprEqn, Literal, Var, type Atom } from "../core/jaxpr.ts";
import type { Primitive } from "../core/primitive.ts";
import { complexP, imagP, realP } from "../primitives/complex.ts";
import { convertElementTypeP, type ConvertParams } from "../primitives/convert.ts";
import { dotGeneralP, type DotGeneralParams } from "../primitives/dot.ts";
import { subP } from "../primitives/elementwise.ts";

const convertP = convertElementTypeP as unknown as Primitive;
const dotP = dotGeneralP as unknown as Primitive;

/** `jaxpr` with complex dots of real structure rewritten as real dots (the same jaxpr if none). */
export function rewriteComplexDots(jaxpr: Jaxpr): Jaxpr {
  const producer = new Map<Var, JaxprEqn>();
  const users = new Map<Var, JaxprEqn[]>();
  for (const e of jaxpr.eqns) {
    e.outBinders.forEach((v) => producer.set(v, e));
    for (const a of e.inputs) {
      if (!(a instanceof Var)) continue;
      const us = users.get(a);
      if (us === undefined) users.set(a, [e]);
      else us.push(e);
    }
  }
  const isOutput = new Set(jaxpr.outvars.filter((a): a is Var => a instanceof Var));

  /** Whether an atom is all zeros: a zero literal, or a broadcast of one. */
  const isZero = (a: Atom): boolean => {
    if (a instanceof Literal) return a.val.aval.size === 1 && a.val.dataSync()[0] === 0;
    const e = producer.get(a);
    return e !== undefined && e.prim.name === "broadcastInDim" && isZero(e.inputs[0]);
  };
  /** The float32 source of an operand promoted to complex64, else null. */
  const realSource = (a: Atom): Atom | null => {
    if (!(a instanceof Var)) return null;
    const e = producer.get(a);
    if (e === undefined) return null;
    if (e.prim === complexP && isZero(e.inputs[1])) return e.inputs[0];
    if (e.prim !== convertP) return null;
    const src = e.inputs[0];
    return src instanceof Var &&
      src.aval.dtype === "float32" &&
      (e.params as unknown as ConvertParams).newDType === "complex64"
      ? src
      : null;
  };
  /** real(x) / imag(x) of an existing `complex(re, im)`: that operand; else null. */
  const existingPart = (x: Atom, prim: Primitive): Atom | null => {
    const e = x instanceof Var ? producer.get(x) : undefined;
    return e !== undefined && e.prim === complexP ? e.inputs[prim === realP ? 0 : 1] : null;
  };

  const eqns: JaxprEqn[] = [];
  const env = new Map<Var, Atom>();
  /** `real` eqns whose result a rewritten dot now provides directly. */
  const replacedReal = new Set<JaxprEqn>();
  const parts = new Map<string, Var>();
  let changed = false;
  const read = (a: Atom): Atom => (a instanceof Var ? (env.get(a) ?? a) : a);
  /** Keep an eqn as it is, with its inputs renamed where an earlier rewrite replaced them. */
  const keep = (e: JaxprEqn): void => {
    eqns.push(
      e.inputs.some((a) => read(a) !== a) ? new JaxprEqn(e.prim, e.inputs.map(read), e.params, e.outBinders) : e,
    );
  };
  const emit = (prim: Primitive, inputs: Atom[], params: Readonly<Record<string, unknown>>, aval: ShapedArray): Var => {
    const v = new Var(aval);
    const e = new JaxprEqn(prim, inputs, params, [v]);
    eqns.push(e);
    producer.set(v, e);
    return v;
  };

  for (const e of jaxpr.eqns) {
    if (replacedReal.has(e)) continue;
    const out = e.outBinders[0];
    if (e.prim === realP || e.prim === imagP) {
      const direct = existingPart(read(e.inputs[0]), e.prim);
      if (direct !== null && direct.aval.dtype === "float32") {
        env.set(out, direct);
        changed = true;
        continue;
      }
    }
    if (e.prim !== dotP || out.aval.dtype !== "complex64") {
      keep(e);
      continue;
    }
    const [a, b] = e.inputs.map(read);
    const ra = realSource(a);
    const rb = realSource(b);
    const uses = users.get(out) ?? [];
    const realOnly = !isOutput.has(out) && uses.length > 0 && uses.every((u) => u.prim === realP);
    if (ra === null && rb === null && !realOnly) {
      keep(e);
      continue;
    }
    changed = true;
    const p = e.params as unknown as DotGeneralParams;
    const realParams = { ...p, preferredElementType: null };
    const realAval = new ShapedArray(out.aval.shape, "float32", false);
    const part = (x: Atom, prim: Primitive): Atom => {
      const direct = existingPart(x, prim);
      if (direct !== null) return direct;
      const extract = (): Var => emit(prim, [x], {}, new ShapedArray(x.aval.shape, "float32", x.aval.weakType));
      if (!(x instanceof Var)) return extract();
      // One extraction per operand and part: weights are read by several products.
      const key = `${prim.name}:${x.id}`;
      let v = parts.get(key);
      if (v === undefined) parts.set(key, (v = extract()));
      return v;
    };
    const dot = (x: Atom, y: Atom): Var => emit(dotP, [x, y], realParams, realAval);
    let re: Var;
    let im: Var | null = null;
    if (ra !== null && rb !== null) re = dot(ra, rb);
    else if (ra !== null) {
      re = dot(ra, part(b, realP));
      if (!realOnly) im = dot(ra, part(b, imagP));
    } else if (rb !== null) {
      re = dot(part(a, realP), rb);
      if (!realOnly) im = dot(part(a, imagP), rb);
    } else re = emit(subP, [dot(part(a, realP), part(b, realP)), dot(part(a, imagP), part(b, imagP))], {}, realAval);
    if (realOnly) {
      for (const u of uses) {
        replacedReal.add(u);
        env.set(u.outBinders[0], re);
      }
      continue;
    }
    if (im === null) {
      // Both operands real: the product is real, promoted back to complex for its users.
      const conv: ConvertParams = { newDType: "complex64", weakType: false };
      eqns.push(new JaxprEqn(convertP, [re], conv as unknown as Readonly<Record<string, unknown>>, [out]));
    } else {
      const c = new JaxprEqn(complexP, [re, im], {}, [out]);
      eqns.push(c);
      producer.set(out, c);
    }
  }
  if (!changed) return jaxpr;
  return new Jaxpr(jaxpr.constvars, jaxpr.invars, deadCodeFree(eqns, jaxpr.outvars.map(read)), jaxpr.outvars.map(read));
}

/** Drop the promotions and part extractions the rewrite left without users (pure ops only). */
function deadCodeFree(eqns: readonly JaxprEqn[], outvars: readonly Atom[]): JaxprEqn[] {
  const removable = new Set<string>(["convertElementType", "real", "imag", "complex", "broadcastInDim"]);
  const live = new Set<Var>(outvars.filter((a): a is Var => a instanceof Var));
  const kept: JaxprEqn[] = [];
  for (let i = eqns.length - 1; i >= 0; i--) {
    const e = eqns[i];
    if (removable.has(e.prim.name) && !e.outBinders.some((v) => live.has(v))) continue;
    kept.push(e);
    for (const a of e.inputs) if (a instanceof Var) live.add(a);
  }
  return kept.reverse();
}
