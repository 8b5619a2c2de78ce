/**
 * "Swap one backend name": linax models built, run, differentiated and stepped on WebGPU give the
 * CPU reference's numbers. Each model is initialised from the same key on both backends (the
 * samplers are bit-exact across backends), so the comparison covers init too.
 */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { np, nn, ssm, random, treeLeaves, devicePut, devicePutAsync, type ConcreteArray, type Array } from "linax-ts";
import { assertClose } from "@linax-ts/testing";
import { setupWebGPU, onBackend, readValues } from "@linax-ts/testing/webgpu";

const B = 2;
const L = 6;

before(async () => {
  await setupWebGPU();
});

const enc = () => new ssm.LinearEncoderConfig({ inFeatures: 3, outFeatures: 8 });
const head = () => new ssm.ClassificationHeadConfig({ outFeatures: 4 });
const MODELS: [string, () => ssm.SSMConfig][] = [
  [
    "S5",
    () =>
      new ssm.S5Config({
        numBlocks: 2,
        encoderConfig: enc(),
        headConfig: head(),
        sequenceMixerConfig: new ssm.S5SequenceMixerConfig({ stateDim: 6 }),
      }),
  ],
  [
    "LinOSS",
    () =>
      new ssm.LinOSSConfig({
        numBlocks: 2,
        encoderConfig: enc(),
        headConfig: head(),
        sequenceMixerConfig: new ssm.LinOSSSequenceMixerConfig({ stateDim: 6 }),
      }),
  ],
  [
    "LRU",
    () =>
      new ssm.LRUConfig({
        numBlocks: 2,
        encoderConfig: enc(),
        headConfig: head(),
        sequenceMixerConfig: new ssm.LRUSequenceMixerConfig({ stateDim: 6 }),
      }),
  ],
  [
    "S4D",
    () =>
      new ssm.S4DConfig({
        numBlocks: 2,
        encoderConfig: enc(),
        headConfig: head(),
        sequenceMixerConfig: new ssm.S4DSequenceMixerConfig({ stateDim: 6 }),
      }),
  ],
];

const cpuNums = (x: Array): number[] => globalThis.Array.from(x.dataSync() as ArrayLike<number>);

/** Forward (with dropout and BatchNorm state updates) and the loss gradient of one model. */
function run(config: ssm.SSMConfig): { out: Array; grads: Array[]; loss: Array } {
  const [model, state] = nn.makeWithState(ssm.SSM)(config, random.PRNGKey(3));
  const x = random.normal(random.PRNGKey(4), [B, L, 3]);
  const y = np.array([1, 3], { dtype: "int32" });
  const [out] = model.callBatch(x, state, { key: random.PRNGKey(5) });
  const loss = (m: ssm.SSM): Array =>
    nn.softmaxCrossEntropyWithIntegerLabels(m.callBatch(x, nn.cloneState(state), { key: random.PRNGKey(5) })[0], y);
  const [l, g] = nn.filterValueAndGrad(loss)(model);
  return { out, grads: treeLeaves(nn.filter(g, nn.isInexactArray)) as Array[], loss: l };
}

for (const [name, config] of MODELS) {
  test(`${name}: init, forward and gradient on WebGPU equal the CPU's`, async () => {
    const cpu = run(config());
    const gpu = await onBackend("webgpu", async () => run(config()));
    for (const a of [gpu.out, gpu.loss, ...gpu.grads]) assert.equal((a as ConcreteArray).backend.name, "webgpu");
    // float32 evaluation on both; the GPU's transcendentals (exp, sin in discretisation) differ
    // by a few ulps and matmuls accumulate in another order: 1e-4 relative is ~1000 ulps, far
    // below any wrong rule or kernel (which moves outputs by O(1)).
    assertClose(await readValues(gpu.out), cpuNums(cpu.out), { rtol: 1e-4, atol: 1e-5 });
    assertClose(await readValues(gpu.loss), cpuNums(cpu.loss), { rtol: 1e-4, atol: 1e-5 });
    assert.equal(gpu.grads.length, cpu.grads.length);
    for (let i = 0; i < cpu.grads.length; i++) {
      assertClose(await readValues(gpu.grads[i]), cpuNums(cpu.grads[i]), { rtol: 1e-3, atol: 1e-5 });
    }
  });
}

test("S5 recurrent step inference on WebGPU matches the parallel forward on the CPU", async () => {
  const config = MODELS[0][1]();
  const [m0, s0] = nn.makeWithState(ssm.SSM)(config, random.PRNGKey(3));
  const x = random.normal(random.PRNGKey(4), [B, L, 3]);
  const model = nn.inference(m0);
  const [want] = model.callBatch(x, nn.cloneState(s0));
  const got = await onBackend("webgpu", async () => {
    const [g0, gs] = nn.makeWithState(ssm.SSM)(config, random.PRNGKey(3));
    const gm = nn.inference(g0);
    const xs = random.normal(random.PRNGKey(4), [B, L, 3]);
    let cache = gm.initCache([B], gs);
    let y: Array | undefined;
    for (let t = 0; t < L; t++) [y, cache] = gm.step(xs.get(":", t), cache);
    return y as Array;
  });
  assertClose(await readValues(got), cpuNums(want), { rtol: 1e-4, atol: 1e-5 });
});

test("a model trained on the CPU moves to WebGPU whole (devicePut of the pytree) and back bit for bit", async () => {
  const config = MODELS[1][1]();
  const [m0, s0] = nn.makeWithState(ssm.SSM)(config, random.PRNGKey(8));
  const model = nn.inference(m0);
  const x = random.normal(random.PRNGKey(9), [B, L, 3]);
  const [want] = model.callBatch(x, nn.cloneState(s0));
  const [gm, gs, gx] = devicePut([model, s0, x], "webgpu");
  const cpuLeaves = treeLeaves(nn.filter(model, nn.isInexactArray)) as Array[];
  const gpuLeaves = treeLeaves(nn.filter(gm, nn.isInexactArray)) as Array[];
  assert.equal(gpuLeaves.length, cpuLeaves.length);
  for (const a of gpuLeaves) assert.equal((a as ConcreteArray).backend.name, "webgpu");
  const got = await onBackend("webgpu", async () => gm.callBatch(gx, nn.cloneState(gs))[0]);
  assertClose(await readValues(got), cpuNums(want), { rtol: 1e-4, atol: 1e-5 });
  // Back to the CPU: devicePut would need a synchronous read of WebGPU; devicePutAsync does it.
  assert.throws(() => devicePut(gm, "cpu"), /synchronous reads are impossible on WebGPU/);
  const back = await devicePutAsync(gm, "cpu");
  const backLeaves = treeLeaves(nn.filter(back, nn.isInexactArray)) as Array[];
  for (let i = 0; i < cpuLeaves.length; i++) assert.deepEqual(cpuNums(backLeaves[i]), cpuNums(cpuLeaves[i]));
});
