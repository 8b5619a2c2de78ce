/**
 * Starting the pool's workers, in Node and in browsers, and the part of their JavaScript source
 * that differs between the two. worker-pool.ts writes the worker body; this file wraps it for the
 * platform:
 *
 * - Node: `worker_threads` `eval` workers. The init data (the shared memory, the control block,
 *   the worker's index) is `workerData`; later messages (modules) come over a MessagePort that
 *   the worker reads synchronously with `receiveMessageOnPort` while it is parked in
 *   `Atomics.wait` (it never returns to its event loop).
 * - Browsers: Web Workers from a Blob URL. The init data is the first message (a shared
 *   `WebAssembly.Memory`, a SharedArrayBuffer and a `WebAssembly.Module` can be posted where the
 *   page is cross-origin isolated). A worker cannot read messages synchronously, so when a call
 *   names a module it has not received, the worker claims none of that call's chunks (the caller
 *   and other workers run them: same results) and returns to its event loop, where the module's
 *   message is delivered, then parks again.
 *
 * `worker_threads` is reached through `process.getBuiltinModule` (Node ≥ 20.16), not a static
 * import, so that the backend bundles for browsers unchanged. Where neither platform is there
 * (or Node is older), `defaultSpawner()` is null and the pool's users run on one thread.
 */
import { QUIT } from "./pool-protocol.ts";

/** A started worker, as its pool sees it. */
export interface PoolWorker {
  /** Send a message (a module to instantiate) to the worker. */
  post(message: PoolModuleMessage): void;
  /** Release the pool's end (the worker exits on the control block's QUIT). */
  close(): void;
}

/**
 * What a worker instantiates on the shared memory, keyed by `id`; its imports become throwing
 * stubs. A call names one of `exports` by its index.
 */
export interface PoolModuleMessage {
  readonly id: number;
  readonly module: WebAssembly.Module;
  readonly importNames: readonly string[];
  readonly exports: readonly string[];
}

/** The data a worker starts with: the shared memory and control block, and the pool's own fields. */
export interface PoolInit {
  readonly memory: WebAssembly.Memory;
  readonly control: SharedArrayBuffer;
  readonly [field: string]: unknown;
}

export type Platform = "node" | "web";

/** Starts a worker running `source` (from {@link poolWorkerSource} for `platform`) with `init`. */
export interface WorkerSpawner {
  readonly platform: Platform;
  spawn(source: string, init: PoolInit): PoolWorker;
}

/** What the pool's workers do, as JavaScript source fragments (see {@link poolWorkerSource}). */
export interface PoolWorkerBody {
  /** Runs once with `init` (the pool's init fields), `memory` and `c` (the control block) set. */
  readonly init: string;
  /** An expression: whether this worker can run chunks of the call just published (may call `have(id)`). */
  readonly ready: string;
  /** Runs chunk `q` of the call (pool-protocol.ts's loop supplies `q`); `modules.get(id)` is a module's exports, in the message's order. */
  readonly chunk: string;
}

/** Node's spawner: `worker_threads` eval workers with a MessagePort each. */
function nodeSpawner(wt: typeof import("node:worker_threads")): WorkerSpawner {
  return {
    platform: "node",
    spawn(source, init) {
      const { port1, port2 } = new wt.MessageChannel();
      const worker = new wt.Worker(source, { eval: true, workerData: { ...init, port: port2 }, transferList: [port2] });
      // An idle pool must not keep the process alive.
      worker.unref();
      port1.unref();
      return { post: (m) => port1.postMessage(m), close: () => port1.close() };
    },
  };
}

/** The browser's spawner: Web Workers from a Blob URL of the source; `init` is the first message. */
export function webSpawner(WorkerCtor: typeof Worker = Worker): WorkerSpawner {
  return {
    platform: "web",
    spawn(source, init) {
      const url = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
      const worker = new WorkerCtor(url);
      worker.postMessage(init);
      return {
        post: (m) => worker.postMessage(m),
        close: () => {
          worker.terminate();
          URL.revokeObjectURL(url);
        },
      };
    },
  };
}

/** Node's or the browser's spawner, or null (no workers here: pools run on one thread). */
export function defaultSpawner(): WorkerSpawner | null {
  const proc = (
    globalThis as { process?: { getBuiltinModule?: (id: string) => unknown; versions?: { node?: string } } }
  ).process;
  if (proc?.versions?.node !== undefined) {
    const wt = proc.getBuiltinModule?.("node:worker_threads") as typeof import("node:worker_threads") | undefined;
    return wt === undefined ? null : nodeSpawner(wt);
  }
  if (typeof Worker === "function" && typeof Blob === "function" && typeof URL.createObjectURL === "function")
    return webSpawner();
  return null;
}

/**
 * A pool worker's whole source for `platform`: the platform's prelude (init, how messages arrive,
 * how to leave and re-enter the wait loop), the module table (`have(id)`, `modules`), the pool's
 * `body`, and the claiming loop of pool-protocol.ts (`loopSource`).
 */
export function poolWorkerSource(platform: Platform, body: PoolWorkerBody, loopSource: string): string {
  const prelude =
    platform === "node"
      ? `
const { workerData, receiveMessageOnPort } = require("node:worker_threads");
const SYNC = true;
const pull = () => { const m = receiveMessageOnPort(workerData.port); return m === undefined ? undefined : m.message; };
const exit = () => {};
queueMicrotask(() => main(workerData));
`
      : `
const SYNC = false;
const pull = () => undefined;
const exit = () => close();
let started = false;
onmessage = (e) => {
  if (!started) { started = true; main(e.data); } else take(e.data);
};
`;
  return `"use strict";
${prelude}
let memory, c;
const modules = new Map();
const stub = () => { throw new Error("worker pool: a worker called an imported function"); };
function take(msg) {
  const env = { memory };
  for (const n of msg.importNames) env[n] = stub;
  const ex = new WebAssembly.Instance(msg.module, { env }).exports;
  modules.set(msg.id, msg.exports.map((n) => ex[n]));
}
// Whether module \`id\` is instantiated here; in Node pending messages are pulled (waiting for one
// that is on its way), in a browser they arrive only between waits (onmessage).
function have(id) {
  for (;;) {
    if (modules.has(id)) return true;
    const m = pull();
    if (m !== undefined) { take(m); continue; }
    if (!SYNC || Atomics.load(c, ${QUIT}) === 1) return false;
    Atomics.wait(c, ${QUIT}, 0, 1);
  }
}
function main(init) {
  memory = init.memory;
  c = new Int32Array(init.control);
  try {
    ${body.init}
  } catch {
    return; // a worker that cannot start claims nothing: the caller runs every chunk
  }
  loop();
}
const ready = () => ${body.ready};
${loopSource}
function runChunk(q) {
  ${body.chunk}
}
`;
}
