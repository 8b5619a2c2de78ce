/**
 * The scatter family — scatter (set), scatterAdd, scatterMul, scatterMin, scatterMax — with XLA/JAX
 * ScatterDimensionNumbers (including operand/scatter-indices batching dims), and the conversions
 * between gather and scatter dimension numbers (gather ↔ scatterAdd are each other's transposes).
 *
 * Semantics (XLA's): for each update element, its scatter axes (those not in `updateWindowDims`)
 * select an index vector of `indices`, which starts a window on the operand axes named by
 * `scatterDimsToOperandDims`; operand batching dims take the matching indices batch coordinate;
 * the window axes of the update walk the operand axes that are neither inserted nor batching.
 * Out-of-bounds windows: "clip" clamps the start so the window is in bounds; "fill" and
 * "promise_in_bounds" drop the whole window (JAX's FILL_OR_DROP, XLA's behaviour). Updates are
 * applied in row-major order of `updates`, so for `scatter` (set) the last one wins.
 */
import type { Array } from "../core/array.ts";
import { ShapedArray } from "../core/aval.ts";
import { definePrimitive, isUndefined, type BatchDim, type Primitive, type PrimitiveRules } from "../core/primitive.ts";
import { DTypeError, InternalError, NotImplementedError, ShapeError } from "../errors.ts";
import { isInexact } from "../dtype.ts";
import { fmtShape, prod } from "../shape.ts";
import { bdimToFront } from "./batching.ts";
import { add, div, fullLike, mul, zerosLike } from "./elementwise.ts";
import { eq, select } from "./elementwise-logic.ts";
import { convertElementType } from "./convert.ts";
import { broadcastInDim, reshape } from "./shape-ops.ts";
import { iota } from "./shape-slicing.ts";
import { gatherP, type GatherDimensionNumbers, type GatherScatterMode } from "./indexing.ts";
import { J, checkAxes, inc, range } from "./axis-lists.ts";
import { checkBatchingAndMap, checkIndices, checkMode } from "./gather-scatter-checks.ts";

export interface ScatterDimensionNumbers {
  /** Axes of `updates` that walk the window (sorted). */
  readonly updateWindowDims: readonly number[];
  /** Operand axes with an implicit window size of 1 that `updates` does not have (sorted). */
  readonly insertedWindowDims: readonly number[];
  /** For each entry of the index vector, the operand axis it starts. */
  readonly scatterDimsToOperandDims: readonly number[];
  /** Operand axes matched one-to-one with `scatterIndicesBatchingDims` (sorted). */
  readonly operandBatchingDims: readonly number[];
  /** Axes of `indices` (not the index-vector axis) matched with `operandBatchingDims`. */
  readonly scatterIndicesBatchingDims: readonly number[];
}

export interface ScatterParams {
  readonly dimensionNumbers: ScatterDimensionNumbers;
  readonly mode: GatherScatterMode;
  /** Caller's promise that no two updates hit the same operand element (enables JAX's simpler rules). */
  readonly uniqueIndices: boolean;
}

/** The scatter that is the transpose of a gather with dimension numbers `dn`. */
export function scatterDnumsOfGather(dn: GatherDimensionNumbers): ScatterDimensionNumbers {
  return {
    updateWindowDims: dn.offsetDims,
    insertedWindowDims: dn.collapsedSliceDims,
    scatterDimsToOperandDims: dn.startIndexMap,
    operandBatchingDims: dn.operandBatchingDims,
    scatterIndicesBatchingDims: dn.startIndicesBatchingDims,
  };
}

/** The gather reading back what a scatter wrote (`x.at[i].set(y).at[i].get() == y`), with its slice sizes. */
export function gatherOfScatter(
  dn: ScatterDimensionNumbers,
  operandShape: readonly number[],
  updatesShape: readonly number[],
): { dn: GatherDimensionNumbers; sliceSizes: number[] } {
  const sliceSizes: number[] = [];
  let pos = 0;
  for (let i = 0; i < operandShape.length; i++) {
    if (dn.insertedWindowDims.includes(i) || dn.operandBatchingDims.includes(i)) sliceSizes.push(1);
    else sliceSizes.push(updatesShape[dn.updateWindowDims[pos++]]);
  }
  return {
    dn: {
      offsetDims: dn.updateWindowDims,
      collapsedSliceDims: dn.insertedWindowDims,
      startIndexMap: dn.scatterDimsToOperandDims,
      operandBatchingDims: dn.operandBatchingDims,
      startIndicesBatchingDims: dn.scatterIndicesBatchingDims,
    },
    sliceSizes,
  };
}

