/**
 * How primitives run on the half-precision storage dtypes (float16, bfloat16).
 *
 * A half array is stored as 16-bit patterns; no backend computes on them. Every primitive with a
 * half operand or result runs here as *upcast → the float32 primitive → round back*: each half
 * operand is converted to float32 (exact), the primitive runs with float32 operands (dtype params
 * naming a half dtype become float32), and each result whose abstract type is half is rounded to
 * nearest even. That is what XLA's CPU backend does for elementwise ops on f16/bf16, and it makes
 * reductions, dot products and cumulative ops accumulate in float32 and round once.
 *
 * Why at the eval level, below every transform, rather than in kernels: jvp, vmap, grad and jit
 * staging all see half avals and apply the primitives' ordinary rules (tangents of a float16
 * primal are float16, jaxprs carry float16 types), while only the innermost interpreter changes.
 * So no backend needs a half kernel of any op except `convertElementType`, which both backends
 * implement bit-exactly (backend-cpu kernels/convert-half.ts, backend-webgpu kernels/convert.ts),
 * and no rule of any primitive had to change. A rule written for float32 that hard-codes float32
 * (e.g. a float32-only dtype check) shows up as a clear DTypeError at trace time, never as a
 * silent float32 result.
 *
 * Two kinds of primitive are not upcast:
 * - `convertElementType` itself (the backends' kernels), and
 * - higher-order primitives (params holding jaxprs or functions: jit, scan, cond, while, custom
 *   derivatives, remat, …). Their inner jaxprs have half types; they run on the reference path —
 *   the jaxpr interpreted equation by equation, each equation coming back here. The compile layer
 *   does not model half dtypes, so this path also runs with `config.jitCompile` off: a jitted
 *   function or scan body that mentions a half dtype anywhere is interpreted, never compiled
 *   (and eager half conversions use the reference kernels).
 */
import type { Array } from "./array.ts";
import type { ShapedArray } from "./aval.ts";
import { ClosedJaxpr, Jaxpr } from "./jaxpr.ts";
import { listPrimitives, type Params, type Primitive } from "./primitive.ts";
import { config } from "../config.ts";
import { isHalf, type DType } from "../dtype.ts";
import { InternalError } from "../errors.ts";

/** What the eval trace does with a primitive application. */
export type HalfPlan = "none" | "upcast" | "reference";

const hasHalfAval = (avals: readonly ShapedArray[]): boolean => avals.some((a) => isHalf(a.dtype));

/** Whether a params value is (or holds) a jaxpr or a function: the primitive is higher-order. */
function isHigherOrderParam(v: unknown): boolean {
  if (typeof v === "function" || v instanceof ClosedJaxpr || v instanceof Jaxpr) return true;
  return globalThis.Array.isArray(v) && v.some((e) => e instanceof ClosedJaxpr || e instanceof Jaxpr);
}

const mentions = new WeakMap<Jaxpr, boolean>();
/** Whether any variable of `j` (or of a jaxpr nested in its equations' params) has a half dtype. */
function jaxprMentionsHalf(j: Jaxpr): boolean {
  let m = mentions.get(j);
  if (m === undefined) {
    m =
      hasHalfAval(j.inAvals) ||
      hasHalfAval(j.outAvals) ||
      j.eqns.some(
        (e) => hasHalfAval(e.outBinders.map((v) => v.aval)) || Object.values(e.params).some(paramMentionsHalf),
      );
    mentions.set(j, m);
  }
  return m;
}
function paramMentionsHalf(v: unknown): boolean {
  if (v instanceof ClosedJaxpr) return jaxprMentionsHalf(v.jaxpr);
  if (v instanceof Jaxpr) return jaxprMentionsHalf(v);
  if (typeof v === "string") return v === "float16" || v === "bfloat16";
  if (globalThis.Array.isArray(v)) return v.some(paramMentionsHalf);
  return false;
}

/** Whether a primitive is higher-order, by its params (a primitive's params always have the same kinds). */
const higherOrderPrims = new WeakMap<Primitive, boolean>();

/**
 * Decide how to run `prim`. Cheap when no half dtype is involved (the eager hot path): two scans
 * of the avals and, for higher-order primitives only, a cached look at their jaxprs.
 */
