import { test } from "node:test";
import assert from "node:assert/strict";
import { np, grad, vmap, jit, random, type Array } from "linax-ts";
import { assertClose } from "@linax-ts/testing";
import * as nn from "@linax-ts/nn";
import * as hostRandom from "../../core/src/random/host-reference.ts";
import { finiteDiffGrad, nums } from "./finite-differences.ts";

const JsArray = globalThis.Array;
const key = nn.prngKey(0);
const set = <M extends nn.Module>(m: M, where: (m: M) => unknown, v: unknown): M => nn.treeAt(where, m, v);

test("Linear: equinox's init (uniform ±1/√in from split keys), values, scalar features, batching", () => {
  const lin = new nn.Linear(3, 2, { key });
  assert.deepEqual([...lin.weight.shape], [2, 3]);
  // Independent check of the init: JAX's uniform on the first split key (bit-exact host reference).
  const [wk, bk] = hostRandom.split(hostRandom.prngKey(0), 2);
  const lim = 1 / Math.sqrt(3);
  assert.deepEqual(nums(lin.weight), JsArray.from(hostRandom.uniform(wk, [2, 3], { minval: -lim, maxval: lim })));
  assert.deepEqual(nums(lin.bias as Array), JsArray.from(hostRandom.uniform(bk, [2], { minval: -lim, maxval: lim })));
  const l2 = set(
    set(
      lin,
      (m) => m.weight,
      np.array([
        [1, 2, 3],
        [-1, 0, 1],
      ]),
    ),
    (m) => m.bias,
    np.array([0.5, -0.5]),
  );
  assertClose(l2.call(np.array([1, 1, 2])), [9.5, 0.5]);
  assertClose(
    l2.call(
      np.array([
        [1, 1, 2],
        [0, 0, 0],
      ]),
    ),
    [
      [9.5, 0.5],
      [0.5, -0.5],
    ],
  );
  assertClose(l2.call(np.array([1, 1, 2], { dtype: "int32" })), [9.5, 0.5], { dtype: "float32" });
  assertClose(
    vmap((x: Array) => l2.call(x))(
      np.array([
        [1, 1, 2],
        [0, 0, 0],
      ]),
    ),
    [
      [9.5, 0.5],
      [0.5, -0.5],
    ],
  );
  const noBias = new nn.Linear(3, 2, { key, useBias: false });
  assert.equal(noBias.bias, null);
  const s = new nn.Linear("scalar", "scalar", { key });
  assert.deepEqual([...s.weight.shape], [1, 1]);
  const y = s.call(np.array(2));
  assert.deepEqual([...y.shape], []);
  assertClose(y, [2 * nums(s.weight)[0] + nums(s.bias as Array)[0]], { rtol: 1e-6 });
  assert.throws(() => lin.call(np.array([1, 2])), /expected an input of shape \[3\]/);
  // Gradient with respect to the input: Wᵀ·1.
  const g = grad((x: Array) => np.sum(l2.call(x)))(np.array([0, 0, 0])) as Array;
  assertClose(g, [0, 2, 4]);
  // A custom initializer ([out, in] weights: fan_in is axis -1).
  const he = new nn.Linear(4, 3, {
    key,
    weightInit: nn.init.heNormal({ inAxis: -1, outAxis: -2 }),
    biasInit: nn.init.zeros,
  });
  assert.deepEqual(nums(he.bias as Array), [0, 0, 0]);
  assert.ok(nums(he.weight).every((v) => Math.abs(v) <= (2 * Math.sqrt(2 / 4)) / 0.8796256610342398 + 1e-6));
});

test("Embedding: lookup, negative indices, gradient accumulates per row", () => {
  const table = np.array([
    [0, 1],
    [10, 11],
    [20, 21],
  ]);
  const e = new nn.Embedding(3, 2, { weight: table });
  assert.deepEqual(e.call(np.array([2, 0, -1], { dtype: "int32" })).tolist(), [
    [20, 21],
    [0, 1],
    [20, 21],
  ]);
  assert.deepEqual([...e.call(np.array(1, { dtype: "int32" })).shape], [2]);
  const g = nn.filterGrad((m: nn.Embedding) =>
    np.sum(
      m.call(
        np.array(
          [
            [2, 0],
            [2, 2],
          ],
          { dtype: "int32" },
        ),
      ),
    ),
  )(e) as nn.Embedding;
  assert.deepEqual(g.weight.tolist(), [
    [1, 1],
    [0, 0],
    [3, 3],
  ]);
  const r = new nn.Embedding(4, 3, { key });
  assert.deepEqual(nums(r.weight), JsArray.from(hostRandom.normal(hostRandom.prngKey(0), [4, 3])));
  assert.throws(() => e.call(np.array([0.5])), /int32/);
});

