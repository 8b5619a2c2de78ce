/**
 * S4D, the diagonal structured state space (Gu et al. 2022), linax `sequence_mixers/s4d.py`: per
 * channel `h` a diagonal complex SSM with `N/2` modes, discretised by zero-order hold, whose
 * impulse response `K[h, l] = 2·Re Σ_n C[h,n]·(exp(ΔA)−1)/A·exp(ΔA·l)` is applied as a causal
 * long convolution via FFT. The same layer runs recurrently (`step`, as lrnnx's S4D kernel):
 * `s_t = exp(ΔA) ⊙ s_{t-1} + (exp(ΔA)−1)/A · u_t`, `y_t = 2·Re Σ_n C_n s_{t,n}`.
 * As in linax there is no `D` skip term and `transposed` is stored but ignored.
 */
import { type Array, ValueError, lax, np, random } from "@linax-ts/core";
import { Module, splitKey, type PRNGKey } from "@linax-ts/nn";
import { makeDplrHippo } from "../hippo.ts";
import { SequenceMixer, SequenceMixerConfig, type MixerStepFn } from "./base.ts";
import type { MixerCallOptions } from "../lengths.ts";
import { bool, knownOptions, stepRange } from "../validate.ts";

/**
 * Initialisation of `A` (the port's extension; linax has only "lin"): S4D-Lin `A_n = -½ + iπn`,
 * S4D-Inv `A_n = -½ + i(N/π)(N/(2n+1) − 1)`, S4D-LegS `A_n = -½ + i·ω_n` with `ω` the positive
 * imaginary parts of HiPPO-N's eigenvalues (largest first), S4D-Real `A_n = -(n+1)`;
 * `n = 0 … N/2−1` — the formulas of S4's `dplr` (state-spaces/s4, lrnnx `s4_utils.py`).
 */
export type S4DInit = "lin" | "inv" | "legs" | "real";

/** Options of `S4DSequenceMixerConfig` (all optional). */
export interface S4DSequenceMixerOptions {
  /** State size `N` per channel, even: `N/2` complex modes (default 64). */
  stateDim?: number;
  /** Stored for linax parity; the call always takes `x: [L, H]` (default false). */
  transposed?: boolean;
  /** Range of the initial steps, `log_dt ~ U[log dtMin, log dtMax)` (defaults 0.001, 0.1). */
  dtMin?: number;
  dtMax?: number;
  /** Initialisation of `A` (default "lin", linax's). */
  init?: S4DInit;
}

const S4D_INITS: readonly string[] = ["lin", "inv", "legs", "real"];

/** linax's `S4DSequenceMixerConfig`. */
export class S4DSequenceMixerConfig extends SequenceMixerConfig<S4DSequenceMixer> {
  readonly stateDim: number;
  readonly transposed: boolean;
  readonly dtMin: number;
  readonly dtMax: number;
  readonly init: S4DInit;

  constructor(opts: S4DSequenceMixerOptions = {}) {
    super();
    const W = "S4DSequenceMixerConfig";
    knownOptions(W, opts, ["stateDim", "transposed", "dtMin", "dtMax", "init"]);
    this.stateDim = opts.stateDim ?? 64;
    this.transposed = opts.transposed ?? false;
    this.dtMin = opts.dtMin ?? 0.001;
    this.dtMax = opts.dtMax ?? 0.1;
    this.init = opts.init ?? "lin";
    if (!Number.isInteger(this.stateDim) || this.stateDim < 2 || this.stateDim % 2 !== 0) {
      throw new ValueError(
        `S4DSequenceMixerConfig: stateDim must be a positive even integer (N/2 complex modes); got ${this.stateDim}`,
      );
    }
    if (!S4D_INITS.includes(this.init))
      throw new ValueError(
        `S4DSequenceMixerConfig: init must be one of ${S4D_INITS.join(", ")}; got ${JSON.stringify(this.init)}`,
      );
    stepRange(W, this.dtMin, this.dtMax);
    bool(W, "transposed", this.transposed);
  }

  build(inFeatures: number, key: PRNGKey): S4DSequenceMixer {
    return new S4DSequenceMixer(inFeatures, this, key);
  }
}

/** `A`'s initial real-part logs and imaginary parts, each `[N/2]` float32. */
function initA(init: S4DInit, N: number): [Array, Array] {
  const half = N / 2;
  const n = np.arange(half, { dtype: "float32" });
  const logHalf = np.log(np.multiply(np.ones([half]), 0.5));
  switch (init) {
    case "lin":
      return [logHalf, np.multiply(n, np.array(Math.PI, { dtype: "float32" }))];
    case "inv":
      return [logHalf, np.multiply(np.subtract(np.divide(N, np.add(np.multiply(n, 2), 1)), 1), N / Math.PI)];
    case "legs":
      // As S4's `dplr("legs")`: real part ½, imaginary parts minus the first (negative) half of
      // HiPPO-N's ascending spectrum, i.e. the positive frequencies, largest first.
      return [logHalf, np.negative(np.imag(makeDplrHippo(N).Lambda.get(`:${half}`)))];
    case "real":
      return [np.log(np.add(n, 1)), np.zeros([half])];
  }
}

/**
 * linax's `_S4DKernel`: the parameters and the convolution kernel. Leaves: `C [H, N/2]`
 * complex64, `log_dt [H]`, `log_a_real [H, N/2]`, `A_imag [H, N/2]`.
 */
