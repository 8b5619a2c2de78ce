/**
 * Channel mixers (linax `src/linax/channel_mixers/`, SPEC §7): per-time-step maps `[H] → [H]`
 * applied after the sequence mixer. linax calls them on one vector under `vmap`; here every
 * channel mixer accepts any leading axes (`[..., H] → [..., out]`), because all of them are
 * `Linear`s and elementwise functions, so the same module serves the parallel forward `[L, H]`
 * and a recurrent step `[...batch, H]` without a vmap.
 */
import { type Array, ShapeError, ValueError } from "@linax-ts/core";
import {
  CALL_OPTION_KEYS,
  GLU,
  Linear,
  Module,
  callOptions,
  gelu,
  relu,
  silu,
  splitKey,
  tanh,
  type CallOptions,
  type PRNGKey,
} from "@linax-ts/nn";
import { bool, positiveInt } from "./validate.ts";

/** A channel mixer: a module with `call(x: [..., H], opts?) → [..., out]` (opts: nn's `{ key, inference }`, unused). */
export type ChannelMixer = Module & { call(x: Array, opts?: CallOptions): Array };

/** Base class of channel-mixer configs: `build(inFeatures, outFeatures ?? inFeatures, key)`. */
export abstract class ChannelMixerConfig<M extends ChannelMixer = ChannelMixer> {
  /** Builds the mixer for `inFeatures` channels; `outFeatures` null means `inFeatures` (linax's `None`). */
  abstract build(inFeatures: number, outFeatures: number | null, key: PRNGKey): M;
}

/** linax's `GLUConfig`: `y = w1(x) ⊙ sigmoid(w2(x))`, two `Linear(H → out)` from `split(key, 2)`. */
export class GLUConfig extends ChannelMixerConfig<GLU> {
  readonly useBias: boolean;

  constructor(opts: { useBias?: boolean } = {}) {
    super();
    this.useBias = bool("GLUConfig", "useBias", opts.useBias ?? true);
    Object.freeze(this);
  }

  /** nn's `GLU` is exactly linax's (fields `w1`, `w2`; `k1, k2 = split(key, 2)`). */
  build(inFeatures: number, outFeatures: number | null, key: PRNGKey): GLU {
    const H = positiveInt("GLUConfig.build", "inFeatures", inFeatures);
    return new GLU(H, outFeatures ?? H, { key, useBias: this.useBias });
  }
}

/** The activations linax's MLP channel mixer accepts (gelu is JAX's default tanh form). */
export const MLP_ACTIVATIONS = { relu, gelu: (x: Array) => gelu(x), swish: silu, silu, tanh } as const;

/** A name of `MLP_ACTIVATIONS`. */
export type MLPActivationName = keyof typeof MLP_ACTIVATIONS;

/** Options of `MLPConfig` (linax's `MLPChannelMixerConfig`). */
export interface MLPConfigOptions {
  /** "relu" | "gelu" (default, tanh approximation) | "swish" | "silu" | "tanh". */
  nonLinearity?: MLPActivationName;
  /** Add a bias (default false, as linax). */
  useBias?: boolean;
}

/** linax's `MLPChannelMixerConfig`: `y = act(linear(x))` with one `Linear(H → out)` from the whole key. */
export class MLPConfig extends ChannelMixerConfig<MLPChannelMixer> {
  readonly nonLinearity: MLPActivationName;
  readonly useBias: boolean;

  constructor(opts: MLPConfigOptions = {}) {
    super();
    const act = opts.nonLinearity ?? "gelu";
    // linax raises a KeyError at call time; an unknown name is a configuration error.
    if (!Object.hasOwn(MLP_ACTIVATIONS, act)) {
      throw new ValueError(
        `MLPConfig: nonLinearity must be one of ${Object.keys(MLP_ACTIVATIONS).join(", ")}; got ${JSON.stringify(act)}`,
      );
    }
    this.nonLinearity = act;
    this.useBias = bool("MLPConfig", "useBias", opts.useBias ?? false);
    Object.freeze(this);
  }

  build(inFeatures: number, outFeatures: number | null, key: PRNGKey): MLPChannelMixer {
    const H = positiveInt("MLPConfig.build", "inFeatures", inFeatures);
    return new MLPChannelMixer(H, outFeatures ?? H, this, key);
  }
}

/** `act(linear(x))`. Leaves: `linear.weight [out, H]` (+ `linear.bias`); `nonLinearity` is static. */
export class MLPChannelMixer extends Module {
  readonly linear: Linear;
  readonly nonLinearity: MLPActivationName;

  constructor(inFeatures: number, outFeatures: number, cfg: MLPConfig, key: PRNGKey) {
    super();
    this.linear = new Linear(inFeatures, outFeatures, { useBias: cfg.useBias, key });
    this.nonLinearity = cfg.nonLinearity;
  }

