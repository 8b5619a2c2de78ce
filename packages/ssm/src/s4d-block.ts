/**
 * lrnnx's S4D block (`lrnnx/models/lti/s4d.py` with `core/convolution.py` FFTConvS4 and
 * `ops/s4_kernel_interface.py` S4DKernel, from state-spaces/s4), batch-first like lrnnx:
 * ```
 * x: [B, H, L] (transposed, default) or [B, L, H]
 * mask padded steps (lengths) → v = gelu(input_gate(x)) (gate) → x = input_linear(x) (bottleneck)
 * y[b,c,h,l] = (K[c,h] ∗ x[b,h])(l) + D[c,h] x[b,h,l]      K: the S4D kernel, length min(L, lMax)
 * y = gelu(flatten_(c h)(y)) → y = output_gate(y) ⊙ v (gate) → y = gelu(y) → dropout → output_linear (+ finalAct)
 * ```
 * S4D kernel: per channel `h` (copies of `nSsm` SSMs tiled over H) `N/2` complex modes,
 * `A = −f_re(A_real) − i f_im(A_imag)`, `Δ = f_dt(inv_dt)`, discretised by ZOH
 * (`dA = e^{ΔA}`, `dB = (e^{ΔA} − 1)/A · B`) or bilinear (`dA = (1 + ΔA/2)/(1 − ΔA/2)`,
 * `dB = Δ/(1 − ΔA/2) · B`); `K[c,h,l] = 2 Re Σ_n C[c,h,n] dB[h,n] dA[h,n]^l` and the same layer
 * as a recurrence `s_t = dA s_{t−1} + dB u_t`, `y_t = 2 Re Σ_n C s_t` (`step`).
 *
 * Deliberate differences from lrnnx (its behaviour there is a bug or drops the option):
 * - `finalAct` is honoured as in S4's `LinearActivation`: "glu" doubles the linear map's width and
 *   applies a GLU, "id"/"identity" none, "gelu"/"relu"/"tanh"/"silu"/"swish"/"sigmoid" that
 *   activation, `null` no output linear at all. lrnnx applies a GELU for every non-null name
 *   (pass `finalAct: "gelu"` for its default behaviour).
 * - `bottleneck` maps `dModel → dModel/bottleneck` before the SSM (S4's design; lrnnx builds the
 *   input linear with the reduced width on both sides and its SSM for the full width, which cannot run).
 * - `deterministic` spaces `Δ` log-uniformly in `[dtMin, dtMax]` (lrnnx/S4 store `exp(linspace(log …))`
 *   where the `exp` transform expects the log, so their `Δ ≈ e^{dt}`).
 * - `forward` always returns the state after each sequence's last valid step (lrnnx: only when a
 *   state is passed in).
 */
import { Array, ShapeError, ValueError, lax, np, random } from "@linax-ts/core";
import { CALL_OPTION_KEYS, Linear, Module, geluExact, sigmoid, relu, silu, splitKey, type PRNGKey } from "@linax-ts/nn";
import { combination, invTransform, paramTransform, TRANSFORMS } from "./s4d-block-init.ts";
import { checkOptionKeys, ssmCallOptions } from "./lengths.ts";

/** `finalAct` names (S4's activations on the output linear), or null for none. */
export type S4DFinalAct = "glu" | "id" | "identity" | "gelu" | "relu" | "tanh" | "silu" | "swish" | "sigmoid" | null;
const FINAL_ACTS = ["glu", "id", "identity", "gelu", "relu", "tanh", "silu", "swish", "sigmoid"];

