/**
 * Zeros for symbolic-zero instantiation. Registered by the primitives layer (a zeros array is
 * a `broadcastInDim` of a scalar literal, so it stages cheaply under jit).
 */
import type { Array } from "../core/array.ts";
import type { ShapedArray } from "../core/aval.ts";
import { InternalError } from "../errors.ts";

let zerosImpl: ((aval: ShapedArray) => Array) | undefined;
export function installZeros(f: (aval: ShapedArray) => Array): void {
  zerosImpl = f;
}
/** Zeros with the shape and dtype of `aval` (tangent/cotangent of a symbolic zero). */
export function zerosLikeAval(aval: ShapedArray): Array {
  if (zerosImpl === undefined) throw new InternalError("zeros not installed");
  return zerosImpl(aval);
}
