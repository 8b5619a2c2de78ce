/**
 * dotGeneral with a fused elementwise epilogue (compile/gemm-epilogue.ts): x·W + b then
 * tanh/gelu/relu, a residual, a comparison, batched and transposed operands, sizes 0 and 1, k and
 * n past one cache block — against
 * - the same program with the fusion off (LINAX_FUSE_EPILOGUES=0), bit for bit, on random normal
 *   data (the GEMM's float32 sums are the same; the epilogue is the same ops on the same values);
 * - the reference interpreter (jitCompile off), bit for bit, on small-integer data, where the
 *   GEMM's float32 sums and the reference's float64 sums are both exact, so every value the
 *   epilogue sees is the same.
 * On two threads (the default pool) and, in a child process, with LINAX_CPU_THREADS=1. The
 * counters of fused and fallen-back runs show which path ran.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { config, jit, lax, makeJaxpr, nn, np, type Array } from "linax-ts";
import { cpu } from "@linax-ts/backend-cpu";
import type { CpuExecutable } from "../src/compile/executable.ts";
import { epilogueRuns } from "../src/compile/gemm-epilogue.ts";
import { gemmSplits } from "../src/compile/dot-routine.ts";
import { threadCount } from "../src/wasm/threads/thread-count.ts";

const threads = threadCount();

/** A deterministic array: standard-normal-ish floats, or small integers in [-3, 3]. */
function data(shape: number[], seed: number, ints = false): Array {
  let s = seed * 7919 + 17;
  const next = (): number => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s / 2 ** 32;
  };
  const size = shape.reduce((p, d) => p * d, 1);
  const values = Float32Array.from({ length: size }, () =>
    ints ? Math.floor(next() * 7) - 3 : (next() + next() + next() - 1.5) * 2,
  );
  const stride = shape.map((_, d) => shape.slice(d + 1).reduce((p, e) => p * e, 1));
  return np.array({ data: values, shape, stride, offset: 0 } as never);
}

function sameBits(got: Array, want: Array, what: string): void {
  assert.deepEqual(got.shape, want.shape, `${what}: shape`);
  const g = got.dataSync();
  const w = want.dataSync();
  for (let i = 0; i < w.length; i++) {
    if (Number.isNaN(g[i]) && Number.isNaN(w[i])) continue;
    if (!Object.is(g[i], w[i])) assert.fail(`${what}: element ${i} of ${w.length}: ${g[i]} vs ${w[i]}`);
  }
}

/** The program's printed steps as compiled on the CPU (fusion as configured now). */
function routineSteps(f: (...xs: Array[]) => Array, args: Array[]): string[] {
  const exe = cpu.compile(makeJaxpr(f)(...args).jaxpr) as CpuExecutable;
  assert.notEqual(exe.compiled, null, "the program compiled");
  return exe.compiled!.program.steps.map((s) =>
    s.kind === "routine" ? `${s.eqn.prim.name}${s.epilogue ? "+epilogue" : ""}` : s.kernel.kind,
  );
}

/** Run `f` fused, unfused and (optionally) on the reference; assert the path taken and equal bits. */
function check(
  what: string,
  f: (...xs: Array[]) => Array,
  args: Array[],
  opts: { expect: "fused" | "unfused" | "none"; reference?: boolean },
): void {
  const before = { ...epilogueRuns };
  const fused = jit(f)(...args);
  const ran = { fused: epilogueRuns.fused - before.fused, unfused: epilogueRuns.unfused - before.unfused };
  if (opts.expect === "fused") assert.deepEqual(ran, { fused: 1, unfused: 0 }, `${what}: ran fused`);
  else if (opts.expect === "unfused")
    assert.deepEqual(ran, { fused: 0, unfused: 1 }, `${what}: fell back to GEMM + kernel`);
  else assert.deepEqual(ran, { fused: 0, unfused: 0 }, `${what}: no epilogue`);
  process.env.LINAX_FUSE_EPILOGUES = "0";
  let plain: Array;
  try {
    plain = jit((...xs: Array[]) => f(...xs))(...args);
  } finally {
    delete process.env.LINAX_FUSE_EPILOGUES;
  }
  sameBits(fused, plain, `${what}: fused vs unfused`);
  if (opts.reference === true) {
    config.update("jitCompile", false);
    let ref: Array;
    try {
      ref = jit((...xs: Array[]) => f(...xs))(...args);
    } finally {
      config.update("jitCompile", true);
    }
    sameBits(fused, ref, `${what}: fused vs reference`);
  }
}

