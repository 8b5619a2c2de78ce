/**
 * lrnnx's S4D block. Modelled on lrnnx's own tests (tests/models/test_lti/test_s4d.py:
 * step-by-step inference == the parallel FFT forward), for every option; plus a fixed small
 * input whose output is derived by hand / by a float64 host recurrence in this file, lengths
 * (valid outputs and the returned state equal the unpadded run), state carry-over, each option's
 * effect on the parameters and the function, lr/wd optimizer groups, jit, vmap and grad.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { type Array, ValueError, grad, jit, np, random, vmap } from "linax-ts";
import * as nn from "@linax-ts/nn";
import * as ssm from "@linax-ts/ssm";
import { assertClose, cadd, cdiv, cexp, cmul, csub, cx, nums, type Cx } from "./host-values.ts";

const key = random.PRNGKey(5);
const JsArray = globalThis.Array;

/** Runs `step` over `x: [B, L, dModel]` from a fresh cache → `[ys: [B, L, dModel], state]`. */
function stepAll(m: ssm.S4D, x: Array): [Array, Array] {
  let c = m.allocateInferenceCache(x.shape[0]);
  const ys: Array[] = [];
  for (let t = 0; t < x.shape[1]; t++) {
    const [yt, c2] = m.step(x.get(":", t), c);
    ys.push(yt);
    c = c2;
  }
  return [np.stack(ys, { axis: 1 }), c.lrnn_state];
}

const OPTION_CASES: [string, Partial<ssm.S4DOptions>][] = [
  ["defaults (legs, zoh, glu)", {}],
  ["bilinear", { disc: "bilinear" }],
  ["channels 2", { channels: 2 }],
  ["gate 2 (output_gate)", { gate: 2 }],
  ["gate 1 with channels 1 (no output_gate)", { gate: 1 }],
  ["bottleneck 2", { bottleneck: 2 }],
  ["isReal", { isReal: true }],
  ["dtTie false, dtFast, softplus dt", { dtTie: false, dtFast: true, dtTransform: "softplus" }],
  ["nSsm 2, diag-inv, realTransform relu", { nSsm: 2, init: "diag-inv", realTransform: "relu" }],
  ["hippo combination, imagTransform softplus", { init: "hippo", imagTransform: "softplus" }],
  ["fourier", { init: "fourier" }],
  ["legt rank 2", { init: "legt", rank: 2 }],
  ["deterministic", { deterministic: true }],
  ["finalAct id / relu / null", { finalAct: "relu" }],
  ["finalAct null", { finalAct: null }],
];

test("S4D: step-by-step inference equals the parallel forward, for every option (lrnnx's step-consistency test)", () => {
  const x = random.normal(random.PRNGKey(1), [2, 12, 4]);
  for (const [name, opts] of OPTION_CASES) {
    const m = new ssm.S4D({ dModel: 4, dState: 8, transposed: false, key, ...opts });
    const [y, s] = m.forward(x);
    const [ys, ss] = stepAll(m, x);
    assertClose(nums(ys), nums(y), { atol: 2e-5, rtol: 1e-4, msg: name });
    assertClose(nums(ss), nums(s), { atol: 2e-5, rtol: 1e-4, msg: `${name}: state` });
    assert.deepEqual(y.shape, [2, 12, 4]);
    assert.equal(m.dOutput, 4);
  }
});

/** erf by Abramowitz–Stegun 7.1.26 (|error| < 1.5e-7), for the exact GELU of the host reference. */
function erf(x: number): number {
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  const y =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return x >= 0 ? y : -y;
}
const gelu = (v: number) => 0.5 * v * (1 + erf(v / Math.SQRT2));

