/**
 * numpy.einsum with JAX's options: explicit (`"ij,jk->ik"`) and implicit (`"ij,jk"`) outputs,
 * `...` broadcasting, repeated indices within an operand (diagonals / traces). Operands are
 * contracted pairwise with `lax.dotGeneral` in the order `optimize` picks (einsum-path.ts; JAX's
 * default "auto"): labels shared by a pair become batch dims when another operand or the output
 * still needs them, and contracting dims otherwise. `einsumPath` returns that order.
 */
import { Array, type ArrayLike } from "../core/array.ts";
import * as lax from "../primitives/index.ts";
import type { DotGeneralOptions } from "../primitives/dot.ts";
import { checkPrecision, type PrecisionLike } from "../primitives/precision.ts";
import { isComplex, isDType, isFloat, isHalf, isSignedInt, type DType } from "../dtype.ts";
import { DTypeError, ShapeError, ValueError } from "../errors.ts";
import { fmtShape } from "../shape.ts";
import { promoteArgs } from "./promote.ts";
import { checkOptions, isOptionsObject, type OptionSpec } from "./args.ts";
import { contractionPath, pathCost, type ContractionProblem, type EinsumOptimize } from "./einsum-path.ts";

export type { EinsumOptimize, EinsumPath, EinsumPathStep, EinsumStrategy } from "./einsum-path.ts";

/** A stand-in for `lax.dotGeneral` (JAX's experimental `_dot_general` argument of einsum). */
export type DotGeneralFn = (lhs: Array, rhs: Array, opts: DotGeneralOptions) => Array;

/** JAX's keyword arguments of `jnp.einsum`, as a trailing options object. */
export interface EinsumOptions {
  /**
   * The contraction order: `"auto"` (default), `true` (= `"optimal"`, as JAX), `false`
   * (left to right), `"optimal"`, `"greedy"` and opt_einsum's aliases, or an explicit path
   * (see einsum-path.ts). Every choice gives the same values up to float rounding.
   */
  optimize?: EinsumOptimize;
  /** JAX's `precision` of the products (validated; every setting computes in float32, as XLA:CPU — see primitives/precision.ts). */
  precision?: PrecisionLike;
  /**
   * Accumulate in, and return, this dtype (JAX's `preferred_element_type`), under lax.dot_general's
   * rule: integral → integral or floating, floating → floating, complex → complex, never narrower,
   * a signed integer not to an unsigned one; bool → anything. The operands are converted to it
   * before contracting (as XLA's operand upcasting does).
   */
  preferredElementType?: DType | null;
  /** Replaces `lax.dotGeneral` for the pairwise contractions (JAX's `_dot_general`, e.g. to quantize or log them). */
  dotGeneral?: DotGeneralFn;
}

/** An einsum operand, or the trailing options object. */
export type EinsumArg = ArrayLike | EinsumOptions;

const EINSUM_SPEC: OptionSpec = { optimize: "any", precision: "any", preferredElementType: "any", dotGeneral: "any" };
const EINSUM_PATH_SPEC: OptionSpec = { optimize: "any" };

/** lax.dot_general's `_validate_preferred_element_type`, restricted to linax's dtypes. */
function checkPreferred(op: string, input: DType, pref: unknown): DType | null {
  if (pref === undefined || pref === null) return null;
  if (!isDType(pref)) throw new DTypeError(`${op}: unknown preferredElementType '${String(pref)}'`);
  if (input === "bool" || pref === input) return pref;
  const kind = (d: DType): string =>
    d === "int32" || d === "uint32" ? "integral" : isFloat(d) ? "floating" : isComplex(d) ? "complex" : "bool";
  const [ki, kp] = [kind(input), kind(pref)];
  const width = (d: DType): number => (isHalf(d) ? 2 : d === "bool" ? 1 : d === "complex64" ? 8 : 4);
  let why: string | null = null;
  if (!(ki === kp || (ki === "integral" && kp === "floating"))) {
    why =
      "the compatible combinations are (integral, integral), (integral, floating), (floating, floating), (complex, complex)";
  } else if (ki === "integral" && kp === "integral" && isSignedInt(input) && !isSignedInt(pref)) {
    why = "it must have the same signedness as the operands";
  } else if (width(pref) < width(input)) {
    why = "it must not be narrower than the operands' dtype";
  }
  if (why !== null)
    throw new DTypeError(`${op}: preferredElementType ${pref} is not allowed for ${input} operands: ${why}`);
  return pref;
}

