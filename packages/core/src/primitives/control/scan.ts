/**
 * The `scan` primitive (JAX's `scan_p`) and all of its rules. Operands are
 * `consts ++ init carry ++ xs`; the body jaxpr maps `(consts, carry, x) → (carry, y)`; the
 * outputs are `final carry ++ stacked ys`. Reverse mode is a forward scan (partial evaluation
 * emits the residuals as extra stacked ys) followed by a reverse scan (the transpose rule), as in
 * JAX's `_scan_partial_eval` / `_scan_transpose` — never an unrolled loop.
 */
import type { Array } from "../../core/array.ts";
import { ShapedArray } from "../../core/aval.ts";
import { nextArraySerial } from "../../core/concrete.ts";
import { type ClosedJaxpr, JaxprEqn, Var, evalJaxpr, type Atom } from "../../core/jaxpr.ts";
import { UndefinedPrimal, definePrimitive, isUndefined, type BatchDim, type Primitive } from "../../core/primitive.ts";
import { isInexact } from "../../dtype.ts";
import { InternalError, ShapeError } from "../../errors.ts";
import { vmapJaxpr } from "../../transforms/jaxpr-transforms.ts";
import {
  type PartialEvalTrace,
  type PartialEvalTracer,
  partialEvalJaxpr,
  registerPartialEvalJaxprRule,
} from "../../transforms/partial-eval.ts";
import { traceToJaxpr } from "../../transforms/staging.ts";
import { addAny, backwardPass, tangentAval } from "../../transforms/transpose.ts";
import { zerosLikeAval } from "../../transforms/zeros.ts";
import { moveBdim } from "../batching.ts";
import {
  jvpJaxprZeros,
  openJaxpr,
  orLists,
  reorderJaxpr,
  sameLists,
  disposeTemps,
  selectOutputs,
  splitList,
  stackLeading,
  unstackLeading,
} from "./common.ts";

export interface ScanParams {
  /** The body `(consts, carry, x) → (carry, y)`, without consts of its own. */
  readonly jaxpr: ClosedJaxpr;
  readonly numConsts: number;
  readonly numCarry: number;
  readonly length: number;
  readonly reverse: boolean;
  /** Which operands are linear (tangents/cotangents); informational, as in JAX. */
  readonly linear: readonly boolean[];
  /** Unroll factor hint for backends that lower the loop; the reference impl ignores it. */
  readonly unroll: number;
}

const stacked = (a: ShapedArray, length: number) => new ShapedArray([length, ...a.shape], a.dtype, a.weakType);
const unstacked = (a: ShapedArray) => new ShapedArray(a.shape.slice(1), a.dtype, a.weakType);

