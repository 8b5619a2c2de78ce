/**
 * numpy.einsum: explicit (`"ij,jk->ik"`) and implicit (`"ij,jk"`) outputs, `...` broadcasting,
 * repeated indices within an operand (diagonals / traces). Operands are contracted left to
 * right, pairwise, with `lax.dotGeneral`: labels shared by the pair become batch dims when a
 * later operand or the output still needs them, and contracting dims otherwise.
 */
import type { Array, ArrayLike } from "../core/array.ts";
import * as lax from "../primitives/index.ts";
import { ShapeError, ValueError } from "../errors.ts";
import { fmtShape } from "../shape.ts";
import { promoteArgs } from "./promote.ts";

/** A label: a letter's char code, or ELL + k for the k-th ellipsis dim. */
type Label = number;
const ELL = 100000;

interface Term {
  labels: Label[];
}

function parseTerm(term: string, ndim: number | null, ellLen: number, what: string): Label[] {
  const parts = term.split("...");
  if (parts.length > 2) throw new ValueError(`einsum: ${what} '${term}' contains more than one ellipsis`);
  const letters = (s: string): Label[] =>
    [...s].map((c) => {
      if (!/[a-zA-Z]/.test(c)) throw new ValueError(`einsum: invalid subscript character '${c}' in ${what} '${term}' (only letters and '...' are allowed)`);
      return c.charCodeAt(0);
    });
  const head = letters(parts[0]);
  if (parts.length === 1) {
    if (ndim !== null && head.length !== ndim)
      throw new ShapeError(`einsum: ${what} '${term}' has ${head.length} subscripts but the operand has ${ndim} dimensions`);
    return head;
  }
  const tail = letters(parts[1]);
  const n = ndim === null ? ellLen : ndim - head.length - tail.length;
  if (n < 0) throw new ShapeError(`einsum: ${what} '${term}' has more subscripts than the operand's ${ndim} dimensions`);
  // Ellipsis dims are right-aligned across operands, as numpy broadcasting aligns them.
  const ell = globalThis.Array.from({ length: n }, (_, i) => ELL + ellLen - n + i);
  return [...head, ...ell, ...tail];
}

const labelName = (l: Label): string => (l >= ELL ? `...[${l - ELL}]` : String.fromCharCode(l));

/** Sum `x` over the positions of `labels` listed in `drop` (bool: logical or, like numpy). */
function sumOut(x: Array, labels: Label[], drop: (l: Label) => boolean): [Array, Label[]] {
  const axes = labels.map((l, i) => (drop(l) ? i : -1)).filter((i) => i >= 0);
  if (axes.length === 0) return [x, labels];
  const y = x.dtype === "bool" ? lax.reduceOr(x, axes) : lax.reduceSum(x, axes);
  return [y, labels.filter((_, i) => !axes.includes(i))];
}

/** Take the diagonal of axes i < j (equal sizes): keeps axis i, removes axis j. */
function diagonal(x: Array, i: number, j: number): Array {
  const n = x.shape[i];
  const eye = lax.eq(lax.iota("int32", [n, n], 0), lax.iota("int32", [n, n], 1));
  const mask = lax.broadcastInDim(eye, x.shape, [i, j]);
  const kept = lax.select(mask, x, lax.zerosLike(x));
  return x.dtype === "bool" ? lax.reduceOr(kept, [j]) : lax.reduceSum(kept, [j]);
}

/**
 * Evaluate an Einstein summation. `subscripts` like `"bij,bjk->bik"`; without `->` the output
 * is the ellipsis dims followed by the labels that appear exactly once, in alphabetical order.
 */
