/**
 * config.checkTracerLeaks (JAX's `jax_check_tracer_leaks`): a tracer that escapes its transform —
 * stored in an outer variable while jit / grad / vmap trace the function — is reported with
 * TracerLeakError naming the transform *when the transform returns*, not only when the tracer is
 * used later. Without the flag the same code runs (the leak surfaces only on use).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { config, grad, jit, vmap, jvp, lax, np, TracerLeakError, type Array } from "linax-ts";
import * as nn from "@linax-ts/nn";

function withLeakCheck<T>(body: () => T): T {
  config.update("checkTracerLeaks", true);
  try {
    return body();
  } finally {
    config.update("checkTracerLeaks", false);
  }
}

const x = np.array([0.5, 1, 2]);
type Transform = (f: (v: Array) => Array) => (v: Array) => Array;
const transforms: [string, Transform, RegExp][] = [
  ["jit", (f) => jit(f), /'jit\(leaky\)' transform.*under jit/],
  ["grad", (f) => grad(f), /'jvp' transform.*under grad/],
  ["vmap", (f) => vmap(f), /'vmap' transform.*under vmap/],
];

for (const [name, t, message] of transforms) {
  test(`a tracer stored in an outer variable inside ${name} is reported when ${name} returns`, () => {
    let leaked: Array | undefined;
    function leaky(v: Array): Array {
      leaked = v; // the leak: an outer `let` keeps the tracer
      return np.sum(np.sin(v));
    }
    const arg =
      name === "vmap"
        ? np.array([
            [1, 2],
            [3, 4],
          ])
        : x;
    // Without the flag: the call succeeds; the leak shows only if the tracer is used.
    assert.doesNotThrow(() => t(leaky)(arg));
    assert.ok(leaked !== undefined);
    leaked = undefined;
    withLeakCheck(() => {
      assert.throws(
        () => t(leaky)(arg),
        (e: Error) =>
          e instanceof TracerLeakError &&
          /checkTracerLeaks: a tracer of the/.test(e.message) &&
          message.test(e.message),
      );
    });
    leaked = undefined;
  });
}

test("a tracer kept in an object or a closure is a leak too; once dropped, the same function passes", () => {
  const box: { t?: Array } = {};
  withLeakCheck(() => {
    assert.throws(
      () =>
        grad((v: Array) => {
          box.t = np.multiply(v, 2);
          return np.sum(v);
        })(x),
      TracerLeakError,
    );
    let later: (() => Array) | undefined;
    assert.throws(
      () =>
        vmap((v: Array) => {
          const y = np.cos(v);
          later = () => y;
          return y;
        })(x),
      TracerLeakError,
    );
    assert.ok(later !== undefined);
  });
  box.t = undefined;
});

test("clean programs pass under the flag with the same values: nested transforms, control flow, nn", () => {
  const f = (v: Array): Array => np.sum(np.sin(np.multiply(v, v)));
  const want = [0.5, 1, 2].map((v) => 2 * v * Math.cos(v * v));
  const got = withLeakCheck(() => ({
    g: grad(f)(x).tolist() as number[],
    jg: jit(grad(f))(x).tolist() as number[],
    vg: vmap(grad(f))(np.stack([x, x])).tolist() as number[][],
    gg: grad((v: Array) => np.sum(grad(f)(v)))(x).tolist() as number[],
    jv: jvp(f, [x], [np.ones([3])])[1].item(),
    sc: grad(
      (v: Array) =>
        lax.scan((c: Array, e: Array) => [np.add(c, np.sin(e)), c] as [Array, Array], np.array(0), v)[0] as Array,
    )(x).tolist() as number[],
    nnj: nn
      .filterJit((p: { w: Array }, v: Array) => np.multiply(p.w, v))({ w: np.array([1, 2, 3]) }, x)
      .tolist() as number[],
  }));
  const near = (a: number[], b: number[]) =>
    a.forEach((v, i) => assert.ok(Math.abs(v - b[i]) < 1e-4, `${v} vs ${b[i]}`));
  near(got.g, want);
  near(got.jg, want);
  near(got.vg[0], want);
  near(got.vg[1], want);
  near(
    got.gg,
    [0.5, 1, 2].map((v) => 2 * Math.cos(v * v) - 4 * v * v * Math.sin(v * v)),
  );
  assert.ok(Math.abs(got.jv - want.reduce((s, e) => s + e, 0)) < 1e-4);
  near(got.sc, [0.5, 1, 2].map(Math.cos));
  assert.deepEqual(got.nnj, [0.5, 2, 6]);
});

test("the flag is off by default and settable from LINAX_CHECK_TRACER_LEAKS", () => {
  assert.equal(config.read("checkTracerLeaks"), false);
  assert.equal(config.envName("checkTracerLeaks"), "LINAX_CHECK_TRACER_LEAKS");
});
