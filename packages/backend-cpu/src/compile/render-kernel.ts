/**
 * Render one kernel of the IR as a WebAssembly function `(ptr…) → ()` over the heap: one i32
 * byte address per buffer, the kernel's inputs then its outputs.
 *
 * Elementwise kernels: a loop nest over merged axes (loop-nest.ts); values that do not depend on
 * the innermost loop are computed once per outer iteration; the innermost loop runs four lanes
 * at a time with SIMD128 when every load that moves with it is contiguous (coefficient 1), with a
 * scalar tail. Ops without a native instruction call the reference's scalar function (per lane in
 * SIMD), so results are the interpreter's bit for bit.
 *
 * Reductions: per output element, the body is evaluated in the input's row-major order over the
 * reduced axes and accumulated as the reference does (float sums and products in f64, rounded
 * once; integer ones wrapping; max/min NaN-propagating).
 */
import { compile, type DType } from "@linax-ts/core";
import { Code } from "../wasm/emitter.ts";
import { groupAxes, IndexRenderer, type LoopGroup } from "./loop-nest.ts";
import { emitNativeScalar, emitNativeSimd, fastMathFor, simdNative, simdOperands, type OpNode } from "./scalar-ops.ts";

type Expr = compile.Expr;
type Linear = compile.Linear;
type ScalarType = compile.ScalarType;

/** What the renderer needs to know about each buffer: dtype and element count. */
export interface BufferShape {
  readonly dtype: DType;
  readonly size: number;
}

/** Imports the module gives its kernels: a function index per reference scalar function. */
export interface ImportTable {
  /** Function index of the import for this op node (declared in a first pass). */
  indexOf(n: OpNode & { readonly id: number }): number;
}

export class UnsupportedKernel extends Error {}

const wasmType = (t: ScalarType): "f32" | "i32" => (t === "f32" ? "f32" : "i32");
const itemBytes = (t: ScalarType): number => (t === "bool" ? 1 : 4);

/** Whether an op node renders natively as a scalar (a dry run of the emitter). */
export function isNativeScalar(n: OpNode): boolean {
  const dry = new Code([]);
  return emitNativeScalar(dry, n, (t) => dry.local(t));
}

/** All nodes of `roots` in dependency order (operands first). */
function topo(roots: readonly Expr[]): Expr[] {
  const seen = new Set<number>();
  const order: Expr[] = [];
  const walk = (e: Expr): void => {
    if (seen.has(e.id)) return;
    seen.add(e.id);
    if (e.kind === "op") e.args.forEach(walk);
    order.push(e);
  };
  roots.forEach(walk);
  return order;
}

const indicesOf = (nodes: readonly Expr[]): Linear[] => nodes.flatMap((e) => (e.kind === "load" || e.kind === "index" ? [e.index] : []));

/** Emits the scalar code of nodes into locals; shared by elementwise bodies, tails and reductions. */
class BodyWriter {
  readonly value = new Map<number, number>();
  readonly vec = new Map<number, number>();
  constructor(
    readonly c: Code,
    readonly idx: IndexRenderer,
    readonly ptr: (buffer: number) => number,
    readonly buffers: (buffer: number) => BufferShape,
    readonly imports: ImportTable,
    readonly ext: readonly number[],
    readonly fastMath = false,
  ) {}

  /** Whether every element `index` reaches lies inside `buffer`. */
  inBounds(buffer: number, index: Linear): boolean {
    const info = this.buffers(buffer);
    const n = info.dtype === "complex64" ? 2 * info.size : info.size;
    const [lo, hi] = compile.range(index, this.ext);
    return lo >= 0 && hi <= n - 1;
  }

  /** Push the byte address of element `index` of `buffer`, clamped into the buffer when not provably inside. */
  address(buffer: number, index: Linear, t: ScalarType): void {
    const c = this.c;
    const info = this.buffers(buffer);
    const n = info.dtype === "complex64" ? 2 * info.size : info.size;
    c.get(this.ptr(buffer));
    this.idx.emit(c, index);
    if (!this.inBounds(buffer, index)) {
      // Loads masked off by a select (pad, concatenate) may point outside: clamp to stay in bounds.
      const t0 = c.local("i32");
      c.set(t0).get(t0).i32(0).get(t0).i32(0).op(0x4a).op(0x1b); // max(i, 0)
      c.set(t0).i32(n - 1).get(t0).get(t0).i32(n - 1).op(0x4a).op(0x1b); // min(n-1, i)
    }
    if (itemBytes(t) !== 1) c.i32(2).op(0x74); // << 2
    c.op(0x6a);
  }

