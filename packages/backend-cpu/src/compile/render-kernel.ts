/**
 * Render one elementwise kernel of the IR as a WebAssembly function `(ptr…) → ()` over the heap: one i32
 * byte address per buffer, the kernel's inputs then its outputs.
 *
 * Elementwise kernels: a loop nest over merged axes (loop-nest.ts); values that do not depend on
 * the innermost loop are computed once per outer iteration; the innermost loop runs four lanes
 * at a time with SIMD128 when every load that moves with it is contiguous (coefficient 1), with a
 * scalar tail. Ops without a native instruction call the reference's scalar function (per lane in
 * SIMD), so results are the interpreter's bit for bit.
 *
 * Reductions are rendered by render-reduce.ts; what both share is in kernel-body.ts.
 */
import type { compile } from "@linax-ts/core";
import type { Code } from "../wasm/emitter.ts";
import { groupAxes, IndexRenderer } from "./loop-nest.ts";
import { f32Bytes, i32Bytes, lanes } from "./scalar-ops.ts";
import { emitVectorOp } from "./vector-op.ts";
import {
  BodyWriter,
  dependsOn,
  indicesOf,
  kernelParams,
  loop,
  loopTo,
  rangeLoop,
  rangeStart,
  storeValue,
  topo,
  type Expr,
  type RenderContext,
} from "./kernel-body.ts";

export {
  isNativeScalar,
  kernelParams,
  UnsupportedKernel,
  type BufferShape,
  type ImportTable,
  type RenderContext,
} from "./kernel-body.ts";
export { renderReduce } from "./render-reduce.ts";

/**
 * The function body of an elementwise kernel (into `c`, whose params are `kernelParams(k)` then
 * `lo, hi`: the range of the outermost loop to run, so threads can split a kernel into slices that
 * write disjoint outputs). Returns the extent of that loop (the full range is [0, extent)).
 */
export function renderElementwise(c: Code, k: compile.ElementwiseKernel, ctx: RenderContext): number {
  const params = kernelParams(k);
  const ptr = (b: number): number => params.indexOf(b);
  const lo = params.length;
  const hi = params.length + 1;
  const total = k.shape.reduce((p, s) => p * s, 1);
  if (total === 0) return 0;
  const roots = k.outputs.flatMap((o) => o.values);
  const nodes = topo(roots);
  const shape = k.shape.length === 0 ? [1] : k.shape;
  const groups = groupAxes(shape, [shape.map((_, a) => a)], indicesOf(nodes));
  const counters = groups.map(() => c.local("i32"));
  const idx = new IndexRenderer(groups, counters, shape);
  const body = new BodyWriter(c, idx, ptr, ctx.buffers, ctx.imports, shape, ctx.fastMath ?? false);
  const inner = groups.length - 1;
  const innerAxes = groups[inner].axes.filter((a) => shape[a] > 1);
  const memo = new Map<number, boolean>();
  const moving = nodes.filter((e) => dependsOn(e, innerAxes, memo));
  const fixed = nodes.filter((e) => !dependsOn(e, innerAxes, memo));
  const o = c.local("i32");
  rangeStart(c, lo, total / groups[0].extent, o);

  const innerLoop = (): void => {
    body.scalar(fixed);
    // Per outer iteration: the part of each moving load's index that does not move.
    const bases = new Map<number, number>();
    for (const e of moving) {
      if (e.kind !== "load" || idx.coefficientOf(e.index, inner) === null || !body.inBounds(e.buffer, e.index))
        continue;
      const l = c.local("i32");
      idx.emit(c, e.index, inner);
      c.set(l);
      bases.set(e.id, l);
    }
    const w = counters[inner];
    // The inner loop runs [0, E) — or [lo, hi) when it is also the outermost one.
    const end = c.local("i32");
    if (inner === 0) c.get(lo).set(w).get(hi).set(end);
    else c.i32(0).set(w).i32(groups[inner].extent).set(end);
    const simd = groups[inner].extent >= 4 && simdPlan(k, moving, idx, inner, bases);
    if (simd) {
      // Four lanes up to w + 4·⌊(end − w)/4⌋, then the scalar tail.
      const end4 = c.local("i32");
      c.get(w).get(end).get(w).op(0x6b).i32(-4).op(0x71).op(0x6a).set(end4);
      renderSimdLoop(c, k, body, moving, fixed, bases, idx, inner, w, end4, o, ptr);
    }
    loopTo(c, w, end, 1, () => {
      body.scalar(moving, inner, bases);
      for (const out of k.outputs) {
        out.values.forEach((v, part) =>
          storeValue(c, ptr(out.buffer), o, out.dtype, part, () => c.get(body.value.get(v.id)!)),
        );
      }
      c.get(o).i32(1).op(0x6a).set(o);
    });
  };
  const nest = (g: number): void => {
    if (g === inner) return innerLoop();
    if (g === 0) {
      rangeLoop(c, counters[0], lo, hi, () => nest(1));
    } else loop(c, counters[g], 0, groups[g].extent, 1, () => nest(g + 1));
  };
  nest(0);
  return groups[0].extent;
}

