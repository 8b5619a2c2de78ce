/**
 * JAX-style immutable user code with the libraries TypeScript users reach for:
 * - immer's `produce` over a pytree of arrays (training state: parameters + optax-style optimizer
 *   state; an `immerable` module): arrays are leaves (immer never drafts or freezes them), the
 *   untouched subtrees are shared, the original is unchanged, and the result is still a pytree our
 *   transforms accept. Typed code wraps a new array written into a draft in immer's `castDraft`
 *   (immer's `Draft<T>` maps every object type, our `Array` class included, to a writable copy
 *   of its type; `castDraft` is immer's documented marker for values that are not drafts);
 * - fp-ts `pipe` / `flow`: our transforms are unary function combinators, so
 *   `pipe(loss, grad, jit)` is `jit(grad(loss))` — with the static types carried through (checked
 *   by tsc on this file) and the values checked by hand.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { castDraft, immerable, produce } from "immer";
import { flow, pipe } from "fp-ts/function";
import { grad, jit, nn, np, treeFlatten, vmap, type JaxArray } from "linax-ts";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<T extends true>(_ok: T): void {}

type Params = { w: JaxArray; b: JaxArray };
const xs = np.array([
  [1, 0],
  [0, 2],
  [1, 1],
]);
const ys = np.array([1, 2, 3]);
// L(w, b) = Σ (x·w + b − y)²; at w = [0, 0], b = 0: residuals [-1, -2, -3],
// ∂L/∂w = 2 Xᵀr = 2·[-1 - 3, -4 - 3] = [-8, -14], ∂L/∂b = 2 Σ r = -12.
const loss = (p: Params): JaxArray => np.sum(np.square(xs.matmul(p.w).add(p.b).sub(ys)));

test("immer produce over { params, optState }: one adam step written into a draft", () => {
  const params: Params = { w: np.zeros([2]), b: np.array(0) };
  const opt = nn.optim.adam(0.1);
  const state = { step: 0, params, opt: opt.init(params) };
  const g = grad(loss)(state.params);
  assert.deepEqual([g.w.tolist(), g.b.tolist()], [[-8, -14], -12]);
  const next = produce(state, (d) => {
    const [updates, optState] = opt.update(g, d.opt, d.params);
    // applyUpdates is generic in the tree, so it returns the draft's own type: no cast needed here.
    d.params = nn.optim.applyUpdates(d.params, updates);
    d.opt = optState;
    d.step += 1;
  });
  // Adam's first step is −lr·ĝ/(|ĝ| + ε) ≈ −0.1·sign(g): every parameter moves by +0.1.
  const close = (v: unknown, want: number[]) =>
    (v as number[]).forEach((e, i) => assert.ok(Math.abs(e - want[i]) < 1e-6, `${e} vs ${want[i]}`));
  close(next.params.w.tolist(), [0.1, 0.1]);
  close([next.params.b.tolist() as number], [0.1]);
  assert.equal(next.step, 1);
  // The original state is untouched; immer froze the new containers but not our arrays.
  assert.deepEqual(state.params.w.tolist(), [0, 0]);
  assert.equal(state.step, 0);
  assert.ok(Object.isFrozen(next) && Object.isFrozen(next.params));
  assert.ok(!Object.isFrozen(next.params.w));
  // Same tree structure as before: the produced state goes straight back into jit / grad.
  assert.ok(treeFlatten(next)[1].equals(treeFlatten(state)[1]));
  const jl = jit(loss);
  // L at w = b = 0.1: residuals [-0.8, -1.7, -2.7] → 0.64 + 2.89 + 7.29 = 10.82.
  assert.ok(Math.abs(jl(next.params).item() - 10.82) < 1e-4);
});

test("immer produce shares untouched subtrees and leaves a no-op recipe's state identical", () => {
  const state = { params: { w: np.array([1, 2]), b: np.array(3) }, frozen: { emb: np.ones([2, 2]) } };
  const next = produce(state, (d) => {
    d.params.b = castDraft(d.params.b.add(1));
  });
  assert.equal(next.frozen, state.frozen, "an untouched subtree is the same object");
  assert.equal(next.params.w, state.params.w, "an untouched array leaf is the same array");
  assert.notEqual(next.params, state.params);
  assert.equal(next.params.b.tolist(), 4);
  assert.equal(
    produce(state, () => {}),
    state,
  );
});

/** A user module marked `immerable`: immer drafts it like a plain object, keeping its class. */
class Affine extends nn.Module {
  static [immerable] = true;
  readonly w: JaxArray;
  readonly b: JaxArray;
  constructor(w: JaxArray, b: JaxArray) {
    super();
    this.w = w;
    this.b = b;
  }
  call(x: JaxArray): JaxArray {
    return x.matmul(this.w).add(this.b);
  }
}

