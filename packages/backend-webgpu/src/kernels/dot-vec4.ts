/**
 * The fast float32 dotGeneral kernel: a 256-thread workgroup computes a BM×BM output tile
 * (BM = 128, or 64 where 128-tiles would leave the GPU's cores idle), each thread a
 * (BM/16)×(BM/16) block held in vec4 registers. The work per k step is four vec4 reads of
 * workgroup memory feeding BM²/256 fmas, against 16 scalar reads for 64 fmas in the older
 * 128×128 kernel (dot-tiled.ts):
 *
 * - Thread (tx, ty) owns rows `64h + 4ty + r` and columns `64h' + 4tx + c` (r, c < 4, h, h' <
 *   BM/64): split 4×4 sub-blocks, so the vec4 reads of one k row by a warp are consecutive words
 *   (no bank conflicts) and each output row segment is one vec4 store.
 * - Operands are staged in workgroup memory as `[k][m]` rows of vec4, double-buffered: the loads
 *   of tile t+1 are issued into registers before tile t is multiplied and stored into the other
 *   buffer after it, so global latency overlaps the fmas and one barrier per k step suffices.
 * - Global reads are vec4 where the operand's layout allows (its contiguous axis — k, or the free
 *   axis for a transposed operand — has an extent divisible by 4 and every other stride is a
 *   multiple of 4, so a vector never straddles an edge and is 16-byte aligned); otherwise four
 *   scalar reads with per-element bounds. Batch axes and any dimension numbers are read in place
 *   through dotGeneral's offset functions (dot.ts), as the other kernels do.
 *
 * Numerics: every output accumulates fma(a_k, b_k, acc) in increasing k from +0, as the 16×16,
 * 64×64 and 128×128 kernels do, so all give identical bits. The k tail of the last tile is
 * zero-padded; fma(0, 0, acc) = acc + 0 = acc because an accumulator that starts at +0 is never
 * −0 (a sum that cancels rounds to +0), so the padding changes no bit.
 */
import { InternalError } from "@linax-ts/core";
import type { Program } from "../program.ts";
import { foldGroups } from "./reduce-plan.ts";
import { compactAxes, type Axis } from "./dot-plan.ts";
import type { DotShape } from "./dot-blocked.ts";

const THREADS = 256;

/** How one operand is staged: along k (k contiguous) or along its free axis; vec4 reads or scalar. */
export interface OperandLayout {
  readonly alongK: boolean;
  readonly vec4: boolean;
}

/** Tile parameters (tests and the variant benchmark force them; `chooseVec4Tuning` picks by shape). */
export interface Vec4Tuning {
  /** Output tile edge: 64 or 128. */
  readonly bm: 64 | 128;
  /** k depth of a staged tile: 8 or 16 (bm·bk/4 must be a multiple of 256). */
  readonly bk: 8 | 16;
}

/**
 * Whether `vecAxes` of an operand (its contracting or its free axes) can be read as aligned
 * vec4s: the innermost compacted axis is contiguous with an extent divisible by 4, and every
 * other stride of the operand (`otherAxes` and the outer vector axes) is a multiple of 4.
 */
export function vec4Readable(vecAxes: readonly Axis[], otherAxes: readonly Axis[]): boolean {
  const v = compactAxes(vecAxes);
  if (v.length === 0) return false;
  const inner = v[v.length - 1];
  if (inner.stride !== 1 || inner.size % 4 !== 0) return false;
  return [...v.slice(0, -1), ...compactAxes(otherAxes)].every((a) => a.stride % 4 === 0);
}

/** The tile for a shape: 128×128 where that still gives every core of a large GPU work (≥ 256 tiles). */
export function chooseVec4Tuning(s: DotShape): Vec4Tuning {
  const tiles128 = s.nb * Math.ceil(s.ni / 128) * Math.ceil(s.nj / 128);
  return tiles128 >= 256 ? { bm: 128, bk: 8 } : { bm: 64, bk: 16 };
}

/**
 * The program; `lAddr`/`rAddr` are the WGSL flat offsets of lhs[b, i, k] and rhs[b, j, k] in
 * terms of `b`, `i`/`j`, `k` (dot.ts).
 */
