/**
 * dotGeneral as a WebAssembly routine: float32 products whose operand layouts a GEMM can read in
 * place — batch dimensions leading and in order on both sides, the free and contracting
 * dimensions of each operand forming two contiguous runs in either order (a transposed operand
 * costs nothing) — run on the SIMD GEMM (wasm/gemm.ts), over both cores where the heap is shared.
 * Other layouts and dtypes return undefined (the reference kernel runs).
 *
 * The GEMM accumulates in float32, as XLA and every BLAS do; the reference kernel accumulates in
 * float64, so the two agree to the usual k·ε·Σ|a||b| bound, not bit for bit (tested in wasm-gemm.test.ts).
 */
import type { lax, ShapedArray } from "@linax-ts/core";
import { defaultGemmConfig, gemmF32, gemmRawArgs, gemmScratchBytes, type GemmF32Args } from "../wasm/gemm-call.ts";
import type { GemmConfig } from "../wasm/gemm.ts";
import { GemmPool, type GemmPoolEpilogue } from "../wasm/threads/gemm-pool.ts";
import { backendWorkerPool } from "./kernel-threads.ts";
import type { CpuBackend, CpuBuffer } from "../backend.ts";

const isRun = (dims: readonly number[], from: number): boolean => dims.every((d, i) => d === from + i);

/** How one operand is read: [batch][rows][cols] with `trans` saying whether rows are the contracted ones. */
interface Layout {
  readonly batch: number;
  readonly free: number;
  readonly k: number;
  /** true: contracting dims come first (the stored matrix is k × free). */
  readonly contractFirst: boolean;
}

function layoutOf(a: ShapedArray, batchDims: readonly number[], contract: readonly number[]): Layout | null {
  const nb = batchDims.length;
  if (!isRun(batchDims, 0)) return null;
  const nc = contract.length;
  const size = (dims: readonly number[]): number => dims.reduce((p, d) => p * a.shape[d], 1);
  const batch = size(batchDims);
  const k = size(contract);
  const freeDims = a.shape.map((_, d) => d).filter((d) => d >= nb && !contract.includes(d));
  const free = size(freeDims);
  // Contracting dims must be one run, in order; the free dims the other run.
  if (isRun(contract, a.ndim - nc) && (freeDims.length === 0 || isRun(freeDims, nb)))
    return { batch, free, k, contractFirst: false };
  if (isRun(contract, nb) && (freeDims.length === 0 || isRun(freeDims, nb + nc)))
    return { batch, free, k, contractFirst: true };
  return null;
}

interface GemmState {
  readonly pool: GemmPool | null;
  readonly scratch: number;
}
const states = new WeakMap<CpuBackend, GemmState>();

function gemmState(be: CpuBackend): GemmState {
  let s = states.get(be);
  if (s === undefined) {
    const heap = be.heap;
    // No worker threads here (a browser main thread without isolation): one thread, same results.
    const workers = backendWorkerPool(be);
    const pool = workers === null ? null : new GemmPool(heap.memory, { pool: workers });
    const bytes = pool?.scratchBytes() ?? gemmScratchBytes(defaultGemmConfig());
    s = { pool, scratch: heap.alloc(bytes) };
    states.set(be, s);
  }
  return s;
}

/** One GEMM call on the backend's pool (both cores) or, without one, on this thread (also used by the im2col conv). */
export function runGemm(be: CpuBackend, args: Omit<GemmF32Args, "scratch">): void {
  const st = gemmState(be);
  if (st.pool !== null) st.pool.gemmF32({ ...args, scratch: st.scratch });
  else gemmF32(be.heap.memory, { ...args, scratch: st.scratch });
}

/** The config of this backend's GEMM calls (a GEMM module with an epilogue must be built with it). */
export function gemmConfigOf(be: CpuBackend): GemmConfig {
  return gemmState(be).pool?.config ?? defaultGemmConfig();
}

/** Whether a call with these arguments would be split over the GEMM pool's threads. */
export function gemmSplits(be: CpuBackend, args: Pick<GemmF32Args, "m" | "n" | "k" | "batch">): boolean {
  const pool = gemmState(be).pool;
  return pool !== null && pool.threads > 1 && 2 * args.m * args.n * args.k * (args.batch ?? 1) >= pool.minFlop;
}

/**
 * A GEMM with its epilogue built in (compile/gemm-epilogue.ts), on the pool (whose workers must
 * not meet an epilogue that calls imports: see {@link gemmSplits}) or on this thread.
 */
export function runGemmWithEpilogue(
  be: CpuBackend,
  args: Omit<GemmF32Args, "scratch">,
  epilogue: GemmPoolEpilogue,
): void {
  const st = gemmState(be);
  const full = { ...args, scratch: st.scratch };
  if (st.pool !== null) st.pool.gemmF32(full, epilogue);
  else
    epilogue.fn(
      ...gemmRawArgs(be.heap.memory, full),
      0,
      args.batch ?? 1,
      0,
      args.m,
      0,
      args.n,
      st.scratch,
      ...epilogue.extra,
    );
}

