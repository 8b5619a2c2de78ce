/**
 * DeltaNet (Yang et al. 2024, "Parallelizing Linear Transformers with the Delta Rule over Sequence
 * Length"), discretax `sequence_mixers/deltanet.py` + `ops/delta_rule.py`: multi-head linear
 * attention whose per-head state `S ∈ R^{d×d}` is updated by the delta rule
 * ```
 * S_t = S_{t-1}(I − β_t k_t k_tᵀ) + β_t v_t k_tᵀ = S_{t-1} + β_t (v_t − S_{t-1} k_t) k_tᵀ,   o_t = S_t q_t
 * ```
 * with `q_t = Wq x_t`, `k_t = Wk x_t`, `v_t = Wv x_t` split into `nHeads` heads of `headDim`,
 * `q` and `k` L2-normalised (`x / (‖x‖ + 1e-6)`), one gate `β_t = σ(w_β·x_t + b_β)` shared by the
 * heads, and the heads' outputs concatenated and projected back (`out_proj`).
 *
 * Parallel form: discretax's chunked algorithm (WY representation). Per chunk of `c` steps,
 * `T = (I + tril(diag(β) K Kᵀ, −1))⁻¹` (a unit-lower-triangular solve), `U = T (β ⊙ V)`,
 * `W = T (β ⊙ K)`; across chunks a `lax.scan` carries `S`:
 * `Ṽ = U − W Sᵀ`, `O = Q Sᵀ + tril(Q Kᵀ) Ṽ`, `S ← S + Ṽᵀ K`. Unlike discretax, `L` need not be a
 * multiple of `chunkSize`: the sequence is padded with zero `q, k, v` (a zero key leaves `S`
 * unchanged) and the padding is cut off.
 *
 * Recurrent form: the first equation, one step at a time (`step`, `initCache`).
 */
import { type Array, ValueError, lax, np } from "@linax-ts/core";
import { Linear, sigmoid, splitKey, type PRNGKey } from "@linax-ts/nn";
import { SequenceMixer, SequenceMixerConfig, type MixerStepFn } from "./base.ts";
import type { MixerCallOptions } from "../lengths.ts";
import { knownOptions, positiveInt } from "../validate.ts";

/** Options of `DeltaNetSequenceMixerConfig` (discretax's keyword arguments, camelCase). */
export interface DeltaNetSequenceMixerOptions {
  /** Number of heads (default 4). */
  nHeads?: number;
  /** Width of each head (default `floor(inFeatures / nHeads)`, fixed at build). */
  headDim?: number;
  /** Time steps per chunk of the parallel form (default 64); any `L` works. */
  chunkSize?: number;
  /** Bias in the β and output projections (default false; q, k, v never have one). */
  useBias?: boolean;
}

/** linax/discretax's DeltaNet mixer config. */
export class DeltaNetSequenceMixerConfig extends SequenceMixerConfig<DeltaNetSequenceMixer> {
  readonly nHeads: number;
  readonly headDim: number | null;
  readonly chunkSize: number;
  readonly useBias: boolean;

  constructor(opts: DeltaNetSequenceMixerOptions = {}) {
    super();
    const where = "DeltaNetSequenceMixerConfig";
    knownOptions(where, opts, ["nHeads", "headDim", "chunkSize", "useBias"]);
    this.nHeads = positiveInt(where, "nHeads", opts.nHeads ?? 4);
    this.headDim = opts.headDim === undefined ? null : positiveInt(where, "headDim", opts.headDim);
    this.chunkSize = positiveInt(where, "chunkSize", opts.chunkSize ?? 64);
    if (typeof (opts.useBias ?? false) !== "boolean")
      throw new ValueError(`${where}: useBias must be a boolean; got ${String(opts.useBias)}`);
    this.useBias = opts.useBias ?? false;
    Object.freeze(this);
  }

  /** The per-head key width `headDim` (each head's state is `headDim × headDim`); 0 while it is derived from `inFeatures` at build. */
  get stateDim(): number {
    return this.headDim ?? 0;
  }

  build(inFeatures: number, key: PRNGKey): DeltaNetSequenceMixer {
    return new DeltaNetSequenceMixer(inFeatures, this, key);
  }
}

/** DeltaNet's recurrent state: `S: [...batch, nHeads, headDim (value), headDim (key)]` float32. */
export interface DeltaNetCache {
  readonly [name: string]: Array;
  readonly S: Array;
}

/** `x / (‖x‖₂ + 1e-6)` over the last axis (discretax's normalisation of q and k). */
function l2normalize(x: Array): Array {
  return np.divide(x, np.add(np.sqrt(np.sum(np.square(x), { axis: -1, keepdims: true })), 1e-6));
}

/**
 * The DeltaNet layer. Leaves (discretax's names): `q_proj.weight, k_proj.weight, v_proj.weight
 * [nHeads·headDim, H]`, `beta_proj.weight [1, H]` (+ `.bias`), `out_proj.weight [H, nHeads·headDim]`
 * (+ `.bias`).
 */
export class DeltaNetSequenceMixer extends SequenceMixer<DeltaNetCache> {
  readonly q_proj: Linear;
  readonly k_proj: Linear;
  readonly v_proj: Linear;
  readonly beta_proj: Linear;
  readonly out_proj: Linear;
  readonly inFeatures: number;
  readonly nHeads: number;
  readonly headDim: number;
  readonly chunkSize: number;

