/**
 * The ssm part-2 models this file's author added — DeltaNet and the identity mixer, damped LinOSS
 * IM/IMEX2/EX, padding masks (`lengths`) through a whole SSM, and lrnnx's S4D block — built, run
 * and differentiated on WebGPU give the CPU reference's numbers (same keys: the samplers are
 * bit-exact across backends, so init is covered too).
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

function config(mixer: ssm.SequenceMixerConfig): ssm.SSMConfig {
  const b = new ssm.StandardBlockConfig({ dropRate: 0.1 });
  return new ssm.SSMConfig({
    encoderConfig: new ssm.LinearEncoderConfig({ inFeatures: 3, outFeatures: 4 }),
    sequenceMixerConfigs: [mixer],
    blockConfigs: [b],
    channelMixerConfigs: [new ssm.GLUConfig()],
    headConfig: new ssm.ClassificationHeadConfig({ outFeatures: 2 }),
  });
}

/** Forward with lengths [5, 3] and the loss gradient. */
function run(cfg: ssm.SSMConfig): { out: Array; grads: Array[] } {
  const [model, state] = nn.makeWithState(ssm.SSM)(cfg, random.PRNGKey(3));
  const x = random.normal(random.PRNGKey(4), [2, 5, 3]);
  const lens = np.array([5, 3], { dtype: "int32" });
  const y = np.array([1, 0], { dtype: "int32" });
  const loss = (m: ssm.SSM): Array =>
    nn.softmaxCrossEntropyWithIntegerLabels(
      m.callBatch(x, nn.cloneState(state), { key: random.PRNGKey(5), lengths: lens })[0],
      y,
    );
  const [out] = model.callBatch(x, nn.cloneState(state), { key: random.PRNGKey(5), lengths: lens });
  const [, g] = nn.filterValueAndGrad(loss)(model);
  return { out, grads: treeLeaves(nn.filter(g, nn.isInexactArray)) as Array[] };
}

const MIXERS: [string, () => ssm.SequenceMixerConfig][] = [
  ["DeltaNet", () => new ssm.DeltaNetSequenceMixerConfig({ nHeads: 2, chunkSize: 2 })],
  ["Identity", () => new ssm.IdentitySequenceMixerConfig()],
  ["LinOSS damped EX", () => new ssm.LinOSSSequenceMixerConfig({ stateDim: 4, discretization: "EX" })],
  ["LinOSS damped IM", () => new ssm.LinOSSSequenceMixerConfig({ stateDim: 4, discretization: "IM" })],
  ["LinOSS damped IMEX2", () => new ssm.LinOSSSequenceMixerConfig({ stateDim: 4, discretization: "IMEX2" })],
];

for (const [name, mixer] of MIXERS) {
  test(`${name} in an SSM with lengths: forward and gradient on WebGPU equal the CPU's`, async () => {
    const cpu = run(config(mixer()));
    const gpu = await onBackend("webgpu", async () => run(config(mixer())));
    assert.equal((gpu.out as ConcreteArray).backend.name, "webgpu");
    assertClose(await readValues(gpu.out), cpuNums(cpu.out), { rtol: 1e-4, atol: 1e-5 });
    assert.equal(gpu.grads.length, cpu.grads.length);
    for (let i = 0; i < cpu.grads.length; i++)
      assertClose(await readValues(gpu.grads[i]), cpuNums(cpu.grads[i]), { rtol: 1e-3, atol: 1e-5 });
  });
}

test("lrnnx's S4D block: forward with lengths and step on WebGPU equal the CPU's", async () => {
  const make = () => new ssm.S4D({ dModel: 4, dState: 8, gate: 2, transposed: false, key: random.PRNGKey(2) });
  const go = () => {
    const m = make();
    const x = random.normal(random.PRNGKey(6), [2, 6, 4]);
    const [y, s] = m.forward(x, { lengths: [6, 4] });
    const [yt] = m.step(x.get(":", 0), m.allocateInferenceCache(2));
    return [y, s, yt];
  };
  const cpu = go();
  const gpu = await onBackend("webgpu", async () => go());
  for (let i = 0; i < 3; i++) assertClose(await readValues(gpu[i]), cpuNums(cpu[i]), { rtol: 1e-4, atol: 1e-5 });
});
