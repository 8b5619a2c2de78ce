/**
 * CPU == WebGPU over the whole op-spec table (specs/all.ts): for random cases of every spec, the
 * function runs eagerly on the CPU reference backend and on WebGPU (arguments moved with
 * devicePut, JS constants created on WebGPU), eagerly and under jit, and the outputs must agree:
 * exactly for integer/bool outputs and exact float ops, within a few float32 ulps for ops whose
 * WGSL evaluation legitimately differs (builtin transcendentals, f32 accumulation order).
 */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { jit, treeFlatten, type Array } from "linax-ts";
import { assertClose, fcParams } from "@linax-ts/testing";
import { setupWebGPU, onBackend, readValues, toWebGPU } from "@linax-ts/testing/webgpu";
import { ALL_SPECS } from "./specs/all.ts";
import type { AnySpec } from "./specs/types.ts";

/**
 * Specs not yet runnable on WebGPU, each with the reason (an entry here is a known gap of the
 * backend, listed in packages/backend-webgpu/README.md). Their test checks that WebGPU refuses
 * them with a clear error naming the op, instead of computing something wrong.
 */
const PENDING: Readonly<Record<string, string>> = {
  "while/data-trip-count": "whileLoop reads its predicate on the host; WebGPU needs an on-device loop lowering",
};

/**
 * float32 tolerance between backends: WGSL's builtin exp/log/sin/… are accurate to a few ulp
 * (not correctly rounded), and reductions/dots accumulate in f32 in another order than the CPU's
 * float64 — for the small cases here (≤ 27 terms of O(1)) that stays far below 1e-5 relative.
 */
const TOL = { rtol: 2e-5, atol: 2e-6 };

async function compare(s: AnySpec, c: unknown, args: readonly Array[]): Promise<void> {
  const want = treeFlatten(s.fn(c)(...args))[0] as Array[];
  const gpuArgs = args.map(toWebGPU);
  for (const mode of ["eager", "jit"] as const) {
    const got = await onBackend("webgpu", async () => {
      const f = s.fn(c);
      return treeFlatten((mode === "jit" ? jit(f) : f)(...gpuArgs))[0] as Array[];
    });
    if (got.length !== want.length) throw new Error(`${mode}: ${got.length} outputs, want ${want.length}`);
    for (let i = 0; i < want.length; i++) {
      const [g, w] = [got[i], want[i]];
      if (g.dtype !== w.dtype || g.shape.join() !== w.shape.join()) throw new Error(`${mode} output ${i}: ${g.dtype}[${g.shape}] vs CPU ${w.dtype}[${w.shape}]`);
      const exact = w.dtype !== "float32" && w.dtype !== "complex64";
      try {
        assertClose(await readValues(g), globalThis.Array.from(w.dataSync() as ArrayLike<number>), exact ? { rtol: 0, atol: 0 } : { ...TOL, ...s.tol });
      } catch (e) {
        throw new Error(`${mode} output ${i} (${w.dtype}[${w.shape}]): ${(e as Error).message}`);
      }
    }
  }
}

before(async () => {
  await setupWebGPU();
});

for (const s of ALL_SPECS) {
  const pending = PENDING[s.name];
  if (pending !== undefined) {
    test(`${s.name}: refused on WebGPU with a clear error (${pending})`, async () => {
      const c = fc.sample(s.config, { numRuns: 1, seed: 1 })[0];
      const args = fc.sample(s.args(c), { numRuns: 1, seed: 1 })[0].map(toWebGPU);
      await assert.rejects(
        onBackend("webgpu", async () => treeFlatten(s.fn(c)(...args))[0]),
        (e: Error) => e.name === "NotImplementedError" && e.message.includes("webgpu backend"),
      );
    });
    continue;
  }
  test(`${s.name}: WebGPU == CPU (eager and jit)`, async () => {
    const cases = s.config.chain((c) => fc.record({ c: fc.constant(c), args: s.args(c) }));
    await fc.assert(
      fc.asyncProperty(cases, async ({ c, args }) => {
        try {
          await compare(s, c, args);
        } catch (e) {
          throw new Error(`${s.name}: ${(e as Error).message}\n  config ${JSON.stringify(c)}`, { cause: e });
        }
      }),
      fcParams(Math.max(2, Math.round(6 * (s.runs ?? 1)))),
    );
  });
}
