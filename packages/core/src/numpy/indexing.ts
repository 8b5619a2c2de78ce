/**
 * numpy-style indexing: `x.get(...)` / `np.index(x, ...)` and functional updates
 * `x.at(...).set/add/mul/min/max/get` (JAX's `x.at[idx]`).
 *
 * Index items: integers (negative count from the end), `null` (newaxis), `"..."`, slice strings
 * (`"1:3"`, `"::-1"`, `":"`), slice objects `{ start, stop, step }` (see `slice`), integer arrays
 * (linax Arrays or JS lists) for advanced indexing, and bool masks (concrete arrays only, as in
 * JAX: under a transform the result shape would depend on data) — a 0-d mask adds an axis of
 * length 1 (true) or 0 (false), as numpy's `x[True]`.
 *
 * Lowering: purely static basic indexing becomes rev + slice + reshape. Anything with advanced
 * indices becomes one gather (updates: one scatter), built like JAX's `index_to_gather`: numpy's
 * rule places the broadcast advanced-index axes where the first advanced index was when the
 * advanced indices are adjacent, and first otherwise (separated by a slice, `...` or newaxis).
 */
import { Array, type AtIndexer, type AtOptions, type ArrayLike, type IndexItem } from "../core/array.ts";
import { ShapedArray } from "../core/aval.ts";
import { IndexError, ShapeError, ValueError } from "../errors.ts";
import { fmtShape } from "../shape.ts";
import * as lax from "../primitives/index.ts";
import { array, asArray, scalarArray } from "./convert.ts";
import { broadcastShapes } from "../shape.ts";
import { broadcastTo } from "./promote.ts";

/** A slice object, like Python's `slice(start, stop, step)`. */
export interface SliceSpec {
  start?: number | null;
  stop?: number | null;
  step?: number | null;
}

/** Python's `slice(stop)` / `slice(start, stop, step?)` as an index item. */
export function slice(startOrStop?: number | null, stop?: number | null, step?: number | null): SliceSpec {
  if (stop === undefined && step === undefined) return { start: null, stop: startOrStop ?? null, step: null };
  return { start: startOrStop ?? null, stop: stop ?? null, step: step ?? null };
}
/** Alias of `slice` (numpy's `s_` builds index expressions). */
export const s_ = slice;
/** numpy's `newaxis` (`null` in an index). */
export const newaxis = null;

type Item =
  | { kind: "int"; value: number }
  | { kind: "slice"; start: number | null; stop: number | null; step: number | null }
  | { kind: "newaxis" }
  | { kind: "ellipsis" }
  | { kind: "array"; value: Array }
  | { kind: "bool"; value: Array };

const intRe = /^\s*[+-]?\d+\s*$/;

function parseSliceString(s: string): Item {
  const parts = s.split(":");
  if (parts.length > 3)
    throw new IndexError(`index: invalid slice string '${s}' (expected "start:stop" or "start:stop:step")`);
  const num = (p: string | undefined): number | null => {
    if (p === undefined || p.trim() === "") return null;
    if (!intRe.test(p)) throw new IndexError(`index: invalid slice string '${s}': '${p}' is not an integer`);
    return Number(p);
  };
  return { kind: "slice", start: num(parts[0]), stop: num(parts[1]), step: num(parts[2]) };
}