export function einsum(subscripts: string, ...operands: ArrayLike[]): Array {
  const spec = subscripts.replace(/\s+/g, "");
  const arrow = spec.split("->");
  if (arrow.length > 2) throw new ValueError(`einsum: subscripts '${subscripts}' contain more than one '->'`);
  const inTerms = arrow[0].split(",");
  if (inTerms.length !== operands.length) {
    throw new ValueError(`einsum: subscripts '${subscripts}' name ${inTerms.length} operands but ${operands.length} were given`);
  }
  let ops = promoteArgs(...operands);
  // Ellipsis length: the most dims any operand's ellipsis covers.
  let ellLen = 0;
  inTerms.forEach((t, k) => {
    if (t.includes("...")) ellLen = Math.max(ellLen, ops[k].ndim - t.replace("...", "").length);
  });
  const terms: Term[] = inTerms.map((t, k) => ({ labels: parseTerm(t, ops[k].ndim, ellLen, `operand ${k} subscripts`) }));
  // Label sizes; size 1 broadcasts against any other size.
  const sizes = new Map<Label, number>();
  terms.forEach((t, k) =>
    t.labels.forEach((l, ax) => {
      const n = ops[k].shape[ax];
      const prev = sizes.get(l);
      if (prev === undefined || prev === 1) sizes.set(l, n);
      else if (n !== 1 && n !== prev) {
        throw new ShapeError(
          `einsum: subscript '${labelName(l)}' has size ${prev} in one operand but size ${n} in operand ${k} (shape ${fmtShape(ops[k].shape)}) for '${subscripts}'`,
        );
      }
    }),
  );
  let out: Label[];
  if (arrow.length === 2) {
    out = parseTerm(arrow[1], null, ellLen, "output subscripts");
    if (new Set(out).size !== out.length) throw new ValueError(`einsum: output subscripts '${arrow[1]}' repeat a label`);
    for (const l of out) if (!sizes.has(l)) throw new ValueError(`einsum: output subscript '${labelName(l)}' does not appear in any input of '${subscripts}'`);
  } else {
    const count = new Map<Label, number>();
    terms.forEach((t) => t.labels.forEach((l) => count.set(l, (count.get(l) ?? 0) + 1)));
    const ell = globalThis.Array.from({ length: ellLen }, (_, i) => ELL + i);
    const once = [...count.entries()].filter(([l, c]) => c === 1 && l < ELL).map(([l]) => l);
    out = [...ell, ...once.sort((a, b) => a - b)];
  }
  // Per operand: diagonals of repeated labels, drop broadcast size-1 labels, sum private labels.
  const labels: Label[][] = terms.map((t) => [...t.labels]);
  ops = ops.map((x, k) => {
    let y = x;
    let ls = labels[k];
    for (;;) {
      const j = ls.findIndex((l, idx) => ls.indexOf(l) !== idx);
      if (j < 0) break;
      const i = ls.indexOf(ls[j]);
      y = diagonal(y, i, j);
      ls = ls.filter((_, idx) => idx !== j);
    }
    const squeeze = ls.map((l, ax) => (y.shape[ax] === 1 && (sizes.get(l) ?? 1) !== 1 ? ax : -1)).filter((ax) => ax >= 0);
    if (squeeze.length > 0) {
      y = lax.reshape(
        y,
        y.shape.filter((_, ax) => !squeeze.includes(ax)),
      );
      ls = ls.filter((_, ax) => !squeeze.includes(ax));
    }
    const elsewhere = (l: Label) => out.includes(l) || labels.some((o, m) => m !== k && o.includes(l));
    [y, ls] = sumOut(y, ls, (l) => !elsewhere(l));
    labels[k] = ls;
    return y;
  });
  let cur = ops[0];
  let curL = labels[0];
  for (let k = 1; k < ops.length; k++) {
    const nxt = ops[k];
    const nxtL = labels[k];
    const later = (l: Label) => out.includes(l) || labels.slice(k + 1).some((o) => o.includes(l));
    [cur, curL] = sumOut(cur, curL, (l) => !nxtL.includes(l) && !later(l));
    const shared = curL.filter((l) => nxtL.includes(l));
    const batch = shared.filter(later);
    const contract = shared.filter((l) => !later(l));
    cur = lax.dotGeneral(cur, nxt, {
      contractingDims: [contract.map((l) => curL.indexOf(l)), contract.map((l) => nxtL.indexOf(l))],
      batchDims: [batch.map((l) => curL.indexOf(l)), batch.map((l) => nxtL.indexOf(l))],
    });
    curL = [...batch, ...curL.filter((l) => !shared.includes(l)), ...nxtL.filter((l) => !shared.includes(l))];
  }
  [cur, curL] = sumOut(cur, curL, (l) => !out.includes(l));
  // Output labels missing from the result were size-1 broadcasts everywhere: re-insert them.
  const missing = out.filter((l) => !curL.includes(l));
  if (missing.length > 0) {
    cur = lax.reshape(cur, [...cur.shape, ...missing.map(() => 1)]);
    curL = [...curL, ...missing];
  }
  return lax.transpose(
    cur,
    out.map((l) => curL.indexOf(l)),
  );
}
