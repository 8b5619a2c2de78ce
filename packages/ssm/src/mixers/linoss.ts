/**
 * LinOSS, oscillatory state space models (Rusch & Rus 2025; damped variant Boyer et al.), linax
 * `sequence_mixers/linoss.py`: the forced, optionally damped oscillator `y″ = -Ay - Gy′ + Bu`
 * with diagonal `A, G ≥ 0`, discretised implicitly (IM), implicit-explicitly (IMEX, IMEX2) or
 * explicitly (EX; damped only — see linoss-discretizations.ts for the damped IM/IMEX2/EX). Each
 * state is a pair `(z, y)` (velocity-like, position) that evolves by a 2×2 matrix per state:
 * `[z; y]_k = M [z; y]_{k-1} + F_k`, scanned with an associative scan over the 2×2 blocks.
 * Output `Re(C y_k) + D ⊙ u_k` (no factor 2).
 */
import { type Array, ValueError, lax, np, random } from "@linax-ts/core";
import { relu, sigmoid, splitKey, type PRNGKey } from "@linax-ts/nn";
import { SequenceMixer, SequenceMixerConfig, applyRows, pairToComplex, type MixerStepFn } from "./base.ts";
import type { MixerCallOptions } from "../lengths.ts";
import { initDampedRing, linossMatrices, projectOscillatory } from "./linoss-discretizations.ts";
import { bool, knownOptions, positiveFinite } from "../validate.ts";

/**
 * LinOSS's discretisations: linax's "IM" (undamped) and "IMEX"; the damped-LinOSS code's damped
 * "IM", "IMEX2" and "EX" (derivations in linoss-discretizations.ts).
 */
export type LinOSSDiscretization = "IM" | "IMEX" | "IMEX2" | "EX";

const DISCRETIZATIONS: readonly string[] = ["IM", "IMEX", "IMEX2", "EX"];

/** Options of `LinOSSSequenceMixerConfig` (all optional). */
export interface LinOSSSequenceMixerOptions {
  /** Number of oscillators `P` (default 64). */
  stateDim?: number;
  /** "IM", "IMEX" (default), "IMEX2" or "EX". */
  discretization?: LinOSSDiscretization;
  /** Damping `G` (default true; "EX" requires it: explicit Euler of an undamped oscillator is unstable). */
  damping?: boolean;
  /** Damped init: eigenvalue moduli on the ring `[rMin, 1]` (default 0.9). */
  rMin?: number;
  /** Damped init: eigenvalue phases in `[0, thetaMax)` (default π). */
  thetaMax?: number;
  /**
   * Damped init (the damped-LinOSS code's `initialization`): "RT" (default) samples the step's
   * eigenvalues on the ring `rMin ≤ |λ| ≤ 1`, `0 ≤ θ < thetaMax` and maps them to (A, G) (for
   * IMEX exactly linax's init); "AG" draws `A ~ U[0, aMax)`, `G ~ U[0, gMax)` (the projection
   * then keeps them stable).
   */
  initialization?: "RT" | "AG";
  /** "AG" init bounds (defaults 1, 1). */
  aMax?: number;
  gMax?: number;
}

/** linax's `LinOSSSequenceMixerConfig`. */
export class LinOSSSequenceMixerConfig extends SequenceMixerConfig<LinOSSSequenceMixer> {
  readonly stateDim: number;
  readonly discretization: LinOSSDiscretization;
  readonly damping: boolean;
  readonly rMin: number;
  readonly thetaMax: number;
  readonly initialization: "RT" | "AG";
  readonly aMax: number;
  readonly gMax: number;

