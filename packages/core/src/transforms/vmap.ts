/**
 * Batching: BatchTracers carry (value, batch dim). Every primitive has a batch rule next to its
 * definition; named axes (`axisName`) let collectives (`lax.psum`, `lax.axisIndex`) find the vmap
 * they refer to.
 */
import type { Array } from "../core/array.ts";
import { ShapedArray } from "../core/aval.ts";
import { NotImplementedError } from "../errors.ts";
import type { AxisInfo, BatchDim, Primitive, Params } from "../core/primitive.ts";
import { Trace, Tracer, bind, currentMainTraces, fullRaise, withMainTrace, type MainTrace } from "../core/trace.ts";
import { asRule } from "./owned.ts";

export class BatchTracer extends Tracer {
  constructor(
    readonly _trace: BatchTrace,
    readonly val: Array,
    readonly bdim: BatchDim,
  ) {
    super();
  }
  get aval(): ShapedArray {
    const a = this.val.aval;
    if (this.bdim === null) return a;
    const shape = [...a.shape];
    shape.splice(this.bdim, 1);
    return new ShapedArray(shape, a.dtype, a.weakType);
  }
  override fullLower(): Array {
    return this.bdim === null ? this.val : this;
  }
}

export class BatchTrace extends Trace {
  get axis(): AxisInfo {
    return this.main.globalData as AxisInfo;
  }
  pure(x: Array): Array {
    return new BatchTracer(this, x, null);
  }
  processPrimitive(prim: Primitive, tracers: readonly Array[], params: Params): Array[] {
    // Rule work: an eager transform's scope records (and later frees) what it makes (owned.ts).
    return asRule(() => this.process(prim, tracers, params));
  }
  private process(prim: Primitive, tracers: readonly Array[], params: Params): Array[] {
    const ts = tracers as readonly BatchTracer[];
    const vals = ts.map((t) => t.val);
    const dims = ts.map((t) => t.bdim);
    // A collective over this trace's own axis runs its batch rule even on unbatched operands.
    if (dims.every((d) => d === null) && prim.rules.axisMain?.(params) !== this.main) return bind(prim, vals, params);
    const rule = prim.rules.batch;
    if (rule === undefined) throw new NotImplementedError(`vmap of primitive '${prim.name}' is not implemented`);
    const [outs, outDims] = rule(vals, dims, params, this.axis);
    return outs.map((o, i) => new BatchTracer(this, o, outDims[i]));
  }
}

/** Run `f` with inputs batched along `inDims`; returns outputs and their batch dims. */
export function vmapFlatRaw(
  f: (...xs: Array[]) => Array[],
  args: readonly Array[],
  inDims: readonly BatchDim[],
  axis: AxisInfo,
): [Array[], BatchDim[]] {
  return withMainTrace(BatchTrace, axis, "vmap", (main) => {
    const trace = new BatchTrace(main);
    const ins = args.map((a, i) => (inDims[i] === null ? a : new BatchTracer(trace, a, inDims[i])));
    const outs = f(...ins).map((o) => fullRaise(trace, o) as BatchTracer);
    return [outs.map((o) => o.val), outs.map((o) => o.bdim)];
  });
}

/** The vmap main trace bound to `axisName`, innermost first; undefined if none. */
export function findAxisMain(axisName: string): MainTrace | undefined {
  const stack = currentMainTraces();
  for (let i = stack.length - 1; i >= 0; i--) {
    const m = stack[i];
    if (m.traceType === BatchTrace && (m.globalData as AxisInfo).name === axisName) return m;
  }
  return undefined;
}
