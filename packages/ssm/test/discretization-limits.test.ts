/**
 * LinOSS and LRU at extreme steps: finite, stable, and at the limits derived by hand below; the
 * parallel forward equals a float64 recurrence written here from the mixer's own parameters.
 * (S5 — with the zero-order hold checked against float64 —, S4D and Mamba are in
 * discretization-robustness.test.ts.)
 *
 * LinOSS, Δ = sigmoid(steps) ∈ (0, 1): the state (z, y) steps by M = [[M11, M12], [M21, M22]]
 * and takes the input through (f1, f2)·Bu. Every discretisation's entries are polynomials or
 * ratios in Δ with M(0) = I: e.g. IMEX M = [[1, −ΔA], [Δ, 1 − Δ²A]], f = (Δ, Δ²); IM divides by
 * S = 1 + ΔG + Δ²A → 1. So as Δ → 0: M → I (identity transition), f1 = O(Δ), f2 = O(Δ²), and
 * with h₀ = 0, |y_k| ≤ k·max|f|·max|Bu|: the output tends to the skip term D ⊙ u. The exception
 * is damped IM with G < 0 (the ring init gives it): its projection A ≥ −G/Δ keeps ΔA → −G, so
 * M → [[1, −relu(−G)], [0, 1]], a shear with |λ| = 1 — not the identity; outputs still → D ⊙ u.
 * At the largest
 * step (Δ = 1 in float32) every discretisation keeps the spectral radius ≤ 1 (IM: |λ|² =
 * 1/(1+Δ²A); undamped IMEX: det M = 1 and Δ²A < 4, so |λ| = 1; the damped ones by their
 * projections onto the stable region).
 *
 * LRU has no explicit step: λ = exp(−e^ν + i·e^θ) is a discrete eigenvalue, λ = exp(Δ·λ_c). The
 * step → 0 limit is |λ| → 1 (e^ν → 0), where the normalisation γ = √(1 − |λ|²) → 0: with
 * rMin = rMax = 1 exactly, λ = e^{iθ} and γ = 0, so the state never moves and y = D ⊙ u. The
 * step → ∞ limit is λ → 0 (rMin = rMax = 0): γ = 1 and the layer is memoryless,
 * y_k = Re(C B u_k) + D ⊙ u_k. Near |λ| = 1, γ must come from −expm1(−2e^ν), not 1 − |λ|²
 * (which cancels in float32: 30% off at 1 − |λ| = 1e-7).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { np, random, type Array } from "linax-ts";
import * as nn from "@linax-ts/nn";
import * as ssm from "@linax-ts/ssm";

const vals = (a: Array): number[] => [...(a.dataSync() as Float32Array)];
const finite = (a: Array, what: string): void => {
  const d = a.dataSync();
  for (let i = 0; i < d.length; i++) assert.ok(Number.isFinite(d[i]), `${what}[${i}] = ${d[i]}`);
};
const maxAbs = (xs: readonly number[]): number => xs.reduce((m, v) => Math.max(m, Math.abs(v)), 0);

/** Spectral radius of the real 2×2 [[a, b], [c, d]], in float64. */
function spectralRadius(a: number, b: number, c: number, d: number): number {
  const tr = a + d;
  const det = a * d - b * c;
  const disc = tr * tr - 4 * det;
  if (disc < 0) return Math.sqrt(det);
  const r = Math.sqrt(disc);
  return Math.max(Math.abs(tr + r), Math.abs(tr - r)) / 2;
}

const H = 3;
const P = 4;
const L = 64;
/** Inputs of magnitude up to 100: [L, H]. */
const input = (): Array => np.multiply(random.normal(random.PRNGKey(11), [L, H]), 30);