  constructor(opts: LinOSSSequenceMixerOptions = {}) {
    super();
    const W = "LinOSSSequenceMixerConfig";
    knownOptions(W, opts, [
      "stateDim",
      "discretization",
      "damping",
      "rMin",
      "thetaMax",
      "initialization",
      "aMax",
      "gMax",
    ]);
    this.stateDim = opts.stateDim ?? 64;
    this.discretization = opts.discretization ?? "IMEX";
    this.damping = opts.damping ?? true;
    this.rMin = opts.rMin ?? 0.9;
    this.thetaMax = opts.thetaMax ?? Math.PI;
    this.initialization = opts.initialization ?? "RT";
    this.aMax = opts.aMax ?? 1;
    this.gMax = opts.gMax ?? 1;
    if (this.initialization !== "RT" && this.initialization !== "AG")
      throw new ValueError(
        `LinOSSSequenceMixerConfig: initialization must be "RT" or "AG"; got ${JSON.stringify(this.initialization)}`,
      );
    if (!(this.aMax > 0 && this.gMax > 0))
      throw new ValueError(`LinOSSSequenceMixerConfig: aMax and gMax must be positive; got ${this.aMax}, ${this.gMax}`);
    if (!Number.isInteger(this.stateDim) || this.stateDim < 1)
      throw new ValueError(`LinOSSSequenceMixerConfig: stateDim must be a positive integer; got ${this.stateDim}`);
    if (!DISCRETIZATIONS.includes(this.discretization)) {
      throw new ValueError(
        `LinOSSSequenceMixerConfig: discretization must be one of ${DISCRETIZATIONS.join(", ")}; got ${JSON.stringify(this.discretization)}`,
      );
    }
    // Undamped explicit Euler has |λ|² = 1 + Δ²A > 1 for every A > 0; the damped-LinOSS code's
    // projection would pin A to 0 (a mixer that only integrates), so refuse it.
    if (this.discretization === "EX" && !this.damping) {
      throw new ValueError(
        'LinOSSSequenceMixerConfig: discretization "EX" is unstable without damping (|λ|² = 1 + Δ²A); use damping: true or "IMEX"/"IM"',
      );
    }
    if (!(this.rMin > 0 && this.rMin <= 1))
      throw new ValueError(`LinOSSSequenceMixerConfig: rMin must be in (0, 1]; got ${this.rMin}`);
    positiveFinite(W, "thetaMax", this.thetaMax);
    positiveFinite(W, "aMax", this.aMax);
    positiveFinite(W, "gMax", this.gMax);
    bool(W, "damping", this.damping);
  }

  build(inFeatures: number, key: PRNGKey): LinOSSSequenceMixer {
    return new LinOSSSequenceMixer(inFeatures, this, key);
  }
}

/** LinOSS's recurrent state: `z` and `y` (position), each `[...batch, P]` complex64. */
export interface LinOSSCache {
  readonly [name: string]: Array;
  readonly z: Array;
  readonly y: Array;
}

/**
 * The per-state 2×2 transition `M = [[M11, M12], [M21, M22]]` (each `[P]`, real) and the input
 * gains `F1 = f1 ⊙ Bu`, `F2 = f2 ⊙ Bu`.
 */
export interface LinOSSTransition {
  readonly M11: Array;
  readonly M12: Array;
  readonly M21: Array;
  readonly M22: Array;
  readonly f1: Array;
  readonly f2: Array;
}

/**
 * The LinOSS layer. Leaves: `A_diag [P]`, `G_diag [P]` (damped only; absent otherwise),
 * `B [P, H, 2]`, `C [H, P, 2]`, `D [H]`, `steps [P]` (`Δ = sigmoid(steps)`).
 */
export class LinOSSSequenceMixer extends SequenceMixer<LinOSSCache> {
  readonly A_diag: Array;
  readonly G_diag: Array | null;
  readonly B: Array;
  readonly C: Array;
  readonly D: Array;
  readonly steps: Array;
  readonly inFeatures: number;
  readonly stateDim: number;
  readonly discretization: LinOSSDiscretization;
  readonly damping: boolean;

  /** `A, G, B, C, D, step` keys = `split(key, 7)[:6]`, as linax. */
  constructor(inFeatures: number, cfg: LinOSSSequenceMixerConfig, key: PRNGKey) {
    super();
    if (!Number.isInteger(inFeatures) || inFeatures < 1)
      throw new ValueError(`LinOSSSequenceMixer: inFeatures must be a positive integer; got ${inFeatures}`);
    const P = cfg.stateDim;
    const H = inFeatures;
    const [AKey, GKey, BKey, CKey, DKey, stepKey] = splitKey(key, 7);
    const steps = np.multiply(random.normal(stepKey, [P]), 0.5);
    if (cfg.damping && cfg.initialization === "AG") {
      this.A_diag = np.multiply(random.uniform(AKey, [P]), cfg.aMax);
      this.G_diag = np.multiply(random.uniform(GKey, [P]), cfg.gMax);
    } else if (cfg.damping && cfg.discretization !== "IMEX") {
      // The damped-LinOSS code's ring ("RT") init: eigenvalues on the ring, mapped to (A, G).
      [this.A_diag, this.G_diag] = initDampedRing(
        cfg.discretization,
        AKey,
        GKey,
        P,
        cfg.rMin,
        cfg.thetaMax,
        sigmoid(steps),
      );
    } else if (cfg.discretization === "IMEX" && cfg.damping) {
      const delta = sigmoid(steps);
      const rMax = 1.0;
      // |eigenvalue|² uniform on [rMin², 1]; G solves |λ|² = 1/(1 + ΔG) for it.
      const mags = np.sqrt(np.add(np.multiply(random.uniform(GKey, [P]), rMax ** 2 - cfg.rMin ** 2), cfg.rMin ** 2));
      const mags2 = np.square(mags);
      this.G_diag = np.divide(np.subtract(1, mags2), np.multiply(delta, mags2));
      const theta = np.multiply(random.uniform(AKey, [P]), np.array(cfg.thetaMax, { dtype: "float32" }));
      this.A_diag = mapThetaToA(theta, relu(this.G_diag), delta);
    } else {
      this.G_diag = null; // no leaf, as linax's `G_diag = None`
      this.A_diag = random.uniform(AKey, [P]);
    }
    this.B = simpleUniform(BKey, [P, H, 2], 1 / Math.sqrt(H));
    this.C = simpleUniform(CKey, [H, P, 2], 1 / Math.sqrt(P));
    this.D = random.normal(DKey, [H]);
    this.steps = steps;
    this.inFeatures = H;
    this.stateDim = P;
    this.discretization = cfg.discretization;
    this.damping = cfg.damping;
  }