/** Whether the innermost loop can run four lanes at a time. */
function simdPlan(
  k: compile.ElementwiseKernel,
  moving: readonly Expr[],
  idx: IndexRenderer,
  inner: number,
  bases: ReadonlyMap<number, number>,
): boolean {
  if (k.outputs.some((o) => o.dtype === "complex64")) return false;
  for (const e of moving) {
    if (e.kind === "load") {
      // Contiguous and provably in bounds (bases exist only for those): one v128.load per 4 lanes
      // (bool: one 32-bit load of four bytes).
      if (idx.coefficientOf(e.index, inner) !== 1 || !bases.has(e.id)) return false;
    } else if (e.kind === "index") {
      if (idx.coefficientOf(e.index, inner) === null) return false;
    } else if (e.kind === "op" && (e.op === "cmul.re" || e.op === "cmul.im")) return false;
  }
  return true;
}

function renderSimdLoop(
  c: Code,
  k: compile.ElementwiseKernel,
  body: BodyWriter,
  moving: readonly Expr[],
  fixed: readonly Expr[],
  bases: Map<number, number>,
  idx: IndexRenderer,
  inner: number,
  w: number,
  end4: number,
  o: number,
  ptr: (b: number) => number,
): void {
  // Splats of the fixed values that moving ops read.
  const splat = new Map<number, number>();
  const usedFixed = new Set<number>();
  const isMoving = new Set(moving);
  for (const e of moving) if (e.kind === "op") for (const a of e.args) if (!isMoving.has(a)) usedFixed.add(a.id);
  for (const roots of k.outputs) for (const v of roots.values) if (!isMoving.has(v)) usedFixed.add(v.id);
  for (const e of fixed) {
    if (!usedFixed.has(e.id)) continue;
    const l = c.local("v128");
    c.get(body.value.get(e.id)!);
    if (e.type === "f32") c.simd(0x13);
    else if (e.type === "bool")
      c.op(0x41, 0x7f).op(0x6c).simd(0x11); // 0/1 → 0/−1 mask: x·(−1)
    else c.simd(0x11);
    c.set(l);
    splat.set(e.id, l);
  }
  const vec = (e: Expr): number => body.vec.get(e.id) ?? splat.get(e.id)!;
  loopTo(c, w, end4, 4, () => {
    for (const e of moving) {
      const l = c.local("v128");
      if (e.kind === "load" && e.type === "bool") {
        // Four 0/1 bytes → four i32 lanes → the all-ones masks bool values are in SIMD code.
        c.get(ptr(e.buffer)).get(bases.get(e.id)!).get(w).op(0x6a).op(0x6a);
        c.simdMem(0x5c, 0).simd(0x89).simd(0xa9).simd(0xa1);
      } else if (e.kind === "load") {
        c.get(ptr(e.buffer)).get(bases.get(e.id)!).get(w).op(0x6a).i32(2).op(0x74).op(0x6a);
        c.simdMem(0x00, 2);
      } else if (e.kind === "index") {
        const coef = idx.coefficientOf(e.index, inner)!;
        idx.emit(c, e.index, inner);
        c.get(w);
        if (coef !== 1) c.i32(coef).op(0x6c);
        c.op(0x6a).simd(0x11);
        c.simd(0x0c, ...i32Bytes(0), ...i32Bytes(coef), ...i32Bytes(2 * coef), ...i32Bytes(3 * coef)).simd(0xae);
      } else if (e.kind === "op") {
        emitVectorOp(c, body, e, vec, l);
        body.vec.set(e.id, l);
        continue;
      } else {
        c.simd(
          0x0c,
          ...lanes(
            e.type === "f32" ? f32Bytes(e.value) : i32Bytes(e.type === "bool" ? -(e.value !== 0 ? 1 : 0) : e.value),
          ),
        );
      }
      c.set(l);
      body.vec.set(e.id, l);
    }
    for (const out of k.outputs) {
      if (out.dtype === "bool") {
        // Masks → 0/1 lanes → narrowed to four bytes, stored as one 32-bit lane.
        c.get(ptr(out.buffer)).get(o).op(0x6a);
        c.get(vec(out.values[0])).simd(0xa1);
        c.op(0x41, 0).simd(0x11).simd(0x86);
        c.op(0x41, 0).simd(0x11).simd(0x66);
        c.simdMem(0x5a, 0).op(0);
        continue;
      }
      c.get(ptr(out.buffer)).get(o).i32(2).op(0x74).op(0x6a);
      c.get(vec(out.values[0]));
      c.simdMem(0x0b, 2);
    }
    c.get(o).i32(4).op(0x6a).set(o);
  });
  body.vec.clear();
}
