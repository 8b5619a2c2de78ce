/** `MLP` (as `equinox.nn.MLP`) and `GLU` (as linax's gated linear unit). */
import type { Array } from "@linax-ts/core";
import { np } from "@linax-ts/core";
import { Module } from "../module.ts";
import { CALL_OPTION_KEYS, callOptions } from "../call-options.ts";
import { splitKey, type PRNGKey } from "../random.ts";
import { identity, relu, sigmoid } from "../activations.ts";
import { Linear } from "./linear.ts";
import type { CallOptions, FloatDType } from "./base.ts";
import { checkKeys, checkNumber, checkSize, requireKey } from "../validate.ts";

export interface MLPOptions {
  /** After each hidden layer (default relu). Use a module-level function: it is a static field. */
  activation?: (x: Array) => Array;
  /** After the output layer (default identity). */
  finalActivation?: (x: Array) => Array;
  /** Biases in the hidden layers (default true). */
  useBias?: boolean;
  /** Bias in the output layer (default true). */
  useFinalBias?: boolean;
  dtype?: FloatDType;
  key: PRNGKey;
}

/**
 * A multi-layer perceptron: `depth` hidden layers of width `widthSize` (`depth` 0 is a single
 * `Linear(inSize, outSize)`), as equinox's `MLP`. In/out sizes may be `"scalar"`.
 */
export class MLP extends Module {
  readonly layers: Linear[];
  readonly activation: (x: Array) => Array;
  readonly finalActivation: (x: Array) => Array;
  readonly useBias: boolean;
  readonly useFinalBias: boolean;
  readonly inSize: number | "scalar";
  readonly outSize: number | "scalar";
  readonly widthSize: number;
  readonly depth: number;

  constructor(
    inSize: number | "scalar",
    outSize: number | "scalar",
    widthSize: number,
    depth: number,
    opts: MLPOptions,
  ) {
    super();
    checkSize("MLP", "inSize", inSize, true);
    checkSize("MLP", "outSize", outSize, true);
    checkSize("MLP", "widthSize", widthSize);
    checkNumber("MLP", "depth", depth, { integer: true, min: 0 });
    checkKeys("MLP", opts, ["activation", "finalActivation", "useBias", "useFinalBias", "dtype", "key"]);
    requireKey("MLP", opts?.key);
    const useBias = opts.useBias ?? true;
    const useFinalBias = opts.useFinalBias ?? true;
    const keys = splitKey(opts.key, depth + 1);
    const layers: Linear[] = [];
    if (depth === 0)
      layers.push(new Linear(inSize, outSize, { useBias: useFinalBias, dtype: opts.dtype, key: keys[0] }));
    else {
      layers.push(new Linear(inSize, widthSize, { useBias, dtype: opts.dtype, key: keys[0] }));
      for (let i = 0; i < depth - 1; i++)
        layers.push(new Linear(widthSize, widthSize, { useBias, dtype: opts.dtype, key: keys[i + 1] }));
      layers.push(new Linear(widthSize, outSize, { useBias: useFinalBias, dtype: opts.dtype, key: keys[depth] }));
    }
    this.layers = layers;
    this.activation = opts.activation ?? relu;
    this.finalActivation = opts.finalActivation ?? identity;
    this.useBias = useBias;
    this.useFinalBias = useFinalBias;
    this.inSize = inSize;
    this.outSize = outSize;
    this.widthSize = widthSize;
    this.depth = depth;
  }

  call(x: Array, opts?: CallOptions): Array {
    callOptions(`${this.constructor.name}.call`, opts, CALL_OPTION_KEYS);
    let h = x;
    for (let i = 0; i < this.layers.length - 1; i++) h = this.activation(this.layers[i].call(h));
    return this.finalActivation(this.layers[this.layers.length - 1].call(h));
  }
}

/** Gated linear unit `w1(x) · sigmoid(w2(x))` (linax's `GLU`, from LinOSS). */
export class GLU extends Module {
  readonly w1: Linear;
  readonly w2: Linear;

  constructor(inDim: number, outDim: number, opts: { key: PRNGKey; useBias?: boolean; dtype?: FloatDType }) {
    super();
    const [k1, k2] = splitKey(opts.key, 2);
    this.w1 = new Linear(inDim, outDim, { useBias: opts.useBias ?? true, dtype: opts.dtype, key: k1 });
    this.w2 = new Linear(inDim, outDim, { useBias: opts.useBias ?? true, dtype: opts.dtype, key: k2 });
  }

  call(x: Array, opts?: CallOptions): Array {
    callOptions(`${this.constructor.name}.call`, opts, CALL_OPTION_KEYS);
    return np.multiply(this.w1.call(x), sigmoid(this.w2.call(x)));
  }
}