function hostNorm(v: number[], eps: number, rms = false): number[] {
  const n = v.length;
  const mean = rms ? 0 : v.reduce((a, b) => a + b, 0) / n;
  const varr = v.reduce((a, b) => a + (b - mean) ** 2, 0) / n;
  return v.map((x) => (x - mean) / Math.sqrt(varr + eps));
}

test("LayerNorm, RMSNorm and GroupNorm match host computations", () => {
  const x = [
    [1, 2, 4, 8],
    [0, -1, 3, 0.5],
  ];
  const ln = new nn.LayerNorm(4);
  assertClose(ln.call(np.array(x[0])), hostNorm(x[0], 1e-5), { rtol: 1e-5, atol: 1e-6 });
  assertClose(
    ln.call(np.array(x)),
    x.map((r) => hostNorm(r, 1e-5)),
    { rtol: 1e-5, atol: 1e-6 },
  );
  const ln2 = set(
    set(ln, (m) => m.weight, np.array([1, 2, 3, 4])),
    (m) => m.bias,
    np.array([0, 0, 1, 1]),
  );
  assertClose(
    ln2.call(np.array(x[1])),
    hostNorm(x[1], 1e-5).map((v, i) => v * (i + 1) + (i >= 2 ? 1 : 0)),
    { rtol: 1e-5, atol: 1e-6 },
  );
  const ln2d = new nn.LayerNorm([2, 4], { useWeight: false, useBias: false, eps: 0.1 });
  assertClose(ln2d.call(np.array(x)).reshape([8]), hostNorm(x.flat(), 0.1), { rtol: 1e-5, atol: 1e-6 });
  assert.throws(() => ln.call(np.array([1, 2, 3])), /LayerNorm/);
  const rms = new nn.RMSNorm(4, { eps: 1e-6 });
  assertClose(rms.call(np.array(x[0])), hostNorm(x[0], 1e-6, true), { rtol: 1e-5 });
  // GroupNorm over [channels=4, length=2] with 2 groups.
  const gx = [
    [1, 2],
    [3, 4],
    [5, 6],
    [7, 9],
  ];
  const gn = set(new nn.GroupNorm(2, 4), (m) => m.weight, np.array([1, 2, 1, 1]));
  const g0 = hostNorm(gx.slice(0, 2).flat(), 1e-5);
  const g1 = hostNorm(gx.slice(2).flat(), 1e-5);
  assertClose(
    gn.call(np.array(gx)),
    [
      [g0[0], g0[1]],
      [2 * g0[2], 2 * g0[3]],
      [g1[0], g1[1]],
      [g1[2], g1[3]],
    ],
    { rtol: 1e-5, atol: 1e-6 },
  );
  // Gradient of a LayerNorm output through its input, against finite differences.
  const f = (v: Array) => np.sum(ln2.call(v).mul(np.array([1, -2, 0.5, 3])));
  const x0 = np.array([0.3, -1.2, 2, 0.7]);
  assertClose(grad(f)(x0) as Array, finiteDiffGrad(f, x0), { rtol: 2e-2, atol: 2e-3 });
});

test("Dropout: identity in inference / with p 0; otherwise zero or x/(1-p), needs a key", () => {
  const d = new nn.Dropout(0.5);
  const x = np.array(JsArray.from({ length: 400 }, (_: unknown, i: number) => i + 1));
  assert.throws(() => d.call(x), /key/);
  assert.equal(d.call(x, { inference: true }), x);
  assert.equal(nn.inference(d).call(x), x);
  assert.equal(new nn.Dropout(0).call(x), x);
  const y = nums(d.call(x, { key }));
  const kept = y.filter((v) => v !== 0);
  y.forEach((v, i) => assert.ok(v === 0 || v === 2 * (i + 1)));
  assert.ok(kept.length > 150 && kept.length < 250, `kept ${kept.length} of 400`);
  // The mask is JAX's bernoulli(key, 1 - p).
  const mask = hostRandom.bernoulli(hostRandom.prngKey(0), 0.5, [400]);
  assert.deepEqual(
    y.map((v) => (v !== 0 ? 1 : 0)),
    JsArray.from(mask),
  );
});

