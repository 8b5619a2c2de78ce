// Scans inside compiled WebGPU programs run as a loop of dispatches of their compiled body
// (compile/scan-loop.ts); nested jit calls as compiled sub-programs. Compiled == interpreted
// (config.jitCompile off: the body evaluated eagerly, kernel by kernel) bit for bit — the fused
// kernels are the eager kernels' WGSL (compile.test.ts) and the loop only moves bytes — and
// ≈ the CPU (float32 builtin exp/tanh: a few ulp per step, carried over ≤ 7 steps: 1e-5 relative).
import { test } from "node:test";
import assert from "node:assert/strict";
import { np, lax, jit, grad, makeJaxpr, config, type Array } from "linax-ts";
import { assertClose, fromValues, mulberry32 } from "@linax-ts/testing";
import { setupWebGPU, readValues, toWebGPU } from "@linax-ts/testing/webgpu";
import { CompiledExecutable, compileJaxpr } from "../src/compile/executor.ts";

const be = await setupWebGPU();

function floats(shape: number[], seed: number, lo = -1, hi = 1): Array {
  const r = mulberry32(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return fromValues(
    globalThis.Array.from({ length: n }, () => Math.fround(lo + (hi - lo) * r())),
    shape,
    "float32",
  );
}

/** Values of f on WebGPU copies of `xs`: jitted with compilation on, and with it off (interpreted). */
async function both(f: (...xs: Array[]) => Array[], xs: Array[]): Promise<{ on: number[][]; off: number[][] }> {
  const g = xs.map(toWebGPU);
  const on = await Promise.all(jit(f)(...g).map(readValues));
  config.update("jitCompile", false);
  try {
    // A fresh jit: its cache is per function object.
    const off = await Promise.all(jit((...v: Array[]) => f(...v))(...g).map(readValues));
    return { on, off };
  } finally {
    config.update("jitCompile", true);
  }
}

function stats(f: (...xs: Array[]) => Array[], xs: Array[]) {
  const exe = compileJaxpr(be, makeJaxpr(f)(...xs).jaxpr);
  assert.ok(exe instanceof CompiledExecutable);
  return exe;
}

// Carry h [4, 3] and a closed-over weight (a traced value: a const operand of the scan); xs
// [7, 4, 3]; ys the tanh states.
const W = floats([4, 3], 5);
const bodyOf =
  (w: Array) =>
  (h: Array, x: Array): [Array, Array] => {
    const n = np.tanh(np.add(np.multiply(h, w), x));
    return [n, np.exp(np.multiply(n, 0.5))];
  };

for (const reverse of [false, true]) {
  test(`scan (carry, closed-over const, xs, ys; reverse ${reverse}) compiled as a loop == interpreted bit for bit, ≈ CPU`, async () => {
    const h0 = floats([4, 3], 1);
    const xs = floats([7, 4, 3], 2);
    const f = (h: Array, x: Array, w: Array) => {
      const [hN, ys] = lax.scan(bodyOf(w), h, x, { reverse });
      return [hN, ys];
    };
    const exe = stats(f, [h0, xs, W]);
    assert.equal(exe.stats().eagerRoutines, 0);
    assert.equal(exe.stats().compiledCalls, 1);
    const { on, off } = await both(f, [h0, xs, W]);
    assert.deepEqual(on, off);
    const cpu = f(h0, xs, W);
    on.forEach((v, k) => assertClose(v, globalThis.Array.from(cpu[k].dataSync()), { rtol: 1e-5, atol: 1e-6 }));
    // The loop is encoded, not read: one execute encodes 7 iterations of the body.
    const outs = exe.execute([h0, xs, W].map((a) => (toWebGPU(a) as unknown as { buffer: never }).buffer));
    assert.ok(exe.stats().dispatches >= 7, JSON.stringify(exe.stats()));
    for (const o of outs) be.dispose(o);
  });
}

test("foriLoop with static bounds and lax.map run compiled; nested scan and jit; length-0 scan; grad through scan", async () => {
  const x = floats([5], 3);
  const fori = (v: Array) => [
    lax.foriLoop(0, 6, (i: Array, c: Array) => np.add(np.multiply(c, 0.9), np.sin(np.add(c, i.astype("float32")))), v),
  ];
  assert.equal(stats(fori, [x]).stats().eagerRoutines, 0);
  let r = await both(fori, [x]);
  assert.deepEqual(r.on, r.off);
  assertClose(r.on[0], globalThis.Array.from(fori(x)[0].dataSync()), { rtol: 1e-5, atol: 1e-6 });

  const inner = jit((v: Array) => np.cos(v).mul(v));
  const nested = (xs: Array) => {
    const [c, ys] = lax.scan(
      (c: Array, row: Array): [Array, Array] => {
        const [c2, zs] = lax.scan(
          (d: Array, e: Array): [Array, Array] => [np.add(d, inner(e)), np.multiply(d, e)],
          c,
          row,
        );
        return [c2, zs];
      },
      np.zeros([]),
      xs,
    );
    return [c, ys];
  };
  const xs = floats([3, 4], 4);
  const ex = stats(nested, [xs]);
  assert.equal(ex.stats().eagerRoutines, 0);
  r = await both(nested, [xs]);
  assert.deepEqual(r.on, r.off);
  nested(xs).forEach((o, k) => assertClose(r.on[k], globalThis.Array.from(o.dataSync()), { rtol: 1e-5, atol: 1e-6 }));

  const empty = (h: Array, e: Array) => {
    const [hN, ys] = lax.scan((c: Array, v: Array): [Array, Array] => [np.add(c, v), np.multiply(c, v)], h, e);
    return [hN, ys];
  };
  const h = floats([2], 6);
  r = await both(empty, [h, np.zeros([0, 2])]);
  assert.deepEqual(r.on, [await readValues(h), []]);

  const loss = (h0: Array, xs2: Array, w: Array) => np.sum(lax.scan(bodyOf(w), h0, xs2)[1]);
  const g = (h0: Array, xs2: Array, w: Array) => grad(loss, { argnums: [0, 1, 2] })(h0, xs2, w) as unknown as Array[];
  const [gh0, gxs] = [floats([4, 3], 7), floats([5, 4, 3], 8)];
  assert.equal(stats(g, [gh0, gxs, W]).stats().eagerRoutines, 0);
  r = await both(g, [gh0, gxs, W]);
  assert.deepEqual(r.on, r.off);
  g(gh0, gxs, W).forEach((o, k) =>
    assertClose(r.on[k], globalThis.Array.from(o.dataSync()), { rtol: 1e-4, atol: 1e-6 }),
  );
});

test("whileLoop with a predicate on the GPU keeps its clear error", () => {
  const f = (v: Array) =>
    lax.whileLoop(
      (c: Array) => np.less(np.sum(c), 10),
      (c: Array) => np.add(c, 1),
      v,
    );
  assert.throws(() => jit(f)(toWebGPU(floats([3], 9))), /whileLoop|host|NotImplemented/);
});
