/**
 * The Mamba-2 block (Dao & Gu 2024), as `mamba_ssm.modules.mamba2_simple.Mamba2Simple`:
 *
 *   [z, xBC, Δ] = in_proj(u)                       dModel → 2·dInner + 2·G·N + H
 *   xBC = silu(causal depthwise conv1d(xBC));  [x, B, C] = xBC   (dInner, G·N, G·N)
 *   Δ = softplus(Δ + dt_bias);  A = −exp(A_log)    (one scalar per head)
 *   y = SSD(x as [H, headDim], Δ, A, B, C) + D ⊙ x  (ops.ssdChunked; chunked quadratic + inter-chunk recurrence)
 *   y = RMSNorm_groups(y ⊙ silu(z)) ⊙ norm.weight   (RMSNormGated, norm_before_gate = False)
 *   out = out_proj(y)
 *
 * Leaves: `in_proj.weight`, `conv1d.weight [convDim, 1, convKer]`, `conv1d.bias`, `dt_bias [H]`,
 * `A_log [H]`, `D [H]`, `norm.weight [dInner]`, `out_proj.weight` — mamba_ssm's names and shapes.
 */
import { type Array, ShapeError, ValueError, lax, np, random } from "@linax-ts/core";
import { CALL_OPTION_KEYS, Linear, Module, splitKey, type PRNGKey } from "@linax-ts/nn";
import { SequenceMixer, SequenceMixerConfig, type MixerStepFn } from "./base.ts";
import { DepthwiseConv1d, type MambaCallOptions } from "./mamba.ts";
import { batchMask, maskBatchRows, ssmCallOptions, type MixerCallOptions } from "../lengths.ts";
import { ssdChunked, ssdStep } from "../ops/ssd.ts";
import { bool, knownOptions, positiveFinite, positiveInt, stepRange } from "../validate.ts";

/** Options of `Mamba2Config` (mamba_ssm's `Mamba2` arguments in camelCase, with its defaults). */
export interface Mamba2Options {
  /** Model width; optional for a mixer (then `build`'s `inFeatures`), must equal it if given. */
  dModel?: number;
  /** State size N (default 64). */
  dState?: number;
  /** Channels per head P (default 64); `dInner = expand · dModel` must be a multiple. */
  headDim?: number;
  /** `dInner = expand · dModel` (default 2). */
  expand?: number;
  /** Groups of B and C shared by `H / nGroups` heads each (default 1). */
  nGroups?: number;
  /** SSD chunk length (default 256). */
  chunkSize?: number;
  /** Depthwise convolution width (default 4). */
  convKer?: number;
  /** Initial Δ log-uniform in [dtMin, dtMax] (0.001, 0.1), at least dtInitFloor (1e-4). */
  dtMin?: number;
  dtMax?: number;
  dtInitFloor?: number;
  /** `A = −U(AInitRange)` (default [1, 16]). */
  AInitRange?: readonly [number, number];
  /** Biases on in_proj / out_proj (default false). */
  bias?: boolean;
  /** Bias on the convolution (default true). */
  convBias?: boolean;
  /** ε of the gated RMSNorm (default 1e-5). */
  normEps?: number;
}

/** `Mamba2Config`: `new Mamba2Config({ headDim: 16 }).build(dModel, key)`. */
export class Mamba2Config extends SequenceMixerConfig<Mamba2> {
  readonly dModel: number | undefined;
  readonly dState: number;
  readonly headDim: number;
  readonly expand: number;
  readonly nGroups: number;
  readonly chunkSize: number;
  readonly convKer: number;
  readonly dtMin: number;
  readonly dtMax: number;
  readonly dtInitFloor: number;
  readonly AInitRange: readonly [number, number];
  readonly bias: boolean;
  readonly convBias: boolean;
  readonly normEps: number;

