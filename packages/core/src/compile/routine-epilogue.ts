/**
 * Routine epilogues: an elementwise kernel that a backend applies to a routine's output while the
 * routine produces it (bias + activation after a matmul), instead of a separate kernel that reads
 * the whole output back from memory.
 *
 * A backend opts in with `FuseOptions.routineEpilogue` (a predicate over the routine's equation
 * and the candidate kernel); without it nothing changes. The pass runs on the finished program, so
 * it never changes what buildProgram decided to fuse or materialise: it only moves a kernel into
 * the routine step that produces its operand.
 *
 * **When a kernel becomes an epilogue.** Routine step R with a single output buffer c, and
 * elementwise kernel step E, such that
 * - c is a temporary (not a program output) and E is the *only* step that reads c;
 * - E's loop nest has as many elements as c and every load of c in E is at E's own row-major
 *   element (`c[flat(v)]`: elementwise at the same index; E's other operands may be indexed any
 *   way — a broadcast bias row, a transposed residual);
 * - the backend accepts (R's equation, E).
 *
 * **No duplication.** E is moved, not copied: c has no other reader, so each element of E is
 * still computed exactly once (by whichever part of the routine finishes that element of c), and
 * no other kernel changes. The bound on duplicated work is zero ops.
 *
 * **In place.** When E has one output o with c's dtype and size, the routine writes o directly and
 * E reads and writes o at the same element (c is never allocated). Otherwise the routine writes c
 * and E reads it.
 *
 * **Semantics** of a routine step with an epilogue, for any backend: run the routine (writing its
 * outputs), then run the epilogue kernel — a backend may interleave the two, tile by tile, because
 * every element of the epilogue depends only on the same element of the routine's output.
 *
 * `epilogueRows` gives backends that produce their output row by row (a GEMM's C tiles) the
 * epilogue as a one-row kernel plus per-buffer row offsets.
 */
import type { ShapedArray } from "../core/aval.ts";
import type { JaxprEqn } from "../core/jaxpr.ts";
import { stridesOf } from "../shape.ts";
import { combine, flatten, loopVar, print as printIndex, type Linear } from "./index-expr.ts";
import { ExprBuilder, loadedBuffers, type ElementwiseKernel, type Expr } from "./ir.ts";
import type { BufferInfo, RoutineStep, Step } from "./graph.ts";

/** An elementwise kernel applied to a routine's output as it is produced (see the file comment). */
export interface RoutineEpilogue {
  readonly kernel: ElementwiseKernel;
  /** The routine output the kernel reads (one of the kernel's outputs when in place). */
  readonly source: number;
  /** Whether the routine writes the kernel's output buffer and the kernel updates it in place. */
  readonly inPlace: boolean;
}

/**
 * A backend's opt-in: whether it can apply `kernel` as an epilogue of routine `eqn` (`avalOf`
 * gives the program's buffers' avals). The kernel already meets the rules above.
 */
export type EpilogueCapability = (
  eqn: JaxprEqn,
  kernel: ElementwiseKernel,
  avalOf: (buffer: number) => ShapedArray,
) => boolean;

const kernelValues = (k: ElementwiseKernel): readonly Expr[] => k.outputs.flatMap((o) => o.values);

function walk(roots: readonly Expr[], visit: (e: Expr) => void): void {
  const seen = new Set<number>();
  const go = (e: Expr): void => {
    if (seen.has(e.id)) return;
    seen.add(e.id);
    visit(e);
    if (e.kind === "op") e.args.forEach(go);
  };
  roots.forEach(go);
}

/** Whether every load of `source` in `k` reads k's own element (row-major over k.shape). */
function readsAtOwnElement(k: ElementwiseKernel, source: number, sourceSize: number): boolean {
  if (k.shape.reduce((p, s) => p * s, 1) !== sourceSize) return false;
  const own = printIndex(
    flatten(
      k.shape.map((_, d) => loopVar(d)),
      stridesOf(k.shape),
    ),
  );
  let ok = true;
  walk(kernelValues(k), (e) => {
    if (e.kind === "load" && e.buffer === source && printIndex(e.index) !== own) ok = false;
  });
  return ok;
}

