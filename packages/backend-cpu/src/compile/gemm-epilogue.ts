/**
 * Routine epilogues on the CPU GEMM: a dotGeneral followed by an elementwise kernel that only
 * consumes its output (x·W + b, then tanh/gelu/relu) runs as one GEMM whose module has the
 * epilogue built in (core's compile/routine-epilogue.ts decides what fuses; this backend opts in
 * with {@link acceptsEpilogue}).
 *
 * The epilogue is the very kernel the program would otherwise run after the GEMM, split into rows
 * of the product's [batch, m, n] view (core's `epilogueRows`) and rendered by the same renderer
 * (`renderElementwise`, the same native ops and the same imported reference functions) as a
 * function over a range of columns of one row, its buffers' addresses shifted to the row. The GEMM
 * (wasm/gemm.ts) calls it for each row of each finished mc × nc block of C, right after the
 * block's last k step, while the block is still in cache. Every element of the epilogue is thus
 * the same scalar ops on the same float32 values as in the unfused program: results are bit for
 * bit the same, on one thread or several (tested in test/gemm-epilogue.test.ts).
 *
 * Ops are rendered as in the program's module (program-module.ts): native instructions, the exact
 * WebAssembly routines of wasm/libm (exp, tanh, logistic, erf, …), or the reference's JS function.
 * Epilogues that call imported JS functions (e.g. `sin`) cannot run in the GEMM pool's workers: such a call runs fused on one thread when the
 * GEMM would run on one anyway, and otherwise as the plain GEMM on all threads followed by the
 * epilogue kernel. `LINAX_FUSE_EPILOGUES=0` turns the fusion off (read when a program compiles).
 */
import { compile, InternalError, type JaxprEqn, type lax, type ShapedArray } from "@linax-ts/core";
import type { Code, ModuleBuilder } from "../wasm/emitter.ts";
import { buildGemmModule } from "../wasm/gemm.ts";
import type { GemmPoolEpilogue } from "../wasm/threads/gemm-pool.ts";
import type { CpuBackend, CpuBuffer } from "../backend.ts";
import { f32GemmArgs, gemmConfigOf, gemmSplits, runGemmWithEpilogue } from "./dot-routine.ts";
import { itemBytes, topo } from "./kernel-body.ts";
import { isNativeScalar, kernelParams, renderElementwise } from "./render-kernel.ts";
import { fastMathFor, referenceFunction } from "./scalar-ops.ts";
import { KERNEL_ROUTINES, scalarRoutineFor, vectorRoutineFor } from "./scalar-routines.ts";
import { Library } from "../wasm/libm/library.ts";
import { envVar } from "../env.ts";

/** Whether epilogue fusion is on (`LINAX_FUSE_EPILOGUES=0` turns it off). */
export const epilogueFusionEnabled = (): boolean => envVar("LINAX_FUSE_EPILOGUES") !== "0";

const dotParams = (eqn: JaxprEqn): lax.DotGeneralParams => eqn.params as unknown as lax.DotGeneralParams;
const gemmArgsOf = (eqn: JaxprEqn): ReturnType<typeof f32GemmArgs> =>
  eqn.prim.name === "dotGeneral"
    ? f32GemmArgs(
        eqn.inputs.map((a) => a.aval),
        eqn.outBinders[0].aval,
        dotParams(eqn),
      )
    : null;

/** Whether every load of `k` provably stays inside its buffer (the row form never clamps). */
function loadsInBounds(k: compile.ElementwiseKernel, avalOf: (id: number) => ShapedArray): boolean {
  return topo(k.outputs.flatMap((o) => o.values)).every((e) => {
    if (e.kind !== "load") return true;
    const a = avalOf(e.buffer);
    const [lo, hi] = compile.range(e.index, k.shape);
    return lo >= 0 && hi <= (a.dtype === "complex64" ? 2 * a.size : a.size) - 1;
  });
}

