/**
 * The public `np` and `random` namespaces free the temporaries of an eager call when it returns
 * (transforms/eager-composite.ts): counted as live buffers on the CPU backend, without any GC run,
 * against the same functions called through their unwrapped modules — which leave them for the
 * collector, so each count shows the test can fail.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { getBackend, grad, jit, np, random, type Array } from "linax-ts";
import * as rawNumpy from "../src/numpy/index.ts";
import * as rawRandom from "../src/random/index.ts";
import { generate } from "../../../scripts/gen-public-namespaces.ts";

const b = getBackend();

/** Live buffers a call leaves behind, beyond the `kept` arrays of its result. */
function leftOver(fn: () => unknown, kept: (r: never) => Array[]): number {
  const before = b.liveBuffers();
  const r = fn();
  const own = kept(r as never);
  const left = b.liveBuffers() - before - own.length;
  for (const a of own) a.dispose();
  return left;
}
const one = (r: Array): Array[] => [r];

test("eager composites leave no temporaries: mean, var, std, logsumexp, linalg.norm, random.normal", () => {
  const x = np.array([
    [1, 2, 3, 4],
    [5, 6, 7, 8],
  ]);
  const k = random.key(0);
  const cases: [string, () => unknown, () => unknown][] = [
    ["mean", () => np.mean(x), () => rawNumpy.mean(x)],
    ["var", () => np.var(x, 1), () => rawNumpy.var(x, 1)],
    ["std", () => np.std(x), () => rawNumpy.std(x)],
    ["logsumexp", () => np.logsumexp(x), () => rawNumpy.logsumexp(x)],
    ["linalg.norm", () => np.linalg.norm(x), () => rawNumpy.linalg.norm(x)],
    ["random.normal", () => random.normal(k, [3]), () => rawRandom.normal(k, [3])],
  ];
  for (const [name, wrapped, raw] of cases) {
    assert.equal(leftOver(wrapped, one), 0, `${name}: temporaries left by the public function`);
    assert.ok(
      leftOver(raw, one) > 0,
      `${name}: the unwrapped function leaves temporaries (else this test shows nothing)`,
    );
  }
  assert.deepEqual(np.mean(x).item(), 4.5);
  assert.deepEqual(np.var(x, 1).tolist(), [1.25, 1.25]);
  x.dispose();
});

test("results that are records, tuples and key arrays keep all their arrays", () => {
  const x = np.array([3, 1, 3, 2, 1, 3]);
  const [values, inverse, counts] = np.unique(x, { returnCounts: true, returnInverse: true });
  assert.deepEqual(values.tolist(), [1, 2, 3]);
  assert.deepEqual(inverse.tolist(), [2, 0, 2, 1, 0, 2]);
  assert.deepEqual(counts.tolist(), [2, 1, 3]);
  const [q, r] = np.linalg.qr(
    np.array([
      [2, 0],
      [0, 3],
    ]),
  );
  assert.deepEqual(np.abs(np.matmul(q, r)).tolist(), [
    [2, 0],
    [0, 3],
  ]);
  const [k1, k2] = random.split(random.key(1));
  assert.equal(k1.shape.length, 0);
  assert.notDeepEqual(random.keyData(k1).tolist(), random.keyData(k2).tolist());
  const grids = np.meshgrid(np.arange(2), np.arange(3));
  assert.deepEqual(grids[1].tolist(), [
    [0, 0],
    [1, 1],
    [2, 2],
  ]);
});

test("a call given a user function runs unscoped: arrays the function makes stay the user's", () => {
  // The function's own concrete arrays (made from constants, not from its traced argument).
  let kept: Array | null = null;
  const f = np.vectorize((v: Array) => {
    kept = np.full([2], 7);
    return np.add(v, 1);
  });
  assert.deepEqual(f(np.array([1, 2])).tolist(), [2, 3]);
  assert.ok(kept !== null);
  assert.deepEqual((kept as Array).tolist(), [7, 7]);
});

test("inside eager grad and under jit the wrapped functions give the same values, and leave no more than before", () => {
  const x = np.array([1, 2, 3, 4]);
  for (const [name, m] of [
    ["sum", { sum: np.sum, multiply: np.multiply }],
    ["mean", { sum: np.mean, multiply: np.multiply }],
  ] as const) {
    const loss = (v: Array): Array => m.sum(m.multiply(v, v));
    const rawLoss = (v: Array): Array => (name === "sum" ? rawNumpy.sum : rawNumpy.mean)(rawNumpy.multiply(v, v));
    const wrappedLeft = leftOver(() => grad(loss)(x), one);
    const rawLeft = leftOver(() => grad(rawLoss)(x), one);
    assert.ok(wrappedLeft <= rawLeft, `${name}: grad leaves ${wrappedLeft} buffers wrapped, ${rawLeft} unwrapped`);
    if (name === "sum") assert.equal(wrappedLeft, 0, "grad of a sum of squares leaves only its gradient");
  }
  assert.deepEqual(grad((v: Array) => np.mean(np.multiply(v, v)))(x).tolist(), [0.5, 1, 1.5, 2]);
  assert.deepEqual(jit((v: Array) => np.mean(np.multiply(v, v)))(x).item(), 7.5);
});

test("aliases stay identical and names survive the wrapping", () => {
  assert.equal(np.asin, np.arcsin);
  assert.equal(np.special.psi, np.special.digamma);
  assert.equal(np.mean.name, "mean");
  assert.equal(typeof np.float32, "string");
});

test("the generated namespace files are up to date (npm run gen:namespaces)", async () => {
  for (const { path, text } of await generate()) assert.equal(readFileSync(path, "utf8"), text, path);
});
