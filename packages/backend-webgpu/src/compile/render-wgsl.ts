/**
 * The WGSL renderer of the kernel IR (core/src/compile/ir.ts): a fused elementwise or reduce
 * kernel becomes a `Program` of compute passes, as the eager kernels return, over the kernel's
 * input buffers (slots `{ in: k }` = `kernel.inputs[k]`) and outputs (`{ out: k }`).
 *
 * - Shapes are baked into the source (one pipeline per kernel signature; the backend caches
 *   pipelines by source text, and bindings are named by position, so the same kernel in two
 *   programs shares its pipeline).
 * - Index expressions (index-expr.ts's linear forms over loop variables, with floor div/mod atoms
 *   of non-negative forms) are evaluated in i32; a load whose index range leaves its buffer — the
 *   region of a pad or concatenate operand that a select discards — is clamped into it.
 * - complex64 buffers are bound as `array<f32>` (the IR addresses their float slots); bool as u32.
 * - Each scalar op is the eager kernel's WGSL (scalar-ops.ts), its f32 result fenced (program.ts's
 *   FENCE) as if stored, so results equal the eager path's even where drivers contract mul + add.
 * - A reduction is the eager reduction's multi-pass tree (kernels/reduce.ts) with the fused body as
 *   its first pass's element source, so sums round along the same tree as the eager kernel's
 *   (for the same input layout, see `innerKeptOf`).
 *
 * `renderKernel` returns a reason string for what it cannot render; the executor then runs the
 * whole jaxpr the eager way.
 */
import type { ShapedArray, DType } from "@linax-ts/core";
import { declare, grid, type Binding, type Pass, type Program, type Slot } from "../program.ts";
import { storageType } from "../storage.ts";
import { reduceAlgebra, reduceProgram } from "../kernels/reduce.ts";
import {
  loadedBuffers,
  range,
  type ElementwiseKernel,
  type Expr,
  type Kernel,
  type Linear,
  type ReduceKernel,
} from "./core-compile.ts";
import { mergePreludes } from "./wgsl-prelude.ts";
import { renderOp, wgslType } from "./scalar-ops.ts";
import { f32, i32, u32 } from "../program.ts";
import { splitForBindings } from "./split-bindings.ts";

/** Names MODULE_COMMON defines (every module from `declare` has them). */
const PROVIDED = new Set(["linax_f32_bits", "linax_opq", "linax_fence", "LINAX_FUSED_FMA"]);

export interface RenderOptions {
  /** Storage buffers one shader stage may bind (the device's limit). */
  readonly maxStorageBuffers: number;
  /**
   * Buffers whose contents are known at compile time (a program's small constant inputs, by
   * buffer id): their storage words. A kernel reads such a buffer as WGSL literals instead of
   * binding it, where every load's element is fixed (see `literalBuffers`).
   */
  readonly known?: ReadonlyMap<number, Uint32Array>;
}

/** A rendered kernel: its passes, and which of the kernel's inputs they bind (`{ in: j }` = `inputs[j]`). */
export type RenderedKernel = Program & { readonly inputs: readonly number[] };

/** A buffer's aval by its id in the program. */
export type AvalOf = (buffer: number) => ShapedArray;

/** Elements (float slots for complex64) a buffer holds. */
const slotsOf = (a: ShapedArray): number => a.size * (a.dtype === "complex64" ? 2 : 1);

/** Binding element type of a buffer as the IR addresses it. */
const bindType = (d: DType): string => (d === "complex64" ? "f32" : storageType(d));

const size = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

/**
 * A word of a known buffer as a WGSL value of type `t`, exactly: its bit pattern (so NaN payloads,
 * ±Inf, -0 and subnormals survive), OR-ed with the bits of the runtime zero `linax_opq` (program.ts
 * FENCE) so that the compiler cannot see the value. A visible constant gets folded in ways a
 * loaded value never is: WGSL const-evaluates expressions of literals (NaN/Inf, integer overflow,
 * division by zero and over-wide shifts are shader-creation errors there), and drivers simplify
 * with constants unsoundly — SwiftShader turns x · (-0) into -0 for every x. The eager kernels
 * compute on loaded values; so does this, minus the binding and the load.
 */
