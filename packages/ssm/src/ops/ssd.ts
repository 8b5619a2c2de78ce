/**
 * Mamba-2's state space duality (SSD; Dao & Gu 2024): the selective SSM with a scalar `A` per
 * head,
 *
 *   S_t = exp(Δ_t A_h) S_{t-1} + Δ_t x_t B_tᵀ        (S: [headDim, N] per head h; S_{-1} = 0)
 *   y_t = S_t C_t + D_h x_t
 *
 * with `x: [batch, L, H, P]`, `Δ: [batch, L, H]`, `A: [H]`, `B, C: [batch, L, G, N]` (G groups,
 * head h reads group `h / (H / G)`), `D: [H]`.
 *
 * `ssdChunked` is the chunked algorithm of the paper (mamba_ssm's `ssd_minimal_discrete`): within
 * each chunk of `chunkSize` steps the quadratic ("attention") form `Y = (L ∘ C Bᵀ) X` with the
 * decay mask `L[i, j] = exp(Σ_{j<k≤i} Δ_k A)`; between chunks a recurrence over the chunk states,
 * here a checkpointed `lax.scan` over the chunks (bounded backward-pass memory, see `ssdChunked`).
 * `ssdStep` is the plain recurrence, one step at a time (inference).
 */
import { type Array, ShapeError, ValueError, checkpoint, lax, np } from "@linax-ts/core";

/** Options of `ssdChunked`. */
export interface SsdOptions {
  /** Steps per chunk (default 256, Mamba-2's). */
  chunkSize?: number;
  /** Skip connection `[H]`. */
  D?: Array | null;
  /** Initial state `[batch, H, P, N]` (default zeros). */
  initialState?: Array | null;
  /** Also return the final state `[batch, H, P, N]`. */
  returnFinalState?: boolean;
}

function fmt(x: Array): string {
  return `[${x.shape.join(", ")}] ${x.dtype}`;
}

/** `segsum(x)[..., i, j] = Σ_{j<k≤i} x[..., k]` for `i ≥ j`, −∞ above the diagonal (exp → 0). */
function segsum(x: Array): Array {
  const T = x.shape[x.ndim - 1];
  // Stable form (no difference of two cumsums): repeat x along a new axis, zero all but k > j, cumsum over i.
  const rep = np.broadcastTo(np.expandDims(x, -1), [...x.shape, T]); // [..., i(k), j]
  const strictLower = np.tril(np.ones([T, T], { dtype: "bool" }), { k: -1 });
  const cs = np.cumsum(np.where(strictLower, rep, 0), -2);
  return np.where(np.tril(np.ones([T, T], { dtype: "bool" })), cs, -Infinity);
}

/** Repeats the G groups of `[b, L, G, N]` to H heads: `[b, L, H, N]`. */
function groupsToHeads(x: Array, H: number): Array {
  const G = x.shape[2];
  if (G === H) return x;
  const [b, L, , N] = x.shape;
  return np.broadcastTo(np.expandDims(x, 3), [b, L, G, H / G, N]).reshape([b, L, H, N]);
}

function checkArgs(x: Array, dt: Array, A: Array, B: Array, C: Array, where: string): void {
  if (x.ndim !== 4) throw new ShapeError(`${where}: x must be [batch, L, H, P]; got ${fmt(x)}`);
  const [b, L, H] = x.shape;
  if (dt.ndim !== 3 || dt.shape[0] !== b || dt.shape[1] !== L || dt.shape[2] !== H)
    throw new ShapeError(`${where}: dt must be [batch, L, H] = [${b}, ${L}, ${H}]; got ${fmt(dt)}`);
  if (A.ndim !== 1 || A.shape[0] !== H) throw new ShapeError(`${where}: A must be [H] = [${H}]; got ${fmt(A)}`);
  for (const [name, m] of [
    ["B", B],
    ["C", C],
  ] as const) {
    if (m.ndim !== 4 || m.shape[0] !== b || m.shape[1] !== L || H % m.shape[2] !== 0)
      throw new ShapeError(`${where}: ${name} must be [batch, L, G, N] with G dividing H = ${H}; got ${fmt(m)}`);
  }
  if (B.shape[2] !== C.shape[2] || B.shape[3] !== C.shape[3])
    throw new ShapeError(`${where}: B and C must have equal shapes; got ${fmt(B)} and ${fmt(C)}`);
}