function parseItem(it: IndexItem, pos: number): Item {
  if (it === null) return { kind: "newaxis" };
  if (typeof it === "number") {
    if (!Number.isInteger(it))
      throw new IndexError(
        `index: item ${pos} is ${it}; only integers, slices, "...", null (newaxis) and integer or bool arrays are valid indices`,
      );
    return { kind: "int", value: it };
  }
  if (typeof it === "string") {
    if (it === "...") return { kind: "ellipsis" };
    if (it.includes(":")) return parseSliceString(it);
    throw new IndexError(
      `index: unsupported index string '${it}' at position ${pos}; use a number, "start:stop:step" or "..."`,
    );
  }
  if (it instanceof Array) {
    if (it.dtype === "bool") return { kind: "bool", value: it };
    if (it.dtype !== "int32" && it.dtype !== "uint32")
      throw new IndexError(
        `index: indexer at position ${pos} has dtype ${it.dtype}; index arrays must have an integer or bool dtype`,
      );
    return { kind: "array", value: lax.convertElementType(it, "int32") };
  }
  if (globalThis.Array.isArray(it)) {
    const flat = (it as unknown[]).flat(Infinity as 1);
    if (flat.length > 0 && flat.every((v) => typeof v === "boolean"))
      return { kind: "bool", value: array(it as boolean[]) };
    if (flat.some((v) => typeof v !== "number" || !Number.isInteger(v)))
      throw new IndexError(
        `index: list at position ${pos} must contain only integers (or only booleans); got ${JSON.stringify(it)}`,
      );
    return { kind: "array", value: array(it as number[], { dtype: "int32" }) };
  }
  if (typeof it === "object") {
    const o = it as SliceSpec;
    for (const k of ["start", "stop", "step"] as const) {
      const v = o[k];
      if (v !== undefined && v !== null && !Number.isInteger(v))
        throw new IndexError(`index: slice ${k} must be an integer or null; got ${String(v)} at position ${pos}`);
    }
    return { kind: "slice", start: o.start ?? null, stop: o.stop ?? null, step: o.step ?? null };
  }
  throw new IndexError(`index: unsupported index item ${String(it)} of type ${typeof it} at position ${pos}`);
}

/** Python's slice.indices(n): normalized start, step and length. */
export function canonicalSlice(
  s: { start: number | null; stop: number | null; step: number | null },
  n: number,
): { start: number; step: number; len: number } {
  const step = s.step ?? 1;
  if (step === 0) throw new ValueError("index: slice step cannot be zero");
  const [lower, upper] = step > 0 ? [0, n] : [-1, n - 1];
  const adj = (v: number | null, def: number): number => {
    if (v === null) return def;
    if (v < 0) return Math.max(v + n, lower);
    return Math.min(v, upper);
  };
  const start = adj(s.start, step > 0 ? lower : upper);
  const stop = adj(s.stop, step > 0 ? upper : lower);
  const len =
    step > 0
      ? stop > start
        ? Math.ceil((stop - start) / step)
        : 0
      : start > stop
        ? Math.ceil((start - stop) / -step)
        : 0;
  return { start, step, len };
}

/** Static integer index → non-negative, or IndexError naming axis, index and size. */
function normInt(i: number, axis: number, n: number): number {
  if (i < -n || i >= n) throw new IndexError(`index ${i} is out of bounds for axis ${axis} with size ${n}`);
  return i < 0 ? i + n : i;
}

/** Wrap negative entries of an int32 index array (numpy's negative indexing). */
export function normalizeIndexArray(idx: Array, n: number): Array {
  return lax.select(lax.lt(idx, lax.fullLike(idx, 0)), lax.add(idx, lax.fullLike(idx, n)), idx);
}

interface Expanded {
  /** Items over the operand axes (ellipsis expanded, bool masks replaced by int arrays, trailing ":" added). */
  items: Item[];
  /** Whether any advanced (array) index is present. */
  advanced: boolean;
  /** Whether the advanced indices were adjacent in the index as written (numpy's placement rule). */
  contiguous: boolean;
}

