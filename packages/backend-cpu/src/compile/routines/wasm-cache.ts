/**
 * What the hand-written routines share: their generated modules compiled once per (key, memory
 * kind) and instantiated once per heap memory, and the heap addresses of a routine's inputs (a
 * borrowed input's bytes are copied into the heap for the call only, and freed after it).
 */
import type { CpuBackend, CpuBuffer } from "../../backend.ts";

const modules = new Map<string, WebAssembly.Module>();
const instances = new WeakMap<WebAssembly.Memory, Map<string, WebAssembly.Exports>>();

const isShared = (memory: WebAssembly.Memory): boolean =>
  typeof SharedArrayBuffer !== "undefined" && memory.buffer instanceof SharedArrayBuffer;

/**
 * The exports of the module `build(shared)` generates for `key`, instantiated over `memory` with
 * `env.memory` and `imports` (the same key must always mean the same module and imports).
 */
export function routineExports(
  memory: WebAssembly.Memory,
  key: string,
  build: (shared: boolean) => Uint8Array<ArrayBuffer>,
  imports: Record<string, WebAssembly.ImportValue> = {},
): WebAssembly.Exports {
  let byMem = instances.get(memory);
  if (byMem === undefined) instances.set(memory, (byMem = new Map()));
  let ex = byMem.get(key);
  if (ex === undefined) {
    const shared = isShared(memory);
    const mkey = `${shared ? "s" : "u"}:${key}`;
    let mod = modules.get(mkey);
    if (mod === undefined) modules.set(mkey, (mod = new WebAssembly.Module(build(shared))));
    ex = new WebAssembly.Instance(mod, { env: { memory, ...imports } }).exports;
    byMem.set(key, ex);
  }
  return ex;
}

/**
 * Run `body` with the heap addresses of `bufs` (moving JS-backed buffers into the heap); the
 * temporary copies of borrowed buffers are freed afterwards.
 */
export function withHeapAddresses<T>(be: CpuBackend, bufs: readonly CpuBuffer[], body: (ptrs: number[]) => T): T {
  const temps: number[] = [];
  const ptrs = bufs.map((b) => {
    const p = be.heapAddress(b);
    if (p !== b.ptr) temps.push(p);
    return p;
  });
  try {
    return body(ptrs);
  } finally {
    for (const t of temps) be.heap.free(t);
  }
}

/** Product of `shape[from:to]`. */
export const prod = (shape: readonly number[], from = 0, to = shape.length): number => {
  let p = 1;
  for (let i = from; i < to; i++) p *= shape[i];
  return p;
};
