/**
 * Index expressions of the kernel IR: integer functions of a kernel's loop variables that say
 * which element of an input a load reads. Movement ops (broadcast, transpose, reshape, slice, pad,
 * rev, concatenate) never copy: they rewrite these expressions.
 *
 * An index is kept in a normal form — a linear combination `c + Σ coef·atom` whose atoms are loop
 * variables or floor divisions/remainders of other linear forms by constants — so that the usual
 * reshape round trips simplify away (`((4·i + j) div 4) = i` when `0 ≤ j < 4`) and a renderer can
 * see at a glance whether a load is contiguous along the innermost loop (coefficient 1), a
 * broadcast (coefficient 0) or needs general arithmetic.
 *
 * All atoms are non-negative by construction (loop variables are; div/mod are only formed of
 * non-negative forms), which is what makes the division rules below valid.
 */

/** A loop variable of the kernel, or floor(l / d), or l mod d, of a non-negative linear form l. */
export type Atom =
  | { readonly kind: "var"; readonly axis: number; readonly key: string }
  | { readonly kind: "div" | "mod"; readonly of: Linear; readonly d: number; readonly key: string };

/** c + Σ coef·atom, terms sorted by atom key, no zero coefficients. */
export interface Linear {
  readonly terms: readonly { readonly atom: Atom; readonly coef: number }[];
  readonly c: number;
}

const varCache = new Map<number, Atom>();
/** The loop variable of `axis`. */
export function loopVar(axis: number): Linear {
  let a = varCache.get(axis);
  if (a === undefined) varCache.set(axis, (a = { kind: "var", axis, key: `v${axis}` }));
  return { terms: [{ atom: a, coef: 1 }], c: 0 };
}

export function constant(c: number): Linear {
  return { terms: [], c };
}

export function isConstant(l: Linear): boolean {
  return l.terms.length === 0;
}

function normalise(terms: Map<string, { atom: Atom; coef: number }>, c: number): Linear {
  const out = [...terms.values()]
    .filter((t) => t.coef !== 0)
    .sort((a, b) => (a.atom.key < b.atom.key ? -1 : a.atom.key > b.atom.key ? 1 : 0));
  return { terms: out, c };
}

/** Σ k_i·l_i + c. */
export function combine(parts: readonly (readonly [Linear, number])[], c = 0): Linear {
  const terms = new Map<string, { atom: Atom; coef: number }>();
  let k0 = c;
  for (const [l, k] of parts) {
    if (k === 0) continue;
    k0 += k * l.c;
    for (const t of l.terms) {
      const prev = terms.get(t.atom.key);
      terms.set(t.atom.key, { atom: t.atom, coef: (prev?.coef ?? 0) + k * t.coef });
    }
  }
  return normalise(terms, k0);
}

export const add = (a: Linear, b: Linear): Linear =>
  combine([
    [a, 1],
    [b, 1],
  ]);
export const scale = (a: Linear, k: number): Linear => combine([[a, k]]);
export const offset = (a: Linear, k: number): Linear => combine([[a, 1]], k);

/** Loop extents by axis: what bounds the loop variables. */
export type Extents = readonly number[];

/** Inclusive [lo, hi] of a linear form over the loop nest. */
export function range(l: Linear, ext: Extents): [number, number] {
  let lo = l.c;
  let hi = l.c;
  for (const { atom, coef } of l.terms) {
    const [alo, ahi] = atomRange(atom, ext);
    if (coef >= 0) {
      lo += coef * alo;
      hi += coef * ahi;
    } else {
      lo += coef * ahi;
      hi += coef * alo;
    }
  }
  return [lo, hi];
}

function atomRange(a: Atom, ext: Extents): [number, number] {
  if (a.kind === "var") return [0, Math.max(0, (ext[a.axis] ?? 1) - 1)];
  const [lo, hi] = range(a.of, ext);
  if (a.kind === "div") return [Math.floor(lo / a.d), Math.floor(hi / a.d)];
  return hi - lo + 1 >= a.d || Math.floor(lo / a.d) !== Math.floor(hi / a.d) ? [0, a.d - 1] : [lo % a.d, hi % a.d];
}