  constructor(opts: Mamba2Options = {}) {
    super();
    const W = "Mamba2Config";
    knownOptions(W, opts, [
      "dModel",
      "dState",
      "headDim",
      "expand",
      "nGroups",
      "chunkSize",
      "convKer",
      "dtMin",
      "dtMax",
      "dtInitFloor",
      "AInitRange",
      "bias",
      "convBias",
      "normEps",
    ]);
    this.dModel = opts.dModel === undefined ? undefined : positiveInt(W, "dModel", opts.dModel);
    this.dState = positiveInt(W, "dState", opts.dState ?? 64);
    this.headDim = positiveInt(W, "headDim", opts.headDim ?? 64);
    this.expand = positiveInt(W, "expand", opts.expand ?? 2);
    this.nGroups = positiveInt(W, "nGroups", opts.nGroups ?? 1);
    this.chunkSize = positiveInt(W, "chunkSize", opts.chunkSize ?? 256);
    this.convKer = positiveInt(W, "convKer", opts.convKer ?? 4);
    this.dtMin = opts.dtMin ?? 0.001;
    this.dtMax = opts.dtMax ?? 0.1;
    this.dtInitFloor = opts.dtInitFloor ?? 1e-4;
    if (!(this.dtMin > 0 && this.dtMin <= this.dtMax))
      throw new ValueError(`${W}: need 0 < dtMin ≤ dtMax; got dtMin=${this.dtMin}, dtMax=${this.dtMax}`);
    const r = opts.AInitRange ?? [1, 16];
    if (!(r[0] > 0 && r[0] <= r[1]))
      throw new ValueError(`${W}: AInitRange must satisfy 0 < lo ≤ hi; got [${r.join(", ")}]`);
    this.AInitRange = Object.freeze([r[0], r[1]] as const);
    this.bias = bool(W, "bias", opts.bias ?? false);
    this.convBias = bool(W, "convBias", opts.convBias ?? true);
    this.normEps = opts.normEps ?? 1e-5;
    Object.freeze(this);
    stepRange(W, this.dtMin, this.dtMax);
    positiveFinite(W, "dtInitFloor", this.dtInitFloor, true);
    positiveFinite(W, "normEps", this.normEps, true);
  }

  get stateDim(): number {
    return this.dState;
  }

  build(inFeatures: number, key: PRNGKey): Mamba2 {
    return new Mamba2(inFeatures, this, key);
  }
}

/** The gated RMSNorm's scale (`norm.weight [dInner]`). */
export class GatedRMSNorm extends Module {
  readonly weight: Array;
  readonly groupSize: number;
  readonly eps: number;

  constructor(dim: number, groupSize: number, eps: number) {
    super();
    this.weight = np.ones([dim]);
    this.groupSize = groupSize;
    this.eps = eps;
  }

  /** `rmsnorm(x ⊙ silu(z))` over groups of `groupSize` channels of the last axis, times `weight`. */
  call(x: Array, z: Array): Array {
    const g = np.multiply(x, np.multiply(z, lax.logistic(z)));
    const shp = g.shape;
    const dim = shp[shp.length - 1];
    const grouped = g.reshape([...shp.slice(0, -1), dim / this.groupSize, this.groupSize]);
    const ms = np.mean(np.square(grouped), { axis: -1, keepdims: true });
    const normed = np.multiply(grouped, lax.rsqrt(np.add(ms, this.eps))).reshape(shp);
    return np.multiply(normed, this.weight);
  }
}

/** Mamba-2's recurrent state: the conv window and the SSM state. */
export interface Mamba2Cache {
  readonly [name: string]: Array;
  /** `[...batch, convKer - 1, convDim]`. */
  readonly conv: Array;
  /** `[...batch, nHeads, headDim, dState]`. */
  readonly ssm: Array;
}

/** The Mamba-2 block. Fields (= leaves): `in_proj`, `conv1d`, `dt_bias`, `A_log`, `D`, `norm`, `out_proj`. */
export class Mamba2 extends SequenceMixer<Mamba2Cache> {
  readonly in_proj: Linear;
  readonly conv1d: DepthwiseConv1d;
  readonly dt_bias: Array;
  readonly A_log: Array;
  readonly D: Array;
  readonly norm: GatedRMSNorm;
  readonly out_proj: Linear;
  readonly inFeatures: number;
  readonly dInner: number;
  readonly dState: number;
  readonly headDim: number;
  readonly nHeads: number;
  readonly nGroups: number;
  readonly convKer: number;
  readonly chunkSize: number;

