/**
 * `associativeScan` (JAX's `lax.associative_scan`) as a primitive: its impl is the parallel
 * prefix composition — recursive odd/even combination with strided slices, pad-based
 * interleaving and concatenation (O(n) work, O(log n) depth). The combine function is traced on
 * single elements and applied vmapped over the scanned axis at every level.
 *
 * Reverse mode: the JVP is an associative scan of the JVP'd combine over (primal, tangent) pairs
 * (that pair operator is associative too); partial evaluation inlines the composition, so
 * linearize sees slices, pads and elementwise ops, which all transpose.
 */
import type { Array } from "../../core/array.ts";
import type { ShapedArray } from "../../core/aval.ts";
import { type ClosedJaxpr, evalJaxpr } from "../../core/jaxpr.ts";
import { definePrimitive, type Primitive } from "../../core/primitive.ts";
import { isInexact } from "../../dtype.ts";
import { InternalError, ShapeError, ValueError } from "../../errors.ts";
import { fmtShape, normAxis } from "../../shape.ts";
import { vmapJaxpr } from "../../transforms/jaxpr-transforms.ts";
import {
  type PartialEvalTrace,
  type PartialEvalTracer,
  registerPartialEvalJaxprRule,
} from "../../transforms/partial-eval.ts";
import { traceToJaxpr } from "../../transforms/staging.ts";
import { backwardPass, tangentAval } from "../../transforms/transpose.ts";
import { zerosLikeAval } from "../../transforms/zeros.ts";
import { vmapFlatRaw } from "../../transforms/vmap.ts";
import { treeUnflatten } from "../../tree/pytree.ts";
import { moveBdim } from "../batching.ts";
import { add } from "../elementwise.ts";
import { bitwiseOr } from "../elementwise-logic.ts";
import { scalar } from "../scalars-and-batch-dims.ts";
import { concatenate, pad, rev, sliceInDim } from "../shape-slicing.ts";
import { jitP } from "./jit.ts";
import {
  flattenToArrays,
  hasTangent,
  jvpJaxprZeros,
  leafNames,
  openJaxpr,
  reorderJaxpr,
  splitCallEqn,
  splitList,
  traceFn,
} from "./common.ts";
import { isLinearPair, isLinearRecurrenceCombine, linearPairForm, markLinearPair } from "./associative-linear.ts";

export interface AssociativeScanParams {
  /** The combine on single elements: `(consts, a..., b...) → c...`, const-free. */
  readonly jaxpr: ClosedJaxpr;
  readonly numConsts: number;
  readonly reverse: boolean;
  /** The scanned axis of every element leaf (non-negative). */
  readonly axis: number;
}

/** Interleave `a` and `b` along `axis` (a first): JAX's `_interleave`, via interior padding. */
function interleave(a: Array, b: Array, axis: number): Array {
  const same = a.shape[axis] === b.shape[axis];
  const cfg = (lo: number, hi: number) =>
    a.shape.map((_, i) => (i === axis ? ([lo, hi, 1] as const) : ([0, 0, 0] as const)));
  const zero = scalar(0, a.dtype);
  const pa = pad(a, zero, cfg(0, same ? 1 : 0));
  const pb = pad(b, zero, cfg(1, same ? 0 : 1));
  return a.dtype === "bool" ? bitwiseOr(pa, pb) : add(pa, pb);
}

/** The parallel-prefix composition on arrays (concrete or traced). */
export function composeAssociativeScan(args: readonly Array[], p: AssociativeScanParams): Array[] {
  const [consts, elems0] = splitList(args, [p.numConsts]);
  const { axis } = p;
  const len = (x: Array) => x.shape[axis];
  const combine = (a: Array[], b: Array[]): Array[] => {
    const k = len(a[0]);
    if (k === 0) return a;
    const [outs, dims] = vmapFlatRaw(
      (...v: Array[]) => evalJaxpr(p.jaxpr.jaxpr, p.jaxpr.consts, v),
      [...consts, ...a, ...b],
      [...consts.map(() => null), ...a.map(() => axis), ...b.map(() => axis)],
      { size: k, name: undefined },
    );
    return outs.map((o, i) => moveBdim(o, dims[i], axis, k));
  };
  const sl = (x: Array, start: number, limit: number, stride = 1) =>
    sliceInDim(x, start, Math.max(start, limit), stride, axis);
  const rec = (elems: Array[]): Array[] => {
    const n = len(elems[0]);
    if (n < 2) return elems;
    // Combine adjacent pairs, scan the half-length sequence, then fix up the even positions.
    const reduced = combine(
      elems.map((e) => sl(e, 0, n - 1, 2)),
      elems.map((e) => sl(e, 1, n, 2)),
    );
    const odd = rec(reduced);
    const evenTail =
      n % 2 === 0
        ? combine(
            odd.map((e) => sl(e, 0, len(e) - 1)),
            elems.map((e) => sl(e, 2, n, 2)),
          )
        : combine(
            odd,
            elems.map((e) => sl(e, 2, n, 2)),
          );
    const even = elems.map((e, i) => concatenate([sl(e, 0, 1), evenTail[i]], axis));
    return even.map((e, i) => interleave(e, odd[i], axis));
  };
  const flip = (xs: Array[]) => (p.reverse ? xs.map((x) => rev(x, [axis])) : xs);
  return flip(rec(flip(elems0)));
}

