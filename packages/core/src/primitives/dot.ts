/**
 * dotGeneral: XLA's general tensor contraction. Output layout: batch dims (in the order of the
 * lhs batch list), then lhs free dims, then rhs free dims. Bilinear, so its JVP is the sum of two
 * dotGenerals and reverse mode uses the transpose rules below (JAX's
 * `_dot_general_transpose_lhs/rhs`); the batch rule turns the vmapped axis into a batch dim
 * (both operands batched) or a free dim (one operand batched), as JAX's `_dot_general_batch_rule`.
 */
import type { Array } from "../core/array.ts";
import { ShapedArray } from "../core/aval.ts";
import {
  definePrimitive,
  isUndefined,
  type BatchDim,
  type Primitive,
  type UndefinedPrimal,
} from "../core/primitive.ts";
import { DTypeError, InternalError, ShapeError, ValueError } from "../errors.ts";
import { isDType, isInexact, type DType } from "../dtype.ts";
import { fmtShape } from "../shape.ts";
import { add, ALL } from "./elementwise.ts";
import { transpose } from "./shape-ops.ts";
import { convertElementType } from "./convert.ts";
import { checkPrecision, type PrecisionLike } from "./precision.ts";

/** `[[lhs dims...], [rhs dims...]]` */
export type DimPair = readonly [readonly number[], readonly number[]];

export interface DotGeneralParams {
  /** Dimensions summed over: lhs `contractingDims[0][i]` pairs with rhs `contractingDims[1][i]`. */
  readonly contractingDims: DimPair;
  /** Dimensions both operands share and the result keeps (leading in the output). */
  readonly batchDims: DimPair;
  /** Output dtype (default: the operands' dtype); integer/bool operands may ask for int32/float32. */
  readonly preferredElementType: DType | null;
}

export interface DotGeneralOptions {
  contractingDims: DimPair;
  batchDims?: DimPair;
  /** JAX's `precision` (validated; every setting computes in float32, as XLA:CPU does — see precision.ts). */
  precision?: PrecisionLike;
  preferredElementType?: DType | null;
}

/** The free (neither contracted nor batch) dims of an operand, in order. */
export function freeDims(ndim: number, contract: readonly number[], batch: readonly number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < ndim; i++) if (!contract.includes(i) && !batch.includes(i)) out.push(i);
  return out;
}

function describe(lhs: ShapedArray, rhs: ShapedArray, p: DotGeneralParams): string {
  return `lhs shape ${fmtShape(lhs.shape)}, rhs shape ${fmtShape(rhs.shape)}, contractingDims ${JSON.stringify(p.contractingDims)}, batchDims ${JSON.stringify(p.batchDims)}`;
}

function checkDims(
  op: string,
  which: "lhs" | "rhs",
  a: ShapedArray,
  contract: readonly number[],
  batch: readonly number[],
  all: string,
): void {
  const seen = new Set<number>();
  for (const d of [...batch, ...contract]) {
    if (!Number.isInteger(d) || d < 0 || d >= a.ndim) {
      throw new ShapeError(`${op}: ${which} dimension ${d} is out of range for ${which} of rank ${a.ndim} (${all})`);
    }
    if (seen.has(d))
      throw new ShapeError(
        `${op}: ${which} dimension ${d} appears more than once among the contracting and batch dims (${all})`,
      );
    seen.add(d);
  }
}

/** The output dtype of a dotGeneral, validating `preferredElementType`. */
function outDType(op: string, dt: DType, preferred: DType | null): DType {
  if (preferred === null || preferred === undefined || preferred === dt) return dt;
  if (!isDType(preferred)) throw new DTypeError(`${op}: unknown preferredElementType '${String(preferred)}'`);
  const intLike = dt === "int32" || dt === "uint32" || dt === "bool";
  if (intLike && (preferred === "int32" || preferred === "uint32" || preferred === "float32")) return preferred;
  throw new DTypeError(
    `${op}: preferredElementType ${preferred} is not allowed for ${dt} operands (allowed: ${dt}${intLike ? ", int32, uint32, float32" : ""})`,
  );
}

