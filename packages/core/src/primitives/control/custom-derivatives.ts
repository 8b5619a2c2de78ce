/**
 * Custom derivative rules, as JAX's `custom_jvp` / `custom_vjp`, and `stopGradient`.
 *
 * - `customJvpCall` evaluates the function's jaxpr; its JVP rule evaluates the user's rule
 *   (traced lazily, so a rule may call the function itself). Reverse mode needs nothing more:
 *   linearize partially evaluates the rule's output like any other JVP.
 * - `customVjpCall` evaluates the function; its JVP rule runs the user's `fwd` and emits a
 *   `customLin` whose transpose is the user's `bwd` (JAX's `custom_lin`). Evaluating a
 *   `customLin` — forward mode — raises JAX's error.
 */
import { Array } from "../../core/array.ts";
import type { ShapedArray } from "../../core/aval.ts";
import { type ClosedJaxpr, evalJaxpr } from "../../core/jaxpr.ts";
import { definePrimitive, type AxisInfo, type BatchDim, type Primitive } from "../../core/primitive.ts";
import { isInexact } from "../../dtype.ts";
import { ShapeError, ValueError } from "../../errors.ts";
import { vmapJaxpr } from "../../transforms/jaxpr-transforms.ts";
import { traceToJaxpr } from "../../transforms/staging.ts";
import { tangentAval } from "../../transforms/transpose.ts";
import { vmapFlatRaw } from "../../transforms/vmap.ts";
import { zerosLikeAval } from "../../transforms/zeros.ts";
import { treeFlatten, treeUnflatten, type TreeDef } from "../../tree/pytree.ts";
import type { Promoted } from "../../transforms/types.ts";
import { moveBdim } from "../batching.ts";
import { reduceSum } from "../reduce.ts";
import { flattenToArrays, openJaxpr, splitList, traceFn } from "./common.ts";

// ------------------------------------------------------------------ stopGradient

export const stopGradientP: Primitive = definePrimitive("stopGradient", {
  abstractEval: ([x]) => [x],
  impl: ([x]) => [x],
  jvpWithZeros: ([x]) => [[stopGradientP.bind1([x], {})], [null]],
  batch: ([x], [d]) => [[stopGradientP.bind1([x], {})], [d]],
});

/** `lax.stopGradient`: the identity whose derivative is zero (on every leaf of a pytree). */
export function stopGradient<T>(x: T): T {
  const [leaves, def] = treeFlatten(x);
  return treeUnflatten<T>(
    def,
    leaves.map((l) => (l instanceof Array && isInexact(l.dtype) ? stopGradientP.bind1([l], {}) : l)),
  );
}

/** A lazily traced, memoized jaxpr (so rules may call the function they belong to). */
type Thunk<T> = () => T;
function memo<T>(f: () => T): Thunk<T> {
  let v: T | undefined;
  let done = false;
  return () => {
    if (!done) {
      v = f();
      done = true;
    }
    return v as T;
  };
}

// ------------------------------------------------------------------ customJvp

/**
 * A closed-over value with a tangent would need a derivative the custom rule does not give:
 * refuse rather than silently drop it (pass such values as explicit arguments).
 */
function checkClosedOver(
  op: string,
  primals: readonly Array[],
  tangents: readonly (Array | null)[],
  numConsts: number,
): void {
  for (let i = 0; i < numConsts; i++) {
    if (tangents[i] !== null && isInexact(primals[i].dtype)) {
      throw new ValueError(
        `${op}: the function closes over a value of type ${primals[i].aval} that is being differentiated; the custom rule cannot account for it — pass it as an explicit argument instead`,
      );
    }
  }
}
const instantiate = (primals: readonly Array[], tangents: readonly (Array | null)[]): Array[] =>
  tangents.map((t, i) => t ?? zerosLikeAval(tangentAval(primals[i].aval)));

export interface CustomJvpParams {
  /** The function, `(consts, args) → outs`, const-free. */
  readonly jaxpr: ClosedJaxpr;
  readonly numConsts: number;
  /** The rule as a jaxpr `(args, arg tangents) → (outs, out tangents)` (with its own consts). */
  readonly jvp: Thunk<ClosedJaxpr>;
  readonly name: string;
}

