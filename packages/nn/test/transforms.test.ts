import { test } from "node:test";
import assert from "node:assert/strict";
import { jit, lax, np, ValueError, type Array } from "linax-ts";
import { assertClose } from "@linax-ts/testing";
import {
  Module,
  filterJit,
  filterGrad,
  filterValueAndGrad,
  filterVmap,
  State,
  StateIndex,
  makeWithState,
  cloneState,
  treeAt,
} from "@linax-ts/nn";

function tanh(x: Array): Array {
  return lax.tanh(x);
}
function identity(x: Array): Array {
  return x;
}

class Affine extends Module {
  readonly weight: Array;
  readonly bias: Array;
  readonly scale: number;
  readonly act: (x: Array) => Array;
  readonly steps: Array;
  constructor(weight: Array, bias: Array, scale = 1, act: (x: Array) => Array = identity) {
    super();
    this.weight = weight;
    this.bias = bias;
    this.scale = scale;
    this.act = act;
    this.steps = np.array([0], { dtype: "int32" });
  }
  call(x: Array): Array {
    return this.act(x.mul(this.weight).add(this.bias).mul(this.scale));
  }
}

test("filterJit traces once per static configuration and passes non-array outputs through", () => {
  let traces = 0;
  const f = filterJit((m: Affine, x: Array, tag: string) => {
    traces++;
    return { y: m.call(x), tag, half: m.scale / 2 };
  });
  const m = new Affine(np.array([2, 3]), np.array([1, 1]), 2);
  const r1 = f(m, np.array([1, 2]), "a");
  assert.deepEqual(r1.y.tolist(), [6, 14]);
  assert.equal(r1.tag, "a");
  assert.equal(r1.half, 1);
  f(new Affine(np.array([5, 5]), np.array([0, 0]), 2), np.array([1, 1]), "a");
  assert.equal(traces, 1, "new array values reuse the trace");
  const r3 = f(new Affine(np.array([2, 3]), np.array([1, 1]), 3), np.array([1, 2]), "a");
  assert.equal(traces, 2, "a new static field value retraces");
  assert.deepEqual(r3.y.tolist(), [9, 21]);
  f(m, np.array([1, 2]), "b");
  assert.equal(traces, 3, "a new static argument retraces");
  const r5 = f(new Affine(np.array([2, 3]), np.array([1, 1]), 2, tanh), np.array([1, 2]), "a");
  assert.equal(traces, 4, "a different function field retraces");
  assertClose(r5.y, [Math.tanh(6), Math.tanh(14)], { rtol: 1e-6 });
  f(m, np.array([1, 2, 3, 4]).reshape([2, 2]), "a");
  assert.equal(traces, 5, "a new shape retraces");
});

test("filterGrad differentiates the float arrays of a model; other leaves get null", () => {
  // loss = sum((w*x + b) * s)^2 ... written out: y_i = s (w_i x_i + b_i), L = sum y_i^2
  const m = new Affine(np.array([2, -1]), np.array([0.5, 1]), 3);
  const x = np.array([1, 2]);
  const loss = (mod: Affine, xs: Array) => {
    const y = mod.call(xs);
    return np.sum(y.mul(y));
  };
  const g = filterGrad(loss)(m, x) as Affine;
  // dL/dw_i = 2 y_i s x_i, dL/db_i = 2 y_i s, with y = 3 * [2.5, -1] = [7.5, -3]
  assertClose(g.weight, [2 * 7.5 * 3 * 1, 2 * -3 * 3 * 2]);
  assertClose(g.bias, [2 * 7.5 * 3, 2 * -3 * 3]);
  assert.equal(g.steps, null, "int arrays are not differentiated");
  assert.equal(g.scale, 3, "static fields are kept");
  const [[v, aux], g2] = filterValueAndGrad((mod: Affine, xs: Array) => [loss(mod, xs), "aux"] as const, {
    hasAux: true,
  })(m, x) as unknown as [[Array, string], Affine];
  assertClose(v, [7.5 * 7.5 + 9]);
  assert.equal(aux, "aux");
  assertClose(g2.bias, g.bias);
  // Under filterJit too.
  const gj = filterJit((mod: Affine, xs: Array) => filterGrad(loss)(mod, xs))(m, x) as Affine;
  assertClose(gj.weight, g.weight);
});

