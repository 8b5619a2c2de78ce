/**
 * The CPU backend's WebAssembly heap: one `WebAssembly.Memory` that compiled kernels read and
 * write in place, with a size-class allocator.
 *
 * The memory is shared (a SharedArrayBuffer) where the engine allows it, so typed-array views
 * stay valid when the memory grows and worker threads can run kernels on the same bytes. Without
 * shared memory (a browser page that is not cross-origin isolated) growing detaches old views, so
 * callers ask for views at the moment of use (`view`) instead of keeping them.
 *
 * Allocation is by power-of-two size class (64 bytes at least, 64-byte aligned for SIMD loads and
 * cache lines): a freed block goes to its class's free list and the next request of that class
 * takes it, so a repeated call (a training step) runs without growing after the first. The
 * ceiling is wasm32's 4 GiB address space.
 */
import { InternalError } from "@linax-ts/core";
import type { DType, TypedArray } from "@linax-ts/core";

const PAGE = 65536;
/** wasm32 addresses 4 GiB: 65536 pages. */
export const MAX_PAGES = 65536;
const MIN_CLASS = 64;

/** Whether this engine can make shared WebAssembly memories (Node; cross-origin isolated pages). */
function canShare(): boolean {
  if (typeof SharedArrayBuffer === "undefined") return false;
  try {
    new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    return true;
  } catch {
    return false;
  }
}

type ViewCtor =
  | Float32ArrayConstructor
  | Int32ArrayConstructor
  | Uint32ArrayConstructor
  | Uint8ArrayConstructor
  | Uint16ArrayConstructor;
const ctorOf = (d: DType): ViewCtor =>
  d === "float32" || d === "complex64"
    ? Float32Array
    : d === "int32"
      ? Int32Array
      : d === "uint32"
        ? Uint32Array
        : d === "float16" || d === "bfloat16"
          ? Uint16Array
          : Uint8Array;

export class WasmHeap {
  readonly memory: WebAssembly.Memory;
  readonly shared: boolean;
  /** Free blocks by size class. */
  readonly #free = new Map<number, number[]>();
  /** Size class of every block handed out (live or free), by address. */
  readonly #classOf = new Map<number, number>();
  #top: number;
  #live = 0;
  #liveBytes = 0;

  constructor(opts: { shared?: boolean; initialPages?: number } = {}) {
    this.shared = opts.shared ?? canShare();
    const initial = opts.initialPages ?? 256;
    this.memory = new WebAssembly.Memory(
      this.shared ? { initial, maximum: MAX_PAGES, shared: true } : { initial, maximum: MAX_PAGES },
    );
    // Address 0 stays unused so that 0 can never be a valid block.
    this.#top = MIN_CLASS;
  }

  /** Bytes currently handed out (by size class). */
  get liveBytes(): number {
    return this.#liveBytes;
  }
  /** Blocks currently handed out. */
  get liveBlocks(): number {
    return this.#live;
  }
  /** Bytes the memory spans now. */
  get capacity(): number {
    return this.memory.buffer.byteLength;
  }

  /** The size of the block a request of `bytes` bytes gets (its size class). */
  blockBytesFor(bytes: number): number {
    let cls = MIN_CLASS;
    while (cls < bytes) cls *= 2;
    return cls;
  }

  /** Free blocks that a request of `bytes` bytes would take (same size class) without growing the heap. */
  freeBlocksFor(bytes: number): number {
    let cls = MIN_CLASS;
    while (cls < bytes) cls *= 2;
    return this.#free.get(cls)?.length ?? 0;
  }

  /** A block of at least `bytes` bytes, 64-byte aligned; its contents are unspecified. */
  alloc(bytes: number): number {
    let cls = MIN_CLASS;
    while (cls < bytes) cls *= 2;
    const list = this.#free.get(cls);
    let ptr = list?.pop();
    if (ptr === undefined) {
      ptr = this.#top;
      const end = ptr + cls;
      if (end > this.capacity) this.#grow(end);
      this.#top = end;
      this.#classOf.set(ptr, cls);
    }
    this.#live++;
    this.#liveBytes += cls;
    return ptr;
  }

  /** Return a block to its free list. */
  free(ptr: number): void {
    const cls = this.#classOf.get(ptr);
    if (cls === undefined) throw new InternalError(`WasmHeap.free: ${ptr} is not a block of this heap`);
    let list = this.#free.get(cls);
    if (list === undefined) this.#free.set(cls, (list = []));
    list.push(ptr);
    this.#live--;
    this.#liveBytes -= cls;
  }

  #grow(end: number): void {
    const have = this.memory.buffer.byteLength / PAGE;
    const need = Math.ceil(end / PAGE);
    if (need > MAX_PAGES) {
      throw new RangeError(
        `cpu backend: out of WebAssembly memory (wasm32 addresses 4 GiB; ${(this.#liveBytes / 2 ** 20).toFixed(0)} MiB live, ${((end - this.#top) / 2 ** 20).toFixed(0)} MiB more requested)`,
      );
    }
    // Grow geometrically so that a growing workload does not grow page by page.
    const target = Math.min(MAX_PAGES, Math.max(need, Math.ceil(have * 1.5)));
    this.memory.grow(target - have);
  }

  /** A typed-array view of `length` elements of `dtype` at `ptr` (complex64: 2·length floats). */
  view(ptr: number, dtype: DType, length: number): TypedArray {
    const C = ctorOf(dtype);
    const n = dtype === "complex64" ? 2 * length : length;
    return new C(this.memory.buffer, ptr, n) as TypedArray;
  }
}