export const customJvpCallP: Primitive<CustomJvpParams> = definePrimitive<CustomJvpParams>("customJvpCall", {
  abstractEval: (avals, { jaxpr }) => jaxpr.outAvals,
  impl: (args, { jaxpr }) => evalJaxpr(jaxpr.jaxpr, jaxpr.consts, args),
  jvpWithZeros(primals, tangents, { numConsts, jvp, jaxpr, name }) {
    checkClosedOver(`customJvp(${name})`, primals, tangents, numConsts);
    const rule = jvp();
    const outs = evalJaxpr(rule.jaxpr, rule.consts, [
      ...primals.slice(numConsts),
      ...instantiate(primals, tangents).slice(numConsts),
    ]);
    const n = jaxpr.outAvals.length;
    return [outs.slice(0, n), outs.slice(n)];
  },
  batch(args, dims, p, axis) {
    const f = openJaxpr(vmapJaxpr(p.jaxpr, axis, dims, true).jaxpr);
    const argDims = dims.slice(p.numConsts);
    const jvp = memo(() => vmapJaxpr(p.jvp(), axis, [...argDims, ...argDims], true).jaxpr);
    const outs = customJvpCallP.bind([...f.consts, ...args], {
      jaxpr: f.jaxpr,
      numConsts: f.consts.length + p.numConsts,
      jvp,
      name: p.name,
    });
    return [outs, outs.map(() => 0)];
  },
  printParams: ({ name, numConsts, jaxpr }) =>
    `name=${name} numConsts=${numConsts} jaxpr=${jaxpr.toString().replace(/\n/g, "\n    ")}`,
});

/** A function with a custom JVP rule (see `customJvp`). */
export interface CustomJvpFunction<A extends unknown[], R> {
  (...args: A): R;
  /**
   * Set the rule: `rule(primals, tangents)` returns `[primalOut, tangentOut]`; the tangents are
   * typed like the primals (numbers as arrays), the tangent output like the output. Returns the function.
   */
  defjvp(rule: (primals: A, tangents: Promoted<A>) => readonly [R | Promoted<R>, Promoted<R>]): CustomJvpFunction<A, R>;
}

function checkSame(
  op: string,
  what: string,
  got: TreeDef,
  want: TreeDef,
  gotAvals: readonly ShapedArray[],
  wantAvals: readonly ShapedArray[],
): void {
  if (!got.equals(want)) throw new ValueError(`${op}: ${what} has structure ${got} but should have structure ${want}`);
  gotAvals.forEach((a, i) => {
    if (!a.equals(wantAvals[i]))
      throw new ShapeError(`${op}: ${what} leaf ${i} has type ${a} but should have type ${wantAvals[i]}`);
  });
}

/**
 * JAX's `custom_jvp`: `customJvp(f).defjvp((primals, tangents) => [f(...primals), tOut])`.
 * The rule is used by jvp, grad (reverse mode transposes its linear part), under jit and vmap.
 * Derivatives with respect to values `f` closes over are not propagated (pass them as
 * arguments), as with JAX's `custom_jvp`.
 */
