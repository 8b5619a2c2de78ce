/**
 * Lower + fuse: walk a jaxpr with the lowering rules, keeping values lazy (index functions) and
 * deciding where they must become buffers. The result is a program of steps — fused kernels and
 * routine calls — over numbered buffers, in an order that respects dependencies.
 *
 * A value is materialised (its kernel emitted) when
 * - a routine reads it (routines take buffers),
 * - it is a jaxpr output,
 * - it is read by more than one equation and recomputing it would duplicate more than
 *   `maxDuplicatedOps` ops per element,
 * - it is broadcast to a larger shape while costing more than `maxDuplicatedOps` per element,
 * - its expression grows beyond `maxKernelOps` (one kernel stays a reasonable size).
 * Reductions end a kernel: their body is the fused producer chain.
 * A backend that opts in (`routineEpilogue`) gets elementwise kernels that only consume a
 * routine's output moved into that routine's step (routine-epilogue.ts).
 */
import { InternalError } from "../errors.ts";
import type { ShapedArray } from "../core/aval.ts";
import { Literal, type Atom, type Jaxpr, type JaxprEqn, type Var } from "../core/jaxpr.ts";
import { loopVar } from "./index-expr.ts";
import { ExprBuilder, loadedBuffers, type Kernel } from "./ir.ts";
import { bufferValue, constantValue, getLowering, type Lazy, type LoweringResult } from "./lowering.ts";
import { attachEpilogues, type EpilogueCapability, type RoutineEpilogue } from "./routine-epilogue.ts";
import "./rules.ts";

export interface BufferInfo {
  readonly id: number;
  readonly aval: ShapedArray;
  readonly role: "input" | "temp" | "output";
}
export interface KernelStep {
  readonly kind: "kernel";
  readonly kernel: Kernel;
}
/** A primitive run by the backend's kernel (or its impl) on materialised buffers. */
export interface RoutineStep {
  readonly kind: "routine";
  readonly eqn: JaxprEqn;
  readonly inputs: readonly number[];
  readonly outputs: readonly number[];
  /** An elementwise kernel to apply to the output as the routine produces it (routine-epilogue.ts). */
  readonly epilogue?: RoutineEpilogue;
}
export type Step = KernelStep | RoutineStep;

export interface Program {
  readonly buffers: readonly BufferInfo[];
  /** Buffer ids of the jaxpr's constvars then invars. */
  readonly inputs: readonly number[];
  readonly outputs: readonly number[];
  readonly steps: readonly Step[];
}

export interface FuseOptions {
  readonly maxDuplicatedOps?: number;
  readonly maxKernelOps?: number;
  /**
   * The backend's opt-in to routine epilogues: which routine steps may take which elementwise
   * kernel as an epilogue (see routine-epilogue.ts). Absent: none do.
   */
  readonly routineEpilogue?: EpilogueCapability;
}

const isLazyList = (r: LoweringResult): r is readonly Lazy[] => globalThis.Array.isArray(r);

