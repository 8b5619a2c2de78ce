/**
 * The WebAssembly f32 GEMM routine against an independent f64 triple loop written here.
 *
 * Tolerance, per element: |C − R| ≤ (γ₃₂(k) + γ₆₄(k)) · Σ_p |a_ip|·|b_pj|, with γ(k) = k·u/(1 − k·u)
 * and u the unit roundoff (2⁻²⁴ for f32, 2⁻⁵³ for f64). This is the classical bound for a dot
 * product of k terms summed in any order in floating point (Higham, Accuracy and Stability of
 * Numerical Algorithms, §3.1), with or without fused multiply-adds; the inputs are exact f32
 * values, so the only errors are the kernel's f32 rounding and the reference's f64 rounding.
 * Exact zeros are demanded where the sum is empty (k = 0), and nothing outside C may change.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { ValueError } from "@linax-ts/core";
import {
  buildGemmModule,
  DEFAULT_GEMM_CONFIG,
  gemmScratchBytes,
  hasRelaxedSimd,
  type GemmConfig,
} from "../src/wasm/gemm.ts";
import { gemmF32, gemmF32Range, gemmPartition, type GemmF32Args } from "../src/wasm/gemm-call.ts";

const FMA_CHILD = process.env.LINAX_GEMM_FMA_CHILD === "1";

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Case {
  m: number;
  n: number;
  k: number;
  transA: boolean;
  transB: boolean;
  batch: number;
  /** Broadcast A or B over the batch (stride 0). */
  bcast: "none" | "a" | "b";
  /** Extra elements per row of stored A, B and of C (padding that must stay untouched in C). */
  padA: number;
  padB: number;
  padC: number;
}

const GUARD = 16; // floats of sentinel before and after every block
const align64 = (x: number): number => Math.ceil(x / 64) * 64;

/** Lays the case out in `memory`, runs `run`, checks C against the f64 reference and the guards. */
function check(
  memory: WebAssembly.Memory,
  cs: Case,
  cfg: GemmConfig,
  seed: number,
  run: (args: GemmF32Args) => void,
): Float32Array {
  const { m, n, k, transA, transB, batch, bcast, padA, padB, padC } = cs;
  const [rowsA, colsA] = transA ? [k, m] : [m, k];
  const [rowsB, colsB] = transB ? [n, k] : [k, n];
  const lda = colsA + padA,
    ldb = colsB + padB,
    ldc = n + padC;
  const strideA = bcast === "a" ? 0 : rowsA * lda,
    strideB = bcast === "b" ? 0 : rowsB * ldb,
    strideC = m * ldc;
  const nA = bcast === "a" ? rowsA * lda : batch * rowsA * lda,
    nB = bcast === "b" ? rowsB * ldb : batch * rowsB * ldb,
    nC = batch * strideC;
  const a = align64(4 * GUARD + 64);
  const b = align64(a + 4 * (nA + 2 * GUARD));
  const c = align64(b + 4 * (nB + 2 * GUARD)) + 4; // C deliberately only 4-byte aligned
  const scratch = align64(c + 4 * (nC + 2 * GUARD));
  const end = scratch + gemmScratchBytes(cfg);
  const have = memory.buffer.byteLength;
  if (end > have) memory.grow(Math.ceil((end - have) / 65536));
  const f = new Float32Array(memory.buffer);
  f.fill(NaN, 0, end / 4);
  const r = rng(seed);
  // Values with short mantissas mixed with full ones, both signs, some exact zeros.
  const val = (): number => (r() < 0.1 ? 0 : Math.fround((r() - 0.5) * 4));
  for (let i = 0; i < nA; i++) f[a / 4 + i] = val();
  for (let i = 0; i < nB; i++) f[b / 4 + i] = val();
  const sentinel = 1234.5;
  f.fill(sentinel, c / 4 - GUARD, c / 4 + nC + GUARD);
  const args: GemmF32Args = {
    a,
    b,
    c,
    m,
    n,
    k,
    transA,
    transB,
    lda,
    ldb,
    ldc,
    batch,
    strideA,
    strideB,
    strideC,
    scratch,
  };
  run(args);
  const f2 = new Float32Array(memory.buffer);
  const A = (t: number, i: number, p: number): number => f2[a / 4 + t * strideA + (transA ? p * lda + i : i * lda + p)];
  const B = (t: number, p: number, j: number): number => f2[b / 4 + t * strideB + (transB ? j * ldb + p : p * ldb + j)];
  const gamma = (kk: number, u: number): number => (kk * u) / (1 - kk * u);
  const bound = gamma(k, 2 ** -24) + gamma(k, 2 ** -53);
  const label = `${JSON.stringify(cs)} cfg=${JSON.stringify(cfg)}`;
  for (let t = 0; t < batch; t++) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < ldc; j++) {
        const got = f2[c / 4 + t * strideC + i * ldc + j];
        if (j >= n) {
          if (got !== sentinel) assert.fail(`${label}: padding C[${t},${i},${j}] was overwritten with ${got}`);
          continue;
        }
        let s = 0,
          sAbs = 0;
        for (let p = 0; p < k; p++) {
          const prod = A(t, i, p) * B(t, p, j);
          s += prod;
          sAbs += Math.abs(prod);
        }
        if (k === 0 ? !Object.is(got, 0) : !(Math.abs(got - s) <= bound * sAbs)) {
          assert.fail(`${label}: C[${t},${i},${j}] = ${got}, reference ${s}, allowed error ${bound * sAbs}`);
        }
      }
    }
  }
  for (let g = 1; g <= GUARD; g++) {
    assert.equal(f2[c / 4 - g], sentinel, `${label}: guard before C`);
    assert.equal(f2[c / 4 + nC - 1 + g], sentinel, `${label}: guard after C`);
  }
  return f2.slice(c / 4, c / 4 + nC);
}

