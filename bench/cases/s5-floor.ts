/**
 * The floor: S5's mixer written as plain sequential JavaScript loops over the discretised system —
 * `x_k = Λ̄ ⊙ x_{k-1} + B̄ u_k`, `y_k = 2 Re(C̃ x_k) + D ⊙ u_k` (conjugate symmetry) — and its
 * hand-derived reverse pass. Any array library should beat it; it shows what one core does with
 * no library at all.
 *
 * Complex values are split into real and imaginary Float32Arrays. Gradients of a real loss with
 * respect to a complex quantity z are carried as `∂L/∂Re z + i ∂L/∂Im z`; with that convention
 * `z = λ·x` gives `ḡx = conj(λ)·ḡz` and `ḡλ = ḡz·conj(x)`.
 */

/** The discretised S5 system, host copies (P states, H features). */
export interface S5Host {
  P: number;
  H: number;
  /** Λ̄ [P]. */
  lr: Float32Array;
  li: Float32Array;
  /** B̄ [P, H]. */
  br: Float32Array;
  bi: Float32Array;
  /** C̃ [H, P]. */
  cr: Float32Array;
  ci: Float32Array;
  /** D [H]. */
  d: Float32Array;
}

/** Splits interleaved complex64 data (re, im, re, im, …) into its parts. */
export function splitComplex(z: ArrayLike<number>): [Float32Array, Float32Array] {
  const n = z.length / 2;
  const re = new Float32Array(n);
  const im = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    re[i] = z[2 * i];
    im[i] = z[2 * i + 1];
  }
  return [re, im];
}

/**
 * Forward pass over `u` [batch, L, H] into `y` [batch, L, H]; when `states` ([batch, L, P] each)
 * is given, the states are kept for the reverse pass.
 */
export function s5ForwardJS(
  s: S5Host,
  u: Float32Array,
  batch: number,
  L: number,
  y: Float32Array,
  states?: { re: Float32Array; im: Float32Array },
): void {
  const { P, H, lr, li, br, bi, cr, ci, d } = s;
  const xr = new Float32Array(P);
  const xi = new Float32Array(P);
  for (let b = 0; b < batch; b++) {
    xr.fill(0);
    xi.fill(0);
    for (let k = 0; k < L; k++) {
      const uo = (b * L + k) * H;
      for (let p = 0; p < P; p++) {
        let sr = 0;
        let si = 0;
        const po = p * H;
        for (let h = 0; h < H; h++) {
          const v = u[uo + h];
          sr += br[po + h] * v;
          si += bi[po + h] * v;
        }
        const r = lr[p] * xr[p] - li[p] * xi[p] + sr;
        const i = lr[p] * xi[p] + li[p] * xr[p] + si;
        xr[p] = r;
        xi[p] = i;
      }
      if (states !== undefined) {
        states.re.set(xr, (b * L + k) * P);
        states.im.set(xi, (b * L + k) * P);
      }
      for (let h = 0; h < H; h++) {
        let acc = 0;
        const ho = h * P;
        for (let p = 0; p < P; p++) acc += cr[ho + p] * xr[p] - ci[ho + p] * xi[p];
        y[uo + h] = 2 * acc + d[h] * u[uo + h];
      }
    }
  }
}

/** Gradients of the discretised system's parameters. */
export interface S5HostGrads {
  lr: Float32Array;
  li: Float32Array;
  br: Float32Array;
  bi: Float32Array;
  cr: Float32Array;
  ci: Float32Array;
  d: Float32Array;
}

/**
 * Forward and reverse pass for the loss `Σ gy ⊙ y` (e.g. `gy = 1/size` for the mean): returns
 * the gradients with respect to Λ̄, B̄, C̃ and D. The inputs' gradient is not formed (the
 * benchmark differentiates with respect to the parameters only, like the linax-ts case).
 */
export function s5ForwardBackwardJS(
  s: S5Host,
  u: Float32Array,
  batch: number,
  L: number,
  gy: Float32Array,
): S5HostGrads {
  const { P, H, lr, li, cr, ci } = s;
  const y = new Float32Array(batch * L * H);
  const st = { re: new Float32Array(batch * L * P), im: new Float32Array(batch * L * P) };
  s5ForwardJS(s, u, batch, L, y, st);
  const g: S5HostGrads = {
    lr: new Float32Array(P),
    li: new Float32Array(P),
    br: new Float32Array(P * H),
    bi: new Float32Array(P * H),
    cr: new Float32Array(H * P),
    ci: new Float32Array(H * P),
    d: new Float32Array(H),
  };
  const ar = new Float32Array(P); // adjoint of x_k, carried backwards in k
  const ai = new Float32Array(P);
  for (let b = 0; b < batch; b++) {
    ar.fill(0);
    ai.fill(0);
    for (let k = L - 1; k >= 0; k--) {
      const uo = (b * L + k) * H;
      const so = (b * L + k) * P;
      // y_k = 2 Re(C̃ x_k) + D u_k: into C̃, D and (directly) x_k.
      for (let h = 0; h < H; h++) {
        const gh = gy[uo + h];
        g.d[h] += gh * u[uo + h];
        const ho = h * P;
        for (let p = 0; p < P; p++) {
          g.cr[ho + p] += 2 * gh * st.re[so + p];
          g.ci[ho + p] -= 2 * gh * st.im[so + p];
        }
      }
      for (let p = 0; p < P; p++) {
        // ḡx_k = 2 C̃ᴴ gy_k + conj(Λ̄) ḡx_{k+1}
        let dr = 0;
        let di = 0;
        for (let h = 0; h < H; h++) {
          const gh = gy[uo + h];
          dr += 2 * gh * cr[h * P + p];
          di -= 2 * gh * ci[h * P + p];
        }
        const r = dr + lr[p] * ar[p] + li[p] * ai[p];
        const i = di + lr[p] * ai[p] - li[p] * ar[p];
        ar[p] = r;
        ai[p] = i;
        // x_k = Λ̄ x_{k-1} + B̄ u_k: into Λ̄ (ḡ·conj(x_{k-1})) and B̄ (ḡ·u_k, u real).
        if (k > 0) {
          const pr = st.re[so - P + p];
          const pi = st.im[so - P + p];
          g.lr[p] += r * pr + i * pi;
          g.li[p] += i * pr - r * pi;
        }
        const po = p * H;
        for (let h = 0; h < H; h++) {
          const v = u[uo + h];
          g.br[po + h] += r * v;
          g.bi[po + h] += i * v;
        }
      }
    }
  }
  return g;
}
