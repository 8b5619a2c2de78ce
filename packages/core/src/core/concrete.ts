/**
 * Concrete arrays: an aval plus a device buffer on one backend.
 *
 * Memory model: arrays are immutable and operations never consume their inputs. A buffer is
 * released by `dispose()` (or a `using` declaration), and otherwise by a FinalizationRegistry
 * when the array is garbage-collected — so forgotten arrays do not leak device memory, while
 * explicit disposal gives deterministic release for large GPU buffers.
 */
import { Array, type NestedList, type ScalarValue } from "./array.ts";
import type { ShapedArray } from "./aval.ts";
import type { Backend, DeviceBuffer } from "../backend.ts";
import type { DType, TypedArray } from "../dtype.ts";
import { decodeHostValues } from "../half.ts";
import { UseAfterDisposeError, ValueError } from "../errors.ts";
import { formatData } from "./format.ts";

const finalizer = new FinalizationRegistry<DeviceBuffer>((buf) => buf.backend.dispose(buf));

/*
 * Registering with a FinalizationRegistry is the dearest step of an eager op on a small array
 * (about a microsecond: V8 makes a weak cell, and the scavenger cannot free a registered object,
 * so every one is promoted and left to a full collection). Most eager results are temporaries
 * disposed a few ops later, so registration is deferred: a new small array waits in `pending`
 * (held strongly) until the end of the current task, or until PENDING_MAX more arrays were made,
 * and only the arrays not disposed by then are registered. A forgotten array thus becomes
 * collectable at most PENDING_MAX array creations (or one task) later than before; large arrays
 * (above DEFER_MAX_SIZE elements), whose op cost dwarfs the registration, register at once, which
 * bounds the host memory the queue can hold.
 */
const PENDING_MAX = 256;
const DEFER_MAX_SIZE = 4096;
let pending: ConcreteArray[] = [];
let flushQueued = false;

/** Called with every new array while set (transforms/owned.ts records the arrays an eager transform makes). */
let onCreate: ((a: ConcreteArray) => void) | null = null;

/** @internal Set (or clear, with null) the hook called with every new ConcreteArray. */
export function setArrayCreationHook(f: ((a: ConcreteArray) => void) | null): void {
  onCreate = f;
}

/** How many ConcreteArrays were made so far (see `ConcreteArray.serial`). */
let made = 0;

/**
 * @internal The serial the next ConcreteArray will get: an array `a` was made after this call iff
 * `a.serial >= nextArraySerial()` was true then (evalJaxpr tells a primitive's new results from
 * arrays it handed back, see core/last-use.ts).
 */
export function nextArraySerial(): number {
  return made;
}

function flushTask(): void {
  flushQueued = false;
  flushPending();
}

export class ConcreteArray extends Array {
  #aval: ShapedArray;
  #buf: DeviceBuffer | null;
  /** Whether `finalizer` holds this array (registration is deferred; see `pending`). */
  #registered = false;
  /** @internal Creation order of this array (see `nextArraySerial`). */
  readonly serial: number = made++;

