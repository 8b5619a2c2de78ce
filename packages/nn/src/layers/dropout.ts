/** `Dropout`, as `equinox.nn.Dropout`. */
import { type Array, ValueError, np, random } from "@linax-ts/core";
import { Module } from "../module.ts";
import { CALL_OPTION_KEYS, callOptions } from "../call-options.ts";
import type { CallOptions } from "./base.ts";
import { checkKeys, checkOptionalBoolean } from "../validate.ts";

/**
 * Zeroes each element with probability `p` and scales the rest by 1/(1-p) during training; the
 * identity in inference mode (`inference(model)` or `{ inference: true }` per call).
 */
export class Dropout extends Module {
  readonly p: number;
  readonly inference: boolean;

  constructor(p = 0.5, opts: { inference?: boolean } = {}) {
    super();
    checkKeys("Dropout", opts, ["inference"]);
    checkOptionalBoolean("Dropout", "inference", opts.inference);
    if (typeof p !== "number" || !(p >= 0 && p <= 1)) throw new ValueError(`Dropout: p must be in [0, 1]; got ${p}`);
    this.p = p;
    this.inference = opts.inference ?? false;
  }

  call(x: Array, callOpts?: CallOptions): Array {
    const opts = callOptions<CallOptions>("Dropout.call", callOpts, CALL_OPTION_KEYS);
    const inf = opts.inference ?? this.inference;
    if (inf || this.p === 0) return x;
    if (opts.key === undefined)
      throw new ValueError(
        "Dropout: a `key` is required in training mode (pass { key }, or switch to inference mode with nn.inference(model))",
      );
    if (this.p === 1) return np.zerosLike(x);
    const q = 1 - this.p;
    const mask = random.bernoulli(opts.key, q, x.shape);
    return np.where(mask, np.divide(x, q), np.zerosLike(x));
  }
}
