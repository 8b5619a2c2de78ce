/**
 * The associative-scan engine of the cumulative kernels. The operand is viewed as Q lines of n
 * elements along the scan axis ([outer, n, inner] row-major). A workgroup scans X lines with Y
 * lanes each, one block of B = Y·S elements at a time: each lane scans S consecutive elements
 * serially, the Y lane totals are scanned in workgroup memory (Hillis–Steele, log2 Y steps), and
 * a carry joins the blocks. No identity element is needed: the first element of a line is taken
 * as is (so cumsum keeps a leading -0 and a linear recurrence never multiplies a_0 by h_{-1}).
 *
 * Short lines (≤ SPLIT blocks) are one pass, each workgroup walking its lines' blocks in order.
 * Longer lines use reduce-then-scan, so one long line still spreads over many workgroups and the
 * rounding depth grows with log(n) instead of n/B: pass 1 writes each block's total (an Acc) to
 * scratch [Q, nBlocks]; the totals are scanned in place (recursively, the same way); pass 3
 * rescans every block starting from the scanned total of the blocks before it.
 */
import type { DType } from "@linax-ts/core";
import { MODULE_COMMON, type Binding, type Pass, type Program } from "../program.ts";
import { storageType } from "../storage.ts";
import { foldGroups, nextPow2 } from "./reduce-plan.ts";

/** Elements one lane scans serially per block. */
const SERIAL = 4;
/** Lines of at most this many blocks are scanned by one workgroup in one pass. */
const SPLIT = 4;

/**
 * A scan's algebra: `wgsl` declares `Acc` and `comb(earlier, later)`; `load(k)` is the WGSL Acc of
 * element k of the line in scan order (`base` — the line's first flat index — and `pos(k)`, the
 * flat position along the axis, are in scope); `fin` maps the Acc `a` to the stored value.
 */
export interface ScanMonoid {
  readonly wgsl: string;
  /** Any valid Acc (placeholder for lanes past the end; never combined into a result). */
  readonly dummy: string;
  readonly load: (k: string) => string;
  readonly fin: string;
  /** Byte size of one Acc in a storage buffer. */
  readonly accBytes: number;
  /** The primitive's operands, bound in order. */
  readonly inputs: readonly { readonly name: string; readonly dtype: DType }[];
}

/** A storage buffer a pass binds (declared in binding order). */
interface Buf {
  readonly name: string;
  readonly type: string;
  readonly slot: Binding["slot"];
  readonly write: boolean;
}

/** How one level reads and writes: what it reads, where it stores, the line base, load/store. */
interface PassIO {
  readonly reads: readonly Buf[];
  /** The output buffer (none when the level scans its scratch in place: it is among `reads`). */
  readonly writes: readonly Buf[];
  /** Extra WGSL (helpers the load/store expressions use). */
  readonly helpers: string;
  readonly base: string;
  readonly load: (k: string) => string;
  /** Statement storing Acc `a` as element k. */
  readonly store: (k: string) => string;
}

function declareAll(bufs: readonly Buf[]): { decls: string; bindings: Binding[] } {
  const decls = bufs.map(
    (b, i) => `@group(0) @binding(${i}) var<storage, ${b.write ? "read_write" : "read"}> ${b.name}: array<${b.type}>;`,
  );
  return { decls: [...decls, MODULE_COMMON].join("\n"), bindings: bufs.map((b) => ({ slot: b.slot, write: b.write })) };
}

interface Shape {
  readonly Q: number;
  readonly n: number;
  readonly X: number;
  readonly Y: number;
}

function layout(Q: number, n: number, inner: number): Shape {
  // Interleaved lines (inner ≥ 16): neighbouring lines are neighbouring addresses, so many lines
  // (X) share a workgroup; otherwise lanes (Y) span a line.
  if (inner >= 16) {
    const X = Math.min(32, nextPow2(inner));
    return { Q, n, X, Y: Math.min(256 / X, nextPow2(Math.ceil(n / SERIAL))) };
  }
  const Y = Math.min(256, nextPow2(Math.ceil(n / SERIAL)));
  return { Q, n, X: Math.max(1, Math.min(256 / Y, nextPow2(Q))), Y };
}

/** One level of the scan: the lines it scans (`shape`), how it reads and writes them, in which algebra. */
interface ScanLevel {
  /** WGSL helpers the algebra needs (from the kernel). */
  readonly prelude: string;
  readonly monoid: ScanMonoid;
  readonly shape: Shape;
  readonly io: PassIO;
}

/** One pass of a level (named fields, not positional: two of them are WGSL strings, issue #14). */
interface PassSpec {
  /** The buffers the pass binds, in binding order. */
  readonly bufs: readonly Buf[];
  /** Blocks per line handled by separate workgroups (0: one workgroup walks all blocks of its lines). */
  readonly split: number;
  /** WGSL Acc of the blocks before block `blk` (split passes after the first); default none. */
  readonly carryIn?: string;
  /** Statement storing the block total `carry`; none (the default) stores the scanned elements instead. */
  readonly totalOut?: string;
}

