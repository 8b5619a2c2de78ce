/**
 * The buffers a compiled program keeps for itself across calls (executor.ts): the slots of its
 * temporaries (core's buffer plan), its passes' scratch buffers, and staging copies of the small
 * inputs and outputs whose buffers change from call to call (a training step's parameters).
 *
 * Why: a bind group names concrete GPU buffers. With temps from the shared pool, a repeated call
 * binds other buffers whenever the pool's free lists differ (they do in a training loop, where the
 * previous step's parameters return to the pool whenever the garbage collector gets to them), and
 * every pass creates its bind group again — in Dawn a native call that costs more than the
 * dispatch it serves. With the program's own buffers every pass binds the same buffers on every
 * call, so its bind group is created once; a repeated call is its staging copies, its dispatches
 * and one submit.
 *
 * Reuse across calls is ordered by the GPU: one queue runs calls in submission order, and
 * WebGPU synchronises commands that touch the same buffer. Outputs never live here (the caller
 * owns them): staged outputs are copied into fresh pool buffers at the end of the call.
 */
import type { WebGPUBackend } from "../backend.ts";
import { USAGE_STORAGE, poolSizeClass } from "../pool.ts";

/** Inputs and outputs at most this large are staged through the arena (see the file comment). */
export const STAGE_MAX_BYTES = 1 << 20;

/** Arena keys: a plan slot is its number; scratch buffer k of a step and staged input k are offset into their own ranges. */
export const SCRATCH_KEY = 1 << 24;
export const INPUT_KEY = 1 << 25;

export class Arena {
  readonly #bufs = new Map<number, GPUBuffer>();
  #bytes = 0;

  constructor(private readonly be: WebGPUBackend) {}

  /** Whether `key` still needs its buffer created (so that a caller can end an open pass first when poisoning). */
  needs(key: number, bytes: number): boolean {
    const b = this.#bufs.get(key);
    return b === undefined || b.size < bytes;
  }

  /**
   * The buffer kept under `key`, of at least `bytes` bytes (a pool size class, like pooled
   * buffers, so kernels see the sizes they see elsewhere). A larger request replaces it: the old
   * one is destroyed once the open encoder is submitted. With poisoning on, a new buffer is
   * filled with 0xffffffff in the open encoder (the caller has no pass open then: see `needs`).
   */
  get(key: number, bytes: number): GPUBuffer {
    const old = this.#bufs.get(key);
    if (old !== undefined && old.size >= bytes) return old;
    if (old !== undefined) {
      this.#bytes -= old.size;
      this.be.releaseGpu(old, false);
    }
    const size = poolSizeClass(bytes);
    const buf = this.be.device.createBuffer({
      size,
      usage: USAGE_STORAGE,
      label: `compiled program ${key >= INPUT_KEY ? `input ${key - INPUT_KEY}` : key >= SCRATCH_KEY ? `scratch ${key - SCRATCH_KEY}` : `slot ${key}`}`,
    });
    if (this.be.poisoning) this.be.poisonBuffer(buf);
    this.#bufs.set(key, buf);
    this.#bytes += size;
    return buf;
  }

  /** Bytes held. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Destroy every buffer (after the open encoder's submit). */
  release(): void {
    for (const b of this.#bufs.values()) this.be.releaseGpu(b, false);
    this.#bufs.clear();
    this.#bytes = 0;
  }
}
