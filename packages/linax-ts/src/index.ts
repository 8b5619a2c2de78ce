/**
 * linax-ts — the batteries-included entry point: core (np, lax, transforms) with the CPU backend
 * registered, and the WebGPU backend one call away:
 *
 * ```ts
 * import { initWebGPU, setDefaultBackend } from "linax-ts";
 * await initWebGPU();           // acquires a device (navigator.gpu, or Dawn in Node) and registers "webgpu"
 * setDefaultBackend("webgpu");
 * ```
 */
import "@linax-ts/backend-cpu";
export * from "@linax-ts/core";
export * as nn from "@linax-ts/nn";
export * as ssm from "@linax-ts/ssm";
export { initWebGPU, shutdownWebGPU, type DeviceOptions } from "@linax-ts/backend-webgpu";
