/**
 * Contraction orders for `np.einsum` (JAX's `optimize`, computed by opt_einsum in JAX): which
 * operands to contract first changes the cost — `ij,jk,k->i` costs i·j·k + i·j done as
 * (jk,k) then (ij,j), but i·j·k·2 done left to right — never the value (up to float rounding).
 *
 * A path is opt_einsum's "linear" form: each step lists positions in the current operand list;
 * those operands are contracted together and their result is appended at the end.
 *
 * The strategies, on opt_einsum's cost model (a contraction over the labels L of its operands
 * costs Π_{l∈L} size(l), doubled when some label is summed away):
 * - `"optimal"` / `true` (JAX: True means "optimal"): the cheapest order over all binary
 *   contraction trees, found by dynamic programming over subsets of operands (exact, O(3^n)).
 *   opt_einsum's `"dp"`, `"dynamic-programming"` and `"branch-all"` minimise the same cost and
 *   map here.
 * - `"greedy"` (opt_einsum's aliases `"eager"`, `"opportunistic"`): repeatedly the pair whose
 *   contraction removes the most memory (size(result) − size(a) − size(b), then flops), among pairs
 *   sharing a label; outer products only when no pair shares one.
 * - `"auto"` (JAX's default): optimal for up to 6 operands (opt_einsum: exhaustive up to 4,
 *   branch-and-bound — which finds the same optimum on such sizes — for 5–6), greedy beyond
 *   (opt_einsum's branch-1/branch-2 heuristics for 7–14 operands are not implemented: greedy
 *   stands in, a valid order that may cost more).
 * - `false`: opt_einsum's unoptimized path, one step over all operands, which is contracted left to
 *   right, pairwise.
 * - an explicit path (numpy/opt_einsum's list of position tuples, optionally headed by
 *   `"einsum_path"` as `np.einsum_path` returns it).
 */
import { InternalError, ValueError } from "../errors.ts";

/** One step of a contraction path: positions in the current operand list (their result goes last). */
export type EinsumPathStep = readonly number[];
/** A contraction path in opt_einsum's linear form. */
export type EinsumPath = readonly EinsumPathStep[];

/** The named strategies `optimize` accepts (opt_einsum's names that this module implements). */
export type EinsumStrategy =
  "auto" | "optimal" | "greedy" | "eager" | "opportunistic" | "dp" | "dynamic-programming" | "branch-all";
/** JAX's `optimize` argument of `einsum` / `einsum_path`. */
export type EinsumOptimize = boolean | EinsumStrategy | EinsumPath | readonly ["einsum_path", ...EinsumPathStep[]];

const STRATEGIES: Readonly<Record<EinsumStrategy, "optimal" | "greedy" | "auto">> = {
  auto: "auto",
  optimal: "optimal",
  dp: "optimal",
  "dynamic-programming": "optimal",
  "branch-all": "optimal",
  greedy: "greedy",
  eager: "greedy",
  opportunistic: "greedy",
};

/** The operands' labels (after per-operand reductions), the output labels and each label's size. */
export interface ContractionProblem {
  readonly inputs: readonly (readonly number[])[];
  readonly output: readonly number[];
  readonly sizes: ReadonlyMap<number, number>;
}

/** The largest operand count "optimal" accepts (its search is O(3^n)). */
const OPTIMAL_MAX = 16;
/** Up to this many operands "auto" is exact. */
const AUTO_OPTIMAL_MAX = 6;

