/**
 * Loop nests for rendered kernels: which adjacent loop axes can run as one loop, and how an index
 * expression (a `Linear` over the kernel's loop variables) becomes i32 arithmetic on the loop
 * counters of those merged loops.
 *
 * Axes d..e merge into one counter w when, in every index expression of the kernel, their terms
 * equal coef_e·w — i.e. each index walks them as one row-major run (elementwise ops over equal
 * shapes, broadcasts of trailing axes…). Extent-1 axes merge with anything (their variable is 0).
 * Merged loops are longer inner loops: fewer loop overheads and longer SIMD runs.
 */
import { compile } from "@linax-ts/core";
import type { Code } from "../wasm/emitter.ts";

type Linear = compile.Linear;

export interface LoopGroup {
  /** The kernel axes this loop runs over, in order. */
  readonly axes: readonly number[];
  readonly extent: number;
  /** The axis whose coefficient multiplies the counter (the last axis of extent > 1), or -1. */
  readonly ref: number;
}

/** Every index expression that occurs in a kernel (load indices and index values), nested atoms excluded. */
export type IndexSet = readonly Linear[];

const coefOfVar = (l: Linear, axis: number): number => {
  for (const t of l.terms) if (t.atom.kind === "var" && t.atom.axis === axis) return t.coef;
  return 0;
};
/** Whether `axis` occurs inside a div/mod atom of l. */
const inAtom = (l: Linear, axis: number): boolean =>
  l.terms.some((t) => t.atom.kind !== "var" && compile.mentions(t.atom.of, axis));

function mergeable(axes: readonly number[], shape: readonly number[], indices: IndexSet): boolean {
  const live = axes.filter((a) => shape[a] > 1);
  if (live.length <= 1) return true;
  const ref = live[live.length - 1];
  for (const l of indices) {
    for (const a of live) if (inAtom(l, a)) return false;
    const cr = coefOfVar(l, ref);
    let stride = 1;
    for (let k = live.length - 1; k >= 0; k--) {
      const a = live[k];
      if (coefOfVar(l, a) !== cr * stride) return false;
      stride *= shape[a];
    }
  }
  return true;
}

/** Group consecutive axes of `shape` (within each of `segments`, e.g. output axes then reduced axes). */
export function groupAxes(
  shape: readonly number[],
  segments: readonly (readonly number[])[],
  indices: IndexSet,
): LoopGroup[] {
  const groups: LoopGroup[] = [];
  for (const seg of segments) {
    let cur: number[] = [];
    for (const a of seg) {
      if (cur.length === 0 || mergeable([...cur, a], shape, indices)) cur.push(a);
      else {
        groups.push(makeGroup(cur, shape));
        cur = [a];
      }
    }
    if (cur.length > 0) groups.push(makeGroup(cur, shape));
  }
  return groups;
}

function makeGroup(axes: readonly number[], shape: readonly number[]): LoopGroup {
  const live = axes.filter((a) => shape[a] > 1);
  return { axes, extent: axes.reduce((p, a) => p * shape[a], 1), ref: live.length === 0 ? -1 : live[live.length - 1] };
}

/** Renders Linear forms as i32 code over the group counters (locals). */
export class IndexRenderer {
  readonly #groupOf: number[];
  constructor(
    readonly groups: readonly LoopGroup[],
    readonly counter: readonly number[],
    shape: readonly number[],
  ) {
    this.#groupOf = shape.map(() => -1);
    groups.forEach((g, gi) => g.axes.forEach((a) => (this.#groupOf[a] = gi)));
  }

  /** The group counter standing for `axis` (null: always 0 or absorbed into its group's counter). */
  #term(axis: number): number | null {
    const g = this.#groupOf[axis];
    const group = this.groups[g];
    return group.ref === axis ? this.counter[g] : null;
  }

  /** The coefficient of group `g`'s counter in l, or null when the counter also occurs in an atom. */
  coefficientOf(l: Linear, g: number): number | null {
    const ref = this.groups[g].ref;
    if (ref === -1) return 0;
    if (inAtom(l, ref)) return null;
    return coefOfVar(l, ref);
  }

  /** Push the value of l; with `skipGroup`, leave out that group's (linear) term. */
  emit(c: Code, l: Linear, skipGroup = -1): void {
    c.i32(l.c);
    for (const { atom, coef } of l.terms) {
      if (atom.kind === "var") {
        if (skipGroup !== -1 && this.#groupOf[atom.axis] === skipGroup) continue;
        const w = this.#term(atom.axis);
        if (w === null) continue;
        c.get(w);
      } else {
        this.emit(c, atom.of);
        c.i32(atom.d).op(atom.kind === "div" ? 0x6e : 0x70); // i32.div_u / i32.rem_u: atoms are ≥ 0
      }
      if (coef !== 1) c.i32(coef).op(0x6c);
      c.op(0x6a);
    }
  }
}
