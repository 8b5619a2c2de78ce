/**
 * What the kernel renderers share: the render context, scalar code of IR nodes into locals
 * (BodyWriter: loads with clamped addresses, native ops or calls of the reference functions,
 * fast-math polynomials), dependency order, loops and stores.
 */
import { compile, type DType } from "@linax-ts/core";
import { Code } from "../wasm/emitter.ts";
import type { IndexRenderer } from "./loop-nest.ts";
import { emitNativeScalar, fastMathFor, type OpNode } from "./scalar-ops.ts";

export type Expr = compile.Expr;
export type Linear = compile.Linear;
export type ScalarType = compile.ScalarType;

/** What the renderer needs to know about each buffer: dtype and element count. */
export interface BufferShape {
  readonly dtype: DType;
  readonly size: number;
}

/** Imports the module gives its kernels: a function index per reference scalar function. */
export interface ImportTable {
  /** Function index of the import for this op node (declared in a first pass). */
  indexOf(n: OpNode & { readonly id: number }): number;
  /** Function index of the node's four-lane (f32x4 → f32x4) routine, if it has one. */
  vectorIndexOf?(n: OpNode & { readonly id: number }): number | undefined;
}

export class UnsupportedKernel extends Error {}

export const wasmType = (t: ScalarType): "f32" | "i32" => (t === "f32" ? "f32" : "i32");
export const itemBytes = (t: ScalarType): number => (t === "bool" ? 1 : 4);

const nativeMemo = new WeakMap<OpNode, boolean>();

/** Whether an op node renders natively as a scalar (a dry run of the emitter, once per node). */
export function isNativeScalar(n: OpNode): boolean {
  let r = nativeMemo.get(n);
  if (r === undefined) {
    const dry = new Code([]);
    nativeMemo.set(n, (r = emitNativeScalar(dry, n, (t) => dry.local(t))));
  }
  return r;
}

/** All nodes of `roots` in dependency order (operands first). */
export function topo(roots: readonly Expr[]): Expr[] {
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

export const indicesOf = (nodes: readonly Expr[]): Linear[] =>
  nodes.flatMap((e) => (e.kind === "load" || e.kind === "index" ? [e.index] : []));

/** Emits the scalar code of nodes into locals; shared by elementwise bodies, tails and reductions. */
export class BodyWriter {
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
      c.set(t0)
        .i32(n - 1)
        .get(t0)
        .get(t0)
        .i32(n - 1)
        .op(0x4a)
        .op(0x1b); // min(n-1, i)
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
export function storeValue(c: Code, ptr: number, o: number, dtype: DType, part: number, push: () => void): void {
  c.get(ptr).get(o);
  if (dtype === "complex64") c.i32(1).op(0x74).i32(part).op(0x6a);
  if (dtype !== "bool") c.i32(2).op(0x74);
  c.op(0x6a);
  push();
  if (dtype === "float32" || dtype === "complex64") c.mem(0x38, 2);
  else if (dtype === "bool") c.mem(0x3a, 0);
  else c.mem(0x36, 2);
}

/**
 * The start of a kernel's range [lo, hi) of its outermost loop (params `lo`, `hi`): `o`, the
 * output index of the range's first element, is lo × the elements per outer iteration.
 */
export function rangeStart(c: Code, lo: number, perOuter: number, o: number): void {
  c.get(lo);
  if (perOuter !== 1) c.i32(perOuter).op(0x6c);
  c.set(o);
}

/** The outermost loop over the kernel's range: `for (w = lo; w < hi; w++) body`. */
export function rangeLoop(c: Code, w: number, lo: number, hi: number, body: () => void): void {
  c.get(lo).set(w);
  loopTo(c, w, hi, 1, body);
}

/** `for (; w < to; w += step) body` with a local counter and a bound held in a local. */
export function loopTo(c: Code, w: number, toLocal: number, step: number, body: () => void): void {
  c.block().loop();
  c.get(w).get(toLocal).op(0x4e).brIf(1); // w >= to → exit
  body();
  c.get(w).i32(step).op(0x6a).set(w).br(0);
  c.end().end();
}

/** `for (w = from; w < to; w += step) body` with a local counter. */
export function loop(c: Code, w: number, from: number | null, to: number, step: number, body: () => void): void {
  if (from !== null) c.i32(from).set(w);
  c.block().loop();
  c.get(w).i32(to).op(0x4e).brIf(1); // w >= to → exit
  body();
  c.get(w).i32(step).op(0x6a).set(w).br(0);
  c.end().end();
}

export const dependsOn = (e: Expr, axes: readonly number[], memo: Map<number, boolean>): boolean => {
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
