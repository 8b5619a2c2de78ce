/**
 * The selective scan of Mamba (`mamba_ssm.ops.selective_scan_interface.selective_scan_ref`), with
 * its semantics and layout:
 *
 *   Δ ← softplus(Δ + deltaBias)            (when `deltaSoftplus`; torch's softplus, linear above 20)
 *   x_t = exp(Δ_t A) ⊙ x_{t-1} + Δ_t B_t u_t          (per channel d and state n; x_{-1} = 0)
 *   y_t = Σ_n C_t[n] x_t[·, n] + D ⊙ u_t,   out = y ⊙ silu(z)  (when z is given)
 *
 * `u, Δ, z: [batch, D, L]`, `A: [D, N]`, `B, C: [batch, N, L]` (input-dependent),
 * `[batch, G, N, L]` (input-dependent, grouped: channel d reads group `floor(d / (D / G))`, as the
 * reference's `repeat(B, "B G N L -> B (G H) N L")`) or `[D, N]` (fixed), `D, deltaBias: [D]`. With a complex `A` the state is complex and (as the reference)
 * the output is `2·Re(y)`.
 *
 * The parallel form runs the recurrence as `lax.linearRecurrence` over the time axis (one O(L)
 * pass; its transpose — the backward pass — is the same recurrence run backwards). To bound
 * memory it walks the sequence in chunks of `chunkSize` steps with `lax.scan`, each chunk a
 * `checkpoint`: the `[batch, D, chunk, N]` discretised tensors exist only inside one chunk, and
 * reverse mode keeps only each chunk's initial state `[batch, D, N]` and recomputes the chunk.
 *
 * `discretization: "exptrap"` is Mamba-3's exponential-trapezoidal rule (an extension: the
 * reference has only Mamba-1's rule, called "zoh" here):
 *   x_t = α_t x_{t-1} + (1-λ) Δ_t α_t B_{t-1} u_{t-1} + λ Δ_t B_t u_t,   α_t = exp(Δ_t A),
 * with the trapezoid weight `λ = trapezoidLambda` (default ½; Mamba-3 makes it data dependent,
 * `σ(projection)`, a `[batch, D, L]` array here); λ = 1 is Mamba-1's rule. This is the recurrence
 * of the official Mamba-3 reference (`mamba_ssm/modules/mamba3_simple.py`, `_recurrence`:
 * `γ_t = λ_t Δ_t`, `β_t = (1 − λ_t) Δ_t exp(Δ_t A)`, no β term at the first step), generalised
 * from its scalar-per-head A to Mamba-1's `[D, N]` A; checked against a numpy transcription of
 * it in testdata/ssm/mamba3-exptrap.json.
 */
import { type Array, DTypeError, ShapeError, ValueError, checkpoint, isComplex, lax, np } from "@linax-ts/core";

/** How the continuous system is discretised per step. */
export type SelectiveScanDiscretization = "zoh" | "exptrap";

/** The keyword arguments of `selectiveScan` (mamba_ssm's, camelCase), plus chunking and Mamba-3's rule. */
export interface SelectiveScanOptions {
  /** Skip connection `[D]`: `y += D ⊙ u`. */
  D?: Array | null;
  /** Gate `[batch, D, L]`: `out = y ⊙ silu(z)`. */
  z?: Array | null;
  /** Added to Δ before the softplus `[D]`. */
  deltaBias?: Array | null;
  /** Apply softplus to `Δ + deltaBias` (default false, as the reference). */
  deltaSoftplus?: boolean;
  /** Also return the last state `[batch, D, N]` (default false). */
  returnLastState?: boolean;
  /** Steps per checkpointed chunk of the parallel scan (default 64). */
  chunkSize?: number;
  /** "zoh" (Mamba-1, default) or "exptrap" (Mamba-3). */
  discretization?: SelectiveScanDiscretization;
  /**
   * λ of the exponential-trapezoidal rule (default 0.5): a number, or a data-dependent
   * `[batch, D, L]` array (Mamba-3's λ_t, e.g. a sigmoid of a projection) — in `step`, `[batch, D]`.
   */
  trapezoidLambda?: number | Array;
  /** Initial state `[batch, D, N]` (default zeros); lets a sequence be continued. */
  initialState?: Array | null;
}