/** lrnnx's `S4D(d_model, ...)` keyword arguments, camelCase. */
export interface S4DOptions {
  dModel: number;
  /** Reduce the SSM's width to `dModel / bottleneck` (input linear before, output linear back). */
  bottleneck?: number | null;
  /** Multiplicative gating: `v = gelu(Linear(dModel → H·gate))`, `y = output_gate(y) ⊙ v`. */
  gate?: number | null;
  /** Activation of the output linear (default "glu"); null: no output linear. */
  finalAct?: S4DFinalAct;
  /** Dropout after the multiplicative activation (default 0). */
  dropout?: number;
  /** One dropout mask per (sequence, feature), shared over time (nn.Dropout1d) (default false). */
  tieDropout?: boolean;
  /** `x` is `[B, H, L]` (default true, lrnnx's) or `[B, L, H]`. */
  transposed?: boolean;
  /** Kernel length cap: the convolution kernel has `min(L, lMax)` taps (default: L). */
  lMax?: number | null;
  /** Output channels per feature (the SSM maps 1 → channels) (default 1). */
  channels?: number;
  /** State size `N` (even; `N/2` complex modes) (default 64). */
  dState?: number;
  dtMin?: number;
  dtMax?: number;
  /** One step per feature (`inv_dt [H, 1]`, default) or per mode (`[H, N/2]`). */
  dtTie?: boolean;
  /** How `Δ` is stored: "exp" (default: log Δ), "none", "relu", "sigmoid", "softplus". */
  dtTransform?: string;
  /** Store `asinh(inv_dt)` and use `sinh` (default false). */
  dtFast?: boolean;
  /** Rank of HiPPO's low-rank correction (enters the normalisation of "legt", which needs ≥ 2) (default 1). */
  rank?: number;
  /** Independent SSMs, tiled over the H features (default H). */
  nSsm?: number | null;
  /** Initialisation of A and B (default "legs"; see s4d-block-init.ts). */
  init?: string;
  /** C = first eigenvector coordinate (no randomness) and Δ log-spaced (default false). */
  deterministic?: boolean;
  /** Storage of −Re A (default "exp") and −Im A (default "none"). */
  realTransform?: string;
  imagTransform?: string;
  /** Real-valued SSM: A, B, C real (no A_imag) (default false). */
  isReal?: boolean;
  /** Learning rate of the SSM parameters (inv_dt, A_real, A_imag, B, C): a separate optimizer group; 0 freezes them. */
  lr?: number | null;
  /** Weight decay of the SSM parameters' group (default 0). */
  wd?: number;
  /** "zoh" (default) or "bilinear". */
  disc?: "zoh" | "bilinear";
  /** Parameter key (the port's; lrnnx draws from torch's global generator). */
  key?: PRNGKey;
}

/** The step cache (`allocate_inference_cache`): `lrnn_state: [B, H, N/2]` complex64. */
export interface S4DBlockCache {
  readonly [name: string]: Array;
  readonly lrnn_state: Array;
}

/** Options of `S4D.forward`. */
export interface S4DForwardOptions {
  /** Valid lengths: a number (all sequences) or `[B]` / `[1]` / `[]` (list or int array; may be traced). */
  lengths?: number | readonly number[] | Array;
  /** Initial state `[B, H, N/2]` complex64 (default zeros). */
  state?: Array;
  /** Dropout key (training with dropout > 0). */
  key?: PRNGKey;
  /** Overrides the block's inference flag (dropout off). */
  inference?: boolean;
}

/** A Linear followed by an activation (S4's `LinearActivation`); "glu" doubles the width. */
class LinearAct extends Module {
  readonly linear: Linear;
  readonly activation: string;
  constructor(dIn: number, dOut: number, activation: string, key: PRNGKey) {
    super();
    this.linear = new Linear(dIn, activation === "glu" ? 2 * dOut : dOut, { key });
    this.activation = activation;
  }
  call(x: Array): Array {
    const y = this.linear.call(x);
    switch (this.activation) {
      case "glu": {
        const d = y.shape[y.ndim - 1] / 2;
        return np.multiply(y.get("...", `:${d}`), sigmoid(y.get("...", `${d}:`)));
      }
      case "gelu":
        return geluExact(y);
      case "relu":
        return relu(y);
      case "tanh":
        return np.tanh(y);
      case "silu":
      case "swish":
        return silu(y);
      case "sigmoid":
        return sigmoid(y);
      default:
        return y;
    }
  }
}

const SSM_LEAVES = ["inv_dt", "A_real", "A_imag", "B", "C"];

/** lrnnx's S4D block. Leaves (lrnnx's names): `inv_dt, A_real, A_imag?, B, C, D`, then the linears. */
export class S4D extends Module {
  readonly inv_dt: Array;
  readonly A_real: Array;
  readonly A_imag: Array | null;
  readonly B: Array;
  readonly C: Array;
  readonly D: Array;
  readonly input_linear: Linear | null;
  readonly input_gate: LinearAct | null;
  readonly output_gate: Linear | null;
  readonly output_linear: LinearAct | null;
  /** Static hyper-parameters. */
  readonly dModel: number;
  readonly H: number;
  readonly N: number;
  readonly channels: number;
  readonly nSsm: number;
  readonly transposed: boolean;
  readonly lMax: number | null;
  readonly gate: number | null;
  readonly dropout: number;
  readonly tieDropout: boolean;
  readonly dtTransform: string;
  readonly dtFast: boolean;
  readonly realTransform: string;
  readonly imagTransform: string;
  readonly isReal: boolean;
  readonly disc: "zoh" | "bilinear";
  readonly lr: number | null;
  readonly wd: number;
  readonly inference: boolean;

