/**
 * The elementwise kernel builder and the arithmetic kernels. Every elementwise primitive runs as
 * one thread per output element: load each operand (a size-1 operand of a larger output is read at
 * index 0 — selectN's scalar predicate, clamp's scalar bounds), evaluate a WGSL expression, store.
 * Other elementwise families (math, logic, special, complex, convert) build on `mapKernel`.
 *
 * Integer semantics follow XLA as the CPU reference kernels do: + - * wrap (WGSL's runtime integer
 * arithmetic is two's complement), x / 0 = -1 (all bits set), INT32_MIN / -1 = INT32_MIN.
 * float32 + - * are correctly rounded in WGSL; division gets one Newton correction on an exact
 * remainder (`divF32`) and complex products a once-rounded a·c − b·d (`cmulExact`), so that
 * results match the CPU reference, which computes in float64 and rounds once.
 */
import { InternalError } from "@linax-ts/core";
import type { DType, ShapedArray } from "@linax-ts/core";
import { registerKernel } from "../registry.ts";
import { simpleProgram, type BufferDecl } from "../program.ts";
import { WGSL_CMUL_EXACT, WGSL_COMPLEX, WGSL_DIV } from "./wgsl-lib.ts";

type Params = Readonly<Record<string, unknown>>;

/**
 * Builds the WGSL expression of one output element from the loaded operands `x[k]` (values of
 * each operand's storage type: f32, i32, u32 (also bool), vec2<f32> (complex64)). Returns
 * undefined when the kernel does not handle these dtypes (core then tries the composite impl).
 */
export type ExprFn = (
  x: readonly string[],
  inAvals: readonly ShapedArray[],
  outAval: ShapedArray,
  params: Params,
) => string | undefined;

/** An elementwise op's WGSL: its expression builder and the helpers it calls (static, or by params). */
export interface ElementwiseExpr {
  readonly expr: ExprFn;
  readonly prelude: string | ((params: Params) => string);
}

const exprs = new Map<string, ElementwiseExpr>();

/**
 * Record the WGSL expression of an elementwise primitive without registering a kernel (for
 * kernels with their own program, e.g. polygamma's per-order prelude). Fused kernels
 * (compile/scalar-ops.ts) render each scalar op with exactly this text, so compiled and eager
 * results agree bit for bit.
 */
export function registerElementwiseExpr(name: string, e: ElementwiseExpr): void {
  if (exprs.has(name)) throw new InternalError(`webgpu backend: elementwise expression '${name}' registered twice`);
  exprs.set(name, e);
}

/** The recorded WGSL expression of an elementwise primitive (see registerElementwiseExpr). */
export function getElementwiseExpr(name: string): ElementwiseExpr | undefined {
  return exprs.get(name);
}

/** Register an elementwise kernel; `prelude` is WGSL helper functions the expression may call. */
export function mapKernel(name: string, expr: ExprFn, prelude = ""): void {
  registerElementwiseExpr(name, { expr, prelude });
  registerKernel(name, (inAvals, [outAval], params) => {
    const n = outAval.size;
    const loads = inAvals.map((a, k) => (a.size === 1 && n !== 1 ? `in${k}[0]` : `in${k}[i]`));
    const e = expr(loads, inAvals, outAval, params);
    if (e === undefined) return undefined;
    const decls: BufferDecl[] = [
      ...inAvals.map((a, k): BufferDecl => ({ name: `in${k}`, slot: { in: k }, type: a.dtype })),
      { name: "out", slot: { out: 0 }, type: outAval.dtype, write: true },
    ];
    return simpleProgram(decls, n, `  out[i] = ${e};`, prelude);
  });
}

/** Per-dtype expression templates for a primitive; a missing dtype means "not supported here". */
export type DTypeTable = Partial<Record<DType, (x: readonly string[], params: Params) => string>>;

/** Register an elementwise kernel from a table keyed by the (first) operand's dtype. */
export function tableKernel(name: string, table: DTypeTable, prelude = ""): void {
  mapKernel(name, (x, [a], _o, params) => table[a.dtype]?.(x, params), prelude);
}

/** A bool result stored as u32. */
export const asBool = (cond: string): string => `select(0u, 1u, ${cond})`;

const same = (op: string) => (x: readonly string[]) => `(${x[0]} ${op} ${x[1]})`;

tableKernel("neg", {
  float32: (x) => `-(${x[0]})`,
  int32: (x) => `-(${x[0]})`,
  uint32: (x) => `(0u - ${x[0]})`,
  complex64: (x) => `-(${x[0]})`,
});
tableKernel("add", { float32: same("+"), int32: same("+"), uint32: same("+"), complex64: same("+") });
tableKernel("sub", { float32: same("-"), int32: same("-"), uint32: same("-"), complex64: same("-") });
tableKernel(
  "mul",
  { float32: same("*"), int32: same("*"), uint32: same("*"), complex64: (x) => `cmulExact(${x[0]}, ${x[1]})` },
  WGSL_DIV + WGSL_CMUL_EXACT,
);
tableKernel(
  "div",
  {
    float32: (x) => `divF32(${x[0]}, ${x[1]})`,
    // WGSL's x / 0 is x and its INT32_MIN / -1 is INT32_MIN; XLA's x / 0 is -1.
    int32: (x) => `select(${x[0]} / ${x[1]}, -1i, ${x[1]} == 0i)`,
    uint32: (x) => `select(${x[0]} / ${x[1]}, 0xffffffffu, ${x[1]} == 0u)`,
    complex64: (x) => `cdiv(${x[0]}, ${x[1]})`,
  },
  WGSL_DIV + WGSL_COMPLEX,
);