  load(e: compile.LoadExpr): void {
    this.address(e.buffer, e.index, e.type);
    if (e.type === "f32") this.c.mem(0x2a, 2);
    else if (e.type === "bool") this.c.mem(0x2d, 0);
    else this.c.mem(0x28, 2);
  }

  /** Push operand i of n as the f64 a reference function takes. */
  #asF64(a: Expr): void {
    const c = this.c;
    c.get(this.value.get(a.id)!);
    if (a.type === "f32") c.op(0xbb);
    else if (a.type === "i32") c.op(0xb7);
    else c.op(0xb8);
  }

  /** Compute op node n from its operands' locals and push the result. */
  op(n: compile.OpExpr): void {
    const c = this.c;
    if (n.op === "cmul.re" || n.op === "cmul.im") {
      const [a, b, x, y] = n.args;
      // (ac − bd, ad + bc) in float64, rounded once: the reference's complex product.
      const pair = (p: Expr, q: Expr): void => {
        this.#asF64(p);
        this.#asF64(q);
        c.op(0xa2);
      };
      if (n.op === "cmul.re") {
        pair(a, x);
        pair(b, y);
        c.op(0xa1);
      } else {
        pair(a, y);
        pair(b, x);
        c.op(0xa0);
      }
      c.op(0xb6);
      return;
    }
    const poly = fastMathFor(n, this.fastMath);
    if (poly !== null) {
      // The vector polynomial on a splat, lane 0: the same result as in SIMD loops.
      c.get(this.value.get(n.args[0].id)!).simd(0x13);
      poly(c, (t) => c.local(t));
      c.simd(0x1f, 0);
      return;
    }
    if (isNativeScalar(n)) {
      const order = n.op === "select" ? [n.args[1], n.args[2], n.args[0]] : n.args;
      for (const a of order) c.get(this.value.get(a.id)!);
      emitNativeScalar(c, n, (t) => c.local(t));
      return;
    }
    for (const a of n.args) this.#asF64(a);
    c.call(this.imports.indexOf(n));
    if (n.type === "f32") c.op(0xb6);
  }

  /** Evaluate `nodes` (in order) into scalar locals. */
  scalar(nodes: readonly Expr[], skipGroup = -1, bases?: Map<number, number>): void {
    const c = this.c;
    for (const e of nodes) {
      if (e.kind === "const") {
        const l = c.local(wasmType(e.type));
        if (e.type === "f32") c.f32(e.value);
        else c.i32(e.value);
        c.set(l);
        this.value.set(e.id, l);
        continue;
      }
      const l = c.local(wasmType(e.type));
      if (e.kind === "load") {
        const base = bases?.get(e.id);
        if (base !== undefined) {
          // base + coef·w, precomputed per outer iteration.
          const coef = this.idx.coefficientOf(e.index, skipGroup)!;
          c.get(this.ptr(e.buffer)).get(base);
          c.get(this.idx.counter[skipGroup]);
          if (coef !== 1) c.i32(coef).op(0x6c);
          c.op(0x6a);
          if (itemBytes(e.type) !== 1) c.i32(2).op(0x74);
          c.op(0x6a);
          if (e.type === "f32") c.mem(0x2a, 2);
          else if (e.type === "bool") c.mem(0x2d, 0);
          else c.mem(0x28, 2);
        } else this.load(e);
      } else if (e.kind === "index") this.idx.emit(c, e.index);
      else this.op(e);
      c.set(l);
      this.value.set(e.id, l);
    }
  }
}

/** Byte offset of output element `o` (a local) for a store; complex part `part`. */
function storeValue(c: Code, ptr: number, o: number, dtype: DType, part: number, push: () => void): void {
  c.get(ptr).get(o);
  if (dtype === "complex64") c.i32(1).op(0x74).i32(part).op(0x6a);
  if (dtype !== "bool") c.i32(2).op(0x74);
  c.op(0x6a);
  push();
  if (dtype === "float32" || dtype === "complex64") c.mem(0x38, 2);
  else if (dtype === "bool") c.mem(0x3a, 0);
  else c.mem(0x36, 2);
}

/** `for (w = from; w < to; w += step) body` with a local counter. */
function loop(c: Code, w: number, from: number | null, to: number, step: number, body: () => void): void {
  if (from !== null) c.i32(from).set(w);
  c.block().loop();
  c.get(w).i32(to).op(0x4e).brIf(1); // w >= to → exit
  body();
  c.get(w).i32(step).op(0x6a).set(w).br(0);
  c.end().end();
}

