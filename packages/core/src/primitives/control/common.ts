/**
 * Shared machinery of the higher-order control-flow primitives (scan, cond, while, custom
 * derivatives, remat): tracing user functions over pytrees into const-free jaxprs ("initial
 * style", as JAX's `_initial_style_jaxpr`), JVP of a jaxpr that keeps symbolic zeros, reordering
 * a jaxpr's binders, and the host-side slicing/stacking the reference `impl`s use.
 */
import { Array } from "../../core/array.ts";
import type { ShapedArray } from "../../core/aval.ts";
import { ClosedJaxpr, Jaxpr, JaxprEqn, Var, evalJaxpr, type Atom } from "../../core/jaxpr.ts";
import type { Params, Primitive } from "../../core/primitive.ts";
import { isInexact } from "../../dtype.ts";
import { InternalError, NotImplementedError, ValueError } from "../../errors.ts";
import { ConcreteArray, nextArraySerial } from "../../core/concrete.ts";
import { jvpFlat } from "../../transforms/jvp.ts";
import { partialEvalJaxpr, type EqnSplit } from "../../transforms/partial-eval.ts";
import { deadCodeElim, hoistConsts, traceToJaxpr } from "../../transforms/staging.ts";
import { tangentAval } from "../../transforms/transpose.ts";
import { zerosLikeAval } from "../../transforms/zeros.ts";
import { treeFlatten, treeLeavesWithPath, type TreeDef } from "../../tree/pytree.ts";
import { scalar } from "../scalars-and-batch-dims.ts";
import { broadcastInDim, reshape } from "../shape-ops.ts";
import { concatenate, slice } from "../shape-slicing.ts";

/** Split `xs` into consecutive parts of the given sizes (the last part takes the rest). */
export function splitList<T>(xs: readonly T[], sizes: readonly number[]): T[][] {
  const out: T[][] = [];
  let pos = 0;
  for (const n of sizes) {
    out.push(xs.slice(pos, pos + n));
    pos += n;
  }
  out.push(xs.slice(pos));
  return out;
}

/** Flatten a pytree whose leaves are arrays or JS scalars (numbers become weak float32, as in JAX). */
export function flattenToArrays(tree: unknown, what: string): [Array[], TreeDef] {
  const [leaves, def] = treeFlatten(tree);
  const arrays = leaves.map((l, i) => {
    if (l instanceof Array) return l;
    if (typeof l === "number") return scalar(l, "float32", true);
    if (typeof l === "boolean") return scalar(l ? 1 : 0, "bool");
    throw new ValueError(`${what}: leaf ${i} is ${l === null ? "null" : typeof l}; expected an Array or a number`);
  });
  return [arrays, def];
}

