/**
 * Collectives over named vmap axes: `psum`, `pmean`, `pmax`, `pmin`, `axisIndex` (JAX's
 * `lax.psum` etc. under `vmap(..., axis_name=...)`).
 *
 * Each primitive names its axis in `params.axisName`; its `axisMain` rule finds that vmap's
 * trace (`findAxisMain`), so `bind` processes it at least there and the BatchTrace runs its batch
 * rule even for operands that do not vary along the axis — `psum` of an unbatched `x` over an
 * axis of size n is `n·x`, as in JAX. An unbound name is an error naming the bound ones.
 */
import type { Array } from "../../core/array.ts";
import { ShapedArray } from "../../core/aval.ts";
import { definePrimitive, type AxisInfo, type Primitive } from "../../core/primitive.ts";
import { currentMainTraces, type MainTrace } from "../../core/trace.ts";
import { isInexact } from "../../dtype.ts";
import { InternalError, NotImplementedError, ValueError } from "../../errors.ts";
import { BatchTrace, findAxisMain } from "../../transforms/vmap.ts";
import { treeFlatten, treeUnflatten } from "../../tree/pytree.ts";
import { convertElementType } from "../convert.ts";
import { div, fullLike, mul } from "../elementwise.ts";
import { eq, select } from "../elementwise-logic.ts";
import { reduceSum } from "../reduce.ts";
import { reduceMax, reduceMin } from "../reduce-extrema.ts";
import { iota } from "../shape-slicing.ts";
import { flattenToArrays } from "./common.ts";

export interface AxisParams {
  /** The `axisName` of the vmap the collective reduces over. */
  readonly axisName: string;
}

/** A name or several names (reduced over in turn), as JAX's `axis_name` tuples. */
export type AxisName = string | readonly string[];

function boundAxisNames(): string[] {
  return currentMainTraces()
    .filter((m) => m.traceType === BatchTrace)
    .map((m) => (m.globalData as AxisInfo).name)
    .filter((n): n is string => n !== undefined);
}

function axisMainFor(op: string, name: string): MainTrace {
  const m = findAxisMain(name);
  if (m === undefined) {
    const bound = boundAxisNames();
    throw new ValueError(
      `${op}: unbound axis name '${name}': no enclosing vmap has axisName '${name}' (bound axis names: ${bound.length > 0 ? bound.map((n) => `'${n}'`).join(", ") : "none"}). ` +
        `Call it inside vmap(f, { axisName: '${name}' }).`,
    );
  }
  return m;
}

/** Whether the batch rule runs for the collective's own axis (the innermost vmap of that name). */
const isOwnAxis = (name: string, axis: AxisInfo): boolean => findAxisMain(name)?.globalData === axis;

/** The size of the named axis (for `pmean`, `axisSize`). */
export function axisSize(axisName: string): number {
  return (axisMainFor("axisSize", axisName).globalData as AxisInfo).size;
}

function unreachable(op: string): never {
  // bind always routes a collective to its axis's BatchTrace, which handles it.
  throw new NotImplementedError(`${op} was evaluated outside the vmap of its axis`);
}

interface CollectiveDef {
  /** Reduce a value batched at `dim` over the batch axis. */
  reduce(x: Array, dim: number): Array;
  /** The result for a value that does not vary along the axis. */
  unbatched(x: Array, size: number): Array;
  jvp?: (x: Array, t: Array, y: Array, axisName: string) => Array;
  transpose?: (ct: Array, axisName: string) => Array;
}

function defineCollective(name: string, def: CollectiveDef): Primitive<AxisParams> {
  const prim: Primitive<AxisParams> = definePrimitive<AxisParams>(name, {
    abstractEval: ([x]) => [x],
    impl: () => unreachable(name),
    axisMain: (p) => axisMainFor(name, p.axisName),
    jvp: def.jvp
      ? ([x], [t], p) => {
          const y = prim.bind1([x], p);
          return [[y], [isInexact(y.dtype) ? def.jvp!(x, t, y, p.axisName) : null]];
        }
      : undefined,
    transpose: def.transpose ? ([ct], _args, p) => [def.transpose!(ct as Array, p.axisName)] : undefined,
    batch([x], [d], p, axis) {
      if (!isOwnAxis(p.axisName, axis)) return [[prim.bind1([x], p)], [d]];
      return [[d === null ? def.unbatched(x, axis.size) : def.reduce(x, d)], [null]];
    },
    printParams: (p) => `axisName=${p.axisName}`,
  });
  return prim;
}

