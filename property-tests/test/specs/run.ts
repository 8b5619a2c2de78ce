/**
 * The generic properties checked over every op spec (see types.ts):
 *   jit == eager · vmap over random in/out axes == stacked loop · vmap(vmap f) == nested loops ·
 *   checkGrads fwd+rev (order 2 for smooth ops) · dot-product test for linear ops ·
 *   vmap(jvp f) == stacked jvps · jvp(jit f) == jvp f · grad(jit f) == jit(grad f) == grad f ·
 *   vmap(grad f) == stacked grads · grad(Σ vmap f) == stacked grads.
 * Non-scalar outputs are differentiated through the scalar loss L = Σ_leaves ⟨out, w⟩ (real inner
 * product on (re, im) pairs) with a fixed random w.
 */
import { test } from "node:test";
import fc from "fast-check";
import { lax, np, grad, jit, jvp, vmap, treeFlatten, type Array } from "linax-ts";
import {
  checkGrads,
  checkJit,
  checkLinear,
  checkVmap,
  fcParams,
  hostValues,
  mulberry32,
  randomLike,
  stackAlong,
  takeAlong,
  assertClose,
} from "@linax-ts/testing";
import { inexactArgs, isInexactDType, type AnySpec } from "./types.ts";

/**
 * Tolerance of comparisons between two float32 evaluations of the same derivative (batched vs
 * per-element, jitted vs eager): the rules are the same but a batched or staged program may sum
 * cotangents in another order, which moves results by a few ulps of the summed magnitudes —
 * 1e-4 relative / 1e-5 absolute for O(1) values is ~1000 ulps of headroom, far below any rule bug.
 */
const SAME_DERIVATIVE = { rtol: 1e-4, atol: 1e-5 };

/** Default runs per property for one spec (the whole table runs in well under a minute per file on 2 cores). */
const RUNS = { jit: 10, vmap: 20, vmap2: 10, grads: 15, linear: 12, gradJit: 8, vmapGrad: 8 };

interface Case {
  c: unknown;
  /** 1–3 argument sets sharing the config: set 0 is "the" case, all of them form a vmap batch. */
  sets: Array[][];
  /** Random material for the batch axes and directions. */
  picks: number[];
  seed: number;
}

function cases(s: AnySpec): fc.Arbitrary<Case> {
  return s.config.chain((c) =>
    fc.record({
      c: fc.constant(c),
      sets: fc.array(s.args(c), { minLength: 1, maxLength: 3 }),
      picks: fc.array(fc.nat(), { minLength: 16, maxLength: 16 }),
      seed: fc.nat(),
    }),
  );
}

function describeCase(k: Case): string {
  const a = k.sets[0].map(
    (x) =>
      `${x.dtype}[${x.shape}] = [${hostValues(x)
        .slice(0, 48)
        .map((v) => +v.toPrecision(5))
        .join(", ")}${x.size > 48 ? ", …" : ""}]`,
  );
  return `config ${JSON.stringify(k.c)}; args ${a.join("; ")}`;
}

function runProperty(s: AnySpec, what: string, runs: number, body: (k: Case) => void): void {
  fc.assert(
    fc.property(cases(s), (k) => {
      try {
        body(k);
      } catch (e) {
        // A fresh error: fast-check reports the message (and stack) of what the property threw.
        throw new Error(`${s.name} — ${what}: ${(e as Error).message}\n  case: ${describeCase(k)}`, { cause: e });
      }
    }),
    fcParams(Math.max(1, Math.round(runs * (s.runs ?? 1)))),
  );
}

