/** `Embedding`, as `equinox.nn.Embedding`. */
import { type Array, DTypeError, ShapeError, ValueError, np, random } from "@linax-ts/core";
import { Module } from "../module.ts";
import { CALL_OPTION_KEYS, callOptions } from "../call-options.ts";
import type { PRNGKey } from "../random.ts";
import type { CallOptions, FloatDType } from "./base.ts";
import { checkFloatDType, checkKeys, checkSize } from "../validate.ts";

export interface EmbeddingOptions {
  /** Randomness for the initialization (required unless `weight` is given). */
  key?: PRNGKey;
  /** Use this table instead of a random one (shape [numEmbeddings, embeddingSize]). */
  weight?: Array;
  dtype?: FloatDType;
}

/** A lookup table: integer index → row of `weight` (standard normal init, as equinox). */
export class Embedding extends Module {
  readonly weight: Array;
  readonly numEmbeddings: number;
  readonly embeddingSize: number;

  constructor(numEmbeddings: number, embeddingSize: number, opts: EmbeddingOptions) {
    super();
    checkSize("Embedding", "numEmbeddings", numEmbeddings);
    checkSize("Embedding", "embeddingSize", embeddingSize);
    checkKeys("Embedding", opts, ["key", "weight", "dtype"]);
    checkFloatDType("Embedding", opts.dtype);
    if (opts.weight !== undefined) {
      if (opts.weight.ndim !== 2 || opts.weight.shape[0] !== numEmbeddings || opts.weight.shape[1] !== embeddingSize) {
        throw new ShapeError(
          `Embedding: weight must have shape [${numEmbeddings}, ${embeddingSize}]; got [${opts.weight.shape.join(", ")}]`,
        );
      }
      this.weight = opts.weight;
    } else {
      if (opts.key === undefined) throw new ValueError("Embedding: pass `key` (or `weight`)");
      this.weight = random.normal(opts.key, [numEmbeddings, embeddingSize], { dtype: opts.dtype ?? "float32" });
    }
    this.numEmbeddings = numEmbeddings;
    this.embeddingSize = embeddingSize;
  }

  /**
   * `x`: integer indices of any shape → `[...x.shape, embeddingSize]` (`weight[x]`: negative
   * indices count from the end, out-of-range ones clamp).
   */
  call(x: Array, opts?: CallOptions): Array {
    callOptions(`${this.constructor.name}.call`, opts, CALL_OPTION_KEYS);
    if (x.dtype !== "int32" && x.dtype !== "uint32")
      throw new DTypeError(`Embedding: indices must be int32 or uint32; got ${x.dtype}`);
    return np.at(this.weight, x).get({ mode: "clip" });
  }
}
