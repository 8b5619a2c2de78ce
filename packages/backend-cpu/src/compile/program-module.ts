/**
 * One WebAssembly module per compiled program: an exported function per kernel step, importing
 * the heap's memory and the reference scalar functions of the ops that have no exact native form.
 */
import { InternalError, compile } from "@linax-ts/core";
import { ModuleBuilder } from "../wasm/emitter.ts";
import { MAX_PAGES, type WasmHeap } from "../wasm/heap.ts";
import { isNativeScalar, kernelParams, renderElementwise, renderReduce, type BufferShape } from "./render-kernel.ts";
import { fastMathFor, referenceFunction } from "./scalar-ops.ts";
import { profileSteps } from "./step-profiler.ts";

export type KernelFn = (...ptrs: number[]) => void;

export interface ProgramModule {
  /** Per kernel (in the order given): the function and the buffers it takes, in parameter order. */
  readonly kernels: readonly { readonly fn: KernelFn; readonly params: readonly number[] }[];
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
export function buildProgramModule(kernels: readonly compile.Kernel[], buffers: (id: number) => BufferShape, heap: WasmHeap, fastMath = false): ProgramModule {
  const mb = new ModuleBuilder({ shared: heap.shared, minPages: 0, maxPages: MAX_PAGES });
  const env: Record<string, WebAssembly.ImportValue> = { memory: heap.memory };
  const importIndex = new Map<number, number>();
  for (const k of kernels) {
    for (const n of opNodes(k)) {
      if (importIndex.has(n.id) || n.op === "cmul.re" || n.op === "cmul.im" || isNativeScalar(n) || fastMathFor(n, fastMath) !== null) continue;
      const name = `f${importIndex.size}`;
      env[name] = referenceFunction(n);
      if (profileSteps) console.error(`cpu compile: '${n.op}' (${n.argDType}${Object.keys(n.params).length > 0 ? " " + JSON.stringify(n.params) : ""}) calls its reference function`);
      importIndex.set(n.id, mb.importFunc(name, n.args.map(() => "f64"), [n.type === "f32" ? "f64" : "i32"]));
    }
  }
  const ctx = {
    buffers,
    fastMath,
    imports: {
      indexOf: (n: { id: number; op: string }): number => {
        const i = importIndex.get(n.id);
        if (i === undefined) throw new InternalError(`cpu compile: op '${n.op}' has no imported function`);
        return i;
      },
    },
  };
  const params = kernels.map(kernelParams);
  kernels.forEach((k, i) =>
    mb.func(
      params[i].map(() => "i32"),
      [],
      (c) => (k.kind === "elementwise" ? renderElementwise(c, k, ctx) : renderReduce(c, k, ctx)),
      `k${i}`,
    ),
  );
  const module = new WebAssembly.Module(mb.bytes());
  const instance = new WebAssembly.Instance(module, { env });
  return { kernels: kernels.map((_, i) => ({ fn: instance.exports[`k${i}`] as KernelFn, params: params[i] })) };
}
