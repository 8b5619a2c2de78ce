/**
 * Forward mode: JVPTracers carry (primal, tangent). A tangent of `null` is a symbolic zero: a
 * primitive whose inputs all have zero tangents is applied to the primals only, which keeps
 * constants (and the integer parts of a program) free of tangent work.
 */
import type { Array } from "../core/array.ts";
import type { ShapedArray } from "../core/aval.ts";
import { NotImplementedError } from "../errors.ts";
import type { Primitive, Params } from "../core/primitive.ts";
import { Trace, Tracer, bind, fullRaise, withMainTrace } from "../core/trace.ts";
import { zerosLikeAval } from "./zeros.ts";
import { asRule } from "./owned.ts";

export class JVPTracer extends Tracer {
  constructor(
    readonly _trace: JVPTrace,
    readonly primal: Array,
    readonly tangent: Array | null,
  ) {
    super();
  }
  get aval(): ShapedArray {
    return this.primal.aval;
  }
}

export class JVPTrace extends Trace {
  pure(x: Array): Array {
    return new JVPTracer(this, x, null);
  }
  processPrimitive(prim: Primitive, tracers: readonly Array[], params: Params): Array[] {
    // Rule work: an eager transform's scope records (and later frees) what it makes (owned.ts).
    return asRule(() => this.process(prim, tracers, params));
  }
  private process(prim: Primitive, tracers: readonly Array[], params: Params): Array[] {
    const ts = tracers as readonly JVPTracer[];
    const primals = ts.map((t) => t.primal);
    if (ts.every((t) => t.tangent === null)) {
      return bind(prim, primals, params).map((p) => new JVPTracer(this, p, null));
    }
    if (prim.rules.jvpWithZeros !== undefined) {
      const [po, to] = prim.rules.jvpWithZeros(
        primals,
        ts.map((t) => t.tangent),
        params,
      );
      return po.map((p, i) => new JVPTracer(this, p, to[i] ?? null));
    }
    const rule = prim.rules.jvp;
    if (rule === undefined)
      throw new NotImplementedError(`jvp of primitive '${prim.name}' is not implemented (needed by jvp/grad)`);
    const tangents = ts.map((t) => t.tangent ?? zerosLikeAval(t.primal.aval));
    const [po, to] = rule(primals, tangents, params);
    return po.map((p, i) => new JVPTracer(this, p, to[i] ?? null));
  }
}

/**
 * Flat JVP: `f` maps a list of arrays to a list of arrays. Tangents may be null (zero).
 * Returns primal outputs and tangent outputs (zeros instantiated unless `instantiate` is false).
 */
export function jvpFlat(
  f: (...xs: Array[]) => Array[],
  primals: readonly Array[],
  tangents: readonly (Array | null)[],
  instantiate = true,
): [Array[], (Array | null)[]] {
  return withMainTrace(JVPTrace, undefined, "jvp", (main) => {
    const trace = new JVPTrace(main);
    const ins = primals.map((p, i) => new JVPTracer(trace, p, tangents[i]));
    const outs = f(...ins).map((o) => fullRaise(trace, o) as JVPTracer);
    const po = outs.map((o) => o.primal);
    const to = outs.map((o) => (o.tangent === null && instantiate ? zerosLikeAval(o.primal.aval) : o.tangent));
    return [po, to];
  });
}