function knownWord(w: number, t: Expr["type"]): string {
  const word = `linax_word(0x${(w >>> 0).toString(16)}u)`;
  return t === "f32" ? `bitcast<f32>(${word})` : t === "i32" ? `bitcast<i32>(${word})` : word;
}
const WORD_FN = "fn linax_word(b: u32) -> u32 { return b | bitcast<u32>(linax_opq); }";

/** Renders expression trees into `let` statements, one per node (shared subtrees once). */
class Emitter {
  readonly lines: string[] = [];
  readonly preludes: string[] = [];
  #names = new Map<number, string>();
  constructor(
    private readonly inputs: readonly number[],
    private readonly avalOf: AvalOf,
    private readonly extents: readonly number[],
    /** Inputs read as vec4 registers (`lane` is the element's component there), by input position. */
    private readonly vec: { readonly inputs: ReadonlySet<number>; readonly lane: number } = {
      inputs: new Set(),
      lane: 0,
    },
    /** Buffers read as literals: per buffer, its words (every load of it reads one fixed element). */
    private readonly literals: ReadonlyMap<number, Uint32Array> = new Map(),
  ) {}

  linear(l: Linear): string {
    const parts: string[] = [];
    for (const { atom, coef } of l.terms) {
      const a =
        atom.kind === "var"
          ? `v${atom.axis}`
          : `((${this.linear(atom.of)}) ${atom.kind === "div" ? "/" : "%"} ${i32(atom.d)})`;
      parts.push(coef === 1 ? a : `${i32(coef)} * ${a}`);
    }
    if (l.c !== 0 || parts.length === 0) parts.push(i32(l.c));
    return parts.join(" + ");
  }

  value(e: Expr): string {
    if (e.kind === "const") return constant(e.value, e.type);
    const hit = this.#names.get(e.id);
    if (hit !== undefined) return hit;
    let rhs: string;
    switch (e.kind) {
      case "load": {
        const words = this.literals.get(e.buffer);
        if (words !== undefined) {
          rhs = knownWord(words[fixedSlot(e, this.avalOf, this.extents)!], e.type);
          this.preludes.push(WORD_FN);
          break;
        }
        const k = this.inputs.indexOf(e.buffer);
        if (this.vec.inputs.has(k)) {
          // An identity read of a vec4-bound input: this element's lane of the thread's vector.
          rhs = `x${k}[${this.vec.lane}]`;
          break;
        }
        const n = slotsOf(this.avalOf(e.buffer));
        const [lo, hi] = range(e.index, this.extents);
        const idx = this.linear(e.index);
        // Out-of-range reads only happen where a select discards them (pad/concatenate): clamp.
        rhs = `in${k}[${lo >= 0 && hi < n ? `u32(${idx})` : `u32(clamp(${idx}, 0i, ${i32(Math.max(0, n - 1))}))`}]`;
        break;
      }
      case "index":
        rhs = this.linear(e.index);
        break;
      case "op": {
        const args = e.args.map((a) => this.value(a));
        const r = renderOp(e, args);
        if (r === undefined) throw new RenderDecline(`no WGSL for the op '${e.op}' on ${e.argDType}`);
        if (r.prelude !== "") this.preludes.push(r.prelude);
        // Every f32 result is rounded where the eager kernel would store it: the fence stops the
        // driver contracting a product into a later add (NVIDIA's does), which eager kernels
        // cannot do across their stores — so fused == eager bit for bit there too.
        rhs = e.type === "f32" ? `linax_fence(${r.expr})` : r.expr;
      }
    }
    const name = `t${e.id}`;
    this.lines.push(`  let ${name}: ${wgslType(e.type)} = ${rhs};`);
    this.#names.set(e.id, name);
    return name;
  }
}

class RenderDecline extends Error {}

/**
 * The one element (float slot) a load reads wherever the loop is, or null: its index's range
 * over the loop, clamped into the buffer as the load clamps it, is a single slot.
 */
function fixedSlot(e: Extract<Expr, { kind: "load" }>, avalOf: AvalOf, extents: readonly number[]): number | null {
  const n = slotsOf(avalOf(e.buffer));
  if (n === 0) return null;
  const [lo, hi] = range(e.index, extents);
  const c = (v: number): number => Math.min(n - 1, Math.max(0, v));
  return c(lo) === c(hi) ? c(lo) : null;
}

