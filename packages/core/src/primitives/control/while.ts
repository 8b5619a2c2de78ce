/**
 * The `while` primitive (JAX's `while_p`, behind `lax.whileLoop` and `lax.foriLoop` with traced
 * bounds) and its rules. Operands are `cond consts ++ body consts ++ carry`. Forward mode and
 * batching are supported; partial evaluation computes the known carries with a smaller loop and
 * stages the whole loop for the unknown ones, so `linearize` works and reverse mode reaches the
 * transpose rule, which raises JAX's error.
 */
import type { Array } from "../../core/array.ts";
import { ShapedArray } from "../../core/aval.ts";
import { nextArraySerial } from "../../core/concrete.ts";
import { type ClosedJaxpr, JaxprEqn, Var, evalJaxpr } from "../../core/jaxpr.ts";
import { definePrimitive, type BatchDim, type Primitive } from "../../core/primitive.ts";
import { InternalError, ShapeError, ValueError } from "../../errors.ts";
import { vmapJaxpr } from "../../transforms/jaxpr-transforms.ts";
import {
  type PartialEvalTrace,
  type PartialEvalTracer,
  partialEvalJaxpr,
  registerPartialEvalJaxprRule,
} from "../../transforms/partial-eval.ts";
import { traceToJaxpr } from "../../transforms/staging.ts";
import { tangentAval } from "../../transforms/transpose.ts";
import { zerosLikeAval } from "../../transforms/zeros.ts";
import { moveBdim } from "../batching.ts";
import { select } from "../elementwise-logic.ts";
import { reduceOr } from "../reduce-prod-logical.ts";
import { broadcastInDim } from "../shape-ops.ts";
import {
  disposeTemps,
  hasTangent,
  hostScalar,
  jvpJaxprZeros,
  openJaxpr,
  orLists,
  reorderJaxpr,
  sameLists,
  selectOutputs,
  splitList,
  withUnusedInvars,
} from "./common.ts";

export interface WhileParams {
  /** `(cond consts, carry) → bool[]`, const-free. */
  readonly condJaxpr: ClosedJaxpr;
  /** `(body consts, carry) → carry`, const-free. */
  readonly bodyJaxpr: ClosedJaxpr;
  readonly condNConsts: number;
  readonly bodyNConsts: number;
}

/** JAX's message, raised when reverse mode reaches a while loop. */
export const WHILE_REVERSE_MODE_ERROR =
  "Reverse-mode differentiation does not work for lax.while_loop or lax.fori_loop with dynamic start/stop values. " +
  "Try using lax.scan, or using fori_loop with static start/stop.";

function range(start: number, n: number): number[] {
  return globalThis.Array.from({ length: n }, (_, i) => start + i);
}