  /** `Δ = sigmoid(steps)`, `[P]`. */
  delta(): Array {
    return sigmoid(this.steps);
  }

  /** The 2×2 transition and input gains of the configured discretisation (linax's `apply_*`). */
  transition(): LinOSSTransition {
    const dt = this.delta();
    const dt2 = np.square(dt);
    if (this.damping && this.discretization !== "IMEX") {
      if (this.G_diag === null) throw new ValueError(`LinOSSSequenceMixer: damped ${this.discretization} needs G_diag`);
      const [A, G] = projectOscillatory(this.discretization, this.A_diag, this.G_diag, dt);
      const [M11, M12, M21, M22, f1, f2] = linossMatrices(this.discretization, A, G, dt);
      return { M11, M12, M21, M22, f1, f2 };
    }
    if (this.discretization === "IMEX2") {
      // Undamped IMEX2 is exactly undamped IMEX (G = 0 in the derivation): the same matrices.
      const A = relu(this.A_diag);
      return {
        M11: np.onesLike(A),
        M12: np.multiply(np.negative(dt), A),
        M21: dt,
        M22: np.subtract(1, np.multiply(dt2, A)),
        f1: dt,
        f2: dt2,
      };
    }
    if (this.discretization === "IM") {
      const A = relu(this.A_diag);
      const S = np.divide(1, np.add(1, np.multiply(dt2, A)));
      const M11 = np.subtract(1, np.multiply(np.multiply(dt2, A), S));
      const M21 = np.multiply(dt, S);
      return {
        M11,
        M12: np.multiply(np.multiply(np.negative(dt), A), S),
        M21,
        M22: S,
        f1: np.multiply(M11, dt),
        f2: np.multiply(M21, dt),
      };
    }
    if (this.discretization !== "IMEX")
      throw new ValueError(
        `LinOSSSequenceMixer: discretization ${JSON.stringify(this.discretization)} not implemented`,
      );
    if (!this.damping) {
      const A = relu(this.A_diag);
      const ones = np.onesLike(A);
      return {
        M11: ones,
        M12: np.multiply(np.negative(dt), A),
        M21: dt,
        M22: np.subtract(1, np.multiply(dt2, A)),
        f1: dt,
        f2: dt2,
      };
    }
    if (this.G_diag === null) throw new ValueError("LinOSSSequenceMixer: damped IMEX needs G_diag");
    const G = relu(this.G_diag);
    const dtG = np.multiply(dt, G);
    const root = np.multiply(np.sqrt(np.add(1, dtG)), 2);
    // Clamp A into [lo, hi], the range where the damped IMEX eigenvalues stay on/inside the unit circle.
    // The bounds divide by max(Δ², 1e-6), as linax's `_project_ag_oscillatory` (@25ba2d15) does:
    // Δ² underflows to 0 in float32 once Δ < ~1e-23 (steps < −53), and lo = 0/0 would be NaN. For
    // Δ < 1e-3 the guarded bounds are tighter ([lo·Δ²/1e-6, hi·Δ²/1e-6] ⊂ [0, hi]), still stable.
    const h2 = np.maximum(dt2, 1e-6);
    const lo = np.divide(np.subtract(np.add(2, dtG), root), h2);
    const hi = np.divide(np.add(np.add(2, dtG), root), h2);
    // jnp.clip as linax @25ba2d15, not 74aa98ac's lo + relu(A − lo) − relu(A − hi): that form rounds
    // in float32 once A_diag ≫ hi (A_diag = 1e8, hi = 7.46 gave A = 8 > hi, outside the stable range).
    const A = np.minimum(np.maximum(this.A_diag, lo), hi);
    const S = np.add(np.onesLike(A), dtG);
    return {
      M11: np.divide(1, S),
      M12: np.multiply(np.divide(np.negative(dt), S), A),
      M21: np.divide(dt, S),
      M22: np.subtract(np.onesLike(A), np.multiply(np.divide(dt2, S), A)),
      f1: np.multiply(dt, np.divide(1, S)),
      f2: np.multiply(dt2, np.divide(1, S)),
    };
  }