export const dotGeneralP: Primitive<DotGeneralParams> = definePrimitive<DotGeneralParams>("dotGeneral", {
  abstractEval([lhs, rhs], p) {
    const op = "dotGeneral";
    if (lhs.dtype !== rhs.dtype) {
      throw new DTypeError(
        `${op}: lhs and rhs must have equal dtypes at lax level; got lhs ${lhs.dtype} and rhs ${rhs.dtype} (np.matmul/np.dot promote)`,
      );
    }
    if (!ALL.includes(lhs.dtype)) throw new DTypeError(`${op}: unsupported dtype ${lhs.dtype}`);
    const [lc, rc] = p.contractingDims;
    const [lb, rb] = p.batchDims;
    const all = describe(lhs, rhs, p);
    if (lc.length !== rc.length)
      throw new ShapeError(`${op}: lhs and rhs must list the same number of contracting dims (${all})`);
    if (lb.length !== rb.length)
      throw new ShapeError(`${op}: lhs and rhs must list the same number of batch dims (${all})`);
    checkDims(op, "lhs", lhs, lc, lb, all);
    checkDims(op, "rhs", rhs, rc, rb, all);
    for (let i = 0; i < lc.length; i++) {
      if (lhs.shape[lc[i]] !== rhs.shape[rc[i]]) {
        throw new ShapeError(
          `${op}: contracting dimension sizes differ: lhs dim ${lc[i]} has size ${lhs.shape[lc[i]]} but rhs dim ${rc[i]} has size ${rhs.shape[rc[i]]} (${all})`,
        );
      }
    }
    for (let i = 0; i < lb.length; i++) {
      if (lhs.shape[lb[i]] !== rhs.shape[rb[i]]) {
        throw new ShapeError(
          `${op}: batch dimension sizes differ: lhs dim ${lb[i]} has size ${lhs.shape[lb[i]]} but rhs dim ${rb[i]} has size ${rhs.shape[rb[i]]} (${all})`,
        );
      }
    }
    const shape = [
      ...lb.map((d) => lhs.shape[d]),
      ...freeDims(lhs.ndim, lc, lb).map((d) => lhs.shape[d]),
      ...freeDims(rhs.ndim, rc, rb).map((d) => rhs.shape[d]),
    ];
    return [new ShapedArray(shape, outDType(op, lhs.dtype, p.preferredElementType), lhs.weakType && rhs.weakType)];
  },
  jvp([x, y], [dx, dy], p) {
    const z = dotGeneralP.bind1([x, y], p);
    if (!isInexact(x.dtype)) return [[z], [null]];
    return [[z], [add(dotGeneralP.bind1([dx, y], p), dotGeneralP.bind1([x, dy], p))]];
  },
  transpose([ct], [x, y], p) {
    if (ct === null) return [null, null];
    if (isUndefined(x) && isUndefined(y))
      throw new InternalError("dotGeneral: transpose with both operands linear (non-linear use of a tangent)");
    return [
      isUndefined(x) ? transposeLhs(ct, x, y as Array, p, false) : null,
      isUndefined(y) ? transposeRhs(ct, x as Array, y, p) : null,
    ];
  },
  batch([lhs, rhs], [lbd, rbd], p) {
    const [[lc, rc], [lb, rb]] = [p.contractingDims, p.batchDims];
    const bump = (dims: readonly number[], b: number) => dims.map((d) => (d >= b ? d + 1 : d));
    if (lbd !== null && rbd !== null) {
      // The vmapped axis becomes a leading batch dimension of the contraction.
      const params: DotGeneralParams = {
        ...p,
        batchDims: [
          [lbd, ...bump(lb, lbd)],
          [rbd, ...bump(rb, rbd)],
        ],
        contractingDims: [bump(lc, lbd), bump(rc, rbd)],
      };
      return [[dotGeneralP.bind1([lhs, rhs], params)], [0]];
    }
    if (lbd !== null) {
      // The vmapped axis becomes an lhs free dim; find where it lands among the lhs free dims.
      const lhsFreeUnbatched = freeDims(lhs.ndim - 1, lc, lb);
      const outBdim = lb.length + lhsFreeUnbatched.filter((d) => d < lbd).length;
      const params: DotGeneralParams = { ...p, batchDims: [bump(lb, lbd), rb], contractingDims: [bump(lc, lbd), rc] };
      return [[dotGeneralP.bind1([lhs, rhs], params)], [outBdim as BatchDim]];
    }
    const r = rbd as number;
    const rhsFreeUnbatched = freeDims(rhs.ndim - 1, rc, rb);
    const outBdim = lhs.ndim - lc.length + rhsFreeUnbatched.filter((d) => d < r).length;
    const params: DotGeneralParams = { ...p, batchDims: [lb, bump(rb, r)], contractingDims: [lc, bump(rc, r)] };
    return [[dotGeneralP.bind1([lhs, rhs], params)], [outBdim]];
  },
});

/** `[0..a), [a..a+b), ...` — consecutive index ranges with the lengths of `xs`. */
function rangesLike(...lens: number[]): number[][] {
  let start = 0;
  return lens.map((n) => {
    const r = globalThis.Array.from({ length: n }, (_, i) => start + i);
    start += n;
    return r;
  });
}

function argsort(xs: readonly number[]): number[] {
  return xs.map((_, i) => i).sort((a, b) => xs[a] - xs[b]);
}

