/**
 * CPU == WebGPU over the whole op-spec table (specs/all.ts). For random cases of every spec the
 * function runs on the CPU reference backend and on WebGPU (arguments moved with devicePut, JS
 * constants created on WebGPU) in four ways — eagerly, under jit, under vmap over a batch of two
 * argument sets, and differentiated (grad of L = Σ⟨out, w⟩ for reverse-mode specs, jvp for
 * forward-only ones) — and the results must agree: exactly for integer/bool outputs, within a few
 * float32 ulps where WGSL legitimately differs (builtin transcendentals, f32 accumulation order).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { grad, jit, jvp, lax, np, vmap, treeFlatten, type Array } from "linax-ts";
import { assertClose, fcParams, fromValues, hostValues, mulberry32, randomLike, stackAlong } from "@linax-ts/testing";
import { setupWebGPU, onBackend, readValues, toWebGPU } from "@linax-ts/testing/webgpu";
import { ALL_SPECS } from "./specs/all.ts";
import { inexactArgs, isInexactDType, type AnySpec } from "./specs/types.ts";

await setupWebGPU();

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
 * Derivatives chain several such ops (and sum cotangents in another order): 1e-4 relative.
 */
const TOL = { rtol: 2e-5, atol: 2e-6 };
const DERIV_TOL = { rtol: 1e-4, atol: 1e-5 };

type Mode = "eager" | "jit" | "vmap" | "grad" | "jvp";

/** L = Σ_leaves ⟨out, w⟩ (real inner product on complex parts) with lax ops, so it differentiates. */
function loss(outs: readonly Array[], ws: readonly (Array | null)[]): Array {
  const terms = outs.flatMap((o, i) => {
    const w = ws[i];
    if (w === null) return [];
    const axes = o.shape.map((_, k) => k);
    if (o.dtype === "complex64")
      return [lax.reduceSum(lax.add(lax.mul(lax.real(o), lax.real(w)), lax.mul(lax.imag(o), lax.imag(w))), axes)];
    return [lax.reduceSum(lax.mul(o, w), axes)];
  });
  return terms.length === 0 ? np.array(0) : terms.reduce((a, b) => lax.add(a, b));
}

/** The modes of a spec and, per mode, the function and arguments (CPU arrays) to run on both backends. */
function plans(s: AnySpec, c: unknown, sets: Array[][], seed: number): [Mode, (...xs: Array[]) => unknown, Array[]][] {
  const f = s.fn(c);
  const args = sets[0];
  const out: [Mode, (...xs: Array[]) => unknown, Array[]][] = [
    ["eager", f, args],
    ["jit", jit(f), args],
  ];
  if (args.length > 0)
    out.push([
      "vmap",
      vmap(f),
      args.map((_, i) =>
        stackAlong(
          sets.map((set) => set[i]),
          0,
        ),
      ),
    ]);
  if (s.diff === undefined) return out;
  const idx = s.diffArgs ? s.diffArgs(c) : inexactArgs(args);
  if (idx.length === 0) return out;
  const rand = mulberry32(seed);
  const outs = treeFlatten(f(...args))[0] as Array[];
  const ws = outs.map((o) => (isInexactDType(o.dtype) ? randomLike(o, rand) : null));
  const nW = ws.filter((w) => w !== null).length;
  const withWeights = (...xs: Array[]): [Array[], (Array | null)[]] => {
    const given = xs.slice(args.length);
    let k = 0;
    return [xs.slice(0, args.length), ws.map((w) => (w === null ? null : given[k++]))];
  };
  const weightArgs = ws.filter((w): w is Array => w !== null);
  if ((s.modes ?? ["fwd", "rev"]).includes("rev")) {
    const g = (...xs: Array[]) => {
      const [a, w] = withWeights(...xs);
      const l = (...d: Array[]) => {
        const full = [...a];
        idx.forEach((i, m) => (full[i] = d[m]));
        return loss(treeFlatten(f(...full))[0] as Array[], w);
      };
      return grad(l, { argnums: idx.map((_, m) => m) })(...idx.map((i) => a[i]));
    };
    out.push(["grad", g, [...args, ...weightArgs]]);
  } else {
    const tangents = idx.map((i) => randomLike(args[i], rand));
    const j = (...xs: Array[]) => {
      const a = xs.slice(0, args.length);
      const t = xs.slice(args.length + nW);
      const h = (...d: Array[]) => {
        const full = [...a];
        idx.forEach((i, m) => (full[i] = d[m]));
        return f(...full);
      };
      return jvp(
        h,
        idx.map((i) => a[i]),
        t,
      );
    };
    out.push(["jvp", j, [...args, ...weightArgs, ...tangents]]);
  }
  return out;
}

/**
 * Inputs with subnormal floats flushed to ±0, for both backends: WGSL lets devices flush
 * subnormals (SwiftShader does), so they are not part of the contract this file checks.
 */
function flushSubnormals(x: Array): Array {
  if (!isInexactDType(x.dtype)) return x;
  const v = hostValues(x).map((e) => (e !== 0 && Math.abs(e) < 2 ** -126 ? (e < 0 ? -0 : 0) : e));
  return fromValues(v, x.shape, x.dtype);
}

async function compare(s: AnySpec, c: unknown, rawSets: Array[][], seed: number): Promise<void> {
  const sets = rawSets.map((set) => set.map(flushSubnormals));
  for (const [mode, fn, args] of plans(s, c, sets, seed)) {
    const want = treeFlatten(fn(...args))[0] as Array[];
    const gpuArgs = args.map(toWebGPU);
    const got = await onBackend("webgpu", async () => treeFlatten(fn(...gpuArgs))[0] as Array[]);
    if (got.length !== want.length) throw new Error(`${mode}: ${got.length} outputs, want ${want.length}`);
    for (let i = 0; i < want.length; i++) {
      const [g, w] = [got[i], want[i]];
      if (g.dtype !== w.dtype || g.shape.join() !== w.shape.join())
        throw new Error(`${mode} output ${i}: ${g.dtype}[${g.shape}] vs CPU ${w.dtype}[${w.shape}]`);
      const exact = w.dtype !== "float32" && w.dtype !== "complex64";
      const tol = exact
        ? { rtol: 0, atol: 0 }
        : mode === "grad" || mode === "jvp"
          ? { ...DERIV_TOL, ...s.tol }
          : { ...TOL, ...s.tol };
      try {
        assertClose(await readValues(g), globalThis.Array.from(w.dataSync() as ArrayLike<number>), tol);
      } catch (e) {
        throw new Error(`${mode} output ${i} (${w.dtype}[${w.shape}]): ${(e as Error).message}`);
      }
    }
  }
}

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
  test(`${s.name}: WebGPU == CPU (eager, jit, vmap, ${s.diff === undefined ? "no derivative" : (s.modes ?? ["fwd", "rev"]).includes("rev") ? "grad" : "jvp"})`, async () => {
    const cases = s.config.chain((c) =>
      fc.record({ c: fc.constant(c), sets: fc.array(s.args(c), { minLength: 2, maxLength: 2 }), seed: fc.nat() }),
    );
    await fc.assert(
      fc.asyncProperty(cases, async ({ c, sets, seed }) => {
        try {
          await compare(s, c, sets, seed);
        } catch (e) {
          throw new Error(`${s.name}: ${(e as Error).message}\n  config ${JSON.stringify(c)}`, { cause: e });
        }
      }),
      fcParams(Math.max(2, Math.round(5 * (s.runs ?? 1)))),
    );
  });
}
