/**
 * Pytree helpers for optimizers. Updates (gradients) may hold `null` at leaves that are not
 * trained (filterGrad's output), and params may be a whole model with non-array leaves; both are
 * flattened with `null` as a leaf so that their structures line up position by position.
 */
import { Array, ValueError, isComplex, np, treeFlatten, treeUnflatten } from "@linax-ts/core";
import { firstTreeDifference } from "../validate.ts";

/** `isLeaf` that makes null/undefined positions leaves, so trees with holes line up position by position. */
export const nullLeaf = (x: unknown): boolean => x === null || x === undefined;

/**
 * Map `f` over the non-null leaves of `updates` together with the matching leaves of `others`
 * (which must have the same structure, up to null positions); null update leaves stay null.
 */
export function mapUpdates(
  f: (u: Array, ...others: unknown[]) => Array | null,
  updates: unknown,
  ...others: unknown[]
): unknown {
  const [uLeaves, def] = treeFlatten(updates, nullLeaf);
  const oLeaves = others.map((t, j) => {
    if (t === null || t === undefined) return uLeaves.map(() => null);
    const [l, d] = treeFlatten(t, nullLeaf);
    if (!d.equals(def) || l.length !== uLeaves.length)
      throw new ValueError(
        `optim: tree ${j + 1} (${j === 0 ? "the state or params" : "a further tree"}) does not have the structure of the updates; first difference at ${firstTreeDifference(t, updates, nullLeaf)}`,
      );
    return l;
  });
  return treeUnflatten(
    def,
    uLeaves.map((u, i) => (u instanceof Array ? f(u, ...oLeaves.map((l) => l[i])) : null)),
  );
}

/** Zeros shaped like every array leaf of `params` (null elsewhere): the initial moment of an optimizer. */
export function zerosLikeTree(params: unknown): unknown {
  return mapUpdates((p) => np.zerosLike(p), params);
}

/** The non-null array leaves of a tree. */
export function arrayLeaves(tree: unknown): Array[] {
  return treeFlatten(tree, nullLeaf)[0].filter((l): l is Array => l instanceof Array);
}

/** sqrt(Σ ‖leaf‖²) over all array leaves (optax's `global_norm`). */
export function globalNorm(tree: unknown): Array {
  let total: Array = np.zeros([]);
  for (const l of arrayLeaves(tree)) total = np.add(total, np.sum(np.square(isComplex(l.dtype) ? np.abs(l) : l)));
  return np.sqrt(total);
}
