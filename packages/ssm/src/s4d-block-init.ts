/**
 * Initialisations of lrnnx's S4D block (`lrnnx/ops/s4_utils.py`, from state-spaces/s4): the HiPPO
 * transitions, their normal-plus-low-rank diagonalisation (`nplr`), the directly constructed
 * diagonal inits (`dplr`) and the combination of several (`combination`), reduced to what a
 * diagonal S4D uses: the diagonal `A` (the `N/2` eigenvalues with negative imaginary part), `B`
 * in the eigenbasis, and the eigenvectors `V` (for `deterministic`'s `C`).
 *
 * `init` names, as lrnnx: a HiPPO measure `"legs"` (default), `"legt"` (needs `rank ≥ 2`, as its
 * low-rank correction has two rows), `"fourier"`/`"fout"` — each diagonalised by `nplr`; `"diag-X"`
 * or `"dplr-X"` with `X ∈ lin|linear, inv|inverse, inv2|inverse2, quad|quadratic, real,
 * legs|hippo, rand|random` (identical for a diagonal S4D: they differ only in the unused low-rank
 * `P`); the combinations `"hippo"` = legs + fourier, `"diag"` = diag-inv + diag-lin, `"all"`.
 * The port also accepts the bare `X` names as `"diag-X"` (lrnnx sends them to `nplr`, which raises).
 */
import { type Array, ValueError, lax, np, random } from "@linax-ts/core";
import { splitKey, type PRNGKey } from "@linax-ts/nn";

/** One diagonal SSM family: `A, B: [n, N/2]` complex64, `V: [n, N, N/2]` complex64 (n copies). */
export interface DiagInit {
  readonly A: Array;
  readonly B: Array;
  readonly V: Array;
}

const DPLR_INITS: Record<string, string> = {
  lin: "lin",
  linear: "lin",
  inv: "inv",
  inverse: "inv",
  inv2: "inv2",
  inverse2: "inv2",
  quad: "quad",
  quadratic: "quad",
  real: "real",
  legs: "legs",
  hippo: "legs",
  rand: "random",
  random: "random",
};
const MEASURES = ["legs", "legt", "fourier", "fout"];
const COMBINATIONS: Record<string, string[]> = {
  hippo: ["legs", "fourier"],
  diag: ["diag-inv", "diag-lin"],
  all: ["legs", "fourier", "diag-inv", "diag-lin"],
};

/** The init names `init` expands to (throws a ValueError for unknown ones). */
export function initNames(init: string): string[] {
  const names = COMBINATIONS[init] ?? [init];
  for (const n of names) {
    const diag = n.startsWith("diag-") || n.startsWith("dplr-") ? n.slice(5) : n;
    if (!MEASURES.includes(n) && !(diag in DPLR_INITS)) {
      throw new ValueError(
        `S4D: unknown init ${JSON.stringify(init)}; use a HiPPO measure (legs, legt, fourier), diag-X / dplr-X with X in ${Object.keys(DPLR_INITS).join("|")}, or hippo | diag | all`,
      );
    }
  }
  return names;
}

/** HiPPO transition `(A, B)` of `measure` as float64 row-major `[N·N]`, `[N]` (`transition`). */
function transition(measure: string, N: number): [number[], number[]] {
  const A = new globalThis.Array<number>(N * N).fill(0);
  const B = new globalThis.Array<number>(N).fill(0);
  if (measure === "legs") {
    // A = T M T⁻¹ with M = −(r·[i ≥ j] − diag(q)), T = diag(√(2q+1)), B = √(2q+1).
    for (let i = 0; i < N; i++) {
      for (let j = 0; j < N; j++) {
        const m = -((i >= j ? 2 * j + 1 : 0) - (i === j ? i : 0));
        A[i * N + j] = (Math.sqrt(2 * i + 1) * m) / Math.sqrt(2 * j + 1);
      }
      B[i] = Math.sqrt(2 * i + 1);
    }
  } else if (measure === "legt") {
    // A = −½ R_i (i < j ? (−1)^{i−j} : 1) R_j, B = ½ R, R = √(2q+1).
    for (let i = 0; i < N; i++) {
      for (let j = 0; j < N; j++)
        A[i * N + j] = -0.5 * Math.sqrt(2 * i + 1) * (i < j ? (-1) ** (i - j) : 1) * Math.sqrt(2 * j + 1);
      B[i] = 0.5 * Math.sqrt(2 * i + 1);
    }
  } else {
    // fourier: A = π(−diag(d, 1) + diag(d, −1)) − B Bᵀ, d = [0, f0, 0, f1, …][1:] interleaved, B[0::2] = √2, B[0] = 1.
    const d: number[] = [];
    for (let f = 0; f < N / 2; f++) d.push(0, f);
    d.shift();
    for (let i = 0; i + 1 < N; i++) {
      A[i * N + i + 1] = -Math.PI * d[i];
      A[(i + 1) * N + i] = Math.PI * d[i];
    }
    for (let i = 0; i < N; i += 2) B[i] = Math.SQRT2;
    B[0] = 1;
    for (let i = 0; i < N; i++) for (let j = 0; j < N; j++) A[i * N + j] -= B[i] * B[j];
  }
  return [A, B];
}

