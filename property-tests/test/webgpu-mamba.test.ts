/**
 * Mamba, Mamba-2 and the State Space Transformer on WebGPU give the CPU reference's numbers: init (same key; the samplers are
 * bit-exact across backends), the parallel forward (selective scan / chunked SSD), the gradient,
 * and token-by-token steps. Kept tiny: the CI adapter is a software rasteriser.
 */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { np, nn, ssm, random, treeLeaves, type ConcreteArray, type Array } from "linax-ts";
import { assertClose } from "@linax-ts/testing";
import { setupWebGPU, onBackend, readValues } from "@linax-ts/testing/webgpu";

before(async () => {
  await setupWebGPU();
});

const cpuNums = (x: Array): number[] => globalThis.Array.from(x.dataSync() as ArrayLike<number>);

type Block = ssm.Mamba | ssm.Mamba2;
const BLOCKS: [string, () => Block][] = [
  ["Mamba (zoh)", () => new ssm.MambaConfig({ dState: 4, chunkSize: 3 }).build(4, random.PRNGKey(1))],
  ["Mamba (exptrap)", () => new ssm.MambaConfig({ dState: 4, discretization: "exptrap" }).build(4, random.PRNGKey(1))],
  ["Mamba-2", () => new ssm.Mamba2Config({ dState: 4, headDim: 4, chunkSize: 3 }).build(4, random.PRNGKey(1))],
];

function run(make: () => Block): { y: Array; grads: Array[]; yStep: Array } {
  const m = make();
  const x = random.normal(random.PRNGKey(2), [2, 5, 4]);
  const y = m.callBatch(x);
  const loss = (mm: Block): Array => np.sum(np.square(mm.callBatch(x)));
  const g = nn.filterGrad(loss)(m);
  let cache = m.initCache([2]);
  let yStep: Array | undefined;
  for (let t = 0; t < 5; t++) [yStep, cache] = (m as ssm.Mamba).step(x.get(":", t), cache as ssm.MambaCache);
  return { y, grads: treeLeaves(nn.filter(g, nn.isInexactArray)) as Array[], yStep: yStep as Array };
}

for (const [name, make] of BLOCKS) {
  test(`${name}: forward, gradient and recurrent step on WebGPU equal the CPU's`, async () => {
    const cpu = run(make);
    const gpu = await onBackend("webgpu", async () => run(make));
    assert.equal((gpu.y as ConcreteArray).backend.name, "webgpu");
    // float32 on both; transcendentals and accumulation order differ by ulps (see webgpu-ssm.test.ts).
    assertClose(await readValues(gpu.y), cpuNums(cpu.y), { rtol: 1e-4, atol: 1e-5 });
    assertClose(await readValues(gpu.yStep), cpuNums(cpu.yStep), { rtol: 1e-4, atol: 1e-5 });
    assert.equal(gpu.grads.length, cpu.grads.length);
    for (let i = 0; i < cpu.grads.length; i++)
      assertClose(await readValues(gpu.grads[i]), cpuNums(cpu.grads[i]), { rtol: 1e-3, atol: 1e-5 });
  });
}

test("SSTransformer: forward, gradient and KV-cache step on WebGPU equal the CPU's", async () => {
  const runSst = (): { y: Array; grads: Array[]; yStep: Array } => {
    const m = ssm.SSTransformer.build(
      {
        embedDim: 3,
        hiddenSize: 4,
        numLayers: 1,
        numHeads: 1,
        headDim: 2,
        stateSize: 2,
        expandFactor: 1,
        dropout: 0,
        windowSize: 3,
        slidingWindow: true,
      },
      random.PRNGKey(1),
    );
    const x = random.normal(random.PRNGKey(2), [2, 5, 3]);
    const g = nn.filterGrad((mm: ssm.SSTransformer) => np.sum(np.square(mm.call(x))))(m);
    let cache = m.initCache(2);
    let yStep: Array | undefined;
    for (let t = 0; t < 5; t++) [yStep, cache] = m.step(x.get(":", t), cache);
    return { y: m.call(x), grads: treeLeaves(nn.filter(g, nn.isInexactArray)) as Array[], yStep: yStep as Array };
  };
  const cpu = runSst();
  const gpu = await onBackend("webgpu", async () => runSst());
  assert.equal((gpu.y as ConcreteArray).backend.name, "webgpu");
  assertClose(await readValues(gpu.y), cpuNums(cpu.y), { rtol: 1e-4, atol: 1e-5 });
  assertClose(await readValues(gpu.yStep), cpuNums(cpu.y), { rtol: 1e-4, atol: 1e-5 });
  for (let i = 0; i < cpu.grads.length; i++)
    assertClose(await readValues(gpu.grads[i]), cpuNums(cpu.grads[i]), { rtol: 1e-3, atol: 1e-5 });
});
