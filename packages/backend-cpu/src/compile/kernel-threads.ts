/**
 * The backend's worker threads, and which compiled kernels run on them: those that call no
 * imported JS function (workers cannot), whose outermost loop can be cut (extent ≥ 2), and with
 * enough work to repay a hand-off: LINAX_POOL_MIN_WORK element evaluations, default 2¹⁶. One
 * WorkerPool per backend, started on first use and shared by the kernels and the GEMM
 * (dot-routine.ts); none where the heap is not shared or workers cannot start (a browser page
 * without cross-origin isolation) — then everything runs here, same results.
 */
import type { CpuBackend } from "../backend.ts";
import { KernelPool } from "../wasm/threads/kernel-pool.ts";
import { threadCount } from "../wasm/threads/thread-count.ts";
import { WorkerPool } from "../wasm/threads/worker-pool.ts";
import type { ModuleKernel } from "./program-module.ts";
import { envVar } from "../env.ts";

const minWork = ((): number => {
  const env = envVar("LINAX_POOL_MIN_WORK");
  const n = env === undefined ? NaN : Number(env);
  return Number.isFinite(n) && n >= 0 ? n : 2 ** 16;
})();

const workerPools = new WeakMap<CpuBackend, WorkerPool | null>();

/** The backend's worker threads (LINAX_CPU_THREADS − 1 workers), or null (one thread). */
export function backendWorkerPool(be: CpuBackend): WorkerPool | null {
  let p = workerPools.get(be);
  if (p === undefined) {
    const threads = threadCount();
    p = null;
    if (be.heap.shared && threads > 1) {
      try {
        p = new WorkerPool(be.heap.memory, threads);
      } catch {
        p = null;
      }
    }
    workerPools.set(be, p);
  }
  return p;
}

const pools = new WeakMap<CpuBackend, KernelPool | null>();

/** The backend's kernel pool (on {@link backendWorkerPool}), or null (one thread). */
export function kernelPool(be: CpuBackend): KernelPool | null {
  let p = pools.get(be);
  if (p === undefined) {
    const workers = backendWorkerPool(be);
    p = workers === null ? null : new KernelPool(be.heap.memory, workers);
    pools.set(be, p);
  }
  return p;
}

/**
 * Replace the backend's kernel pool (tests: a pool on other workers); `undefined` lets the next
 * `kernelPool` call start the default one. Returns the previous value. The caller closes pools.
 */
export function setKernelPool(be: CpuBackend, pool: KernelPool | null | undefined): KernelPool | null | undefined {
  const was = pools.get(be);
  if (pool === undefined) pools.delete(be);
  else pools.set(be, pool);
  return was;
}

/** Whether a kernel goes to the pool. */
export const threaded = (k: ModuleKernel): boolean => !k.callsImports && k.outer >= 2 && k.work >= minWork;