/** The known buffers (opts.known) among `k`'s inputs whose every load reads one fixed element: they become literals. */
function literalBuffers(
  k: Kernel,
  avalOf: AvalOf,
  known: ReadonlyMap<number, Uint32Array> | undefined,
): Map<number, Uint32Array> {
  const out = new Map<number, Uint32Array>();
  if (known === undefined || known.size === 0) return out;
  const values = k.kind === "elementwise" ? k.outputs.flatMap((o) => o.values) : k.output.values;
  const extents = k.kind === "elementwise" ? k.shape : [...k.outShape, ...k.reduceShape];
  const loads = loadsOf(values);
  for (const b of k.inputs) {
    const words = known.get(b);
    if (words === undefined || words.length < slotsOf(avalOf(b))) continue;
    if (loads.every((l) => l.buffer !== b || fixedSlot(l, avalOf, extents) !== null)) out.set(b, words);
  }
  return out;
}

function constant(v: number, t: Expr["type"]): string {
  switch (t) {
    case "f32":
      return f32(v);
    case "i32":
      return i32(v);
    case "u32":
      return u32(v);
    case "bool":
      return v !== 0 ? "1u" : "0u";
  }
}

/** `let v{base+d}: i32` for each axis of `shape` from the row-major flat u32 index `flat`. */
function loopVars(shape: readonly number[], flat: string, base: number): string[] {
  const lines: string[] = [];
  let stride = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    const q = stride === 1 ? flat : `(${flat} / ${u32(stride)})`;
    lines.unshift(`  let v${base + d}: i32 = i32(${d === 0 ? q : `${q} % ${u32(shape[d])}`});`);
    stride *= shape[d];
  }
  return lines;
}

function inputDecls(inputs: readonly number[], avalOf: AvalOf) {
  return inputs.map((b, k) => ({ name: `in${k}`, slot: { in: k }, type: bindType(avalOf(b).dtype) }));
}

/** Elements one thread of a fused elementwise kernel computes (consecutive: one vec4 per operand). */
const PER_THREAD = 4;
/** Threads per workgroup of fused elementwise kernels. */
const EW_WORKGROUP = 256;

/** Every load in the expression trees (each node once). */
function loadsOf(
  es: readonly Expr[],
  out: Extract<Expr, { kind: "load" }>[] = [],
  seen = new Set<number>(),
): Extract<Expr, { kind: "load" }>[] {
  for (const e of es) {
    if (e.kind === "const" || seen.has(e.id)) continue;
    seen.add(e.id);
    if (e.kind === "load") out.push(e);
    else if (e.kind === "op") loadsOf(e.args, out, seen);
  }
  return out;
}

/** Whether `l` is the row-major flat index over `shape` (the load reads element i for output element i). */
function isFlatIndex(l: Linear, shape: readonly number[]): boolean {
  if (l.c !== 0) return false;
  const st: number[] = [];
  let acc = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    st[d] = acc;
    acc *= shape[d];
  }
  const seen = new Set<number>();
  for (const { atom, coef } of l.terms) {
    if (atom.kind !== "var") return false;
    if (shape[atom.axis] !== 1 && coef !== st[atom.axis]) return false;
    seen.add(atom.axis);
  }
  return shape.every((n, d) => n === 1 || seen.has(d));
}

/**
 * A fused elementwise kernel: each thread computes PER_THREAD consecutive elements, each with the
 * same expression (so results are the eager chain's bit for bit). When the element count divides
 * by 4, inputs that are only ever read at the output's own flat index (no broadcast, transpose,
 * slice, complex; exactly n elements, so a vector never leaves the buffer) are read as one vec4 per thread and real outputs written as one vec4: 16-byte
 * accesses and four elements' reads in flight per thread, which is what memory bandwidth needs.
 */
