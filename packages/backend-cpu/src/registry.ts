/**
 * The CPU backend's kernel table, keyed by primitive name. Kernels are the plain-TypeScript
 * reference implementation: simple loops, obviously correct, kept forever as the oracle that
 * optimised kernels are tested against. Inputs and outputs are row-major typed arrays; complex64
 * is interleaved (re, im) in a Float32Array.
 */
import { InternalError } from "@linax-ts/core";
import type { ShapedArray, TypedArray } from "@linax-ts/core";

export type Kernel = (
  inputs: readonly TypedArray[],
  inAvals: readonly ShapedArray[],
  outAvals: readonly ShapedArray[],
  // Params are the primitive's params object; each kernel casts to its primitive's params type.
  params: Readonly<Record<string, unknown>>,
) => TypedArray[];

const kernels = new Map<string, Kernel>();

/** Register the kernel for a primitive (by its name). */
export function registerKernel(name: string, k: Kernel): void {
  if (kernels.has(name)) throw new InternalError(`cpu backend: kernel '${name}' registered twice`);
  kernels.set(name, k);
}
export function getKernel(name: string): Kernel | undefined {
  return kernels.get(name);
}
export function kernelNames(): string[] {
  return [...kernels.keys()];
}
