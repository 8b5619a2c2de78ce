import { test } from "node:test";
import assert from "node:assert/strict";
import { np, treeLeavesWithPath, type Array } from "linax-ts";
import { assertClose } from "@linax-ts/testing";
import { Module, optim, filter, isArray, filterJit, treeAt } from "@linax-ts/nn";
import { nums } from "./finite-differences.ts";

class Lin extends Module {
  readonly w: Array;
  readonly b: Array;
  readonly steps: Array;
  readonly name: string;
  constructor(w: number[], b: number[]) {
    super();
    this.w = np.array(w);
    this.b = np.array(b);
    this.steps = np.array([7], { dtype: "int32" });
    this.name = "lin";
  }
}

// Gradient sequences fed to the optimizers (one per step, for w and b).
const gradSeq = [
  { w: [0.5, -1], b: [2] },
  { w: [0.1, 0.3], b: [-1] },
  { w: [-0.7, 0.2], b: [0.5] },
  { w: [1.5, -0.4], b: [0] },
];
const gradsTree = (g: { w: number[]; b: number[] }, model: Lin) =>
  treeAt((m: Lin) => [m.w, m.b, m.steps], model, [np.array(g.w), np.array(g.b), null]);

/** Run an optimizer over gradSeq; returns the final [w, b] and the final state. */
function run(opt: optim.GradientTransformation, jitted = false): [number[], number[], unknown] {
  let model = new Lin([1, 2], [3]);
  let state = opt.init(filter(model, isArray));
  const step = (m: Lin, s: unknown, g: unknown) => {
    const [u, s2] = opt.update(g, s, filter(m, isArray));
    return [optim.applyUpdates(m, u), s2] as const;
  };
  const f = jitted ? filterJit(step) : step;
  for (const g of gradSeq) [model, state] = f(model, state, gradsTree(g, model)) as unknown as [Lin, unknown];
  assert.deepEqual(model.steps.tolist(), [7], "int leaves are not updated");
  return [nums(model.w), nums(model.b), state];
}

/** Host float64 reference over flat params p (w then b). */
function hostRun(update: (p: number[], g: number[], t: number, s: Record<string, number[]>) => number[]): number[] {
  let p = [1, 2, 3];
  const s: Record<string, number[]> = {};
  gradSeq.forEach((g, i) => (p = update(p, [...g.w, ...g.b], i + 1, s)));
  return p;
}

test("sgd, sgd with momentum and Nesterov momentum match the update rules", () => {
  const lr = 0.1;
  const plain = hostRun((p, g) => p.map((v, i) => v - lr * g[i]));
  assertClose(run(optim.sgd(lr)).slice(0, 2).flat() as number[], plain, { rtol: 1e-6 });
  for (const nesterov of [false, true]) {
    const ref = hostRun((p, g, _t, s) => {
      const tr = (s.tr ??= [0, 0, 0]);
      for (let i = 0; i < 3; i++) tr[i] = g[i] + 0.9 * tr[i];
      return p.map((v, i) => v - lr * (nesterov ? g[i] + 0.9 * tr[i] : tr[i]));
    });
    const [w, b] = run(optim.sgd(lr, { momentum: 0.9, nesterov }));
    assertClose([...w, ...b], ref, { rtol: 1e-5 });
  }
});

function adamRef(lr: number, wd = 0): number[] {
  const [b1, b2, eps] = [0.9, 0.999, 1e-8];
  return hostRun((p, g, t, s) => {
    const m = (s.m ??= [0, 0, 0]);
    const v = (s.v ??= [0, 0, 0]);
    return p.map((x, i) => {
      m[i] = b1 * m[i] + (1 - b1) * g[i];
      v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
      const mh = m[i] / (1 - b1 ** t);
      const vh = v[i] / (1 - b2 ** t);
      return x - lr * (mh / (Math.sqrt(vh) + eps) + wd * x);
    });
  });
}

test("adam and adamw match a float64 reference, eagerly and under filterJit", () => {
  const [w, b, state] = run(optim.adam(0.05));
  assertClose([...w, ...b], adamRef(0.05), { rtol: 1e-5 });
  const [wj, bj] = run(optim.adam(0.05), true);
  assertClose([...wj, ...bj], adamRef(0.05), { rtol: 1e-5 });
  // The state is a pytree keyed like the model: [adam state, lr state].
  const paths = treeLeavesWithPath(state).map(([p]) => p.join("."));
  assert.deepEqual(paths, ["0.count", "0.mu.w", "0.mu.b", "0.nu.w", "0.nu.b"]);
  const [ww, bw] = run(optim.adamw(0.05, { weightDecay: 0.1 }));
  assertClose([...ww, ...bw], adamRef(0.05, 0.1), { rtol: 1e-5 });
});

test("lion matches its update rule", () => {
  const [lr, b1, b2, wd] = [0.01, 0.9, 0.99, 1e-3];
  const ref = hostRun((p, g, _t, s) => {
    const m = (s.m ??= [0, 0, 0]);
    return p.map((x, i) => {
      const u = Math.sign((1 - b1) * g[i] + b1 * m[i]);
      m[i] = (1 - b2) * g[i] + b2 * m[i];
      return x - lr * (u + wd * x);
    });
  });
  const [w, b] = run(optim.lion(lr));
  assertClose([...w, ...b], ref, { rtol: 1e-6 });
});

