/**
 * The discretisations of (damped) LinOSS beyond part 1's IM/IMEX, as the damped-LinOSS code
 * (`camail-official/linax` `src/discretax/sequence_mixers/linoss.py` @25ba2d15, SPEC-linax.md §13 E):
 * damped `IM`, `IMEX2`, `EX`, their stability projections ("oscillatory": complex-conjugate
 * eigenvalues inside the unit circle) and their ring ("RT") initialisation.
 *
 * Derivation. The damped forced oscillator `y″ = −A y − G y′ + B u` with velocity `z = y′` is
 * `z′ = −A y − G z + B u`, `y′ = z`. One step of size `Δ` from `(z, y) = (z_{k−1}, y_{k−1})` with
 * input `u_k` (write `b = B u_k`), each term taken at the new (implicit) or old (explicit) time:
 *
 * - **IM** (implicit Euler in everything): `z_k = z + Δ(−A y_k − G z_k + b)`, `y_k = y + Δ z_k`.
 *   Substituting `y_k` and solving: with `S = 1 + ΔG + Δ²A`,
 *   `z_k = (z − ΔA y + Δ b)/S`, `y_k = (Δ z + (1 + ΔG) y + Δ² b)/S`.
 * - **IMEX** (damping implicit, restoring force explicit): `z_k = z + Δ(−A y − G z_k + b)`,
 *   `y_k = y + Δ z_k`: with `S = 1 + ΔG`, `z_k = (z − ΔA y + Δ b)/S`, `y_k = y + Δ z_k`.
 * - **IMEX2** (velocity explicit, position implicit in the velocity): `z_k = z + Δ(−A y − G z + b)`,
 *   `y_k = y + Δ z_k`: `M = [[1 − ΔG, −ΔA], [Δ(1 − ΔG), 1 − Δ²A]]`, gains `(Δ, Δ²)`.
 * - **EX** (explicit Euler): `z_k = z + Δ(−A y − G z + b)`, `y_k = y + Δ z`:
 *   `M = [[1 − ΔG, −ΔA], [Δ, 1]]`, gains `(Δ, 0)` (the input reaches `y` one step later).
 *
 * Each 2×2 block has `det M = |λ|²` and `tr M = 2|λ|cos θ` for its eigenvalue pair `|λ|e^{±iθ}`;
 * inverting `(tr, det) → (A, G)` gives the RT initialisation (eigenvalues sampled on the ring
 * `rMin ≤ |λ| ≤ 1`, `0 ≤ θ < θmax`):
 * IM `A = (1 − tr + det)/(det Δ²)`, `G = (tr/det − 2)/Δ` (from `det = 1/S`, `tr = (2 + ΔG)/S`);
 * IMEX2 `A = (1 + det − tr)/Δ²`, `G = (1 − det)/Δ` (`det = 1 − ΔG`, `tr = 2 − ΔG − Δ²A`);
 * EX `A = (1 + det − tr)/Δ²`, `G = (2 − tr)/Δ` (`tr = 2 − ΔG`, `det = 1 − ΔG + Δ²A`).
 * The projections clamp `(A, G)` into the region where the eigenvalues are complex and of modulus
 * ≤ 1 (discriminant `tr² − 4 det ≤ 0`, `det ≤ 1`), e.g. EX: `G ∈ [0, 4/Δ]`, `A ∈ [G²/4, G/Δ]`.
 */
import { type Array, np, random } from "@linax-ts/core";
import type { PRNGKey } from "@linax-ts/nn";

/** The damped discretisations this file adds (IMEX's damped form stays in linoss.ts, linax's C code). */
export type DampedLinOSSExtra = "IM" | "IMEX2" | "EX";

/** `(M11, M12, M21, M22, f1, f2)` of one discretisation, each `[P]`. */
export type LinOSSMatrices = readonly [Array, Array, Array, Array, Array, Array];