export function vec4Program(
  lAddr: string,
  rAddr: string,
  s: DotShape,
  lhs: OperandLayout,
  rhs: OperandLayout,
  tune: Vec4Tuning,
): Program {
  const { nb, ni, nj, nk } = s;
  const { bm, bk } = tune;
  const per = (bm * bk) / 4 / THREADS; // vec4 slots of each tile a thread stages
  if (!Number.isInteger(per) || per < 1)
    throw new InternalError(`dot-vec4: tile ${bm}×${bk} does not divide among ${THREADS} threads`);
  const rh = bm / 64; // 4×4 sub-blocks per thread along each axis
  const row = bm / 4; // vec4s per staged k row
  const half = bk * row; // vec4s per staged tile (one buffer)
  const tx = Math.ceil(nj / bm);
  const ty = Math.ceil(ni / bm);
  const total = nb * tx * ty;
  const g = foldGroups(total);
  const outVec = nj % 4 === 0;
  const v4 = "vec4<f32>";

  /** WGSL: stage slot `sl` of operand `name` (tile at k `K0`) into register `reg`. */
  const load = (name: "lhs" | "rhs", L: OperandLayout, reg: string, sl: number, K0: string): string => {
    const at = name === "lhs" ? "lAt" : "rAt";
    const n = name === "lhs" ? ni : nj;
    const f0 = name === "lhs" ? "i0" : "j0";
    const e = `(li + ${sl * THREADS}u)`;
    if (L.alongK) {
      // Row m of the tile, k = K0 + 4q .. 4q+3.
      const head = `{ let m = ${e} / ${bk / 4}u; let gf = ${f0} + m; let gk = ${K0} + (${e} % ${bk / 4}u) * 4u;`;
      if (L.vec4)
        return `${head} var v = ${v4}(0.0f); if (gf < ${n}u && gk < ${nk}u) { v = ${name}[${at}(b, gf, gk) >> 2u]; } ${reg} = v; }`;
      const c = [0, 1, 2, 3].map(
        (d) => `if (gf < ${n}u && gk + ${d}u < ${nk}u) { v[${d}] = ${name}[${at}(b, gf, gk + ${d}u)]; }`,
      );
      return `${head} var v = ${v4}(0.0f); ${c.join(" ")} ${reg} = v; }`;
    }
    // k row kk of the tile, free index 4·m4 .. 4·m4+3.
    const head = `{ let gk = ${K0} + ${e} / ${row}u; let gf = ${f0} + (${e} % ${row}u) * 4u;`;
    if (L.vec4)
      return `${head} var v = ${v4}(0.0f); if (gf < ${n}u && gk < ${nk}u) { v = ${name}[${at}(b, gf, gk) >> 2u]; } ${reg} = v; }`;
    const c = [0, 1, 2, 3].map(
      (d) => `if (gf + ${d}u < ${n}u && gk < ${nk}u) { v[${d}] = ${name}[${at}(b, gf + ${d}u, gk)]; }`,
    );
    return `${head} var v = ${v4}(0.0f); ${c.join(" ")} ${reg} = v; }`;
  };
  /** WGSL: write register `reg` (slot `sl`) into the staging buffer `sh` at vec4 offset `base`. */
  const stage = (L: OperandLayout, sh: string, reg: string, sl: number, base: string): string => {
    const e = `(li + ${sl * THREADS}u)`;
    if (L.alongK) {
      // Transpose on the way in: element (m, k) goes to row k, lane m.
      const head = `{ let m = ${e} / ${bk / 4}u; let q = (${e} % ${bk / 4}u) * 4u; let at = ${base} + m / 4u; let w = m % 4u;`;
      return `${head} ${[0, 1, 2, 3].map((d) => `${sh}[at + (q + ${d}u) * ${row}u][w] = ${reg}[${d}];`).join(" ")} }`;
    }
    return `${sh}[${base} + (${e} / ${row}u) * ${row}u + ${e} % ${row}u] = ${reg};`;
  };

  const regs: string[] = [];
  const loadAll = (K0: string): string[] => {
    const ls: string[] = [];
    for (let sl = 0; sl < per; sl++)
      ls.push(`    ${load("lhs", lhs, `pa${sl}`, sl, K0)}`, `    ${load("rhs", rhs, `pb${sl}`, sl, K0)}`);
    return ls;
  };
  const stageAll = (base: string): string[] => {
    const ls: string[] = [];
    for (let sl = 0; sl < per; sl++)
      ls.push(`    ${stage(lhs, "ta", `pa${sl}`, sl, base)}`, `    ${stage(rhs, "tb", `pb${sl}`, sl, base)}`);
    return ls;
  };
  for (let sl = 0; sl < per; sl++) regs.push(`  var pa${sl}: ${v4};`, `  var pb${sl}: ${v4};`);
  const accs: string[] = [];
  for (let r = 0; r < 4 * rh; r++) for (let h = 0; h < rh; h++) accs.push(`  var c${r}_${h} = ${v4}(0.0f);`);
  const macs: string[] = [];
  for (let kk = 0; kk < bk; kk++) {
    const lines: string[] = [];
    for (let h = 0; h < rh; h++)
      lines.push(
        `let a${h} = ta[cur + ${kk * row + 16 * h}u + ty];`,
        `let b${h} = tb[cur + ${kk * row + 16 * h}u + tx];`,
      );
    for (let r = 0; r < 4 * rh; r++) {
      const a = `a${Math.floor(r / 4)}[${r % 4}]`;
      for (let h = 0; h < rh; h++) lines.push(`c${r}_${h} = fma(${v4}(${a}), b${h}, c${r}_${h});`);
    }
    macs.push(`    { ${lines.join(" ")} }`);
  }
  const stores: string[] = [];
  for (let r = 0; r < 4 * rh; r++) {
    const i = `i0 + ${64 * Math.floor(r / 4) + (r % 4)}u + 4u * ty`;
    const parts: string[] = [];
    for (let h = 0; h < rh; h++) {
      const j = `j0 + ${64 * h}u + 4u * tx`;
      if (outVec) parts.push(`{ let j = ${j}; if (j < ${nj}u) { out[(ob + j) >> 2u] = c${r}_${h}; } }`);
      else
        parts.push(
          `{ let j = ${j}; ${[0, 1, 2, 3].map((d) => `if (j + ${d}u < ${nj}u) { out[ob + j + ${d}u] = c${r}_${h}[${d}]; }`).join(" ")} }`,
        );
    }
    stores.push(`  { let i = ${i}; if (i < ${ni}u) { let ob = (b * ${ni}u + i) * ${nj}u; ${parts.join(" ")} } }`);
  }
  const code = `@group(0) @binding(0) var<storage, read> lhs: array<${lhs.vec4 ? v4 : "f32"}>;
@group(0) @binding(1) var<storage, read> rhs: array<${rhs.vec4 ? v4 : "f32"}>;
@group(0) @binding(2) var<storage, read_write> out: array<${outVec ? v4 : "f32"}>;
var<workgroup> ta: array<${v4}, ${2 * half}>;
var<workgroup> tb: array<${v4}, ${2 * half}>;
fn lAt(b: u32, i: u32, k: u32) -> u32 { return ${lAddr}; }
fn rAt(b: u32, j: u32, k: u32) -> u32 { return ${rAddr}; }
@compute @workgroup_size(${THREADS})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let t = ${g.linear};
  if (t >= ${total}u) { return; }
  let b = t / ${tx * ty}u;
  let rest = t % ${tx * ty}u;
  let i0 = (rest / ${tx}u) * ${bm}u;
  let j0 = (rest % ${tx}u) * ${bm}u;
  let tx = li % 16u;
  let ty = li / 16u;
${accs.join("\n")}
${regs.join("\n")}
  {
${loadAll("0u").join("\n")}
${stageAll("0u").join("\n")}
  }
  workgroupBarrier();
  for (var k0 = 0u; k0 < ${nk}u; k0 += ${bk}u) {
    let cur = ((k0 / ${bk}u) % 2u) * ${half}u;
    let more = k0 + ${bk}u < ${nk}u;
    if (more) {
${loadAll(`(k0 + ${bk}u)`).join("\n")}
    }
${macs.join("\n")}
    if (more) {
      let nxt = ${half}u - cur;
${stageAll("nxt").join("\n")}
    }
    workgroupBarrier();
  }
${stores.join("\n")}
}
`;
  return {
    passes: [
      {
        code,
        bindings: [
          { slot: { in: 0 }, write: false },
          { slot: { in: 1 }, write: false },
          { slot: { out: 0 }, write: true },
        ],
        workgroups: g.workgroups,
      },
    ],
  };
}