/** torch's `softplus` (threshold 20): `x` above 20, `log1p(exp(x))` below — gradient-safe. */
export function torchSoftplus(x: Array): Array {
  return np.where(np.greater(x, 20), x, np.log1p(np.exp(np.minimum(x, 20))));
}

function fmt(x: Array): string {
  return `[${x.shape.join(", ")}] ${x.dtype}`;
}

/** How B or C is given: fixed `[D, N]`, input-dependent `[batch, N, L]`, or grouped `[batch, G, N, L]`. */
type BCKind = "fixed" | "variable" | "grouped";

interface Checked {
  batch: number;
  Dch: number;
  L: number;
  N: number;
  kindB: BCKind;
  kindC: BCKind;
}

function checkArgs(u: Array, delta: Array, A: Array, B: Array, C: Array, o: SelectiveScanOptions): Checked {
  const op = "selectiveScan";
  if (u.ndim !== 3) throw new ShapeError(`${op}: u must be [batch, D, L]; got ${fmt(u)}`);
  const [batch, Dch, L] = u.shape;
  const same = (name: string, x: Array | null | undefined): void => {
    if (x && (x.ndim !== 3 || x.shape.some((s, i) => s !== u.shape[i])))
      throw new ShapeError(`${op}: ${name} must have u's shape [${u.shape.join(", ")}]; got ${fmt(x)}`);
  };
  same("delta", delta);
  same("z", o.z);
  if (A.ndim !== 2 || A.shape[0] !== Dch)
    throw new ShapeError(`${op}: A must be [D, N] with D = ${Dch}; got ${fmt(A)}`);
  const N = A.shape[1];
  const bc = (name: string, x: Array): BCKind => {
    if (x.ndim === 3 && x.shape[0] === batch && x.shape[1] === N && x.shape[2] === L) return "variable";
    if (
      x.ndim === 4 &&
      x.shape[0] === batch &&
      x.shape[1] >= 1 &&
      Dch % x.shape[1] === 0 &&
      x.shape[2] === N &&
      x.shape[3] === L
    )
      return "grouped";
    if (x.ndim === 2 && x.shape[0] === Dch && x.shape[1] === N) return "fixed";
    throw new ShapeError(
      `${op}: ${name} must be [batch, N, L] = [${batch}, ${N}, ${L}] (input-dependent), [batch, G, N, L] = [${batch}, G, ${N}, ${L}] with G dividing D = ${Dch} (grouped) or [D, N] = [${Dch}, ${N}] (fixed); got ${fmt(x)}`,
    );
  };
  const kindB = bc("B", B);
  const kindC = bc("C", C);
  for (const [name, x] of [
    ["D", o.D],
    ["deltaBias", o.deltaBias],
  ] as const) {
    if (x && (x.ndim !== 1 || x.shape[0] !== Dch))
      throw new ShapeError(`${op}: ${name} must be [D] = [${Dch}]; got ${fmt(x)}`);
  }
  if (
    o.initialState &&
    (o.initialState.ndim !== 3 ||
      o.initialState.shape[0] !== batch ||
      o.initialState.shape[1] !== Dch ||
      o.initialState.shape[2] !== N)
  ) {
    throw new ShapeError(
      `${op}: initialState must be [batch, D, N] = [${batch}, ${Dch}, ${N}]; got ${fmt(o.initialState)}`,
    );
  }
  for (const [name, x] of [
    ["u", u],
    ["delta", delta],
    ["z", o.z],
    ["D", o.D],
    ["deltaBias", o.deltaBias],
  ] as const) {
    if (x && x.dtype !== "float32") throw new DTypeError(`${op}: ${name} must be float32; got ${fmt(x)}`);
  }
  for (const [name, x] of [
    ["A", A],
    ["B", B],
    ["C", C],
  ] as const) {
    if (x.dtype !== "float32" && x.dtype !== "complex64")
      throw new DTypeError(`${op}: ${name} must be float32 or complex64; got ${fmt(x)}`);
  }
  if (!isComplex(A.dtype) && (isComplex(B.dtype) || isComplex(C.dtype)))
    throw new DTypeError(`${op}: complex B or C needs a complex A; got A ${A.dtype}, B ${B.dtype}, C ${C.dtype}`);
  const disc = o.discretization ?? "zoh";
  if (disc !== "zoh" && disc !== "exptrap")
    throw new ValueError(`${op}: discretization must be "zoh" or "exptrap"; got ${JSON.stringify(disc)}`);
  const cs = o.chunkSize ?? 64;
  if (!Number.isInteger(cs) || cs < 1) throw new ValueError(`${op}: chunkSize must be a positive integer; got ${cs}`);
  const lam = o.trapezoidLambda ?? 0.5;
  if (typeof lam === "number" && !(lam >= 0 && lam <= 1))
    throw new ValueError(`${op}: trapezoidLambda must be in [0, 1]; got ${lam}`);
  if (typeof lam !== "number") same("trapezoidLambda", lam);
  return { batch, Dch, L, N, kindB, kindC };
}