/** Validate `optimize` and compute the path it asks for. */
export function contractionPath(op: string, problem: ContractionProblem, optimize: unknown): number[][] {
  const n = problem.inputs.length;
  if (optimize === undefined || optimize === "auto")
    return n <= AUTO_OPTIMAL_MAX ? optimalPath(problem) : greedyPath(problem);
  // opt_einsum's unoptimized path: one step over every operand (contracted left to right here).
  if (optimize === false) return [globalThis.Array.from({ length: n }, (_, i) => i)];
  if (optimize === true) return optimalPath(problem, op);
  if (typeof optimize === "string") {
    const s = STRATEGIES[optimize as EinsumStrategy];
    if (s === undefined) {
      throw new ValueError(
        `${op}: unknown optimize strategy '${optimize}'; use true, false, a contraction path, or one of ${Object.keys(
          STRATEGIES,
        )
          .map((k) => `'${k}'`)
          .join(", ")}`,
      );
    }
    if (s === "auto") return contractionPath(op, problem, "auto");
    return s === "optimal" ? optimalPath(problem, op) : greedyPath(problem);
  }
  if (globalThis.Array.isArray(optimize))
    return checkPath(op, n, optimize[0] === "einsum_path" ? optimize.slice(1) : optimize);
  throw new ValueError(
    `${op}: optimize must be a boolean, a strategy name or a contraction path (a list of position lists); got ${describe(optimize)}`,
  );
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (typeof v === "object") return "an object";
  return `${typeof v} ${String(v)}`;
}

/** An explicit path must name valid, distinct positions at every step and end with one operand. */
function checkPath(op: string, n: number, steps: readonly unknown[]): number[][] {
  let count = n;
  const out: number[][] = [];
  steps.forEach((step, k) => {
    const ok =
      globalThis.Array.isArray(step) &&
      step.length > 0 &&
      step.every((p) => Number.isInteger(p) && p >= 0 && p < count);
    if (!ok || new Set(step as number[]).size !== (step as number[]).length) {
      throw new ValueError(
        `${op}: contraction path step ${k} ${JSON.stringify(step)} must list distinct positions among the ${count} operands left (0…${count - 1})`,
      );
    }
    const s = [...(step as number[])];
    count = count - s.length + 1;
    out.push(s);
  });
  if (count !== 1)
    throw new ValueError(
      `${op}: the contraction path ${JSON.stringify(steps)} leaves ${count} operands of ${n}; it must end with one`,
    );
  return out;
}

const sizeOf = (labels: Iterable<number>, sizes: ReadonlyMap<number, number>): number => {
  let s = 1;
  for (const l of labels) s *= sizes.get(l) ?? 1;
  return s;
};

/** opt_einsum's flop count of contracting two operands whose result keeps `kept`. */
function pairCost(
  a: ReadonlySet<number>,
  b: ReadonlySet<number>,
  kept: ReadonlySet<number>,
  sizes: ReadonlyMap<number, number>,
): number {
  const either = new Set([...a, ...b]);
  const summed = [...a].some((l) => b.has(l) && !kept.has(l));
  return sizeOf(either, sizes) * (summed ? 2 : 1);
}

/** The exact cheapest contraction tree (dynamic programming over subsets), as a linear path. */
function optimalPath(problem: ContractionProblem, op = "einsum"): number[][] {
  const n = problem.inputs.length;
  if (n <= 1) return [[0]];
  if (n > OPTIMAL_MAX)
    throw new ValueError(
      `${op}: optimize 'optimal' searches O(3^n) orders and accepts at most ${OPTIMAL_MAX} operands; got ${n} (use 'greedy')`,
    );
  const full = (1 << n) - 1;
  // labels[S]: the labels a contraction of the operands in S keeps (needed by the rest or the output).
  const count = new Map<number, number>();
  problem.inputs.forEach((ls) => new Set(ls).forEach((l) => count.set(l, (count.get(l) ?? 0) + 1)));
  const out = new Set(problem.output);
  const sets = problem.inputs.map((ls) => new Set(ls));
  const labelsOf: Set<number>[] = new globalThis.Array(full + 1);
  for (let S = 1; S <= full; S++) {
    const inside = new Map<number, number>();
    for (let k = 0; k < n; k++) if (S & (1 << k)) sets[k].forEach((l) => inside.set(l, (inside.get(l) ?? 0) + 1));
    labelsOf[S] = new Set(
      [...inside.keys()].filter((l) => out.has(l) || (inside.get(l) as number) < (count.get(l) as number)),
    );
  }
  const cost = new Float64Array(full + 1);
  const split = new Int32Array(full + 1);
  for (let S = 1; S <= full; S++) {
    if ((S & (S - 1)) === 0) continue; // one operand: nothing to contract
    const low = S & -S;
    let best = Infinity;
    // Sub-masks A of S that hold S's lowest operand (each split once), B = S \ A non-empty.
    for (let A = (S - 1) & S; A > 0; A = (A - 1) & S) {
      if (!(A & low)) continue;
      const B = S ^ A;
      const c = cost[A] + cost[B] + pairCost(labelsOf[A], labelsOf[B], labelsOf[S], problem.sizes);
      if (c < best) {
        best = c;
        split[S] = A;
      }
    }
    cost[S] = best;
  }
  // Post-order over the tree, converted to linear positions as opt_einsum's ssa_to_linear.
  const ssa: [number, number][] = [];
  let next = n;
  const emit = (S: number): number => {
    if ((S & (S - 1)) === 0) return 31 - Math.clz32(S);
    const a = emit(split[S]);
    const b = emit(S ^ split[S]);
    ssa.push([a, b]);
    return next++;
  };
  emit(full);
  return ssaToLinear(n, ssa);
}

