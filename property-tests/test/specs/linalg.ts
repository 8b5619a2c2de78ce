/**
 * Op specs of the contractions (dotGeneral, convGeneralDilated), the decompositions (eigh,
 * cholesky, qr, lu), triangularSolve and fft. Inputs are built on the host to be well conditioned:
 * SPD matrices B·Bᵀ + n·I, triangular matrices with |diag| ≥ 1, eigh inputs with eigenvalues at
 * least 0.3 apart (Gershgorin), LU inputs diagonally dominant up to a random row permutation (so
 * pivoting happens, by a margin). Decomposition outputs with a sign/phase freedom (eigenvectors)
 * are differentiated through gauge-invariant functions of them.
 */
import fc from "fast-check";
import { lax, type Array, type DType } from "linax-ts";
import { fromValues } from "@linax-ts/testing";
import { ALL_DTYPES, isInexactDType, permutationOf, spec, values, type AnySpec } from "./types.ts";
import { f32, f32abs } from "./elementwise-spec-builders.ts";

const INEXACT: readonly DType[] = ["float32", "complex64"];
const prod = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

// ------------------------------------------------------------------ dotGeneral

interface DotC {
  lhs: number[];
  rhs: number[];
  contracting: [number[], number[]];
  batch: [number[], number[]];
  preferred: DType | null;
}
/** Random layouts: batch, contracting and free axes interleaved in random orders on both sides. */
const dotConfig = (dtype: DType): fc.Arbitrary<DotC> =>
  fc
    .record({
      nb: fc.integer({ min: 0, max: 1 }),
      nc: fc.integer({ min: 0, max: 2 }),
      fl: fc.integer({ min: 0, max: 1 }),
      fr: fc.integer({ min: 0, max: 1 }),
      sides: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 6, maxLength: 6 }),
    })
    .chain(({ nb, nc, fl, fr, sides }) => {
      const bs = sides.slice(0, nb);
      const cs = sides.slice(1, 1 + nc);
      const fls = sides.slice(3, 3 + fl);
      const frs = sides.slice(4, 4 + fr);
      const nl = nb + nc + fl;
      const nr = nb + nc + fr;
      // bool/int operands may ask for a wider result, as in JAX's preferred_element_type.
      const prefs: (DType | null)[] =
        dtype === "bool" ? [null, "int32", "float32"] : dtype === "int32" ? [null, "float32"] : [null];
      return fc.tuple(permutationOf(nl), permutationOf(nr), fc.constantFrom(...prefs)).map(([pl, pr, preferred]) => {
        // Logical axis k of a side (batch…, contracting…, free…) sits at position perm[k].
        const place = (perm: number[], sizes: number[]) => {
          const shape = new globalThis.Array<number>(perm.length);
          sizes.forEach((s, k) => (shape[perm[k]] = s));
          return shape;
        };
        return {
          lhs: place(pl, [...bs, ...cs, ...fls]),
          rhs: place(pr, [...bs, ...cs, ...frs]),
          batch: [pl.slice(0, nb), pr.slice(0, nb)] as [number[], number[]],
          contracting: [pl.slice(nb, nb + nc), pr.slice(nb, nb + nc)] as [number[], number[]],
          preferred,
        };
      });
    });

const dotSpecs = ALL_DTYPES.map((dtype) =>
  spec<DotC>({
    name: `dotGeneral/${dtype}`,
    prims: ["dotGeneral"],
    dtype,
    config: dotConfig(dtype),
    args: (c) => fc.tuple(values(dtype, c.lhs), values(dtype, c.rhs)),
    fn: (c) => (x: Array, y: Array) =>
      lax.dotGeneral(x, y, { contractingDims: c.contracting, batchDims: c.batch, preferredElementType: c.preferred }),
    diff: isInexactDType(dtype) ? "smooth" : undefined,
    linearIn: isInexactDType(dtype) ? () => [[0], [1]] : undefined,
  }),
);

// ------------------------------------------------------------------ convGeneralDilated

