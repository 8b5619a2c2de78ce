/**
 * Reduction kernels: reduceSum, reduceMax, reduceMin, reduceProd, reduceAnd, reduceOr (over a set
 * of axes) and argmax/argmin (over one axis).
 *
 * The input is viewed as a matrix of M output rows × K reduced elements (reduceOf). One pass
 * reduces chunks of L = Y·S elements of each row with a workgroup of X rows × Y lanes: each lane
 * folds at most S elements (strided by Y, so lanes read neighbouring addresses), then the Y lane
 * results meet in a tree in workgroup memory. Rows longer than L leave P partial results in a
 * scratch buffer, which the next pass reduces the same way, until one remains per row.
 *
 * Float sums and products therefore round along a tree of depth ≤ S + log2(Y) per pass instead
 * of the CPU's float64 accumulation: the error is a few·(depth)·2⁻²⁴·Σ|terms| (tests use that
 * bound). Integer + and * wrap (exact in any order). min/max/argmax carry the element's index so
 * that ties (±0, equal complex values) and NaNs resolve to the first in the CPU's order however
 * the tree pairs them: the combine is then order-independent and matches the CPU's sequential
 * "replace only when strictly better, first NaN wins" fold exactly.
 */
import type { DType, lax, ShapedArray } from "@linax-ts/core";
import { registerKernel } from "../registry.ts";
import { literal, type Binding, type Pass, type Program } from "../program.ts";
import { halfUnreachable, storageType } from "../storage.ts";
import { WGSL_COMPLEX } from "./wgsl-lib.ts";
import { foldGroups, INF, mergeDims, nextPow2, NINF, offsetExpr, WGSL_ISNAN } from "./reduce-plan.ts";

/**
 * A reduction's algebra in WGSL: the accumulator type `Acc`, `mk(v, r)` building one from an
 * input value and its reduced index, `comb(a, b)` (associative; commutative given the index),
 * identity `id`, and `fin(a)` producing the output value.
 */
export interface Monoid {
  /** WGSL declarations: `alias Acc = ...;` or `struct Acc {...}`, `mk`, `comb`, `fin`, helpers. */
  readonly wgsl: string;
  /** WGSL expression of the identity accumulator. */
  readonly id: string;
  /** Byte size of one Acc in a storage buffer. */
  readonly accBytes: number;
}

/**
 * A computed first-pass source instead of `in0[addr]` (fused reductions, compile/render-wgsl.ts):
 * `wgsl` declares the storage bindings 0..n-1 (`bindings`) and `fn linax_elem(j: u32, r: u32) -> T`
 * giving reduced element r of output row j, T being the input dtype's storage type; it replaces
 * `prelude` in the first pass, so it must contain the helpers of the algebra too (merged with its
 * own, since a WGSL module defines each name once).
 */
export interface ReduceSource {
  readonly wgsl: string;
  readonly bindings: readonly Binding[];
}

/** Elements one lane folds serially per pass (bounds the serial part of float rounding). */
const SERIAL = 16;

/**
 * WGSL of a lane's fold over a full chunk (SERIAL elements, strided by Y): every element is read
 * first, then folded in the loop's order, so the bits are the loop's while the reads are all in
 * flight at once (a loop with a run-time trip count keeps one read in flight per lane, far from
 * memory bandwidth).
 */
function fullChunk(Y: number): string {
  const lines: string[] = [];
  for (let m = 0; m < SERIAL; m++) lines.push(`      let e${m} = linax_ld(j, start + lid.y + ${m * Y}u);`);
  for (let m = 0; m < SERIAL; m++) lines.push(`      acc = comb(acc, e${m});`);
  return lines.join("\n");
}

/** A lane's fold over its chunk: full chunks unrolled, a partial one (the last) looped; only the kinds that occur. */
function lanes(k: number, L: number, Y: number): string {
  const loop = `      for (var s = lid.y; s < len; s += ${Y}u) {
        let r = start + s;
        acc = comb(acc, linax_ld(j, r));
      }`;
  if (k < L) return loop;
  if (k % L === 0) return fullChunk(Y);
  return `    if (len == ${L}u) {
${fullChunk(Y)}
    } else {
${loop}
    }`;
}

const lowest = (dt: DType, max: boolean): string => {
  switch (dt) {
    case "float32":
      return max ? NINF : INF;
    case "complex64":
      return max ? `vec2<f32>(${NINF}, ${NINF})` : `vec2<f32>(${INF}, ${INF})`;
    case "int32":
      return literal("int32", max ? -2147483648 : 2147483647);
    case "uint32":
      return max ? "0u" : "0xffffffffu";
    case "bool":
      return max ? "0u" : "1u";
    case "float16":
    case "bfloat16":
      return halfUnreachable("reduce", dt);
  }
};

