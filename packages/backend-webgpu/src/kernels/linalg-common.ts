/**
 * Shared pieces of the dense linear-algebra kernels (linalg-*.ts): batch/matrix dims of an
 * aval, a dtype-generic WGSL element library (`T` is f32 or vec2<f32>, so one kernel body
 * serves float32 and complex64), and the "one workgroup per matrix" launch with its working
 * memory plan (workgroup memory when the matrices fit, else a scratch storage buffer).
 *
 * Precision: the CPU kernels compute in float64 and round once; WGSL has no f64, so these
 * kernels compute in f32 and their results differ from the CPU's by a few ulp times a
 * condition-dependent factor. Tests compare with tolerances and check invariants.
 */
import type { ShapedArray } from "@linax-ts/core";
import type { BufferDecl } from "../program.ts";
import { WGSL_COMPLEX, WGSL_DIV } from "./wgsl-lib.ts";

/** Flattened leading batch count and the trailing matrix dims of an aval. */
export interface MatDims {
  readonly batch: number;
  readonly m: number;
  readonly n: number;
}

/** {@link MatDims} of a rank ≥ 2 aval. */
export function matDims(a: ShapedArray): MatDims {
  const nd = a.shape.length;
  let batch = 1;
  for (let i = 0; i < nd - 2; i++) batch *= a.shape[i];
  return { batch, m: a.shape[nd - 2], n: a.shape[nd - 1] };
}

/** The WGSL element type of a linalg operand (float32 or complex64). */
export const elemType = (complex: boolean): string => (complex ? "vec2<f32>" : "f32");

/**
 * WGSL helpers over the element type `T` (an alias): `tmul`, `tconj`, `tre`, `tim`, `tabs2`
 * (|x|²), `tscale` (by a real), `tmk(re, im)`, `tdiv` (correctly rounded f32 division / Smith's
 * complex division), `tpivmag` (LAPACK's |re| + |im| pivot magnitude), `tmaxabs` (max(|re|, |im|)), `tnonfinite` (a NaN or ±Inf part, tested on the bits: WGSL
 * lets compilers assume floats are finite, so `x != x` is no reliable NaN test).
 * Includes WGSL_DIV and WGSL_COMPLEX (so a module must not include them again).
 */
export function elemLib(complex: boolean): string {
  const common = WGSL_DIV + WGSL_COMPLEX;
  if (!complex) {
    return `${common}
alias T = f32;
fn tmul(a: T, b: T) -> T { return a * b; }
fn tconj(a: T) -> T { return a; }
fn tre(a: T) -> f32 { return a; }
fn tim(a: T) -> f32 { return 0.0f; }
fn tabs2(a: T) -> f32 { return a * a; }
fn tscale(a: T, s: f32) -> T { return a * s; }
fn tmk(re: f32, im: f32) -> T { return re; }
fn tdiv(a: T, b: T) -> T { return divF32(a, b); }
fn tpivmag(a: T) -> f32 { return abs(a); }
fn tmaxabs(a: T) -> f32 { return abs(a); }
fn tnonfinite(a: T) -> bool { return (bitcast<u32>(a) & 0x7f800000u) == 0x7f800000u; }
`;
  }
  return `${common}
alias T = vec2<f32>;
fn tmul(a: T, b: T) -> T { return cmul(a, b); }
fn tconj(a: T) -> T { return vec2<f32>(a.x, -a.y); }
fn tre(a: T) -> f32 { return a.x; }
fn tim(a: T) -> f32 { return a.y; }
fn tabs2(a: T) -> f32 { return a.x * a.x + a.y * a.y; }
fn tscale(a: T, s: f32) -> T { return a * s; }
fn tmk(re: f32, im: f32) -> T { return vec2<f32>(re, im); }
fn tdiv(a: T, b: T) -> T { return cdiv(a, b); }
fn tpivmag(a: T) -> f32 { return abs(a.x) + abs(a.y); }
fn tmaxabs(a: T) -> f32 { return max(abs(a.x), abs(a.y)); }
fn tnonfinite(a: T) -> bool { return any((bitcast<vec2<u32>>(a) & vec2<u32>(0x7f800000u)) == vec2<u32>(0x7f800000u)); }
`;
}