function renderElementwise(k: ElementwiseKernel, avalOf: AvalOf, literals: ReadonlyMap<number, Uint32Array>): Program {
  const n = size(k.shape);
  if (n === 0) return { passes: [] };
  const allValues = k.outputs.flatMap((o) => o.values);
  const vector = n % PER_THREAD === 0;
  const vecInputs = new Set<number>();
  if (vector) {
    const loads = loadsOf(allValues);
    k.inputs.forEach((b, idx) => {
      const mine = loads.filter((l) => l.buffer === b);
      if (
        mine.length > 0 &&
        avalOf(b).dtype !== "complex64" &&
        avalOf(b).size === n &&
        mine.every((l) => isFlatIndex(l.index, k.shape))
      )
        vecInputs.add(idx);
    });
  }
  const vecOut = (dt: DType): boolean => vector && dt !== "complex64";
  const preludes: string[] = [];
  const lines: string[] = [];
  for (const idx of vecInputs) lines.push(`  let x${idx} = in${idx}[i];`);
  k.outputs.forEach((o, j) => {
    if (vecOut(o.dtype)) lines.push(`  var o${j}: vec4<${bindType(o.dtype)}>;`);
  });
  for (let c = 0; c < PER_THREAD; c++) {
    const em = new Emitter(k.inputs, avalOf, k.shape, { inputs: vecInputs, lane: c }, literals);
    const stores: string[] = [];
    k.outputs.forEach((o, j) => {
      const vals = o.values.map((v) => em.value(v));
      if (o.dtype === "complex64")
        stores.push(`  out${j}[2u * e] = ${vals[0]};`, `  out${j}[2u * e + 1u] = ${vals[1]};`);
      else if (vecOut(o.dtype)) stores.push(`  o${j}[${c}] = ${vals[0]};`);
      else stores.push(`  out${j}[e] = ${vals[0]};`);
    });
    preludes.push(...em.preludes);
    const body = [...loopVars(k.shape, "e", 0), ...em.lines, ...stores].map((l) => `  ${l}`);
    const e = `${PER_THREAD}u * i + ${c}u`;
    lines.push(vector ? `  { let e = ${e};` : `  { let e = ${e}; if (e < ${n}u) {`, ...body, vector ? "  }" : "  } }");
  }
  k.outputs.forEach((o, j) => {
    if (vecOut(o.dtype)) lines.push(`  out${j}[i] = o${j};`);
  });
  const body = lines.join("\n");
  const { wgsl, bindings } = declare([
    ...inputDecls(k.inputs, avalOf).map((d, idx) => (vecInputs.has(idx) ? { ...d, type: `vec4<${d.type}>` } : d)),
    ...k.outputs.map((o, j) => ({
      name: `out${j}`,
      slot: { out: j },
      type: vecOut(o.dtype) ? `vec4<${bindType(o.dtype)}>` : bindType(o.dtype),
      write: true,
    })),
  ]);
  const g = grid(Math.ceil(n / PER_THREAD), EW_WORKGROUP);
  const prelude = mergePreludes(preludes, body, PROVIDED);
  return { passes: [{ code: `${wgsl}\n${prelude}\n${g.header}${body}\n}\n`, bindings, workgroups: g.workgroups }] };
}

/**
 * Whether the reduction's input had its innermost axis kept (the eager kernel's coalescing choice,
 * which sets its tree shape): read off the body's first load — its unit-stride loop variable is the
 * input's innermost axis when the body reads its input directly, the common case. A kept axis
 * counts as the eager kernel counts its merged innermost kept run (≥ 16 elements).
 */
function innerKeptOf(k: ReduceKernel): boolean {
  const nOut = k.outShape.length;
  const first = findLoad(k.output.values);
  if (first === null) return false;
  const unit = k.output.dtype === "complex64" ? 2 : 1;
  let best: { axis: number; coef: number } | null = null;
  for (const t of first.index.terms) {
    if (t.atom.kind !== "var" || t.coef <= 0) continue;
    const ext = t.atom.axis < nOut ? k.outShape[t.atom.axis] : k.reduceShape[t.atom.axis - nOut];
    if (ext > 1 && (best === null || t.coef < best.coef)) best = { axis: t.atom.axis, coef: t.coef };
  }
  if (best === null || best.coef !== unit || best.axis >= nOut) return false;
  return size(k.outShape.slice(best.axis)) >= 16;
}

