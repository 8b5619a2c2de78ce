/**
 * CPU == WebGPU on random small programs (programs.ts, "safe" mode): each program runs eagerly
 * and under jit on the CPU reference backend and on WebGPU (inputs moved with devicePut), and
 * the results agree — exactly for integer/bool outputs, within TOL for float outputs (WGSL's
 * builtin transcendentals are accurate to a few ulp, not correctly rounded, and reductions/dots
 * accumulate in f32 in another order; the ops after them are bounded, see programs.ts).
 *
 * whileLoop is left out: WebGPU refuses it with a clear error (its predicate is read on the host;
 * a known gap, see PENDING in webgpu-backend.property.test.ts).
 *
 * SwiftShader (the software adapter) is slow: a handful of programs by default (FC_NUM_RUNS
 * overrides). Without an adapter (LINAX_FUZZ_WEBGPU=require makes that a failure) the test is
 * skipped with the reason.
 */
import { test } from "node:test";
import fc from "fast-check";
import { jit, type Array } from "linax-ts";
import { fcParams, fromValues, hostValues } from "@linax-ts/testing";
import { setupWebGPU, onBackend, readValues, toWebGPU } from "@linax-ts/testing/webgpu";
import { describeProgram, inputValues, programFn, programs } from "./programs.ts";
import { compareValues } from "./compare.ts";

const RUNS = 20;

/**
 * Float tolerance between backends, relative to the output's largest magnitude (and to each
 * element): transcendental builtins differ by a few ulp (2⁻²³ ≈ 1.2e-7 relative), and the ops of a
 * program (≤ 10, each bounded, exp only of |x| ≤ 6) amplify that by at most a few hundred.
 */
const TOL = { rtol: 1e-4, atol: 1e-4 };

let unavailable: string | null = null;
try {
  await setupWebGPU();
} catch (e) {
  if (process.env.LINAX_FUZZ_WEBGPU === "require") throw e;
  unavailable = `no WebGPU adapter: ${(e as Error).message}`;
}

/** Subnormal inputs flushed to ±0: WGSL lets devices flush them (SwiftShader does). */
function flushSubnormals(x: Array): Array {
  if (x.dtype !== "float32" && x.dtype !== "complex64") return x;
  return fromValues(
    hostValues(x).map((e) => (e !== 0 && Math.abs(e) < 2 ** -126 ? 0 : e)),
    x.shape,
    x.dtype,
  );
}

test("fuzz: CPU == WebGPU on random programs (eager and jit)", { skip: unavailable ?? false }, async () => {
  const params = fcParams(RUNS);
  await fc.assert(
    fc.asyncProperty(programs("safe", undefined, { exclude: ["while"] }), fc.nat(), async (p, seed) => {
      const f = programFn(p);
      const xs = inputValues(p, seed).map(flushSubnormals);
      try {
        for (const [mode, fn] of [
          ["eager", f],
          ["jit", jit(f)],
        ] as const) {
          const want = fn(...xs);
          const gx = xs.map(toWebGPU);
          const got = await onBackend("webgpu", async () => fn(...gx));
          for (let i = 0; i < want.length; i++) {
            const [g, w] = [got[i], want[i]];
            if (g.dtype !== w.dtype || g.shape.join() !== w.shape.join())
              throw new Error(`${mode} output ${i}: ${g.dtype}[${g.shape}] vs CPU ${w.dtype}[${w.shape}]`);
            const exact = w.dtype !== "float32" && w.dtype !== "complex64";
            compareValues(
              await readValues(g),
              w.dataSync() as ArrayLike<number>,
              exact ? null : TOL,
              `${mode} output ${i} (${w.dtype}[${w.shape}]) WebGPU vs CPU`,
            );
          }
        }
      } catch (e) {
        throw new Error(
          `${(e as Error).message}\n${describeProgram(p)}\n  input seed ${seed} (fast-check seed ${params.seed})`,
          { cause: e },
        );
      }
    }),
    params,
  );
});