export function customJvp<A extends unknown[] = Array[], R = unknown>(f: (...args: A) => R): CustomJvpFunction<A, R> {
  let rule: ((primals: A, tangents: Promoted<A>) => readonly [R | Promoted<R>, Promoted<R>]) | undefined;
  const name = f.name || "fn";
  const call = ((...args: A): R => {
    if (rule === undefined)
      throw new ValueError(`customJvp(${name}): no JVP rule defined; call .defjvp(rule) before using the function`);
    const r = rule;
    const [leaves, inTree] = flattenToArrays(args, `customJvp(${name}) arguments`);
    const avals = leaves.map((l) => l.aval);
    const traced = traceFn((...xs: Array[]) => f(...treeUnflatten<A>(inTree, xs)), avals, `customJvp(${name})`);
    const outAvals = traced.jaxpr.outAvals;
    const n = leaves.length;
    const jvp = memo(() =>
      traceToJaxpr(
        (...xs: Array[]) => {
          const res = r(treeUnflatten<A>(inTree, xs.slice(0, n)), treeUnflatten<Promoted<A>>(inTree, xs.slice(n)));
          if (!globalThis.Array.isArray(res) || res.length !== 2)
            throw new ValueError(`customJvp(${name}): the JVP rule must return a pair [primalOut, tangentOut]`);
          const [po, pTree] = flattenToArrays(res[0], `customJvp(${name}) rule primal output`);
          const [to, tTree] = flattenToArrays(res[1], `customJvp(${name}) rule tangent output`);
          checkSame(
            `customJvp(${name})`,
            "the rule's primal output",
            pTree,
            traced.outTree,
            po.map((x) => x.aval),
            outAvals,
          );
          checkSame(
            `customJvp(${name})`,
            "the rule's tangent output",
            tTree,
            traced.outTree,
            to.map((x) => x.aval),
            outAvals,
          );
          return [...po, ...to];
        },
        [...avals, ...avals.map(tangentAval)],
        `customJvp(${name}) rule`,
      ),
    );
    const outs = customJvpCallP.bind([...traced.consts, ...leaves], {
      jaxpr: traced.jaxpr,
      numConsts: traced.consts.length,
      jvp,
      name,
    });
    return treeUnflatten<R>(traced.outTree, outs);
  }) as CustomJvpFunction<A, R>;
  call.defjvp = (r) => {
    rule = r;
    return call;
  };
  return call;
}

// ------------------------------------------------------------------ customVjp

/** `fwd` traced: `args → (outs, residuals)`. */
interface FwdJaxpr {
  jaxpr: ClosedJaxpr;
  numRes: number;
}
/** The user's `bwd` on flat values: residuals, output cotangents → argument cotangents. */
type FlatBwd = (res: readonly Array[], cts: readonly Array[]) => (Array | null)[];

export interface CustomVjpParams {
  readonly jaxpr: ClosedJaxpr;
  readonly numConsts: number;
  readonly fwd: Thunk<FwdJaxpr>;
  readonly bwd: FlatBwd;
  readonly name: string;
}

export interface CustomLinParams {
  readonly numRes: number;
  readonly bwd: FlatBwd;
  /** Avals of the cotangents `bwd` receives (the primal outputs' tangent types). */
  readonly outAvals: readonly ShapedArray[];
  readonly name: string;
}

export const customLinP: Primitive<CustomLinParams> = definePrimitive<CustomLinParams>("customLin", {
  abstractEval: (_avals, { outAvals }) => [...outAvals],
  impl() {
    throw new ValueError("can't apply forward-mode autodiff (jvp) to a custom_vjp function.");
  },
  transpose(cts, args, { numRes, bwd, outAvals }) {
    const res = args.slice(0, numRes) as Array[];
    const ctsInst = cts.map((c, i) => c ?? zerosLikeAval(outAvals[i]));
    return [...res.map(() => null), ...bwd(res, ctsInst)];
  },
  batch(args, dims, p, axis) {
    const [res, ts] = splitList(args, [p.numRes]);
    const [rd, td] = splitList(dims, [p.numRes]);
    const resB = res.map((r, i) => moveBdim(r, rd[i], 0, axis.size));
    const argAvals = ts.map((t, i) =>
      td[i] === null ? t.aval : t.aval.withShape(t.shape.filter((_, k) => k !== td[i])),
    );
    const outs = customLinP.bind([...resB, ...ts], {
      ...p,
      bwd: batchBwd(p.bwd, argAvals, td, axis),
      outAvals: p.outAvals.map((a) => a.withShape([axis.size, ...a.shape])),
    });
    return [outs, outs.map(() => 0)];
  },
  printParams: ({ name, numRes }) => `name=${name} numRes=${numRes}`,
});

/**
 * A `bwd` for batched residuals and cotangents (all at axis 0): vmap the user's bwd, then give
 * each argument cotangent the layout of its argument — summed over the batch where the argument
 * was not batched (JAX's `batch_custom_vjp_bwd`). `argAvals` are the per-example argument types.
 */
