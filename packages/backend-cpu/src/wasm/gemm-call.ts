/**
 * JS entry of the WebAssembly f32 GEMM routine (./gemm.ts): argument checking, one compiled
 * module per (shared, config), one instance per memory, and the split of a call into ranges
 * (batch, row tiles, column tiles) that threads can run independently.
 *
 * Everything is addressed by byte pointers into one `WebAssembly.Memory` (the CPU backend's heap):
 * the operands, the result and a scratch block for the packed panels. Nothing is copied in or out.
 *
 * ```ts
 * // out[b] = x[b] · y[b]ᵀ for x: (B, m, k), y: (B, n, k), all float32 blocks of a WasmHeap.
 * const scratch = heap.alloc(gemmScratchBytes());
 * gemmF32(heap.memory, { a: xPtr, b: yPtr, c: outPtr, m, n, k, transB: true, batch: B, scratch });
 * // y broadcast over the batch instead: strideB: 0. One thread per range, each with its own scratch:
 * for (const [q, range] of gemmPartition(args, 2).entries()) gemmF32Range(heap.memory, args, range, { scratch: s[q] });
 * // or threads/gemm-pool.ts: new GemmPool(heap.memory).gemmF32({ ...args, scratch: ptrOf(pool.scratchBytes()) })
 * ```
 */
import { ValueError } from "@linax-ts/core";
import {
  buildGemmModule,
  checkGemmConfig,
  DEFAULT_GEMM_CONFIG,
  gemmScratchBytes as scratchBytesOf,
  hasRelaxedSimd,
  type GemmConfig,
} from "./gemm.ts";

/**
 * One (batched) f32 matrix product C[t] = op(A[t]) · op(B[t]) for t < batch, with op(A) m × k and
 * op(B) k × n; C is written (not accumulated into).
 *
 * Pointers are byte addresses into the memory, each 4-byte aligned (f32); 16-byte alignment of
 * `scratch` is faster (the packed panels are read with v128 loads). Operands may overlap each other
 * but not C or the scratch block.
 */
export interface GemmF32Args {
  /** A[0]: m × k row-major, or with `transA` k × m row-major (i.e. Aᵀ stored). */
  readonly a: number;
  /** B[0]: k × n row-major, or with `transB` n × k row-major. */
  readonly b: number;
  /** C[0]: m × n row-major (row stride `ldc`). */
  readonly c: number;
  readonly m: number;
  readonly n: number;
  readonly k: number;
  readonly transA?: boolean;
  readonly transB?: boolean;
  /** Row stride of the stored A in elements (default its column count: k, or m with transA). */
  readonly lda?: number;
  /** Row stride of the stored B in elements (default n, or k with transB). */
  readonly ldb?: number;
  /** Row stride of C in elements (default n). */
  readonly ldc?: number;
  /** Number of products (default 1). */
  readonly batch?: number;
  /** Elements between A[t] and A[t+1] (default m·k; 0 broadcasts one A over the batch). */
  readonly strideA?: number;
  /** Elements between B[t] and B[t+1] (default k·n; 0 broadcasts). */
  readonly strideB?: number;
  /** Elements between C[t] and C[t+1] (default m·n). */
  readonly strideC?: number;
  /** Scratch block of `gemmScratchBytes(config)` bytes, private to this call (or this range). */
  readonly scratch: number;
}

/** A part of a call: batches [b0, b1), rows [i0, i1) and columns [j0, j1) of C. */
export interface GemmRange {
  readonly b0: number;
  readonly b1: number;
  readonly i0: number;
  readonly i1: number;
  readonly j0: number;
  readonly j1: number;
}

/** The arguments of the module's `gemm` export, in order (strides in elements). */
export type GemmRawArgs = [
  a: number,
  b: number,
  c: number,
  k: number,
  rsA: number,
  csA: number,
  rsB: number,
  csB: number,
  ldc: number,
  sA: number,
  sB: number,
  sC: number,
];

type GemmExport = (...args: number[]) => void;

let relaxed: boolean | undefined;
let defaultConfig: GemmConfig | undefined;
/**
 * The config used when none is given: {@link DEFAULT_GEMM_CONFIG} (mul + add), or where relaxed
 * SIMD validates, FMA on a 6×8 tile (no product temporary, so 12 accumulators fit in registers;
 * measured ~8% faster than 5×8 with FMA at 1024³).
 */
export function defaultGemmConfig(): GemmConfig {
  relaxed ??= hasRelaxedSimd();
  defaultConfig ??= relaxed ? { ...DEFAULT_GEMM_CONFIG, mr: 6, mc: 96, fma: true } : DEFAULT_GEMM_CONFIG;
  return defaultConfig;
}

