/**
 * The contract between core and a backend. Core never imports a backend: backends register
 * themselves (`registerBackend`) and core asks the registry.
 *
 * A backend owns device buffers and runs primitives on them. `execute` is synchronous from the
 * caller's point of view (it may only *enqueue* work, as WebGPU does); reading data back is async
 * (`read`), with `readSync` where the device allows it.
 */
import type { ShapedArray } from "./core/aval.ts";
import type { Primitive } from "./core/primitive.ts";
import type { Jaxpr } from "./core/jaxpr.ts";
import type { TypedArray } from "./dtype.ts";
import { ValueError } from "./errors.ts";

/** An opaque device buffer handle owned by one backend. */
export interface DeviceBuffer {
  readonly backend: Backend;
}

/** A compiled jaxpr: run it on device buffers (inputs follow `jaxpr.inBinders`). */
export interface Executable {
  /**
   * Run on `inputs`. `donated[i]` marks an input whose buffer the caller gives up (jit's
   * `donateArgnums`): the executable may free or reuse it once it has no further reader in the
   * program (core disposes it after the call in any case). Core passes a buffer as donated only
   * when it occurs once among the inputs.
   */
  execute(inputs: DeviceBuffer[], donated?: readonly boolean[]): DeviceBuffer[];
}

export interface Backend {
  readonly name: string;
  /** Copy host data (row-major; complex interleaved) into a new device buffer. */
  fromHost(data: TypedArray, aval: ShapedArray): DeviceBuffer;
  /** Read a buffer back to the host as a fresh typed array. */
  read(buf: DeviceBuffer, aval: ShapedArray): Promise<TypedArray>;
  /** Synchronous read; backends that cannot do it throw an error that says to use `await x.data()`. */
  readSync(buf: DeviceBuffer, aval: ShapedArray): TypedArray;
  /**
   * False when `readSync` is impossible (WebGPU). Control flow then keeps its decisions on the
   * device where it can (`cond` runs every branch and selects) and says clearly where it cannot.
   * Absent means true.
   */
  readonly syncReads?: boolean;
  /**
   * Resolves when the work producing `buf` is done (`Array.blockUntilReady`). Absent: a backend whose
   * kernels are synchronous needs none (unless `syncReads` is false, when core waits by reading).
   */
  ready?(buf: DeviceBuffer): Promise<void>;
  /** Release device memory. Idempotent. */
  dispose(buf: DeviceBuffer): void;
  /** Run one primitive. Returns undefined when the backend has no kernel for it (core then uses the primitive's `impl`). */
  execute(
    prim: Primitive,
    inputs: readonly DeviceBuffer[],
    inAvals: readonly ShapedArray[],
    outAvals: readonly ShapedArray[],
    params: Readonly<Record<string, unknown>>,
  ): DeviceBuffer[] | undefined;
  /** Compile a jaxpr for `jit`. Optional: without it core interprets the jaxpr primitive by primitive. */
  compile?(jaxpr: Jaxpr): Executable;
  /** Number of live device buffers (debug counter for leak tests). */
  liveBuffers(): number;
}

const registry = new Map<string, Backend>();
let defaultName: string | undefined;

/** Register a backend under its name; the first one registered becomes the default. */
export function registerBackend(backend: Backend): void {
  registry.set(backend.name, backend);
  defaultName ??= backend.name;
}

/** Make `name` ("cpu", "webgpu", …) the backend new arrays are created on. */
export function setDefaultBackend(name: string): void {
  if (!registry.has(name)) {
    throw new ValueError(
      `setDefaultBackend: no backend named '${name}' is registered (have: ${[...registry.keys()].join(", ") || "none"})`,
    );
  }
  defaultName = name;
}

/** The backend named `name`, or the default one. */
export function getBackend(name?: string): Backend {
  const n = name ?? defaultName;
  const b = n === undefined ? undefined : registry.get(n);
  if (b === undefined) {
    throw new ValueError(
      name === undefined
        ? "no backend registered: import 'linax-ts' (or '@linax-ts/backend-cpu') before creating arrays"
        : `no backend named '${name}' is registered (have: ${[...registry.keys()].join(", ") || "none"})`,
    );
  }
  return b;
}

export function listBackends(): string[] {
  return [...registry.keys()];
}
