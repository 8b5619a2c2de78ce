/**
 * Fuzzing the transforms against each other on random small programs (programs.ts): elementwise
 * ops with broadcasting and scalars, dtype changes, reductions, movement ops, dot products,
 * where, cumulative ops, cond / scan / foriLoop / whileLoop, over shapes with sides 0..3.
 *
 *   1. jit, compiled (fused Wasm kernels) == jit with `jitCompile=false` (reference interpreter)
 *      == eager: bit-exact, except float outputs computed through a dot product (compiled vs
 *      reference only; see DOT_TOL in compare.ts).
 *   2. The same with NaN/Inf let through ("wild" programs and inputs with specials), NaN-aware.
 *   3. vmap(f) over a batch (random batch axis per input, or unbatched) == f on each slice,
 *      stacked on the host — bit-exact except through dot products.
 *   4. grad(Σ f) and jvp/vjp of f == central finite differences (checkGrads) on the smooth
 *      float32 subset — differences of a float64 re-evaluation of the program (host-program.ts,
 *      itself checked against the float32 evaluation first), so the float32 derivatives are held
 *      to rtol 1e-4 / atol 1e-5 of the true derivative rather than to a float32 difference's noise.
 *   5. jit(grad(Σ f)) and jit(vmap f): compiled == reference interpreter (backward passes and
 *      batched programs through the fused kernels), smooth subset.
 * CPU == WebGPU is in fuzz-webgpu.property.test.ts (the software adapter is slow).
 *
 * Fixed seed (FC_SEED), FC_NUM_RUNS overrides the budgets (`npm run fuzz`: 1000 each); a failure
 * prints the seed, the shrunk program and the input seed.
 */
import { test } from "node:test";
import fc from "fast-check";
import { config, grad, jit, makeJaxpr, vmap, np, type Array } from "linax-ts";
import { cpu } from "@linax-ts/backend-cpu";
import type { CpuExecutable } from "../../../packages/backend-cpu/src/compile/executable.ts";
import { checkGrads, fcParams, stackAlong, takeAlong } from "@linax-ts/testing";
import { describeProgram, inputValues, outputUsesDot, programFn, programs, type Program } from "./programs.ts";
import { compareOutputs, DOT_TOL } from "./compare.ts";
import { hostProgram, hostTotal } from "./host-program.ts";
import { hostValues } from "@linax-ts/testing";

/**
 * Default runs per property: the whole file takes ~9 s on the shared 2-core machine (1000 runs each,
 * as `npm run fuzz` sets: ~35 s). Most of a run is compiling the jitted programs and the FD checks.
 */
const RUNS = { jit: 500, wild: 400, vmap: 250, grad: 150, jitTransforms: 200 };

function withCompile<T>(on: boolean, fn: () => T): T {
  const prev = config.read("jitCompile");
  config.update("jitCompile", on);
  try {
    return fn();
  } finally {
    config.update("jitCompile", prev);
  }
}

function property(
  name: string,
  arb: fc.Arbitrary<[Program, number]>,
  runs: number,
  body: (p: Program, seed: number) => void,
): void {
  test(name, (t) => {
    compiledCount.compiled = compiledCount.total = 0;
    t.after(
      () =>
        compiledCount.total > 0 &&
        t.diagnostic(
          `${compiledCount.compiled} of ${compiledCount.total} programs compiled (the rest interpreted by the CPU executable)`,
        ),
    );
    const params = fcParams(runs);
    fc.assert(
      fc.property(arb, ([p, seed]) => {
        try {
          body(p, seed);
        } catch (e) {
          throw new Error(
            `${name}: ${(e as Error).message}\n${describeProgram(p)}\n  input seed ${seed} (fast-check seed ${params.seed})`,
            { cause: e },
          );
        }
      }),
      params,
    );
  });
}

const cases = (mode: "safe" | "smooth" | "wild", maxSteps?: number) => fc.tuple(programs(mode, maxSteps), fc.nat());

/**
 * How many programs the CPU backend really compiled (it interprets a jaxpr it cannot compile,
 * silently): reported per property, so a fuzz run that only exercised the fallback is visible.
 */
const compiledCount = { compiled: 0, total: 0, failures: new Map<string, number>() };

function noteCompiled(f: (...xs: Array[]) => Array[], xs: Array[]): void {
  const exe = cpu.compile(makeJaxpr(f)(...xs).jaxpr) as CpuExecutable;
  compiledCount.total++;
  if (exe.compiled !== null) compiledCount.compiled++;
}