/** Threads per workgroup of the one-workgroup-per-matrix kernels. */
export const LINALG_WG = 64;
/**
 * Workgroup memory the plans may use: WebGPU's guaranteed minimum of
 * maxComputeWorkgroupStorageSize (16 KiB) less room for the kernels' small workgroup variables.
 * Kernels are built without seeing the device, so the guaranteed limit is the safe bound.
 */
const SHARED_BYTES = 16384 - 2048;

/** One working array of a plan: `size` elements of `T`. */
export interface WorkArray {
  readonly name: string;
  readonly size: number;
}

/** Where a kernel's per-matrix working arrays live, and how WGSL reaches them. */
export interface WorkPlan {
  /** Module-scope declarations (workgroup variables), or "" for the storage layout. */
  readonly decls: string;
  /** The scratch storage binding, when the arrays live in a temp buffer. */
  readonly scratch?: BufferDecl;
  /** Byte size of the temp buffer (`{ temp: 0 }`), when used. */
  readonly tempBytes?: number;
  /** True when the arrays live in a storage buffer (barriers must also order storage memory). */
  readonly storage: boolean;
  /** The WGSL lvalue of element `idx` (an u32 expression) of array `name` of the current matrix. */
  at(name: string, idx: string): string;
}

/**
 * Place the working arrays of one matrix in workgroup memory when they fit (fast, and the
 * matrix is reloaded once per launch), else in slices of a scratch storage buffer indexed by
 * the matrix number `mat` (a `let` the kernel header defines).
 */
export function planWork(arrays: readonly WorkArray[], complex: boolean, batch: number): WorkPlan {
  const bytes = complex ? 8 : 4;
  const total = arrays.reduce((s, a) => s + Math.max(1, a.size), 0);
  const t = elemType(complex);
  if (total * bytes <= SHARED_BYTES) {
    const decls = arrays.map((a) => `var<workgroup> w_${a.name}: array<${t}, ${Math.max(1, a.size)}>;`).join("\n");
    return { decls, storage: false, at: (name, idx) => `w_${name}[${idx}]` };
  }
  const offsets = new Map<string, number>();
  let off = 0;
  for (const a of arrays) {
    offsets.set(a.name, off);
    off += Math.max(1, a.size);
  }
  return {
    decls: "",
    storage: true,
    scratch: { name: "scratch", slot: { temp: 0 }, type: t, write: true },
    tempBytes: batch * total * bytes,
    at: (name, idx) => `scratch[mat * ${total}u + ${offsets.get(name) ?? 0}u + (${idx})]`,
  };
}

/** A workgroup barrier that also orders storage memory when the plan works in storage. */
export const barrier = (plan: WorkPlan): string =>
  plan.storage ? "workgroupBarrier(); storageBarrier();" : "workgroupBarrier();";

/**
 * Launch shape of one workgroup per matrix (batch folded into 2-d: ≤ 65535 per dimension) and
 * the `main` header, which defines `mat` (the matrix number) and `lid` (the thread's index in
 * its workgroup). The early return depends on the workgroup id only, so it keeps barriers in
 * uniform control flow. The caller's body closes the function with `}`.
 */
export function perMatrix(batch: number): { header: string; workgroups: [number, number, number] } {
  const x = Math.min(Math.max(batch, 1), 65535);
  const y = Math.ceil(batch / x);
  const header =
    `@compute @workgroup_size(${LINALG_WG})\n` +
    `fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {\n` +
    `  let mat: u32 = wid.x + wid.y * ${x}u;\n` +
    `  if (mat >= ${batch}u) { return; }\n` +
    // A runtime zero for divF32's fences (program.ts FENCE): the matrix index, not provably < 2^31.
    `  linax_opq = f32(mat >> 31u);\n`;
  return { header, workgroups: [x, y, 1] };
}