  constructor(opts: S4DOptions) {
    super();
    checkOptionKeys("S4D", opts, [
      "dModel",
      "bottleneck",
      "gate",
      "finalAct",
      "dropout",
      "tieDropout",
      "transposed",
      "lMax",
      "channels",
      "dState",
      "dtMin",
      "dtMax",
      "dtTie",
      "dtTransform",
      "dtFast",
      "rank",
      "nSsm",
      "init",
      "deterministic",
      "realTransform",
      "imagTransform",
      "isReal",
      "lr",
      "wd",
      "disc",
      "key",
    ]);
    const int = (name: string, v: unknown, min = 1): number => {
      if (typeof v !== "number" || !Number.isInteger(v) || v < min)
        throw new ValueError(`S4D: ${name} must be an integer >= ${min}; got ${JSON.stringify(v)}`);
      return v;
    };
    const dModel = int("dModel", opts.dModel);
    const bottleneck = opts.bottleneck ?? null;
    const H = bottleneck === null ? dModel : Math.floor(dModel / int("bottleneck", bottleneck));
    if (H < 1) throw new ValueError(`S4D: dModel / bottleneck = ${dModel} / ${bottleneck} leaves no features`);
    const N = int("dState", opts.dState ?? 64, 2);
    if (N % 2 !== 0) throw new ValueError(`S4D: dState must be even (N/2 complex modes); got ${N}`);
    const channels = int("channels", opts.channels ?? 1);
    const nSsm = int("nSsm", opts.nSsm ?? H);
    if (H % nSsm !== 0) throw new ValueError(`S4D: nSsm=${nSsm} must divide the SSM width ${H}`);
    const gate = opts.gate === undefined || opts.gate === null ? null : int("gate", opts.gate);
    const finalAct = opts.finalAct === undefined ? "glu" : opts.finalAct;
    if (finalAct !== null && !FINAL_ACTS.includes(finalAct))
      throw new ValueError(
        `S4D: finalAct must be one of ${FINAL_ACTS.join(", ")} or null; got ${JSON.stringify(finalAct)}`,
      );
    const dropout = opts.dropout ?? 0;
    if (!(dropout >= 0 && dropout < 1)) throw new ValueError(`S4D: dropout must be in [0, 1); got ${dropout}`);
    const dtMin = opts.dtMin ?? 0.001;
    const dtMax = opts.dtMax ?? 0.1;
    if (!(dtMin > 0 && dtMax >= dtMin)) throw new ValueError(`S4D: need 0 < dtMin <= dtMax; got ${dtMin}, ${dtMax}`);
    const dtTie = opts.dtTie ?? true;
    const dtTransform = opts.dtTransform ?? "exp";
    const realTransform = opts.realTransform ?? "exp";
    const imagTransform = opts.imagTransform ?? "none";
    for (const [n, t] of [
      ["dtTransform", dtTransform],
      ["realTransform", realTransform],
      ["imagTransform", imagTransform],
    ]) {
      if (!TRANSFORMS.includes(t))
        throw new ValueError(`S4D: ${n} must be one of ${TRANSFORMS.join(", ")}; got ${JSON.stringify(t)}`);
    }
    const deterministic = opts.deterministic ?? false;
    if (deterministic && (!dtTie || dtTransform !== "exp"))
      throw new ValueError(`S4D: deterministic initialisation needs dtTie: true and dtTransform: "exp" (as lrnnx)`);
    const disc = opts.disc ?? "zoh";
    if (disc !== "zoh" && disc !== "bilinear")
      throw new ValueError(`S4D: disc must be "zoh" or "bilinear"; got ${JSON.stringify(disc)}`);
    const lMax = opts.lMax ?? null;
    if (lMax !== null) int("lMax", lMax);
    const lr = opts.lr ?? null;
    if (lr !== null && !(typeof lr === "number" && lr >= 0))
      throw new ValueError(`S4D: lr must be a number >= 0 or null; got ${JSON.stringify(lr)}`);
    const wd = opts.wd ?? 0;
    if (!(typeof wd === "number" && wd >= 0))
      throw new ValueError(`S4D: wd must be a number >= 0; got ${JSON.stringify(wd)}`);
    const isReal = opts.isReal ?? false;
    const rank = int("rank", opts.rank ?? 1);
    const key = opts.key ?? random.PRNGKey(0);
    const [kDt, kInit, kC, kD, kIn, kGate, kOutGate, kOut] = splitKey(key, 8);

    // Δ: log-uniform in [dtMin, dtMax] per feature (or per mode), stored under dtTransform.
    let invDt: Array;
    if (deterministic) invDt = np.linspace(Math.log(dtMin), Math.log(dtMax), H).reshape([H, 1]);
    else {
      invDt = random.uniform(kDt, dtTie ? [H, 1] : [H, N / 2], { minval: Math.log(dtMin), maxval: Math.log(dtMax) });
      if (dtTransform !== "exp") invDt = invTransform(np.exp(invDt), dtTransform);
    }
    if (opts.dtFast ?? false) invDt = np.arcsinh(invDt);
    const { A, B, V } = combination(opts.init ?? "legs", N, rank, nSsm, kInit);
    let C: Array;
    if (deterministic) {
      // C = e₀ in the original basis, i.e. Vᴴ e₀ = conj(V[0, :]) per SSM, tiled over H.
      const c0 = np.conj(V.get(":", 0, ":")); // [nSsm, N/2]
      C = np.broadcastTo(np.tile(c0, [H / nSsm, 1]), [channels, H, N / 2]);
    } else {
      // torch.randn(cfloat): real and imaginary parts each N(0, ½).
      const [kr, ki] = splitKey(kC, 2);
      C = lax.complex(
        np.multiply(random.normal(kr, [channels, H, N / 2]), Math.SQRT1_2),
        np.multiply(random.normal(ki, [channels, H, N / 2]), Math.SQRT1_2),
      );
    }
    this.inv_dt = invDt;
    this.A_real = invTransform(np.negative(np.real(A)), realTransform);
    this.A_imag = isReal ? null : invTransform(np.negative(np.imag(A)), imagTransform);
    this.B = isReal
      ? np.real(B).reshape([1, nSsm, N / 2])
      : np.stack([np.real(B), np.imag(B)], { axis: -1 }).reshape([1, nSsm, N / 2, 2]);
    this.C = isReal ? np.real(C) : np.stack([np.real(C), np.imag(C)], { axis: -1 });
    this.D = random.normal(kD, [channels, H]);
    this.input_linear = bottleneck === null ? null : new Linear(dModel, H, { key: kIn });
    this.input_gate = gate === null ? null : new LinearAct(dModel, H * gate, "gelu", kGate);
    this.output_gate =
      gate !== null && H * channels !== H * gate ? new Linear(H * channels, H * gate, { key: kOutGate }) : null;
    this.output_linear =
      finalAct === null
        ? null
        : new LinearAct(
            gate !== null ? H * gate : H * channels,
            dModel,
            finalAct === "identity" ? "id" : finalAct,
            kOut,
          );
    this.dModel = dModel;
    this.H = H;
    this.N = N / 2;
    this.channels = channels;
    this.nSsm = nSsm;
    this.transposed = opts.transposed ?? true;
    this.lMax = lMax;
    this.gate = gate;
    this.dropout = dropout;
    this.tieDropout = opts.tieDropout ?? false;
    this.dtTransform = dtTransform;
    this.dtFast = opts.dtFast ?? false;
    this.realTransform = realTransform;
    this.imagTransform = imagTransform;
    this.isReal = isReal;
    this.disc = disc;
    this.lr = lr;
    this.wd = wd;
    this.inference = false;
    if (finalAct === null && (gate !== null ? H * gate : H * channels) !== dModel) {
      throw new ValueError(
        `S4D: finalAct null (no output linear) needs the inner width ${gate !== null ? H * gate : H * channels} to equal dModel ${dModel}`,
      );
    }
  }