const TINY: GemmConfig = { mr: 3, nr: 4, kc: 5, mc: 6, nc: 8, unroll: 2, fma: false };
const MID: GemmConfig = { mr: 4, nr: 12, kc: 16, mc: 8, nc: 24, unroll: 3, fma: false };

function randomCases(seed: number, count: number, maxDim: number): Case[] {
  const r = rng(seed);
  const dims = [0, 1, 2, 3, 5, 7, 8, 13, 17, 31];
  const dim = (): number => (r() < 0.5 ? dims[Math.floor(r() * dims.length)] : Math.floor(r() * maxDim));
  const out: Case[] = [];
  for (let q = 0; q < count; q++) {
    const batch = r() < 0.6 ? 1 : 1 + Math.floor(r() * 3);
    out.push({
      m: dim(),
      n: dim(),
      k: dim(),
      transA: (q & 1) === 1,
      transB: (q & 2) === 2, // every combination in each group of four
      batch,
      bcast: batch > 1 && r() < 0.5 ? (r() < 0.5 ? "a" : "b") : "none",
      padA: r() < 0.3 ? 3 : 0,
      padB: r() < 0.3 ? 1 : 0,
      padC: r() < 0.3 ? 2 : 0,
    });
  }
  return out;
}

const memories = (): [string, WebAssembly.Memory][] => [
  ["shared", new WebAssembly.Memory({ initial: 4, maximum: 65536, shared: true })],
  ["unshared", new WebAssembly.Memory({ initial: 4 })],
];

const fmaVariants = (cfg: GemmConfig): GemmConfig[] => (FMA_CHILD ? [{ ...cfg, fma: true }] : [cfg]);

test("random shapes (0, 1, odd, non-tile multiples), all four transpositions, batched and broadcast, on shared and unshared memory", () => {
  for (const [, memory] of memories()) {
    for (const base of [TINY, MID, DEFAULT_GEMM_CONFIG]) {
      for (const cfg of fmaVariants(base)) {
        randomCases(base.kc * 7 + base.mr, 48, 40).forEach((cs, q) =>
          check(memory, cs, cfg, q, (args) => gemmF32(memory, args, { config: cfg })),
        );
      }
    }
  }
});

