/**
 * Getting a GPUDevice: `navigator.gpu` in browsers, Dawn's `dawn.node` (npm `webgpu`) in Node.
 *
 * In Node the object returned by `create()` must stay reachable for as long as any adapter or
 * device made from it is in use — if the garbage collector takes it, Dawn keeps calling into the
 * freed instance and the process dies at random (segfaults, futex/mutex assertions). We park it
 * on `globalThis` (see shared/device/SOFTWARE-ADAPTER.md for the measurements behind this rule).
 */

/** Options for acquiring a device. */
export interface DeviceOptions {
  /** An already-created device to use (the caller keeps its GPU instance alive). */
  device?: GPUDevice;
  /** Adapter power preference (default "high-performance"). */
  powerPreference?: GPUPowerPreference;
}

interface DawnModule {
  create(flags: string[]): GPU;
  globals: Record<string, unknown>;
}

const GPU_SLOT = "__linaxWebGPUInstance";

/** The GPU entry point of this environment, creating (and pinning) Dawn's in Node. */
async function gpuEntryPoint(): Promise<GPU> {
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  if (nav?.gpu !== undefined) return nav.gpu;
  const slot = globalThis as unknown as Record<string, GPU | undefined>;
  const pinned = slot[GPU_SLOT];
  if (pinned !== undefined) return pinned;
  let mod: DawnModule;
  try {
    // A variable specifier keeps bundlers for the browser from trying to resolve the native addon.
    const name = "webgpu";
    mod = (await import(name)) as DawnModule;
  } catch (e) {
    throw new Error(`webgpu backend: no navigator.gpu and the npm package 'webgpu' (Dawn for Node) could not be loaded: ${(e as Error).message}`);
  }
  Object.assign(globalThis, mod.globals); // GPUBufferUsage, GPUMapMode, GPUShaderStage, …
  const gpu = mod.create([]);
  slot[GPU_SLOT] = gpu;
  return gpu;
}

/** Request an adapter and a device with the adapter's storage-buffer and workgroup limits. */
export async function requestDevice(options: DeviceOptions = {}): Promise<{ device: GPUDevice; adapterInfo: string; fallback: boolean }> {
  if (options.device !== undefined) return { device: options.device, adapterInfo: "user-supplied device", fallback: false };
  const gpu = await gpuEntryPoint();
  const adapter = await gpu.requestAdapter({ powerPreference: options.powerPreference ?? "high-performance" });
  if (adapter === null) {
    throw new Error(
      "webgpu backend: requestAdapter() returned null — no WebGPU adapter. In Node on a machine without a GPU, " +
        "install Debian's chromium and set VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json (SwiftShader).",
    );
  }
  const l = adapter.limits;
  const device = await adapter.requestDevice({
    requiredLimits: {
      maxStorageBuffersPerShaderStage: l.maxStorageBuffersPerShaderStage,
      maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
      maxBufferSize: l.maxBufferSize,
      maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
      maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
      maxComputeWorkgroupSizeX: l.maxComputeWorkgroupSizeX,
    },
  });
  const info = adapter.info;
  const adapterInfo = [info.vendor, info.architecture, info.device, info.description].filter((s) => s !== "").join(" ");
  return { device, adapterInfo, fallback: info.isFallbackAdapter ?? false };
}

/** Drop the pinned Dawn instance (after the last device is destroyed) so that Node can exit. */
export function releaseGpuInstance(): void {
  delete (globalThis as unknown as Record<string, unknown>)[GPU_SLOT];
}
