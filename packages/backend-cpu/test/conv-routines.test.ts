/**
 * convGeneralDilated routines (compile/routines/conv.ts) against the reference kernel
 * (kernels/conv.ts):
 * - depthwise conv1d (wasm/depthwise-conv.ts), channels-first and channels-last, random sizes incl.
 *   1 and empty batches, kernel widths, strides, rhs dilations, padding (causal, both sides,
 *   cropping), and its weight gradient (batch groups): bit for bit (float64 sums in the same order);
 * - every other float32 conv on im2col + the GEMM (1-D/2-D, NCH…/NHC…, feature groups, strides,
 *   lhs and rhs dilation, SAME/causal padding): within the float32 dot bound
 *   (K + 2)·2⁻²⁴·Σ|x||w| per output element, K = taps × channels per group (the bound of
 *   dot-routine.test.ts), with Σ|x||w| the reference conv of |x| and |w|;
 * - layouts and dtypes it declines; eager == jit; jitted programs and their gradients against the
 *   reference backend (`jitCompile` off): exact for depthwise programs, within the bound otherwise.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { config, grad, jit, lax, makeJaxpr, np, random, type ShapedArray, type Array, type TypedArray } from "linax-ts";
import { cpu, getKernel } from "@linax-ts/backend-cpu";
import type { CpuBuffer } from "../src/backend.ts";
import { convRoutine } from "../src/compile/routines/conv.ts";
import { fastRoutine } from "../src/compile/routine-table.ts";

type Opts = Parameters<typeof lax.convGeneralDilated>[2];

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
const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];

/** The params the primitive gets for these options (from its jaxpr). */
function paramsOf(x: Array, w: Array, opts: Opts): Record<string, unknown> {
  const j = makeJaxpr((a: Array, b: Array) => lax.convGeneralDilated(a, b, opts))(x, w);
  return j.jaxpr.eqns[0].params as Record<string, unknown>;
}

interface Run {
  got: TypedArray | undefined;
  want: TypedArray;
  bound: TypedArray;
  K: number;
}

function run(x: Array, w: Array, opts: Opts): Run {
  const params = paramsOf(x, w, opts);
  config.update("jitCompile", false);
  let outAval: ShapedArray;
  try {
    const y = lax.convGeneralDilated(x, w, opts);
    outAval = y.aval;
    y.dispose();
  } finally {
    config.update("jitCompile", true);
  }
  const ins = [x.dataSync(), w.dataSync()];
  const avals = [x.aval, w.aval];
  const bufs = ins.map((d, i) => cpu.fromHost(d, avals[i]) as CpuBuffer);
  const res = convRoutine(cpu, bufs, avals, [outAval], params);
  const got = res === undefined ? undefined : cpu.readSync(res[0]);
  const ref = getKernel("convGeneralDilated")!;
  const want = ref(ins, avals, [outAval], params)[0];
  const abs = (d: TypedArray) => Float32Array.from(d, Math.abs);
  const bound = ref([abs(ins[0]), abs(ins[1])], avals, [outAval], params)[0];
  for (const b of [...bufs, ...(res ?? [])]) cpu.dispose(b);
  const p = params as unknown as lax.ConvParams;
  const rs = p.dimensionNumbers.rhsSpec;
  const K = rs.slice(1).reduce((acc, d) => acc * w.shape[d], 1);
  return { got, want, bound, K };
}

function exact(what: string, r: Run): void {
  assert.notEqual(r.got, undefined, `${what}: the routine took it`);
  for (let i = 0; i < r.want.length; i++)
    if (!Object.is(r.got![i], r.want[i]))
      assert.fail(`${what}: element ${i}: routine ${r.got![i]}, reference ${r.want[i]}`);
}

function withinBound(what: string, r: Run): void {
  assert.notEqual(r.got, undefined, `${what}: the routine took it`);
  const gamma = (r.K + 2) * 2 ** -24;
  for (let i = 0; i < r.want.length; i++) {
    const tol = gamma * r.bound[i] + 1e-30;
    if (!(Math.abs(r.got![i] - r.want[i]) <= tol))
      assert.fail(`${what}: element ${i}: routine ${r.got![i]}, reference ${r.want[i]}, bound ${tol}`);
  }
}

test("convGeneralDilated has a routine", () => assert.notEqual(fastRoutine("convGeneralDilated"), undefined));