/**
 * `[batch, N, T]` (input-dependent) → `[batch, 1, T, N]`; grouped `[batch, G, N, T]` → each
 * group repeated over its `D / G` channels, `[batch, D, T, N]`; fixed `[D, N]` → `[1, D, 1, N]`:
 * broadcastable against `[batch, D, T, N]`.
 */
function expandBC(x: Array, kind: BCKind, Dch: number): Array {
  if (kind === "variable") return np.expandDims(np.swapaxes(x, 1, 2), 1);
  if (kind === "fixed") return np.expandDims(np.expandDims(x, 1), 0);
  const [b, G, N, T] = x.shape;
  const t = np.expandDims(np.swapaxes(x, 2, 3), 2); // [b, G, 1, T, N]
  return np.broadcastTo(t, [b, G, Dch / G, T, N]).reshape([b, Dch, T, N]);
}

/**
 * One chunk of the scan: the states `[batch, D, T, N]` from the initial state `h0`, and the
 * readout. `uPrev`, `bPrev` (exptrap only) are u and B one step back.
 */
function chunkStates(
  h0: Array | null,
  u: Array,
  delta: Array,
  A: Array,
  B: Array,
  kindB: BCKind,
  disc: SelectiveScanDiscretization,
  lam: number | Array,
  uPrev: Array | null,
  bPrev: Array | null,
): Array {
  // deltaA = exp(einsum('bdl,dn->bdln', delta, A)); deltaB_u = einsum('bdl,b?nl,bdl->bdln', delta, B, u).
  const d4 = np.expandDims(delta, 3);
  const dA = np.exp(np.multiply(d4, np.expandDims(np.expandDims(A, 1), 0)));
  const Dch = u.shape[1];
  let drive = np.multiply(np.expandDims(np.multiply(delta, u), 3), expandBC(B, kindB, Dch));
  if (disc === "exptrap") {
    // λ Δ_t B_t u_t + (1-λ) Δ_t α_t B_{t-1} u_{t-1}.
    const prev = np.multiply(
      np.expandDims(np.multiply(delta, uPrev as Array), 3),
      expandBC(bPrev as Array, kindB, Dch),
    );
    const l = typeof lam === "number" ? lam : np.expandDims(lam, 3);
    drive = np.add(np.multiply(drive, l), np.multiply(np.multiply(prev, dA), np.subtract(1, l)));
  }
  // Fold the carried state into the first step's drive: x_0 = a_0 h0 + b_0.
  // (Static slices, not gathers: their transposes are pads, not scatters.) A known-zero h0 skips it.
  const T = u.shape[2];
  let b = drive;
  if (h0 !== null) {
    const first = np.add(
      np.multiply(lax.sliceInDim(dA, 0, 1, 1, 2), np.expandDims(h0, 2)),
      lax.sliceInDim(drive, 0, 1, 1, 2),
    );
    b = T === 1 ? first : np.concatenate([first, lax.sliceInDim(drive, 1, T, 1, 2)], 2);
  }
  const aC = isComplex(b.dtype) && !isComplex(dA.dtype) ? lax.complex(dA, np.zerosLike(dA)) : dA;
  const bC = isComplex(aC.dtype) && !isComplex(b.dtype) ? lax.complex(b, np.zerosLike(b)) : b;
  return lax.linearRecurrence(aC, bC, 2);
}

