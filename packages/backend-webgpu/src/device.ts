/**
 * Getting a GPUDevice: `navigator.gpu` in browsers, Dawn's `dawn.node` (npm `webgpu`) in Node.
 *
 * In Node the object returned by `create()` must stay reachable for as long as any adapter or
 * device made from it is in use — if the garbage collector takes it, Dawn keeps calling into the
 * freed instance and the process dies at random (segfaults, futex/mutex assertions). We park it
 * on `globalThis` (see shared/device/SOFTWARE-ADAPTER.md for the measurements behind this rule).
 */
import { LinaxError, ValueError } from "@linax-ts/core";

/** Options for acquiring a device. */
export interface DeviceOptions {
  /** An already-created device to use (the caller keeps its GPU instance alive). */
  device?: GPUDevice;
  /** Adapter power preference (default "high-performance"). */
  powerPreference?: GPUPowerPreference;
  /**
   * Which Vulkan driver Dawn uses in Node (ignored in browsers and when `VK_ICD_FILENAMES` /
   * `VK_DRIVER_FILES` is set). Default: the `LINAX_WEBGPU_ADAPTER` environment variable, else
   * "auto". "auto": the machine's drivers, and SwiftShader (Debian's `chromium` package) when they
   * give no adapter; "system": only the machine's drivers; "swiftshader": only SwiftShader.
   */
  adapter?: AdapterChoice;
  /** Don't print the line that says a software adapter was picked automatically. */
  quiet?: boolean;
}

/** See `DeviceOptions.adapter`. */
export type AdapterChoice = "auto" | "system" | "swiftshader";

/** The SwiftShader Vulkan ICD that Debian's `chromium` package ships. */
export const SWIFTSHADER_ICD = "/usr/lib/chromium/vk_swiftshader_icd.json";
/** Where the Vulkan loader looks for driver manifests when no variable names them. */
const ICD_DIRS = [
  "/etc/vulkan/icd.d",
  "/usr/share/vulkan/icd.d",
  "/usr/local/share/vulkan/icd.d",
  "/usr/local/etc/vulkan/icd.d",
];

interface DawnModule {
  create(flags: string[]): GPU;
  globals: Record<string, unknown>;
}

const GPU_SLOT = "__linaxWebGPUInstance";

type Env = Record<string, string | undefined>;
const processEnv = (): Env | undefined => (globalThis as { process?: { env?: Env } }).process?.env;

/** Whether `path` exists, and the names in directory `dir` (Node only; a variable specifier keeps bundlers away). */
async function nodeFs(): Promise<{ exists(path: string): boolean; list(dir: string): string[] }> {
  const name = "node:fs";
  const fs = (await import(name)) as { existsSync(p: string): boolean; readdirSync(p: string): string[] };
  return {
    exists: (p) => fs.existsSync(p),
    list: (d) => {
      try {
        return fs.readdirSync(d);
      } catch {
        return [];
      }
    },
  };
}

function adapterChoice(options: DeviceOptions, env: Env): AdapterChoice {
  const raw = options.adapter ?? env.LINAX_WEBGPU_ADAPTER ?? "auto";
  if (raw !== "auto" && raw !== "system" && raw !== "swiftshader") {
    throw new ValueError(
      `webgpu backend: adapter ${JSON.stringify(raw)} (option \`adapter\` or LINAX_WEBGPU_ADAPTER) is not one of "auto", "system", "swiftshader"`,
    );
  }
  return raw;
}

/** The GPU entry point of this environment, creating (and pinning) Dawn's in Node. */
async function gpuEntryPoint(): Promise<GPU> {
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  if (nav?.gpu !== undefined) return nav.gpu;
  const slot = globalThis as unknown as Record<string, GPU | undefined>;
  const pinned = slot[GPU_SLOT];
  if (pinned !== undefined) return pinned;
  return createDawn();
}