export const whileP: Primitive<WhileParams> = definePrimitive<WhileParams>("while", {
  abstractEval(avals, p) {
    const carry = avals.slice(p.condNConsts + p.bodyNConsts);
    const bIn = p.bodyJaxpr.inAvals;
    const bOut = p.bodyJaxpr.outAvals;
    const cIn = p.condJaxpr.inAvals;
    const bodyArgs = [...avals.slice(p.condNConsts, p.condNConsts + p.bodyNConsts), ...carry];
    const condArgs = [...avals.slice(0, p.condNConsts), ...carry];
    if (bIn.length !== bodyArgs.length || bodyArgs.some((a, i) => !a.equals(bIn[i])))
      throw new ShapeError(
        `while: the body takes ${bIn.map(String).join(", ")} but got ${bodyArgs.map(String).join(", ")}`,
      );
    if (cIn.length !== condArgs.length || condArgs.some((a, i) => !a.equals(cIn[i])))
      throw new ShapeError(
        `while: the condition takes ${cIn.map(String).join(", ")} but got ${condArgs.map(String).join(", ")}`,
      );
    if (bOut.length !== carry.length || carry.some((a, i) => !a.equals(bOut[i])))
      throw new ShapeError(
        `while: the body maps the carry ${carry.map(String).join(", ")} to ${bOut.map(String).join(", ")}`,
      );
    return carry.map((c, i) => new ShapedArray(c.shape, c.dtype, c.weakType && bOut[i].weakType));
  },

  impl(args, p) {
    // Each predicate and each superseded carry is freed at once (if this impl made it: see disposeTemps).
    const mark = nextArraySerial();
    const [cc, bc, init] = splitList(args, [p.condNConsts, p.bodyNConsts]);
    let carry = init;
    for (;;) {
      const pred = evalJaxpr(p.condJaxpr.jaxpr, [], [...cc, ...carry])[0];
      const go = hostScalar(pred, "while") !== 0;
      disposeTemps([pred], mark, carry);
      if (!go) break;
      const next = evalJaxpr(p.bodyJaxpr.jaxpr, [], [...bc, ...carry]);
      disposeTemps(carry, mark, next);
      carry = next;
    }
    return carry;
  },

  jvpWithZeros(primals, tangents, p) {
    const nCC = p.condNConsts;
    const nB = p.bodyNConsts;
    const [cc, bc, k] = splitList(primals, [nCC, nB]);
    const [, bcT, kT] = splitList(tangents, [nCC, nB]);
    const bNz = bcT.map((t, i) => hasTangent(t, bc[i]));
    let kNz = kT.map((t, i) => hasTangent(t, k[i]));
    let res: ReturnType<typeof jvpJaxprZeros>;
    for (;;) {
      res = jvpJaxprZeros(p.bodyJaxpr, [...bNz, ...kNz], kNz);
      const next = orLists(kNz, res.outNonzeros);
      if (sameLists(next, kNz)) break;
      kNz = next;
    }
    const nK = k.length;
    const nBd = bNz.filter((b) => b).length;
    const nKd = kNz.filter((b) => b).length;
    // jvp body: [bc, k, bcd, kd] → [k, kd]; the loop wants [bc, bcd, k, kd].
    const inOrder = [...range(0, nB), ...range(nB + nK, nBd), ...range(nB, nK), ...range(nB + nK + nBd, nKd)];
    const body = openJaxpr(reorderJaxpr(res.jaxpr, inOrder));
    const kdAvals = k.filter((_, i) => kNz[i]).map((x) => tangentAval(x.aval));
    const condJaxpr = withUnusedInvars(p.condJaxpr, [], kdAvals);
    const bcd = bcT.filter((_, i) => bNz[i]) as Array[];
    const kd = kT.flatMap((t, i) =>
      kNz[i] ? [t ?? zerosLikeAval(kdAvals[kNz.slice(0, i).filter((b) => b).length])] : [],
    );
    const outs = whileP.bind([...cc, ...body.consts, ...bc, ...bcd, ...k, ...kd], {
      condJaxpr,
      bodyJaxpr: body.jaxpr,
      condNConsts: nCC,
      bodyNConsts: body.consts.length + nB + nBd,
    });
    let j = nK;
    return [outs.slice(0, nK), kNz.map((m) => (m ? outs[j++] : null))];
  },

  batch(args, dims, p, axis) {
    const nCC = p.condNConsts;
    const nB = p.bodyNConsts;
    const [cc, bc, k] = splitList(args, [nCC, nB]);
    const [ccd, bcd, kd] = splitList(dims, [nCC, nB]);
    let kB = kd.map((d) => d !== null);
    let predB = false;
    const kDims = (kb: boolean[]): BatchDim[] => kb.map((b) => (b ? 0 : null));
    for (;;) {
      predB = vmapJaxpr(p.condJaxpr, axis, [...ccd, ...kDims(kB)], false).outBatched[0];
      // A batched predicate needs every carry batched: each element stops on its own.
      let next = predB ? kB.map(() => true) : kB;
      next = orLists(next, vmapJaxpr(p.bodyJaxpr, axis, [...bcd, ...kDims(next)], next).outBatched);
      if (sameLists(next, kB)) break;
      kB = next;
    }
    const kOps = k.map((x, i) => (kB[i] ? moveBdim(x, kd[i], 0, axis.size) : x));
    const condB = vmapJaxpr(p.condJaxpr, axis, [...ccd, ...kDims(kB)], false).jaxpr;
    const bodyB = vmapJaxpr(p.bodyJaxpr, axis, [...bcd, ...kDims(kB)], kB).jaxpr;
    const outDims = kB.map((b) => (b ? 0 : null));
    if (!predB) {
      const c = openJaxpr(condB);
      const b = openJaxpr(bodyB);
      const outs = whileP.bind([...c.consts, ...cc, ...b.consts, ...bc, ...kOps], {
        condJaxpr: c.jaxpr,
        bodyJaxpr: b.jaxpr,
        condNConsts: c.consts.length + nCC,
        bodyNConsts: b.consts.length + nB,
      });
      return [outs, outDims];
    }
    // Run while any element's predicate holds; finished elements keep their carry (JAX's rule).
    const ccAvals = cc.map((x) => x.aval);
    const bcAvals = bc.map((x) => x.aval);
    const kAvals = kOps.map((x) => x.aval);
    const anyCond = openJaxpr(
      traceToJaxpr(
        (...v: Array[]) => [reduceOr(evalJaxpr(condB.jaxpr, condB.consts, v)[0], [0])],
        [...ccAvals, ...kAvals],
        "while cond (batched)",
      ),
    );
    const selBody = openJaxpr(
      traceToJaxpr(
        (...v: Array[]) => {
          const [c, b, carry] = splitList(v, [nCC, nB]);
          const pred = evalJaxpr(condB.jaxpr, condB.consts, [...c, ...carry])[0];
          const next = evalJaxpr(bodyB.jaxpr, bodyB.consts, [...b, ...carry]);
          return next.map((n, i) => select(n.ndim === 1 ? pred : broadcastInDim(pred, n.shape, [0]), n, carry[i]));
        },
        [...ccAvals, ...bcAvals, ...kAvals],
        "while body (batched)",
      ),
    );
    const outs = whileP.bind([...anyCond.consts, ...cc, ...selBody.consts, ...cc, ...bc, ...kOps], {
      condJaxpr: anyCond.jaxpr,
      bodyJaxpr: selBody.jaxpr,
      condNConsts: anyCond.consts.length + nCC,
      bodyNConsts: selBody.consts.length + nCC + nB,
    });
    return [outs, outDims];
  },

  partialEval(traceU, tracersU, p) {
    const trace = traceU as PartialEvalTrace;
    const tracers = tracersU as readonly PartialEvalTracer[];
    const outAvals = whileP.rules.abstractEval(
      tracers.map((t) => t.aval),
      p,
    );
    const plan = planWhileSplit(
      p,
      tracers.map((t) => !t.pval.isKnown),
    );
    // The whole loop is staged (recomputing the known carries); the known carries also come
    // out of a smaller loop now, so linearize sees them as known.
    const unknownOuts = trace.stageEqn(
      whileP as unknown as Primitive,
      tracers,
      p as unknown as Record<string, unknown>,
      outAvals,
    );
    if (plan === null) return unknownOuts;
    const knownOuts = whileP.bind(
      tracers.filter((_, i) => !plan.inUnknowns[i]).map((t) => t.pval.known as Array),
      plan.knownParams,
    );
    let ki = 0;
    return plan.kU.map((u, i) => (u ? unknownOuts[i] : trace.pure(knownOuts[ki++])));
  },

  transpose() {
    throw new ValueError(WHILE_REVERSE_MODE_ERROR);
  },

  printParams: (p) =>
    `condNConsts=${p.condNConsts} bodyNConsts=${p.bodyNConsts} cond=${p.condJaxpr.toString().replace(/\n/g, "\n    ")} body=${p.bodyJaxpr.toString().replace(/\n/g, "\n    ")}`,
});