/**
 * One chunk of the SSD scan from the entering state `S [b, H, P, N]`: `x [b, T, H, P]`,
 * `dt [b, T, H]`, `B, C [b, T, G, N]` → `[S after the chunk, y [b, T, H, P]]` (without `D x`).
 */
function ssdChunk(S: Array, x: Array, dt: Array, A: Array, B: Array, C: Array): [Array, Array] {
  const H = x.shape[2];
  const T = x.shape[1];
  const Xd = np.multiply(x, np.expandDims(dt, 3)); // Δ x
  const a = np.moveaxis(np.multiply(dt, A), 1, 2); // log-decays Δ A, [b, h, l]
  const Bh = groupsToHeads(B, H);
  const Ch = groupsToHeads(C, H);
  const aCum = np.cumsum(a, -1); // [b, h, l]
  // 1. Within the chunk: the quadratic form with the decay mask L[i, j] = exp(Σ_{j<k≤i} a_k).
  const yDiag = np.einsum("blhn,bshn,bhls,bshp->blhp", Ch, Bh, np.exp(segsum(a)), Xd);
  // 2. The entering state's contribution, decayed to each position.
  const yOff = np.einsum("blhn,bhpn,bhl->blhp", Ch, S, np.exp(aCum));
  // 3. The state leaving the chunk: the entering one decayed over the chunk, plus the chunk's inputs decayed to its end.
  const aLast = lax.sliceInDim(aCum, T - 1, T, 1, 2); // [b, h, 1]
  const own = np.einsum("blhn,bhl,blhp->bhpn", Bh, np.exp(np.subtract(aLast, aCum)), Xd);
  const Snew = np.add(np.multiply(np.expandDims(np.exp(aLast), 3), S), own);
  return [Snew, np.add(yDiag, yOff)];
}

/**
 * The chunked SSD scan: `[y [batch, L, H, P]]`, or `[y, finalState]` with `returnFinalState`.
 * Equal to the plain recurrence (`ssdStep` over time) for any chunk size; L need not be a
 * multiple of it (the tail is padded with Δ = 0, which leaves the state unchanged).
 *
 * Memory: the chunks are walked by a `lax.scan` whose body (`ssdChunk`) is a `checkpoint`, as in
 * `selectiveScan`: the `[b, H, T, T]` decay mask and the head-expanded B, C exist only inside one
 * chunk, and reverse mode keeps only each chunk's entering state `[b, H, P, N]` (plus the inputs),
 * recomputing the chunk in the backward pass. (mamba_ssm's `ssd_minimal_discrete` instead forms
 * all chunks' masks at once, `[b, H, L/T, T, T]`, and keeps them for the backward pass.)
 */