/** The LinOSS recurrence in float64 from the mixer's own (float32) transition and projections. */
function linossReference(m: ssm.LinOSSSequenceMixer, x: Array, r: (v: number) => number = (v) => v): number[] {
  const t = m.transition();
  const [M11, M12, M21, M22, f1, f2] = [t.M11, t.M12, t.M21, t.M22, t.f1, t.f2].map(vals);
  const B = vals(m.B); // [P, H, 2]
  const C = vals(m.C); // [H, P, 2]
  const D = vals(m.D);
  const u = vals(x);
  const z = new Float64Array(2 * P);
  const y = new Float64Array(2 * P);
  const out: number[] = [];
  for (let k = 0; k < L; k++) {
    for (let p = 0; p < P; p++) {
      let br = 0;
      let bi = 0;
      for (let h = 0; h < H; h++) {
        br = r(br + r(B[2 * (p * H + h)] * u[k * H + h]));
        bi = r(bi + r(B[2 * (p * H + h) + 1] * u[k * H + h]));
      }
      for (const [q, bq] of [
        [0, br],
        [1, bi],
      ] as const) {
        const zn = r(r(r(M11[p] * z[2 * p + q]) + r(M12[p] * y[2 * p + q])) + r(f1[p] * bq));
        const yn = r(r(r(M21[p] * z[2 * p + q]) + r(M22[p] * y[2 * p + q])) + r(f2[p] * bq));
        z[2 * p + q] = zn;
        y[2 * p + q] = yn;
      }
    }
    for (let h = 0; h < H; h++) {
      let s = r(D[h] * u[k * H + h]);
      for (let p = 0; p < P; p++)
        s = r(s + r(r(C[2 * (h * P + p)] * y[2 * p]) - r(C[2 * (h * P + p) + 1] * y[2 * p + 1])));
      out.push(s);
    }
  }
  return out;
}

type ScanElem = [number, number, number, number, number, number]; // M11, M12, M21, M22, b1, b2

/**
 * JAX's `lax.associative_scan` (the odd/even recursion of jax/_src/lax/control_flow/loops.py,
 * which linax's LinOSS calls with its `_binary_operator`) on a list of elements, `op(i, j)` = j
 * after i. Written here independently of linax-ts's primitive, to run in float32 (Math.fround) or
 * float64.
 */
function jaxAssociativeScan(el: readonly ScanElem[], op: (i: ScanElem, j: ScanElem) => ScanElem): ScanElem[] {
  const n = el.length;
  if (n < 2) return [...el];
  const reduced: ScanElem[] = [];
  for (let k = 0; k + 1 < n; k += 2) reduced.push(op(el[k], el[k + 1]));
  const odd = jaxAssociativeScan(reduced, op);
  const even: ScanElem[] = [el[0]];
  for (let k = 0; k < (n % 2 === 0 ? odd.length - 1 : odd.length); k++) even.push(op(odd[k], el[2 * k + 2]));
  return globalThis.Array.from({ length: n }, (_, k) => (k % 2 === 0 ? even[k / 2] : odd[(k - 1) / 2]));
}

/**
 * linax's LinOSS forward with every operation rounded by `r`: Bu, the associative scan of the 2×2
 * blocks (linax's `_binary_operator`), then Re(C y) + D⊙u — the result JAX computes in float32
 * when `r` is Math.fround, up to its own choice of fused multiply-adds.
 */
function linossScanReference(m: ssm.LinOSSSequenceMixer, x: Array, r: (v: number) => number): number[] {
  const t = m.transition();
  const [M11, M12, M21, M22, f1, f2] = [t.M11, t.M12, t.M21, t.M22, t.f1, t.f2].map(vals);
  const [B, C, D, u] = [m.B, m.C, m.D, x].map(vals);
  const op = (i: ScanElem, j: ScanElem): ScanElem => [
    r(r(j[0] * i[0]) + r(j[1] * i[2])),
    r(r(j[0] * i[1]) + r(j[1] * i[3])),
    r(r(j[2] * i[0]) + r(j[3] * i[2])),
    r(r(j[2] * i[1]) + r(j[3] * i[3])),
    r(r(r(j[0] * i[4]) + r(j[1] * i[5])) + j[4]),
    r(r(r(j[2] * i[4]) + r(j[3] * i[5])) + j[5]),
  ];
  const ys: number[][][] = []; // [p][re/im][k]: the position half of the scanned state
  for (let p = 0; p < P; p++) {
    ys.push(
      [0, 1].map((q) => {
        const el = globalThis.Array.from({ length: L }, (_, k): ScanElem => {
          let bu = 0;
          for (let h = 0; h < H; h++) bu = r(bu + r(B[2 * (p * H + h) + q] * u[k * H + h]));
          return [M11[p], M12[p], M21[p], M22[p], r(f1[p] * bu), r(f2[p] * bu)];
        });
        return jaxAssociativeScan(el, op).map((e) => e[5]);
      }),
    );
  }
  const out: number[] = [];
  for (let k = 0; k < L; k++)
    for (let h = 0; h < H; h++) {
      let s = r(D[h] * u[k * H + h]);
      for (let p = 0; p < P; p++)
        s = r(s + r(r(C[2 * (h * P + p)] * ys[p][0][k]) - r(C[2 * (h * P + p) + 1] * ys[p][1][k])));
      out.push(s);
    }
  return out;
}

