/**
 * The CPU backend. A buffer's bytes live either in a JS typed array (what the reference kernels
 * return) or in a block of the WebAssembly heap (what compiled kernels read and write in place);
 * a buffer moves into the heap the first time a compiled kernel reads it. Values are immutable,
 * so where the bytes live is invisible to users.
 */
import {
  ValueError,
  allocTyped,
  config,
  UseAfterDisposeError,
  type Backend,
  type DeviceBuffer,
  type DType,
  type Executable,
  type Jaxpr,
  type Primitive,
  type ShapedArray,
  type TypedArray,
} from "@linax-ts/core";
import { getKernel } from "./registry.ts";
import { WasmHeap } from "./wasm/heap.ts";
import { CpuExecutable } from "./compile/executable.ts";
import { fastRoutine } from "./compile/routine-table.ts";
import {
  EAGER_COMPILE_MIN_SIZE,
  materializeBroadcast,
  runEagerCompiled,
  type DeferredBroadcast,
} from "./compile/eager-programs.ts";

const byteSize = (dtype: DType, size: number): number =>
  (dtype === "complex64" ? 8 : dtype === "bool" ? 1 : dtype === "float16" || dtype === "bfloat16" ? 2 : 4) * size;

/** Whether every operand and result has fewer than `n` elements. */
function allSmaller(inAvals: readonly ShapedArray[], outAvals: readonly ShapedArray[], n: number): boolean {
  for (let i = 0; i < inAvals.length; i++) if (inAvals[i].size >= n) return false;
  for (let i = 0; i < outAvals.length; i++) if (outAvals[i].size >= n) return false;
  return true;
}

export class CpuBuffer implements DeviceBuffer {
  /** JS storage, or null when the bytes are in the heap (or the buffer was disposed). */
  js: TypedArray | null;
  /** Heap block address, 0 when none. */
  ptr = 0;
  /** An eager broadcast not computed yet (compile/eager-programs.ts); its bytes appear when first read. */
  lazy: DeferredBroadcast | null = null;
  disposed = false;
  constructor(
    readonly backend: CpuBackend,
    data: TypedArray | null,
    readonly dtype: DType,
    /** Element count (complex64: complex elements). */
    readonly size: number,
    /** A borrowed handle's dispose does not free storage (the executor lends buffers to composite impls). */
    readonly borrowed = false,
  ) {
    this.js = data;
  }
}

/**
 * Above this many live heap bytes, compiled outputs are copied out to JS arrays: heap blocks are
 * freed only by `dispose` or the garbage collector's finalizers, and the collector does not see
 * heap memory, so past this point new results go where it does.
 */
const HEAP_SOFT_LIMIT = 1 << 30;

export class CpuBackend implements Backend {
  readonly name = "cpu";
  #live = 0;
  #heap: WasmHeap | undefined;

