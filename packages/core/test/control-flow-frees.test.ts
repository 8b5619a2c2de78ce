/**
 * The reference impls of scan and whileLoop (the interpreted path: jit with the compile layer off,
 * eager calls) free their per-step temporaries — xs slices, superseded carries, predicates, the
 * per-step ys once stacked — at once, not through the garbage collector; and never an operand or a
 * literal a body hands back unchanged. Measured on the CPU backend without a GC run.
 *
 * Before: a jitted 3-step scan, interpreted, left 13 buffers per call and a 3-step foriLoop 8 (eager
 * scan 14); after: 0 for the jitted ones (the eager calls' remaining buffers are the user's own
 * temporaries: init, literals, results not disposed).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { np, lax, config, getBackend, grad, jit, type Array, type ConcreteArray } from "linax-ts";

const b = getBackend();
const vals = (a: Array): number[] => [...(a as ConcreteArray).dataSync()];

function interpreted<T>(fn: () => T): T {
  const prev = config.read("jitCompile");
  config.update("jitCompile", false);
  try {
    return fn();
  } finally {
    config.update("jitCompile", prev);
  }
}

/** Call `fn` n times (after a warm-up), disposing what it returns: the live count must not move. */
function flat(name: string, n: number, fn: () => Array[], check: (outs: Array[]) => void): void {
  const warm = fn();
  check(warm);
  warm.forEach((o) => o.dispose());
  const before = b.liveBuffers();
  for (let i = 0; i < n; i++) {
    const outs = fn();
    if (i === n - 1) check(outs);
    new Set(outs).forEach((o) => o.dispose());
  }
  assert.equal(b.liveBuffers() - before, 0, `${name}: ${b.liveBuffers() - before} buffers left after ${n} calls`);
}

const f32 = Math.fround;

test("scan, interpreted: flat, with carries, xs slices and ys freed", () => {
  // carry ← carry + 2·sin(x); y = carry (the old one): cumulative sums shifted by one.
  const xs = [0.5, 1, 1.5, 2];
  const x = np.array(xs);
  const s = xs.map((v) => f32(2 * f32(Math.sin(v))));
  const want: number[] = [];
  let c = 0;
  for (const v of s) {
    want.push(c);
    c = f32(c + v);
  }
  const f = jit((v: Array): Array[] => {
    const [carry, ys] = lax.scan(
      (k: Array, e: Array) => [np.add(k, np.multiply(np.sin(e), 2)), k] as [Array, Array],
      np.zeros([]),
      v,
    );
    return [carry as Array, ys as Array];
  });
  interpreted(() =>
    flat(
      "scan",
      100,
      () => f(x),
      ([carry, ys]) => {
        assert.deepEqual(vals(carry), [c]);
        assert.deepEqual(vals(ys), want);
      },
    ),
  );
  assert.deepEqual(x.tolist(), xs);
});

test("scan handing back operands: an x slice as carry and y, a constant as y, the carry as y", () => {
  const k = np.array([7, 8]);
  const x = np.array([
    [1, 2],
    [3, 4],
    [5, 6],
  ]);
  const f = jit((v: Array): Array[] => {
    const [carry, ys] = lax.scan(
      (c: Array, e: Array) => [e, { e, k, c }] as [Array, { e: Array; k: Array; c: Array }],
      np.zeros([2]),
      v,
    );
    const y = ys as { e: Array; k: Array; c: Array };
    return [carry as Array, y.e, y.k, y.c];
  });
  interpreted(() =>
    flat(
      "scan passthrough",
      50,
      () => f(x),
      ([carry, ye, yk, yc]) => {
        assert.deepEqual(vals(carry), [5, 6]);
        assert.deepEqual(vals(ye), [1, 2, 3, 4, 5, 6]);
        assert.deepEqual(vals(yk), [7, 8, 7, 8, 7, 8]);
        assert.deepEqual(vals(yc), [0, 0, 1, 2, 3, 4]);
      },
    ),
  );
  // Eager too (the impl runs on the caller's arrays): the operands survive.
  const [carry, ys] = lax.scan((c: Array, e: Array) => [e, c] as [Array, Array], np.zeros([2]), x);
  assert.deepEqual(vals(carry as Array), [5, 6]);
  assert.deepEqual(vals(ys as Array), [0, 0, 1, 2, 3, 4]);
  assert.deepEqual(k.tolist(), [7, 8]);
  assert.deepEqual(x.tolist(), [
    [1, 2],
    [3, 4],
    [5, 6],
  ]);
});

test("whileLoop, interpreted: flat, predicates and old carries freed; a bool carry as predicate", () => {
  // Halve until below 1: 40 → 20 → 10 → 5 → 2.5 → 1.25 → 0.625 (6 steps).
  const f = jit((v: Array): Array[] => {
    const [y, n] = lax.whileLoop(
      ([a]: [Array, Array]) => np.greaterEqual(a, 1),
      ([a, i]: [Array, Array]) => [np.multiply(a, 0.5), np.add(i, 1)] as [Array, Array],
      [v, np.array(0, { dtype: "int32" })] as [Array, Array],
    );
    return [y, n];
  });
  const x = np.array(40);
  interpreted(() =>
    flat(
      "whileLoop",
      100,
      () => f(x),
      ([y, n]) => {
        assert.deepEqual(vals(y), [0.625]);
        assert.deepEqual(vals(n), [6]);
      },
    ),
  );
  // The predicate is the carry itself: it must not be freed as a temporary.
  const g = jit((v: Array): Array[] => {
    const [go, i] = lax.whileLoop(
      ([p]: [Array, Array]) => p,
      ([, j]: [Array, Array]) => [np.less(j, 4), np.add(j, 1)] as [Array, Array],
      [np.greater(v, 0), np.array(0, { dtype: "int32" })] as [Array, Array],
    );
    return [go, i];
  });
  interpreted(() =>
    flat(
      "whileLoop bool carry",
      50,
      () => g(x),
      ([go, i]) => {
        assert.deepEqual(vals(go), [0]);
        assert.deepEqual(vals(i), [5]);
      },
    ),
  );
  assert.deepEqual(x.tolist(), 40);
});

test("eager grad of scan: the rules' staged constants (zero tangents) are freed with the call (was 1 left per call)", () => {
  // No JS scalars and no arrays made in user code: every buffer a call leaves would be the rules'.
  const init = np.zeros([3]);
  const scanned = (v: Array): Array => {
    const [c] = lax.scan((k: Array, e: Array) => [np.add(k, np.sin(e)), k] as [Array, Array], init, v);
    return np.sum(c as Array);
  };
  const xs = [
    [0.5, 1, 1.5],
    [2, 2.5, 3],
  ];
  const x = np.array(xs);
  flat(
    "grad scan",
    50,
    () => [grad(scanned)(x)],
    ([g]) => vals(g).forEach((v, i) => assert.ok(Math.abs(v - Math.cos(xs.flat()[i])) < 1e-6, `${v} at ${i}`)),
  );
  // (An eager grad of foriLoop still leaves 2 per call: the bound arrays foriLoop itself makes
  // from its JS numbers, in the user's context, which the scope does not own.)
  assert.deepEqual(init.tolist(), [0, 0, 0]);
});
