/**
 * The WebGPU backend's kernel table, keyed by primitive name. A kernel turns avals and params into
 * a `Program` (program.ts); it returns `undefined` for a case it does not handle (a dtype, say),
 * and core then falls back to the primitive's composite `impl` where it has one, or raises an
 * error naming the backend and the primitive.
 */
import { InternalError } from "@linax-ts/core";
import type { ShapedArray } from "@linax-ts/core";
import type { Program } from "./program.ts";

export type WgslKernel = (
  inAvals: readonly ShapedArray[],
  outAvals: readonly ShapedArray[],
  // The primitive's params object; each kernel casts it to its primitive's params type.
  params: Readonly<Record<string, unknown>>,
) => Program | undefined;

const kernels = new Map<string, WgslKernel>();

/** Register the WGSL kernel of a primitive (by its name). */
export function registerKernel(name: string, k: WgslKernel): void {
  if (kernels.has(name)) throw new InternalError(`webgpu backend: kernel '${name}' registered twice`);
  kernels.set(name, k);
}
export function getKernel(name: string): WgslKernel | undefined {
  return kernels.get(name);
}
export function kernelNames(): string[] {
  return [...kernels.keys()];
}
