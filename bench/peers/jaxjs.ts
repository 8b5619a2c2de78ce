/**
 * The jax-js peer (`@jax-js/jax`) on its "wasm" device, or beside linax-ts's WebGPU backend on its
 * "webgpu" device (the same Dawn instance, so the same GPU). Loaded on first use through a computed
 * specifier so that the GPU bundle leaves it out. In Node it needs a `navigator` before loading;
 * it runs single-threaded there, because its worker pool needs the Web `Worker` global, which
 * Node does not have.
 *
 * jax-js's arrays are reference counted and functions consume their arguments: a case passes
 * `x.ref` to keep `x`. Its ops are lazy, so a run ends with `blockUntilReady()` on the result.
 */
import type { Runner } from "../harness.ts";

export type Jax = typeof import("@jax-js/jax");
export type JaxArray = InstanceType<Jax["Array"]>;

export type JaxDevice = "wasm" | "webgpu";
let loading: Promise<Jax> | undefined;
let loadedDevice: JaxDevice | undefined;

/**
 * jax-js, initialised on `device` and made its default device (cached; one device per process).
 * For "webgpu" it gets `navigator.gpu` = the Dawn instance linax-ts's `initWebGPU()` pinned on
 * `globalThis` (call that first), with WebGPU's globals (GPUBufferUsage, ...) from `webgpu`.
 */
export function loadJaxjs(device: JaxDevice = "wasm"): Promise<Jax> {
  if (loadedDevice !== undefined && loadedDevice !== device)
    return Promise.reject(new Error(`jax-js: already initialised on ${loadedDevice}, not ${device}`));
  loadedDevice = device;
  loading ??= (async () => {
    const g = globalThis as { navigator?: unknown; __linaxWebGPUInstance?: unknown };
    if (device === "webgpu") {
      const dawn = (await import(["web", "gpu"].join(""))) as { globals: object };
      Object.assign(globalThis, dawn.globals);
      if (g.__linaxWebGPUInstance === undefined)
        throw new Error("jax-js webgpu: initWebGPU() has not run (no Dawn instance to share)");
      Object.defineProperty(globalThis, "navigator", {
        value: { userAgent: "node", hardwareConcurrency: 2, gpu: g.__linaxWebGPUInstance },
        configurable: true,
        writable: true,
      });
    } else g.navigator ??= { userAgent: "node", hardwareConcurrency: 2 };
    const spec = ["@jax-js", "jax"].join("/");
    const jax = (await import(spec)) as Jax;
    const devices = await jax.init(device);
    if (!devices.includes(device))
      throw new Error(`jax-js: the ${device} device is unavailable (got ${devices.join(", ")})`);
    jax.defaultDevice(device);
    return jax;
  })();
  return loading;
}

/** What a jax-js case builds: `run` returns the result to wait for (and then dispose). */
export interface JaxCase {
  run(): JaxArray | JaxArray[];
  inputs: JaxArray[];
}

/** A runner for `make` on jax-js's wasm (or webgpu) device. */
export async function jaxjsRunner(make: (jax: Jax) => JaxCase, device: JaxDevice = "wasm"): Promise<Runner> {
  const jax = await loadJaxjs(device);
  const c = make(jax);
  return {
    async run() {
      const out = c.run();
      for (const y of Array.isArray(out) ? out : [out]) (await y.blockUntilReady()).dispose();
    },
    dispose: () => c.inputs.forEach((x) => x.dispose()),
  };
}