test("filterVmap maps array leaves, broadcasts the rest, and honours per-argument inAxes/outAxes", () => {
  const m = new Affine(np.array([2]), np.array([1]), 1);
  const xs = np.array([[1], [2], [3]]);
  const ys = filterVmap((mod: Affine, x: Array) => mod.call(x), { inAxes: [null, 0] })(m, xs);
  assert.deepEqual(ys.tolist(), [[3], [5], [7]]);
  // An ensemble: map over the model, not the input; a non-array output passes through.
  const ms = new Affine(np.array([[1], [2]]), np.array([[0], [1]]), 1);
  // The spec for the model is a prefix by field name: `steps` (shape [1]) is not mapped.
  const out = filterVmap((mod: Affine, x: Array) => ({ y: mod.call(x), s: mod.scale }), {
    inAxes: [{ weight: 0, bias: 0, steps: null }, null],
  })(ms, np.array([3]));
  assert.deepEqual(out.y.tolist(), [[3], [7]]);
  assert.equal(out.s, 1);
  // outAxes null for a value that does not vary along the axis; outAxes 1 moves the axis.
  const r = filterVmap((x: Array, c: Array) => [x.mul(2), c.add(1)], { inAxes: [0, null], outAxes: [1, null] })(
    np.array([
      [1, 2],
      [3, 4],
      [5, 6],
    ]),
    np.array([7]),
  );
  assert.deepEqual(r[0].tolist(), [
    [2, 6, 10],
    [4, 8, 12],
  ]);
  assert.deepEqual(r[1].tolist(), [8]);
  assert.throws(() => filterVmap((x: Array) => x, { inAxes: [0, 0] })(np.array([1])), ValueError);
});

class Counter extends Module {
  readonly index: StateIndex<Array>;
  readonly step: number;
  constructor(step: number) {
    super();
    this.index = new StateIndex(np.array([0, 0]));
    this.step = step;
  }
  call(x: Array, state: State): [Array, State] {
    const c = state.get(this.index);
    return [x.add(c), state.set(this.index, c.add(this.step))];
  }
}

class Two extends Module {
  readonly a: Counter;
  readonly b: Counter;
  constructor() {
    super();
    this.a = new Counter(1);
    this.b = new Counter(10);
  }
}

test("State threads through calls; set returns a new state and invalidates the old one", () => {
  const [model, s0] = makeWithState(Two)();
  assert.deepEqual(s0.keys(), ["Two.a.index", "Two.b.index"]);
  assert.equal(model.a.index.init instanceof Module, true, "the initial value was removed from the model");
  const keep = cloneState(s0);
  const [y1, s1] = model.a.call(np.array([5, 5]), s0);
  assert.deepEqual(y1.tolist(), [5, 5]);
  assert.throws(() => s0.get(model.a.index), /old State/);
  const [y2, s2] = model.a.call(np.array([5, 5]), s1);
  assert.deepEqual(y2.tolist(), [6, 6]);
  assert.deepEqual(s2.get(model.b.index).tolist(), [0, 0]);
  assert.deepEqual(keep.get(model.a.index).tolist(), [0, 0], "a clone stays valid");
  assert.throws(() => s2.set(model.a.index, np.array([1, 2, 3])), /different structures, shapes or dtypes/);
  assert.throws(() => new State(model), /already removed/);
  // Two calls of makeWithState give interchangeable models and states.
  const [model2] = makeWithState(Two)();
  assert.deepEqual(model2.b.call(np.array([0, 0]), cloneState(s2))[0].tolist(), [0, 0]);
  // substate / update.
  const sub = s2.substate(model.b);
  assert.deepEqual(sub.keys(), ["Two.b.index"]);
  const [, sub2] = model.b.call(np.array([0, 0]), sub);
  const s3 = s2.update(sub2);
  assert.deepEqual(s3.get(model.b.index).tolist(), [10, 10]);
});

test("State is a pytree: it goes through filterJit and keeps its keys", () => {
  const [model, s0] = makeWithState(Two)();
  let traces = 0;
  const step = filterJit((m: Two, x: Array, s: State) => {
    traces++;
    const [y, s1] = m.a.call(x, s);
    const [z, s2] = m.b.call(y, s1);
    return [z, s2] as const;
  });
  let s = s0;
  let z: Array = np.array([0, 0]);
  for (let i = 0; i < 3; i++) [z, s] = step(model, np.array([1, 1]), s) as unknown as [Array, State];
  assert.equal(traces, 1);
  assert.ok(s instanceof State);
  // After two previous steps the counters are a = 2, b = 20: z = 1 + 2 + 20.
  assert.deepEqual(z.tolist(), [23, 23]);
  assert.deepEqual(s.get(model.a.index).tolist(), [3, 3]);
  assert.match(String(s), /Two\.b\.index/);
  assert.ok(treeAt((m: Two) => m.a.step, model, 5).a.step === 5);
});

test("plain jit also retraces when a module's static field changes (the aux data is in core's cache key)", () => {
  let traces = 0;
  const f = jit((m: Affine) => {
    traces++;
    return m.weight.mul(m.scale);
  });
  assert.deepEqual(f(new Affine(np.array([1]), np.array([0]), 2)).tolist(), [2]);
  assert.deepEqual(f(new Affine(np.array([5]), np.array([0]), 2)).tolist(), [10]);
  assert.deepEqual(f(new Affine(np.array([1]), np.array([0]), 3)).tolist(), [3]);
  assert.equal(traces, 2);
});