test("S4D: a fixed small input against the hand-written recurrence (one feature, one mode, zoh and bilinear)", () => {
  // dModel = 1, N = 2 (one complex mode), finalAct null: y_t = gelu(gelu(2 Re(C s_t) + D u_t)),
  // s_t = dA s_{t−1} + dB u_t, with A = −exp(A_real) − i·A_imag, Δ = exp(inv_dt).
  const base = new ssm.S4D({ dModel: 1, dState: 2, finalAct: null, transposed: false, key });
  const set = (m: ssm.S4D) =>
    nn.treeAt((b: ssm.S4D) => [b.inv_dt, b.A_real, b.A_imag as Array, b.B, b.C, b.D], m, [
      np.array([[Math.log(0.5)]]),
      np.array([[Math.log(0.3)]]),
      np.array([[2]]),
      np.array([[[[1, -0.5]]]]),
      np.array([[[[0.7, 0.2]]]]),
      np.array([[0.4]]),
    ]);
  const u = [1, -0.5, 2, 0, 0.25];
  const A: Cx = [-0.3, -2];
  const dt = 0.5;
  const dtA = cmul(A, cx(dt));
  const Bc: Cx = [1, -0.5];
  const Cc: Cx = [0.7, 0.2];
  for (const disc of ["zoh", "bilinear"] as const) {
    const m = set(new ssm.S4D({ dModel: 1, dState: 2, finalAct: null, transposed: false, disc, key }));
    void base;
    let dA: Cx;
    let dB: Cx;
    if (disc === "zoh") {
      dA = cexp(dtA);
      dB = cmul(Bc, cdiv(csub(dA, cx(1)), A));
    } else {
      const half = cmul(dtA, cx(0.5));
      dA = cdiv(cadd(cx(1), half), csub(cx(1), half));
      dB = cdiv(cmul(Bc, cx(dt)), csub(cx(1), half));
    }
    let s: Cx = cx(0);
    const want = u.map((ut) => {
      s = cadd(cmul(dA, s), cmul(dB, cx(ut)));
      return gelu(gelu(2 * cmul(Cc, s)[0] + 0.4 * ut));
    });
    const [y] = m.forward(np.array(u).reshape([1, 5, 1]));
    assertClose(nums(y), want, { atol: 2e-6, msg: disc });
  }
  const zohFirst = (() => {
    const e = cexp(dtA);
    const dB0 = cmul(Bc, cdiv(csub(e, cx(1)), A));
    return 2 * cmul(Cc, dB0)[0] + 0.4;
  })();
  // By hand (zoh, first step): ΔA = −0.15 − i; e^{ΔA} = e^{−0.15}(cos 1 − i sin 1) = 0.465042 − 0.724260i;
  // (e^{ΔA} − 1)/A = (−0.534958 − 0.724260i)/(−0.3 − 2i) = 0.393400 − 0.208469i; ·B = 0.289165 − 0.405169i;
  // 2 Re(C·that) = 2(0.7·0.289165 + 0.2·0.405169) = 0.566898; + D·u₀ = 0.966898 (pre-activation).
  assertClose([cexp(dtA)[0], cexp(dtA)[1]], [0.465042, -0.72426], { atol: 2e-6 });
  assertClose([zohFirst], [0.966898], { atol: 3e-6 });
});