export const scanP: Primitive<ScanParams> = definePrimitive<ScanParams>("scan", {
  abstractEval(avals, p) {
    const want = p.jaxpr.inAvals;
    const nX = avals.length - p.numConsts - p.numCarry;
    if (avals.length !== want.length || nX < 0)
      throw new ShapeError(`scan: got ${avals.length} operands but the body takes ${want.length} inputs`);
    avals.forEach((a, i) => {
      if (i < p.numConsts + p.numCarry) {
        if (!a.equals(want[i]))
          throw new ShapeError(`scan: operand ${i} has type ${a} but the body expects ${want[i]}`);
      } else if (a.shape[0] !== p.length || !unstacked(a).equals(want[i])) {
        throw new ShapeError(
          `scan: xs operand ${i - p.numConsts - p.numCarry} has type ${a} but the body expects ${want[i]} stacked along a leading axis of length ${p.length}`,
        );
      }
    });
    const outs = p.jaxpr.outAvals;
    const carryIn = avals.slice(p.numConsts, p.numConsts + p.numCarry);
    return outs.map((o, i) => {
      if (i >= p.numCarry) return stacked(o, p.length);
      if (!o.equals(carryIn[i]))
        throw new ShapeError(`scan: carry ${i} enters the body as ${carryIn[i]} but leaves it as ${o}`);
      return new ShapedArray(o.shape, o.dtype, o.weakType && carryIn[i].weakType);
    });
  },

  impl(args, p) {
    // What this impl makes (slices, carries, per-step ys) is freed once dead — but not what a body
    // hands back unchanged (an operand, a literal): `disposeTemps` frees only arrays made since `mark`.
    const mark = nextArraySerial();
    const [consts, init, xs] = splitList(args, [p.numConsts, p.numCarry]);
    const xsSteps = xs.map((x) => unstackLeading(x));
    const outAvals = p.jaxpr.outAvals;
    const nY = outAvals.length - p.numCarry;
    const ys: Array[][] = Array_from(nY, () => new globalThis.Array<Array>(p.length));
    const yParts = new Set<Array>();
    let carry = init;
    for (let step = 0; step < p.length; step++) {
      const i = p.reverse ? p.length - 1 - step : step;
      const stepXs = xsSteps.map((s) => s[i]);
      const outs = evalJaxpr(p.jaxpr.jaxpr, [], [...consts, ...carry, ...stepXs]);
      outs.slice(p.numCarry).forEach((y, k) => {
        ys[k][i] = y;
        yParts.add(y);
      });
      const live = new Set<Array>([...outs, ...yParts]);
      disposeTemps([...carry, ...stepXs], mark, live);
      carry = outs.slice(0, p.numCarry);
    }
    const result = [...carry, ...ys.map((parts, k) => stackLeading(parts, outAvals[p.numCarry + k]))];
    disposeTemps(yParts, mark, result);
    return result;
  },

  jvpWithZeros(primals, tangents, p) {
    const nz = tangents.map((t, i) => t !== null && isInexact(primals[i].dtype));
    const [cNz, kNz0, xNz] = splitList(nz, [p.numConsts, p.numCarry]);
    const nY = p.jaxpr.outAvals.length - p.numCarry;
    // Fixpoint: a carry has a tangent if its init does or the body gives it one.
    let kNz = kNz0;
    let res: ReturnType<typeof jvpJaxprZeros>;
    for (;;) {
      res = jvpJaxprZeros(
        p.jaxpr,
        [...cNz, ...kNz, ...xNz],
        [...kNz, ...new globalThis.Array<boolean>(nY).fill(false)],
      );
      const next = orLists(kNz, res.outNonzeros.slice(0, p.numCarry));
      if (sameLists(next, kNz)) break;
      kNz = next;
    }
    const yNz = res.outNonzeros.slice(p.numCarry);
    const nC = p.numConsts;
    const nK = p.numCarry;
    const nX = primals.length - nC - nK;
    const [nCd, nKd, nXd] = [cNz, kNz, xNz].map((l) => l.filter((b) => b).length);
    const nYd = yNz.filter((b) => b).length;
    // jvp jaxpr: [c, k, x, cd, kd, xd] → [k, y, kd, yd]; scan wants [c, cd, k, kd, x, xd] → [k, kd, y, yd].
    const base = nC + nK + nX;
    const inOrder = [
      ...range(0, nC),
      ...range(base, nCd),
      ...range(nC, nK),
      ...range(base + nCd, nKd),
      ...range(nC + nK, nX),
      ...range(base + nCd + nKd, nXd),
    ];
    const outOrder = [...range(0, nK), ...range(nK + nY, nKd), ...range(nK, nY), ...range(nK + nY + nKd, nYd)];
    const { jaxpr, consts } = openJaxpr(reorderJaxpr(res.jaxpr, inOrder, outOrder));
    const [c, k, x] = splitList(primals, [nC, nK]);
    const [ct, kt, xt] = splitList(tangents, [nC, nK]);
    const pick = (ts: (Array | null)[], mask: boolean[], ps: Array[]) =>
      ts.flatMap((t, i) => (mask[i] ? [t ?? zerosLikeAval(tangentAval(ps[i].aval))] : []));
    const [lc, lk, lx] = splitList(p.linear, [nC, nK]);
    const operands = [...consts, ...c, ...pick(ct, cNz, c), ...k, ...pick(kt, kNz, k), ...x, ...pick(xt, xNz, x)];
    const linear = [...consts.map(() => false), ...lc, ...ones(nCd), ...lk, ...ones(nKd), ...lx, ...ones(nXd)];
    const outs = scanP.bind(operands, { ...p, jaxpr, numConsts: consts.length + nC + nCd, numCarry: nK + nKd, linear });
    const [kOut, kdOut, yOut, ydOut] = splitList(outs, [nK, nKd, nY]);
    let a = 0;
    let b = 0;
    return [
      [...kOut, ...yOut],
      [...kNz.map((m) => (m ? kdOut[a++] : null)), ...yNz.map((m) => (m ? ydOut[b++] : null))],
    ];
  },

  batch(args, dims, p, axis) {
    const nC = p.numConsts;
    const nK = p.numCarry;
    const [cd, kd, xd] = splitList(dims, [nC, nK]);
    const nY = p.jaxpr.outAvals.length - nK;
    let kB = kd.map((d) => d !== null);
    const bodyDims = (kb: boolean[]): BatchDim[] => [
      ...cd.map((d) => (d === null ? null : 0)),
      ...kb.map((b) => (b ? 0 : null)),
      ...xd.map((d) => (d === null ? null : 0)),
    ];
    let res: ReturnType<typeof vmapJaxpr>;
    for (;;) {
      res = vmapJaxpr(p.jaxpr, axis, bodyDims(kB), [...kB, ...new globalThis.Array<boolean>(nY).fill(false)]);
      const next = orLists(kB, res.outBatched.slice(0, nK));
      if (sameLists(next, kB)) break;
      kB = next;
    }
    const yB = res.outBatched.slice(nK);
    const [c, k, x] = splitList(args, [nC, nK]);
    const { jaxpr, consts } = openJaxpr(res.jaxpr);
    const operands = [
      ...consts,
      ...c.map((v, i) => (cd[i] === null ? v : moveBdim(v, cd[i], 0, axis.size))),
      ...k.map((v, i) => (kB[i] ? moveBdim(v, kd[i], 0, axis.size) : v)),
      ...x.map((v, i) => (xd[i] === null ? v : moveBdim(v, xd[i], 1, axis.size))),
    ];
    const outs = scanP.bind(operands, {
      ...p,
      jaxpr,
      numConsts: consts.length + nC,
      linear: [...consts.map(() => false), ...p.linear],
    });
    return [outs, [...kB.map((b) => (b ? 0 : null)), ...yB.map((b) => (b ? 1 : null))]];
  },

  partialEval(traceU, tracersU, p) {
    const trace = traceU as PartialEvalTrace;
    const tracers = tracersU as readonly PartialEvalTracer[];
    const plan = planScanSplit(
      p,
      tracers.map((t) => !t.pval.isKnown),
    );
    const known = tracers.filter((_, i) => !plan.inUnknowns[i]).map((t) => t.pval.known as Array);
    const knownOuts = plan.knownParams === null ? [] : scanP.bind(known, plan.knownParams);
    const stackedRes = knownOuts.slice(plan.numKnownOuts);
    let unknownOuts: PartialEvalTracer[] = [];
    if (plan.unknownParams !== null) {
      const ins = plan.unknownInputs.map((s) =>
        s.src === "operand" ? tracers[s.i] : (trace.pure(stackedRes[s.i]) as PartialEvalTracer),
      );
      unknownOuts = trace.stageEqn(
        scanP as unknown as Primitive,
        ins,
        plan.unknownParams as unknown as Record<string, unknown>,
        plan.unknownOutAvals,
      );
    }
    let ki = 0;
    let ui = 0;
    return plan.outUnknowns.map((u) => (u ? unknownOuts[ui++] : trace.pure(knownOuts[ki++])));
  },

  transpose(cts, args, p) {
    return scanTranspose(cts, args, p);
  },

  printParams: (p) =>
    `length=${p.length} reverse=${p.reverse} numConsts=${p.numConsts} numCarry=${p.numCarry} jaxpr=${p.jaxpr.toString().replace(/\n/g, "\n    ")}`,
});

