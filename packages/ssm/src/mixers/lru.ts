/**
 * LRU, the Linear Recurrent Unit (Orvieto et al. 2023), linax `sequence_mixers/lru.py`:
 * `h_k = λ ⊙ h_{k-1} + γ ⊙ (B u_k)` with `λ = exp(-exp(ν) + i·exp(θ))` and `γ = √(1-|λ|²)`,
 * `y_k = Re(C h_k) + D ⊙ u_k`.
 */
import { type Array, ValueError, lax, np, random } from "@linax-ts/core";
import { splitKey, type PRNGKey } from "@linax-ts/nn";
import { SequenceMixer, SequenceMixerConfig, applyRows, diagonalLinearScan, type MixerStepFn } from "./base.ts";
import type { MixerCallOptions } from "../lengths.ts";
import { knownOptions, positiveFinite } from "../validate.ts";

/** Options of `LRUSequenceMixerConfig` (all optional). */
export interface LRUSequenceMixerOptions {
  /** State size `N` (default 64). */
  stateDim?: number;
  /** Eigenvalue moduli are drawn on the ring `rMin ≤ |λ| ≤ rMax` (defaults 0, 1). */
  rMin?: number;
  rMax?: number;
  /** Eigenvalue phases are drawn in `[0, maxPhase)` (default 6.28, linax's value, not 2π). */
  maxPhase?: number;
}

/** linax's `LRUSequenceMixerConfig`. */
export class LRUSequenceMixerConfig extends SequenceMixerConfig<LRUSequenceMixer> {
  readonly stateDim: number;
  readonly rMin: number;
  readonly rMax: number;
  readonly maxPhase: number;

  constructor(opts: LRUSequenceMixerOptions = {}) {
    super();
    const W = "LRUSequenceMixerConfig";
    knownOptions(W, opts, ["stateDim", "rMin", "rMax", "maxPhase"]);
    this.stateDim = opts.stateDim ?? 64;
    this.rMin = opts.rMin ?? 0.0;
    this.rMax = opts.rMax ?? 1.0;
    this.maxPhase = opts.maxPhase ?? 6.28;
    if (!Number.isInteger(this.stateDim) || this.stateDim < 1)
      throw new ValueError(`LRUSequenceMixerConfig: stateDim must be a positive integer; got ${this.stateDim}`);
    if (!(this.rMin >= 0 && this.rMin <= this.rMax && this.rMax <= 1))
      throw new ValueError(
        `LRUSequenceMixerConfig: need 0 ≤ rMin ≤ rMax ≤ 1; got rMin=${this.rMin}, rMax=${this.rMax}`,
      );
    positiveFinite(W, "maxPhase", this.maxPhase);
  }

  build(inFeatures: number, key: PRNGKey): LRUSequenceMixer {
    return new LRUSequenceMixer(inFeatures, this, key);
  }
}

/** LRU's recurrent state: `state: [...batch, N]` complex64. */
export interface LRUCache {
  readonly [name: string]: Array;
  readonly state: Array;
}

/**
 * The LRU layer. Leaves: `nu_log [N]`, `theta_log [N]`, `B_re [N, H]`, `B_im [N, H]`,
 * `C_re [H, N]`, `C_im [H, N]`, `D [H]`, `gamma_log [N]`.
 */
export class LRUSequenceMixer extends SequenceMixer<LRUCache> {
  readonly nu_log: Array;
  readonly theta_log: Array;
  readonly B_re: Array;
  readonly B_im: Array;
  readonly C_re: Array;
  readonly C_im: Array;
  readonly D: Array;
  readonly gamma_log: Array;
  readonly inFeatures: number;
  readonly stateDim: number;