function batchBwd(
  bwd: FlatBwd,
  argAvals: readonly ShapedArray[],
  argDims: readonly BatchDim[],
  axis: AxisInfo,
): FlatBwd {
  return (res, cts) => {
    const [outs, outDims] = vmapFlatRaw(
      (...v: Array[]) =>
        bwd(v.slice(0, res.length), v.slice(res.length)).map((c, i) => c ?? zerosLikeAval(tangentAval(argAvals[i]))),
      [...res, ...cts],
      [...res.map(() => 0), ...cts.map(() => 0)],
      axis,
    );
    return outs.map((o, i) => {
      const want = argDims[i];
      const d = outDims[i];
      if (want === null) return d === null ? o : reduceSum(o, [d]);
      return moveBdim(o, d, want, axis.size);
    });
  };
}

export const customVjpCallP: Primitive<CustomVjpParams> = definePrimitive<CustomVjpParams>("customVjpCall", {
  abstractEval: (avals, { jaxpr }) => jaxpr.outAvals,
  impl: (args, { jaxpr }) => evalJaxpr(jaxpr.jaxpr, jaxpr.consts, args),
  jvpWithZeros(primals, tangents, { numConsts, fwd, bwd, jaxpr, name }) {
    checkClosedOver(`customVjp(${name})`, primals, tangents, numConsts);
    const { jaxpr: fj, numRes } = fwd();
    const outs = evalJaxpr(fj.jaxpr, fj.consts, primals.slice(numConsts));
    const nOut = outs.length - numRes;
    const res = outs.slice(nOut);
    const tOut = customLinP.bind([...res, ...instantiate(primals, tangents).slice(numConsts)], {
      numRes,
      bwd,
      outAvals: jaxpr.outAvals.map(tangentAval),
      name,
    });
    return [outs.slice(0, nOut), tOut];
  },
  batch(args, dims, p, axis) {
    const f = openJaxpr(vmapJaxpr(p.jaxpr, axis, dims, true).jaxpr);
    const argDims = dims.slice(p.numConsts);
    const fwd = memo(() => {
      const { jaxpr, numRes } = p.fwd();
      return { jaxpr: vmapJaxpr(jaxpr, axis, argDims, true).jaxpr, numRes };
    });
    const outs = customVjpCallP.bind([...f.consts, ...args], {
      ...p,
      jaxpr: f.jaxpr,
      numConsts: f.consts.length + p.numConsts,
      fwd,
      bwd: batchBwd(p.bwd, p.jaxpr.inAvals.slice(p.numConsts), argDims, axis),
    });
    return [outs, outs.map(() => 0)];
  },
  printParams: ({ name, numConsts, jaxpr }) =>
    `name=${name} numConsts=${numConsts} jaxpr=${jaxpr.toString().replace(/\n/g, "\n    ")}`,
});

/** One cotangent per argument of `A`, each typed like its argument (numbers as arrays), `null` for zero. */
export type Cotangents<A extends readonly unknown[]> = { readonly [K in keyof A]: Promoted<A[K]> | null };

/** A function with custom forward and backward passes (see `customVjp`). */
export interface CustomVjpFunction<A extends unknown[], R> {
  (...args: A): R;
  /**
   * Set the rules: `fwd(...args)` returns `[out, residuals]`; `bwd(residuals, ct)` returns one
   * cotangent per argument (a list, each typed like its argument; `null` for a zero cotangent).
   * `ct` is typed like the output. Returns the function.
   */
  defvjp<Res>(
    fwd: (...args: A) => readonly [R | Promoted<R>, Res],
    bwd: (res: Res, ct: Promoted<R>) => Cotangents<A>,
  ): CustomVjpFunction<A, R>;
}

/**
 * JAX's `custom_vjp`: `customVjp(f).defvjp(fwd, bwd)`. Reverse mode (grad, vjp) uses `bwd`,
 * under jit and vmap too; forward mode (jvp) raises JAX's error. Values `f` closes over get no
 * cotangent (pass them as arguments).
 */