const relu = (v: number) => Math.max(v, 0);
function hostLinear(W: number[][], b: number[] | null, x: number[]): number[] {
  return W.map((row, i) => row.reduce((a, w, j) => a + w * x[j], 0) + (b ? b[i] : 0));
}
const rows = (a: Array): number[][] => a.tolist() as number[][];

test("MLP and GLU compose their Linear layers as equinox's", () => {
  const mlp = new nn.MLP(3, 2, 5, 2, { key });
  assert.deepEqual(
    mlp.layers.map((l) => [...l.weight.shape]),
    [
      [5, 3],
      [5, 5],
      [2, 5],
    ],
  );
  const x = [0.5, -1, 2];
  let h = x;
  mlp.layers.forEach((l, i) => {
    h = hostLinear(rows(l.weight), nums(l.bias as Array), h);
    if (i < 2) h = h.map(relu);
  });
  assertClose(mlp.call(np.array(x)), h, { rtol: 1e-5, atol: 1e-6 });
  // The layer keys are split(key, depth + 1), as equinox.
  const keys = hostRandom.split(hostRandom.prngKey(0), 3);
  const l1 = new nn.Linear(5, 5, { key: np.array(keys[1], { dtype: "uint32" }) });
  assert.deepEqual(nums(mlp.layers[1].weight), nums(l1.weight));
  const m0 = new nn.MLP("scalar", "scalar", 4, 0, { key, finalActivation: nn.tanh });
  assert.equal(m0.layers.length, 1);
  assert.deepEqual([...m0.call(np.array(1.5)).shape], []);
  const glu = new nn.GLU(3, 2, { key });
  const a = hostLinear(rows(glu.w1.weight), nums(glu.w1.bias as Array), x);
  const b = hostLinear(rows(glu.w2.weight), nums(glu.w2.bias as Array), x);
  assertClose(
    glu.call(np.array(x)),
    a.map((v, i) => v / (1 + Math.exp(-b[i]))),
    { rtol: 1e-5 },
  );
});

/** Direct 1-D convolution on the host: x [C, L], w [O, C/g, K], explicit pads. */
function hostConv1d(
  x: number[][],
  w: number[][][],
  b: number[] | null,
  opts: { stride?: number; pad?: [number, number]; dilation?: number; groups?: number },
): number[][] {
  const { stride = 1, pad = [0, 0], dilation = 1, groups = 1 } = opts;
  const C = x.length;
  const L = x[0].length;
  const O = w.length;
  const K = w[0][0].length;
  const cg = C / groups;
  const og = O / groups;
  const xp = x.map((r) => [...new JsArray(pad[0]).fill(0), ...r, ...new JsArray(pad[1]).fill(0)]);
  const Lp = L + pad[0] + pad[1];
  const outLen = Math.floor((Lp - (K - 1) * dilation - 1) / stride) + 1;
  return JsArray.from({ length: O }, (_: unknown, oc: number) => {
    const g = Math.floor(oc / og);
    return JsArray.from({ length: outLen }, (_: unknown, t: number) => {
      let s = b ? b[oc] : 0;
      for (let ci = 0; ci < cg; ci++)
        for (let k = 0; k < K; k++) s += w[oc][ci][k] * xp[g * cg + ci][t * stride + k * dilation];
      return s;
    });
  });
}