function findLoad(es: readonly Expr[]): Extract<Expr, { kind: "load" }> | null {
  for (const e of es) {
    if (e.kind === "load") return e;
    if (e.kind === "op") {
      const hit = findLoad(e.args);
      if (hit !== null) return hit;
    }
  }
  return null;
}

function renderReduce(k: ReduceKernel, avalOf: AvalOf, literals: ReadonlyMap<number, Uint32Array>): Program {
  const dt = k.output.dtype;
  const alg = reduceAlgebra(k.op, dt);
  if (alg === undefined) throw new RenderDecline(`no ${k.op} reduction of ${dt}`);
  const M = size(k.outShape);
  const K = size(k.reduceShape);
  const nOut = k.outShape.length;
  const em = new Emitter(k.inputs, avalOf, [...k.outShape, ...k.reduceShape], undefined, literals);
  const vals = k.output.values.map((v) => em.value(v));
  const t = storageType(dt);
  const ret = dt === "complex64" ? `vec2<f32>(${vals[0]}, ${vals[1]})` : vals[0];
  const elem = [
    `fn linax_elem(j: u32, r: u32) -> ${t} {`,
    ...loopVars(k.outShape, "j", 0),
    ...loopVars(k.reduceShape, "r", nOut),
    ...em.lines,
    `  return ${ret};`,
    "}",
  ].join("\n");
  const { wgsl, bindings } = declare(inputDecls(k.inputs, avalOf));
  const prelude = mergePreludes(
    [...em.preludes, alg.prelude],
    `${elem}\n${alg.m.wgsl}\n${alg.fin}\n${alg.m.id}`,
    PROVIDED,
  );
  const source = { wgsl: `${wgsl}\n${prelude}\n${elem}`, bindings: bindings as readonly Binding[] };
  return reduceProgram({
    inDtype: dt,
    outDtype: dt,
    monoid: alg.m,
    rows: M,
    reducedSize: K,
    source,
    innerKept: innerKeptOf(k),
    fin: alg.fin,
    prelude: alg.prelude,
  });
}

/**
 * The program of a fused kernel, or the reason it cannot be rendered. Known buffers read at fixed
 * elements are literals (not bound): the result says which inputs its passes bind.
 */
export function renderKernel(k0: Kernel, avalOf: AvalOf, opts: RenderOptions): RenderedKernel | string {
  const literals = literalBuffers(k0, avalOf, opts.known);
  try {
    return renderFitting(k0, avalOf, literals, opts.maxStorageBuffers);
  } catch (e) {
    if (e instanceof RenderDecline) return e.message;
    if (e instanceof Error && e.message.startsWith("wgsl-prelude:")) return e.message;
    throw e;
  }
}

/** `k` rendered within `max` storage bindings per pass: as it is, by groups of its outputs, or split (renderSplit). */
function renderFitting(
  k0: Kernel,
  avalOf: AvalOf,
  literals: ReadonlyMap<number, Uint32Array>,
  max: number,
): RenderedKernel | string {
  const bindsOf = (x: Kernel): number =>
    x.inputs.filter((b) => !literals.has(b)).length + (x.kind === "elementwise" ? x.outputs.length : 1);
  if (bindsOf(k0) <= max) {
    const k: Kernel = literals.size === 0 ? k0 : { ...k0, inputs: k0.inputs.filter((b) => !literals.has(b)) };
    const p = k.kind === "elementwise" ? renderElementwise(k, avalOf, literals) : renderReduce(k, avalOf, literals);
    return { ...p, inputs: k.inputs };
  }
  if (k0.kind === "elementwise" && k0.outputs.length > 1) {
    // Outputs are independent (each its own expression): passes over groups of them that fit.
    const groups: ElementwiseKernel[] = [];
    for (const o of k0.outputs) {
      const last = groups.at(-1);
      const withIt =
        last === undefined
          ? null
          : {
              ...last,
              outputs: [...last.outputs, o],
              inputs: loadedBuffers([...last.outputs, o].flatMap((x) => x.values)),
            };
      if (withIt !== null && bindsOf(withIt) <= max) groups[groups.length - 1] = withIt;
      else groups.push({ ...k0, outputs: [o], inputs: loadedBuffers(o.values) });
    }
    if (groups.length > 1) {
      const parts = groups.map((g) => renderFitting(g, avalOf, literals, max));
      const failed = parts.find((r) => typeof r === "string");
      if (failed !== undefined) return failed;
      return combineParts(
        parts as RenderedKernel[],
        groups.map((g) => g.outputs.map((o) => k0.outputs.indexOf(o))),
      );
    }
  }
  return renderSplit(k0, avalOf, literals, max);
}