  /** `u1, u2, B_re, B_im, C_re, C_im, D` keys = `split(key, 7)`, as linax. */
  constructor(inFeatures: number, cfg: LRUSequenceMixerConfig, key: PRNGKey) {
    super();
    if (!Number.isInteger(inFeatures) || inFeatures < 1)
      throw new ValueError(`LRUSequenceMixer: inFeatures must be a positive integer; got ${inFeatures}`);
    const N = cfg.stateDim;
    const H = inFeatures;
    const [u1Key, u2Key, BReKey, BImKey, CReKey, CImKey, DKey] = splitKey(key, 7);
    const u1 = random.uniform(u1Key, [N]);
    const u2 = random.uniform(u2Key, [N]);
    // |λ|² = exp(-2ν) uniform on [rMin², rMax²]: the ring's area measure.
    const r2 = np.add(np.multiply(u1, cfg.rMax ** 2 - cfg.rMin ** 2), cfg.rMin ** 2);
    this.nu_log = np.log(np.multiply(np.log(r2), -0.5));
    this.theta_log = np.log(np.multiply(u2, cfg.maxPhase));
    this.B_re = np.divide(random.normal(BReKey, [N, H]), np.sqrt(np.array(2 * H, { dtype: "float32" })));
    this.B_im = np.divide(random.normal(BImKey, [N, H]), np.sqrt(np.array(2 * H, { dtype: "float32" })));
    this.C_re = np.divide(random.normal(CReKey, [H, N]), np.sqrt(np.array(N, { dtype: "float32" })));
    this.C_im = np.divide(random.normal(CImKey, [H, N]), np.sqrt(np.array(N, { dtype: "float32" })));
    this.D = random.normal(DKey, [H]);
    // γ = √(1 − |λ|²) with |λ|² = exp(−2e^ν): −expm1 keeps it accurate near |λ| = 1, where
    // 1 − |λ|² cancels in float32 (15% off at 1 − |λ| = 1e-7; discretization-limits.test.ts).
    this.gamma_log = np.log(np.sqrt(np.negative(np.expm1(np.multiply(np.exp(this.nu_log), -2)))));
    this.inFeatures = H;
    this.stateDim = N;
  }

  /** The diagonal `λ = exp(-exp(ν) + i·exp(θ))`, complex64 `[N]`. */
  lambda(): Array {
    return lruLambda(this.nu_log, this.theta_log);
  }

  /** `B_norm = (B_re + i·B_im) ⊙ exp(γ_log)[:, None]` and `C = C_re + i·C_im`. */
  private projections(): { Bnorm: Array; C: Array } {
    const B = lax.complex(this.B_re, this.B_im);
    return {
      Bnorm: np.multiply(B, np.exp(this.gamma_log).reshape([this.stateDim, 1])),
      C: lax.complex(this.C_re, this.C_im),
    };
  }

  /** The parallel forward on one sequence `[L, H]`; `{ lengths }` masks padding (see `lengths.ts`). */
  call(x: Array, opts?: MixerCallOptions): Array {
    return this.callMasked(x, opts, (u) => this.forward(u));
  }

  /** The parallel forward of the whole (unpadded) sequence. */
  private forward(x: Array): Array {
    const { Bnorm, C } = this.projections();
    const hs = diagonalLinearScan(this.lambda(), applyRows(Bnorm, x));
    return np.add(np.real(applyRows(C, hs)), np.multiply(this.D, x));
  }

  initCache(batchShape: readonly number[] = []): LRUCache {
    return { state: np.zeros([...batchShape, this.stateDim], { dtype: "complex64" }) };
  }

  recurrence(): MixerStepFn<LRUCache> {
    const { Bnorm, C } = this.projections();
    const lambda = this.lambda();
    return (xt, cache) => {
      this.checkStep(xt, cache.state, 1);
      const state = np.add(np.multiply(lambda, cache.state), applyRows(Bnorm, xt));
      return [np.add(np.real(applyRows(C, state)), np.multiply(this.D, xt)), { state }];
    };
  }
}

/** `exp(-exp(ν) + i·exp(θ))`. */
function lruLambda(nuLog: Array, thetaLog: Array): Array {
  return np.exp(lax.complex(np.negative(np.exp(nuLog)), np.exp(thetaLog)));
}