export class S4DKernel extends Module {
  readonly C: Array;
  readonly log_dt: Array;
  readonly log_a_real: Array;
  readonly A_imag: Array;

  /** `k1, k2, k3 = split(key, 3)`: `log_dt ~ U(k1)`, `C = N(k2) + i·N(k3)`. */
  constructor(H: number, N: number, dtMin: number, dtMax: number, key: PRNGKey, init: S4DInit = "lin") {
    super();
    const [k1, k2, k3] = splitKey(key, 3);
    const half = N / 2;
    const logDt = random.uniform(k1, [H], { minval: Math.log(dtMin), maxval: Math.log(dtMax) });
    this.C = lax.complex(random.normal(k2, [H, half]), random.normal(k3, [H, half]));
    this.log_dt = logDt;
    const [logAReal, aImag] = initA(init, N);
    this.log_a_real = np.broadcastTo(logAReal, [H, half]);
    this.A_imag = np.broadcastTo(aImag, [H, half]);
  }

  /** `A = -exp(log_a_real) + i·A_imag` and `ΔA`, complex64 `[H, N/2]`. */
  discretize(): { A: Array; dtA: Array } {
    const dt = np.exp(this.log_dt);
    const A = lax.complex(np.negative(np.exp(this.log_a_real)), this.A_imag);
    return { A, dtA: np.multiply(A, dt.reshape([dt.shape[0], 1])) };
  }

  /** `C ⊙ (exp(ΔA) − 1)/A`, the ZOH-discretised output weights, complex64 `[H, N/2]`. */
  weights(): Array {
    const { A, dtA } = this.discretize();
    // expm1: exp(ΔA) − 1 cancels in complex64 for small steps (as S5's zero-order hold did).
    return np.divide(np.multiply(this.C, np.expm1(dtA)), A);
  }

  /** The convolution kernel for length `L`, float32 `[H, L]`. */
  call(L: number): Array {
    const { dtA } = this.discretize();
    const t = np.arange(L, { dtype: "float32" });
    const H = dtA.shape[0];
    const half = dtA.shape[1];
    const vand = np.exp(np.multiply(dtA.reshape([H, half, 1]), t.reshape([1, 1, L]))); // [H, N/2, L]
    const K = np.einsum("hn,hnl->hl", this.weights(), vand);
    return np.multiply(np.real(K), 2);
  }
}

/** S4D's recurrent state: `state: [...batch, H, N/2]` complex64. */
export interface S4DCache {
  readonly [name: string]: Array;
  readonly state: Array;
}

/** The S4D layer (leaves under `kernel.`). */
export class S4DSequenceMixer extends SequenceMixer<S4DCache> {
  readonly inFeatures: number;
  readonly stateDim: number;
  readonly transposed: boolean;
  readonly kernel: S4DKernel;

  /** `(k_kernel,) = split(key, 1)`, as linax. */
  constructor(inFeatures: number, cfg: S4DSequenceMixerConfig, key: PRNGKey) {
    super();
    if (!Number.isInteger(inFeatures) || inFeatures < 1)
      throw new ValueError(`S4DSequenceMixer: inFeatures must be a positive integer; got ${inFeatures}`);
    this.inFeatures = inFeatures;
    this.stateDim = cfg.stateDim;
    this.transposed = cfg.transposed;
    const [kKernel] = splitKey(key, 1);
    this.kernel = new S4DKernel(inFeatures, cfg.stateDim, cfg.dtMin, cfg.dtMax, kKernel, cfg.init);
  }

  /** Causal convolution with the kernel by FFT, zero-padded to `2L`: `x: [L, H] → [L, H]`. */
  /** The parallel forward on one sequence `[L, H]`; `{ lengths }` masks padding (see `lengths.ts`). */
  call(x: Array, opts?: MixerCallOptions): Array {
    return this.callMasked(x, opts, (u) => this.forward(u));
  }

  /** The parallel forward of the whole (unpadded) sequence. */
  private forward(x: Array): Array {
    const L = x.shape[0];
    const u = np.transpose(x); // [H, L]
    const k = this.kernel.call(L);
    const nFft = 2 * L;
    const kf = np.fft.rfft(k, { n: nFft, axis: -1 });
    const uf = np.fft.rfft(u, { n: nFft, axis: -1 });
    const y = np.fft.irfft(np.multiply(uf, kf), { n: nFft, axis: -1 }).get(":", `:${L}`);
    return np.transpose(y);
  }

  initCache(batchShape: readonly number[] = []): S4DCache {
    return { state: np.zeros([...batchShape, this.inFeatures, this.stateDim / 2], { dtype: "complex64" }) };
  }

  recurrence(): MixerStepFn<S4DCache> {
    const { A, dtA } = this.kernel.discretize();
    const dA = np.exp(dtA);
    const dB = np.divide(np.expm1(dtA), A);
    const C = this.kernel.C;
    return (xt, cache) => {
      this.checkStep(xt, cache.state, 2);
      const state = np.add(np.multiply(dA, cache.state), np.multiply(dB, np.expandDims(xt, -1)));
      const y = np.multiply(np.real(np.sum(np.multiply(C, state), { axis: -1 })), 2);
      return [y, { state }];
    };
  }
}
