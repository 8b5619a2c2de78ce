/**
 * Mamba (the selective scan) and Mamba-2 (SSD) at extreme steps: the values the discretisation
 * implies, not only finiteness (discretization-robustness.test.ts checks that).
 *
 * Mamba-1 ("zoh"): x_t = exp(Δ_t A) x_{t−1} + Δ_t B_t u_t, y_t = C_t·x_t + D u_t (A < 0).
 * - Δ → 0: exp(ΔA) = 1 + O(Δ) and the drive is O(Δ): the transition is the identity and the input
 *   never enters, so from an initial state x₀ every step reads it unchanged — y_t = C_t·x₀ + D u_t
 *   (|x_t − x₀| ≤ t·Δ·(|A||x₀| + |B u|)) — and from x₀ = 0 the layer is the skip term D u.
 * - Δ → ∞: exp(ΔA) → 0 (in float32 exactly 0 once ΔA < −104): the state forgets everything,
 *   x_t = Δ_t B_t u_t, and the layer is memoryless, y_t = Δ_t (C_t·B_t) u_t + D u_t. The output
 *   grows like Δ (Mamba's input matrix is Euler's Δ·B, not the zero-order hold's (e^{ΔA}−1)/A·B,
 *   which would tend to −B/A): the limit is linear in Δ, not bounded.
 * - Mamba-3's exponential-trapezoidal rule, x_t = α x_{t−1} + (1−λ)Δ α B_{t−1}u_{t−1} + λΔ B_t u_t
 *   with α = exp(ΔA): Δ → 0 is again the identity; Δ → ∞ gives α = 0, x_t = λ Δ_t B_t u_t.
 * Mamba-2 (SSD), S_t = exp(Δ_t A_h) S_{t−1} + Δ_t x_t B_tᵀ, y_t = S_t C_t + D_h x_t, has the same
 * two limits per head: S_t = S₀ (y_t = S₀ C_t + D x_t), and y_t = Δ_t (B_t·C_t) x_t + D x_t.
 * In the chunked form the Δ → ∞ limit is the decay mask exp(segsum(ΔA)) turning into the identity
 * matrix (every off-diagonal sum is ≤ ΔA·1 → −∞), and Δ → 0 the all-ones lower triangle.
 *
 * Each is checked for the parallel forms (selectiveScan, ssdChunked, with several chunks) and the
 * step forms (selectiveScanStep, ssdStep), and for the whole blocks through their Δ biases
 * (Mamba's dt_proj.bias, Mamba-2's dt_bias) against the block's D path written out here.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { lax, np, random, type Array } from "linax-ts";
import * as nn from "@linax-ts/nn";
import * as ssm from "@linax-ts/ssm";

const vals = (a: Array): number[] => [...(a.dataSync() as Float32Array)];
const maxAbs = (xs: readonly number[]): number => xs.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
const silu = (v: number): number => v / (1 + Math.exp(-v));

/** Assert |got − want| ≤ rtol·(|want| + scale) elementwise. */
function close(got: readonly number[], want: readonly number[], rtol: number, scale: number, what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    const tol = rtol * (Math.abs(want[i]) + scale);
    assert.ok(
      Number.isFinite(got[i]) && Math.abs(got[i] - want[i]) <= tol,
      `${what} [${i}]: ${got[i]} vs ${want[i]} (tol ${tol})`,
    );
  }
}

// Selective scan layout: u, Δ, z [b, D, L]; A [D, N]; B, C [b, N, L]; D [D].
const b = 2;
const Dch = 3;
const N = 4;
const L = 10;
const key = (k: number) => random.PRNGKey(100 + k);
const u = random.normal(key(0), [b, Dch, L]);
const z = random.normal(key(1), [b, Dch, L]);
const A = np.negative(np.add(random.uniform(key(2), [Dch, N]), 0.5)); // A ∈ (−1.5, −0.5]
const Bm = random.normal(key(3), [b, N, L]);
const Cm = random.normal(key(4), [b, N, L]);
const Dskip = random.normal(key(5), [Dch]);
const h0 = random.normal(key(6), [b, Dch, N]);
const [uv, zv, Bv, Cv, Dv, h0v] = [u, z, Bm, Cm, Dskip, h0].map(vals);
const at = (arr: number[], i: number, j: number, k: number, n1: number, n2: number) => arr[(i * n1 + j) * n2 + k];

/**
 * The hand-derived limit of the selective scan, gated by silu(z): "zero" — y = C_t·h₀ + D u;
 * "infinite" — y = λ Δ (C_t·B_t) u + D u (λ = 1 for zoh).
 */