const dependsOn = (e: Expr, axes: readonly number[], memo: Map<number, boolean>): boolean => {
  const hit = memo.get(e.id);
  if (hit !== undefined) return hit;
  let r = false;
  if (e.kind === "load" || e.kind === "index") r = axes.some((a) => compile.mentions(e.index, a));
  else if (e.kind === "op") r = e.args.some((a) => dependsOn(a, axes, memo));
  memo.set(e.id, r);
  return r;
};

export interface RenderContext {
  readonly buffers: (id: number) => BufferShape;
  readonly imports: ImportTable;
  /** config.fastMath at compile time. */
  readonly fastMath?: boolean;
}

/** The buffers a kernel function takes, in parameter order: its inputs, then its outputs. */
export function kernelParams(k: compile.Kernel): number[] {
  return k.kind === "elementwise" ? [...k.inputs, ...k.outputs.map((o) => o.buffer)] : [...k.inputs, k.output.buffer];
}

/** The function body of an elementwise kernel (into `c`, whose params are `kernelParams(k)`). */
export function renderElementwise(c: Code, k: compile.ElementwiseKernel, ctx: RenderContext): void {
  const params = kernelParams(k);
  const ptr = (b: number): number => params.indexOf(b);
  const total = k.shape.reduce((p, s) => p * s, 1);
  if (total === 0) return;
  const roots = k.outputs.flatMap((o) => o.values);
  const nodes = topo(roots);
  const shape = k.shape.length === 0 ? [1] : k.shape;
  const groups = groupAxes(
    shape,
    [shape.map((_, a) => a)],
    indicesOf(nodes),
  );
  const counters = groups.map(() => c.local("i32"));
  const idx = new IndexRenderer(groups, counters, shape);
  const body = new BodyWriter(c, idx, ptr, ctx.buffers, ctx.imports, shape, ctx.fastMath ?? false);
  const inner = groups.length - 1;
  const innerAxes = groups[inner].axes.filter((a) => shape[a] > 1);
  const memo = new Map<number, boolean>();
  const moving = nodes.filter((e) => dependsOn(e, innerAxes, memo));
  const fixed = nodes.filter((e) => !dependsOn(e, innerAxes, memo));
  const o = c.local("i32");
  c.i32(0).set(o);

  const innerLoop = (): void => {
    body.scalar(fixed);
    // Per outer iteration: the part of each moving load's index that does not move.
    const bases = new Map<number, number>();
    for (const e of moving) {
      if (e.kind !== "load" || idx.coefficientOf(e.index, inner) === null || !body.inBounds(e.buffer, e.index)) continue;
      const l = c.local("i32");
      idx.emit(c, e.index, inner);
      c.set(l);
      bases.set(e.id, l);
    }
    const E = groups[inner].extent;
    const w = counters[inner];
    const simd = E >= 4 && simdPlan(k, moving, idx, inner, bases);
    const E4 = simd ? E - (E % 4) : 0;
    c.i32(0).set(w);
    if (simd) renderSimdLoop(c, k, body, moving, fixed, bases, idx, inner, w, E4, o, ptr);
    loop(c, w, null, E, 1, () => {
      body.scalar(moving, inner, bases);
      for (const out of k.outputs) {
        out.values.forEach((v, part) => storeValue(c, ptr(out.buffer), o, out.dtype, part, () => c.get(body.value.get(v.id)!)));
      }
      c.get(o).i32(1).op(0x6a).set(o);
    });
  };
  const nest = (g: number): void => {
    if (g === inner) return innerLoop();
    loop(c, counters[g], 0, groups[g].extent, 1, () => nest(g + 1));
  };
  nest(0);
}

/** Whether the innermost loop can run four lanes at a time. */
function simdPlan(k: compile.ElementwiseKernel, moving: readonly Expr[], idx: IndexRenderer, inner: number, bases: ReadonlyMap<number, number>): boolean {
  if (k.outputs.some((o) => o.dtype === "bool" || o.dtype === "complex64")) return false;
  for (const e of moving) {
    if (e.kind === "load") {
      // Contiguous and provably in bounds (bases exist only for those): one v128.load per 4 lanes.
      if (e.type === "bool" || idx.coefficientOf(e.index, inner) !== 1 || !bases.has(e.id)) return false;
    } else if (e.kind === "index") {
      if (idx.coefficientOf(e.index, inner) === null) return false;
    } else if (e.kind === "op" && (e.op === "cmul.re" || e.op === "cmul.im")) return false;
  }
  return true;
}