export const psumP: Primitive<AxisParams> = defineCollective("psum", {
  reduce: (x, d) => reduceSum(x, [d]),
  unbatched: (x, n) => mul(x, fullLike(x, n)),
  jvp: (_x, t, _y, axisName) => psumP.bind1([t], { axisName }),
  // JAX treats psum as psum ∘ pbroadcast, so its transpose sums the cotangent over the axis too.
  transpose: (ct, axisName) => psumP.bind1([ct], { axisName }),
});

/** JVP of an order statistic over the axis: the tangent of the chosen element(s), ties split evenly. */
function chooserJvp() {
  return (x: Array, t: Array, y: Array, axisName: string): Array => {
    const hit = eq(x, y);
    const zero = fullLike(t, 0);
    const num = psumP.bind1([select(hit, t, zero)], { axisName });
    const cnt = psumP.bind1([select(hit, fullLike(t, 1), zero)], { axisName });
    return div(num, cnt);
  };
}

export const pmaxP: Primitive<AxisParams> = defineCollective("pmax", {
  reduce: (x, d) => reduceMax(x, [d]),
  unbatched: (x) => x,
  jvp: chooserJvp(),
});

export const pminP: Primitive<AxisParams> = defineCollective("pmin", {
  reduce: (x, d) => reduceMin(x, [d]),
  unbatched: (x) => x,
  jvp: chooserJvp(),
});

export const axisIndexP: Primitive<AxisParams> = definePrimitive<AxisParams>("axisIndex", {
  abstractEval: () => [new ShapedArray([], "int32")],
  impl: () => unreachable("axisIndex"),
  axisMain: (p) => axisMainFor("axisIndex", p.axisName),
  batch(_args, _dims, p, axis) {
    if (!isOwnAxis(p.axisName, axis)) throw new InternalError("axisIndex: batch rule called for another axis");
    return [[iota("int32", axis.size)], [0]];
  },
  printParams: (p) => `axisName=${p.axisName}`,
});

const names = (a: AxisName): readonly string[] => (typeof a === "string" ? [a] : a);

function mapLeaves<T>(op: string, x: T, f: (leaf: Array) => Array): T {
  const [, def] = treeFlatten(x);
  const [leaves] = flattenToArrays(x, op);
  return treeUnflatten<T>(def, leaves.map(f));
}

/** `lax.psum(x, axisName)`: sum over the named vmap axis (on every leaf of a pytree). */
export function psum<T>(x: T, axisName: AxisName): T {
  return mapLeaves("psum", x, (l) => names(axisName).reduce((v, n) => psumP.bind1([v], { axisName: n }), l));
}

/** `lax.pmean(x, axisName)`: mean over the named vmap axis (integers give float32, as in JAX). */
export function pmean<T>(x: T, axisName: AxisName): T {
  return mapLeaves("pmean", x, (l) => {
    const f = isInexact(l.dtype) ? l : convertElementType(l, "float32");
    const n = names(axisName).reduce((acc, nm) => acc * axisSize(nm), 1);
    return div(psum(f, axisName), fullLike(f, n));
  });
}

/** `lax.pmax(x, axisName)`: maximum over the named vmap axis. */
export function pmax<T>(x: T, axisName: AxisName): T {
  return mapLeaves("pmax", x, (l) => names(axisName).reduce((v, n) => pmaxP.bind1([v], { axisName: n }), l));
}

/** `lax.pmin(x, axisName)`: minimum over the named vmap axis. */
export function pmin<T>(x: T, axisName: AxisName): T {
  return mapLeaves("pmin", x, (l) => names(axisName).reduce((v, n) => pminP.bind1([v], { axisName: n }), l));
}

/** `lax.axisIndex(axisName)`: this element's int32 index along the named vmap axis. */
export function axisIndex(axisName: string): Array {
  return axisIndexP.bind1([], { axisName });
}
