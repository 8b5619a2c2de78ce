import { test } from "node:test";
import assert from "node:assert/strict";
import { np, lax, grad, jit, DTypeError, ShapeError, ValueError, type Array } from "linax-ts";
import { assertClose } from "@linax-ts/testing";
import { arr, checkTranspose, checkVmap, fdGrad, randint, randn, rng, strides } from "./host-tensor-checks.ts";

interface Cfg {
  strides?: number[];
  padding?: [number, number][];
  lhsDil?: number[];
  rhsDil?: number[];
  G?: number;
  BG?: number;
}

/**
 * Naive host convolution in NC…/OI…/NC… layout, float64: materialize the dilated, padded input,
 * then correlate. Complex when `cplx` (interleaved pairs).
 */
function hostConv(
  x: readonly number[],
  xs: readonly number[],
  w: readonly number[],
  ws: readonly number[],
  cfg: Cfg,
  cplx = false,
): { out: number[]; shape: number[] } {
  const ns = xs.length - 2;
  const st = cfg.strides ?? new globalThis.Array(ns).fill(1);
  const pad = cfg.padding ?? new globalThis.Array(ns).fill([0, 0]);
  const ld = cfg.lhsDil ?? new globalThis.Array(ns).fill(1);
  const rd = cfg.rhsDil ?? new globalThis.Array(ns).fill(1);
  const G = cfg.G ?? 1;
  const BG = cfg.BG ?? 1;
  const [N] = xs;
  const [O, I] = ws;
  const S = xs.slice(2);
  const K = ws.slice(2);
  const P = S.map((s, d) => (s - 1) * ld[d] + 1 + pad[d][0] + pad[d][1]);
  const KD = K.map((k, d) => (k - 1) * rd[d] + 1);
  const OS = P.map((p, d) => Math.max(0, Math.floor((p - KD[d]) / st[d]) + 1));
  const xst = strides(xs);
  const wst = strides(ws);
  const c = cplx ? 2 : 1;
  // Padded input value at (n, ch, p[]) (real, imag).
  const xpad = (n: number, ch: number, p: number[]): [number, number] => {
    let off = n * xst[0] + ch * xst[1];
    for (let d = 0; d < ns; d++) {
      const q = p[d] - pad[d][0];
      if (q < 0 || q % ld[d] !== 0 || q / ld[d] >= S[d]) return [0, 0];
      off += (q / ld[d]) * xst[2 + d];
    }
    return cplx ? [x[2 * off], x[2 * off + 1]] : [x[off], 0];
  };
  const multi = (shape: readonly number[]): number[][] => {
    const n = shape.reduce((a, b) => a * b, 1);
    return globalThis.Array.from({ length: n }, (_, k) => {
      const idx: number[] = [];
      let rem = k;
      for (let d = shape.length - 1; d >= 0; d--) {
        idx.unshift(rem % shape[d]);
        rem = Math.floor(rem / shape[d]);
      }
      return idx;
    });
  };
  const out: number[] = [];
  const outN = N / BG;
  for (let n = 0; n < outN; n++)
    for (let o = 0; o < O; o++) {
      const g = Math.floor(o / (O / G));
      const bg = Math.floor(o / (O / BG));
      for (const y of multi(OS)) {
        let re = 0;
        let im = 0;
        for (let i = 0; i < I; i++)
          for (const k of multi(K)) {
            const [a, b] = xpad(
              bg * outN + n,
              g * I + i,
              y.map((yy, d) => yy * st[d] + k[d] * rd[d]),
            );
            let woff = o * wst[0] + i * wst[1];
            k.forEach((kk, d) => (woff += kk * wst[2 + d]));
            const [wr, wi] = cplx ? [w[2 * woff], w[2 * woff + 1]] : [w[woff], 0];
            re += a * wr - b * wi;
            im += a * wi + b * wr;
          }
        out.push(...(c === 2 ? [re, im] : [re]));
      }
    }
  return { out, shape: [outN, O, ...OS] };
}

const r = rng(5);
const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
const conv = (x: Array, w: Array, cfg: Cfg, dn?: readonly [string, string, string]) =>
  lax.convGeneralDilated(x, w, {
    windowStrides: cfg.strides,
    padding: cfg.padding,
    lhsDilation: cfg.lhsDil,
    rhsDilation: cfg.rhsDil,
    featureGroupCount: cfg.G,
    batchGroupCount: cfg.BG,
    dimensionNumbers: dn,
  });