function selectiveLimit(limit: "zero" | "infinite", delta: number, lam: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < b; i++)
    for (let d = 0; d < Dch; d++)
      for (let t = 0; t < L; t++) {
        const ut = at(uv, i, d, t, Dch, L);
        let s = 0;
        for (let n = 0; n < N; n++) {
          const c = at(Cv, i, n, t, N, L);
          s += limit === "zero" ? c * at(h0v, i, d, n, Dch, N) : lam * delta * c * at(Bv, i, n, t, N, L) * ut;
        }
        out.push((s + Dv[d] * ut) * silu(at(zv, i, d, t, Dch, L)));
      }
  return out;
}

/** Step `selectiveScanStep` over the sequence from `h₀` (layout as selectiveScan's output). */
function stepSelective(delta: Array, opts: ssm.ops.SelectiveScanStepOptions): number[] {
  let st: ssm.ops.SelectiveScanState = { h: h0, bu: np.zeros([b, Dch, N]) };
  const ys: number[][] = [];
  for (let t = 0; t < L; t++) {
    const col = (x: Array) => lax.sliceInDim(x, t, t + 1, 1, 2).reshape([x.shape[0], x.shape[1]]);
    const [y, s2] = ssm.ops.selectiveScanStep(st, col(u), col(delta), A, col(Bm), col(Cm), { ...opts, z: col(z) });
    st = s2;
    ys.push(vals(y)); // [b, D]
  }
  const out: number[] = [];
  for (let i = 0; i < b; i++) for (let d = 0; d < Dch; d++) for (let t = 0; t < L; t++) out.push(ys[t][i * Dch + d]);
  return out;
}

for (const disc of ["zoh", "exptrap"] as const) {
  const lam = disc === "zoh" ? 1 : 0.3;
  const extra: ssm.ops.SelectiveScanOptions = disc === "zoh" ? {} : { discretization: "exptrap", trapezoidLambda: lam };

  test(`selective scan (${disc}) as Δ → 0 (softplus(−60) ≈ 8.8e-27): identity transition, y = C_t·h₀ + D u (scan, chunks and step)`, () => {
    // Δ through the layer's own path: softplus(Δ_raw + deltaBias) with a bias of −60.
    const deltaRaw = random.normal(key(7), [b, Dch, L]);
    const bias = np.full([Dch], -60);
    const want = selectiveLimit("zero", 0, lam);
    const scale = maxAbs(want);
    const opts = { ...extra, D: Dskip, z, deltaBias: bias, deltaSoftplus: true, initialState: h0 };
    const [y, last] = ssm.ops.selectiveScan(u, deltaRaw, A, Bm, Cm, { ...opts, returnLastState: true, chunkSize: 4 });
    close(vals(y), want, 1e-6, scale, `${disc} scan`);
    // The state never moves: the last state is h₀ to float32 rounding.
    close(vals(last), h0v, 1e-6, 0, `${disc} last state`);
    close(
      stepSelective(deltaRaw, { ...extra, D: Dskip, deltaBias: bias, deltaSoftplus: true }),
      want,
      1e-6,
      scale,
      `${disc} step`,
    );
    // From the zero state the layer is the skip term alone.
    const skip = selectiveLimit("zero", 0, lam).map((_, k) => {
      const [i, d, t] = [Math.floor(k / (Dch * L)), Math.floor(k / L) % Dch, k % L];
      return Dv[d] * at(uv, i, d, t, Dch, L) * silu(at(zv, i, d, t, Dch, L));
    });
    close(
      vals(ssm.ops.selectiveScan(u, deltaRaw, A, Bm, Cm, { ...opts, initialState: null })),
      skip,
      1e-6,
      maxAbs(skip),
      `${disc} y = D⊙u`,
    );
  });

  test(`selective scan (${disc}) as Δ → ∞ (Δ = 1e4): exp(ΔA) = 0, memoryless y = ${disc === "zoh" ? "" : "λ"}Δ (C_t·B_t) u + D u (scan, chunks and step)`, () => {
    const delta = np.full([b, Dch, L], 1e4);
    const want = selectiveLimit("infinite", 1e4, lam);
    const scale = maxAbs(want);
    const opts = { ...extra, D: Dskip, z, initialState: h0 };
    const [y, last] = ssm.ops.selectiveScan(u, delta, A, Bm, Cm, { ...opts, returnLastState: true, chunkSize: 4 });
    close(vals(y), want, 1e-6, scale, `${disc} scan`);
    // The initial state is forgotten at once: the last state is λΔ B_{L−1} u_{L−1}.
    const lastWant: number[] = [];
    for (let i = 0; i < b; i++)
      for (let d = 0; d < Dch; d++)
        for (let n = 0; n < N; n++) lastWant.push(lam * 1e4 * at(Bv, i, n, L - 1, N, L) * at(uv, i, d, L - 1, Dch, L));
    close(vals(last), lastWant, 1e-6, 0, `${disc} last state`);
    close(stepSelective(delta, { ...extra, D: Dskip }), want, 1e-6, scale, `${disc} step`);
    // Through softplus (linear above 20, as torch's): Δ_raw = 1e4 gives the same.
    close(
      vals(
        ssm.ops.selectiveScan(u, np.zerosLike(delta), A, Bm, Cm, {
          ...opts,
          deltaBias: np.full([Dch], 1e4),
          deltaSoftplus: true,
        }),
      ),
      want,
      1e-6,
      scale,
      `${disc} softplus`,
    );
  });
}

