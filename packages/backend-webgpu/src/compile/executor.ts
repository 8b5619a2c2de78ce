/**
 * The WebGPU executor of a compiled program (core/src/compile/graph.ts's `Program`): what
 * `WebGPUBackend.compile(jaxpr)` returns to `jit`.
 *
 * At compile time every fused kernel is rendered to WGSL (render-wgsl.ts) and every routine gets
 * its eager kernel's passes (registry.ts) — pipelines created once. A call then encodes every step
 * into the backend's one open command encoder and submits once at the end: no host reads, no JS
 * work per element. Buffers: inputs are the caller's; each temp is taken from the pool (pool.ts) at
 * its first write and given back right after its last reader (the buffer plan's `freeAfter`), so
 * the plan's slot reuse happens through the size-class pool and a repeated call (a training step)
 * allocates nothing new; outputs become arrays the caller owns. Bind groups are cached per pass
 * by the identity of the buffers bound — with the pool's LIFO reuse a repeated call binds the
 * same buffers and re-creates none.
 *
 * `scan` runs as a loop of dispatches of its compiled body, and nested `jit`/`remat` calls as
 * compiled sub-programs, in the same encoder (scan-loop.ts). Other routines without a WebGPU
 * kernel (cond, whileLoop, composite impls) run eagerly on borrowed views of the program's
 * buffers, enqueueing into the same encoder.
 * A program with a kernel the renderer cannot express, or with `config.jitCompile` off, runs as
 * today: the jaxpr interpreted primitive by primitive (`InterpretedExecutable`).
 */
import {
  InternalError,
  ConcreteArray,
  Literal,
  config,
  type Array,
  type DeviceBuffer,
  type Executable,
  type Jaxpr,
  type ShapedArray,
} from "@linax-ts/core";
import type { WebGPUBackend } from "../backend.ts";
import { getKernel } from "../registry.ts";
import type { Binding, Program as PassProgram, Slot } from "../program.ts";
import type { WebGPUBuffer } from "../backend.ts";
import { toStorage } from "../storage.ts";
import { storageBytes } from "../storage.ts";
import { buildProgram, planBuffers, type Program, type RoutineStep } from "./core-compile.ts";
import { renderKernel } from "./render-wgsl.ts";
import { rewriteLinearScans } from "./linear-scan.ts";
import { mergeKernels } from "./merge-kernels.ts";
import { ScanLoop, buildCall, type GpuRunner, type Owned } from "./scan-loop.ts";
import { Arena, INPUT_KEY, SCRATCH_KEY, STAGE_MAX_BYTES } from "./arena.ts";

const USAGE_UNIFORM = 0x40;

/** A buffer a pass binds: a program buffer, a step's scratch buffer, or a fixed uniform buffer. */
type BindRef = { readonly buf: number } | { readonly temp: number } | { readonly uniform: GPUBuffer };

interface CompiledPass {
  /** Created at the pass's first run (a variant that never runs compiles nothing: see `specialize`). */
  pipeline: GPUComputePipeline | null;
  readonly code: string;
  readonly bindings: readonly Binding[];
  readonly hasUniforms: boolean;
  readonly label: string;
  readonly binds: readonly BindRef[];
  readonly workgroups: readonly [number, number, number];
  /** Bind groups by the ids of the buffers bound (a few entries). */
  readonly groups: Map<string, GPUBindGroup>;
  /** The buffers of the last call's bind group and the group (the fast path: same buffers again). */
  last: { readonly bufs: GPUBuffer[]; readonly group: GPUBindGroup } | null;
}

interface GpuStep {
  readonly kind: "gpu";
  readonly label: string;
  readonly passes: readonly CompiledPass[];
  readonly temps: readonly number[];
  readonly writes: readonly number[];
  /** Buffers bound by all of its passes together (the backend's `bindings` counter). */
  readonly bindings: number;
}
interface EagerStep {
  readonly kind: "eager";
  readonly step: RoutineStep;
}
/** A scan loop or a nested call, compiled (scan-loop.ts). */
interface CallStep {
  readonly kind: "call";
  readonly runner: GpuRunner;
  readonly step: RoutineStep;
}
type ExecStep = GpuStep | EagerStep | CallStep;

