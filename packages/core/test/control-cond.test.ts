import { test } from "node:test";
import assert from "node:assert/strict";
import { np, lax, grad, jit, vmap, jvp, makeJaxpr, ShapeError, DTypeError, type Array } from "linax-ts";
import { assertClose } from "@linax-ts/testing";

const i32 = (v: number) => np.array(v, { dtype: "int32" });
// f(x) = x > 0 ? sin(x)·x : x³
const f = (x: Array) =>
  lax.cond(
    lax.gt(x, np.array(0)),
    (v: Array) => lax.mul(lax.sin(v), v),
    (v: Array) => lax.mul(lax.mul(v, v), v),
    x,
  );
const fHost = (x: number) => (x > 0 ? Math.sin(x) * x : x * x * x);
const dfHost = (x: number) => (x > 0 ? Math.cos(x) * x + Math.sin(x) : 3 * x * x);
const pts = [0.7, -0.4, 2.1, -1.5];

test("cond picks the branch by the predicate", () => {
  for (const x of pts) assertClose(f(np.array(x)), fHost(x), { rtol: 1e-6 });
  assertClose(
    lax.cond(
      true,
      () => np.array(1),
      () => np.array(2),
    ),
    1,
  );
  // An integer predicate is compared with 0, as in JAX.
  assertClose(
    lax.cond(
      i32(3),
      () => np.array(1),
      () => np.array(2),
    ),
    1,
  );
  assertClose(
    lax.cond(
      i32(0),
      () => np.array(1),
      () => np.array(2),
    ),
    2,
  );
});

test("cond over pytree operands and outputs, closing over outer values", () => {
  const w = np.array([2, 3]);
  const g = (p: boolean, s: { a: Array; b: Array }) =>
    lax.cond(
      p,
      (t: { a: Array; b: Array }) => ({ out: lax.mul(t.a, w), n: t.b }),
      (t: { a: Array; b: Array }) => ({ out: lax.add(t.a, w), n: lax.neg(t.b) }),
      s,
    );
  const s = { a: np.array([1, 1]), b: np.array(5) };
  const r1 = g(true, s);
  assertClose(r1.out, [2, 3]);
  assertClose(r1.n, 5);
  const r2 = g(false, s);
  assertClose(r2.out, [3, 4]);
  assertClose(r2.n, -5);
});

test("switch selects by index and clamps out-of-range indices", () => {
  const branches = [
    (x: Array) => lax.add(x, np.array(1)),
    (x: Array) => lax.mul(x, np.array(10)),
    (x: Array) => lax.neg(x),
  ];
  const x = np.array(3);
  assertClose(lax.switch(i32(0), branches, x), 4);
  assertClose(lax.switch(i32(1), branches, x), 30);
  assertClose(lax.switch(i32(2), branches, x), -3);
  assertClose(lax.switch(i32(7), branches, x), -3);
  assertClose(lax.switch(i32(-4), branches, x), 4);
  assertClose(jit((i: Array, v: Array) => lax.switch(i, branches, v))(i32(9), x), -3);
});

test("grad of cond and switch matches the branch derivative", () => {
  for (const x of pts) assertClose(grad(f)(np.array(x)) as Array, dfHost(x), { rtol: 1e-5 });
  const sw = (i: Array, x: Array) =>
    lax.switch(i, [(v: Array) => lax.sin(v), (v: Array) => lax.exp(v), (v: Array) => lax.mul(v, v)], x);
  assertClose(grad(sw, { argnums: 1 })(i32(0), np.array(0.3)) as Array, Math.cos(0.3), { rtol: 1e-6 });
  assertClose(grad(sw, { argnums: 1 })(i32(1), np.array(0.3)) as Array, Math.exp(0.3), { rtol: 1e-6 });
  assertClose(grad(sw, { argnums: 1 })(i32(2), np.array(0.3)) as Array, 0.6, { rtol: 1e-6 });
  // Second derivatives and derivatives with respect to closed-over values.
  assertClose(grad(grad(f))(np.array(0.5)) as Array, 2 * Math.cos(0.5) - 0.5 * Math.sin(0.5), { rtol: 1e-5 });
  const closed = (w: Array) =>
    lax.cond(
      true,
      (v: Array) => lax.mul(v, w),
      (v: Array) => v,
      np.array(3),
    );
  assertClose(grad(closed)(np.array(2)) as Array, 3);
});

