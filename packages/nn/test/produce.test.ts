/**
 * `nn.produce` (built on immer): drafts of modules, lists and plain objects with arrays as leaves,
 * the structure checks, immer's return-a-new-value and nesting, and produced modules in transforms.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { castDraft, produce as immerProduce } from "immer";
import { Module, produce, State, StateIndex, filterJit } from "@linax-ts/nn";
import { ValueError, jit, np, type Array } from "linax-ts";

class Affine extends Module {
  readonly weight: Array;
  readonly bias: Array;
  readonly scale: number;
  constructor(weight: Array, bias: Array, scale = 1) {
    super();
    this.weight = weight;
    this.bias = bias;
    this.scale = scale;
  }
  call(x: Array): Array {
    return x.mul(this.weight).add(this.bias).mul(this.scale);
  }
}
class Block extends Module {
  readonly layers: Affine[];
  readonly norm: { eps: number; gains: Array[] };
  constructor(layers: Affine[]) {
    super();
    this.layers = layers;
    this.norm = { eps: 1e-5, gains: [np.array([1]), np.array([2])] };
  }
  call(x: Array): Array {
    return this.layers.reduce((h, l) => l.call(h), x);
  }
}
const block = () => new Block([new Affine(np.array([2]), np.array([1])), new Affine(np.array([3]), np.array([0]), 2)]);

test("produce: arrays inside lists of modules, plain objects and static fields; untouched parts shared", () => {
  const b = block();
  const g = np.array([7]);
  const b2 = produce(b, (d) => {
    d.layers[1].bias = np.array([5]);
    d.norm.gains[0] = g;
    d.layers[0].scale = 3;
    // A draft's methods work and see the edits: (1·2 + 1)·3 = 9, then (9·3 + 5)·2 = 64.
    assert.deepEqual(d.call(np.array([1])).tolist(), [64]);
  });
  assert.ok(b2 instanceof Block && b2.layers[0] instanceof Affine);
  assert.deepEqual(b2.call(np.array([1])).tolist(), [64]);
  assert.deepEqual(b.call(np.array([1])).tolist(), [(3 * 3 + 0) * 2], "the input is unchanged");
  assert.equal(b2.norm.gains[0], g);
  assert.equal(b2.norm.gains[1], b.norm.gains[1], "an untouched array is the same object");
  assert.equal(b2.layers[1].weight, b.layers[1].weight);
  assert.equal(b2.norm.eps, 1e-5);
  // Arrays are leaves: never copied, drafted or frozen; the input is not frozen either.
  assert.ok(!Object.isFrozen(b.layers[1].bias) && !Object.isFrozen(b) && !Object.isFrozen(b.layers));
  const b3 = produce(b, (d) => {
    d.layers[1].scale = 5;
  });
  assert.equal(b3.layers[0], b.layers[0], "an untouched module in a list is shared");
  assert.equal(b3.norm, b.norm, "an untouched plain object is shared");
  assert.notEqual(b3.layers, b.layers);
  assert.equal(
    produce(b, () => {}),
    b,
    "a no-op recipe returns the input itself",
  );
});

test("produce: returning a new value, nested produce, replacing whole nodes", () => {
  const b = block();
  const fresh = new Affine(np.array([1]), np.array([1]));
  // Return a new tree instead of editing the draft (as immer allows); drafts may be part of it.
  const r = produce(b, (d) => new Block([fresh, d.layers[0]]));
  assert.equal(r.layers[0], fresh);
  assert.equal(r.layers[1], b.layers[0]);
  // Nested: an inner produce on a draft; its edits land in the outer result.
  const n = produce(b, (d) => {
    d.layers[0] = produce(d.layers[0], (l) => {
      l.bias = np.array([10]);
    });
    d.layers[1].scale = 1;
  });
  assert.ok(n.layers[0] instanceof Affine);
  assert.deepEqual(n.layers[0].bias.tolist(), [10]);
  assert.equal(n.layers[0].weight, b.layers[0].weight);
  assert.deepEqual(n.call(np.array([1])).tolist(), [(1 * 2 + 10) * 3]);
  // Whole nodes may be replaced by any value, a list of another length included.
  const t = produce(b, (d) => {
    d.layers = d.layers.slice(0, 1);
  });
  assert.equal(t.layers.length, 1);
  assert.equal(t.layers[0], b.layers[0]);
  // Reordering drafts.
  const sw = produce(b, (d) => {
    d.layers = [d.layers[1], d.layers[0]];
  });
  assert.equal(sw.layers[0], b.layers[1]);
  assert.equal(sw.layers[1], b.layers[0]);
});

test("produce: structure errors name the class, the field and the place", () => {
  const b = block();
  const bad = (recipe: (d: Record<string, unknown> & { layers: unknown[] }) => void, re: RegExp) =>
    assert.throws(
      () => produce(b, recipe as never),
      (e: unknown) => e instanceof ValueError && re.test(e.message),
    );
  bad((d) => {
    (d.layers[1] as Record<string, unknown>).extra = 1;
  }, /^produce: Affine at 'layers\.1' has no field 'extra' \(modules cannot gain fields\)$/);
  bad((d) => {
    d.extra = 1;
  }, /Block has no field 'extra'/);
  bad((d) => {
    delete (d.layers[0] as Record<string, unknown>).bias;
  }, /cannot delete field 'bias' of Affine at 'layers\.0'/);
  bad((d) => {
    d.layers[2] = new Affine(np.array([1]), np.array([1]));
  }, /index 2 is out of range for a list of length 2 at 'layers'/);
  bad((d) => {
    d.layers.push(1);
  }, /index 2 is out of range for a list of length 2/);
  bad((d) => {
    d.layers[5] = 1;
  }, /index 5 is out of range for a list of length 2/);
  bad((d) => {
    d.layers.pop();
  }, /the list at 'layers' cannot shrink to length 1/);
  bad((d) => {
    delete (d.norm as Record<string, unknown>).eps;
  }, /cannot delete 'eps' at 'norm'/);
  // immer's usage errors become ValueErrors: editing the draft and returning a value.
  bad((d) => {
    d.layers[0] = 1;
    return d.layers;
  }, /^produce: An immer producer returned a new value \*and\* modified its draft/);
  bad((() => Promise.resolve()) as never, /returned a Promise/);
  assert.throws(() => produce(np.array([1]), () => {}), /the tree must be a module, a list or a plain object/);
  // A plain object may gain keys.
  assert.deepEqual(
    produce({ a: 1 } as Record<string, number>, (d) => {
      d.b = 2;
    }),
    { a: 1, b: 2 },
  );
});

test("produce: a State is a leaf; produced modules keep jit's cache key", () => {
  const idx = new StateIndex(np.array([0]));
  class Holder extends Module {
    readonly index = idx;
    readonly lin = new Affine(np.array([2]), np.array([0]));
  }
  const h = new Holder();
  const tree = { model: h, state: new State(h) };
  const t2 = produce(tree, (d) => {
    d.state = d.state.set(idx, np.array([4])); // the State's own methods, on the real object
    d.model.lin.bias = np.array([1]);
  });
  assert.ok(t2.state instanceof State);
  assert.deepEqual(t2.state.get(idx).tolist(), [4]);
  assert.equal(t2.model.index, idx);
  assert.deepEqual(t2.model.lin.call(np.array([3])).tolist(), [7]);

  let traces = 0;
  const f = filterJit((m: Affine, x: Array) => {
    traces++;
    return m.call(x);
  });
  const m = new Affine(np.array([2]), np.array([1]));
  assert.deepEqual(f(m, np.array([1])).tolist(), [3]);
  const m2 = produce(m, (d) => {
    d.bias = np.array([5]);
  });
  assert.deepEqual(f(m2, np.array([1])).tolist(), [7]);
  assert.equal(traces, 1, "new array values in a produced module reuse the trace");
  const m3 = produce(m, (d) => {
    d.scale = 2;
  });
  assert.deepEqual(f(m3, np.array([1])).tolist(), [6]);
  assert.equal(traces, 2, "a new static value retraces");
  assert.deepEqual(jit((mm: Affine) => mm.call(np.array([1])))(m2).tolist(), [7]);
});

test("a user's own immer produce drafts modules too (Module is immerable), arrays as leaves", () => {
  const b = block();
  const nb = np.array([9]);
  const b2 = immerProduce(b, (d) => {
    d.layers[0].bias = castDraft(nb); // immer's Draft type maps our Array class too
  });
  assert.ok(b2 instanceof Block && b2.layers[0] instanceof Affine);
  assert.equal(b2.layers[0].bias, nb);
  assert.equal(b2.layers[1], b.layers[1]);
  assert.ok(!Object.isFrozen(nb), "immer's auto-freeze skips our arrays");
});