interface ConvC {
  lhs: number[];
  rhs: number[];
  strides: number[];
  padding: [number, number][];
  lhsDilation: number[];
  rhsDilation: number[];
  featureGroups: number;
  batchGroups: number;
  layout: "default" | "channels-last";
}
const convConfig: fc.Arbitrary<ConvC> = fc
  .record({
    ns: fc.integer({ min: 1, max: 2 }),
    groups: fc.constantFrom<[number, number]>([1, 1], [2, 1], [1, 2]),
    n: fc.integer({ min: 1, max: 2 }),
    cg: fc.integer({ min: 1, max: 2 }),
    og: fc.integer({ min: 1, max: 2 }),
    layout: fc.constantFrom("default" as const, "channels-last" as const),
    sp: fc.array(
      fc.record({
        n: fc.integer({ min: 2, max: 5 }),
        k: fc.integer({ min: 1, max: 3 }),
        s: fc.integer({ min: 1, max: 2 }),
        lo: fc.integer({ min: -1, max: 2 }),
        hi: fc.integer({ min: -1, max: 2 }),
        ld: fc.integer({ min: 1, max: 2 }),
        rd: fc.integer({ min: 1, max: 2 }),
      }),
      { minLength: 2, maxLength: 2 },
    ),
  })
  .map(({ ns, groups: [fg, bg], n, cg, og, layout, sp }) => {
    const s = sp.slice(0, ns);
    const c = cg * fg;
    const o = og * fg * bg;
    const batch = n * bg;
    return {
      lhs: layout === "default" ? [batch, c, ...s.map((d) => d.n)] : [batch, ...s.map((d) => d.n), c],
      rhs: layout === "default" ? [o, cg, ...s.map((d) => d.k)] : [...s.map((d) => d.k), cg, o],
      strides: s.map((d) => d.s),
      padding: s.map((d) => [d.lo, d.hi] as [number, number]),
      lhsDilation: s.map((d) => d.ld),
      rhsDilation: s.map((d) => d.rd),
      featureGroups: fg,
      batchGroups: bg,
      layout,
    };
  })
  .filter((c) => {
    // Every output spatial size must be ≥ 1.
    const nsp = c.strides.length;
    return c.strides.every((st, i) => {
      const n = c.layout === "default" ? c.lhs[2 + i] : c.lhs[1 + i];
      const k = c.layout === "default" ? c.rhs[2 + i] : c.rhs[i];
      const span =
        (n - 1) * c.lhsDilation[i] + 1 + c.padding[i][0] + c.padding[i][1] - ((k - 1) * c.rhsDilation[i] + 1);
      return span >= 0 && nsp > 0;
    });
  });

const convSpecs = ALL_DTYPES.map((dtype) =>
  spec<ConvC>({
    name: `convGeneralDilated/${dtype}`,
    prims: ["convGeneralDilated"],
    dtype,
    config: convConfig,
    args: (c) => fc.tuple(values(dtype, c.lhs), values(dtype, c.rhs)),
    fn: (c) => (x: Array, y: Array) =>
      lax.convGeneralDilated(x, y, {
        windowStrides: c.strides,
        padding: c.padding,
        lhsDilation: c.lhsDilation,
        rhsDilation: c.rhsDilation,
        featureGroupCount: c.featureGroups,
        batchGroupCount: c.batchGroups,
        dimensionNumbers:
          c.layout === "default" ? null : c.strides.length === 1 ? ["NWC", "WIO", "NWC"] : ["NHWC", "HWIO", "NHWC"],
      }),
    diff: isInexactDType(dtype) ? "smooth" : undefined,
    linearIn: isInexactDType(dtype) ? () => [[0], [1]] : undefined,
    runs: 0.7,
  }),
);

// ------------------------------------------------------------------ host matrices

interface MatC {
  batch: number[];
  n: number;
}
const matConfig: fc.Arbitrary<MatC> = fc.record({
  batch: fc.array(fc.integer({ min: 1, max: 2 }), { minLength: 0, maxLength: 1 }),
  n: fc.integer({ min: 1, max: 3 }),
});

