/**
 * The ssm mixers' equivalence checks: the sequence lengths, the JAX known answers (testdata/ssm,
 * see its README), and parallel vs recurrent vs host-reference checks of values, gradients, jit,
 * vmap and batched recurrent calls.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { grad, jit, np, random, vmap, type Array } from "linax-ts";
import type { MixerCache, SequenceMixer } from "@linax-ts/ssm";
import { nums, randomInput, assertClose, maxAbs } from "./host-values.ts";

const JsArray = globalThis.Array;

/** Sequence lengths of the equivalence tests: 1, primes, powers of two, up to 2048. */
export const LENGTHS = [1, 2, 7, 31, 64, 2048] as const;

/** One case of testdata/ssm/known-answers.json. */
export interface KnownCase {
  mixer: string;
  config: Record<string, number | string | boolean>;
  params: Record<string, { shape: number[]; dtype: string; data: number[] }>;
  y: { shape: number[]; data: number[] };
}

/** testdata/ssm/known-answers.json (written by scripts/testdata/gen_ssm_mixers.py on JAX 0.11.2). */
export function knownAnswers(): {
  H: number;
  L: number;
  seed: number;
  x: { shape: number[]; data: number[] };
  cases: Record<string, KnownCase>;
} {
  const path = fileURLToPath(new URL("../../../testdata/ssm/known-answers.json", import.meta.url));
  return JSON.parse(readFileSync(path, "utf8"));
}

/** The known answers' input as an Array `[L, H]`. */
export function knownInput(): Array {
  const ka = knownAnswers();
  return np.array(new Float32Array(ka.x.data)).reshape(ka.x.shape);
}

/**
 * For each length of `LENGTHS`: `call` and `callRecurrent` equal the float64 host reference `host`
 * (input seed `seedBase + L`, tolerance `atol·(1 + max|want|)`, `rtol`), and so does a loop of
 * `step` from `initCache()` for lengths up to `stepMaxL`.
 */
export function checkParallelHostRecurrent<C extends MixerCache>(
  m: SequenceMixer<C>,
  host: (u: number[][]) => number[][],
  opts: { H: number; seedBase: number; atol: number; rtol: number; stepMaxL: number },
): void {
  for (const L of LENGTHS) {
    const { host: u, x } = randomInput(L, opts.H, opts.seedBase + L);
    const want = host(u).flat();
    const tol = { atol: opts.atol * (1 + maxAbs(want)), rtol: opts.rtol };
    assertClose(nums(m.call(x)), want, { ...tol, msg: `call, L=${L}` });
    assertClose(nums(m.callRecurrent(x)[0]), want, { ...tol, msg: `callRecurrent, L=${L}` });
    if (L <= opts.stepMaxL) {
      let cache = m.initCache();
      const ys: number[] = [];
      for (let t = 0; t < L; t++) {
        const [yt, c] = m.step(x.get(t), cache);
        cache = c;
        ys.push(...nums(yt));
      }
      assertClose(ys, want, { ...tol, msg: `step loop, L=${L}` });
    }
  }
}

/**
 * Gradients of `Σ y·w` through the parallel forward (`call`) and the lax.scan forward
 * (`callRecurrent`) agree on every leaf `leaves` names (a leaf without a gradient must be absent
 * from the mixer) and on the input. Returns the parallel gradient, the host input and the weights
 * for the caller's finite-difference checks.
 */
export function checkGradParallelVsRecurrent<M extends SequenceMixer<MixerCache>>(
  m: M,
  name: string,
  opts: { L: number; H: number; seeds: readonly [number, number]; leaves: (t: M) => [string, Array | null][] },
): { gp: M; host: number[][]; w: { host: number[][]; x: Array } } {
  const { host, x } = randomInput(opts.L, opts.H, opts.seeds[0]);
  const w = randomInput(opts.L, opts.H, opts.seeds[1]);
  const lossPar = (mm: M, xx: Array) => np.sum(np.multiply(mm.call(xx), w.x));
  const lossRec = (mm: M, xx: Array) => np.sum(np.multiply(mm.callRecurrent(xx)[0], w.x));
  const [gp, gxp] = grad(lossPar, { argnums: [0, 1] })(m, x) as [M, Array];
  const [gr, gxr] = grad(lossRec, { argnums: [0, 1] })(m, x) as [M, Array];
  const mLeaves = opts.leaves(m);
  const rLeaves = opts.leaves(gr);
  opts.leaves(gp).forEach(([k, a], i) => {
    const b = rLeaves[i][1];
    if (a === null || b === null) {
      assert.equal(mLeaves[i][1], null, `${name}: only absent leaves have no gradient`);
      return;
    }
    const want = nums(b);
    assertClose(nums(a), want, { atol: 1e-4 * (1 + maxAbs(want)), rtol: 1e-3, msg: `${name}: d/d${k}` });
  });
  assertClose(nums(gxp), nums(gxr), { atol: 1e-4, rtol: 1e-3, msg: `${name}: d/dx` });
  return { gp, host, w };
}

/**
 * jit(call) on batch row `jitRow` and vmap(call) over a `[B, L, H]` batch of `random.normal`
 * inputs (key `inputKey`) equal eager calls; `callRecurrent` over the time-major batch from
 * `initCache([B])` gives a cache that passes `checkCache` and outputs equal to them (tolerance
 * `batchedAtol`, else assertClose's default). Returns the batch for the caller's own checks.
 */
export function checkJitVmapBatched<M extends SequenceMixer<MixerCache>>(
  m: M,
  opts: {
    B: number;
    L: number;
    H: number;
    inputKey: number;
    jitRow: number;
    batchedAtol?: number;
    checkCache: (cache: ReturnType<M["initCache"]>) => void;
  },
): Array {
  const xb = random.normal(random.PRNGKey(opts.inputKey), [opts.B, opts.L, opts.H]);
  const eager = JsArray.from({ length: opts.B }, (_, b) => nums(m.call(xb.get(b))));
  const jitted = jit((mm: M, x: Array) => mm.call(x));
  assertClose(nums(jitted(m, xb.get(opts.jitRow))), eager[opts.jitRow], { msg: "jit" });
  assertClose(nums(vmap((x: Array) => m.call(x))(xb)), eager.flat(), { msg: "vmap" });
  // A batch of caches: step on [B, H] inputs, scanning the time-major sequence.
  const [yRec, cache] = m.callRecurrent(np.transpose(xb, [1, 0, 2]), m.initCache([opts.B]));
  opts.checkCache(cache as ReturnType<M["initCache"]>);
  const batchedTol = opts.batchedAtol === undefined ? {} : { atol: opts.batchedAtol };
  assertClose(nums(np.transpose(yRec, [1, 0, 2])), eager.flat(), { ...batchedTol, msg: "batched recurrent" });
  return xb;
}
