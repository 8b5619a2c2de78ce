/**
 * Eager ops on the compiled path: a primitive with a lowering rule, applied to arrays large
 * enough for the kernel to matter, runs as a one-equation program rendered once per primitive,
 * params and operand types (cached). Results are the reference kernels' bit for bit (compiled
 * kernels are), so eager code gets the fused kernels' speed without `jit`. Small ops stay on the
 * reference kernels, whose dispatch is cheaper.
 *
 * Deferred broadcasts: numpy-style binary ops broadcast their operands with `broadcastInDim`
 * before binding (`np.add(x, b)` with b of shape [n], `np.multiply(x, 2)`), which eagerly would
 * write a full-size copy of the small operand and read it back. Instead an eager broadcast of a
 * small operand returns a deferred buffer holding a copy of the operand; a compiled consumer folds
 * the broadcast into its loads (a two-equation program, fused into one kernel), and anything else
 * that reads the buffer materializes it first (`materializeBroadcast`, called by the backend).
 */
import {
  compile,
  InternalError,
  Jaxpr,
  JaxprEqn,
  registerCacheClearer,
  Var,
  type Primitive,
  type ShapedArray,
} from "@linax-ts/core";
import type { CpuBackend, CpuBuffer } from "../backend.ts";
import { getKernel } from "../registry.ts";
import { CpuExecutable } from "./executable.ts";

/**
 * Past this many live heap bytes the heap stops growing for eager results: a result takes a free
 * heap block of its size, or else the block of the oldest result placed past the limit that is
 * still alive, which moves out to a JS array; operands in JS arrays are copied into temporary
 * blocks instead of moving there (see `place`). The garbage collector sees JS arrays and reclaims
 * them itself, but not the heap, whose blocks only `dispose` and finalizers free — and finalizers
 * never run inside one synchronous job — so eager code that forgets its results cannot fill the
 * heap, while code that disposes them keeps reusing the same blocks with no copies.
 *
 * Why not the reference kernels past the limit (as this did before): a 4M-sample
 * `random.uniform` leaves ~240 MiB of intermediates to the finalizers, and every eager op after
 * it then ran 25× slower. Why reuse blocks rather than always copy out: fresh memory costs a page
 * fault per 4 KiB on first touch (≈ 3 ms per MiB on this VM), so a fresh 16 MiB JS array per 4M
 * add costs 50 ms whoever computes it.
 */
export const EAGER_HEAP_LIMIT = 256 * 2 ** 20;
let heapLimit = EAGER_HEAP_LIMIT;

/** Set the live-heap limit of eager results (tests); returns the previous one. */
export function setEagerHeapLimit(bytes: number): number {
  const was = heapLimit;
  heapLimit = bytes;
  return was;
}

/**
 * Ops whose largest operand or result has fewer elements run on the reference kernel. The compiled
 * path overtakes the reference at a few hundred elements (a 1024-element add: ≈ 3 µs compiled,
 * ≈ 20–40 µs on the reference, whose kernels build index maps and loop in JS).
 */
export const EAGER_COMPILE_MIN_SIZE = 256;

/**
 * Ops with at least this many elements compile on first use; smaller ones on their
 * {@link EAGER_WARM_USES}+1-th use with the same primitive, params and operand types. Compiling a
 * one-op program costs ≈ 1 ms — more than a one-off small op is worth (tests draw thousands of
 * random shapes) but soon repaid by one that repeats (a loop in a notebook).
 */
export const EAGER_COMPILE_AT_ONCE_SIZE = 4096;
const EAGER_WARM_USES = 2;
const uses = new Map<string, number>();
const MAX_USES = 4096;

/** A broadcast is deferred when its operand has at most this fraction of the result's elements. */
const DEFER_MAX_FRACTION = 1 / 2;

/** What a deferred buffer computes when first read: `broadcastInDim` of a private copy of its operand. */
export interface DeferredBroadcast {
  readonly prim: Primitive;
  /** The operand's copy, owned by the deferred buffer (freed when it materializes or is disposed). */
  readonly src: CpuBuffer;
  readonly srcAval: ShapedArray;
  readonly outAval: ShapedArray;
  readonly params: Readonly<Record<string, unknown>>;
  /** The cache-key fragment of this broadcast. */
  readonly key: string;
}

const cache = new Map<string, CpuExecutable | null>();
const MAX_CACHED = 512;
registerCacheClearer(() => {
  cache.clear();
  uses.clear();
});