/**
 * What partial evaluation expands a scan into: the JVP pair scan of a linear-recurrence combine
 * becomes the recurrences and their JVPs (associative-linear.ts: O(n) routines whose transposes
 * are the reverse recurrences), any other scan the parallel-prefix composition.
 */
function expandScan(args: readonly Array[], p: AssociativeScanParams): Array[] {
  return p.numConsts === 0 && isLinearPair(p.jaxpr)
    ? linearPairForm(args, p.axis, p.reverse)
    : composeAssociativeScan(args, p);
}

/** The expansion staged as a jaxpr over the operand types (for jaxpr-level rules). */
function composedJaxpr(avals: readonly { aval: ShapedArray }[], p: AssociativeScanParams): ClosedJaxpr {
  return traceToJaxpr(
    (...xs: Array[]) => expandScan(xs, p),
    avals.map((a) => a.aval),
    "associativeScan",
  );
}

export const associativeScanP: Primitive<AssociativeScanParams> = definePrimitive<AssociativeScanParams>(
  "associativeScan",
  {
    abstractEval(avals, p) {
      const elems = avals.slice(p.numConsts);
      const want = p.jaxpr.outAvals;
      if (elems.length !== want.length)
        throw new ShapeError(
          `associativeScan: got ${elems.length} element leaves but the combine returns ${want.length}`,
        );
      elems.forEach((e, i) => {
        if (e.ndim <= p.axis || !e.withShape(e.shape.filter((_, k) => k !== p.axis)).equals(want[i])) {
          throw new ShapeError(
            `associativeScan: element leaf ${i} has type ${e} but the combine works on ${want[i]} elements along axis ${p.axis}`,
          );
        }
      });
      return elems;
    },
    impl: (args, p) => composeAssociativeScan(args, p),
    jvpWithZeros(primals, tangents, p) {
      const [consts, elems] = splitList(primals, [p.numConsts]);
      const [cts, ets] = splitList(tangents, [p.numConsts]);
      const cNz = cts.map((t, i) => hasTangent(t, consts[i]));
      const eNz = elems.map((e) => isInexact(e.dtype));
      const n = elems.length;
      const m = eNz.filter((b) => b).length;
      const nC = consts.length;
      const nCd = cNz.filter((b) => b).length;
      // jvp combine: [c, a, b, cd, ad, bd] → [y, yd]; the pair operator wants [c, cd, (a, ad), (b, bd)].
      const { jaxpr: jj } = jvpJaxprZeros(p.jaxpr, [...cNz, ...eNz, ...eNz], true);
      const base = nC + 2 * n;
      const r = (s: number, k: number) => globalThis.Array.from({ length: k }, (_, i) => s + i);
      const inOrder = [
        ...r(0, nC),
        ...r(base, nCd),
        ...r(nC, n),
        ...r(base + nCd, m),
        ...r(nC + n, n),
        ...r(base + nCd + m, m),
      ];
      const { jaxpr, consts: extra } = openJaxpr(reorderJaxpr(jj, inOrder));
      // The pair scan over [a, b, da, db] of linax's SSM operator: partial evaluation expands it
      // as linear recurrences instead of the composition (see expandScan).
      if (extra.length === 0 && nCd === 0 && m === n && isLinearRecurrenceCombine(p.jaxpr, p.numConsts))
        markLinearPair(jaxpr);
      const zeros = (e: Array, t: Array | null) => t ?? zerosLikeAval(tangentAval(e.aval));
      const eTan = elems.flatMap((e, i) => (eNz[i] ? [zeros(e, ets[i])] : []));
      const outs = associativeScanP.bind(
        [...extra, ...consts, ...(cts.filter((_, i) => cNz[i]) as Array[]), ...elems, ...eTan],
        {
          ...p,
          jaxpr,
          numConsts: extra.length + nC + nCd,
        },
      );
      let k = n;
      return [outs.slice(0, n), eNz.map((b) => (b ? outs[k++] : null))];
    },
    batch(args, dims, p, axis) {
      const [consts, elems] = splitList(args, [p.numConsts]);
      const [cd, ed] = splitList(dims, [p.numConsts]);
      // Batch dim of every element to the front; the combine's elements then have it at axis 0.
      const moved = elems.map((e, i) => moveBdim(e, ed[i], 0, axis.size));
      const { jaxpr: bj } = vmapJaxpr(p.jaxpr, axis, [...cd, ...elems.map(() => 0), ...elems.map(() => 0)], true);
      const { jaxpr, consts: extra } = openJaxpr(bj);
      const outs = associativeScanP.bind([...extra, ...consts, ...moved], {
        ...p,
        jaxpr,
        numConsts: extra.length + p.numConsts,
        axis: p.axis + 1,
      });
      return [outs, outs.map(() => 0)];
    },
    partialEval(traceU, tracers, p) {
      // Inline the composition: linearize then sees only transposable slices/pads/elementwise ops.
      void (traceU as PartialEvalTrace);
      return expandScan(tracers as readonly PartialEvalTracer[], p);
    },
    transpose(cts, args, p) {
      // Only reached for a combine linear in the undefined operands: transpose the composition.
      const cj = composedJaxpr(args as readonly { aval: ShapedArray }[], p);
      return backwardPass(cj.jaxpr, cj.consts, args, cts);
    },
    printParams: (p) =>
      `axis=${p.axis} reverse=${p.reverse} numConsts=${p.numConsts} combine=${p.jaxpr.toString().replace(/\n/g, "\n    ")}`,
  },
);

