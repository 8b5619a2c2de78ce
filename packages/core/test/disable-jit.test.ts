/**
 * config.disableJit (JAX's `jax_disable_jit`) and the `disableJit(fn)` helper (JAX's
 * `with jax.disable_jit():`): a jitted function — nested jits and nn's filterJit included — runs
 * its body eagerly on every call, on concrete arrays, with the same values as the jitted run.
 * A JS counter shows the difference: jitted, the body runs once per input signature (tracing);
 * with the flag, once per call.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  config,
  disableJit,
  grad,
  jit,
  makeJaxpr,
  np,
  ConcreteArray,
  ConcretizationError,
  ValueError,
  type Array,
} from "linax-ts";
import * as nn from "@linax-ts/nn";

/** f(x) = sum(sin(x) · 2), its body counted, and whether every argument it saw was concrete. */
function counted(): { f: (x: Array) => Array; calls: () => number; concrete: () => boolean } {
  let n = 0;
  let allConcrete = true;
  const f = (x: Array): Array => {
    n++;
    if (!(x instanceof ConcreteArray)) allConcrete = false;
    return np.sum(np.multiply(np.sin(x), 2));
  };
  return { f, calls: () => n, concrete: () => allConcrete };
}

const x = np.array([0.5, 1, 2]);
// sum(2·sin(x)) for x = 0.5, 1, 2, by hand with Math.sin.
const want = 2 * (Math.sin(0.5) + Math.sin(1) + Math.sin(2));

test("the flag defaults to off; jitted, the body runs once per signature on tracers", () => {
  assert.equal(config.read("disableJit"), false);
  const c = counted();
  const jf = jit(c.f);
  for (let i = 0; i < 3; i++) assert.ok(Math.abs(jf(x).item() - want) < 1e-5);
  assert.equal(c.calls(), 1);
  assert.equal(c.concrete(), false);
});

test("with disableJit the body runs on every call, on concrete arrays, with the jitted values", () => {
  const c = counted();
  const jf = jit(c.f);
  const jitted = jit(counted().f)(x).item();
  const eager = disableJit(() => [jf(x).item(), jf(x).item(), jf(x).item()]);
  assert.equal(c.calls(), 3);
  assert.equal(c.concrete(), true);
  for (const v of eager) assert.ok(Math.abs(v - jitted) < 1e-6 && Math.abs(v - want) < 1e-5);
  // Nothing was traced or cached under the flag; afterwards the same function jits again.
  assert.equal(jit.cacheSize(jf), 0);
  jf(x);
  jf(x);
  assert.equal(c.calls(), 4);
  assert.equal(jit.cacheSize(jf), 1);
});

test("x.item() and JS control flow on values work inside a jitted function only under the flag", () => {
  const f = jit((v: Array) => (v.sum().item() > 0 ? np.multiply(v, 10) : np.negative(v)));
  assert.throws(() => f(x), ConcretizationError);
  assert.deepEqual(
    disableJit(() => f(x).tolist()),
    [5, 10, 20],
  );
  assert.deepEqual(
    disableJit(() => f(np.array([-1, -2])).tolist()),
    [1, 2],
  );
});

test("nested jits run eagerly too: the inner body sees concrete arrays and no jit equation is staged", () => {
  const inner = counted();
  const jInner = jit(inner.f);
  let outerCalls = 0;
  const outer = jit((v: Array) => {
    outerCalls++;
    return np.add(jInner(v), jInner(np.multiply(v, 0.5)));
  });
  const ref = outer(x).item();
  const before = inner.calls();
  const got = disableJit(() => [outer(x).item(), outer(x).item()]);
  assert.equal(outerCalls, 3); // 1 trace + 2 eager calls
  assert.equal(inner.calls() - before, 4); // two inner calls per eager outer call
  for (const v of got) assert.ok(Math.abs(v - ref) < 1e-6);
  // Under the flag the inner jit is a plain call: makeJaxpr of the outer body holds no `jit` equation.
  const body = (v: Array) => np.add(jInner(v), 1);
  assert.match(makeJaxpr(body)(x).toString(), /jit\[/);
  assert.doesNotMatch(
    disableJit(() => makeJaxpr(body)(x).toString()),
    /jit\[/,
  );
});

test("grad through a jitted function under the flag equals the jitted gradient", () => {
  const jf = jit(counted().f);
  const g1 = grad(jf)(x).tolist() as number[];
  const g2 = disableJit(() => grad(jf)(x).tolist()) as number[];
  // d/dx sum(2 sin x) = 2 cos x.
  [0.5, 1, 2].forEach((v, i) => {
    assert.ok(Math.abs(g1[i] - 2 * Math.cos(v)) < 1e-5);
    assert.ok(Math.abs(g2[i] - g1[i]) < 1e-6);
  });
});

test("nn.filterJit runs its body eagerly under the flag, with the same values", () => {
  let calls = 0;
  const step = nn.filterJit((p: { w: Array; k: number }, v: Array) => {
    calls++;
    // A concrete read inside the body: only possible when it is not traced.
    const scale = config.read("disableJit") ? p.w.sum().item() : 1;
    return np.multiply(np.multiply(v, p.w), scale);
  });
  const p = { w: np.array([1, 2, 3]), k: 4 };
  const traced = step(p, x).tolist() as number[];
  assert.deepEqual(traced, [0.5, 2, 6]);
  step(p, x);
  assert.equal(calls, 1);
  const eager = disableJit(() => [step(p, x).tolist(), step(p, x).tolist()]) as number[][];
  assert.equal(calls, 3);
  // sum(w) = 6 scales the eager result: proof the body read concrete values.
  for (const e of eager) assert.deepEqual(e, [3, 12, 36]);
});

test("a jitted function returning a number returns an array under the flag too", () => {
  const f = jit((v: Array) => [np.sum(v), 3] as const);
  const [s, three] = disableJit(() => f(x)) as unknown as [Array, Array];
  assert.ok(Math.abs(s.item() - 3.5) < 1e-6);
  assert.ok(three instanceof ConcreteArray);
  assert.equal(three.item(), 3);
});

test("disableJit restores the previous value however fn exits, and checks its arguments", () => {
  assert.equal(
    disableJit(() => config.read("disableJit")),
    true,
  );
  assert.equal(config.read("disableJit"), false);
  assert.throws(
    () =>
      disableJit(() => {
        throw new RangeError("boom");
      }),
    RangeError,
  );
  assert.equal(config.read("disableJit"), false);
  // disableJit(fn, false) re-enables jit inside a disabled region (JAX's disable_jit(False)).
  disableJit(() => {
    assert.equal(
      disableJit(() => config.read("disableJit"), false),
      false,
    );
    assert.equal(config.read("disableJit"), true);
  });
  assert.throws(() => disableJit(42 as unknown as () => void), ValueError);
  assert.throws(() => disableJit(() => 1, "yes" as unknown as boolean), ValueError);
});

test("donateArgnums is not applied under the flag (nothing is compiled), but is still checked", () => {
  const f = jit((a: Array) => np.add(a, 1), { donateArgnums: 0 });
  const a = np.array([1, 2]);
  assert.deepEqual(
    disableJit(() => f(a).tolist()),
    [2, 3],
  );
  assert.deepEqual(a.tolist(), [1, 2]); // not deleted
  const bad = jit((a: Array) => a, { donateArgnums: 3 });
  assert.throws(() => disableJit(() => bad(a)), ValueError);
});
