/**
 * dotGeneral kernel: out[b, i, j] = Σ_k lhs[b, i, k] · rhs[b, k, j] over arbitrary dimension
 * numbers. The operands are read in place through offset arithmetic baked into the WGSL (batch,
 * free and contracting index → flat offset, with contiguous axes merged), so no transpose pass is
 * needed. Tiled: a 16×16 workgroup computes a 16×16 output tile, staging 16×16 tiles of both
 * operands along k in workgroup memory (each loaded element is used 16 times); when both free
 * extents are ≥ 32, each thread instead computes a 4×4 block of a 64×64 tile (dot-blocked.ts),
 * so each loaded element is used 64 times and each shared read feeds 4 products. What is
 * accumulated per dtype is dot-plan.ts's `macPlan` (float32 with fma in k order, complex, u32
 * wraparound, bool OR/count, integer → float32).
 */
import type { lax, ShapedArray } from "@linax-ts/core";
import { registerKernel } from "../registry.ts";
import { strides } from "../program.ts";
import { foldGroups } from "./reduce-plan.ts";
import { axesOffset, compactAxes, contractionProgram, macPlan, zerosProgram, type Axis } from "./dot-plan.ts";
import { blockedProgram } from "./dot-blocked.ts";
import { tiledProgram } from "./dot-tiled.ts";
import { chooseVec4Tuning, vec4Program, vec4Readable, type Vec4Tuning } from "./dot-vec4.ts";

const T = 16;

function freeDims(ndim: number, a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < ndim; i++) if (!a.includes(i) && !b.includes(i)) out.push(i);
  return out;
}

/** Which kernel computes a dotGeneral: chosen by shape, or forced (tests compare them). */
export type DotVariant = "simple" | "blocked" | "tiled" | "vec4";

/** Whether the innermost of `axes` (compacted) is contiguous: staging along it coalesces. */
const innermostContiguous = (axes: readonly Axis[]): boolean => {
  const c = compactAxes(axes);
  return c.length > 0 && c[c.length - 1].stride === 1;
};

registerKernel("dotGeneral", ([xa, ya], [oa], params) =>
  dotGeneralProgram(xa, ya, oa, params as unknown as lax.DotGeneralParams),
);

/**
 * The dotGeneral program: float32 with both free extents ≥ 64 takes the vec4 register-blocked
 * kernel (dot-vec4.ts: 128×128 or 64×64 tiles by size), other dtypes/shapes with free extents
 * ≥ 32 the 64×64 blocks (dot-blocked.ts), the rest 16×16 tiles; "tiled" (the scalar 128×128
 * kernel, dot-tiled.ts) only when forced. All accumulate each output in increasing k order, so
 * they agree bit for bit. `tune` forces the vec4 kernel's tile (tests, benchmarks).
 */