/** Sum/product/and/or: a plain accumulator of the input's storage type. */
export function plainMonoid(t: string, id: string, comb: string, load = "v"): Monoid {
  return {
    wgsl: `alias Acc = ${t};
fn mk(v: ${t}, r: u32) -> Acc { return ${load}; }
fn comb(a: Acc, b: Acc) -> Acc { return ${comb}; }`,
    id,
    accBytes: t === "vec2<f32>" ? 8 : 4,
  };
}

/**
 * min/max carrying the reduced index `i` (0xffffffff in the identity). `better(x, y)` is "x is
 * strictly greater" (max) or "strictly smaller" (min); NaN beats everything; ties and two NaNs
 * keep the smaller index — the first in the CPU's scan order.
 */
export function chooserMonoid(dt: DType, isMax: boolean): Monoid {
  const t = storageType(dt);
  const op = isMax ? ">" : "<";
  let better: string;
  let nan: string;
  if (dt === "complex64") {
    // Lexicographic (real part, then imaginary part), as the CPU kernel and JAX compare.
    better = `(x.x ${op} y.x) || (x.x == y.x && x.y ${op} y.y)`;
    nan = "isnanc";
  } else {
    better = `x ${op} y`;
    nan = dt === "float32" ? "isnanf" : "";
  }
  const nanLines =
    nan === ""
      ? ""
      : `  let an = ${nan}(a.v); let bn = ${nan}(b.v);
  if (an && bn) { return first(a, b); }
  if (an) { return a; }
  if (bn) { return b; }\n`;
  return {
    wgsl: `struct Acc { v: ${t}, i: u32 }
fn better(x: ${t}, y: ${t}) -> bool { return ${better}; }
fn mk(v: ${t}, r: u32) -> Acc { return Acc(v, r); }
fn comb(a: Acc, b: Acc) -> Acc {
${nanLines}  if (better(b.v, a.v)) { return b; }
  if (better(a.v, b.v)) { return a; }
  return first(a, b);
}
fn first(a: Acc, b: Acc) -> Acc { if (b.i < a.i) { return b; } return a; }`,
    id: `Acc(${lowest(dt, isMax)}, 0xffffffffu)`,
    accBytes: dt === "complex64" ? 16 : 8,
  };
}

/**
 * Where a reduction's first pass gets its elements: `in0[addr]` (the eager kernels), or a fused
 * element source (compile/render-wgsl.ts), never both.
 */
export type ReduceInput =
  | {
      /** WGSL flat index into input 0 of reduced element `r` (u32) of output row `j` (u32). */
      readonly addr: string;
      readonly source?: undefined;
    }
  | {
      /** The computed element source that replaces the input read and `prelude` (see ReduceSource). */
      readonly source: ReduceSource;
      readonly addr?: undefined;
    };

/**
 * What `reduceProgram` builds: M output rows, each the reduction of K elements. Named fields,
 * because the eager kernels and the fused renderer pass different subsets and several are
 * strings or numbers that would be easy to swap positionally (issue #14).
 */
export type ReduceProgramOptions = ReduceInput & {
  /** dtype of the elements read on the first pass (its storage type is the source array's element type). */
  readonly inDtype: DType;
  /** dtype of the output buffer, the type `fin` must produce. */
  readonly outDtype: DType;
  /** The reduction's algebra: accumulator type, `mk`, `comb` and identity. */
  readonly monoid: Monoid;
  /** Output rows M (the kept elements); 0 gives an empty program. */
  readonly rows: number;
  /** Reduced elements per row K; 0 fills every output with `fin` of the identity. */
  readonly reducedSize: number;
  /**
   * Whether the innermost input axis is kept (and long): neighbouring rows are then neighbouring
   * addresses, so the first pass spans many rows per workgroup for coalesced reads.
   */
  readonly innerKept: boolean;
  /** WGSL expression turning the final accumulator `a` into an output value. */
  readonly fin: string;
  /** WGSL helpers the algebra and `fin` need (replaced by a fused source's own on its pass); default none. */
  readonly prelude?: string;
};