/** Whether the program of `key` is (to be) compiled: it is large or has been used often enough. */
function hot(key: string, size: number): boolean {
  if (size >= EAGER_COMPILE_AT_ONCE_SIZE) return true;
  const n = uses.get(key) ?? 0;
  if (n > EAGER_WARM_USES) return true;
  if (uses.size >= MAX_USES) uses.clear();
  // Counted until hot, then kept as hot (its program may live under another key: a fused one).
  uses.set(key, n + 1);
  return n + 1 > EAGER_WARM_USES;
}

/**
 * The cached executable of a program of kernels only, or null: a declined lowering (complex exp,
 * say) becomes a routine step, which would call straight back here.
 */
function kernelProgram(be: CpuBackend, key: string, build: () => Jaxpr): CpuExecutable | null {
  let exe = cache.get(key);
  if (exe === undefined) {
    const e = new CpuExecutable(be, build());
    const c = e.compiled;
    exe = c === null || c.program.steps.some((st) => st.kind !== "kernel") ? null : e;
    if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value!);
    cache.set(key, exe);
  }
  // fastMath is read at each call: the executable compiles one program per setting.
  if (exe !== null && exe.compiled === null) return null;
  return exe;
}

const keyOf = (prim: Primitive, params: Readonly<Record<string, unknown>>, inAvals: readonly ShapedArray[]): string =>
  `${prim.name}|${JSON.stringify(params)}|${inAvals.map(String).join(",")}`;

/** `prim` as a one-equation jaxpr. */
function oneEqn(
  prim: Primitive,
  inAvals: readonly ShapedArray[],
  outAvals: readonly ShapedArray[],
  params: Readonly<Record<string, unknown>>,
): Jaxpr {
  const ins = inAvals.map((a) => new Var(a));
  const outs = outAvals.map((a) => new Var(a));
  return new Jaxpr([], ins, [new JaxprEqn(prim, ins, params, outs)], outs);
}

/** Run `prim` as a compiled one-op program, or undefined when it has no lowering, is small or not hot yet. */
export function runEagerCompiled(
  be: CpuBackend,
  prim: Primitive,
  inputs: readonly CpuBuffer[],
  inAvals: readonly ShapedArray[],
  outAvals: readonly ShapedArray[],
  params: Readonly<Record<string, unknown>>,
): CpuBuffer[] | undefined {
  const size = Math.max(0, ...inAvals.map((a) => a.size), ...outAvals.map((a) => a.size));
  if (size < EAGER_COMPILE_MIN_SIZE || compile.getLowering(prim) === undefined) return undefined;
  const key = keyOf(prim, params, inAvals);
  if (!hot(key, size)) return undefined;
  if (
    prim.name === "broadcastInDim" &&
    inputs[0].lazy === null &&
    inAvals[0].size <= DEFER_MAX_FRACTION * outAvals[0].size
  ) {
    return [deferBroadcast(be, prim, inputs[0], inAvals[0], outAvals[0], params, key)];
  }
  // A deferred operand was hot: so is, most likely, its consumer (compiled at once).
  if (inputs.some((b) => b.lazy !== null)) {
    const fused = runFused(be, prim, inputs, inAvals, outAvals, params, key);
    if (fused !== undefined) return fused;
  }
  const exe = kernelProgram(be, key, () => oneEqn(prim, inAvals, outAvals, params));
  return exe === null ? undefined : place(be, exe, inputs, inAvals, outAvals);
}

/** `prim` applied to deferred broadcasts as one program: the broadcasts fold into its kernel's loads. */
function runFused(
  be: CpuBackend,
  prim: Primitive,
  inputs: readonly CpuBuffer[],
  inAvals: readonly ShapedArray[],
  outAvals: readonly ShapedArray[],
  params: Readonly<Record<string, unknown>>,
  plainKey: string,
): CpuBuffer[] | undefined {
  const lazies = inputs.map((b) => b.lazy);
  const key = `${plainKey}|deferred ${lazies.map((l, i) => (l === null ? "" : `${i}:${l.key}`)).join(";")}`;
  // Only fused programs are worth it: one kernel (else the consumers run on materialized operands).
  const exe = kernelProgram(be, key, () => {
    const eqns: JaxprEqn[] = [];
    const invars: Var[] = [];
    const args = lazies.map((l, i) => {
      if (l === null) {
        const v = new Var(inAvals[i]);
        invars.push(v);
        return v;
      }
      const src = new Var(l.srcAval);
      const out = new Var(l.outAval);
      invars.push(src);
      eqns.push(new JaxprEqn(l.prim, [src], l.params, [out]));
      return out;
    });
    const outs = outAvals.map((a) => new Var(a));
    eqns.push(new JaxprEqn(prim, args, params, outs));
    return new Jaxpr([], invars, eqns, outs);
  });
  if (exe === null || exe.compiled!.program.steps.length !== 1) return undefined;
  const args = inputs.map((b) => b.lazy?.src ?? b);
  return place(
    be,
    exe,
    args,
    args.map((b, i) => lazies[i]?.srcAval ?? inAvals[i]),
    outAvals,
  );
}