  call(x: Array, opts?: CallOptions): Array {
    callOptions(`${this.constructor.name}.call`, opts, CALL_OPTION_KEYS);
    return MLP_ACTIVATIONS[this.nonLinearity](this.linear.call(x));
  }
}

/** Options of `SwiGLUConfig`. */
export interface SwiGLUConfigOptions {
  /** Hidden width as a multiple of `H` (default 4); ignored when `intermediateDim` is given. */
  hiddenRatio?: number;
  /** Hidden width `I` (default `256·ceil(floor(H·ratio·2/3) / 256)`, as linax). */
  intermediateDim?: number;
  /** Add biases (default false). */
  useBias?: boolean;
}

/** linax's `SwiGLUConfig`: `y = down(swish(gate(x)) ⊙ up(x))`; the output width is always `H`. */
export class SwiGLUConfig extends ChannelMixerConfig<SwiGLU> {
  readonly hiddenRatio: number | null;
  readonly intermediateDim: number | null;
  readonly useBias: boolean;

  constructor(opts: SwiGLUConfigOptions = {}) {
    super();
    if (opts.hiddenRatio !== undefined && !(typeof opts.hiddenRatio === "number" && opts.hiddenRatio > 0)) {
      throw new ValueError(
        `SwiGLUConfig: hiddenRatio must be a positive number; got ${JSON.stringify(opts.hiddenRatio)}`,
      );
    }
    this.hiddenRatio = opts.hiddenRatio ?? null;
    this.intermediateDim =
      opts.intermediateDim === undefined ? null : positiveInt("SwiGLUConfig", "intermediateDim", opts.intermediateDim);
    this.useBias = bool("SwiGLUConfig", "useBias", opts.useBias ?? false);
    Object.freeze(this);
  }

  /** The hidden width for `H` input channels (linax's formula). */
  intermediateFor(H: number): number {
    const ratio = this.hiddenRatio ?? 4;
    return this.intermediateDim ?? 256 * Math.ceil(Math.floor((H * ratio * 2) / 3) / 256);
  }

  /** `outFeatures` is ignored, as in linax (the block's residual needs `H` anyway). */
  build(inFeatures: number, _outFeatures: number | null, key: PRNGKey): SwiGLU {
    const H = positiveInt("SwiGLUConfig.build", "inFeatures", inFeatures);
    const I = this.intermediateFor(H);
    if (I < 1)
      throw new ValueError(
        `SwiGLUConfig: the hidden width for H=${H} and hiddenRatio=${String(this.hiddenRatio)} is ${I}; pass intermediateDim`,
      );
    return new SwiGLU(H, I, this.useBias, key);
  }
}

/** SwiGLU. Leaves: `gate_proj [I, H]`, `up_proj [I, H]`, `down_proj [H, I]` (weights; biases if enabled). */
export class SwiGLU extends Module {
  readonly gate_proj: Linear;
  readonly up_proj: Linear;
  readonly down_proj: Linear;

  constructor(H: number, I: number, useBias: boolean, key: PRNGKey) {
    super();
    const [k1, k2, k3] = splitKey(key, 3);
    this.gate_proj = new Linear(H, I, { useBias, key: k1 });
    this.up_proj = new Linear(H, I, { useBias, key: k2 });
    this.down_proj = new Linear(I, H, { useBias, key: k3 });
  }

  call(x: Array, opts?: CallOptions): Array {
    callOptions(`${this.constructor.name}.call`, opts, CALL_OPTION_KEYS);
    return this.down_proj.call(silu(this.gate_proj.call(x)).mul(this.up_proj.call(x)));
  }
}

/** linax's `IdentityChannelMixerConfig`: no parameters, `y = x`. */
export class IdentityConfig extends ChannelMixerConfig<IdentityChannelMixer> {
  constructor() {
    super();
    Object.freeze(this);
  }

  build(inFeatures: number, outFeatures: number | null, _key: PRNGKey): IdentityChannelMixer {
    const H = positiveInt("IdentityConfig.build", "inFeatures", inFeatures);
    if (outFeatures !== null && outFeatures !== H)
      throw new ShapeError(`IdentityConfig.build: an identity cannot map ${H} to ${outFeatures} features`);
    return new IdentityChannelMixer();
  }
}

/** The identity channel mixer (no leaves). */
export class IdentityChannelMixer extends Module {
  call(x: Array, opts?: CallOptions): Array {
    callOptions(`${this.constructor.name}.call`, opts, CALL_OPTION_KEYS);
    return x;
  }
}

/** linax's names for the same configs. */
export { MLPConfig as MLPChannelMixerConfig, IdentityConfig as IdentityChannelMixerConfig };