export function customVjp<A extends unknown[] = Array[], R = unknown>(f: (...args: A) => R): CustomVjpFunction<A, R> {
  let rules:
    | { fwd: (...args: A) => readonly [unknown, unknown]; bwd: (res: unknown, ct: Promoted<R>) => readonly unknown[] }
    | undefined;
  const name = f.name || "fn";
  const call = ((...args: A): R => {
    if (rules === undefined)
      throw new ValueError(`customVjp(${name}): no rules defined; call .defvjp(fwd, bwd) before using the function`);
    const { fwd, bwd } = rules;
    const [leaves, inTree] = flattenToArrays(args, `customVjp(${name}) arguments`);
    const avals = leaves.map((l) => l.aval);
    const traced = traceFn((...xs: Array[]) => f(...treeUnflatten<A>(inTree, xs)), avals, `customVjp(${name})`);
    const outAvals = traced.jaxpr.outAvals;
    let resTree: TreeDef | undefined;
    const fwdJ = memo((): FwdJaxpr => {
      let numRes = 0;
      const jaxpr = traceToJaxpr(
        (...xs: Array[]) => {
          const r = fwd(...treeUnflatten<A>(inTree, xs));
          if (!globalThis.Array.isArray(r) || r.length !== 2)
            throw new ValueError(`customVjp(${name}): fwd must return a pair [output, residuals]`);
          const [outs, oTree] = flattenToArrays(r[0], `customVjp(${name}) fwd output`);
          checkSame(
            `customVjp(${name})`,
            "fwd's output",
            oTree,
            traced.outTree,
            outs.map((x) => x.aval),
            outAvals,
          );
          const [res, rTree] = flattenToArrays(r[1], `customVjp(${name}) residuals`);
          resTree = rTree;
          numRes = res.length;
          return [...outs, ...res];
        },
        avals,
        `customVjp(${name}) fwd`,
      );
      return { jaxpr, numRes };
    });
    // bwd needs the arguments' structure only: capturing `args` (tracers of the transform that
    // called `f`) would keep that transform's trace alive (config.checkTracerLeaks).
    const nArgs = args.length;
    const argStructure = args.map((a) => {
      const [argLeaves, argTree] = treeFlatten(a);
      return { n: argLeaves.length, argTree };
    });
    const flatBwd: FlatBwd = (res, cts) => {
      fwdJ();
      const out = bwd(treeUnflatten(resTree as TreeDef, res), treeUnflatten<Promoted<R>>(traced.outTree, cts));
      if (!globalThis.Array.isArray(out) || out.length !== nArgs) {
        throw new ValueError(
          `customVjp(${name}): bwd must return a list with one cotangent per argument (${nArgs}); got ${globalThis.Array.isArray(out) ? `${out.length} entries` : typeof out}`,
        );
      }
      const flat: (Array | null)[] = [];
      out.forEach((c, i) => {
        const { n, argTree } = argStructure[i];
        if (c === null || c === undefined) {
          for (let k = 0; k < n; k++) flat.push(null);
          return;
        }
        const [cl, cTree] = flattenToArrays(c, `customVjp(${name}) bwd output`);
        if (!cTree.equals(argTree))
          throw new ValueError(
            `customVjp(${name}): bwd's cotangent for argument ${i} has structure ${cTree} but the argument has ${argTree}`,
          );
        flat.push(...cl);
      });
      return flat;
    };
    const outs = customVjpCallP.bind([...traced.consts, ...leaves], {
      jaxpr: traced.jaxpr,
      numConsts: traced.consts.length,
      fwd: fwdJ,
      bwd: flatBwd,
      name,
    });
    return treeUnflatten<R>(traced.outTree, outs);
  }) as CustomVjpFunction<A, R>;
  call.defvjp = (fwd, bwd) => {
    // The residual type is the rule pair's own business: erase it once, here.
    rules = { fwd, bwd: bwd as (res: unknown, ct: Promoted<R>) => readonly unknown[] };
    return call;
  };
  return call;
}