/** Batched arguments with a random batch axis per argument (or none), and a random out axis. */
function vmapCase(s: AnySpec, k: Case): { batched: Array[]; inAxes: (number | null)[]; outAxis: number } {
  const args0 = k.sets[0];
  let inAxes = args0.map((a, i) => {
    const r = k.picks[i % k.picks.length] % (a.ndim + 2);
    return r === a.ndim + 1 ? null : r;
  });
  if (inAxes.every((a) => a === null)) inAxes = inAxes.map((_, i) => (i === 0 ? 0 : null));
  const batched = args0.map((a, i) =>
    inAxes[i] === null
      ? a
      : stackAlong(
          k.sets.map((set) => set[i]),
          inAxes[i] as number,
        ),
  );
  const outs = treeFlatten(s.fn(k.c)(...args0))[0] as Array[];
  const minRank = Math.min(...outs.map((o) => o.ndim));
  const r = k.picks[15] % (minRank + 1);
  // Odd picks use the equivalent negative axis, so both spellings are exercised.
  const outAxis = k.picks[14] % 2 === 1 ? r - (minRank + 1) : r;
  return { batched, inAxes, outAxis };
}

/**
 * Two levels of batching: argument a of element (i, j) is `sets[(i + j) % B][a]`, stacked along a
 * random inner axis, then the inner stacks along a random outer axis (every argument batched at
 * both levels). Checks vmap(vmap f) against vmap f per outer element — which the single-level
 * property checks against loops — and jit(vmap f) against vmap f.
 */
function nestedVmapCheck(s: AnySpec, k: Case): void {
  const B = k.sets.length;
  const f = s.fn(k.c);
  const args0 = k.sets[0];
  const inner = args0.map((a, i) => k.picks[i % 8] % (a.ndim + 1));
  const outer = args0.map((a, i) => k.picks[8 + (i % 4)] % (a.ndim + 2));
  const minRank = Math.min(...(treeFlatten(f(...args0))[0] as Array[]).map((o) => o.ndim));
  const outIn = k.picks[12] % (minRank + 1);
  const outOut = k.picks[13] % (minRank + 2);
  const innerStacks = (i: number) =>
    args0.map((_, a) =>
      stackAlong(
        globalThis.Array.from({ length: B }, (_, j) => k.sets[(i + j) % B][a]),
        inner[a],
      ),
    );
  const batched = args0.map((_, a) =>
    stackAlong(
      globalThis.Array.from({ length: B }, (_, i) => innerStacks(i)[a]),
      outer[a],
    ),
  );
  const vf = vmap(f, { inAxes: inner, outAxes: outIn });
  checkVmap(vf, batched, { inAxes: outer, outAxes: outOut, ...s.tol });
  checkJit(vf, innerStacks(0), s.tol);
}

/** The differentiated arguments of a case and `fn` as a function of them alone. */
function diffView(s: AnySpec, c: unknown, args: readonly Array[]): { idx: number[]; g: (...xs: Array[]) => unknown } {
  const idx = s.diffArgs ? s.diffArgs(c) : inexactArgs(args);
  const f = s.fn(c);
  const g = (...xs: Array[]) => {
    const full = [...args];
    idx.forEach((i, k) => (full[i] = xs[k]));
    return f(...full);
  };
  return { idx, g };
}

/** L(out) = Σ_leaves ⟨out, w⟩ over inexact leaves, computed with lax ops (so it composes with every transform). */
function lossOf(outs: readonly Array[], ws: readonly (Array | null)[]): Array {
  const terms = outs.flatMap((o, i) => {
    const w = ws[i];
    if (w === null) return [];
    const axes = o.shape.map((_, k) => k);
    if (o.dtype === "complex64") {
      const wr = lax.real(w);
      const wi = lax.imag(w);
      return [lax.reduceSum(lax.add(lax.mul(lax.real(o), wr), lax.mul(lax.imag(o), wi)), axes)];
    }
    return [lax.reduceSum(lax.mul(o, w), axes)];
  });
  // No inexact output (e.g. a float → int conversion): the loss is a constant.
  return terms.length === 0 ? np.array(0) : terms.reduce((a, b) => lax.add(a, b));
}

function lossWeights(s: AnySpec, k: Case): (Array | null)[] {
  const rand = mulberry32(k.seed + 7);
  const outs = treeFlatten(s.fn(k.c)(...k.sets[0]))[0] as Array[];
  return outs.map((o) => (isInexactDType(o.dtype) ? randomLike(o, rand) : null));
}

