/**
 * Jaxprs: the typed intermediate representation that `makeJaxpr` produces and transforms and
 * backends consume. Like JAX's: constvars, invars, a list of equations, outvars.
 * Higher-order primitives carry a `ClosedJaxpr` in their params whose consts are *concrete*
 * arrays; traced values a body closes over are always hoisted into explicit operands.
 */
import type { Array } from "./array.ts";
import { ShapedArray } from "./aval.ts";
import type { Primitive, Params } from "./primitive.ts";
import { bind } from "./trace.ts";
import { type ConcreteArray, nextArraySerial } from "./concrete.ts";
import { Intermediates } from "./last-use.ts";
import { formatData } from "./format.ts";
import { InternalError } from "../errors.ts";

let varCounter = 0;
export class Var {
  readonly id = varCounter++;
  constructor(readonly aval: ShapedArray) {}
}
/** A scalar constant inlined into an equation. */
export class Literal {
  constructor(readonly val: ConcreteArray) {}
  get aval(): ShapedArray {
    return this.val.aval;
  }
}
export type Atom = Var | Literal;

export class JaxprEqn {
  constructor(
    readonly prim: Primitive,
    readonly inputs: readonly Atom[],
    readonly params: Params,
    readonly outBinders: readonly Var[],
  ) {}
}

export class Jaxpr {
  constructor(
    readonly constvars: readonly Var[],
    readonly invars: readonly Var[],
    readonly eqns: readonly JaxprEqn[],
    readonly outvars: readonly Atom[],
  ) {}
  get inAvals(): ShapedArray[] {
    return this.invars.map((v) => v.aval);
  }
  get outAvals(): ShapedArray[] {
    return this.outvars.map((v) => v.aval);
  }
  toString(): string {
    return printJaxpr(this);
  }
}

/** A jaxpr with values for its constvars. */
export class ClosedJaxpr {
  constructor(
    readonly jaxpr: Jaxpr,
    readonly consts: readonly Array[],
  ) {
    if (jaxpr.constvars.length !== consts.length) throw new InternalError("ClosedJaxpr: consts do not match constvars");
  }
  get inAvals(): ShapedArray[] {
    return this.jaxpr.inAvals;
  }
  get outAvals(): ShapedArray[] {
    return this.jaxpr.outAvals;
  }
  toString(): string {
    return printJaxpr(this.jaxpr);
  }
}

/**
 * Evaluate a jaxpr by binding its equations in order (under whatever transforms are active).
 * Concrete intermediates it made are freed at their last use (core/last-use.ts says which);
 * `consts`, `args` and the results are the caller's.
 */
export function evalJaxpr(jaxpr: Jaxpr, consts: readonly Array[], args: readonly Array[]): Array[] {
  const env = new Map<Var, Array>();
  const read = (a: Atom): Array => {
    if (a instanceof Literal) return a.val;
    const v = env.get(a);
    if (v === undefined) throw new InternalError(`evalJaxpr: unbound variable ${a.id}`);
    return v;
  };
  jaxpr.constvars.forEach((v, i) => env.set(v, consts[i]));
  jaxpr.invars.forEach((v, i) => env.set(v, args[i]));
  const owned = new Intermediates(jaxpr);
  try {
    for (const eqn of jaxpr.eqns) {
      const ins = eqn.inputs.map(read);
      const mark = nextArraySerial();
      const outs = bind(eqn.prim, ins, eqn.params);
      eqn.outBinders.forEach((v, i) => env.set(v, outs[i]));
      owned.afterEqn(eqn, ins, outs, mark);
    }
  } catch (e) {
    owned.disposeAll();
    throw e;
  }
  return jaxpr.outvars.map(read);
}

export function evalClosedJaxpr(cj: ClosedJaxpr, args: readonly Array[]): Array[] {
  return evalJaxpr(cj.jaxpr, cj.consts, args);
}

// ---------------------------------------------------------------- printing

function nameFor(n: number): string {
  let s = "";
  do {
    s = String.fromCharCode(97 + (n % 26)) + s;
    n = Math.floor(n / 26) - 1;
  } while (n >= 0);
  return s;
}

function fmtParam(v: unknown, indent: string, names: Map<Var, string>): string {
  if (v instanceof ClosedJaxpr) return "{ lambda " + printBody(v.jaxpr, indent + "    ", names).trimStart() + " }";
  if (v instanceof Jaxpr) return "{ lambda " + printBody(v, indent + "    ", names).trimStart() + " }";
  if (Array_isArray(v)) return `(${v.map((x) => fmtParam(x, indent, names)).join(", ")})`;
  if (v === null || v === undefined) return "None";
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}
const Array_isArray = (v: unknown): v is unknown[] => globalThis.Array.isArray(v);

function printBody(jaxpr: Jaxpr, indent: string, names: Map<Var, string>): string {
  const name = (v: Var): string => {
    let n = names.get(v);
    if (n === undefined) {
      n = nameFor(names.size);
      names.set(v, n);
    }
    return n;
  };
  const atom = (a: Atom): string => {
    if (a instanceof Literal) {
      const d = a.val.dataSync();
      return (
        formatData(d, [], a.val.dtype, 0) +
        (a.val.dtype === "float32" ? "" : `:${a.val.aval.toString().replace("[]", "")}`)
      );
    }
    return name(a);
  };
  const binder = (v: Var) => `${name(v)}:${v.aval.toString()}`;
  const head = jaxpr.constvars.length > 0 ? `${jaxpr.constvars.map(binder).join(" ")}; ` : "";
  const lines = [`${head}${jaxpr.invars.map(binder).join(" ")}. let`];
  for (const e of jaxpr.eqns) {
    const outs = e.outBinders.map(binder).join(" ");
    const p = e.prim.rules.printParams
      ? e.prim.rules.printParams(e.params)
      : Object.entries(e.params)
          .map(([k, v]) => `${k}=${fmtParam(v, indent + "  ", names)}`)
          .join(" ");
    lines.push(`${indent}  ${outs} = ${e.prim.name}${p ? `[${p}]` : ""} ${e.inputs.map(atom).join(" ")}`);
  }
  lines.push(`${indent}in (${jaxpr.outvars.map(atom).join(", ")})`);
  return lines.join("\n");
}

/** Render a jaxpr the way JAX does: `{ lambda ; a:f32[3]. let b:f32[3] = sin a in (b,) }`. */
export function printJaxpr(jaxpr: Jaxpr): string {
  return `{ lambda ${printBody(jaxpr, "", new Map())} }`;
}

export { ShapedArray };
