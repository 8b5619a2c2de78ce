/** The bottom of the interpreter stack: run primitives on a backend. */
import { Trace, installEvalTrace } from "./trace.ts";
import type { Array } from "./array.ts";
import { ConcreteArray } from "./concrete.ts";
import type { Primitive, Params } from "./primitive.ts";
import { getBackend } from "../backend.ts";
import { NotImplementedError, ValueError } from "../errors.ts";

export class EvalTrace extends Trace {
  pure(x: Array): Array {
    return x;
  }
  processPrimitive(prim: Primitive, args: readonly Array[], params: Params): Array[] {
    const concrete = args as readonly ConcreteArray[];
    const inAvals = concrete.map((a) => a.aval);
    const outAvals = prim.rules.abstractEval(inAvals, params);
    const backend = concrete.length > 0 ? concrete[0].backend : getBackend();
    for (const a of concrete) {
      if (a.backend !== backend) {
        throw new ValueError(
          `${prim.name}: arguments live on different backends (${backend.name} and ${a.backend.name}); move them with devicePut first`,
        );
      }
    }
    const bufs = backend.execute(prim, concrete.map((a) => a.buffer), inAvals, outAvals, params);
    if (bufs !== undefined) return bufs.map((b, i) => new ConcreteArray(b, outAvals[i]));
    if (prim.rules.impl !== undefined) return prim.rules.impl(args, params);
    throw new NotImplementedError(`the ${backend.name} backend has no kernel for primitive '${prim.name}' and it has no composite implementation`);
  }
}
installEvalTrace(EvalTrace);
