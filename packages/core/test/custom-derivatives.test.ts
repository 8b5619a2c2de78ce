import { test } from "node:test";
import assert from "node:assert/strict";
import {
  np,
  lax,
  grad,
  jit,
  vmap,
  jvp,
  vjp,
  makeJaxpr,
  customJvp,
  customVjp,
  stopGradient,
  ValueError,
  type Array,
} from "linax-ts";
import { assertClose } from "@linax-ts/testing";

// JAX's docs example: log(1 + eˣ) whose naive derivative is inf/inf = NaN for large x.
const log1pexp = customJvp((x: Array) => lax.log(lax.add(np.array(1), lax.exp(x))));
log1pexp.defjvp(([x], [t]) => [
  log1pexp(x),
  lax.mul(t, lax.sub(np.array(1), lax.div(np.array(1), lax.add(np.array(1), lax.exp(x))))),
]);
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

test("customJvp: values, and the custom rule under grad / jit / vmap", () => {
  assertClose(log1pexp(np.array(0.5)), Math.log(1 + Math.exp(0.5)), { rtol: 1e-6 });
  assertClose(grad(log1pexp)(np.array(0.5)) as Array, sigmoid(0.5), { rtol: 1e-6 });
  // The naive derivative is NaN at 100; the rule gives 1.
  assertClose(grad(log1pexp)(np.array(100)) as Array, 1);
  assertClose(jit(grad(log1pexp))(np.array(100)) as Array, 1);
  assertClose(grad(jit(log1pexp))(np.array(100)) as Array, 1);
  assertClose(vmap(grad(log1pexp) as (x: Array) => Array)(np.array([100, 0.5, -2])), [1, sigmoid(0.5), sigmoid(-2)], {
    rtol: 1e-6,
  });
  assertClose(grad((x: Array) => np.sum(vmap(log1pexp)(x)))(np.array([100, 0.5])) as Array, [1, sigmoid(0.5)], {
    rtol: 1e-6,
  });
  const [p, t] = jvp(log1pexp, [np.array(10)], [np.array(3)]);
  assertClose(p, Math.log(1 + Math.exp(10)), { rtol: 1e-6 });
  assertClose(t, 3 * sigmoid(10), { rtol: 1e-6 });
  assertClose(jvp(log1pexp, [np.array(100)], [np.array(3)])[1], 3);
  // Second derivative: differentiate through the rule (σ' = σ(1-σ)).
  assertClose(grad(grad(log1pexp))(np.array(0.5)) as Array, sigmoid(0.5) * (1 - sigmoid(0.5)), { rtol: 1e-5 });
});

test("customJvp with several pytree arguments uses the rule's tangents, not the function's", () => {
  // A deliberately "wrong" rule makes it observable: d/dx reported as 10·y.
  const f = customJvp((p: { x: Array; y: Array }) => lax.mul(p.x, p.y));
  f.defjvp(([p], [t]) => [f(p), lax.add(lax.mul(np.array(10), lax.mul(t.x, p.y)), lax.mul(p.x, t.y))]);
  const g = grad(f)({ x: np.array(2), y: np.array(3) }) as { x: Array; y: Array };
  assertClose(g.x, 30);
  assertClose(g.y, 2);
  // safeLog: log with a derivative that is 0 (not inf) at 0.
  const safeLog = customJvp((x: Array) => lax.log(x));
  safeLog.defjvp(([x], [t]) => {
    // The "double where": no inf/NaN in the unselected branch, so its zero cotangent stays zero.
    const pos = lax.gt(x, np.array(0));
    return [safeLog(x), lax.select(pos, lax.div(t, lax.select(pos, x, np.array(1))), lax.mul(t, np.array(0)))];
  });
  assertClose(vmap(grad(safeLog) as (x: Array) => Array)(np.array([0, 2])), [0, 0.5]);
});