function expand(x: Array, raw: readonly IndexItem[]): Expanded {
  const parsed = raw.map(parseItem);
  const nd = x.ndim;
  const consumed = parsed.reduce(
    (acc, p) => acc + (p.kind === "bool" ? p.value.ndim : p.kind === "newaxis" || p.kind === "ellipsis" ? 0 : 1),
    0,
  );
  if (consumed > nd)
    throw new IndexError(`index: too many indices for array: array is ${nd}-dimensional, but ${consumed} were indexed`);
  if (parsed.filter((p) => p.kind === "ellipsis").length > 1)
    throw new IndexError("index: an index can only have a single ellipsis ('...')");
  const hasArray = parsed.some((p) => p.kind === "array" || p.kind === "bool");
  // numpy treats integers as advanced indices when any array index is present; adjacency is
  // judged on the index as written, so "..." and newaxis separate advanced indices.
  const advPos = parsed
    .map((p, i) => (p.kind === "array" || p.kind === "bool" || (hasArray && p.kind === "int") ? i : -1))
    .filter((i) => i >= 0);
  const contiguous = advPos.every((p, i) => i === 0 || p === advPos[i - 1] + 1);
  const items: Item[] = [];
  let axis = 0;
  for (const p of parsed) {
    if (p.kind === "ellipsis") {
      for (let k = 0; k < nd - consumed; k++) items.push({ kind: "slice", start: null, stop: null, step: null });
      axis += nd - consumed;
    } else if (p.kind === "bool") {
      const m = p.value;
      const want = x.shape.slice(axis, axis + m.ndim);
      if (m.shape.some((d, i) => d !== want[i]))
        throw new IndexError(
          `index: boolean index did not match the indexed array: mask of shape ${fmtShape(m.shape)} at axis ${axis}, array dimensions there are ${fmtShape(want)}`,
        );
      if (m.isTracer) {
        throw new IndexError(
          `index: boolean mask indexing needs a concrete mask, but the mask ${m.aval.toString()} is traced (its result shape would depend on the data); use np.where / lax.select, or index with concrete masks outside jit/vmap/grad`,
        );
      }
      // The mask becomes one int array per mask axis (numpy's nonzero()).
      const d = m.dataSync();
      const coords: number[][] = m.shape.map(() => []);
      const strides = m.shape.map((_, i) => m.shape.slice(i + 1).reduce((a, b) => a * b, 1));
      for (let f = 0; f < m.size; f++)
        if (d[f]) m.shape.forEach((s, i) => coords[i].push(Math.floor(f / strides[i]) % s));
      for (const c of coords) items.push({ kind: "array", value: array(c, { dtype: "int32" }) });
      axis += m.ndim;
    } else {
      items.push(p);
      if (p.kind !== "newaxis") axis++;
    }
  }
  for (; axis < nd; axis++) items.push({ kind: "slice", start: null, stop: null, step: null });
  return { items, advanced: hasArray, contiguous };
}

/** Static basic indexing: rev (negative steps) + slice + reshape. */
function basicIndex(x: Array, items: readonly Item[]): Array {
  const starts: number[] = [];
  const limits: number[] = [];
  const strides: number[] = [];
  const revDims: number[] = [];
  const outShape: number[] = [];
  let ax = 0;
  for (const it of items) {
    if (it.kind === "newaxis") {
      outShape.push(1);
      continue;
    }
    const n = x.shape[ax];
    if (it.kind === "int") {
      const i = normInt(it.value, ax, n);
      starts.push(i);
      limits.push(i + 1);
      strides.push(1);
    } else if (it.kind === "slice") {
      const { start, step, len } = canonicalSlice(it, n);
      outShape.push(len);
      if (len === 0) {
        starts.push(0);
        limits.push(0);
        strides.push(1);
      } else if (step > 0) {
        starts.push(start);
        limits.push(start + (len - 1) * step + 1);
        strides.push(step);
      } else {
        // In reversed coordinates element j is n-1-j, and the step becomes positive.
        revDims.push(ax);
        const s = n - 1 - start;
        starts.push(s);
        limits.push(s + (len - 1) * -step + 1);
        strides.push(-step);
      }
    }
    ax++;
  }
  return lax.reshape(lax.slice(lax.rev(x, revDims), starts, limits, strides), outShape);
}

