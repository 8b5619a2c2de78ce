/**
 * `checkpoint` / `remat` (JAX's `remat_p`): a call primitive whose partial evaluation saves only
 * the inputs (and whatever the policy allows) as residuals and recomputes the rest of the forward
 * pass inside the staged (tangent) call. Its transpose evaluates that call's non-linear part —
 * the recomputation — in the backward pass, then transposes the linear part.
 */
import type { Array } from "../../core/array.ts";
import { type ClosedJaxpr, JaxprEqn, Var, evalJaxpr, type Atom, type Jaxpr } from "../../core/jaxpr.ts";
import { definePrimitive, isUndefined, type Params, type Primitive } from "../../core/primitive.ts";
import { InternalError, ShapeError } from "../../errors.ts";
import { transposeJaxpr, vmapJaxpr } from "../../transforms/jaxpr-transforms.ts";
import {
  type PartialEvalTrace,
  type PartialEvalTracer,
  partialEvalJaxpr,
  registerPartialEvalJaxprRule,
} from "../../transforms/partial-eval.ts";
import { traceToJaxpr } from "../../transforms/staging.ts";
import { tangentAval } from "../../transforms/transpose.ts";
import { zerosLikeAval } from "../../transforms/zeros.ts";
import { treeUnflatten } from "../../tree/pytree.ts";
import { flattenToArrays, hasTangent, jvpJaxprZeros, openJaxpr, selectOutputs, splitList, traceFn } from "./common.ts";

/**
 * Decides which intermediate values are saved for the backward pass (true) rather than
 * recomputed: called with the primitive and params of the equation that produced the value.
 */
export type CheckpointPolicy = (prim: Primitive, params: Params) => boolean;

/** JAX's `jax.checkpoint_policies`, by name. */
export const checkpointPolicies = {
  /** Save nothing: recompute the whole forward pass (the default). */
  nothingSaveable: ((): boolean => false) as CheckpointPolicy,
  /** Save everything: no recomputation (like not using checkpoint). */
  everythingSaveable: ((): boolean => true) as CheckpointPolicy,
  /** Save the results of matrix products (`dotGeneral`), recompute the rest. */
  dotsSaveable: ((prim: Primitive): boolean => prim.name === "dotGeneral") as CheckpointPolicy,
  /** Save matrix products without batch dimensions. */
  dotsWithNoBatchDimsSaveable: ((prim: Primitive, params: Params): boolean => {
    if (prim.name !== "dotGeneral") return false;
    const bd = (params as { batchDims?: readonly [readonly number[], readonly number[]] }).batchDims;
    return (bd?.[0].length ?? 0) === 0;
  }) as CheckpointPolicy,
};

export interface RematParams {
  readonly jaxpr: ClosedJaxpr;
  readonly policy: CheckpointPolicy;
  /** Whether this call is the differentiated (staged) half; informational, as in JAX. */
  readonly differentiated: boolean;
  readonly preventCse: boolean;
}

