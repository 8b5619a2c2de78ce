/**
 * jit's `donateArgnums` (JAX's `donate_argnums`): which flat operands of a call the caller gives
 * up. A donated array is deleted by the call (using it afterwards raises UseAfterDisposeError, as
 * JAX raises on a deleted array), and the backend may reuse its memory for the call's own buffers —
 * so a training step that donates its parameters and optimiser state runs in flat memory without
 * waiting for the garbage collector to free the previous step's.
 */
import { ConcreteArray } from "../core/concrete.ts";
import { ValueError } from "../errors.ts";
import { treeFlatten } from "../tree/pytree.ts";

/** The positions in `donateArgnums`, normalised (negative from the end) and checked against the call. */
export function donatedPositions(
  donate: number | readonly number[] | undefined,
  nArgs: number,
  statics: ReadonlySet<number>,
  name: string,
): Set<number> {
  const list = donate === undefined ? [] : typeof donate === "number" ? [donate] : donate;
  const out = new Set<number>();
  for (const d of list) {
    if (!Number.isInteger(d) || d < -nArgs || d >= nArgs) {
      throw new ValueError(
        `${name}: donateArgnums entry ${String(d)} is not an argument position of a call with ${nArgs} argument(s)`,
      );
    }
    const i = d < 0 ? d + nArgs : d;
    if (statics.has(i))
      throw new ValueError(`${name}: argument ${i} is both static (staticArgnums) and donated (donateArgnums)`);
    out.add(i);
  }
  return out;
}

/**
 * Per operand of the staged call — the hoisted consts (never donated), then the flat leaves of the
 * dynamic arguments `args` in flattening order — whether it is donated; undefined when nothing is.
 * It depends only on the arguments' structure, so a jit cache entry computes it once.
 */
export function donatedOperands(
  args: readonly unknown[],
  isDonated: (dynIndex: number) => boolean,
  nConsts: number,
): boolean[] | undefined {
  const mask: boolean[] = new Array<boolean>(nConsts).fill(false);
  args.forEach((a, i) => {
    const n = treeFlatten(a as never)[0].length;
    for (let k = 0; k < n; k++) mask.push(isDonated(i));
  });
  return mask.includes(true) ? mask : undefined;
}

/** Donation applies to concrete calls only: inside another transform there is nothing to give up, as in JAX. */
export const donationApplies = (leaves: readonly unknown[]): boolean => leaves.every((l) => l instanceof ConcreteArray);