const dense =
  (act: (y: Array) => Array) =>
  (x: Array, w: Array, b: Array): Array =>
    act(np.matmul(x, w).add(b));
const ACTS: Record<string, (y: Array) => Array> = {
  tanh: (y) => np.tanh(y),
  relu: (y) => np.maximum(y, 0),
  gelu: (y) => nn.gelu(y),
  // A JS reference function (no WebAssembly routine): the GEMM calls it through an import.
  atan: (y) => np.arctan(y),
};

// [B, K] @ [K, N]: sizes 0 and 1, edge tiles, k past one k block (256), n past one column block (1024).
const SHAPES: [number, number, number][] = [
  [0, 3, 4],
  [3, 0, 4],
  [4, 3, 0],
  [1, 1, 1],
  [4, 3, 5],
  [13, 64, 33],
  [7, 300, 1030],
  [97, 129, 17],
];

test("epilogue: x@W + b then tanh prints as one fused routine step", () => {
  assert.deepEqual(routineSteps(dense(ACTS.tanh), [data([4, 3], 1), data([3, 5], 2), data([5], 3)]), [
    "dotGeneral+epilogue",
  ]);
  process.env.LINAX_FUSE_EPILOGUES = "0";
  try {
    assert.deepEqual(routineSteps(dense(ACTS.tanh), [data([4, 3], 1), data([3, 5], 2), data([5], 3)]), [
      "dotGeneral",
      "elementwise",
    ]);
  } finally {
    delete process.env.LINAX_FUSE_EPILOGUES;
  }
});

test("epilogue: dense layers over random shapes equal the unfused program and the reference bit for bit", () => {
  let seed = 10;
  for (const [B, K, N] of SHAPES) {
    for (const [name, act] of Object.entries(ACTS)) {
      const args = [data([B, K], seed++), data([K, N], seed++), data([N], seed++)];
      // Small products run on the calling thread: the fused GEMM takes imported functions too;
      // a product split over the worker threads cannot call them (atan), so it runs unfused.
      // An empty product has no rows to apply an epilogue to: it is left unfused.
      const expect =
        B * N === 0 ? "none" : name === "atan" && gemmSplits(cpu, { m: B, n: N, k: K }) ? "unfused" : "fused";
      check(`${name} [${B},${K}]@[${K},${N}]`, dense(act), args, { expect });
      const ints = [data([B, K], seed++, true), data([K, N], seed++, true), data([N], seed++, true)];
      check(`${name} [${B},${K}]@[${K},${N}] (integers)`, dense(act), ints, { expect, reference: true });
    }
  }
});

test("epilogue: transposed and batched operands, residuals, a boolean result", () => {
  const [B, K, N] = [37, 70, 45];
  const tanhBias = (y: Array, b: Array) => np.tanh(y.add(b));
  for (const ints of [false, true]) {
    const o = { expect: "fused" as const, reference: ints };
    const xT = data([K, B], 1, ints);
    const w = data([K, N], 2, ints);
    const wT = data([N, K], 3, ints);
    const b = data([N], 4, ints);
    check(
      "xᵀ stored",
      (x, w, b) => tanhBias(lax.dotGeneral(x, w, { contractingDims: [[0], [0]], batchDims: [[], []] }), b),
      [xT, w, b],
      o,
    );
    check(
      "Wᵀ stored",
      (x, w, b) => tanhBias(lax.dotGeneral(x, w, { contractingDims: [[1], [1]], batchDims: [[], []] }), b),
      [data([B, K], 5, ints), wT, b],
      o,
    );
    const bx = data([3, B, K], 6, ints);
    const bw = data([3, K, N], 7, ints);
    const bb = data([3, 1, N], 8, ints);
    const batched = (x: Array, w: Array, b: Array) =>
      np.maximum(lax.dotGeneral(x, w, { contractingDims: [[2], [1]], batchDims: [[0], [0]] }).add(b), 0);
    check("batched, per-batch bias", batched, [bx, bw, bb], o);
    const r = data([B, N], 9, ints);
    check("residual", (x, w, r) => np.matmul(x, w).add(r).mul(0.5), [data([B, K], 10, ints), w, r], o);
    check("bool result (not in place)", (x, w, b) => np.matmul(x, w).add(b).gt(0), [data([B, K], 11, ints), w, b], o);
    // A boolean operand (a dropout mask: one byte per element) and a complex64 result (8 bytes).
    const mask = data([B, N], 16, true).gt(0);
    check(
      "bool mask operand",
      (x, w, r, keep) => np.where(keep, np.matmul(x, w).add(r), 0).div(0.9),
      [data([B, K], 17, ints), w, r, mask],
      o,
    );
    check(
      "complex64 result (not in place)",
      (x, w, v) => lax.complex(np.matmul(x, w), v),
      [data([B, K], 18, ints), w, r],
      o,
    );
    check(
      "matrix · vector",
      (x, v) => np.tanh(np.matmul(x, v).add(1)),
      [data([B, K], 12, ints), data([K], 13, ints)],
      o,
    );
    check(
      "vector · vector (a scalar)",
      (u, v) => np.tanh(np.matmul(u, v).mul(2)),
      [data([K], 14, ints), data([K], 15, ints)],
      o,
    );
  }
});