export const rematP: Primitive<RematParams> = definePrimitive<RematParams>("remat", {
  abstractEval(avals, { jaxpr }) {
    const want = jaxpr.inAvals;
    if (avals.length !== want.length || avals.some((a, i) => !a.equals(want[i])))
      throw new ShapeError(
        `checkpoint: called with ${avals.map(String).join(", ")} but traced for ${want.map(String).join(", ")}`,
      );
    return jaxpr.outAvals;
  },
  impl: (args, { jaxpr }) => evalJaxpr(jaxpr.jaxpr, jaxpr.consts, args),
  jvpWithZeros(primals, tangents, p) {
    const nz = tangents.map((t, i) => hasTangent(t, primals[i]));
    const { jaxpr: jj, outNonzeros } = jvpJaxprZeros(p.jaxpr, nz, false);
    const { jaxpr, consts } = openJaxpr(jj);
    const outs = rematP.bind([...consts, ...primals, ...(tangents.filter((_, i) => nz[i]) as Array[])], {
      ...p,
      jaxpr,
    });
    const n = outNonzeros.length;
    let k = n;
    return [outs.slice(0, n), outNonzeros.map((m) => (m ? outs[k++] : null))];
  },
  batch(args, dims, p, axis) {
    const { jaxpr: bj, outBatched } = vmapJaxpr(p.jaxpr, axis, dims, false);
    const { jaxpr, consts } = openJaxpr(bj);
    const outs = rematP.bind([...consts, ...args], { ...p, jaxpr });
    return [outs, outBatched.map((b) => (b ? 0 : null))];
  },
  partialEval(traceU, tracersU, p) {
    const trace = traceU as PartialEvalTrace;
    const tracers = tracersU as readonly PartialEvalTracer[];
    const plan = planRemat(
      p,
      tracers.map((t) => !t.pval.isKnown),
    );
    // The known half runs inline now; only its outputs and the saved values are kept.
    const knownIns = tracers.filter((t) => t.pval.isKnown).map((t) => t.pval.known as Array);
    const kOuts = evalJaxpr(plan.known.jaxpr, plan.known.consts, knownIns);
    const saved = kOuts.slice(plan.numKnownOuts).map((s) => trace.pure(s) as PartialEvalTracer);
    const consts = plan.unknownConsts.map((c) => trace.pure(c) as PartialEvalTracer);
    const uOuts = trace.stageEqn(
      rematP as unknown as Primitive,
      [...consts, ...saved, ...tracers],
      { ...p, jaxpr: plan.unknown, differentiated: true },
      plan.unknown.outAvals,
    );
    let ki = 0;
    let ui = 0;
    return plan.outUnknowns.map((u) => (u ? uOuts[ui++] : trace.pure(kOuts[ki++])));
  },
  transpose(cts, args, p) {
    const lin = args.map(isUndefined);
    const { jaxpr, consts } = openJaxpr(transposeJaxpr(p.jaxpr, lin));
    const outAvals = p.jaxpr.outAvals.map(tangentAval);
    const nonlin = args.filter((a) => !isUndefined(a)) as Array[];
    const ctsInst = cts.map((c, i) => c ?? zerosLikeAval(outAvals[i]));
    const res = rematP.bind([...consts, ...nonlin, ...ctsInst], { ...p, jaxpr });
    let k = 0;
    return lin.map((l) => (l ? res[k++] : null));
  },
  printParams: ({ jaxpr, policy, differentiated }) =>
    `policy=${policy.name || "custom"} differentiated=${differentiated} jaxpr=${jaxpr.toString().replace(/\n/g, "\n    ")}`,
});

interface RematPlan {
  outUnknowns: boolean[];
  /** known inputs → known outputs ++ saved values */
  known: ClosedJaxpr;
  numKnownOuts: number;
  /** (consts ++) saved values ++ all inputs → unknown outputs, recomputing the rest. */
  unknown: ClosedJaxpr;
  unknownConsts: Array[];
}

/** The producing equation of each variable of a jaxpr. */
function producers(j: Jaxpr): Map<Var, JaxprEqn> {
  const m = new Map<Var, JaxprEqn>();
  for (const e of j.eqns) for (const v of e.outBinders) m.set(v, e);
  return m;
}

/**
 * Split like ordinary partial evaluation, then decide per residual: a known input is passed
 * through, a value the policy saves comes from the known half, anything else is recomputed
 * inside the unknown call from the known inputs.
 */
