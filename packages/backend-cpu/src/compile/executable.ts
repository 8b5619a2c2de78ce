/**
 * A jitted jaxpr on the CPU: the compile layer's program (fused kernels + routines) with its buffer
 * plan, the kernels rendered into one WebAssembly module. A call runs the steps in order: kernels
 * on heap addresses, routines through the reference kernel table (or the primitive's composite
 * impl), every intermediate freed right after its last reader.
 *
 * If the program cannot be compiled (a kernel the renderer cannot express), the jaxpr is
 * interpreted instead — same results, reference speed.
 */
import {
  InternalError,
  compile,
  config,
  ConcreteArray,
  evalJaxpr,
  NotImplementedError,
  type DeviceBuffer,
  type Executable,
  type Jaxpr,
} from "@linax-ts/core";
import type { CpuBackend, CpuBuffer } from "../backend.ts";
import { buildProgramModule, type ModuleKernel, type ProgramModule } from "./program-module.ts";
import { kernelPool, threaded } from "./kernel-threads.ts";
import { profileSteps, recordStep } from "./step-profiler.ts";
import { acceptsEpilogue, epilogueFusionEnabled, GemmEpilogue } from "./gemm-epilogue.ts";
import { envVar } from "../env.ts";

type Compiled = {
  readonly program: compile.Program;
  readonly plan: compile.BufferPlan;
  /** Per step: the kernel, or for a routine its epilogue's kernel (null if none). */
  readonly kernels: readonly (ModuleKernel | null)[];
  /** Per routine step with an epilogue the GEMM applies: its compiled form (else null). */
  readonly fused: readonly (GemmEpilogue | null)[];
  /** The kernels' module (the pool instantiates it in its workers). */
  readonly module: ProgramModule;
  /** Values of the inlined calls' consts (the program's leading inputs). */
  readonly constBuffers: readonly CpuBuffer[];
  /** The const arrays themselves, kept alive (their finalizers would free the buffers). */
  readonly consts: readonly unknown[];
};

export class CpuExecutable implements Executable {
  /** By config.fastMath: the program compiled with and without the polynomial functions. */
  readonly #compiled = new Map<boolean, Compiled | null>();
  constructor(
    readonly backend: CpuBackend,
    readonly jaxpr: Jaxpr,
  ) {}

  /** The compiled program, or null when the jaxpr must be interpreted. */
  get compiled(): Compiled | null {
    const fastMath = config.read("fastMath");
    let c = this.#compiled.get(fastMath);
    if (c === undefined) {
      try {
        c = this.#compile(fastMath);
      } catch (e) {
        if (envVar("LINAX_DEBUG_COMPILE")) console.error("cpu compile: interpreting instead:", e);
        c = null;
      }
      this.#compiled.set(fastMath, c);
    }
    return c;
  }