// SSD layout: x [b, L, H, P]; dt [b, L, H]; A [H]; B, C [b, L, G, N]; D [H]; state [b, H, P, N].
const H2 = 4;
const P2 = 2;
const G2 = 2;
const x2 = random.normal(key(10), [b, L, H2, P2]);
const A2 = np.negative(np.add(random.uniform(key(11), [H2]), 0.5));
const B2 = random.normal(key(12), [b, L, G2, N]);
const C2 = random.normal(key(13), [b, L, G2, N]);
const D2 = random.normal(key(14), [H2]);
const S0 = random.normal(key(15), [b, H2, P2, N]);
const [x2v, B2v, C2v, D2v, S0v] = [x2, B2, C2, D2, S0].map(vals);

/** SSD's limits: "zero" — y_t = S₀ C_t + D x_t; "infinite" — y_t = Δ (B_t·C_t) x_t + D x_t. */
function ssdLimit(limit: "zero" | "infinite", delta: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < b; i++)
    for (let t = 0; t < L; t++)
      for (let h = 0; h < H2; h++) {
        const g = Math.floor(h / (H2 / G2));
        const bc = (arr: number[], n: number) => arr[((i * L + t) * G2 + g) * N + n];
        for (let p = 0; p < P2; p++) {
          const xt = x2v[((i * L + t) * H2 + h) * P2 + p];
          let s = 0;
          for (let n = 0; n < N; n++)
            s +=
              limit === "zero"
                ? S0v[((i * H2 + h) * P2 + p) * N + n] * bc(C2v, n)
                : delta * bc(B2v, n) * bc(C2v, n) * xt;
          out.push(s + D2v[h] * xt);
        }
      }
  return out;
}

function stepSsd(dt: Array): { ys: number[]; last: number[] } {
  let S = S0;
  const ys: number[][] = [];
  for (let t = 0; t < L; t++) {
    const row = (m: Array) => m.get(":", t);
    const [y, S2] = ssm.ops.ssdStep(S, row(x2), row(dt), A2, row(B2), row(C2), D2);
    S = S2;
    ys.push(vals(y)); // [b, H, P]
  }
  const out: number[] = [];
  const per = H2 * P2;
  for (let i = 0; i < b; i++) for (let t = 0; t < L; t++) out.push(...ys[t].slice(i * per, (i + 1) * per));
  return { ys: out, last: vals(S) };
}

test("Mamba-2 SSD as Δ → 0 (Δ = 1e-30): decay mask of ones, state fixed, y_t = S₀ C_t + D x_t (chunked over 3 chunks, and step)", () => {
  const dt = np.full([b, L, H2], 1e-30);
  const want = ssdLimit("zero", 0);
  const scale = maxAbs(want);
  const [y, last] = ssm.ops.ssdChunked(x2, dt, A2, B2, C2, {
    chunkSize: 4,
    D: D2,
    initialState: S0,
    returnFinalState: true,
  });
  close(vals(y), want, 1e-6, scale, "ssdChunked");
  close(vals(last), S0v, 1e-6, 0, "final state");
  const st = stepSsd(dt);
  close(st.ys, want, 1e-6, scale, "ssdStep");
  close(st.last, S0v, 1e-6, 0, "ssdStep final state");
});

test("Mamba-2 SSD as Δ → ∞ (Δ = 1e4): decay mask = identity, memoryless y_t = Δ (B_t·C_t) x_t + D x_t (chunked over 3 chunks, and step)", () => {
  const dt = np.full([b, L, H2], 1e4);
  const want = ssdLimit("infinite", 1e4);
  const scale = maxAbs(want);
  const [y, last] = ssm.ops.ssdChunked(x2, dt, A2, B2, C2, {
    chunkSize: 4,
    D: D2,
    initialState: S0,
    returnFinalState: true,
  });
  close(vals(y), want, 1e-6, scale, "ssdChunked");
  // The last state is Δ x_{L−1} B_{L−1}ᵀ: the initial state and every earlier input are forgotten.
  const lastWant: number[] = [];
  for (let i = 0; i < b; i++)
    for (let h = 0; h < H2; h++)
      for (let p = 0; p < P2; p++)
        for (let n = 0; n < N; n++)
          lastWant.push(
            1e4 *
              x2v[((i * L + L - 1) * H2 + h) * P2 + p] *
              B2v[((i * L + L - 1) * G2 + Math.floor(h / (H2 / G2))) * N + n],
          );
  close(vals(last), lastWant, 1e-6, 0, "final state");
  close(stepSsd(dt).ys, want, 1e-6, scale, "ssdStep");
});