const configKey = (shared: boolean, c: GemmConfig): string =>
  `${shared ? "s" : "u"}:${c.mr},${c.nr},${c.kc},${c.mc},${c.nc},${c.unroll},${c.fma ? 1 : 0}`;
const modules = new Map<string, WebAssembly.Module>();
const instances = new WeakMap<WebAssembly.Memory, Map<string, GemmExport>>();
/** The last kernel looked up, so that a run of calls on one memory skips building the key (eager small ops). */
let last: { memory: WebAssembly.Memory; config: GemmConfig; fn: GemmExport } | undefined;

const isShared = (memory: WebAssembly.Memory): boolean =>
  typeof SharedArrayBuffer !== "undefined" && memory.buffer instanceof SharedArrayBuffer;

/** The compiled module for a memory of this kind (cached); worker threads instantiate the same one. */
export function gemmModule(shared: boolean, config: GemmConfig = defaultGemmConfig()): WebAssembly.Module {
  const key = configKey(shared, config);
  let mod = modules.get(key);
  if (mod === undefined) {
    checkGemmConfig(config);
    mod = new WebAssembly.Module(buildGemmModule({ shared, config }));
    modules.set(key, mod);
  }
  return mod;
}

/** The `gemm` export instantiated over `memory` (cached per memory and config). */
export function gemmKernel(memory: WebAssembly.Memory, config: GemmConfig = defaultGemmConfig()): GemmExport {
  if (last !== undefined && last.memory === memory && last.config === config) return last.fn;
  const shared = isShared(memory);
  const key = configKey(shared, config);
  let byMem = instances.get(memory);
  if (byMem === undefined) instances.set(memory, (byMem = new Map()));
  let fn = byMem.get(key);
  if (fn === undefined) {
    const inst = new WebAssembly.Instance(gemmModule(shared, config), { env: { memory } });
    fn = inst.exports.gemm as GemmExport;
    byMem.set(key, fn);
  }
  last = { memory, config, fn };
  return fn;
}

const isCount = (x: number): boolean => Number.isInteger(x) && x >= 0 && x <= 0x7fffffff;

/**
 * Checks `args` against `memory` (counts, strides, alignment, every element read or written lies
 * inside the memory) and returns the module's raw arguments.
 */
export function gemmRawArgs(
  memory: WebAssembly.Memory,
  args: GemmF32Args,
  config: GemmConfig = defaultGemmConfig(),
): GemmRawArgs {
  const { m, n, k } = args;
  const batch = args.batch ?? 1;
  const transA = args.transA ?? false,
    transB = args.transB ?? false;
  for (const [name, v] of [
    ["m", m],
    ["n", n],
    ["k", k],
    ["batch", batch],
  ] as const) {
    if (!isCount(v)) throw new ValueError(`gemmF32: ${name} must be a non-negative int32, got ${v}`);
  }
  const lda = args.lda ?? (transA ? m : k);
  const ldb = args.ldb ?? (transB ? k : n);
  const ldc = args.ldc ?? n;
  const sA = args.strideA ?? m * k,
    sB = args.strideB ?? k * n,
    sC = args.strideC ?? m * n;
  for (const [name, v] of [
    ["lda", lda],
    ["ldb", ldb],
    ["ldc", ldc],
    ["strideA", sA],
    ["strideB", sB],
    ["strideC", sC],
  ] as const) {
    if (!isCount(v)) throw new ValueError(`gemmF32: ${name} must be a non-negative int32, got ${v}`);
  }
  if (ldc < n) throw new ValueError(`gemmF32: ldc=${ldc} is less than n=${n}`);
  // Stored A is (rows × cols) with row stride lda; element (i, p) of op(A) sits at i·rsA + p·csA.
  const [rsA, csA] = transA ? [1, lda] : [lda, 1];
  const [rsB, csB] = transB ? [1, ldb] : [ldb, 1];
  const bytes = memory.buffer.byteLength;
  /** Highest element offset touched by a strided (rows × cols) operand over the batch, +1. */
  const extent = (rows: number, cols: number, rs: number, cs: number, s: number): number =>
    rows === 0 || cols === 0 || batch === 0 ? 0 : (batch - 1) * s + (rows - 1) * rs + (cols - 1) * cs + 1;
  const check = (name: string, ptr: number, elems: number): void => {
    if (!Number.isInteger(ptr) || ptr < 0 || ptr % 4 !== 0)
      throw new ValueError(`gemmF32: ${name} must be a 4-byte aligned byte address, got ${ptr}`);
    if (ptr + 4 * elems > bytes)
      throw new ValueError(
        `gemmF32: ${name} (${elems} f32 at ${ptr}) runs past the end of the memory (${bytes} bytes)`,
      );
  };
  check("a", args.a, extent(m, k, rsA, csA, sA));
  check("b", args.b, extent(k, n, rsB, csB, sB));
  check("c", args.c, extent(m, n, ldc, 1, sC));
  check("scratch", args.scratch, gemmScratchBytes(config) / 4);
  if (batch > 1 && sC < (m - 1) * ldc + n && m * n > 0)
    throw new ValueError(`gemmF32: strideC=${sC} makes the results of the batch overlap (m=${m}, n=${n}, ldc=${ldc})`);
  return [args.a, args.b, args.c, k, rsA, csA, rsB, csB, ldc, sA, sB, sC];
}