/** `Σ_n C[n] x[..., n]` → `[batch, D, T]`, `2·Re(·)` for a complex state. */
function readout(xs: Array, C: Array, kindC: BCKind): Array {
  const y = np.sum(np.multiply(xs, expandBC(C, kindC, xs.shape[1])), { axis: 3 });
  return isComplex(y.dtype) ? np.multiply(np.real(y), 2) : y;
}

/**
 * Mamba's selective scan, `ssm.ops.selectiveScan(u, delta, A, B, C, opts)` → `out [batch, D, L]`,
 * or `[out, lastState [batch, D, N]]` with `returnLastState`. See the module comment for the
 * recurrence; equal to `selective_scan_ref` of mamba_ssm for `discretization: "zoh"`.
 */
export function selectiveScan(
  u: Array,
  delta: Array,
  A: Array,
  B: Array,
  C: Array,
  opts: SelectiveScanOptions & { returnLastState: true },
): [Array, Array];
export function selectiveScan(u: Array, delta: Array, A: Array, B: Array, C: Array, opts?: SelectiveScanOptions): Array;
export function selectiveScan(
  u: Array,
  delta: Array,
  A: Array,
  B: Array,
  C: Array,
  opts: SelectiveScanOptions = {},
): Array | [Array, Array] {
  const { batch, Dch, L, N, kindB, kindC } = checkArgs(u, delta, A, B, C, opts);
  const variableB = kindB !== "fixed";
  const variableC = kindC !== "fixed";
  const disc = opts.discretization ?? "zoh";
  const lam = opts.trapezoidLambda ?? 0.5;
  const T = Math.min(opts.chunkSize ?? 64, Math.max(L, 1));
  const stateDtype = isComplex(A.dtype) || isComplex(B.dtype) ? "complex64" : "float32";
  let dt = delta;
  if (opts.deltaBias) dt = np.add(dt, np.expandDims(opts.deltaBias, 1));
  if (opts.deltaSoftplus) dt = torchSoftplus(dt);
  const h0 = opts.initialState
    ? opts.initialState.astype(stateDtype)
    : np.zeros([batch, Dch, N], { dtype: stateDtype });
  // exptrap's previous-step terms; a carried state has no previous input here (B u = 0), as at t = 0.
  const shiftL = (x: Array): Array => {
    const ax = x.ndim - 1;
    return lax.sliceInDim(
      np.pad(x, x.shape.map((_, i) => (i === ax ? [1, 0] : [0, 0])) as [number, number][]),
      0,
      x.shape[ax],
      1,
      ax,
    );
  };
  const uPrev = disc === "exptrap" ? shiftL(u) : null;
  const bPrev = disc === "exptrap" && variableB ? shiftL(B) : disc === "exptrap" ? B : null;

  // One checkpointed chunk: (h0, chunk inputs) → (last state, y).
  const lamArr = typeof lam === "number" || disc !== "exptrap" ? null : lam;
  const lamNum = typeof lam === "number" ? lam : 0.5;
  const body = checkpoint(
    (
      h: Array,
      uc: Array,
      dc: Array,
      Bc: Array,
      Cc: Array,
      up: Array | null,
      bp: Array | null,
      lc: Array | null,
    ): [Array, Array] => {
      const xs = chunkStates(h, uc, dc, A, Bc, kindB, disc, lc ?? lamNum, up, bp);
      const Tc = uc.shape[2];
      return [lax.sliceInDim(xs, Tc - 1, Tc, 1, 2).reshape(h.shape), readout(xs, Cc, kindC)];
    },
  );
  // The single-chunk case from a zero state: no state to fold in.
  const single = checkpoint(
    (
      uc: Array,
      dc: Array,
      Bc: Array,
      Cc: Array,
      up: Array | null,
      bp: Array | null,
      lc: Array | null,
    ): [Array, Array] => {
      const xs = chunkStates(null, uc, dc, A, Bc, kindB, disc, lc ?? lamNum, up, bp);
      const Tc = uc.shape[2];
      return [lax.sliceInDim(xs, Tc - 1, Tc, 1, 2).reshape([batch, Dch, N]), readout(xs, Cc, kindC)];
    },
  );

  let y: Array;
  let last: Array;
  if (L === 0) {
    y = np.zeros([batch, Dch, 0]);
    last = h0;
  } else if (L <= T) {
    [last, y] = opts.initialState
      ? body(h0, u, dt, B, C, uPrev, bPrev, lamArr)
      : single(u, dt, B, C, uPrev, bPrev, lamArr);
  } else {
    // Pad to a whole number of chunks with Δ = 0 (exp(0·A) = 1, drive 0: the state is unchanged).
    const nc = Math.ceil(L / T);
    const pad = nc * T - L;
    // Time is the last axis: [b, X, L] → [nc, b, X, T] (grouped [b, G, N, L] → [nc, b, G, N, T]), the scanned axis first.
    const chunks = (x: Array): Array => {
      const ax = x.ndim - 1;
      const p = pad ? np.pad(x, x.shape.map((_, i) => (i === ax ? [0, pad] : [0, 0])) as [number, number][]) : x;
      return np.moveaxis(p.reshape([...x.shape.slice(0, ax), nc, T]), ax, 0);
    };
    const xs = {
      u: chunks(u),
      d: chunks(dt),
      B: variableB ? chunks(B) : null,
      C: variableC ? chunks(C) : null,
      up: uPrev ? chunks(uPrev) : null,
      bp: bPrev && variableB ? chunks(bPrev) : null,
      lam: lamArr ? chunks(lamArr) : null,
    };
    const [hN, ys] = lax.scan(
      (h: Array, c: typeof xs): [Array, Array] => {
        return body(
          h,
          c.u as Array,
          c.d as Array,
          c.B ?? B,
          c.C ?? C,
          c.up,
          c.bp ?? (disc === "exptrap" ? B : null),
          c.lam,
        );
      },
      h0,
      xs,
    );
    // ys: [nc, b, D, T] → [b, D, nc·T] → drop the padding.
    y = lax.sliceInDim(np.moveaxis(ys, 0, 2).reshape([batch, Dch, nc * T]), 0, L, 1, 2);
    last = hN;
  }
  let out = opts.D ? np.add(y, np.multiply(u, np.expandDims(opts.D, 1))) : y;
  if (opts.z) out = np.multiply(out, np.multiply(opts.z, lax.logistic(opts.z)));
  return opts.returnLastState ? [out, last] : out;
}