interface GatherPlan {
  /** Shape of the indexing result (what `get` returns; what `set` values broadcast to). */
  sliceShape: number[];
  /** Positions of newaxis dims in `sliceShape`. */
  newaxisDims: number[];
  indices: Array;
  dnums: { offsetDims: number[]; collapsedSliceDims: number[]; startIndexMap: number[] };
  sliceSizes: number[];
  /** No advanced indices: no operand element is addressed twice. */
  unique: boolean;
}

/** JAX's index_to_gather over the expanded items. */
function plan(x: Array, { items, advanced, contiguous }: Expanded): GatherPlan {
  const int32 = (v: number): Array => scalarArray(v, "int32", false);
  // Advanced indices, normalized and broadcast together.
  const advItems: number[] = [];
  const advArrays: Array[] = [];
  const xAdvAxes: number[] = [];
  let ax = 0;
  items.forEach((it, pos) => {
    if (advanced && (it.kind === "int" || it.kind === "array")) {
      const n = x.shape[ax];
      advItems.push(pos);
      xAdvAxes.push(ax);
      if (it.kind === "int") advArrays.push(int32(normInt(it.value, ax, n)));
      else {
        if (n === 0 && it.value.size > 0) throw new IndexError(`index is out of bounds for axis ${ax} with size 0`);
        advArrays.push(normalizeIndexArray(it.value, n));
      }
    }
    if (it.kind !== "newaxis") ax++;
  });
  let advShape: number[] = [];
  if (advArrays.length > 0) {
    try {
      advShape = broadcastShapes("index", ...advArrays.map((a) => a.shape));
    } catch {
      throw new IndexError(
        `index: shape mismatch: indexing arrays could not be broadcast together with shapes ${advArrays.map((a) => fmtShape(a.shape)).join(" ")}`,
      );
    }
  }
  const firstAdv = contiguous ? advItems[0] : 0;
  const gatherIdx: [Array, number][] = [];
  const gatherIdxShape: number[] = [];
  const offsetDims: number[] = [];
  const collapsed: number[] = [];
  const startIndexMap: number[] = [];
  const sliceShape: number[] = [];
  const newaxisDims: number[] = [];
  const sliceSizes: number[] = [];
  let xAxis = 0;
  let yAxis = 0;
  let cyAxis = 0;
  items.forEach((it, pos) => {
    if (advArrays.length > 0 && pos === firstAdv) {
      const start = gatherIdxShape.length;
      for (const a of advArrays) gatherIdx.push([broadcastTo(a, advShape), start]);
      gatherIdxShape.push(...advShape);
      startIndexMap.push(...xAdvAxes);
      collapsed.push(...xAdvAxes);
      sliceShape.push(...advShape);
      yAxis += advShape.length;
      cyAxis += advShape.length;
    }
    if (advItems.includes(pos)) {
      xAxis++;
      sliceSizes.push(1);
      return;
    }
    if (it.kind === "newaxis") {
      sliceShape.push(1);
      newaxisDims.push(yAxis++);
      return;
    }
    const n = x.shape[xAxis];
    if (it.kind === "int") {
      gatherIdx.push([int32(normInt(it.value, xAxis, n)), gatherIdxShape.length]);
      collapsed.push(xAxis);
      startIndexMap.push(xAxis);
      sliceSizes.push(1);
    } else if (it.kind === "slice") {
      const { start, step, len } = canonicalSlice(it, n);
      sliceShape.push(len);
      if (step === 1) {
        if (len !== n) {
          gatherIdx.push([int32(start), gatherIdxShape.length]);
          startIndexMap.push(xAxis);
        }
        sliceSizes.push(len);
        offsetDims.push(cyAxis);
      } else {
        // A strided slice gathers its own index axis: start + step·iota.
        const ids = globalThis.Array.from({ length: len }, (_, i) => start + i * step);
        gatherIdx.push([array(ids, { dtype: "int32" }), gatherIdxShape.length]);
        startIndexMap.push(xAxis);
        collapsed.push(xAxis);
        gatherIdxShape.push(len);
        sliceSizes.push(1);
      }
      cyAxis++;
      yAxis++;
    }
    xAxis++;
  });
  const full = [...gatherIdxShape, 1];
  const cols = gatherIdx.map(([g, s]) =>
    lax.broadcastInDim(
      g,
      full,
      globalThis.Array.from({ length: g.ndim }, (_, i) => s + i),
    ),
  );
  const indices =
    cols.length === 0
      ? lax.broadcastInDim(int32(0), [...gatherIdxShape, 0], [])
      : lax.concatenate(cols, full.length - 1);
  return {
    sliceShape,
    newaxisDims,
    indices,
    dnums: { offsetDims, collapsedSliceDims: [...collapsed].sort((a, b) => a - b), startIndexMap },
    sliceSizes,
    unique: !advanced,
  };
}

