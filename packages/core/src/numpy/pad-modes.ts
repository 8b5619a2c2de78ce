/**
 * The `np.pad` modes that compute their fill from the array, as `jnp.pad` does
 * (jax/_src/numpy/lax_numpy.py `_pad_linear_ramp`, `_pad_stats`, `_pad_symmetric_or_reflect`):
 * linear_ramp, maximum / mean / median / minimum, and reflect / symmetric with reflect_type
 * "odd". Each pads one axis at a time, so later axes see (and fill the corners from) the padding of
 * earlier ones, as numpy does. All are compositions of lax ops: they trace, batch and differentiate.
 */
import type { Array } from "../core/array.ts";
import { ShapedArray } from "../core/aval.ts";
import * as lax from "../primitives/index.ts";
import { isFloat, isInteger } from "../dtype.ts";
import { ValueError } from "../errors.ts";
import { max, mean, min } from "./reductions.ts";
import { median } from "./statistics.ts";
import { round } from "./math-ufuncs.ts";

/** `x1` (size 1 along `axis`) repeated `k` times along it. */
function repeatAlong(x1: Array, axis: number, k: number): Array {
  const shape = [...x1.shape];
  shape[axis] = k;
  const keep = x1.shape.map((_, i) => i).filter((i) => i !== axis);
  return lax.broadcastInDim(
    lax.reshape(
      x1,
      keep.map((i) => x1.shape[i]),
    ),
    shape,
    keep,
  );
}

/** `iota(k)` along `axis` of an array shaped like `like` but with size k there, in `dtype`. */
function iotaAlong(like: Array, axis: number, k: number, dtype: "float32"): Array {
  const shape = [...like.shape];
  shape[axis] = k;
  return lax.iota(dtype, shape, axis);
}

/**
 * `jnp.linspace(start, stop, k, endpoint=False, axis=axis)` between two arrays of size 1 along
 * `axis`: `start·(1 − t) + stop·t` with `t = i/k` (JAX's formula, which reproduces the end points
 * in float32), computed in float32 (or the float dtype); integer results are floored (JAX and
 * numpy ≥ 2 floor linspace for integer dtypes).
 */
function ramp(start: Array, stop: Array, axis: number, k: number, dtype: Array["dtype"]): Array {
  const ct = isFloat(dtype) ? dtype : "float32";
  const s = repeatAlong(lax.convertElementType(start, ct), axis, k);
  const e = repeatAlong(lax.convertElementType(stop, ct), axis, k);
  let t = lax.div(iotaAlong(s, axis, k, "float32"), lax.fullLike(new ShapedArray(s.shape, "float32"), k));
  if (ct !== "float32") t = lax.convertElementType(t, ct);
  const out = lax.add(lax.mul(s, lax.sub(lax.onesLike(t), t)), lax.mul(e, t));
  return ct === dtype ? out : lax.convertElementType(lax.floor(out), dtype);
}

/** "linear_ramp": per axis, ramps from the end values to the edge values (the edge itself excluded). */
export function padLinearRamp(a: Array, widths: readonly [number, number][], ends: readonly [number, number][]): Array {
  let y = a;
  widths.forEach(([b, f], d) => {
    if (b === 0 && f === 0) return;
    const n = y.shape[d];
    if (n === 0) throw new ValueError(`pad: can't extend empty axis ${d} using mode 'linear_ramp'`);
    const endB = lax.fullLike(new ShapedArray(sizeOne(y, d), y.dtype), ends[d][0]);
    const endF = lax.fullLike(new ShapedArray(sizeOne(y, d), y.dtype), ends[d][1]);
    const parts: Array[] = [];
    if (b > 0) parts.push(ramp(endB, lax.sliceInDim(y, 0, 1, 1, d), d, b, y.dtype));
    parts.push(y);
    if (f > 0) parts.push(lax.rev(ramp(endF, lax.sliceInDim(y, n - 1, n, 1, d), d, f, y.dtype), [d]));
    y = lax.concatenate(parts, d);
  });
  return y;
}

