/** `Linear` and `Identity`, as `equinox.nn.Linear` / `equinox.nn.Identity`. */
import { type Array, ShapeError, lax, np, random } from "@linax-ts/core";
import { Module } from "../module.ts";
import { CALL_OPTION_KEYS, callOptions } from "../call-options.ts";
import { splitKey, type PRNGKey } from "../random.ts";
import type { Initializer } from "../initializers.ts";
import type { CallOptions, FloatDType } from "./base.ts";
import { checkFloatDType, checkKeys, checkOptionalBoolean, checkSize, requireKey } from "../validate.ts";

export interface LinearOptions {
  /** Add a bias (default true). */
  useBias?: boolean;
  dtype?: FloatDType;
  /** Randomness for the initialization (required). */
  key: PRNGKey;
  /** Override the weight initializer (called with shape [out, in]); default uniform(±1/√in). */
  weightInit?: Initializer;
  /** Override the bias initializer (shape [out]); default uniform(±1/√in). */
  biasInit?: Initializer;
}

/**
 * `y = W x + b` with `W` of shape `[out, in]`. Weight and bias are initialized uniformly in
 * `[-1/√in, 1/√in)`, as equinox. `"scalar"` in/out features take/give shape `[]`.
 * `call` also accepts leading batch dimensions (`[..., in]` → `[..., out]`).
 */
export class Linear extends Module {
  readonly weight: Array;
  readonly bias: Array | null;
  readonly inFeatures: number | "scalar";
  readonly outFeatures: number | "scalar";
  readonly useBias: boolean;

  constructor(inFeatures: number | "scalar", outFeatures: number | "scalar", opts: LinearOptions) {
    super();
    checkSize("Linear", "inFeatures", inFeatures, true);
    checkSize("Linear", "outFeatures", outFeatures, true);
    checkKeys("Linear", opts, ["useBias", "dtype", "key", "weightInit", "biasInit"]);
    requireKey("Linear", opts?.key);
    checkOptionalBoolean("Linear", "useBias", opts.useBias);
    checkFloatDType("Linear", opts.dtype);
    const useBias = opts.useBias ?? true;
    const dtype = opts.dtype ?? "float32";
    const [wkey, bkey] = splitKey(opts.key, 2);
    const inN = inFeatures === "scalar" ? 1 : inFeatures;
    const outN = outFeatures === "scalar" ? 1 : outFeatures;
    const lim = 1 / Math.sqrt(inN);
    this.weight = opts.weightInit
      ? opts.weightInit(wkey, [outN, inN], dtype)
      : random.uniform(wkey, [outN, inN], { minval: -lim, maxval: lim, dtype });
    this.bias = useBias
      ? opts.biasInit
        ? opts.biasInit(bkey, [outN], dtype)
        : random.uniform(bkey, [outN], { minval: -lim, maxval: lim, dtype })
      : null;
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    this.useBias = useBias;
  }

  /** `x`: shape `[in]` (or `[]` for "scalar", or `[..., in]`). */
  call(x: Array, opts?: CallOptions): Array {
    callOptions(`${this.constructor.name}.call`, opts, CALL_OPTION_KEYS);
    let v = x;
    if (this.inFeatures === "scalar") {
      if (x.ndim !== 0)
        throw new ShapeError(
          `Linear: with inFeatures "scalar" the input must have shape []; got [${x.shape.join(", ")}]`,
        );
      v = lax.reshape(x, [1]);
    } else if (x.ndim === 0 || x.shape[x.ndim - 1] !== this.inFeatures) {
      throw new ShapeError(
        `Linear: expected an input of shape [${this.inFeatures}] (or [..., ${this.inFeatures}]); got [${x.shape.join(", ")}]`,
      );
    }
    // x's last axis against W's `in` axis (dtypes promote): [..., in] · [out, in] → [..., out].
    let y = np.tensordot(v, this.weight, [[v.ndim - 1], [1]]);
    if (this.bias !== null) y = np.add(y, this.bias);
    if (this.outFeatures === "scalar") y = lax.reshape(y, y.shape.slice(0, -1));
    return y;
  }
}

/** Returns its input (a placeholder layer). */
export class Identity extends Module {
  call<T>(x: T, opts?: CallOptions): T {
    callOptions(`${this.constructor.name}.call`, opts, CALL_OPTION_KEYS);
    return x;
  }
}