/**
 * Options of `at(...).get()`. Out-of-bounds advanced indices: "promise_in_bounds" (the default, as
 * in JAX; clamped in practice), "clip", or "fill" (the default when `fillValue` is given).
 */
export type IndexOptions = AtOptions;

/** JAX's defaults: gathers "promise_in_bounds" (clamped in practice), scatters drop out-of-bounds updates. */
const modeOf = (m: IndexOptions["mode"], def: lax.GatherScatterMode): lax.GatherScatterMode =>
  m === undefined ? def : m === "drop" ? "fill" : m;

/**
 * numpy's 0-d boolean indices (`x[True]`, `x[..., False]`): each is a mask over a new axis of size
 * 1 at its place, so it selects that axis (True: length 1) or nothing (False: length 0). Lifted
 * here by inserting those size-1 axes into `x` and indexing them with the int arrays [0] / [],
 * which then take part in advanced indexing as numpy's do. Returns null when there are none.
 */
function liftScalarBools(x: Array, idx: readonly IndexItem[]): { x: Array; idx: IndexItem[] } | null {
  const isScalarBool = (it: IndexItem): it is Array => it instanceof Array && it.dtype === "bool" && it.ndim === 0;
  if (!idx.some(isScalarBool)) return null;
  const parsed = idx.map((it, pos) => (isScalarBool(it) ? null : parseItem(it, pos)));
  const consumed = parsed.reduce(
    (acc, p) =>
      acc + (p === null ? 0 : p.kind === "bool" ? p.value.ndim : p.kind === "newaxis" || p.kind === "ellipsis" ? 0 : 1),
    0,
  );
  const shape: number[] = [];
  const out: IndexItem[] = [];
  let axis = 0;
  idx.forEach((it, i) => {
    const p = parsed[i];
    if (p === null) {
      const m = it as Array;
      if (m.isTracer)
        throw new IndexError(
          `index: a 0-d boolean index must be concrete, but ${m.aval.toString()} is traced (the result shape would depend on its value)`,
        );
      shape.push(1);
      out.push(array(m.itemBool() ? [0] : [], { dtype: "int32" }));
      return;
    }
    const n =
      p.kind === "bool"
        ? p.value.ndim
        : p.kind === "newaxis"
          ? 0
          : p.kind === "ellipsis"
            ? Math.max(0, x.ndim - consumed)
            : 1;
    shape.push(...x.shape.slice(axis, axis + n));
    axis += n;
    out.push(it);
  });
  shape.push(...x.shape.slice(axis));
  return { x: lax.reshape(x, shape), idx: out };
}

