/**
 * `SSM` (linax `src/linax/models/ssm.py`, SPEC §3): encoder → blocks → head on one sequence,
 * threading the `State` (BatchNorm statistics), plus the same model as a token-by-token recurrence.
 *
 * Build order and PRNG rows (they fix the weights, so they follow linax exactly): with `n` blocks,
 * `keys = split(key, 3n + 2)`; encoder `keys[0]`, sequence mixer i `keys[1 + i]`, channel mixer i
 * `keys[1 + n + i]`, block i `keys[1 + 2n + i]`, head `keys[3n + 1]`. At call time
 * `split(key, n)` gives one key per block (SPEC §9).
 */
import { type Array, ShapeError, ValueError, lax, random } from "@linax-ts/core";
import {
  CALL_OPTION_KEYS,
  Module,
  checkState,
  filterVmap,
  splitKey,
  type CallOptions,
  type PRNGKey,
  type State,
} from "@linax-ts/nn";
import type { SSMConfig } from "./config.ts";
import type { Block, BlockCache, BlockStepFn } from "./blocks.ts";
import type { Encoder } from "./encoders.ts";
import type { Head, HeadCache } from "./heads.ts";
import { batchLengths, ssmCallOptions, type Lengths } from "./lengths.ts";

/** Options of `SSM.call` (one sequence): nn's `{ key, inference }` plus `lengths`. */
export interface SSMCallOptions extends CallOptions {
  /** Valid time steps of this padded sequence (number or int scalar array); see `lengths.ts`. */
  lengths?: Lengths;
}

/**
 * The model's recurrent cache, a pytree: per block the sequence mixer's state and the norm's
 * running statistics (copied from the `State`), and the head's running mean (reducing heads).
 */
export interface SSMCache {
  readonly blocks: readonly BlockCache[];
  readonly head: HeadCache;
}

/** A recurrent model step `(xt, cache) → [yt, cache]`. */
export type SSMStepFn = (xt: Array, cache: SSMCache) => [Array, SSMCache];

/** Options of `SSM.callBatch`: nn's `{ key, inference }` (the key is split into one per example) plus these. */
export interface CallBatchOptions extends CallOptions {
  /** The vmap axis name BatchNorm averages over (default "batch", the blocks' default). */
  axisName?: string;
  /**
   * Valid lengths of the padded sequences, `[B]` (or one number for all): padded steps change
   * no output at a valid position, no pooled mean and no BatchNorm statistic.
   */
  lengths?: number | readonly number[] | Array;
}

/**
 * linax's `SSM`. Fields (pytree children, in order): `encoder`, `blocks` (a list), `head`, so
 * leaf paths read `encoder.linear.weight`, `blocks.0.sequence_mixer.B`,
 * `blocks.0.channel_mixer.w1.weight`, `head.linear.bias` (see the package README).
 *
 * ```ts
 * const [model, state] = nn.makeWithState(SSM)(config, key);
 * const [y, state2] = model.callBatch(xb, state, { key });      // xb: [B, L, F]
 * ```
 */
export class SSM extends Module {
  readonly encoder: Encoder;
  readonly blocks: readonly Block[];
  readonly head: Head;

  constructor(cfg: SSMConfig, key: PRNGKey) {
    super();
    const n = cfg.numBlocks;
    const H = cfg.hiddenDim;
    const keys = splitKey(key, 3 * n + 2);
    this.encoder = cfg.encoderConfig.build(keys[0]);
    if (this.encoder.outFeatures !== H) {
      throw new ValueError(
        `SSM: the encoder config says outFeatures=${H} but the built encoder has ${this.encoder.outFeatures}`,
      );
    }
    const blocks: Block[] = [];
    for (let i = 0; i < n; i++) {
      const mixer = cfg.sequenceMixerConfigs[i].build(H, keys[1 + i]);
      if (mixer.inFeatures !== H)
        throw new ValueError(
          `SSM: sequence mixer ${i} was built with inFeatures=${mixer.inFeatures}, expected the encoder's outFeatures ${H}`,
        );
      const channel = cfg.channelMixerConfigs[i].build(H, null, keys[1 + n + i]);
      blocks.push(cfg.blockConfigs[i].build(H, mixer, channel, keys[1 + 2 * n + i]));
    }
    this.blocks = blocks;
    this.head = cfg.headConfig.build(H, keys[3 * n + 1]);
  }

  /**
   * One sequence `x` (`[L, F]` floats, or `[L]` token ids for an embedding encoder) → `[y, state]`
   * with `y: [out]` (reducing head) or `[L, out]`. In training mode BatchNorm needs the named
   * vmap axis — use `callBatch` or `filterVmap(..., { axisName: "batch" })` — and dropout needs
   * `{ key }`. Switch to inference with `nn.inference(model)` (or `{ inference: true }` per call).
   * linax's `model(x, state, key)` is `model.call(x, state, { key })`.
   */
  call(x: Array, state: State, opts?: SSMCallOptions): [Array, State] {
    checkState("SSM.call", state);
    const { key, inference, lengths } = ssmCallOptions<SSMCallOptions>("SSM.call", opts, [
      ...CALL_OPTION_KEYS,
      "lengths",
    ]);
    const n = this.blocks.length;
    const blockKeys = key === undefined || n === 0 ? [] : splitKey(key, n);
    const o = lengths === undefined ? {} : { lengths };
    let [h, s] = this.encoder.call(x, state);
    for (let i = 0; i < n; i++) [h, s] = this.blocks[i].call(h, s, { ...o, key: blockKeys[i], inference });
    return this.head.call(h, s, o);
  }

