/**
 * The State Space Transformer (Edifice's `Edifice.SSM.SSTransformer`): a selective SSM path and
 * a multi-head causal attention path in parallel in every block, fused by a learned sigmoid gate.
 *
 *   input [batch, L, embedDim] → input_proj (→ hiddenSize; absent when embedDim = hiddenSize)
 *   per block:  n = LayerNorm(h)
 *               s = Mamba(n)                      (conv + selective scan + gating; expandFactor, stateSize, convSize)
 *               a = causal MHA(n)                 (numHeads × headDim; windowSize-bounded when slidingWindow)
 *               g = σ(gate(n))                    (per channel, data dependent)
 *               h = h + dropout(g ⊙ s + (1 − g) ⊙ a)
 *               h = h + dropout(FFN(LayerNorm(h)))   (Linear 4·hidden, GELU, Linear)
 *   final LayerNorm → last timestep → [batch, hiddenSize]
 *
 * `step` runs the same network token by token: each block keeps the Mamba cache and a KV cache of
 * `windowSize` slots (a ring buffer: with `slidingWindow` exactly the window the parallel form
 * attends to; without it the cache capacity, `initCache(batch, { maxLen })`, bounds the context).
 * Attention has no positional encoding (order comes from the SSM path), so slot order is free.
 */
import { type Array, ShapeError, ValueError, lax, np } from "@linax-ts/core";
import {
  CALL_OPTION_KEYS,
  Dropout,
  LayerNorm,
  Linear,
  Module,
  gelu,
  splitKey,
  type CallOptions,
  type PRNGKey,
} from "@linax-ts/nn";
import { type Mamba, MambaConfig, type MambaCache } from "./mixers/mamba.ts";
import { positiveInt } from "./validate.ts";
import { batchLengths, batchMask, maskBatchRows, ssmCallOptions, type BatchLengths } from "./lengths.ts";

/** `SSTransformer.build` options (Edifice's, camelCase, with its defaults). */
export interface SSTransformerOptions {
  /** Input feature size (required). */
  embedDim: number;
  hiddenSize?: number;
  stateSize?: number;
  numLayers?: number;
  numHeads?: number;
  headDim?: number;
  expandFactor?: number;
  convSize?: number;
  dropout?: number;
  /** Expected sequence length; the attention window when `slidingWindow`, and the default KV-cache size. */
  windowSize?: number;
  /** Attend only to the last `windowSize` positions (default false: full causal attention). */
  slidingWindow?: boolean;
}

/** The validated, defaulted options. */
export class SSTransformerConfig {
  readonly embedDim: number;
  readonly hiddenSize: number;
  readonly stateSize: number;
  readonly numLayers: number;
  readonly numHeads: number;
  readonly headDim: number;
  readonly expandFactor: number;
  readonly convSize: number;
  readonly dropout: number;
  readonly windowSize: number;
  readonly slidingWindow: boolean;

  constructor(opts: SSTransformerOptions) {
    const W = "SSTransformerConfig";
    this.embedDim = positiveInt(W, "embedDim", opts.embedDim);
    this.hiddenSize = positiveInt(W, "hiddenSize", opts.hiddenSize ?? 256);
    this.stateSize = positiveInt(W, "stateSize", opts.stateSize ?? 16);
    this.numLayers = positiveInt(W, "numLayers", opts.numLayers ?? 6);
    this.numHeads = positiveInt(W, "numHeads", opts.numHeads ?? 4);
    this.headDim = positiveInt(W, "headDim", opts.headDim ?? 64);
    this.expandFactor = positiveInt(W, "expandFactor", opts.expandFactor ?? 2);
    this.convSize = positiveInt(W, "convSize", opts.convSize ?? 4);
    this.dropout = opts.dropout ?? 0.1;
    if (!(this.dropout >= 0 && this.dropout < 1))
      throw new ValueError(`${W}: dropout must be in [0, 1); got ${this.dropout}`);
    this.windowSize = positiveInt(W, "windowSize", opts.windowSize ?? 60);
    this.slidingWindow = opts.slidingWindow ?? false;
    Object.freeze(this);
  }

  build(key: PRNGKey): SSTransformer {
    return new SSTransformer(this, key);
  }
}

/** Options of `SSTransformer.call` / `sequence`: nn's `{ key, inference }` plus per-sequence `lengths`. */
export interface SSTransformerCallOptions extends CallOptions {
  /** Valid steps per sequence of the padded batch: a number for all, `[batch]` numbers or an int array. */
  lengths?: BatchLengths;
}

