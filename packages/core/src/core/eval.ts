/** The bottom of the interpreter stack: run primitives on a backend. */
import { Trace, installEvalTrace } from "./trace.ts";
import type { Array } from "./array.ts";
import { ConcreteArray } from "./concrete.ts";
import { devicePut } from "./device.ts";
import { checkPrimitiveOutputs, debugChecksOn, withUserFunction } from "./debug-nans.ts";
import type { Primitive, Params } from "./primitive.ts";
import type { ShapedArray } from "./aval.ts";
import { getBackend, type Backend, type DeviceBuffer } from "../backend.ts";
import { computeInFloat32, halfPlan, onReferencePath, withoutDebugChecks } from "./half-compute.ts";
import { NotImplementedError, UseAfterDisposeError, ValueError } from "../errors.ts";

export class EvalTrace extends Trace {
  pure(x: Array): Array {
    return x;
  }
  processPrimitive(prim: Primitive, args: readonly Array[], params: Params): Array[] {
    const concrete = args as readonly ConcreteArray[];
    // Before anything asks for a buffer (placement reads `backend`): name the op and the operand.
    // (Plain loops: this runs once per eager op, and closures and `map` cost there.)
    const inAvals: ShapedArray[] = new globalThis.Array(concrete.length);
    for (let i = 0; i < concrete.length; i++) {
      const a = concrete[i];
      if (a.isDisposed)
        throw new UseAfterDisposeError(`${prim.name}: operand ${i} (${a.aval.toString()}) was used after dispose()`);
      inAvals[i] = a.aval;
    }
    const outAvals = prim.rules.abstractEval(inAvals, params);
    // float16/bfloat16 compute in float32 (half-compute.ts says why here).
    const half = halfPlan(prim, inAvals, outAvals, params);
    if (half === "upcast") {
      // config.debugNans/debugInfs judge the half results, under this primitive's name (not the
      // conversions': an overflow to inf appears when the float32 result is rounded back).
      const outs = withoutDebugChecks(() =>
        computeInFloat32(prim, concrete, params, outAvals, (p, a, pr) => this.processPrimitive(p, a, pr)),
      );
      if (debugChecksOn()) checkPrimitiveOutputs(prim.name, outs, concrete, params);
      return outs;
    }
    if (half === "reference") return onReferencePath(() => this.run(prim, concrete, params, inAvals, outAvals));
    return this.run(prim, concrete, params, inAvals, outAvals);
  }
  private run(
    prim: Primitive,
    args: readonly ConcreteArray[],
    params: Params,
    inAvals: readonly ShapedArray[],
    outAvals: readonly ShapedArray[],
  ): Array[] {
    let concrete = args;
    const backend = concrete.length > 0 ? placement(prim.name, concrete) : getBackend();
    const inBufs: DeviceBuffer[] = new globalThis.Array(concrete.length);
    let moved = false;
    for (let i = 0; i < concrete.length; i++) {
      const buf = concrete[i].buffer;
      inBufs[i] = buf;
      if (buf.backend !== backend) moved = true;
    }
    if (moved) {
      concrete = concrete.map((a) => devicePut(a, backend.name) as ConcreteArray);
      for (let i = 0; i < concrete.length; i++) inBufs[i] = concrete[i].buffer;
    }
    const bufs = backend.execute(prim, inBufs, inAvals, outAvals, params);
    let outs: Array[] | undefined;
    if (bufs !== undefined) {
      outs = new globalThis.Array(bufs.length);
      for (let i = 0; i < bufs.length; i++) outs[i] = new ConcreteArray(bufs[i], outAvals[i]);
    } else if (prim.rules.impl !== undefined) {
      const impl = prim.rules.impl;
      // Under the debug flags, primitives interpreted inside a jitted function report its name.
      outs =
        prim.name === "jit" && typeof params.name === "string" && debugChecksOn()
          ? withUserFunction(params.name, () => impl(concrete, params))
          : impl(concrete, params);
    }
    if (outs !== undefined) {
      // config.debugNans / debugInfs: raise at the first primitive that makes a NaN/Inf.
      if (debugChecksOn()) checkPrimitiveOutputs(prim.name, outs, concrete, params);
      return outs;
    }
    throw new NotImplementedError(
      `the ${backend.name} backend has no kernel for primitive '${prim.name}' and it has no composite implementation`,
    );
  }
}
/**
 * Where a primitive with operands on several backends runs: on the one backend among them that
 * cannot be read synchronously (an accelerator: WebGPU), the host-readable operands (CPU arrays —
 * a JS scalar, a constant hoisted by jit, a weight created before `setDefaultBackend`) moving
 * there, as JAX moves uncommitted arrays to the device of the computation. Operands on two
 * different accelerators are an error: moving between them is the caller's decision.
 */
function placement(op: string, args: readonly ConcreteArray[]): Backend {
  const first = args[0].backend;
  let same = true;
  for (let i = 1; i < args.length && same; i++) same = args[i].backend === first;
  if (same) return first;
  const devices = [...new Set(args.map((a) => a.backend).filter((b) => b.syncReads === false))];
  if (devices.length === 1) return devices[0];
  const names = [...new Set(args.map((a) => a.backend.name))].join(" and ");
  throw new ValueError(`${op}: arguments live on different backends (${names}); move them with devicePut first`);
}

installEvalTrace(EvalTrace);
