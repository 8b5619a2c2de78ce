/**
 * The `cond` primitive (JAX's `cond_p`, behind `lax.cond` and `lax.switch`) and all of its rules.
 * Operands are `index (int32 scalar) ++ ops`; `branches[index]` maps ops to the outputs. Branch
 * consts are hoisted into shared leading ops (each branch ignores the others').
 */
import type { Array } from "../../core/array.ts";
import { ShapedArray } from "../../core/aval.ts";
import { ClosedJaxpr, Jaxpr, JaxprEqn, Var, evalJaxpr } from "../../core/jaxpr.ts";
import { UndefinedPrimal, definePrimitive, isUndefined, type Primitive } from "../../core/primitive.ts";
import { DTypeError, InternalError, ShapeError } from "../../errors.ts";
import { vmapJaxpr } from "../../transforms/jaxpr-transforms.ts";
import {
  type PartialEvalTrace,
  type PartialEvalTracer,
  partialEvalJaxpr,
  registerPartialEvalJaxprRule,
} from "../../transforms/partial-eval.ts";
import { traceToJaxpr } from "../../transforms/staging.ts";
import { backwardPass, tangentAval } from "../../transforms/transpose.ts";
import { zerosLikeAval } from "../../transforms/zeros.ts";
import { treeUnflatten } from "../../tree/pytree.ts";
import { moveBdim } from "../batching.ts";
import { fullLike } from "../elementwise.ts";
import { eq, select, selectN } from "../elementwise-logic.ts";
import { broadcastInDim } from "../shape-ops.ts";
import {
  flattenToArrays,
  hasTangent,
  hostScalar,
  readableOnHost,
  jvpJaxprZeros,
  openJaxpr,
  orLists,
  splitList,
  traceFn,
} from "./common.ts";
import { stopGradient } from "./custom-derivatives.ts";

export interface CondParams {
  /** One const-free jaxpr per branch, all with the same input and output types. */
  readonly branches: readonly ClosedJaxpr[];
}

/**
 * Give every branch all branches' consts as leading invars (its own used, the others ignored),
 * so one operand list serves every branch. Returns the branches and the consts to prepend.
 */
export function joinBranches(parts: readonly { jaxpr: ClosedJaxpr; consts: readonly Array[] }[]): {
  branches: ClosedJaxpr[];
  consts: Array[];
} {
  const all = parts.flatMap((p) => p.consts);
  let off = 0;
  const branches = parts.map((p) => {
    const j = p.jaxpr.jaxpr;
    const n = p.consts.length;
    const before = all.slice(0, off).map((c) => new Var(c.aval));
    const after = all.slice(off + n).map((c) => new Var(c.aval));
    off += n;
    return new ClosedJaxpr(
      new Jaxpr(j.constvars, [...before, ...j.invars.slice(0, n), ...after, ...j.invars.slice(n)], j.eqns, j.outvars),
      p.jaxpr.consts,
    );
  });
  return { branches, consts: all };
}

const open = (cjs: readonly ClosedJaxpr[]) => joinBranches(cjs.map(openJaxpr));

