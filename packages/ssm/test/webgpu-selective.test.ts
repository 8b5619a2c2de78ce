/**
 * On WebGPU (the software adapter; kept tiny): grouped B/C and Mamba-3's exptrap rule give the
 * reference numbers of testdata/ssm/mamba3-exptrap.json and the CPU's gradient; a Mamba-2 block
 * with groups (checkpointed chunked SSD) with `{ lengths }` — forward, gradient and a jitted
 * step — equals the CPU's.
 */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { grad, jit, np, nn, random, ssm, treeLeaves, type ConcreteArray, type Array } from "linax-ts";
import { assertClose } from "@linax-ts/testing";
import { setupWebGPU, onBackend, readValues } from "@linax-ts/testing/webgpu";

before(async () => {
  await setupWebGPU();
});

const cpuNums = (x: Array): number[] => globalThis.Array.from(x.dataSync() as ArrayLike<number>);

interface Enc {
  shape: number[];
  data: number[];
}

test("selectiveScan, grouped B/C + exptrap with data λ: WebGPU == reference numbers; dB == the CPU's", async () => {
  const file = JSON.parse(
    readFileSync(fileURLToPath(new URL("../../../testdata/ssm/mamba3-exptrap.json", import.meta.url)), "utf8"),
  ) as {
    cases: Record<string, { inputs: Record<string, Enc>; out: Enc }>;
  };
  const c = file.cases.exptrap_groups2;
  const runScan = (): { y: Array; dB: Array } => {
    const d = (e: Enc): Array => np.array(Float32Array.from(e.data)).reshape(e.shape);
    const i = c.inputs;
    const o = {
      D: d(i.D),
      deltaBias: d(i.deltaBias),
      deltaSoftplus: true,
      discretization: "exptrap" as const,
      trapezoidLambda: d(i.trapezoidLambda),
      chunkSize: 4,
    };
    const f = (B: Array): Array => ssm.ops.selectiveScan(d(i.u), d(i.delta), d(i.A), B, d(i.C), o);
    return { y: f(d(i.B)), dB: grad((B: Array) => np.sum(np.square(f(B))))(d(i.B)) as Array };
  };
  const cpu = runScan();
  const gpu = await onBackend("webgpu", async () => runScan());
  assert.equal((gpu.y as ConcreteArray).backend.name, "webgpu");
  assertClose(await readValues(gpu.y), c.out.data, { rtol: 1e-4, atol: 2e-5 });
  assertClose(await readValues(gpu.dB), cpuNums(cpu.dB), { rtol: 1e-3, atol: 1e-5 });
});

test("Mamba-2 with nGroups = 2 and { lengths }: forward, gradient and a jitted step on WebGPU equal the CPU's", async () => {
  const runBlock = (): { y: Array; grads: Array[]; yStep: Array } => {
    const m = new ssm.Mamba2Config({ dState: 2, headDim: 2, nGroups: 2, chunkSize: 2, convKer: 2 }).build(
      2,
      random.PRNGKey(1),
    );
    const x = random.normal(random.PRNGKey(2), [2, 5, 2]);
    const lengths = [5, 3];
    const y = m.callBatch(x, { lengths });
    const g = nn.filterGrad((mm: ssm.Mamba2) => np.sum(np.square(mm.callBatch(x, { lengths }))))(m);
    const step = jit((mm: ssm.Mamba2, xt: Array, c: ssm.Mamba2Cache) => mm.step(xt, c));
    let cache = m.initCache([2]);
    let yStep: Array | undefined;
    for (let t = 0; t < 3; t++) [yStep, cache] = step(m, x.get(":", t), cache);
    return { y, grads: treeLeaves(nn.filter(g, nn.isInexactArray)) as Array[], yStep: yStep as Array };
  };
  const cpu = runBlock();
  const gpu = await onBackend("webgpu", async () => runBlock());
  assert.equal((gpu.y as ConcreteArray).backend.name, "webgpu");
  assertClose(await readValues(gpu.y), cpuNums(cpu.y), { rtol: 1e-4, atol: 1e-5 });
  assertClose(await readValues(gpu.yStep), cpuNums(cpu.yStep), { rtol: 1e-4, atol: 1e-5 });
  // The step at t = 2 is the parallel output there (both sequences are valid at t = 2).
  assertClose(cpuNums(cpu.yStep), cpuNums(cpu.y.get(":", 2)), { rtol: 1e-4, atol: 1e-5 });
  assert.equal(gpu.grads.length, cpu.grads.length);
  for (let i = 0; i < cpu.grads.length; i++)
    assertClose(await readValues(gpu.grads[i]), cpuNums(cpu.grads[i]), { rtol: 1e-3, atol: 1e-5 });
});
