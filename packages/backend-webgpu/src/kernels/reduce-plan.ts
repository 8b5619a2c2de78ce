/**
 * Shape planning shared by the reduction and scan kernels: merge adjacent axes that are both
 * reduced (or both kept) into one, drop size-1 axes, and emit WGSL that maps (output row j,
 * reduced index r) to the flat input index. Both index spaces are row-major over their axes in
 * input order, which is the CPU kernels' visiting order.
 */
import { strides } from "../program.ts";

/** A merged axis of the input: its extent, flat stride, and whether it is reduced. */
export interface MergedDim {
  readonly size: number;
  readonly stride: number;
  readonly reduced: boolean;
}

/** Merge runs of adjacent reduced/kept axes (row-major contiguous), dropping size-1 axes. */
export function mergeDims(shape: readonly number[], axes: readonly number[]): MergedDim[] {
  const st = strides(shape);
  const out: { size: number; stride: number; reduced: boolean }[] = [];
  for (let d = 0; d < shape.length; d++) {
    if (shape[d] === 1) continue;
    const reduced = axes.includes(d);
    const last = out[out.length - 1];
    // Adjacent (after dropping 1s) dims of equal status merge: last.stride == size·stride holds
    // because the dims in between have size 1.
    if (last !== undefined && last.reduced === reduced && last.stride === shape[d] * st[d]) {
      last.size *= shape[d];
      last.stride = st[d];
    } else out.push({ size: shape[d], stride: st[d], reduced });
  }
  return out;
}

/** WGSL expression: flat offset of row-major index `v` over `dims` (their sizes and strides). */
export function offsetExpr(dims: readonly MergedDim[], v: string): string {
  if (dims.length === 0) return "0u";
  const terms: string[] = [];
  let inner = 1;
  for (let d = dims.length - 1; d >= 0; d--) {
    const { size, stride } = dims[d];
    let idx = inner === 1 ? v : `(${v} / ${inner}u)`;
    if (d > 0) idx = `(${idx} % ${size}u)`;
    terms.push(stride === 1 ? idx : `${idx} * ${stride}u`);
    inner *= size;
  }
  return terms.join(" + ");
}

/** The smallest power of two ≥ n (1 for n ≤ 1). */
export function nextPow2(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/** Fold `groups` workgroups into a 2-d grid; WGSL for the linear group index is `wid.x + wid.y * gx`. */
export function foldGroups(groups: number): { workgroups: [number, number, number]; linear: string } {
  const g = Math.max(1, groups);
  const x = Math.min(g, 65535);
  const y = Math.ceil(g / x);
  return { workgroups: [x, y, 1], linear: `(wid.x + wid.y * ${x}u)` };
}

/** Runtime ±inf for kernels using WGSL_ISNAN (see f32bits there). */
export const INF = "f32bits(0x7f800000u)";
export const NINF = "f32bits(0xff800000u)";

/** WGSL NaN tests that do not depend on the compiler honouring IEEE comparisons with NaN. */
export const WGSL_ISNAN = /* wgsl */ `
fn isnanf(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }
fn isnanc(x: vec2<f32>) -> bool { return isnanf(x.x) || isnanf(x.y); }
// A float from its bits at run time: \`bitcast<f32>(0x7f800000u)\` as a constant expression is
// a shader-creation error (infinities are not representable in WGSL constant evaluation).
fn f32bits(b: u32) -> f32 { var v = b; return bitcast<f32>(v); }
`;