/** One block's recurrent state. */
export interface SSTBlockCache {
  readonly [name: string]: Array | MambaCache;
  readonly ssm: MambaCache;
  /** `[batch, slots, numHeads, headDim]`. */
  readonly k: Array;
  readonly v: Array;
  /** `[batch, slots]` 1 where a slot holds a token. */
  readonly filled: Array;
}

/** The whole model's recurrent state: per block, and the number of tokens seen. */
export interface SSTransformerCache {
  readonly blocks: SSTBlockCache[];
  /** int32 `[]`: tokens seen (the next slot is `t mod slots`). */
  readonly t: Array;
}

/** One hybrid block. Fields (leaves): `norm1`, `ssm`, `q_proj`, `k_proj`, `v_proj`, `o_proj`, `gate`, `norm2`, `ffn_up`, `ffn_down`. */
export class SSTBlock extends Module {
  readonly norm1: LayerNorm;
  readonly ssm: Mamba;
  readonly q_proj: Linear;
  readonly k_proj: Linear;
  readonly v_proj: Linear;
  readonly o_proj: Linear;
  readonly gate: Linear;
  readonly norm2: LayerNorm;
  readonly ffn_up: Linear;
  readonly ffn_down: Linear;
  readonly drop: Dropout;
  readonly numHeads: number;
  readonly headDim: number;
  readonly window: number;
  readonly sliding: boolean;

  constructor(cfg: SSTransformerConfig, key: PRNGKey) {
    super();
    const H = cfg.hiddenSize;
    const A = cfg.numHeads * cfg.headDim;
    const [ks, kq, kk, kv, ko, kg, ku, kd] = splitKey(key, 8);
    this.norm1 = new LayerNorm(H);
    this.ssm = new MambaConfig({ dState: cfg.stateSize, expand: cfg.expandFactor, convKer: cfg.convSize }).build(H, ks);
    this.q_proj = new Linear(H, A, { key: kq });
    this.k_proj = new Linear(H, A, { key: kk });
    this.v_proj = new Linear(H, A, { key: kv });
    this.o_proj = new Linear(A, H, { key: ko });
    this.gate = new Linear(H, H, { key: kg });
    this.norm2 = new LayerNorm(H);
    this.ffn_up = new Linear(H, 4 * H, { key: ku });
    this.ffn_down = new Linear(4 * H, H, { key: kd });
    this.drop = new Dropout(cfg.dropout);
    this.numHeads = cfg.numHeads;
    this.headDim = cfg.headDim;
    this.window = cfg.windowSize;
    this.sliding = cfg.slidingWindow;
  }

  private heads(x: Array): Array {
    return x.reshape([...x.shape.slice(0, -1), this.numHeads, this.headDim]);
  }

  /** Causal (optionally windowed) attention over `n: [b, L, H]`. */
  private attention(n: Array): Array {
    const [b, L] = n.shape;
    const q = this.heads(this.q_proj.call(n));
    const k = this.heads(this.k_proj.call(n));
    const v = this.heads(this.v_proj.call(n));
    const scores = np.multiply(np.einsum("bihd,bjhd->bhij", q, k), 1 / Math.sqrt(this.headDim));
    const i = np.arange(L).reshape([L, 1]);
    const j = np.arange(L).reshape([1, L]);
    let allowed = np.lessEqual(j, i);
    if (this.sliding) allowed = np.logicalAnd(allowed, np.less(np.subtract(i, j), this.window));
    const p = softmaxMasked(scores, allowed);
    return this.o_proj.call(np.einsum("bhij,bjhd->bihd", p, v).reshape([b, L, this.numHeads * this.headDim]));
  }

  private dropKeys(key: PRNGKey | undefined): [PRNGKey | undefined, PRNGKey | undefined] {
    if (key === undefined) return [undefined, undefined];
    const [a, c] = splitKey(key, 2);
    return [a, c];
  }