test("epilogue: a matmul output with a second use, or an epilogue the rows cannot express, does not fuse", () => {
  const x = data([6, 4], 1);
  const w = data([4, 6], 2);
  const b = data([6], 3);
  const twoUses = (x: Array, w: Array, b: Array) => {
    const y = np.matmul(x, w);
    return np.tanh(y.add(b)).add(np.sum(y, { axis: 1, keepdims: true }));
  };
  assert.deepEqual(routineSteps(twoUses, [x, w, b]), ["dotGeneral", "reduce", "elementwise"]);
  check("second use", twoUses, [x, w, b], { expect: "none" });
  // Columns regrouped as [2, 3] with the bias along the inner 3: not a multiple of the column.
  const regrouped = (x: Array, w: Array, b: Array) =>
    np.tanh(
      np
        .matmul(x, w)
        .reshape([6, 2, 3])
        .add(b.reshape([2, 3]).sum(0)),
    );
  assert.deepEqual(routineSteps(regrouped, [x, w, b]), ["dotGeneral", "reduce", "elementwise"]);
  check("regrouped columns", regrouped, [x, w, b], { expect: "none" });
});

test("epilogue: products big enough for the GEMM pool", () => {
  const args = [data([256, 512], 1), data([512, 256], 2), data([256], 3)];
  // relu and the bias add are native instructions, tanh and gelu's tanh exact WebAssembly
  // routines (wasm/libm): fused on every thread.
  check("relu, pool-sized", dense(ACTS.relu), args, { expect: "fused" });
  // Few rows, many columns: the pool splits the columns, so blocks are parts of rows.
  check(
    "tanh, pool-sized, split by columns",
    dense(ACTS.tanh),
    [data([4, 512], 7), data([512, 4096], 8), data([4096], 9)],
    { expect: "fused" },
  );
  check("tanh, pool-sized", dense(ACTS.tanh), args, { expect: "fused" });
  // atan calls the reference's JS function, which the pool's workers cannot: fused only on one thread.
  check("atan, pool-sized", dense(np.arctan), args, { expect: threads > 1 ? "unfused" : "fused" });
  // sin and cos are exact WebAssembly routines (wasm/libm/sincos-f32.ts): fused on every thread.
  check("sin, pool-sized", dense(np.sin), args, { expect: "fused" });
  config.update("fastMath", true);
  try {
    // The polynomial tanh: fused on every thread.
    check("tanh (fastMath), pool-sized", dense(ACTS.tanh), args, { expect: "fused" });
  } finally {
    config.update("fastMath", false);
  }
  const ints = [data([256, 512], 4, true), data([512, 256], 5, true), data([256], 6, true)];
  check("gelu, pool-sized (integers)", dense(ACTS.gelu), ints, { expect: "fused", reference: true });
  check("atan, pool-sized (integers)", dense(np.arctan), ints, {
    expect: threads > 1 ? "unfused" : "fused",
    reference: true,
  });
  check("cos, pool-sized (integers)", dense(np.cos), ints, { expect: "fused", reference: true });
});

test(
  "epilogue: the same with LINAX_CPU_THREADS=1 (child process)",
  { skip: process.env.LINAX_CPU_THREADS !== undefined },
  () => {
    // (Without the parent runner's NODE_TEST_CONTEXT, the child prints its own TAP report.)
    const { NODE_TEST_CONTEXT: _, ...env } = process.env;
    const r = spawnSync(process.execPath, ["--import", "tsx", "--test", fileURLToPath(import.meta.url)], {
      env: { ...env, LINAX_CPU_THREADS: "1" },
      encoding: "utf8",
    });
    assert.equal(r.status, 0, `child run failed:\n${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /# fail 0/);
  },
);