/** The 2×2 transition and gains of the derivation above for (already projected) `A, G` and step `Δ`. */
export function linossMatrices(disc: DampedLinOSSExtra | "IMEX", A: Array, G: Array, dt: Array): LinOSSMatrices {
  const dt2 = np.square(dt);
  const one = np.onesLike(A);
  const dtG = np.multiply(dt, G);
  const dtA = np.multiply(dt, A);
  switch (disc) {
    case "IM": {
      const S = np.add(np.add(one, dtG), np.multiply(dt2, A));
      return [
        np.divide(one, S),
        np.divide(np.negative(dtA), S),
        np.divide(dt, S),
        np.divide(np.add(one, dtG), S),
        np.divide(dt, S),
        np.divide(dt2, S),
      ];
    }
    case "IMEX": {
      const S = np.add(one, dtG);
      return [
        np.divide(one, S),
        np.divide(np.negative(dtA), S),
        np.divide(dt, S),
        np.subtract(one, np.divide(np.multiply(dt2, A), S)),
        np.divide(dt, S),
        np.divide(dt2, S),
      ];
    }
    case "IMEX2": {
      const damp = np.subtract(one, dtG);
      return [
        damp,
        np.negative(dtA),
        np.multiply(dt, damp),
        np.subtract(one, np.multiply(dt2, A)),
        np.multiply(dt, one),
        np.multiply(dt2, one),
      ];
    }
    case "EX":
      return [
        np.subtract(one, dtG),
        np.negative(dtA),
        np.multiply(dt, one),
        one,
        np.multiply(dt, one),
        np.zerosLike(A),
      ];
  }
}

/** `min(max(x, lo), hi)` elementwise (jnp.clip: the upper bound wins when lo > hi). */
function clip(x: Array, lo: Array | number, hi: Array | number): Array {
  return np.minimum(np.maximum(x, lo), hi);
}

/**
 * The "oscillatory" projection of the damped-LinOSS code (`_project_ag_oscillatory`, eps = 0):
 * `(A, G)` clamped so that the step's eigenvalues are a complex pair inside the unit circle.
 */
export function projectOscillatory(disc: DampedLinOSSExtra, A: Array, G: Array, dt: Array): [Array, Array] {
  const h2 = np.maximum(np.square(dt), 1e-6);
  switch (disc) {
    case "IM":
      // S ≥ 1 gives |λ|² = 1/S ≤ 1 once A ≥ −G/Δ; complex roots need A ≥ G²/4.
      return [np.maximum(np.maximum(A, np.divide(np.negative(G), dt)), np.divide(np.square(G), 4)), G];
    case "IMEX2": {
      const g = clip(G, 0, np.divide(1, dt));
      const root = np.multiply(np.sqrt(np.subtract(1, np.multiply(dt, g))), 2);
      const base = np.subtract(2, np.multiply(dt, g));
      return [clip(A, np.divide(np.subtract(base, root), h2), np.divide(np.add(base, root), h2)), g];
    }
    case "EX": {
      const g = clip(G, 0, np.divide(4, dt));
      return [clip(A, np.divide(np.square(g), 4), np.divide(g, dt)), g];
    }
  }
}

/** `(tr, det)` of a step's 2×2 block → `(A, G)` (`_rt_to_ag`), see the derivation above. */
export function traceDetToAG(disc: DampedLinOSSExtra, tr: Array, det0: Array, dt: Array): [Array, Array] {
  const h2 = np.maximum(np.square(dt), 1e-6);
  const det = np.maximum(det0, 1e-6);
  switch (disc) {
    case "IM":
      return [
        np.divide(np.add(np.subtract(1, tr), det), np.multiply(det, h2)),
        np.divide(np.subtract(np.divide(tr, det), 2), dt),
      ];
    case "IMEX2":
      return [np.divide(np.subtract(np.add(1, det), tr), h2), np.divide(np.subtract(1, det), dt)];
    case "EX":
      return [np.divide(np.subtract(np.add(1, det), tr), h2), np.divide(np.subtract(2, tr), dt)];
  }
}

/**
 * Ring initialisation of a damped LinOSS with discretisation `disc`: `|λ| = sqrt(U·(1 − rMin²) + rMin²)`
 * from `GKey`, `θ = U·θmax` from `AKey` (the same draws as linax's damped-IMEX init), then
 * `(A, G) = traceDetToAG(2|λ|cos θ, |λ|²)`.
 */
export function initDampedRing(
  disc: DampedLinOSSExtra,
  AKey: PRNGKey,
  GKey: PRNGKey,
  P: number,
  rMin: number,
  thetaMax: number,
  dt: Array,
): [Array, Array] {
  const mags = np.sqrt(np.add(np.multiply(random.uniform(GKey, [P]), 1 - rMin ** 2), rMin ** 2));
  const theta = np.multiply(random.uniform(AKey, [P]), np.array(thetaMax, { dtype: "float32" }));
  return traceDetToAG(disc, np.multiply(np.multiply(mags, 2), np.cos(theta)), np.square(mags), dt);
}