  /** The output width (lrnnx's `d_output`): `dModel`. */
  get dOutput(): number {
    return this.dModel;
  }

  /** `Δ [H, 1|N/2]`, `A [H, N/2]`, `B [H, N/2]`, `C [channels, H, N/2]` (complex64), `ΔA`. */
  private params(): { dt: Array; A: Array; B: Array; C: Array; dtA: Array } {
    const reps = this.H / this.nSsm;
    const zero = (x: Array) => lax.complex(x, np.zerosLike(x));
    const Are = np.negative(paramTransform(this.A_real, this.realTransform));
    const A1 =
      this.A_imag === null ? zero(Are) : lax.complex(Are, np.negative(paramTransform(this.A_imag, this.imagTransform)));
    const B1 = this.isReal ? zero(this.B.get(0)) : lax.complex(this.B.get(0, "...", 0), this.B.get(0, "...", 1));
    const C = this.isReal ? zero(this.C) : lax.complex(this.C.get("...", 0), this.C.get("...", 1));
    const dt = paramTransform(this.dtFast ? np.sinh(this.inv_dt) : this.inv_dt, this.dtTransform);
    const A = np.tile(A1, [reps, 1]);
    return { dt, A, B: np.tile(B1, [reps, 1]), C, dtA: np.multiply(lax.complex(dt, np.zerosLike(dt)), A) };
  }

