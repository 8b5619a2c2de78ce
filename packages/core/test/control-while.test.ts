import { test } from "node:test";
import assert from "node:assert/strict";
import { np, lax, grad, jit, vmap, jvp, linearize, vjp, ValueError, DTypeError, type Array } from "linax-ts";
import { assertClose } from "@linax-ts/testing";

const i32 = (v: number) => np.array(v, { dtype: "int32" });
const ONE = i32(1);
// Repeated multiplication: x^5 via a counter carry.
const pow5 = (x: Array) =>
  lax.whileLoop(
    ([i]: [Array, Array]) => lax.lt(i, i32(5)),
    ([i, v]: [Array, Array]) => [lax.add(i, ONE), lax.mul(v, x)] as [Array, Array],
    [i32(0), np.array(1)] as [Array, Array],
  )[1];

test("whileLoop runs until the predicate fails", () => {
  assertClose(pow5(np.array(1.5)), 1.5 ** 5, { rtol: 1e-6 });
  // Zero iterations.
  const r = lax.whileLoop(
    (c: Array) => lax.lt(c, np.array(0)),
    (c: Array) => lax.add(c, np.array(1)),
    np.array(3),
  );
  assertClose(r, 3);
  // Collatz steps of 27 (data-dependent trip count).
  const collatz = lax.whileLoop(
    ([n]: [Array, Array]) => lax.ne(n, ONE),
    ([n, k]: [Array, Array]) => {
      const even = lax.eq(lax.rem(n, i32(2)), i32(0));
      return [lax.select(even, lax.div(n, i32(2)), lax.add(lax.mul(n, i32(3)), ONE)), lax.add(k, ONE)] as [
        Array,
        Array,
      ];
    },
    [i32(27), i32(0)] as [Array, Array],
  );
  assert.equal(collatz[1].item(), 111);
});

test("forward mode through whileLoop (jvp, linearize)", () => {
  const [p, t] = jvp(pow5, [np.array(1.5)], [np.array(2)]);
  assertClose(p, 1.5 ** 5, { rtol: 1e-6 });
  assertClose(t, 2 * 5 * 1.5 ** 4, { rtol: 1e-6 });
  const [p2, fLin] = linearize(pow5, np.array(1.5));
  assertClose(p2, 1.5 ** 5, { rtol: 1e-6 });
  assertClose(fLin(np.array(1)), 5 * 1.5 ** 4, { rtol: 1e-6 });
});

test("reverse mode through whileLoop raises JAX's error", () => {
  const msg =
    /Reverse-mode differentiation does not work for lax\.while_loop or lax\.fori_loop with dynamic start\/stop values\. Try using lax\.scan/;
  assert.throws(
    () => grad(pow5)(np.array(1.5)),
    (e: unknown) => e instanceof ValueError && msg.test(e.message),
  );
  const [, pb] = vjp(pow5, np.array(1.5));
  assert.throws(() => pb(np.array(1)), msg);
  // foriLoop with traced bounds (here: under jit) is a while loop too; concrete bounds give a scan.
  const dyn = (x: Array, n: Array) => lax.foriLoop(i32(0), n, (_i: Array, c: Array) => lax.mul(c, x), np.array(1));
  assert.throws(() => grad((x: Array) => jit(dyn)(x, i32(3)))(np.array(1.5)), msg);
  assertClose(grad(dyn)(np.array(1.5), i32(3)) as Array, 3 * 1.5 ** 2, { rtol: 1e-6 });
});

test("foriLoop with traced bounds lowers to whileLoop; values and jvp", () => {
  const dyn = (x: Array, n: Array) =>
    lax.foriLoop(
      i32(0),
      n,
      (i: Array, c: Array) => lax.add(lax.mul(c, x), lax.convertElementType(i, "float32")),
      np.array(1),
    );
  const host = (x: number, n: number) => {
    let c = 1;
    for (let i = 0; i < n; i++) c = c * x + i;
    return c;
  };
  assertClose(jit(dyn)(np.array(1.2), i32(4)), host(1.2, 4), { rtol: 1e-6 });
  const [, t] = jvp((x: Array) => jit(dyn)(x, i32(4)), [np.array(1.2)], [np.array(1)]);
  assertClose(t, (host(1.2 + 1e-6, 4) - host(1.2 - 1e-6, 4)) / 2e-6, { rtol: 1e-4 });
});

test("vmap of whileLoop: batched carry, and a batched predicate running per element", () => {
  assertClose(vmap(pow5)(np.array([1, 2, 0.5])), [1, 32, 0.5 ** 5], { rtol: 1e-6 });
  // Each element counts up to its own bound: the loop runs until all are done.
  const countTo = (n: Array, x: Array) =>
    lax.whileLoop(
      ([i]: [Array, Array]) => lax.lt(i, n),
      ([i, v]: [Array, Array]) => [lax.add(i, ONE), lax.mul(v, x)] as [Array, Array],
      [i32(0), np.array(1)] as [Array, Array],
    );
  const ns = [3, 0, 5, 1];
  const xs = [2, 3, 1.5, 7];
  const [is, vs] = vmap(countTo)(np.array(ns, { dtype: "int32" }), np.array(xs));
  assert.deepEqual(is.tolist(), ns);
  assertClose(
    vs,
    ns.map((n, k) => xs[k] ** n),
    { rtol: 1e-6 },
  );
  // Batched bound with an unbatched x: the carry becomes batched through the predicate.
  const [, vs2] = vmap((n: Array) => countTo(n, np.array(2)))(np.array(ns, { dtype: "int32" }));
  assertClose(
    vs2,
    ns.map((n) => 2 ** n),
  );
  // jvp under vmap with a batched predicate.
  const tv = vmap((n: Array, x: Array) => jvp((y: Array) => countTo(n, y)[1], [x], [np.array(1)])[1])(
    np.array(ns, { dtype: "int32" }),
    np.array(xs),
  );
  assertClose(
    tv,
    ns.map((n, k) => (n === 0 ? 0 : n * xs[k] ** (n - 1))),
    { rtol: 1e-5 },
  );
});

test("jit(whileLoop) == whileLoop", () => {
  assertClose(jit(pow5)(np.array(1.5)), pow5(np.array(1.5)), { rtol: 1e-6 });
  assertClose(jit(vmap(pow5))(np.array([1, 2])), [1, 32]);
});

test("whileLoop errors: non-boolean predicate, carry changes", () => {
  assert.throws(
    () =>
      lax.whileLoop(
        (c: Array) => c,
        (c: Array) => c,
        np.array(1),
      ),
    (e: unknown) => e instanceof DTypeError && /boolean scalar/.test(e.message),
  );
  assert.throws(
    () =>
      lax.whileLoop(
        (c: Array) => lax.lt(lax.reduceSum(c, [0]), np.array(3)),
        (c: Array) => lax.reduceSum(c, [0]),
        np.array([1, 2]),
      ),
    /carry.*f32\[2\].*f32\[\]/,
  );
});