function range(start: number, n: number): number[] {
  return globalThis.Array.from({ length: n }, (_, i) => start + i);
}
const ones = (n: number): boolean[] => new globalThis.Array<boolean>(n).fill(true);
function Array_from<T>(n: number, f: () => T): T[] {
  return globalThis.Array.from({ length: n }, f);
}

// ------------------------------------------------------------------ partial evaluation

type UnknownInput = { src: "operand"; i: number } | { src: "res"; i: number };

interface ScanSplitPlan {
  /** Unknown operands after the carry fixpoint (known carries may become unknown). */
  inUnknowns: boolean[];
  outUnknowns: boolean[];
  /** Params of the known scan over the known operands (null: nothing to compute). */
  knownParams: ScanParams | null;
  /** Known carries and ys come first among the known scan's outputs, then stacked residuals. */
  numKnownOuts: number;
  stackedResAvals: ShapedArray[];
  unknownParams: ScanParams | null;
  unknownInputs: UnknownInput[];
  unknownOutAvals: ShapedArray[];
}

/**
 * Split a scan by unknown operands (JAX's `_scan_partial_eval`): a fixpoint decides which carries
 * are unknown; the known scan computes known outputs plus residuals, which are stacked as extra
 * ys — except residuals that are a known const or x operand itself, which the unknown scan takes
 * directly (no copy per iteration).
 */
