/**
 * Lowering rules of the movement ops: each re-indexes its operand (no copy, no work), so chains
 * of broadcasts, transposes, reshapes, slices, pads, reversals and concatenations fold into the
 * index expressions of the loads of whatever consumes them.
 *
 * Index forms stay non-negative (index-expr.ts's division rules need it): pad shifts by a
 * multiple of its stride before dividing, and concatenate's operands see the output index
 * rotated modulo the output extent, never a negative one. Reads outside an operand (the padded or
 * other-operand region, which a select discards) are clamped by the renderer from the index range.
 */
import type { DType } from "../dtype.ts";
import { stridesOf } from "../shape.ts";
import {
  combine,
  constant,
  flatten,
  floorDiv,
  floorMod,
  offset,
  range,
  unflatten,
  type Extents,
  type Linear,
} from "./index-expr.ts";
import { scalarTypeOf, type Expr, type ExprBuilder } from "./ir.ts";
import { reindexed, type Lazy, type LoweringRule } from "./lowering.ts";

/** broadcastInDim: operand axis i is output axis bd[i]; size-1 operand axes read index 0. */
export const broadcastInDimRule: LoweringRule<{ broadcastDimensions: readonly number[] }> = (
  _ctx,
  [x],
  [out],
  { broadcastDimensions: bd },
) => [reindexed(out, x, (idx) => bd.map((d, i) => (x.aval.shape[i] === 1 ? constant(0) : idx[d])))];

/** reshape: through the row-major flat index (simplifies to plain re-indexing for splits/merges). */
export const reshapeRule: LoweringRule = (_ctx, [x], [out]) => {
  const outStrides = stridesOf(out.shape);
  return [reindexed(out, x, (idx, ext) => unflatten(flatten(idx, outStrides), x.aval.shape, ext))];
};

/** transpose: output axis i is operand axis perm[i]. */
export const transposeRule: LoweringRule<{ permutation: readonly number[] }> = (_ctx, [x], [out], { permutation }) => [
  reindexed(out, x, (idx) => {
    const inIdx: Linear[] = new globalThis.Array(idx.length);
    permutation.forEach((p, i) => (inIdx[p] = idx[i]));
    return inIdx;
  }),
];

/** slice: start + i·step per axis. */
export const sliceRule: LoweringRule<{ startIndices: readonly number[]; strides: readonly number[] | null }> = (
  _ctx,
  [x],
  [out],
  { startIndices, strides },
) => [reindexed(out, x, (idx) => idx.map((l, d) => combine([[l, strides?.[d] ?? 1]], startIndices[d])))];

/** rev: n−1−i along the reversed axes. */
export const revRule: LoweringRule<{ dimensions: readonly number[] }> = (_ctx, [x], [out], { dimensions }) => [
  reindexed(out, x, (idx) => idx.map((l, d) => (dimensions.includes(d) ? combine([[l, -1]], x.aval.shape[d] - 1) : l))),
];

/** A bool expression that is true where every condition holds (constant-folded when statically known). */
function allOf(b: ExprBuilder, conds: readonly Expr[]): Expr {
  let acc: Expr = b.constant(1, "bool");
  for (const c of conds) {
    if (acc.kind === "const") acc = acc.value !== 0 ? c : acc;
    else if (c.kind === "const") acc = c.value !== 0 ? acc : c;
    else acc = b.op("and", "bool", [acc, c], "bool");
  }
  return acc;
}

/** `l rel k` as a bool IR expression, folded to a constant when the range decides it. */
function compare(b: ExprBuilder, l: Linear, rel: "ge" | "lt" | "eq", k: number, ext: Extents): Expr {
  const [lo, hi] = range(l, ext);
  if (rel === "ge" && lo >= k) return b.constant(1, "bool");
  if (rel === "ge" && hi < k) return b.constant(0, "bool");
  if (rel === "lt" && hi < k) return b.constant(1, "bool");
  if (rel === "lt" && lo >= k) return b.constant(0, "bool");
  if (rel === "eq" && lo === k && hi === k) return b.constant(1, "bool");
  if (rel === "eq" && (k < lo || k > hi)) return b.constant(0, "bool");
  return b.op(rel, "bool", [b.index(l), b.constant(k, "i32")], "int32");
}