/** Rebuild `roots` through `b`, mapping each load's buffer and index and each index value. */
function rebuild(
  b: ExprBuilder,
  roots: readonly Expr[],
  load: (buffer: number) => number,
  index: (l: Linear) => Linear,
): Expr[] {
  const memo = new Map<number, Expr>();
  const go = (e: Expr): Expr => {
    const hit = memo.get(e.id);
    if (hit !== undefined) return hit;
    let r: Expr;
    switch (e.kind) {
      case "const":
        r = b.constant(e.value, e.type);
        break;
      case "load":
        r = b.load(load(e.buffer), index(e.index), e.type);
        break;
      case "index":
        r = b.index(index(e.index));
        break;
      case "op":
        r = b.op(e.op, e.type, e.args.map(go), e.argDType, e.params);
    }
    memo.set(e.id, r);
    return r;
  };
  return roots.map(go);
}

const readsOf = (s: Step): readonly number[] =>
  s.kind === "routine" ? [...s.inputs, ...(s.epilogue?.kernel.inputs ?? [])] : s.kernel.inputs;
const writesOf = (s: Step): readonly number[] =>
  s.kind === "routine"
    ? [...s.outputs, ...(s.epilogue?.kernel.outputs.map((o) => o.buffer) ?? [])]
    : s.kernel.kind === "elementwise"
      ? s.kernel.outputs.map((o) => o.buffer)
      : [s.kernel.output.buffer];

/**
 * The epilogue pass over a finished program's steps (see the file comment): returns the new step
 * list, each accepted kernel moved into its routine step. `b` is the program's expression builder
 * (in-place epilogues get their loads of c re-pointed at o).
 */
export function attachEpilogues(
  steps: readonly Step[],
  buffers: readonly BufferInfo[],
  outputs: readonly number[],
  b: ExprBuilder,
  accepts: EpilogueCapability,
): Step[] {
  const out: (Step | null)[] = [...steps];
  const readers = new Map<number, number[]>();
  const writer = new Map<number, number>();
  steps.forEach((s, i) => {
    for (const id of readsOf(s)) readers.set(id, [...(readers.get(id) ?? []), i]);
    for (const id of writesOf(s)) if (!writer.has(id)) writer.set(id, i);
  });
  const isOutput = new Set(outputs);
  steps.forEach((s, ri) => {
    if (s.kind !== "routine" || s.epilogue !== undefined || s.outputs.length !== 1) return;
    const c = s.outputs[0];
    const rs = readers.get(c) ?? [];
    if (isOutput.has(c) || buffers[c].role !== "temp" || new Set(rs).size !== 1) return;
    const ei = rs[0];
    const e = steps[ei];
    // (A kernel already moved into an earlier routine's step is taken.)
    if (e.kind !== "kernel" || e.kernel.kind !== "elementwise" || ei <= ri || out[ei] !== e) return;
    const k = e.kernel;
    const aval = buffers[c].aval;
    if (!readsAtOwnElement(k, c, aval.size) || !accepts(s.eqn, k, (id) => buffers[id].aval)) return;
    const [o] = k.outputs;
    const inPlace =
      k.outputs.length === 1 &&
      o.dtype === aval.dtype &&
      buffers[o.buffer].aval.size === aval.size &&
      !k.inputs.includes(o.buffer);
    let kernel: ElementwiseKernel = k;
    if (inPlace) {
      const values = rebuild(
        b,
        o.values,
        (id) => (id === c ? o.buffer : id),
        (l) => l,
      );
      kernel = { kind: "elementwise", shape: k.shape, outputs: [{ ...o, values }], inputs: loadedBuffers(values) };
    }
    const fused: RoutineStep = {
      kind: "routine",
      eqn: s.eqn,
      inputs: s.inputs,
      outputs: inPlace ? [o.buffer] : s.outputs,
      epilogue: { kernel, source: inPlace ? o.buffer : c, inPlace },
    };
    // The fused step runs where the routine ran if the kernel's other operands exist by then,
    // else where the kernel ran (the routine's operands are all ready there, and nothing between
    // reads c).
    const early = k.inputs.every((id) => id === c || (writer.get(id) ?? -1) < ri);
    out[early ? ri : ei] = fused;
    out[early ? ei : ri] = null;
  });
  return out.filter((s): s is Step => s !== null);
}

/** The epilogue of a routine output viewed as [batch, m, n], one row (t, i) at a time. */
export interface EpilogueRows {
  /** The kernel over one row: loop shape [n]; its loads' indices are relative to the row's addresses. */
  readonly kernel: ElementwiseKernel;
  /**
   * The kernel over the m rows of one product t: loop shape [m, n], its buffers' addresses shifted
   * by t only (for a producer that finishes whole rows at a time: one call for many rows).
   */
  readonly rowsKernel: ElementwiseKernel;
  /**
   * Per buffer the row kernel takes (inputs and outputs): bytes to add to its address per unit of
   * t and per unit of i, so that the row kernel at (t, i) reads and writes what the whole kernel
   * does at elements [t, i, 0..n).
   */
  readonly rowBytes: ReadonlyMap<number, readonly [number, number]>;
}