/** Random entries (re, im for complex) of an m×n matrix, row-major. */
const entries = (dtype: DType, m: number, n: number, lo = -1, hi = 1): fc.Arbitrary<number[]> =>
  fc.array(f32(lo, hi), {
    minLength: m * n * (dtype === "complex64" ? 2 : 1),
    maxLength: m * n * (dtype === "complex64" ? 2 : 1),
  });

function build(
  dtype: DType,
  shape: readonly number[],
  one: (k: number) => fc.Arbitrary<number[]>,
): fc.Arbitrary<Array> {
  const count = prod(shape.slice(0, -2));
  return fc.array(one(0), { minLength: count, maxLength: count }).map((ms) => fromValues(ms.flat(), shape, dtype));
}

/** SPD/HPD matrix B·Bᴴ + n·I. */
function spd(dtype: DType, n: number): fc.Arbitrary<number[]> {
  const w = dtype === "complex64" ? 2 : 1;
  return entries(dtype, n, n).map((b) => {
    const out = new globalThis.Array<number>(n * n * w).fill(0);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        let re = i === j ? n : 0;
        let im = 0;
        for (let k = 0; k < n; k++) {
          const [ar, ai] = [b[(i * n + k) * w], w === 2 ? b[(i * n + k) * w + 1] : 0];
          const [br, bi] = [b[(j * n + k) * w], w === 2 ? -b[(j * n + k) * w + 1] : 0];
          re += ar * br - ai * bi;
          im += ar * bi + ai * br;
        }
        out[(i * n + j) * w] = Math.fround(re);
        if (w === 2) out[(i * n + j) * w + 1] = Math.fround(im);
      }
    return out;
  });
}

/** Hermitian matrix diag(d) + 0.2·S with d a permutation of {0, 1.5, 3}: eigenvalue gaps ≥ 0.3. */
function separated(dtype: DType, n: number): fc.Arbitrary<number[]> {
  const w = dtype === "complex64" ? 2 : 1;
  return fc.tuple(entries(dtype, n, n), permutationOf(n)).map(([s, perm]) => {
    const out = new globalThis.Array<number>(n * n * w).fill(0);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        const [lo, hi] = i <= j ? [i, j] : [j, i];
        const re = 0.2 * s[(lo * n + hi) * w] + (i === j ? 1.5 * perm[i] : 0);
        out[(i * n + j) * w] = Math.fround(re);
        if (w === 2)
          out[(i * n + j) * w + 1] = i === j ? 0 : Math.fround(0.2 * s[(lo * n + hi) * w + 1] * (i < j ? 1 : -1));
      }
    return out;
  });
}

/**
 * A random matrix with a dominant (≥ 2.4) entry per row/column, rows then permuted: LU pivots by
 * a margin. For QR (`forQr`) the rows stay in place and every entry is at least 0.1 away from 0:
 * Householder QR with LAPACK's signs jumps where a reflector's pivot crosses 0, and also where the
 * part of a column below the diagonal is exactly zero (then no reflection happens and R's
 * diagonal keeps the pivot's sign instead of flipping it) — neither has a derivative.
 */
function pivoted(dtype: DType, m: number, n: number, forQr = false): fc.Arbitrary<number[]> {
  const w = dtype === "complex64" ? 2 : 1;
  const size = m * n * w;
  const r = forQr ? fc.array(f32abs(0.1, 0.6), { minLength: size, maxLength: size }) : entries(dtype, m, n, -0.6, 0.6);
  return fc
    .tuple(r, forQr ? fc.constant(globalThis.Array.from({ length: m }, (_, i) => i)) : permutationOf(m))
    .map(([r, perm]) => {
      const out = new globalThis.Array<number>(m * n * w).fill(0);
      for (let i = 0; i < m; i++)
        for (let j = 0; j < n; j++)
          for (let k = 0; k < w; k++)
            out[(perm[i] * n + j) * w + k] = Math.fround(r[(i * n + j) * w + k] + (i === j && k === 0 ? 3 : 0));
      return out;
    });
}