/** The shape of a plain (batched) GEMM computing this dotGeneral, or null when the layouts are not one. */
function gemmShape(xa: ShapedArray, ya: ShapedArray, params: lax.DotGeneralParams): { l: Layout; r: Layout } | null {
  const [[lc, rc], [lb, rb]] = [params.contractingDims, params.batchDims];
  // The k index must run over both operands' contracting dims in the same order.
  for (let i = 1; i < lc.length; i++) if (!(lc[i] > lc[i - 1] && rc[i] > rc[i - 1])) return null;
  const l = layoutOf(xa, lb, lc);
  const r = layoutOf(ya, rb, rc);
  return l === null || r === null ? null : { l, r };
}

/** The GEMM arguments of a float32 dotGeneral (operand and result addresses left out), or null. */
export function f32GemmArgs(
  [xa, ya]: readonly ShapedArray[],
  out: ShapedArray,
  params: lax.DotGeneralParams,
): Omit<GemmF32Args, "a" | "b" | "c" | "scratch"> | null {
  if (xa.dtype !== "float32" || ya.dtype !== "float32" || out.dtype !== "float32") return null;
  const g = gemmShape(xa, ya, params);
  if (g === null) return null;
  const { l, r } = g;
  const [m, n, k] = [l.free, r.free, l.k];
  return {
    m,
    n,
    k,
    // A stored m × k is op(A) as is; stored k × m is Aᵀ.
    transA: l.contractFirst,
    // B stored k × n is op(B) as is; stored n × k is Bᵀ.
    transB: !r.contractFirst,
    batch: l.batch,
    strideA: m * k,
    strideB: k * n,
    strideC: m * n,
  };
}

/** The product on the GEMM, or undefined when this dotGeneral is not a plain (batched) f32 GEMM. */
export function dotGeneralWasm(
  be: CpuBackend,
  [x, y]: readonly CpuBuffer[],
  [xa, ya]: readonly ShapedArray[],
  out: ShapedArray,
  params: lax.DotGeneralParams,
): CpuBuffer | undefined {
  const complex = xa.dtype === "complex64" && ya.dtype === "complex64" && out.dtype === "complex64";
  if (complex) {
    const g = gemmShape(xa, ya, params);
    if (g === null) return undefined;
    const c = be.allocHeap(out.dtype, out.size);
    if (out.size > 0) complexGemm(be, x, y, g.l, g.r, c);
    return c;
  }
  const shape = f32GemmArgs([xa, ya], out, params);
  if (shape === null) return undefined;
  const c = be.allocHeap(out.dtype, out.size);
  if (out.size === 0) return c;
  // A borrowed operand's bytes may be copied into the heap for this call only: freed below.
  const a = be.heapAddress(x);
  const b = be.heapAddress(y);
  runGemm(be, { ...shape, a, b, c: c.ptr });
  if (a !== x.ptr) be.heap.free(a);
  if (b !== y.ptr && b !== a) be.heap.free(b);
  return c;
}

/**
 * A complex product as one real GEMM: with A as the real m × 2k matrix of its interleaved (re, im)
 * pairs and B expanded to the real 2k × 2n matrix [[Re B, Im B], [−Im B, Re B]] (pairs interleaved),
 * the real product is C's interleaved pairs: Σ (ar·br − ai·bi, ar·bi + ai·br). A read as stored when
 * it is m × k; otherwise (and B always) copied into that layout — O(mk + kn) against O(mkn).
 */
function complexGemm(be: CpuBackend, x: CpuBuffer, y: CpuBuffer, l: Layout, r: Layout, c: CpuBuffer): void {
  const heap = be.heap;
  const { batch, free: m, k } = l;
  const n = r.free;
  let aPtr: number;
  let aTemp = 0;
  if (!l.contractFirst) aPtr = be.heapAddress(x);
  else {
    aPtr = aTemp = heap.alloc(8 * batch * m * k);
    const a = heap.view(aPtr, "float32", 2 * batch * m * k) as Float32Array;
    const src = be.view(x) as Float32Array;
    for (let t = 0; t < batch; t++) {
      const o = t * m * k;
      for (let p = 0; p < k; p++) {
        for (let i = 0; i < m; i++) {
          const s = 2 * (o + p * m + i);
          const d = 2 * (o + i * k + p);
          a[d] = src[s];
          a[d + 1] = src[s + 1];
        }
      }
    }
  }
  const bPtr = heap.alloc(16 * batch * k * n);
  const bv = heap.view(bPtr, "float32", 4 * batch * k * n) as Float32Array;
  const src = be.view(y) as Float32Array;
  for (let t = 0; t < batch; t++) {
    const o = t * k * n;
    const ob = 4 * o;
    for (let p = 0; p < k; p++) {
      const row0 = ob + 2 * p * 2 * n;
      const row1 = row0 + 2 * n;
      for (let j = 0; j < n; j++) {
        const s = 2 * (o + (r.contractFirst ? p * n + j : j * k + p));
        const re = src[s];
        const im = src[s + 1];
        bv[row0 + 2 * j] = re;
        bv[row0 + 2 * j + 1] = im;
        bv[row1 + 2 * j] = -im;
        bv[row1 + 2 * j + 1] = re;
      }
    }
  }
  const args = {
    a: aPtr,
    b: bPtr,
    c: c.ptr,
    m,
    n: 2 * n,
    k: 2 * k,
    batch,
    strideA: 2 * m * k,
    strideB: 4 * k * n,
    strideC: 2 * m * n,
  };
  runGemm(be, args);
  heap.free(bPtr);
  if (aTemp !== 0) heap.free(aTemp);
  else if (aPtr !== x.ptr) heap.free(aPtr);
}