/** Which carries stay known, and the loop over the known ones (null when nothing is known). */
function planWhileSplit(
  p: WhileParams,
  uks: readonly boolean[],
): { kU: boolean[]; inUnknowns: boolean[]; knownParams: WhileParams } | null {
  const [ccU, bcU, kU0] = splitList(uks, [p.condNConsts, p.bodyNConsts]);
  if (ccU.some((u) => u)) return null;
  let kU = kU0;
  let body: ReturnType<typeof partialEvalJaxpr>;
  for (;;) {
    body = partialEvalJaxpr(p.bodyJaxpr, [...bcU, ...kU], kU);
    const next = orLists(kU, body.outUnknowns);
    if (sameLists(next, kU)) break;
    kU = next;
  }
  const cond = partialEvalJaxpr(p.condJaxpr, [...ccU, ...kU], false);
  if (cond.outUnknowns[0] || kU.every((u) => u)) return null;
  const nKnownK = kU.filter((u) => !u).length;
  const condK = openJaxpr(selectOutputs(cond.known, [cond.known.jaxpr.outvars[0]]));
  const bodyK = openJaxpr(selectOutputs(body.known, body.known.jaxpr.outvars.slice(0, nKnownK)));
  if (condK.consts.length + bodyK.consts.length > 0)
    throw new InternalError("while partial eval: known loop with consts");
  return {
    kU,
    inUnknowns: [...ccU, ...bcU, ...kU],
    knownParams: {
      condJaxpr: condK.jaxpr,
      bodyJaxpr: bodyK.jaxpr,
      condNConsts: p.condNConsts,
      bodyNConsts: bcU.filter((u) => !u).length,
    },
  };
}

registerPartialEvalJaxprRule(whileP as unknown as Primitive, (unks, eqn) => {
  const p = eqn.params as unknown as WhileParams;
  const plan = planWhileSplit(p, unks);
  const knownVars = eqn.inputs.filter((a, i) => !unks[i] && a instanceof Var) as Var[];
  if (plan === null)
    return { known: null, unknown: eqn, outUnknowns: eqn.outBinders.map(() => true), residuals: knownVars };
  // The unknown loop recomputes everything; its known outputs are unused duplicates.
  const dup = eqn.outBinders.map((v, i) => (plan.kU[i] ? v : new Var(v.aval)));
  return {
    known: new JaxprEqn(
      whileP as unknown as Primitive,
      eqn.inputs.filter((_, i) => !plan.inUnknowns[i]),
      plan.knownParams as unknown as Record<string, unknown>,
      eqn.outBinders.filter((_, i) => !plan.kU[i]),
    ),
    unknown: new JaxprEqn(whileP as unknown as Primitive, eqn.inputs, eqn.params, dup),
    outUnknowns: plan.kU,
    residuals: knownVars,
  };
});