const storageBytes = (dtype: string): number => (dtype === "complex64" ? 8 : dtype === "bool" ? 1 : 4);

/**
 * Splits an epilogue kernel (loop nest over a routine output of `batch·m·n` elements) into rows of
 * a [batch, m, n] view, or returns null when it is empty, when its loop axes do not group into those three extents
 * or some load or index value is not affine in each group's row-major position — what a row-major
 * producer (the CPU GEMM) needs to run it per row with shifted addresses. `loadBytes(type)` is the
 * backend's element size of a load type (bytes per index unit).
 */
export function epilogueRows(
  k: ElementwiseKernel,
  batch: number,
  m: number,
  n: number,
  loadBytes: (t: Expr["type"]) => number,
): EpilogueRows | null {
  const shape = k.shape;
  const prods = [1];
  for (const s of shape) prods.push(prods[prods.length - 1] * s);
  const total = prods[shape.length];
  if (total !== batch * m * n || total === 0) return null;
  // Axes [0, a) are the batch, [a, z) the rows, [z, rank) the columns.
  const a = prods.findIndex((p) => p === batch);
  const z = prods.findIndex((p, i) => i >= a && p === batch * m);
  if (a < 0 || z < 0) return null;
  const groups: [number, number][] = [
    [0, a],
    [a, z],
    [z, shape.length],
  ];
  /** Per group: the multiple of its row-major position that `l` adds, or null if not of that form. */
  const factor = (l: Linear): [number, number, number] | null => {
    const coef = new Map<number, number>();
    for (const { atom, coef: c } of l.terms) {
      if (atom.kind !== "var") return null; // a div/mod of the loop variables: not affine
      coef.set(atom.axis, c);
    }
    const res: number[] = [];
    for (const [lo, hi] of groups) {
      let stride = 1;
      let alpha: number | null = null;
      for (let d = hi - 1; d >= lo; d--) {
        if (shape[d] > 1) {
          const c = coef.get(d) ?? 0;
          if (alpha === null) {
            if (c % stride !== 0) return null;
            alpha = c / stride;
          } else if (c !== alpha * stride) return null;
        }
        stride *= shape[d];
      }
      res.push(alpha ?? 0);
    }
    return [res[0], res[1], res[2]];
  };
  const rowBytes = new Map<number, readonly [number, number]>();
  const claim = (buffer: number, bt: number, bi: number): boolean => {
    const prev = rowBytes.get(buffer);
    if (prev !== undefined) return prev[0] === bt && prev[1] === bi;
    rowBytes.set(buffer, [bt, bi]);
    return true;
  };
  let ok = true;
  walk(kernelValues(k), (e) => {
    if (!ok || (e.kind !== "load" && e.kind !== "index")) return;
    const f = factor(e.index);
    if (f === null) ok = false;
    // An index value cannot be shifted by an address: it may depend on the column only.
    else if (e.kind === "index") ok = f[0] === 0 && f[1] === 0;
    else ok = claim(e.buffer, f[0] * loadBytes(e.type), f[1] * loadBytes(e.type));
  });
  // (t is always 0 when batch = 1, and i when m = 1: no shift, as `factor` finds for loads.)
  for (const o of k.outputs)
    if (ok) ok = claim(o.buffer, batch > 1 ? m * n * storageBytes(o.dtype) : 0, m > 1 ? n * storageBytes(o.dtype) : 0);
  if (!ok) return null;
  const make = (
    shape: readonly number[],
    index: (f: readonly [number, number, number], c: number) => Linear,
  ): ElementwiseKernel => {
    const b = new ExprBuilder();
    const outputs = k.outputs.map((o) => ({
      ...o,
      values: rebuild(
        b,
        o.values,
        (id) => id,
        (l) => index(factor(l)!, l.c),
      ),
    }));
    return { kind: "elementwise", shape, outputs, inputs: loadedBuffers(outputs.flatMap((o) => o.values)) };
  };
  const kernel = make([n], (f, c) => combine([[loopVar(0), f[2]]], c));
  const rowsKernel = make([m, n], (f, c) =>
    combine(
      [
        [loopVar(0), f[1]],
        [loopVar(1), f[2]],
      ],
      c,
    ),
  );
  return { kernel, rowsKernel, rowBytes };
}