const CASES: { xs: number[]; ws: number[]; cfg: Cfg }[] = [
  { xs: [2, 3, 7], ws: [4, 3, 3], cfg: {} },
  { xs: [2, 3, 9], ws: [4, 3, 3], cfg: { strides: [2], padding: [[2, 1]], rhsDil: [2] } },
  { xs: [1, 2, 5], ws: [3, 2, 2], cfg: { lhsDil: [2], padding: [[1, 1]] } },
  { xs: [2, 4, 6], ws: [6, 2, 3], cfg: { G: 2, padding: [[1, 0]] } },
  { xs: [2, 3, 8], ws: [3, 1, 4], cfg: { G: 3, padding: [[3, 0]] } },
  { xs: [4, 2, 5], ws: [6, 2, 2], cfg: { BG: 2, strides: [2] } },
  { xs: [1, 2, 8], ws: [2, 2, 3], cfg: { padding: [[-1, 2]], strides: [3] } },
  {
    xs: [2, 2, 5, 4],
    ws: [3, 2, 3, 2],
    cfg: {
      strides: [2, 1],
      padding: [
        [1, 1],
        [0, 1],
      ],
      rhsDil: [1, 2],
    },
  },
  {
    xs: [1, 4, 4, 5],
    ws: [4, 2, 2, 2],
    cfg: {
      G: 2,
      lhsDil: [1, 2],
      padding: [
        [0, 1],
        [1, 0],
      ],
    },
  },
];

test("convGeneralDilated matches a naive host convolution (strides, padding, dilations, groups) per dtype", () => {
  for (const { xs, ws, cfg } of CASES) {
    const xd = randn(r, size(xs));
    const wd = randn(r, size(ws));
    const ref = hostConv(xd, xs, wd, ws, cfg);
    assertClose(conv(arr(xd, xs), arr(wd, ws), cfg), ref.out, {
      rtol: 1e-5,
      atol: 1e-6,
      shape: ref.shape,
      dtype: "float32",
    });
    const xi = randint(r, size(xs));
    const wi = randint(r, size(ws));
    assertClose(conv(arr(xi, xs, "int32"), arr(wi, ws, "int32"), cfg), hostConv(xi, xs, wi, ws, cfg).out, {
      dtype: "int32",
    });
    const xc = randn(r, 2 * size(xs));
    const wc = randn(r, 2 * size(ws));
    assertClose(
      conv(arr(xc, xs, "complex64"), arr(wc, ws, "complex64"), cfg),
      hostConv(xc, xs, wc, ws, cfg, true).out,
      {
        rtol: 1e-5,
        atol: 1e-6,
        dtype: "complex64",
      },
    );
  }
});

test("depthwise causal 1-D conv (featureGroupCount = channels, padding [[k-1, 0]]) as Mamba uses it", () => {
  const [B, C, L, k] = [2, 3, 6, 4];
  const xd = randn(r, B * C * L);
  const wd = randn(r, C * k);
  const y = lax.convGeneralDilated(arr(xd, [B, C, L]), arr(wd, [C, 1, k]), {
    padding: [[k - 1, 0]],
    featureGroupCount: C,
  });
  const want: number[] = [];
  for (let b = 0; b < B; b++)
    for (let c = 0; c < C; c++)
      for (let t = 0; t < L; t++) {
        let s = 0;
        for (let j = 0; j < k; j++) {
          const tt = t - (k - 1) + j;
          if (tt >= 0) s += wd[c * k + j] * xd[(b * C + c) * L + tt];
        }
        want.push(s);
      }
  assertClose(y, want, { rtol: 1e-5, atol: 1e-6, shape: [B, C, L] });
});

test("dimension numbers: layout strings and explicit specs equal the default layout after transposes", () => {
  const x = arr(randn(r, 2 * 5 * 4 * 3), [2, 5, 4, 3]); // NHWC
  const w = arr(randn(r, 3 * 2 * 3 * 4), [3, 2, 3, 4]); // HWIO
  const cfg: Cfg = {
    strides: [2, 1],
    padding: [
      [1, 1],
      [0, 1],
    ],
  };
  const y = conv(x, w, cfg, ["NHWC", "HWIO", "NHWC"]);
  const ref = conv(np.transpose(x, [0, 3, 1, 2]), np.transpose(w, [3, 2, 0, 1]), cfg);
  assertClose(y, np.transpose(ref, [0, 2, 3, 1]), { rtol: 1e-5, atol: 1e-6 });
  const y2 = lax.convGeneralDilated(x, w, {
    windowStrides: [2, 1],
    padding: [
      [1, 1],
      [0, 1],
    ],
    dimensionNumbers: { lhsSpec: [0, 3, 1, 2], rhsSpec: [3, 2, 0, 1], outSpec: [0, 3, 1, 2] },
  });
  assertClose(y2, y);
  // Spatial order follows the rhs spec: "NWHC" with "HWIO" swaps which lhs axis pairs with H.
  const y3 = conv(np.transpose(x, [0, 2, 1, 3]), w, cfg, ["NWHC", "HWIO", "NHWC"]);
  assertClose(y3, y, { rtol: 1e-5, atol: 1e-6 });
});

