/**
 * `Array`: the value type users see. It is either a concrete array (data on a backend, see
 * `concrete.ts`) or a `Tracer` standing in for one inside a transform. Both share this base, so
 * user functions are written once against `Array` and work under `grad`, `vmap` and `jit`.
 *
 * The operator methods (`x.add(y)`, `x.reshape(...)`) are installed by the numpy layer through
 * `installArrayMethods`, which keeps this file free of imports that would form a cycle with the
 * trace machinery (Tracer extends Array).
 */
import type { DType, TypedArray } from "../dtype.ts";
import type { ShapedArray } from "./aval.ts";

/** Anything the numpy layer accepts where an array is expected. */
export type ArrayLike = Array | number | boolean | NestedNumbers | TypedArray;
export type NestedNumbers = readonly (number | boolean | NestedNumbers)[];

/** An index expression for `x.get(...)` / `x.at(...)`: see numpy/indexing.ts. */
export type IndexItem = number | null | "..." | string | { start?: number | null; stop?: number | null; step?: number | null } | Array | NestedNumbers;

/** Nested JS lists as returned by `tolist()`. */
export type NestedList = number | boolean | [number, number] | NestedList[];

/** Out-of-bounds handling of `at(...)` (JAX's modes; "drop" is an alias of "fill"). */
export interface AtOptions {
  mode?: "clip" | "fill" | "drop" | "promise_in_bounds";
  /** `get()` only: the value of out-of-bounds elements in "fill" mode. */
  fillValue?: number;
}

export interface AtIndexer {
  get(opts?: AtOptions): Array;
  set(v: ArrayLike, opts?: AtOptions): Array;
  add(v: ArrayLike, opts?: AtOptions): Array;
  mul(v: ArrayLike, opts?: AtOptions): Array;
  min(v: ArrayLike, opts?: AtOptions): Array;
  max(v: ArrayLike, opts?: AtOptions): Array;
}

export interface ReduceOptions {
  axis?: number | readonly number[] | null;
  keepdims?: boolean;
}

/** The methods the numpy layer supplies for `Array` instances. */
export interface ArrayMethods {
  add(x: Array, y: ArrayLike): Array;
  sub(x: Array, y: ArrayLike): Array;
  mul(x: Array, y: ArrayLike): Array;
  div(x: Array, y: ArrayLike): Array;
  pow(x: Array, y: ArrayLike): Array;
  mod(x: Array, y: ArrayLike): Array;
  matmul(x: Array, y: ArrayLike): Array;
  neg(x: Array): Array;
  abs(x: Array): Array;
  lt(x: Array, y: ArrayLike): Array;
  le(x: Array, y: ArrayLike): Array;
  gt(x: Array, y: ArrayLike): Array;
  ge(x: Array, y: ArrayLike): Array;
  eq(x: Array, y: ArrayLike): Array;
  ne(x: Array, y: ArrayLike): Array;
  reshape(x: Array, shape: readonly number[]): Array;
  transpose(x: Array, axes?: readonly number[]): Array;
  astype(x: Array, dtype: DType): Array;
  sum(x: Array, opts?: ReduceOptions): Array;
  mean(x: Array, opts?: ReduceOptions): Array;
  max(x: Array, opts?: ReduceOptions): Array;
  min(x: Array, opts?: ReduceOptions): Array;
  prod(x: Array, opts?: ReduceOptions): Array;
  squeeze(x: Array, axis?: number | readonly number[]): Array;
  real(x: Array): Array;
  imag(x: Array): Array;
  conj(x: Array): Array;
  index(x: Array, idx: readonly IndexItem[]): Array;
  at(x: Array, idx: readonly IndexItem[]): AtIndexer;
}

let methods: ArrayMethods | undefined;
/** Called once by the numpy layer. */
export function installArrayMethods(m: ArrayMethods): void {
  methods = m;
}
function M(): ArrayMethods {
  if (methods === undefined) throw new Error("linax-ts: array methods not installed (import '@linax-ts/core')");
  return methods;
}

