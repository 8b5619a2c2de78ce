/**
 * S5 (Smith, Warrington & Linderman 2023), linax `sequence_mixers/s5.py`: a diagonal complex
 * state space `x_k = Λ̄ ⊙ x_{k-1} + B̄ u_k`, `y_k = Re(C̃ x_k)` (doubled with conjugate symmetry)
 * `+ D ⊙ u_k`, run in parallel with an associative scan or recurrently with `step`.
 */
import { type Array, ValueError, lax, np } from "@linax-ts/core";
import type { PRNGKey } from "@linax-ts/nn";
import {
  SequenceMixer,
  SequenceMixerConfig,
  applyRows,
  diagonalLinearScan,
  pairToComplex,
  type MixerStepFn,
} from "./base.ts";
import type { MixerCallOptions } from "../lengths.ts";
import { initS5Params, s5StateSizes, type S5CInit } from "./s5-init.ts";
import { bool, knownOptions, positiveFinite, stepRange } from "../validate.ts";

/** S5's discretisations: zero-order hold or the bilinear (Tustin) transform. */
export type S5Discretization = "zoh" | "bilinear";

/** Options of `S5SequenceMixerConfig` (linax's fields in camelCase; all optional). */
export interface S5SequenceMixerOptions {
  /** Total state size (default 64). */
  stateDim?: number;
  /** Number of HiPPO blocks on the diagonal of the initial state matrix (default 1). */
  ssmBlocks?: number;
  /** Initialisation of `C` (default "lecun_normal"). */
  CInit?: S5CInit;
  /** Keep one eigenvalue of each conjugate pair and double the real output (default true). */
  conjSym?: boolean;
  /** Clip `Re Λ ≤ -1e-4` in the forward pass (default true). */
  clipEigs?: boolean;
  /** "zoh" (default) or "bilinear". */
  discretization?: S5Discretization;
  /** Range of the initial steps, `log_step ~ U[log dtMin, log dtMax)` (defaults 0.001, 1.0). */
  dtMin?: number;
  dtMax?: number;
  /** Multiplies every step in the forward pass (default 1). */
  stepRescale?: number;
}

const S5_DISCRETIZATIONS: readonly string[] = ["zoh", "bilinear"];
const S5_C_INITS: readonly string[] = ["trunc_standard_normal", "lecun_normal", "complex_normal"];

/** linax's `S5SequenceMixerConfig`: `new S5SequenceMixerConfig({ stateDim: 8 }).build(H, key)`. */
export class S5SequenceMixerConfig extends SequenceMixerConfig<S5SequenceMixer> {
  readonly stateDim: number;
  readonly ssmBlocks: number;
  readonly CInit: S5CInit;
  readonly conjSym: boolean;
  readonly clipEigs: boolean;
  readonly discretization: S5Discretization;
  readonly dtMin: number;
  readonly dtMax: number;
  readonly stepRescale: number;

  constructor(opts: S5SequenceMixerOptions = {}) {
    super();
    const W = "S5SequenceMixerConfig";
    knownOptions(W, opts, [
      "stateDim",
      "ssmBlocks",
      "CInit",
      "conjSym",
      "clipEigs",
      "discretization",
      "dtMin",
      "dtMax",
      "stepRescale",
    ]);
    this.stateDim = opts.stateDim ?? 64;
    this.ssmBlocks = opts.ssmBlocks ?? 1;
    this.CInit = opts.CInit ?? "lecun_normal";
    this.conjSym = opts.conjSym ?? true;
    this.clipEigs = opts.clipEigs ?? true;
    this.discretization = opts.discretization ?? "zoh";
    this.dtMin = opts.dtMin ?? 0.001;
    this.dtMax = opts.dtMax ?? 1.0;
    this.stepRescale = opts.stepRescale ?? 1.0;
    // linax raises NotImplementedError at call/build time; failing at configuration is clearer.
    if (!S5_DISCRETIZATIONS.includes(this.discretization))
      throw new ValueError(
        `S5SequenceMixerConfig: discretization must be "zoh" or "bilinear"; got ${JSON.stringify(this.discretization)}`,
      );
    if (!S5_C_INITS.includes(this.CInit))
      throw new ValueError(
        `S5SequenceMixerConfig: CInit must be one of ${S5_C_INITS.join(", ")}; got ${JSON.stringify(this.CInit)}`,
      );
    s5StateSizes(this);
    stepRange(W, this.dtMin, this.dtMax);
    positiveFinite(W, "stepRescale", this.stepRescale);
    bool(W, "conjSym", this.conjSym);
    bool(W, "clipEigs", this.clipEigs);
  }

  build(inFeatures: number, key: PRNGKey): S5SequenceMixer {
    return new S5SequenceMixer(inFeatures, this, key);
  }
}

/** S5's recurrent state: `state: [...batch, P]` complex64. */
export interface S5Cache {
  readonly [name: string]: Array;
  readonly state: Array;
}