  /** Keys: `in_proj, conv1d, dt_bias, A_log, out_proj = split(key, 5)`. */
  constructor(dModel: number, cfg: Mamba2Config, key: PRNGKey) {
    super();
    positiveInt("Mamba2", "dModel (inFeatures)", dModel);
    if (cfg.dModel !== undefined && cfg.dModel !== dModel)
      throw new ValueError(`Mamba2: Mamba2Config.dModel = ${cfg.dModel} but the block is built for ${dModel} features`);
    const dInner = cfg.expand * dModel;
    if (dInner % cfg.headDim !== 0)
      throw new ValueError(`Mamba2: dInner = expand·dModel = ${dInner} must be a multiple of headDim = ${cfg.headDim}`);
    const H = dInner / cfg.headDim;
    if (H % cfg.nGroups !== 0)
      throw new ValueError(`Mamba2: nGroups = ${cfg.nGroups} must divide the number of heads ${H}`);
    const N = cfg.dState;
    const G = cfg.nGroups;
    const convDim = dInner + 2 * G * N;
    const [kIn, kConv, kDt, kA, kOut] = splitKey(key, 5);
    this.in_proj = new Linear(dModel, 2 * dInner + 2 * G * N + H, { useBias: cfg.bias, key: kIn });
    this.conv1d = new DepthwiseConv1d(convDim, cfg.convKer, cfg.convBias, kConv);
    const logMin = Math.log(cfg.dtMin);
    const dt0 = np.maximum(
      np.exp(np.add(np.multiply(random.uniform(kDt, [H]), Math.log(cfg.dtMax) - logMin), logMin)),
      cfg.dtInitFloor,
    );
    this.dt_bias = np.add(dt0, np.log(np.negative(np.expm1(np.negative(dt0)))));
    this.A_log = np.log(random.uniform(kA, [H], { minval: cfg.AInitRange[0], maxval: cfg.AInitRange[1] }));
    this.D = np.ones([H]);
    this.norm = new GatedRMSNorm(dInner, dInner / G, cfg.normEps);
    this.out_proj = new Linear(dInner, dModel, { useBias: cfg.bias, key: kOut });
    this.inFeatures = dModel;
    this.dInner = dInner;
    this.dState = N;
    this.headDim = cfg.headDim;
    this.nHeads = H;
    this.nGroups = G;
    this.convKer = cfg.convKer;
    this.chunkSize = cfg.chunkSize;
  }

  /** `A = −exp(A_log)`, `[nHeads]`. */
  A(): Array {
    return np.negative(np.exp(this.A_log));
  }

  /** in_proj's output split into `z`, `xBC`, `Δ` (raw) along the last axis. */
  private split(zxbcdt: Array): [Array, Array, Array] {
    const E = this.dInner;
    const cd = E + 2 * this.nGroups * this.dState;
    const ax = zxbcdt.ndim - 1;
    return [
      lax.sliceInDim(zxbcdt, 0, E, 1, ax),
      lax.sliceInDim(zxbcdt, E, E + cd, 1, ax),
      lax.sliceInDim(zxbcdt, E + cd, E + cd + this.nHeads, 1, ax),
    ];
  }

  /** `[..., convDim]` → x `[..., H, P]`, B and C `[..., G, N]`. */
  private splitXBC(xbc: Array): [Array, Array, Array] {
    const E = this.dInner;
    const GN = this.nGroups * this.dState;
    const ax = xbc.ndim - 1;
    const lead = xbc.shape.slice(0, -1);
    return [
      lax.sliceInDim(xbc, 0, E, 1, ax).reshape([...lead, this.nHeads, this.headDim]),
      lax.sliceInDim(xbc, E, E + GN, 1, ax).reshape([...lead, this.nGroups, this.dState]),
      lax.sliceInDim(xbc, E + GN, E + 2 * GN, 1, ax).reshape([...lead, this.nGroups, this.dState]),
    ];
  }

