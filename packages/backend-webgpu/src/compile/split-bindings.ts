/**
 * Kernels that bind more storage buffers than the device allows in one shader stage
 * (`maxStorageBuffersPerShaderStage`: 8 by default, 12 on SwiftShader, more on desktop GPUs):
 * fusion (core's graph.ts) decides without knowing the limit, and a wide elementwise sum or a
 * LinOSS step reads more buffers than SwiftShader's 12. Rather than give up on the whole
 * program (it would be interpreted, one dispatch and one bind group per primitive), such a kernel
 * is split: subexpressions that read many buffers are computed first, each by its own elementwise
 * pass over the kernel's loop domain into a scratch buffer, and the kernel reads that buffer at
 * its own element instead. A scratch value is the f32/i32/u32 the register would have held (f32
 * results are rounded before use anyway, see render-wgsl.ts's fence), so results are unchanged
 * bit for bit; the cost is one write and one read of the domain per scratch buffer.
 */
import { ShapedArray, type DType } from "@linax-ts/core";
import {
  combine,
  loopVar,
  loadedBuffers,
  type ElementwiseKernel,
  type Expr,
  type Kernel,
  type Linear,
} from "./core-compile.ts";
import { dtypeOfScalar } from "./scalar-ops.ts";

type OpExpr = Extract<Expr, { kind: "op" }>;

/** A kernel split to fit: elementwise passes writing scratch buffers (pseudo buffer ids), then the kernel reading them. */
export interface SplitKernel {
  /** In run order; each writes one scratch buffer (its only output's `buffer`). */
  readonly pre: readonly ElementwiseKernel[];
  readonly final: Kernel;
  /** Avals of the scratch buffers by their pseudo ids (loop-domain shaped). */
  readonly scratch: ReadonlyMap<number, ShapedArray>;
}

/** Storage buffers a kernel binds (inputs not read as literals, and outputs). */
const bindsOf = (k: Kernel, literal: ReadonlySet<number>): number =>
  k.inputs.filter((b) => !literal.has(b)).length + (k.kind === "elementwise" ? k.outputs.length : 1);

const valuesOf = (k: Kernel): readonly Expr[] =>
  k.kind === "elementwise" ? k.outputs.flatMap((o) => o.values) : k.output.values;
const extentsOf = (k: Kernel): readonly number[] =>
  k.kind === "elementwise" ? k.shape : [...k.outShape, ...k.reduceShape];

/** Row-major flat index over `shape` as an index expression. */
function flatIndex(shape: readonly number[]): Linear {
  let stride = 1;
  const parts: [Linear, number][] = [];
  for (let d = shape.length - 1; d >= 0; d--) {
    if (shape[d] !== 1) parts.push([loopVar(d), stride]);
    stride *= shape[d];
  }
  return combine(parts, 0);
}

/**
 * `k` split so that every pass binds at most `max` storage buffers, or null when it cannot be
 * (no subexpression's materialisation lowers the count: many outputs, or a single op reading
 * everything). `firstId` is the first free buffer id (pseudo ids count up from it), `nextNodeId`
 * the first node id no expression of the program uses.
 */
export function splitForBindings(
  k: Kernel,
  literal: ReadonlySet<number>,
  max: number,
  firstId: number,
  nextNodeId: number,
): SplitKernel | null {
  const extents = extentsOf(k);
  const index = flatIndex(extents);
  const scratch = new Map<number, ShapedArray>();
  const pre: ElementwiseKernel[] = [];
  let nodeId = nextNodeId;
  let cur = k;
  const bound = (es: readonly Expr[]): number => loadedBuffers(es).filter((b) => !literal.has(b)).length;
  while (bindsOf(cur, literal) > max) {
    const values = valuesOf(cur);
    const nOut = cur.kind === "elementwise" ? cur.outputs.length : 1;
    // Every op node once; the best is the one whose materialisation leaves the fewest bindings.
    const nodes: OpExpr[] = [];
    const seen = new Set<number>();
    const walk = (e: Expr): void => {
      if (e.kind !== "op" || seen.has(e.id)) return;
      seen.add(e.id);
      nodes.push(e);
      e.args.forEach(walk);
    };
    values.forEach(walk);
    let best: { node: OpExpr; values: Expr[]; binds: number } | null = null;
    const scratchId = firstId + scratch.size;
    for (const n of nodes) {
      // Its own pass binds what it reads and its scratch output.
      if (bound([n]) + 1 > max || bound([n]) < 2) continue;
      const load: Expr = { kind: "load", id: nodeId, type: n.type, buffer: scratchId, index };
      const replaced = replace(values, n, load, () => ++nodeId);
      const binds = bound(replaced) + nOut;
      if (best === null || binds < best.binds) best = { node: n, values: replaced, binds };
    }
    if (best === null || best.binds >= bindsOf(cur, literal)) return null;
    nodeId++;
    const dtype: DType = dtypeOfScalar(best.node.type);
    scratch.set(scratchId, new ShapedArray(extents, dtype));
    pre.push({
      kind: "elementwise",
      shape: extents,
      outputs: [{ buffer: scratchId, dtype, values: [best.node] }],
      inputs: loadedBuffers([best.node]),
    });
    cur = rebuild(cur, best.values);
  }
  return { pre, final: cur, scratch };
}

/** `values` with node `target` replaced by `by` (parents rebuilt with fresh ids, shared subtrees once). */
function replace(values: readonly Expr[], target: Expr, by: Expr, freshId: () => number): Expr[] {
  const memo = new Map<number, Expr>();
  const go = (e: Expr): Expr => {
    if (e.id === target.id) return by;
    if (e.kind !== "op") return e;
    const hit = memo.get(e.id);
    if (hit !== undefined) return hit;
    const args = e.args.map(go);
    const out: Expr = args.every((a, i) => a === e.args[i]) ? e : { ...e, id: freshId(), args };
    memo.set(e.id, out);
    return out;
  };
  return values.map(go);
}

/** `k` with its output values (flattened in output order) replaced. */
function rebuild(k: Kernel, values: readonly Expr[]): Kernel {
  if (k.kind === "reduce") return { ...k, output: { ...k.output, values }, inputs: loadedBuffers(values) };
  let at = 0;
  const outputs = k.outputs.map((o) => ({ ...o, values: values.slice(at, (at += o.values.length)) }));
  return { ...k, outputs, inputs: loadedBuffers(values) };
}
