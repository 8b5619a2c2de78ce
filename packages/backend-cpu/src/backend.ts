/** The CPU backend: buffers are host typed arrays; primitives run through the kernel table. */
import { allocTyped, type Backend, type DeviceBuffer, type Primitive, type ShapedArray, type TypedArray } from "@linax-ts/core";
import { getKernel } from "./registry.ts";

export class CpuBuffer implements DeviceBuffer {
  constructor(
    readonly backend: CpuBackend,
    public data: TypedArray | null,
  ) {}
}

export class CpuBackend implements Backend {
  readonly name = "cpu";
  #live = 0;

  fromHost(data: TypedArray, aval: ShapedArray): DeviceBuffer {
    const copy = allocTyped(aval.dtype, aval.size);
    if (copy.length !== data.length) throw new Error(`cpu.fromHost: ${aval.toString()} needs ${copy.length} elements, got ${data.length}`);
    copy.set(data as never);
    return this.wrap(copy);
  }
  /** Take ownership of a typed array without copying. */
  wrap(data: TypedArray): CpuBuffer {
    this.#live++;
    return new CpuBuffer(this, data);
  }
  private dataOf(buf: DeviceBuffer): TypedArray {
    const d = (buf as CpuBuffer).data;
    if (d === null) throw new Error("cpu backend: buffer used after dispose");
    return d;
  }
  read(buf: DeviceBuffer): Promise<TypedArray> {
    return Promise.resolve(this.dataOf(buf).slice());
  }
  readSync(buf: DeviceBuffer): TypedArray {
    return this.dataOf(buf).slice();
  }
  /** Zero-copy view for kernels and tests that promise not to mutate it. */
  view(buf: DeviceBuffer): TypedArray {
    return this.dataOf(buf);
  }
  dispose(buf: DeviceBuffer): void {
    const b = buf as CpuBuffer;
    if (b.data !== null) {
      b.data = null;
      this.#live--;
    }
  }
  execute(
    prim: Primitive,
    inputs: readonly DeviceBuffer[],
    inAvals: readonly ShapedArray[],
    outAvals: readonly ShapedArray[],
    params: Readonly<Record<string, unknown>>,
  ): DeviceBuffer[] | undefined {
    const k = getKernel(prim.name);
    if (k === undefined) return undefined;
    const outs = k(
      inputs.map((b) => this.dataOf(b)),
      inAvals,
      outAvals,
      params,
    );
    return outs.map((o) => this.wrap(o));
  }
  liveBuffers(): number {
    return this.#live;
  }
}
