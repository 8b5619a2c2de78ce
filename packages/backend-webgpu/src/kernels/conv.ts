/**
 * convGeneralDilated kernel: a direct convolution over arbitrary layouts, one thread per output
 * element. For output position s and kernel tap t, the coordinate in the dilated, padded input is
 * `s·stride + t·rhsDilation − padLo`; it hits a real input element when it is a multiple of
 * `lhsDilation` and in range (negative padding crops). Feature groups pair output feature block g
 * with input feature block g; batch groups pair output feature block g with input batch block g
 * (XLA semantics, as the CPU kernel). Taps are visited in row-major order and input channels
 * innermost, as the CPU kernel does; what is accumulated per dtype is dot-plan.ts's `macPlan`.
 */
import { lax, type ShapedArray } from "@linax-ts/core";
import { registerKernel } from "../registry.ts";
import { strides, unravel, type Program } from "../program.ts";
import { storageType } from "../storage.ts";
import { foldGroups } from "./reduce-plan.ts";
import { contractionProgram, macPlan, zerosProgram } from "./dot-plan.ts";
import { depthwiseConv1dProgram } from "./conv-depthwise.ts";

registerKernel(
  "convGeneralDilated",
  ([xa, wa]: readonly ShapedArray[], [oa]: readonly ShapedArray[], params): Program => {
    const p = params as unknown as lax.ConvParams;
    const { lhsSpec: ls, rhsSpec: rs, outSpec: os } = p.dimensionNumbers;
    const ns = ls.length - 2;
    const xs = strides(xa.shape);
    const wsr = strides(wa.shape);
    const { N, BG, Cg, Og, Ob } = lax.convGroupSizes(xa.shape, wa.shape, p);
    const mp = macPlan(xa.dtype, oa.dtype);
    const outType = storageType(oa.dtype);
    if (oa.size === 0) return { passes: [] };
    // Nothing to contract (no channels, no taps, or an empty input): zeros, operands unbound.
    if (xa.size === 0 || wa.size === 0) return zerosProgram(oa.size, outType, mp.store(mp.zero));
    // Depthwise 1-D (Mamba's causal conv1d): its own kernel, same numerics (conv-depthwise.ts).
    const dw = depthwiseConv1dProgram(xa, wa, oa, p);
    if (dw !== undefined) return dw;
    const xC = xs[ls[1]];
    const wI = wsr[rs[1]];
    const open: string[] = [];
    const close: string[] = [];
    const xo: string[] = [];
    const wo: string[] = [];
    for (let d = 0; d < ns; d++) {
      const K = wa.shape[rs[2 + d]];
      const inD = xa.shape[ls[2 + d]];
      const dil = p.lhsDilation[d];
      const ind = "  ".repeat(d + 2);
      open.push(`${ind}for (var t${d} = 0; t${d} < ${K}; t${d}++) {`);
      // Signed: the coordinate may fall in the low padding.
      open.push(
        `${ind}  let p${d} = s${d} * ${p.windowStrides[d]} + t${d} * ${p.rhsDilation[d]} - (${p.padding[d][0]});`,
      );
      open.push(`${ind}  if (p${d} < 0) { continue; }`);
      if (dil !== 1) open.push(`${ind}  if (p${d} % ${dil} != 0) { continue; }`);
      open.push(`${ind}  let q${d} = ${dil === 1 ? `p${d}` : `p${d} / ${dil}`};`);
      open.push(`${ind}  if (q${d} >= ${inD}) { continue; }`);
      close.unshift(`${ind}}`);
      xo.push(`u32(q${d}) * ${xs[ls[2 + d]]}u`);
      wo.push(`u32(t${d}) * ${wsr[rs[2 + d]]}u`);
    }
    const ind = "  ".repeat(ns + 2);
    const spatial = globalThis.Array.from({ length: ns }, (_, d) => `  let s${d} = i32(idx${os[2 + d]});`);
    const g = foldGroups(Math.ceil(oa.size / 64));
    const body = `@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let q = ${g.linear} * 64u + lid.x;
  if (q >= ${oa.size}u) { return; }
${unravel(oa.shape, "q")}
  let n = idx${os[0]};
  let o = idx${os[1]};
${spatial.join("\n")}
  // Batch group o / Ob reads input batch block (o / Ob)·(N / BG); feature group o / Og reads
  // input channels (o / Og)·Cg ...
  let xBase = ((o / ${Ob}u) * ${N / BG}u + n) * ${xs[ls[0]]}u + (o / ${Og}u) * ${Cg * xC}u;
  let wBase = o * ${wsr[rs[0]]}u;
  var acc: ${mp.acc} = ${mp.zero};
${open.join("\n")}
${ind}let xb = xBase + ${xo.length === 0 ? "0u" : xo.join(" + ")};
${ind}let wb = wBase + ${wo.length === 0 ? "0u" : wo.join(" + ")};
${ind}for (var c = 0u; c < ${Cg}u; c++) {
${ind}  let a = ${mp.load(`lhs[xb + c * ${xC}u]`)};
${ind}  let b = ${mp.load(`rhs[wb + c * ${wI}u]`)};
${ind}  ${mp.mac("acc", "a", "b")}
${ind}}
${close.join("\n")}
  out[q] = ${mp.store("acc")};
}
`;
    return contractionProgram(mp, outType, body, g.workgroups);
  },
);