test("SAME / VALID / SAME_LOWER padding", () => {
  const x = arr(randn(r, 1 * 1 * 7), [1, 1, 7]);
  const w = arr(randn(r, 4), [1, 1, 4]);
  assert.deepEqual([...lax.convGeneralDilated(x, w, { padding: "SAME" }).shape], [1, 1, 7]);
  assert.deepEqual([...lax.convGeneralDilated(x, w, { padding: "SAME", windowStrides: [2] }).shape], [1, 1, 4]);
  assertClose(lax.convGeneralDilated(x, w, { padding: "SAME" }), lax.convGeneralDilated(x, w, { padding: [[1, 2]] }));
  assertClose(
    lax.convGeneralDilated(x, w, { padding: "SAME_LOWER" }),
    lax.convGeneralDilated(x, w, { padding: [[2, 1]] }),
  );
  assert.deepEqual([...lax.convGeneralDilated(x, w, { padding: "VALID" }).shape], [1, 1, 4]);
});

test("errors: feature groups not dividing channels, bad dimension numbers, ranks, dtypes", () => {
  const x = arr(randn(r, 2 * 4 * 5), [2, 4, 5]);
  const w = arr(randn(r, 6 * 2 * 3), [6, 2, 3]);
  assert.throws(
    () => lax.convGeneralDilated(x, w, { featureGroupCount: 3 }),
    (e: Error) =>
      e instanceof ShapeError &&
      /featureGroupCount 3 must divide the lhs feature dimension \(size 4/.test(e.message) &&
      /\[2, 4, 5\]/.test(e.message),
  );
  assert.throws(
    () => lax.convGeneralDilated(x, w),
    (e: Error) => e instanceof ShapeError && /rhs input feature dimension \(size 2/.test(e.message),
  );
  assert.throws(
    () => lax.convGeneralDilated(x, arr(randn(r, 5 * 2 * 3), [5, 2, 3]), { featureGroupCount: 2 }),
    (e: Error) => e instanceof ShapeError && /output feature dimension \(size 5/.test(e.message),
  );
  assert.throws(() => lax.convGeneralDilated(x, w, { featureGroupCount: 2, batchGroupCount: 2 }), ValueError);
  assert.throws(
    () =>
      lax.convGeneralDilated(arr(randn(r, 40), [2, 4, 5]), arr(randn(r, 5 * 4 * 3), [5, 4, 3]), { batchGroupCount: 2 }),
    (e: Error) => e instanceof ShapeError && /batchGroupCount/.test(e.message),
  );
  assert.throws(
    () => lax.convGeneralDilated(x, w, { dimensionNumbers: ["NCX", "OIH", "NCH"] }),
    (e: Error) => e instanceof ValueError && /spatial/.test(e.message),
  );
  assert.throws(
    () => lax.convGeneralDilated(x, w, { dimensionNumbers: ["NHW", "OIH", "NCH"] }),
    (e: Error) => e instanceof ValueError && /'C'/.test(e.message),
  );
  assert.throws(
    () =>
      lax.convGeneralDilated(x, w, {
        dimensionNumbers: { lhsSpec: [0, 1, 1], rhsSpec: [0, 1, 2], outSpec: [0, 1, 2] },
      }),
    (e: Error) => e instanceof ShapeError && /lhsSpec/.test(e.message),
  );
  assert.throws(
    () => lax.convGeneralDilated(x, arr(randn(r, 8), [2, 4]), {}),
    (e: Error) => e instanceof ShapeError && /same rank/.test(e.message),
  );
  assert.throws(
    () => lax.convGeneralDilated(x, w, { windowStrides: [1, 1], featureGroupCount: 2 }),
    (e: Error) => e instanceof ShapeError && /windowStrides/.test(e.message),
  );
  assert.throws(() => lax.convGeneralDilated(x, w, { windowStrides: [0], featureGroupCount: 2 }), ValueError);
  assert.throws(
    () => lax.convGeneralDilated(x, arr(randint(r, 36), [6, 2, 3], "int32"), { featureGroupCount: 2 }),
    DTypeError,
  );
  assert.throws(() => lax.convGeneralDilated(x, w, { padding: "FULL" as "SAME", featureGroupCount: 2 }), ValueError);
});

test("grad w.r.t. lhs and rhs vs central differences of the host convolution", () => {
  for (const { xs, ws, cfg } of [CASES[1], CASES[3], CASES[5], CASES[8]]) {
    const xd = randn(r, size(xs));
    const wd = randn(r, size(ws));
    const ref = hostConv(xd, xs, wd, ws, cfg);
    const ct = randn(r, ref.out.length);
    const loss = (u: Array, v: Array) => np.sum(conv(u, v, cfg).mul(arr(ct, ref.shape)));
    const [gx, gw] = grad(loss, { argnums: [0, 1] })(arr(xd, xs), arr(wd, ws)) as Array[];
    const hostLoss = (a: number[], b: number[]) =>
      hostConv(a, xs, b, ws, cfg).out.reduce((s, v, i) => s + v * ct[i], 0);
    assertClose(
      gx,
      fdGrad((a) => hostLoss(a, wd), xd),
      { rtol: 1e-4, atol: 1e-5 },
    );
    assertClose(
      gw,
      fdGrad((b) => hostLoss(xd, b), wd),
      { rtol: 1e-4, atol: 1e-5 },
    );
  }
});

test("dot-product test (jvp vs vjp) with strides, dilations, padding, feature and batch groups, layouts", () => {
  for (const { xs, ws, cfg } of CASES) {
    checkTranspose((u, v) => conv(u, v, cfg), [arr(randn(r, size(xs)), xs), arr(randn(r, size(ws)), ws)], r);
  }
  const x = arr(randn(r, 2 * 5 * 3), [2, 5, 3]);
  const w = arr(randn(r, 3 * 3 * 4), [3, 3, 4]);
  checkTranspose(
    (u, v) => conv(u, v, { strides: [2], padding: [[1, 2]], rhsDil: [2] }, ["NWC", "WIO", "NCW"]),
    [x, w],
    r,
  );
  const xc = arr(randn(r, 2 * 2 * 4 * 5), [2, 4, 5], "complex64");
  const wc = arr(randn(r, 2 * 4 * 2 * 2), [4, 2, 2], "complex64");
  checkTranspose((u, v) => conv(u, v, { G: 2, strides: [2] }), [xc, wc], r);
});

test("vmap over lhs, rhs or both equals stacking (plain, feature groups, batch groups)", () => {
  for (const idx of [0, 3, 5, 8]) {
    const { xs, ws, cfg } = CASES[idx];
    const f = (u: Array, v: Array) => conv(u, v, cfg);
    const xB = [2, ...xs];
    const wB = [...ws.slice(0, 1), 2, ...ws.slice(1)];
    checkVmap(f, [arr(randn(r, size(xB)), xB), arr(randn(r, size(ws)), ws)], [0, null], 1e-4);
    checkVmap(f, [arr(randn(r, size(xs)), xs), arr(randn(r, size(wB)), wB)], [null, 1], 1e-4);
    const xB2 = [...xs.slice(0, 2), 2, ...xs.slice(2)];
    checkVmap(f, [arr(randn(r, size(xB2)), xB2), arr(randn(r, size(wB)), wB)], [2, 1], 1e-4);
  }
  // vmap of the gradient (transposes inside a batch trace)
  const { xs, ws, cfg } = CASES[3];
  const w = arr(randn(r, size(ws)), ws);
  const g = (u: Array) => grad((v: Array) => np.sum(np.tanh(conv(v, w, cfg))))(u) as Array;
  checkVmap(g, [arr(randn(r, 2 * size(xs)), [2, ...xs])], [0], 1e-4);
});

test("jit(f) == f for convolutions and their gradients", () => {
  const { xs, ws, cfg } = CASES[4];
  const x = arr(randn(r, size(xs)), xs);
  const w = arr(randn(r, size(ws)), ws);
  const f = (u: Array, v: Array) => np.sum(np.tanh(conv(u, v, cfg)));
  assertClose(jit(f)(x, w), f(x, w), { rtol: 1e-6 });
  assertClose(jit(grad(f))(x, w) as Array, grad(f)(x, w) as Array, { rtol: 1e-6 });
});