const lanes = (bytes: number[]): number[] => [...bytes, ...bytes, ...bytes, ...bytes];
const f32Bytes = (x: number): number[] => [...new Uint8Array(new Float32Array([x]).buffer)];
const i32Bytes = (x: number): number[] => [...new Uint8Array(new Int32Array([x]).buffer)];

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
  E4: number,
  o: number,
  ptr: (b: number) => number,
): void {
  // Splats of the fixed values that moving ops read.
  const splat = new Map<number, number>();
  const usedFixed = new Set<number>();
  for (const e of moving) if (e.kind === "op") for (const a of e.args) if (!moving.includes(a)) usedFixed.add(a.id);
  for (const roots of k.outputs) for (const v of roots.values) if (!moving.includes(v)) usedFixed.add(v.id);
  for (const e of fixed) {
    if (!usedFixed.has(e.id)) continue;
    const l = c.local("v128");
    c.get(body.value.get(e.id)!);
    if (e.type === "f32") c.simd(0x13);
    else if (e.type === "bool") c.op(0x41, 0x7f).op(0x6c).simd(0x11); // 0/1 → 0/−1 mask: x·(−1)
    else c.simd(0x11);
    c.set(l);
    splat.set(e.id, l);
  }
  const vec = (e: Expr): number => body.vec.get(e.id) ?? splat.get(e.id)!;
  loop(c, w, null, E4, 4, () => {
    for (const e of moving) {
      const l = c.local("v128");
      if (e.kind === "load") {
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
        const poly = fastMathFor(e, body.fastMath);
        if (poly !== null) {
          c.get(vec(e.args[0]));
          poly(c, (t) => c.local(t));
        } else if (simdNative(e)) {
          for (const a of simdOperands(e)) c.get(vec(a));
          emitNativeSimd(c, e);
        } else laneByLane(c, body, e, vec, l);
      } else {
        c.simd(0x0c, ...lanes(e.type === "f32" ? f32Bytes(e.value) : i32Bytes(e.type === "bool" ? -(e.value !== 0 ? 1 : 0) : e.value)));
      }
      if (!(e.kind === "op" && !simdNative(e) && fastMathFor(e, body.fastMath) === null)) c.set(l);
      body.vec.set(e.id, l);
    }
    for (const out of k.outputs) {
      c.get(ptr(out.buffer)).get(o).i32(2).op(0x74).op(0x6a);
      c.get(vec(out.values[0]));
      c.simdMem(0x0b, 2);
    }
    c.get(o).i32(4).op(0x6a).set(o);
  });
  body.vec.clear();
}

/** An op without a SIMD form: per lane, extract the operands, compute as scalar, insert. Leaves the result in `out`. */
function laneByLane(c: Code, body: BodyWriter, e: compile.OpExpr, vec: (e: Expr) => number, out: number): void {
  const scalarOf = new Map<number, number>();
  const argLocals = e.args.map((a) => c.local(wasmType(a.type)));
  c.simd(0x0c, ...new Array<number>(16).fill(0)).set(out);
  for (let lane = 0; lane < 4; lane++) {
    e.args.forEach((a, i) => {
      c.get(vec(a));
      if (a.type === "f32") c.simd(0x1f, lane);
      else {
        c.simd(0x1b, lane);
        if (a.type === "bool") c.i32(1).op(0x71);
      }
      c.set(argLocals[i]);
      scalarOf.set(a.id, argLocals[i]);
    });
    // Evaluate with the lane's operands standing in for the operands' scalar locals.
    const saved = e.args.map((a) => body.value.get(a.id));
    e.args.forEach((a) => body.value.set(a.id, scalarOf.get(a.id)!));
    c.get(out);
    body.op(e);
    c.simd(e.type === "f32" ? 0x20 : 0x1c, lane).set(out);
    e.args.forEach((a, i) => (saved[i] === undefined ? body.value.delete(a.id) : body.value.set(a.id, saved[i]!)));
  }
  if (e.type === "bool") c.get(out).simd(0xa1).set(out); // 0/1 → mask
}

