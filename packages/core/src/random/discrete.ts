/**
 * Samplers built from sorting and selection (`jax/_src/random.py`): `categorical`, `permutation`
 * (`_shuffle`), `choice`, and `orthogonal` (QR of a normal matrix).
 */
import { Array } from "../core/array.ts";
import { ShapedArray } from "../core/aval.ts";
import { ConcretizationError, DTypeError, ShapeError, ValueError } from "../errors.ts";
import type { DType } from "../dtype.ts";
import { checkShape, fmtShape, normAxis, prod } from "../shape.ts";
import { convertElementType } from "../primitives/convert.ts";
import { conj } from "../primitives/complex.ts";
import { add, fullLike, log, mul, neg, sub } from "../primitives/elementwise.ts";
import { lt } from "../primitives/elementwise-logic.ts";
import { sign } from "../primitives/elementwise-math.ts";
import { cumsum } from "../primitives/cumulative.ts";
import { gather } from "../primitives/indexing.ts";
import { diagonal } from "../primitives/batched-matrix.ts";
import { qr } from "../primitives/linalg.ts";
import { reduceSum } from "../primitives/reduce.ts";
import { argmax } from "../primitives/reduce-extrema.ts";
import { broadcastInDim, reshape, transpose } from "../primitives/shape-ops.ts";
import { expandDims, iota, slice, sliceInDim } from "../primitives/shape-slicing.ts";
import { sortKeyVal } from "../primitives/sort.ts";
import { randomBits } from "./bits.ts";
import { partitionableOf, singleKey, splitRaw, type KeyLike, type StreamOptions } from "./keys.ts";
import { bcastParam, gumbelRaw, normal, randint, unitFloats } from "./samplers.ts";
import { isSampleDType, type SampleDType } from "./float-formats.ts";
import { checkOptions } from "../numpy/args.ts";

const range = (n: number): number[] => globalThis.Array.from({ length: n }, (_, i) => i);

/** `jnp.take(x, ind, axis)` for in-bounds int32 indices: `x.shape[:axis] + ind.shape + x.shape[axis+1:]`. */
function take(x: Array, ind: Array, axis: number): Array {
  const s = ind.shape;
  const offsetDims = [...range(axis), ...range(x.ndim - axis - 1).map((i) => axis + s.length + i)];
  const sliceSizes = x.shape.map((d, i) => (i === axis ? 1 : d));
  return gather(
    x,
    reshape(ind, [...s, 1]),
    { offsetDims, collapsedSliceDims: [axis], startIndexMap: [axis] },
    sliceSizes,
    { mode: "clip" },
  );
}

/** The first raw key of `splitRaw(k, [2])` and the second. */
function split2(k: Array, partitionable: boolean): [Array, Array] {
  const ks = splitRaw(k, [2], partitionable);
  return [reshape(slice(ks, [0, 0], [1, 2]), [2]), reshape(slice(ks, [1, 0], [2, 2]), [2])];
}

// ------------------------------------------------------------------ categorical

/** Options of `categorical`. */
export interface CategoricalOptions extends StreamOptions {
  /** The axis of `logits` that indexes categories (default -1). */
  axis?: number;
  /** Result shape; must be broadcast-compatible with the logits' shape without `axis` (default). */
  shape?: readonly number[];
}

/**
 * Samples from categorical distributions (`jax.random.categorical`, with replacement): the argmax
 * over `axis` of `logits` plus Gumbel noise. Returns int32 indices of shape `shape` (default: the
 * logits' shape without `axis`); leading dims of `shape` beyond the logits' batch draw
 * independent samples.
 */
export function categorical(key: KeyLike, logits: Array, opts: CategoricalOptions = {}): Array {
  checkOptions("categorical", opts, { axis: "any", shape: "any", partitionable: "any" });
  const fn = "categorical";
  const k = singleKey(fn, key).data;
  if (!(logits instanceof Array)) throw new ValueError(`${fn}: logits must be an array`);
  if (logits.ndim === 0)
    throw new ShapeError(`${fn}: logits must have at least one axis (the categories); got shape []`);
  // Gumbel noise in the logits' dtype, as JAX's `gumbel(key, shape, logits.dtype)`; non-float
  // logits are taken as float32.
  const lg = isSampleDType(logits.dtype) ? logits : convertElementType(logits, "float32");
  const ax = normAxis(fn, opts.axis ?? -1, lg.ndim);
  const batch = lg.shape.filter((_, i) => i !== ax);
  const shape = opts.shape ?? batch;
  checkShape(fn, shape);
  if (shape.length < batch.length)
    throw new ShapeError(
      `${fn}: shape ${fmtShape(shape)} must end with (a broadcast of) the logits' batch shape ${fmtShape(batch)}`,
    );
  const prefix = shape.slice(0, shape.length - batch.length);
  const logitsShape = [...shape.slice(shape.length - batch.length)];
  logitsShape.splice(ax, 0, lg.shape[ax]);
  const full = [...prefix, ...logitsShape];
  const g = gumbelRaw(k, full, partitionableOf(opts), lg.dtype as SampleDType);
  return argmax(add(g, bcastParam(fn, "logits", lg, full)), prefix.length + ax, "int32");
}