  constructor(buf: DeviceBuffer, aval: ShapedArray) {
    super();
    this.#aval = aval;
    this.#buf = buf;
    if (onCreate !== null) onCreate(this);
    if (aval.size > DEFER_MAX_SIZE) {
      finalizer.register(this, buf, this);
      this.#registered = true;
      return;
    }
    pending.push(this);
    if (pending.length >= PENDING_MAX) flushPending();
    else if (!flushQueued) {
      flushQueued = true;
      queueMicrotask(flushTask);
    }
  }
  /** @internal Register `a` with the finalizer unless it was disposed meanwhile (see `pending`). */
  static registerPending(a: ConcreteArray): void {
    if (a.#buf !== null && !a.#registered) {
      finalizer.register(a, a.#buf, a);
      a.#registered = true;
    }
  }
  get aval(): ShapedArray {
    return this.#aval;
  }
  get isTracer(): boolean {
    return false;
  }
  get backend(): Backend {
    return this.buffer.backend;
  }
  /** The device buffer; throws UseAfterDisposeError if the array was disposed. */
  get buffer(): DeviceBuffer {
    return this.bufferFor("an op");
  }
  /**
   * The device buffer for `op` (named in the error if the array was disposed). Checked here rather
   * than in the backend: only the array knows that it was disposed and what it was.
   */
  bufferFor(op: string, what = "an array"): DeviceBuffer {
    if (this.#buf === null)
      throw new UseAfterDisposeError(`${op}: ${what} ${this.#aval.toString()} was used after dispose()`);
    return this.#buf;
  }
  get isDisposed(): boolean {
    return this.#buf === null;
  }
  override isDeleted(): boolean {
    return this.#buf === null;
  }
  override async blockUntilReady(): Promise<this> {
    const buf = this.bufferFor("blockUntilReady()");
    const be = buf.backend;
    if (be.ready !== undefined) await be.ready(buf);
    else if (be.syncReads === false) await be.read(buf, this.#aval); // no cheaper way to wait on such a device
    return this;
  }
  data(): Promise<TypedArray> {
    const buf = this.bufferFor("data()");
    return buf.backend.read(buf, this.#aval);
  }
  dataSync(): TypedArray {
    const buf = this.bufferFor("dataSync()");
    return buf.backend.readSync(buf, this.#aval);
  }
  tolist(): NestedList {
    return nestedList(this.dataSync(), this.#aval);
  }
  async tolistAsync(): Promise<NestedList> {
    return nestedList(await this.data(), this.#aval);
  }
  protected readScalar(fn: string): ScalarValue {
    this.checkScalar(fn);
    return scalarOf(this.dataSync(), this.dtype);
  }
  protected async readScalarAsync(fn: string): Promise<ScalarValue> {
    this.checkScalar(fn);
    return scalarOf(await this.data(), this.dtype);
  }
  private checkScalar(fn: string): void {
    if (this.size !== 1)
      throw new ValueError(
        `${fn}: only size-1 arrays can be converted to a scalar; got shape [${this.shape.join(", ")}]`,
      );
  }
  dispose(): void {
    if (this.#buf !== null) {
      if (this.#registered) finalizer.unregister(this);
      this.#buf.backend.dispose(this.#buf);
      this.#buf = null;
    }
  }
  [Symbol.dispose](): void {
    this.dispose();
  }
  /** numpy/JAX-style rendering: `Array([1., 2.], dtype=float32)`. */
  override toString(): string {
    if (this.#buf === null) return `Array(<disposed>, ${this.#aval.toString()})`;
    // A device without synchronous reads (WebGPU) cannot render its values here; say how to.
    if (this.backend.syncReads === false)
      return `Array(<on ${this.backend.name}: await x.toStringAsync()>, ${this.#aval.toString()})`;
    return render(this.dataSync(), this.#aval);
  }
  async toStringAsync(): Promise<string> {
    if (this.#buf === null) return `Array(<disposed>, ${this.#aval.toString()})`;
    return render(await this.data(), this.#aval);
  }
}

/** Register every array still pending with the finalizer (the disposed ones are dropped). */
function flushPending(): void {
  const list = pending;
  pending = [];
  for (let i = 0; i < list.length; i++) ConcreteArray.registerPending(list[i]);
}

/** numpy/JAX-style rendering of host data: `Array([1., 2.], dtype=float32)`. */
function render(data: TypedArray, aval: ShapedArray): string {
  return `Array(${formatData(data, aval.shape, aval.dtype, 6)}, dtype=${aval.dtype})`;
}

/** Host data as nested JS lists (complex as [re, im] pairs, bool as booleans). */
function nestedList(data: TypedArray, aval: ShapedArray): NestedList {
  const { shape, dtype } = aval;
  const d = decodeHostValues(data, dtype); // half bit patterns → values
  let pos = 0;
  const elem = (): NestedList => {
    if (dtype === "complex64") {
      const v: [number, number] = [d[2 * pos], d[2 * pos + 1]];
      pos++;
      return v;
    }
    const v = d[pos++];
    return dtype === "bool" ? v !== 0 : v;
  };
  const rec = (dim: number): NestedList => {
    if (dim === shape.length) return elem();
    const out: NestedList[] = [];
    for (let i = 0; i < shape[dim]; i++) out.push(rec(dim + 1));
    return out;
  };
  return rec(0);
}

function scalarOf(data: TypedArray, dtype: DType): ScalarValue {
  const d = decodeHostValues(data, dtype);
  if (dtype === "complex64") return [d[0], d[1]];
  return dtype === "bool" ? d[0] !== 0 : d[0];
}

/** Wrap host data as a concrete array on `backend`. */
export function fromHost(backend: Backend, data: TypedArray, aval: ShapedArray): ConcreteArray {
  return new ConcreteArray(backend.fromHost(data, aval), aval);
}