  /** `h: [b, L, H] → [b, L, H]`. Dropout only in training mode with a key. */
  call(h: Array, callOpts?: CallOptions): Array {
    const opts = ssmCallOptions<CallOptions>("SSTBlock.call", callOpts, CALL_OPTION_KEYS);
    const n = this.norm1.call(h);
    const g = lax.logistic(this.gate.call(n));
    const mixed = np.add(np.multiply(g, this.ssm.callBatch(n)), np.multiply(np.subtract(1, g), this.attention(n)));
    const [k1, k2] = this.dropKeys(opts.key);
    const inference = opts.inference ?? opts.key === undefined;
    const h1 = np.add(h, this.drop.call(mixed, { key: k1, inference }));
    const f = this.ffn_down.call(gelu(this.ffn_up.call(this.norm2.call(h1))));
    return np.add(h1, this.drop.call(f, { key: k2, inference }));
  }

  initCache(batch: number, slots: number): SSTBlockCache {
    return {
      ssm: this.ssm.initCache([batch]),
      k: np.zeros([batch, slots, this.numHeads, this.headDim]),
      v: np.zeros([batch, slots, this.numHeads, this.headDim]),
      filled: np.zeros([batch, slots]),
    };
  }

  /** One token `ht: [b, H]` at time `t` (int32 scalar) → `[b, H]` (inference semantics). */
  step(ht: Array, cache: SSTBlockCache, t: Array): [Array, SSTBlockCache] {
    const slots = cache.k.shape[1];
    const n = this.norm1.call(ht);
    const g = lax.logistic(this.gate.call(n));
    const [s, ssmCache] = this.ssm.step(n, cache.ssm);
    // Write this token's k, v into slot t mod slots (one-hot blend: shape-static, jit-friendly).
    const slot = np.equal(np.arange(slots), np.remainder(t, slots)).astype("float32"); // [slots]
    const put = (old: Array, cur: Array): Array =>
      np.add(
        np.multiply(old, np.subtract(1, slot).reshape([1, slots, 1, 1])),
        np.multiply(np.expandDims(cur, 1), slot.reshape([1, slots, 1, 1])),
      );
    const q = this.heads(this.q_proj.call(n));
    const k = put(cache.k, this.heads(this.k_proj.call(n)));
    const v = put(cache.v, this.heads(this.v_proj.call(n)));
    const filled = np.maximum(cache.filled, slot);
    const scores = np.multiply(np.einsum("bhd,bjhd->bhj", q, k), 1 / Math.sqrt(this.headDim));
    const p = softmaxMasked(scores, np.greater(np.expandDims(filled, 1), 0));
    const a = this.o_proj.call(np.einsum("bhj,bjhd->bhd", p, v).reshape([ht.shape[0], this.numHeads * this.headDim]));
    const h1 = np.add(ht, np.add(np.multiply(g, s), np.multiply(np.subtract(1, g), a)));
    const out = np.add(h1, this.ffn_down.call(gelu(this.ffn_up.call(this.norm2.call(h1)))));
    return [out, { ssm: ssmCache, k, v, filled }];
  }
}

/** Softmax over the last axis where `allowed` (broadcast), 0 elsewhere. Every row has an allowed entry. */
function softmaxMasked(scores: Array, allowed: Array): Array {
  const masked = np.where(allowed, scores, -1e30);
  const m = lax.stopGradient(np.max(masked, { axis: -1, keepdims: true }));
  const e = np.where(allowed, np.exp(np.subtract(masked, m)), 0);
  return np.divide(e, np.sum(e, { axis: -1, keepdims: true }));
}

/** The State Space Transformer. Fields (leaves): `input_proj` (or null), `blocks`, `final_norm`. */
export class SSTransformer extends Module {
  readonly input_proj: Linear | null;
  readonly blocks: SSTBlock[];
  readonly final_norm: LayerNorm;
  readonly embedDim: number;
  readonly hiddenSize: number;
  readonly windowSize: number;

  constructor(cfg: SSTransformerConfig, key: PRNGKey) {
    super();
    const keys = splitKey(key, cfg.numLayers + 1);
    this.input_proj =
      cfg.embedDim === cfg.hiddenSize ? null : new Linear(cfg.embedDim, cfg.hiddenSize, { key: keys[0] });
    this.blocks = keys.slice(1).map((k) => new SSTBlock(cfg, k));
    this.final_norm = new LayerNorm(cfg.hiddenSize);
    this.embedDim = cfg.embedDim;
    this.hiddenSize = cfg.hiddenSize;
    this.windowSize = cfg.windowSize;
  }

  /** `SSTransformer.build({ embedDim, ... }, key)` (Edifice's `build/1`). */
  static build(opts: SSTransformerOptions, key: PRNGKey): SSTransformer {
    return new SSTransformerConfig(opts).build(key);
  }