/** Several rendered kernels as one (their passes in order), `outs[i][j]` the combined output of part i's output j. */
function combineParts(parts: readonly RenderedKernel[], outs: readonly (readonly number[])[]): RenderedKernel {
  const inputs: number[] = [];
  const temps: number[] = [];
  const passes: Pass[] = [];
  parts.forEach((r, i) => {
    const tempBase = temps.length;
    temps.push(...(r.temps ?? []));
    const slot = (sl: Slot): Slot => {
      if ("in" in sl) {
        const b = r.inputs[sl.in];
        if (!inputs.includes(b)) inputs.push(b);
        return { in: inputs.indexOf(b) };
      }
      return "out" in sl ? { out: outs[i][sl.out] } : { temp: tempBase + sl.temp };
    };
    for (const p of r.passes) passes.push({ ...p, bindings: p.bindings.map((bd) => ({ ...bd, slot: slot(bd.slot) })) });
  });
  return { passes, temps, inputs };
}

/** Pseudo buffer ids of split-off scratch values, and node ids for rebuilt expressions (above any a program has). */
const SCRATCH_BUFFER_BASE = 2 ** 30;
const SPLIT_NODE_BASE = 2 ** 30;

/**
 * A kernel over more storage buffers than the device binds: split (split-bindings.ts) into
 * elementwise passes writing scratch buffers and the kernel reading them, one program of passes.
 */
function renderSplit(
  k: Kernel,
  avalOf: AvalOf,
  literals: ReadonlyMap<number, Uint32Array>,
  max: number,
): RenderedKernel | string {
  const lit = new Set(literals.keys());
  const split = splitForBindings(k, lit, max, SCRATCH_BUFFER_BASE, SPLIT_NODE_BASE);
  const nOut = k.kind === "elementwise" ? k.outputs.length : 1;
  const count = k.inputs.filter((b) => !lit.has(b)).length + nOut;
  if (split === null)
    return `${count} buffers exceed the device's ${max} storage bindings (and no split brings them under)`;
  const avalOf2: AvalOf = (b) => split.scratch.get(b) ?? avalOf(b);
  const bound = (x: Kernel): Kernel => ({ ...x, inputs: x.inputs.filter((b) => !lit.has(b)) });
  const fin = bound(split.final);
  const main =
    fin.kind === "elementwise" ? renderElementwise(fin, avalOf2, literals) : renderReduce(fin, avalOf2, literals);
  const tempBase = main.temps?.length ?? 0;
  const real: number[] = [];
  const realSlot = (b: number): Slot => {
    const t = split.scratch.get(b);
    if (t !== undefined) return { temp: tempBase + (b - SCRATCH_BUFFER_BASE) };
    if (!real.includes(b)) real.push(b);
    return { in: real.indexOf(b) };
  };
  const remap = (passes: readonly Pass[], ins: readonly number[], out: (j: number) => Slot): Pass[] =>
    passes.map((p) => ({
      ...p,
      bindings: p.bindings.map((bd) => ({
        ...bd,
        slot: "in" in bd.slot ? realSlot(ins[bd.slot.in]) : "out" in bd.slot ? out(bd.slot.out) : bd.slot,
      })),
    }));
  const passes: Pass[] = [];
  for (const pk of split.pre) {
    const b = bound(pk) as ElementwiseKernel;
    const r = renderElementwise(b, avalOf2, literals);
    passes.push(...remap(r.passes, b.inputs, () => realSlot(pk.outputs[0].buffer)));
  }
  passes.push(...remap(main.passes, fin.inputs, (j) => ({ out: j })));
  const temps = [...(main.temps ?? []), ...[...split.scratch.values()].map((a) => Math.max(16, a.size * 4))];
  return { passes, temps, inputs: real };
}