function indexWith(x0: Array, idx0: readonly IndexItem[], opts: IndexOptions): Array {
  const lifted = liftScalarBools(x0, idx0);
  const x = lifted?.x ?? x0;
  const idx = lifted?.idx ?? idx0;
  const e = expand(x, idx);
  if (!e.advanced) return basicIndex(x, e.items);
  const p = plan(x, e);
  let y: Array;
  // An empty result (possibly from an empty index into an empty axis) needs no gather.
  if (p.sliceShape.includes(0))
    y = lax.fullLike(
      new ShapedArray(
        p.sliceShape.filter((_, i) => !p.newaxisDims.includes(i)),
        x.dtype,
      ),
      0,
    );
  else
    y = lax.gather(x, p.indices, p.dnums, p.sliceSizes, {
      mode: modeOf(opts.mode, opts.fillValue === undefined ? "promise_in_bounds" : "fill"),
      fillValue: opts.fillValue ?? null,
    });
  return p.newaxisDims.length > 0 ? lax.expandDims(y, p.newaxisDims) : y;
}

/** numpy indexing `x[idx...]` (see the module comment for the accepted items). */
export function index(x: ArrayLike, ...idx: IndexItem[]): Array {
  return indexWith(asArray(x), idx, {});
}

type ScatterFn = typeof lax.scatter;

function update(
  op: string,
  x0: Array,
  idx0: readonly IndexItem[],
  v: ArrayLike,
  fn: ScatterFn,
  mode: IndexOptions["mode"],
): Array {
  // 0-d boolean indices: update the array with their size-1 axes inserted, then drop them again.
  const lifted = liftScalarBools(x0, idx0);
  if (lifted !== null) return lax.reshape(update(op, lifted.x, lifted.idx, v, fn, mode), x0.shape);
  const x = x0;
  const idx = idx0;
  const p = plan(x, expand(x, idx));
  let y = asArray(v);
  if (y.dtype !== x.dtype || y.aval.weakType) y = lax.convertElementType(y, x.dtype);
  // numpy drops leading size-1 axes of the values beyond the indexed rank.
  while (y.ndim > p.sliceShape.length && y.shape[0] === 1) y = lax.reshape(y, y.shape.slice(1));
  const fits =
    y.ndim <= p.sliceShape.length &&
    y.shape.every((d, i) => d === 1 || d === p.sliceShape[p.sliceShape.length - y.ndim + i]);
  if (!fits)
    throw new ShapeError(
      `at().${op}: values of shape ${fmtShape(y.shape)} cannot be broadcast to the indexed shape ${fmtShape(p.sliceShape)}`,
    );
  y = broadcastTo(y, p.sliceShape);
  if (p.sliceShape.includes(0)) return x;
  if (p.newaxisDims.length > 0)
    y = lax.reshape(
      y,
      p.sliceShape.filter((_, i) => !p.newaxisDims.includes(i)),
    );
  const dn = {
    updateWindowDims: p.dnums.offsetDims,
    insertedWindowDims: p.dnums.collapsedSliceDims,
    scatterDimsToOperandDims: p.dnums.startIndexMap,
  };
  return fn(x, p.indices, y, dn, { mode: modeOf(mode, "fill"), uniqueIndices: p.unique });
}

/** Options of `at(...).set/add/...`: out-of-bounds updates are dropped unless mode is "clip". */
export type UpdateOptions = Pick<AtOptions, "mode">;

/**
 * Functional indexed updates, like JAX's `x.at[idx]`: `at(x, 0, "1:").set(v)`. Repeated indices
 * accumulate for add/mul/min/max; for set, the last update wins.
 */
export function at(x: ArrayLike, ...idx: IndexItem[]): AtIndexer {
  const a = asArray(x);
  return {
    get: (opts: IndexOptions = {}) => indexWith(a, idx, opts),
    set: (v, opts = {}) => update("set", a, idx, v, lax.scatter, opts.mode),
    add: (v, opts = {}) => update("add", a, idx, v, lax.scatterAdd, opts.mode),
    mul: (v, opts = {}) => update("mul", a, idx, v, lax.scatterMul, opts.mode),
    min: (v, opts = {}) => update("min", a, idx, v, lax.scatterMin, opts.mode),
    max: (v, opts = {}) => update("max", a, idx, v, lax.scatterMax, opts.mode),
  };
}