function ssaToLinear(n: number, ssa: readonly (readonly number[])[]): number[][] {
  const live = globalThis.Array.from({ length: n }, (_, i) => i);
  let next = n;
  return ssa.map((ids) => {
    const pos = ids.map((id) => live.indexOf(id)).sort((a, b) => a - b);
    for (const p of [...pos].reverse()) live.splice(p, 1);
    live.push(next++);
    return pos;
  });
}

/** Greedy: the pair that removes the most memory (then the fewest flops) at each step. */
function greedyPath(problem: ContractionProblem): number[][] {
  const n = problem.inputs.length;
  if (n <= 1) return [[0]];
  const out = new Set(problem.output);
  const live: Set<number>[] = problem.inputs.map((ls) => new Set(ls));
  const path: number[][] = [];
  while (live.length > 1) {
    type Candidate = { key: [number, number]; i: number; j: number; kept: Set<number> };
    let best = null as Candidate | null;
    for (const outer of [false, true]) {
      for (let i = 0; i < live.length; i++) {
        for (let j = i + 1; j < live.length; j++) {
          const shares = [...live[i]].some((l) => live[j].has(l));
          if (shares === outer) continue;
          const rest = new Set<number>(out);
          live.forEach((s, k) => k !== i && k !== j && s.forEach((l) => rest.add(l)));
          const kept = new Set([...live[i], ...live[j]].filter((l) => rest.has(l)));
          const removed = sizeOf(kept, problem.sizes) - sizeOf(live[i], problem.sizes) - sizeOf(live[j], problem.sizes);
          const key: [number, number] = [removed, pairCost(live[i], live[j], kept, problem.sizes)];
          if (best === null || key[0] < best.key[0] || (key[0] === best.key[0] && key[1] < best.key[1]))
            best = { key, i, j, kept };
        }
      }
      if (best !== null) break; // outer products only when no pair shares a label
    }
    if (best === null)
      throw new InternalError("einsum greedy path: no pair to contract (unreachable: two or more operands are left)");
    const { i, j, kept } = best;
    path.push([i, j]);
    live.splice(j, 1);
    live.splice(i, 1);
    live.push(kept);
  }
  return path;
}

/** opt_einsum's cost of a whole path (the sum of its pairwise contractions), for `einsumPath`'s report. */
export function pathCost(problem: ContractionProblem, path: readonly (readonly number[])[]): number {
  const out = new Set(problem.output);
  const live: Set<number>[] = problem.inputs.map((ls) => new Set(ls));
  let total = 0;
  for (const step of path) {
    const picked = step.map((p) => live[p]);
    const rest = new Set<number>(out);
    live.forEach((s, k) => !step.includes(k) && s.forEach((l) => rest.add(l)));
    let acc = picked[0];
    for (let k = 1; k < picked.length; k++) {
      const later = new Set<number>(rest);
      picked.slice(k + 1).forEach((s) => s.forEach((l) => later.add(l)));
      const kept = new Set([...acc, ...picked[k]].filter((l) => later.has(l)));
      total += pairCost(acc, picked[k], kept, problem.sizes);
      acc = kept;
    }
    if (picked.length === 1) acc = new Set([...acc].filter((l) => rest.has(l)));
    for (const p of [...step].sort((a, b) => b - a)) live.splice(p, 1);
    live.push(acc);
  }
  return total;
}
