/**
 * numpy's integer number theory ufuncs: gcd and lcm (integer and bool inputs; the results are
 * non-negative, as numpy's).
 */
import type { Array, ArrayLike } from "../core/array.ts";
import * as lax from "../primitives/index.ts";
import { isInteger } from "../dtype.ts";
import { DTypeError } from "../errors.ts";
import { prepareBinary } from "./promote.ts";
import { boolToInt, k } from "./ufunc-wrappers.ts";

function intArgs(name: string, x1: ArrayLike, x2: ArrayLike): [Array, Array] {
  const [a, b] = prepareBinary(name, x1, x2).map(boolToInt);
  if (!isInteger(a.dtype)) throw new DTypeError(`np.${name}: arguments must be integers; got dtype ${a.dtype}`);
  return [a, b];
}

/**
 * Euclid's algorithm on |x1|, |x2|, unrolled for the worst case of 32-bit operands (consecutive
 * Fibonacci numbers need 46 steps below 2^32), so it needs no data-dependent loop: it stages as a
 * fixed program under jit and batches under vmap like any elementwise op.
 */
function euclid(a: Array, b: Array): Array {
  let x = lax.abs(a);
  let y = lax.abs(b);
  // abs of int32's minimum stays negative; as unsigned it is 2^31, which numpy's int32 gcd cannot represent either.
  const zero = k(y, 0);
  for (let i = 0; i < 47; i++) {
    const nz = lax.ne(y, zero);
    const r = lax.rem(x, lax.select(nz, y, k(y, 1)));
    x = lax.select(nz, y, x);
    y = lax.select(nz, r, zero);
  }
  return x;
}

/** Greatest common divisor of |x1| and |x2| (gcd(0, 0) = 0). */
export function gcd(x1: ArrayLike, x2: ArrayLike): Array {
  const [a, b] = intArgs("gcd", x1, x2);
  return euclid(a, b);
}

/** Least common multiple |x1 · x2| / gcd(x1, x2) (0 if either is 0). */
export function lcm(x1: ArrayLike, x2: ArrayLike): Array {
  const [a, b] = intArgs("lcm", x1, x2);
  const d = euclid(a, b);
  const isZero = lax.eq(d, k(d, 0));
  const q = lax.div(lax.abs(b), lax.select(isZero, k(d, 1), d));
  return lax.select(isZero, k(d, 0), lax.abs(lax.mul(a, q)));
}
