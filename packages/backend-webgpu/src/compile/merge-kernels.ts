/**
 * Fewer dispatches per call: elementwise kernels of a program (core's graph.ts emits one per
 * materialised value) that run over the same loop shape are merged into one multi-output kernel
 * — one dispatch, one bind group, each thread computing all the outputs of its element. An adam
 * update is the typical case: per parameter the new first moment, the new second moment and the
 * new parameter (which reads both moments at its own element) are three kernels; merged, the
 * parameter's expression reads the moments from registers, not back from memory.
 *
 * A kernel joins an earlier group of its shape when the merged kernel can run where the group's
 * first kernel ran (the group's place in the schedule):
 * - each buffer it reads is a program input, written before that place, or an output of the
 *   group read at the kernel's own element (then the load is replaced by the expression that
 *   computes it: the value is bit for bit what the store would have held, see the fence in
 *   render-wgsl.ts), and never a group output read at another element (another thread's);
 * - the merged kernel binds at most the device's storage buffers (constant scalar inputs count
 *   for nothing: they become literals, executor.ts) and stays a reasonable size.
 * The steps between keep their order; the buffer plan is made again for the new order.
 */
import type { ShapedArray } from "@linax-ts/core";
import {
  countOps,
  loadedBuffers,
  type ElementwiseKernel,
  type Expr,
  type KernelOutput,
  type Linear,
  type Program,
  type Step,
} from "./core-compile.ts";

/** Ops one merged kernel holds at most (a bound on shader size and register pressure). */
const MAX_MERGED_OPS = 192;
/** Earlier groups of the same shape a kernel tries to join (newest first). */
const SEARCH = 16;
/** Node ids of rebuilt expressions start here (above any a program's builder hands out). */
const NODE_BASE = 2 ** 29;

type LoadExpr = Extract<Expr, { kind: "load" }>;

interface Group {
  /** Index in the new step list. */
  readonly pos: number;
  readonly shape: readonly number[];
  readonly outputs: KernelOutput[];
  /** Per output buffer of the group: its value (real dtypes only; complex outputs cannot be substituted). */
  readonly values: Map<number, Expr>;
  members: number;
}

/** Whether `l` reads element e of a buffer of `shape` for loop element e (row-major). */
function isOwnElement(l: Linear, shape: readonly number[]): boolean {
  if (l.c !== 0) return false;
  let stride = 1;
  const want = new Map<number, number>();
  for (let d = shape.length - 1; d >= 0; d--) {
    if (shape[d] !== 1) want.set(d, stride);
    stride *= shape[d];
  }
  if (l.terms.length !== want.size) return false;
  return l.terms.every((t) => t.atom.kind === "var" && want.get(t.atom.axis) === t.coef);
}

/** `values` with loads rewritten by `f` (undefined: kept), parents rebuilt with fresh ids, shared subtrees once. */
function substitute(values: readonly Expr[], f: (l: LoadExpr) => Expr | undefined, freshId: () => number): Expr[] {
  const memo = new Map<number, Expr>();
  const go = (e: Expr): Expr => {
    const hit = memo.get(e.id);
    if (hit !== undefined) return hit;
    let out: Expr = e;
    if (e.kind === "load") out = f(e) ?? e;
    else if (e.kind === "op") {
      const args = e.args.map(go);
      if (args.some((a, i) => a !== e.args[i])) out = { ...e, id: freshId(), args };
    }
    memo.set(e.id, out);
    return out;
  };
  return values.map(go);
}

function loadsIn(values: readonly Expr[]): LoadExpr[] {
  const out: LoadExpr[] = [];
  const seen = new Set<number>();
  const walk = (e: Expr): void => {
    if (seen.has(e.id)) return;
    seen.add(e.id);
    if (e.kind === "load") out.push(e);
    else if (e.kind === "op") e.args.forEach(walk);
  };
  values.forEach(walk);
  return out;
}

/**
 * `p` with same-shape elementwise kernels merged (see the file comment); `p` itself when nothing
 * merges. `maxStorageBuffers` is the device's per-stage limit.
 */
