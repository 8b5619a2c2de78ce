/**
 * Integer lists of axes and sizes, as the shape, dynamic-slice and indexing primitive files use
 * them: build (`range`), shift (`inc`), print (`J`) and validate (not re-exported from the lax
 * namespace). The gather/scatter dimension-number checks are in gather-scatter-checks.ts.
 */
import { ShapeError } from "../errors.ts";
import { fmtShape } from "../shape.ts";

export const J = (v: unknown): string => JSON.stringify(v);
export const range = (n: number, from = 0): number[] => globalThis.Array.from({ length: n }, (_, i) => from + i);
export const inc = (v: readonly number[], by = 1): number[] => v.map((d) => d + by);

/** Check `v` is a list of distinct integers in [0, bound) (sorted when `sorted`). */
export function checkAxes(
  op: string,
  arg: string,
  v: readonly number[],
  bound: number,
  sorted: boolean,
  what: string,
): void {
  const ok =
    globalThis.Array.isArray(v) &&
    v.every(
      (d, i) => Number.isInteger(d) && d >= 0 && d < bound && (sorted ? i === 0 || d > v[i - 1] : v.indexOf(d) === i),
    );
  if (!ok)
    throw new ShapeError(
      `${op}: ${arg} ${J(v)} must be ${sorted ? "sorted, " : ""}distinct axes in [0, ${bound}) of ${what}`,
    );
}

/** Validate that `v` is a list of `n` integers (error names op, argument and operand shape). */
export function checkIntList(op: string, arg: string, v: readonly number[], n: number, shape: readonly number[]): void {
  if (!globalThis.Array.isArray(v) || v.length !== n || v.some((d) => !Number.isInteger(d))) {
    throw new ShapeError(
      `${op}: ${arg} must be a list of ${n} integers (one per axis of the operand of shape ${fmtShape(shape)}); got ${J(v)}`,
    );
  }
}