function planScanSplit(p: ScanParams, uks: readonly boolean[]): ScanSplitPlan {
  const nC = p.numConsts;
  const nK = p.numCarry;
  const nIn = uks.length;
  const nX = nIn - nC - nK;
  const nY = p.jaxpr.outAvals.length - nK;
  const [cU, kU0, xU] = splitList(uks, [nC, nK]);
  let kU = kU0;
  let split: ReturnType<typeof partialEvalJaxpr>;
  for (;;) {
    split = partialEvalJaxpr(p.jaxpr, [...cU, ...kU, ...xU], [...kU, ...new globalThis.Array<boolean>(nY).fill(false)]);
    const next = orLists(kU, split.outUnknowns.slice(0, nK));
    if (sameLists(next, kU)) break;
    kU = next;
  }
  const inUk = [...cU, ...kU, ...xU];
  const knownIdx = range(0, nIn).filter((i) => !inUk[i]);
  const kj = split.known.jaxpr;
  const numKnownOuts = kj.outvars.length - split.numRes;
  const resAtoms = kj.outvars.slice(numKnownOuts);
  // Classify residuals: a known const/x invar is forwarded as is; everything else is stacked.
  type Res = { kind: "const" | "x"; operand: number } | { kind: "stacked"; j: number };
  const stackedAtoms: Atom[] = [];
  const resKinds: Res[] = resAtoms.map((a) => {
    const pos = a instanceof Var ? kj.invars.indexOf(a) : -1;
    if (pos >= 0) {
      const operand = knownIdx[pos];
      if (operand < nC) return { kind: "const", operand };
      if (operand >= nC + nK) return { kind: "x", operand };
    }
    stackedAtoms.push(a);
    return { kind: "stacked", j: stackedAtoms.length - 1 };
  });
  const numKnownC = cU.filter((u) => !u).length;
  const numKnownK = kU.filter((u) => !u).length;
  const knownBody = openJaxpr(selectOutputs(split.known, [...kj.outvars.slice(0, numKnownOuts), ...stackedAtoms]));
  if (knownBody.consts.length > 0) throw new InternalError("scan partial eval: known body with consts");
  const knownParams: ScanParams | null =
    numKnownOuts + stackedAtoms.length === 0
      ? null
      : {
          ...p,
          jaxpr: knownBody.jaxpr,
          numConsts: numKnownC,
          numCarry: numKnownK,
          linear: knownIdx.map((i) => p.linear[i]),
        };
  const stackedResAvals = stackedAtoms.map((a) => stacked(a.aval, p.length));

  // Unknown body invars: [residuals..., unknown c, unknown k, unknown x]; reorder to scan layout.
  const uj = split.unknown;
  const nRes = split.numRes;
  const unkIdx = range(0, nIn).filter((i) => inUk[i]);
  const resPos = (kind: string) => range(0, nRes).filter((r) => resKinds[r].kind === kind);
  const constRes = resPos("const");
  const stackRes = resPos("stacked");
  const xRes = resPos("x");
  const uPos = (lo: number, hi: number) => unkIdx.map((op, k) => [op, nRes + k]).filter(([op]) => op >= lo && op < hi);
  const uc = uPos(0, nC);
  const uk = uPos(nC, nC + nK);
  const ux = uPos(nC + nK, nIn);
  const inOrder = [
    ...constRes,
    ...uc.map(([, v]) => v),
    ...uk.map(([, v]) => v),
    ...stackRes,
    ...xRes,
    ...ux.map(([, v]) => v),
  ];
  const operandOf = (r: number) => (resKinds[r] as { operand: number }).operand;
  const unknownInputs: UnknownInput[] = [
    ...constRes.map((r): UnknownInput => ({ src: "operand", i: operandOf(r) })),
    ...uc.map(([op]): UnknownInput => ({ src: "operand", i: op })),
    ...uk.map(([op]): UnknownInput => ({ src: "operand", i: op })),
    ...stackRes.map((r): UnknownInput => ({ src: "res", i: (resKinds[r] as { j: number }).j })),
    ...xRes.map((r): UnknownInput => ({ src: "operand", i: operandOf(r) })),
    ...ux.map(([op]): UnknownInput => ({ src: "operand", i: op })),
  ];
  const unknownBody = reorderJaxpr(uj, inOrder);
  const outUnknowns = split.outUnknowns;
  const unknownOutAvals = p.jaxpr.outAvals
    .filter((_, i) => outUnknowns[i])
    .map((a, k) => (k < kU.filter((u) => u).length ? a : stacked(a, p.length)));
  const lin = (src: UnknownInput) => (src.src === "operand" ? p.linear[src.i] && inUk[src.i] : false);
  const unknownParams: ScanParams | null =
    unknownOutAvals.length === 0
      ? null
      : {
          ...p,
          jaxpr: unknownBody,
          numConsts: constRes.length + uc.length,
          numCarry: uk.length,
          linear: unknownInputs.map(lin),
        };
  void nX;
  return {
    inUnknowns: inUk,
    outUnknowns,
    knownParams,
    numKnownOuts,
    stackedResAvals,
    unknownParams,
    unknownInputs,
    unknownOutAvals,
  };
}