  /** The WebAssembly heap (created on first use). */
  get heap(): WasmHeap {
    return (this.#heap ??= new WasmHeap());
  }

  fromHost(data: TypedArray, aval: ShapedArray): DeviceBuffer {
    const copy = allocTyped(aval.dtype, aval.size);
    if (copy.length !== data.length)
      throw new ValueError(`cpu.fromHost: ${aval.toString()} needs ${copy.length} elements, got ${data.length}`);
    copy.set(data as never);
    return this.wrapTyped(copy, aval.dtype, aval.size);
  }
  /** Take ownership of a typed array without copying. */
  wrapTyped(data: TypedArray, dtype: DType, size: number): CpuBuffer {
    this.#live++;
    return new CpuBuffer(this, data, dtype, size);
  }
  /** A new buffer in the heap (contents unspecified). */
  allocHeap(dtype: DType, size: number): CpuBuffer {
    const b = new CpuBuffer(this, null, dtype, size);
    b.ptr = this.heap.alloc(byteSize(dtype, size));
    this.#live++;
    return b;
  }
  /** A new buffer whose bytes `lazy` computes when it is first read. */
  deferred(dtype: DType, size: number, lazy: DeferredBroadcast): CpuBuffer {
    const b = new CpuBuffer(this, null, dtype, size);
    b.lazy = lazy;
    this.#live++;
    return b;
  }
  /** A handle on the same storage whose dispose frees nothing. */
  borrow(buf: CpuBuffer): CpuBuffer {
    this.dataOf(buf);
    const b = new CpuBuffer(this, buf.js, buf.dtype, buf.size, true);
    b.ptr = buf.ptr;
    return b;
  }
  /** A borrowed handle on `size` elements at heap address `ptr` inside `of` (a scan step's slice). */
  sliceHandle(of: CpuBuffer, ptr: number, size: number): CpuBuffer {
    const b = new CpuBuffer(this, null, of.dtype, size, true);
    b.ptr = ptr;
    return b;
  }
  /** A new owned heap buffer with the contents of `buf`. */
  copyBuffer(buf: CpuBuffer, aval: ShapedArray): CpuBuffer {
    const src = this.dataOf(buf);
    const b = this.allocHeap(aval.dtype, aval.size);
    this.heap.view(b.ptr, aval.dtype, aval.size).set(src as never);
    return b;
  }
  /** The heap address of a buffer's bytes, moving them into the heap if they are in a JS array. */
  heapAddress(buf: CpuBuffer): number {
    if (buf.disposed) throw new UseAfterDisposeError("cpu backend: buffer used after dispose");
    if (buf.lazy !== null) materializeBroadcast(this, buf);
    if (buf.ptr !== 0) return buf.ptr;
    const js = buf.js!;
    const ptr = this.heap.alloc(byteSize(buf.dtype, buf.size));
    this.heap.view(ptr, buf.dtype, buf.size).set(js as never);
    if (buf.borrowed) return ptr; // not ours to move: the caller frees this copy
    buf.ptr = ptr;
    buf.js = null;
    return ptr;
  }
  /** Move a buffer's bytes out of the heap into a JS array (the heap is past its soft limit). */
  evict(buf: CpuBuffer): void {
    if (buf.ptr === 0 || buf.borrowed || this.heap.liveBytes <= HEAP_SOFT_LIMIT) return;
    buf.js = this.heap.view(buf.ptr, buf.dtype, buf.size).slice();
    this.heap.free(buf.ptr);
    buf.ptr = 0;
  }
  private dataOf(buf: DeviceBuffer): TypedArray {
    const b = buf as CpuBuffer;
    if (b.disposed) throw new UseAfterDisposeError("cpu backend: buffer used after dispose");
    if (b.lazy !== null) materializeBroadcast(this, b);
    if (b.js !== null) return b.js;
    // A fresh view each time: growing an unshared memory detaches older views.
    return this.heap.view(b.ptr, b.dtype, b.size);
  }
  read(buf: DeviceBuffer): Promise<TypedArray> {
    return Promise.resolve(this.dataOf(buf).slice());
  }
  readSync(buf: DeviceBuffer): TypedArray {
    return this.dataOf(buf).slice();
  }
  /** Zero-copy view for kernels and tests that promise not to mutate it (valid until the heap grows, if unshared). */
  view(buf: DeviceBuffer): TypedArray {
    return this.dataOf(buf);
  }
  dispose(buf: DeviceBuffer): void {
    const b = buf as CpuBuffer;
    if (b.disposed) return;
    b.disposed = true;
    if (b.borrowed) return;
    if (b.lazy !== null) this.dispose(b.lazy.src);
    b.lazy = null;
    if (b.ptr !== 0) this.heap.free(b.ptr);
    b.ptr = 0;
    b.js = null;
    this.#live--;
  }
  execute(
    prim: Primitive,
    inputs: readonly DeviceBuffer[],
    inAvals: readonly ShapedArray[],
    outAvals: readonly ShapedArray[],
    params: Readonly<Record<string, unknown>>,
  ): DeviceBuffer[] | undefined {
    // The fast paths; with jitCompile off the backend is the plain reference (the tests' oracle).
    const fast = config.read("jitCompile");
    if (fast) {
      const routine = fastRoutine(prim.name)?.(this, inputs as CpuBuffer[], inAvals, outAvals, params);
      if (routine !== undefined) return routine;
      // Small ops stay on the reference kernels (eager-programs.ts); deciding that here, in a plain
      // loop, keeps its size computation and cache lookup off every small eager op.
      if (!allSmaller(inAvals, outAvals, EAGER_COMPILE_MIN_SIZE)) {
        const compiled = runEagerCompiled(this, prim, inputs as CpuBuffer[], inAvals, outAvals, params);
        if (compiled !== undefined) return compiled;
      }
    }
    const k = getKernel(prim.name);
    if (k === undefined) return undefined;
    const data: TypedArray[] = new Array(inputs.length);
    for (let i = 0; i < inputs.length; i++) data[i] = this.dataOf(inputs[i]);
    const outs = k(data, inAvals, outAvals, params);
    const bufs: DeviceBuffer[] = new Array(outs.length);
    for (let i = 0; i < outs.length; i++) bufs[i] = this.wrapTyped(outs[i], outAvals[i].dtype, outAvals[i].size);
    return bufs;
  }
  /** jit's compiled form: fused WebAssembly kernels and routine calls (off: `config.update("jitCompile", false)`). */
  compile(jaxpr: Jaxpr): Executable {
    return new CpuExecutable(this, jaxpr);
  }
  liveBuffers(): number {
    return this.#live;
  }
}