export function dotGeneralProgram(
  xa: ShapedArray,
  ya: ShapedArray,
  oa: ShapedArray,
  p: lax.DotGeneralParams,
  force?: DotVariant,
  tune?: Vec4Tuning,
) {
  const [[lc, rc], [lb, rb]] = [p.contractingDims, p.batchDims];
  const ls = strides(xa.shape);
  const rs = strides(ya.shape);
  const axes = (shape: readonly number[], st: readonly number[], dims: readonly number[]): Axis[] =>
    dims.map((d) => ({ size: shape[d], stride: st[d] }));
  const lFree = freeDims(xa.ndim, lc, lb);
  const rFree = freeDims(ya.ndim, rc, rb);
  const nb = lb.reduce((a, d) => a * xa.shape[d], 1);
  const ni = lFree.reduce((a, d) => a * xa.shape[d], 1);
  const nj = rFree.reduce((a, d) => a * ya.shape[d], 1);
  const nk = lc.reduce((a, d) => a * xa.shape[d], 1);
  const mp = macPlan(xa.dtype, oa.dtype);
  const outType =
    oa.dtype === "bool"
      ? "u32"
      : oa.dtype === "complex64"
        ? "vec2<f32>"
        : oa.dtype === "float32"
          ? "f32"
          : oa.dtype === "int32"
            ? "i32"
            : "u32";
  if (oa.size === 0) return { passes: [] };
  if (nk === 0) return zerosProgram(oa.size, outType, mp.store(mp.zero));
  const lAddr = `${axesOffset(axes(xa.shape, ls, lb), "b")} + ${axesOffset(axes(xa.shape, ls, lFree), "i")} + ${axesOffset(axes(xa.shape, ls, lc), "k")}`;
  const rAddr = `${axesOffset(axes(ya.shape, rs, rb), "b")} + ${axesOffset(axes(ya.shape, rs, rFree), "j")} + ${axesOffset(axes(ya.shape, rs, rc), "k")}`;
  const shape = { nb, ni, nj, nk };
  const f32 = xa.dtype === "float32" && ya.dtype === "float32" && oa.dtype === "float32";
  const variant = force ?? (f32 && ni >= 64 && nj >= 64 ? "vec4" : ni >= 32 && nj >= 32 ? "blocked" : "simple");
  if (variant === "vec4" && f32) {
    const [lB, lF, lK] = [axes(xa.shape, ls, lb), axes(xa.shape, ls, lFree), axes(xa.shape, ls, lc)];
    const [rB, rF, rK] = [axes(ya.shape, rs, rb), axes(ya.shape, rs, rFree), axes(ya.shape, rs, rc)];
    // Stage along whichever axis is contiguous (coalesced reads), as vec4s where aligned.
    const layout = (bAx: Axis[], fAx: Axis[], kAx: Axis[]) => {
      const alongK = innermostContiguous(kAx) || !innermostContiguous(fAx);
      return { alongK, vec4: alongK ? vec4Readable(kAx, [...bAx, ...fAx]) : vec4Readable(fAx, [...bAx, ...kAx]) };
    };
    return vec4Program(lAddr, rAddr, shape, layout(lB, lF, lK), layout(rB, rF, rK), tune ?? chooseVec4Tuning(shape));
  }
  if (variant === "tiled" && f32) {
    const order = {
      lhsAlongK: innermostContiguous(axes(xa.shape, ls, lc)),
      rhsAlongK: innermostContiguous(axes(ya.shape, rs, rc)),
    };
    return tiledProgram(mp, outType, lAddr, rAddr, shape, order);
  }
  if (variant === "blocked") return blockedProgram(mp, outType, lAddr, rAddr, shape);
  const tx = Math.ceil(nj / T);
  const ty = Math.ceil(ni / T);
  const g = foldGroups(nb * tx * ty);
  const body = `var<workgroup> tl: array<${mp.val}, ${T * T}>;
var<workgroup> tr: array<${mp.val}, ${T * T}>;
fn lAt(b: u32, i: u32, k: u32) -> u32 { return ${lAddr}; }
fn rAt(b: u32, j: u32, k: u32) -> u32 { return ${rAddr}; }
@compute @workgroup_size(${T}, ${T})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let t = ${g.linear};
  let b = t / ${tx * ty}u;
  let live = b < ${nb}u;
  let rest = t % ${tx * ty}u;
  let i0 = (rest / ${tx}u) * ${T}u;
  let j0 = (rest % ${tx}u) * ${T}u;
  let i = i0 + lid.y;
  let j = j0 + lid.x;
  var acc: ${mp.acc} = ${mp.zero};
  for (var k0 = 0u; k0 < ${nk}u; k0 += ${T}u) {
    // Thread (x, y) stages lhs[i0 + y, k0 + x] and rhs[k0 + y, j0 + x] (zero past the edges).
    let li = i0 + lid.y;
    let lk = k0 + lid.x;
    var lv: ${mp.val} = ${mp.zero};
    if (live && li < ${ni}u && lk < ${nk}u) { lv = ${mp.load("lhs[lAt(b, li, lk)]")}; }
    tl[lid.y * ${T}u + lid.x] = lv;
    let rk = k0 + lid.y;
    let rj = j0 + lid.x;
    var rv: ${mp.val} = ${mp.zero};
    if (live && rk < ${nk}u && rj < ${nj}u) { rv = ${mp.load("rhs[rAt(b, rj, rk)]")}; }
    tr[lid.y * ${T}u + lid.x] = rv;
    workgroupBarrier();
    let kn = min(${T}u, ${nk}u - k0);
    for (var kk = 0u; kk < kn; kk++) {
      let a = tl[lid.y * ${T}u + kk];
      let c = tr[kk * ${T}u + lid.x];
      ${mp.mac("acc", "a", "c")}
    }
    workgroupBarrier();
  }
  if (live && i < ${ni}u && j < ${nj}u) { out[(b * ${ni}u + i) * ${nj}u + j] = ${mp.store("acc")}; }
}
`;
  return contractionProgram(mp, outType, body, g.workgroups);
}
