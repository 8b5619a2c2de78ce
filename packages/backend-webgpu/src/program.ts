/**
 * What a WGSL kernel hands the backend: a `Program` of one or more compute passes over the
 * primitive's inputs, outputs and scratch buffers. Kernels only *describe* work; the backend
 * (backend.ts) allocates, compiles (pipelines are cached by WGSL source), binds and enqueues.
 *
 * Shapes, strides and other static params are baked into the WGSL text as constants, so one
 * pipeline serves one (primitive, shapes, params) signature — the cache key is the source.
 * Passes that differ only in a few numbers (sort's merge stages, loops) pass them as uniforms.
 */
import { halfBitsFromNumber, stridesOf, type DType } from "@linax-ts/core";
import { storageType } from "./storage.ts";

/** A buffer a pass binds: the primitive's i-th input or output, or the kernel's i-th scratch buffer. */
export type Slot = { readonly in: number } | { readonly out: number } | { readonly temp: number };

export interface Binding {
  readonly slot: Slot;
  /** Bound read_write (outputs, scratch) rather than read-only. */
  readonly write: boolean;
}

export interface Pass {
  /** A whole WGSL module whose compute entry point is `main`. */
  readonly code: string;
  /** Storage buffers at @group(0) @binding(0..n-1), in order. */
  readonly bindings: readonly Binding[];
  /** 32-bit words bound after the storage buffers as `var<uniform>` (binding n), when present. */
  readonly uniforms?: Uint32Array;
  readonly workgroups: readonly [number, number, number];
}

export interface Program {
  readonly passes: readonly Pass[];
  /** Byte sizes of scratch buffers (`{ temp: i }`), freed after the program's work is submitted. */
  readonly temps?: readonly number[];
}

/** One WGSL storage binding declaration with its slot, as `declare` turns it into source. */
export interface BufferDecl {
  readonly name: string;
  readonly slot: Slot;
  /** Element type: a dtype (stored as storage.ts says) or a raw WGSL type. */
  readonly type: DType | string;
  readonly write?: boolean;
}

const DTYPES = new Set(["float32", "int32", "uint32", "bool", "complex64"]);

/**
 * A user function, so that its calls are runtime expressions: WGSL evaluates
 * `bitcast<f32>(0x7fc00000u)` as a constant expression, and constant NaN/inf is a shader-creation
 * error. `declare` emits it in every module, which is how non-finite literals (`f32`) can exist.
 */
const BITS_F32_FN = "fn linax_f32_bits(b: u32) -> f32 { return bitcast<f32>(b); }";

/**
 * A runtime zero (`grid`'s header sets it from the thread index, which the compiler cannot bound)
 * and `linax_fence(x) = x - linax_opq` (minus: -0 - 0 keeps its sign, -0 + 0 would not): wrapping a product in it makes the product's *rounded*
 * value what later operations see. Vulkan drivers may contract \`a * b + c\` into one fused
 * multiply-add (NVIDIA's do), which silently breaks error-free transformations (Dekker's split,
 * TwoProd, exact remainders) that rely on each product being rounded; contracting the fence
 * itself only gives fma(a, b, -0) = round(a * b). Optimisers cannot drop `- linax_opq` (unlike
 * `- 0.0`, which they may fold and then contract).
 */
const FENCE = "var<private> linax_opq: f32;\nfn linax_fence(x: f32) -> f32 { return x - linax_opq; }";

/**
 * Whether this device's WGSL \`fma\` is a true fused multiply-add, measured once per device by the
 * backend (backend.ts \`probeFusedFma\`) and passed as a pipeline-overridable constant, so that
 * one WGSL text serves both kinds of device and the compiler drops the unused branch. Exact
 * arithmetic helpers use \`fma\` when it is fused; otherwise Dekker's split. (NVIDIA's fma is fused,
 * but its compiler also simplifies \`c - (c - a)\` to \`a\`, which defeats the split; SwiftShader's
 * fma rounds twice.)
 */
export const FUSED_FMA_OVERRIDE = "override LINAX_FUSED_FMA: bool = false;";

/**
 * Module-scope helpers every module built with `declare` has (non-finite literals, the fence);
 * a kernel that declares its bindings by hand appends this instead.
 */
export const MODULE_COMMON = `${BITS_F32_FN}\n${FENCE}\n${FUSED_FMA_OVERRIDE}`;

/** WGSL declarations for `decls` (binding i = decls[i]) and the matching binding list. */
export function declare(decls: readonly BufferDecl[]): { wgsl: string; bindings: Binding[] } {
  const lines = decls.map((d, i) => {
    const t = DTYPES.has(d.type) ? storageType(d.type as DType) : d.type;
    return `@group(0) @binding(${i}) var<storage, ${d.write === true ? "read_write" : "read"}> ${d.name}: array<${t}>;`;
  });
  return {
    wgsl: [...lines, MODULE_COMMON].join("\n"),
    bindings: decls.map((d) => ({ slot: d.slot, write: d.write === true })),
  };
}

