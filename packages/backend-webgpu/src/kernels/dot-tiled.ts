/**
 * The large-tile float32 dotGeneral kernel: a 16×16 workgroup computes a 128×128 output tile,
 * each thread an 8×8 block (rows ty + 16r, columns tx + 16c), staging 8-deep k slices of both
 * operands in workgroup memory (`[k][m]` and `[k][n]`, so a thread's 8 row values and 8 column
 * values are conflict-free reads). Each loaded element feeds 128 products and each pair of
 * register loads 64 fmas — the layout of the `reg128x128k8` kernel measured at ~29–30 TFLOP/s on
 * the H100 (../shared/device/README.md), here with dotGeneral's general addressing: batch axes,
 * any dimension numbers (transposed operands are read in place; tiles are staged along whichever
 * axis is contiguous, so loads stay coalesced) and edges.
 *
 * Numerics: every output accumulates fma(a_k, b_k, acc) in increasing k, as the 16×16 and 64×64
 * kernels do (dot.ts, dot-blocked.ts), so the three give identical bits.
 */
import type { Program } from "../program.ts";
import { foldGroups } from "./reduce-plan.ts";
import { contractionProgram, type MacPlan } from "./dot-plan.ts";
import type { DotShape } from "./dot-blocked.ts";

const BM = 128;
const BK = 8;
const R = 8;

/** How each operand's tile is staged: along k (k contiguous) or along the free axis. */
export interface TileLoadOrder {
  readonly lhsAlongK: boolean;
  readonly rhsAlongK: boolean;
}

/**
 * The 128×128 program for float32 operands; `lAddr`/`rAddr` are the WGSL flat offsets of
 * lhs[b, i, k] and rhs[b, j, k] in terms of `b`, `i`/`j`, `k` (dot.ts).
 */
export function tiledProgram(
  mp: MacPlan,
  outType: string,
  lAddr: string,
  rAddr: string,
  s: DotShape,
  order: TileLoadOrder,
): Program {
  const { nb, ni, nj, nk } = s;
  const tx = Math.ceil(nj / BM);
  const ty = Math.ceil(ni / BM);
  const g = foldGroups(nb * tx * ty);
  const per = (BM * BK) / 256; // elements of each tile a thread stages
  // Bounds checks only where a tile can pass an edge (static shapes): the common aligned case
  // runs without them, and with a constant-trip inner loop the compiler unrolls.
  const evenI = ni % BM === 0;
  const evenJ = nj % BM === 0;
  const evenK = nk % BK === 0;
  const evenB = g.workgroups[0] * g.workgroups[1] === nb * tx * ty; // no workgroup past the last batch
  const cond = (parts: (string | false)[]): string => {
    const c = parts.filter((p): p is string => p !== false);
    return c.length === 0 ? "true" : c.join(" && ");
  };
  const lCond = cond([!evenB && "live", !evenI && `gi < ${ni}u`, !evenK && `gk < ${nk}u`]);
  const rCond = cond([!evenB && "live", !evenJ && `gj < ${nj}u`, !evenK && `gk < ${nk}u`]);
  // Element e of the staging order → (free index m, k): free-major when the free axis is contiguous.
  const coords = (alongK: boolean): string =>
    alongK ? `let m = e / ${BK}u; let kk = e % ${BK}u;` : `let kk = e / ${BM}u; let m = e % ${BM}u;`;
  const stores: string[] = [];
  for (let r = 0; r < R; r++) {
    stores.push(`  {
    let i = i0 + lid.y + ${16 * r}u;
    if (live && i < ${ni}u) {
      for (var c = 0u; c < ${R}u; c++) {
        let j = j0 + lid.x + c * 16u;
        if (j < ${nj}u) { out[(b * ${ni}u + i) * ${nj}u + j] = ${mp.store(`acc[${r * R}u + c]`)}; }
      }
    }
  }`);
  }
  const body = `var<workgroup> tl: array<f32, ${BK * BM}>;
var<workgroup> tr: array<f32, ${BK * BM}>;
fn lAt(b: u32, i: u32, k: u32) -> u32 { return ${lAddr}; }
fn rAt(b: u32, j: u32, k: u32) -> u32 { return ${rAddr}; }
@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let t = ${g.linear};
  let b = t / ${tx * ty}u;
  let live = b < ${nb}u;
  let rest = t % ${tx * ty}u;
  let i0 = (rest / ${tx}u) * ${BM}u;
  let j0 = (rest % ${tx}u) * ${BM}u;
  var acc: array<f32, ${R * R}>;
  for (var q = 0u; q < ${R * R}u; q++) { acc[q] = 0.0f; }
  var ra: array<f32, ${R}>;
  var rb: array<f32, ${R}>;
  for (var k0 = 0u; k0 < ${nk}u; k0 += ${BK}u) {
    for (var s = 0u; s < ${per}u; s++) {
      let e = li + s * 256u;
      { ${coords(order.lhsAlongK)}
        let gi = i0 + m; let gk = k0 + kk;
        var v = 0.0f;
        if (${lCond}) { v = lhs[lAt(b, gi, gk)]; }
        tl[kk * ${BM}u + m] = v; }
      { ${coords(order.rhsAlongK)}
        let gj = j0 + m; let gk = k0 + kk;
        var v = 0.0f;
        if (${rCond}) { v = rhs[rAt(b, gj, gk)]; }
        tr[kk * ${BM}u + m] = v; }
    }
    workgroupBarrier();
    let kn = ${evenK ? `${BK}u` : `min(${BK}u, ${nk}u - k0)`};
    for (var kk = 0u; kk < kn; kk++) {
      for (var r = 0u; r < ${R}u; r++) { ra[r] = tl[kk * ${BM}u + lid.y + r * 16u]; }
      for (var c = 0u; c < ${R}u; c++) { rb[c] = tr[kk * ${BM}u + lid.x + c * 16u]; }
      for (var r = 0u; r < ${R}u; r++) {
        for (var c = 0u; c < ${R}u; c++) { acc[r * ${R}u + c] = fma(ra[r], rb[c], acc[r * ${R}u + c]); }
      }
    }
    workgroupBarrier();
  }
${stores.join("\n")}
}
`;
  return contractionProgram(mp, outType, body, g.workgroups);
}