/** Validate a scatter (XLA's rules); returns the output aval (the operand's). */
function scatterAval(
  op: string,
  x: ShapedArray,
  idx: ShapedArray,
  upd: ShapedArray,
  { dimensionNumbers: dn, mode }: ScatterParams,
): ShapedArray {
  checkMode(op, mode);
  checkIndices(op, idx);
  if (upd.dtype !== x.dtype)
    throw new DTypeError(
      `${op}: updates have dtype ${upd.dtype} but the operand has dtype ${x.dtype}; they must match`,
    );
  const {
    updateWindowDims: uwd,
    insertedWindowDims: inserted,
    scatterDimsToOperandDims: sdod,
    operandBatchingDims: obd,
    scatterIndicesBatchingDims: ibd,
  } = dn;
  checkAxes(op, "updateWindowDims", uwd, upd.ndim, true, `the updates of shape ${fmtShape(upd.shape)}`);
  checkBatchingAndMap(
    op,
    x,
    idx,
    obd,
    ibd,
    "scatterIndicesBatchingDims",
    sdod,
    "scatterDimsToOperandDims",
    inserted,
    "insertedWindowDims",
  );
  const windowDims = range(x.ndim).filter((d) => !inserted.includes(d) && !obd.includes(d));
  if (windowDims.length !== uwd.length) {
    throw new ShapeError(
      `${op}: updateWindowDims ${J(uwd)} must have one entry per operand axis that is neither inserted nor batching (${J(windowDims)}) for the operand of shape ${fmtShape(x.shape)}`,
    );
  }
  const batchShape = idx.shape.slice(0, -1);
  if (upd.ndim !== batchShape.length + uwd.length) {
    throw new ShapeError(
      `${op}: updates of shape ${fmtShape(upd.shape)} must have rank ${batchShape.length + uwd.length} (indices batch shape ${fmtShape(batchShape)} plus ${uwd.length} window axes)`,
    );
  }
  const scatterAxes = range(upd.ndim).filter((d) => !uwd.includes(d));
  scatterAxes.forEach((d, i) => {
    if (upd.shape[d] !== batchShape[i])
      throw new ShapeError(
        `${op}: updates of shape ${fmtShape(upd.shape)} must have the indices' batch shape ${fmtShape(batchShape)} on their scatter axes ${J(scatterAxes)}`,
      );
  });
  uwd.forEach((d, k) => {
    if (upd.shape[d] > x.shape[windowDims[k]]) {
      throw new ShapeError(
        `${op}: update window axis ${d} (size ${upd.shape[d]}) is larger than operand axis ${windowDims[k]} (size ${x.shape[windowDims[k]]})`,
      );
    }
  });
  return x;
}

/** Shared batching rule: move everything to the front, pairing batched indices as batching dims. */
function scatterBatch(prim: () => Primitive<ScatterParams>) {
  return (
    [x, idx, upd]: readonly Array[],
    [dx, di, du]: readonly BatchDim[],
    p: ScatterParams,
    axis: { size: number },
  ): [Array[], BatchDim[]] => {
    const dn = p.dimensionNumbers;
    const xf = bdimToFront(x, dx, axis.size);
    const uf = bdimToFront(upd, du, axis.size);
    if (di === null) {
      // Unbatched indices: the batch axis is one more (leading) window axis.
      const ndn: ScatterDimensionNumbers = {
        updateWindowDims: [0, ...inc(dn.updateWindowDims)],
        insertedWindowDims: inc(dn.insertedWindowDims),
        scatterDimsToOperandDims: inc(dn.scatterDimsToOperandDims),
        operandBatchingDims: inc(dn.operandBatchingDims),
        scatterIndicesBatchingDims: dn.scatterIndicesBatchingDims,
      };
      return [[prim().bind1([xf, idx, uf], { ...p, dimensionNumbers: ndn })], [0]];
    }
    const ifr = bdimToFront(idx, di, axis.size);
    const ndn: ScatterDimensionNumbers = {
      updateWindowDims: inc(dn.updateWindowDims),
      insertedWindowDims: inc(dn.insertedWindowDims),
      scatterDimsToOperandDims: inc(dn.scatterDimsToOperandDims),
      operandBatchingDims: [0, ...inc(dn.operandBatchingDims)],
      scatterIndicesBatchingDims: [0, ...inc(dn.scatterIndicesBatchingDims)],
    };
    return [[prim().bind1([xf, ifr, uf], { ...p, dimensionNumbers: ndn })], [0]];
  };
}

type ScatterRules = Omit<PrimitiveRules<ScatterParams>, "abstractEval" | "batch">;
function defineScatter(
  name: string,
  self: () => Primitive<ScatterParams>,
  rules: ScatterRules,
): Primitive<ScatterParams> {
  return definePrimitive<ScatterParams>(name, {
    abstractEval([x, idx, upd], p) {
      return [scatterAval(name, x, idx, upd, p)];
    },
    batch: scatterBatch(self),
    ...rules,
  });
}

