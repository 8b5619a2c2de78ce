/**
 * Eager ops on the compiled path: a primitive with a lowering rule, applied to arrays large
 * enough for the kernel to matter, runs as a one-equation program rendered once per primitive,
 * params and operand types (cached). Results are the reference kernels' bit for bit (compiled
 * kernels are), so eager code gets the fused kernels' speed without `jit`. Small ops stay on the
 * reference kernels, whose dispatch is cheaper.
 */
import { compile, Jaxpr, JaxprEqn, registerCacheClearer, Var, type Primitive, type ShapedArray } from "@linax-ts/core";
import type { CpuBackend, CpuBuffer } from "../backend.ts";
import { CpuExecutable } from "./executable.ts";

/**
 * Past this many live heap bytes, eager ops run on the reference kernels again: their results then
 * live in JS arrays, which the garbage collector sees (it does not see the heap), so forgotten
 * eager results get collected and their heap blocks freed — eager code cannot fill the heap.
 */
export const EAGER_HEAP_LIMIT = 256 * 2 ** 20;

/** Ops whose largest operand or result has fewer elements run on the reference kernel. */
export const EAGER_COMPILE_MIN_SIZE = 4096;

const cache = new Map<string, CpuExecutable>();
const MAX_CACHED = 512;
registerCacheClearer(() => cache.clear());

/** Run `prim` as a compiled one-op program, or undefined when it has no lowering or is small. */
export function runEagerCompiled(
  be: CpuBackend,
  prim: Primitive,
  inputs: readonly CpuBuffer[],
  inAvals: readonly ShapedArray[],
  outAvals: readonly ShapedArray[],
  params: Readonly<Record<string, unknown>>,
): CpuBuffer[] | undefined {
  const size = Math.max(0, ...inAvals.map((a) => a.size), ...outAvals.map((a) => a.size));
  if (size < EAGER_COMPILE_MIN_SIZE || be.heap.liveBytes > EAGER_HEAP_LIMIT || compile.getLowering(prim) === undefined) return undefined;
  const key = `${prim.name}|${JSON.stringify(params)}|${inAvals.map(String).join(",")}`;
  let exe = cache.get(key);
  if (exe === undefined) {
    const ins = inAvals.map((a) => new Var(a));
    const outs = outAvals.map((a) => new Var(a));
    exe = new CpuExecutable(be, new Jaxpr([], ins, [new JaxprEqn(prim, ins, params, outs)], outs));
    if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value!);
    cache.set(key, exe);
  }
  // Only programs of kernels: a declined lowering (complex exp, say) becomes a routine step, which
  // would call straight back here.
  const c = exe.compiled;
  if (c === null || c.program.steps.some((st) => st.kind !== "kernel")) return undefined;
  return exe.execute(inputs as CpuBuffer[]) as CpuBuffer[];
}
