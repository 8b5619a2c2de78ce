/**
 * A compiled program's own buffers (src/compile/arena.ts) in the pattern of a training loop: each
 * call's outputs are the next call's inputs, so the inputs are new buffers on every call. After
 * the call that sees them change, those inputs are staged (copied into the program's buffers),
 * and small outputs are written there and copied out — so every pass binds the same buffers and
 * no bind group is created any more; the values equal the same steps evaluated eagerly on WebGPU,
 * bit for bit, whatever the pool hands out (kept arrays, disposed arrays, poisoning).
 */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { np, makeJaxpr, devicePut, ConcreteArray, type Array, type DeviceBuffer } from "linax-ts";
import { setupWebGPU, readValues } from "@linax-ts/testing/webgpu";
import type { WebGPUBackend } from "@linax-ts/backend-webgpu";
import { fromValues } from "@linax-ts/testing";
import { CompiledExecutable, compileJaxpr } from "../src/compile/executor.ts";

let be: WebGPUBackend;
before(async () => {
  be = await setupWebGPU();
});

/** One "optimiser step" on (w, m): a fused elementwise update, a reduction through a temp, a dot. */
const step = (w: Array, m: Array, g: Array): Array[] => {
  const m2 = m.mul(0.9).add(g.mul(w));
  const norm = np.sum(m2.mul(m2), { axis: 1, keepdims: true });
  const w2 = w.sub(np.matmul(m2, w).mul(0.01)).sub(norm.mul(0.001));
  return [w2, m2, np.sum(w2)];
};

const seeded = (shape: number[], seed: number): Array => {
  const n = shape.reduce((a, b) => a * b, 1);
  return fromValues(
    globalThis.Array.from({ length: n }, (_, i) => Math.fround(Math.sin(seed * 7.1 + i * 0.37))),
    shape,
    "float32",
  );
};

test("training-loop calls: staged inputs and outputs, no new bind group after the second call, eager values bit for bit", async () => {
  const [w0, m0, g] = [seeded([8, 8], 1), seeded([8, 8], 2), seeded([8, 8], 3)].map((a) => devicePut(a, "webgpu"));
  const cj = makeJaxpr(step)(w0, m0, g);
  const exe = compileJaxpr(be, cj.jaxpr);
  assert.ok(exe instanceof CompiledExecutable);
  const buf = (a: Array): DeviceBuffer => (a as ConcreteArray).buffer;
  const wrap = (outs: DeviceBuffer[]): Array[] => outs.map((b, k) => new ConcreteArray(b, cj.jaxpr.outAvals[k]));
  let [w, m] = [w0, m0];
  let [we, me] = [w0, m0];
  const created: number[] = [];
  const kept: Array[] = [];
  const ws: number[][] = [];
  for (let i = 0; i < 5; i++) {
    const outs = wrap(exe.execute([buf(w), buf(m), buf(g)]));
    created.push(exe.stats().bindGroupsCreated);
    // Keep some old inputs alive and dispose others, so that the pool's free lists differ per call.
    if (i % 2 === 0) kept.push(w, m);
    else if (i > 0) [w, m].forEach((a) => a.dispose());
    [w, m] = [outs[0], outs[1]];
    const eager = step(we, me, g);
    assert.deepEqual(await readValues(outs[0]), await readValues(eager[0]), `w after call ${i}`);
    assert.deepEqual(await readValues(outs[1]), await readValues(eager[1]), `m after call ${i}`);
    assert.deepEqual(await readValues(outs[2]), await readValues(eager[2]), `sum after call ${i}`);
    outs[2].dispose();
    ws.push(await readValues(outs[0]));
    [we, me] = [eager[0], eager[1]];
  }
  const st = exe.stats();
  assert.ok(st.stagedInputs >= 2, `w and m are staged: ${JSON.stringify(st)}`);
  assert.ok(st.stagedOutputs >= 2, JSON.stringify(st));
  assert.ok(created[0] > 0, "the first call creates its bind groups");
  assert.deepEqual(created.slice(2), [0, 0, 0], `bind groups created per call: ${created.join(", ")}`);
  // Outputs are the caller's: the second call's w, kept alive since, still reads its values.
  assert.deepEqual(await readValues(kept[2]), ws[1]);
});