/** JAX's `_dot_general_transpose_lhs`: contract the cotangent with y over y's free dims. */
function transposeLhs(
  g: Array,
  x: UndefinedPrimal | Array,
  y: Array | UndefinedPrimal,
  p: DotGeneralParams,
  swapAns: boolean,
): Array {
  const [[xc, yc], [xb, yb]] = [p.contractingDims, p.batchDims];
  const xAval = (x as { aval: ShapedArray }).aval;
  const yAval = (y as { aval: ShapedArray }).aval;
  const xNdim = xAval.ndim;
  const xKept = freeDims(xNdim, xc, xb);
  const yKept = freeDims(yAval.ndim, yc, yb);
  let ansBatch: number[];
  let ansY: number[];
  if (swapAns) [ansBatch, ansY] = rangesLike(xb.length, yKept.length, xKept.length);
  else {
    const r = rangesLike(xb.length, xKept.length, yKept.length);
    ansBatch = r[0];
    ansY = r[2];
  }
  const dims: DotGeneralParams = {
    contractingDims: [ansY, yKept],
    batchDims: [ansBatch, yb],
    preferredElementType: null,
  };
  const xContractSortedByY = argsort(yc).map((i) => xc[i]);
  const outAxes = argsort([...xb, ...xKept, ...xContractSortedByY]);
  let gg = g;
  // With preferredElementType the cotangent may have a wider dtype than the operands.
  if (gg.dtype !== yAval.dtype) gg = convertElementType(gg, yAval.dtype);
  let xBar = transpose(dotGeneralP.bind1([gg, y as Array], dims), outAxes);
  if (xBar.dtype !== xAval.dtype) xBar = convertElementType(xBar, xAval.dtype);
  return xBar;
}

/** JAX's `_dot_general_transpose_rhs`: the lhs rule with the operands' roles swapped. */
function transposeRhs(g: Array, x: Array, y: UndefinedPrimal, p: DotGeneralParams): Array {
  const [[xc, yc], [xb, yb]] = [p.contractingDims, p.batchDims];
  const swapped: DotGeneralParams = {
    contractingDims: [yc, xc],
    batchDims: [yb, xb],
    preferredElementType: p.preferredElementType,
  };
  return transposeLhs(g, y, x, swapped, true);
}

/**
 * lax.dotGeneral: contract `lhs` and `rhs` over `contractingDims`, keeping `batchDims` (leading
 * in the result), then lhs free dims, then rhs free dims. Operands must share a dtype.
 */
export function dotGeneral(lhs: Array, rhs: Array, opts: DotGeneralOptions): Array {
  // JAX passes dimension_numbers positionally; here they are options — a list or a typo must not crash later.
  if (typeof opts !== "object" || opts === null || globalThis.Array.isArray(opts)) {
    throw new ValueError(
      `dotGeneral: expected an options object { contractingDims, batchDims?, preferredElementType? }; got ${globalThis.Array.isArray(opts) ? "a list" : String(opts)}`,
    );
  }
  for (const k of Object.keys(opts)) {
    if (!["contractingDims", "batchDims", "precision", "preferredElementType"].includes(k))
      throw new ValueError(
        `dotGeneral: unknown option '${k}'; the options are contractingDims, batchDims, precision, preferredElementType`,
      );
  }
  // Validated, not stored: every precision computes in float32 (primitives/precision.ts).
  checkPrecision("dotGeneral", opts.precision);
  const pairOk = (d: unknown): boolean =>
    globalThis.Array.isArray(d) &&
    d.length === 2 &&
    d.every((l) => globalThis.Array.isArray(l) && l.every((a) => Number.isInteger(a)));
  if (!pairOk(opts.contractingDims))
    throw new ValueError(
      `dotGeneral: contractingDims must be a pair of integer lists [[lhs axes], [rhs axes]]; got ${JSON.stringify(opts.contractingDims)}`,
    );
  if (opts.batchDims !== undefined && !pairOk(opts.batchDims))
    throw new ValueError(
      `dotGeneral: batchDims must be a pair of integer lists [[lhs axes], [rhs axes]]; got ${JSON.stringify(opts.batchDims)}`,
    );
  const batchDims: DimPair = opts.batchDims ?? [[], []];
  return dotGeneralP.bind1([lhs, rhs], {
    contractingDims: [[...opts.contractingDims[0]], [...opts.contractingDims[1]]],
    batchDims: [[...batchDims[0]], [...batchDims[1]]],
    preferredElementType: opts.preferredElementType ?? null,
  });
}

/** lax.dot for vectors/matrices: contracts the last axis of `lhs` with the first axis of `rhs`. */
export function dot(lhs: Array, rhs: Array, preferredElementType: DType | null = null): Array {
  if (lhs.ndim < 1 || lhs.ndim > 2 || rhs.ndim < 1 || rhs.ndim > 2) {
    throw new ShapeError(
      `dot: operands must be vectors or matrices; got shapes ${fmtShape(lhs.shape)} and ${fmtShape(rhs.shape)} (use dotGeneral)`,
    );
  }
  return dotGeneral(lhs, rhs, { contractingDims: [[lhs.ndim - 1], [0]], preferredElementType });
}
