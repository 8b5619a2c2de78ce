/**
 * Type-level companions of `jacfwd` / `jacrev` / `hessian` (the runtime is jacobians.ts), in the
 * style of types.ts: the result type is computed from `f`'s type and the options, so
 * `jacrev(f, { argnums: [0, 1], hasAux: true })(x, p)` needs no cast.
 *
 * JAX's layout, which the runtime follows: the Jacobian has the output's structure, and each
 * output leaf holds the differentiated inputs' structure (one argument's type, or a tuple of them
 * for a list `argnums`) whose leaves are the blocks `[...outShape, ...inShape]`. Number and
 * boolean output leaves count as arrays (they are promoted at run time).
 */
import type { Array } from "../core/array.ts";
import type { ArgsLike, AuxOf, GradsOf, Promoted } from "./types.ts";

/**
 * A pytree output: an array or number, a list/tuple or an object of them. The tuple member is
 * there so that TypeScript types a returned `[a, b]` literal as a tuple (not `Array[]`), which
 * `hasAux`'s `[value, aux]` needs.
 */
export type PytreeOutput = Array | number | boolean | readonly [unknown, ...unknown[]] | readonly unknown[] | object;

/** What a function given to `jacfwd`/`jacrev`/`hessian` may return: any pytree, or `[value, aux]` with `hasAux`. */
export type JacobianOutput<H> = H extends true ? readonly [unknown, unknown] : PytreeOutput;

/**
 * The Jacobian of an output typed `Y` with respect to inputs typed `X`: `Y`'s structure with
 * every array (or number) leaf replaced by `X`.
 */
export type JacobianOf<Y, X> = Y extends Array | number | boolean
  ? X
  : Y extends (...args: never[]) => unknown
    ? never
    : Y extends readonly unknown[]
      ? { -readonly [K in keyof Y]: JacobianOf<Y[K], X> }
      : Y extends object
        ? { -readonly [K in keyof Y]: JacobianOf<Y[K], X> }
        : never;

/** The value part of `f`'s result: `R` itself, or `R[0]` with `hasAux`. */
type ValueOf<R, H> = H extends true ? (R extends readonly [infer V, unknown] ? V : never) : R;

/** `jacfwd(f, opts)` / `jacrev(f, opts)` for `f: (...args: A) => R`: the Jacobian (with `hasAux`, `[jacobian, aux]`). */
export type JacobianFunction<A extends readonly unknown[], R, N, H> = (
  ...args: ArgsLike<A>
) => H extends true ? [JacobianOf<ValueOf<R, H>, GradsOf<A, N>>, Promoted<AuxOf<R>>] : JacobianOf<R, GradsOf<A, N>>;

/**
 * `hessian(f, opts)`: the Jacobian of the Jacobian — the output's structure, then the inputs'
 * structure twice (`{ w: { w, b }, b: { w, b } }` for parameters `{ w, b }`), blocks of shape
 * `[...outShape, ...inShape, ...inShape]`; with `hasAux`, `[hessian, aux]`.
 */
export type HessianFunction<A extends readonly unknown[], R, N, H> = (
  ...args: ArgsLike<A>
) => H extends true
  ? [JacobianOf<JacobianOf<ValueOf<R, H>, GradsOf<A, N>>, GradsOf<A, N>>, Promoted<AuxOf<R>>]
  : JacobianOf<JacobianOf<R, GradsOf<A, N>>, GradsOf<A, N>>;
