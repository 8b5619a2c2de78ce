/**
 * linax-ts runners. A run ends when every output array is complete: through `blockUntilReady()`
 * where the array has it (JAX's name; waits without copying), otherwise by reading it with
 * `await x.data()` — which on the CPU backend also copies the result out, a cost the peers do
 * not pay (tfjs computes synchronously, jax-js is waited for with blockUntilReady).
 */
import { Array, ConcreteArray, config, treeLeaves } from "linax-ts";
import type { Runner } from "../harness.ts";

interface Waitable {
  blockUntilReady?: () => Promise<unknown>;
}

/**
 * Waits until every array leaf of `tree` is computed. On WebGPU one read suffices: the queue runs
 * work in submission order and a read (which submits the open encoder) completes after all of it,
 * so reading the last leaf waits for every leaf — one map round trip instead of one per leaf (a
 * train step has ~160 leaves).
 */
export async function settle(tree: unknown): Promise<void> {
  const leaves = treeLeaves(tree).filter((l): l is Array => l instanceof Array);
  if (leaves.length > 0 && leaves.every((l) => l instanceof ConcreteArray && l.backend.name === "webgpu")) {
    await leaves[leaves.length - 1].data();
    return;
  }
  for (const leaf of leaves) {
    if (!(leaf instanceof Array)) continue;
    const w = leaf as unknown as Waitable;
    if (typeof w.blockUntilReady === "function") await w.blockUntilReady();
    else await leaf.data();
  }
}

/** Disposes every array leaf of `tree` (results the benchmark does not keep). */
export function disposeTree(tree: unknown): void {
  for (const leaf of treeLeaves(tree)) if (leaf instanceof Array) leaf.dispose();
}

/** A runner that calls `f`, waits for its outputs and disposes them. */
export function linaxRunner(f: () => unknown, inputs: Array[] = []): Runner {
  return {
    async run() {
      const out = f();
      await settle(out);
      disposeTree(out);
    },
    dispose: () => inputs.forEach((x) => x.dispose()),
  };
}

/**
 * `runner` with `config.fastMath` on while it runs (the polynomial SIMD exp/log/tanh/… of the CPU
 * backend, 1–2 ulp; programs are compiled once per setting), restored afterwards.
 */
export function withFastMath(runner: Runner): Runner {
  return {
    before: runner.before?.bind(runner),
    async run() {
      const before = config.read("fastMath");
      config.update("fastMath", true);
      try {
        await runner.run();
      } finally {
        config.update("fastMath", before);
      }
    },
    dispose: () => runner.dispose?.(),
  };
}