export abstract class Array {
  abstract get aval(): ShapedArray;
  get shape(): readonly number[] {
    return this.aval.shape;
  }
  get dtype(): DType {
    return this.aval.dtype;
  }
  get ndim(): number {
    return this.aval.shape.length;
  }
  get size(): number {
    return this.aval.size;
  }
  /** Whether this value is a tracer inside a transform (no data available). */
  abstract get isTracer(): boolean;

  // ---- data access (concrete arrays only; tracers throw ConcretizationError) ----
  /** Read the data asynchronously (works on every backend). complex64 is interleaved re, im. */
  abstract data(): Promise<TypedArray>;
  /** Read the data synchronously where the backend allows it (CPU). */
  abstract dataSync(): TypedArray;
  /** The value as nested JS lists (complex as [re, im] pairs). */
  abstract tolist(): NestedList;
  /** The single element of a size-1 array. */
  abstract item(): number | boolean | [number, number];
  /** `tolist()` through an asynchronous read (every backend, WebGPU included). */
  abstract tolistAsync(): Promise<NestedList>;
  /** `item()` through an asynchronous read (every backend, WebGPU included). */
  abstract itemAsync(): Promise<number | boolean | [number, number]>;
  /** `toString()` through an asynchronous read (every backend, WebGPU included). */
  abstract toStringAsync(): Promise<string>;
  /** Release device memory now. Using the array afterwards throws. */
  abstract dispose(): void;

  // ---- operator methods (installed by the numpy layer) ----
  add(y: ArrayLike): Array {
    return M().add(this, y);
  }
  sub(y: ArrayLike): Array {
    return M().sub(this, y);
  }
  mul(y: ArrayLike): Array {
    return M().mul(this, y);
  }
  div(y: ArrayLike): Array {
    return M().div(this, y);
  }
  pow(y: ArrayLike): Array {
    return M().pow(this, y);
  }
  mod(y: ArrayLike): Array {
    return M().mod(this, y);
  }
  matmul(y: ArrayLike): Array {
    return M().matmul(this, y);
  }
  neg(): Array {
    return M().neg(this);
  }
  abs(): Array {
    return M().abs(this);
  }
  lt(y: ArrayLike): Array {
    return M().lt(this, y);
  }
  le(y: ArrayLike): Array {
    return M().le(this, y);
  }
  gt(y: ArrayLike): Array {
    return M().gt(this, y);
  }
  ge(y: ArrayLike): Array {
    return M().ge(this, y);
  }
  eq(y: ArrayLike): Array {
    return M().eq(this, y);
  }
  ne(y: ArrayLike): Array {
    return M().ne(this, y);
  }
  reshape(...shape: number[] | [readonly number[]]): Array {
    const s = (shape.length === 1 && typeof shape[0] !== "number" ? shape[0] : shape) as readonly number[];
    return M().reshape(this, s);
  }
  transpose(axes?: readonly number[]): Array {
    return M().transpose(this, axes);
  }
  /** Transpose (reverse all axes), like numpy's `.T`. */
  get T(): Array {
    return M().transpose(this);
  }
  astype(dtype: DType): Array {
    return M().astype(this, dtype);
  }
  sum(opts?: ReduceOptions): Array {
    return M().sum(this, opts);
  }
  mean(opts?: ReduceOptions): Array {
    return M().mean(this, opts);
  }
  max(opts?: ReduceOptions): Array {
    return M().max(this, opts);
  }
  min(opts?: ReduceOptions): Array {
    return M().min(this, opts);
  }
  prod(opts?: ReduceOptions): Array {
    return M().prod(this, opts);
  }
  squeeze(axis?: number | readonly number[]): Array {
    return M().squeeze(this, axis);
  }
  flatten(): Array {
    return M().reshape(this, [this.size]);
  }
  get real(): Array {
    return M().real(this);
  }
  get imag(): Array {
    return M().imag(this);
  }
  conj(): Array {
    return M().conj(this);
  }
  /** numpy-style indexing: `x.get(0, "1:3", null, "...")`. See `np.index`. */
  get(...idx: IndexItem[]): Array {
    return M().index(this, idx);
  }
  /** Functional updates like JAX's `x.at[idx].set(v)`: `x.at(0, "1:").set(v)`. */
  at(...idx: IndexItem[]): AtIndexer {
    return M().at(this, idx);
  }
}