const LINOSS: [string, ssm.LinOSSSequenceMixerOptions][] = [
  ["IM", { discretization: "IM", damping: false }],
  ["IMEX", { discretization: "IMEX", damping: false }],
  ["IMEX2", { discretization: "IMEX2", damping: false }],
  ["damped IM", { discretization: "IM", damping: true }],
  ["damped IMEX", { discretization: "IMEX", damping: true }],
  ["damped IMEX2", { discretization: "IMEX2", damping: true }],
  ["damped EX", { discretization: "EX", damping: true }],
];

for (const [name, opts] of LINOSS) {
  for (const s of [-18, 18]) {
    test(`LinOSS ${name} at steps = ${s} (Δ = sigmoid(${s})): ${s < 0 ? "M → I, f → 0, y → D⊙u" : "spectral radius ≤ 1"}; forward == float64 recurrence`, () => {
      const built = new ssm.LinOSSSequenceMixerConfig({ stateDim: P, ...opts }).build(H, random.PRNGKey(2));
      const m = nn.treeAt((mm: ssm.LinOSSSequenceMixer) => mm.steps, built, np.full([P], s));
      const dt = vals(m.delta());
      const t = m.transition();
      for (const [k, v] of Object.entries(t)) finite(v as Array, `${name} ${k}`);
      const [M11, M12, M21, M22, f1, f2] = [t.M11, t.M12, t.M21, t.M22, t.f1, t.f2].map(vals);
      const G = m.G_diag === null ? [] : vals(m.G_diag);
      for (let p = 0; p < P; p++) {
        const rho = spectralRadius(M11[p], M12[p], M21[p], M22[p]);
        assert.ok(rho <= 1 + 1e-5, `${name} p=${p}: spectral radius ${rho} at Δ = ${dt[p]}`);
        if (s < 0) {
          // Δ ≈ 1.5e-8: the hand-derived limit M = I + O(Δ), f1 = O(Δ), f2 = O(Δ²).
          assert.ok(dt[p] < 2e-8);
          // Damped IM with G < 0: the projection A ≥ −G/Δ makes ΔA → −G, so M12 = −ΔA/S → −relu(−G).
          const m12 = name === "damped IM" ? -Math.max(0, -G[p]) : 0;
          for (const [e, want] of [
            [M11[p], 1],
            [M12[p], m12],
            [M21[p], 0],
            [M22[p], 1],
          ])
            assert.ok(Math.abs(e - want) <= 1e-6 * (1 + Math.abs(want)), `${name} p=${p}: M entry ${e} vs ${want}`);
          assert.ok(
            Math.abs(f1[p]) <= 1.01 * dt[p] && Math.abs(f2[p]) <= 1.01 * dt[p],
            `${name} p=${p}: f = (${f1[p]}, ${f2[p]}) at Δ = ${dt[p]}`,
          );
        } else {
          assert.equal(dt[p], 1, "sigmoid(18) is 1 in float32");
        }
      }
      const x = input();
      const y = m.call(x);
      finite(y, `${name} output`);
      const got = vals(y);
      const want = linossReference(m, x);
      const scale = 1 + maxAbs(want);
      // The parallel forward is linax's algorithm: within float32 rounding of JAX's associative
      // scan emulated in float32 (measured ≤ 1.8e-7 of the scale in every case).
      const jax32 = linossScanReference(m, x, Math.fround);
      for (let i = 0; i < want.length; i++)
        assert.ok(
          Math.abs(got[i] - jax32[i]) <= 1e-6 * scale,
          `${name} y[${i}] = ${got[i]} vs JAX's float32 associative scan ${jax32[i]}`,
        );
      // Two cases are ill-conditioned for any float32 parallel scan (the test below derives why).
      if (!SCAN_GAP.has(`${name} ${s}`))
        for (let i = 0; i < want.length; i++)
          assert.ok(Math.abs(got[i] - want[i]) <= 1e-4 * scale, `${name} y[${i}] = ${got[i]} vs float64 ${want[i]}`);
      if (s < 0) {
        // y − D⊙u = Re(C h) with |h_k| ≤ k·max|f|·max|Bu|, so it is O(LΔ): tiny next to D⊙u.
        const D = vals(m.D);
        const u = vals(x);
        const skip = u.map((v, i) => D[i % H] * v);
        const bound =
          L * 1.01 * maxAbs(dt) * P * maxAbs(vals(m.C)) * 2 * H * maxAbs(vals(m.B)) * maxAbs(u) + 2e-7 * maxAbs(skip);
        for (let i = 0; i < got.length; i++)
          assert.ok(
            Math.abs(got[i] - skip[i]) <= bound,
            `${name} y[${i}] = ${got[i]} vs D⊙u = ${skip[i]} (bound ${bound})`,
          );
      }
    });
  }
}