/** `(…all args) → grads of L w.r.t. the differentiated ones`, as a function of every argument (for vmap). */
function gradFn(s: AnySpec, k: Case, f: (...xs: Array[]) => unknown): (...xs: Array[]) => unknown {
  const idx = s.diffArgs ? s.diffArgs(k.c) : inexactArgs(k.sets[0]);
  const ws = lossWeights(s, k);
  const loss = (...xs: Array[]) => lossOf(treeFlatten(f(...xs))[0] as Array[], ws);
  return (...xs: Array[]) => grad(loss, { argnums: idx })(...xs);
}

/** Register one node:test test per spec, with a subtest per applicable property. */
export function runSpecs(specs: readonly AnySpec[]): void {
  for (const s of specs) {
    test(s.name, async (t) => {
      await t.test("jit == eager", () => runProperty(s, "jit", RUNS.jit, (k) => checkJit(s.fn(k.c), k.sets[0], s.tol)));
      if (k0HasArgs(s)) {
        await t.test("vmap (random in/out axes) == stacked loop", () =>
          runProperty(s, "vmap", RUNS.vmap, (k) => {
            const { batched, inAxes, outAxis } = vmapCase(s, k);
            checkVmap(s.fn(k.c), batched, { inAxes, outAxes: outAxis, ...s.tol });
          }),
        );
        await t.test("vmap(vmap f) == vmap f per element (random axes at both levels); jit(vmap f) == vmap f", () =>
          runProperty(s, "vmap(vmap)", RUNS.vmap2, (k) => nestedVmapCheck(s, k)),
        );
      }
      if (s.diff !== undefined) {
        await t.test(`checkGrads ${(s.modes ?? ["fwd", "rev"]).join("+")} order ${s.diff === "smooth" ? 2 : 1}`, () =>
          runProperty(s, "checkGrads", RUNS.grads, (k) => {
            const { idx, g } = diffView(s, k.c, k.sets[0]);
            const xs = idx.map((i) => k.sets[0][i]);
            const opts = { modes: s.modes, seed: k.seed, ...s.gradTol };
            checkGrads(g, xs, { ...opts, order: 1, host: s.host?.(k.c, k.sets[0]) });
            if (s.diff === "smooth") checkGrads(g, xs, { ...opts, order: 2 });
          }),
        );
        if ((s.modes ?? ["fwd", "rev"]).includes("fwd")) {
          await t.test("vmap(jvp f) == stacked jvps; jvp(jit f) == jvp f", () =>
            runProperty(s, "vmap(jvp)/jvp(jit)", RUNS.vmapGrad, (k) => {
              const f = s.fn(k.c);
              const args0 = k.sets[0];
              const idx = s.diffArgs ? s.diffArgs(k.c) : inexactArgs(args0);
              const n = args0.length;
              // (all args, tangents of the differentiated ones) → output tangents.
              const tangentsOf =
                (fn: (...xs: Array[]) => unknown) =>
                (...xt: Array[]) => {
                  const g = (...d: Array[]) => {
                    const full = xt.slice(0, n);
                    idx.forEach((i, m) => (full[i] = d[m]));
                    return fn(...full);
                  };
                  return jvp(
                    g,
                    idx.map((i) => xt[i]),
                    xt.slice(n),
                  )[1];
                };
              const rand = mulberry32(k.seed + 3);
              const tangentSets = k.sets.map((set) => idx.map((i) => randomLike(set[i], rand)));
              const batched = [
                ...args0.map((_, i) =>
                  stackAlong(
                    k.sets.map((set) => set[i]),
                    0,
                  ),
                ),
                ...idx.map((_, m) =>
                  stackAlong(
                    tangentSets.map((ts) => ts[m]),
                    0,
                  ),
                ),
              ];
              checkVmap(tangentsOf(f), batched, { inAxes: 0, ...SAME_DERIVATIVE });
              const viaJit = treeFlatten(tangentsOf(jit(f))(...args0, ...tangentSets[0]))[0] as Array[];
              (treeFlatten(tangentsOf(f)(...args0, ...tangentSets[0]))[0] as Array[]).forEach((w, i) =>
                assertClose(viaJit[i], w, SAME_DERIVATIVE),
              );
            }),
          );
        }
        if ((s.modes ?? ["fwd", "rev"]).includes("rev")) {
          await t.test("grad(jit f) == jit(grad f) == grad f", () =>
            runProperty(s, "grad/jit", RUNS.gradJit, (k) => {
              const want = treeFlatten(gradFn(s, k, s.fn(k.c))(...k.sets[0]))[0] as Array[];
              const viaJitF = treeFlatten(gradFn(s, k, jit(s.fn(k.c)))(...k.sets[0]))[0] as Array[];
              const jitted = treeFlatten(jit(gradFn(s, k, s.fn(k.c)))(...k.sets[0]))[0] as Array[];
              want.forEach((w, i) => {
                assertClose(viaJitF[i], w, SAME_DERIVATIVE);
                assertClose(jitted[i], w, SAME_DERIVATIVE);
              });
            }),
          );
          await t.test("vmap(grad f) == stacked grads", () =>
            runProperty(s, "vmap(grad)", RUNS.vmapGrad, (k) => {
              const batched = k.sets[0].map((_, i) =>
                stackAlong(
                  k.sets.map((set) => set[i]),
                  0,
                ),
              );
              checkVmap(gradFn(s, k, s.fn(k.c)), batched, { inAxes: 0, ...SAME_DERIVATIVE });
            }),
          );
          await t.test("grad(Σ_b L(vmap f)) == stacked grads (transposes of batched equations)", () =>
            runProperty(s, "grad(vmap)", RUNS.vmapGrad, (k) => {
              const f = s.fn(k.c);
              const idx = s.diffArgs ? s.diffArgs(k.c) : inexactArgs(k.sets[0]);
              const ws = lossWeights(s, k);
              const batched = k.sets[0].map((_, i) =>
                stackAlong(
                  k.sets.map((set) => set[i]),
                  0,
                ),
              );
              const total = (...xs: Array[]) =>
                lax.reduceSum(vmap((...ys: Array[]) => lossOf(treeFlatten(f(...ys))[0] as Array[], ws))(...xs), [0]);
              const got = grad(total, { argnums: idx })(...batched);
              k.sets.forEach((set, b) => {
                const want = treeFlatten(gradFn(s, k, f)(...set))[0] as Array[];
                want.forEach((w, m) => assertClose(takeAlong(got[m], 0, b), w, SAME_DERIVATIVE));
              });
            }),
          );
        }
      }
      if (s.linearIn !== undefined) {
        await t.test("linear: jvp == f(v), dot-product test", () =>
          runProperty(s, "linear", RUNS.linear, (k) => {
            for (const group of (s.linearIn as (c: unknown) => number[][])(k.c)) {
              const args = k.sets[0];
              const f = s.fn(k.c);
              const h = (...xs: Array[]) => {
                const full = [...args];
                group.forEach((i, j) => (full[i] = xs[j]));
                return f(...full);
              };
              checkLinear(
                h,
                group.map((i) => args[i]),
                { seed: k.seed },
              );
            }
          }),
        );
      }
      if (s.extra !== undefined) {
        await t.test("extra", () =>
          runProperty(s, "extra", RUNS.jit, (k) =>
            (s.extra as (c: unknown, a: readonly Array[]) => void)(k.c, k.sets[0]),
          ),
        );
      }
    });
  }
}

/** Whether the spec's cases have arguments (a function of no arguments has nothing to vmap over). */
function k0HasArgs(s: AnySpec): boolean {
  const [k] = fc.sample(cases(s), { numRuns: 1, seed: 1 });
  return k.sets[0].length > 0;
}