/** The low-rank `P [rank][N]` that makes `A + Σ P_r P_rᵀ` normal (`rank_correction`). */
function rankCorrection(measure: string, N: number, rank: number): number[][] {
  let P: number[][];
  if (measure === "legs") P = [globalThis.Array.from({ length: N }, (_, i) => Math.sqrt(0.5 + i))];
  else if (measure === "legt") {
    if (rank < 2)
      throw new ValueError(`S4D: init "legt" needs rank >= 2 (its low-rank correction has two rows); got rank=${rank}`);
    const p = globalThis.Array.from({ length: N }, (_, i) => Math.sqrt(1 + 2 * i) * Math.SQRT1_2);
    P = [p.map((v, i) => (i % 2 === 0 ? 0 : v)), p.map((v, i) => (i % 2 === 1 ? 0 : v))];
  } else {
    const p = new globalThis.Array<number>(N).fill(0);
    for (let i = 0; i < N; i += 2) p[i] = Math.SQRT2;
    p[0] = 1;
    P = [p];
  }
  while (P.length < rank) P.push(new globalThis.Array<number>(N).fill(0));
  return P;
}

/**
 * `nplr(measure, N, rank)` for a diagonal S4D: `W = mean(diag AP) + i·eig(−i·AP)` (ascending
 * imaginary parts, the first `N/2` kept), `B = Vᴴ B` with its imaginary part clipped to `±BClip`.
 * A zero last eigenvalue gets the eigenvector `(1, i, 0, …)/√2`, as lrnnx.
 */
function nplr(measure: string, N: number, rank: number, BClip = 2): DiagInit {
  const [A, B] = transition(measure, N);
  const P = rankCorrection(measure, N, rank);
  const AP = A.map((a, idx) => a + P.reduce((s, p) => s + p[Math.floor(idx / N)] * p[idx % N], 0));
  let diag = 0;
  for (let i = 0; i < N; i++) diag += AP[i * N + i];
  const wRe = diag / N;
  const ap = np.array(new Float32Array(AP)).reshape([N, N]);
  const [wIm, v] = np.linalg.eigh(lax.complex(np.zeros([N, N]), np.negative(ap))); // ascending
  const half = N / 2;
  let V = v.get(":", `:${half}`);
  const W = lax.complex(np.full([half], wRe), wIm.get(`:${half}`));
  // A zero eigenvalue at the end of the kept half (fourier): a fixed eigenvector instead of eigh's.
  const zeroLast = np.less(np.abs(W.get(half - 1)), 1e-4);
  const fre = new Float32Array(N);
  const fim = new Float32Array(N);
  fre[0] = Math.SQRT1_2;
  fim[1] = Math.SQRT1_2;
  const fixed = lax.complex(np.array(fre), np.array(fim));
  const last = np.where(zeroLast, fixed, V.get(":", half - 1));
  V = np.concatenate([V.get(":", `:${half - 1}`), last.reshape([N, 1])], { axis: 1 });
  const Vh = np.conj(np.transpose(V));
  let Bv = np.matmul(Vh, np.array(new Float32Array(B)).astype("complex64"));
  Bv = lax.complex(np.real(Bv), np.clip(np.imag(Bv), -BClip, BClip));
  return { A: W.reshape([1, half]), B: Bv.reshape([1, half]), V: V.reshape([1, N, half]) };
}

