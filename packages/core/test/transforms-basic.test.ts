import { test } from "node:test";
import assert from "node:assert/strict";
import { np, grad, jvp, vjp, vmap, jit, makeJaxpr, type Array } from "linax-ts";
import { assertClose } from "@linax-ts/testing";

const x = np.array([0.5, -1, 2]);
// f(x) = Σ sin(x)·x  ⇒  f'(x) = cos(x)·x + sin(x)
const f = (v: Array) => np.sum(np.sin(v).mul(v));
const df = [0.5, -1, 2].map((v) => Math.cos(v) * v + Math.sin(v));

test("grad of Σ sin(x)·x matches the hand-derived derivative", () => {
  assertClose(grad(f)(x) as Array, df, { rtol: 1e-6, dtype: "float32", shape: [3] });
});

test("grad of grad of sin is -sin", () => {
  assertClose(grad(grad((s: Array) => np.sin(s)))(1.5) as Array, -Math.sin(1.5), { rtol: 1e-6 });
});

test("jvp of exp at 0 and 1", () => {
  const [p, t] = jvp((a: Array) => np.exp(a), [np.array([0, 1])], [np.array([2, 1])]);
  assertClose(p, [1, Math.E], { rtol: 1e-6 });
  assertClose(t, [2, Math.E], { rtol: 1e-6 });
});

test("vjp of elementwise product pulls back y·ct and x·ct", () => {
  const [out, pb] = vjp((a: Array, b: Array) => a.mul(b), np.array([1, 2]), np.array([3, 4]));
  assertClose(out, [3, 8]);
  const [ga, gb] = pb(np.array([1, 10])) as Array[];
  assertClose(ga, [3, 40]);
  assertClose(gb, [1, 20]);
});

test("jit(f) == f, grad(jit(f)) == grad(f), vmap(grad(f)) == stacked grads", () => {
  assertClose(jit(f)(x), f(x), { rtol: 1e-6 });
  assertClose(grad(jit(f))(x) as Array, df, { rtol: 1e-6 });
  const xs = np.array([
    [0.5, -1, 2],
    [1, 2, 3],
  ]);
  const g = vmap(grad(f) as (v: Array) => Array)(xs);
  assertClose(g, [...df, ...[1, 2, 3].map((v) => Math.cos(v) * v + Math.sin(v))], { rtol: 1e-6, shape: [2, 3] });
});

test("makeJaxpr prints JAX-style", () => {
  const s = String(makeJaxpr(f)(x));
  assert.equal(
    s,
    "{ lambda a:f32[3]. let\n  b:f32[3] = sin a\n  c:f32[3] = mul b a\n  d:f32[] = reduceSum[axes=(0)] c\nin (d) }",
  );
});

test("grad through a jit nested inside a jit (the jaxpr-level partial-eval split of the call)", () => {
  const inner = jit((a: Array, w: Array) => np.sin(a).mul(w));
  const h = jit((v: Array) => np.sum(inner(v, np.cos(v)).mul(v)));
  // h(x) = Σ ½·sin(2x)·x  ⇒  h'(x) = cos(2x)·x + ½·sin(2x)
  const xs = [0.3, 1.2];
  assertClose(
    grad(h)(np.array(xs)) as Array,
    xs.map((v) => Math.cos(2 * v) * v + 0.5 * Math.sin(2 * v)),
    { rtol: 1e-5, atol: 1e-6 },
  );
});