test("customJvp in the staged jaxpr; a missing rule is an error", () => {
  const s = String(makeJaxpr(log1pexp)(np.array(1)));
  assert.match(s, /customJvpCall\[name=/);
  const noRule = customJvp((x: Array) => x);
  assert.throws(
    () => noRule(np.array(1)),
    (e: unknown) => e instanceof ValueError && /defjvp/.test(e.message),
  );
});

// JAX's docs example: identity forward, clipped cotangent backward.
const clipGradient = customVjp((lo: Array, hi: Array, x: Array) => x);
clipGradient.defvjp(
  (lo: Array, hi: Array, x: Array) => [x, [lo, hi]],
  ([lo, hi]: Array[], g: Array) => [null, null, lax.clamp(lo, g, hi)],
);
const lo = np.array(-1);
const hi = np.array(1);

test("customVjp: the custom backward pass under grad / jit / vmap", () => {
  const f = (x: Array) => lax.mul(np.array(5), clipGradient(lo, hi, x));
  assertClose(f(np.array(2)), 10);
  assertClose(grad(f)(np.array(2)) as Array, 1);
  assertClose(grad(lax.sin)(np.array(2)) as Array, Math.cos(2), { rtol: 1e-6 });
  assertClose(jit(grad(f))(np.array(2)) as Array, 1);
  assertClose(grad(jit(f))(np.array(2)) as Array, 1);
  const gneg = grad((x: Array) => lax.mul(np.array(-0.5), clipGradient(lo, hi, x)))(np.array(2));
  assertClose(gneg as Array, -0.5);
  assertClose(vmap(grad(f) as (x: Array) => Array)(np.array([2, 3])), [1, 1]);
  // vmap inside grad: the batched bwd; an unbatched argument's cotangent is summed over the batch.
  const g2 = grad((x: Array) => np.sum(lax.mul(np.array([5, 0.25]), vmap((v: Array) => clipGradient(lo, hi, v))(x))))(
    np.array([2, 3]),
  );
  assertClose(g2 as Array, [1, 0.25]);
  const gw = grad((w: Array) =>
    np.sum(vmap((v: Array) => clipGradient(lo, hi, lax.mul(v, w)), { inAxes: 0 })(np.array([2, 3]))),
  )(np.array(1));
  assertClose(gw as Array, 5);
});

test("customVjp residuals are passed to bwd; vjp with a pytree output", () => {
  let fwdCalls = 0;
  const sinCos = customVjp((x: Array) => ({ s: lax.sin(x), c: lax.cos(x) }));
  sinCos.defvjp(
    (x: Array) => {
      fwdCalls++;
      return [
        { s: lax.sin(x), c: lax.cos(x) },
        { cx: lax.cos(x), sx: lax.sin(x) },
      ];
    },
    (r: { cx: Array; sx: Array }, ct: { s: Array; c: Array }) => [lax.sub(lax.mul(ct.s, r.cx), lax.mul(ct.c, r.sx))],
  );
  const [out, pb] = vjp(sinCos, np.array(0.3));
  assertClose((out as { s: Array }).s, Math.sin(0.3), { rtol: 1e-6 });
  const [gx] = pb({ s: np.array(1), c: np.array(2) }) as Array[];
  assertClose(gx, Math.cos(0.3) - 2 * Math.sin(0.3), { rtol: 1e-6 });
  assert.ok(fwdCalls >= 1);
});

test("customVjp under forward mode raises JAX's error; missing rules are an error", () => {
  assert.throws(
    () => jvp((x: Array) => clipGradient(lo, hi, x), [np.array(2)], [np.array(1)]),
    (e: unknown) =>
      e instanceof ValueError && /can't apply forward-mode autodiff \(jvp\) to a custom_vjp function/.test(e.message),
  );
  const noRule = customVjp((x: Array) => x);
  assert.throws(() => noRule(np.array(1)), /defvjp/);
  const bad = customVjp((x: Array) => x);
  // A bwd returning the wrong number of cotangents is a type error too; the run-time check is tested here.
  // (Not reformatted: the expected error must stay on the line after its @ts-expect-error.)
  // prettier-ignore
  // @ts-expect-error — one cotangent per argument
  bad.defvjp((x: Array) => [x, null], () => []);
  assert.throws(() => grad(bad)(np.array(1)), /one cotangent per argument/);
});

test("stopGradient blocks derivatives under grad / jit / vmap and passes values through", () => {
  const f = (x: Array) => lax.mul(x, stopGradient(x));
  assertClose(f(np.array(3)), 9);
  assertClose(grad(f)(np.array(3)) as Array, 3);
  assertClose(jit(grad(f))(np.array(3)) as Array, 3);
  assertClose(vmap(grad(f) as (x: Array) => Array)(np.array([1, 2])), [1, 2]);
  const [, t] = jvp(f, [np.array(3)], [np.array(1)]);
  assertClose(t, 3);
  // Pytrees; integer leaves pass through untouched.
  const tree = stopGradient({ a: np.array(1), n: np.array(2, { dtype: "int32" }) });
  assert.equal(tree.n.dtype, "int32");
});

test("differentiating a value a custom-derivative function closes over is an error, not a silent zero", () => {
  const byW = (w: Array) => {
    const f = customJvp((x: Array) => lax.mul(x, w));
    f.defjvp(([x], [t]) => [f(x), lax.mul(t, w)]);
    return f(np.array(2));
  };
  assert.throws(
    () => grad(byW)(np.array(3)),
    (e: unknown) => e instanceof ValueError && /closes over a value/.test(e.message),
  );
  // Passing it explicitly works.
  const f2 = customJvp((x: Array, w: Array) => lax.mul(x, w));
  f2.defjvp(([x, w], [tx, tw]) => [f2(x, w), lax.add(lax.mul(tx, w), lax.mul(x, tw))]);
  assertClose(grad(f2, { argnums: 1 })(np.array(2), np.array(3)) as Array, 2);
  // Closing over a constant (or a non-differentiated value) is fine.
  const c = np.array(4);
  const f3 = customVjp((x: Array) => lax.mul(x, c));
  f3.defvjp(
    (x: Array) => [lax.mul(x, c), null],
    (_r: null, g: Array) => [lax.mul(g, c)],
  );
  assertClose(grad(f3)(np.array(1)) as Array, 4);
});
