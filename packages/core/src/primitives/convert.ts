/** convertElementType: dtype casts, with numpy's semantics on the CPU oracle (float→int truncates). */
import type { Array } from "../core/array.ts";
import { ShapedArray } from "../core/aval.ts";
import { definePrimitive, type Primitive } from "../core/primitive.ts";
import { DTypeError } from "../errors.ts";
import { isDType, isInexact, type DType } from "../dtype.ts";
import { real } from "./complex.ts";

export interface ConvertParams {
  readonly newDType: DType;
  /** Whether the result is weakly typed (from a JS scalar). */
  readonly weakType: boolean;
}

export const convertElementTypeP: Primitive<ConvertParams> = definePrimitive<ConvertParams>("convertElementType", {
  abstractEval([x], { newDType, weakType }) {
    if (!isDType(newDType)) throw new DTypeError(`convertElementType: unknown dtype '${String(newDType)}'`);
    return [new ShapedArray(x.shape, newDType, weakType)];
  },
  jvp([x], [dx], p) {
    const y = convertElementTypeP.bind1([x], p);
    // Tangents flow only between inexact dtypes; complex→real takes the real part like numpy.
    if (!isInexact(x.dtype) || !isInexact(p.newDType)) return [[y], [null]];
    const t =
      x.dtype === "complex64" && p.newDType === "float32"
        ? real(dx)
        : convertElementTypeP.bind1([dx], { ...p, weakType: false });
    return [[y], [t]];
  },
  transpose([ct], [x]) {
    const aval = (x as { aval: ShapedArray }).aval;
    const c = ct as Array;
    if (!isInexact(aval.dtype)) return [null];
    if (aval.dtype === "float32" && c.dtype === "complex64") return [real(c)];
    return [convertElementType(c, aval.dtype)];
  },
  batch([x], [d], p) {
    return [[convertElementTypeP.bind1([x], p)], [d]];
  },
});

/** lax.convertElementType. */
export function convertElementType(x: Array, dtype: DType, weakType = false): Array {
  if (x.dtype === dtype && x.aval.weakType === weakType) return x;
  return convertElementTypeP.bind1([x], { newDType: dtype, weakType });
}