/** The recurrent state of `selectiveScanStep`. */
export interface SelectiveScanState {
  readonly [name: string]: Array;
  /** The SSM state `[batch, D, N]` (complex64 for a complex A). */
  readonly h: Array;
  /** exptrap: `Δ`-free previous drive `B_{t-1} u_{t-1}` `[batch, D, N]` (zeros before the first step). */
  readonly bu: Array;
}

/** The zero state of `selectiveScanStep` for `batch` sequences, `D` channels, `N` states. */
export function selectiveScanInitState(
  batch: number,
  Dch: number,
  N: number,
  opts: { complex?: boolean } = {},
): SelectiveScanState {
  const dtype = opts.complex ? "complex64" : "float32";
  return { h: np.zeros([batch, Dch, N], { dtype }), bu: np.zeros([batch, Dch, N], { dtype }) };
}

/** Options of `selectiveScanStep`: `selectiveScan`'s, and whether B / C are fixed `[D, N]`. */
export interface SelectiveScanStepOptions extends Omit<
  SelectiveScanOptions,
  "returnLastState" | "chunkSize" | "initialState"
> {
  /** B is a fixed `[D, N]` (default false: input-dependent `[batch, N]`, or grouped `[batch, G, N]`). */
  fixedB?: boolean;
  /** C is a fixed `[D, N]` (default false: input-dependent `[batch, N]`, or grouped `[batch, G, N]`). */
  fixedC?: boolean;
}