/** A deferred `broadcastInDim` of `x`: it holds a copy of `x` (the caller may dispose `x` at once). */
function deferBroadcast(
  be: CpuBackend,
  prim: Primitive,
  x: CpuBuffer,
  srcAval: ShapedArray,
  outAval: ShapedArray,
  params: Readonly<Record<string, unknown>>,
  key: string,
): CpuBuffer {
  const src = be.copyBuffer(x, srcAval);
  return be.deferred(outAval.dtype, outAval.size, { prim, src, srcAval, outAval, params, key });
}

/** Compute a deferred buffer's bytes (it is read by something that does not fold the broadcast). */
export function materializeBroadcast(be: CpuBackend, b: CpuBuffer): void {
  const l = b.lazy!;
  const exe = kernelProgram(be, l.key, () => oneEqn(l.prim, [l.srcAval], [l.outAval], l.params));
  if (exe === null) {
    // Not expected (broadcasts render for every dtype the renderer knows), but never fatal: the reference kernel.
    const k = getKernel(l.prim.name);
    if (k === undefined) throw new InternalError("cpu eager: no kernel for a deferred broadcastInDim");
    const [out] = k([be.view(l.src)], [l.srcAval], [l.outAval], l.params);
    b.js = out;
    b.lazy = null;
    be.dispose(l.src);
    return;
  }
  const [out] = place(be, exe, [l.src], [l.srcAval], [l.outAval]);
  // Adopt the result's storage; disposing the emptied handle only settles the live count.
  b.ptr = out.ptr;
  b.js = out.js;
  out.ptr = 0;
  out.js = null;
  b.lazy = null;
  be.dispose(out);
  be.dispose(l.src);
}

/**
 * Results placed in the heap while past the limit, by block size, oldest first. When an op past
 * the limit finds no free block of a size, the oldest of these still alive moves out to a JS array
 * and the op takes its block: the heap grows by at most one block per size, code that disposes
 * its results keeps reusing the same blocks without any copy, and code that keeps them gets them
 * in JS arrays, which the garbage collector sees.
 */
const residents = new Map<number, CpuBuffer[]>();

/** Run `exe` on `inputs` where its results may live (the heap limit above). */
function place(
  be: CpuBackend,
  exe: CpuExecutable,
  inputs: readonly CpuBuffer[],
  inAvals: readonly ShapedArray[],
  outAvals: readonly ShapedArray[],
): CpuBuffer[] {
  const heap = be.heap;
  if (heap.liveBytes <= heapLimit) {
    residents.clear();
    return exe.execute(inputs as CpuBuffer[]) as CpuBuffer[];
  }
  // The results and the temporary heap copies of JS-array operands (a borrowed handle's copy is
  // the executor's to free after the call) need blocks of these sizes.
  const need = new Map<number, number>();
  for (const a of [...outAvals, ...inAvals.filter((_, i) => inputs[i].ptr === 0)]) {
    const cls = heap.blockBytesFor(byteSize(a));
    need.set(cls, (need.get(cls) ?? 0) + 1);
  }
  for (const [cls, n] of need) {
    let short = n - heap.freeBlocksFor(cls);
    const list = residents.get(cls);
    while (short > 0 && list !== undefined && list.length > 0) {
      const r = list.shift()!;
      if (r.disposed || r.ptr === 0) continue;
      moveOut(be, r);
      short--;
    }
  }
  const outs = exe.execute(inputs.map((b) => (b.ptr === 0 ? be.borrow(b) : b))) as CpuBuffer[];
  outs.forEach((o, i) => {
    if (o.ptr === 0) return;
    const cls = heap.blockBytesFor(byteSize(outAvals[i]));
    let list = residents.get(cls);
    if (list === undefined) residents.set(cls, (list = []));
    // Drop the disposed ones now and then, so that the list stays short.
    if (list.length >= 64) list.splice(0, list.length, ...list.filter((r) => !r.disposed && r.ptr !== 0));
    list.push(o);
  });
  return outs;
}

const byteSize = (a: ShapedArray): number =>
  a.size *
  (a.dtype === "complex64" ? 8 : a.dtype === "bool" ? 1 : a.dtype === "float16" || a.dtype === "bfloat16" ? 2 : 4);

/** Move a result's bytes from its heap block into a JS array. */
function moveOut(be: CpuBackend, b: CpuBuffer): void {
  if (b.ptr === 0 || b.borrowed) return;
  b.js = be.heap.view(b.ptr, b.dtype, b.size).slice();
  be.heap.free(b.ptr);
  b.ptr = 0;
}