/** The discretised system, shared by the parallel and recurrent forms. */
export interface S5Discrete {
  /** `Λ̄`, complex64 `[P]`. */
  readonly lambdaBar: Array;
  /** `B̄`, complex64 `[P, H]`. */
  readonly BBar: Array;
  /** `C̃`, complex64 `[H, P]`. */
  readonly Ctilde: Array;
}

/**
 * The S5 layer. Leaves (linax's names and shapes): `Lambda_re [P]`, `Lambda_im [P]`,
 * `B [P, H, 2]`, `C [H, P, 2]`, `D [H]`, `log_step [P, 1]` (trailing 2 = real, imaginary).
 */
export class S5SequenceMixer extends SequenceMixer<S5Cache> {
  readonly Lambda_re: Array;
  readonly Lambda_im: Array;
  readonly B: Array;
  readonly C: Array;
  readonly D: Array;
  readonly log_step: Array;
  readonly inFeatures: number;
  readonly P: number;
  readonly conjSym: boolean;
  readonly clipEigs: boolean;
  readonly discretization: S5Discretization;
  readonly stepRescale: number;

  constructor(inFeatures: number, cfg: S5SequenceMixerConfig, key: PRNGKey) {
    super();
    if (!Number.isInteger(inFeatures) || inFeatures < 1)
      throw new ValueError(`S5SequenceMixer: inFeatures must be a positive integer; got ${inFeatures}`);
    const p = initS5Params(inFeatures, cfg, key);
    this.Lambda_re = p.Lambda_re;
    this.Lambda_im = p.Lambda_im;
    this.B = p.B;
    this.C = p.C;
    this.D = p.D;
    this.log_step = p.log_step;
    this.inFeatures = inFeatures;
    this.P = p.P;
    this.conjSym = cfg.conjSym;
    this.clipEigs = cfg.clipEigs;
    this.discretization = cfg.discretization;
    this.stepRescale = cfg.stepRescale;
  }

  /** The continuous eigenvalues used by the forward pass (`Re Λ` clipped to ≤ -1e-4 with `clipEigs`). */
  lambda(): Array {
    const re = this.clipEigs ? np.minimum(this.Lambda_re, -1e-4) : this.Lambda_re;
    return lax.complex(re, this.Lambda_im);
  }

  /** Discretises `(Λ, B̃)` with the per-state steps `Δ = stepRescale · exp(log_step)`. */
  discretize(): S5Discrete {
    const lambda = this.lambda();
    const Btilde = pairToComplex(this.B);
    const Ctilde = pairToComplex(this.C);
    const delta = np.multiply(np.exp(this.log_step.get(":", 0)), this.stepRescale);
    let lambdaBar: Array;
    let scale: Array;
    if (this.discretization === "zoh") {
      const z = np.multiply(lambda, delta);
      lambdaBar = np.exp(z);
      // (Λ̄ − 1)/Λ with expm1: exp(ΛΔ) − 1 cancels in float32 for small steps (19% off at Δ = 1e-7,
      // 6e-5 at the default dtMin 1e-3); linax subtracts, we keep the same value without the cancellation.
      scale = np.multiply(np.divide(1, lambda), np.expm1(z));
    } else if (this.discretization === "bilinear") {
      const half = np.multiply(np.divide(delta, 2), lambda);
      const bl = np.divide(1, np.subtract(1, half));
      lambdaBar = np.multiply(bl, np.add(1, half));
      scale = np.multiply(bl, delta);
    } else {
      throw new ValueError(`S5SequenceMixer: discretization ${JSON.stringify(this.discretization)} not implemented`);
    }
    return { lambdaBar, BBar: np.multiply(scale.reshape([this.P, 1]), Btilde), Ctilde };
  }

  /** `Re(C̃ x)`, doubled under conjugate symmetry (the dropped half is the conjugate). */
  private readout(Ctilde: Array, states: Array): Array {
    const y = np.real(applyRows(Ctilde, states));
    return this.conjSym ? np.multiply(y, 2) : y;
  }

  /** The parallel forward on one sequence `[L, H]`; `{ lengths }` masks padding (see `lengths.ts`). */
  call(x: Array, opts?: MixerCallOptions): Array {
    return this.callMasked(x, opts, (u) => this.forward(u));
  }

  /** The parallel forward of the whole (unpadded) sequence. */
  private forward(x: Array): Array {
    const { lambdaBar, BBar, Ctilde } = this.discretize();
    const xs = diagonalLinearScan(lambdaBar, applyRows(BBar, x));
    return np.add(this.readout(Ctilde, xs), np.multiply(this.D, x));
  }

  initCache(batchShape: readonly number[] = []): S5Cache {
    return { state: np.zeros([...batchShape, this.P], { dtype: "complex64" }) };
  }

  recurrence(): MixerStepFn<S5Cache> {
    const { lambdaBar, BBar, Ctilde } = this.discretize();
    return (xt, cache) => {
      this.checkStep(xt, cache.state, 1);
      const state = np.add(np.multiply(lambdaBar, cache.state), applyRows(BBar, xt));
      return [np.add(this.readout(Ctilde, state), np.multiply(this.D, xt)), { state }];
    };
  }
}
