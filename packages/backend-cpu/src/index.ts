/**
 * @linax-ts/backend-cpu — the reference CPU backend. Importing it registers the backend (as the
 * default unless another was chosen) and all of its kernels.
 */
import { registerBackend } from "@linax-ts/core";
import { CpuBackend } from "./backend.ts";
import "./kernels/elementwise.ts";
import "./kernels/elementwise-math.ts";
import "./kernels/elementwise-logic.ts";
import "./kernels/elementwise-special.ts";
import "./kernels/shape.ts";
import "./kernels/reduce.ts";
import "./kernels/shape-slicing.ts";
import "./kernels/indexing.ts";
import "./kernels/cumulative.ts";
import "./kernels/dot.ts";
import "./kernels/conv.ts";
import "./kernels/sort.ts";
import "./kernels/linalg-prims.ts";
import "./kernels/svd.ts";
import "./kernels/eig.ts";
import "./kernels/fft-prims.ts";
import "./kernels/random.ts";

export { CpuBackend, CpuBuffer } from "./backend.ts";
export { registerKernel, getKernel, kernelNames, type Kernel } from "./registry.ts";

/** The process-wide CPU backend instance. */
export const cpu = new CpuBackend();
registerBackend(cpu);
