/**
 * The eager dispatch fast paths (core/trace.ts `bind`, core/eval.ts, deferred finalizer
 * registration in core/concrete.ts) keep the general path's behaviour: same values, same errors,
 * forgotten arrays still released by the garbage collector.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { np, getBackend, jit, grad, vmap, TracerLeakError, UseAfterDisposeError, type Array } from "linax-ts";

const settle = async (): Promise<void> => {
  for (let i = 0; i < 6; i++) {
    globalThis.gc!();
    await new Promise((r) => setTimeout(r, 10));
  }
};

test("eager ops disposed right away leave the live-buffer count where it was", () => {
  const b = getBackend();
  const x = np.array([1, 2, 3, 4]);
  const before = b.liveBuffers();
  let y = np.add(x, x);
  for (let i = 0; i < 1000; i++) {
    const z = np.add(y, x);
    y.dispose();
    y = z;
  }
  assert.equal(b.liveBuffers(), before + 1);
  // 1 + 1 (x + x), then 1000 more additions of x: 2·x + 1000·x = 1002·x.
  assert.deepEqual(y.tolist(), [1002, 2004, 3006, 4008]);
  y.dispose();
  assert.equal(b.liveBuffers(), before);
});

test(
  "forgotten small arrays made in one long synchronous loop are released by the collector",
  { skip: typeof globalThis.gc !== "function" ? "run node with --expose-gc" : false },
  async () => {
    const b = getBackend();
    await settle();
    const before = b.liveBuffers();
    (() => {
      const x = np.array([1, 2]);
      // More than the deferred-registration queue holds (256), none disposed.
      for (let i = 0; i < 1000; i++) np.multiply(x, i);
    })();
    assert.ok(b.liveBuffers() >= before + 1000);
    await settle();
    assert.equal(b.liveBuffers(), before);
  },
);

test(
  "a forgotten array disposed later is released once",
  { skip: typeof globalThis.gc !== "function" ? "run node with --expose-gc" : false },
  async () => {
    const b = getBackend();
    await settle();
    const before = b.liveBuffers();
    const keep = np.array([5, 6]);
    await new Promise((r) => setTimeout(r, 0)); // registered with the finalizer by now
    keep.dispose();
    await settle();
    assert.equal(b.liveBuffers(), before);
  },
);

test("use after dispose names the op and the operand on the fast path", () => {
  const x = np.array([1, 2]);
  const y = np.array([3, 4]);
  y.dispose();
  assert.throws(
    () => np.multiply(x, y),
    (e: Error) => e instanceof UseAfterDisposeError && e.message === "mul: operand 1 (f32[2]) was used after dispose()",
  );
});

test("a leaked tracer used eagerly still raises TracerLeakError", () => {
  let leaked: Array | undefined;
  jit((x: Array) => {
    leaked = x;
    return np.sin(x);
  })(np.array([1]));
  assert.throws(
    () => np.add(leaked!, 1),
    (e: Error) => e instanceof TracerLeakError && /used after that transform returned/.test(e.message),
  );
});

test("transforms still see every bind (grad, vmap and jit of the same function agree with hand-derived values)", () => {
  const f = (x: Array): Array => np.sum(np.multiply(np.exp(x), x));
  const x = np.array([0, 1, 2]);
  // d/dx Σ e^x·x = e^x·(1 + x)
  const want = [0, 1, 2].map((v) => Math.exp(v) * (1 + v));
  const g = grad(f)(x).tolist() as number[];
  g.forEach((v, i) => assert.ok(Math.abs(v - want[i]) < 1e-5 * want[i] + 1e-6));
  const v = vmap((r: Array) => np.multiply(r, 2))(
    np.array([
      [1, 2],
      [3, 4],
    ]),
  );
  assert.deepEqual(v.tolist(), [
    [2, 4],
    [6, 8],
  ]);
  const j = jit(f)(x).item();
  assert.ok(Math.abs(j - (0 + Math.E + 2 * Math.exp(2))) < 1e-4);
});

test("the numpy layer's own temporaries (a JS scalar's array, its broadcast, a cast) are released at once", () => {
  const b = getBackend();
  const x = np.array([
    [1, 2],
    [3, 4],
  ]);
  const i = np.array([1, 2], { dtype: "int32" });
  const before = b.liveBuffers();
  const y = np.multiply(x, 1.5); // scalar array + its broadcast: both temporaries
  const z = np.add(x, i); // i cast to float32, then broadcast: both temporaries
  const w = np.exp(i); // i cast to float32: a temporary
  const v = np.arctan2(i, 1); // float binary: casts and broadcasts
  assert.equal(b.liveBuffers(), before + 4);
  assert.deepEqual(y.tolist(), [
    [1.5, 3],
    [4.5, 6],
  ]);
  assert.deepEqual(z.tolist(), [
    [2, 4],
    [4, 6],
  ]);
  const we = w.tolist() as number[];
  assert.ok(Math.abs(we[0] - Math.E) < 1e-6 && Math.abs(we[1] - Math.E ** 2) < 1e-5);
  const ve = v.tolist() as number[];
  assert.ok(Math.abs(ve[0] - Math.PI / 4) < 1e-6 && Math.abs(ve[1] - Math.atan2(2, 1)) < 1e-6);
  assert.deepEqual(x.tolist(), [
    [1, 2],
    [3, 4],
  ]); // inputs untouched
  assert.deepEqual(i.tolist(), [1, 2]);
});

test("under jit a JS scalar's array is a captured constant: not released, the function runs again", () => {
  const f = jit((x: Array) => np.add(np.multiply(x, 1.5), 0.25));
  for (let k = 0; k < 3; k++) assert.deepEqual(f(np.array([2, 4])).tolist(), [3.25, 6.25]);
  const g = vmap((r: Array) => np.multiply(np.array([1, 2]), r));
  assert.deepEqual(g(np.array([1, 3])).tolist(), [
    [1, 2],
    [3, 6],
  ]);
});