/** Read back, per update element, the operand value its scatter targets (fill for dropped windows). */
function gatherBack(
  v: Array,
  idx: Array,
  upd: { shape: readonly number[] },
  p: ScatterParams,
  fillValue: number | null = 0,
): Array {
  const g = gatherOfScatter(p.dimensionNumbers, v.shape, upd.shape);
  return gatherP.bind1([v, idx], { dimensionNumbers: g.dn, sliceSizes: g.sliceSizes, mode: p.mode, fillValue });
}

// ------------------------------------------------------------------ scatterAdd (linear)

export const scatterAddP: Primitive<ScatterParams> = defineScatter("scatterAdd", () => scatterAddP, {
  jvp([x, idx, u], [dx, , du], p) {
    return [[scatterAddP.bind1([x, idx, u], p)], [scatterAddP.bind1([dx, idx, du], p)]];
  },
  transpose([ct], [x, idx, u], p) {
    if (isUndefined(idx))
      throw new InternalError("scatterAdd: transpose with respect to the indices (non-linear use of a tangent)");
    const c = ct as Array;
    const uAval = (u as { aval: ShapedArray }).aval;
    return [isUndefined(x) ? c : null, null, isUndefined(u) ? gatherBack(c, idx as Array, uAval, p) : null];
  },
});

// ------------------------------------------------------------------ scatter (set)

export const scatterP: Primitive<ScatterParams> = defineScatter("scatter", () => scatterP, {
  jvpWithZeros([x, idx, u], [dx, , du], p) {
    const out = scatterP.bind1([x, idx, u], p);
    if (!isInexact(x.dtype)) return [[out], [null]];
    const tx = dx ?? zerosLike(x.aval.strong());
    const tu = du ?? zerosLike(u.aval.strong());
    if (p.uniqueIndices) return [[out], [scatterP.bind1([tx, idx, tu], p)]];
    // JAX's scheme for colliding updates: scatter a positive id per update, read the ids back to
    // learn which update won each element, and scatter-add only the winners' tangents.
    const dn = p.dimensionNumbers;
    const idsShape = u.shape.map((s, i) => (dn.updateWindowDims.includes(i) ? 1 : s));
    const ids = broadcastInDim(
      add(reshape(iota("int32", prod(idsShape)), idsShape), fullLike(new ShapedArray(idsShape, "int32"), 1)),
      u.shape,
      range(u.ndim),
    );
    const scattered = scatterP.bind1([fullLike(new ShapedArray(x.shape, "int32"), 0), idx, ids], p);
    const keepX = eq(scattered, zerosLike(scattered));
    const won = eq(ids, gatherBack(scattered, idx, u, p, 0));
    const t = scatterAddP.bind1([select(keepX, tx, zerosLike(tx)), idx, select(won, tu, zerosLike(tu))], p);
    return [[out], [t]];
  },
  transpose([ct], [x, idx, u], p) {
    if (!p.uniqueIndices)
      throw new NotImplementedError(
        "transpose of primitive 'scatter' is only implemented for uniqueIndices=true (its JVP uses scatterAdd otherwise, as in JAX)",
      );
    const c = ct as Array;
    const uAval = (u as { aval: ShapedArray }).aval;
    const ctX = isUndefined(x) ? scatterP.bind1([c, idx as Array, zerosLike(uAval.strong())], p) : null;
    return [ctX, null, isUndefined(u) ? gatherBack(c, idx as Array, uAval, p) : null];
  },
});

// ------------------------------------------------------------------ scatterMul

export const scatterMulP: Primitive<ScatterParams> = defineScatter("scatterMul", () => scatterMulP, {
  jvpWithZeros([x, idx, u], [dx, , du], p) {
    const out = scatterMulP.bind1([x, idx, u], p);
    if (!isInexact(x.dtype)) return [[out], [null]];
    // Linear in the operand: d(x·Πu) = dx·Πu + x·Σ_j du_j·Π_{k≠j} u_k.
    let t: Array | null = dx === null ? null : scatterMulP.bind1([dx, idx, u], p);
    if (du !== null) {
      const z = zerosLike(x.aval.strong());
      let excl: Array;
      if (p.uniqueIndices) excl = fullLike(u.aval.strong(), 1);
      else {
        // Π_{k≠j} u_k without dividing by zero: count the zero updates per element.
        const uz = eq(u, zerosLike(u));
        const uSafe = select(uz, fullLike(u.aval.strong(), 1), u);
        const prodNz = gatherBack(scatterMulP.bind1([fullLike(x.aval.strong(), 1), idx, uSafe], p), idx, u, p);
        const nZero = gatherBack(
          scatterAddP.bind1([fullLike(new ShapedArray(x.shape, "int32"), 0), idx, convertElementType(uz, "int32")], p),
          idx,
          u,
          p,
        );
        const zeroI = fullLike(nZero, 0);
        const oneI = fullLike(nZero, 1);
        excl = select(
          uz,
          select(eq(nZero, oneI), prodNz, zerosLike(prodNz)),
          select(eq(nZero, zeroI), div(prodNz, uSafe), zerosLike(prodNz)),
        );
      }
      const tu = mul(x, scatterAddP.bind1([z, idx, mul(du, excl)], p));
      t = t === null ? tu : add(t, tu);
    }
    return [[out], [t]];
  },
  transpose([ct], [x, idx, u], p) {
    if (isUndefined(u))
      throw new InternalError("scatterMul: transpose with respect to the updates (non-linear use of a tangent)");
    return [isUndefined(x) ? scatterMulP.bind1([ct as Array, idx as Array, u as Array], p) : null, null, null];
  },
});

