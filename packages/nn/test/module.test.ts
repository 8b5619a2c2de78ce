import { test } from "node:test";
import assert from "node:assert/strict";
import {
  lax,
  np,
  treeFlatten,
  treeLeaves,
  treeStructure,
  treeUnflatten,
  treeLeavesWithPath,
  ValueError,
  type Array,
} from "linax-ts";
import {
  Module,
  treeAt,
  produce,
  partition,
  combine,
  filter,
  isArray,
  isInexactArray,
  treePformat,
  countParams,
  inference,
} from "@linax-ts/nn";

// Module-level, so every instance shares it: a default parameter `(x) => x` would be a new
// function (a different static value) per construction.
const identity = (x: Array): Array => x;
function tanh(x: Array): Array {
  return lax.tanh(x);
}

class Affine extends Module {
  readonly weight: Array;
  readonly bias: Array | null;
  readonly scale: number;
  readonly act: (x: Array) => Array;
  readonly inference: boolean;
  constructor(weight: Array, bias: Array | null, scale = 1, act: (x: Array) => Array = identity) {
    super();
    this.weight = weight;
    this.bias = bias;
    this.scale = scale;
    this.act = act;
    this.inference = false;
  }
  call(x: Array): Array {
    const y = x.mul(this.weight).mul(this.scale);
    return this.act(this.bias === null ? y : y.add(this.bias));
  }
}

class Stack extends Module {
  readonly layers: Affine[];
  readonly name: string;
  readonly sizes: number[];
  constructor(layers: Affine[]) {
    super();
    this.layers = layers;
    this.name = "stack";
    this.sizes = [1, 2, 3];
  }
}

const vals = (x: unknown) => (x as Array).tolist();

test("a module flattens to its array fields in declaration order; other fields are static", () => {
  const w = np.array([1, 2]);
  const b = np.array([3, 4]);
  const m = new Affine(w, b, 2);
  const [leaves, def] = treeFlatten(m);
  assert.equal(leaves.length, 2);
  assert.equal(leaves[0], w);
  assert.equal(leaves[1], b);
  const back = treeUnflatten<Affine>(def, [np.array([5, 6]), np.array([7, 8])]);
  assert.ok(back instanceof Affine);
  assert.equal(back.scale, 2);
  assert.deepEqual(back.call(np.array([1, 1])).tolist(), [17, 20]);
  assert.ok(Object.isFrozen(back));
  assert.deepEqual(
    treeLeavesWithPath(new Stack([m, m])).map(([p]) => p.join(".")),
    ["layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias"],
  );
});

test("structures differ when a static field, the class, or a function field differs", () => {
  const w = np.array([1]);
  const s = (m: unknown) => treeStructure(m);
  assert.ok(s(new Affine(w, null, 2)).equals(s(new Affine(np.array([9]), null, 2))));
  assert.ok(!s(new Affine(w, null, 2)).equals(s(new Affine(w, null, 3))));
  assert.ok(!s(new Affine(w, null, 2, lax.tanh)).equals(s(new Affine(w, null, 2, lax.exp))));
  class Other extends Affine {}
  assert.ok(!s(new Affine(w, null)).equals(s(new Other(w, null))));
  // NaN is a value like any other for static comparison (JSON would turn it into null).
  assert.ok(!s(new Affine(w, null, NaN)).equals(s(new Affine(w, null, 0))));
});

test("null fields are children (empty subtrees), so partition keeps the structure", () => {
  const m = new Affine(np.array([1]), null);
  assert.equal(treeLeaves(m).length, 1);
  const [arrays, rest] = partition(m, isArray);
  assert.ok(treeStructure(arrays).equals(treeStructure(m)));
  assert.equal(rest.weight, null);
  const back = combine(arrays, rest);
  assert.deepEqual(vals(back.weight), [1]);
});

test("partition / combine / filter over mixed trees", () => {
  const tree = {
    a: np.array([1, 2]),
    b: [np.array([1, 2], { dtype: "int32" }), 3, "x"],
    c: new Affine(np.array([1]), np.array([2])),
  };
  const [inexact, other] = partition(tree, isInexactArray);
  assert.equal(inexact.b[0], null);
  assert.equal(inexact.b[1], null);
  assert.equal(other.a, null);
  assert.equal(other.b[1], 3);
  const back = combine(inexact, other);
  assert.equal(back.a, tree.a);
  assert.equal(back.b[0], tree.b[0]);
  assert.equal(back.c.bias, tree.c.bias);
  // A pytree-prefix spec: only the `c` subtree.
  const onlyC = filter(tree, { a: false, b: false, c: true });
  assert.equal(onlyC.a, null);
  assert.equal(onlyC.c.weight, tree.c.weight);
  const inv = filter(tree, isArray, { inverse: true, replace: 0 });
  assert.equal(inv.a, 0);
  assert.equal(inv.b[1], 3);
  assert.throws(() => combine([1, 2], [1]), ValueError);
});

