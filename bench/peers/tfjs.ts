/**
 * TensorFlow.js peers: `@tensorflow/tfjs-core` with its WebAssembly (XNNPACK, SIMD) and plain-JS CPU
 * backends. Loaded on first use through a computed specifier, so that bundling the benchmarks for
 * the GPU machine (scripts/gpu-bundle.sh) leaves tfjs out — the peers run on the CPU only.
 *
 * tfjs has one global active backend and moves a tensor to the active backend when it is used, so
 * every runner switches to its backend before each run (outside the timed region) and creates its
 * inputs on that backend. tfjs's CPU and Wasm kernels compute synchronously when the op returns,
 * so a run is complete when its function returns. tfjs runs in production mode.
 */
import type { Runner } from "../harness.ts";

export type Tf = typeof import("@tensorflow/tfjs-core");
export type TfBackend = "wasm" | "cpu";

let loading: Promise<Tf> | undefined;

/** tfjs-core with both backends registered (cached). */
export function loadTfjs(): Promise<Tf> {
  loading ??= (async () => {
    const spec = (name: string): string => `@tensorflow/${name}`;
    const tf = (await import(spec("tfjs-core"))) as Tf;
    await import(spec("tfjs-backend-cpu"));
    await import(spec("tfjs-backend-wasm"));
    // Production mode, as a deployment would run it: no debug checks (and no Node.js banner).
    tf.enableProdMode();
    return tf;
  })();
  return loading;
}

/** What a tfjs case builds once its backend is active. */
export interface TfCase {
  run(): void;
  /** Tensors to dispose when the case is done. */
  inputs: { dispose(): void }[];
}

/** A runner for `make` on tfjs backend `be`. */
export async function tfjsRunner(be: TfBackend, make: (tf: Tf) => TfCase): Promise<Runner> {
  const tf = await loadTfjs();
  const activate = async (): Promise<void> => {
    if (tf.getBackend() !== be && !(await tf.setBackend(be)))
      throw new Error(`tfjs: backend ${be} failed to initialise`);
  };
  await activate();
  const c = make(tf);
  return {
    before: activate,
    run: () => c.run(),
    dispose: () => c.inputs.forEach((t) => t.dispose()),
  };
}

/** Facts about the tfjs Wasm backend for the report (threads, SIMD). */
export async function tfjsInfo(): Promise<string> {
  const tf = await loadTfjs();
  const simd = await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT");
  const mt = await tf.env().getAsync("WASM_HAS_MULTITHREAD_SUPPORT");
  return `tfjs ${tf.version_core}: wasm SIMD ${simd ? "on" : "off"}, threads ${mt ? "on" : "off (1 thread)"}`;
}
