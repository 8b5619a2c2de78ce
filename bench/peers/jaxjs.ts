/**
 * The jax-js peer (`@jax-js/jax`) on its "wasm" device. Loaded on first use through a computed
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

let loading: Promise<Jax> | undefined;

/** jax-js, initialised on "wasm" and made its default device (cached). */
export function loadJaxjs(): Promise<Jax> {
  loading ??= (async () => {
    const g = globalThis as { navigator?: unknown };
    g.navigator ??= { userAgent: "node", hardwareConcurrency: 2 };
    const spec = ["@jax-js", "jax"].join("/");
    const jax = (await import(spec)) as Jax;
    const devices = await jax.init("wasm");
    if (!devices.includes("wasm")) throw new Error(`jax-js: the wasm device is unavailable (got ${devices.join(", ")})`);
    jax.defaultDevice("wasm");
    return jax;
  })();
  return loading;
}

/** What a jax-js case builds: `run` returns the result to wait for (and then dispose). */
export interface JaxCase {
  run(): JaxArray | JaxArray[];
  inputs: JaxArray[];
}

/** A runner for `make` on jax-js's wasm device. */
export async function jaxjsRunner(make: (jax: Jax) => JaxCase): Promise<Runner> {
  const jax = await loadJaxjs();
  const c = make(jax);
  return {
    async run() {
      const out = c.run();
      for (const y of Array.isArray(out) ? out : [out]) (await y.blockUntilReady()).dispose();
    },
    dispose: () => c.inputs.forEach((x) => x.dispose()),
  };
}