/** One reduction as a multi-pass program (see the file's comment for the pass structure). */
export function reduceProgram(opts: ReduceProgramOptions): Program {
  const { inDtype, outDtype, monoid: m, rows: M, reducedSize: K, innerKept, fin, prelude = "", source } = opts;
  const addr = opts.addr ?? "";
  if (M === 0) return { passes: [] };
  if (K === 0) {
    // Empty reductions: every output is fin(identity); nothing to read (an empty input's buffer
    // may be smaller than one element, so it is not bound at all).
    const g = foldGroups(Math.ceil(M / 64));
    const code = `${prelude}
${m.wgsl}
@group(0) @binding(0) var<storage, read_write> dst: array<${storageType(outDtype)}>;
@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let q = ${g.linear} * 64u + lid.x;
  if (q >= ${M}u) { return; }
  let a: Acc = ${m.id};
  dst[q] = ${fin};
}
`;
    return { passes: [{ code, bindings: [{ slot: { out: 0 }, write: true }], workgroups: g.workgroups }] };
  }
  const passes: Pass[] = [];
  const temps: number[] = [];
  let k = K;
  let level = 0;
  for (;;) {
    // Coalescing: when the innermost input axis is kept, neighbouring rows are neighbouring
    // addresses, so a workgroup spans many rows (X) and few lanes (Y); otherwise rows are long
    // contiguous runs and lanes span them.
    const yMax = innerKept && level === 0 ? 8 : 256;
    const Y = Math.min(yMax, nextPow2(Math.ceil(k / SERIAL)));
    const L = Y * SERIAL;
    const P = Math.max(1, Math.ceil(k / L));
    const R = M * P;
    const X = Math.max(1, Math.min(256 / Y, nextPow2(R)));
    const last = P === 1;
    const src =
      level === 0 ? { slot: { in: 0 }, type: storageType(inDtype) } : { slot: { temp: (level - 1) % 2 }, type: "Acc" };
    const dst = last ? { slot: { out: 0 }, type: storageType(outDtype) } : { slot: { temp: level % 2 }, type: "Acc" };
    if (!last) temps[level % 2] = Math.max(temps[level % 2] ?? 0, R * m.accBytes);
    // Element (j, r): the input through `addr` on the first pass, else partial r of row j
    // (partials are laid out [P, M], so rows of one chunk are adjacent).
    const fused = level === 0 && source !== undefined;
    const load = fused ? "mk(linax_elem(j, r), r)" : level === 0 ? `mk(src[${addr}], r)` : "src[r * " + `${M}u + j]`;
    const g = foldGroups(Math.ceil(R / X));
    const bindings: Binding[] = fused
      ? [...source.bindings, { slot: dst.slot, write: true }]
      : [
          { slot: src.slot, write: false },
          { slot: dst.slot, write: true },
        ];
    const srcDecl = fused ? source.wgsl : `@group(0) @binding(0) var<storage, read> src: array<${src.type}>;`;
    // A fused source brings the helpers it and the algebra need, merged (see ReduceSource).
    const code = `${fused ? "" : prelude}
${m.wgsl}
${srcDecl}
@group(0) @binding(${bindings.length - 1}) var<storage, read_write> dst: array<${dst.type}>;
fn linax_ld(j: u32, r: u32) -> Acc { return ${load}; }
${Y === 1 ? "" : `var<workgroup> sh: array<Acc, ${X * Y}>;`}
@compute @workgroup_size(${X}, ${Y})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let q = ${g.linear} * ${X}u + lid.x;
${
  // The fused body's runtime zero (program.ts FENCE) comes from the unbounded thread index: from
  // the row j = q % M (as it once did), NVIDIA's compiler bounds j, folds the zero away and
  // contracts the fused product into the sum — 1 ulp off the eager kernels' rounded product.
  fused ? "  linax_opq = f32(q >> 31u);" : ""
}
  var acc: Acc = ${m.id};
  if (q < ${R}u) {
    let p = q / ${M}u;
    let j = q % ${M}u;
    let start = p * ${L}u;
    let len = min(${L}u, ${k}u - start);
${lanes(k, L, Y)}
  }
${
  Y === 1
    ? // One lane per row: no workgroup tree (and no barriers, which also compile much faster).
      `  if (q < ${R}u) {
    let a = acc;
    dst[q] = ${last ? fin : "a"};
  }`
    : `  let me = lid.y * ${X}u + lid.x;
  sh[me] = acc;
  workgroupBarrier();
  for (var h = ${Y / 2}u; h > 0u; h = h / 2u) {
    if (lid.y < h) { sh[me] = comb(sh[me], sh[me + h * ${X}u]); }
    workgroupBarrier();
  }
  if (lid.y == 0u && q < ${R}u) {
    let a = sh[lid.x];
    dst[q] = ${last ? fin : "a"};
  }`
}
}
`;
    passes.push({ code, bindings, workgroups: g.workgroups });
    if (last) break;
    k = P;
    level++;
  }
  return { passes, temps };
}

