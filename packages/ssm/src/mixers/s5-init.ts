/**
 * S5's parameter initialisation (linax `sequence_mixers/s5.py` ≡ lindermanlab/S5 `ssm_init.py`):
 * HiPPO-N eigenvalues, `B̃ = V⁻¹B` and `C̃ = CV` through the (block-diagonal) eigenvectors, and
 * per-state log steps. The PRNG sub-key order is linax's, so a given key gives JAX's numbers
 * (up to the eigenvectors' phases, which are solver-defined; see SPEC-linax.md §8.1).
 */
import { type Array, ValueError, np, random } from "@linax-ts/core";
import { init, splitKey, type PRNGKey } from "@linax-ts/nn";
import { makeDplrHippo } from "../hippo.ts";
import { complexToPair, pairToComplex } from "./base.ts";

/** How S5 initialises its output matrix `C` (linax's `C_init`). */
export type S5CInit = "trunc_standard_normal" | "lecun_normal" | "complex_normal";

/** The hyper-parameters the initialisation needs. */
export interface S5InitOptions {
  readonly stateDim: number;
  readonly ssmBlocks: number;
  readonly CInit: S5CInit;
  readonly conjSym: boolean;
  readonly dtMin: number;
  readonly dtMax: number;
}

/** S5's initial parameters (all float32), in linax's field order. */
export interface S5Params {
  readonly Lambda_re: Array;
  readonly Lambda_im: Array;
  readonly B: Array;
  readonly C: Array;
  readonly D: Array;
  readonly log_step: Array;
  /** The effective state size: `stateDim/2` with conjugate symmetry, else `stateDim`. */
  readonly P: number;
}

/** Validates the sizes linax leaves unchecked (SPEC-linax.md §14.6), with a clear message. */
export function s5StateSizes(opts: Pick<S5InitOptions, "stateDim" | "ssmBlocks" | "conjSym">): {
  blockSize: number;
  P: number;
} {
  const { stateDim, ssmBlocks, conjSym } = opts;
  if (!Number.isInteger(stateDim) || stateDim < 1)
    throw new ValueError(`S5: stateDim must be a positive integer; got ${stateDim}`);
  if (!Number.isInteger(ssmBlocks) || ssmBlocks < 1)
    throw new ValueError(`S5: ssmBlocks must be a positive integer; got ${ssmBlocks}`);
  if (stateDim % ssmBlocks !== 0)
    throw new ValueError(`S5: ssmBlocks (${ssmBlocks}) must divide stateDim (${stateDim})`);
  const blockSize = stateDim / ssmBlocks;
  if (conjSym && blockSize % 2 !== 0) {
    throw new ValueError(
      `S5: with conjSym the block size stateDim/ssmBlocks must be even (conjugate pairs); got ${stateDim}/${ssmBlocks} = ${blockSize}`,
    );
  }
  return { blockSize, P: conjSym ? stateDim / 2 : stateDim };
}

/**
 * Draws S5's parameters for `H` channels: `B_key, C_key, D_key, step_key = split(key, 5)[:4]`.
 * `Lambda_*` are not random: the first half (negative imaginary parts) of HiPPO-N's spectrum with
 * conjugate symmetry, tiled over `ssmBlocks`.
 */
export function initS5Params(H: number, opts: S5InitOptions, key: PRNGKey): S5Params {
  const { blockSize, P } = s5StateSizes(opts);
  const blocks = opts.ssmBlocks;
  const [BKey, CKey, DKey, stepKey] = splitKey(key, 5);
  const hippo = makeDplrHippo(blockSize);
  const keep = opts.conjSym ? blockSize / 2 : blockSize;
  const lambda = hippo.Lambda.get(`:${keep}`);
  const V = hippo.V.get(":", `:${keep}`); // [blockSize, keep]
  const Vc = np.conj(np.transpose(V)); // [keep, blockSize]
  const Lambda = np.tile(lambda, blocks);
  const localP = opts.stateDim; // = 2P with conjugate symmetry

  // B̃ = blockdiag(Vᴴ…) @ B0, one row-block of B0 per SSM block (block_diag without forming it).
  const B0 = init.lecunNormal()(BKey, [localP, H]);
  const Btilde = np.concatenate(
    globalThis.Array.from({ length: blocks }, (_, b) =>
      np.matmul(Vc, B0.get(`${b * blockSize}:${(b + 1) * blockSize}`)),
    ),
    0,
  );

  let C: Array;
  if (opts.CInit === "complex_normal") {
    // linax draws (H, 2P, 2), which its own call cannot use (SPEC §14.1); the S5 reference's
    // (H, P, 2) with stddev √½ is what the parameter means, so that is what we draw.
    C = np.multiply(random.normal(CKey, [H, P, 2]), Math.sqrt(0.5));
  } else {
    const C0 =
      opts.CInit === "lecun_normal" ? init.lecunNormal()(CKey, [H, localP, 2]) : truncStandardNormal(CKey, H, localP);
    const Cc = pairToComplex(C0);
    // C̃ = C0 @ blockdiag(V…), one column-block of C0 per SSM block.
    const Ctilde = np.concatenate(
      globalThis.Array.from({ length: blocks }, (_, b) =>
        np.matmul(Cc.get(":", `${b * blockSize}:${(b + 1) * blockSize}`), V),
      ),
      1,
    );
    C = complexToPair(Ctilde);
  }

  return {
    Lambda_re: np.real(Lambda),
    Lambda_im: np.imag(Lambda),
    B: complexToPair(Btilde),
    C,
    D: random.normal(DKey, [H]),
    log_step: initLogSteps(stepKey, P, opts.dtMin, opts.dtMax),
    P,
  };
}

/** linax's `_trunc_standard_normal`: one `lecun_normal((1, P, 2))` row per channel from a chain of splits. */
function truncStandardNormal(key: PRNGKey, H: number, localP: number): Array {
  let k = key;
  const rows: Array[] = [];
  for (let h = 0; h < H; h++) {
    const [next, sk] = splitKey(k, 2);
    k = next;
    rows.push(init.lecunNormal()(sk, [1, localP, 2]).get(0));
  }
  return np.stack(rows, 0);
}

/**
 * linax's `_init_log_steps`: for each of the `P` states, `key, skey = split(key)` and
 * `log_step = uniform(skey, (1,))·(log dtMax − log dtMin) + log dtMin` in float32 → `[P, 1]`.
 */
function initLogSteps(key: PRNGKey, P: number, dtMin: number, dtMax: number): Array {
  const logMin = np.log(np.array(dtMin, { dtype: "float32" }));
  const logMax = np.log(np.array(dtMax, { dtype: "float32" }));
  const span = np.subtract(logMax, logMin);
  let k = key;
  const rows: Array[] = [];
  for (let i = 0; i < P; i++) {
    const [next, sk] = splitKey(k, 2);
    k = next;
    rows.push(np.add(np.multiply(random.uniform(sk, [1]), span), logMin));
  }
  return np.stack(rows, 0);
}
