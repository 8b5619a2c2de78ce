/** numpy polynomial helpers: polyval (Horner's rule) and vander (Vandermonde matrices). */
import type { Array, ArrayLike } from "../core/array.ts";
import * as lax from "../primitives/index.ts";
import { ShapeError, ValueError } from "../errors.ts";
import { fmtShape } from "../shape.ts";
import { asArray } from "./convert.ts";
import { checkOptions, describeValue, isOptionsObject, type OptionSpec } from "./args.ts";
import { add, multiply } from "./math.ts";

/**
 * The polynomial with coefficients `p` (highest power first) at `x` (numpy's `polyval`), by
 * Horner's rule unrolled over the (static) number of coefficients.
 */
export function polyval(p: ArrayLike, x: ArrayLike): Array {
  const c = asArray(p);
  if (c.ndim !== 1) throw new ShapeError(`np.polyval: p must be 1-d; got shape ${fmtShape(c.shape)}`);
  const xx = asArray(x);
  let y = multiply(xx, 0);
  for (let i = 0; i < c.shape[0]; i++) y = add(multiply(y, x), lax.reshape(lax.sliceInDim(c, i, i + 1, 1, 0), []));
  return y;
}

export interface VanderOptions {
  /** The number of columns (numpy's `N`, also accepted positionally; default `x.length`). */
  N?: number;
  /** Powers increase from left to right (default false: x^(N-1) first). */
  increasing?: boolean;
}

/** numpy's / JAX's keyword set of `vander`. */
const VANDER_OPTIONS: OptionSpec = { N: "integer", increasing: "boolean" };

/**
 * The Vandermonde matrix of the 1-d `x` (numpy's `vander`): column j is x^(N−1−j) (or x^j with
 * `increasing`). Powers are built by repeated multiplication, so x = 0 has exact powers and
 * gradients.
 */
export function vander(x: ArrayLike, N?: number | null | VanderOptions, opts?: VanderOptions): Array {
  // numpy's N is positional or keyword: vander(x, 3), vander(x, { N: 3, increasing: true }).
  if (isOptionsObject(N)) {
    if (opts !== undefined)
      throw new ValueError(
        "np.vander: options were given twice (an options object in place of N, and another after it)",
      );
    [N, opts] = [undefined, N];
  }
  checkOptions("np.vander", opts, VANDER_OPTIONS);
  if (N !== undefined && N !== null && opts?.N !== undefined)
    throw new ValueError("np.vander: got multiple values for 'N' (positionally and in the options)");
  const a = asArray(x);
  if (a.ndim !== 1) throw new ShapeError(`np.vander: x must be 1-d; got shape ${fmtShape(a.shape)}`);
  const n = N ?? opts?.N ?? a.shape[0];
  if (typeof n !== "number" || !Number.isInteger(n) || n < 0)
    throw new ValueError(`np.vander: N must be a non-negative integer; got ${describeValue(n)}`);
  opts ??= {};
  const base = a.dtype === "bool" ? lax.convertElementType(a, "int32") : a;
  const cols: Array[] = [];
  let pw = lax.fullLike(base, 1);
  for (let j = 0; j < n; j++) {
    cols.push(lax.reshape(pw, [a.shape[0], 1]));
    pw = lax.mul(pw, base);
  }
  if (n === 0) return lax.reshape(lax.sliceInDim(lax.reshape(base, [a.shape[0], 1]), 0, 0, 1, 1), [a.shape[0], 0]);
  const m = lax.concatenate(cols, 1);
  return opts.increasing ? m : lax.rev(m, [1]);
}