/** A triangular solve's a: |diag| in [1, 2], the other entries in [-1, 1] (both triangles filled: the op must ignore one). */
function triangularA(dtype: DType, n: number): fc.Arbitrary<number[]> {
  const w = dtype === "complex64" ? 2 : 1;
  return fc.tuple(entries(dtype, n, n), fc.array(f32abs(1, 2), { minLength: n, maxLength: n })).map(([e, d]) => {
    const out = [...e];
    for (let i = 0; i < n; i++) out[(i * n + i) * w] = d[i];
    return out;
  });
}

// ------------------------------------------------------------------ decompositions

const gramAbs = (v: Array): Array =>
  v.dtype === "complex64"
    ? lax.add(lax.mul(lax.real(v), lax.real(v)), lax.mul(lax.imag(v), lax.imag(v)))
    : lax.mul(v, v);

const decompositionSpecs: AnySpec[] = INEXACT.flatMap((dtype) => [
  spec<MatC>({
    name: `eigh/${dtype}`,
    prims: ["eigh"],
    dtype,
    config: matConfig,
    args: (c) => build(dtype, [...c.batch, c.n, c.n], () => separated(dtype, c.n)).map((a) => [a]),
    fn: () => (a: Array) => lax.eigh(a),
  }),
  spec<MatC>({
    // Eigenvectors are defined up to sign (phase): differentiate the invariant |v|² and w.
    name: `eigh/${dtype}-invariant`,
    prims: ["eigh"],
    dtype,
    config: matConfig,
    args: (c) => build(dtype, [...c.batch, c.n, c.n], () => separated(dtype, c.n)).map((a) => [a]),
    fn: () => (a: Array) => {
      const [v, w] = lax.eigh(a);
      return [w, gramAbs(v)];
    },
    diff: "smooth",
    runs: 0.7,
  }),
  spec<MatC>({
    name: `cholesky/${dtype}`,
    prims: ["cholesky"],
    dtype,
    config: matConfig,
    args: (c) => build(dtype, [...c.batch, c.n, c.n], () => spd(dtype, c.n)).map((a) => [a]),
    fn: () => (a: Array) => lax.cholesky(a),
    diff: "smooth",
    runs: 0.7,
  }),
  spec<MatC & { m: number; full: boolean }>({
    name: `qr/${dtype}`,
    prims: ["qr"],
    dtype,
    // JAX differentiates QR for m ≥ n with reduced factors (or square input) only.
    config: matConfig.chain((c) =>
      fc
        .record({ m: fc.integer({ min: c.n, max: c.n + 1 }), full: fc.boolean() })
        .map((r) => ({ ...c, ...r, full: r.full && r.m === c.n })),
    ),
    args: (c) => build(dtype, [...c.batch, c.m, c.n], () => pivoted(dtype, c.m, c.n, true)).map((a) => [a]),
    fn: (c) => (a: Array) => lax.qr(a, { fullMatrices: c.full }),
    diff: "smooth",
    runs: 0.7,
  }),
  spec<MatC & { m: number }>({
    // Wide matrices and full factors of tall ones: not differentiable (as in JAX), jit/vmap only.
    name: `qr/${dtype}-any-shape`,
    prims: ["qr"],
    dtype,
    config: matConfig.chain((c) => fc.integer({ min: 1, max: 3 }).map((m) => ({ ...c, m }))),
    args: (c) => build(dtype, [...c.batch, c.m, c.n], () => entries(dtype, c.m, c.n)).map((a) => [a]),
    fn: () => (a: Array) => lax.qr(a, { fullMatrices: true }),
  }),
  spec<MatC & { m: number }>({
    name: `lu/${dtype}`,
    prims: ["lu"],
    dtype,
    config: matConfig.chain((c) => fc.integer({ min: 1, max: 3 }).map((m) => ({ ...c, m }))),
    args: (c) => build(dtype, [...c.batch, c.m, c.n], () => pivoted(dtype, c.m, c.n)).map((a) => [a]),
    fn: () => (a: Array) => lax.lu(a),
    diff: "smooth",
    runs: 0.7,
  }),
  spec<
    MatC & {
      k: number;
      leftSide: boolean;
      lower: boolean;
      transposeA: boolean;
      conjugateA: boolean;
      unitDiagonal: boolean;
    }
  >({
    name: `triangularSolve/${dtype}`,
    prims: ["triangularSolve"],
    dtype,
    config: matConfig.chain((c) =>
      fc
        .record({
          k: fc.integer({ min: 1, max: 3 }),
          leftSide: fc.boolean(),
          lower: fc.boolean(),
          transposeA: fc.boolean(),
          conjugateA: fc.boolean(),
          unitDiagonal: fc.boolean(),
        })
        .map((r) => ({ ...c, ...r })),
    ),
    args: (c) =>
      fc.tuple(
        build(dtype, [...c.batch, c.n, c.n], () => triangularA(dtype, c.n)),
        values(dtype, [...c.batch, ...(c.leftSide ? [c.n, c.k] : [c.k, c.n])]),
      ),
    fn: (c) => (a: Array, b: Array) => lax.triangularSolve(a, b, c),
    diff: "smooth",
    linearIn: () => [[1]],
  }),
]);