  /** `k_q, k_k, k_v, k_beta, k_out = split(key, 5)`, as discretax. */
  constructor(inFeatures: number, cfg: DeltaNetSequenceMixerConfig, key: PRNGKey) {
    super();
    const H = positiveInt("DeltaNetSequenceMixer", "inFeatures", inFeatures);
    const headDim = cfg.headDim ?? Math.floor(H / cfg.nHeads);
    if (headDim < 1)
      throw new ValueError(
        `DeltaNetSequenceMixer: headDim = floor(inFeatures / nHeads) = floor(${H} / ${cfg.nHeads}) is 0; pass headDim or fewer heads`,
      );
    const inner = cfg.nHeads * headDim;
    const [kq, kk, kv, kb, ko] = splitKey(key, 5);
    this.q_proj = new Linear(H, inner, { key: kq, useBias: false });
    this.k_proj = new Linear(H, inner, { key: kk, useBias: false });
    this.v_proj = new Linear(H, inner, { key: kv, useBias: false });
    this.beta_proj = new Linear(H, 1, { key: kb, useBias: cfg.useBias });
    this.out_proj = new Linear(inner, H, { key: ko, useBias: cfg.useBias });
    this.inFeatures = H;
    this.nHeads = cfg.nHeads;
    this.headDim = headDim;
    this.chunkSize = cfg.chunkSize;
  }

  /** `q̂, k̂, v: [..., nHeads, headDim]` and `β: [...]` for inputs `x: [..., H]`. */
  private project(x: Array): { q: Array; k: Array; v: Array; beta: Array } {
    const heads = (y: Array) => y.reshape([...y.shape.slice(0, -1), this.nHeads, this.headDim]);
    const beta = sigmoid(this.beta_proj.call(x));
    return {
      q: l2normalize(heads(this.q_proj.call(x))),
      k: l2normalize(heads(this.k_proj.call(x))),
      v: heads(this.v_proj.call(x)),
      beta: beta.reshape(beta.shape.slice(0, -1)),
    };
  }

  call(x: Array, opts?: MixerCallOptions): Array {
    return this.callMasked(x, opts, (u) => this.forward(u));
  }

  /** The chunked parallel form on one sequence `[L, H]`. */
  private forward(x: Array): Array {
    const L = x.shape[0];
    const c = Math.min(this.chunkSize, L);
    const n = Math.ceil(L / c);
    const padT = n * c - L;
    const { q, k, v, beta } = this.project(x); // [L, nh, d], [L]
    const nh = this.nHeads;
    const d = this.headDim;
    // [L, nh, d] → zero-padded → [n, nh, c, d] (chunks leading, for the scan).
    const chunks = (a: Array): Array => {
      const p = padT === 0 ? a : np.concatenate([a, np.zeros([padT, nh, d])], { axis: 0 });
      return np.transpose(p.reshape([n, c, nh, d]), [0, 2, 1, 3]);
    };
    const bPad = padT === 0 ? beta : np.concatenate([beta, np.zeros([padT])], { axis: 0 });
    const Q = chunks(q);
    const K = chunks(k);
    const V = chunks(v);
    const b = bPad.reshape([n, 1, c, 1]);
    const Kb = np.multiply(K, b);
    const Vb = np.multiply(V, b);
    // (I + tril(diag(β) K Kᵀ, −1)) X = (β V, β K): unit lower triangular, so the diagonal of `a` is ignored.
    const a = np.tril(np.matmul(Kb, np.swapaxes(K, -1, -2)), { k: -1 });
    const U = lax.triangularSolve(a, Vb, { leftSide: true, lower: true, unitDiagonal: true });
    const W = lax.triangularSolve(a, Kb, { leftSide: true, lower: true, unitDiagonal: true });
    const causal = np.tril(np.ones([c, c]));
    const [, O] = lax.scan(
      (S: Array, xs: [Array, Array, Array, Array]): [Array, Array] => {
        const [qc, kc, uc, wc] = xs; // each [nh, c, d]; S: [nh, d, d]
        const St = np.swapaxes(S, -1, -2);
        const pv = np.subtract(uc, np.matmul(wc, St));
        const o = np.add(np.matmul(qc, St), np.matmul(np.multiply(np.matmul(qc, np.swapaxes(kc, -1, -2)), causal), pv));
        return [np.add(S, np.matmul(np.swapaxes(pv, -1, -2), kc)), o];
      },
      np.zeros([nh, d, d]),
      [Q, K, U, W] as [Array, Array, Array, Array],
    );
    const out = np.transpose(O, [0, 2, 1, 3]).reshape([n * c, nh * d]);
    return this.out_proj.call(padT === 0 ? out : out.get(`:${L}`));
  }

  initCache(batchShape: readonly number[] = []): DeltaNetCache {
    return { S: np.zeros([...batchShape, this.nHeads, this.headDim, this.headDim]) };
  }

  recurrence(): MixerStepFn<DeltaNetCache> {
    return (xt, cache) => {
      this.checkStep(xt, cache.S, 3);
      const { q, k, v, beta } = this.project(xt);
      const S = cache.S;
      // S_t = S + β (v − S k) kᵀ;  o_t = S_t q.
      const Sk = np.matmul(S, np.expandDims(k, -1)); // [..., nh, d, 1]
      const delta = np.multiply(np.subtract(np.expandDims(v, -1), Sk), beta.reshape([...beta.shape, 1, 1, 1]));
      const S2 = np.add(S, np.matmul(delta, np.expandDims(k, -2)));
      const o = np.matmul(S2, np.expandDims(q, -1)).reshape([...xt.shape.slice(0, -1), this.nHeads * this.headDim]);
      return [this.out_proj.call(o), { S: S2 }];
    };
  }
}
