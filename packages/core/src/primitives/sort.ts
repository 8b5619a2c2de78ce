/**
 * sort: XLA's multi-operand sort. All operands share a shape; they are reordered along
 * `dimension` by the lexicographic order of the first `numKeys` operands (numpy's order: NaNs
 * last, -0 == 0, complex by real then imaginary part). The CPU kernel is always stable, so
 * `isStable: false` gives the same (stable) result.
 *
 * JVP: JAX sorts an iota alongside and gathers the tangents with the resulting permutation. We
 * get the same tangents by sorting them as extra non-key operands next to the primal keys; with
 * the keys fixed, sort is linear in its non-key operands, and its transpose applies the inverse
 * permutation — another sort, keyed by the forward permutation. So sort needs no gather.
 */
import type { Array } from "../core/array.ts";
import { definePrimitive, isUndefined, type BatchDim, type Primitive } from "../core/primitive.ts";
import { InternalError, ShapeError, ValueError } from "../errors.ts";
import { isInexact } from "../dtype.ts";
import { fmtShape, shapeEq } from "../shape.ts";
import { moveBdim } from "./batching.ts";
import { iotaAlong } from "./masks-and-shifts.ts";

export interface SortParams {
  /** The (non-negative) axis to sort along. */
  readonly dimension: number;
  /** Request a stable sort (the CPU kernel is always stable). */
  readonly isStable: boolean;
  /** How many leading operands are sort keys (compared lexicographically). */
  readonly numKeys: number;
}

export const sortP: Primitive<SortParams> = definePrimitive<SortParams>("sort", {
  abstractEval(avals, { dimension, numKeys }) {
    if (avals.length === 0) throw new ValueError("sort: needs at least one operand");
    const s0 = avals[0].shape;
    for (let i = 1; i < avals.length; i++) {
      if (!shapeEq(avals[i].shape, s0)) {
        throw new ShapeError(
          `sort: all operands must have the same shape; operand 0 has shape ${fmtShape(s0)} but operand ${i} has shape ${fmtShape(avals[i].shape)}`,
        );
      }
    }
    if (!Number.isInteger(dimension) || dimension < 0 || dimension >= s0.length) {
      throw new ShapeError(`sort: dimension ${dimension} is out of range for operands of shape ${fmtShape(s0)}`);
    }
    if (!Number.isInteger(numKeys) || numKeys < 1 || numKeys > avals.length) {
      throw new ValueError(
        `sort: numKeys must be between 1 and the number of operands (${avals.length}); got ${numKeys}`,
      );
    }
    return [...avals];
  },
  jvp(primals, tangents, p) {
    const outs = sortP.bind(primals, p);
    const keys = primals.slice(0, p.numKeys);
    const diff = primals.map((x, i) => (isInexact(x.dtype) ? i : -1)).filter((i) => i >= 0);
    const tOut: (Array | null)[] = primals.map(() => null);
    if (diff.length > 0) {
      const sorted = sortP.bind([...keys, ...diff.map((i) => tangents[i])], { ...p, isStable: true });
      diff.forEach((i, k) => (tOut[i] = sorted[p.numKeys + k]));
    }
    return [outs, tOut];
  },
  transpose(cts, args, p) {
    const keys = args.slice(0, p.numKeys);
    if (keys.some((k) => isUndefined(k)))
      throw new InternalError("sort: transpose with respect to a sort key (non-linear use of a tangent)");
    const lin = args
      .map((a, i) => (i >= p.numKeys && isUndefined(a) && cts[i] !== null ? i : -1))
      .filter((i) => i >= 0);
    const res: (Array | null)[] = args.map(() => null);
    if (lin.length === 0) return res;
    const shape = (args[0] as Array).shape;
    // The forward permutation: where each sorted element came from.
    const perm = sortP
      .bind([...(keys as Array[]), iotaAlong(shape, p.dimension)], { ...p, isStable: true })
      .at(-1) as Array;
    // Sorting by `perm` sends element i back to position perm[i]: the inverse permutation.
    const back = sortP.bind([perm, ...lin.map((i) => cts[i] as Array)], {
      dimension: p.dimension,
      isStable: true,
      numKeys: 1,
    });
    lin.forEach((i, k) => (res[i] = back[1 + k]));
    return res;
  },
  batch(args, dims, p, axis) {
    const moved = args.map((a, i) => moveBdim(a, dims[i], 0, axis.size));
    const outs = sortP.bind(moved, { ...p, dimension: p.dimension + 1 });
    return [outs, outs.map((): BatchDim => 0)];
  },
});

export interface SortOptions {
  /** Axis to sort along (negative allowed). Default -1. */
  dimension?: number;
  isStable?: boolean;
  /** Number of leading operands used as keys. Default 1. */
  numKeys?: number;
}

/**
 * lax.sort: sort one array, or several (all reordered by the first `numKeys`), along
 * `dimension` (default last). Returns the same form it was given.
 */
export function sort(operand: Array, opts?: SortOptions): Array;
export function sort(operands: readonly Array[], opts?: SortOptions): Array[];
export function sort(operands: Array | readonly Array[], opts: SortOptions = {}): Array | Array[] {
  const single = !globalThis.Array.isArray(operands);
  const ops = single ? [operands as Array] : [...(operands as readonly Array[])];
  if (ops.length === 0) throw new ValueError("sort: needs at least one operand");
  const nd = ops[0].ndim;
  const d = opts.dimension ?? -1;
  if (!Number.isInteger(d) || d < -nd || d >= nd)
    throw new ShapeError(`sort: dimension ${d} is out of range for operands of shape ${fmtShape(ops[0].shape)}`);
  const outs = sortP.bind(ops, {
    dimension: d < 0 ? d + nd : d,
    isStable: opts.isStable ?? true,
    numKeys: opts.numKeys ?? 1,
  });
  return single ? outs[0] : outs;
}

/** lax.sortKeyVal: sort `values` by `keys` along `dimension`; returns `[sortedKeys, sortedValues]`. */
export function sortKeyVal(keys: Array, values: Array, dimension = -1, isStable = true): [Array, Array] {
  const [k, v] = sort([keys, values], { dimension, isStable, numKeys: 1 });
  return [k, v];
}