// ------------------------------------------------------------------ scatterMin / scatterMax

/**
 * JAX's extremal-scatter JVP: the tangent of each output element is the average of the tangents
 * of every contender (the operand element and the updates) that equals the result.
 */
function extremalJvp(prim: () => Primitive<ScatterParams>) {
  return (
    [x, idx, u]: readonly Array[],
    [dx, , du]: readonly (Array | null)[],
    p: ScatterParams,
  ): [Array[], (Array | null)[]] => {
    const out = prim().bind1([x, idx, u], p);
    if (!isInexact(x.dtype)) return [[out], [null]];
    const zx = zerosLike(x.aval.strong());
    const zu = zerosLike(u.aval.strong());
    // Dropped (out-of-bounds) updates must not count: read back a 1 only where the window landed.
    const landed = gatherBack(fullLike(x.aval.strong(), 1), idx, u, p, 0);
    const wx = select(eq(x, out), fullLike(x.aval.strong(), 1), zx);
    const wu = select(eq(u, gatherBack(out, idx, u, p)), landed, zu);
    const count = add(wx, scatterAddP.bind1([zx, idx, wu], p));
    let num: Array | null = dx === null ? null : mul(wx, dx);
    if (du !== null) {
      const s = scatterAddP.bind1([zx, idx, mul(wu, du)], p);
      num = num === null ? s : add(num, s);
    }
    return [[out], [div(num as Array, count)]];
  };
}

export const scatterMinP: Primitive<ScatterParams> = defineScatter("scatterMin", () => scatterMinP, {
  jvpWithZeros: extremalJvp(() => scatterMinP),
});
export const scatterMaxP: Primitive<ScatterParams> = defineScatter("scatterMax", () => scatterMaxP, {
  jvpWithZeros: extremalJvp(() => scatterMaxP),
});

// ------------------------------------------------------------------ lax-level functions

export interface ScatterOptions {
  /** Out-of-bounds mode (default "fill": out-of-bounds windows are dropped, JAX's default). */
  mode?: GatherScatterMode;
  uniqueIndices?: boolean;
}

/** Complete partial dimension numbers (batching dims default to none). */
export function scatterDnums(
  dn: Partial<ScatterDimensionNumbers> &
    Pick<ScatterDimensionNumbers, "updateWindowDims" | "insertedWindowDims" | "scatterDimsToOperandDims">,
): ScatterDimensionNumbers {
  return {
    updateWindowDims: [...dn.updateWindowDims],
    insertedWindowDims: [...dn.insertedWindowDims],
    scatterDimsToOperandDims: [...dn.scatterDimsToOperandDims],
    operandBatchingDims: [...(dn.operandBatchingDims ?? [])],
    scatterIndicesBatchingDims: [...(dn.scatterIndicesBatchingDims ?? [])],
  };
}

type DnumsArg = Parameters<typeof scatterDnums>[0];
const bindScatter =
  (prim: Primitive<ScatterParams>) =>
  (operand: Array, indices: Array, updates: Array, dimensionNumbers: DnumsArg, opts: ScatterOptions = {}): Array =>
    prim.bind1([operand, indices, updates], {
      dimensionNumbers: scatterDnums(dimensionNumbers),
      mode: opts.mode ?? "fill",
      uniqueIndices: opts.uniqueIndices ?? false,
    });

/** lax.scatter: write `updates` into `operand` (the last of colliding updates wins). */
export const scatter = bindScatter(scatterP);
/** lax.scatterAdd: add `updates` into `operand` (colliding updates accumulate). */
export const scatterAdd = bindScatter(scatterAddP);
/** lax.scatterMul: multiply `operand` elements by `updates`. */
export const scatterMul = bindScatter(scatterMulP);
/** lax.scatterMin: elementwise minimum of `operand` and `updates`. */
export const scatterMin = bindScatter(scatterMinP);
/** lax.scatterMax: elementwise maximum of `operand` and `updates`. */
export const scatterMax = bindScatter(scatterMaxP);