  /** The output feature size, `hiddenSize` (default 256). */
  static outputSize(opts: Partial<SSTransformerOptions> = {}): number {
    return opts.hiddenSize ?? 256;
  }

  /** Edifice's recommended defaults. */
  static recommendedDefaults(): Required<Omit<SSTransformerOptions, "embedDim">> {
    return {
      hiddenSize: 256,
      stateSize: 16,
      numLayers: 6,
      numHeads: 4,
      headDim: 64,
      expandFactor: 2,
      convSize: 4,
      dropout: 0.1,
      windowSize: 60,
      slidingWindow: false,
    };
  }

  /**
   * The per-position hidden states `[b, L, hiddenSize]` after the final norm. With `{ lengths }`
   * the padded input steps are zeroed and the padded output steps are zero; every path (conv,
   * scan, attention) is causal, so the valid steps equal the unpadded run's.
   */
  sequence(x: Array, callOpts?: SSTransformerCallOptions): Array {
    if (x.ndim !== 3 || x.shape[2] !== this.embedDim)
      throw new ShapeError(
        `SSTransformer: expected x of shape [batch, seqLen, ${this.embedDim}]; got [${x.shape.join(", ")}]`,
      );
    const opts = ssmCallOptions<SSTransformerCallOptions>("SSTransformer.sequence", callOpts, [
      ...CALL_OPTION_KEYS,
      "lengths",
    ]);
    const mask = batchMask("SSTransformer", x, opts.lengths);
    const xm = maskBatchRows(x, mask);
    let h = this.input_proj ? this.input_proj.call(xm) : xm;
    const keys = opts.key === undefined ? this.blocks.map(() => undefined) : splitKey(opts.key, this.blocks.length);
    this.blocks.forEach((b, i) => {
      h = b.call(h, { key: keys[i], inference: opts.inference });
    });
    return maskBatchRows(this.final_norm.call(h), mask);
  }

  /**
   * `x: [batch, seqLen, embedDim] → [batch, hiddenSize]` (the last timestep). Dropout with
   * `{ key }` (training). With `{ lengths }` (a number or `[batch]` per-sequence lengths ≥ 1) the
   * output is each sequence's last valid step; every path is causal, so padding after it has no
   * effect.
   */
  call(x: Array, callOpts?: SSTransformerCallOptions): Array {
    const opts = ssmCallOptions<SSTransformerCallOptions>("SSTransformer.call", callOpts, [
      ...CALL_OPTION_KEYS,
      "lengths",
    ]);
    const y = this.sequence(x, opts);
    const L = x.shape[1];
    if (opts.lengths === undefined) return y.get(":", L - 1);
    const lens = batchLengths("SSTransformer.call", x.shape[0], L, opts.lengths);
    // One-hot of position lengths−1 per sequence: a static-shape selection (jit/vmap/grad friendly).
    const pick = np
      .equal(
        np.arange(L, { dtype: "int32" }).reshape([1, L]),
        np.subtract(lens, 1).astype("int32").reshape([x.shape[0], 1]),
      )
      .astype("float32");
    return np.sum(np.multiply(y, np.expandDims(pick, 2)), { axis: 1 });
  }

  /** Zero state for `batch` sequences; `maxLen` KV slots (default `windowSize`). */
  initCache(batch: number, opts: { maxLen?: number } = {}): SSTransformerCache {
    const slots = positiveInt("SSTransformer.initCache", "maxLen", opts.maxLen ?? this.windowSize);
    return { blocks: this.blocks.map((b) => b.initCache(batch, slots)), t: np.array(0, { dtype: "int32" }) };
  }

  /** One token `xt: [batch, embedDim]` → `[y [batch, hiddenSize] (the output for the prefix), cache]`. */
  step(xt: Array, cache: SSTransformerCache): [Array, SSTransformerCache] {
    if (xt.ndim !== 2 || xt.shape[1] !== this.embedDim)
      throw new ShapeError(
        `SSTransformer.step: expected xt of shape [batch, ${this.embedDim}]; got [${xt.shape.join(", ")}]`,
      );
    let h = this.input_proj ? this.input_proj.call(xt) : xt;
    const blocks = this.blocks.map((b, i) => {
      const [h2, c] = b.step(h, cache.blocks[i], cache.t);
      h = h2;
      return c;
    });
    return [this.final_norm.call(h), { blocks, t: np.add(cache.t, 1).astype("int32") }];
  }
}