/**
 * One step of the selective scan (its recurrent form, for inference): `u, delta, z: [batch, D]`,
 * `B, C: [batch, N]`, grouped `[batch, G, N]` (or fixed `[D, N]`, see `fixedB`/`fixedC`) →
 * `[out [batch, D], state]`.
 * Stepping a sequence from `selectiveScanInitState` equals `selectiveScan` on it.
 */
export function selectiveScanStep(
  state: SelectiveScanState,
  u: Array,
  delta: Array,
  A: Array,
  B: Array,
  C: Array,
  opts: SelectiveScanStepOptions = {},
): [Array, SelectiveScanState] {
  const op = "selectiveScanStep";
  const [batch, Dch, N] = state.h.shape;
  const isBD = (x: Array): boolean => x.ndim === 2 && x.shape[0] === batch && x.shape[1] === Dch;
  if (!isBD(u) || !isBD(delta) || (opts.z && !isBD(opts.z)))
    throw new ShapeError(
      `${op}: u, delta, z must be [batch, D] = [${batch}, ${Dch}] (the state's); got u ${fmt(u)}, delta ${fmt(delta)}`,
    );
  if (A.ndim !== 2 || A.shape[0] !== Dch || A.shape[1] !== N)
    throw new ShapeError(`${op}: A must be [D, N] = [${Dch}, ${N}]; got ${fmt(A)}`);
  const bc = (name: string, x: Array, fixed: boolean): Array => {
    if (
      !fixed &&
      x.ndim === 3 &&
      x.shape[0] === batch &&
      x.shape[1] >= 1 &&
      Dch % x.shape[1] === 0 &&
      x.shape[2] === N
    ) {
      // Grouped: each group's row repeated over its D / G channels → [batch, D, N].
      const G = x.shape[1];
      return np.broadcastTo(np.expandDims(x, 2), [batch, G, Dch / G, N]).reshape([batch, Dch, N]);
    }
    const want = fixed ? [Dch, N] : [batch, N];
    if (x.ndim !== 2 || x.shape[0] !== want[0] || x.shape[1] !== want[1])
      throw new ShapeError(
        `${op}: ${name} must be [${want.join(", ")}] (${fixed ? "fixed" : "input-dependent; or grouped [batch, G, N] with G dividing D"}); got ${fmt(x)}`,
      );
    // → broadcastable against [batch, D, N].
    return fixed ? np.expandDims(x, 0) : np.expandDims(x, 1);
  };
  const B3 = bc("B", B, opts.fixedB ?? false);
  const C3 = bc("C", C, opts.fixedC ?? false);
  const disc = opts.discretization ?? "zoh";
  const lam = opts.trapezoidLambda ?? 0.5;
  let dt = delta;
  if (opts.deltaBias) dt = np.add(dt, opts.deltaBias);
  if (opts.deltaSoftplus) dt = torchSoftplus(dt);
  const d3 = np.expandDims(dt, 2);
  const dA = np.exp(np.multiply(d3, np.expandDims(A, 0)));
  const bu = np.multiply(np.expandDims(u, 2), B3);
  let drive = np.multiply(d3, bu);
  if (disc === "exptrap") {
    if (typeof lam !== "number" && !isBD(lam))
      throw new ShapeError(
        `${op}: trapezoidLambda must be a number or [batch, D] = [${batch}, ${Dch}]; got ${fmt(lam)}`,
      );
    const l = typeof lam === "number" ? lam : np.expandDims(lam, 2);
    drive = np.add(np.multiply(drive, l), np.multiply(np.multiply(np.multiply(d3, state.bu), dA), np.subtract(1, l)));
  }
  const h = np.add(np.multiply(dA, state.h), drive).astype(state.h.dtype);
  let y = np.sum(np.multiply(h, C3), { axis: 2 });
  if (isComplex(y.dtype)) y = np.multiply(np.real(y), 2);
  if (opts.D) y = np.add(y, np.multiply(u, opts.D));
  if (opts.z) y = np.multiply(y, np.multiply(opts.z, lax.logistic(opts.z)));
  return [y, { h, bu: bu.astype(state.bu.dtype) }];
}
