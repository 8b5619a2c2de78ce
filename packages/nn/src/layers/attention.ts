/** `MultiheadAttention` and `dotProductAttention`, as in `equinox/nn/_attention.py`. */
import { type Array, ShapeError, ValueError, lax, np } from "@linax-ts/core";
import { Module } from "../module.ts";
import { CALL_OPTION_KEYS, callOptions } from "../call-options.ts";
import { splitKey, type PRNGKey } from "../random.ts";
import { softmax } from "../activations.ts";
import { Dropout } from "./dropout.ts";
import { Linear } from "./linear.ts";
import type { CallOptions, FloatDType } from "./base.ts";
import { checkKeys, checkSize, requireKey } from "../validate.ts";

/** The most negative float32: what masked logits become (JAX's `finfo(float32).min`). */
const F32_MIN = -3.4028234663852886e38;

export interface AttentionMaskOptions {
  /** Boolean mask, `[qSeq, kvSeq]` or per head `[numHeads, qSeq, kvSeq]`; false = not attended. */
  mask?: Array;
  /** Query i attends only to keys j <= i. */
  causal?: boolean;
  /** Boolean `[kvSeq]`: false marks padding keys, which no query attends to. */
  keyPaddingMask?: Array;
}

/** The combined boolean mask `[qSeq, kvSeq]` or `[heads, qSeq, kvSeq]`, or undefined if none. */
export function attentionMask(qSeq: number, kvSeq: number, opts: AttentionMaskOptions): Array | undefined {
  let m: Array | undefined = opts.mask === undefined ? undefined : opts.mask.astype("bool");
  const and = (a: Array | undefined, b: Array): Array => (a === undefined ? b : np.logicalAnd(a, b));
  if (opts.causal) m = and(m, np.greaterEqual(np.reshape(np.arange(qSeq), [qSeq, 1]), np.arange(kvSeq)));
  if (opts.keyPaddingMask !== undefined) {
    if (opts.keyPaddingMask.ndim !== 1 || opts.keyPaddingMask.shape[0] !== kvSeq)
      throw new ShapeError(
        `attention: keyPaddingMask must have shape [${kvSeq}]; got [${opts.keyPaddingMask.shape.join(", ")}]`,
      );
    m = and(m, np.broadcastTo(opts.keyPaddingMask.astype("bool"), [qSeq, kvSeq]));
  }
  return m;
}

/**
 * Attention weights `softmax(q kᵀ / √d)` for `q` `[qSeq, d]`, `k` `[kvSeq, d]` (one head), with
 * masked logits set to the most negative float (equinox's `dot_product_attention_weights`).
 */
export function dotProductAttentionWeights(query: Array, key: Array, mask?: Array): Array {
  const q = np.divide(query, Math.sqrt(query.shape[query.ndim - 1]));
  let logits = lax.dotGeneral(q, key, { contractingDims: [[1], [1]] });
  if (mask !== undefined) logits = np.where(mask, logits, F32_MIN);
  return softmax(logits, { axis: -1 });
}

/** `weights @ value` for one head, with optional dropout on the weights. */
export function dotProductAttention(
  query: Array,
  key: Array,
  value: Array,
  opts: { mask?: Array; dropout?: Dropout; key?: PRNGKey; inference?: boolean } = {},
): Array {
  let w = dotProductAttentionWeights(query, key, opts.mask);
  if (opts.dropout !== undefined) w = opts.dropout.call(w, { key: opts.key, inference: opts.inference });
  return lax.dotGeneral(w, value, { contractingDims: [[1], [0]] });
}

export interface MultiheadAttentionOptions {
  /** Input size of keys (default querySize). */
  keySize?: number;
  /** Input size of values (default querySize). */
  valueSize?: number;
  /** Output size (default querySize). */
  outputSize?: number;
  /** Per-head query/key size (default querySize / numHeads). */
  qkSize?: number;
  /** Per-head value/output size (default querySize / numHeads). */
  voSize?: number;
  useQueryBias?: boolean;
  useKeyBias?: boolean;
  useValueBias?: boolean;
  useOutputBias?: boolean;
  /** Dropout on the attention weights (default 0). */
  dropoutP?: number;
  inference?: boolean;
  dtype?: FloatDType;
  key: PRNGKey;
}

export interface MultiheadAttentionCallOptions extends CallOptions, AttentionMaskOptions {}

/**
 * Multi-head attention (equinox's `MultiheadAttention`): project queries, keys and values per
 * head, attend, concatenate the heads and project. Biases are off by default, as in equinox.
 */
export class MultiheadAttention extends Module {
  readonly queryProj: Linear;
  readonly keyProj: Linear;
  readonly valueProj: Linear;
  readonly outputProj: Linear;
  readonly dropout: Dropout;
  readonly numHeads: number;
  readonly querySize: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly outputSize: number;
  readonly qkSize: number;
  readonly voSize: number;
  readonly useQueryBias: boolean;
  readonly useKeyBias: boolean;
  readonly useValueBias: boolean;
  readonly useOutputBias: boolean;