registerPartialEvalJaxprRule(scanP as unknown as Primitive, (unks, eqn) => {
  const p = eqn.params as unknown as ScanParams;
  const plan = planScanSplit(p, unks);
  const resVars = plan.stackedResAvals.map((a) => new Var(a));
  const knownEqn =
    plan.knownParams === null
      ? null
      : new JaxprEqn(
          scanP as unknown as Primitive,
          eqn.inputs.filter((_, i) => !plan.inUnknowns[i]),
          plan.knownParams as unknown as Record<string, unknown>,
          [...eqn.outBinders.filter((_, i) => !plan.outUnknowns[i]), ...resVars],
        );
  const unknownIns: Atom[] = plan.unknownInputs.map((s) => (s.src === "operand" ? eqn.inputs[s.i] : resVars[s.i]));
  const unknownEqn =
    plan.unknownParams === null
      ? null
      : new JaxprEqn(
          scanP as unknown as Primitive,
          unknownIns,
          plan.unknownParams as unknown as Record<string, unknown>,
          eqn.outBinders.filter((_, i) => plan.outUnknowns[i]),
        );
  // Known atoms the unknown scan reads (forwarded consts/xs, known carries made unknown) are residuals too.
  const forwarded = plan.unknownInputs.filter((s) => s.src === "operand" && !unks[s.i]).map((s) => eqn.inputs[s.i]);
  const residuals = [...resVars, ...forwarded.filter((a): a is Var => a instanceof Var)];
  return { known: knownEqn, unknown: unknownEqn, outUnknowns: plan.outUnknowns, residuals };
});

// ------------------------------------------------------------------ transpose

/**
 * Transpose of a scan linear in its undefined operands (JAX's `_scan_transpose`): defined consts
 * and xs are residuals, every carry is linear. The result is a scan in the opposite direction whose
 * carry is (const cotangents accumulated over the steps, carry cotangent) and whose ys are the
 * cotangents of the linear xs.
 */