/** The row form of an epilogue of `eqn`, or null when the GEMM cannot apply it. */
function rowsOf(
  eqn: JaxprEqn,
  k: compile.ElementwiseKernel,
  avalOf: (id: number) => ShapedArray,
): compile.EpilogueRows | null {
  const args = gemmArgsOf(eqn);
  if (args === null || !loadsInBounds(k, avalOf)) return null;
  return compile.epilogueRows(k, args.batch ?? 1, args.m, args.n, itemBytes);
}

/**
 * The CPU's `FuseOptions.routineEpilogue`: a float32 dotGeneral the GEMM computes in place, with an
 * epilogue whose loads are affine per row (a bias row, a residual, a scale) and in bounds.
 */
export const acceptsEpilogue: compile.EpilogueCapability = (eqn, kernel, avalOf) =>
  rowsOf(eqn, kernel, avalOf) !== null;

/** A GEMM module with one epilogue form, and its instances (one per memory). */
interface Built {
  readonly module: WebAssembly.Module;
  readonly imports: Readonly<Record<string, WebAssembly.ImportValue>>;
  readonly importNames: readonly string[];
  readonly instances: WeakMap<WebAssembly.Memory, (...a: number[]) => void>;
}

/**
 * Modules by epilogue form (the row kernel with its buffers named by parameter position, their
 * dtypes and row shifts, the GEMM config, fastMath): the four blocks of a model share one, and so
 * do recompilations of one program. At most MAX_MODULES, the oldest dropped first.
 */
const modules = new Map<string, Built>();
const MAX_MODULES = 256;

/** How fused dotGeneral steps ran since the process started (tests read it). */
export const epilogueRuns = { fused: 0, unfused: 0 };

/** A fused dotGeneral step, compiled: its GEMM arguments, the row kernel, and (built on first use) its module. */
export class GemmEpilogue {
  readonly args: NonNullable<ReturnType<typeof f32GemmArgs>>;
  readonly rows: compile.EpilogueRows;
  /** The row kernel's buffers, in its parameter order (the GEMM's extra arguments). */
  readonly params: readonly number[];
  readonly callsImports: boolean;

  private constructor(
    readonly step: compile.RoutineStep,
    args: NonNullable<ReturnType<typeof f32GemmArgs>>,
    rows: compile.EpilogueRows,
    readonly fastMath: boolean,
    readonly avalOf: (id: number) => ShapedArray,
  ) {
    this.args = args;
    this.rows = rows;
    this.params = kernelParams(rows.kernel);
    this.callsImports = this.#importNodes().length > 0;
  }

  /** The compiled form of a routine step's epilogue, or null when the GEMM cannot run it. */
  static of(step: compile.RoutineStep, avalOf: (id: number) => ShapedArray, fastMath: boolean): GemmEpilogue | null {
    const e = step.epilogue;
    if (e === undefined) return null;
    const args = gemmArgsOf(step.eqn);
    const rows = rowsOf(step.eqn, e.kernel, avalOf);
    return args === null || rows === null ? null : new GemmEpilogue(step, args, rows, fastMath, avalOf);
  }