// ------------------------------------------------------------------ svd and eig

/**
 * An m×n matrix D + 0.1·S (m, n ≤ 4) with D's diagonal 1 + 1.5·(a permutation of 0..k−1) and S's
 * entries in [-1, 1]: ‖0.1·S‖₂ ≤ 0.1·‖S‖_F ≤ 0.1·√32 < 0.57, so (Weyl) the singular values stay
 * ≥ 0.43 and at least 0.37 apart; a square one has its eigenvalues in disjoint Gershgorin discs
 * around 1 + 1.5·i (radius ≤ 0.1·(n−1)·√2 < 0.3). Both are then smooth functions of the input.
 */
function spreadOut(dtype: DType, m: number, n: number): fc.Arbitrary<number[]> {
  const w = dtype === "complex64" ? 2 : 1;
  const k = Math.min(m, n);
  return fc.tuple(entries(dtype, m, n), permutationOf(k)).map(([e, perm]) => {
    const out = e.map((v) => Math.fround(0.1 * v));
    for (let i = 0; i < k; i++) out[(i * n + i) * w] = Math.fround(out[(i * n + i) * w] + 1 + 1.5 * perm[i]);
    return out;
  });
}

const svdEigSpecs: AnySpec[] = INEXACT.flatMap((dtype) => [
  spec<MatC & { m: number }>({
    // Singular vectors are defined up to a phase shared by u_j and v_j: differentiate s, |u|², |vh|².
    name: `svd/${dtype}-invariant`,
    prims: ["svd"],
    dtype,
    config: matConfig.chain((c) => fc.integer({ min: Math.max(1, c.n - 1), max: c.n + 1 }).map((m) => ({ ...c, m }))),
    args: (c) => build(dtype, [...c.batch, c.m, c.n], () => spreadOut(dtype, c.m, c.n)).map((a) => [a]),
    fn: () => (a: Array) => {
      const [u, s, vh] = lax.svd(a, { fullMatrices: false });
      return [s, gramAbs(u), gramAbs(vh)];
    },
    diff: "smooth",
    runs: 0.5,
  }),
  spec<MatC & { m: number }>({
    // Complete factors of any shape (rank-deficient included): jit and vmap only (no JVP for full non-square, as JAX).
    name: `svd/${dtype}-full`,
    prims: ["svd"],
    dtype,
    config: matConfig.chain((c) => fc.integer({ min: 1, max: 3 }).map((m) => ({ ...c, m }))),
    args: (c) => build(dtype, [...c.batch, c.m, c.n], () => entries(dtype, c.m, c.n)).map((a) => [a]),
    fn: () => (a: Array) => {
      const [u, s, vh] = lax.svd(a, { fullMatrices: true });
      return [s, gramAbs(u), gramAbs(vh)];
    },
    tol: { rtol: 1e-4, atol: 1e-5 },
    runs: 0.5,
  }),
  spec<MatC>({
    // Only the eigenvalues are differentiable (as in JAX), to first order: their JVP needs the
    // eigenvectors. Their order is the Schur form's, which (as LAPACK's) can change under a small
    // perturbation: they are compared sorted (by real part, ≥ 0.9 apart here, so sorting is smooth).
    name: `eig/${dtype}-eigenvalues`,
    prims: ["eig"],
    dtype,
    config: matConfig,
    args: (c) => build(dtype, [...c.batch, c.n, c.n], () => spreadOut(dtype, c.n, c.n)).map((a) => [a]),
    fn: () => (a: Array) => {
      const w = lax.eig(a, { computeRightEigenvectors: false })[0];
      return lax.sort([lax.real(w), w], { dimension: w.ndim - 1, numKeys: 1 })[1];
    },
    diff: "first",
    runs: 0.5,
  }),
  spec<MatC>({
    name: `eig/${dtype}-vectors`,
    prims: ["eig"],
    dtype,
    config: matConfig,
    args: (c) => build(dtype, [...c.batch, c.n, c.n], () => spreadOut(dtype, c.n, c.n)).map((a) => [a]),
    fn: () => (a: Array) => {
      // Eigenvectors up to phase: |v|². The pairs (w_k, v_k) are sorted by Re w_k (≥ 0.9 apart):
      // the algorithm's order may differ between backends (f32 on WebGPU takes other deflation steps).
      const [w, v] = lax.eig(a);
      const key = lax.real(w);
      const nd = v.ndim;
      const keyRows = lax.broadcastInDim(key, v.shape, [...key.shape.slice(0, -1).map((_, i) => i), nd - 1]);
      const ws = lax.sort([key, w], { dimension: w.ndim - 1, numKeys: 1 })[1];
      const vs = lax.sort([keyRows, gramAbs(v)], { dimension: nd - 1, numKeys: 1 })[1];
      return [ws, vs];
    },
    tol: { rtol: 1e-4, atol: 1e-5 },
    runs: 0.5,
  }),
]);

