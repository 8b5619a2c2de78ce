/**
 * @linax-ts/backend-cpu — the reference CPU backend. Importing it registers the backend (as the
 * default unless another was chosen) and all of its kernels.
 */
import { registerBackend } from "@linax-ts/core";
import { CpuBackend } from "./backend.ts";
import "./kernels/elementwise.ts";
import "./kernels/shape.ts";
import "./kernels/reduce.ts";

export { CpuBackend, CpuBuffer } from "./backend.ts";
export { registerKernel, getKernel, kernelNames, type Kernel } from "./registry.ts";

/** The process-wide CPU backend instance. */
export const cpu = new CpuBackend();
registerBackend(cpu);