function planRemat(p: RematParams, uks: readonly boolean[]): RematPlan {
  const split = partialEvalJaxpr(p.jaxpr, uks, false);
  const kj = split.known.jaxpr;
  const numKnownOuts = kj.outvars.length - split.numRes;
  const resAtoms = kj.outvars.slice(numKnownOuts);
  const prod = producers(kj);
  const savedAtoms: Atom[] = [];
  const recomputeAtoms: Atom[] = [];
  type Src = { kind: "input"; i: number } | { kind: "saved"; i: number } | { kind: "recompute"; i: number };
  const src: Src[] = resAtoms.map((a) => {
    const pos = a instanceof Var ? kj.invars.indexOf(a) : -1;
    if (pos >= 0) return { kind: "input", i: pos };
    const e = a instanceof Var ? prod.get(a) : undefined;
    if (e !== undefined && p.policy(e.prim, e.params)) {
      savedAtoms.push(a);
      return { kind: "saved", i: savedAtoms.length - 1 };
    }
    recomputeAtoms.push(a);
    return { kind: "recompute", i: recomputeAtoms.length - 1 };
  });
  const known = selectOutputs(split.known, [...kj.outvars.slice(0, numKnownOuts), ...savedAtoms]);
  const recompute = selectOutputs(split.known, recomputeAtoms);
  const inAvals = p.jaxpr.inAvals;
  const knownPos = uks.map((u, i) => (u ? -1 : i)).filter((i) => i >= 0);
  const unknownJ = traceToJaxpr(
    (...v: Array[]) => {
      const [saved, ins] = splitList(v, [savedAtoms.length]);
      const knownIns = knownPos.map((i) => ins[i]);
      const rec = evalJaxpr(recompute.jaxpr, recompute.consts, knownIns);
      const res = src.map((s) => (s.kind === "input" ? knownIns[s.i] : s.kind === "saved" ? saved[s.i] : rec[s.i]));
      return evalJaxpr(split.unknown.jaxpr, split.unknown.consts, [...res, ...ins.filter((_, i) => uks[i])]);
    },
    [...savedAtoms.map((a) => a.aval), ...inAvals],
    "checkpoint",
  );
  const { jaxpr: unknown, consts: unknownConsts } = openJaxpr(unknownJ);
  return { outUnknowns: split.outUnknowns, known, numKnownOuts, unknown, unknownConsts };
}

registerPartialEvalJaxprRule(rematP as unknown as Primitive, (unks, eqn) => {
  const p = eqn.params as unknown as RematParams;
  const plan = planRemat(p, unks);
  if (plan.unknownConsts.length > 0)
    throw new InternalError("checkpoint partial eval: recomputation with consts inside a jaxpr");
  const known = openJaxpr(plan.known);
  if (known.consts.length > 0)
    throw new InternalError("checkpoint partial eval: known half with consts inside a jaxpr");
  const savedVars = plan.known.outAvals.slice(plan.numKnownOuts).map((a) => new Var(a));
  const knownIns = eqn.inputs.filter((_, i) => !unks[i]);
  return {
    known: new JaxprEqn(rematP as unknown as Primitive, knownIns, { ...p, jaxpr: known.jaxpr }, [
      ...eqn.outBinders.filter((_, i) => !plan.outUnknowns[i]),
      ...savedVars,
    ]),
    unknown: new JaxprEqn(
      rematP as unknown as Primitive,
      [...savedVars, ...eqn.inputs],
      { ...p, jaxpr: plan.unknown, differentiated: true },
      eqn.outBinders.filter((_, i) => plan.outUnknowns[i]),
    ),
    outUnknowns: plan.outUnknowns,
    residuals: [...savedVars, ...(knownIns.filter((a) => a instanceof Var) as Var[])],
  };
});

export interface CheckpointOptions {
  /** Which intermediates to save instead of recomputing (default: `checkpointPolicies.nothingSaveable`). */
  policy?: CheckpointPolicy;
  /** Kept for JAX compatibility; the reference interpreter never merges recomputation away. */
  preventCse?: boolean;
}

/**
 * JAX's `jax.checkpoint` (alias `remat`): `checkpoint(f)` computes the same values and
 * derivatives as `f`, but reverse mode saves only `f`'s inputs (plus what `policy` allows) and
 * recomputes `f`'s forward pass during the backward pass — trading compute for memory.
 */
export function checkpoint<A extends unknown[] = Array[], R = unknown>(
  f: (...args: A) => R,
  opts: CheckpointOptions = {},
): (...args: A) => R {
  const policy = opts.policy ?? checkpointPolicies.nothingSaveable;
  const name = f.name || "fn";
  return (...args: A): R => {
    const [leaves, inTree] = flattenToArrays(args, `checkpoint(${name}) arguments`);
    const traced = traceFn(
      (...xs: Array[]) => f(...treeUnflatten<A>(inTree, xs)),
      leaves.map((l) => l.aval),
      `checkpoint(${name})`,
    );
    const outs = rematP.bind([...traced.consts, ...leaves], {
      jaxpr: traced.jaxpr,
      policy,
      differentiated: false,
      preventCse: opts.preventCse ?? true,
    });
    return treeUnflatten<R>(traced.outTree, outs);
  };
}

/** Alias of `checkpoint`, as `jax.remat`. */
export const remat = checkpoint;