/**
 * pad(x, padValue): along each axis the operand element c sits at lo + c·(interior+1). For an
 * output index i, with s = interior+1 and K·s ≥ lo (so t = i − lo + K·s ≥ 0): the source is
 * c = t div s − K, present when t mod s = 0 and 0 ≤ c < n.
 */
export const padRule: LoweringRule<{ paddingConfig: readonly (readonly [number, number, number])[] }> = (
  ctx,
  [x, pv],
  [out],
  { paddingConfig },
) => {
  const { b } = ctx;
  const lazy: Lazy = {
    aval: out,
    cost: x.cost + pv.cost + 1,
    at(idx, ext) {
      // An empty operand: every element is padding (and no index into it exists).
      if (x.aval.size === 0) return pv.at([], ext);
      const src: Linear[] = [];
      const conds: Expr[] = [];
      idx.forEach((i, d) => {
        const [lo, , interior] = paddingConfig[d];
        const s = interior + 1;
        const k = Math.max(0, Math.ceil(lo / s));
        const t = offset(i, k * s - lo);
        const c = offset(floorDiv(t, s, ext), -k);
        if (s > 1) conds.push(compare(b, floorMod(t, s, ext), "eq", 0, ext));
        conds.push(compare(b, c, "ge", 0, ext), compare(b, c, "lt", x.aval.shape[d], ext));
        // Keep the operand's index non-negative where it is not read (the select discards it).
        src.push(range(c, ext)[0] < 0 ? floorMod(offset(c, x.aval.shape[d] * (k + 1)), x.aval.shape[d], ext) : c);
      });
      const valid = allOf(b, conds);
      const fill = pv.at([], ext);
      if (valid.kind === "const") return valid.value !== 0 ? x.at(src, ext) : fill;
      const vals = x.at(src, ext);
      return vals.map((v, j) => b.select(valid, v, fill[j]));
    },
  };
  return [lazy];
};

/** concatenate along `dimension`: a select chain over the operands' ranges of the output index. */
export const concatenateRule: LoweringRule<{ dimension: number }> = (ctx, xs, [out], { dimension }) => {
  const { b } = ctx;
  const n = out.shape[dimension];
  const starts: number[] = [];
  let acc = 0;
  for (const x of xs) {
    starts.push(acc);
    acc += x.aval.shape[dimension];
  }
  const lazy: Lazy = {
    aval: out,
    cost: xs.reduce((s, x) => s + x.cost, 0) + xs.length,
    at(idx, ext) {
      const i = idx[dimension];
      let result: readonly Expr[] | null = null;
      for (let k = xs.length - 1; k >= 0; k--) {
        // An empty operand owns no output positions (its range is empty): nothing to select.
        if (xs[k].aval.size === 0 && (result !== null || k > 0)) continue;
        const shifted = starts[k] === 0 ? i : floorMod(offset(i, n - starts[k]), n, ext);
        const vals = xs[k].at(
          idx.map((l, d) => (d === dimension ? shifted : l)),
          ext,
        );
        if (result === null) result = vals;
        else {
          const inside = compare(b, i, "lt", starts[k + 1], ext);
          const prev: readonly Expr[] = result;
          result =
            inside.kind === "const"
              ? inside.value !== 0
                ? vals
                : prev
              : vals.map((v, j) => b.select(inside, v, prev[j]));
        }
      }
      return result ?? [];
    },
  };
  return [lazy];
};

/** iota: the index along `dimension`, converted to the dtype. */
export const iotaRule: LoweringRule<{ dtype: DType; dimension: number }> = (ctx, _xs, [out], { dtype, dimension }) => {
  const { b } = ctx;
  return [
    {
      aval: out,
      cost: 1,
      at(idx) {
        const v = b.index(idx[dimension]);
        if (dtype === "int32") return [v];
        const re = b.op("convertElementType", scalarTypeOf(dtype), [v], "int32", {
          newDType: dtype === "complex64" ? "float32" : dtype,
        });
        return dtype === "complex64" ? [re, b.constant(0, "f32")] : [re];
      },
    },
  ];
};
