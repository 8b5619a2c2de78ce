/**
 * The WebGPU backend: device buffers are GPUBuffers; `execute` looks up the primitive's WGSL
 * kernel (registry.ts), which describes a Program of compute passes, and *enqueues* it — nothing
 * waits for the GPU until a read. Reads are async (`mapAsync`); `readSync` throws.
 *
 * Command batching: passes go into one open command encoder that is submitted on a read, or after
 * `FLUSH_EVERY` dispatches. A buffer disposed while the open encoder may still use it is destroyed
 * only after that encoder is submitted (WebGPU defers freeing buffers of *submitted* work itself).
 *
 * Errors: every program runs inside a validation/internal error scope; a failure (a WGSL compile
 * error, a binding mismatch) is reported by the next read with the primitive's name, since WebGPU
 * reports errors asynchronously — and by every read after it, since an invalid pass takes the
 * whole command buffer (all work batched with it) down.
 */
import { InternalError, LinaxError, NotImplementedError, UseAfterDisposeError, ValueError } from "@linax-ts/core";
import type { Backend, DeviceBuffer, Executable, Jaxpr, Primitive, ShapedArray, TypedArray } from "@linax-ts/core";
import { getKernel } from "./registry.ts";
import { FUSED_FMA_OVERRIDE, MODULE_COMMON, grid, type Binding, type Program } from "./program.ts";
import { fromStorage, storageBytes, toStorage } from "./storage.ts";
import { BufferPool, type PoolStats } from "./pool.ts";
import { compileJaxpr } from "./compile/executor.ts";
import { LruCache, clearWithClearCaches, pipelineCacheSize } from "./caches.ts";

export class WebGPUBuffer implements DeviceBuffer {
  constructor(
    readonly backend: WebGPUBackend,
    public gpu: GPUBuffer | null,
    /** Bytes of data (the GPU buffer may be larger: its pool size class, at least 16 bytes). */
    readonly bytes: number,
    /** From the pool (kernel outputs), so it goes back there on dispose; uploads are not. */
    readonly pooled = true,
    /**
     * A borrowed view of a buffer someone else owns (compiled programs hand their slots to eager
     * routines this way): not counted as live, and disposing it releases nothing.
     */
    readonly borrowed = false,
  ) {}
  /**
   * The storage words of a small buffer uploaded from the host (`fromHost`, at most
   * HOST_WORDS_MAX bytes): arrays are immutable, so they are its contents for as long as it
   * lives. Compiled programs read such constant inputs as WGSL literals (compile/executor.ts).
   */
  hostWords: Uint32Array | undefined = undefined;
}

/** Uploads of at most this many bytes keep their words on the host (WebGPUBuffer.hostWords): scalars, complex scalars. */
const HOST_WORDS_MAX = 16;

const FLUSH_EVERY = 256;
const USAGE_STORAGE = 0x80 | 0x4 | 0x8; // STORAGE | COPY_SRC | COPY_DST (GPUBufferUsage is not a global in every runtime)
/** Most bytes the pool keeps in its free lists. */
const POOL_MAX_FREE = 1024 * 1024 * 1024;
const envFlag = (name: string): boolean => {
  const v = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.[name];
  return v !== undefined && ["1", "true", "yes", "on"].includes(v.trim().toLowerCase());
};
const USAGE_UNIFORM = 0x40;
const USAGE_MAP_READ = 0x1 | 0x8; // MAP_READ | COPY_DST
const MAP_MODE_READ = 0x1;

export class WebGPUBackend implements Backend {
  readonly name = "webgpu";
  /** WebGPU reads are asynchronous (mapAsync): control flow keeps its decisions on the device. */
  readonly syncReads = false;
  #live = 0;
  #encoder: GPUCommandEncoder | null = null;
  #dispatches = 0;
  /** Counters since the backend was made (benchmarks: dispatches and submits per train step). */
  #totals = { dispatches: 0, submits: 0, bindGroups: 0, uniformBuffers: 0, bindings: 0 };
  /** Buffers to destroy once the open encoder has been submitted. */
  #afterSubmit: GPUBuffer[] = [];
  /** Pipelines by WGSL source: LRU-bounded, since shapes are baked into the source (caches.ts). */
  #pipelines = new LruCache<string, GPUComputePipeline>(pipelineCacheSize());
  #layouts = new Map<string, GPUBindGroupLayout>();
  #errors: Promise<string | null>[] = [];
  /** Storage buffers of kernels' outputs and scratch, reused by size class (pool.ts). */
  readonly pool: BufferPool;
  /**
   * Whether new buffers are poisoned (LINAX_WEBGPU_POISON): then handing one out encodes a pass
   * into the open encoder, so a caller holding a compute pass open must end it first.
   */
  readonly poisoning: boolean;