  /** Op nodes of the row kernels that are neither native nor polynomial (fastMath): imports or libm routines. */
  #calledNodes(): compile.OpExpr[] {
    return topo([this.rows.kernel, this.rows.rowsKernel].flatMap((k) => k.outputs.flatMap((o) => o.values))).filter(
      (n): n is compile.OpExpr =>
        n.kind === "op" &&
        n.op !== "cmul.re" &&
        n.op !== "cmul.im" &&
        !isNativeScalar(n) &&
        fastMathFor(n, this.fastMath) === null,
    );
  }

  /** Those that call their reference JS function (no exact WebAssembly routine): as program-module.ts decides. */
  #importNodes(): compile.OpExpr[] {
    return this.#calledNodes().filter((n) => scalarRoutineFor(n) === null);
  }

  /** The last `#module` result, by memory: the key below costs a printKernel, too much per call of a small step. */
  #last: { memory: WebAssembly.Memory; built: Built; fn: (...a: number[]) => void } | undefined;

  /** The GEMM module with this epilogue (shared by equal epilogue forms), instantiated on `be`'s heap. */
  #module(be: CpuBackend): { built: Built; fn: (...a: number[]) => void } {
    const memory = be.heap.memory;
    if (this.#last?.memory === memory) return this.#last;
    const config = gemmConfigOf(be);
    const rowKernel = this.rows.kernel;
    const pos = new Map(this.params.map((id, q) => [id, q]));
    const form = compile.printKernel(rowKernel).replace(/\bb(\d+)/g, (_, id: string) => `p${pos.get(Number(id))}`);
    const key = [
      be.heap.shared,
      JSON.stringify(config),
      this.fastMath,
      this.params.map((id) => `${this.avalOf(id).dtype}:${this.rows.rowBytes.get(id)!.join(":")}`).join(","),
      form,
    ].join("|");
    let built = modules.get(key);
    if (built === undefined) {
      built = this.#build(be.heap.shared, config);
      if (modules.size >= MAX_MODULES) modules.delete(modules.keys().next().value!);
      modules.set(key, built);
    }
    let fn = built.instances.get(memory);
    if (fn === undefined) {
      fn = new WebAssembly.Instance(built.module, { env: { ...built.imports, memory } }).exports.gemm as (
        ...a: number[]
      ) => void;
      built.instances.set(memory, fn);
    }
    this.#last = { memory, built, fn };
    return this.#last;
  }

  #build(shared: boolean, config: ReturnType<typeof gemmConfigOf>): Built {
    const imports: Record<string, WebAssembly.ImportValue> = {};
    const importIndex = new Map<number, number>();
    const rowKernel = this.rows.kernel;
    const rowsKernel = this.rows.rowsKernel;
    const rowsParams = kernelParams(rowsKernel);
    let rowFn = -1;
    let rowsFn = -1;
    let rowsExtent = -1;
    const declare = (m: ModuleBuilder): void => {
      for (const n of this.#importNodes()) {
        const name = `f${importIndex.size}`;
        imports[name] = referenceFunction(n);
        importIndex.set(
          n.id,
          m.importFunc(
            name,
            n.args.map(() => "f64"),
            [n.type === "f32" ? "f64" : "i32"],
          ),
        );
      }
      // Ops with an exact WebAssembly routine (wasm/libm) call it, scalar or four lanes at a
      // time, as in the program's own module.
      const library = new Library(m, KERNEL_ROUTINES);
      const routineIndex = new Map<number, number>();
      const vectorIndex = new Map<number, number>();
      for (const n of this.#calledNodes()) {
        const name = scalarRoutineFor(n);
        if (name !== null) routineIndex.set(n.id, library.index(name));
        const vname = vectorRoutineFor(n);
        if (vname !== null) vectorIndex.set(n.id, library.index(vname));
      }
      const ctx = {
        // The row kernel's indices are relative to shifted addresses and provably in bounds
        // (loadsInBounds): no size is needed to clamp them.
        buffers: (id: number) => ({ dtype: this.avalOf(id).dtype, size: 2 ** 28 }),
        fastMath: this.fastMath,
        imports: {
          indexOf: (n: { id: number; op: string }): number => {
            const i = importIndex.get(n.id) ?? routineIndex.get(n.id);
            if (i === undefined) throw new InternalError(`gemm epilogue: op '${n.op}' has no imported function`);
            return i;
          },
          vectorIndexOf: (n: { id: number }): number | undefined => vectorIndex.get(n.id),
        },
      };
      rowFn = m.func(
        [...this.params.map(() => "i32" as const), "i32", "i32"],
        [],
        (c) => void renderElementwise(c, rowKernel, ctx),
      );
      rowsFn = m.func(
        [...rowsParams.map(() => "i32" as const), "i32", "i32"],
        [],
        (c) => void (rowsExtent = renderElementwise(c, rowsKernel, ctx)),
      );
    };
    const { m: rows, n: cols } = this.args;
    const emitBlock = (
      c: Code,
      at: { t: number; r0: number; r1: number; j0: number; j1: number; params: readonly number[] },
    ): void => {
      // The outer loop of the [m, n] function runs over rows, or over elements if it merged both axes.
      const perRow = rowsExtent === rows ? 1 : rowsExtent === rows * cols ? cols : 0;
      if (perRow !== 0) {
        // Whole rows (the block spans all n columns): one call for rows [r0, r1) of product t.
        c.get(at.j0).op(0x45).get(at.j1).i32(cols).op(0x46).op(0x71).if();
        rowsParams.forEach((id) => {
          const [bt] = this.rows.rowBytes.get(id)!;
          c.get(at.params[this.params.indexOf(id)]);
          if (bt !== 0) c.get(at.t).i32(bt).op(0x6c).op(0x6a);
        });
        c.get(at.r0).i32(perRow).op(0x6c).get(at.r1).i32(perRow).op(0x6c).call(rowsFn);
        c.else();
      }
      // Else for each row r of the block: the row function on columns [j0, j1), each buffer's
      // address shifted to row (t, r).
      const r = c.local("i32");
      c.get(at.r0).set(r);
      c.block().loop();
      c.get(r).get(at.r1).op(0x4e).brIf(1); // r >= r1
      this.params.forEach((id, q) => {
        const [bt, bi] = this.rows.rowBytes.get(id)!;
        c.get(at.params[q]);
        if (bt !== 0) c.get(at.t).i32(bt).op(0x6c).op(0x6a);
        if (bi !== 0) c.get(r).i32(bi).op(0x6c).op(0x6a);
      });
      c.get(at.j0).get(at.j1).call(rowFn);
      c.get(r).i32(1).op(0x6a).set(r).br(0).end().end();
      if (perRow !== 0) c.end();
    };
    const module = new WebAssembly.Module(
      buildGemmModule({ shared, config, epilogue: { params: this.params.length, declare, emitBlock } }),
    );
    return { module, imports, importNames: Object.keys(imports), instances: new WeakMap() };
  }

  /**
   * Runs the step fused when it can: allocates its outputs into `bufs` and returns true; false
   * (nothing done) when the epilogue calls imports and the GEMM would run on several threads.
   * `copies` collects temporary heap copies of borrowed buffers for the caller to free.
   */
  run(be: CpuBackend, bufs: (CpuBuffer | undefined)[], copies: number[]): boolean {
    if (this.callsImports && gemmSplits(be, this.args)) {
      epilogueRuns.unfused++;
      return false;
    }
    epilogueRuns.fused++;
    const step = this.step;
    const writes = [...step.outputs, ...step.epilogue!.kernel.outputs.map((o) => o.buffer)];
    for (const id of writes) {
      if (bufs[id] !== undefined) continue;
      const a = this.avalOf(id);
      bufs[id] = be.allocHeap(a.dtype, a.size);
    }
    if (bufs[step.outputs[0]]!.size === 0) return true;
    const addr = (b: CpuBuffer): number => {
      const moved = b.ptr === 0;
      const p = be.heapAddress(b);
      if (moved && b.ptr !== p) copies.push(p); // a borrowed buffer's temporary copy
      return p;
    };
    const [x, y] = step.inputs.map((id) => bufs[id]!);
    const a = addr(x);
    const b = x === y ? a : addr(y);
    const extra = this.params.map((id) => addr(bufs[id]!));
    const { built, fn } = this.#module(be);
    const epilogue: GemmPoolEpilogue = { module: built.module, importNames: built.importNames, fn, extra };
    runGemmWithEpilogue(be, { ...this.args, a, b, c: bufs[step.outputs[0]]!.ptr }, epilogue);
    return true;
  }
}
