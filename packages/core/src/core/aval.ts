/** Abstract values: what the transforms know about an array without its data. */
import type { DType } from "../dtype.ts";
import { fmtShape, prod, shapeEq, type Shape } from "../shape.ts";

/**
 * Shape + dtype (+ JAX's weak-type bit: the value came from a JS number literal and should adopt
 * the dtype of whatever it is combined with).
 */
export class ShapedArray {
  readonly shape: readonly number[];
  #size = -1;
  constructor(
    shape: Shape,
    readonly dtype: DType,
    readonly weakType: boolean = false,
  ) {
    // A frozen shape is some aval's own (every op derives its output aval from its inputs'), and
    // nobody can change it: share it instead of copying on every eager op.
    this.shape = Object.isFrozen(shape) ? shape : Object.freeze([...shape]);
  }
  get ndim(): number {
    return this.shape.length;
  }
  get size(): number {
    if (this.#size < 0) this.#size = prod(this.shape);
    return this.#size;
  }
  /** Same shape and dtype (weak type ignored, as JAX's jaxpr type check does). */
  equals(o: ShapedArray): boolean {
    return this.dtype === o.dtype && shapeEq(this.shape, o.shape);
  }
  strong(): ShapedArray {
    return this.weakType ? new ShapedArray(this.shape, this.dtype, false) : this;
  }
  withShape(shape: Shape): ShapedArray {
    return new ShapedArray(shape, this.dtype, this.weakType);
  }
  /** `f32[2,3]`, like JAX's `str_short`. */
  toString(): string {
    const short: Record<DType, string> = {
      float32: "f32",
      int32: "i32",
      uint32: "u32",
      bool: "bool",
      complex64: "c64",
      float16: "f16",
      bfloat16: "bf16",
    };
    return `${short[this.dtype]}${fmtShape(this.shape).replace(/ /g, "")}`;
  }
  /** A stable key for caches (jit signatures). */
  key(): string {
    return `${this.dtype}${this.weakType ? "~" : ""}[${this.shape.join(",")}]`;
  }
}