test("clipByGlobalNorm rescales only when the norm exceeds the limit", () => {
  const clip = optim.clipByGlobalNorm(1);
  const g = { a: np.array([3, 0]), b: np.array([4]) };
  const [u] = clip.update(g, clip.init(g));
  const uu = u as typeof g;
  assertClose(uu.a, [0.6, 0], { rtol: 1e-6 });
  assertClose(uu.b, [0.8], { rtol: 1e-6 });
  const [v] = clip.update({ a: np.array([0.3, 0]), b: np.array([0.4]) }, {});
  assertClose((v as typeof g).b, [0.4], { rtol: 1e-6 });
  assertClose(optim.globalNorm(g), [5]);
});

test("chain(clip, adam) and addDecayedWeights with a mask", () => {
  const opt = optim.chain(
    optim.clipByGlobalNorm(0.5),
    optim.addDecayedWeights(0.5, (p: unknown) => (p as Array).ndim > 0 && (p as Array).shape[0] === 2),
    optim.sgd(1),
  );
  const params = { w: np.array([1, 2]), b: np.array([3]) };
  const s = opt.init(params);
  const [u] = opt.update({ w: np.array([3, 0]), b: np.array([4]) }, s, params);
  // clip → w [0.3, 0], b [0.4]; decay only w: + 0.5·[1, 2]; sgd(1) negates.
  assertClose((u as typeof params).w, [-(0.3 + 0.5), -(0 + 1)], { rtol: 1e-6 });
  assertClose((u as typeof params).b, [-0.4], { rtol: 1e-6 });
});

test("schedules follow optax's formulas", () => {
  const at = (s: optim.Schedule, c: number) => np.asArray(s(np.array(c, { dtype: "int32" }))).item();
  assert.equal(at(optim.constant(0.3), 10), Math.fround(0.3));
  const lin = optim.linear({ initValue: 1, endValue: 0.1, transitionSteps: 10, transitionBegin: 2 });
  assertClose([at(lin, 0), at(lin, 2), at(lin, 7), at(lin, 12), at(lin, 100)], [1, 1, 0.55, 0.1, 0.1], { rtol: 1e-6 });
  const cos = optim.cosineDecay({ initValue: 2, decaySteps: 100, alpha: 0.1 });
  const cref = (c: number) => 2 * (0.9 * 0.5 * (1 + Math.cos((Math.PI * Math.min(c, 100)) / 100)) + 0.1);
  assertClose(
    [0, 25, 50, 100, 150].map((c) => at(cos, c)),
    [0, 25, 50, 100, 150].map(cref),
    { rtol: 1e-6 },
  );
  const wc = optim.warmupCosineDecay({ initValue: 0, peakValue: 1, warmupSteps: 10, decaySteps: 110, endValue: 0.1 });
  const wref = (c: number) =>
    c < 10 ? c / 10 : 1 * (0.9 * 0.5 * (1 + Math.cos((Math.PI * Math.min(c - 10, 100)) / 100)) + 0.1);
  assertClose(
    [0, 5, 10, 60, 110, 200].map((c) => at(wc, c)),
    [0, 5, 10, 60, 110, 200].map(wref),
    { rtol: 1e-6, atol: 1e-7 },
  );
  // A scheduled learning rate inside sgd: step i uses lr(i).
  const opt = optim.sgd(optim.linear({ initValue: 1, endValue: 0, transitionSteps: 4 }));
  let s = opt.init({ p: np.array([0]) });
  const got: number[] = [];
  for (let i = 0; i < 3; i++) {
    const [u, s2] = opt.update({ p: np.array([1]) }, s);
    got.push(nums((u as { p: Array }).p)[0]);
    s = s2;
  }
  assertClose(got, [-1, -0.75, -0.5], { rtol: 1e-6 });
});

test("multiTransform gives each labelled group its own optimizer", () => {
  const model = new Lin([1, 2], [3]);
  const labels = { w: "sgd", b: "frozen", steps: "frozen" };
  const opt = optim.multiTransform({ sgd: optim.sgd(0.5), frozen: optim.sgd(0) }, labels);
  const params = filter(model, isArray);
  const s = opt.init(params);
  const [u] = opt.update(gradsTree(gradSeq[0], model), s, params);
  const m2 = optim.applyUpdates(model, u);
  assertClose(m2.w, [1 - 0.25, 2 + 0.5], { rtol: 1e-6 });
  assertClose(m2.b, [3], { rtol: 1e-6 });
  // Labels as a function of the params, with Adam on one group (state has a slot per label).
  const opt2 = optim.multiTransform({ a: optim.adam(0.1), z: optim.sgd(0) }, (p: unknown) => ({
    w: "a",
    b: "z",
    steps: "z",
    p,
  }));
  const s2 = opt2.init(params);
  assert.deepEqual(Object.keys(s2.innerStates), ["a", "z"]);
  const [u2] = opt2.update(gradsTree(gradSeq[0], model), s2, params);
  // First Adam step moves each parameter by -lr·sign(g).
  assertClose(optim.applyUpdates(model, u2).w, [1 - 0.1, 2 + 0.1], { rtol: 1e-5 });
  assert.throws(
    () => optim.multiTransform({ a: optim.sgd(1) }, { w: "a", b: "nope", steps: "a" }).init(params),
    /label 'nope'/,
  );
});