const mkDiv = (of: Linear, d: number): Atom => ({ kind: "div", of, d, key: `(${print(of)})/${d}` });
const mkMod = (of: Linear, d: number): Atom => ({ kind: "mod", of, d, key: `(${print(of)})%${d}` });

/**
 * Split l = d·q + r with every coefficient of r in [0, d). Exact for any l; the floor rules hold
 * when r's range lies in [0, d).
 */
function splitBy(l: Linear, d: number): { q: Linear; r: Linear } {
  const q: (readonly [Linear, number])[] = [];
  const r: (readonly [Linear, number])[] = [];
  for (const { atom, coef } of l.terms) {
    const qi = Math.floor(coef / d);
    const one: Linear = { terms: [{ atom, coef: 1 }], c: 0 };
    if (qi !== 0) q.push([one, qi]);
    if (coef - qi * d !== 0) r.push([one, coef - qi * d]);
  }
  const qc = Math.floor(l.c / d);
  return { q: combine(q, qc), r: combine(r, l.c - qc * d) };
}

/** floor(l / d) for a non-negative l and d ≥ 1, simplified over the loop extents. */
export function floorDiv(l: Linear, d: number, ext: Extents): Linear {
  if (d === 1) return l;
  const { q, r } = splitBy(l, d);
  const [lo, hi] = range(r, ext);
  if (lo >= 0 && hi < d) return q;
  if (lo >= 0 && Math.floor(lo / d) === Math.floor(hi / d)) return offset(q, Math.floor(lo / d));
  return add(q, { terms: [{ atom: mkDiv(r, d), coef: 1 }], c: 0 });
}

/** l mod d for a non-negative l and d ≥ 1, simplified over the loop extents. */
export function floorMod(l: Linear, d: number, ext: Extents): Linear {
  if (d === 1) return constant(0);
  const { r } = splitBy(l, d);
  const [lo, hi] = range(r, ext);
  if (lo >= 0 && hi < d) return r;
  if (lo >= 0 && Math.floor(lo / d) === Math.floor(hi / d)) return offset(r, -d * Math.floor(lo / d));
  return { terms: [{ atom: mkMod(r, d), coef: 1 }], c: 0 };
}

/** The coefficient of loop variable `axis` where it appears only linearly; null if it also appears inside a div/mod. */
export function coefficientOf(l: Linear, axis: number): number | null {
  let coef = 0;
  for (const t of l.terms) {
    if (t.atom.kind === "var") {
      if (t.atom.axis === axis) coef = t.coef;
    } else if (mentions(t.atom.of, axis)) return null;
  }
  return coef;
}

/** Whether loop variable `axis` occurs anywhere in l. */
export function mentions(l: Linear, axis: number): boolean {
  return l.terms.some((t) => (t.atom.kind === "var" ? t.atom.axis === axis : mentions(t.atom.of, axis)));
}

/** `3 + 4*v0 + (v1 + 2*v0)/3`. */
export function print(l: Linear): string {
  const parts = l.terms.map(({ atom, coef }) => (coef === 1 ? atom.key : `${coef}*${atom.key}`));
  if (l.c !== 0 || parts.length === 0) parts.unshift(String(l.c));
  return parts.join(" + ");
}

/**
 * Row-major flat index of a multi-index (`strides` in elements): Σ idx_d·stride_d.
 */
export function flatten(idx: readonly Linear[], strides: readonly number[]): Linear {
  return combine(idx.map((l, d) => [l, strides[d]] as const));
}

/** The multi-index of a row-major flat index over `shape`. */
export function unflatten(flat: Linear, shape: readonly number[], ext: Extents): Linear[] {
  const out: Linear[] = new globalThis.Array(shape.length);
  let rest = flat;
  for (let d = shape.length - 1; d >= 0; d--) {
    out[d] = floorMod(rest, shape[d], ext);
    rest = floorDiv(rest, shape[d], ext);
  }
  return out;
}
