/**
 * The register-blocked dotGeneral kernel: a 16×16 workgroup computes a 64×64 output tile, each
 * thread a 4×4 block (rows ty + 16r, columns tx + 16c, so neighbouring threads read neighbouring
 * workgroup-memory words). Per step of 16 along k, the workgroup stages a 64×16 lhs tile and a
 * 16×64 rhs tile (4 elements per thread each; zero past the edges). Every output still
 * accumulates its k terms in increasing k order, as the simple kernel does.
 */
import type { Program } from "../program.ts";
import { foldGroups } from "./reduce-plan.ts";
import { contractionProgram, type MacPlan } from "./dot-plan.ts";

const TM = 64;
const TK = 16;
const R = 4;

/** Extents of the contraction: batch, lhs free, rhs free, contracted. */
export interface DotShape {
  readonly nb: number;
  readonly ni: number;
  readonly nj: number;
  readonly nk: number;
}

/**
 * The blocked program; `lAddr`/`rAddr` are WGSL flat offsets of lhs[b, i, k] and rhs[b, j, k]
 * in terms of `b`, `i`/`j`, `k`.
 */
export function blockedProgram(mp: MacPlan, outType: string, lAddr: string, rAddr: string, s: DotShape): Program {
  const { nb, ni, nj, nk } = s;
  const tx = Math.ceil(nj / TM);
  const ty = Math.ceil(ni / TM);
  const g = foldGroups(nb * tx * ty);
  const accs: string[] = [];
  const macs: string[] = [];
  const stores: string[] = [];
  for (let r = 0; r < R; r++) {
    macs.push(`      let a${r} = tl[(lid.y + ${16 * r}u) * ${TK}u + kk];`);
  }
  for (let c = 0; c < R; c++) macs.push(`      let b${c} = tr[kk * ${TM}u + lid.x + ${16 * c}u];`);
  for (let r = 0; r < R; r++) {
    for (let c = 0; c < R; c++) {
      accs.push(`  var acc${r}${c}: ${mp.acc} = ${mp.zero};`);
      macs.push(`      ${mp.mac(`acc${r}${c}`, `a${r}`, `b${c}`)}`);
      stores.push(
        `  if (live && i0 + lid.y + ${16 * r}u < ${ni}u && j0 + lid.x + ${16 * c}u < ${nj}u) { out[(b * ${ni}u + i0 + lid.y + ${16 * r}u) * ${nj}u + j0 + lid.x + ${16 * c}u] = ${mp.store(`acc${r}${c}`)}; }`,
      );
    }
  }
  const loads: string[] = [];
  for (let e = 0; e < (TM * TK) / 256; e++) {
    // lhs tile [64 i][16 k]: k fastest across threads; rhs tile [16 k][64 j]: j fastest.
    loads.push(`    {
      let f = lid.y * 16u + lid.x + ${e * 256}u;
      let li = i0 + f / ${TK}u;
      let lk = k0 + f % ${TK}u;
      var lv: ${mp.val} = ${mp.zero};
      if (live && li < ${ni}u && lk < ${nk}u) { lv = ${mp.load("lhs[lAt(b, li, lk)]")}; }
      tl[f] = lv;
      let rk = k0 + f / ${TM}u;
      let rj = j0 + f % ${TM}u;
      var rv: ${mp.val} = ${mp.zero};
      if (live && rk < ${nk}u && rj < ${nj}u) { rv = ${mp.load("rhs[rAt(b, rj, rk)]")}; }
      tr[f] = rv;
    }`);
  }
  const body = `var<workgroup> tl: array<${mp.val}, ${TM * TK}>;
var<workgroup> tr: array<${mp.val}, ${TK * TM}>;
fn lAt(b: u32, i: u32, k: u32) -> u32 { return ${lAddr}; }
fn rAt(b: u32, j: u32, k: u32) -> u32 { return ${rAddr}; }
@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let t = ${g.linear};
  let b = t / ${tx * ty}u;
  let live = b < ${nb}u;
  let rest = t % ${tx * ty}u;
  let i0 = (rest / ${tx}u) * ${TM}u;
  let j0 = (rest % ${tx}u) * ${TM}u;
${accs.join("\n")}
  for (var k0 = 0u; k0 < ${nk}u; k0 += ${TK}u) {
${loads.join("\n")}
    workgroupBarrier();
    let kn = min(${TK}u, ${nk}u - k0);
    for (var kk = 0u; kk < kn; kk++) {
${macs.join("\n")}
    }
    workgroupBarrier();
  }
${stores.join("\n")}
}
`;
  return contractionProgram(mp, outType, body, g.workgroups);
}