/** One scan pass of level `lv`. */
function scanPass(lv: ScanLevel, pass: PassSpec): Pass {
  const { prelude, monoid: m, shape: s, io } = lv;
  const { bufs, split, carryIn = "", totalOut = "" } = pass;
  const { Q, n, X, Y } = s;
  const { decls, bindings } = declareAll(bufs);
  const B = Y * SERIAL;
  const NB = Math.ceil(n / B);
  const per = split === 0 ? 1 : split;
  const g = foldGroups(Math.ceil(Q / X) * per);
  const loads: string[] = [];
  const stores: string[] = [];
  for (let i = 0; i < SERIAL; i++) {
    const k = `k0 + ${i}u`;
    loads.push(`    var t${i}: Acc = ${i === 0 ? m.dummy : `t${i - 1}`};`);
    loads.push(`    if (live && ${k} < ${n}u) { t${i} = ${i === 0 ? io.load(k) : `comb(t${i - 1}, ${io.load(k)})`}; }`);
    if (totalOut === "")
      stores.push(`    if (live && ${k} < ${n}u) { var a = t${i}; if (hasPre) { a = comb(pre, a); } ${io.store(k)} }`);
  }
  const code = `${prelude}
${m.wgsl}
${decls}
${io.helpers}
var<workgroup> sh: array<Acc, ${X * Y}>;
@compute @workgroup_size(${X}, ${Y})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let grp = ${g.linear};
  let q = (grp / ${per}u) * ${X}u + lid.x;
  let live = q < ${Q}u;
  let base = ${io.base};
  let me = lid.y * ${X}u + lid.x;
  let first = ${split === 0 ? "0u" : `grp % ${per}u`};
  let last = ${split === 0 ? `${NB}u` : "first + 1u"};
  var carry: Acc = ${m.dummy};
  var hasCarry = false;
  ${carryIn === "" ? "" : `if (first > 0u && live) { carry = ${carryIn}; hasCarry = true; }`}
  for (var blk = first; blk < last; blk++) {
    let k0 = blk * ${B}u + lid.y * ${SERIAL}u;
${loads.join("\n")}
    sh[me] = t${SERIAL - 1};
    workgroupBarrier();
    for (var d = 1u; d < ${Y}u; d = d * 2u) {
      var v = sh[me];
      if (lid.y >= d) { v = comb(sh[me - d * ${X}u], v); }
      workgroupBarrier();
      sh[me] = v;
      workgroupBarrier();
    }
    // Everything before this lane's first element: the carry of earlier blocks, then the
    // inclusive scan of the lanes before it in this block.
    var hasPre = hasCarry;
    var pre = carry;
    if (lid.y > 0u) {
      let e = sh[me - ${X}u];
      if (hasPre) { pre = comb(carry, e); } else { pre = e; }
      hasPre = true;
    }
${stores.join("\n")}
    let tot = sh[${(Y - 1) * X}u + lid.x];
    if (hasCarry) { carry = comb(carry, tot); } else { carry = tot; }
    hasCarry = true;
    workgroupBarrier();
  }
  ${totalOut === "" ? "" : `if (live && lid.y == 0u) { ${totalOut} }`}
}
`;
  return { code, bindings, workgroups: g.workgroups };
}

/**
 * Passes scanning the Q lines of length n of level `lv` (`level` deep in the recursion). Totals go
 * to scratch `level` as [Q, nBlocks] (its byte size into `temps`), scanned in place by the next level.
 */
function scanLevels(lv: ScanLevel, level: number, temps: number[]): Pass[] {
  const { monoid: m, shape: s, io } = lv;
  const NB = Math.ceil(s.n / (s.Y * SERIAL));
  if (NB <= SPLIT) return [scanPass(lv, { bufs: [...io.reads, ...io.writes], split: 0 })];
  temps[level] = s.Q * NB * m.accBytes;
  const tot = (write: boolean): Buf => ({ name: "tot", type: "Acc", slot: { temp: level }, write });
  // Pass 1: the total of every block, to scratch [Q, NB].
  const totals = scanPass(
    { ...lv, io: { ...io, store: () => "" } },
    { bufs: [...io.reads, tot(true)], split: NB, totalOut: `tot[q * ${NB}u + first] = carry;` },
  );
  // Pass 2: scan the totals in place, as lines of NB along a contiguous axis.
  const subIO: PassIO = {
    reads: [{ name: "tb", type: "Acc", slot: { temp: level }, write: true }],
    writes: [],
    helpers: "",
    base: `q * ${NB}u`,
    load: (k) => `tb[base + ${k}]`,
    store: (k) => `tb[base + ${k}] = a;`,
  };
  const middle = scanLevels({ ...lv, shape: layout(s.Q, NB, 1), io: subIO }, level + 1, temps);
  // Pass 3: rescan each block starting from the scanned totals of the blocks before it.
  const apply = scanPass(lv, {
    bufs: [...io.reads, ...io.writes, tot(false)],
    split: NB,
    carryIn: `tot[q * ${NB}u + first - 1u]`,
  });
  return [totals, ...middle, apply];
}

/** The scan program over lines of `shape` along `axis` (reversed when `reverse`). */
export function scanProgram(
  shape: readonly number[],
  axis: number,
  reverse: boolean,
  outDtype: DType,
  m: ScanMonoid,
  prelude: string,
): Program {
  const size = shape.reduce((a, b) => a * b, 1);
  if (size === 0) return { passes: [] };
  const n = shape[axis];
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const io: PassIO = {
    reads: m.inputs.map((d, k) => ({ name: d.name, type: storageType(d.dtype), slot: { in: k }, write: false })),
    writes: [{ name: "out", type: storageType(outDtype), slot: { out: 0 }, write: true }],
    helpers: `fn pos(k: u32) -> u32 { return ${reverse ? `${n - 1}u - k` : "k"}; }`,
    base: `(q / ${inner}u) * ${n * inner}u + q % ${inner}u`,
    load: m.load,
    store: (k) => `out[base + pos(${k}) * ${inner}u] = ${m.fin};`,
  };
  const temps: number[] = [];
  const passes = scanLevels({ prelude, monoid: m, shape: layout(size / n, n, inner), io }, 0, temps);
  return { passes, temps };
}
