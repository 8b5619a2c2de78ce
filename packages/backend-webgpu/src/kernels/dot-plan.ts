/**
 * What dotGeneral and convGeneralDilated accumulate, per (operand dtype, output dtype): the WGSL
 * type of operand values and of the accumulator, how to load an operand element, the
 * multiply-accumulate step and the final store. Mirrors the CPU kernels' cases:
 *  - float32: f32 with fma (the CPU sums float64 products and rounds once: tests use a bound);
 *  - complex64: vec2 (re += xr·yr − xi·yi, im += xr·yi + xi·yr);
 *  - int32/uint32 → int32/uint32: u32 wraparound (exact in any order);
 *  - bool → bool: OR of ANDs;
 *  - bool → int32/uint32: the count of true products (u32);
 *  - int32/uint32/bool → float32: f32 products of the converted operands, fma-accumulated (the
 *    CPU forms exact float64 products; an integer beyond 2^24 rounds when converted here).
 */
import type { DType } from "@linax-ts/core";
import type { Program } from "../program.ts";
import { storageType } from "../storage.ts";
import { foldGroups } from "./reduce-plan.ts";

export interface MacPlan {
  /** WGSL type of a loaded operand value and of the accumulator. */
  readonly val: string;
  readonly acc: string;
  readonly zero: string;
  /** WGSL expression of a loaded operand element `e` (the stored value). */
  readonly load: (e: string) => string;
  /** WGSL statement adding a·b into the accumulator variable `acc`. */
  readonly mac: (acc: string, a: string, b: string) => string;
  /** WGSL expression of the stored output for the accumulator expression `acc`. */
  readonly store: (acc: string) => string;
  /** Storage type of the operands. */
  readonly inType: string;
}

const toOut = (outDt: DType) => (c: string) => (outDt === "int32" ? `bitcast<i32>(${c})` : c);

/** The multiply-accumulate plan for operands of `inDt` producing `outDt`. */
export function macPlan(inDt: DType, outDt: DType): MacPlan {
  const inType = storageType(inDt);
  if (inDt === "complex64") {
    return {
      val: "vec2<f32>",
      acc: "vec2<f32>",
      zero: "vec2<f32>(0.0f, 0.0f)",
      load: (e) => e,
      mac: (c, a, b) => `${c} += vec2<f32>(${a}.x * ${b}.x - ${a}.y * ${b}.y, ${a}.x * ${b}.y + ${a}.y * ${b}.x);`,
      store: (c) => c,
      inType,
    };
  }
  if (outDt === "float32") {
    const load =
      inDt === "bool"
        ? (e: string) => `select(0.0f, 1.0f, ${e} != 0u)`
        : inDt === "float32"
          ? (e: string) => e
          : (e: string) => `f32(${e})`;
    return {
      val: "f32",
      acc: "f32",
      zero: "0.0f",
      load,
      mac: (c, a, b) => `${c} = fma(${a}, ${b}, ${c});`,
      store: (c) => c,
      inType,
    };
  }
  if (inDt === "bool") {
    const load = (e: string) => `select(0u, 1u, ${e} != 0u)`;
    if (outDt === "bool")
      return {
        val: "u32",
        acc: "u32",
        zero: "0u",
        load,
        mac: (c, a, b) => `${c} = ${c} | (${a} & ${b});`,
        store: (c) => c,
        inType,
      };
    return {
      val: "u32",
      acc: "u32",
      zero: "0u",
      load,
      mac: (c, a, b) => `${c} += ${a} & ${b};`,
      store: toOut(outDt),
      inType,
    };
  }
  // int32/uint32 → int32/uint32: two's complement products and sums are the same bits in u32.
  const load = inDt === "int32" ? (e: string) => `bitcast<u32>(${e})` : (e: string) => e;
  return {
    val: "u32",
    acc: "u32",
    zero: "0u",
    load,
    mac: (c, a, b) => `${c} += ${a} * ${b};`,
    store: toOut(outDt),
    inType,
  };
}

/** An axis as (extent, stride) for index → offset arithmetic. */
export interface Axis {
  readonly size: number;
  readonly stride: number;
}

/** Drop size-1 axes and merge neighbours that are contiguous (outer stride = size·inner stride). */
export function compactAxes(axes: readonly Axis[]): Axis[] {
  const out: { size: number; stride: number }[] = [];
  for (const a of axes) {
    if (a.size === 1) continue;
    const last = out[out.length - 1];
    if (last !== undefined && last.stride === a.size * a.stride) {
      last.size *= a.size;
      last.stride = a.stride;
    } else out.push({ size: a.size, stride: a.stride });
  }
  return out;
}

/** WGSL expression: flat offset of row-major index `v` (u32) over `axes`. */
export function axesOffset(axes: readonly Axis[], v: string): string {
  const ax = compactAxes(axes);
  if (ax.length === 0) return "0u";
  const terms: string[] = [];
  let inner = 1;
  for (let d = ax.length - 1; d >= 0; d--) {
    let idx = inner === 1 ? v : `(${v} / ${inner}u)`;
    if (d > 0) idx = `(${idx} % ${ax[d].size}u)`;
    terms.push(ax[d].stride === 1 ? idx : `${idx} * ${ax[d].stride}u`);
    inner *= ax[d].size;
  }
  return terms.join(" + ");
}

/** A zero-filled output (nothing to contract): written without binding the (empty) operands. */
export function zerosProgram(size: number, type: string, zero: string): Program {
  if (size === 0) return { passes: [] };
  const g = foldGroups(Math.ceil(size / 64));
  const code = `@group(0) @binding(0) var<storage, read_write> out: array<${type}>;
@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let q = ${g.linear} * 64u + lid.x;
  if (q < ${size}u) { out[q] = ${zero}; }
}
`;
  return { passes: [{ code, bindings: [{ slot: { out: 0 }, write: true }], workgroups: g.workgroups }] };
}

/**
 * The one-pass program of a contraction kernel (dotGeneral, convGeneralDilated): `body` (the WGSL
 * after the bindings) reads lhs (input 0) and rhs (input 1), both in the operands' storage type,
 * and writes `out` (output 0, of WGSL type `outType`).
 */
export function contractionProgram(
  mp: MacPlan,
  outType: string,
  body: string,
  workgroups: readonly [number, number, number],
): Program {
  const code = `@group(0) @binding(0) var<storage, read> lhs: array<${mp.inType}>;
@group(0) @binding(1) var<storage, read> rhs: array<${mp.inType}>;
@group(0) @binding(2) var<storage, read_write> out: array<${outType}>;
${body}`;
  return {
    passes: [
      {
        code,
        bindings: [
          { slot: { in: 0 }, write: false },
          { slot: { in: 1 }, write: false },
          { slot: { out: 0 }, write: true },
        ],
        workgroups,
      },
    ],
  };
}
