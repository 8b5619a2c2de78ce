/**
 * Type-level companions of the transforms: what `grad`, `valueAndGrad`, `jvp`, `vjp`, `vmap`,
 * `jit` … return, computed from the type of the function they take, so user code needs no casts.
 *
 * The rules follow what the transforms do at run time:
 * - numbers and booleans passed to (or returned from) a transform become arrays (weakly typed
 *   scalars), so their derivatives and outputs are `Array`s: `Promoted<number>` is `Array`;
 * - lists and tuples keep their shape, element by element;
 * - every other object (a module, a `State`, a key, a dict of arrays) is rebuilt from its own
 *   tree structure, so its derivative has its own type — gradients "typed like the arguments".
 *   (A number leaf inside a plain object also becomes an array at run time; the type keeps the
 *   declared field type there, because at the type level a plain object cannot be told apart from
 *   a class instance whose number fields are static, as nn's modules are.)
 */
import type { Array } from "../core/array.ts";

/** Any function a transform accepts (its parameters are checked by the transform's result type). */
export type AnyFunction = (...args: never[]) => unknown;

/**
 * The type an unannotated function literal's parameters get: `grad((x) => …)` types `x` as an
 * `Array`, as in JAX, instead of `never`.
 */
export type ArrayFunction<R = unknown> = (...args: Array[]) => R;

/** `T` as transforms hand it back: number and boolean leaves (at the top or inside lists) become arrays. */
export type Promoted<T> = T extends Array
  ? T
  : T extends number | boolean
    ? Array
    : T extends (...args: never[]) => unknown
      ? T
      : T extends readonly unknown[]
        ? { [K in keyof T]: Promoted<T[K]> }
        : T;

/** The reversed elements of a tuple. */
type Reverse<T extends readonly unknown[]> = T extends readonly [infer H, ...infer R] ? [...Reverse<R>, H] : [];

/** Element `N` of the tuple `P`, negative `N` counting from the end (as JAX's `argnums`). */
export type ArgAt<P extends readonly unknown[], N extends number> = number extends N
  ? P[number]
  : `${N}` extends `-${infer K extends number}`
    ? [never, ...Reverse<P>][K]
    : P[N];

/** JAX's `argnums`: one argument index, or a list of them. */
export type Argnums = number | readonly number[];

/** The gradient(s) of a function with parameters `P` w.r.t. `argnums` `N`: one argument's type, or a tuple. */
export type GradsOf<P extends readonly unknown[], N> = N extends number
  ? Promoted<ArgAt<P, N>>
  : N extends readonly number[]
    ? { -readonly [K in keyof N]: Promoted<ArgAt<P, N[K] & number>> }
    : never;

/**
 * The `argnums` an options object selects: its literal value, `0` when absent, and every
 * possibility for an options value typed only as `GradOptions`.
 */
export type ArgnumsOf<O> = O extends { argnums?: infer N } ? (unknown extends N ? 0 : DefaultUndefined<N, 0>) : 0;

/** `true`, `false` or `boolean` (a flag only known at run time) for an options object's `hasAux`. */
export type HasAuxOf<O> = O extends { hasAux?: infer H } ? (unknown extends H ? false : IsTrue<H>) : false;

type DefaultUndefined<T, D> = T extends undefined ? D : T;
type IsTrue<H> = H extends true ? true : false;

/** What a differentiated function may return: a scalar (array or number), or `[scalar, aux]` with `hasAux`. */
export type ScalarOutput<H> = H extends true ? readonly [Array | number, unknown] : Array | number;

/** The aux output of a `hasAux` function returning `R = [value, aux]`. */
export type AuxOf<R> = R extends readonly [unknown, infer X] ? X : never;

/**
 * Arguments as a transform accepts them: where `f` takes an `Array`, a number works too (it
 * becomes a weakly typed scalar, as a Python float does in JAX: `grad(f)(1.5)`).
 */
export type ArgsLike<A extends readonly unknown[]> = { [K in keyof A]: A[K] extends Array ? A[K] | number : A[K] };

/** `grad(f, opts)` for `f: (...args: A) => R`: the gradient function (with `hasAux`, it returns `[grads, aux]`). */
export type GradFunction<A extends readonly unknown[], R, N, H> = (
  ...args: ArgsLike<A>
) => H extends true ? [GradsOf<A, N>, AuxOf<R>] : GradsOf<A, N>;

/** `valueAndGrad(f, opts)`: `[value, grads]`, or `[[value, aux], grads]` with `hasAux`. */
export type ValueAndGradFunction<A extends readonly unknown[], R, N, H> = (
  ...args: ArgsLike<A>
) => H extends true ? [[Array, AuxOf<R>], GradsOf<A, N>] : [Array, GradsOf<A, N>];

/** `jit(f)`: `f` itself, unless it returns numbers (which come back as arrays). */
export type Jitted<F extends AnyFunction> = [Promoted<ReturnType<F>>] extends [ReturnType<F>]
  ? F
  : (...args: Parameters<F>) => Promoted<ReturnType<F>>;

/** `vmap(f)`: the same parameters (now with a batch axis), the output promoted to arrays. */
export type Vmapped<F extends AnyFunction> = (...args: Parameters<F>) => Promoted<ReturnType<F>>;