test("jvp of cond; the jaxpr of grad(cond) has a known and a linear cond", () => {
  const [p, t] = jvp(f, [np.array(0.7)], [np.array(2)]);
  assertClose(p, fHost(0.7), { rtol: 1e-6 });
  assertClose(t, 2 * dfHost(0.7), { rtol: 1e-5 });
  const s = String(makeJaxpr(grad(f))(np.array(0.7)));
  assert.equal((s.match(/= cond\[/g) ?? []).length, 2, s);
});

test("vmap of cond with an unbatched and with a batched predicate equals stacking", () => {
  const xs = np.array(pts);
  assertClose(vmap(f)(xs), pts.map(fHost), { rtol: 1e-6 });
  assertClose(vmap(grad(f) as (x: Array) => Array)(xs), pts.map(dfHost), { rtol: 1e-5 });
  // Unbatched predicate, batched operand.
  const g = (p: boolean) =>
    vmap((x: Array) =>
      lax.cond(
        p,
        (v: Array) => lax.sin(v),
        (v: Array) => lax.cos(v),
        x,
      ),
    )(xs);
  assertClose(g(true), pts.map(Math.sin), { rtol: 1e-6 });
  assertClose(g(false), pts.map(Math.cos), { rtol: 1e-6 });
  // Batched index of switch over batched and unbatched operands.
  const idx = np.array([0, 2, 1, 5], { dtype: "int32" });
  const sw = (i: Array, x: Array, w: Array) =>
    lax.switch(i, [(v: Array) => lax.add(v, w), (v: Array) => lax.mul(v, w), (v: Array) => lax.neg(v)], x);
  const out = vmap(sw, { inAxes: [0, 0, null] })(idx, xs, np.array(3));
  assertClose(out, [pts[0] + 3, -pts[1], pts[2] * 3, -pts[3]], { rtol: 1e-6 });
});

test("grad through a batched-predicate cond does not leak NaNs from the other branch", () => {
  // log is NaN for negative inputs; the chosen branch for those rows is the identity.
  const h = (x: Array) =>
    lax.cond(
      lax.gt(x, np.array(0)),
      (v: Array) => lax.log(v),
      (v: Array) => v,
      x,
    );
  const gs = vmap(grad(h) as (x: Array) => Array)(np.array([2, -1]));
  assertClose(gs, [0.5, 1]);
  const gsum = grad((x: Array) => np.sum(vmap(h)(x)))(np.array([2, -1]));
  assertClose(gsum as Array, [0.5, 1]);
});

test("jit(cond) == cond", () => {
  for (const x of pts) assertClose(jit(f)(np.array(x)), fHost(x), { rtol: 1e-6 });
  assertClose(jit(grad(f))(np.array(-0.4)) as Array, dfHost(-0.4), { rtol: 1e-5 });
  assertClose(grad(jit(f))(np.array(0.7)) as Array, dfHost(0.7), { rtol: 1e-5 });
});

test("branches that disagree are a clear error naming both", () => {
  assert.throws(
    () =>
      lax.cond(
        true,
        () => np.array([1, 2]),
        () => np.array([1, 2, 3]),
      ),
    (e: unknown) =>
      e instanceof ShapeError &&
      /true branch returns f32\[2\]/.test(e.message) &&
      /false branch returns f32\[3\]/.test(e.message),
  );
  assert.throws(
    () =>
      lax.cond(
        true,
        () => np.array(1),
        () => i32(1),
      ),
    (e: unknown) => e instanceof DTypeError && /false branch returns i32\[\]/.test(e.message),
  );
  assert.throws(
    () =>
      lax.cond<[], unknown>(
        true,
        () => [np.array(1)],
        () => np.array(1),
      ),
    /same structure/,
  );
  assert.throws(
    () =>
      lax.cond(
        np.array([true, false]),
        () => np.array(1),
        () => np.array(2),
      ),
    /scalar/,
  );
  assert.throws(
    () =>
      lax.cond(
        np.array(0.5),
        () => np.array(1),
        () => np.array(2),
      ),
    DTypeError,
  );
});
