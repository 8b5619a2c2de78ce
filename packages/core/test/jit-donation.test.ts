// jit's donateArgnums (JAX's donate_argnums): donated arrays are deleted by the call, results are
// those of the undonated call, and the cases JAX does not donate (traced calls, a buffer passed
// twice, an input returned as an output) keep their arrays. Compiled and interpreted alike.
import { test } from "node:test";
import assert from "node:assert/strict";
import { config, grad, jit, np, UseAfterDisposeError, ValueError, vmap, type Array } from "linax-ts";

const f = (x: Array, y: Array): Array => np.add(np.multiply(np.tanh(x), 2), np.sum(y));

for (const jitCompile of [true, false]) {
  const mode = jitCompile ? "compiled" : "interpreted";

  test(`${mode}: donated arguments are deleted and the result equals the undonated call`, () => {
    config.update("jitCompile", jitCompile);
    try {
      const want = jit(f)(np.array([0.5, -1, 2]), np.array([1, 2]));
      const x = np.array([0.5, -1, 2]);
      const y = np.array([1, 2]);
      const got = jit(f, { donateArgnums: 0 })(x, y);
      assert.deepEqual(globalThis.Array.from(got.dataSync()), globalThis.Array.from(want.dataSync()));
      assert.ok(x.isDeleted(), "x was donated");
      assert.ok(!y.isDeleted(), "y was not");
      assert.throws(() => x.dataSync(), UseAfterDisposeError);
      // Negative positions count from the end; pytree arguments donate every leaf.
      const a = np.array([1, 2]);
      const b = np.array([3, 4]);
      const g = jit((t: { a: Array; b: Array }, s: Array) => np.add(np.add(t.a, t.b), s), { donateArgnums: -2 });
      const s = np.array([10, 10]);
      assert.deepEqual(globalThis.Array.from(g({ a, b }, s).dataSync()), [14, 16]);
      assert.ok(a.isDeleted() && b.isDeleted() && !s.isDeleted());
    } finally {
      config.update("jitCompile", true);
    }
  });

  test(`${mode}: not donated — a buffer passed twice, and an input returned as it is`, () => {
    config.update("jitCompile", jitCompile);
    try {
      const x = np.array([1, 2, 3]);
      const twice = jit((p: Array, q: Array) => np.add(p, q), { donateArgnums: 0 })(x, x);
      assert.deepEqual(globalThis.Array.from(twice.dataSync()), [2, 4, 6]);
      assert.ok(!x.isDeleted(), "x is also passed undonated, so it is kept");
      const same = jit((p: Array) => p, { donateArgnums: 0 })(x);
      assert.deepEqual(
        globalThis.Array.from(same.dataSync()),
        [1, 2, 3],
        "the output that is the donated input survives",
      );
    } finally {
      config.update("jitCompile", true);
    }
  });
}

test("donation applies to concrete calls only: under grad and vmap the arguments are tracers and stay", () => {
  const h = jit((x: Array) => np.sum(np.sin(x)), { donateArgnums: 0 });
  const x = np.array([0.1, 0.2]);
  const g = grad(h)(x);
  assert.ok(Math.abs(g.dataSync()[0] - Math.cos(0.1)) < 1e-6);
  assert.ok(!x.isDeleted());
  const v = vmap(h)(np.array([[0.1], [0.2]]));
  assert.equal(v.shape[0], 2);
});

test("bad donateArgnums: out of range, not an integer, or also static", () => {
  const x = np.array([1]);
  assert.throws(
    () => jit(f, { donateArgnums: 2 })(x, x),
    (e: unknown) =>
      e instanceof ValueError && /donateArgnums entry 2 is not an argument position of a call with 2/.test(e.message),
  );
  assert.throws(() => jit(f, { donateArgnums: 0.5 })(x, x), ValueError);
  assert.throws(
    () => jit((a: Array, n: number) => np.multiply(a, n), { staticArgnums: 1, donateArgnums: 1 })(x, 2),
    (e: unknown) => e instanceof ValueError && /both static .* and donated/.test(e.message),
  );
  assert.ok(!x.isDeleted());
});