/** Threads per workgroup of the one-thread-per-element kernels. */
export const WORKGROUP = 64;
const MAX_GROUPS = 65535;

/**
 * A 1-d launch of `n` threads folded into a 2-d grid (a dimension holds at most 65535 workgroups).
 * `header` declares `main` and defines `let i: u32` (the flat thread index), returning early past
 * `n`; the caller's body follows and must close the function with `}`. It also sets `linax_opq`
 * (see FENCE), so a module using `grid` must get its declarations from `declare`.
 */
export function grid(n: number, workgroupSize = WORKGROUP): { header: string; workgroups: [number, number, number] } {
  const groups = Math.max(1, Math.ceil(n / workgroupSize));
  const x = Math.min(groups, MAX_GROUPS);
  const y = Math.ceil(groups / x);
  const header =
    `@compute @workgroup_size(${workgroupSize})\n` +
    `fn main(@builtin(global_invocation_id) gid: vec3<u32>) {\n` +
    `  let i: u32 = gid.x + gid.y * ${x * workgroupSize}u;\n` +
    `  linax_opq = f32(i >> 31u);\n` +
    `  if (i >= ${n}u) { return; }\n`;
  return { header, workgroups: [x, y, 1] };
}

/** A u32 WGSL literal. */
export const u32 = (v: number): string => `${v >>> 0}u`;
/** An i32 WGSL literal (i32's minimum needs the cast form: `-2147483648i` does not parse). */
export const i32 = (v: number): string => (v === -2147483648 ? "i32(-2147483647 - 1)" : `${v | 0}i`);

/** A float32 value as a WGSL f32 expression that is exact (bit pattern for non-finite values). */
export function f32(v: number): string {
  const x = Math.fround(v);
  // Non-finite values go through a runtime call (see BITS_F32_FN): a module that uses them must
  // come from `declare`.
  if (Number.isNaN(x)) return "linax_f32_bits(0x7fc00000u)";
  if (x === Infinity) return "linax_f32_bits(0x7f800000u)";
  if (x === -Infinity) return "linax_f32_bits(0xff800000u)";
  if (Object.is(x, -0)) return "bitcast<f32>(0x80000000u)";
  // Subnormals and extreme exponents: the bit pattern avoids any parser rounding question.
  if (x !== 0 && (Math.abs(x) < 1.1754943508222875e-38 || Math.abs(x) > 1e38)) {
    const b = new Uint32Array(new Float32Array([x]).buffer)[0];
    return `bitcast<f32>(${b}u)`;
  }
  return `${x.toPrecision(9)}f`;
}

/** A literal of `dtype` for the JS value `v` (bool as u32 0/1; complex as vec2 (v, 0)). */
export function literal(dtype: DType, v: number): string {
  switch (dtype) {
    case "float32":
      return f32(v);
    case "int32":
      return i32(v);
    case "uint32":
      return u32(v);
    case "bool":
      return v !== 0 ? "1u" : "0u";
    case "complex64":
      return `vec2<f32>(${f32(v)}, 0.0f)`;
    case "float16":
    case "bfloat16":
      // Stored as the 16-bit pattern in a u32 (storage.ts).
      return u32(halfBitsFromNumber(dtype, v));
  }
}

/** Row-major strides of `shape` (in elements): core's `stridesOf`, under the name the kernels use. */
export const strides: (shape: readonly number[]) => number[] = stridesOf;

/**
 * WGSL statements that split the flat index `flat` of an array of `shape` into `let
 * {prefix}0..{prefix}(r-1): u32` (row-major multi-index).
 */
export function unravel(shape: readonly number[], flat: string, prefix = "idx"): string {
  const st = strides(shape);
  const lines: string[] = [];
  let rest = flat;
  for (let d = 0; d < shape.length; d++) {
    if (d === shape.length - 1) lines.push(`  let ${prefix}${d}: u32 = ${rest};`);
    else {
      lines.push(`  let ${prefix}${d}: u32 = ${rest} / ${st[d]}u;`);
      lines.push(`  let ${prefix}r${d}: u32 = ${rest} % ${st[d]}u;`);
      rest = `${prefix}r${d}`;
    }
  }
  return lines.join("\n");
}

/** WGSL expression for the flat index of multi-index terms `terms[d]` in an array of `shape`. */
export function ravel(shape: readonly number[], terms: readonly string[]): string {
  const st = strides(shape);
  const parts = terms
    .map((t, d) => (shape[d] === 1 ? "" : st[d] === 1 ? `(${t})` : `(${t}) * ${st[d]}u`))
    .filter((p) => p !== "");
  return parts.length === 0 ? "0u" : parts.join(" + ");
}

/** A one-pass program: `n` threads running `body` (after `grid`'s header) over the given buffers. */
export function simpleProgram(decls: readonly BufferDecl[], n: number, body: string, prelude = ""): Program {
  if (n === 0) return { passes: [] };
  const { wgsl, bindings } = declare(decls);
  const g = grid(n);
  return { passes: [{ code: `${wgsl}\n${prelude}\n${g.header}${body}\n}\n`, bindings, workgroups: g.workgroups }] };
}
