/** numpy's dtype functions: `resultType`, `promoteTypes`, `astype`, `canCast`-free subset. */
import type { Array, ArrayLike } from "../core/array.ts";
import { isDType, promoteTypes as promoteStrong, type DType } from "../dtype.ts";
import { DTypeError } from "../errors.ts";
import * as lax from "../primitives/index.ts";
import { asArray } from "./convert.ts";
import { resultDType } from "./promote.ts";

/** JAX's `jnp.result_type`: the dtype binary ops would compute in (weak JS scalars adopt the others'). */
export function resultType(...xs: (ArrayLike | DType)[]): DType {
  if (xs.length === 0) throw new DTypeError("resultType: at least one argument is required");
  const arrays = xs.filter((x): x is ArrayLike => !isDType(x)).map((x) => asArray(x));
  const dtypes = xs.filter(isDType);
  let d = arrays.length > 0 ? resultDType(arrays) : dtypes[0];
  for (const t of dtypes) d = promoteStrong(d, t);
  return d;
}

/** `jnp.promote_types`. */
export function promoteTypes(a: DType, b: DType): DType {
  return promoteStrong(a, b);
}

/** `jnp.astype(x, dtype)` (function form of `x.astype`). */
export function astype(x: ArrayLike, dtype: DType): Array {
  if (!isDType(dtype)) throw new DTypeError(`astype: unknown dtype '${String(dtype)}'`);
  return lax.convertElementType(asArray(x), dtype);
}