  private dt(raw: Array): Array {
    // softplus(Δ + dt_bias) (jax's stable form; mamba applies F.softplus).
    const v = np.add(raw, this.dt_bias);
    return np.add(np.maximum(v, 0), np.log1p(np.exp(np.negative(np.abs(v)))));
  }

  /**
   * The standalone block: `[batch, seqLen, dModel] → [batch, seqLen, dModel]`; `chunkSize`
   * overrides the config's, `{ lengths }` masks padding (see `MambaCallOptions`).
   */
  callBatch(u: Array, callOpts?: MambaCallOptions & { chunkSize?: number }): Array {
    if (u.ndim !== 3 || u.shape[2] !== this.inFeatures)
      throw new ShapeError(
        `Mamba2.callBatch: expected x of shape [batch, seqLen, ${this.inFeatures}]; got [${u.shape.join(", ")}]`,
      );
    const opts = ssmCallOptions<MambaCallOptions & { chunkSize?: number }>("Mamba2.callBatch", callOpts, [
      ...CALL_OPTION_KEYS,
      "lengths",
      "chunkSize",
    ]);
    const mask = batchMask("Mamba2.callBatch", u, opts.lengths);
    return maskBatchRows(this.forwardBatch(maskBatchRows(u, mask), opts.chunkSize ?? this.chunkSize), mask);
  }

  private forwardBatch(u: Array, chunkSize: number): Array {
    const [b, L] = u.shape;
    const [z, xbcRaw, dtRaw] = this.split(this.in_proj.call(u));
    const pre = this.conv1d.call(xbcRaw);
    const [x, B, C] = this.splitXBC(np.multiply(pre, lax.logistic(pre)));
    const y = ssdChunked(x, this.dt(dtRaw), this.A(), B, C, { chunkSize, D: this.D });
    return this.out_proj.call(this.norm.call(y.reshape([b, L, this.dInner]), z));
  }

  /** The mixer's parallel forward on one sequence `[L, dModel]`; `{ lengths }` masks padding. */
  call(x: Array, opts?: MixerCallOptions): Array {
    return this.callMasked(x, opts, (u) => this.callBatch(np.expandDims(u, 0)).get(0));
  }

  initCache(batchShape: readonly number[] = []): Mamba2Cache {
    const convDim = this.dInner + 2 * this.nGroups * this.dState;
    return {
      conv: np.zeros([...batchShape, this.convKer - 1, convDim]),
      ssm: np.zeros([...batchShape, this.nHeads, this.headDim, this.dState]),
    };
  }

  recurrence(): MixerStepFn<Mamba2Cache> {
    const A = this.A();
    const convDim = this.dInner + 2 * this.nGroups * this.dState;
    return (xt, cache) => {
      this.checkStep(xt, cache.ssm, 3);
      const bs = xt.shape.slice(0, -1);
      const nb = bs.reduce((a, c) => a * c, 1);
      const [z, xbcRaw, dtRaw] = this.split(this.in_proj.call(xt.reshape([nb, this.inFeatures])));
      const window = np.concatenate([cache.conv.reshape([nb, this.convKer - 1, convDim]), np.expandDims(xbcRaw, 1)], 1);
      const pre = this.conv1d.stepWindow(window);
      const [x, B, C] = this.splitXBC(np.multiply(pre, lax.logistic(pre)));
      const [y, S] = ssdStep(
        cache.ssm.reshape([nb, this.nHeads, this.headDim, this.dState]),
        x,
        this.dt(dtRaw),
        A,
        B,
        C,
        this.D,
      );
      const out = this.out_proj.call(this.norm.call(y.reshape([nb, this.dInner]), z)).reshape([...bs, this.inFeatures]);
      const conv = lax.sliceInDim(window, 1, this.convKer, 1, 1).reshape([...bs, this.convKer - 1, convDim]);
      return [out, { conv, ssm: S.reshape([...bs, this.nHeads, this.headDim, this.dState]) }];
    };
  }
}