/** The whole of a call as one range. */
export const fullRange = (args: GemmF32Args): GemmRange => ({
  b0: 0,
  b1: args.batch ?? 1,
  i0: 0,
  i1: args.m,
  j0: 0,
  j1: args.n,
});

/**
 * Splits a call into at most `parts` disjoint ranges of about equal work that together cover C:
 * along the batch when it has at least `parts` products, else along rows in whole micro-tiles
 * (mr rows), else along columns in whole nr-column tiles. Each range needs its own scratch block.
 * Results do not depend on the split (each element's sum is formed the same way in any range).
 */
export function gemmPartition(args: GemmF32Args, parts: number, config: GemmConfig = defaultGemmConfig()): GemmRange[] {
  const full = fullRange(args);
  const batch = full.b1;
  if (parts <= 1 || batch === 0 || args.m === 0 || args.n === 0) return [full];
  const split = (units: number, p: number): [number, number][] => {
    const out: [number, number][] = [];
    for (let q = 0; q < p; q++) {
      const lo = Math.floor((q * units) / p),
        hi = Math.floor(((q + 1) * units) / p);
      if (hi > lo) out.push([lo, hi]);
    }
    return out;
  };
  if (batch >= parts) return split(batch, parts).map(([b0, b1]) => ({ ...full, b0, b1 }));
  const rowTiles = Math.ceil(args.m / config.mr),
    colTiles = Math.ceil(args.n / config.nr);
  if (rowTiles >= parts || rowTiles >= colTiles) {
    return split(rowTiles, Math.min(parts, rowTiles)).map(([lo, hi]) => ({
      ...full,
      i0: lo * config.mr,
      i1: Math.min(args.m, hi * config.mr),
    }));
  }
  return split(colTiles, Math.min(parts, colTiles)).map(([lo, hi]) => ({
    ...full,
    j0: lo * config.nr,
    j1: Math.min(args.n, hi * config.nr),
  }));
}

/** Runs one range of a call on this thread, with `scratch` (default: `args.scratch`). */
export function gemmF32Range(
  memory: WebAssembly.Memory,
  args: GemmF32Args,
  range: GemmRange,
  opts: { config?: GemmConfig; scratch?: number } = {},
): void {
  const config = opts.config ?? defaultGemmConfig();
  const raw = gemmRawArgs(memory, opts.scratch === undefined ? args : { ...args, scratch: opts.scratch }, config);
  const { b0, b1, i0, i1, j0, j1 } = range;
  const batch = args.batch ?? 1;
  if (!(
    0 <= b0 &&
    b0 <= b1 &&
    b1 <= batch &&
    0 <= i0 &&
    i0 <= i1 &&
    i1 <= args.m &&
    0 <= j0 &&
    j0 <= j1 &&
    j1 <= args.n
  )) {
    throw new ValueError(
      `gemmF32Range: range ${JSON.stringify(range)} is not inside batch=${batch}, m=${args.m}, n=${args.n}`,
    );
  }
  gemmKernel(memory, config)(...raw, b0, b1, i0, i1, j0, j1, opts.scratch ?? args.scratch);
}

/**
 * C[t] = op(A[t]) · op(B[t]) for the whole call on this thread (see {@link GemmF32Args}); the
 * scratch block must hold `gemmScratchBytes(config)` bytes (about 1.1 MiB with the default config).
 */
export function gemmF32(memory: WebAssembly.Memory, args: GemmF32Args, opts: { config?: GemmConfig } = {}): void {
  gemmF32Range(memory, args, fullRange(args), opts);
}

/**
 * Bytes of scratch one call (or one range) of {@link gemmF32} needs with `config` — by default the
 * config gemmF32 uses when given none (which depends on relaxed SIMD, so ask this, not a constant).
 */
export function gemmScratchBytes(config: GemmConfig = defaultGemmConfig()): number {
  return scratchBytesOf(config);
}

export type { GemmConfig };
