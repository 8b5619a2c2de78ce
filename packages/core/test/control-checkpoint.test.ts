import { test } from "node:test";
import assert from "node:assert/strict";
import { np, lax, grad, jit, vmap, jvp, makeJaxpr, checkpoint, remat, checkpointPolicies, type Array } from "linax-ts";
import { assertClose } from "@linax-ts/testing";

// A small two-layer block: y = sin(W·x) ⊙ x, summed.
const block = (w: Array, x: Array) => lax.mul(lax.sin(lax.mul(w, x)), x);
const loss = (f: typeof block) => (w: Array, x: Array) => np.sum(f(w, f(w, x)));
const w = np.array([0.3, -1.2, 0.8]);
const x = np.array([1.5, 0.4, -0.7]);

test("checkpoint computes the same values and gradients", () => {
  const plain = loss(block);
  const ck = loss(checkpoint(block));
  assertClose(ck(w, x), plain(w, x), { rtol: 1e-6 });
  const [gw, gx] = grad(ck, { argnums: [0, 1] })(w, x) as Array[];
  const [pw, px] = grad(plain, { argnums: [0, 1] })(w, x) as Array[];
  assertClose(gw, pw, { rtol: 1e-6 });
  assertClose(gx, px, { rtol: 1e-6 });
  assertClose(grad(loss(remat(block)))(w, x) as Array, pw, { rtol: 1e-6 });
  for (const policy of Object.values(checkpointPolicies)) {
    assertClose(grad(loss(checkpoint(block, { policy })))(w, x) as Array, pw, { rtol: 1e-6 });
  }
});

test("checkpoint recomputes the forward pass inside the backward pass (unless the policy saves it)", () => {
  const f = checkpoint((v: Array) => lax.sin(lax.sin(v)));
  const s = String(makeJaxpr(grad(f))(np.array(0.5)));
  // The primal sin is recomputed inside the transposed remat, next to the cosines.
  const body = s.slice(s.indexOf("remat["));
  assert.match(body, /sin a/, s);
  assert.match(body, /cos/, s);
  const saved = checkpoint((v: Array) => lax.sin(lax.sin(v)), { policy: checkpointPolicies.everythingSaveable });
  const s2 = String(makeJaxpr(grad(saved))(np.array(0.5)));
  const body2 = s2.slice(s2.indexOf("remat["));
  assert.ok(!/ sin /.test(body2), s2);
  assertClose(grad(f)(np.array(0.5)) as Array, Math.cos(Math.sin(0.5)) * Math.cos(0.5), { rtol: 1e-6 });
});

test("checkpoint composes with jit, vmap, jvp, higher derivatives and scan", () => {
  const ck = loss(checkpoint(block));
  const plain = loss(block);
  assertClose(jit(grad(ck))(w, x) as Array, grad(plain)(w, x) as Array, { rtol: 1e-6 });
  assertClose(grad(jit(ck))(w, x) as Array, grad(plain)(w, x) as Array, { rtol: 1e-6 });
  const ws = np.array([
    [0.3, -1.2, 0.8],
    [1, 2, 3],
  ]);
  assertClose(
    vmap(grad(ck), { inAxes: [0, null] })(ws, x) as Array,
    vmap(grad(plain), { inAxes: [0, null] })(ws, x) as Array,
    { rtol: 1e-6 },
  );
  assertClose(jvp((v: Array) => ck(v, x), [w], [x])[1], jvp((v: Array) => plain(v, x), [w], [x])[1], { rtol: 1e-6 });
  const h = (v: Array) => np.sum(checkpoint((u: Array) => lax.mul(lax.sin(u), u))(v));
  assertClose(grad(grad(h))(np.array(0.7)) as Array, 2 * Math.cos(0.7) - 0.7 * Math.sin(0.7), { rtol: 1e-5 });
  // The usual use: a checkpointed scan body.
  const step = (c: Array, xi: Array): [Array, Array] => [lax.tanh(lax.add(lax.mul(c, w), xi)), c];
  const run = (body: typeof step) => (v: Array) => {
    const [c, ys] = lax.scan(body, v, np.array([x.tolist() as number[], [0.1, 0.2, 0.3]]));
    return np.sum(lax.add(c, lax.reduceSum(ys, [0])));
  };
  assertClose(grad(run(checkpoint(step)))(x) as Array, grad(run(step))(x) as Array, { rtol: 1e-6 });
});
