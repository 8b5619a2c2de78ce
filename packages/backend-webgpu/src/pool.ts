/**
 * A pool of GPU storage buffers by size class (powers of two, 16 bytes at least), so that a
 * repeated program — a training step — allocates no GPU memory after its first call.
 *
 * Reuse is ordered by the GPU, not by JS: a buffer released while the open command encoder still
 * reads it can be handed to the next kernel of the same encoder, because WebGPU executes a queue's
 * commands in order and synchronises dispatches that touch the same buffer. What must never see a
 * pooled buffer is `queue.writeBuffer`, which runs *before* the open encoder's commands: uploads
 * therefore create fresh buffers (backend.ts `fromHost`) and give them to the pool only on dispose.
 *
 * A pooled buffer holds stale data. Every kernel writes each element of its outputs and scratch
 * buffers before reading it (the scatter paths clear their winner/list buffers and copy the operand
 * first; multi-pass reductions, scans, sorts, FFTs and linalg write their scratch before the next
 * pass reads it). `poison` (LINAX_WEBGPU_POISON=1) fills every buffer the pool hands out with
 * 0xffffffff words — NaN for f32, -1 for i32 — so a kernel that relied on WebGPU's zero-filled new
 * buffers fails its tests instead of passing by luck.
 */

/** Buffers above this size are not pooled (a power-of-two class could pass the binding-size limit). */
export const MAX_POOLED_BYTES = 256 * 1024 * 1024;

/** Size class of a byte count: the next power of two at or above it, 16 at least (unpooled sizes: rounded to 4). */
export function poolSizeClass(bytes: number): number {
  if (bytes > MAX_POOLED_BYTES) return Math.ceil(bytes / 4) * 4;
  let c = 16;
  while (c < bytes) c *= 2;
  return c;
}

/** Storage buffers for kernels: STORAGE | COPY_SRC | COPY_DST. */
export const USAGE_STORAGE = 0x80 | 0x4 | 0x8;

export interface PoolStats {
  /** Buffers created by the pool. */
  readonly created: number;
  /** Acquisitions served from a free list. */
  readonly reused: number;
  /** Bytes held in free lists now. */
  readonly freeBytes: number;
  /** Buffers in free lists now. */
  readonly free: number;
  /**
   * Buffers handed out and not yet given back (kernel outputs of live arrays, a compiled
   * program's outputs and temporaries in flight): with `free`, every GPU buffer the pool holds —
   * leak tests assert it flat.
   */
  readonly inUse: number;
}

export class BufferPool {
  #free = new Map<number, GPUBuffer[]>();
  #freeBytes = 0;
  #created = 0;
  #reused = 0;
  #freeCount = 0;
  #inUse = 0;

  constructor(
    private readonly device: GPUDevice,
    /** Most bytes kept in free lists; beyond it released buffers are destroyed. */
    private readonly maxFreeBytes: number,
    /** Called on every buffer handed out when poisoning is on (fills it with 0xffffffff). */
    private readonly poison: ((buf: GPUBuffer) => void) | null = null,
    /**
     * Destroys a buffer the pool does not keep. Not `destroy()` at once: the open command encoder
     * may still use it, and a destroyed buffer in a submit invalidates the whole command buffer.
     */
    private readonly destroyLater: (buf: GPUBuffer) => void = (b) => b.destroy(),
  ) {}

  /** A storage buffer of at least `bytes` bytes (its size is the size class); contents undefined. */
  acquire(bytes: number): GPUBuffer {
    const cls = poolSizeClass(bytes);
    const list = this.#free.get(cls);
    let buf = list?.pop();
    if (buf !== undefined) {
      this.#freeBytes -= cls;
      this.#freeCount--;
      this.#reused++;
    } else {
      buf = this.device.createBuffer({ size: cls, usage: USAGE_STORAGE });
      this.#created++;
    }
    this.#inUse++;
    this.poison?.(buf);
    return buf;
  }

  /** Give a storage buffer back (any size: a buffer whose size is not a class is destroyed). */
  release(buf: GPUBuffer): void {
    const cls = buf.size;
    this.#inUse--;
    if (cls > MAX_POOLED_BYTES || cls !== poolSizeClass(cls) || this.#freeBytes + cls > this.maxFreeBytes) {
      this.destroyLater(buf);
      return;
    }
    let list = this.#free.get(cls);
    if (list === undefined) this.#free.set(cls, (list = []));
    list.push(buf);
    this.#freeBytes += cls;
    this.#freeCount++;
  }

  /** Destroy every free buffer (memory pressure, shutdown). */
  trim(): void {
    for (const list of this.#free.values()) for (const b of list) b.destroy();
    this.#free.clear();
    this.#freeBytes = 0;
    this.#freeCount = 0;
  }

  stats(): PoolStats {
    return {
      created: this.#created,
      reused: this.#reused,
      freeBytes: this.#freeBytes,
      free: this.#freeCount,
      inUse: this.#inUse,
    };
  }
}