const bytesOf = (a: ShapedArray): number => a.size * storageBytes(a.dtype);

let nextGpuId = 1;
const gpuIds = new WeakMap<GPUBuffer, number>();
const gpuId = (g: GPUBuffer): number => {
  let id = gpuIds.get(g);
  if (id === undefined) gpuIds.set(g, (id = nextGpuId++));
  return id;
};

/** What a compiled program did on its last call (benchmarks, tests). */
export interface ExecStats {
  readonly kernels: number;
  readonly routines: number;
  readonly eagerRoutines: number;
  /** Scan loops and nested jit/remat calls run as compiled sub-programs. */
  readonly compiledCalls: number;
  readonly dispatches: number;
  readonly bindGroupsCreated: number;
  /** Inputs copied into the program's own buffers (their buffers changed between calls). */
  readonly stagedInputs: number;
  /** Outputs written to the program's own buffers and copied out. */
  readonly stagedOutputs: number;
  /** Bytes of the program's own buffers (arena.ts). */
  readonly arenaBytes: number;
  /** Inputs the last call read as WGSL literals (constant scalars: see `specialize`). */
  readonly literalInputs: number;
}

const copyBytes = (n: number): number => Math.ceil(n / 4) * 4;
/** Inputs read as literals when their values are known: scalars (a complex scalar: 8 bytes) of the IR's dtypes. */
const LITERAL_MAX_BYTES = 8;
const LITERAL_DTYPES = new Set<string>(["float32", "int32", "uint32", "bool", "complex64"]);
/** Variants a program builds before it binds every input for good (their values keep changing). */
const MAX_SPECIALIZATIONS = 3;
const sameWords = (a: Uint32Array, b: Uint32Array): boolean => a.length === b.length && a.every((w, i) => w === b[i]);
const NO_TEMPS: GPUBuffer[] = [];
const arenaRegistry = new FinalizationRegistry<Arena>((a) => a.release());