test("treeAt replaces leaves, subtrees, static fields and null fields, sharing the rest", () => {
  const l0 = new Affine(np.array([1]), np.array([2]));
  const l1 = new Affine(np.array([3]), null, 5);
  const s = new Stack([l0, l1]);
  const nw = np.array([10]);
  const s2 = treeAt((t: Stack) => t.layers[0].weight, s, nw);
  assert.equal(s2.layers[0].weight, nw);
  assert.equal(s2.layers[0].bias, l0.bias);
  assert.equal(s2.layers[1], l1, "untouched subtrees are shared");
  assert.equal(s.layers[0].weight, l0.weight, "the input is unchanged");
  assert.ok(s2 instanceof Stack && s2.layers[0] instanceof Affine);

  const s3 = treeAt((t: Stack) => t.layers[1].scale, s, 7);
  assert.equal(s3.layers[1].scale, 7);
  const s4 = treeAt((t: Stack) => t.layers[1].bias, s, np.array([4]));
  assert.deepEqual(vals(s4.layers[1].bias), [4]);
  const s5 = treeAt((t: Stack) => [t.layers[0].weight, t.layers[1].weight], s, [np.array([8]), np.array([9])]);
  assert.deepEqual([vals(s5.layers[0].weight), vals(s5.layers[1].weight)], [[8], [9]]);
  const s6 = treeAt((t: Stack) => t.layers[1], s, undefined, {
    replaceFn: (old) => treeAt((l: Affine) => l.scale, old as Affine, 0),
  });
  assert.equal(s6.layers[1].scale, 0);
  assert.equal(s6.layers[1].weight, l1.weight);
  // The same array twice is told apart by position.
  const shared = np.array([1]);
  const twice = [shared, shared];
  const t2 = treeAt((t: typeof twice) => t[1], twice, np.array([2]));
  assert.equal(t2[0], shared);
  assert.deepEqual(vals(t2[1]), [2]);
  // where may compute with static fields.
  const s7 = treeAt((t: Stack) => t.layers[t.sizes.length - 2].weight, s, nw);
  assert.equal(s7.layers[1].weight, nw);
  assert.throws(() => treeAt(() => 42, s, 1), /treeAt/);
  assert.throws(() => treeAt((t: Stack) => [t.layers[0], t.layers[0].weight], s, [1, 2]), /inside it/);
});

test("inference() flips every inference field", () => {
  const s = new Stack([new Affine(np.array([1]), null), new Affine(np.array([2]), null)]);
  const si = inference(s);
  assert.deepEqual(
    si.layers.map((l) => l.inference),
    [true, true],
  );
  assert.equal(si.layers[0].weight, s.layers[0].weight);
  assert.deepEqual(
    inference(si, false).layers.map((l) => l.inference),
    [false, false],
  );
});

test("modules print as a tree with shapes and parameter counts", () => {
  const s = new Stack([new Affine(np.array([[1, 2, 3]]), np.array([1])), new Affine(np.array([3]), null, 2, tanh)]);
  assert.equal(countParams(s), 5);
  const txt = treePformat(s);
  assert.match(txt, /weight: f32\[1,3\]/);
  assert.match(txt, /bias: null/);
  assert.match(txt, /act: <function tanh>/);
  assert.match(txt, /^Stack\( {2}# 5 params/);
  assert.match(
    txt,
    /Affine\(weight: f32\[1,3\], bias: f32\[1\], scale: 1, act: <function identity>, inference: false\),/,
  );
  assert.equal(String(s), txt);
});

test("produce: immer-style drafts of modules, lists and objects", () => {
  const l0 = new Affine(np.array([1]), np.array([2]));
  const l1 = new Affine(np.array([3]), null, 5);
  const s = new Stack([l0, l1]);
  const nw = np.array([10]);
  const s2 = produce(s, (d) => {
    d.layers[0].weight = nw;
    d.layers[1].scale = d.layers[1].scale + 1;
    assert.equal(d.layers[0].weight, nw, "reads see earlier writes");
    assert.equal(d.layers.length, 2);
    assert.deepEqual(
      d.layers.map((l) => l.scale),
      [1, 6],
    );
  });
  assert.ok(s2 instanceof Stack && s2.layers[0] instanceof Affine);
  assert.equal(s2.layers[0].weight, nw);
  assert.equal(s2.layers[0].bias, l0.bias);
  assert.equal(s2.layers[1].scale, 6);
  assert.equal(s2.layers[1].weight, l1.weight);
  assert.equal(s.layers[1].scale, 5, "the input is unchanged");
  assert.deepEqual(s2.layers[1].call(np.array([1])).tolist(), [18]);
  const t = produce({ a: [1, 2], b: { c: "x" } }, (d) => {
    d.a[1] = 3;
    d.b = { c: "y" };
  });
  assert.deepEqual(t, { a: [1, 3], b: { c: "y" } });
  assert.throws(
    () =>
      produce(s, (d) => {
        (d as unknown as Record<string, unknown>).extra = 1;
      }),
    /no field 'extra'/,
  );
});