// Inside a jaxpr, split the inlined composition like a call (a jit of the composition).
registerPartialEvalJaxprRule(associativeScanP as unknown as Primitive, (unks, eqn) => {
  const p = eqn.params as unknown as AssociativeScanParams;
  const cj = composedJaxpr(eqn.inputs, p);
  const { jaxpr, consts } = openJaxpr(cj);
  if (consts.length > 0)
    throw new InternalError("associativeScan partial eval: composition with consts inside a jaxpr");
  return splitCallEqn(jitP as unknown as Primitive, unks, eqn, jaxpr, (j) => ({ jaxpr: j, name: "associativeScan" }));
});

export interface AssociativeScanOptions {
  /** Scan from the end (prefix results then accumulate right to left). */
  reverse?: boolean;
  /** The scanned axis of every leaf (default 0; negative counts from the end). */
  axis?: number;
}

/**
 * `lax.associativeScan(fn, elems, { reverse, axis })`: all prefix combinations
 * `[e0, fn(e0, e1), fn(fn(e0, e1), e2), …]` along `axis` for an associative `fn`, computed with
 * a parallel prefix scan. `elems` is a pytree whose leaves share the scanned length; `fn(a, b)`
 * receives and returns single elements (the leaves with the scanned axis removed), so any
 * elementwise-vectorized JAX combine works unchanged. E.g. the linear recurrence of an SSM:
 * `associativeScan(([a1, b1], [a2, b2]) => [a2·a1, a2·b1 + b2], [A, B])`.
 */
export function associativeScan<T>(fn: (a: T, b: T) => T, elems: T, opts: AssociativeScanOptions = {}): T {
  const [leaves, tree] = flattenToArrays(elems, "associativeScan elems");
  if (leaves.length === 0) return elems;
  const names = leafNames(elems, "elems");
  const axis = normAxis("associativeScan", opts.axis ?? 0, leaves[0].ndim);
  const n = leaves[0].shape[axis];
  leaves.forEach((l, i) => {
    if (l.ndim <= axis || l.shape[axis] !== n) {
      throw new ShapeError(
        `associativeScan: every leaf needs the same length along axis ${axis}; '${names[0]}' has shape ${fmtShape(leaves[0].shape)} but '${names[i]}' has shape ${fmtShape(l.shape)}`,
      );
    }
  });
  const elemAvals = leaves.map((l) => l.aval.withShape(l.shape.filter((_, k) => k !== axis)));
  const k = leaves.length;
  const traced = traceFn(
    (...v: Array[]) => fn(treeUnflatten<T>(tree, v.slice(0, k)), treeUnflatten<T>(tree, v.slice(k))),
    [...elemAvals, ...elemAvals],
    "associativeScan combine",
  );
  const outAvals = traced.jaxpr.outAvals;
  if (!traced.outTree.equals(tree) || outAvals.some((a, i) => !a.equals(elemAvals[i]))) {
    throw new ValueError(
      `associativeScan: fn must return one element of the same structure and types as its inputs; elements are ${tree} of (${elemAvals.map(String).join(", ")}) but fn returns ${traced.outTree} of (${outAvals.map(String).join(", ")})`,
    );
  }
  const outs = associativeScanP.bind([...traced.consts, ...leaves], {
    jaxpr: traced.jaxpr,
    numConsts: traced.consts.length,
    reverse: opts.reverse ?? false,
    axis,
  });
  return treeUnflatten<T>(tree, outs);
}
