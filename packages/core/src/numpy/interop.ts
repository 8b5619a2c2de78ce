/**
 * Interop with the `ndarray` package (scijs): `np.array(nd)` accepts ndarray objects (see
 * convert.ts); `toNdarray(x)` returns one viewing a fresh copy of the data.
 */
import ndarray, { type NdArray } from "ndarray";
import type { Array } from "../core/array.ts";
import type { TypedArray } from "../dtype.ts";
import { DTypeError } from "../errors.ts";
import { decodeHostValues } from "../half.ts";

/**
 * Copy a concrete array into an `ndarray` (row-major). complex64 has no ndarray dtype: use
 * real/imag. float16/bfloat16 have none either: their values come as a float32 ndarray (exact).
 */
export function toNdarray(x: Array): NdArray<TypedArray> {
  if (x.dtype === "complex64")
    throw new DTypeError(
      "toNdarray: complex64 has no ndarray equivalent; convert np.real(x) and np.imag(x) separately",
    );
  return ndarray(decodeHostValues(x.dataSync(), x.dtype), [...x.shape]);
}
