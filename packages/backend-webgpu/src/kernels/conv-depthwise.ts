/**
 * Depthwise 1-D convolution (`convGeneralDilated` with one spatial dimension, one input channel
 * per feature group — featureGroupCount = channels, as Mamba's causal conv1d and any
 * `groups = channels` Conv1d — no lhs dilation, no batch groups), any layout, any channel
 * multiplier. The general kernel (conv.ts) walks every tap with a channel loop and div/mod
 * address arithmetic per output; here each thread computes R consecutive output positions of
 * one (batch, channel): the K weights are loaded once, and with stride 1 and no rhs dilation the
 * R + K − 1 inputs of the sliding window are loaded once each (R·K loads otherwise). Threads are
 * numbered in the output's memory order with the spatial axis taken R at a time, so in the
 * channels-last layout ([batch, L, C]) neighbouring threads read neighbouring channels.
 *
 * Numerics equal the general kernel's: for each output, taps in ascending order, each an `fma`
 * (dot-plan.ts's `macPlan`) into the accumulator; taps that fall in the padding are skipped (not
 * multiplied by zero), so an infinite weight there gives no NaN — the CPU kernel's convention.
 */
import type { lax, ShapedArray } from "@linax-ts/core";
import { strides, unravel, type Program } from "../program.ts";
import { storageType } from "../storage.ts";
import { foldGroups } from "./reduce-plan.ts";
import { contractionProgram, macPlan } from "./dot-plan.ts";

/** Output positions per thread. */
const R = 4;
/** Largest kernel the unrolled form takes (larger ones use the general kernel). */
const MAX_TAPS = 64;

/** The depthwise program, or undefined when the convolution is not a depthwise 1-D one. */
export function depthwiseConv1dProgram(
  xa: ShapedArray,
  wa: ShapedArray,
  oa: ShapedArray,
  p: lax.ConvParams,
): Program | undefined {
  const { lhsSpec: ls, rhsSpec: rs, outSpec: os } = p.dimensionNumbers;
  if (ls.length !== 3 || p.batchGroupCount !== 1 || p.lhsDilation[0] !== 1) return undefined;
  const C = xa.shape[ls[1]];
  if (p.featureGroupCount !== C || wa.shape[rs[1]] !== 1) return undefined;
  const K = wa.shape[rs[2]];
  if (K < 1 || K > MAX_TAPS || xa.size === 0 || oa.size === 0) return undefined;
  const Og = oa.shape[os[1]] / C;
  const inW = xa.shape[ls[2]];
  const W = oa.shape[os[2]];
  const stride = p.windowStrides[0];
  const dil = p.rhsDilation[0];
  const padLo = p.padding[0][0];
  const mp = macPlan(xa.dtype, oa.dtype);
  const xs = strides(xa.shape);
  const wsr = strides(wa.shape);
  const ost = strides(oa.shape);
  const WB = Math.ceil(W / R);
  const red = oa.shape.map((d, i) => (i === os[2] ? WB : d));
  const threads = red.reduce((a, b) => a * b, 1);
  const g = foldGroups(Math.ceil(threads / 64));
  const lines: string[] = [];
  for (let t = 0; t < K; t++) lines.push(`  let w${t} = ${mp.load(`rhs[wBase + ${t * wsr[rs[2]]}u]`)};`);
  // Input position of output s0 + r, tap t: (s0 + r)·stride + t·dil − padLo (signed: may be in the padding).
  const slide = stride === 1 && dil === 1;
  if (slide) {
    for (let j = 0; j < R + K - 1; j++) {
      lines.push(`  let p${j} = i32(s0) + (${j - padLo});`);
      lines.push(`  let ok${j} = p${j} >= 0 && p${j} < ${inW};`);
      lines.push(`  let v${j} = ${mp.load(`lhs[xBase + u32(clamp(p${j}, 0, ${inW - 1})) * ${xs[ls[2]]}u]`)};`);
    }
  }
  for (let r = 0; r < R; r++) {
    lines.push(`  if (s0 + ${r}u < ${W}u) {`);
    lines.push(`    var acc: ${mp.acc} = ${mp.zero};`);
    for (let t = 0; t < K; t++) {
      if (slide) lines.push(`    if (ok${r + t}) { ${mp.mac("acc", `v${r + t}`, `w${t}`)} }`);
      else {
        lines.push(`    { let pp = i32(s0 + ${r}u) * ${stride} + (${t * dil - padLo});`);
        lines.push(
          `      if (pp >= 0 && pp < ${inW}) { let v = ${mp.load(`lhs[xBase + u32(pp) * ${xs[ls[2]]}u]`)}; ${mp.mac("acc", "v", `w${t}`)} } }`,
        );
      }
    }
    lines.push(`    out[oBase + (s0 + ${r}u) * ${ost[os[2]]}u] = ${mp.store("acc")};`);
    lines.push(`  }`);
  }
  const body = `@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let q = ${g.linear} * 64u + lid.x;
  if (q >= ${threads}u) { return; }
${unravel(red, "q")}
  let n = idx${os[0]};
  let o = idx${os[1]};
  let s0 = idx${os[2]} * ${R}u;
  // Output channel o reads input channel o / Og (Og = channel multiplier).
  let xBase = n * ${xs[ls[0]]}u + (o / ${Og}u) * ${xs[ls[1]]}u;
  let wBase = o * ${wsr[rs[0]]}u;
  let oBase = n * ${ost[os[0]]}u + o * ${ost[os[1]]}u;
${lines.join("\n")}
}
`;
  return contractionProgram(mp, storageType(oa.dtype), body, g.workgroups);
}