/**
 * Damped IMEX and IMEX2 at Δ = 1: the float32 associative scan is 4.4e-4 / 4.9e-4 of the output
 * scale off float64, a float32 *sequential* recurrence 2.4e-5. This was recorded as a todo ("the
 * scan is 20× less accurate"); it is not a bug of linax-ts but a property of the algorithm, which
 * linax uses too (`jax.lax.associative_scan(_binary_operator, …)`), so the expectation "the scan
 * within 1e-4 of float64" was wrong. Why:
 *
 * Both projections clamp A into [A_low, A_high], whose ends are where the block's discriminant
 * tr² − 4 det vanishes; at Δ = 1 the ring init's A lies outside, so three of the four modes sit on
 * an end (discriminant ~1e-6 against tr² ≈ 3–4): M = λI + N with a double eigenvalue λ = tr/2 =
 * −√det (−0.90 … −0.999) and N nilpotent (N² = 0, entries ≈ 4). Then Mᵐ = λᵐI + mλᵐ⁻¹N: the powers' entries grow
 * like 4m while the state they produce, y_k = Σ_j (M^{k−j} f b_j)₂, is a sum whose terms alternate
 * in sign (λ < 0) and cancel. The sequential recurrence only ever rounds the state (of the size of
 * the result); the parallel prefix forms the powers M^{2^i} and the partial sums of those large,
 * cancelling terms explicitly, so its rounding errors are relative to them, not to the result.
 * Hence the algorithm itself — computed exactly as JAX computes it, in float32 — misses 1e-4,
 * while in float64 the same tree is exact to 1e-10: the gap is float32 rounding in the tree.
 *
 * So the test checks what the algorithm guarantees: linax-ts's forward equals JAX's float32
 * associative scan (emulated independently above) to 1e-6 of the scale; that emulation is the
 * one more than 1e-4 off float64 (the finding, kept visible), its float64 run is exact, and the
 * float32 sequential recurrence (the step path) meets 1e-4.
 */