test("S4D: lengths — valid outputs equal the unpadded run; the returned state is each sequence's state after its last valid step", () => {
  const m = new ssm.S4D({ dModel: 3, dState: 6, gate: 2, key });
  const a = random.normal(random.PRNGKey(2), [1, 3, 7]); // transposed (default): [B, H, L]
  const b = random.normal(random.PRNGKey(3), [1, 3, 4]);
  const pad = random.normal(random.PRNGKey(4), [1, 3, 3]).mul(40);
  const x = np.concatenate([a, np.concatenate([b, pad], { axis: 2 })], { axis: 0 });
  for (const lengths of [[7, 4], np.array([7, 4], { dtype: "int32" })]) {
    const [y, s] = m.forward(x, { lengths });
    const [ya, sa] = m.forward(a);
    const [yb, sb] = m.forward(b);
    assertClose(nums(y.get(0)), nums(ya.get(0)), { atol: 1e-5 });
    assertClose(nums(y.get(1, ":", ":4")), nums(yb.get(0)), { atol: 1e-5 });
    assertClose(nums(s.get(0)), nums(sa.get(0)), { atol: 1e-5 });
    assertClose(nums(s.get(1)), nums(sb.get(0)), { atol: 1e-5 });
    // Padding content is irrelevant to the valid outputs.
    const x2 = np.concatenate([a, np.concatenate([b, pad.mul(-3)], { axis: 2 })], { axis: 0 });
    assertClose(nums(m.forward(x2, { lengths })[0].get(1, ":", ":4")), nums(yb.get(0)), { atol: 1e-5 });
  }
  // An int equal to L is no mask (as lrnnx); out of range and wrong shapes are errors.
  assertClose(nums(m.forward(x, { lengths: 7 })[0]), nums(m.forward(x)[0]), { atol: 0 });
  assert.throws(() => m.forward(x, { lengths: 8 }), /lengths must be an integer in \[0, 7\]/);
  assert.throws(() => m.forward(x, { lengths: [1, 2, 3] }), /lengths must have shape \[2\], \[1\] or \[\]/);
  // vmap over sequences with a mapped scalar length each.
  const yv = vmap((xi: Array, li: Array) => m.forward(np.expandDims(xi, 0), { lengths: li })[0].get(0))(
    x,
    np.array([7, 4], { dtype: "int32" }),
  );
  assertClose(nums(yv.get(1, ":", ":4")), nums(m.forward(b)[0].get(0)), { atol: 1e-5 });
  assert.throws(
    () => m.forward(x, { lenghts: 3 } as unknown as ssm.S4DForwardOptions),
    (e: unknown) => e instanceof ValueError && /unknown option "lenghts"/.test(e.message),
  );
  // jit with traced lengths.
  const f = jit((xx: Array, l: Array) => m.forward(xx, { lengths: l })[0]);
  assertClose(nums(f(x, np.array([7, 4], { dtype: "int32" })).get(1, ":", ":4")), nums(m.forward(b)[0].get(0)), {
    atol: 1e-5,
  });
});

test("S4D: a carried state continues a sequence (forward(x2, { state }) = the second half of forward(x1 ++ x2))", () => {
  for (const disc of ["zoh", "bilinear"] as const) {
    const m = new ssm.S4D({ dModel: 2, dState: 4, transposed: false, disc, channels: 2, key });
    const x = random.normal(random.PRNGKey(6), [2, 9, 2]);
    const [yAll, sAll] = m.forward(x);
    const [, s1] = m.forward(x.get(":", ":5"));
    const [y2, s2] = m.forward(x.get(":", "5:"), { state: s1 });
    assertClose(nums(y2), nums(yAll.get(":", "5:")), { atol: 2e-5, msg: disc });
    assertClose(nums(s2), nums(sAll), { atol: 2e-5 });
  }
});