test("shapes larger than every cache block of the default config (several kc, mc and nc blocks and ragged edges)", () => {
  const memory = new WebAssembly.Memory({ initial: 64, maximum: 65536, shared: true });
  const cfg = FMA_CHILD ? { ...DEFAULT_GEMM_CONFIG, fma: true } : DEFAULT_GEMM_CONFIG;
  const big: Case[] = [
    { m: 197, n: 1033, k: 517, transA: false, transB: false, batch: 1, bcast: "none", padA: 0, padB: 0, padC: 0 },
    { m: 101, n: 1030, k: 260, transA: true, transB: true, batch: 1, bcast: "none", padA: 1, padB: 2, padC: 3 },
  ];
  big.forEach((cs, q) => check(memory, cs, cfg, 100 + q, (args) => gemmF32(memory, args, { config: cfg })));
});

test("a k=0 product writes exact zeros; m=0 or n=0 touches nothing", () => {
  const memory = new WebAssembly.Memory({ initial: 4 });
  for (const [m, n] of [
    [0, 0],
    [0, 5],
    [5, 0],
    [7, 9],
    [1, 1],
  ]) {
    for (const cfg of [TINY, DEFAULT_GEMM_CONFIG]) {
      check(
        memory,
        { m, n, k: 0, transA: false, transB: true, batch: 2, bcast: "none", padA: 0, padB: 0, padC: 1 },
        cfg,
        1,
        (args) => gemmF32(memory, args, { config: cfg }),
      );
    }
  }
});

test("a partition covers C exactly once, and running its ranges with separate scratch gives bit-identical results", () => {
  const memory = new WebAssembly.Memory({ initial: 8, maximum: 65536, shared: true });
  const shapes: [Case, number][] = [
    [{ m: 50, n: 9, k: 13, transA: false, transB: false, batch: 1, bcast: "none", padA: 0, padB: 0, padC: 0 }, 2],
    [{ m: 2, n: 77, k: 9, transA: true, transB: false, batch: 1, bcast: "none", padA: 0, padB: 0, padC: 1 }, 3],
    [{ m: 7, n: 7, k: 21, transA: false, transB: true, batch: 5, bcast: "b", padA: 0, padB: 0, padC: 0 }, 2],
    [{ m: 31, n: 29, k: 40, transA: true, transB: true, batch: 1, bcast: "none", padA: 0, padB: 0, padC: 0 }, 4],
  ];
  for (const cfg of [TINY, MID]) {
    for (const [cs, parts] of shapes) {
      const whole = check(memory, cs, cfg, 7, (args) => gemmF32(memory, args, { config: cfg }));
      const split = check(memory, cs, cfg, 7, (args) => {
        const ranges = gemmPartition(args, parts, cfg);
        assert.ok(ranges.length > 1 && ranges.length <= parts, `${ranges.length} ranges for ${parts} parts`);
        // Coverage: every (t, i, j) in exactly one range.
        const hits = new Uint8Array(cs.batch * cs.m * cs.n);
        for (const g of ranges)
          for (let t = g.b0; t < g.b1; t++)
            for (let i = g.i0; i < g.i1; i++) for (let j = g.j0; j < g.j1; j++) hits[(t * cs.m + i) * cs.n + j]++;
        assert.ok(
          hits.every((h) => h === 1),
          "each element of C in exactly one range",
        );
        // Separate scratch per range, as threads would have (placed after the operands' scratch).
        const extra = align64(args.scratch + gemmScratchBytes(cfg));
        if (extra + ranges.length * gemmScratchBytes(cfg) > memory.buffer.byteLength)
          memory.grow(Math.ceil((ranges.length * gemmScratchBytes(cfg)) / 65536) + 1);
        ranges
          .reverse()
          .forEach((g, q) =>
            gemmF32Range(memory, args, g, { config: cfg, scratch: extra + q * gemmScratchBytes(cfg) }),
          );
      });
      assert.deepEqual(split, whole, `split into ranges == whole (${JSON.stringify(cs)})`);
    }
  }
});