/** Human-readable names of a pytree's leaves, e.g. `carry.h`, `carry[0]`. */
export function leafNames(tree: unknown, root: string): string[] {
  return treeLeavesWithPath(tree).map(
    ([path]) => root + path.map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p}`)).join(""),
  );
}

/** A traced function: const-free jaxpr, the consts to pass as leading operands, and its output tree. */
export interface TracedFn {
  jaxpr: ClosedJaxpr;
  consts: Array[];
  outTree: TreeDef;
}

/**
 * Trace a pytree function on flat input avals (`unflatten` rebuilds its arguments) into a jaxpr
 * whose consts are hoisted into leading invars, so closed-over tracers of outer transforms become
 * explicit operands of the higher-order primitive.
 */
export function traceFn(f: (...xs: Array[]) => unknown, inAvals: readonly ShapedArray[], what: string): TracedFn {
  let outTree: TreeDef | undefined;
  const cj = traceToJaxpr(
    (...xs: Array[]) => {
      const [outs, def] = flattenToArrays(f(...xs), `${what} output`);
      outTree = def;
      return outs;
    },
    inAvals,
    what,
  );
  const { jaxpr, consts } = openJaxpr(cj);
  return { jaxpr, consts, outTree: outTree as TreeDef };
}

/** Move a closed jaxpr's consts (if any) into leading invars. */
export function openJaxpr(cj: ClosedJaxpr): { jaxpr: ClosedJaxpr; consts: Array[] } {
  return cj.consts.length === 0 ? { jaxpr: cj, consts: [] } : hoistConsts(cj);
}

/** The same jaxpr with invars (and optionally outvars) permuted: new position k holds old `inOrder[k]`. */
export function reorderJaxpr(cj: ClosedJaxpr, inOrder: readonly number[], outOrder?: readonly number[]): ClosedJaxpr {
  const j = cj.jaxpr;
  const invars = inOrder.map((i) => j.invars[i]);
  const outvars = outOrder === undefined ? j.outvars : outOrder.map((i) => j.outvars[i]);
  return new ClosedJaxpr(new Jaxpr(j.constvars, invars, j.eqns, outvars), cj.consts);
}

/** A jaxpr that additionally takes (and ignores) leading invars of the given avals. */
export function withUnusedInvars(
  cj: ClosedJaxpr,
  before: readonly ShapedArray[],
  after: readonly ShapedArray[] = [],
): ClosedJaxpr {
  const j = cj.jaxpr;
  return new ClosedJaxpr(
    new Jaxpr(
      j.constvars,
      [...before.map((a) => new Var(a)), ...j.invars, ...after.map((a) => new Var(a))],
      j.eqns,
      j.outvars,
    ),
    cj.consts,
  );
}

/** The same jaxpr restricted to some outputs, with dead equations removed. */
export function selectOutputs(cj: ClosedJaxpr, outvars: readonly Atom[]): ClosedJaxpr {
  const j = cj.jaxpr;
  return new ClosedJaxpr(new Jaxpr(j.constvars, j.invars, deadCodeElim(j.eqns, outvars), outvars), cj.consts);
}

/**
 * JVP of a jaxpr keeping symbolic zeros: the result takes (primals..., tangents of the inputs with
 * `nonzeros[i]`...) and returns (primalsOut..., tangents of the outputs in `outNonzeros`...).
 * Output tangents that come out zero are left out unless `instantiate[i]`; integer/bool outputs
 * never carry a tangent (JAX's float0).
 */
export function jvpJaxprZeros(
  cj: ClosedJaxpr,
  nonzeros: readonly boolean[],
  instantiate: readonly boolean[] | boolean,
): { jaxpr: ClosedJaxpr; outNonzeros: boolean[] } {
  const inAvals = cj.inAvals;
  const inst = (i: number) => (typeof instantiate === "boolean" ? instantiate : instantiate[i]);
  let outNonzeros: boolean[] = [];
  const jaxpr = traceToJaxpr(
    (...xs: Array[]) => {
      const n = inAvals.length;
      const primals = xs.slice(0, n);
      let k = n;
      const tangents = inAvals.map((_, i) => (nonzeros[i] ? xs[k++] : null));
      const [po, to] = jvpFlat((...ps) => evalJaxpr(cj.jaxpr, cj.consts, ps), primals, tangents, false);
      const tOut = to.map((t, i) => {
        if (!isInexact(po[i].dtype)) return null;
        return t ?? (inst(i) ? zerosLikeAval(tangentAval(po[i].aval)) : null);
      });
      outNonzeros = tOut.map((t) => t !== null);
      return [...po, ...(tOut.filter((t) => t !== null) as Array[])];
    },
    [...inAvals, ...inAvals.filter((_, i) => nonzeros[i]).map(tangentAval)],
    "jvp",
    true,
  );
  return { jaxpr, outNonzeros };
}

/** Whether a tangent of this input can be nonzero (inexact dtype and not symbolically zero). */
export const hasTangent = (t: Array | null, primal: Array): boolean => t !== null && isInexact(primal.dtype);

/** Elementwise OR of boolean lists. */
export const orLists = (a: readonly boolean[], b: readonly boolean[]): boolean[] => a.map((x, i) => x || b[i]);
export const sameLists = (a: readonly boolean[], b: readonly boolean[]): boolean =>
  a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * Split a call-like equation (a primitive that just evaluates a jaxpr: jit, or the inlined
 * composition of associativeScan) inside a jaxpr into a known and an unknown call of `prim`,
 * with `mkParams` building the params from the split jaxprs.
 */
export function splitCallEqn(
  prim: Primitive,
  unks: readonly boolean[],
  eqn: JaxprEqn,
  jaxpr: ClosedJaxpr,
  mkParams: (j: ClosedJaxpr) => Params,
): EqnSplit {
  const split = partialEvalJaxpr(jaxpr, unks, false);
  const resVars = split.known.outAvals.slice(split.known.outAvals.length - split.numRes).map((a) => new Var(a));
  const ins1 = eqn.inputs.filter((_, i) => !unks[i]);
  const ins2 = eqn.inputs.filter((_, i) => unks[i]);
  const outs1 = eqn.outBinders.filter((_, i) => !split.outUnknowns[i]);
  const outs2 = eqn.outBinders.filter((_, i) => split.outUnknowns[i]);
  if (split.known.consts.length > 0)
    throw new InternalError(`${prim.name} partial eval: known jaxpr with consts inside a jaxpr`);
  return {
    known:
      outs1.length + resVars.length > 0
        ? new JaxprEqn(prim, ins1, mkParams(split.known), [...outs1, ...resVars])
        : null,
    unknown: outs2.length > 0 ? new JaxprEqn(prim, [...resVars, ...ins2], mkParams(split.unknown), outs2) : null,
    outUnknowns: split.outUnknowns,
    residuals: resVars,
  };
}

// ------------------------------------------------------------------ impl helpers (concrete arrays)

// The reference impls run on concrete arrays only (EvalTrace), one primitive at a time through
// the backend — so they work on every backend; a backend that wants speed lowers the whole loop.

/** Per-step slices of `x` along axis 0: `unstackLeading(x)[i]` = x[i]. */
export function unstackLeading(x: Array): Array[] {
  const rest = x.shape.slice(1);
  const out: Array[] = [];
  for (let i = 0; i < x.shape[0]; i++) {
    const mark = nextArraySerial();
    const s = slice(x, [i, ...rest.map(() => 0)], [i + 1, ...rest]);
    const r = reshape(s, rest);
    disposeTemps([s], mark, [r]);
    out.push(r);
  }
  return out;
}

/**
 * Free the reference impls' temporaries (per-step slices, old carries, stacked parts) at once rather
 * than through the garbage collector: each of `tmps` that is a concrete array made since `mark`
 * (a `nextArraySerial()`; so never an operand, a constant or a literal that a body handed back) and
 * is not in `keep`. The impls run on the eval trace only: nothing else holds such an array.
 */
export function disposeTemps(tmps: Iterable<Array>, mark: number, keep: Iterable<Array> = []): void {
  const kept = keep instanceof Set ? (keep as ReadonlySet<Array>) : new Set<Array>(keep);
  for (const t of tmps) if (t instanceof ConcreteArray && t.serial >= mark && !kept.has(t)) t.dispose();
}

/** Stack per-step results along a new axis 0 (`elem` gives the type when there are none). */
export function stackLeading(parts: readonly Array[], elem: ShapedArray): Array {
  if (parts.length === 0) return broadcastInDim(scalar(0, elem.dtype), [0, ...elem.shape], []);
  const mark = nextArraySerial();
  const rows = parts.map((p) => reshape(p, [1, ...elem.shape]));
  const out = concatenate(rows, 0);
  disposeTemps(rows, mark, [out, ...parts]);
  return out;
}

/** Whether a concrete array's backend can read it synchronously (false on WebGPU). */
export function readableOnHost(x: Array): boolean {
  return !(x instanceof ConcreteArray) || x.backend.syncReads !== false;
}

/** The value of a concrete scalar (index or predicate) for control flow on the host. */
export function hostScalar(x: Array, op: string): number {
  if (x.isTracer) throw new InternalError(`${op} impl: expected a concrete scalar, got ${x.aval}`);
  if (!readableOnHost(x)) {
    const name = (x as ConcreteArray).backend.name;
    throw new NotImplementedError(
      `${op}: its predicate lives on the ${name} backend, which cannot be read synchronously, and ${op} has no on-device lowering there yet — ` +
        `run this loop on the CPU backend (devicePut its operands to "cpu") or use lax.scan / foriLoop with a static trip count`,
    );
  }
  return x.dtype === "bool" ? (x.itemBool() ? 1 : 0) : x.item();
}