  /**
   * A batch `x: [B, ...]` → `[y: [B, ...], state]`: linax's
   * `vmap(model, axis_name="batch", in_axes=(0, None, 0), out_axes=(0, None))(x, state, split(key, B))`,
   * i.e. `model.callBatch(x, state, { key })`.
   */
  callBatch(x: Array, state: State, opts?: CallBatchOptions): [Array, State] {
    if (x.ndim < 1) throw new ShapeError(`SSM.callBatch: expected a batch [B, ...]; got a scalar`);
    checkState("SSM.callBatch", state);
    const {
      key,
      inference,
      axisName = "batch",
      lengths,
    } = ssmCallOptions<CallBatchOptions>("SSM.callBatch", opts, [...CALL_OPTION_KEYS, "axisName", "lengths"]);
    const vm = <F extends (...args: never[]) => [Array, State]>(f: F, inAxes: (0 | null)[]) =>
      filterVmap(f, { inAxes, outAxes: [0, null], axisName });
    if (lengths !== undefined) {
      if (x.ndim < 2)
        throw new ShapeError(
          `SSM.callBatch: lengths needs a batch of sequences [B, L, ...]; got [${x.shape.join(", ")}]`,
        );
      const lens = batchLengths("SSM.callBatch", x.shape[0], x.shape[1], lengths);
      if (key === undefined)
        return vm((xi: Array, s: State, li: Array) => this.call(xi, s, { inference, lengths: li }), [0, null, 0])(
          x,
          state,
          lens,
        );
      const keys = random.split(key, x.shape[0]);
      return vm(
        (xi: Array, s: State, ki: PRNGKey, li: Array) => this.call(xi, s, { key: ki, inference, lengths: li }),
        [0, null, 0, 0],
      )(x, state, keys, lens);
    }
    if (key === undefined) return vm((xi: Array, s: State) => this.call(xi, s, { inference }), [0, null])(x, state);
    // One key per example, mapped with the example (raw keys: rows of [B, 2]; typed: a [B] key array).
    const keys = random.split(key, x.shape[0]);
    return vm((xi: Array, s: State, ki: PRNGKey) => this.call(xi, s, { key: ki, inference }), [0, null, 0])(
      x,
      state,
      keys,
    );
  }

  /**
   * The zero recurrent cache for `batchShape` sequences (`[]` for one). `state` is required when
   * the blocks normalise (StandardBlock): the cache takes BatchNorm's running statistics from it.
   */
  initCache(batchShape: readonly number[] = [], state?: State): SSMCache {
    return { blocks: this.blocks.map((b) => b.initCache(batchShape, state)), head: this.head.initCache(batchShape) };
  }

  /**
   * The model's recurrent step as a function, with every mixer's discretisation done once
   * (use it in generation loops). Inference semantics: dropout off, BatchNorm with the running
   * statistics in the cache. Same contract as `step`.
   */
  recurrence(): SSMStepFn {
    const steps: BlockStepFn[] = this.blocks.map((b) => b.recurrence());
    return (xt: Array, cache: SSMCache): [Array, SSMCache] => {
      if (cache.blocks.length !== steps.length)
        throw new ValueError(
          `SSM.step: the cache has ${cache.blocks.length} blocks, the model ${steps.length}; make it with model.initCache`,
        );
      let h = this.encoder.step(xt);
      const blockCaches: BlockCache[] = [];
      for (let i = 0; i < steps.length; i++) {
        const [hi, ci] = steps[i](h, cache.blocks[i]);
        h = hi;
        blockCaches.push(ci);
      }
      const [y, headCache] = this.head.step(h, cache.head);
      return [y, { blocks: blockCaches, head: headCache }];
    };
  }

  /**
   * One time step: `xt: [...batchShape, F]` (or `[...batchShape]` token ids) →
   * `[yt: [...batchShape, out], cache]`. Pure; the input cache is unchanged. With a reducing
   * head, `yt` is the head applied to the mean of the hidden states so far (the prefix's
   * prediction); after the last token it equals the parallel forward in inference mode.
   */
  step(xt: Array, cache: SSMCache): [Array, SSMCache] {
    return this.recurrence()(xt, cache);
  }

  /**
   * `lax.scan` of `step` over `x: [L, ...batchShape, F]` → `[ys: [L, ...batchShape, out], cache]`.
   * Pass `state` (or a cache) for models with BatchNorm; a carried cache continues a sequence.
   */
  callRecurrent(x: Array, cacheOrState?: SSMCache | State): [Array, SSMCache] {
    const tokenIds = x.dtype === "int32" || x.dtype === "uint32";
    const batchShape = x.shape.slice(1, tokenIds ? undefined : -1);
    const isCache = (c: unknown): c is SSMCache =>
      typeof c === "object" &&
      c !== null &&
      "blocks" in c &&
      "head" in c &&
      Object.getPrototypeOf(c) === Object.prototype;
    const c0 = isCache(cacheOrState) ? cacheOrState : this.initCache(batchShape, cacheOrState);
    const stepFn = this.recurrence();
    const [cN, ys] = lax.scan(
      (c: SSMCache, xt: Array): [SSMCache, Array] => {
        const [yt, c2] = stepFn(xt, c);
        return [c2, yt];
      },
      c0,
      x,
    );
    return [ys, cN];
  }
}