export function mergeKernels(p: Program, maxStorageBuffers: number): Program {
  const isFree = (b: number): boolean => {
    const info = p.buffers[b];
    return info.role === "input" && slots(info.aval) <= 2;
  };
  let nextId = NODE_BASE;
  const freshId = (): number => nextId++;
  /** Where each buffer is written: its step's index in the new list (absent: a program input). */
  const writtenAt = new Map<number, number>();
  const out: (Step | Group)[] = [];
  const byShape = new Map<string, Group[]>();
  /** Each group's original step (kept as it is when nothing joins it). */
  const origin = new Map<Group, Step>();
  let merged = 0;
  for (const s of p.steps) {
    if (s.kind === "kernel" && s.kernel.kind === "elementwise") {
      const k = s.kernel;
      const key = k.shape.join(",");
      const groups = byShape.get(key) ?? [];
      let joined = false;
      for (let gi = groups.length - 1; gi >= Math.max(0, groups.length - SEARCH) && !joined; gi--) {
        const g = groups[gi];
        const values = tryJoin(g, k);
        if (values === null) continue;
        k.outputs.forEach((o, j) => {
          const v = values.slice(offsetOf(k, j), offsetOf(k, j) + o.values.length);
          g.outputs.push({ ...o, values: v });
          if (o.dtype !== "complex64") g.values.set(o.buffer, v[0]);
          writtenAt.set(o.buffer, g.pos);
        });
        g.members++;
        merged++;
        joined = true;
      }
      if (joined) continue;
      const g: Group = { pos: out.length, shape: k.shape, outputs: [...k.outputs], values: new Map(), members: 1 };
      for (const o of k.outputs) {
        if (o.dtype !== "complex64") g.values.set(o.buffer, o.values[0]);
        writtenAt.set(o.buffer, g.pos);
      }
      groups.push(g);
      byShape.set(key, groups);
      out.push(g);
      // The original step, should nothing join it.
      origin.set(g, s);
      continue;
    }
    const at = out.length;
    out.push(s);
    for (const b of writesOf(s)) writtenAt.set(b, at);
  }
  if (merged === 0) return p;
  const steps = out.map((x): Step => {
    if (!("pos" in x)) return x;
    if (x.members === 1) return origin.get(x)!;
    const values = x.outputs.flatMap((o) => o.values);
    const kernel: ElementwiseKernel = {
      kind: "elementwise",
      shape: x.shape,
      outputs: x.outputs,
      inputs: loadedBuffers(values),
    };
    return { kind: "kernel", kernel };
  });
  return { ...p, steps };

  /** The kernel's values rewritten to join `g`, or null when it cannot. */
  function tryJoin(g: Group, k: ElementwiseKernel): Expr[] | null {
    const own = k.outputs.flatMap((o) => o.values);
    for (const l of loadsIn(own)) {
      if (g.values.has(l.buffer)) {
        if (!isOwnElement(l.index, k.shape)) return null;
        continue;
      }
      if (g.outputs.some((o) => o.buffer === l.buffer)) return null; // a complex output of the group
      const at = writtenAt.get(l.buffer);
      if (at !== undefined && at >= g.pos) return null;
    }
    const values = substitute(own, (l) => (g.values.has(l.buffer) ? g.values.get(l.buffer) : undefined), freshId);
    const all = [...g.outputs.flatMap((o) => o.values), ...values];
    const binds = loadedBuffers(all).filter((b) => !isFree(b)).length + g.outputs.length + k.outputs.length;
    if (binds > maxStorageBuffers || countOps(all) > MAX_MERGED_OPS) return null;
    return values;
  }
}

function writesOf(s: Step): readonly number[] {
  if (s.kind === "routine") return [...s.outputs, ...(s.epilogue?.kernel.outputs.map((o) => o.buffer) ?? [])];
  return s.kernel.kind === "elementwise" ? s.kernel.outputs.map((o) => o.buffer) : [s.kernel.output.buffer];
}
const slots = (a: ShapedArray): number => a.size * (a.dtype === "complex64" ? 2 : 1);
const offsetOf = (k: ElementwiseKernel, j: number): number =>
  k.outputs.slice(0, j).reduce((n, o) => n + o.values.length, 0);