/** `dplr(init, N, H)` (B_init "constant", no random parts): `A = −re − i·im`, `B = 1` (LegS: nplr's B). */
function dplr(init: string, N: number, H: number, key: PRNGKey): DiagInit {
  const half = N / 2;
  const n = np.broadcastTo(np.arange(half, { dtype: "float32" }), [H, half]);
  let re = np.full([H, half], 0.5);
  let im: Array;
  let B = np.ones([H, half], { dtype: "complex64" });
  switch (init) {
    case "random":
      im = np.exp(random.normal(key, [H, half]));
      break;
    case "real":
      im = np.zeros([H, half]);
      re = np.add(n, 1);
      break;
    case "lin":
      im = np.multiply(n, Math.PI);
      break;
    case "inv":
      im = np.multiply(np.subtract(np.divide(N, np.add(np.multiply(n, 2), 1)), 1), N / Math.PI);
      break;
    case "inv2":
      im = np.multiply(np.subtract(np.divide(N, np.add(n, 1)), 1), N / Math.PI);
      break;
    case "quad":
      im = np.divide(np.square(np.add(np.multiply(n, 2), 1)), Math.PI);
      break;
    default: {
      // legs: S4D-LegS — nplr's eigenvalues' imaginary parts and B.
      const legs = nplr("legs", N, 1);
      im = np.broadcastTo(np.negative(np.imag(legs.A)), [H, half]);
      B = np.broadcastTo(legs.B, [H, half]);
    }
  }
  const V = np.broadcastTo(np.eye(N, half, { dtype: "complex64" }), [H, N, half]);
  return { A: lax.complex(np.negative(re), np.negative(im)), B, V };
}

/**
 * lrnnx's `combination(init, N, rank, nSsm)`: `nSsm` copies split evenly among the expanded inits
 * (`nSsm` must be a multiple of their number), concatenated in order.
 */
export function combination(init: string, N: number, rank: number, nSsm: number, key: PRNGKey): DiagInit {
  const names = initNames(init);
  if (nSsm % names.length !== 0)
    throw new ValueError(
      `S4D: nSsm=${nSsm} SSM copies must be a multiple of the ${names.length} inits of ${JSON.stringify(init)}`,
    );
  const S = nSsm / names.length;
  const keys = splitKey(key, names.length);
  const parts = names.map((name, i): DiagInit => {
    const diag =
      name.startsWith("diag-") || name.startsWith("dplr-") ? name.slice(5) : MEASURES.includes(name) ? null : name;
    if (diag !== null) return dplr(DPLR_INITS[diag], N, S, keys[i]);
    const one = nplr(name === "fout" ? "fourier" : name, N, rank);
    return {
      A: np.broadcastTo(one.A, [S, N / 2]),
      B: np.broadcastTo(one.B, [S, N / 2]),
      V: np.broadcastTo(one.V, [S, N, N / 2]),
    };
  });
  return {
    A: np.concatenate(
      parts.map((p) => p.A),
      { axis: 0 },
    ),
    B: np.concatenate(
      parts.map((p) => p.B),
      { axis: 0 },
    ),
    V: np.concatenate(
      parts.map((p) => p.V),
      { axis: 0 },
    ),
  };
}

/** A positive parameter's stored form under `transform` (`inv_transform`; clamped to ≥ 1e-4 first). */
export function invTransform(p: Array, transform: string): Array {
  const c = np.maximum(p, 1e-4);
  switch (transform) {
    case "none":
    case "relu":
      return c;
    case "exp":
      return np.log(c);
    case "sigmoid":
      return np.log(np.divide(c, np.subtract(1, c)));
    case "softplus":
      return np.log(np.subtract(np.exp(c), 1));
    default:
      throw new ValueError(`S4D: unknown transform ${JSON.stringify(transform)} (none, exp, relu, sigmoid, softplus)`);
  }
}

/** The positive parameter from its stored form (`param_transform`). */
export function paramTransform(p: Array, transform: string): Array {
  switch (transform) {
    case "none":
      return p;
    case "exp":
      return np.exp(p);
    case "relu":
      return np.add(np.maximum(p, 0), 1e-4);
    case "sigmoid":
      return np.divide(1, np.add(1, np.exp(np.negative(p))));
    case "softplus":
      return np.add(np.maximum(p, 0), np.log1p(np.exp(np.negative(np.abs(p))))); // softplus, overflow-free
    default:
      throw new ValueError(`S4D: unknown transform ${JSON.stringify(transform)} (none, exp, relu, sigmoid, softplus)`);
  }
}

export const TRANSFORMS: readonly string[] = ["none", "exp", "relu", "sigmoid", "softplus"];