// ------------------------------------------------------------------ permutation

/** `_shuffle`'s number of sort rounds: `ceil(3 ln(max(1, n)) / ln(2^32 − 1))`. */
export function shuffleRounds(n: number): number {
  return Math.ceil((3 * Math.log(Math.max(1, n))) / Math.log(0xffffffff));
}

/**
 * `_shuffle`: each round does `key, subkey = split(key)` and a stable sort of `x` along `axis` by
 * `bits(subkey, x.shape)`; the number of rounds depends on `x.size` (repeated 32-bit sort keys
 * make collisions, hence bias, unlikely).
 */
function shuffle(k: Array, x: Array, axis: number, partitionable: boolean): Array {
  let key = k;
  let out = x;
  for (let r = 0; r < shuffleRounds(x.size); r++) {
    const [next, sub] = split2(key, partitionable);
    key = next;
    out = sortKeyVal(randomBits(sub, 32, x.shape, partitionable), out, axis, true)[1];
  }
  return out;
}

/** A concrete integer from a scalar array argument (JAX's `concrete_or_error`). */
function concreteInt(fn: string, x: Array): number {
  if (x.isTracer)
    throw new ConcretizationError(
      `${fn}: the population size must be concrete (a JS number or a non-traced array); got a traced ${x.aval.toString()}`,
    );
  if (x.dtype !== "int32" && x.dtype !== "uint32")
    throw new DTypeError(`${fn}: x must be an integer or at least 1-dimensional; got ${x.aval.toString()}`);
  return x.item();
}

/** Options of `permutation`. */
export interface PermutationOptions extends StreamOptions {
  /** The axis to permute along (default 0). */
  axis?: number;
  /** Shuffle each slice along `axis` independently (default false: permute whole slices). */
  independent?: boolean;
}

/**
 * A random permutation (`jax.random.permutation`): of `arange(n)` (int32) when given an integer,
 * else of the array's slices along `axis` (each 1-D lane independently when `independent`).
 */
export function permutation(key: KeyLike, x: number | Array, opts: PermutationOptions = {}): Array {
  checkOptions("permutation", opts, { axis: "any", independent: "any", partitionable: "any" });
  const fn = "permutation";
  const k = singleKey(fn, key).data;
  const p = partitionableOf(opts);
  if (typeof x === "number" || x.ndim === 0) {
    const n = typeof x === "number" ? x : concreteInt(fn, x);
    if (!Number.isInteger(n) || n < 0) throw new ValueError(`${fn}: n must be a non-negative integer; got ${n}`);
    normAxis(fn, opts.axis ?? 0, 1);
    return shuffle(k, iota("int32", [n]), 0, p);
  }
  const axis = normAxis(fn, opts.axis ?? 0, x.ndim);
  if (opts.independent || x.ndim === 1) return shuffle(k, x, axis, p);
  return take(x, shuffle(k, iota("int32", [x.shape[axis]]), 0, p), axis);
}

// ------------------------------------------------------------------ choice

/** Options of `choice`. */
export interface ChoiceOptions extends StreamOptions {
  /** Output shape (default []: one draw). */
  shape?: readonly number[];
  /** Sample with replacement (default true). */
  replace?: boolean;
  /** Probabilities of the population's entries (1-D, length n); default uniform. */
  p?: Array;
  /** The axis of `a` to select along (default 0). */
  axis?: number;
}

/**
 * A random sample of `arange(a)` (integer `a`) or of `a`'s slices along `axis`
 * (`jax.random.choice`). Uniform with replacement: `randint`; without: the first draws of
 * `permutation`; weighted with replacement: inverse CDF (`searchsorted` of the float32 cumsum);
 * weighted without replacement: the Gumbel top-k trick. With `replace: false` and fewer nonzero
 * probabilities than draws, the result is ill-defined (as in JAX).
 */