test("Conv1d: padding (numbers, SAME, CAUSAL), stride, dilation, depthwise groups, padding modes", () => {
  const x = [
    [1, 2, 3, 4, 5],
    [0, 1, 0, -1, 2],
  ];
  const xa = np.array(x);
  const check = (
    conv: nn.Conv,
    pad: [number, number],
    extra: { stride?: number; dilation?: number; groups?: number } = {},
    xin = x,
  ) => {
    const w = conv.weight.tolist() as number[][][];
    const b = conv.bias === null ? null : nums(conv.bias);
    assertClose(conv.call(np.array(xin)), hostConv1d(xin, w, b, { pad, ...extra }), { rtol: 1e-5, atol: 1e-6 });
  };
  check(new nn.Conv1d(2, 3, 3, { key }), [0, 0]);
  check(new nn.Conv1d(2, 3, 3, { key, padding: 1, stride: 2 }), [1, 1], { stride: 2 });
  check(new nn.Conv1d(2, 3, 2, { key, padding: "SAME", dilation: 2 }), [1, 1], { dilation: 2 });
  check(new nn.Conv1d(2, 4, 3, { key, padding: "CAUSAL", groups: 2 }), [2, 0], { groups: 2 });
  // Depthwise causal: output t depends only on inputs <= t.
  const dw = new nn.Conv1d(2, 2, 3, { key, padding: "CAUSAL", groups: 2, useBias: false });
  assert.deepEqual([...dw.weight.shape], [2, 1, 3]);
  const y1 = nums(dw.call(xa));
  const y2 = nums(
    dw.call(
      np.array([
        [1, 2, 3, 100, 5],
        [0, 1, 0, 100, 2],
      ]),
    ),
  );
  assert.deepEqual(y1.slice(0, 3), y2.slice(0, 3));
  assert.deepEqual(y1.slice(5, 8), y2.slice(5, 8));
  // Padding modes: same as zero-padding the host-padded input by hand.
  const modes: [nn.PaddingMode, number[][]][] = [
    ["REFLECT", x.map((r) => [r[2], r[1], ...r, r[3]])],
    ["REPLICATE", x.map((r) => [r[0], r[0], ...r, r[4]])],
    ["CIRCULAR", x.map((r) => [r[3], r[4], ...r, r[0]])],
  ];
  for (const [mode, padded] of modes) {
    const c = new nn.Conv1d(2, 3, 3, { key, padding: [[2, 1]], paddingMode: mode });
    assertClose(c.call(xa), hostConv1d(padded, c.weight.tolist() as number[][][], nums(c.bias as Array), {}), {
      rtol: 1e-5,
      atol: 1e-6,
    });
  }
  // Init bound ±1/√(in/groups · k).
  const big = new nn.Conv1d(4, 8, 5, { key, groups: 2 });
  assert.ok(nums(big.weight).every((v) => Math.abs(v) <= 1 / Math.sqrt(2 * 5)));
  // Gradient with respect to the weight against finite differences.
  const c = new nn.Conv1d(2, 1, 2, { key, padding: 1 });
  const f = (w: Array) =>
    np.sum(
      nn
        .treeAt((m: nn.Conv1d) => m.weight, c, w)
        .call(xa)
        .mul(np.array([[1, -1, 2, 0.5, 1, 3]])),
    );
  assertClose(grad(f)(c.weight) as Array, finiteDiffGrad(f, c.weight), { rtol: 2e-2, atol: 2e-2 });
  // Conv2d against two stacked 1-d convolutions is overkill; check shape and one value.
  const c2 = new nn.Conv2d(1, 1, [2, 2], { key, useBias: false });
  const w2 = (c2.weight.tolist() as number[][][][])[0][0];
  const y = c2.call(
    np.array([
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
    ]),
  );
  assert.deepEqual([...y.shape], [1, 1, 2]);
  assertClose(
    y,
    [
      [
        [
          w2[0][0] * 1 + w2[0][1] * 2 + w2[1][0] * 4 + w2[1][1] * 5,
          w2[0][0] * 2 + w2[0][1] * 3 + w2[1][0] * 5 + w2[1][1] * 6,
        ],
      ],
    ],
    { rtol: 1e-5 },
  );
});