export function ssdChunked(
  x: Array,
  dt: Array,
  A: Array,
  B: Array,
  C: Array,
  opts: SsdOptions & { returnFinalState: true },
): [Array, Array];
export function ssdChunked(x: Array, dt: Array, A: Array, B: Array, C: Array, opts?: SsdOptions): Array;
export function ssdChunked(
  x: Array,
  dt: Array,
  A: Array,
  B: Array,
  C: Array,
  opts: SsdOptions = {},
): Array | [Array, Array] {
  checkArgs(x, dt, A, B, C, "ssdChunked");
  const [b, L, H, P] = x.shape;
  const N = B.shape[3];
  const cs = opts.chunkSize ?? 256;
  if (!Number.isInteger(cs) || cs < 1)
    throw new ValueError(`ssdChunked: chunkSize must be a positive integer; got ${cs}`);
  if (opts.D && (opts.D.ndim !== 1 || opts.D.shape[0] !== H))
    throw new ShapeError(`ssdChunked: D must be [H] = [${H}]; got ${fmt(opts.D)}`);
  if (
    opts.initialState &&
    (opts.initialState.ndim !== 4 || [b, H, P, N].some((s, i) => s !== (opts.initialState as Array).shape[i]))
  ) {
    throw new ShapeError(
      `ssdChunked: initialState must be [batch, H, P, N] = [${b}, ${H}, ${P}, ${N}]; got ${fmt(opts.initialState)}`,
    );
  }
  const S0 = opts.initialState ?? np.zeros([b, H, P, N]);
  const body = checkpoint((S: Array, xc: Array, dc: Array, Bc: Array, Cc: Array, Ac: Array): [Array, Array] =>
    ssdChunk(S, xc, dc, Ac, Bc, Cc),
  );
  let y: Array;
  let finalState: Array;
  if (L === 0) {
    y = np.zeros([b, 0, H, P]);
    finalState = S0;
  } else if (L <= cs) {
    [finalState, y] = body(S0, x, dt, B, C, A);
  } else {
    const T = cs;
    const nc = Math.ceil(L / T);
    const pad = nc * T - L;
    // Pad the time axis to whole chunks (Δ = 0: decay 1, no input) and move the chunk axis first: [nc, b, T, ...].
    const chunks = (a: Array): Array => {
      const p = pad ? np.pad(a, a.shape.map((_, i) => (i === 1 ? [0, pad] : [0, 0])) as [number, number][]) : a;
      return np.moveaxis(p.reshape([b, nc, T, ...a.shape.slice(2)]), 1, 0);
    };
    const xs = { x: chunks(x), dt: chunks(dt), B: chunks(B), C: chunks(C) };
    const [SN, ys] = lax.scan((S: Array, c: typeof xs): [Array, Array] => body(S, c.x, c.dt, c.B, c.C, A), S0, xs);
    // ys: [nc, b, T, H, P] → [b, nc·T, H, P] → drop the padding.
    y = lax.sliceInDim(np.moveaxis(ys, 0, 1).reshape([b, nc * T, H, P]), 0, L, 1, 1);
    finalState = SN;
  }
  if (opts.D) y = np.add(y, np.multiply(x, np.expandDims(opts.D, 1)));
  return opts.returnFinalState ? [y, finalState] : y;
}

/**
 * One step of the SSD recurrence: `state [batch, H, P, N]`, `x [batch, H, P]`, `dt [batch, H]`,
 * `A [H]`, `B, C [batch, G, N]`, `D [H]` → `[y [batch, H, P], state]`.
 */
export function ssdStep(
  state: Array,
  x: Array,
  dt: Array,
  A: Array,
  B: Array,
  C: Array,
  D?: Array | null,
): [Array, Array] {
  const [b, H, P] = state.shape;
  if (x.ndim !== 3 || x.shape[0] !== b || x.shape[1] !== H || x.shape[2] !== P)
    throw new ShapeError(`ssdStep: x must be [batch, H, P] = [${b}, ${H}, ${P}]; got ${fmt(x)}`);
  const heads = (m: Array): Array => groupsToHeads(np.expandDims(m, 1), H).get(":", 0); // [b, H, N]
  const Bh = heads(B);
  const Ch = heads(C);
  const decay = np.exp(np.multiply(dt, A)); // [b, H]
  const upd = np.multiply(np.expandDims(np.multiply(x, np.expandDims(dt, 2)), 3), np.expandDims(Bh, 2)); // [b, H, P, N]
  const S = np.add(np.multiply(np.expandDims(np.expandDims(decay, 2), 3), state), upd);
  let y = np.sum(np.multiply(S, np.expandDims(Ch, 2)), { axis: 3 });
  if (D) y = np.add(y, np.multiply(x, np.expandDims(D, 1)));
  return [y, S];
}