export function halfPlan(
  prim: Primitive,
  inAvals: readonly ShapedArray[],
  outAvals: readonly ShapedArray[],
  params: Params,
): HalfPlan {
  let higherOrder = higherOrderPrims.get(prim);
  if (higherOrder === undefined)
    higherOrderPrims.set(prim, (higherOrder = Object.values(params).some(isHigherOrderParam)));
  const half =
    hasHalfAval(inAvals) || hasHalfAval(outAvals) || (higherOrder && Object.values(params).some(paramMentionsHalf));
  if (!half) return "none";
  return prim.name === "convertElementType" || higherOrder ? "reference" : "upcast";
}

/** Run `f` with the compile layer off (it does not model half dtypes), restoring the flag after. */
export function onReferencePath<T>(f: () => T): T {
  if (!config.read("jitCompile")) return f();
  config.update("jitCompile", false);
  try {
    return f();
  } finally {
    config.update("jitCompile", true);
  }
}

/** Run `f` with config.debugNans/debugInfs off (the caller checks the final results itself). */
export function withoutDebugChecks<T>(f: () => T): T {
  const nans = config.read("debugNans");
  const infs = config.read("debugInfs");
  if (!nans && !infs) return f();
  config.update("debugNans", false);
  config.update("debugInfs", false);
  try {
    return f();
  } finally {
    config.update("debugNans", nans);
    config.update("debugInfs", infs);
  }
}

let convertP: Primitive | undefined;
/** convertElementType, found by name (importing primitives/ here would be an import cycle). */
function convertPrim(): Primitive {
  convertP ??= listPrimitives().find((p) => p.name === "convertElementType");
  if (convertP === undefined) throw new InternalError("half-compute: convertElementType is not registered");
  return convertP;
}

/** Params with every dtype-valued entry that names a half dtype replaced by float32. */
function float32Params(params: Params): Params {
  let out: Record<string, unknown> | undefined;
  for (const [k, v] of Object.entries(params)) {
    if (v === "float16" || v === "bfloat16") (out ??= { ...params })[k] = "float32";
  }
  return out ?? params;
}

/** Primitives whose float32 computation rounded back would be wrong on half operands. */
const ownHalfImpls = new Map<string, (args: readonly Array[], params: Params) => Array[]>();

/**
 * Give `name` its own evaluation on half operands, instead of upcast → float32 → round back.
 * For `nextafter`: a float32 ulp step rounds straight back to the operand, so the step must be
 * the half dtype's ulp (primitives/half-nextafter.ts). The implementation binds ordinary
 * primitives on the concrete operands (they reach the eval trace again).
 */
export function installHalfImpl(name: string, impl: (args: readonly Array[], params: Params) => Array[]): void {
  ownHalfImpls.set(name, impl);
}

/**
 * Apply `prim` to arguments some of which are half: upcast, run in float32 through `run` (the
 * eval trace's own processPrimitive), round the half results back — or the primitive's own half
 * evaluation (`installHalfImpl`).
 */
export function computeInFloat32(
  prim: Primitive,
  args: readonly Array[],
  params: Params,
  outAvals: readonly ShapedArray[],
  run: (prim: Primitive, args: readonly Array[], params: Params) => Array[],
): Array[] {
  const own = ownHalfImpls.get(prim.name);
  if (own !== undefined) return own(args, params);
  const convert = convertPrim();
  const cast = (x: Array, to: DType, weakType: boolean): Array => run(convert, [x], { newDType: to, weakType })[0];
  const upcast = args.map((a) => (isHalf(a.dtype) ? cast(a, "float32", a.aval.weakType) : a));
  const wide = run(prim, upcast, float32Params(params));
  if (wide.length !== outAvals.length)
    throw new InternalError(
      `half-compute: ${prim.name} gave ${wide.length} outputs in float32, ${outAvals.length} expected`,
    );
  const outs = wide.map((w, i) => {
    const want = outAvals[i];
    const o = isHalf(want.dtype) ? cast(w, want.dtype, want.weakType) : w;
    if (o.dtype !== want.dtype || o.shape.length !== want.shape.length || o.shape.some((d, k) => d !== want.shape[k])) {
      throw new InternalError(
        `half-compute: ${prim.name} computed in float32 gave ${o.aval.toString()}, expected ${want.toString()}`,
      );
    }
    return o;
  });
  // The float32 temporaries are left to the garbage collector's finalizers, not disposed here: a
  // backend may return a result that shares its operand's storage (a reshape), and disposing both
  // handles would free that storage twice.
  return outs;
}
