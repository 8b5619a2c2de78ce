/**
 * numpy's diagonals: `diagonal` (a gather of the static diagonal indices), `diag` (extract, or
 * build a matrix by scatter-add) and `trace`.
 */
import type { Array, ArrayLike } from "../core/array.ts";
import { ShapedArray } from "../core/aval.ts";
import * as lax from "../primitives/index.ts";
import { ShapeError, ValueError } from "../errors.ts";
import { fmtShape, normAxis } from "../shape.ts";
import { array, asArray } from "./convert.ts";
import { checkOptions, checkValue, isOptionsObject, type OptionSpec } from "./args.ts";

const range = (n: number): number[] => globalThis.Array.from({ length: n }, (_, i) => i);

export interface DiagonalOptions {
  offset?: number;
  axis1?: number;
  axis2?: number;
}

const DIAG_SPEC: OptionSpec = { offset: "integer", axis1: "integer", axis2: "integer" };

/** numpy's `(offset, axis1, axis2)` given positionally or as one options object. */
function diagonalArgs(
  op: string,
  offset: number | DiagonalOptions | undefined,
  axis1: number | undefined,
  axis2: number | undefined,
): DiagonalOptions {
  if (offset !== null && typeof offset === "object") {
    if (axis1 !== undefined || axis2 !== undefined)
      throw new ValueError(`${op}: pass offset/axis1/axis2 either positionally or as one options object, not both`);
    checkOptions(op, offset, DIAG_SPEC);
    return offset;
  }
  const out: DiagonalOptions = { offset, axis1, axis2 };
  for (const [k, v] of Object.entries(out)) if (v !== undefined) checkValue(op, k, v, "integer");
  return out;
}

/**
 * The diagonal(s) over `axis1`, `axis2` (numpy: the other axes first, the diagonal last).
 * `offset`, `axis1`, `axis2` go positionally, as numpy's, or in an options object.
 */
export function diagonal(x: ArrayLike, offset?: number | DiagonalOptions, axis1?: number, axis2?: number): Array {
  const opts = diagonalArgs("diagonal", offset, axis1, axis2);
  const a = asArray(x);
  if (a.ndim < 2) throw new ShapeError(`diagonal: input must be at least 2-d; got shape ${fmtShape(a.shape)}`);
  const [i1, i2] = [
    normAxis("diagonal", opts.axis1 ?? 0, a.ndim, "axis1"),
    normAxis("diagonal", opts.axis2 ?? 1, a.ndim, "axis2"),
  ];
  if (i1 === i2) throw new ValueError(`diagonal: axis1 and axis2 cannot be the same (both ${i1})`);
  const k = opts.offset ?? 0;
  const rest = range(a.ndim).filter((i) => i !== i1 && i !== i2);
  const t = lax.transpose(a, [...rest, i1, i2]);
  const [n1, n2] = [a.shape[i1], a.shape[i2]];
  const len = Math.max(0, Math.min(n1 - Math.max(0, -k), n2 - Math.max(0, k)));
  const lead = rest.map((i) => a.shape[i]);
  if (len === 0) return lax.fullLike(new ShapedArray([...lead, 0], a.dtype), 0);
  const ids = range(len).flatMap((i) => [i + Math.max(0, -k), i + Math.max(0, k)]);
  const nd = t.ndim;
  return lax.gather(
    t,
    array(ids, { dtype: "int32" }).reshape([len, 2]),
    { offsetDims: range(nd - 2), collapsedSliceDims: [nd - 2, nd - 1], startIndexMap: [nd - 2, nd - 1] },
    [...lead, 1, 1],
    { mode: "promise_in_bounds" },
  );
}

/** numpy's `diag`: a 1-d input gives a matrix with it on the k-th diagonal; 2-d gives that diagonal. */
export function diag(v: ArrayLike, k0?: number | { k?: number }): Array {
  const opts = isOptionsObject(k0) ? k0 : { k: k0 };
  if (isOptionsObject(k0)) checkOptions("diag", k0, { k: "integer" });
  else if (k0 !== undefined) checkValue("diag", "k", k0, "integer");
  const a = asArray(v);
  const k = opts.k ?? 0;
  if (a.ndim === 2) return diagonal(a, { offset: k });
  if (a.ndim !== 1) throw new ShapeError(`diag: input must be 1-d or 2-d; got shape ${fmtShape(a.shape)}`);
  const n = a.shape[0] + Math.abs(k);
  const ids = range(a.shape[0]).flatMap((i) => [i + Math.max(0, -k), i + Math.max(0, k)]);
  const zeros = lax.fullLike(new ShapedArray([n, n], a.dtype), 0);
  if (a.shape[0] === 0) return zeros;
  const dn = { updateWindowDims: [], insertedWindowDims: [0, 1], scatterDimsToOperandDims: [0, 1] };
  return lax.scatterAdd(zeros, array(ids, { dtype: "int32" }).reshape([a.shape[0], 2]), a, dn, {
    mode: "promise_in_bounds",
    uniqueIndices: true,
  });
}

/** Sum along a diagonal (numpy's `trace`; `offset`, `axis1`, `axis2` as in `diagonal`). */
export function trace(x: ArrayLike, offset?: number | DiagonalOptions, axis1?: number, axis2?: number): Array {
  const d = diagonal(x, diagonalArgs("trace", offset, axis1, axis2));
  const s = d.dtype === "bool" ? lax.convertElementType(d, "int32") : d;
  return lax.reduceSum(s, [s.ndim - 1]);
}