  /** The discrete `dA`, `dB` (`[H, N/2]`) and `log dA` of the chosen discretisation. */
  discrete(): { dA: Array; dB: Array; logdA: Array; C: Array } {
    const { dt, A, B, C, dtA } = this.params();
    if (this.disc === "zoh") {
      const dA = np.exp(dtA);
      // expm1: dA − 1 cancels in complex64 for small steps (19% off at Δ = 1e-7, as S4D/S5 were).
      return { dA, dB: np.divide(np.multiply(B, np.expm1(dtA)), A), logdA: dtA, C };
    }
    const half = np.multiply(dtA, 0.5);
    const den = np.subtract(1, half);
    const dA = np.divide(np.add(1, half), den);
    // log of a complex number: log|z| + i·arg z.
    const logdA = lax.complex(np.log(np.abs(dA)), np.arctan2(np.imag(dA), np.real(dA)));
    return { dA, dB: np.divide(np.multiply(B, lax.complex(dt, np.zerosLike(dt))), den), logdA, C };
  }

  /** The convolution kernel `K [channels, H, L]` (2 Re Σ_n C dB dA^l). */
  kernel(L: number): Array {
    const { dB, logdA, C } = this.discrete();
    const l = lax.complex(np.arange(L, { dtype: "float32" }), np.zeros([L]));
    const vand = np.exp(np.multiply(np.expandDims(logdA, -1), l)); // [H, N/2, L]
    return np.multiply(np.real(np.einsum("chn,hnl->chl", np.multiply(C, dB), vand)), 2);
  }

  /** Dropout after the multiplicative activation; `y: [B, L, F]`. */
  private drop(y: Array, key: PRNGKey | undefined, inference: boolean): Array {
    if (inference || this.dropout === 0) return y;
    if (key === undefined)
      throw new ValueError(
        "S4D.forward: a `key` is required in training mode with dropout > 0 (or nn.inference(block))",
      );
    const q = 1 - this.dropout;
    const mask = random.bernoulli(key, q, this.tieDropout ? [y.shape[0], 1, y.shape[2]] : y.shape);
    return np.where(mask, np.divide(y, q), np.zerosLike(y));
  }

  /** The per-token tail after the SSM: `y: [..., channels, H]` (with D added) → `[..., dModel]`. */
  private tail(y: Array, v: Array | null, key: PRNGKey | undefined, inference: boolean, seq: boolean): Array {
    let h = geluExact(y.reshape([...y.shape.slice(0, -2), this.channels * this.H]));
    if (v !== null) {
      if (this.output_gate !== null) h = this.output_gate.call(h);
      h = np.multiply(h, v);
    }
    h = geluExact(h);
    if (seq) h = this.drop(h, key, inference);
    return this.output_linear === null ? h : this.output_linear.call(h);
  }

