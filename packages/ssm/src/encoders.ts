/**
 * Encoders (linax `src/linax/encoder/`, SPEC §4): map the raw input of one sequence to the hidden
 * width `H = outFeatures` of the blocks, independently per time step. `call(x, state)` keeps
 * linax's `(x, state) → (x, state)` signature; `step(xt)` is the same map on one time step (with
 * any batch shape in front) for recurrent inference.
 */
import { type Array, DTypeError, ShapeError } from "@linax-ts/core";
import {
  CALL_OPTION_KEYS,
  Embedding,
  Linear,
  Module,
  callOptions,
  checkState,
  isPRNGKey,
  type CallOptions,
  type PRNGKey,
  type State,
} from "@linax-ts/nn";
import { bool, positiveInt } from "./validate.ts";

/** Base class of encoders: a per-time-step map from the input to `outFeatures` channels. */
export abstract class Encoder extends Module {
  /** `H`, the width of the encoded sequence. */
  abstract get outFeatures(): number;
  /**
   * One sequence → `[L, outFeatures]`; the state passes through (encoders are stateless in
   * linax). Options are nn's `{ key, inference }`, accepted for the one convention and unused.
   */
  abstract call(x: Array, state: State, opts?: CallOptions): [Array, State];

  /** The argument checks every encoder's `call` shares: no key in the state's or the options' place. */
  protected checkCallArgs(state: State, opts: CallOptions | undefined): void {
    const op = `${this.constructor.name}.call`;
    if (isPRNGKey(state)) checkState(op, state);
    callOptions(op, opts, CALL_OPTION_KEYS);
  }
  /** One time step of a batch of sequences → `[...batch, outFeatures]`. */
  abstract step(xt: Array): Array;
}

/** Base class of encoder configs (linax's `EncoderConfig`): `build(key)` makes the encoder. */
export abstract class EncoderConfig<E extends Encoder = Encoder> {
  /** `H`, the hidden width every block and the head are built for. */
  abstract readonly outFeatures: number;
  /** Builds the encoder, its parameters drawn from `key`. */
  abstract build(key: PRNGKey): E;
}

/** Options of `LinearEncoderConfig`. */
export interface LinearEncoderOptions {
  /** Input features per time step `F`. */
  inFeatures: number;
  /** Hidden width `H`. */
  outFeatures: number;
  /** Add a bias (default false, as linax). */
  useBias?: boolean;
}

/** linax's `LinearEncoderConfig`: a `Linear(F → H)` applied at every time step. */
export class LinearEncoderConfig extends EncoderConfig<LinearEncoder> {
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly useBias: boolean;

  constructor(opts: LinearEncoderOptions) {
    super();
    this.inFeatures = positiveInt("LinearEncoderConfig", "inFeatures", opts.inFeatures);
    this.outFeatures = positiveInt("LinearEncoderConfig", "outFeatures", opts.outFeatures);
    this.useBias = bool("LinearEncoderConfig", "useBias", opts.useBias ?? false);
    Object.freeze(this);
  }

  build(key: PRNGKey): LinearEncoder {
    return new LinearEncoder(this, key);
  }
}

/** `x: [L, F] → [L, H]` by one `Linear` per time step. Leaf: `linear.weight [H, F]` (+ `linear.bias [H]`). */
export class LinearEncoder extends Encoder {
  readonly linear: Linear;

  constructor(cfg: LinearEncoderConfig, key: PRNGKey) {
    super();
    // equinox's Linear takes the whole key (it splits it into weight and bias keys itself).
    this.linear = new Linear(cfg.inFeatures, cfg.outFeatures, { useBias: cfg.useBias, key });
  }

  get outFeatures(): number {
    return this.linear.outFeatures as number;
  }

  call(x: Array, state: State, opts?: CallOptions): [Array, State] {
    this.checkCallArgs(state, opts);
    if (x.ndim !== 2)
      throw new ShapeError(
        `LinearEncoder.call: expected one sequence of shape [L, ${String(this.linear.inFeatures)}] (batch with vmap); got [${x.shape.join(", ")}]`,
      );
    // Linear maps the last axis, which is linax's vmap(linear) over time.
    return [this.linear.call(x), state];
  }

  step(xt: Array): Array {
    return this.linear.call(xt);
  }
}

/** Options of `EmbeddingEncoderConfig`. */
export interface EmbeddingEncoderOptions {
  /** Number of token ids (the table has this many rows). */
  numClasses: number;
  /** Hidden width `H`. */
  outFeatures: number;
}

/**
 * linax's `EmbeddingEncoderConfig`, in its intended form (SPEC §4, §14.2: linax's own class cannot
 * be built; discretax's fix `Embedding(num_embeddings=num_classes, ...)` is ported).
 */
export class EmbeddingEncoderConfig extends EncoderConfig<EmbeddingEncoder> {
  readonly numClasses: number;
  readonly outFeatures: number;

  constructor(opts: EmbeddingEncoderOptions) {
    super();
    this.numClasses = positiveInt("EmbeddingEncoderConfig", "numClasses", opts.numClasses);
    this.outFeatures = positiveInt("EmbeddingEncoderConfig", "outFeatures", opts.outFeatures);
    Object.freeze(this);
  }

  build(key: PRNGKey): EmbeddingEncoder {
    return new EmbeddingEncoder(this, key);
  }
}

/** Integer tokens `x: [L] → [L, H]` by table lookup. Leaf: `embedding.weight [numClasses, H]`. */
export class EmbeddingEncoder extends Encoder {
  readonly embedding: Embedding;

  constructor(cfg: EmbeddingEncoderConfig, key: PRNGKey) {
    super();
    this.embedding = new Embedding(cfg.numClasses, cfg.outFeatures, { key });
  }

  get outFeatures(): number {
    return this.embedding.embeddingSize;
  }

  call(x: Array, state: State, opts?: CallOptions): [Array, State] {
    this.checkCallArgs(state, opts);
    if (x.ndim !== 1)
      throw new ShapeError(
        `EmbeddingEncoder.call: expected one sequence of token ids of shape [L] (batch with vmap); got [${x.shape.join(", ")}]`,
      );
    if (x.dtype !== "int32" && x.dtype !== "uint32")
      throw new DTypeError(`EmbeddingEncoder.call: token ids must be int32 or uint32; got ${x.dtype}`);
    return [this.embedding.call(x), state];
  }

  step(xt: Array): Array {
    return this.embedding.call(xt);
  }
}