/**
 * The blocks: with the Δ bias at −60 the SSM contributes O(e^−60), so each block reduces to its
 * skip path, written out here from the block's leaves (an independent transcription of the
 * block's plumbing; with the SSM term left out).
 */
test("Mamba block with dt_proj.bias = −60 (Δ → 0): out = out_proj(D ⊙ silu(conv(x)) ⊙ silu(z)); step path too", () => {
  const blk = new ssm.MambaConfig({ dState: 4, convKer: 3, chunkSize: 4 }).build(5, random.PRNGKey(1));
  const m = nn.treeAt((mm: ssm.Mamba) => mm.dt_proj.bias!, blk, np.full([blk.dInner], -60));
  const xs = random.normal(random.PRNGKey(9), [L, 5]);
  const E = m.dInner;
  const xz = m.in_proj.call(xs);
  const pre = m.conv1d.call(lax.sliceInDim(xz, 0, E, 1, 1));
  const xc = np.multiply(pre, lax.logistic(pre));
  const zz = lax.sliceInDim(xz, E, 2 * E, 1, 1);
  const want = vals(m.out_proj.call(np.multiply(np.multiply(xc, m.D), np.multiply(zz, lax.logistic(zz)))));
  const scale = maxAbs(want);
  close(vals(m.call(xs)), want, 1e-6, scale, "Mamba forward");
  // The recurrent form: one step at a time from the zero cache.
  const step = m.recurrence();
  let cache = m.initCache([]);
  const got: number[] = [];
  for (let t = 0; t < L; t++) {
    const [y, c] = step(xs.get(t), cache);
    cache = c;
    got.push(...vals(y));
  }
  close(got, want, 1e-6, scale, "Mamba step");
  // The bias is the only difference: at the init's Δ the SSM term is far from negligible.
  const atInit = vals(blk.call(xs));
  assert.ok(maxAbs(atInit.map((v, i) => v - want[i])) > 1e-3 * maxAbs(want), "the SSM term matters at the init's Δ");
});

test("Mamba-2 block with dt_bias = −60 (Δ → 0): the SSD term vanishes, out = out_proj(norm(D ⊙ x, z)); step path too", () => {
  const blk = new ssm.Mamba2Config({ dState: 4, headDim: 2, convKer: 3, chunkSize: 4 }).build(4, random.PRNGKey(2));
  const m = nn.treeAt((mm: ssm.Mamba2) => mm.dt_bias, blk, np.full(blk.dt_bias.shape, -60));
  const xs = random.normal(random.PRNGKey(8), [L, 4]);
  const E = m.dInner;
  const convDim = E + 2 * m.nGroups * m.dState;
  // in_proj → [z, xBC, Δ]; the conv and silu over xBC; x its first dInner channels, as heads.
  const zxbcdt = m.in_proj.call(xs);
  const zz = lax.sliceInDim(zxbcdt, 0, E, 1, 1);
  const pre = m.conv1d.call(lax.sliceInDim(zxbcdt, E, E + convDim, 1, 1));
  const x = lax.sliceInDim(np.multiply(pre, lax.logistic(pre)), 0, E, 1, 1).reshape([L, m.nHeads, m.headDim]);
  const y = np.multiply(x, np.expandDims(m.D, 1)).reshape([L, E]);
  const want = vals(m.out_proj.call(m.norm.call(y, zz)));
  const scale = maxAbs(want);
  close(vals(m.call(xs)), want, 1e-6, scale, "Mamba-2 forward");
  const step = m.recurrence();
  let cache = m.initCache([]);
  const got: number[] = [];
  for (let t = 0; t < L; t++) {
    const [yt, c] = step(xs.get(t), cache);
    cache = c;
    got.push(...vals(yt));
  }
  close(got, want, 1e-6, scale, "Mamba-2 step");
  const atInit = vals(blk.call(xs));
  assert.ok(maxAbs(atInit.map((v, i) => v - want[i])) > 1e-3 * maxAbs(want), "the SSD term matters at the init's Δ");
});