const SCAN_GAP = new Set(["damped IMEX 18", "damped IMEX2 18"]);
for (const key of SCAN_GAP) {
  const name = key.slice(0, key.lastIndexOf(" "));
  test(`LinOSS ${name} at Δ = 1: forward == JAX's float32 associative scan; that algorithm (not linax-ts) is > 1e-4 off float64 on the near-defective blocks`, () => {
    const built = new ssm.LinOSSSequenceMixerConfig({ stateDim: P, ...LINOSS.find(([n]) => n === name)![1] }).build(
      H,
      random.PRNGKey(2),
    );
    const m = nn.treeAt((mm: ssm.LinOSSSequenceMixer) => mm.steps, built, np.full([P], 18));
    // The modes on an end of the clamp: discriminant tiny next to tr² (a near-Jordan block).
    const t = m.transition();
    const [M11, M12, M21, M22] = [t.M11, t.M12, t.M21, t.M22].map(vals);
    const nearDefective = M11.filter((_, p) => {
      const tr = M11[p] + M22[p];
      return Math.abs(tr * tr - 4 * (M11[p] * M22[p] - M12[p] * M21[p])) < 1e-5 * tr * tr && tr < 0;
    }).length;
    assert.ok(nearDefective >= 2, `${nearDefective} modes on the clamp's end`);
    const x = input();
    const want = linossReference(m, x);
    const scale = 1 + maxAbs(want);
    const err = (ys: readonly number[]): number => maxAbs(ys.map((v, i) => v - want[i])) / scale;
    const got = vals(m.call(x));
    const jax32 = linossScanReference(m, x, Math.fround);
    assert.ok(
      maxAbs(got.map((v, i) => v - jax32[i])) <= 1e-6 * scale,
      `linax-ts vs JAX's float32 scan: ${maxAbs(got.map((v, i) => v - jax32[i])) / scale} of the scale`,
    );
    assert.ok(err(linossScanReference(m, x, (v) => v)) <= 1e-10, "the scan's tree in float64 is exact");
    assert.ok(
      err(jax32) > 1e-4,
      `JAX's float32 scan is ${err(jax32)} of the scale off float64 (the gap is the algorithm's)`,
    );
    assert.ok(
      err(linossReference(m, x, Math.fround)) <= 1e-4,
      `the float32 sequential recurrence meets 1e-4: ${err(linossReference(m, x, Math.fround))}`,
    );
    // The step path is that sequential recurrence: it meets 1e-4 (its own ops, float32).
    const stepFn = m.recurrence();
    let cache = m.initCache();
    const xs = vals(x);
    const stepped: number[] = [];
    for (let k = 0; k < L; k++) {
      const [yk, c] = stepFn(np.array(xs.slice(k * H, (k + 1) * H)), cache);
      cache = c;
      stepped.push(...vals(yk));
    }
    assert.ok(err(stepped) <= 1e-4, `step recurrence ${err(stepped)} of the scale off float64`);
  });
}

/** The LRU recurrence in float64 from the mixer's parameters: λ from (ν, θ), γ = exp(γ_log). */
function lruReference(m: ssm.LRUSequenceMixer, x: Array): number[] {
  const nu = vals(m.nu_log).map(Math.exp);
  const th = vals(m.theta_log).map(Math.exp);
  const g = vals(m.gamma_log).map(Math.exp);
  const [Br, Bi, Cr, Ci, D, u] = [m.B_re, m.B_im, m.C_re, m.C_im, m.D, x].map(vals);
  const N = nu.length;
  const hr = new Float64Array(N);
  const hi = new Float64Array(N);
  const out: number[] = [];
  for (let k = 0; k < L; k++) {
    for (let n = 0; n < N; n++) {
      const mag = Math.exp(-nu[n]);
      const lr = mag * Math.cos(th[n]);
      const li = mag * Math.sin(th[n]);
      let br = 0;
      let bi = 0;
      for (let h = 0; h < H; h++) {
        br += g[n] * Br[n * H + h] * u[k * H + h];
        bi += g[n] * Bi[n * H + h] * u[k * H + h];
      }
      const nr = lr * hr[n] - li * hi[n] + br;
      const ni = lr * hi[n] + li * hr[n] + bi;
      hr[n] = nr;
      hi[n] = ni;
    }
    for (let h = 0; h < H; h++) {
      let s = D[h] * u[k * H + h];
      for (let n = 0; n < N; n++) s += Cr[h * N + n] * hr[n] - Ci[h * N + n] * hi[n];
      out.push(s);
    }
  }
  return out;
}