test("MultiheadAttention matches a host implementation with causal and key-padding masks", () => {
  const H = 2;
  const mha = new nn.MultiheadAttention(H, 4, { key, useOutputBias: true });
  const q = [
    [1, 0, 0.5, 1],
    [0, 1, 1, 0],
    [1, 1, 0, -1],
  ];
  const kv = [
    [0.5, 0.5, 0, 1],
    [1, -1, 1, 0],
    [0, 0, 2, 1],
    [1, 2, 0, 0],
  ];
  const proj = (l: nn.Linear, x: number[][]) =>
    x.map((r) => hostLinear(rows(l.weight), l.bias === null ? null : nums(l.bias), r));
  const host = (mask: (i: number, j: number) => boolean) => {
    const Q = proj(mha.queryProj, q);
    const K = proj(mha.keyProj, kv);
    const V = proj(mha.valueProj, kv);
    const d = 2;
    const heads = q.map((_, i) => {
      const out: number[] = [];
      for (let h = 0; h < H; h++) {
        const logits = kv.map((_, j) =>
          mask(i, j)
            ? Q[i].slice(h * d, h * d + d).reduce((a, v, t) => a + v * K[j][h * d + t], 0) / Math.sqrt(d)
            : -3.4028234663852886e38,
        );
        const m = Math.max(...logits);
        const e = logits.map((l) => Math.exp(l - m));
        const s = e.reduce((a, b) => a + b, 0);
        for (let t = 0; t < d; t++) out.push(e.reduce((a, w, j) => a + (w / s) * V[j][h * d + t], 0));
      }
      return out;
    });
    return proj(mha.outputProj, heads);
  };
  const qa = np.array(q);
  const kva = np.array(kv);
  assertClose(
    mha.call(qa, kva, kva),
    host(() => true),
    { rtol: 1e-5, atol: 1e-6 },
  );
  assertClose(
    mha.call(qa, kva, kva, { causal: true }),
    host((i, j) => j <= i),
    { rtol: 1e-5, atol: 1e-6 },
  );
  const pad = np.array([true, true, false, true]);
  assertClose(
    mha.call(qa, kva, kva, { causal: true, keyPaddingMask: pad }),
    host((i, j) => j <= i && j !== 2),
    { rtol: 1e-5, atol: 1e-6 },
  );
  const mask = np.array([
    [true, false, true, false],
    [false, true, true, true],
    [true, true, true, false],
  ]);
  assertClose(
    mha.call(qa, kva, kva, { mask }),
    host((i, j) => (mask.tolist() as boolean[][])[i][j]),
    { rtol: 1e-5, atol: 1e-6 },
  );
  assert.equal(mha.queryProj.bias, null, "projections have no bias by default");
  assertClose(jit((a: Array) => mha.call(a, a, a, { causal: true }))(qa), mha.call(qa, qa, qa, { causal: true }), {
    rtol: 1e-6,
  });
});

test("Sequential and Lambda chain layers and split the key", () => {
  const seq = new nn.Sequential([
    new nn.Linear(3, 4, { key }),
    new nn.Lambda(nn.relu),
    new nn.Dropout(0.5),
    new nn.Linear(4, 1, { key }),
  ]);
  const x = np.array([1, -1, 0.5]);
  const manual = (seq.layers[3] as nn.Linear).call(nn.relu((seq.layers[0] as nn.Linear).call(x)));
  assertClose(seq.call(x, { inference: true }), manual, { rtol: 1e-6 });
  assertClose(nn.inference(seq).call(x), manual, { rtol: 1e-6 });
  assert.throws(() => seq.call(x), /key/);
  assert.deepEqual([...seq.call(x, { key }).shape], [1]);
});

test("Dropout works under filterJit with a traced key and under vmap with one key per example", () => {
  const d = new nn.Dropout(0.3);
  const x = np.array(JsArray.from({ length: 50 }, (_: unknown, i: number) => i + 1));
  const eager = nums(d.call(x, { key }));
  const jitted = nn.filterJit((m: nn.Dropout, v: Array, k: nn.PRNGKey) => m.call(v, { key: k }));
  assert.deepEqual(nums(jitted(d, x, key)), eager);
  const other = nums(jitted(d, x, nn.prngKey(5)));
  assert.notDeepEqual(other, eager);
  // vmap over examples with split keys: row i uses key i.
  const keys = random.split(key, 3);
  const xs = np.array([
    [1, 2, 3, 4],
    [5, 6, 7, 8],
    [9, 10, 11, 12],
  ]);
  const ys = vmap((v: Array, k: Array) => d.call(v, { key: k }))(xs, keys as Array) as Array;
  const k1 = nn.splitKey(key, 3)[1];
  assert.deepEqual((ys.tolist() as number[][])[1], d.call(np.array([5, 6, 7, 8]), { key: k1 }).tolist());
  // Typed keys (random.key) are accepted everywhere a key is.
  const typed = random.key(0);
  assert.deepEqual(nums(d.call(x, { key: typed })), eager);
  assert.deepEqual(nums(new nn.Linear(3, 2, { key: typed }).weight), nums(new nn.Linear(3, 2, { key }).weight));
});