/** A new Dawn instance, pinned (replacing any earlier one, which the caller no longer uses). */
async function createDawn(): Promise<GPU> {
  const slot = globalThis as unknown as Record<string, GPU | undefined>;
  let mod: DawnModule;
  try {
    // A variable specifier keeps bundlers for the browser from trying to resolve the native addon.
    const name = "webgpu";
    mod = (await import(name)) as DawnModule;
  } catch (e) {
    throw new LinaxError(
      `webgpu backend: no navigator.gpu and the npm package 'webgpu' (Dawn for Node) could not be loaded: ${(e as Error).message}`,
    );
  }
  Object.assign(globalThis, mod.globals); // GPUBufferUsage, GPUMapMode, GPUShaderStage, …
  const gpu = mod.create([]);
  slot[GPU_SLOT] = gpu;
  return gpu;
}

/** Request an adapter and a device with the adapter's storage-buffer and workgroup limits. */
export async function requestDevice(
  options: DeviceOptions = {},
): Promise<{ device: GPUDevice; adapterInfo: string; fallback: boolean }> {
  if (options.device !== undefined)
    return { device: options.device, adapterInfo: "user-supplied device", fallback: false };
  const adapter = await findAdapter(options);
  if (adapter === null) {
    throw new LinaxError(
      "webgpu backend: requestAdapter() returned null — no WebGPU adapter. In Node on a machine without a GPU, " +
        `install Debian's chromium (SwiftShader's Vulkan driver, ${SWIFTSHADER_ICD}; scripts/install-webgpu-adapter.sh does it): ` +
        'initWebGPU() then uses it by itself (unless LINAX_WEBGPU_ADAPTER / the `adapter` option is "system").',
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

/**
 * Find an adapter. In Node with no driver named by `VK_ICD_FILENAMES`/`VK_DRIVER_FILES`, "auto"
 * tries the machine's Vulkan drivers and then SwiftShader: the Vulkan loader reads those variables
 * when Dawn creates its instance, so a second, fresh Dawn instance after setting the variable sees
 * the software driver. When the machine has no driver manifest at all, SwiftShader is used
 * directly (no failed first try, which makes Dawn print a vkCreateInstance warning).
 */
async function findAdapter(options: DeviceOptions): Promise<GPUAdapter | null> {
  const request = async (gpu: GPU) =>
    gpu.requestAdapter({ powerPreference: options.powerPreference ?? "high-performance" });
  const env = processEnv();
  const inNode = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu === undefined && env !== undefined;
  const pinned = (globalThis as unknown as Record<string, GPU | undefined>)[GPU_SLOT] !== undefined;
  if (!inNode || pinned || env.VK_ICD_FILENAMES !== undefined || env.VK_DRIVER_FILES !== undefined)
    return request(await gpuEntryPoint());
  const choice = adapterChoice(options, env);
  if (choice === "system") return request(await gpuEntryPoint());
  const fs = await nodeFs();
  const haveSoftware = fs.exists(SWIFTSHADER_ICD);
  if (choice === "swiftshader" && !haveSoftware) {
    throw new LinaxError(
      `webgpu backend: the SwiftShader adapter was asked for, but ${SWIFTSHADER_ICD} does not exist (install Debian's chromium: scripts/install-webgpu-adapter.sh)`,
    );
  }
  const systemDrivers = ICD_DIRS.some((d) => fs.list(d).some((f) => f.endsWith(".json")));
  if (choice === "auto" && (systemDrivers || !haveSoftware)) {
    const a = await request(await gpuEntryPoint());
    if (a !== null || !haveSoftware) return a;
  }
  env.XDG_RUNTIME_DIR ??= "/tmp"; // silences Dawn's "XDG_RUNTIME_DIR is invalid" on headless machines
  env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  const a = await request(await createDawn());
  if (a !== null && choice === "auto" && options.quiet !== true) {
    console.error(
      `linax webgpu: no GPU adapter found; using the SwiftShader software adapter (${SWIFTSHADER_ICD}) — slow, for tests. Set LINAX_WEBGPU_ADAPTER=system to refuse it.`,
    );
  }
  return a;
}
