/**
 * Host-side array plumbing for the checkers: reading values, building arrays from host numbers,
 * slicing and stacking along an axis. Done with plain loops over `dataSync()` so that a checker
 * never depends on the primitives it is checking (a broken `slice` or `concatenate` must not be
 * able to make its own vmap test pass).
 */
import { type Array, decodeHostValues, np, type DType } from "@linax-ts/core";

/** Numbers per element in host storage: complex64 is stored as interleaved (re, im) pairs. */
export const widthOf = (dtype: DType): number => (dtype === "complex64" ? 2 : 1);

/** The flat host values of a concrete array (complex interleaved; halves decoded), as float64 numbers. */
export function hostValues(a: Array): number[] {
  return globalThis.Array.from(decodeHostValues(a.dataSync(), a.dtype) as ArrayLike<number>);
}

/** A concrete array of `dtype` and `shape` from flat host values (complex interleaved). */
export function fromValues(values: ArrayLike<number>, shape: readonly number[], dtype: DType): Array {
  const n = values.length;
  let typed: Float32Array | Int32Array | Uint32Array | Uint8Array;
  switch (dtype) {
    case "float32":
    case "complex64":
      typed = new Float32Array(n);
      break;
    case "float16":
    case "bfloat16":
      // The values as JS numbers (np.array rounds each to the half dtype).
      return np.reshape(np.array(globalThis.Array.from(values), { dtype }), [...shape]);
    case "int32":
      typed = new Int32Array(n);
      break;
    case "uint32":
      typed = new Uint32Array(n);
      break;
    case "bool":
      typed = new Uint8Array(n);
      break;
  }
  for (let i = 0; i < n; i++) typed[i] = dtype === "bool" ? (values[i] ? 1 : 0) : values[i];
  return np.reshape(np.array(typed, { dtype }), [...shape]);
}

function split(shape: readonly number[], axis: number): { outer: number; n: number; inner: number } {
  let outer = 1;
  let inner = 1;
  for (let i = 0; i < axis; i++) outer *= shape[i];
  for (let i = axis + 1; i < shape.length; i++) inner *= shape[i];
  return { outer, n: shape[axis], inner };
}

/** Normalize a possibly negative axis of a rank-`ndim` array (throws when out of range). */
export function normalizeAxis(axis: number, ndim: number): number {
  const a = axis < 0 ? axis + ndim : axis;
  if (!Number.isInteger(a) || a < 0 || a >= ndim) throw new RangeError(`axis ${axis} out of range for rank ${ndim}`);
  return a;
}

/** `a[..., i, ...]` with index `i` on `axis` (the axis removed), computed on the host. */
export function takeAlong(a: Array, axis: number, i: number): Array {
  const ax = normalizeAxis(axis, a.ndim);
  const w = widthOf(a.dtype);
  const { outer, n, inner } = split(a.shape, ax);
  const src = decodeHostValues(a.dataSync(), a.dtype) as ArrayLike<number>; // halves as values
  const out = new Float64Array(outer * inner * w);
  for (let o = 0; o < outer; o++) {
    const from = (o * n + i) * inner * w;
    for (let k = 0; k < inner * w; k++) out[o * inner * w + k] = src[from + k];
  }
  return fromValues(
    out,
    a.shape.filter((_, k) => k !== ax),
    a.dtype,
  );
}

/** Stack equally shaped arrays along a new `axis` (0..ndim, negative counts from the end), on the host. */
export function stackAlong(parts: readonly Array[], axis: number): Array {
  if (parts.length === 0) throw new RangeError("stackAlong: nothing to stack");
  const base = parts[0];
  const ax = normalizeAxis(axis, base.ndim + 1);
  const shape = [...base.shape];
  shape.splice(ax, 0, parts.length);
  const w = widthOf(base.dtype);
  const { outer, inner } = split(shape, ax);
  const n = parts.length;
  const out = new Float64Array(outer * n * inner * w);
  parts.forEach((p, i) => {
    if (p.dtype !== base.dtype || p.shape.length !== base.shape.length || p.shape.some((d, k) => d !== base.shape[k])) {
      throw new RangeError(
        `stackAlong: part ${i} has type ${p.dtype}[${p.shape}] but part 0 has ${base.dtype}[${base.shape}]`,
      );
    }
    const src = decodeHostValues(p.dataSync(), p.dtype) as ArrayLike<number>;
    for (let o = 0; o < outer; o++) {
      for (let k = 0; k < inner * w; k++) out[(o * n + i) * inner * w + k] = src[o * inner * w + k];
    }
  });
  return fromValues(out, shape, base.dtype);
}

/** A small deterministic PRNG (mulberry32): directions and cotangents must be reproducible. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An array shaped and typed like `like` with uniform values in [-1, 1) (float32-representable). */
export function randomLike(like: { shape: readonly number[]; dtype: DType }, rand: () => number): Array {
  let n = widthOf(like.dtype);
  for (const d of like.shape) n *= d;
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) v[i] = Math.fround(rand() * 2 - 1);
  return fromValues(v, like.shape, like.dtype);
}

/**
 * The real inner product of two equally shaped lists of arrays, treating a complex number as
 * the pair (re, im): `Σ re(a)·re(b) + im(a)·im(b)` (JAX's `inner_prod` in `check_grads`).
 * Also returns `Σ |aᵢ·bᵢ|`, the scale that bounds the rounding error of the sum.
 */
export function realInner(a: readonly Array[], b: readonly Array[]): { value: number; scale: number } {
  let value = 0;
  let scale = 0;
  a.forEach((x, i) => {
    const xa = decodeHostValues(x.dataSync(), x.dtype) as ArrayLike<number>;
    const xb = decodeHostValues(b[i].dataSync(), b[i].dtype) as ArrayLike<number>;
    if (xa.length !== xb.length)
      throw new RangeError(`realInner: leaf ${i} sizes differ (${xa.length} vs ${xb.length})`);
    for (let k = 0; k < xa.length; k++) {
      value += xa[k] * xb[k];
      scale += Math.abs(xa[k] * xb[k]);
    }
  });
  return { value, scale };
}

/** Complex conjugate of a host array (identity for real dtypes), on the host. */
export function hostConj(a: Array): Array {
  if (a.dtype !== "complex64") return a;
  const v = hostValues(a);
  for (let i = 1; i < v.length; i += 2) v[i] = -v[i];
  return fromValues(v, a.shape, a.dtype);
}