function scanTranspose(
  cts: readonly (Array | null)[],
  args: readonly (Array | UndefinedPrimal)[],
  p: ScanParams,
): (Array | null)[] {
  const nC = p.numConsts;
  const nK = p.numCarry;
  const inAvals = p.jaxpr.inAvals;
  const outAvals = p.jaxpr.outAvals;
  const [consts, , xs] = splitList(args, [nC, nK]);
  const nX = xs.length;
  const cLin = consts.map(isUndefined);
  const xLin = xs.map(isUndefined);
  const ires = consts.filter((c) => !isUndefined(c)) as Array[];
  const eres = xs.filter((x) => !isUndefined(x)) as Array[];
  const [ctCarry, ctYs] = splitList(cts, [nK]);
  const ctCarryInst = ctCarry.map((c, i) => c ?? zerosLikeAval(tangentAval(outAvals[i])));
  const yNz = ctYs.map((c) => c !== null);
  const ctYsNz = ctYs.filter((c) => c !== null) as Array[];
  const linCAvals = inAvals
    .slice(0, nC)
    .filter((_, i) => cLin[i])
    .map(tangentAval);
  const carryAvals = inAvals.slice(nC, nC + nK).map(tangentAval);
  const linXAvals = inAvals
    .slice(nC + nK)
    .filter((_, i) => xLin[i])
    .map(tangentAval);
  const ctConsts0 = linCAvals.map((a) => zerosLikeAval(a));
  const body = p.jaxpr;
  // [ires] ++ [ct consts, ct carry] ++ [ct ys (nonzero), eres] → [ct consts, ct carry] ++ [ct xs]
  const trans = traceToJaxpr(
    (...vals: Array[]) => {
      const [ir, ctc, ctk, cty, er] = splitList(vals, [ires.length, linCAvals.length, nK, ctYsNz.length]);
      let a = 0;
      let b = 0;
      const bodyArgs: (Array | UndefinedPrimal)[] = [
        ...inAvals.slice(0, nC).map((av, i) => (cLin[i] ? new UndefinedPrimal(av) : ir[a++])),
        ...inAvals.slice(nC, nC + nK).map((av) => new UndefinedPrimal(av)),
        ...inAvals.slice(nC + nK).map((av, i) => (xLin[i] ? new UndefinedPrimal(av) : er[b++])),
      ];
      let y = 0;
      const bodyCts = [...ctk, ...yNz.map((nz) => (nz ? cty[y++] : null))];
      const r = backwardPass(body.jaxpr, body.consts, bodyArgs, bodyCts);
      const [rc, rk, rx] = splitList(r, [nC, nK]);
      const rcLin = rc.filter((_, i) => cLin[i]);
      const newCtc = ctc.map((acc, i) => (rcLin[i] === null ? acc : addAny(acc, rcLin[i] as Array)));
      const newCtk = rk.map((c, i) => c ?? zerosLikeAval(carryAvals[i]));
      const ctx = rx.filter((_, i) => xLin[i]).map((c, i) => c ?? zerosLikeAval(linXAvals[i]));
      return [...newCtc, ...newCtk, ...ctx];
    },
    [
      ...ires.map((r) => r.aval),
      ...linCAvals,
      ...carryAvals,
      ...outAvals
        .slice(nK)
        .filter((_, i) => yNz[i])
        .map(tangentAval),
      ...eres.map((e) => unstacked(e.aval)),
    ],
    "transpose(scan)",
  );
  const { jaxpr, consts: tc } = openJaxpr(trans);
  const operands = [...tc, ...ires, ...ctConsts0, ...ctCarryInst, ...ctYsNz, ...eres];
  const linear = [
    ...tc.map(() => false),
    ...ires.map(() => false),
    ...ones(linCAvals.length + nK + ctYsNz.length),
    ...eres.map(() => false),
  ];
  const outs = scanP.bind(operands, {
    ...p,
    jaxpr,
    numConsts: tc.length + ires.length,
    numCarry: linCAvals.length + nK,
    reverse: !p.reverse,
    linear,
  });
  const [ctC, ctInit, ctX] = splitList(outs, [linCAvals.length, nK]);
  let a = 0;
  let b = 0;
  void nX;
  return [...cLin.map((l) => (l ? ctC[a++] : null)), ...ctInit, ...xLin.map((l) => (l ? ctX[b++] : null))];
}
