/**
 * @linax-ts/backend-webgpu — WGSL kernels for every primitive family, run through WebGPU
 * (browsers' `navigator.gpu`, or Dawn's `dawn.node` from npm `webgpu` in Node).
 *
 * ```ts
 * import { np, setDefaultBackend } from "linax-ts";
 * import { initWebGPU } from "@linax-ts/backend-webgpu";
 * await initWebGPU();            // registers the "webgpu" backend
 * setDefaultBackend("webgpu");   // new arrays live on the GPU
 * ```
 */
import { registerBackend, listBackends, getBackend } from "@linax-ts/core";
import { WebGPUBackend, probeFusedFma } from "./backend.ts";
import { requestDevice, releaseGpuInstance, type DeviceOptions } from "./device.ts";
import "./kernels/index.ts";

export { WebGPUBackend, WebGPUBuffer } from "./backend.ts";
export { registerKernel, getKernel, kernelNames, type WgslKernel } from "./registry.ts";
export type { Program, Pass, Slot, Binding } from "./program.ts";
export type { DeviceOptions } from "./device.ts";

/**
 * Acquire a GPU device and register the "webgpu" backend (once; later calls return the same
 * backend). Does not change the default backend: call `setDefaultBackend("webgpu")` for that, or
 * move arrays with `devicePut(x, "webgpu")`.
 */
export async function initWebGPU(options: DeviceOptions = {}): Promise<WebGPUBackend> {
  if (listBackends().includes("webgpu")) return getBackend("webgpu") as WebGPUBackend;
  const { device, adapterInfo } = await requestDevice(options);
  const backend = new WebGPUBackend(device, adapterInfo, await probeFusedFma(device));
  registerBackend(backend);
  return backend;
}

/**
 * Destroy the backend's device and release the Dawn instance so that a Node process can exit.
 * The "webgpu" backend stays registered but unusable.
 */
export function shutdownWebGPU(): void {
  if (listBackends().includes("webgpu")) (getBackend("webgpu") as WebGPUBackend).destroy();
  releaseGpuInstance();
}