function jitAgreement(p: Program, seed: number): void {
  const f = programFn(p);
  const xs = inputValues(p, seed);
  noteCompiled(f, xs);
  const eager = f(...xs);
  const reference = withCompile(false, () => jit(f)(...xs));
  const compiled = withCompile(true, () => jit(f)(...xs));
  // Eager dotGeneral runs the Wasm matmul (float32 accumulation) like compiled code; the reference kernels accumulate in float64.
  compareOutputs(
    reference,
    eager,
    (i) => (outputUsesDot(p, i) ? DOT_TOL : null),
    "jit (reference interpreter) vs eager",
  );
  compareOutputs(
    compiled,
    reference,
    (i) => (outputUsesDot(p, i) ? DOT_TOL : null),
    "jit (compiled) vs jit (reference interpreter)",
  );
}

property("fuzz: jit compiled == jit reference == eager (finite values)", cases("safe"), RUNS.jit, jitAgreement);

property(
  "fuzz: jit compiled == jit reference == eager with NaN/Inf (NaN-aware)",
  cases("wild"),
  RUNS.wild,
  jitAgreement,
);

property(
  "fuzz: vmap(f) == f on each batch element, stacked",
  fc.tuple(programs("safe"), fc.nat()),
  RUNS.vmap,
  (p, seed) => {
    const f = programFn(p);
    const B = 1 + (seed % 3);
    const sets = globalThis.Array.from({ length: B }, (_, b) => inputValues(p, seed + 7919 * b));
    // Per input: a batch axis in 0..ndim, or (every third input, not the first) unbatched.
    const inAxes = p.inputs.map((x, i) =>
      i > 0 && (seed >> i) % 3 === 0 ? null : (seed >> (2 * i)) % (x.shape.length + 1),
    );
    const batched = p.inputs.map((_, i) =>
      inAxes[i] === null
        ? sets[0][i]
        : stackAlong(
            sets.map((s) => s[i]),
            inAxes[i] as number,
          ),
    );
    const got = vmap(f, { inAxes })(...batched) as Array[];
    for (let b = 0; b < B; b++) {
      const want = f(...p.inputs.map((_, i) => (inAxes[i] === null ? sets[0][i] : sets[b][i])));
      compareOutputs(
        got.map((g) => takeAlong(g, 0, b)),
        want,
        (i) => (outputUsesDot(p, i) ? DOT_TOL : null),
        `vmap (in axes ${JSON.stringify(inAxes)}, batch ${B}) element ${b}`,
      );
    }
  },
);

property(
  "fuzz: grad(Σ f), jvp and vjp == float64 central differences (smooth float32 programs)",
  cases("smooth", 5),
  RUNS.grad,
  (p, seed) => {
    const f = programFn(p);
    const xs = inputValues(p, seed);
    const host = hostProgram(p);
    // The float64 reference is the program: its values agree with the float32 evaluation.
    const want = host(...xs.map((x) => Float64Array.from(hostValues(x))));
    f(...xs).forEach((o, j) => {
      const got = hostValues(o);
      const scale = 1 + want[j].reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      got.forEach((g, k) => {
        if (!(Math.abs(g - want[j][k]) <= 1e-4 * scale))
          throw new Error(`host reference: output ${j} element ${k}: float32 ${g} vs float64 ${want[j][k]}`);
      });
    });
    const total = (...ys: Array[]) => f(...ys).reduce((acc: Array, o) => np.add(acc, np.sum(o)), np.array(0));
    checkGrads(total, xs, { modes: ["rev"], seed, host: hostTotal(p) });
    checkGrads(f, xs, { modes: ["fwd", "rev"], seed: seed + 1, host });
  },
);

/** Whether any step of the program is a dot product (its derivatives and batched forms contain dots too). */
const hasDot = (p: Program): boolean => p.steps.some((s) => s.op === "dot");

property(
  "fuzz: jit(grad(Σ f)) and jit(vmap f), compiled == reference interpreter",
  cases("smooth", 6),
  RUNS.jitTransforms,
  (p, seed) => {
    const f = programFn(p);
    const xs = inputValues(p, seed);
    const total = (...ys: Array[]) => f(...ys).reduce((acc: Array, o) => np.add(acc, np.sum(o)), np.array(0));
    const g = grad(total, { argnums: xs.map((_, i) => i) }) as unknown as (...ys: Array[]) => Array[];
    const tol = hasDot(p) ? DOT_TOL : null;
    const ref = withCompile(false, () => jit(g)(...xs));
    const got = withCompile(true, () => jit(g)(...xs));
    compareOutputs(got, ref, () => tol, "jit(grad(Σ f)) compiled vs reference");
    const batched = inputValues(p, seed + 1).map((x, i) => stackAlong([xs[i], x], 0));
    const vf = vmap(f);
    const vref = withCompile(false, () => jit(vf)(...batched));
    const vgot = withCompile(true, () => jit(vf)(...batched));
    compareOutputs(vgot, vref, (i) => (outputUsesDot(p, i) ? DOT_TOL : null), "jit(vmap f) compiled vs reference");
  },
);