/** Split `einsum`'s rest arguments into the operands and the trailing options object. */
function splitArgs(op: string, args: readonly EinsumArg[], spec: OptionSpec): [ArrayLike[], EinsumOptions] {
  const last = args.length > 0 ? args[args.length - 1] : undefined;
  if (last !== undefined && isOptionsObject(last) && !(last instanceof Array)) {
    checkOptions(op, last, spec);
    return [args.slice(0, -1) as ArrayLike[], last as EinsumOptions];
  }
  args.forEach((a, k) => {
    if (isOptionsObject(a))
      throw new ValueError(`${op}: an options object must come last; got one as argument ${k + 1} of ${args.length}`);
  });
  return [args as ArrayLike[], {}];
}

/** The parsed einsum: operands after their own reductions, their labels, the output labels and the sizes. */
interface Prepared {
  ops: Array[];
  labels: Label[][];
  out: Label[];
  sizes: Map<Label, number>;
}

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
      if (!/[a-zA-Z]/.test(c))
        throw new ValueError(
          `einsum: invalid subscript character '${c}' in ${what} '${term}' (only letters and '...' are allowed)`,
        );
      return c.charCodeAt(0);
    });
  const head = letters(parts[0]);
  if (parts.length === 1) {
    if (ndim !== null && head.length !== ndim)
      throw new ShapeError(
        `einsum: ${what} '${term}' has ${head.length} subscripts but the operand has ${ndim} dimensions`,
      );
    return head;
  }
  const tail = letters(parts[1]);
  const n = ndim === null ? ellLen : ndim - head.length - tail.length;
  if (n < 0)
    throw new ShapeError(`einsum: ${what} '${term}' has more subscripts than the operand's ${ndim} dimensions`);
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

function prepare(subscripts: string, operands: readonly ArrayLike[], pref: DType | null | undefined): Prepared {
  const spec = subscripts.replace(/\s+/g, "");
  const arrow = spec.split("->");
  if (arrow.length > 2) throw new ValueError(`einsum: subscripts '${subscripts}' contain more than one '->'`);
  const inTerms = arrow[0].split(",");
  if (operands.length === 0)
    throw new ValueError(`einsum: at least one operand is required (subscripts '${subscripts}')`);
  if (inTerms.length !== operands.length) {
    throw new ValueError(
      `einsum: subscripts '${subscripts}' name ${inTerms.length} operands but ${operands.length} were given`,
    );
  }
  let ops = promoteArgs(...operands);
  if (pref !== undefined) {
    const p = checkPreferred("einsum", ops.length > 0 ? ops[0].dtype : "float32", pref);
    if (p !== null) ops = ops.map((x) => (x.dtype === p ? x : lax.convertElementType(x, p)));
  }
  // Ellipsis length: the most dims any operand's ellipsis covers.
  let ellLen = 0;
  inTerms.forEach((t, k) => {
    if (t.includes("...")) ellLen = Math.max(ellLen, ops[k].ndim - t.replace("...", "").length);
  });
  const terms: Term[] = inTerms.map((t, k) => ({
    labels: parseTerm(t, ops[k].ndim, ellLen, `operand ${k} subscripts`),
  }));
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
    if (new Set(out).size !== out.length)
      throw new ValueError(`einsum: output subscripts '${arrow[1]}' repeat a label`);
    for (const l of out)
      if (!sizes.has(l))
        throw new ValueError(
          `einsum: output subscript '${labelName(l)}' does not appear in any input of '${subscripts}'`,
        );
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
    const squeeze = ls
      .map((l, ax) => (y.shape[ax] === 1 && (sizes.get(l) ?? 1) !== 1 ? ax : -1))
      .filter((ax) => ax >= 0);
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
  return { ops, labels, out, sizes };
}

/** An operand with its labels, one per axis. */
type Labelled = [Array, Label[]];

/** How `contractPair` contracts: the dotGeneral to call and the precision to pass it. */
interface ContractWith {
  readonly dot: DotGeneralFn;
  readonly precision: PrecisionLike | undefined;
}

/**
 * Contract `x` and `y` (labels `xl`, `yl`); `keep` = labels needed after this contraction. Labels
 * only one side has and nobody needs are summed first; shared ones are batch dims if kept.
 */