  #compile(fastMath: boolean): Compiled {
    const inlined = compile.inlineCalls(this.jaxpr);
    const jaxpr = compile.rewriteComplexDots(inlined.jaxpr);
    const consts = inlined.consts;
    const program = compile.buildProgram(jaxpr, {
      routineEpilogue: epilogueFusionEnabled() ? acceptsEpilogue : undefined,
    });
    const avalOf = (id: number) => program.buffers[id].aval;
    const plan = compile.planBuffers(program);
    const kernelOf = (s: compile.Step): compile.Kernel[] =>
      s.kind === "kernel" ? [s.kernel] : s.epilogue !== undefined ? [s.epilogue.kernel] : [];
    const kernelSteps = program.steps.flatMap(kernelOf);
    const mod = buildProgramModule(
      kernelSteps,
      (id) => ({ dtype: program.buffers[id].aval.dtype, size: program.buffers[id].aval.size }),
      this.backend.heap,
      fastMath,
    );
    let ki = 0;
    const kernels = program.steps.map((s) => (kernelOf(s).length > 0 ? mod.kernels[ki++] : null));
    const fused = program.steps.map((s) => (s.kind === "routine" ? GemmEpilogue.of(s, avalOf, fastMath) : null));
    // Consts of inlined calls lead the program's inputs; they live as long as this executable.
    const constBuffers = consts.map((c) => {
      if (!(c instanceof ConcreteArray) || c.backend !== this.backend)
        throw new InternalError("cpu compile: an inlined call's const is not a CPU array");
      return c.buffer as CpuBuffer;
    });
    return { program, plan, kernels, fused, constBuffers, consts, module: mod };
  }

  execute(inputs: DeviceBuffer[], donated?: readonly boolean[]): DeviceBuffer[] {
    const c = this.compiled;
    return c === null ? this.#interpret(inputs as CpuBuffer[]) : this.#run(c, inputs as CpuBuffer[], donated);
  }

  /** Per step, the donated inputs to free after it (so their heap blocks serve this call's allocations). Cached by mask. */
  readonly #donatedFrees = new Map<string, number[][]>();
  #freesFor(c: Compiled, donated: readonly boolean[] | undefined): readonly (readonly number[])[] | null {
    if (donated === undefined || !donated.includes(true)) return null;
    const key = donated.map((d) => (d ? 1 : 0)).join("");
    let frees = this.#donatedFrees.get(key);
    if (frees === undefined) {
      const nConst = c.constBuffers.length;
      const ids = c.program.inputs.filter((_, i) => i >= nConst && donated[i - nConst] === true);
      this.#donatedFrees.set(key, (frees = compile.donatedFrees(c.program, ids)));
    }
    return frees;
  }

  #run(compiled: Compiled, args: readonly CpuBuffer[], donated?: readonly boolean[]): DeviceBuffer[] {
    const { program, plan, kernels, fused, constBuffers, module } = compiled;
    const donatedFrees = this.#freesFor(compiled, donated);
    const be = this.backend;
    const pool = kernelPool(be);
    const bufs: (CpuBuffer | undefined)[] = new Array(program.buffers.length);
    const inputs = constBuffers.length === 0 ? args : [...constBuffers, ...args];
    program.inputs.forEach((id, i) => (bufs[id] = inputs[i]));
    const copies: number[] = [];
    try {
      program.steps.forEach((step, si) => {
        const t0 = profileSteps ? performance.now() : 0;
        const k = kernels[si];
        const runKernel = (k: ModuleKernel): void => {
          const ptrs = k.params.map((id) => {
            let b = bufs[id];
            if (b === undefined) {
              const info = program.buffers[id].aval;
              b = bufs[id] = be.allocHeap(info.dtype, info.size);
              return b.ptr;
            }
            const moved = b.ptr === 0;
            const p = be.heapAddress(b);
            if (moved && b.ptr !== p) copies.push(p); // a borrowed buffer's temporary copy
            return p;
          });
          if (pool !== null && threaded(k)) pool.run(module, k.index, k.fn, ptrs, k.outer, 4 * pool.threads);
          else k.fn(...ptrs, 0, k.outer);
        };
        if (step.kind === "kernel") runKernel(k!);
        else if (fused[si]?.run(be, bufs, copies) !== true) {
          const outs = this.#routine(
            step,
            step.inputs.map((id) => bufs[id]!),
          );
          step.outputs.forEach((id, i) => (bufs[id] = outs[i]));
          // An epilogue the GEMM did not apply runs as the kernel it was (in place: over the routine's output).
          if (k !== null) runKernel(k);
        }
        if (profileSteps) recordStep(step, performance.now() - t0);
        for (const id of plan.freeAfter[si]) {
          be.dispose(bufs[id]!);
          bufs[id] = undefined;
        }
        // A donated input's memory goes back to the heap after its last reader (core deletes the array after the call).
        if (donatedFrees !== null)
          for (const id of donatedFrees[si]) if (!constBuffers.includes(bufs[id]!)) be.dispose(bufs[id]!);
      });
    } catch (e) {
      // Free what this call allocated; the inputs stay the caller's.
      bufs.forEach((b, id) => b !== undefined && program.buffers[id].role !== "input" && be.dispose(b));
      throw e;
    } finally {
      for (const p of copies) be.heap.free(p);
    }
    return program.outputs.map((id) => {
      const b = bufs[id]!;
      be.evict(b);
      return b;
    });
  }

  /** A routine: the backend's reference kernel, or the primitive's composite impl on borrowed arrays. */
  #routine(step: compile.RoutineStep, ins: readonly CpuBuffer[]): CpuBuffer[] {
    const be = this.backend;
    const { prim, params } = step.eqn;
    const inAvals = step.eqn.inputs.map((a) => a.aval);
    const outAvals = step.eqn.outBinders.map((v) => v.aval);
    const outs = be.execute(prim, ins, inAvals, outAvals, params);
    if (outs !== undefined) return outs as CpuBuffer[];
    const impl = prim.rules.impl;
    if (impl === undefined)
      throw new NotImplementedError(
        `the cpu backend has no kernel for primitive '${prim.name}' and it has no composite implementation`,
      );
    const args = ins.map((b, i) => new ConcreteArray(be.borrow(b), inAvals[i]));
    return impl(args, params).map((r, i) => this.#own(r, outAvals[i].dtype, outAvals[i].size));
  }

  /** A buffer this call owns with the contents of an array it may not (a composite impl's result). */
  #own(r: unknown, dtype: CpuBuffer["dtype"], size: number): CpuBuffer {
    if (!(r instanceof ConcreteArray))
      throw new InternalError("cpu compile: a composite impl returned a non-concrete value");
    return this.backend.wrapTyped(r.dataSync(), dtype, size);
  }

  /** The reference path: interpret the jaxpr on borrowed arrays; outputs become owned copies. */
  #interpret(inputs: readonly CpuBuffer[]): DeviceBuffer[] {
    const be = this.backend;
    const args = inputs.map((b, i) => new ConcreteArray(be.borrow(b), this.jaxpr.invars[i].aval));
    return evalJaxpr(this.jaxpr, [], args).map((r, i) =>
      this.#own(r, this.jaxpr.outvars[i].aval.dtype, this.jaxpr.outvars[i].aval.size),
    );
  }
}
