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
import { ConcretizationError, DTypeError, InternalError } from "../errors.ts";

/** Anything the numpy layer accepts where an array is expected. */
export type ArrayLike = Array | number | boolean | NestedNumbers | TypedArray;
export type NestedNumbers = readonly (number | boolean | NestedNumbers)[];

/** An index expression for `x.get(...)` / `x.at(...)`: see numpy/indexing.ts. */
export type IndexItem =
  | number
  | null
  | "..."
  | string
  | { start?: number | null; stop?: number | null; step?: number | null }
  | Array
  | NestedNumbers;

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

/** numpy's axis argument: one axis, several, or null (all axes / flattened). */
export type AxesArg = number | readonly number[] | null;

/** Options of the `var` / `std` methods. */
export interface VarMethodOptions extends ReduceOptions {
  ddof?: number;
}

/** Options of the single-axis methods (`argmax`, `cumsum`, `sort`, …). */
export interface AxisMethodOptions {
  axis?: number | null;
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
  sum(x: Array, axis?: AxesArg | ReduceOptions, opts?: Omit<ReduceOptions, "axis">): Array;
  mean(x: Array, axis?: AxesArg | ReduceOptions, opts?: Omit<ReduceOptions, "axis">): Array;
  max(x: Array, axis?: AxesArg | ReduceOptions, opts?: Omit<ReduceOptions, "axis">): Array;
  min(x: Array, axis?: AxesArg | ReduceOptions, opts?: Omit<ReduceOptions, "axis">): Array;
  prod(x: Array, axis?: AxesArg | ReduceOptions, opts?: Omit<ReduceOptions, "axis">): Array;
  var(x: Array, axis?: AxesArg | VarMethodOptions, opts?: Omit<VarMethodOptions, "axis">): Array;
  std(x: Array, axis?: AxesArg | VarMethodOptions, opts?: Omit<VarMethodOptions, "axis">): Array;
  any(x: Array, axis?: AxesArg | ReduceOptions, opts?: Omit<ReduceOptions, "axis">): Array;
  all(x: Array, axis?: AxesArg | ReduceOptions, opts?: Omit<ReduceOptions, "axis">): Array;
  argmax(x: Array, axis?: number | null | AxisMethodOptions, opts?: Omit<AxisMethodOptions, "axis">): Array;
  argmin(x: Array, axis?: number | null | AxisMethodOptions, opts?: Omit<AxisMethodOptions, "axis">): Array;
  cumsum(x: Array, axis?: number | null | { axis?: number | null }): Array;
  cumprod(x: Array, axis?: number | null | { axis?: number | null }): Array;
  sort(x: Array, axis?: number | null | { axis?: number | null }): Array;
  argsort(x: Array, axis?: number | null | { axis?: number | null }): Array;
  ravel(x: Array): Array;
  swapaxes(x: Array, axis1: number, axis2: number): Array;
  take(x: Array, indices: ArrayLike, axis?: number | null | { axis?: number | null }): Array;
  repeat(x: Array, repeats: number | readonly number[] | Array, axis?: number | null | { axis?: number | null }): Array;
  diagonal(x: Array, offset?: number, axis1?: number, axis2?: number): Array;
  trace(x: Array, offset?: number, axis1?: number, axis2?: number): Array;
  clip(x: Array, min?: ArrayLike | null, max?: ArrayLike | null): Array;
  round(x: Array, decimals?: number): Array;
  dot(x: Array, y: ArrayLike): Array;
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
  if (methods === undefined) throw new InternalError("linax-ts: array methods not installed (import '@linax-ts/core')");
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
  /**
   * The single element of a size-1 array of a real dtype, as a JS number (numpy's `x.item()`).
   * A bool array raises a DTypeError pointing to `itemBool()`, a complex one to `itemComplex()`:
   * `Array` does not carry its dtype in its type, so each result type has its own method rather
   * than one `number | boolean | [re, im]` union every caller would have to narrow.
   */
  item(): number {
    return realScalar("item()", this.dtype, this.readScalar("item()"));
  }
  /** The single element of a size-1 bool array (numpy's `x.item()` on a bool array). */
  itemBool(): boolean {
    return boolScalar("itemBool()", this.dtype, this.readScalar("itemBool()"));
  }
  /** The single element of a size-1 complex64 array as `[re, im]` (the pairs `tolist()` gives). */
  itemComplex(): [number, number] {
    return complexScalar("itemComplex()", this.dtype, this.readScalar("itemComplex()"));
  }
  /** `tolist()` through an asynchronous read (every backend, WebGPU included). */
  abstract tolistAsync(): Promise<NestedList>;
  /** `item()` through an asynchronous read (every backend, WebGPU included). */
  async itemAsync(): Promise<number> {
    return realScalar("itemAsync()", this.dtype, await this.readScalarAsync("itemAsync()"));
  }
  /** `itemBool()` through an asynchronous read. */
  async itemBoolAsync(): Promise<boolean> {
    return boolScalar("itemBoolAsync()", this.dtype, await this.readScalarAsync("itemBoolAsync()"));
  }
  /** `itemComplex()` through an asynchronous read. */
  async itemComplexAsync(): Promise<[number, number]> {
    return complexScalar("itemComplexAsync()", this.dtype, await this.readScalarAsync("itemComplexAsync()"));
  }
  /**
   * The element of a size-1 array in its dtype's JS form (number, boolean, or `[re, im]`); the
   * typed `item*` methods check the dtype on top of it. `fn` names the public method for errors.
   */
  protected abstract readScalar(fn: string): ScalarValue;
  /** `readScalar` through an asynchronous read. */
  protected abstract readScalarAsync(fn: string): Promise<ScalarValue>;
  /** `toString()` through an asynchronous read (every backend, WebGPU included). */
  abstract toStringAsync(): Promise<string>;
  /** Release device memory now. Using the array afterwards throws. */
  abstract dispose(): void;
  /**
   * Resolves (to this array) once its value is computed on its device (JAX's `block_until_ready()`):
   * at once on the CPU, whose kernels run synchronously; on an asynchronous device after the work that
   * produces it. Reads nothing back. Tracers resolve at once.
   */
  blockUntilReady(): Promise<this> {
    return Promise.resolve(this);
  }
  /** Whether the array's buffer was released — by `dispose()`, or by a jit call it was donated to (JAX's `is_deleted()`). Tracers: false. */
  isDeleted(): boolean {
    return false;
  }

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
  /** Sum over `axis` (positional, `x.sum(-1)`, or `{ axis, keepdims }`); all axes by default. */
  sum(axis?: AxesArg | ReduceOptions, opts?: Omit<ReduceOptions, "axis">): Array {
    return M().sum(this, axis, opts);
  }
  /** Mean over `axis` (see `np.mean`). */
  mean(axis?: AxesArg | ReduceOptions, opts?: Omit<ReduceOptions, "axis">): Array {
    return M().mean(this, axis, opts);
  }
  /** Maximum over `axis` (see `np.max`). */
  max(axis?: AxesArg | ReduceOptions, opts?: Omit<ReduceOptions, "axis">): Array {
    return M().max(this, axis, opts);
  }
  /** Minimum over `axis` (see `np.min`). */
  min(axis?: AxesArg | ReduceOptions, opts?: Omit<ReduceOptions, "axis">): Array {
    return M().min(this, axis, opts);
  }
  /** Product over `axis` (see `np.prod`). */
  prod(axis?: AxesArg | ReduceOptions, opts?: Omit<ReduceOptions, "axis">): Array {
    return M().prod(this, axis, opts);
  }
  /** Variance over `axis` (see `np.var`; `ddof` in the options). */
  var(axis?: AxesArg | VarMethodOptions, opts?: Omit<VarMethodOptions, "axis">): Array {
    return M().var(this, axis, opts);
  }
  /** Standard deviation over `axis` (see `np.std`). */
  std(axis?: AxesArg | VarMethodOptions, opts?: Omit<VarMethodOptions, "axis">): Array {
    return M().std(this, axis, opts);
  }
  /** Whether any element over `axis` is non-zero (see `np.any`). */
  any(axis?: AxesArg | ReduceOptions, opts?: Omit<ReduceOptions, "axis">): Array {
    return M().any(this, axis, opts);
  }
  /** Whether all elements over `axis` are non-zero (see `np.all`). */
  all(axis?: AxesArg | ReduceOptions, opts?: Omit<ReduceOptions, "axis">): Array {
    return M().all(this, axis, opts);
  }
  /** Index of the maximum along `axis` (flattened by default). */
  argmax(axis?: number | null | AxisMethodOptions, opts?: Omit<AxisMethodOptions, "axis">): Array {
    return M().argmax(this, axis, opts);
  }
  /** Index of the minimum along `axis` (flattened by default). */
  argmin(axis?: number | null | AxisMethodOptions, opts?: Omit<AxisMethodOptions, "axis">): Array {
    return M().argmin(this, axis, opts);
  }
  /** Cumulative sum along `axis` (flattened by default). */
  cumsum(axis?: number | null | { axis?: number | null }): Array {
    return M().cumsum(this, axis);
  }
  /** Cumulative product along `axis` (flattened by default). */
  cumprod(axis?: number | null | { axis?: number | null }): Array {
    return M().cumprod(this, axis);
  }
  /** Sorted copy along `axis` (default -1). */
  sort(axis?: number | null | { axis?: number | null }): Array {
    return M().sort(this, axis);
  }
  /** Indices that sort along `axis` (default -1). */
  argsort(axis?: number | null | { axis?: number | null }): Array {
    return M().argsort(this, axis);
  }
  /** Flattened to 1-d (row-major), as `np.ravel`. */
  ravel(): Array {
    return M().ravel(this);
  }
  /** Interchange two axes (`np.swapaxes`). */
  swapaxes(axis1: number, axis2: number): Array {
    return M().swapaxes(this, axis1, axis2);
  }
  /** Elements at `indices` along `axis` (flattened by default), as `np.take`. */
  take(indices: ArrayLike, axis?: number | null | { axis?: number | null }): Array {
    return M().take(this, indices, axis);
  }
  /** Each element repeated along `axis` (flattened by default), as `np.repeat`. */
  repeat(repeats: number | readonly number[] | Array, axis?: number | null | { axis?: number | null }): Array {
    return M().repeat(this, repeats, axis);
  }
  /** The diagonal over `axis1`, `axis2` (defaults 0, 1), as `np.diagonal`. */
  diagonal(offset?: number, axis1?: number, axis2?: number): Array {
    return M().diagonal(this, offset, axis1, axis2);
  }
  /** Sum along a diagonal, as `np.trace`. */
  trace(offset?: number, axis1?: number, axis2?: number): Array {
    return M().trace(this, offset, axis1, axis2);
  }
  /** Values limited to [min, max], as `np.clip`. */
  clip(min?: ArrayLike | null, max?: ArrayLike | null): Array {
    return M().clip(this, min, max);
  }
  /** Rounded to `decimals` places (halves to even), as `np.round`. */
  round(decimals?: number): Array {
    return M().round(this, decimals);
  }
  /** `np.dot(x, y)`. */
  dot(y: ArrayLike): Array {
    return M().dot(this, y);
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

  // ---- JS protocols: iteration and conversion to primitives ----
  /**
   * Iterate over the first axis, as JAX arrays do: `const [k1, k2] = random.split(key)`,
   * `for (const row of x)`. Works on tracers too (the shape is static). A 0-d array is not
   * iterable (a TypeError, as JAX's "iteration over a 0-d array").
   */
  [Symbol.iterator](): Iterator<Array> {
    // Checked eagerly (not inside a generator) so the error comes where the iteration starts.
    if (this.ndim === 0) throw new TypeError(`iteration over a 0-d array (${this.aval.toString()})`);
    const n = this.shape[0];
    let i = 0;
    return {
      next: (): IteratorResult<Array> =>
        i < n ? { value: M().index(this, [i++]), done: false } : { value: undefined, done: true },
      [Symbol.iterator]() {
        return this;
      },
    } as Iterator<Array>;
  }

  /**
   * The value of a concrete 0-d array as a JS number (bool as a boolean), so `Number(x)`, `+x`
   * and `x > 0` compare values. A traced or non-scalar array raises instead of letting JS
   * compare NaN (which would make `x > 0` silently false).
   */
  valueOf(): number | boolean {
    return this.toScalar("valueOf()");
  }

  /** JS conversion hook: `Number(x)`, `x > 0`, `"" + x`, `\`${x}\``. */
  [Symbol.toPrimitive](hint: "number" | "string" | "default"): number | boolean | string {
    if (hint === "string") {
      if (this.isTracer) this.toScalar("String(x) / a template string");
      // Non-scalar concrete arrays render like Python's f-string of a JAX array (their repr).
      if (this.ndim !== 0) return this.toString();
      if (this.dtype === "complex64") {
        const [re, im] = this.itemComplex();
        return `${re}${im < 0 || Object.is(im, -0) ? "-" : "+"}${Math.abs(im)}j`;
      }
      return String(this.toScalar("String(x) / a template string"));
    }
    // JS uses the "number" hint for Number(x), +x and comparisons (x > 0), "default" for x + 1 and x == 1.
    return this.toScalar(
      hint === "number" ? "Number(x) or a JS comparison (x > 0)" : "JS arithmetic or == on an array (x + 1, x == 1)",
    );
  }

  private toScalar(fn: string): number | boolean {
    if (this.isTracer) {
      throw new ConcretizationError(
        `${fn}: cannot convert ${this.toString()} to a JS value: a traced array has no concrete value inside a transform, so JS control flow and comparisons on it (x > 0, if (x) ...) cannot work. ` +
          "Use lax.cond / lax.whileLoop / np.where for data-dependent control flow, or mark the argument static.",
      );
    }
    if (this.ndim !== 0)
      throw new ConcretizationError(
        `${fn}: only 0-d arrays convert to a JS number; got an array ${this.aval.toString()} (use x.item(), x.tolist() or np.* operations)`,
      );
    if (this.dtype === "complex64")
      throw new ConcretizationError(
        `${fn}: a complex64 scalar has no JS number value; use x.real / x.imag or x.itemComplex()`,
      );
    return this.dtype === "bool" ? this.itemBool() : this.item();
  }
}

/** A scalar in its dtype's JS form: a number (real dtypes), a boolean (bool), `[re, im]` (complex64). */
export type ScalarValue = number | boolean | [number, number];

function realScalar(fn: string, dtype: DType, v: ScalarValue): number {
  if (typeof v === "number") return v;
  const use =
    dtype === "bool"
      ? 'x.itemBool() for a boolean (or x.astype("int32").item())'
      : "x.itemComplex() for [re, im] (or x.real.item())";
  throw new DTypeError(`${fn}: expects a real dtype; got a ${dtype} array; use ${use}`);
}

function boolScalar(fn: string, dtype: DType, v: ScalarValue): boolean {
  if (typeof v === "boolean") return v;
  const use = dtype === "complex64" ? "x.itemComplex()" : "x.item()";
  throw new DTypeError(
    `${fn}: expects a bool array; got a ${dtype} array; use ${use} (or compare first, e.g. x.ne(0).itemBool())`,
  );
}

function complexScalar(fn: string, dtype: DType, v: ScalarValue): [number, number] {
  if (typeof v !== "number" && typeof v !== "boolean") return v;
  throw new DTypeError(
    `${fn}: expects a complex64 array; got a ${dtype} array; use ${dtype === "bool" ? "x.itemBool()" : "x.item()"}`,
  );
}