/** The function body of a reduction; params = [...kernel.inputs, output]. */
export function renderReduce(c: Code, k: compile.ReduceKernel, ctx: RenderContext): void {
  const params = kernelParams(k);
  const ptr = (b: number): number => params.indexOf(b);
  const outSize = k.outShape.reduce((p, s) => p * s, 1);
  if (outSize === 0) return;
  const dtype = k.output.dtype;
  if (dtype === "complex64" && (k.op === "max" || k.op === "min")) throw new UnsupportedKernel("complex max/min reduction");
  const nodes = topo(k.output.values);
  const nOut = k.outShape.length;
  const shape = [...k.outShape, ...k.reduceShape];
  const outAxes = k.outShape.map((_, a) => a);
  const redAxes = k.reduceShape.map((_, a) => nOut + a);
  const groups: LoopGroup[] = groupAxes(shape, [outAxes, redAxes], indicesOf(nodes));
  const counters = groups.map(() => c.local("i32"));
  const idx = new IndexRenderer(groups, counters, shape);
  const body = new BodyWriter(c, idx, ptr, ctx.buffers, ctx.imports, shape, ctx.fastMath ?? false);
  const memo = new Map<number, boolean>();
  const moving = nodes.filter((e) => dependsOn(e, redAxes, memo));
  const fixed = nodes.filter((e) => !dependsOn(e, redAxes, memo));
  const nOutGroups = groups.filter((g) => g.axes.length > 0 && g.axes[0] < nOut).length;
  const o = c.local("i32");
  c.i32(0).set(o);
  const cplx = dtype === "complex64";
  const isFloat = dtype === "float32" || cplx;
  const accT = isFloat ? "f64" : "i32";
  const accs = (cplx ? [0, 1] : [0]).map(() => c.local(accT));

  const perOutput = (): void => {
    body.scalar(fixed);
    accs.forEach((a, part) => {
      const init = identity(k.op, dtype, part);
      if (accT === "f64") c.f64(init);
      else c.i32(init);
      c.set(a);
    });
    const red = (g: number): void => {
      if (g === groups.length) {
        body.scalar(moving);
        accumulate(c, k.op, dtype, accs, k.output.values.map((v) => body.value.get(v.id)!));
        return;
      }
      loop(c, counters[g], 0, groups[g].extent, 1, () => red(g + 1));
    };
    red(nOutGroups);
    accs.forEach((a, part) =>
      storeValue(c, ptr(k.output.buffer), o, dtype, part, () => {
        c.get(a);
        if (accT === "f64") c.op(0xb6);
      }),
    );
    c.get(o).i32(1).op(0x6a).set(o);
  };
  const nest = (g: number): void => {
    if (g === nOutGroups) return perOutput();
    loop(c, counters[g], 0, groups[g].extent, 1, () => nest(g + 1));
  };
  nest(0);
}

function identity(op: compile.ReduceOp, dtype: DType, part: number): number {
  switch (op) {
    case "sum":
    case "or":
      return 0;
    case "prod":
      return part === 0 ? 1 : 0;
    case "and":
      return 1;
    case "max":
      return dtype === "float32" ? -Infinity : dtype === "int32" ? -2147483648 : 0;
    case "min":
      return dtype === "float32" ? Infinity : dtype === "int32" ? 2147483647 : dtype === "uint32" ? -1 : 1;
  }
}

/** acc ← acc ⊕ value, as the reference kernels accumulate. */
function accumulate(c: Code, op: compile.ReduceOp, dtype: DType, accs: readonly number[], vals: readonly number[]): void {
  const float = dtype === "float32" || dtype === "complex64";
  if (dtype === "complex64" && op === "prod") {
    const [re, im] = accs;
    const [a, b] = vals;
    const t = c.local("f64");
    // r = re·a − im·b; im = re·b + im·a
    c.get(re).get(a).op(0xbb).op(0xa2).get(im).get(b).op(0xbb).op(0xa2).op(0xa1).set(t);
    c.get(re).get(b).op(0xbb).op(0xa2).get(im).get(a).op(0xbb).op(0xa2).op(0xa0).set(im);
    c.get(t).set(re);
    return;
  }
  accs.forEach((acc, part) => {
    const v = vals[part];
    if (op === "sum" || op === "prod") {
      c.get(acc).get(v);
      if (float) c.op(0xbb).op(op === "sum" ? 0xa0 : 0xa2);
      else c.op(op === "sum" ? 0x6a : 0x6c);
      c.set(acc);
    } else if (op === "and" || op === "or") {
      c.get(acc).get(v).i32(0).op(0x47).op(op === "and" ? 0x71 : 0x72).set(acc);
    } else if (float) {
      // acc = (acc is not NaN) && (v is NaN || v ⋛ acc) ? v : acc, in f64 (exact for f32 values).
      c.get(v).op(0xbb).get(acc);
      c.get(acc).get(acc).op(0x61); // acc == acc
      c.get(v).get(v).op(0x5c); // v != v
      c.get(v).op(0xbb).get(acc).op(op === "max" ? 0x64 : 0x63); // f64.gt / f64.lt
      c.op(0x72).op(0x71).op(0x1b).set(acc);
    } else {
      const u = dtype === "uint32" || dtype === "bool";
      c.get(v).get(acc).get(v).get(acc).op(op === "max" ? (u ? 0x4b : 0x4a) : u ? 0x49 : 0x48).op(0x1b).set(acc);
    }
  });
}