test("S4D: each option shapes the parameters and the function as it should", () => {
  const leaves = (m: ssm.S4D) => Object.fromEntries(ssm.parameterTable(m).map((e) => [e.path, e.shape]));
  const d = new ssm.S4D({ dModel: 4, dState: 8, key });
  assert.deepEqual(leaves(d), {
    inv_dt: [4, 1],
    A_real: [4, 4],
    A_imag: [4, 4],
    B: [1, 4, 4, 2],
    C: [1, 4, 4, 2],
    D: [1, 4],
    "output_linear.linear.weight": [8, 4],
    "output_linear.linear.bias": [8], // "glu": Linear(4 → 2·4) then GLU
  });
  // legs: Re A = −½ (stored log ½), Im A = the HiPPO-LegS frequencies (SPEC-linax §8.1 known values, N = 8).
  assertClose(nums(d.A_real.get(0)), new JsArray(4).fill(Math.log(0.5)), { atol: 1e-6 });
  assertClose(nums((d.A_imag as Array).get(0)), [19.857416, 5.354209, 1.957794, 0.427488], { atol: 2e-4 });
  const dt = nums(d.inv_dt).map(Math.exp);
  assert.ok(dt.every((v) => v >= 0.001 && v <= 0.1));
  const lin = new ssm.S4D({ dModel: 4, dState: 8, init: "diag-lin", key });
  assertClose(nums((lin.A_imag as Array).get(1)), [1e-4, Math.PI, 2 * Math.PI, 3 * Math.PI], { atol: 1e-5 }); // 0 clamped to 1e-4 (inv_transform)
  assertClose(
    nums(new ssm.S4D({ dModel: 4, dState: 8, init: "diag-real", key }).A_real.get(0)),
    [1, 2, 3, 4].map(Math.log),
    { atol: 1e-6 },
  );
  assert.deepEqual(leaves(new ssm.S4D({ dModel: 4, dState: 8, dtTie: false, key })).inv_dt, [4, 4]);
  const real = leaves(new ssm.S4D({ dModel: 4, dState: 8, isReal: true, key }));
  assert.equal(real.A_imag, undefined);
  assert.deepEqual(
    [real.B, real.C],
    [
      [1, 4, 4],
      [1, 4, 4],
    ],
  );
  assert.deepEqual(leaves(new ssm.S4D({ dModel: 4, dState: 8, nSsm: 2, key })).A_real, [2, 4]);
  const g = leaves(new ssm.S4D({ dModel: 4, dState: 8, gate: 3, channels: 2, finalAct: "id", key }));
  assert.deepEqual(
    [g["input_gate.linear.weight"], g["output_gate.weight"], g["output_linear.linear.weight"], g.D],
    [
      [12, 4],
      [12, 8],
      [4, 12],
      [2, 4],
    ],
  );
  const bn = leaves(new ssm.S4D({ dModel: 4, dState: 8, bottleneck: 2, key }));
  assert.deepEqual(
    [bn["input_linear.weight"], bn.inv_dt, bn["output_linear.linear.weight"]],
    [
      [2, 4],
      [2, 1],
      [8, 2],
    ],
  );
  // deterministic: Δ log-spaced over [dtMin, dtMax], C = conj of the eigenvectors' first row (real, diag inits: e₀).
  const det = new ssm.S4D({ dModel: 3, dState: 4, deterministic: true, init: "diag-lin", key });
  assertClose(nums(det.inv_dt).map(Math.exp), [0.001, 0.01, 0.1], { rtol: 1e-5 });
  assertClose(nums(det.C), [1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0], { atol: 0 });
  // dtFast stores asinh(log Δ); dtTransform "none" stores Δ itself.
  const fast = new ssm.S4D({ dModel: 3, dState: 4, dtFast: true, key });
  const slow = new ssm.S4D({ dModel: 3, dState: 4, key });
  assertClose(nums(fast.inv_dt), nums(slow.inv_dt).map(Math.asinh), { atol: 1e-6 });
  assertClose(
    nums(new ssm.S4D({ dModel: 3, dState: 4, dtTransform: "none", key }).inv_dt),
    nums(slow.inv_dt).map(Math.exp),
    { rtol: 1e-5 },
  );
  // lMax: the kernel has lMax taps, so an input at t = 0 no longer reaches t ≥ lMax.
  const capped = new ssm.S4D({ dModel: 2, dState: 4, lMax: 3, transposed: false, finalAct: null, key });
  const x = np.zeros([1, 8, 2]);
  const kick = np.concatenate([np.ones([1, 1, 2]), np.zeros([1, 7, 2])], { axis: 1 });
  const dy = nums(np.subtract(capped.forward(kick)[0], capped.forward(x)[0]).get(0, "3:"));
  assert.ok(
    dy.every((v) => Math.abs(v) < 1e-6),
    `no response beyond lMax (FFT rounding only): ${Math.max(...dy.map(Math.abs))}`,
  );
  const full = nn.treeAt(
    (b: ssm.S4D) => b.C,
    new ssm.S4D({ dModel: 2, dState: 4, transposed: false, finalAct: null, key }),
    capped.C,
  );
  assert.ok(
    nums(np.subtract(full.forward(kick)[0], full.forward(x)[0]).get(0, "3:")).some((v) => Math.abs(v) > 1e-4),
    "without lMax the response continues",
  );
  assert.equal(capped.kernel(3).shape[2], 3);
  // transposed: [B, H, L] in and out.
  const tr = new ssm.S4D({ dModel: 2, dState: 4, key });
  const nt = new ssm.S4D({ dModel: 2, dState: 4, transposed: false, key });
  const xs = random.normal(random.PRNGKey(8), [1, 5, 2]);
  assertClose(nums(np.swapaxes(tr.forward(np.swapaxes(xs, 1, 2))[0], 1, 2)), nums(nt.forward(xs)[0]), { atol: 1e-6 });
  // Bad options are errors, none is silently accepted.
  assert.throws(() => new ssm.S4D({ dModel: 4, dstate: 8 } as unknown as ssm.S4DOptions), /unknown option "dstate"/);
  assert.throws(() => new ssm.S4D({ dModel: 4, dState: 7 }), /dState must be even/);
  assert.throws(() => new ssm.S4D({ dModel: 4, nSsm: 3 }), /nSsm=3 must divide/);
  assert.throws(() => new ssm.S4D({ dModel: 4, init: "legt" }), /legt" needs rank >= 2/);
  assert.throws(() => new ssm.S4D({ dModel: 4, init: "nope" }), /unknown init/);
  assert.throws(() => new ssm.S4D({ dModel: 4, disc: "dss" as "zoh" }), /disc must be/);
  assert.throws(() => new ssm.S4D({ dModel: 4, deterministic: true, dtTie: false }), /deterministic/);
  assert.throws(() => new ssm.S4D({ dModel: 4, finalAct: "glu2" as "glu" }), /finalAct must be/);
  assert.throws(() => new ssm.S4D({ dModel: 4, channels: 2, finalAct: null }), /finalAct null/);
});

test("S4D: dropout (tied across time or not), training vs inference", () => {
  const m = new ssm.S4D({ dModel: 6, dState: 4, dropout: 0.5, finalAct: null, transposed: false, key });
  const x = random.normal(random.PRNGKey(9), [2, 5, 6]).add(3);
  assert.throws(() => m.forward(x), /a `key` is required/);
  const [yInf] = nn.inference(m).forward(x);
  assertClose(nums(m.forward(x, { inference: true })[0]), nums(yInf), { atol: 0 });
  // Every training output is 0 (dropped) or the inference output / (1 − p) (kept); read the mask
  // where the inference output is not negligible.
  const inf = nums(yInf);
  const keptPattern = (mm: ssm.S4D): (boolean | null)[] =>
    nums(mm.forward(x, { key: random.PRNGKey(1) })[0]).map((v, i) => {
      if (Math.abs(inf[i]) < 1e-3) return null;
      if (v === 0) return false;
      assertClose([v], [inf[i] * 2], { rtol: 1e-5 });
      return true;
    });
  const tiedModel = nn.treeAt(
    (b: ssm.S4D) => b.D,
    new ssm.S4D({ dModel: 6, dState: 4, dropout: 0.5, tieDropout: true, finalAct: null, transposed: false, key }),
    m.D,
  );
  const tied = keptPattern(
    nn.treeAt((b: ssm.S4D) => [b.inv_dt, b.A_real, b.A_imag as Array, b.B, b.C], tiedModel, [
      m.inv_dt,
      m.A_real,
      m.A_imag as Array,
      m.B,
      m.C,
    ]),
  );
  const untied = keptPattern(m);
  const sameOverTime = (z: (boolean | null)[]) =>
    [0, 1].every((b) =>
      [0, 1, 2, 3, 4, 5].every((f) => {
        const col = [0, 1, 2, 3, 4].map((t) => z[(b * 5 + t) * 6 + f]).filter((v) => v !== null);
        return col.every((v) => v === col[0]);
      }),
    );
  assert.ok(sameOverTime(tied), "tieDropout: one mask per (sequence, feature)");
  assert.ok(!sameOverTime(untied), "untied dropout varies over time");
  assert.ok(tied.some((z) => z === false) && tied.some((z) => z === true));
});

test("S4D: lr / wd become optimizer labels for nn.optim.multiTransform (lr 0 freezes the SSM parameters)", () => {
  const m = new ssm.S4D({ dModel: 2, dState: 4, lr: 0.001, wd: 0.1, key });
  const labels = m.paramLabels() as Record<string, unknown>;
  assert.deepEqual(
    [labels.inv_dt, labels.A_real, labels.A_imag, labels.B, labels.C, labels.D],
    ["ssm", "ssm", "ssm", "ssm", "ssm", "default"],
  );
  assert.deepEqual(m.ssmOptim, { lr: 0.001, weightDecay: 0.1 });
  const frozen = new ssm.S4D({ dModel: 2, dState: 4, lr: 0, key });
  const tx = nn.optim.multiTransform({ default: nn.optim.sgd(0.1), frozen: nn.optim.scale(0) }, frozen.paramLabels());
  const x = random.normal(random.PRNGKey(10), [1, 2, 5]);
  const loss = (mm: ssm.S4D) => np.sum(np.square(mm.forward(x)[0]));
  const g = nn.filterGrad(loss)(frozen);
  const [upd] = tx.update(g, tx.init(frozen), frozen);
  const next = nn.optim.applyUpdates(frozen, upd) as ssm.S4D;
  assert.deepEqual(nums(next.A_real), nums(frozen.A_real), "SSM parameters frozen");
  assert.deepEqual(nums(next.inv_dt), nums(frozen.inv_dt));
  assert.notDeepEqual(nums(next.D), nums(frozen.D), "the rest trains");
});

test("S4D: jit and vmap equal eager; grad matches a central difference", () => {
  const m = new ssm.S4D({ dModel: 3, dState: 4, transposed: false, gate: 2, key });
  const x = random.normal(random.PRNGKey(11), [2, 6, 3]);
  const [y] = m.forward(x);
  assertClose(nums(jit((v: Array) => m.forward(v)[0])(x)), nums(y), { atol: 1e-5 });
  const yv = vmap((v: Array) => m.forward(np.expandDims(v, 0))[0].get(0))(x);
  assertClose(nums(yv), nums(y), { atol: 1e-5 });
  const loss = (D: Array) => np.sum(np.square(nn.treeAt((b: ssm.S4D) => b.D, m, D).forward(x)[0]));
  const gD = nums(grad(loss)(m.D) as Array);
  const eps = 1e-2;
  for (let i = 0; i < 3; i++) {
    const e = np.array(JsArray.from({ length: 3 }, (_, j) => (j === i ? eps : 0))).reshape([1, 3]);
    const fd = (loss(m.D.add(e)).item() - loss(m.D.sub(e)).item()) / (2 * eps);
    assert.ok(Math.abs(fd - gD[i]) <= 0.02 * Math.abs(gD[i]) + 1e-3, `dL/dD[${i}] ${gD[i]} vs ${fd}`);
  }
});

test("S4D: a longer sequence (L = 256, lMax = L, N = 32): step generation stays within 1e-4 of the FFT forward", () => {
  const m = new ssm.S4D({ dModel: 8, dState: 32, lMax: 256, transposed: false, key });
  const x = random.normal(random.PRNGKey(12), [2, 256, 8]);
  const [y] = m.forward(x);
  const [ys] = stepAll(m, x);
  assertClose(nums(ys), nums(y), { atol: 1e-4 });
});
