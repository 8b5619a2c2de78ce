/**
 * Scalar ops of the kernel IR in WGSL. Each op is rendered with the very expression (and helper
 * snippets) its eager WebGPU kernel uses — looked up in the expression registry that
 * `mapKernel`/`tableKernel` fill (kernels/elementwise.ts) — so a fused kernel computes each
 * element exactly as the chain of eager kernels would: same WGSL, same rounding, no intermediate
 * buffers. IR values live in registers in their storage type (f32, i32, u32; bool as u32 0/1).
 *
 * The few IR ops that are not primitives: `select` (a select chain of selectN/pad/concatenate),
 * `cmul.re`/`cmul.im` (the parts of the eager kernel's once-rounded complex product), and
 * convertElementType, rendered through the eager kernel's word-level cast.
 */
import { ShapedArray, type DType } from "@linax-ts/core";
import { getElementwiseExpr } from "../kernels/elementwise.ts";
import { castExpr } from "../kernels/convert.ts";
import { WGSL_CONVERT, WGSL_FLOAT_BITS } from "../kernels/wgsl-logic.ts";
import type { Expr, ScalarType } from "./core-compile.ts";

type OpExpr = Extract<Expr, { kind: "op" }>;

/** The dtype whose storage type a scalar type is. */
export const dtypeOfScalar = (t: ScalarType): DType =>
  t === "f32" ? "float32" : t === "i32" ? "int32" : t === "u32" ? "uint32" : "bool";

/** The WGSL type of a scalar type's values (bool as u32 0/1, as stored). */
export const wgslType = (t: ScalarType): string => (t === "bool" ? "u32" : t);

/** A rendered op: its WGSL expression over the argument expressions and the helpers it calls. */
export interface RenderedOp {
  readonly expr: string;
  readonly prelude: string;
}

/** A value of `dtype` (register type) as its 32-bit word, and back. */
const toWord = (v: string, d: DType): string => (d === "float32" || d === "int32" ? `bitcast<u32>(${v})` : v);
const fromWord = (w: string, d: DType): string =>
  d === "float32" ? `bitcast<f32>(${w})` : d === "int32" ? `bitcast<i32>(${w})` : w;

const BITCASTABLE = new Set<DType>(["float32", "int32", "uint32"]);

/** WGSL of `e` applied to `args` (WGSL expressions of its operands); undefined if not supported. */
export function renderOp(e: OpExpr, args: readonly string[]): RenderedOp | undefined {
  const outDType = dtypeOfScalar(e.type);
  switch (e.op) {
    case "select":
      return { expr: `select(${args[2]}, ${args[1]}, ${args[0]} != 0u)`, prelude: "" };
    case "cmul.re":
    case "cmul.im": {
      // The eager complex product (cmulExact, elementwise.ts "mul" for complex64), one part of it.
      const mul = getElementwiseExpr("mul");
      if (mul === undefined || typeof mul.prelude !== "string") return undefined;
      return {
        expr: `cmulExact(vec2<f32>(${args[0]}, ${args[1]}), vec2<f32>(${args[2]}, ${args[3]})).${e.op === "cmul.re" ? "x" : "y"}`,
        prelude: mul.prelude,
      };
    }
    case "convertElementType": {
      const from = e.argDType;
      const to = (e.params as { newDType: DType }).newDType;
      if (from === to) return { expr: args[0], prelude: "" };
      if (from === "complex64" || to === "complex64") return undefined; // the IR splits complex values into parts
      return { expr: fromWord(castExpr(toWord(args[0], from), from, to), to), prelude: WGSL_FLOAT_BITS + WGSL_CONVERT };
    }
    case "bitcastConvertType": {
      const to = (e.params as { newDType: DType }).newDType;
      if (!BITCASTABLE.has(e.argDType) || !BITCASTABLE.has(to)) return undefined;
      return { expr: `bitcast<${wgslType(e.type)}>(${args[0]})`, prelude: "" };
    }
  }
  const part = /^(.+)\.(re|im)$/.exec(e.op);
  if (part !== null && e.argDType === "complex64")
    return complexPart(part[1], part[2] === "re" ? "x" : "y", args, e.params);
  const entry = getElementwiseExpr(e.op);
  if (entry === undefined) return undefined;
  const inAvals = args.map(() => new ShapedArray([], e.argDType));
  const expr = entry.expr(args, inAvals, new ShapedArray([], outDType), e.params);
  if (expr === undefined) return undefined;
  return { expr, prelude: typeof entry.prelude === "string" ? entry.prelude : entry.prelude(e.params) };
}

/**
 * One part of a complex64 primitive's result (IR ops `<prim>.re` / `<prim>.im`, like `cmul.re`):
 * the arguments are the operands' (re, im) parts in order, and the expression is the eager
 * kernel's on vec2 operands — so a fused complex exp/expm1/div/… is the eager kernel's value bit
 * for bit. Core's lowering emits no such ops yet (complex exp, expm1 and div are routines: see the
 * WebGPU README); this is the renderer's half of that change.
 */
function complexPart(
  prim: string,
  lane: "x" | "y",
  args: readonly string[],
  params: Readonly<Record<string, unknown>>,
): RenderedOp | undefined {
  const entry = getElementwiseExpr(prim);
  if (entry === undefined || args.length % 2 !== 0) return undefined;
  const pairs = globalThis.Array.from(
    { length: args.length / 2 },
    (_, i) => `vec2<f32>(${args[2 * i]}, ${args[2 * i + 1]})`,
  );
  const c = new ShapedArray([], "complex64");
  const expr = entry.expr(
    pairs,
    pairs.map(() => c),
    c,
    params,
  );
  if (expr === undefined) return undefined;
  return {
    expr: `(${expr}).${lane}`,
    prelude: typeof entry.prelude === "string" ? entry.prelude : entry.prelude(params),
  };
}