for (const [r, what] of [
  [1, "step → 0: |λ| = 1, γ = 0, y = D⊙u"],
  [1 - 1e-7, "|λ| = 1 − 1e-7: γ to float32 accuracy"],
  [0, "step → ∞: λ = 0, γ = 1, memoryless"],
] as const) {
  test(`LRU with rMin = rMax = ${r} (${what}); forward == float64 recurrence`, () => {
    const m = new ssm.LRUSequenceMixerConfig({ stateDim: P, rMin: r, rMax: r }).build(H, random.PRNGKey(3));
    const lam = vals(m.lambda());
    finite(m.lambda(), "λ");
    finite(np.exp(m.gamma_log), "γ");
    const nu = vals(m.nu_log).map(Math.exp); // e^ν, float64 from the float32 leaf
    const gamma = vals(np.exp(m.gamma_log));
    for (let n = 0; n < P; n++) {
      const mod = Math.hypot(lam[2 * n], lam[2 * n + 1]);
      assert.ok(mod <= 1 + 1e-6, `|λ_${n}| = ${mod}`);
      // γ = √(1 − |λ|²) = √(−expm1(−2e^ν)) in float64 from the layer's own ν.
      const want = Math.sqrt(-Math.expm1(-2 * nu[n]));
      assert.ok(Math.abs(gamma[n] - want) <= 1e-5 * want + 1e-30, `γ_${n} = ${gamma[n]} vs ${want}`);
      // |λ| = |e^{iθ}| = 1 up to the rounding of float32 cos and sin; γ = 0 exactly.
      if (r === 1)
        assert.ok(Math.abs(mod - 1) <= 2.4e-7 && gamma[n] === 0, `the step → 0 limit: |λ| = ${mod}, γ = ${gamma[n]}`);
      if (r === 0) assert.deepEqual([mod, gamma[n]], [0, 1], "the exact step → ∞ limit");
    }
    const x = input();
    const y = m.call(x);
    finite(y, "LRU output");
    const got = vals(y);
    const want = lruReference(m, x);
    const scale = 1 + maxAbs(want);
    for (let i = 0; i < want.length; i++)
      assert.ok(Math.abs(got[i] - want[i]) <= 1e-4 * scale, `y[${i}] = ${got[i]} vs float64 ${want[i]}`);
    if (r === 1) {
      // The state never leaves 0: y is the skip term exactly.
      const D = vals(m.D);
      const u = vals(x);
      got.forEach((v, i) => assert.equal(v, Math.fround(D[i % H] * u[i]), `y[${i}]`));
    }
  });
}

/**
 * S4D's zero-order hold, w = C ⊙ (e^{ΔA} − 1)/A (Re A < 0). Δ → 0: w = C·Δ·(1 + O(ΔA)) → 0, and
 * the layer (no skip term) outputs → 0 like LΔ. Δ → ∞: e^{ΔA} → 0, so w → −C/A and the kernel
 * K[l] = 2 Re Σ w e^{ΔA l} is K[0] = 2 Re Σ (−C/A) at l = 0 and 0 after: y_k = K[0]·u_k, memoryless.
 * The weights are checked against float64 from the layer's own parameters (e^{ΔA} − 1 must come
 * from expm1: it cancels in complex64 at Δ = 1e-7).
 */