export const condP: Primitive<CondParams> = definePrimitive<CondParams>("cond", {
  abstractEval([idx, ...ops], { branches }) {
    if (idx.dtype !== "int32" || idx.ndim !== 0)
      throw new DTypeError(`cond: the branch index must be an int32 scalar; got ${idx}`);
    branches.forEach((b, k) => {
      const want = b.inAvals;
      if (want.length !== ops.length || ops.some((a, i) => !a.equals(want[i]))) {
        throw new ShapeError(
          `cond: branch ${k} takes ${want.map(String).join(", ")} but the operands are ${ops.map(String).join(", ")}`,
        );
      }
    });
    const outs0 = branches[0].outAvals;
    branches.forEach((b, k) => {
      const o = b.outAvals;
      if (o.length !== outs0.length || o.some((a, i) => !a.equals(outs0[i]))) {
        throw new ShapeError(
          `cond: branch 0 returns (${outs0.map(String).join(", ")}) but branch ${k} returns (${o.map(String).join(", ")}); all branches must return the same types`,
        );
      }
    });
    return outs0.map(
      (o, i) =>
        new ShapedArray(
          o.shape,
          o.dtype,
          branches.every((b) => b.outAvals[i].weakType),
        ),
    );
  },

  impl([idx, ...ops], { branches }) {
    if (!readableOnHost(idx)) {
      // The index lives on a device that cannot be read synchronously (WebGPU): run every branch
      // and select on the device, as a batched cond does. Branches are pure, so only cost differs.
      const outs = branches.map((b) => evalJaxpr(b.jaxpr, b.consts, ops));
      return outs[0].map((_, j) => selectN(idx, ...outs.map((bo) => bo[j])));
    }
    const i = Math.min(Math.max(hostScalar(idx, "cond"), 0), branches.length - 1);
    return evalJaxpr(branches[i].jaxpr, branches[i].consts, ops);
  },

  jvpWithZeros([idx, ...ops], [, ...dots], { branches }) {
    const nz = dots.map((t, i) => hasTangent(t, ops[i]));
    // A tangent output is nonzero if any branch makes it so; all branches then instantiate it.
    const outNz = branches.map((b) => jvpJaxprZeros(b, nz, false).outNonzeros).reduce(orLists);
    const { branches: bj, consts } = open(branches.map((b) => jvpJaxprZeros(b, nz, outNz).jaxpr));
    const outs = condP.bind([idx, ...consts, ...ops, ...(dots.filter((_, i) => nz[i]) as Array[])], { branches: bj });
    const n = outNz.length;
    let k = n;
    return [outs.slice(0, n), outNz.map((m) => (m ? outs[k++] : null))];
  },

  batch(args, dims, { branches }, axis) {
    const [idx, ...ops] = args;
    const [idxDim, ...opDims] = dims;
    if (idxDim !== null) {
      // A batched index: run every branch on the whole batch and select per element (as JAX).
      const index = moveBdim(idx, idxDim, 0, axis.size);
      const opsB = ops.map((x, i) => moveBdim(x, opDims[i], 0, axis.size));
      const bcast = (v: Array, shape: readonly number[]) => (shape.length === 1 ? v : broadcastInDim(v, shape, [0]));
      const branchOuts = branches.map((b, k) => {
        const bj = vmapJaxpr(
          b,
          axis,
          ops.map(() => 0),
          true,
        ).jaxpr;
        // Selecting the inputs keeps reverse mode from sending cotangents (and NaNs) through
        // the rows a branch was not chosen for (JAX issue #1052).
        const isK = eq(index, fullLike(index, k));
        const opsK = opsB.map((x) => select(bcast(isK, x.shape), x, stopGradient(x)));
        return evalJaxpr(bj.jaxpr, bj.consts, opsK);
      });
      const outs = branchOuts[0].map((o, j) => selectN(bcast(index, o.shape), ...branchOuts.map((bo) => bo[j])));
      return [outs, outs.map(() => 0)];
    }
    const outB = branches.map((b) => vmapJaxpr(b, axis, opDims, false).outBatched).reduce(orLists);
    const { branches: bj, consts } = open(branches.map((b) => vmapJaxpr(b, axis, opDims, outB).jaxpr));
    const outs = condP.bind([idx, ...consts, ...ops], { branches: bj });
    return [outs, outB.map((b) => (b ? 0 : null))];
  },

  partialEval(traceU, tracersU, params) {
    const trace = traceU as PartialEvalTrace;
    const [idxT, ...opT] = tracersU as readonly PartialEvalTracer[];
    const outAvals = condP.rules.abstractEval(
      (tracersU as readonly PartialEvalTracer[]).map((t) => t.aval),
      params,
    );
    if (!idxT.pval.isKnown)
      return trace.stageEqn(
        condP as unknown as Primitive,
        tracersU as PartialEvalTracer[],
        params as unknown as Record<string, unknown>,
        outAvals,
      );
    const uks = opT.map((t) => !t.pval.isKnown);
    const plan = planCondSplit(params.branches, uks);
    const idx = idxT.pval.known as Array;
    const knownOps = opT.filter((t) => t.pval.isKnown).map((t) => t.pval.known as Array);
    const knownOuts = condP.bind([idx, ...plan.knownConsts, ...knownOps], { branches: plan.known });
    const res = knownOuts.slice(plan.numKnownOuts).map((r) => trace.pure(r) as PartialEvalTracer);
    const unknownOuts = trace.stageEqn(
      condP as unknown as Primitive,
      [idxT, ...res, ...opT.filter((t) => !t.pval.isKnown)],
      { branches: plan.unknown },
      outAvals.filter((_, i) => plan.outUnknowns[i]),
    );
    let ki = 0;
    let ui = 0;
    return plan.outUnknowns.map((u) => (u ? unknownOuts[ui++] : trace.pure(knownOuts[ki++])));
  },

  transpose(cts, [idx, ...ops], { branches }) {
    const lin = ops.map(isUndefined);
    const res = ops.filter((o) => !isUndefined(o)) as Array[];
    const outAvals = branches[0].outAvals.map(tangentAval);
    const linAvals = branches[0].inAvals.filter((_, i) => lin[i]).map(tangentAval);
    const ctsInst = cts.map((c, i) => c ?? zerosLikeAval(outAvals[i]));
    const trans = branches.map((b) =>
      traceToJaxpr(
        (...v: Array[]) => {
          const [r, c] = splitList(v, [res.length]);
          let k = 0;
          const args = b.inAvals.map((a, i) => (lin[i] ? new UndefinedPrimal(a) : r[k++]));
          const out = backwardPass(b.jaxpr, b.consts, args, c);
          return out.filter((_, i) => lin[i]).map((ct, i) => ct ?? zerosLikeAval(linAvals[i]));
        },
        [...res.map((r) => r.aval), ...outAvals],
        "transpose(cond)",
      ),
    );
    const { branches: bj, consts } = open(trans);
    const outs = condP.bind([idx as Array, ...consts, ...res, ...ctsInst], { branches: bj });
    let k = 0;
    return [null, ...lin.map((l) => (l ? outs[k++] : null))];
  },

  printParams: ({ branches }) =>
    `branches=(${branches.map((b) => "\n    " + b.toString().replace(/\n/g, "\n    ")).join("")})`,
});