test("depthwise conv1d == reference bit for bit (NCH and NHC, strides, dilations, paddings)", () => {
  const r = rng(5);
  let n = 0;
  for (let trial = 0; trial < 120; trial++) {
    const N = pick(r, [0, 1, 2, 3]);
    const C = pick(r, [1, 2, 3, 5, 16, 17, 33]);
    const L = pick(r, [1, 2, 5, 16, 37, 70]);
    const k = pick(r, [1, 2, 3, 4, 7]);
    const stride = pick(r, [1, 1, 2, 3]);
    const dil = pick(r, [1, 1, 2]);
    const causal = r() < 0.4;
    const lo = causal ? (k - 1) * dil : Math.floor(r() * 5) - 1;
    const hi = causal ? 0 : Math.floor(r() * 5) - 1;
    const eff = (k - 1) * dil + 1;
    if (L + lo + hi < eff) continue;
    const last = r() < 0.5;
    const x = random.normal(random.PRNGKey(trial), last ? [N, L, C] : [N, C, L]);
    const w = random.normal(random.PRNGKey(1000 + trial), last ? [k, 1, C] : [C, 1, k]);
    const opts: Opts = {
      windowStrides: [stride],
      padding: [[lo, hi]],
      rhsDilation: [dil],
      featureGroupCount: C,
      dimensionNumbers: last ? ["NHC", "HIO", "NHC"] : null,
    };
    exact(
      `depthwise ${last ? "NHC" : "NCH"} N=${N} C=${C} L=${L} k=${k} stride=${stride} dil=${dil} pad=[${lo},${hi}]`,
      run(x, w, opts),
    );
    n++;
  }
  assert.ok(n > 60, `${n} cases`);
});

test("batch-grouped correlation (a depthwise conv's weight gradient) == reference bit for bit", () => {
  const r = rng(23);
  let n = 0;
  for (let trial = 0; trial < 40; trial++) {
    const N = pick(r, [1, 2, 3]);
    const C = pick(r, [2, 5, 17]); // C = 1 has no batch groups (the GEMM path)
    const L = pick(r, [3, 8, 21, 40]);
    const Lg = pick(r, [1, 2, 5, 9]);
    const [wS, rD] = [pick(r, [1, 1, 2]), pick(r, [1, 2, 3])];
    const lo = Math.floor(r() * 4) - 1;
    const hi = Math.floor(r() * 4) - 1;
    if (L + lo + hi < (Lg - 1) * rD + 1) continue;
    const x = random.normal(random.PRNGKey(3000 + trial), [N, C, L]);
    const g = random.normal(random.PRNGKey(4000 + trial), [N, C, Lg]);
    const spec = { lhsSpec: [1, 0, 2], rhsSpec: [1, 0, 2], outSpec: [1, 0, 2] };
    const opts: Opts = {
      windowStrides: [wS],
      rhsDilation: [rD],
      padding: [[lo, hi]],
      batchGroupCount: C,
      dimensionNumbers: spec,
    };
    exact(`batch groups N=${N} C=${C} L=${L} Lg=${Lg} strides=${wS} dil=${rD} pad=[${lo},${hi}]`, run(x, g, opts));
    n++;
  }
  assert.ok(n > 20, `${n} cases`);
});

test("general convolutions on im2col + GEMM == reference within the f32 dot bound", () => {
  const r = rng(11);
  const cases: [string, number[], number[], Opts][] = [
    ["1-D NCH", [2, 6, 30], [7, 6, 3], { padding: [[1, 1]] }],
    ["1-D NCH causal, B16-like", [3, 32, 64], [32, 32, 4], { padding: [[3, 0]] }],
    ["1-D NHC", [2, 30, 6], [3, 6, 7], { padding: [[2, 0]], dimensionNumbers: ["NHC", "HIO", "NHC"] }],
    [
      "1-D NCH stride 2, rhs dilation 2",
      [2, 5, 41],
      [4, 5, 3],
      { windowStrides: [2], rhsDilation: [2], padding: "SAME" },
    ],
    ["1-D NCH lhs dilation 2 (a transposed conv)", [2, 5, 20], [4, 5, 3], { lhsDilation: [2], padding: [[2, 2]] }],
    ["1-D groups", [2, 6, 25], [9, 2, 3], { featureGroupCount: 3, padding: [[1, 1]] }],
    [
      "1-D channel multiplier (groups = in channels, 2 out each)",
      [2, 4, 25],
      [8, 1, 3],
      { featureGroupCount: 4, padding: [[2, 0]] },
    ],
    [
      "2-D NCHW",
      [2, 3, 9, 8],
      [4, 3, 3, 3],
      {
        padding: [
          [1, 1],
          [1, 1],
        ],
        windowStrides: [2, 1],
      },
    ],
    [
      "2-D NHWC groups",
      [2, 9, 8, 6],
      [3, 3, 2, 6],
      { padding: "SAME", featureGroupCount: 3, dimensionNumbers: ["NHWC", "HWIO", "NHWC"] },
    ],
    ["2-D NHWC 1×1", [3, 5, 7, 8], [1, 1, 8, 5], { dimensionNumbers: ["NHWC", "HWIO", "NHWC"] }],
    ["batch of one, one output position", [1, 4, 3], [2, 4, 3], {}],
    ["size-1 everything", [1, 1, 1], [1, 1, 1], {}],
    ["empty batch", [0, 3, 8], [2, 3, 3], {}],
  ];
  for (const [what, xs, ws, opts] of cases) {
    const x = random.normal(random.PRNGKey(Math.floor(r() * 1e6)), xs);
    const w = random.normal(random.PRNGKey(Math.floor(r() * 1e6)), ws);
    withinBound(what, run(x, w, opts));
  }
});

