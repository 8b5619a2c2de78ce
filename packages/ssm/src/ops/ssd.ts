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
 * decay mask `L[i, j] = exp(Σ_{j<k≤i} Δ_k A)`; between chunks a recurrence over the chunk states.
 * `ssdStep` is the plain recurrence, one step at a time (inference).
 */
import { Array, ShapeError, ValueError, np } from "@linax-ts/core";

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
  if (dt.ndim !== 3 || dt.shape[0] !== b || dt.shape[1] !== L || dt.shape[2] !== H) throw new ShapeError(`${where}: dt must be [batch, L, H] = [${b}, ${L}, ${H}]; got ${fmt(dt)}`);
  if (A.ndim !== 1 || A.shape[0] !== H) throw new ShapeError(`${where}: A must be [H] = [${H}]; got ${fmt(A)}`);
  for (const [name, m] of [["B", B], ["C", C]] as const) {
    if (m.ndim !== 4 || m.shape[0] !== b || m.shape[1] !== L || H % m.shape[2] !== 0) throw new ShapeError(`${where}: ${name} must be [batch, L, G, N] with G dividing H = ${H}; got ${fmt(m)}`);
  }
  if (B.shape[2] !== C.shape[2] || B.shape[3] !== C.shape[3]) throw new ShapeError(`${where}: B and C must have equal shapes; got ${fmt(B)} and ${fmt(C)}`);
}

/**
 * The chunked SSD scan: `[y [batch, L, H, P]]`, or `[y, finalState]` with `returnFinalState`.
 * Equal to the plain recurrence (`ssdStep` over time) for any chunk size; L need not be a
 * multiple of it (the tail is padded with Δ = 0, which leaves the state unchanged).
 */
export function ssdChunked(x: Array, dt: Array, A: Array, B: Array, C: Array, opts: SsdOptions & { returnFinalState: true }): [Array, Array];
export function ssdChunked(x: Array, dt: Array, A: Array, B: Array, C: Array, opts?: SsdOptions): Array;
export function ssdChunked(x: Array, dt: Array, A: Array, B: Array, C: Array, opts: SsdOptions = {}): Array | [Array, Array] {
  checkArgs(x, dt, A, B, C, "ssdChunked");
  const [b, L, H, P] = x.shape;
  const N = B.shape[3];
  const cs = opts.chunkSize ?? 256;
  if (!Number.isInteger(cs) || cs < 1) throw new ValueError(`ssdChunked: chunkSize must be a positive integer; got ${cs}`);
  if (opts.D && (opts.D.ndim !== 1 || opts.D.shape[0] !== H)) throw new ShapeError(`ssdChunked: D must be [H] = [${H}]; got ${fmt(opts.D)}`);
  const T = Math.min(cs, Math.max(L, 1));
  const nc = Math.max(1, Math.ceil(L / T));
  const pad = nc * T - L;
  const padL = (a: Array): Array => (pad ? np.pad(a, a.shape.map((_, i) => (i === 1 ? [0, pad] : [0, 0])) as [number, number][]) : a);
  // Discretised inputs X = Δ x, log-decays a = Δ A, chunked: [b, c, l, ...].
  const Xd = padL(np.multiply(x, np.expandDims(dt, 3))).reshape([b, nc, T, H, P]);
  const a = np.moveaxis(padL(np.multiply(dt, A)).reshape([b, nc, T, H]), 3, 1); // [b, h, c, l]
  const Bh = padL(groupsToHeads(B, H)).reshape([b, nc, T, H, N]);
  const Ch = padL(groupsToHeads(C, H)).reshape([b, nc, T, H, N]);
  const aCum = np.cumsum(a, -1); // [b, h, c, l]
  // 1. Within chunks: the quadratic form with the decay mask.
  const Lmask = np.exp(segsum(a)); // [b, h, c, l, s]
  const yDiag = np.einsum("bclhn,bcshn,bhcls,bcshp->bclhp", Ch, Bh, Lmask, Xd);
  // 2. Each chunk's own final state (decayed to the chunk's end).
  const aLast = aCum.get("...", np.arange(T - 1, T)); // [b, h, c, 1]
  const decayStates = np.exp(np.subtract(aLast, aCum));
  const states = np.einsum("bclhn,bhcl,bclhp->bchpn", Bh, decayStates, Xd); // [b, c, h, p, n]
  // 3. Between chunks: S_c = exp(Σ a over chunk c) S_{c-1} + states_c, as one masked product.
  const init = opts.initialState ? np.expandDims(opts.initialState, 1) : np.zeros([b, 1, H, P, N]);
  if (opts.initialState && (opts.initialState.ndim !== 4 || [b, H, P, N].some((s, i) => s !== (opts.initialState as Array).shape[i]))) {
    throw new ShapeError(`ssdChunked: initialState must be [batch, H, P, N] = [${b}, ${H}, ${P}, ${N}]; got ${fmt(opts.initialState)}`);
  }
  const allStates = np.concatenate([init, states], 1); // [b, c+1, h, p, n]
  const chunkDecay = np.exp(segsum(np.pad(aLast.reshape([b, H, nc]), [[0, 0], [0, 0], [1, 0]]))); // [b, h, c+1, c+1]
  const newStates = np.einsum("bhzc,bchpn->bzhpn", chunkDecay, allStates);
  const prevStates = newStates.get(":", np.arange(0, nc)); // the state entering each chunk
  const finalState = newStates.get(":", nc);
  // 4. The entering state's contribution inside each chunk.
  const yOff = np.einsum("bclhn,bchpn,bhcl->bclhp", Ch, prevStates, np.exp(aCum));
  let y = np.add(yDiag, yOff).reshape([b, nc * T, H, P]);
  if (pad) y = y.get(":", np.arange(0, L));
  if (opts.D) y = np.add(y, np.multiply(x, np.expandDims(opts.D, 1)));
  return opts.returnFinalState ? [y, finalState] : y;
}

/**
 * One step of the SSD recurrence: `state [batch, H, P, N]`, `x [batch, H, P]`, `dt [batch, H]`,
 * `A [H]`, `B, C [batch, G, N]`, `D [H]` → `[y [batch, H, P], state]`.
 */
export function ssdStep(state: Array, x: Array, dt: Array, A: Array, B: Array, C: Array, D?: Array | null): [Array, Array] {
  const [b, H, P, N] = state.shape;
  if (x.ndim !== 3 || x.shape[0] !== b || x.shape[1] !== H || x.shape[2] !== P) throw new ShapeError(`ssdStep: x must be [batch, H, P] = [${b}, ${H}, ${P}]; got ${fmt(x)}`);
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
