/**
 * numpy's `vectorize` built on `vmap` (JAX's `jnp.vectorize`): the function is written for
 * single elements (or, with a gufunc `signature`, for core sub-arrays) and mapped over the
 * broadcast loop dimensions of its arguments by nested vmaps.
 */
import type { Array, ArrayLike } from "../core/array.ts";
import { ShapeError, ValueError } from "../errors.ts";
import { broadcastShapes, fmtShape } from "../shape.ts";
import { vmap } from "../transforms/api.ts";
import { asArray } from "./convert.ts";
import { broadcastTo } from "./promote.ts";

export interface VectorizeOptions {
  /** Positions of arguments passed through unchanged (not vectorized). */
  excluded?: readonly number[];
  /** A generalized-ufunc signature such as "(n),(n)->()" naming the core dimensions of the inputs. */
  signature?: string;
}

/** The core dimension names of each input of a signature "(a,b),(b)->(...)". */
function parseSignature(sig: string): string[][] {
  const m = /^\s*(.*?)\s*->\s*(.*?)\s*$/.exec(sig);
  const group = /^\(\s*([\w\s,]*)\)$/;
  const parseList = (s: string): string[][] => {
    if (s.trim() === "") return [];
    const parts = s.match(/\([^()]*\)/g);
    if (parts === null || parts.join(",").replace(/\s/g, "") !== s.replace(/\s/g, ""))
      throw new ValueError(`np.vectorize: invalid signature '${sig}'`);
    return parts.map((p) => {
      const g = group.exec(p);
      if (g === null) throw new ValueError(`np.vectorize: invalid signature '${sig}'`);
      return g[1]
        .split(",")
        .map((d) => d.trim())
        .filter((d) => d !== "");
    });
  };
  if (m === null) throw new ValueError(`np.vectorize: invalid signature '${sig}' (expected "(inputs)->(outputs)")`);
  parseList(m[2]);
  return parseList(m[1]);
}

/**
 * Vectorize `f` over the leading (loop) dimensions of its array arguments (numpy's / JAX's
 * `vectorize`): arguments broadcast against each other, and `f` sees one element (or one core
 * sub-array, per `signature`) of each. Outputs may be arrays or pytrees of arrays.
 */
export function vectorize<R>(f: (...args: Array[]) => R, opts: VectorizeOptions = {}): (...args: ArrayLike[]) => R {
  const excluded = new Set(opts.excluded ?? []);
  const core = opts.signature === undefined ? undefined : parseSignature(opts.signature);
  return (...args: ArrayLike[]): R => {
    const mapped = args.map((_, i) => i).filter((i) => !excluded.has(i));
    if (core !== undefined && core.length !== mapped.length)
      throw new ValueError(
        `np.vectorize: the signature has ${core.length} inputs but ${mapped.length} (non-excluded) arguments were given`,
      );
    const arrs = mapped.map((i) => asArray(args[i]));
    const sizes = new Map<string, number>();
    const loopShapes = arrs.map((a, j) => {
      const dims = core?.[j] ?? [];
      if (a.ndim < dims.length)
        throw new ShapeError(
          `np.vectorize: argument ${mapped[j]} of shape ${fmtShape(a.shape)} has fewer dimensions than its core dimensions (${dims.join(", ")})`,
        );
      dims.forEach((d, k) => {
        const size = a.shape[a.ndim - dims.length + k];
        const prev = sizes.get(d);
        if (prev !== undefined && prev !== size)
          throw new ValueError(`np.vectorize: inconsistent size for core dimension '${d}': ${prev} vs ${size}`);
        sizes.set(d, size);
      });
      return a.shape.slice(0, a.ndim - dims.length);
    });
    const loop = broadcastShapes("np.vectorize", ...loopShapes);
    const bcast = arrs.map((a, j) => {
      const coreShape = a.shape.slice(loopShapes[j].length);
      return broadcastTo(a, [...loop, ...coreShape]);
    });
    const call = (...xs: Array[]): R => {
      const full: ArrayLike[] = [...args];
      mapped.forEach((i, j) => (full[i] = xs[j]));
      return f(...(full as Array[]));
    };
    let g: (...xs: Array[]) => R = call;
    for (let d = 0; d < loop.length; d++) g = vmap(g) as (...xs: Array[]) => R;
    return g(...bcast);
  };
}
