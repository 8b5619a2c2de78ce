import { test } from "node:test";
import assert from "node:assert/strict";
import {
  np,
  grad,
  valueAndGrad,
  vmap,
  jit,
  TracerLeakError,
  ShapeError,
  ValueError,
  DTypeError,
  ConcretizationError,
  type Array,
} from "linax-ts";

test("a tracer leaked out of grad is rejected when used later", () => {
  let leaked: Array | undefined;
  grad((x: Array) => {
    leaked = x;
    return np.sin(x);
  })(1);
  assert.throws(
    () => np.sin(leaked!),
    (e: Error) => e instanceof TracerLeakError && /leaked|after that transform/.test(e.message),
  );
});

test("grad of a non-scalar output names the shape", () => {
  assert.throws(
    () => grad((x: Array) => np.sin(x))(np.array([1, 2])),
    (e: Error) => e instanceof ShapeError && /scalar/.test(e.message) && /\[2\]/.test(e.message),
  );
});

test("grad of integer inputs and complex outputs is refused like JAX", () => {
  assert.throws(
    () => grad((x: Array) => np.sum(x.astype("float32")))(np.array([1, 2], { dtype: "int32" })),
    DTypeError,
  );
  assert.throws(
    () => grad((x: Array) => np.sum(x.astype("complex64")))(np.array([1, 2])),
    (e: Error) => e instanceof DTypeError && /holomorphic/.test(e.message),
  );
});

test("vmap: inAxes structure must match the arguments, and mapped sizes must agree", () => {
  const f = (a: Array, b: Array) => a.add(b);
  assert.throws(
    () => vmap(f, { inAxes: [0] })(np.array([1]), np.array([2])),
    (e: Error) => e instanceof ValueError && /inAxes has 1 entries/.test(e.message),
  );
  assert.throws(
    () => vmap(f)(np.array([1, 2]), np.array([1, 2, 3])),
    (e: Error) => e instanceof ShapeError && /inconsistent sizes/.test(e.message) && /2 vs 3/.test(e.message),
  );
  assert.throws(
    () => vmap(f, { inAxes: [[0, 0], 0] })(np.array([1]), np.array([2])),
    (e: Error) => e instanceof ValueError && /does not match/.test(e.message),
  );
});

test("reading a traced value inside jit is a concretization error", () => {
  assert.throws(
    () => jit((x: Array) => (x.item() > 0 ? x : x.neg()))(np.array(1)),
    (e: Error) => e instanceof ConcretizationError && /jit/.test(e.message),
  );
});

test("jit traces once per signature and retraces for new shapes or static values", () => {
  let traces = 0;
  const f = jit(
    (x: Array, k: number) => {
      traces++;
      return x.mul(k);
    },
    { staticArgnums: 1 },
  );
  assert.deepEqual(f(np.array([1, 2]), 3).tolist(), [3, 6]);
  assert.deepEqual(f(np.array([5, 6]), 3).tolist(), [15, 18]);
  assert.equal(traces, 1);
  f(np.array([1, 2, 3]), 3);
  assert.equal(traces, 2);
  assert.deepEqual(f(np.array([1, 2]), 4).tolist(), [4, 8]);
  assert.equal(traces, 3);
});

test("jit closes over concrete arrays and over tracers of an outer grad", () => {
  const c = np.array([2, 3]);
  assert.deepEqual(jit((x: Array) => x.mul(c))(np.array([1, 1])).tolist(), [2, 3]);
  // d/dy Σ (x·y) computed through a jitted closure over y.
  const g = grad((y: Array) => np.sum(jit((x: Array) => x.mul(y))(np.array([4, 5]))))(np.array([1, 1])) as Array;
  assert.deepEqual(g.tolist(), [4, 5]);
});

test("valueAndGrad with hasAux returns concrete aux arrays (no leaked tracers), non-array aux passes through", () => {
  const [[v, aux], g] = valueAndGrad(
    (x: Array) => {
      const y = np.sin(x);
      return [np.sum(y), { y, tag: "t", n: 3 }];
    },
    { hasAux: true },
  )(np.array([0, 1])) as [[Array, { y: Array; tag: string; n: number }], Array];
  assert.ok(Math.abs(v.item() - Math.sin(1)) < 1e-6);
  assert.equal(aux.y.isTracer, false);
  assert.deepEqual(
    (aux.y.tolist() as number[]).map((t) => Math.fround(t)),
    [0, Math.fround(Math.sin(1))],
  );
  assert.equal(aux.tag, "t");
  assert.equal(aux.n, 3);
  assert.deepEqual(
    ((g as Array).tolist() as number[]).map((t) => Math.fround(t)),
    [1, Math.fround(Math.cos(1))],
  );
  const [g2, aux2] = grad((x: Array) => [np.sum(x.mul(x)), x.mul(2)], { hasAux: true })(np.array([3])) as [
    Array,
    Array,
  ];
  assert.deepEqual(g2.tolist(), [6]);
  assert.deepEqual(np.add(aux2, 1).tolist(), [7]);
});

test("whole JS numbers beyond int32 are float-kind scalars", () => {
  assert.equal(np.array([1, 2]).add(-3.4e38).dtype, "float32");
  assert.ok(np.array([0]).add(-3.4e38).item() < -1e38);
  assert.equal(np.array([1], { dtype: "int32" }).add(2 ** 31).dtype, "float32");
});