  constructor(numHeads: number, querySize: number, opts: MultiheadAttentionOptions) {
    super();
    const op = "MultiheadAttention";
    checkSize(op, "numHeads", numHeads);
    checkSize(op, "querySize", querySize);
    checkKeys(op, opts, [
      "keySize",
      "valueSize",
      "outputSize",
      "qkSize",
      "voSize",
      "useQueryBias",
      "useKeyBias",
      "useValueBias",
      "useOutputBias",
      "dropoutP",
      "inference",
      "dtype",
      "key",
    ]);
    requireKey(op, opts?.key);
    for (const k of ["keySize", "valueSize", "outputSize", "qkSize", "voSize"] as const)
      if (opts[k] !== undefined) checkSize(op, k, opts[k]);
    if ((opts.qkSize === undefined || opts.voSize === undefined) && querySize < numHeads) {
      throw new ValueError(
        `${op}: querySize (${querySize}) is smaller than numHeads (${numHeads}), so the default per-head size querySize / numHeads is 0; pass qkSize and voSize`,
      );
    }
    if (
      opts.dropoutP !== undefined &&
      (typeof opts.dropoutP !== "number" || !(opts.dropoutP >= 0 && opts.dropoutP < 1))
    ) {
      throw new ValueError(`${op}: dropoutP must be a number in [0, 1); got ${String(opts.dropoutP)}`);
    }
    const [qk, kk, vk, ok] = splitKey(opts.key, 4);
    const keySize = opts.keySize ?? querySize;
    const valueSize = opts.valueSize ?? querySize;
    const outputSize = opts.outputSize ?? querySize;
    const qkSize = opts.qkSize ?? Math.floor(querySize / numHeads);
    const voSize = opts.voSize ?? Math.floor(querySize / numHeads);
    const dtype = opts.dtype;
    this.useQueryBias = opts.useQueryBias ?? false;
    this.useKeyBias = opts.useKeyBias ?? false;
    this.useValueBias = opts.useValueBias ?? false;
    this.useOutputBias = opts.useOutputBias ?? false;
    this.queryProj = new Linear(querySize, numHeads * qkSize, { useBias: this.useQueryBias, dtype, key: qk });
    this.keyProj = new Linear(keySize, numHeads * qkSize, { useBias: this.useKeyBias, dtype, key: kk });
    this.valueProj = new Linear(valueSize, numHeads * voSize, { useBias: this.useValueBias, dtype, key: vk });
    this.outputProj = new Linear(numHeads * voSize, outputSize, { useBias: this.useOutputBias, dtype, key: ok });
    this.dropout = new Dropout(opts.dropoutP ?? 0, { inference: opts.inference ?? false });
    this.numHeads = numHeads;
    this.querySize = querySize;
    this.keySize = keySize;
    this.valueSize = valueSize;
    this.outputSize = outputSize;
    this.qkSize = qkSize;
    this.voSize = voSize;
  }

  /**
   * `query` `[qSeq, querySize]`, `keyIn` `[kvSeq, keySize]`, `value` `[kvSeq, valueSize]` →
   * `[qSeq, outputSize]`. Masks: `mask`, `causal`, `keyPaddingMask` (combined with AND).
   */
  call(query: Array, keyIn: Array, value: Array, callOpts?: MultiheadAttentionCallOptions): Array {
    const opts = callOptions<MultiheadAttentionCallOptions>("MultiheadAttention.call", callOpts, [
      ...CALL_OPTION_KEYS,
      "mask",
      "causal",
      "keyPaddingMask",
    ]);
    const [qSeq] = query.shape;
    const [kvSeq] = keyIn.shape;
    if (value.shape[0] !== kvSeq)
      throw new ShapeError(
        `MultiheadAttention: key and value must have the same sequence length; got ${kvSeq} and ${value.shape[0]}`,
      );
    const h = this.numHeads;
    const qh = lax.reshape(this.queryProj.call(query), [qSeq, h, this.qkSize]);
    const kh = lax.reshape(this.keyProj.call(keyIn), [kvSeq, h, this.qkSize]);
    const vh = lax.reshape(this.valueProj.call(value), [kvSeq, h, this.voSize]);
    const mask = attentionMask(qSeq, kvSeq, opts);
    // All heads at once: logits [h, qSeq, kvSeq].
    const qs = np.divide(qh, Math.sqrt(this.qkSize));
    let logits = lax.dotGeneral(qs, kh, { contractingDims: [[2], [2]], batchDims: [[1], [1]] });
    if (mask !== undefined) logits = np.where(mask, logits, F32_MIN);
    let weights = softmax(logits, { axis: -1 });
    const inf = opts.inference ?? this.dropout.inference;
    if (!inf && this.dropout.p > 0) {
      // One key per head, as equinox's vmap over heads with split keys.
      const keys = opts.key === undefined ? undefined : splitKey(opts.key, h);
      const heads = globalThis.Array.from({ length: h }, (_, i) => {
        const wi = lax.reshape(lax.sliceInDim(weights, i, i + 1, 1, 0), [qSeq, kvSeq]);
        return lax.reshape(this.dropout.call(wi, { key: keys?.[i], inference: inf }), [1, qSeq, kvSeq]);
      });
      weights = lax.concatenate(heads, 0);
    }
    // [h, qSeq, voSize] → [qSeq, h · voSize]
    const attn = lax.dotGeneral(weights, vh, { contractingDims: [[2], [0]], batchDims: [[0], [1]] });
    const merged = lax.reshape(lax.transpose(attn, [1, 0, 2]), [qSeq, h * this.voSize]);
    return this.outputProj.call(merged);
  }
}
