/**
 * associativeScan over the diagonal linear-recurrence operator
 * `(a_i, b_i) ∘ (a_j, b_j) = (a_j·a_i, a_j·b_i + b_j)` (linax's SSM operator), recognised
 * structurally so that it can run as `linearRecurrence` (one O(n) scan routine per direction)
 * instead of the O(log n)-level composition of slices, pads and elementwise ops.
 *
 * The scan's outputs are then (A, h) with A = cumprod(a) and h = linearRecurrence(a, b) along the
 * axis — mathematically the composition's outputs; only float rounding differs (the composition
 * rounds along its odd/even tree, the routines along their own order, the CPU in float64).
 *
 * Reverse mode uses it: the JVP of such a scan is an associative scan of the pair operator over
 * (primal, tangent) pairs, and partial evaluation (linearize) expands that pair scan. A pair scan
 * made from a linear-recurrence combine is remembered (`markLinearPair`) and expanded as the
 * recurrences' own JVPs — dh = linearRecurrence(a, shift(h)·da + db), dA = linearRecurrence(a,
 * shift(A, 1)·da) — whose transposes are the reverse recurrences. Backends (WebGPU) also rewrite
 * a forward associativeScan with `isLinearRecurrenceCombine` into the two routines.
 */
import type { Array } from "../../core/array.ts";
import { Var, type Atom, type ClosedJaxpr, type JaxprEqn } from "../../core/jaxpr.ts";
import { add, mul } from "../elementwise.ts";
import { cumprodP, linearRecurrenceP } from "../cumulative.ts";
import { shiftAlong } from "../masks-and-shifts.ts";

/**
 * Whether `combine` (an associativeScan's `jaxpr` param, with `numConsts` leading consts) is the
 * diagonal linear-recurrence operator on float32/complex64 elements: invars (a_i, b_i, a_j, b_j)
 * of one type and exactly the equations `A = a_j·a_i`, `B = a_j·b_i + b_j` (operands of each
 * mul and add in either order), outputs (A, B).
 */
export function isLinearRecurrenceCombine(combine: ClosedJaxpr, numConsts: number): boolean {
  const j = combine.jaxpr;
  if (
    numConsts !== 0 ||
    j.constvars.length !== 0 ||
    j.invars.length !== 4 ||
    j.outvars.length !== 2 ||
    j.eqns.length !== 3
  )
    return false;
  const [ai, bi, aj, bj] = j.invars;
  const t = ai.aval;
  if (t.dtype !== "float32" && t.dtype !== "complex64") return false;
  if (!j.invars.every((v) => v.aval.equals(t))) return false;
  const def = new Map<Atom, JaxprEqn>();
  for (const e of j.eqns) for (const o of e.outBinders) def.set(o, e);
  const isOp = (x: Atom, name: string, p: Atom, q: Atom): boolean => {
    const e = def.get(x);
    if (e === undefined || e.prim.name !== name || e.inputs.length !== 2 || e.outBinders.length !== 1) return false;
    const [u, v] = e.inputs;
    return (u === p && v === q) || (u === q && v === p);
  };
  const [A, B] = j.outvars;
  if (!(A instanceof Var) || !(B instanceof Var) || !isOp(A, "mul", aj, ai)) return false;
  const addEqn = def.get(B);
  if (addEqn === undefined || addEqn.prim.name !== "add" || addEqn.inputs.length !== 2) return false;
  const [u, v] = addEqn.inputs;
  const m = u === bj ? v : v === bj ? u : undefined;
  return m !== undefined && m !== bj && isOp(m, "mul", aj, bi);
}

const linearPairs = new WeakSet<ClosedJaxpr>();

/** Remember `pair` (a JVP pair combine over [a, b, da, db]) as made from a linear-recurrence combine. */
export function markLinearPair(pair: ClosedJaxpr): void {
  linearPairs.add(pair);
}

/** Whether `pair` was marked by `markLinearPair`. */
export function isLinearPair(pair: ClosedJaxpr): boolean {
  return linearPairs.has(pair);
}

/** The outputs (A, h) of a linear-recurrence associativeScan over `[a, b]` along `axis`. */
export function linearScanForm(a: Array, b: Array, axis: number, reverse: boolean): [Array, Array] {
  return [
    cumprodP.bind1([a], { axis, reverse }),
    linearRecurrenceP.bind1([a, b], { axis, reverse, transposed: false }),
  ];
}

/**
 * The outputs (A, h, dA, dh) of the marked pair scan over `[a, b, da, db]`: the recurrences and
 * their JVPs (as `cumprod`'s and `linearRecurrence`'s rules write them).
 */
export function linearPairForm(elems: readonly Array[], axis: number, reverse: boolean): Array[] {
  const [a, b, da, db] = elems;
  const [A, h] = linearScanForm(a, b, axis, reverse);
  const lr = (drive: Array) => linearRecurrenceP.bind1([a, drive], { axis, reverse, transposed: false });
  const dA = lr(mul(shiftAlong(A, axis, reverse, 1), da));
  const dh = lr(add(mul(da, shiftAlong(h, axis, reverse, 0)), db));
  return [A, h, dA, dh];
}