// ------------------------------------------------------------------ fft

interface FftC {
  type: "FFT" | "IFFT" | "RFFT" | "IRFFT";
  lead: number[];
  lengths: number[];
}
const fftConfig: fc.Arbitrary<FftC> = fc.record({
  type: fc.constantFrom("FFT" as const, "IFFT" as const, "RFFT" as const, "IRFFT" as const),
  lead: fc.array(fc.integer({ min: 1, max: 2 }), { minLength: 0, maxLength: 1 }),
  lengths: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 2 }),
});
const fftInShape = (c: FftC): number[] => [
  ...c.lead,
  ...(c.type === "IRFFT" ? [...c.lengths.slice(0, -1), (c.lengths[c.lengths.length - 1] >> 1) + 1] : c.lengths),
];
// One spec per operand dtype: FFT, IFFT and IRFFT take complex64, RFFT takes float32.
const fftSpecs = (["complex64", "float32"] as const).map((dtype) =>
  spec<FftC>({
    name: `fft/${dtype === "float32" ? "RFFT" : "FFT-IFFT-IRFFT"}`,
    prims: ["fft"],
    dtype,
    config: fftConfig.map((c) =>
      dtype === "float32" ? { ...c, type: "RFFT" as const } : c.type === "RFFT" ? { ...c, type: "IRFFT" as const } : c,
    ),
    args: (c) => values(dtype, fftInShape(c)).map((x) => [x]),
    fn: (c) => (x: Array) => lax.fft(x, c.type, c.lengths),
    diff: "smooth",
    linearIn: () => [[0]],
  }),
);

export const LINALG_SPECS: AnySpec[] = [...dotSpecs, ...convSpecs, ...decompositionSpecs, ...svdEigSpecs, ...fftSpecs];