export function choice(key: KeyLike, a: number | Array, opts: ChoiceOptions = {}): Array {
  checkOptions("choice", opts, { shape: "any", replace: "any", p: "any", axis: "any", partitionable: "any" });
  const fn = "choice";
  const k = singleKey(fn, key).data;
  const shape = opts.shape ?? [];
  checkShape(fn, shape);
  const replace = opts.replace ?? true;
  const part = partitionableOf(opts);
  const scalarA = typeof a === "number" || a.ndim === 0;
  const arr = typeof a === "number" ? null : a;
  let n: number;
  let axis = 0;
  if (scalarA) {
    n = typeof a === "number" ? a : concreteInt(fn, a);
    if (!Number.isInteger(n)) throw new ValueError(`${fn}: a must be an integer or an array; got ${n}`);
  } else {
    axis = normAxis(fn, opts.axis ?? 0, (a as Array).ndim);
    n = (a as Array).shape[axis];
  }
  const draws = prod(shape);
  const outShape = scalarA ? [...shape] : [...arr!.shape.slice(0, axis), ...shape, ...arr!.shape.slice(axis + 1)];
  const outDType: DType = scalarA ? "int32" : arr!.dtype;
  if (draws === 0) return broadcastInDim(fullLike(new ShapedArray([], outDType), 0), outShape, []);
  if (n <= 0) throw new ValueError(`${fn}: a must be greater than 0 unless no samples are taken`);
  if (!replace && draws > n)
    throw new ValueError(
      `${fn}: cannot take a larger sample (${draws}) than the population (${n}) when replace is false`,
    );
  let ind: Array;
  if (opts.p === undefined) {
    if (replace) ind = randint(k, shape, 0, n, { partitionable: part });
    else {
      const perm = permutation(k, scalarA ? n : arr!, { axis, partitionable: part });
      const first = sliceInDim(perm, 0, draws, 1, scalarA ? 0 : axis);
      return reshape(first, outShape);
    }
  } else {
    const p = opts.p;
    if (!(p instanceof Array) || p.ndim !== 1 || p.shape[0] !== n)
      throw new ShapeError(
        `${fn}: p must be None or match the shape of a: expected a 1-D array of length ${n}; got ${p instanceof Array ? fmtShape(p.shape) : typeof p}`,
      );
    const pf = p.dtype === "float32" ? p : convertElementType(p, "float32");
    if (replace) {
      const cum = cumsum(pf, 0);
      const total = reshape(slice(cum, [n - 1], [n]), []);
      const u = unitFloats(k, shape, part);
      const r = mul(broadcastInDim(total, shape, []), sub(fullLike(u, 1), u));
      // searchsorted(cum, r, "left") for a non-decreasing cum: the count of entries below r.
      const grid = [...shape, n];
      const below = lt(broadcastInDim(cum, grid, [shape.length]), broadcastInDim(r, grid, range(shape.length)));
      ind = reduceSum(convertElementType(below, "int32"), [shape.length]);
    } else {
      const g = sub(neg(gumbelRaw(k, [n], part)), log(pf));
      const order = sortKeyVal(g, iota("int32", [n]), 0, true)[1];
      ind = reshape(slice(order, [0], [draws]), shape);
    }
  }
  return scalarA ? ind : reshape(take(arr!, ind, axis), outShape);
}

// ------------------------------------------------------------------ orthogonal

/** Options of `orthogonal`. */
export interface OrthogonalOptions extends StreamOptions {
  /** Batch shape of the result (default []). */
  shape?: readonly number[];
  /** Number of columns (default n): an n×m semi-orthogonal matrix when m ≠ n. */
  m?: number;
  /** float32 (default) or complex64 (unitary matrices). */
  dtype?: DType;
}

/**
 * Haar-random orthogonal (unitary for complex64) matrices (`jax.random.orthogonal`), of shape
 * `[...shape, n, m]`: the Q of the QR factorization of a normal `max(n,m)×min(n,m)` matrix, with
 * each column multiplied by the sign of R's diagonal entry — which makes the factorization unique
 * and the distribution uniform. For n < m, the conjugate transpose.
 */
export function orthogonal(key: KeyLike, n: number, opts: OrthogonalOptions = {}): Array {
  checkOptions("orthogonal", opts, { shape: "any", m: "any", dtype: "any", partitionable: "any" });
  const fn = "orthogonal";
  const k = singleKey(fn, key).data;
  const m = opts.m ?? n;
  if (!Number.isInteger(n) || n < 0 || !Number.isInteger(m) || m < 0)
    throw new ValueError(`${fn}: n and m must be non-negative integers; got n=${n}, m=${m}`);
  const shape = opts.shape ?? [];
  checkShape(fn, shape);
  const z = normal(k, [...shape, Math.max(n, m), Math.min(n, m)], {
    dtype: opts.dtype ?? "float32",
    partitionable: partitionableOf(opts),
  });
  const [q, r] = qr(z, { fullMatrices: false });
  const x = mul(q, broadcastInDim(expandDims(sign(diagonal(r)), [-2]), q.shape, range(q.ndim)));
  if (n >= m) return x;
  const nd = x.ndim;
  const t = transpose(x, [...range(nd - 2), nd - 1, nd - 2]);
  return x.dtype === "complex64" ? conj(t) : t;
}