  /** Why the device was lost, once it has been (reads then fail with this reason). */
  #lost: string | null = null;
  /**
   * The first GPU error seen. An invalid pass invalidates its whole command buffer — every queued
   * dispatch with it — so results computed since can be silently wrong: every later read throws.
   */
  #failed: string | null = null;

  constructor(
    readonly device: GPUDevice,
    /** Adapter description, for messages and benchmarks. */
    readonly adapterInfo = "",
    /** Whether WGSL's fma is fused on this device (`probeFusedFma`); selects exact-arithmetic paths. */
    readonly fusedFma = false,
    /** Fill every buffer the pool hands out with 0xffffffff (default: LINAX_WEBGPU_POISON); see pool.ts. */
    poison = envFlag("LINAX_WEBGPU_POISON"),
  ) {
    this.poisoning = poison;
    this.pool = new BufferPool(device, POOL_MAX_FREE, poison ? (b) => this.poisonBuffer(b) : null, (b) =>
      this.releaseGpu(b, false),
    );
    clearWithClearCaches(this);
    void device.lost.then((info) => {
      this.#lost = `${info.reason}: ${info.message}`;
    });
    // Anything that escapes the error scopes (there should be nothing) is still reported.
    device.addEventListener("uncapturederror", (ev) => {
      this.#errors.push(Promise.resolve(`uncaptured: ${(ev as GPUUncapturedErrorEvent).error.message}`));
    });
  }

  // ---- buffers -------------------------------------------------------------------------------

  private alloc(bytes: number, usage = USAGE_STORAGE): GPUBuffer {
    // At least 16 bytes: an empty array still gets a buffer large enough to bind as any element
    // type (a vec2<f32> binding needs 8); the unused bytes are never read.
    if (usage === USAGE_STORAGE) return this.pool.acquire(bytes);
    return this.device.createBuffer({ size: Math.max(16, Math.ceil(bytes / 4) * 4), usage });
  }

  /** Pool statistics (tests, benchmarks). */
  poolStats(): PoolStats {
    return this.pool.stats();
  }

  /** The pipeline cache (its size, `limit` — settable — and evictions), see caches.ts. */
  get pipelineCache(): LruCache<string, GPUComputePipeline> {
    return this.#pipelines;
  }

  /** Drop the cached pipelines and bind-group layouts (core's `clearCaches()` calls it). */
  clearCaches(): void {
    this.#pipelines.clear();
    this.#layouts.clear();
  }

  /** Fill `buf` with 0xffffffff words in the open encoder (ordered with the work around it); also for compiled programs' own buffers. */
  poisonBuffer(buf: GPUBuffer): void {
    const n = buf.size / 4;
    const g = grid(n);
    const code = `@group(0) @binding(0) var<storage, read_write> b: array<u32>;\n${MODULE_COMMON}\n${g.header}  b[i] = 0xffffffffu;\n}\n`;
    const pipeline = this.pipeline(code, [{ slot: { out: 0 }, write: true }], false, "poison");
    const pass = this.encoder().beginComputePass({ label: "poison" });
    pass.setPipeline(pipeline);
    pass.setBindGroup(
      0,
      this.device.createBindGroup({
        layout: pipeline.getBindGroupLayout(0),
        entries: [{ binding: 0, resource: { buffer: buf } }],
      }),
    );
    pass.dispatchWorkgroups(g.workgroups[0], g.workgroups[1], g.workgroups[2]);
    pass.end();
  }
  private wrap(gpu: GPUBuffer, bytes: number, pooled = true): WebGPUBuffer {
    this.#live++;
    return new WebGPUBuffer(this, gpu, bytes, pooled);
  }
  private gpuOf(buf: DeviceBuffer, what: string): GPUBuffer {
    if (buf.backend !== this) throw new ValueError(`webgpu ${what}: buffer belongs to the ${buf.backend.name} backend`);
    const g = (buf as WebGPUBuffer).gpu;
    if (g === null) throw new UseAfterDisposeError(`webgpu ${what}: buffer used after dispose`);
    return g;
  }

