/** numpy polynomial helpers: polyval (Horner's rule) and vander (Vandermonde matrices). */
import type { Array, ArrayLike } from "../core/array.ts";
import * as lax from "../primitives/index.ts";
import { ShapeError, ValueError } from "../errors.ts";
import { fmtShape } from "../shape.ts";
import { asArray } from "./convert.ts";
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
  /** Powers increase from left to right (default false: x^(N-1) first). */
  increasing?: boolean;
}

/**
 * The Vandermonde matrix of the 1-d `x` (numpy's `vander`): column j is x^(N−1−j) (or x^j with
 * `increasing`). Powers are built by repeated multiplication, so x = 0 has exact powers and
 * gradients.
 */
export function vander(x: ArrayLike, N?: number, opts: VanderOptions = {}): Array {
  const a = asArray(x);
  if (a.ndim !== 1) throw new ShapeError(`np.vander: x must be 1-d; got shape ${fmtShape(a.shape)}`);
  const n = N ?? a.shape[0];
  if (!Number.isInteger(n) || n < 0) throw new ValueError(`np.vander: N must be a non-negative integer; got ${n}`);
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