/** Plan a reduction of `xa` (output `oa`) over `axes` (sorted) in algebra `alg` and build its program. */
function reduceAxes(xa: ShapedArray, oa: ShapedArray, axes: readonly number[], alg: ReduceAlgebra): Program {
  const dims = mergeDims(xa.shape, axes);
  const kept = dims.filter((d) => !d.reduced);
  const red = dims.filter((d) => d.reduced);
  const K = red.reduce((a, d) => a * d.size, 1) * (xa.size === 0 ? 0 : 1);
  const addr = `${offsetExpr(kept, "j")} + ${offsetExpr(red, "r")}`;
  const innerKept = dims.length > 0 && !dims[dims.length - 1].reduced && dims[dims.length - 1].size >= 16;
  return reduceProgram({
    inDtype: xa.dtype,
    outDtype: oa.dtype,
    monoid: alg.m,
    rows: oa.size,
    reducedSize: K,
    addr,
    innerKept,
    fin: alg.fin,
    prelude: alg.prelude,
  });
}

type Params = Readonly<Record<string, unknown>>;
const axesOf = (p: Params): readonly number[] => (p as unknown as lax.ReduceParams).axes;

/** A reduction's monoid, final step and WGSL helpers: what the kernel and a fused reduction share. */
export interface ReduceAlgebra {
  readonly m: Monoid;
  readonly fin: string;
  readonly prelude: string;
}

/** The algebra of reduce op `op` over input dtype `dt`; undefined where the kernel declines (bool sums). */
export function reduceAlgebra(op: "sum" | "prod" | "and" | "or" | "max" | "min", dt: DType): ReduceAlgebra | undefined {
  const t = storageType(dt);
  const cplx = dt === "complex64";
  switch (op) {
    case "sum": {
      if (dt === "bool") return undefined;
      const zero = cplx ? "vec2<f32>(0.0f, 0.0f)" : literal(dt, 0);
      return { m: plainMonoid(t, zero, "a + b"), fin: "a", prelude: "" };
    }
    case "prod": {
      if (dt === "bool") return undefined;
      const one = cplx ? "vec2<f32>(1.0f, 0.0f)" : literal(dt, 1);
      return { m: plainMonoid(t, one, cplx ? "cmul(a, b)" : "a * b"), fin: "a", prelude: cplx ? WGSL_COMPLEX : "" };
    }
    // bool is stored as u32 0/1; normalise anyway so any nonzero word counts as true.
    case "and":
      return { m: plainMonoid("u32", "1u", "a & b", "select(0u, 1u, v != 0u)"), fin: "a", prelude: "" };
    case "or":
      return { m: plainMonoid("u32", "0u", "a | b", "select(0u, 1u, v != 0u)"), fin: "a", prelude: "" };
    case "max":
    case "min": {
      // The CPU folds from the dtype's extreme (complex: (∓inf, 0)) and replaces it only with a
      // NaN or a strictly better value; for complex that start value is not an identity
      // ((-inf, -5) does not replace (-inf, 0)), so `fin` applies the same last step.
      const isMax = op === "max";
      let fin = "a.v";
      if (cplx) {
        const init = `vec2<f32>(${isMax ? NINF : INF}, 0.0f)`;
        fin = `select(${init}, a.v, isnanc(a.v) || better(a.v, ${init}))`;
      }
      return { m: chooserMonoid(dt, isMax), fin, prelude: WGSL_ISNAN };
    }
  }
}

for (const [name, op] of [
  ["reduceSum", "sum"],
  ["reduceProd", "prod"],
  ["reduceAnd", "and"],
  ["reduceOr", "or"],
  ["reduceMax", "max"],
  ["reduceMin", "min"],
] as const) {
  registerKernel(name, ([xa], [oa], p) => {
    const alg = reduceAlgebra(op, xa.dtype);
    return alg === undefined ? undefined : reduceAxes(xa, oa, axesOf(p), alg);
  });
}

/** argmax/argmin: the chooser's index, as the requested index dtype. */
function argReduce(isMax: boolean) {
  return ([xa]: readonly ShapedArray[], [oa]: readonly ShapedArray[], p: Params): Program => {
    const { axis } = p as unknown as lax.ArgReduceParams;
    const fin = oa.dtype === "int32" ? "i32(a.i)" : "a.i";
    return reduceAxes(xa, oa, [axis], { m: chooserMonoid(xa.dtype, isMax), fin, prelude: WGSL_ISNAN });
  };
}
registerKernel("argmax", argReduce(true));
registerKernel("argmin", argReduce(false));