interface CondSplitPlan {
  outUnknowns: boolean[];
  /** Known branches: known ops → known outs ++ every branch's residuals (zeros for the others'). */
  known: ClosedJaxpr[];
  knownConsts: Array[];
  numKnownOuts: number;
  resAvals: ShapedArray[];
  /** Unknown branches: all residuals ++ unknown ops → unknown outs. */
  unknown: ClosedJaxpr[];
}

/** JAX's `_cond_partial_eval`: the known cond computes the residuals of all branches, the unknown cond consumes them. */
function planCondSplit(branches: readonly ClosedJaxpr[], uks: readonly boolean[]): CondSplitPlan {
  const outUnknowns = branches.map((b) => partialEvalJaxpr(b, uks, false).outUnknowns).reduce(orLists);
  const splits = branches.map((b) => partialEvalJaxpr(b, uks, outUnknowns));
  const numKnownOuts = outUnknowns.filter((u) => !u).length;
  const resPer = splits.map((s) => s.known.outAvals.slice(numKnownOuts));
  const resAvals = resPer.flat();
  const knownOpAvals = branches[0].inAvals.filter((_, i) => !uks[i]);
  let off = 0;
  const knownJ: ClosedJaxpr[] = [];
  const unknownJ: ClosedJaxpr[] = [];
  splits.forEach((s, k) => {
    const lo = off;
    const n = resPer[k].length;
    off += n;
    knownJ.push(
      traceToJaxpr(
        (...ko: Array[]) => {
          const outs = evalJaxpr(s.known.jaxpr, s.known.consts, ko);
          return [
            ...outs.slice(0, numKnownOuts),
            ...resAvals.map((a, r) => (r >= lo && r < lo + n ? outs[numKnownOuts + r - lo] : zerosLikeAval(a))),
          ];
        },
        knownOpAvals,
        "cond known",
      ),
    );
    const uj = s.unknown.jaxpr;
    const before = resAvals.slice(0, lo).map((a) => new Var(a));
    const after = resAvals.slice(lo + n).map((a) => new Var(a));
    unknownJ.push(
      new ClosedJaxpr(
        new Jaxpr(
          uj.constvars,
          [...before, ...uj.invars.slice(0, n), ...after, ...uj.invars.slice(n)],
          uj.eqns,
          uj.outvars,
        ),
        s.unknown.consts,
      ),
    );
  });
  const k = open(knownJ);
  const u = open(unknownJ);
  if (u.consts.length > 0) throw new InternalError("cond partial eval: unknown branch with consts");
  return { outUnknowns, known: k.branches, knownConsts: k.consts, numKnownOuts, resAvals, unknown: u.branches };
}

