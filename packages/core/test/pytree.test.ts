import { test } from "node:test";
import assert from "node:assert/strict";
import {
  treeFlatten,
  treeUnflatten,
  treeMap,
  treeLeaves,
  treeStructure,
  treeLeavesWithPath,
  registerPytreeNode,
  ValueError,
} from "linax-ts";

test("flatten/unflatten round-trips nested lists and objects; object keys are sorted like JAX dicts", () => {
  const tree = { b: [1, 2, { c: 3 }], a: 4, n: null };
  const [leaves, def] = treeFlatten(tree);
  assert.deepEqual(leaves, [4, 1, 2, 3]);
  assert.equal(def.numLeaves, 4);
  assert.deepEqual(treeUnflatten(def, leaves), { a: 4, b: [1, 2, { c: 3 }], n: null });
  assert.equal(String(def), "{a: *, b: [*, *, {c: *}], n: null}");
});

test("null and undefined are empty subtrees (JAX's None), not leaves", () => {
  assert.deepEqual(treeLeaves([null, 1, undefined, [null]]), [1]);
  const def = treeStructure([null, 1]);
  assert.deepEqual(treeUnflatten(def, [7]), [null, 7]);
});

test("treeMap over several trees checks structure", () => {
  assert.deepEqual(
    treeMap((x: number, y: number) => x + y, { a: 1, b: [2, 3] }, { a: 10, b: [20, 30] }),
    { a: 11, b: [22, 33] },
  );
  assert.throws(() => treeMap((x: number, y: number) => x + y, [1, 2], [1]), ValueError);
});

test("registered classes flatten through their handler and keep their type", () => {
  class Pair {
    constructor(
      readonly left: unknown,
      readonly right: unknown,
      readonly tag: string,
    ) {}
  }
  registerPytreeNode(
    Pair,
    (p: Pair) => [[p.left, p.right], p.tag, ["left", "right"]],
    (tag: string, [l, r]: unknown[]) => new Pair(l, r, tag),
  );
  const t = new Pair(1, [2, 3], "x");
  const [leaves, def] = treeFlatten(t);
  assert.deepEqual(leaves, [1, 2, 3]);
  const back = treeUnflatten<Pair>(def, [4, 5, 6]);
  assert.ok(back instanceof Pair);
  assert.equal(back.tag, "x");
  assert.deepEqual(back.right, [5, 6]);
  assert.deepEqual(
    treeLeavesWithPath({ enc: new Pair(1, [2], "t") }).map(([p, v]) => [p.join("."), v]),
    [
      ["enc.left", 1],
      ["enc.right.0", 2],
    ],
  );
  // Aux data is part of the structure.
  assert.ok(!treeStructure(new Pair(1, 2, "a")).equals(treeStructure(new Pair(1, 2, "b"))));
});

test("isLeaf stops recursion", () => {
  const [leaves] = treeFlatten({ a: [1, 2], b: 3 }, (x) => globalThis.Array.isArray(x));
  assert.deepEqual(leaves, [[1, 2], 3]);
});