  /**
   * lrnnx's `forward(x, lengths)`: `x: [B, H, L]` (transposed) or `[B, L, H]` → `[y, state]`
   * with `y` shaped like `x` (width `dModel`) and `state: [B, H, N/2]` the SSM state after each
   * sequence's last valid step (from `opts.state`, default zero).
   */
  forward(x: Array, callOpts?: S4DForwardOptions): [Array, Array] {
    const opts = ssmCallOptions<S4DForwardOptions>("S4D.forward", callOpts, ["lengths", "state", ...CALL_OPTION_KEYS]);
    if (x.ndim !== 3)
      throw new ShapeError(
        `S4D.forward: expected x of shape ${this.transposed ? "[B, dModel, L]" : "[B, L, dModel]"}; got [${x.shape.join(", ")}]`,
      );
    let u = this.transposed ? np.swapaxes(x, 1, 2) : x; // [B, L, dModel]
    const [Bsz, L, F] = u.shape;
    if (F !== this.dModel)
      throw new ShapeError(
        `S4D.forward: expected ${this.dModel} features (transposed: ${this.transposed}); got x of shape [${x.shape.join(", ")}]`,
      );
    const lens = this.lengths(opts.lengths, Bsz, L);
    if (lens !== null)
      u = np.where(np.less(np.arange(L).reshape([1, L, 1]), lens.reshape([Bsz, 1, 1])), u, np.zerosLike(u));
    const v = this.input_gate === null ? null : this.input_gate.call(u);
    if (this.input_linear !== null) u = this.input_linear.call(u);
    const uh = np.swapaxes(u, 1, 2); // [B, H, L]
    const lk = this.lMax === null ? L : Math.min(L, this.lMax);
    const k = this.kernel(lk);
    const n = lk + L;
    const yf = np.multiply(np.expandDims(np.fft.rfft(uh, { n, axis: -1 }), 1), np.fft.rfft(k, { n, axis: -1 }));
    let y = np.fft.irfft(yf, { n, axis: -1 }).get("...", `:${L}`); // [B, C, H, L]
    const { dA, dB, logdA, C } = this.discrete();
    const s0 = opts.state ?? this.defaultState(Bsz);
    if (
      opts.state !== undefined &&
      (s0.ndim !== 3 || s0.shape[0] !== Bsz || s0.shape[1] !== this.H || s0.shape[2] !== this.N)
    ) {
      throw new ShapeError(
        `S4D.forward: state must have shape [${Bsz}, ${this.H}, ${this.N}]; got [${s0.shape.join(", ")}]`,
      );
    }
    const l = lax.complex(np.arange(L, { dtype: "float32" }), np.zeros([L]));
    if (opts.state !== undefined) {
      // The initial state's response: 2 Re Σ_n C dA^{l+1} s0.
      const pw = np.exp(np.multiply(np.expandDims(logdA, -1), np.add(l, 1))); // [H, N/2, L]
      y = np.add(y, np.multiply(np.real(np.einsum("chn,hnl,bhn->bchl", C, pw, s0)), 2));
    }
    y = np.add(y, np.multiply(np.expandDims(this.D, [0, -1]), np.expandDims(uh, 1)));
    const out = this.tail(np.moveaxis(y, -1, 1), v, opts.key, opts.inference ?? this.inference, true); // [B, L, dModel]
    // State after the last valid step t = len − 1: dA^len s0 + Σ_{l<len} dA^{len−1−l} dB u_l.
    const len = lens ?? np.full([Bsz], L, { dtype: "int32" });
    const lenC = lax.complex(len.astype("float32"), np.zeros([Bsz]));
    const expo = np.subtract(lenC.reshape([Bsz, 1]), np.add(l.reshape([1, L]), 1)); // [B, L]: len − 1 − l
    const valid = np.less(np.arange(L).reshape([1, L]), len.reshape([Bsz, 1]));
    const w = np.where(
      np.expandDims(valid, [1, 2]),
      np.exp(np.multiply(logdA.reshape([1, this.H, this.N, 1]), np.expandDims(expo, [1, 2]))),
      np.zeros([1], { dtype: "complex64" }),
    );
    const uc = lax.complex(uh, np.zerosLike(uh));
    let state = np.multiply(dB, np.sum(np.multiply(w, np.expandDims(uc, 2)), { axis: -1 })); // [B, H, N/2]
    state = np.add(state, np.multiply(np.exp(np.multiply(logdA, lenC.reshape([Bsz, 1, 1]))), s0));
    void dA;
    return [this.transposed ? np.swapaxes(out, 1, 2) : out, state];
  }