  /** The parallel forward on one sequence `[L, H]`; `{ lengths }` masks padding (see `lengths.ts`). */
  call(x: Array, opts?: MixerCallOptions): Array {
    return this.callMasked(x, opts, (u) => this.forward(u));
  }

  /** The parallel forward of the whole (unpadded) sequence. */
  private forward(x: Array): Array {
    const L = x.shape[0];
    const P = this.stateDim;
    const t = this.transition();
    const Bu = applyRows(pairToComplex(this.B), x); // [L, P] complex
    const bc = (m: Array) => np.broadcastTo(m, [L, P]);
    type Elem = [Array, Array, Array, Array, Array, Array]; // M11, M12, M21, M22, b1, b2
    // (M_i, b_i) then (M_j, b_j): M = M_j M_i, b = M_j b_i + b_j (2×2 blocks of diagonals).
    const op = (i: Elem, j: Elem): Elem => [
      np.add(np.multiply(j[0], i[0]), np.multiply(j[1], i[2])),
      np.add(np.multiply(j[0], i[1]), np.multiply(j[1], i[3])),
      np.add(np.multiply(j[2], i[0]), np.multiply(j[3], i[2])),
      np.add(np.multiply(j[2], i[1]), np.multiply(j[3], i[3])),
      np.add(np.add(np.multiply(j[0], i[4]), np.multiply(j[1], i[5])), j[4]),
      np.add(np.add(np.multiply(j[2], i[4]), np.multiply(j[3], i[5])), j[5]),
    ];
    const elems: Elem = [bc(t.M11), bc(t.M12), bc(t.M21), bc(t.M22), np.multiply(t.f1, Bu), np.multiply(t.f2, Bu)];
    const out = lax.associativeScan(op, elems);
    const ys = out[5]; // the position half of the state
    return np.add(np.real(applyRows(pairToComplex(this.C), ys)), np.multiply(this.D, x));
  }

  initCache(batchShape: readonly number[] = []): LinOSSCache {
    const zero = np.zeros([...batchShape, this.stateDim], { dtype: "complex64" });
    return { z: zero, y: zero };
  }

  recurrence(): MixerStepFn<LinOSSCache> {
    const t = this.transition();
    const B = pairToComplex(this.B);
    const C = pairToComplex(this.C);
    return (xt, cache) => {
      this.checkStep(xt, cache.y, 1);
      const Bu = applyRows(B, xt);
      const z = np.add(np.add(np.multiply(t.M11, cache.z), np.multiply(t.M12, cache.y)), np.multiply(t.f1, Bu));
      const y = np.add(np.add(np.multiply(t.M21, cache.z), np.multiply(t.M22, cache.y)), np.multiply(t.f2, Bu));
      return [np.add(np.real(applyRows(C, y)), np.multiply(this.D, xt)), { z, y }];
    };
  }
}

/** linax's `simple_uniform_init`: `uniform(key, shape)·2·std − std`. */
function simpleUniform(key: PRNGKey, shape: readonly number[], std: number): Array {
  return np.subtract(np.multiply(np.multiply(random.uniform(key, shape), 2.0), std), std);
}

/**
 * linax's `map_theta_to_A`: the `A` whose damped-IMEX eigenvalues have phase `θ` given `G` and
 * `Δ` — the `+` root for `θ > π/2`, else the `−` root. Same operation order as linax.
 */
export function mapThetaToA(theta: Array, G: Array, dt: Array): Array {
  const cos = np.cos(theta);
  const tan2 = np.square(np.tan(theta));
  const dt2 = np.square(dt);
  const dt4 = np.power(dt, 4);
  const dt5 = np.power(dt, 5);
  const invCos2 = np.power(cos, -2);
  const root = np.sqrt(np.add(np.multiply(dt4, invCos2), np.multiply(np.multiply(dt5, G), invCos2)));
  const dtG2 = np.multiply(np.multiply(dt, 2), G);
  const q = np.multiply(
    dt2,
    np.subtract(np.subtract(np.subtract(-4, dtG2), np.multiply(4, tan2)), np.multiply(dtG2, tan2)),
  );
  const denom = np.multiply(np.multiply(dt4, 2), np.add(1, tan2));
  const plus = np.divide(np.subtract(np.multiply(4, root), q), denom);
  const minus = np.divide(np.subtract(np.multiply(-4, root), q), denom);
  return np.where(np.greater(theta, Math.PI / 2), plus, minus);
}