for (const dt of [1e-7, 1e3]) {
  test(`S4D at Δ = ${dt}: ZOH weights == float64, ${dt < 1 ? "output → 0 like LΔ" : "memoryless y = K[0]·u"}`, () => {
    const m = new ssm.S4DSequenceMixerConfig({ stateDim: 8, dtMin: dt, dtMax: dt }).build(2, random.PRNGKey(1));
    const k = m.kernel;
    const dts = vals(k.log_dt).map(Math.exp);
    const ar = vals(k.log_a_real).map((v) => -Math.exp(v));
    const ai = vals(k.A_imag);
    const C = vals(k.C); // interleaved complex [2, 4]
    const w = vals(k.weights());
    const half = 4;
    const k0 = [0, 0];
    for (let h = 0; h < 2; h++) {
      for (let n = 0; n < half; n++) {
        const j = h * half + n;
        const [zr, zi] = [ar[j] * dts[h], ai[j] * dts[h]];
        // expm1 of a complex z in float64: expm1(x)cos y − 2 sin²(y/2) + i e^x sin y.
        const er = Math.expm1(zr) * Math.cos(zi) - 2 * Math.sin(zi / 2) ** 2;
        const ei = Math.exp(zr) * Math.sin(zi);
        const den = ar[j] ** 2 + ai[j] ** 2;
        const [qr, qi] = [(er * ar[j] + ei * ai[j]) / den, (ei * ar[j] - er * ai[j]) / den]; // (e^z − 1)/A
        const want = [C[2 * j] * qr - C[2 * j + 1] * qi, C[2 * j] * qi + C[2 * j + 1] * qr];
        const mag = Math.hypot(C[2 * j], C[2 * j + 1]) * Math.hypot(qr, qi);
        for (const c of [0, 1])
          assert.ok(
            Math.abs(w[2 * j + c] - want[c]) <= 1e-5 * mag,
            `w[${h},${n}] part ${c}: ${w[2 * j + c]} vs ${want[c]}`,
          );
        k0[h] += 2 * want[0];
      }
    }
    const x = input().get(":", ":2");
    const y = m.call(x);
    finite(y, "S4D output");
    const got = vals(y);
    const u = vals(x);
    if (dt < 1) {
      const bound = L * 2 * maxAbs(w) * half * maxAbs(u) * 1.01;
      assert.ok(maxAbs(got) <= bound && bound < 1e-2, `|y| = ${maxAbs(got)} (bound ${bound})`);
    } else {
      const scale = 1 + maxAbs(u) * Math.max(...k0.map(Math.abs));
      got.forEach((g, i) =>
        assert.ok(Math.abs(g - k0[i % 2] * u[i]) <= 1e-5 * scale, `y[${i}] = ${g} vs K[0]·u = ${k0[i % 2] * u[i]}`),
      );
    }
  });
}

test("S4D block (lrnnx) zero-order hold at Δ = 1e-7: dB = B ⊙ (e^{ΔA} − 1)/A == float64 (expm1, no cancellation)", () => {
  const m = new ssm.S4D({ dModel: 2, dState: 8, dtMin: 1e-7, dtMax: 1e-7, transposed: false, key: random.PRNGKey(4) });
  assert.equal(m.dtTransform, "exp");
  const { dB, logdA } = m.discrete(); // logdA = ΔA for zoh
  const dtA = vals(logdA);
  const got = vals(dB);
  const dtRaw = vals(np.exp(m.inv_dt)); // [H, 1] or [H, N/2]
  const half = 4;
  const H = 2;
  const nSsm = m.B.shape[1];
  const Bv = vals(m.B); // [1, nSsm, N/2, 2]
  for (let h = 0; h < H; h++) {
    for (let n = 0; n < half; n++) {
      const j = h * half + n;
      const dt = dtRaw.length === H ? dtRaw[h] : dtRaw[j];
      assert.ok(Math.abs(dt - 1e-7) < 1e-12, `Δ = ${dt}`);
      const [zr, zi] = [dtA[2 * j], dtA[2 * j + 1]];
      const [ar, ai] = [zr / dt, zi / dt];
      const er = Math.expm1(zr) * Math.cos(zi) - 2 * Math.sin(zi / 2) ** 2;
      const ei = Math.exp(zr) * Math.sin(zi);
      const den = ar * ar + ai * ai;
      const [qr, qi] = [(er * ar + ei * ai) / den, (ei * ar - er * ai) / den];
      const b = (h % nSsm) * half + n;
      const [br, bi] = [Bv[2 * b], Bv[2 * b + 1]];
      const want = [br * qr - bi * qi, br * qi + bi * qr];
      const mag = Math.hypot(br, bi) * Math.hypot(qr, qi);
      for (const c of [0, 1])
        assert.ok(
          Math.abs(got[2 * j + c] - want[c]) <= 1e-5 * mag,
          `dB[${h},${n}] part ${c}: ${got[2 * j + c]} vs ${want[c]}`,
        );
    }
  }
});