test("convolutions the routines do not cover are declined (the reference runs)", () => {
  const x = random.normal(random.PRNGKey(1), [2, 4, 9]);
  const w = random.normal(random.PRNGKey(2), [4, 1, 3]);
  // Depthwise, channels-first in and channels-last out: neither kernel's layout.
  assert.equal(run(x, w, { featureGroupCount: 4, dimensionNumbers: ["NCH", "OIH", "NHC"] }).got, undefined);
  // Batch groups with several output features per group.
  assert.equal(run(x, random.normal(random.PRNGKey(3), [4, 4, 3]), { batchGroupCount: 2 }).got, undefined);
});

const same = (got: TypedArray, want: TypedArray, what: string): void => {
  for (let i = 0; i < want.length; i++)
    if (!Object.is(got[i], want[i])) assert.fail(`${what}: element ${i}: ${got[i]} vs ${want[i]}`);
};

test("depthwise causal conv programs: eager, jit and jit(grad) == reference bit for bit", () => {
  const x = random.normal(random.PRNGKey(7), [3, 24, 50]);
  const w = random.normal(random.PRNGKey(8), [24, 1, 4]);
  const b = random.normal(random.PRNGKey(9), [24, 1]);
  const block = (u: Array, v: Array): Array => {
    const y = np.add(lax.convGeneralDilated(u, v, { padding: [[3, 0]], featureGroupCount: 24 }), b);
    return np.multiply(y, lax.logistic(y));
  };
  const loss = (u: Array, v: Array): Array => np.sum(np.multiply(block(u, v), block(u, v)));
  const g = jit(grad(loss, { argnums: [0, 1] }));
  const f = jit(block);
  // And a channels-last array transposed into the NCH operand (a strided view materialised).
  const xt = np.transpose(random.normal(random.PRNGKey(10), [3, 50, 24]), [0, 2, 1]);
  const outs = (): TypedArray[] => [block(x, w), f(x, w), ...(g(x, w) as Array[]), f(xt, w)].map((a) => a.dataSync());
  const got = outs();
  config.update("jitCompile", false);
  let want: TypedArray[];
  try {
    want = outs();
  } finally {
    config.update("jitCompile", true);
  }
  ["eager", "jit", "jit(grad) x", "jit(grad) w", "jit of a transposed operand"].forEach((what, i) =>
    same(got[i], want[i], what),
  );
});

test("general conv: jit == eager exactly; jit(grad) == reference within the bound", () => {
  const x = random.normal(random.PRNGKey(17), [2, 6, 33]);
  const w = random.normal(random.PRNGKey(18), [5, 6, 3]);
  const gy = random.normal(random.PRNGKey(19), [2, 5, 17]);
  const opts: Opts = { windowStrides: [2], padding: [[1, 1]] };
  same(
    jit((u: Array, v: Array) => lax.convGeneralDilated(u, v, opts))(x, w).dataSync(),
    lax.convGeneralDilated(x, w, opts).dataSync(),
    "jit vs eager",
  );
  const loss = (u: Array, v: Array, c: Array): Array => np.sum(np.multiply(lax.convGeneralDilated(u, v, opts), c));
  const g = jit(grad(loss, { argnums: [0, 1] }));
  const got = (g(x, w, gy) as Array[]).map((a) => a.dataSync());
  config.update("jitCompile", false);
  let want: TypedArray[];
  let bound: TypedArray[];
  try {
    want = (g(x, w, gy) as Array[]).map((a) => a.dataSync());
    // d/dx = Σ gy·w and d/dw = Σ x·gy: the same gradients of |x|, |w|, |gy| are Σ|·||·|.
    bound = (g(np.abs(x), np.abs(w), np.abs(gy)) as Array[]).map((a) => a.dataSync());
  } finally {
    config.update("jitCompile", true);
  }
  // Terms per element: dx sums over out channels × taps, dw over batch × output positions.
  const terms = [5 * 3, 2 * 17];
  got.forEach((gv, k) => {
    const gamma = (terms[k] + 2) * 2 ** -24;
    for (let i = 0; i < gv.length; i++) {
      const tol = gamma * bound[k][i] + 1e-30;
      if (!(Math.abs(gv[i] - want[k][i]) <= tol))
        assert.fail(`grad ${k} element ${i}: ${gv[i]} vs ${want[k][i]} (bound ${tol})`);
    }
  });
});

test("conv routines free their temporaries (heap blocks and live buffers balance)", () => {
  const cases: [Array, Array, Opts][] = [
    [
      random.normal(random.PRNGKey(1), [2, 6, 20]),
      random.normal(random.PRNGKey(2), [6, 1, 3]),
      { featureGroupCount: 6, padding: [[2, 0]] },
    ],
    [random.normal(random.PRNGKey(3), [2, 6, 20]), random.normal(random.PRNGKey(4), [4, 6, 3]), { padding: [[1, 1]] }],
  ];
  const round = (): void => {
    for (const [x, w, opts] of cases) assert.notEqual(run(x, w, opts).got, undefined);
  };
  round();
  const [blocks, live] = [cpu.heap.liveBlocks, cpu.liveBuffers()];
  for (let k = 0; k < 5; k++) round();
  assert.equal(cpu.heap.liveBlocks, blocks, "heap blocks");
  assert.equal(cpu.liveBuffers(), live, "live buffers");
});