  /** `[B]` int32 lengths (or null when absent / all equal to L as an int, as lrnnx). */
  private lengths(lengths: S4DForwardOptions["lengths"], B: number, L: number): Array | null {
    if (lengths === undefined) return null;
    if (typeof lengths === "number") {
      if (!Number.isInteger(lengths) || lengths < 0 || lengths > L)
        throw new ValueError(`S4D.forward: lengths must be an integer in [0, ${L}]; got ${lengths}`);
      return lengths === L ? null : np.full([B], lengths, { dtype: "int32" });
    }
    const arr = lengths instanceof Array ? lengths : np.array(new Int32Array(lengths));
    // A scalar array (e.g. one entry of a vmapped [B] lengths) applies to every sequence, like a number.
    if (arr.ndim > 1 || (arr.ndim === 1 && arr.shape[0] !== 1 && arr.shape[0] !== B))
      throw new ShapeError(`S4D.forward: lengths must have shape [${B}], [1] or []; got [${arr.shape.join(", ")}]`);
    if (arr.dtype !== "int32" && arr.dtype !== "uint32")
      throw new ValueError(`S4D.forward: lengths must be integers; got ${arr.dtype}`);
    return np.broadcastTo(arr.astype("int32"), [B]);
  }

  /** lrnnx's `default_state(*batch_shape)`: zeros `[...batchShape, H, N/2]` complex64. */
  defaultState(...batchShape: number[]): Array {
    return np.zeros([...batchShape, this.H, this.N], { dtype: "complex64" });
  }

  /** lrnnx's `allocate_inference_cache(batch_size)`: `{ lrnn_state: zeros [B, H, N/2] }`. */
  allocateInferenceCache(batchSize: number): S4DBlockCache {
    if (!Number.isInteger(batchSize) || batchSize < 1)
      throw new ValueError(`S4D.allocateInferenceCache: batchSize must be a positive integer; got ${batchSize}`);
    return { lrnn_state: this.defaultState(batchSize) };
  }

  /** lrnnx's `step(x, cache)`: `x: [B, dModel]` → `[y: [B, dModel], cache]` (inference: no dropout). Pure. */
  step(x: Array, cache: S4DBlockCache): [Array, S4DBlockCache] {
    const s = cache.lrnn_state;
    if (x.ndim !== 2 || x.shape[1] !== this.dModel || s.shape[0] !== x.shape[0]) {
      throw new ShapeError(
        `S4D.step: expected x of shape [${s.shape[0]}, ${this.dModel}] (the cache's batch); got [${x.shape.join(", ")}]`,
      );
    }
    const v = this.input_gate === null ? null : this.input_gate.call(x);
    const u = this.input_linear === null ? x : this.input_linear.call(x);
    const { dA, dB, C } = this.discrete();
    const next = np.add(np.multiply(dA, s), np.multiply(dB, np.expandDims(u, -1).astype("complex64")));
    let y = np.multiply(np.real(np.einsum("chn,bhn->bch", C, next)), 2);
    y = np.add(y, np.multiply(this.D, np.expandDims(u, 1)));
    return [this.tail(y, v, undefined, true, false), { lrnn_state: next }];
  }

  /**
   * Labels for `nn.optim.multiTransform`, one per array leaf: the SSM parameters (`inv_dt`,
   * `A_real`, `A_imag`, `B`, `C`) get `ssmLabel` (lrnnx/S4's `_optim` group with `lr`, `wd`), or
   * `frozenLabel` when `lr === 0` (S4 registers them as buffers); every other leaf `defaultLabel`.
   */
  paramLabels(labels: { default?: string; ssm?: string; frozen?: string } = {}): unknown {
    const ssmLabel = this.lr === 0 ? (labels.frozen ?? "frozen") : (labels.ssm ?? "ssm");
    const def = labels.default ?? "default";
    const sub = (m: Module | null): unknown => (m === null ? null : labelAll(m, def));
    const out: Record<string, unknown> = {};
    for (const k of SSM_LEAVES) out[k] = (this as unknown as Record<string, unknown>)[k] === null ? null : ssmLabel;
    out.D = def;
    out.input_linear = sub(this.input_linear);
    out.input_gate = sub(this.input_gate);
    out.output_gate = sub(this.output_gate);
    out.output_linear = sub(this.output_linear);
    return out;
  }

  /** The SSM group's optimiser settings (lrnnx's `_optim`): `{ lr, weightDecay }`. */
  get ssmOptim(): { lr: number | null; weightDecay: number } {
    return { lr: this.lr, weightDecay: this.wd };
  }
}

/** `label` at every array leaf of a module (a plain object tree mirroring its fields). */
function labelAll(m: Module, label: string): unknown {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(m)) {
    if (v instanceof Array) out[k] = label;
    else if (v instanceof Module) out[k] = labelAll(v, label);
    else if (v === null) out[k] = null;
  }
  return out;
}
