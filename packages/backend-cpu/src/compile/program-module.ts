/**
 * One WebAssembly module per compiled program: an exported function per kernel step, importing
 * the heap's memory and the reference scalar functions of the ops that have no exact native form.
 */
import { InternalError, prod, type compile } from "@linax-ts/core";
import { ModuleBuilder } from "../wasm/emitter.ts";
import { MAX_PAGES, type WasmHeap } from "../wasm/heap.ts";
import { isNativeScalar, kernelParams, renderElementwise, renderReduce, type BufferShape } from "./render-kernel.ts";
import { fastMathFor, referenceFunction } from "./scalar-ops.ts";
import { profileSteps } from "./step-profiler.ts";
import { KERNEL_ROUTINES, scalarRoutineFor, vectorRoutineFor } from "./scalar-routines.ts";
import { Library } from "../wasm/libm/library.ts";

/** A kernel: its buffers' heap addresses, then the range [lo, hi) of its outermost loop. */
export type KernelFn = (...ptrsThenRange: number[]) => void;

export interface ModuleKernel {
  readonly fn: KernelFn;
  /** The buffers it takes, in parameter order (the range follows them). */
  readonly params: readonly number[];
  /** The extent of the outermost loop: [0, outer) is the whole kernel. */
  readonly outer: number;
  /** Element evaluations of the whole kernel (output elements × reduced elements). */
  readonly work: number;
  /** Whether it calls imported JS functions (then it runs on the calling thread only). */
  readonly callsImports: boolean;
  /** Its position in the module (export `k<index>`). */
  readonly index: number;
}

export interface ProgramModule {
  /** Per kernel, in the order given. */
  readonly kernels: readonly ModuleKernel[];
  /** The compiled module (workers instantiate it on the same memory). */
  readonly module: WebAssembly.Module;
  /** Names of the imported functions (workers bind stubs: they only run kernels that call none). */
  readonly importNames: readonly string[];
}

function opNodes(k: compile.Kernel): compile.OpExpr[] {
  const seen = new Set<number>();
  const out: compile.OpExpr[] = [];
  const walk = (e: compile.Expr): void => {
    if (seen.has(e.id)) return;
    seen.add(e.id);
    if (e.kind === "op") {
      e.args.forEach(walk);
      out.push(e);
    }
  };
  (k.kind === "elementwise" ? k.outputs.flatMap((o) => o.values) : k.output.values).forEach(walk);
  return out;
}

/** Render and instantiate the kernels of a program on `heap`. Throws for a kernel the renderer cannot express. */
export function buildProgramModule(
  kernels: readonly compile.Kernel[],
  buffers: (id: number) => BufferShape,
  heap: WasmHeap,
  fastMath = false,
): ProgramModule {
  const mb = new ModuleBuilder({ shared: heap.shared, minPages: 0, maxPages: MAX_PAGES });
  const env: Record<string, WebAssembly.ImportValue> = { memory: heap.memory };
  const importIndex = new Map<number, number>();
  const nodes = kernels.map(opNodes);
  for (const kernelNodes of nodes) {
    for (const n of kernelNodes) {
      if (
        importIndex.has(n.id) ||
        n.op === "cmul.re" ||
        n.op === "cmul.im" ||
        isNativeScalar(n) ||
        fastMathFor(n, fastMath) !== null
      )
        continue;
      if (scalarRoutineFor(n) !== null) continue;
      const name = `f${importIndex.size}`;
      env[name] = referenceFunction(n);
      if (profileSteps)
        console.error(
          `cpu compile: '${n.op}' (${n.argDType}${Object.keys(n.params).length > 0 ? " " + JSON.stringify(n.params) : ""}) calls its reference function`,
        );
      importIndex.set(
        n.id,
        mb.importFunc(
          name,
          n.args.map(() => "f64"),
          [n.type === "f32" ? "f64" : "i32"],
        ),
      );
    }
  }
  // Ops with a WebAssembly routine call it like an import (defined after the imports, once per module).
  const library = new Library(mb, KERNEL_ROUTINES);
  const routineIndex = new Map<number, number>();
  const vectorIndex = new Map<number, number>();
  for (const kernelNodes of nodes)
    for (const n of kernelNodes) {
      if (fastMathFor(n, fastMath) !== null || isNativeScalar(n)) continue;
      const name = scalarRoutineFor(n);
      if (name !== null) routineIndex.set(n.id, library.index(name));
      const vname = vectorRoutineFor(n);
      if (vname !== null) vectorIndex.set(n.id, library.index(vname));
    }
  const ctx = {
    buffers,
    fastMath,
    imports: {
      indexOf: (n: { id: number; op: string }): number => {
        const i = importIndex.get(n.id) ?? routineIndex.get(n.id);
        if (i === undefined) throw new InternalError(`cpu compile: op '${n.op}' has no imported function`);
        return i;
      },
      vectorIndexOf: (n: { id: number }): number | undefined => vectorIndex.get(n.id),
    },
  };
  const params = kernels.map(kernelParams);
  const outer: number[] = [];
  kernels.forEach((k, i) =>
    mb.func(
      [...params[i].map(() => "i32" as const), "i32", "i32"],
      [],
      (c) => void (outer[i] = k.kind === "elementwise" ? renderElementwise(c, k, ctx) : renderReduce(c, k, ctx)),
      `k${i}`,
    ),
  );
  const module = new WebAssembly.Module(mb.bytes());
  const instance = new WebAssembly.Instance(module, { env });
  return {
    module,
    importNames: Object.keys(env).filter((n) => n !== "memory"),
    kernels: kernels.map((k, i) => ({
      fn: instance.exports[`k${i}`] as KernelFn,
      params: params[i],
      outer: outer[i],
      work: k.kind === "elementwise" ? prod(k.shape) : prod(k.outShape) * prod(k.reduceShape),
      callsImports: nodes[i].some((n) => importIndex.has(n.id)),
      index: i,
    })),
  };
}