registerPartialEvalJaxprRule(condP as unknown as Primitive, (unks, eqn) => {
  const { branches } = eqn.params as unknown as CondParams;
  const [idxA, ...opA] = eqn.inputs;
  const knownVars = eqn.inputs.filter((a, i) => !unks[i] && a instanceof Var) as Var[];
  if (unks[0]) return { known: null, unknown: eqn, outUnknowns: eqn.outBinders.map(() => true), residuals: knownVars };
  const uks = unks.slice(1);
  const plan = planCondSplit(branches, uks);
  if (plan.knownConsts.length > 0)
    throw new InternalError("cond partial eval: known branches with consts inside a jaxpr");
  const resVars = plan.resAvals.map((a) => new Var(a));
  const known = new JaxprEqn(
    condP as unknown as Primitive,
    [idxA, ...opA.filter((_, i) => !uks[i])],
    { branches: plan.known },
    [...eqn.outBinders.filter((_, i) => !plan.outUnknowns[i]), ...resVars],
  );
  const unknown = new JaxprEqn(
    condP as unknown as Primitive,
    [idxA, ...resVars, ...opA.filter((_, i) => uks[i])],
    { branches: plan.unknown },
    eqn.outBinders.filter((_, i) => plan.outUnknowns[i]),
  );
  return {
    known,
    unknown,
    outUnknowns: plan.outUnknowns,
    residuals: [...resVars, ...(idxA instanceof Var ? [idxA] : [])],
  };
});

/**
 * Trace the branch functions on the operands, check they agree, and bind `cond`. Used by
 * `lax.cond` (branches [false, true]) and `lax.switch`.
 */
export function bindCond(
  op: string,
  index: Array,
  fns: readonly ((...a: never[]) => unknown)[],
  operands: readonly unknown[],
  names: readonly string[],
): unknown {
  const [opLeaves, opTree] = flattenToArrays([...operands], `${op} operands`);
  const avals = opLeaves.map((a) => a.aval);
  const traced = fns.map((fn, k) =>
    traceFn(
      (...v: Array[]) => (fn as (...a: unknown[]) => unknown)(...treeUnflatten<unknown[]>(opTree, v)),
      avals,
      `${op} ${names[k]}`,
    ),
  );
  const t0 = traced[0];
  traced.forEach((t, k) => {
    if (!t.outTree.equals(t0.outTree))
      throw new ShapeError(
        `${op}: all branches must return the same structure; the ${names[0]} returns ${t0.outTree} but the ${names[k]} returns ${t.outTree}`,
      );
    const a0 = t0.jaxpr.outAvals;
    t.jaxpr.outAvals.forEach((a, i) => {
      if (!a.equals(a0[i])) {
        const E = a.dtype !== a0[i].dtype ? DTypeError : ShapeError;
        throw new E(
          `${op}: all branches must return the same types; output leaf ${i}: the ${names[0]} returns ${a0[i]} but the ${names[k]} returns ${a}`,
        );
      }
    });
  });
  const { branches, consts } = joinBranches(traced);
  const outs = condP.bind([index, ...consts, ...opLeaves], { branches });
  return treeUnflatten(t0.outTree, outs);
}