/** A jaxpr compiled to fused WGSL kernels and routine kernels (see the file comment). */
export class CompiledExecutable implements Executable, GpuRunner {
  readonly #plan: ReturnType<typeof planBuffers>;
  #bindGroupsCreated = 0;
  #dispatches = 0;
  readonly #arena: Arena;
  /** The compute pass open across consecutive kernel steps (ended before copies and routines). */
  #pass: GPUComputePassEncoder | null = null;
  #passPipeline: GPUComputePipeline | null = null;
  #running = false;
  /** Per input: its buffer on the last call; whether it is staged (its buffer changed, it is small, a pass binds it). */
  readonly #lastIn: (GPUBuffer | undefined)[];
  readonly #staged: boolean[];
  readonly #stageable: boolean[];
  /** Per buffer: written by a kernel step into the program's own slot (temps, small outputs). */
  readonly #ownSlot: boolean[];
  /** The steps the next run encodes: `generic`, or a variant with constant inputs as literals (`specialize`). */
  #steps: readonly ExecStep[];
  /** Input positions that are small and read by kernels: literals when their values are known (see `specialize`). */
  readonly #literalCandidates: readonly number[];
  /** Input positions seen with two different values: never literals again. */
  readonly #varying = new Set<number>();
  /** The specialized variant: its steps and, per literal input position, the value assumed and the buffer last seen with it. */
  #variant: {
    readonly steps: readonly ExecStep[];
    readonly assumed: Map<number, { words: Uint32Array; buf: DeviceBuffer }>;
  } | null = null;
  #specializations = 0;
  /** Per plan slot: the most storage bytes of the buffers in it (the plan sizes by core's item sizes; bool is stored in 4 bytes here). */
  readonly #slotBytes: number[];

  private constructor(
    private readonly backend: WebGPUBackend,
    readonly program: Program,
    /** The steps with every input bound (what nested runs and unspecialized calls use). */
    private readonly generic: readonly ExecStep[],
  ) {
    const steps = generic;
    this.#steps = generic;
    const loaded = new Set<number>();
    for (const s of program.steps) if (s.kind === "kernel") for (const b of s.kernel.inputs) loaded.add(b);
    this.#literalCandidates = program.inputs.flatMap((b, k) => {
      const a = program.buffers[b].aval;
      return loaded.has(b) && LITERAL_DTYPES.has(a.dtype) && bytesOf(a) <= LITERAL_MAX_BYTES ? [k] : [];
    });
    this.#plan = planBuffers(program);
    this.#arena = new Arena(backend);
    // Its own buffers go when the program does (jit caches hold programs as long as they are used).
    arenaRegistry.register(this, this.#arena);
    const bound = new Set<number>();
    const kernelWrites = new Set<number>();
    for (const s of steps) {
      if (s.kind !== "gpu") continue;
      for (const cp of s.passes) for (const r of cp.binds) if ("buf" in r) bound.add(r.buf);
      for (const b of s.writes) kernelWrites.add(b);
    }
    const inputs = new Set(program.inputs);
    this.#lastIn = program.inputs.map(() => undefined);
    this.#staged = program.inputs.map(() => false);
    this.#stageable = program.inputs.map((b) => bound.has(b) && bytesOf(program.buffers[b].aval) <= STAGE_MAX_BYTES);
    this.#ownSlot = program.buffers.map(
      (b) =>
        kernelWrites.has(b.id) &&
        !inputs.has(b.id) &&
        (b.role === "temp" || (b.role === "output" && bytesOf(b.aval) <= STAGE_MAX_BYTES)),
    );
    this.#slotBytes = [];
    program.buffers.forEach((b) => {
      const slot = this.#plan.slot[b.id];
      if (this.#ownSlot[b.id]) this.#slotBytes[slot] = Math.max(this.#slotBytes[slot] ?? 0, bytesOf(b.aval));
    });
  }

  /** Compile `program`, or say why it cannot be (a kernel the renderer does not express). */
  static build(backend: WebGPUBackend, program: Program): CompiledExecutable | string {
    const steps = buildSteps(backend, program, new Map());
    return typeof steps === "string" ? steps : new CompiledExecutable(backend, program, steps);
  }

  /** Counts of the program's steps and of the last call's dispatches and new bind groups. */
  stats(): ExecStats {
    const eager = this.#steps.filter((s) => s.kind === "eager").length;
    return {
      kernels: this.program.steps.filter((s) => s.kind === "kernel").length,
      routines: this.program.steps.length - this.program.steps.filter((s) => s.kind === "kernel").length,
      eagerRoutines: eager,
      compiledCalls: this.#steps.filter((s) => s.kind === "call").length,
      dispatches: this.#dispatches,
      bindGroupsCreated: this.#bindGroupsCreated,
      stagedInputs: this.#staged.filter((x) => x).length,
      stagedOutputs: this.program.outputs.filter((b) => this.#ownSlot[b]).length,
      arenaBytes: this.#arena.bytes,
      literalInputs: this.#steps === this.generic ? 0 : (this.#variant?.assumed.size ?? 0),
    };
  }

  /**
   * The steps for a call on `inputs`: small constant inputs whose values are known on the host
   * (uploads keep their words: WebGPUBuffer.hostWords; CPU operands are read) become WGSL
   * literals in the kernels that read them, so those kernels bind fewer buffers — a jitted
   * function's scalar constants (on WebGPU core cannot make them jaxpr literals, since it cannot
   * read them synchronously) are most of a train step's kernel bindings. The variant is built on
   * the first call and kept while the same values come (checked per call by buffer identity
   * first — arrays are immutable —, then by value); an input that comes with another value is
   * bound from then on (a new variant without it), and after a few such changes the program
   * stops specializing.
   */
  private specialize(inputs: readonly DeviceBuffer[]): void {
    const v = this.#variant;
    if (v !== null) {
      let ok = true;
      for (const [k, a] of v.assumed) {
        if (inputs[k] === a.buf) continue;
        const w = this.wordsOf(k, inputs[k]);
        if (w !== undefined && sameWords(w, a.words)) {
          v.assumed.set(k, { words: a.words, buf: inputs[k] });
          continue;
        }
        this.#varying.add(k);
        ok = false;
      }
      if (ok) {
        this.#steps = v.steps;
        return;
      }
    }
    this.#variant = null;
    this.#steps = this.generic;
    if (this.#specializations >= MAX_SPECIALIZATIONS) return;
    const assumed = new Map<number, { words: Uint32Array; buf: DeviceBuffer }>();
    const known = new Map<number, Uint32Array>();
    for (const k of this.#literalCandidates) {
      if (this.#varying.has(k)) continue;
      const w = this.wordsOf(k, inputs[k]);
      if (w === undefined) continue;
      assumed.set(k, { words: w, buf: inputs[k] });
      known.set(this.program.inputs[k], w);
    }
    if (known.size === 0) return;
    this.#specializations++;
    const steps = buildSteps(this.backend, this.program, known, this.generic);
    if (typeof steps === "string") return;
    this.#variant = { steps, assumed };
    this.#steps = steps;
  }

  /** The storage words of input `k`'s buffer when they are known on the host. */
  private wordsOf(k: number, buf: DeviceBuffer): Uint32Array | undefined {
    if (buf.backend === this.backend) return (buf as WebGPUBuffer).hostWords;
    if (buf.backend.syncReads === false) return undefined;
    const aval = this.program.buffers[this.program.inputs[k]].aval;
    const st = toStorage(aval.dtype, buf.backend.readSync(buf, aval));
    return new Uint32Array(st.buffer.slice(st.byteOffset, st.byteOffset + bytesOf(aval)));
  }

  /** Dispatches encoded by the last call (with those of its scan loops and nested calls). */
  get lastDispatches(): number {
    return this.#dispatches;
  }

  execute(inputs: DeviceBuffer[]): DeviceBuffer[] {
    const be = this.backend;
    const p = this.program;
    if (inputs.length !== p.inputs.length)
      throw new InternalError(
        `webgpu compiled program: called with ${inputs.length} buffers, expects ${p.inputs.length}`,
      );
    const uploads: GPUBuffer[] = [];
    const gpuIn = p.inputs.map((id, k) => {
      const buf = inputs[k];
      if (buf.backend === be) return be.gpuBuffer(buf, "compiled program input");
      // A CPU operand (a constant): upload it, as the eager path moves CPU operands.
      const aval = p.buffers[id].aval;
      const up = be.fromHost(buf.backend.readSync(buf, aval), aval);
      const t = be.takeOwnership(up)!;
      uploads.push(t.gpu);
      return t.gpu;
    });
    this.specialize(inputs);
    let owned: Owned[] = [];
    be.scoped("compiled program", () => {
      owned = this.run(gpuIn);
    });
    const outs = owned.map((o, k) => be.own(o.gpu, bytesOf(p.buffers[p.outputs[k]].aval), o.pooled));
    for (const u of uploads) be.releaseGpu(u, false);
    // One submit per call: the GPU starts while JS prepares the next one.
    be.flush();
    return outs;
  }

  /**
   * Encode every step on the GPU buffers of the program's inputs (borrowed: never released) into
   * the open encoder, without an error scope or a submit: the outputs, owned by the caller.
   */
  run(inputs: readonly GPUBuffer[]): Owned[] {
    // The program's own buffers hold one call's values: a call inside a call of the same program
    // (there is no such path today) would overwrite them.
    if (this.#running) throw new InternalError("webgpu compiled program: called again while it runs");
    this.#running = true;
    try {
      return this.runOnce(inputs);
    } finally {
      this.#running = false;
      this.endPass();
    }
  }

  private runOnce(inputs: readonly GPUBuffer[]): Owned[] {
    const be = this.backend;
    const p = this.program;
    const gpu: (GPUBuffer | undefined)[] = new globalThis.Array(p.buffers.length);
    const pooled: boolean[] = new globalThis.Array(p.buffers.length).fill(true);
    // Buffers that are the program's own (never released, never returned).
    const own = new Uint8Array(p.buffers.length);
    this.#dispatches = 0;
    this.#bindGroupsCreated = 0;
    p.inputs.forEach((id, k) => {
      const g = inputs[k];
      const last = this.#lastIn[k];
      if (!this.#staged[k] && this.#stageable[k] && last !== undefined && last !== g) this.#staged[k] = true;
      this.#lastIn[k] = g;
      if (!this.#staged[k]) return void (gpu[id] = g);
      const bytes = bytesOf(p.buffers[id].aval);
      const a = this.#arena.get(INPUT_KEY + k, bytes);
      if (bytes > 0) be.commandEncoder().copyBufferToBuffer(g, 0, a, 0, copyBytes(bytes));
      gpu[id] = a;
      own[id] = 1;
    });
    this.#steps.forEach((s, i) => {
      if (s.kind === "gpu") this.runGpu(s, gpu, own);
      else {
        this.endPass();
        if (s.kind === "call") this.runCall(s, gpu, pooled);
        else this.runEager(s.step, gpu, pooled);
      }
      for (const b of this.#plan.freeAfter[i]) {
        const g = gpu[b];
        if (g !== undefined && own[b] === 0) be.releaseGpu(g, pooled[b]);
        gpu[b] = undefined;
      }
    });
    this.endPass();
    return p.outputs.map((id) => {
      const g = gpu[id];
      if (g === undefined) throw new InternalError(`webgpu compiled program: output b${id} was never written`);
      if (own[id] === 0) return { gpu: g, pooled: pooled[id] };
      // A staged output (or an input returned as it came): copied into a buffer the caller owns.
      const bytes = bytesOf(p.buffers[id].aval);
      const c = be.pool.acquire(bytes);
      if (bytes > 0) be.commandEncoder().copyBufferToBuffer(g, 0, c, 0, copyBytes(bytes));
      return { gpu: c, pooled: true };
    });
  }

  private endPass(): void {
    this.#pass?.end();
    this.#pass = null;
    this.#passPipeline = null;
  }

  private runCall(s: CallStep, gpu: (GPUBuffer | undefined)[], pooled: boolean[]): void {
    const outs = s.runner.run(s.step.inputs.map((b) => gpu[b]!));
    this.#dispatches += s.runner.lastDispatches;
    s.step.outputs.forEach((b, k) => {
      gpu[b] = outs[k].gpu;
      pooled[b] = outs[k].pooled;
    });
  }

  private runGpu(s: GpuStep, gpu: (GPUBuffer | undefined)[], own: Uint8Array): void {
    const be = this.backend;
    const plan = this.#plan;
    const arena = this.#arena;
    // New buffers first: with poisoning on, handing one out encodes a pass (ours must be ended).
    for (const b of s.writes) {
      if (gpu[b] !== undefined) continue;
      const bytes = bytesOf(this.program.buffers[b].aval);
      if (this.#ownSlot[b]) {
        const key = plan.slot[b];
        const need = this.#slotBytes[plan.slot[b]];
        if (be.poisoning && arena.needs(key, need)) this.endPass();
        gpu[b] = arena.get(key, need);
        own[b] = 1;
      } else {
        if (be.poisoning) this.endPass();
        gpu[b] = be.pool.acquire(bytes);
      }
    }
    const temps =
      s.temps.length === 0
        ? NO_TEMPS
        : s.temps.map((n, k) => {
            if (be.poisoning && arena.needs(SCRATCH_KEY + k, n)) this.endPass();
            return arena.get(SCRATCH_KEY + k, n);
          });
    this.#pass ??= be.commandEncoder().beginComputePass({ label: "compiled program" });
    const pass = this.#pass;
    const bind = (r: BindRef): GPUBuffer => ("buf" in r ? gpu[r.buf]! : "temp" in r ? temps[r.temp] : r.uniform);
    for (const cp of s.passes) {
      const pipeline = (cp.pipeline ??= be.pipelineFor(cp.code, cp.bindings, cp.hasUniforms, cp.label));
      let group: GPUBindGroup | undefined;
      const last = cp.last;
      // The common case (the same buffers as on the last call) allocates nothing.
      let same = last !== null;
      for (let k = 0; same && k < cp.binds.length; k++) same = last!.bufs[k] === bind(cp.binds[k]);
      if (same) group = last!.group;
      else {
        const bufs = cp.binds.map(bind);
        const key = bufs.map(gpuId).join(",");
        group = cp.groups.get(key);
        if (group === undefined) {
          if (cp.groups.size >= 4) cp.groups.clear();
          group = be.device.createBindGroup({
            layout: pipeline.getBindGroupLayout(0),
            entries: bufs.map((buffer, k) => ({ binding: k, resource: { buffer } })),
          });
          cp.groups.set(key, group);
          this.#bindGroupsCreated++;
          be.countDispatches(0, 1);
        }
        cp.last = { bufs, group };
      }
      if (this.#passPipeline !== pipeline) pass.setPipeline(pipeline);
      this.#passPipeline = pipeline;
      pass.setBindGroup(0, group);
      pass.dispatchWorkgroups(cp.workgroups[0], cp.workgroups[1], cp.workgroups[2]);
    }
    this.#dispatches += s.passes.length;
    be.countDispatches(s.passes.length, 0, s.bindings);
  }

  /** A routine without a WebGPU kernel: bind it eagerly on borrowed views, then own its results. */
  private runEager(s: RoutineStep, gpu: (GPUBuffer | undefined)[], pooled: boolean[]): void {
    const be = this.backend;
    const avals = this.program.buffers.map((b) => b.aval);
    const args = s.inputs.map((b) => new ConcreteArray(be.borrow(gpu[b]!, bytesOf(avals[b])), avals[b]));
    const outs = s.eqn.prim.bind(args, s.eqn.params as Readonly<Record<string, unknown>>);
    const taken = new Map<DeviceBuffer, GPUBuffer>();
    s.outputs.forEach((b, k) => {
      const { gpu: g, pooled: p } = adoptResult(be, outs[k], avals[b], taken);
      gpu[b] = g;
      pooled[b] = p;
    });
  }
}

/**
 * The executable steps of `program`: kernels rendered (reading the `known` buffers as literals
 * where they can), routines' kernels looked up; pipelines are created at a pass's first run.
 * A string says why the program cannot be compiled.
 */
function buildSteps(
  backend: WebGPUBackend,
  program: Program,
  known: ReadonlyMap<number, Uint32Array>,
  /** The generic steps: a variant reuses those that read no known buffer (routines, nested calls included). */
  reuse?: readonly ExecStep[],
): ExecStep[] | string {
  const avalOf = (b: number): ShapedArray => program.buffers[b].aval;
  const maxStorageBuffers = backend.device.limits.maxStorageBuffersPerShaderStage;
  const steps: ExecStep[] = [];
  for (const [i, s] of program.steps.entries()) {
    if (reuse !== undefined && (s.kind === "routine" || !s.kernel.inputs.some((b) => known.has(b)))) {
      steps.push(reuse[i]);
      continue;
    }
    let passes: PassProgram;
    let slotOf: (slot: Slot) => BindRef;
    let label: string;
    let writes: readonly number[];
    if (s.kind === "kernel") {
      const r = renderKernel(s.kernel, avalOf, { maxStorageBuffers, known });
      if (typeof r === "string") return r;
      passes = r;
      const k = s.kernel;
      const outs = k.kind === "elementwise" ? k.outputs.map((o) => o.buffer) : [k.output.buffer];
      const bound = r.inputs;
      slotOf = (slot) =>
        "in" in slot ? { buf: bound[slot.in] } : "out" in slot ? { buf: outs[slot.out] } : { temp: slot.temp };
      label = `fused ${k.kind}`;
      writes = outs;
    } else {
      const kernel = getKernel(s.eqn.prim.name);
      const p = kernel?.(
        s.inputs.map(avalOf),
        s.outputs.map(avalOf),
        s.eqn.params as Readonly<Record<string, unknown>>,
      );
      if (p === undefined) {
        const runner = nestedRunner(backend, s, avalOf);
        steps.push(typeof runner === "string" ? { kind: "eager", step: s } : { kind: "call", runner, step: s });
        continue;
      }
      passes = p;
      slotOf = (slot) =>
        "in" in slot ? { buf: s.inputs[slot.in] } : "out" in slot ? { buf: s.outputs[slot.out] } : { temp: slot.temp };
      label = s.eqn.prim.name;
      writes = s.outputs;
    }
    const compiled = passes.passes.map((p): CompiledPass => {
      const binds: BindRef[] = p.bindings.map((b) => slotOf(b.slot));
      if (p.uniforms !== undefined) {
        const u = backend.device.createBuffer({
          size: Math.max(16, Math.ceil(p.uniforms.byteLength / 16) * 16),
          usage: USAGE_UNIFORM,
          mappedAtCreation: true,
        });
        new Uint32Array(u.getMappedRange()).set(p.uniforms);
        u.unmap();
        binds.push({ uniform: u });
      }
      return {
        pipeline: null,
        code: p.code,
        bindings: p.bindings,
        hasUniforms: p.uniforms !== undefined,
        label,
        binds,
        workgroups: p.workgroups,
        groups: new Map(),
        last: null,
      };
    });
    const bindings = compiled.reduce((n, cp) => n + cp.binds.length, 0);
    steps.push({ kind: "gpu", label, passes: compiled, temps: passes.temps ?? [], writes, bindings });
  }
  return steps;
}

/**
 * A routine step as a compiled sub-program: a scan as a loop of its compiled body, a nested
 * jit/remat as its compiled jaxpr (scan-loop.ts); a string says why not (then it runs eagerly).
 */
function nestedRunner(be: WebGPUBackend, s: RoutineStep, avalOf: (b: number) => ShapedArray): GpuRunner | string {
  const compileBody = (j: Jaxpr): GpuRunner | string =>
    CompiledExecutable.build(be, programOf(be, rewriteLinearScans(j)));
  const params = s.eqn.params as Readonly<Record<string, unknown>>;
  const name = s.eqn.prim.name;
  if (name === "scan") return ScanLoop.build(be, params, s.inputs.map(avalOf), s.outputs.map(avalOf), compileBody);
  if (name === "jit" || name === "remat") return buildCall(params, compileBody);
  return `${name} has no compiled form`;
}

/**
 * Own the buffer of an eager result: take it out of its array, or copy it when it cannot be taken
 * (a borrowed view — the routine returned its input —, a buffer already taken, another backend).
 */
function adoptResult(
  be: WebGPUBackend,
  out: Array,
  aval: ShapedArray,
  taken: Map<DeviceBuffer, GPUBuffer>,
): { gpu: GPUBuffer; pooled: boolean } {
  if (!(out instanceof ConcreteArray))
    throw new InternalError(`webgpu compiled program: an eager routine returned a tracer`);
  const buf = out.buffer;
  if (buf.backend === be) {
    const earlier = taken.get(buf);
    const t = earlier === undefined ? be.takeOwnership(buf) : undefined;
    if (t !== undefined) {
      taken.set(buf, t.gpu);
      return t;
    }
    const bytes = bytesOf(aval);
    const copy = be.pool.acquire(bytes);
    be.commandEncoder().copyBufferToBuffer(
      earlier ?? be.gpuBuffer(buf, "compiled program"),
      0,
      copy,
      0,
      Math.ceil(bytes / 4) * 4,
    );
    return { gpu: copy, pooled: true };
  }
  const up = be.fromHost(buf.backend.readSync(buf, aval), aval);
  return be.takeOwnership(up)!;
}

/**
 * evalJaxpr, disposing each intermediate array right after its last reader: an interpreted call
 * otherwise leaves its intermediates to the garbage collector, which JS heap pressure (tiny
 * wrappers) does not trigger while GPU memory fills up. Arrays are counted by object, since an
 * op may return one of its operands; inputs and outputs are never disposed.
 */
function interpretDisposing(jaxpr: Jaxpr, args: readonly Array[]): Array[] {
  const env = new Map<unknown, Array>();
  const refs = new Map<Array, number>();
  const keep = new Set<Array>(args);
  for (const e of jaxpr.eqns) for (const a of e.inputs) if (a instanceof Literal) keep.add(a.val);
  const lastUse = new Map<unknown, number>();
  jaxpr.eqns.forEach((e, i) => e.inputs.forEach((a) => lastUse.set(a, i)));
  const outVars = new Set<unknown>(jaxpr.outvars);
  const read = (a: unknown): Array => {
    if (a instanceof Literal) return a.val;
    const v = env.get(a);
    if (v === undefined) throw new InternalError("webgpu interpreter: unbound variable");
    return v;
  };
  const bindVar = (v: unknown, x: Array): void => {
    env.set(v, x);
    refs.set(x, (refs.get(x) ?? 0) + (outVars.has(v) ? 1e9 : 1));
  };
  jaxpr.invars.forEach((v, i) => bindVar(v, args[i]));
  jaxpr.eqns.forEach((eqn, i) => {
    const outs = eqn.prim.bind(eqn.inputs.map(read), eqn.params as Readonly<Record<string, unknown>>);
    eqn.outBinders.forEach((v, k) => bindVar(v, outs[k]));
    // Inputs read for the last time here, and outputs nobody reads (dropped at once).
    const dead = [...new Set(eqn.inputs)].filter((a) => !(a instanceof Literal) && lastUse.get(a) === i);
    for (const v of eqn.outBinders) if (!lastUse.has(v) && !outVars.has(v)) dead.push(v);
    for (const a of dead) {
      const x = env.get(a)!;
      const n = (refs.get(x) ?? 1) - 1;
      refs.set(x, n);
      if (n === 0 && !keep.has(x) && x instanceof ConcreteArray) x.dispose();
    }
  });
  return jaxpr.outvars.map(read);
}

/** The jaxpr interpreted primitive by primitive on borrowed views of the inputs (today's path). */
export class InterpretedExecutable implements Executable {
  constructor(
    private readonly backend: WebGPUBackend,
    private readonly jaxpr: Jaxpr,
    /** Why the program is not compiled (null: compilation is off). */
    readonly reason: string | null,
  ) {}
  execute(inputs: DeviceBuffer[]): DeviceBuffer[] {
    const be = this.backend;
    const avals = this.jaxpr.invars.map((v) => v.aval);
    // Borrowed views (the caller keeps its buffers); another backend's operand is uploaded.
    const args = inputs.map((b, k) =>
      b.backend === be
        ? new ConcreteArray(be.borrow(be.gpuBuffer(b, "jit input"), bytesOf(avals[k])), avals[k])
        : new ConcreteArray(be.fromHost(b.backend.readSync(b, avals[k]), avals[k]), avals[k]),
    );
    const outs = interpretDisposing(this.jaxpr, args);
    const taken = new Map<DeviceBuffer, GPUBuffer>();
    return outs.map((o, k) => {
      const t = adoptResult(be, o, this.jaxpr.outAvals[k], taken);
      return be.own(t.gpu, bytesOf(this.jaxpr.outAvals[k]), t.pooled);
    });
  }
}

/** core's program of fused kernels for `jaxpr`, with same-shape elementwise kernels merged (merge-kernels.ts). */
function programOf(be: WebGPUBackend, jaxpr: Jaxpr): Program {
  return mergeKernels(buildProgram(jaxpr), be.device.limits.maxStorageBuffersPerShaderStage);
}

/**
 * `WebGPUBackend.compile`: the compiled program, or the interpreter when `config.jitCompile` is
 * off or something in the jaxpr has no compiled form.
 */
export function compileJaxpr(backend: WebGPUBackend, jaxpr0: Jaxpr): Executable {
  // Linear-recurrence associative scans as the scan routine (both paths; see linear-scan.ts).
  const jaxpr = rewriteLinearScans(jaxpr0);
  if (!config.read("jitCompile")) return new InterpretedExecutable(backend, jaxpr, null);
  if (jaxpr.constvars.length > 0) return new InterpretedExecutable(backend, jaxpr, "the jaxpr has constvars");
  const exe = CompiledExecutable.build(backend, programOf(backend, jaxpr));
  return typeof exe === "string" ? new InterpretedExecutable(backend, jaxpr, exe) : exe;
}