  fromHost(data: TypedArray, aval: ShapedArray): DeviceBuffer {
    const bytes = aval.size * storageBytes(aval.dtype);
    const want = aval.dtype === "complex64" ? 2 * aval.size : aval.size;
    if (data.length !== want)
      throw new ValueError(`webgpu.fromHost: ${aval.toString()} needs ${want} elements, got ${data.length}`);
    const gpu = this.device.createBuffer({ size: Math.max(16, bytes), usage: USAGE_STORAGE, mappedAtCreation: true });
    const src = toStorage(aval.dtype, data);
    new Uint8Array(gpu.getMappedRange()).set(new Uint8Array(src.buffer, src.byteOffset, bytes));
    gpu.unmap();
    const buf = this.wrap(gpu, bytes, false);
    if (bytes <= HOST_WORDS_MAX && bytes % 4 === 0)
      buf.hostWords = new Uint32Array(src.buffer.slice(src.byteOffset, src.byteOffset + bytes));
    return buf;
  }

  async read(buf: DeviceBuffer, aval: ShapedArray): Promise<TypedArray> {
    if (this.#failed !== null)
      throw new LinaxError(
        `webgpu backend: an earlier GPU error invalidated the work queued with it, so results are unreliable: ${this.#failed}`,
      );
    const src = this.gpuOf(buf, "read");
    const bytes = (buf as WebGPUBuffer).bytes;
    const staging = this.alloc(bytes, USAGE_MAP_READ);
    this.encoder().copyBufferToBuffer(src, 0, staging, 0, Math.max(4, Math.ceil(bytes / 4) * 4));
    this.flush();
    await this.checkErrors();
    try {
      await staging.mapAsync(MAP_MODE_READ);
    } catch (e) {
      // mapAsync only says "AbortError"; the device-lost reason (if that is why) is the useful part.
      await new Promise((r) => setTimeout(r, 0));
      throw new LinaxError(
        `webgpu backend: reading a ${aval.toString()} failed (${(e as Error).name})${this.#lost !== null ? `: the device was lost (${this.#lost})` : ""}`,
        { cause: e },
      );
    }
    const out = fromStorage(aval.dtype, staging.getMappedRange().slice(0), aval.size);
    staging.unmap();
    staging.destroy();
    return out;
  }

  /**
   * Resolves once the work producing `buf` is done (`Array.blockUntilReady`), without reading it
   * back: submits the open encoder (the producing work may still be in it) and waits for the queue
   * (`onSubmittedWorkDone`: everything submitted before, in order). A GPU error reported by then
   * rejects, as a read would.
   */
  async ready(buf: DeviceBuffer): Promise<void> {
    if (this.#failed !== null)
      throw new LinaxError(
        `webgpu backend: an earlier GPU error invalidated the work queued with it, so results are unreliable: ${this.#failed}`,
      );
    this.gpuOf(buf, "blockUntilReady");
    this.flush();
    await this.device.queue.onSubmittedWorkDone();
    if (this.#lost !== null)
      throw new LinaxError(`webgpu backend: blockUntilReady: the device was lost (${this.#lost})`);
    await this.checkErrors();
  }

  readSync(): TypedArray {
    throw new NotImplementedError(
      'webgpu backend: synchronous reads are impossible on WebGPU — use `await x.data()` (or `x.tolistAsync()`, `x.itemAsync()`), or bring the array to the CPU with `await devicePutAsync(x, "cpu")` (the synchronous devicePut cannot read it either)',
    );
  }

  dispose(buf: DeviceBuffer): void {
    const b = buf as WebGPUBuffer;
    if (b.gpu === null) return;
    if (b.borrowed) {
      b.gpu = null;
      return;
    }
    // Into the pool at once, even while the open encoder still uses it: the GPU runs the next
    // user's commands after these (pool.ts). Uploads (not pool-sized) are destroyed after submit.
    if (b.pooled) this.pool.release(b.gpu);
    else if (this.#encoder !== null) this.#afterSubmit.push(b.gpu);
    else b.gpu.destroy();
    b.gpu = null;
    this.#live--;
  }

  liveBuffers(): number {
    return this.#live;
  }

  // ---- execution -----------------------------------------------------------------------------

  execute(
    prim: Primitive,
    inputs: readonly DeviceBuffer[],
    inAvals: readonly ShapedArray[],
    outAvals: readonly ShapedArray[],
    params: Readonly<Record<string, unknown>>,
  ): DeviceBuffer[] | undefined {
    const kernel = getKernel(prim.name);
    if (kernel === undefined) return undefined;
    const program = kernel(inAvals, outAvals, params);
    if (program === undefined) return undefined;
    const ins = inputs.map((b) => this.gpuOf(b, prim.name));
    const outBytes = outAvals.map((a) => a.size * storageBytes(a.dtype));
    const outs = outBytes.map((n) => this.alloc(n));
    this.run(prim.name, program, ins, outs);
    return outs.map((g, i) => this.wrap(g, outBytes[i]));
  }

  /** Enqueue a program over raw GPU buffers (also used by kernels' tests and by compiled code). */
  run(label: string, program: Program, ins: readonly GPUBuffer[], outs: readonly GPUBuffer[]): void {
    if (program.passes.length === 0) return;
    const temps = (program.temps ?? []).map((n) => this.alloc(n));
    this.device.pushErrorScope("validation");
    this.device.pushErrorScope("internal");
    const enc = this.encoder();
    const pass = enc.beginComputePass({ label });
    for (const p of program.passes) {
      const pipeline = this.pipeline(p.code, p.bindings, p.uniforms !== undefined, label);
      const entries: GPUBindGroupEntry[] = p.bindings.map((b, i) => {
        const s = b.slot;
        const buffer = "in" in s ? ins[s.in] : "out" in s ? outs[s.out] : temps[s.temp];
        if (buffer === undefined)
          throw new InternalError(`webgpu ${label}: pass binds ${JSON.stringify(s)}, which does not exist`);
        return { binding: i, resource: { buffer } };
      });
      if (p.uniforms !== undefined) {
        const u = this.device.createBuffer({
          size: Math.max(16, Math.ceil(p.uniforms.byteLength / 16) * 16),
          usage: USAGE_UNIFORM,
          mappedAtCreation: true,
        });
        new Uint32Array(u.getMappedRange()).set(p.uniforms);
        u.unmap();
        entries.push({ binding: p.bindings.length, resource: { buffer: u } });
        this.#afterSubmit.push(u);
        this.#totals.uniformBuffers++;
      }
      const group = this.device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries });
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, group);
      pass.dispatchWorkgroups(p.workgroups[0], p.workgroups[1], p.workgroups[2]);
      this.#dispatches++;
      this.#totals.dispatches++;
      this.#totals.bindGroups++;
      this.#totals.bindings += entries.length;
    }
    pass.end();
    for (const t of temps) this.pool.release(t);
    for (const scope of ["internal", "validation"]) {
      this.#errors.push(
        this.device.popErrorScope().then((e) => (e === null ? null : `${label} (${scope}): ${e.message}`)),
      );
    }
    if (this.#dispatches >= FLUSH_EVERY) this.flush();
  }

  // ---- for compiled programs (compile/executor.ts) ---------------------------------------------

  /**
   * Compile a jaxpr for `jit`: fused WGSL kernels and routine kernels, one submit per call
   * (compile/executor.ts); interpreted as before when `config.jitCompile` is off or the program
   * holds something the renderer does not express.
   */
  compile(jaxpr: Jaxpr): Executable {
    return compileJaxpr(this, jaxpr);
  }

  /** A live, owned handle of a raw GPU buffer (a compiled program's output). */
  own(gpu: GPUBuffer, bytes: number, pooled: boolean): WebGPUBuffer {
    return this.wrap(gpu, bytes, pooled);
  }
  /** A borrowed handle of a GPU buffer that stays owned by the caller (see WebGPUBuffer.borrowed). */
  borrow(gpu: GPUBuffer, bytes: number): WebGPUBuffer {
    return new WebGPUBuffer(this, gpu, bytes, false, true);
  }
  /**
   * Take the GPU buffer out of an owned handle (the handle becomes empty, as if disposed, and stops
   * counting as live), so the caller can own it; undefined for a borrowed or disposed handle.
   */
  takeOwnership(buf: DeviceBuffer): { gpu: GPUBuffer; pooled: boolean } | undefined {
    const b = buf as WebGPUBuffer;
    if (b.backend !== this || b.gpu === null || b.borrowed) return undefined;
    const gpu = b.gpu;
    b.gpu = null;
    this.#live--;
    return { gpu, pooled: b.pooled };
  }
  /** The raw GPU buffer of a handle of this backend. */
  gpuBuffer(buf: DeviceBuffer, what: string): GPUBuffer {
    return this.gpuOf(buf, what);
  }
  /** Destroy a non-pooled GPU buffer once the open encoder has been submitted; pooled ones go back to the pool. */
  releaseGpu(gpu: GPUBuffer, pooled: boolean): void {
    if (pooled) this.pool.release(gpu);
    else if (this.#encoder !== null) this.#afterSubmit.push(gpu);
    else gpu.destroy();
  }
  /** The compute pipeline of a pass (cached by WGSL source). */
  pipelineFor(code: string, bindings: readonly Binding[], uniforms: boolean, label: string): GPUComputePipeline {
    return this.pipeline(code, bindings, uniforms, label);
  }
  /** The open command encoder (created on demand; submitted by `flush`, a read, or `sync`). */
  commandEncoder(): GPUCommandEncoder {
    return this.encoder();
  }
  /** Run `fn` (which encodes work) inside validation/internal error scopes reported under `label`. */
  scoped(label: string, fn: () => void): void {
    this.device.pushErrorScope("validation");
    this.device.pushErrorScope("internal");
    try {
      fn();
    } finally {
      for (const scope of ["internal", "validation"]) {
        this.#errors.push(
          this.device.popErrorScope().then((e) => (e === null ? null : `${label} (${scope}): ${e.message}`)),
        );
      }
    }
  }
  /** Count dispatches encoded outside `run` (the flush heuristic), the bind groups they created and the buffers they bound. */
  countDispatches(n: number, bindGroups = 0, bindings = 0): void {
    this.#dispatches += n;
    this.#totals.dispatches += n;
    this.#totals.bindGroups += bindGroups;
    this.#totals.bindings += bindings;
  }

  /**
   * Dispatches, submits, bind groups and uniform buffers created, and buffer bindings of the
   * dispatches (a bind group's entries, counted per dispatch), since the backend was made
   * (benchmarks: take the difference around a call).
   */
  counters(): {
    readonly dispatches: number;
    readonly submits: number;
    readonly bindGroups: number;
    readonly uniformBuffers: number;
    readonly bindings: number;
  } {
    return { ...this.#totals };
  }

  private encoder(): GPUCommandEncoder {
    this.#encoder ??= this.device.createCommandEncoder();
    return this.#encoder;
  }

  /** Submit the open encoder and free what waited for it. */
  flush(): void {
    if (this.#encoder === null) return;
    // Dispatch-time validation (binding sizes, usage conflicts) happens at finish/submit.
    this.device.pushErrorScope("validation");
    this.device.queue.submit([this.#encoder.finish()]);
    this.#totals.submits++;
    this.#errors.push(
      this.device.popErrorScope().then((e) => (e === null ? null : `submit (validation): ${e.message}`)),
    );
    this.#encoder = null;
    this.#dispatches = 0;
    for (const b of this.#afterSubmit) b.destroy();
    this.#afterSubmit = [];
    // A program that never reads would otherwise collect two scope promises per dispatch forever.
    if (this.#errors.length > 64) {
      const pending = this.#errors;
      this.#errors = [Promise.all(pending).then((ms) => ms.filter((m) => m !== null).join("\n") || null)];
    }
  }

  /** Wait for all submitted work (benchmarks). */
  async sync(): Promise<void> {
    this.flush();
    await this.device.queue.onSubmittedWorkDone();
    await this.checkErrors();
  }

  private async checkErrors(): Promise<void> {
    if (this.#errors.length === 0) return;
    const pending = this.#errors;
    this.#errors = [];
    const msgs = (await Promise.all(pending)).filter((m): m is string => m !== null);
    if (msgs.length > 0) {
      this.#failed ??= msgs[0];
      throw new LinaxError(`webgpu backend: GPU error in ${msgs.slice(0, 3).join("\n")}`);
    }
  }

  private pipeline(code: string, bindings: readonly Binding[], uniforms: boolean, label: string): GPUComputePipeline {
    let p = this.#pipelines.get(code);
    if (p !== undefined) return p;
    const layoutKey = bindings.map((b) => (b.write ? "w" : "r")).join("") + (uniforms ? "u" : "");
    let layout = this.#layouts.get(layoutKey);
    if (layout === undefined) {
      const entries: GPUBindGroupLayoutEntry[] = bindings.map((b, i) => ({
        binding: i,
        visibility: 4, // GPUShaderStage.COMPUTE
        buffer: { type: b.write ? "storage" : "read-only-storage" },
      }));
      if (uniforms) entries.push({ binding: bindings.length, visibility: 4, buffer: { type: "uniform" } });
      layout = this.device.createBindGroupLayout({ entries });
      this.#layouts.set(layoutKey, layout);
    }
    const module = this.device.createShaderModule({ code, label });
    const constants: Record<string, number> = code.includes(FUSED_FMA_OVERRIDE)
      ? { LINAX_FUSED_FMA: this.fusedFma ? 1 : 0 }
      : {};
    p = this.device.createComputePipeline({
      label,
      layout: this.device.createPipelineLayout({ bindGroupLayouts: [layout] }),
      compute: { module, entryPoint: "main", constants },
    });
    this.#pipelines.set(code, p);
    return p;
  }

  /** Release the device (tests; the backend is unusable afterwards). */
  destroy(): void {
    this.flush();
    this.pool.trim();
    this.device.destroy();
  }
}

/**
 * Whether `fma` rounds once on this device: fma(a, a, -1) for a = 1 + 2^-12 is 2^-11 + 2^-24 when
 * fused and 2^-11 when the product is rounded first (a tie to even). Inputs come from a buffer so
 * that the compiler cannot fold the expression.
 */
export async function probeFusedFma(device: GPUDevice): Promise<boolean> {
  const code = `@group(0) @binding(0) var<storage, read_write> v: array<f32>;
@compute @workgroup_size(1) fn main() { v[0] = fma(v[0], v[0], v[1]); }`;
  const pipeline = device.createComputePipeline({
    layout: "auto",
    compute: { module: device.createShaderModule({ code }), entryPoint: "main" },
  });
  const buf = device.createBuffer({ size: 16, usage: USAGE_STORAGE, mappedAtCreation: true });
  new Float32Array(buf.getMappedRange()).set([1 + 2 ** -12, -1]);
  buf.unmap();
  const staging = device.createBuffer({ size: 16, usage: USAGE_MAP_READ });
  const enc = device.createCommandEncoder();
  const pass = enc.beginComputePass();
  pass.setPipeline(pipeline);
  pass.setBindGroup(
    0,
    device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: [{ binding: 0, resource: { buffer: buf } }],
    }),
  );
  pass.dispatchWorkgroups(1);
  pass.end();
  enc.copyBufferToBuffer(buf, 0, staging, 0, 16);
  device.queue.submit([enc.finish()]);
  await staging.mapAsync(MAP_MODE_READ);
  const got = new Float32Array(staging.getMappedRange().slice(0))[0];
  staging.unmap();
  staging.destroy();
  buf.destroy();
  return got === 2 ** -11 + 2 ** -24;
}