test("MultiheadAttention dropout is off in inference mode and uses one key per head otherwise", () => {
  const mha = new nn.MultiheadAttention(2, 4, { key, dropoutP: 0.5 });
  const x = np.array([
    [1, 0, 0.5, 1],
    [0, 1, 1, 0],
  ]);
  const plain = new nn.MultiheadAttention(2, 4, { key });
  assertClose(nn.inference(mha).call(x, x, x), plain.call(x, x, x), { rtol: 1e-6 });
  assert.throws(() => mha.call(x, x, x), /key/);
  const y1 = nums(mha.call(x, x, x, { key }));
  assert.deepEqual(nums(mha.call(x, x, x, { key })), y1, "deterministic given the key");
  assert.notDeepEqual(y1, nums(plain.call(x, x, x)));
});

test("initializers: shapes, bounds and variances follow jax.nn.initializers", () => {
  const shape = [64, 32]; // JAX layout [in, out]: fan_in 64, fan_out 32
  const stats = (a: Array) => {
    const v = nums(a);
    const m = v.reduce((s, x) => s + x, 0) / v.length;
    return { v, m, sd: Math.sqrt(v.reduce((s, x) => s + (x - m) ** 2, 0) / v.length) };
  };
  const gu = stats(nn.init.glorotUniform()(key, shape));
  const lim = Math.sqrt(6 / (64 + 32));
  assert.ok(gu.v.every((x) => Math.abs(x) <= lim));
  assert.ok(Math.abs(gu.sd - lim / Math.sqrt(3)) < 0.02 * lim, `glorot sd ${gu.sd}`);
  const he = stats(nn.init.heNormal()(key, shape));
  assert.ok(Math.abs(he.sd - Math.sqrt(2 / 64)) < 0.05 * Math.sqrt(2 / 64), `he sd ${he.sd}`);
  assert.ok(
    he.v.every((x) => Math.abs(x) <= (2 * Math.sqrt(2 / 64)) / 0.8796256610342398 + 1e-6),
    "truncated at 2 standard deviations of the underlying normal",
  );
  const le = stats(nn.init.lecunNormal()(key, shape));
  assert.ok(Math.abs(le.sd - Math.sqrt(1 / 64)) < 0.05 * Math.sqrt(1 / 64), `lecun sd ${le.sd}`);
  const tn = stats(nn.init.truncatedNormal(0.5)(key, [2000]));
  assert.ok(tn.v.every((x) => Math.abs(x) <= 1));
  const un = stats(nn.init.uniform(0.1)(key, [1000]));
  assert.ok(un.v.every((x) => x >= 0 && x < 0.1));
  assert.deepEqual(nums(nn.init.zeros(key, [2, 2])), [0, 0, 0, 0]);
  assert.deepEqual(nums(nn.init.ones(key, [3])), [1, 1, 1]);
  assert.deepEqual(nn.init.computeFans([3, 4, 5, 6]), [5 * 12, 6 * 12]);
  assert.deepEqual(nn.init.computeFans([8, 4], { inAxis: -1, outAxis: -2 }), [4, 8]);
  // lecunNormal is JAX's: truncated_normal(-2, 2) · sqrt(1/fan_in) / 0.8796…
  const ref = hostRandom
    .truncatedNormal(hostRandom.prngKey(0), -2, 2, [4, 3])
    .map((v) => Math.fround(v * Math.fround(Math.sqrt(1 / 4) / 0.8796256610342398)));
  assertClose(nn.init.lecunNormal()(key, [4, 3]), JsArray.from(ref), { rtol: 1e-6 });
});

test("MLP parameter gradients (filterGrad) match finite differences", () => {
  const mlp = new nn.MLP(2, 1, 3, 1, { activation: nn.tanh, key });
  const x = np.array([0.7, -0.4]);
  const loss = (m: nn.MLP) => np.sum(m.call(x).mul(m.call(x)));
  const g = nn.filterGrad(loss)(mlp) as nn.MLP;
  for (const [i, field] of [
    [0, "weight"],
    [1, "bias"],
    [1, "weight"],
  ] as const) {
    const at = (v: Array) => loss(nn.treeAt((m: nn.MLP) => m.layers[i][field], mlp, v));
    const p = mlp.layers[i][field] as Array;
    assertClose(g.layers[i][field] as Array, finiteDiffGrad(at, p), { rtol: 2e-2, atol: 2e-3 });
  }
});