test("immer produce over an immerable nn.Module: the result is still the module class and a pytree", () => {
  const m = new Affine(np.array([1, 2]), np.array(3));
  const m2 = produce(m, (d) => {
    d.w = castDraft(d.w.mul(10));
  });
  assert.ok(m2 instanceof Affine);
  assert.deepEqual(m2.w.tolist(), [10, 20]);
  assert.deepEqual(m.w.tolist(), [1, 2]);
  assert.equal(m2.b, m.b);
  assert.deepEqual(m2.call(np.array([[1, 1]])).tolist(), [33]);
  // grad over the produced module: d/dw Σ (x·w + b) = Σ_rows x = [2, 1]; d/db = 2 rows.
  const gm = grad((mm: Affine) =>
    np.sum(
      mm.call(
        np.array([
          [1, 0],
          [1, 1],
        ]),
      ),
    ),
  )(m2);
  assert.ok(gm instanceof Affine);
  assert.deepEqual([gm.w.tolist(), gm.b.tolist()], [[2, 1], 2]);
});

test("fp-ts pipe / flow compose our transforms: pipe(loss, grad, jit), flow(grad, grad), per-example grads", () => {
  const sq = (w: JaxArray): JaxArray => np.sum(w.mul(w));
  const dsq = pipe(sq, grad, jit);
  expectType<Equal<ReturnType<typeof dsq>, JaxArray>>(true);
  assert.deepEqual(dsq(np.array([1, -2])).tolist(), [2, -4]);
  // The parameter types flow through: the gradient of a Params loss is a Params.
  const dloss = pipe(loss, grad, jit);
  expectType<Equal<ReturnType<typeof dloss>, Params>>(true);
  const gp = dloss({ w: np.zeros([2]), b: np.array(0) });
  assert.deepEqual([gp.w.tolist(), gp.b.tolist()], [[-8, -14], -12]);
  // d²/dx² sin x = −sin x; flow builds the combinator first (TypeScript cannot infer a generic
  // transform passed to another generic combinator, so the pipeline names its function type).
  const d2 = pipe((x: JaxArray) => np.sin(x), grad, grad);
  const second = flow(
    (f: (x: JaxArray) => JaxArray) => grad(f),
    (df) => grad(df),
    jit,
  );
  expectType<Equal<ReturnType<ReturnType<typeof second>>, JaxArray>>(true);
  assert.ok(Math.abs(second(np.cos)(np.array(0.7)).item() + Math.cos(0.7)) < 1e-6);
  assert.ok(Math.abs(d2(np.array(0.7)).item() + Math.sin(0.7)) < 1e-6);
  // Per-example gradients: vmap(grad(f)) over the rows of a batch, then jit.
  const perExample = pipe(sq, grad, vmap, jit);
  expectType<Equal<ReturnType<typeof perExample>, JaxArray>>(true);
  assert.deepEqual(
    perExample(
      np.array([
        [1, 2],
        [3, -1],
      ]),
    ).tolist(),
    [
      [2, 4],
      [6, -2],
    ],
  );
});