test("bad arguments raise ValueError naming the argument", () => {
  const memory = new WebAssembly.Memory({ initial: 1 });
  const ok: GemmF32Args = { a: 64, b: 1024, c: 2048, m: 4, n: 4, k: 4, scratch: 4096 };
  const scratchNeeds = gemmScratchBytes(TINY);
  assert.ok(4096 + scratchNeeds <= 65536);
  gemmF32(memory, ok, { config: TINY });
  assert.throws(
    () => gemmF32(memory, { ...ok, a: 66 }, { config: TINY }),
    (e: unknown) => e instanceof ValueError && /a must be a 4-byte aligned/.test(e.message),
  );
  assert.throws(
    () => gemmF32(memory, { ...ok, m: -1 }, { config: TINY }),
    (e: unknown) => e instanceof ValueError && /m must be/.test(e.message),
  );
  assert.throws(
    () => gemmF32(memory, { ...ok, c: 65536 - 32 }, { config: TINY }),
    (e: unknown) => e instanceof ValueError && /c \(16 f32 at/.test(e.message),
  );
  assert.throws(
    () => gemmF32(memory, ok),
    (e: unknown) => e instanceof ValueError && /scratch/.test(e.message),
    "the default config's scratch does not fit at 4096 in one page",
  );
  assert.throws(
    () => gemmF32(memory, { ...ok, ldc: 3 }, { config: TINY }),
    (e: unknown) => e instanceof ValueError && /ldc=3/.test(e.message),
  );
  assert.throws(
    () => gemmF32(memory, { ...ok, batch: 2, strideC: 0 }, { config: TINY }),
    (e: unknown) => e instanceof ValueError && /overlap/.test(e.message),
  );
  assert.throws(
    () => gemmF32Range(memory, ok, { b0: 0, b1: 1, i0: 0, i1: 5, j0: 0, j1: 4 }, { config: TINY }),
    (e: unknown) => e instanceof ValueError && /not inside/.test(e.message),
  );
});

test(
  "the relaxed-SIMD (FMA) micro-kernel: run in a child process with --experimental-wasm-relaxed-simd where the engine needs the flag",
  { skip: FMA_CHILD },
  (t) => {
    if (hasRelaxedSimd()) {
      // The engine has relaxed SIMD by default: the tests above ran the default config, now run the FMA one here.
      const memory = new WebAssembly.Memory({ initial: 4 });
      for (const base of [TINY, MID, DEFAULT_GEMM_CONFIG]) {
        const cfg = { ...base, fma: true };
        randomCases(3, 24, 40).forEach((cs, q) =>
          check(memory, cs, cfg, q, (args) => gemmF32(memory, args, { config: cfg })),
        );
      }
      return;
    }
    const probe = spawnSync(process.execPath, ["--experimental-wasm-relaxed-simd", "-e", "0"], { encoding: "utf8" });
    if (probe.status !== 0) {
      t.skip("this engine has no relaxed SIMD");
      return;
    }
    const self = fileURLToPath(import.meta.url);
    const child = spawnSync(process.execPath, ["--experimental-wasm-relaxed-simd", "--import", "tsx", "--test", self], {
      encoding: "utf8",
      // Without NODE_TEST_CONTEXT the child reports in TAP on stdout instead of to this runner.
      env: {
        ...Object.fromEntries(Object.entries(process.env).filter(([key]) => key !== "NODE_TEST_CONTEXT")),
        LINAX_GEMM_FMA_CHILD: "1",
      },
    });
    assert.equal(child.status, 0, `FMA child failed:\n${child.stdout}\n${child.stderr}`);
    assert.match(child.stdout, /# pass [1-9]/);
  },
);

test(
  "in the FMA child, relaxed SIMD validates and only the FMA module uses f32x4.relaxed_madd",
  { skip: !FMA_CHILD },
  () => {
    assert.ok(hasRelaxedSimd());
    // f32x4.relaxed_madd is 0xFD with sub-opcode 0x105 (LEB128: 0x85 0x02).
    const uses = (bytes: Uint8Array): boolean =>
      bytes.some((x, i) => x === 0xfd && bytes[i + 1] === 0x85 && bytes[i + 2] === 0x02);
    assert.ok(uses(buildGemmModule({ shared: true, config: { ...DEFAULT_GEMM_CONFIG, fma: true } })));
    assert.ok(!uses(buildGemmModule({ shared: true, config: DEFAULT_GEMM_CONFIG })));
  },
);

test("the worker pool (2 and 3 threads) gives bit-identical results to one thread, on random and large shapes", async () => {
  const { GemmPool } = await import("../src/wasm/threads/gemm-pool.ts");
  const memory = new WebAssembly.Memory({ initial: 64, maximum: 65536, shared: true });
  for (const threads of [2, 3]) {
    for (const cfg of [MID, DEFAULT_GEMM_CONFIG].flatMap(fmaVariants)) {
      // minFlop 0: even the smallest products are split over the threads.
      const pool = new GemmPool(memory, { threads, config: cfg, minFlop: 0 });
      try {
        const cases: Case[] = [
          ...randomCases(11, 12, 40),
          { m: 130, n: 75, k: 64, transA: false, transB: true, batch: 1, bcast: "none", padA: 0, padB: 0, padC: 0 },
          { m: 3, n: 300, k: 100, transA: true, transB: false, batch: 1, bcast: "none", padA: 0, padB: 0, padC: 1 },
          { m: 40, n: 33, k: 70, transA: false, transB: false, batch: 9, bcast: "a", padA: 0, padB: 0, padC: 0 },
        ];
        // The pool's scratch: one block per thread, laid out from the case's scratch pointer on.
        const poolRun = (args: GemmF32Args): void => {
          const need = args.scratch + pool.scratchBytes();
          if (need > memory.buffer.byteLength) memory.grow(Math.ceil((need - memory.buffer.byteLength) / 65536));
          pool.gemmF32(args);
        };
        cases.forEach((cs, q) => {
          const one = check(memory, cs, cfg, q, (args) => gemmF32(memory, args, { config: cfg }));
          const many = check(memory, cs, cfg, q, poolRun);
          assert.deepEqual(many, one, `pool(${threads}) == one thread for ${JSON.stringify(cs)}`);
        });
        // The workers do take part: within a few calls of a product of some milliseconds they claim chunks.
        const big: Case = {
          m: 240,
          n: 200,
          k: 300,
          transA: false,
          transB: false,
          batch: 1,
          bcast: "none",
          padA: 0,
          padB: 0,
          padC: 0,
        };
        for (let r = 0; r < 20 && pool.workerChunks === 0; r++) check(memory, big, cfg, r, poolRun);
        assert.ok(pool.workerChunks > 0, "the workers ran some chunks");
        assert.throws(
          () => pool.gemmF32({ a: 0, b: 0, c: 0, m: 1, n: 1, k: 1, scratch: memory.buffer.byteLength - 64 }),
          (e: unknown) => e instanceof ValueError && /scratch/.test(e.message),
        );
      } finally {
        pool.close();
      }
      assert.throws(
        () => pool.gemmF32({ a: 0, b: 0, c: 0, m: 1, n: 1, k: 1, scratch: 0 }),
        (e: unknown) => e instanceof ValueError && /closed/.test(e.message),
      );
    }
  }
  assert.throws(
    () => new GemmPool(new WebAssembly.Memory({ initial: 1 })),
    (e: unknown) => e instanceof ValueError && /shared/.test(e.message),
  );
});