export function buildProgram(jaxpr: Jaxpr, opts: FuseOptions = {}): Program {
  const maxDup = opts.maxDuplicatedOps ?? 1;
  const maxOps = opts.maxKernelOps ?? 64;
  const b = new ExprBuilder();
  const ctx = { b };
  const buffers: { id: number; aval: ShapedArray; role: BufferInfo["role"] }[] = [];
  const steps: Step[] = [];
  const newBuffer = (aval: ShapedArray, role: BufferInfo["role"]): number => {
    buffers.push({ id: buffers.length, aval, role });
    return buffers.length - 1;
  };

  const uses = new Map<Var, number>();
  const use = (a: Atom): void => {
    if (!(a instanceof Literal)) uses.set(a, (uses.get(a) ?? 0) + 1);
  };
  jaxpr.eqns.forEach((e) => e.inputs.forEach(use));
  jaxpr.outvars.forEach(use);

  /** Emit the elementwise kernel of a lazy value into `id`. */
  const emit = (v: Lazy, id: number): void => {
    const shape = v.aval.shape;
    const values = v.at(
      shape.map((_, d) => loopVar(d)),
      shape,
    );
    steps.push({
      kind: "kernel",
      kernel: {
        kind: "elementwise",
        shape,
        outputs: [{ buffer: id, dtype: v.aval.dtype, values }],
        inputs: loadedBuffers(values),
      },
    });
  };
  const materialise = (v: Lazy): Lazy => {
    if (v.buffer !== undefined) return v;
    const id = newBuffer(v.aval, "temp");
    emit(v, id);
    return bufferValue(b, id, v.aval);
  };

  const env = new Map<Var, Lazy>();
  const inputs = [...jaxpr.constvars, ...jaxpr.invars].map((v) => {
    const id = newBuffer(v.aval, "input");
    env.set(v, bufferValue(b, id, v.aval));
    return id;
  });
  const read = (a: Atom): Lazy => {
    if (a instanceof Literal) {
      const d = a.val.dataSync();
      return constantValue(b, a.aval, globalThis.Array.from(d as ArrayLike<number>));
    }
    const v = env.get(a);
    if (v === undefined) throw new InternalError(`buildProgram: unbound variable ${a.id}`);
    return v;
  };

  for (const eqn of jaxpr.eqns) {
    const outAvals = eqn.outBinders.map((v) => v.aval);
    let ins = eqn.inputs.map(read);
    if (eqn.prim.name === "broadcastInDim" && outAvals[0].size > ins[0].aval.size)
      ins = ins.map((x) => (x.cost > maxDup ? materialise(x) : x));
    const rule = getLowering(eqn.prim);
    const res = rule?.(ctx, ins, outAvals, eqn.params) ?? null;
    if (res === null) {
      const bufs = ins.map(materialise);
      const outs = outAvals.map((a) => newBuffer(a, "temp"));
      steps.push({ kind: "routine", eqn, inputs: bufs.map((x) => x.buffer!), outputs: outs });
      eqn.outBinders.forEach((v, i) => env.set(v, bufferValue(b, outs[i], outAvals[i])));
      continue;
    }
    if (!isLazyList(res)) {
      const [x] = ins;
      const out = outAvals[0];
      const kept = x.aval.shape.map((_, d) => d).filter((d) => !res.axes.includes(d));
      const idx = x.aval.shape.map((_, d) =>
        res.axes.includes(d) ? loopVar(kept.length + res.axes.indexOf(d)) : loopVar(kept.indexOf(d)),
      );
      const reduceShape = res.axes.map((d) => x.aval.shape[d]);
      const ext = [...out.shape, ...reduceShape];
      const id = newBuffer(out, "temp");
      const values = x.at(idx, ext);
      steps.push({
        kind: "kernel",
        kernel: {
          kind: "reduce",
          outShape: out.shape,
          reduceShape,
          op: res.reduce,
          output: { buffer: id, dtype: out.dtype, values },
          inputs: loadedBuffers(values),
        },
      });
      env.set(eqn.outBinders[0], bufferValue(b, id, out));
      continue;
    }
    // Several outputs too costly to stay lazy (threefry's two words): one kernel writes them all,
    // so the work they share is done once.
    const costly =
      res.length > 1 && res.every((l) => l.cost > maxOps && l.aval.shape.join() === res[0].aval.shape.join());
    if (costly) {
      const ids = res.map((l) => newBuffer(l.aval, "temp"));
      const shape = res[0].aval.shape;
      const idx = shape.map((_, d) => loopVar(d));
      const outputs = res.map((l, i) => ({ buffer: ids[i], dtype: l.aval.dtype, values: l.at(idx, shape) }));
      steps.push({
        kind: "kernel",
        kernel: { kind: "elementwise", shape, outputs, inputs: loadedBuffers(outputs.flatMap((o) => o.values)) },
      });
      eqn.outBinders.forEach((v, i) => env.set(v, bufferValue(b, ids[i], res[i].aval)));
      continue;
    }
    eqn.outBinders.forEach((v, i) => {
      const lazy = res[i];
      const shared = (uses.get(v) ?? 0) > 1 && lazy.cost > maxDup;
      env.set(v, shared || lazy.cost > maxOps ? materialise(lazy) : lazy);
    });
  }

  // Outputs: fresh buffers owned by the caller. A temp buffer becomes the output as is; inputs,
  // literals and buffers already returned are copied (the caller must own each output once).
  const taken = new Set<number>();
  const outputs = jaxpr.outvars.map((a) => {
    const v = read(a);
    if (v.buffer !== undefined && buffers[v.buffer].role === "temp" && !taken.has(v.buffer)) {
      taken.add(v.buffer);
      buffers[v.buffer].role = "output";
      return v.buffer;
    }
    const id = newBuffer(v.aval, "output");
    taken.add(id);
    emit(v, id);
    return id;
  });
  const final =
    opts.routineEpilogue === undefined ? steps : attachEpilogues(steps, buffers, outputs, b, opts.routineEpilogue);
  return { buffers, inputs, outputs, steps: final };
}

/** Printable program (kernels in IR form, routines by primitive), for tests and debugging. */
export function printProgram(p: Program, printKernel: (k: Kernel) => string): string {
  const lines = [
    `inputs (${p.inputs.map((i) => `b${i}`).join(" ")}) outputs (${p.outputs.map((i) => `b${i}`).join(" ")})`,
  ];
  for (const s of p.steps) {
    if (s.kind === "kernel") lines.push(printKernel(s.kernel));
    else {
      lines.push(
        `routine ${s.eqn.prim.name} (${s.inputs.map((i) => `b${i}`).join(" ")}) -> (${s.outputs.map((i) => `b${i}`).join(" ")})`,
      );
      const e = s.epilogue;
      if (e !== undefined) {
        lines.push(`  epilogue on b${e.source}${e.inPlace ? " (in place)" : ""}:`);
        lines.push(
          ...printKernel(e.kernel)
            .split("\n")
            .map((l) => `    ${l}`),
        );
      }
    }
  }
  return lines.join("\n");
}