const sizeOne = (y: Array, d: number): number[] => y.shape.map((s, i) => (i === d ? 1 : s));

/**
 * "maximum", "mean", "median", "minimum": per axis, the statistic of the first / last
 * `statLength` values (default: all; clipped to the axis length), repeated over the pad width.
 * Integer arrays round the mean and median half to even (numpy's `around`, JAX's `round`).
 */
export function padStatistic(
  a: Array,
  widths: readonly [number, number][],
  mode: "maximum" | "mean" | "median" | "minimum",
  statLength: readonly [number, number][] | null,
): Array {
  if (
    statLength !== null &&
    statLength.some(([l, r]) => !Number.isInteger(l) || !Number.isInteger(r) || l < 0 || r < 0)
  )
    throw new ValueError(`pad: stat_length must be non-negative integers; got ${JSON.stringify(statLength)}`);
  const stat = (x: Array, d: number): Array => {
    const opts = { axis: d, keepdims: true };
    if (mode === "maximum") return max(x, opts);
    if (mode === "minimum") return min(x, opts);
    const s = mode === "mean" ? mean(x, opts) : median(x, opts);
    return isInteger(x.dtype) || x.dtype === "bool" ? lax.convertElementType(round(s), x.dtype) : s;
  };
  let y = a;
  widths.forEach(([b, f], d) => {
    if (b === 0 && f === 0) return;
    const n = y.shape[d];
    if (n === 0) throw new ValueError(`pad: can't extend empty axis ${d} using mode '${mode}'`);
    const lb = Math.min(statLength === null ? n : statLength[d][0], n);
    const lf = Math.min(statLength === null ? n : statLength[d][1], n);
    if ((b > 0 && lb === 0) || (f > 0 && lf === 0))
      throw new ValueError(`pad: stat_length of 0 yields no value for padding (axis ${d}, mode '${mode}')`);
    const parts: Array[] = [];
    if (b > 0) parts.push(repeatAlong(stat(lax.sliceInDim(y, 0, lb, 1, d), d), d, b));
    parts.push(y);
    if (f > 0) parts.push(repeatAlong(stat(lax.sliceInDim(y, n - lf, n, 1, d), d), d, f));
    y = lax.concatenate(parts, d);
  });
  return y;
}

/**
 * "reflect" / "symmetric" with reflect_type "odd": JAX's `_pad_symmetric_or_reflect` — chunks of
 * at most `n − offset` values are reflected (flipped slices of the array padded so far) and
 * subtracted from twice the current edge value, which moves to the new outer value after each
 * chunk; so wide pads keep extending the odd reflection.
 */
export function padReflectOdd(a: Array, widths: readonly [number, number][], mode: "reflect" | "symmetric"): Array {
  let y = a;
  widths.forEach(([b, f], d) => {
    if (b === 0 && f === 0) return;
    const n = y.shape[d];
    if (n === 0) throw new ValueError(`pad: can't extend empty axis ${d} using mode '${mode}'`);
    const offset = mode === "reflect" && n > 1 ? 1 : 0;
    const two = (e: Array): Array => lax.mul(lax.fullLike(e, 2), e);
    for (const before of [true, false]) {
      let padding = before ? b : f;
      const len = (): number => y.shape[d];
      let edge = before ? lax.sliceInDim(y, 0, 1, 1, d) : lax.sliceInDim(y, len() - 1, len(), 1, d);
      while (padding > 0) {
        const cur = Math.min(padding, n - offset);
        padding -= cur;
        const L = len();
        const [start, stop] = before
          ? [offset, offset + cur]
          : [L - (cur + offset), mode === "symmetric" || n === 1 ? L : L - 1];
        let x = lax.rev(lax.sliceInDim(y, start, stop, 1, d), [d]);
        x = lax.sub(repeatAlong(two(edge), d, cur), x);
        if (n > 1) edge = before ? lax.sliceInDim(x, 0, 1, 1, d) : lax.sliceInDim(x, cur - 1, cur, 1, d);
        y = lax.concatenate(before ? [x, y] : [y, x], d);
      }
    }
  });
  return y;
}