function contractPair([x, xl]: Labelled, [y, yl]: Labelled, keep: (l: Label) => boolean, how: ContractWith): Labelled {
  const { dot, precision } = how;
  [x, xl] = sumOut(x, xl, (l) => !yl.includes(l) && !keep(l));
  [y, yl] = sumOut(y, yl, (l) => !xl.includes(l) && !keep(l));
  const shared = xl.filter((l) => yl.includes(l));
  const batch = shared.filter(keep);
  const contract = shared.filter((l) => !keep(l));
  const dims: DotGeneralOptions = {
    contractingDims: [contract.map((l) => xl.indexOf(l)), contract.map((l) => yl.indexOf(l))],
    batchDims: [batch.map((l) => xl.indexOf(l)), batch.map((l) => yl.indexOf(l))],
  };
  if (precision !== undefined && precision !== null) dims.precision = precision;
  const r = dot(x, y, dims);
  if (!(r instanceof Array))
    throw new ValueError(`einsum: the dotGeneral option must return an Array; got ${typeof r}`);
  return [r, [...batch, ...xl.filter((l) => !shared.includes(l)), ...yl.filter((l) => !shared.includes(l))]];
}

const problemOf = (p: Prepared): ContractionProblem => ({ inputs: p.labels, output: p.out, sizes: p.sizes });

/**
 * Evaluate an Einstein summation. `subscripts` like `"bij,bjk->bik"`; without `->` the output
 * is the ellipsis dims followed by the labels that appear exactly once, in alphabetical order.
 * JAX's keyword arguments (`optimize`, `precision`, `preferredElementType`, `dotGeneral`) go in
 * a trailing options object: `np.einsum("ij,jk->ik", a, b, { optimize: "greedy" })`.
 */
export function einsum(subscripts: string, ...args: EinsumArg[]): Array {
  const [operands, opts] = splitArgs("einsum", args, EINSUM_SPEC);
  checkPrecision("einsum", opts.precision);
  if (opts.dotGeneral !== undefined && typeof opts.dotGeneral !== "function") {
    throw new ValueError(
      `einsum: 'dotGeneral' must be a function (lhs, rhs, options) => Array; got ${typeof opts.dotGeneral}`,
    );
  }
  const dot: DotGeneralFn = opts.dotGeneral ?? lax.dotGeneral;
  const prep = prepare(subscripts, operands, opts.preferredElementType);
  const { out } = prep;
  const path = contractionPath("einsum", problemOf(prep), opts.optimize);
  const live: Labelled[] = prep.ops.map((x, k) => [x, prep.labels[k]]);
  for (const step of path) {
    const picked = step.map((p) => live[p]);
    const rest = live.filter((_, k) => !step.includes(k));
    for (const p of [...step].sort((a, b) => b - a)) live.splice(p, 1);
    let [cur, curL] = picked[0];
    for (let k = 1; k < picked.length; k++) {
      const later = (l: Label) =>
        out.includes(l) ||
        rest.some(([, ls]) => ls.includes(l)) ||
        picked.slice(k + 1).some(([, ls]) => ls.includes(l));
      [cur, curL] = contractPair([cur, curL], picked[k], later, { dot, precision: opts.precision });
    }
    if (picked.length === 1) {
      const later = (l: Label) => out.includes(l) || rest.some(([, ls]) => ls.includes(l));
      [cur, curL] = sumOut(cur, curL, (l) => !later(l));
    }
    live.push([cur, curL]);
  }
  let [cur, curL] = live[0];
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

/**
 * The contraction order `einsum` would use (JAX's / numpy's `einsum_path`): `[path, report]`,
 * `path` in numpy's form (`["einsum_path", [0, 1], …]`, which `optimize` accepts back) and a
 * short report of the subscripts, the naive and the chosen cost (opt_einsum's flop model).
 */
export function einsumPath(
  subscripts: string,
  ...args: (ArrayLike | { optimize?: EinsumOptimize })[]
): [["einsum_path", ...number[][]], string] {
  const [operands, opts] = splitArgs("einsumPath", args as EinsumArg[], EINSUM_PATH_SPEC);
  const prep = prepare(subscripts, operands, undefined);
  const problem = problemOf(prep);
  const path = contractionPath("einsumPath", problem, opts.optimize);
  const naive = pathCost(problem, contractionPath("einsumPath", problem, false));
  const chosen = pathCost(problem, path);
  const report = [
    `  Complete contraction:  ${subscripts.replace(/\s+/g, "")}`,
    `  Naive (left to right) cost:  ${naive}`,
    `  Optimized cost:  ${chosen}`,
    `  Path:  ${path.map((s) => `(${s.join(", ")})`).join(", ")}`,
  ].join("\n");
  return [["einsum_path", ...path], report];
}
