/** numpy's cross product (2- and 3-vectors along chosen axes) and Kronecker product. */
import type { Array, ArrayLike } from "../core/array.ts";
import * as lax from "../primitives/index.ts";
import { ValueError } from "../errors.ts";
import { fmtShape, normAxis } from "../shape.ts";
import { promoteArgs } from "./promote.ts";
import { multiply, subtract } from "./math.ts";
import { moveaxis } from "./shape.ts";
import { checkOptions, checkValue, isOptionsObject, type OptionSpec } from "./args.ts";

const CROSS_NAMES = ["axisa", "axisb", "axisc", "axis"] as const;
const CROSS_SPEC: OptionSpec = { axisa: "integer", axisb: "integer", axisc: "integer", axis: "axis" };

/**
 * Read numpy's `cross(a, b, axisa, axisb, axisc, axis)` positionals; an options object ends
 * them (and may hold only the names not already given positionally).
 */
function crossArgs(pos: readonly unknown[]): CrossOptions {
  const opts: Record<string, unknown> = {};
  const objAt = pos.findIndex(isOptionsObject);
  const end = objAt >= 0 ? objAt : pos.length;
  if (end > CROSS_NAMES.length)
    throw new ValueError(`np.cross: takes at most ${CROSS_NAMES.length} arguments after a and b; got ${end}`);
  for (let i = 0; i < end; i++) {
    const v = pos[i];
    if (v === undefined || (v === null && CROSS_NAMES[i] === "axis")) continue;
    checkValue("np.cross", CROSS_NAMES[i], v, CROSS_SPEC[CROSS_NAMES[i]]);
    opts[CROSS_NAMES[i]] = v;
  }
  if (objAt >= 0) {
    if (pos.slice(objAt + 1).some((v) => v !== undefined))
      throw new ValueError("np.cross: no arguments may follow the options object");
    const given = CROSS_NAMES.slice(0, objAt) as readonly string[];
    checkOptions(
      "np.cross",
      pos[objAt],
      Object.fromEntries(Object.entries(CROSS_SPEC).filter(([k]) => !given.includes(k))),
    );
    for (const [k, v] of Object.entries(pos[objAt] as Record<string, unknown>))
      if (v !== undefined && v !== null) opts[k] = v;
  }
  return opts as CrossOptions;
}

export interface CrossOptions {
  /** Axis of `a` holding the vectors (default -1). */
  axisa?: number;
  /** Axis of `b` holding the vectors (default -1). */
  axisb?: number;
  /** Axis of the result holding the vectors (default -1). */
  axisc?: number;
  /** Overrides axisa, axisb and axisc. */
  axis?: number;
}

/**
 * The cross product of vectors of length 2 or 3 along the given axes, broadcasting the others
 * (numpy's `cross`, JAX's algorithm). Two 2-vectors give the scalar z-component; a 2-vector is
 * otherwise treated as having z = 0. numpy's order `cross(a, b, axisa, axisb, axisc, axis)`, or
 * an options object in place of the first positional not given.
 */
export function cross(a: ArrayLike, b: ArrayLike, ...args: (number | null | undefined | CrossOptions)[]): Array {
  const opts = crossArgs(args);
  let [x, y] = promoteArgs(a, b);
  const axa = opts.axis ?? opts.axisa ?? -1;
  const axb = opts.axis ?? opts.axisb ?? -1;
  x = moveaxis(x, normAxis("np.cross", axa, x.ndim, "axisa"), -1);
  y = moveaxis(y, normAxis("np.cross", axb, y.ndim, "axisb"), -1);
  const dx = x.shape[x.ndim - 1];
  const dy = y.shape[y.ndim - 1];
  if ((dx !== 2 && dx !== 3) || (dy !== 2 && dy !== 3))
    throw new ValueError(
      `np.cross: incompatible dimensions for cross product (dimension must be 2 or 3); got shapes ${fmtShape(x.shape)} and ${fmtShape(y.shape)} along the vector axes`,
    );
  const comp = (v: Array, i: number): Array | number =>
    i < v.shape[v.ndim - 1] ? lax.squeeze(lax.sliceInDim(v, i, i + 1, 1, v.ndim - 1), [v.ndim - 1]) : 0;
  const [a0, a1, a2] = [0, 1, 2].map((i) => comp(x, i));
  const [b0, b1, b2] = [0, 1, 2].map((i) => comp(y, i));
  const term = (p: Array | number, q: Array | number, r: Array | number, s: Array | number): Array =>
    subtract(multiply(p, q), multiply(r, s));
  if (dx === 2 && dy === 2) return term(a0, b1, a1, b0);
  const parts = [term(a1, b2, a2, b1), term(a2, b0, a0, b2), term(a0, b1, a1, b0)];
  const shape = parts.reduce((s, p) => (p.ndim > s.length ? [...p.shape] : s), [] as number[]);
  const full = parts.map((p) =>
    lax.expandDims(
      lax.broadcastInDim(
        p,
        shape,
        p.shape.map((_, i) => shape.length - p.ndim + i),
      ),
      [shape.length],
    ),
  );
  const c = lax.concatenate(full, shape.length);
  const axc = opts.axis ?? opts.axisc ?? -1;
  return moveaxis(c, -1, normAxis("np.cross", axc, c.ndim, "axisc"));
}

/** The Kronecker product (numpy's `kron`): blocks a[i, j]·b; the lower-rank input gets leading 1s. */
export function kron(a: ArrayLike, b: ArrayLike): Array {
  let [x, y] = promoteArgs(a, b);
  const nd = Math.max(x.ndim, y.ndim);
  x = lax.reshape(x, [...new globalThis.Array(nd - x.ndim).fill(1), ...x.shape]);
  y = lax.reshape(y, [...new globalThis.Array(nd - y.ndim).fill(1), ...y.shape]);
  // [a0, 1, a1, 1, …] · [1, b0, 1, b1, …] → reshape to [a0·b0, a1·b1, …].
  const xs = lax.reshape(
    x,
    x.shape.flatMap((d) => [d, 1]),
  );
  const ys = lax.reshape(
    y,
    y.shape.flatMap((d) => [1, d]),
  );
  return lax.reshape(
    multiply(xs, ys),
    x.shape.map((d, i) => d * y.shape[i]),
  );
}
